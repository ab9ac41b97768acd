"""/audit/staff/<user>/: everything a member of staff did in a period, for their manager and the data
protection officer; a page that does not exist for anyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.audit.selectors import staff_activity_for
from keyworker.audit.services import access_denied, audit_event_record, client_viewed
from keyworker.core.errors import NotFound
from keyworker.core.policy import can_see_staff_activity
from keyworker.core.testing import UserFactory


@pytest.fixture
def dpo(personas):
    return UserFactory(
        email="dpo@keyworker.test",
        first_name="Dana",
        last_name="Protection",
        team=None,
        role=Role.DATA_PROTECTION_OFFICER,
    )


def page(client, viewer, subject, **query):
    client.force_login(viewer)
    return client.get(reverse("audit:staff_activity", args=[subject.pk]), query)


# --- who may look ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject", ["you", "teammate", "manager"])
def test_a_manager_sees_their_own_team(client, personas, subject):
    assert page(client, personas.manager, getattr(personas, subject)).status_code == 200


@pytest.mark.parametrize("subject", ["other_caseworker", "other_manager", "report_viewer"])
def test_a_manager_does_not_see_other_teams(client, personas, subject):
    assert page(client, personas.manager, getattr(personas, subject)).status_code == 404


@pytest.mark.parametrize("subject", ["you", "other_caseworker", "other_manager", "report_viewer"])
def test_the_data_protection_officer_sees_anyone(client, personas, dpo, subject):
    assert page(client, dpo, getattr(personas, subject)).status_code == 200


@pytest.mark.parametrize("viewer", ["you", "teammate", "other_caseworker", "report_viewer"])
@pytest.mark.parametrize("subject", ["you", "teammate", "manager"])
def test_nobody_else_sees_anyone_not_even_themselves(client, personas, viewer, subject):
    assert page(client, getattr(personas, viewer), getattr(personas, subject)).status_code == 404


def test_unknown_staff_is_not_found(client, personas, dpo):
    client.force_login(dpo)
    assert client.get("/audit/staff/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_an_inactive_manager_or_dpo_sees_nothing(personas, dpo):
    for viewer in (personas.manager, dpo):
        viewer.is_active = False
        assert not can_see_staff_activity(viewer, personas.you)


def test_signed_out_goes_to_sign_in(client, personas):
    response = client.get(reverse("audit:staff_activity", args=[personas.you.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_selector_refuses_too(personas):
    today = timezone.localdate()
    with pytest.raises(NotFound):
        staff_activity_for(personas.teammate, personas.you, start=today, end=today)


# --- what it shows ------------------------------------------------------------------------------------------


def test_it_lists_what_the_person_did_in_the_period(client, personas, monkeypatch):
    from keyworker.audit import services

    client_ = personas.client_of(personas.you, first_name="Secretname")
    now = timezone.now()
    for days_ago, what in [(40, "long ago"), (3, "this month"), (0, "today")]:
        monkeypatch.setattr(services.timezone, "now", lambda d=days_ago: now - dt.timedelta(days=d))
        client_viewed(actor=personas.you, client_id=client_.pk, obj=client_, what=what, break_glass=what == "today")
    monkeypatch.undo()
    client_viewed(actor=personas.teammate, client_id=client_.pk, obj=client_, what="someone else")
    access_denied(personas.you, "people.client", "f" * 32)
    audit_event_record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        object_type="accounts.user",
        object_id=str(personas.you.pk),
        detail={"login_hmac": "x"},
    )

    body = page(client, personas.manager, personas.you).content.decode()

    assert "this month" in body and "today" in body and "Break-glass" in body
    assert "long ago" not in body and "someone else" not in body
    assert "Refused access" in body and "f" * 32 in body and "Failed sign-in" in body
    assert "Secretname" not in body  # records by reference only
    assert body.index("this month") < body.index("today")  # oldest first
    assert "4 events" in body

    # the London date of the event itself: 40 days ago may be across a clock change (at 23:15 GMT in November
    # the event 40 days earlier was at 00:15 BST the next day)
    long_ago = timezone.localdate(now - dt.timedelta(days=40)).isoformat()
    body = page(client, personas.manager, personas.you, **{"from": long_ago, "to": long_ago}).content.decode()
    assert "long ago" in body and "this month" not in body and "1 event" in body


def test_looking_is_itself_audited(client, personas):
    page(client, personas.manager, personas.you, **{"from": "2026-01-01", "to": "2026-01-31"})
    event = AuditEvent.objects.filter(actor=personas.manager, action=AuditAction.VIEW).get()
    assert (event.object_type, event.object_id) == ("accounts.user", str(personas.you.pk))
    assert event.detail == {"what": "staff activity", "from": "2026-01-01", "to": "2026-01-31"}


@pytest.mark.parametrize(
    "query, message",
    [
        ({"from": "yesterday"}, "Enter a date like"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "on or before its end"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "a year or less"),
    ],
)
def test_a_bad_period_gets_a_clear_message_and_no_events(client, personas, query, message):
    response = page(client, personas.manager, personas.you, **query)
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and message in body
    assert not AuditEvent.objects.filter(actor=personas.manager, action=AuditAction.VIEW).exists()


def test_htmx_gets_just_the_events(client, personas):
    client.force_login(personas.manager)
    response = client.get(reverse("audit:staff_activity", args=[personas.you.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "events" in body


# --- one client's full trail: /audit/clients/<client>/ ------------------------------------------------------


def trail_page(client, viewer, client_id, **query):
    client.force_login(viewer)
    return client.get(reverse("audit:record_trail", args=[client_id]), query)


def test_the_clients_manager_and_the_dpo_see_the_full_trail(client, personas, dpo):
    person = personas.client_of(personas.you, first_name="Secretname")
    client_viewed(actor=personas.teammate, client_id=person.pk, obj=person, what="client page", break_glass=True)
    for viewer in (personas.manager, dpo):
        response = trail_page(client, viewer, person.pk)
        body = response.content.decode()
        assert response.status_code == 200
        assert personas.teammate.display_name in body and "Break-glass" in body and "Secretname" not in body


@pytest.mark.parametrize("viewer", ["you", "teammate", "other_caseworker", "other_manager", "report_viewer"])
def test_nobody_else_sees_a_clients_trail(client, personas, viewer):
    person = personas.client_of(personas.you)
    assert trail_page(client, getattr(personas, viewer), person.pk).status_code == 404


def test_the_dpo_sees_the_trail_of_an_erased_client_but_not_of_nothing(client, personas, dpo):
    import uuid

    erased = uuid.uuid4()
    audit_event_record(
        actor=personas.you,
        action=AuditAction.VIEW,
        object_type="people.client",
        object_id=str(erased),
        client_id=erased,
    )
    assert trail_page(client, dpo, erased).status_code == 200
    assert trail_page(client, dpo, uuid.uuid4()).status_code == 404
    assert trail_page(client, personas.manager, erased).status_code == 404


def test_reading_a_trail_is_audited_and_htmx_gets_the_events_only(client, personas, dpo):
    person = personas.client_of(personas.you)
    client.force_login(dpo)
    response = client.get(reverse("audit:record_trail", args=[person.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    event = AuditEvent.objects.get(actor=dpo, action=AuditAction.VIEW)
    assert (event.client_id, event.detail["what"]) == (person.pk, "record trail")


def test_the_dpo_can_follow_a_client_from_a_staff_page(client, personas, dpo):
    person = personas.client_of(personas.you)
    client_viewed(actor=personas.you, client_id=person.pk, obj=person, what="client page")
    link = reverse("audit:record_trail", args=[person.pk])
    assert link in page(client, dpo, personas.you).content.decode()
    assert link not in page(client, personas.manager, personas.you).content.decode()
