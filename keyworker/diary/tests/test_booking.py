"""Booking an appointment with a client from their page: it lands in the diary and on My week; bad input
changes nothing; a client out of reach does not exist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import Personas
from keyworker.diary.models import Appointment, AppointmentKind

pytestmark = pytest.mark.django_db


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": AppointmentKind.OFFICE,
        "on": timezone.localdate().isoformat(),
        "starts": "15:00",
        "ends": "16:00",
        "location": "Brixton office",
    }
    data.update(overrides)
    return data


def test_book_an_appointment_for_today_and_see_it_on_my_week(client, personas: Personas):
    person = personas.client_of(personas.you, first_name="Booky", last_name="Fictional")
    client.force_login(personas.you)
    url = reverse("diary:appointment_new", kwargs={"client_id": person.pk})

    page = client.get(url)
    assert page.status_code == 200
    assert "Book an appointment" in page.content.decode()
    assert AuditEvent.objects.filter(actor=personas.you, client_id=person.pk, action=AuditAction.VIEW).exists()

    response = client.post(url, _form())
    assert response.status_code == 302 and response["Location"] == reverse("people:client_detail", args=[person.pk])
    appointment = Appointment.objects.get(client=person)
    assert appointment.staff == personas.you and appointment.kind == AppointmentKind.OFFICE
    assert timezone.localtime(appointment.starts_at).date() == timezone.localdate()
    assert timezone.localtime(appointment.starts_at).time() == dt.time(15, 0)
    assert appointment.location == "Brixton office"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(appointment.pk)).exists()

    assert "Brixton office" in client.get(reverse("diary:my_week")).content.decode()
    detail = client.get(reverse("people:client_detail", args=[person.pk])).content.decode()
    assert url in detail  # the client page links to the booking page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": ""}, "Choose the kind of appointment."),
        ({"on": "31/02/2026"}, "Enter a real date"),
        ({"starts": ""}, "Enter the start time."),
        ({"ends": "14:00"}, "The end time must be after the start time."),
        ({"kind": "teleport"}, "Select a valid choice"),
    ],
)
def test_bad_input_says_what_is_wrong_and_books_nothing(client, personas: Personas, overrides, message):
    person = personas.client_of(personas.you)
    client.force_login(personas.you)
    response = client.post(reverse("diary:appointment_new", args=[person.pk]), _form(**overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Appointment.objects.filter(client=person).exists()


def test_a_client_out_of_reach_is_not_found(client, personas: Personas):
    person = personas.client_of(personas.you)
    client.force_login(personas.other_caseworker)
    url = reverse("diary:appointment_new", args=[person.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form()).status_code == 404
    assert not Appointment.objects.exists()


def test_a_teammate_can_book_for_a_team_client_in_their_own_diary(client, personas: Personas):
    person = personas.client_of(personas.you)
    client.force_login(personas.teammate)
    response = client.post(reverse("diary:appointment_new", args=[person.pk]), _form(kind=AppointmentKind.HOME_VISIT))
    assert response.status_code == 302
    assert Appointment.objects.get(client=person).staff == personas.teammate
