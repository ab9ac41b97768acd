"""Safety-aware booking in the diary: an appointment at a venue (or prison or court) in an area unsafe for
the client, or a prison visit day with someone they must be kept apart from, warns and is not booked
without a reason; with one it is booked and the reason kept. The warning never identifies someone the
worker cannot see. Services, pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import SafetyCheckFailed
from keyworker.core.testing import (
    AppointmentFactory,
    EstablishmentFactory,
    Personas,
    UserFactory,
    VenueFactory,
    signed_in,
)
from keyworker.diary.models import Appointment, AppointmentKind, AppointmentStatus
from keyworker.diary.services.appointments import VisitSlot, appointment_book, appointment_book_group
from keyworker.safeguarding.models import AreaKind, BreakGlassGrant
from keyworker.safeguarding.services import keep_apart_record, unsafe_area_add

pytestmark = pytest.mark.django_db

API = "/api/v1"
DAY = dt.date(2030, 3, 7)
HIDDEN = "Someone booked on this session must be kept apart from {}. Speak to your manager."


def _at(hour: int, day: dt.date = DAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def dan(personas: Personas):
    """Your client, who must not be sent to SE15."""
    client = personas.client_of(personas.you, first_name="Dan", last_name="Okafor")
    unsafe_area_add(
        actor=personas.you,
        client=client,
        kind=AreaKind.POSTCODE_DISTRICT,
        area="SE15",
        reason="Threatened near the estate",
        source="The client",
    )
    return client


@pytest.fixture
def peckham():
    return VenueFactory(name="Peckham Learning Centre", postcode="SE15 5AB", borough="Southwark")


def _book(personas, client, venue=None, **extra):
    return appointment_book(
        actor=personas.you,
        client=client,
        kind=AppointmentKind.OFFICE,
        starts_at=_at(10),
        ends_at=_at(11),
        venue=venue,
        **extra,
    )


def _appointment_creations():
    return AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="diary.appointment")


# ---------------------------------------------------------------------------------------- unsafe areas


def test_a_venue_in_an_unsafe_area_warns_and_books_nothing_without_a_reason(personas: Personas, dan, peckham):
    with pytest.raises(SafetyCheckFailed) as refused:
        _book(personas, dan, peckham)
    assert refused.value.warnings == ["Dan Okafor should not be sent to SE15 (Threatened near the estate)."]
    assert "safety_override_reason" in refused.value.field_errors
    assert not Appointment.objects.exists()
    assert not _appointment_creations().exists()


def test_with_a_reason_it_is_booked_the_reason_kept_and_the_override_audited(personas: Personas, dan, peckham):
    appointment = _book(personas, dan, peckham, safety_override_reason="  Only course place this term; escorted. ")
    assert appointment.safety_override_reason == "Only course place this term; escorted."
    assert appointment.venue == peckham and appointment.location == "Peckham Learning Centre"
    event = _appointment_creations().get()
    assert event.detail == {"safety_override": True, "safety_warnings": 1}


def test_a_safe_venue_books_and_a_needless_reason_is_not_kept(personas: Personas, dan):
    elsewhere = VenueFactory(name="Camberwell Hub", postcode="SE5 8AA", borough="Southwark")
    appointment = _book(personas, dan, elsewhere, safety_override_reason="Just in case")
    assert appointment.safety_override_reason == ""
    assert _appointment_creations().get().detail == {}


def test_a_prison_or_court_in_an_unsafe_area_warns_too(personas: Personas, dan):
    court = EstablishmentFactory(kind="crown_court", name="Inner London Crown Court", postcode="se15 1aa")
    with pytest.raises(SafetyCheckFailed):
        appointment_book(
            actor=personas.you,
            client=dan,
            kind=AppointmentKind.COURT,
            starts_at=_at(10),
            ends_at=_at(12),
            establishment=court,
        )
    assert not Appointment.objects.exists()


def test_an_unsafe_borough_matches_the_venue_borough(personas: Personas):
    ella = personas.client_of(personas.you, first_name="Ella", last_name="Mensah")
    unsafe_area_add(
        actor=personas.you,
        client=ella,
        kind=AreaKind.BOROUGH,
        area="southwark",
        reason="Police advice",
        source="Police",
    )
    with pytest.raises(SafetyCheckFailed) as refused:
        _book(personas, ella, VenueFactory(name="Walworth Centre", postcode="SE17 1AA", borough="Southwark "))
    assert refused.value.warnings == ["Ella Mensah should not be sent to southwark (Police advice)."]


# ------------------------------------------------------------------------------------- keep apart, group


def test_a_visit_day_with_two_of_your_clients_kept_apart_names_them_to_you(personas: Personas):
    prison = EstablishmentFactory(name="HMP Brixton", postcode="SW2 5XF")
    ann = personas.client_of(personas.you, first_name="Ann", last_name="Visited")
    ben = personas.client_of(personas.teammate, first_name="Ben", last_name="Visited")
    keep_apart_record(actor=personas.you, client=ann, other=ben, reason="Fight on the wing", source="HMP Brixton")
    slots = [VisitSlot(client_id=ann.pk, starts=dt.time(9), minutes=60), VisitSlot(ben.pk, dt.time(11), 60)]
    with pytest.raises(SafetyCheckFailed) as refused:
        appointment_book_group(actor=personas.you, establishment=prison, on=DAY, kind="prison_legal", slots=slots)
    # The pair is told once, not once from each side.
    assert refused.value.warnings == ["Ann Visited must be kept apart from Ben Visited (Fight on the wing)."]
    assert not Appointment.objects.exists()

    booked = appointment_book_group(
        actor=personas.you,
        establishment=prison,
        on=DAY,
        kind="prison_legal",
        slots=slots,
        safety_override_reason="Different wings; the prison will escort them separately.",
    )
    assert len(booked) == 2
    assert {a.safety_override_reason for a in booked} == {"Different wings; the prison will escort them separately."}


def _other_teams_visit(personas: Personas, prison, dan, day=DAY, status=AppointmentStatus.BOOKED):
    """Another team's client, kept apart from Dan, already booked to visit the prison."""
    tyrese = personas.client_of(personas.other_caseworker, first_name="Tyrese", last_name="Quartey")
    keep_apart_record(
        actor=_both_seer(personas, dan, tyrese),
        client=dan,
        other=tyrese,
        reason="Tyrese Quartey stabbed his cousin",
        source="Met Police",
    )
    AppointmentFactory(
        staff=personas.other_caseworker,
        client=tyrese,
        kind=AppointmentKind.PRISON_VISIT_SOCIAL,
        establishment=prison,
        starts_at=_at(14, day),
        ends_at=_at(15, day),
        status=status,
    )
    return tyrese


