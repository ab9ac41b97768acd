"""Writers in parallel still make one chain: each takes the chain's lock before reading its end."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from keyworker.audit.chain import verify_chain
from keyworker.audit.models import AuditEvent
from keyworker.audit.services import client_viewed, clients_viewed

# The advisory lock that keeps concurrent writers in one chain is PostgreSQL's; CI runs these there. On SQLite
# the same guarantee comes from BEGIN IMMEDIATE (decisions/0002), and threads cannot share its test database.
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers itself (every transaction is BEGIN IMMEDIATE); its in-memory test "
    "database cannot be shared by writing threads",
)

THREADS, EACH = 6, 8


def test_parallel_writers_make_one_gapless_chain(transactional_db, personas):
    clients = [personas.client_of(personas.you) for _ in range(3)]
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    if (n + i) % 2:
                        client_viewed(actor=personas.you, client_id=clients[0].pk, obj=clients[0], what=f"{n}/{i}")
                    else:
                        clients_viewed(personas.you, [(c.pk, c) for c in clients], what=f"{n}/{i}")
                    time.sleep(0.002)  # hold the transaction open: a writer that did not wait would fork the chain
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures
    expected = sum(1 if (n + i) % 2 else len(clients) for n in range(THREADS) for i in range(EACH))
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == list(
        range(1, expected + 1)
    )
    verdict = verify_chain()
    assert verdict.ok and verdict.count == expected
