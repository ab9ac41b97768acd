"""The contact log through the API: recording, listing newest first, corrections, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditEvent
from keyworker.casework.models import Contact, ContactAmendment
from keyworker.core.testing import ContactFactory

API = "/api/v1"


def _aware(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value} has no time zone"
    return parsed


def test_a_recorded_contact_appears_in_the_log(client, world, personas):
    client.force_login(personas.you)
    occurred = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    response = client.post(
        f"{API}/clients/{world.mine.pk}/contacts",
        {
            "kind": "home_visit", "note": "  Visited at home; mum there.  ", "occurred_at": occurred.isoformat(),
            "duration_minutes": 45, "location": "Home", "pathways": ["accommodation", "family"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["note"] == "Visited at home; mum there."
    assert created["kind"] == "home_visit"
    assert created["kind_label"] == "Home visit"
    assert created["version"] == 1
    assert created["case"]["reference"] == world.mine.cases.get().reference
    assert created["recorded_by"] == {"id": str(personas.you.pk), "display_name": "Jo Caseworker"}
    assert _aware(created["occurred_at"]) == occurred
    assert created["amendments"] == []

    listed = client.get(f"{API}/clients/{world.mine.pk}/contacts").json()
    assert listed["count"] == 2
    assert [c["id"] for c in listed["items"]] == [created["id"], str(world.my_contact.pk)]  # newest first


def test_contact_log_is_newest_first_and_paged(client, world, personas):
    now = timezone.now()
    for days in (5, 3, 9, 2):
        ContactFactory(client=world.mine, recorded_by=personas.you, occurred_at=now - dt.timedelta(days=days))
    client.force_login(personas.you)
    first = client.get(f"{API}/clients/{world.mine.pk}/contacts?page_size=2").json()
    second = client.get(f"{API}/clients/{world.mine.pk}/contacts?page_size=2&page=2").json()
    third = client.get(f"{API}/clients/{world.mine.pk}/contacts?page_size=2&page=3").json()
    assert first["count"] == second["count"] == third["count"] == 5
    when = [_aware(c["occurred_at"]) for page in (first, second, third) for c in page["items"]]
    assert when == sorted(when, reverse=True)
    assert len(when) == 5


def test_only_the_clients_own_contacts_are_listed(client, world, personas):
    client.force_login(personas.manager)
    ContactFactory(client=world.teammates, recorded_by=personas.teammate)
    items = client.get(f"{API}/clients/{world.mine.pk}/contacts").json()["items"]
    assert [c["id"] for c in items] == [str(world.my_contact.pk)]
    assert all(c["client_id"] == str(world.mine.pk) for c in items)


def test_a_contact_defaults_to_now(client, world, personas):
    client.force_login(personas.you)
    before = timezone.now()
    response = client.post(
        f"{API}/clients/{world.mine.pk}/contacts", {"kind": "text", "note": "Texted."},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert before - dt.timedelta(seconds=1) <= _aware(response.json()["occurred_at"]) <= timezone.now()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "phone", "note": "   "}, "note", "Enter what happened."),
        (
            {"kind": "phone", "note": "Rang.", "occurred_at": "2999-01-01T10:00:00+00:00"},
            "occurred_at", "A contact cannot be in the future.",
        ),
        ({"kind": "carrier_pigeon", "note": "Sent a bird."}, "kind", "Choose the kind of contact."),
        ({"kind": "phone", "note": "Rang.", "duration_minutes": -5}, "duration_minutes",
         "Duration must be between 0 and 1,440 minutes."),
        ({"kind": "phone", "note": "Rang.", "pathways": ["gangs"]}, "pathways", "Choose pathways from the list."),
    ],
)
def test_bad_contacts_get_a_clear_message_and_change_nothing(client, world, personas, body, field, message):
    client.force_login(personas.you)
    before = (Contact.objects.count(), AuditEvent.objects.count())
    response = client.post(f"{API}/clients/{world.mine.pk}/contacts", body, content_type="application/json")
    assert response.status_code == 422
    payload = response.json()
    assert payload["detail"] == "There is a problem with this contact."
    assert payload["errors"][field] == [message]
    assert (Contact.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "phone"}, "note"),
        ({"note": "Rang."}, "kind"),
        ({"kind": "phone", "note": "Rang.", "occurred_at": "2024-05-01T10:00:00"}, "occurred_at"),  # no zone
        ({"kind": "phone", "note": "Rang.", "occurred_at": "yesterday"}, "occurred_at"),
        ({"kind": "phone", "note": "Rang.", "occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
        ({"kind": "phone", "note": "Rang.", "duration_minutes": "long"}, "duration_minutes"),
        ({"kind": "phone", "note": "Rang.", "location": "x" * 201}, "location"),
        ({"kind": "phone", "note": "Rang.", "colour": "blue"}, "colour"),
    ],
)
def test_malformed_contacts_say_which_field_and_change_nothing(client, world, personas, body, field):
    client.force_login(personas.you)
    before = Contact.objects.count()
    response = client.post(f"{API}/clients/{world.mine.pk}/contacts", body, content_type="application/json")
    assert response.status_code == 422
    payload = response.json()
    assert field in payload["errors"], payload
    assert payload["detail"].startswith(f"{field}: ")
    assert Contact.objects.count() == before


def test_a_nul_character_is_refused(client, world, personas):
    client.force_login(personas.you)
    response = client.post(
        f"{API}/clients/{world.mine.pk}/contacts", {"kind": "phone", "note": "Rang\x00."},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "note contains a character that is not allowed."
    assert Contact.objects.count() == 2


def test_a_body_that_is_not_json_is_refused(client, world, personas):
    client.force_login(personas.you)
    response = client.post(f"{API}/clients/{world.mine.pk}/contacts", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert Contact.objects.count() == 2


def test_an_amendment_is_shown_beneath_the_original(client, world, personas):
    client.force_login(personas.teammate)
    response = client.post(
        f"{API}/contacts/{world.my_contact.pk}/amendments",
        {"text": "It was a home visit, not a call.", "reason": "Wrong kind recorded."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    amendment = response.json()
    assert amendment["recorded_by"]["id"] == str(personas.teammate.pk)
    assert amendment["version"] == 1

    client.force_login(personas.you)
    listed = client.get(f"{API}/clients/{world.mine.pk}/contacts").json()["items"]
    assert listed[0]["note"] == world.my_contact.note  # the original stays
    assert listed[0]["amendments"] == [amendment]


@pytest.mark.parametrize(
    ("body", "field"), [({"text": " ", "reason": "Typo."}, "text"), ({"text": "Fixed.", "reason": ""}, "reason")]
)
def test_an_empty_amendment_is_refused(client, world, personas, body, field):
    client.force_login(personas.you)
    response = client.post(
        f"{API}/contacts/{world.my_contact.pk}/amendments", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert ContactAmendment.objects.count() == 0