def _both_seer(personas: Personas, *clients):
    """Someone who can see both people (an on-call worker with break-glass grants), as recording needs."""
    on_call = UserFactory(email="oncall-both@keyworker.test", role=Role.ON_CALL, team=None)
    now = timezone.now()
    for client in clients:
        BreakGlassGrant.objects.create(
            user=on_call, client=client, reason="Crisis call", granted_at=now, expires_at=now + dt.timedelta(hours=4)
        )
    return on_call


def _leaks(text: str, other) -> list[str]:
    words = ["Tyrese", "Quartey", "stabbed", "cousin", "Met Police", other.cases.get().reference, str(other.pk)]
    return [word for word in words if word in text]


def test_someone_you_cannot_see_on_the_same_visit_day_warns_without_identifying_them(personas: Personas, dan):
    prison = EstablishmentFactory(name="HMP Brixton", postcode="SW2 5XF")
    tyrese = _other_teams_visit(personas, prison, dan)
    with pytest.raises(SafetyCheckFailed) as refused:
        appointment_book_group(
            actor=personas.you,
            establishment=prison,
            on=DAY,
            kind="prison_social",
            slots=[VisitSlot(client_id=dan.pk, starts=dt.time(10), minutes=60)],
        )
    assert refused.value.warnings == [HIDDEN.format("Dan Okafor")]
    assert _leaks(refused.value.message + " ".join(refused.value.warnings), tyrese) == []
    assert Appointment.objects.filter(client=dan).count() == 0


def test_a_cancelled_visit_or_another_day_does_not_warn(personas: Personas, dan):
    prison = EstablishmentFactory(name="HMP Brixton", postcode="SW2 5XF")
    _other_teams_visit(personas, prison, dan, status=AppointmentStatus.CANCELLED)
    slot = [VisitSlot(client_id=dan.pk, starts=dt.time(10), minutes=60)]
    assert appointment_book_group(actor=personas.you, establishment=prison, on=DAY, kind="prison_social", slots=slot)
    other_day = DAY + dt.timedelta(days=1)
    assert appointment_book_group(
        actor=personas.you, establishment=prison, on=other_day, kind="prison_social", slots=slot
    )


# -------------------------------------------------------------------------------------------- the pages


