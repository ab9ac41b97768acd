"""The hash chain: every event is linked to the one before it, and `keyworker audit verify` finds any event
that was altered, removed or inserted."""

from __future__ import annotations

import itertools
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from keyworker.accounts.models import Role
from keyworker.audit.chain import append_only_suspended, event_hash, verify_chain
from keyworker.audit.context import Source, reset_source, set_source
from keyworker.audit.models import GENESIS_HASH, AuditAction, AuditEvent
from keyworker.audit.services import (
    audit_event_record,
    audit_events_erase_for_demo,
    client_viewed,
    clients_viewed,
)


def chain() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("sequence"))


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def raw(sql: str, params: list) -> None:
    """Write straight to the table, as someone with database access might (the triggers lifted first)."""
    with append_only_suspended(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def db_id(event: AuditEvent):
    return AuditEvent._meta.pk.get_db_prep_value(event.pk, connection)


@pytest.fixture
def events(personas) -> list[AuditEvent]:
    mine, theirs = personas.client_of(personas.you), personas.client_of(personas.teammate)
    client_viewed(actor=personas.you, client_id=mine.pk, obj=mine, what="client page")
    clients_viewed(personas.manager, [(mine.pk, mine), (theirs.pk, theirs)], what="caseload")
    audit_event_record(
        actor=personas.you, action=AuditAction.UPDATE, obj=mine, client_id=mine.pk, detail={"fields": ["phone"]}
    )
    audit_event_record(actor=None, action=AuditAction.EXPORT, obj=personas.team)
    return chain()


# --- linking ---------------------------------------------------------------------------------------------


def test_events_form_one_chain(events):
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].previous_hash == GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.hash
    for event in events:
        assert len(event.hash) == 64 and event.hash == event_hash(event)


def test_bulk_views_are_chained_row_by_row(events):
    bulk = [e for e in events if e.detail == {"what": "caseload"}]
    assert [e.sequence for e in bulk] == [2, 3]
    assert bulk[1].previous_hash == bulk[0].hash


def test_event_records_the_role_at_the_time_and_break_glass(personas):
    client = personas.client_of(personas.you)
    first = client_viewed(actor=personas.you, client_id=client.pk, obj=client, what="client page")
    personas.you.role = Role.ON_CALL
    personas.you.save()
    second = client_viewed(actor=personas.you, client_id=client.pk, obj=client, what="client page", break_glass=True)
    clients_viewed(personas.you, [(client.pk, client)], what="list", break_glass=True)
    stored = chain()
    assert [(e.actor_role, e.break_glass) for e in stored] == [
        (Role.CASEWORKER, False),
        (Role.ON_CALL, True),
        (Role.ON_CALL, True),
    ]
    assert (stored[0].pk, stored[1].pk) == (first.pk, second.pk)


def test_the_hash_covers_every_field(events):
    event = events[2]
    assert event.hash == event_hash(event)
    for field, value in [
        ("detail", {"fields": ["name"]}),
        ("actor_role", Role.DATA_PROTECTION_OFFICER),
        ("break_glass", True),
        ("object_id", "x"),
        ("client_id", uuid.uuid4()),
        ("source_ip", "10.0.0.1"),
        ("previous_hash", "1" * 64),
        ("sequence", 99),
        ("action", AuditAction.DENIED),
    ]:
        original = getattr(event, field)
        setattr(event, field, value)
        assert event_hash(event) != event.hash, field
        setattr(event, field, original)


def test_ipv6_addresses_hash_as_stored(personas):
    token = set_source(Source(ip="2001:DB8:0:0::1", user_agent="Firefox"))
    try:
        audit_event_record(actor=personas.you, action=AuditAction.VIEW, obj=personas.team)
    finally:
        reset_source(token)
    assert AuditEvent.objects.get().source_ip == "2001:db8::1"
    assert verify_chain().ok


# --- verifying -------------------------------------------------------------------------------------------


def test_an_untouched_log_verifies(events):
    output = verify()
    assert "audit log verified: 5 events" in output
    assert f"head: 5:{events[-1].hash}" in output


def test_an_empty_log_verifies(db):
    assert "audit log verified: 0 events" in verify()


