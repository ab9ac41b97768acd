"""SIGKILL the app server mid-write, many times: nothing acknowledged is lost, nothing is half-written.

The real server (gunicorn, two sync workers, as the bench runs it) serves a copy of this run's test database:
a SQLite file in the SQLite phase, a private PostgreSQL in the PostgreSQL phase. Three threads record contacts
through the API with a caseworker's token while the whole server process group is SIGKILLed at random
moments and restarted, KILLS times (keyworker: KEYWORKER_FAULT_KILLS, default 20) or until the time budget is
spent. Afterwards every contact acknowledged (201 with its id) is there, every contact has its audit CREATE
event and every such event its contact, the audit hash chain verifies, and on SQLite `PRAGMA integrity_check`
says ok. docs/decisions/0035-faults.md.
"""

from __future__ import annotations

import http.client
import os
import random
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from keyworker.accounts.services import token_create
from keyworker.core.testing import Personas
from keyworker.core.tests import faultkit

KILLS = int(os.environ.get("KEYWORKER_FAULT_KILLS", "20"))
BUDGET_SECONDS = 40.0  # stop killing after this, whatever KILLS says: the test stays under a minute
MIN_KILLS = 8
WRITERS = 3


@pytest.fixture
def workdir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="kw-fault-kill-"))
    try:
        yield root
    finally:
        import shutil

        shutil.rmtree(root, ignore_errors=True)


class Hammer:
    """WRITERS threads recording contacts until stopped; `acknowledged` holds the ids the server confirmed."""

    def __init__(self, base: list[str], token: str, client_ids: list[str]) -> None:
        self.base, self.token, self.client_ids = base, token, client_ids
        self.acknowledged: list[str] = []
        self.refused: list[str] = []  # answers other than 201 while the server was up (must stay empty)
        self.failed = 0  # connection refused/reset: not acknowledged, may or may not have been saved
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(WRITERS)]

    def run(self, n: int) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            client_id = self.client_ids[(n + i) % len(self.client_ids)]
            body = {"kind": "phone", "note": f"Fault test writer {n} call {i}: rang to check in about the week."}
            try:
                reply = faultkit.request(
                    f"{self.base[0]}/api/v1/clients/{client_id}/contacts",
                    method="POST", token=self.token, body=body, timeout=10,
                )  # fmt: skip
            except (OSError, http.client.HTTPException):  # cut off by a kill: neither acknowledged nor refused
                with self.lock:
                    self.failed += 1
                time.sleep(0.02)
                continue
            with self.lock:
                if reply.status == 201 and isinstance(reply.body, dict) and reply.body.get("id"):
                    self.acknowledged.append(str(reply.body["id"]))
                else:
                    self.refused.append(f"{reply.status}: {str(reply.body)[:200]}")

    def __enter__(self) -> Hammer:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=20)


def _kill_many(server: faultkit.ForkedServer, hammer: Hammer, rng: random.Random) -> int:
    """Kill and restart until KILLS or the budget; returns the kills survived (server answered after each)."""
    started, kills = time.monotonic(), 0
    while kills < KILLS and time.monotonic() - started < BUDGET_SECONDS:
        before = len(hammer.acknowledged)
        # A random moment once writes are flowing again: at least one acknowledged since the restart.
        deadline = time.monotonic() + 15
        while len(hammer.acknowledged) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(hammer.acknowledged) > before, f"no write acknowledged after restart {kills}: {hammer.refused[-3:]}"
        time.sleep(rng.uniform(0.0, 0.6))
        server.kill()
        kills += 1
        server.start()
    print(f"\nFAULTS kill: {kills} kills in {time.monotonic() - started:.1f}s")
    return kills


def _run(server: faultkit.ForkedServer, token: str, client_ids: list[str]) -> tuple[Hammer, int]:
    rng = random.Random(int(os.environ.get("KEYWORKER_FAULT_SEED", "10")))
    base = [server.url]
    server.start()
    with Hammer(base, token, client_ids) as hammer:
        try:
            kills = _kill_many(server, hammer, rng)
            # One more round with the last server alive, so the final state is a server that works.
            before = len(hammer.acknowledged)
            deadline = time.monotonic() + 15
            while len(hammer.acknowledged) < before + 5 and time.monotonic() < deadline:
                time.sleep(0.01)
        finally:
            hammer.stop.set()
    return hammer, kills


def _setup(personas: Personas) -> tuple[str, list[str]]:
    you = personas.you
    clients = [personas.client_of(you) for _ in range(3)]
    _, token = token_create(actor=you, name="Fault test", can_read=True, can_write=True)
    return token, [str(c.pk) for c in clients]


def _report(phase: str, hammer: Hammer, kills: int, result: faultkit.Integrity) -> None:
    acknowledged, present = len(hammer.acknowledged), len(hammer.acknowledged) - len(result.acknowledged_missing)
    print(
        f"\nFAULTS kill ({phase}): {kills} SIGKILLs survived; {acknowledged} writes acknowledged, {present} checked "
        f"present; {result.contacts} contacts in the database, each whole ({hammer.failed} requests refused or "
        f"cut off around the kills); {result.audit_events} audit events, chain verified={result.audit_ok}."
    )


def _assert_whole(hammer: Hammer, kills: int, result: faultkit.Integrity) -> None:
    assert kills >= min(MIN_KILLS, KILLS), f"only {kills} kills in the time budget"
    assert not hammer.refused, f"the server refused writes while up: {hammer.refused[:5]}"
    assert hammer.acknowledged, "no write was acknowledged"
    assert result.acknowledged_missing == [], "acknowledged contacts were lost"
    assert result.contacts_without_event == [], "contacts without their audit CREATE event (half-written)"
    assert result.events_without_contact == [], "audit CREATE events without their contact (half-written)"
    assert result.audit_ok, f"audit chain broken: {result.audit_problem}"


@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_write_sqlite(personas: Personas, workdir: Path, django_db_blocker: Any) -> None:
    if faultkit.on_postgresql():
        pytest.skip("the SQLite phase kills a server writing a SQLite file; this run is on PostgreSQL")
    token, client_ids = _setup(personas)
    db_file = workdir / "keyworker.sqlite3"
    faultkit.copy_test_database(sqlite_file=db_file)
    env = faultkit.server_env(workdir, sqlite_file=db_file)
    server = faultkit.ForkedServer(env, workdir / "gunicorn.log")
    try:
        hammer, kills = _run(server, token, client_ids)
    finally:
        server.close()
    assert faultkit.sqlite_integrity_check(db_file) == "ok"
    result = faultkit.check_integrity(env, hammer.acknowledged, workdir)
    _report("SQLite", hammer, kills, result)
    _assert_whole(hammer, kills, result)


@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_write_postgresql(personas: Personas, workdir: Path) -> None:
    if not faultkit.on_postgresql():
        pytest.skip("the PostgreSQL phase needs a PostgreSQL test run (DATABASE_URL); this run is on SQLite")
    faultkit.require_private_postgres()
    token, client_ids = _setup(personas)
    pg = faultkit.PrivatePostgres()
    server: faultkit.ForkedServer | None = None
    try:
        pg.start()
        faultkit.copy_test_database(postgres=pg)
        env = faultkit.server_env(workdir, database_url=pg.url)
        server = faultkit.ForkedServer(env, workdir / "gunicorn.log")
        hammer, kills = _run(server, token, client_ids)
        server.close()
        result = faultkit.check_integrity(env, hammer.acknowledged, workdir)
    finally:
        if server is not None:
            server.close()
        pg.remove()
    _report("PostgreSQL", hammer, kills, result)
    _assert_whole(hammer, kills, result)
