"""Bad input on the key HTML forms: a NUL character (PostgreSQL cannot store one) or text far beyond a field's
length gets the form back with a message (422), never a server error, and nothing is saved. The API side is
fuzzed in keyworker/api/tests/test_schemathesis.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Contact
from keyworker.core.testing import AppointmentFactory, Personas
from keyworker.diary.models import Appointment

pytestmark = pytest.mark.django_db

NUL = "Rang him\x00 back"
LONG = "x" * 100_000


def _writes() -> int:
    return AuditEvent.objects.exclude(action=AuditAction.VIEW).count()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "phone", "note": NUL},
        {"kind": "phone\x00", "note": "Rang him back."},
        {"kind": "phone", "note": "Rang him back.", "occurred_on": "2026-01-01\x00"},
        {"kind": "phone", "note": "Rang him back.", "duration_minutes": "9" * 40},
        {"kind": "phone", "note": "Rang him back.", "occurred_on": "99999-01-01"},
    ],
    ids=["nul-note", "nul-kind", "nul-date", "huge-minutes", "huge-year"],
)
def test_contact_add_refuses_nul_and_absurd_values(client, personas: Personas, data):
    person = personas.client_of(personas.you)
    client.force_login(personas.you)
    writes = _writes()
    response = client.post(reverse("casework:contact_add", args=[person.pk]), data)
    assert response.status_code == 422
    assert "There is a problem" in response.content.decode()
    assert not Contact.objects.filter(client=person).exists()
    assert _writes() == writes


def test_contact_add_takes_a_long_note_or_says_why_not(client, personas: Personas):
    """A note has no length limit in the database; a very long one is either kept whole or refused clearly."""
    person = personas.client_of(personas.you)
    client.force_login(personas.you)
    response = client.post(reverse("casework:contact_add", args=[person.pk]), {"kind": "phone", "note": LONG})
    assert response.status_code in {302, 422}
    if response.status_code == 302:
        assert Contact.objects.get(client=person).note == LONG
    else:
        assert not Contact.objects.filter(client=person).exists()


@pytest.mark.parametrize(
    "field_values",
    [
        {"location": "Brixton\x00 office"},
        {"location": LONG},
        {"starts": "10:00\x00"},
        {"on": "99999-02-03"},
    ],
    ids=["nul-location", "long-location", "nul-time", "huge-year"],
)
def test_appointment_reschedule_refuses_nul_and_over_long_text(client, personas: Personas, field_values):
    starts = timezone.now() + dt.timedelta(days=1)
    appointment = AppointmentFactory(
        staff=personas.you,
        client=personas.client_of(personas.you),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    client.force_login(personas.you)
    later = timezone.localdate() + dt.timedelta(days=3)
    body = {"on": later.isoformat(), "starts": "10:00", "ends": "11:00", "location": "Office", "version": "1"}
    writes = _writes()
    response = client.post(reverse("diary:appointment_reschedule", args=[appointment.pk]), {**body, **field_values})
    assert response.status_code == 422
    assert "There is a problem" in response.content.decode()
    assert Appointment.objects.count() == 1
    appointment.refresh_from_db()
    assert appointment.version == 1
    assert _writes() == writes


@pytest.mark.parametrize(
    "field_values",
    [{"location": "Office\x00"}, {"location": LONG}, {"on": "0000-01-01"}],
    ids=["nul-location", "long-location", "year-zero"],
)
def test_booking_an_appointment_refuses_nul_and_over_long_text(client, personas: Personas, field_values):
    person = personas.client_of(personas.you)
    client.force_login(personas.you)
    on = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    body = {"kind": "office", "on": on, "starts": "10:00", "ends": "11:00", "location": "Office"}
    writes = _writes()
    response = client.post(reverse("diary:appointment_new", args=[person.pk]), {**body, **field_values})
    assert response.status_code == 422
    assert not Appointment.objects.filter(client=person).exists()
    assert _writes() == writes