def test_an_altered_event_is_named(events):
    victim = events[2]
    raw("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ['{"what": "nothing"}', db_id(victim)])
    with pytest.raises(CommandError) as failure:
        verify()
    message = str(failure.value)
    assert "altered" in message and f"#{victim.sequence}" in message and str(victim.pk) in message


def test_an_altered_and_rehashed_event_breaks_the_next_link(events):
    victim, following = events[1], events[2]
    victim.object_id = "somewhere-else"
    victim.hash = event_hash(victim)
    raw(
        "UPDATE audit_auditevent SET object_id = %s, hash = %s WHERE id = %s",
        [victim.object_id, victim.hash, db_id(victim)],
    )
    with pytest.raises(CommandError) as failure:
        verify()
    assert "broken link" in str(failure.value) and f"#{following.sequence}" in str(failure.value)


def test_a_deleted_event_is_caught(events):
    victim, following = events[2], events[3]
    raw("DELETE FROM audit_auditevent WHERE id = %s", [db_id(victim)])
    with pytest.raises(CommandError) as failure:
        verify()
    message = str(failure.value)
    assert f"removed: event #{victim.sequence} missing before event #{following.sequence}" in message
    assert str(following.pk) in message


def test_a_deleted_first_event_is_caught(events):
    raw("DELETE FROM audit_auditevent WHERE id = %s", [db_id(events[0])])
    with pytest.raises(CommandError, match="removed: event #1 missing"):
        verify()


def test_deleted_and_renumbered_events_are_caught(events):
    raw("DELETE FROM audit_auditevent WHERE id = %s", [db_id(events[1])])
    for event in events[2:]:
        raw("UPDATE audit_auditevent SET sequence = %s WHERE id = %s", [event.sequence - 1, db_id(event)])
    with pytest.raises(CommandError, match="broken link: event #2"):
        verify()


def test_an_inserted_event_is_caught(events, personas):
    intruder = AuditEvent(
        id=uuid.uuid4(),
        sequence=6,
        occurred_at=events[-1].occurred_at,
        actor=personas.you,
        actor_role="",
        action=AuditAction.VIEW,
        object_type="people.client",
        object_id="x",
        previous_hash="f" * 64,
        detail={},
    )
    intruder.hash = event_hash(intruder)
    AuditEvent.objects.bulk_create([intruder])  # inserting is allowed; it must still fit the chain
    with pytest.raises(CommandError, match=f"broken link: event #6 \\(id {intruder.pk}\\)"):
        verify()


def test_an_anchor_catches_events_removed_from_the_end(events):
    head = verify().splitlines()[-1].removeprefix("head: ")
    assert "verified" in verify("--expect", head)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [db_id(events[-1])])
    assert "verified: 4 events" in verify()  # the rest of the chain is intact ...
    with pytest.raises(CommandError, match="event #5 is missing"):
        verify("--expect", head)  # ... but the recorded head is gone


def test_a_bad_anchor_is_refused(events):
    with pytest.raises(CommandError, match="SEQUENCE:HASH"):
        verify("--expect", "five")


def test_verify_from_the_command_line_exits_non_zero(events):
    raw("UPDATE audit_auditevent SET object_type = %s WHERE id = %s", ["x.y", db_id(events[0])])
    verdict = verify_chain()
    assert not verdict.ok and verdict.sequence == 1 and verdict.event_id == str(events[0].pk)


# --- the demo's sanctioned removal -------------------------------------------------------------------------


def test_erasing_demo_events_relinks_the_rest(events):
    gone = [events[1].pk, events[3].pk]
    assert audit_events_erase_for_demo(event_ids=gone) == 2
    remaining = chain()
    assert [e.pk for e in remaining] == [events[0].pk, events[2].pk, events[4].pk]
    assert [e.sequence for e in remaining] == [1, 2, 3]
    assert "audit log verified: 3 events" in verify()
    # and the database is append-only again afterwards
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")


def test_new_events_follow_a_relinked_chain(events, personas):
    audit_events_erase_for_demo(event_ids=[events[0].pk])
    audit_event_record(actor=personas.you, action=AuditAction.VIEW, obj=personas.team)
    assert [e.sequence for e in chain()] == [1, 2, 3, 4, 5]
    assert verify_chain().ok
