"""Ethnicity on the client record: asked with care, shown on the client page, changed by page and API, and
a bad value refused with a clear message and nothing changed."""

from __future__ import annotations

import json

import pytest
from django.db.models import F
from django.urls import reverse

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import Personas, signed_in
from keyworker.people.forms import ETHNICITY_HINT
from keyworker.people.models import Client, EthnicGroup, Ethnicity, ethnic_group

pytestmark = pytest.mark.django_db

STAFF_WHO_MAY = ("you", "teammate", "manager")
STAFF_WHO_MAY_NOT = ("other_caseworker", "other_manager", "report_viewer", "data_protection_officer")


def _snapshot(client: Client) -> dict[str, object]:
    client.refresh_from_db()
    return {"ethnicity": client.ethnicity, "gender": client.gender, "version": client.version}


def _form(client: Client, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else "",
        "gender": client.gender,
        "gender_description": client.gender_description,
        "pronouns": client.pronouns,
        "ethnicity": client.ethnicity,
        "home_area": client.home_area,
        "version": client.version,
    }
    data.update(changes)
    return data


def test_every_category_belongs_to_one_of_the_five_groups_and_not_said_to_none():
    for value in Ethnicity.values:
        group = ethnic_group(value)
        assert (group is None) == (value == Ethnicity.NOT_SAID), value
        assert group is None or group in EthnicGroup.values
    assert ethnic_group("") is None


def test_the_client_page_shows_ethnicity_or_not_asked(personas: Personas):
    asked = personas.client_of(personas.you, ethnicity=Ethnicity.BLACK_CARIBBEAN)
    not_asked = personas.client_of(personas.you, ethnicity="")
    http = signed_in(personas.you)
    html = http.get(reverse("people:client_detail", args=[asked.pk])).content.decode()
    assert "Black, Black British, Caribbean or African: Caribbean" in html
    assert reverse("people:client_about", args=[asked.pk]) in html
    html = http.get(reverse("people:client_detail", args=[not_asked.pk])).content.decode()
    assert "Not asked" in html


def test_the_form_asks_with_the_hint_and_offers_every_category(personas: Personas):
    person = personas.client_of(personas.you)
    response = signed_in(personas.you).get(reverse("people:client_about", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "As they describe themselves. Ask only when it is right to" in ETHNICITY_HINT
    assert "Ask only when it is right to" in html
    for value, _label in Ethnicity.choices:
        assert f'value="{value}"' in html
    assert AuditEvent.objects.filter(actor=personas.you, client_id=person.pk, action=AuditAction.VIEW).exists()


@pytest.mark.parametrize("who", STAFF_WHO_MAY)
def test_staff_who_hold_the_case_may_record_ethnicity(personas: Personas, who: str):
    person = personas.client_of(personas.you, ethnicity="")
    response = signed_in(getattr(personas, who)).post(
        reverse("people:client_about", args=[person.pk]), _form(person, ethnicity=Ethnicity.WHITE_ROMA)
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.ethnicity == Ethnicity.WHITE_ROMA
    event = AuditEvent.objects.filter(client_id=person.pk, action=AuditAction.UPDATE).latest("sequence")
    assert event.detail["fields"] == ["ethnicity"]  # only what changed, and never the value itself
    assert "white_roma" not in json.dumps(event.detail)


@pytest.mark.parametrize("who", STAFF_WHO_MAY_NOT)
def test_staff_who_cannot_see_the_client_get_not_found_and_nothing_changes(personas: Personas, who: str):
    person = personas.client_of(personas.you, ethnicity=Ethnicity.ASIAN_INDIAN)
    before = _snapshot(person)
    http = signed_in(getattr(personas, who))
    url = reverse("people:client_about", args=[person.pk])
    assert http.get(url).status_code == 404
    assert http.post(url, _form(person, ethnicity=Ethnicity.OTHER_ARAB)).status_code == 404
    response = http.patch(
        f"/api/v1/clients/{person.pk}",
        json.dumps({"version": before["version"], "ethnicity": Ethnicity.OTHER_ARAB}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert _snapshot(person) == before


def test_a_made_up_category_on_the_form_is_refused_and_nothing_changes(personas: Personas):
    person = personas.client_of(personas.you, ethnicity=Ethnicity.ASIAN_CHINESE)
    before = _snapshot(person)
    response = signed_in(personas.you).post(
        reverse("people:client_about", args=[person.pk]), _form(person, ethnicity="martian", first_name="Changed")
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert _snapshot(person) == before
    assert person.first_name != "Changed"


def test_a_stale_form_is_refused_and_nothing_changes(personas: Personas):
    person = personas.client_of(personas.you, ethnicity="")
    stale = _form(person, ethnicity=Ethnicity.MIXED_OTHER)
    Client.objects.filter(pk=person.pk).update(pronouns="he/him", version=F("version") + 1)  # someone saved first
    before = _snapshot(person)
    response = signed_in(personas.you).post(reverse("people:client_about", args=[person.pk]), stale)
    assert response.status_code == 409
    assert _snapshot(person) == before


def test_the_api_shows_and_changes_ethnicity(personas: Personas):
    person = personas.client_of(personas.you, ethnicity="")
    http = signed_in(personas.teammate)
    url = f"/api/v1/clients/{person.pk}"
    body = http.get(url).json()
    assert body["ethnicity"] == ""
    response = http.patch(
        url,
        json.dumps({"version": body["version"], "ethnicity": Ethnicity.BLACK_AFRICAN}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["ethnicity"] == "black_african"
    assert response.json()["version"] == body["version"] + 1
    person.refresh_from_db()
    assert person.ethnicity == Ethnicity.BLACK_AFRICAN
    # and clearing it (they asked for it to be taken off) is allowed
    response = http.patch(
        url, json.dumps({"version": person.version, "ethnicity": ""}), content_type="application/json"
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.ethnicity == ""


@pytest.mark.parametrize(
    "body",
    [
        {"ethnicity": "martian"},
        {"ethnicity": "Black"},  # the group alone is not a category
        {"ethnicity": "white_irish", "first_name": ""},  # one bad field spoils the whole change
        {"ethnicity": "white_irish", "favourite_colour": "blue"},
    ],
)
def test_the_api_refuses_a_bad_change_clearly_and_changes_nothing(personas: Personas, body: dict[str, object]):
    person = personas.client_of(personas.you, ethnicity=Ethnicity.ASIAN_PAKISTANI, first_name="Imran")
    before = _snapshot(person)
    response = signed_in(personas.you).patch(
        f"/api/v1/clients/{person.pk}",
        json.dumps({"version": before["version"], **body}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"]
    if body.get("ethnicity") != "white_irish":
        assert "ethnicity" in response.json()["errors"]
    assert _snapshot(person) == before
    assert person.first_name == "Imran"


def test_the_api_refuses_a_stale_version(personas: Personas):
    person = personas.client_of(personas.you)
    before = _snapshot(person)
    response = signed_in(personas.you).patch(
        f"/api/v1/clients/{person.pk}",
        json.dumps({"version": person.version + 5, "ethnicity": Ethnicity.WHITE_IRISH}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert _snapshot(person) == before
