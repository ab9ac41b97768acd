"""Caseload and adding a contact through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import CaseStatus, Contact
from keyworker.core.testing import CaseFactory, Personas

pytestmark = pytest.mark.django_db


def test_caseload_lists_team_cases_and_filters_to_mine(client, personas: Personas):
    personas.client_of(personas.you, first_name="Mine", last_name="Person")
    personas.client_of(personas.teammate, first_name="Teams", last_name="Person")
    personas.client_of(personas.other_caseworker, first_name="Other", last_name="Person")
    client.force_login(personas.you)
    html = client.get(reverse("casework:caseload")).content.decode()
    assert "Mine Person" in html and "Teams Person" in html
    assert "Other Person" not in html
    html = client.get(reverse("casework:caseload"), {"whose": "me", "status": "open"}).content.decode()
    assert "Mine Person" in html and "Teams Person" not in html


def test_caseload_status_filter_and_sort(client, personas: Personas):
    a = personas.client_of(personas.you, first_name="Aaron", last_name="Alpha")
    personas.client_of(personas.you, first_name="Zed", last_name="Zulu")
    CaseFactory(
        client=a,
        keyworker=personas.you,
        status=CaseStatus.CLOSED,
        closed_on=timezone.localdate(),
        closure_reason="goals_met",
        opened_on=timezone.localdate() - dt.timedelta(days=400),
    )
    client.force_login(personas.you)
    html = client.get(reverse("casework:caseload"), {"sort": "-name"}).content.decode()
    assert html.index("Zed Zulu") < html.index("Aaron Alpha")
    closed = client.get(reverse("casework:caseload"), {"status": "closed"}).content.decode()
    assert "Aaron Alpha" in closed and "Zed Zulu" not in closed


def test_caseload_is_not_for_roles_without_casework(client, personas: Personas):
    client.force_login(personas.report_viewer)
    assert client.get(reverse("casework:caseload")).status_code == 404


def test_add_contact_then_see_it_on_the_timeline(client, personas: Personas):
    person = personas.client_of(personas.you)
    client.force_login(personas.you)
    response = client.post(
        reverse("casework:contact_add", args=[person.pk]),
        {"kind": "phone", "note": "Rang to confirm Thursday.", "pathways": ["accommodation"]},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(client=person)
    assert contact.recorded_by == personas.you
    assert contact.pathways == ["accommodation"]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(contact.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Rang to confirm Thursday." in page
    assert "Contact recorded." in page


def test_add_contact_with_htmx_returns_the_fragment(client, personas: Personas):
    person = personas.client_of(personas.you)
    client.force_login(personas.teammate)
    response = client.post(
        reverse("casework:contact_add", args=[person.pk]),
        {"kind": "text", "note": "Texted the code word."},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Texted the code word." in html and "Contact recorded." in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "phone", "note": "  "}, "Enter what happened."),
        ({"kind": "", "note": "x"}, "Choose the kind of contact."),
        ({"kind": "carrier_pigeon", "note": "x"}, "Select a valid choice"),
        ({"kind": "phone", "note": "x", "duration_minutes": "-5"}, "Minutes cannot be negative."),
        ({"kind": "phone", "note": "x", "occurred_on": "2999-01-01"}, "A contact cannot be in the future."),
        ({"kind": "phone", "note": "x", "occurred_on": "31/02/2026"}, "Enter a real date"),
    ],
)
def test_bad_contact_gets_a_clear_message_and_changes_nothing(client, personas: Personas, data, message):
    person = personas.client_of(personas.you)
    client.force_login(personas.you)
    writes_before = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    response = client.post(reverse("casework:contact_add", args=[person.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Contact.objects.filter(client=person).exists()
    # Showing the form again is a view of the client (audited); nothing was written.
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == writes_before


@pytest.mark.parametrize("viewer", ["other_caseworker", "other_manager", "report_viewer"])
def test_cannot_add_contact_out_of_reach(client, personas: Personas, viewer: str):
    person = personas.client_of(personas.you)
    client.force_login(getattr(personas, viewer))
    response = client.post(reverse("casework:contact_add", args=[person.pk]), {"kind": "phone", "note": "x"})
    assert response.status_code == 404
    assert not Contact.objects.exists()
