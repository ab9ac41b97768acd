"""The database itself refuses to change or remove audit events, whatever the code above it does."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from keyworker.audit.chain import PG_TRIGGERS, SQLITE_TRIGGERS, installed_triggers, verify_chain
from keyworker.audit.models import AppendOnlyError, AuditEvent
from keyworker.audit.services import client_viewed


@pytest.fixture
def event(personas) -> AuditEvent:
    client = personas.client_of(personas.you)
    return client_viewed(actor=personas.you, client_id=client.pk, obj=client, what="client page")


def refused(sql: str, params: list | None = None) -> str:
    """Run `sql` and return the database's refusal (in a savepoint, so PostgreSQL can carry on)."""
    with pytest.raises(DatabaseError) as refusal, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(refusal.value)


def test_the_migrated_database_has_the_triggers(db):
    # A later migration that alters the audit table makes SQLite rebuild it without them: this catches it.
    expected = {"sqlite": set(SQLITE_TRIGGERS), "postgresql": set(PG_TRIGGERS)}[connection.vendor]
    assert installed_triggers() >= expected


def test_raw_sql_cannot_update(event):
    pk = AuditEvent._meta.pk.get_db_prep_value(event.pk, connection)
    assert "append-only" in refused("UPDATE audit_auditevent SET detail = '{}' WHERE id = %s", [pk])
    assert "append-only" in refused("UPDATE audit_auditevent SET actor_id = NULL")
    assert AuditEvent.objects.get(pk=event.pk).detail == {"what": "client page"}


def test_raw_sql_cannot_delete(event):
    pk = AuditEvent._meta.pk.get_db_prep_value(event.pk, connection)
    assert "append-only" in refused("DELETE FROM audit_auditevent WHERE id = %s", [pk])
    assert "append-only" in refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_orm_below_the_model_cannot_update_or_delete(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(object_id="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["object_id"])
    # The plain base manager has no Python guard: the database refuses.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk).update(object_id="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk)._raw_delete(connection.alias)
    assert verify_chain().ok


# SQLite has no TRUNCATE statement (its DELETE trigger is tested above); CI runs this on PostgreSQL.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate(event):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else PostgreSQL objects to the pending foreign-key check
    assert "append-only" in refused("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_flush_still_empties_every_table_and_leaves_the_triggers(event):
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert not AuditEvent.objects.exists()
    expected = {"sqlite": set(SQLITE_TRIGGERS), "postgresql": set(PG_TRIGGERS)}[connection.vendor]
    assert installed_triggers() >= expected