def test_booking_page_warns_reveals_the_reason_box_and_books_with_a_reason(personas: Personas, dan, peckham):
    url = reverse("diary:appointment_new", args=[dan.pk])
    http = signed_in(personas.you)
    blank = http.get(url).text
    assert "Peckham Learning Centre" in blank and 'name="safety_override_reason"' not in blank
    form = {"kind": "office", "on": DAY.isoformat(), "starts": "10:00", "ends": "11:00", "venue": str(peckham.pk)}
    warned = http.post(url, form)
    assert warned.status_code == 422
    assert "govuk-warning-text" in warned.text and "govuk-error-summary" in warned.text
    assert "Dan Okafor should not be sent to SE15 (Threatened near the estate)." in warned.text
    assert 'name="safety_override_reason"' in warned.text and "Reason to go ahead" in warned.text
    assert not Appointment.objects.exists()
    booked = http.post(url, {**form, "safety_override_reason": "Escorted by staff there and back."})
    assert booked.status_code == 302
    assert Appointment.objects.get().safety_override_reason == "Escorted by staff there and back."


def test_a_venue_and_a_prison_together_are_refused(personas: Personas, dan, peckham):
    prison = EstablishmentFactory()
    response = signed_in(personas.you).post(
        reverse("diary:appointment_new", args=[dan.pk]),
        {
            "kind": "office",
            "on": DAY.isoformat(),
            "starts": "10:00",
            "ends": "11:00",
            "venue": str(peckham.pk),
            "establishment": str(prison.pk),
        },
    )
    assert response.status_code == 422 and "not both" in response.text
    assert not Appointment.objects.exists()


def test_prison_visits_page_warning_leaks_nothing_and_a_reason_books(personas: Personas, dan):
    prison = EstablishmentFactory(name="HMP Brixton", postcode="SW2 5XF")
    tyrese = _other_teams_visit(personas, prison, dan)
    form = {
        "establishment": str(prison.pk),
        "on": DAY.isoformat(),
        "kind": "prison_social",
        "row-0-client": str(dan.pk),
        "row-0-starts": "10:00",
        "row-0-minutes": "60",
    }
    http = signed_in(personas.you)
    warned = http.post(reverse("diary:prison_visits_new"), form)
    assert warned.status_code == 422
    assert HIDDEN.format("Dan Okafor") in warned.text
    assert _leaks(warned.text, tyrese) == []
    assert not Appointment.objects.filter(client=dan).exists()
    booked = http.post(reverse("diary:prison_visits_new"), {**form, "safety_override_reason": "Manager agreed."})
    assert booked.status_code == 302
    assert Appointment.objects.get(client=dan).safety_override_reason == "Manager agreed."


# ---------------------------------------------------------------------------------------------- the API


def test_api_refuses_with_the_warnings_and_accepts_a_reason(personas: Personas, dan, peckham):
    http = signed_in(personas.you)
    body = {
        "kind": "office",
        "starts_at": _at(10).isoformat(),
        "ends_at": _at(11).isoformat(),
        "client_id": str(dan.pk),
        "venue_id": str(peckham.pk),
    }
    refused = http.post(f"{API}/appointments", body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["warnings"] == ["Dan Okafor should not be sent to SE15 (Threatened near the estate)."]
    assert "safety_override_reason" in refused.json()["errors"]
    assert not Appointment.objects.exists()
    booked = http.post(
        f"{API}/appointments", {**body, "safety_override_reason": "Escorted."}, content_type="application/json"
    )
    assert booked.status_code == 201
    assert Appointment.objects.get().safety_override_reason == "Escorted."


def test_api_group_refusal_leaks_nothing(personas: Personas, dan):
    prison = EstablishmentFactory(name="HMP Brixton", postcode="SW2 5XF")
    tyrese = _other_teams_visit(personas, prison, dan)
    body = {
        "establishment_id": str(prison.pk),
        "on": DAY.isoformat(),
        "kind": "prison_social",
        "slots": [{"client_id": str(dan.pk), "starts": "10:00", "minutes": 60}],
    }
    http = signed_in(personas.you)
    refused = http.post(f"{API}/appointments/group", body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["warnings"] == [HIDDEN.format("Dan Okafor")]
    assert _leaks(refused.content.decode(), tyrese) == []
    booked = http.post(
        f"{API}/appointments/group",
        {**body, "safety_override_reason": "Agreed with HMP."},
        content_type="application/json",
    )
    assert booked.status_code == 201
