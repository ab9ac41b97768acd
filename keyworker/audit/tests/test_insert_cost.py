"""What an audit insert has to keep up (decision 0041): each page that shows many clients writes one view
event per client, so every index on the log is paid for on every such page."""

from __future__ import annotations

from django.db import connection

from keyworker.audit.models import AuditEvent
from keyworker.audit.services import clients_viewed


def _indexes_on(column: str) -> list[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "audit_auditevent")
    return [name for name, info in constraints.items() if info["columns"] == [column] and info["index"]]


def test_new_events_get_time_ordered_ids_so_inserts_append_to_the_key_index(personas):
    clients = [personas.client_of(personas.you), personas.client_of(personas.teammate)]
    clients_viewed(personas.you, [(c.pk, c) for c in clients], what="list")
    clients_viewed(personas.you, [(clients[0].pk, clients[0])], what="list")
    events = list(AuditEvent.objects.order_by("sequence").filter(detail__what="list"))
    assert [e.id.version for e in events] == [7, 7, 7]
    assert [e.id for e in events] == sorted(e.id for e in events)


def test_the_log_keeps_no_index_on_the_hash_or_on_the_actor_alone(db):
    # The (actor, occurred_at) index serves look-ups by actor; nothing looks an event up by its hash.
    assert _indexes_on("actor_id") == []
    if connection.vendor == "postgresql":
        # SQLite keeps the hash's UNIQUE from its table definition until the table is rebuilt (0006).
        assert _indexes_on("hash") == []
