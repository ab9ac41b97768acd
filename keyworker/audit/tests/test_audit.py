"""The audit trail: events are written with their source, never changed, and shown only to managers."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from keyworker.audit import services as audit_services
from keyworker.audit.context import Source, current_source, reset_source, set_source
from keyworker.audit.models import AppendOnlyError, AuditAction, AuditEvent
from keyworker.audit.selectors import client_audit_trail_for
from keyworker.audit.services import audit_event_record, client_viewed
from keyworker.casework.models import ContactKind
from keyworker.casework.services import contact_record
from keyworker.core.errors import NotFound

# --- writing ---------------------------------------------------------------------------------------


def test_event_records_who_what_which_and_when(personas):
    client = personas.client_of(personas.you)
    before = timezone.now()
    event = audit_event_record(
        actor=personas.you, action=AuditAction.UPDATE, obj=client, client_id=client.pk, detail={"fields": ["phone"]}
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == personas.you
    assert stored.action == AuditAction.UPDATE
    assert (stored.object_type, stored.object_id) == ("people.client", str(client.pk))
    assert stored.client_id == client.pk
    assert stored.detail == {"fields": ["phone"]}
    assert before <= stored.occurred_at <= timezone.now()
    assert (stored.source_ip, stored.user_agent) == (None, "")


def test_event_takes_the_current_request_source(personas):
    client = personas.client_of(personas.you)
    token = set_source(Source(ip="203.0.113.7", user_agent="Firefox"))
    try:
        event = audit_event_record(actor=personas.you, action=AuditAction.VIEW, obj=client, client_id=client.pk)
    finally:
        reset_source(token)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.source_ip, stored.user_agent) == ("203.0.113.7", "Firefox")
    assert current_source() == Source()  # reset afterwards


def test_event_without_actor_or_client(personas):
    event = audit_event_record(actor=None, action=AuditAction.EXPORT, obj=personas.team)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.client_id, stored.detail) == (None, None, {})
    assert stored.object_type == "accounts.team"


def test_client_viewed(personas):
    client = personas.client_of(personas.you)
    event = client_viewed(actor=personas.teammate, client_id=client.pk, obj=client, what="client page")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.actor, stored.client_id) == (AuditAction.VIEW, personas.teammate, client.pk)
    assert stored.detail == {"what": "client page"}


# --- append-only -----------------------------------------------------------------------------------


@pytest.fixture
def event(personas) -> AuditEvent:
    client = personas.client_of(personas.you)
    return client_viewed(actor=personas.you, client_id=client.pk, obj=client, what="client page")


def test_events_cannot_be_changed(event):
    event.detail = {"what": "nothing to see"}
    with pytest.raises(AppendOnlyError):
        event.save()
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.actor = None
    with pytest.raises(AppendOnlyError):
        loaded.save()
    with pytest.raises(AppendOnlyError):
        loaded.save(update_fields=["actor"])
    assert AuditEvent.objects.get(pk=event.pk).detail == {"what": "client page"}


def test_events_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.get(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_bulk_updated(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail={"what": "rewritten"})
    assert AuditEvent.objects.get(pk=event.pk).detail == {"what": "client page"}


def test_events_cannot_be_bulk_deleted(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- services write their events -------------------------------------------------------------------


def test_a_service_write_leaves_exactly_one_event(personas):
    client = personas.client_of(personas.you)
    before = AuditEvent.objects.count()
    contact = contact_record(actor=personas.you, client=client, kind=ContactKind.PHONE, note="Rang.")
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.filter(object_id=str(contact.pk), action=AuditAction.CREATE).count() == 1


# --- who viewed this record ------------------------------------------------------------------------


@pytest.fixture
def viewed_at(monkeypatch):
    """Record a view as if it happened at `when` (the service stamps the time itself)."""

    def record(actor, client, when, what):
        monkeypatch.setattr(audit_services, "timezone", SimpleNamespace(now=lambda: when))
        return client_viewed(actor=actor, client_id=client.pk, obj=client, what=what)

    return record


def test_manager_sees_who_viewed_newest_first(personas, viewed_at):
    client = personas.client_of(personas.you)
    other = personas.client_of(personas.teammate)
    now = timezone.now()
    viewed_at(personas.you, client, now - dt.timedelta(hours=3), "oldest")
    viewed_at(personas.teammate, client, now - dt.timedelta(hours=1), "newest")
    viewed_at(personas.you, client, now - dt.timedelta(hours=2), "middle")
    viewed_at(personas.you, other, now, "another client")

    trail = list(client_audit_trail_for(personas.manager, client))
    assert [e.detail["what"] for e in trail] == ["newest", "middle", "oldest"]
    assert [e.actor for e in trail] == [personas.teammate, personas.you, personas.you]
    assert [e.detail["what"] for e in client_audit_trail_for(personas.manager, client, limit=2)] == [
        "newest",
        "middle",
    ]


@pytest.mark.parametrize("who", ["you", "teammate", "other_caseworker", "other_manager", "report_viewer"])
def test_only_the_clients_managers_see_who_viewed(personas, who):
    client = personas.client_of(personas.you)
    client_viewed(actor=personas.you, client_id=client.pk, obj=client, what="client page")
    with pytest.raises(NotFound):
        client_audit_trail_for(getattr(personas, who), client)


def test_other_manager_sees_their_own_clients_trail(personas):
    theirs = personas.client_of(personas.other_caseworker)
    client_viewed(actor=personas.other_caseworker, client_id=theirs.pk, obj=theirs, what="client page")
    assert [e.actor for e in client_audit_trail_for(personas.other_manager, theirs)] == [personas.other_caseworker]
    with pytest.raises(NotFound):
        client_audit_trail_for(personas.manager, theirs)


def test_inactive_manager_sees_no_trail(personas):
    client = personas.client_of(personas.you)
    personas.manager.is_active = False
    personas.manager.save()
    with pytest.raises(NotFound):
        client_audit_trail_for(personas.manager, client)
