"""Appointment services: bookings linked to prisons, releases and hearings; Thursday's group booking (all or
nothing, naming no one out of reach); statuses with outcome notes on the timeline; rescheduling; and two
people recording at once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Contact, ContactKind
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.testing import (
    AppointmentFactory,
    CustodyEpisodeFactory,
    EstablishmentFactory,
    HearingFactory,
    Personas,
    VenueFactory,
)
from keyworker.custody.models import Establishment, EstablishmentKind
from keyworker.diary.models import Appointment, AppointmentKind, AppointmentStatus
from keyworker.diary.services import appointments as services
from keyworker.diary.services.appointments import VisitSlot

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


# ------------------------------------------------------------------------------------------ one booking


def test_a_gate_meet_for_a_release_is_at_its_prison_unless_told_otherwise(personas: Personas):
    person = personas.client_of(personas.you)
    prison = EstablishmentFactory(name="HMP Gateside")
    episode = CustodyEpisodeFactory(client=person, establishment=prison, release_on=_tomorrow())
    appointment = services.appointment_book(
        actor=personas.you,
        client=person,
        kind=AppointmentKind.GATE,
        starts_at=_at(_tomorrow(), 7, 30),
        ends_at=_at(_tomorrow(), 9),
        custody_episode=episode,
    )
    assert appointment.establishment == prison and appointment.location == "HMP Gateside"
    assert appointment.custody_episode == episode
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(appointment.pk))
    assert event.client_id == person.pk

    elsewhere = services.appointment_book(
        actor=personas.you,
        client=person,
        kind=AppointmentKind.GATE,
        starts_at=_at(_tomorrow(), 7, 30),
        ends_at=_at(_tomorrow(), 9),
        custody_episode=episode,
        location="The café opposite the gate",
    )
    assert elsewhere.location == "The café opposite the gate" and elsewhere.establishment == prison


def test_attending_a_hearing_is_at_its_court(personas: Personas):
    person = personas.client_of(personas.you)
    court = EstablishmentFactory(kind=EstablishmentKind.CROWN_COURT, name="Testbury Crown Court")
    hearing = HearingFactory(client=person, court=court)
    appointment = services.appointment_book(
        actor=personas.you,
        client=person,
        kind=AppointmentKind.COURT,
        starts_at=hearing.starts_at,
        ends_at=hearing.starts_at + dt.timedelta(hours=3),
        hearing=hearing,
    )
    assert appointment.hearing == hearing and appointment.establishment == court
    assert appointment.location == "Testbury Crown Court"


@pytest.mark.parametrize("whose", ["another client of mine", "another team's client"])
def test_a_release_or_hearing_of_someone_else_is_refused_and_nothing_is_booked(personas: Personas, whose: str):
    person = personas.client_of(personas.you)
    other = personas.client_of(personas.you if whose == "another client of mine" else personas.other_caseworker)
    episode = CustodyEpisodeFactory(client=other)
    hearing = HearingFactory(client=other)
    when = {"starts_at": _at(_tomorrow(), 8), "ends_at": _at(_tomorrow(), 9)}
    with pytest.raises(ValidationFailed) as gate:
        services.appointment_book(
            actor=personas.you, client=person, kind=AppointmentKind.GATE, custody_episode=episode, **when
        )
    assert gate.value.field_errors == {"custody_episode": ["Choose a release of this client."]}
    with pytest.raises(ValidationFailed) as court:
        services.appointment_book(
            actor=personas.you, client=person, kind=AppointmentKind.COURT, hearing=hearing, **when
        )
    assert court.value.field_errors == {"hearing": ["Choose a hearing of this client."]}
    assert not Appointment.objects.exists()


def test_a_release_link_needs_a_gate_meet_and_a_hearing_link_a_court_appointment(personas: Personas):
    person = personas.client_of(personas.you)
    when = {"starts_at": _at(_tomorrow(), 8), "ends_at": _at(_tomorrow(), 9)}
    with pytest.raises(ValidationFailed, match="meet at the gate"):
        services.appointment_book(
            actor=personas.you,
            client=person,
            kind=AppointmentKind.OFFICE,
            custody_episode=CustodyEpisodeFactory(client=person),
            **when,
        )
    with pytest.raises(ValidationFailed, match="court appointment"):
        services.appointment_book(
            actor=personas.you, client=person, kind=AppointmentKind.PHONE, hearing=HearingFactory(client=person), **when
        )
    assert not Appointment.objects.exists()


def test_a_client_out_of_reach_cannot_be_booked(personas: Personas):
    theirs = personas.client_of(personas.other_caseworker)
    with pytest.raises(NotAllowed):
        services.appointment_book(
            actor=personas.you,
            client=theirs,
            kind=AppointmentKind.OFFICE,
            starts_at=_at(_tomorrow(), 8),
            ends_at=_at(_tomorrow(), 9),
        )
    assert not Appointment.objects.exists()


# ------------------------------------------------------------------------------------- the group booking


def _visit_day(personas: Personas, *, slots: list[VisitSlot], establishment: Establishment | None = None):
    return services.appointment_book_group(
        actor=personas.you,
        establishment=establishment or EstablishmentFactory(name="HMP Wandsworth Test"),
        on=_tomorrow(),
        kind=AppointmentKind.PRISON_VISIT_LEGAL,
        slots=slots,
    )


def test_thursday_several_clients_at_one_prison_each_with_their_own_slot(personas: Personas):
    mine = personas.client_of(personas.you, first_name="Abe")
    teams = personas.client_of(personas.teammate, first_name="Bo")
    third = personas.client_of(personas.you, first_name="Cy")
    prison = EstablishmentFactory(name="HMP Wandsworth Test")
    booked = _visit_day(
        personas,
        establishment=prison,
        slots=[
            VisitSlot(client_id=mine.pk, starts=dt.time(9, 30), minutes=60),
            VisitSlot(client_id=str(teams.pk), starts=dt.time(10, 30), minutes=45),
            VisitSlot(client_id=third.pk, starts=dt.time(14, 0), minutes=90),
        ],
    )
    assert [a.client for a in booked] == [mine, teams, third]
    assert len({a.group for a in booked}) == 1 and booked[0].group is not None
    assert [(timezone.localtime(a.starts_at).time(), a.ends_at - a.starts_at) for a in booked] == [
        (dt.time(9, 30), dt.timedelta(minutes=60)),
        (dt.time(10, 30), dt.timedelta(minutes=45)),
        (dt.time(14, 0), dt.timedelta(minutes=90)),
    ]
    assert {(a.establishment, a.location, a.staff, a.kind) for a in booked} == {
        (prison, "HMP Wandsworth Test", personas.you, AppointmentKind.PRISON_VISIT_LEGAL)
    }
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, object_id__in=[str(a.pk) for a in booked])
    assert sorted(str(e.client_id) for e in events) == sorted(str(c.pk) for c in (mine, teams, third))


def test_one_client_out_of_reach_books_nothing_and_names_no_one_unseen(personas: Personas):
    mine = personas.client_of(personas.you, first_name="Visible", last_name="Person")
    hidden = personas.client_of(personas.other_caseworker, first_name="Hidden", last_name="Southerner")
    with pytest.raises(ValidationFailed) as refused:
        _visit_day(
            personas,
            slots=[
                VisitSlot(client_id=mine.pk, starts=dt.time(9), minutes=60),
                VisitSlot(client_id=hidden.pk, starts=dt.time(11), minutes=60),
            ],
        )
    assert refused.value.field_errors == {"slots.1.client": ["Choose a client you work with."]}
    said = refused.value.message + repr(refused.value.field_errors)
    assert "Hidden" not in said and "Southerner" not in said and str(hidden.pk) not in said
    assert "Nothing was booked" in refused.value.message
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


@pytest.mark.parametrize(
    ("second", "field", "says"),
    [
        ({"starts": dt.time(9, 30), "minutes": 60}, "slots.1.starts", "Bea Second's visit overlaps Al First's"),
        ({"starts": dt.time(11), "minutes": 0}, "slots.1.minutes", "A visit lasts between"),
        ({"starts": dt.time(11), "minutes": 600}, "slots.1.minutes", "A visit lasts between"),
        ({"starts": dt.time(11), "minutes": 60, "same_client": True}, "slots.1.client", "is already on this visit"),
        ({"starts": dt.time(11), "minutes": 60, "client_id": "not-an-id"}, "slots.1.client", "Choose a client"),
        ({"starts": dt.time(11), "minutes": 60, "client_id": uuid.uuid4()}, "slots.1.client", "Choose a client"),
    ],
)
def test_one_bad_slot_books_nothing(personas: Personas, second: dict, field: str, says: str):
    first = personas.client_of(personas.you, first_name="Al", last_name="First")
    other = personas.client_of(personas.you, first_name="Bea", last_name="Second")
    client_id = first.pk if second.pop("same_client", False) else second.pop("client_id", other.pk)
    with pytest.raises(ValidationFailed) as refused:
        _visit_day(
            personas,
            slots=[
                VisitSlot(client_id=first.pk, starts=dt.time(9), minutes=60),
                VisitSlot(client_id=client_id, **second),
            ],
        )
    assert says in " ".join(refused.value.field_errors[field])
    assert not Appointment.objects.exists()


def test_back_to_back_visits_are_fine(personas: Personas):
    first, second = personas.client_of(personas.you), personas.client_of(personas.you)
    booked = _visit_day(
        personas,
        slots=[
            VisitSlot(client_id=first.pk, starts=dt.time(9), minutes=60),
            VisitSlot(client_id=second.pk, starts=dt.time(10), minutes=60),
        ],
    )
    assert len(booked) == 2


def test_a_group_booking_is_at_a_prison_and_is_a_prison_visit(personas: Personas):
    person = personas.client_of(personas.you)
    slots = [VisitSlot(client_id=person.pk, starts=dt.time(9), minutes=60)]
    court = EstablishmentFactory(kind=EstablishmentKind.MAGISTRATES_COURT, name="Test Magistrates")
    with pytest.raises(ValidationFailed, match="prison"):
        _visit_day(personas, establishment=court, slots=slots)
    with pytest.raises(ValidationFailed, match="social or a professional"):
        services.appointment_book_group(
            actor=personas.you,
            establishment=EstablishmentFactory(),
            on=_tomorrow(),
            kind=AppointmentKind.OFFICE,
            slots=slots,
        )
    with pytest.raises(ValidationFailed, match="at least one client"):
        _visit_day(personas, slots=[])
    assert not Appointment.objects.exists()


def test_a_role_without_casework_cannot_book_a_visit_day(personas: Personas):
    with pytest.raises(NotAllowed):
        services.appointment_book_group(
            actor=personas.report_viewer,
            establishment=EstablishmentFactory(),
            on=_tomorrow(),
            kind=AppointmentKind.PRISON_VISIT_SOCIAL,
            slots=[VisitSlot(client_id=personas.client_of(personas.you).pk, starts=dt.time(9), minutes=30)],
        )


# ------------------------------------------------------------------------------------ status and outcome


def _past_appointment(personas: Personas, **kwargs: object) -> Appointment:
    starts = timezone.now() - dt.timedelta(hours=2)
    fields: dict[str, object] = {
        "staff": personas.you,
        "client": personas.client_of(personas.you),
        "kind": AppointmentKind.PRISON_VISIT_LEGAL,
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=1),
        "location": "HMP Wandsworth",
    }
    fields.update(kwargs)
    return AppointmentFactory(**fields)


def test_an_outcome_note_goes_on_the_clients_timeline_as_a_contact(personas: Personas):
    appointment = _past_appointment(personas)
    services.appointment_status_record(
        actor=personas.you,
        appointment=appointment,
        expected_version=appointment.version,
        status=AppointmentStatus.ATTENDED,
        outcome_note="  Worked on self-esteem and identity. Outcome reading taken.  ",
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED and appointment.version == 2
    contact = appointment.outcome_contact
    assert contact is not None
    assert contact.client == appointment.client and contact.case == appointment.client.cases.get()
    assert contact.kind == ContactKind.PRISON_VISIT
    assert contact.occurred_at == appointment.starts_at and contact.location == "HMP Wandsworth"
    assert contact.note == "Worked on self-esteem and identity. Outcome reading taken."
    assert contact.recorded_by == personas.you
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(appointment.pk))
    assert update.client_id == appointment.client_id
    assert update.detail == {"status": "attended", "outcome_contact": str(contact.pk)}
    assert "self-esteem" not in repr(update.detail)  # ids and names of fields, never what was written


def test_a_status_without_a_note_writes_no_contact(personas: Personas):
    appointment = _past_appointment(personas, kind=AppointmentKind.HOME_VISIT)
    services.appointment_status_record(
        actor=personas.teammate, appointment=appointment, expected_version=1, status=AppointmentStatus.DID_NOT_ATTEND
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.DID_NOT_ATTEND and appointment.outcome_contact is None
    assert not Contact.objects.exists()


def test_a_cancellation_can_be_noted_before_the_day(personas: Personas):
    starts = timezone.now() + dt.timedelta(days=3)
    appointment = _past_appointment(personas, kind=AppointmentKind.OFFICE, starts_at=starts, ends_at=starts)
    services.appointment_status_record(
        actor=personas.you,
        appointment=appointment,
        expected_version=1,
        status=AppointmentStatus.CANCELLED,
        outcome_note="He has a job interview that day.",
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.outcome_contact is not None
    assert appointment.outcome_contact.occurred_at <= timezone.now()  # a contact is never in the future


def test_attendance_cannot_be_recorded_before_the_appointment(personas: Personas):
    starts = timezone.now() + dt.timedelta(days=1)
    appointment = _past_appointment(personas, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="once the appointment has started"):
        services.appointment_status_record(
            actor=personas.you, appointment=appointment, expected_version=1, status=AppointmentStatus.ATTENDED
        )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED and appointment.version == 1


@pytest.mark.parametrize("finished", ["attended", "late", "dna", "cancelled", "rescheduled"])
def test_a_finished_appointment_cannot_change_status_again(personas: Personas, finished: str):
    appointment = _past_appointment(personas, status=finished)
    with pytest.raises(ValidationFailed, match="cannot change"):
        services.appointment_status_record(
            actor=personas.you,
            appointment=appointment,
            expected_version=appointment.version,
            status=AppointmentStatus.ATTENDED,
            outcome_note="A second go.",
        )
    with pytest.raises(ValidationFailed, match="cannot be rescheduled"):
        services.appointment_reschedule(
            actor=personas.you,
            appointment=appointment,
            expected_version=appointment.version,
            starts_at=_at(_tomorrow(), 9),
            ends_at=_at(_tomorrow(), 10),
        )
    appointment.refresh_from_db()
    assert appointment.status == finished and appointment.version == 1
    assert not Contact.objects.exists() and Appointment.objects.count() == 1


@pytest.mark.parametrize("status", ["booked", "rescheduled", "teleported"])
def test_only_recordable_statuses_are_taken(personas: Personas, status: str):
    appointment = _past_appointment(personas)
    with pytest.raises(ValidationFailed, match="Choose attended"):
        services.appointment_status_record(
            actor=personas.you, appointment=appointment, expected_version=1, status=status
        )


def test_two_people_recording_at_once_cannot_overwrite_each_other(personas: Personas):
    appointment = _past_appointment(personas)
    # Both read version 1; the teammate records first.
    mine = Appointment.objects.get(pk=appointment.pk)
    theirs = Appointment.objects.get(pk=appointment.pk)
    services.appointment_status_record(
        actor=personas.teammate,
        appointment=theirs,
        expected_version=1,
        status=AppointmentStatus.LATE,
        outcome_note="Arrived 20 minutes late; short session.",
    )
    with pytest.raises(ConcurrentEdit):
        services.appointment_status_record(
            actor=personas.you,
            appointment=mine,
            expected_version=1,
            status=AppointmentStatus.DID_NOT_ATTEND,
            outcome_note="He was not there.",
        )
    stored = Appointment.objects.get(pk=appointment.pk)
    assert stored.status == AppointmentStatus.LATE and stored.version == 2
    assert stored.outcome_contact is not None and stored.outcome_contact.recorded_by == personas.teammate
    # The refused note left no contact behind, and the caller's copy still says what it read.
    assert list(Contact.objects.values_list("note", flat=True)) == ["Arrived 20 minutes late; short session."]
    assert mine.status == AppointmentStatus.BOOKED and mine.outcome_contact_id is None and mine.version == 1


def test_a_note_on_an_appointment_with_no_client_stays_with_it(personas: Personas):
    appointment = _past_appointment(personas, client=None, kind=AppointmentKind.OFFICE, notes="Supervision")
    services.appointment_status_record(
        actor=personas.you,
        appointment=appointment,
        expected_version=1,
        status=AppointmentStatus.ATTENDED,
        outcome_note="Talked about caseload.",
    )
    appointment.refresh_from_db()
    assert appointment.notes == "Supervision\n\nTalked about caseload." and appointment.outcome_contact is None
    assert not Contact.objects.exists()


def test_only_its_owner_records_on_an_appointment_with_no_client(personas: Personas):
    appointment = _past_appointment(personas, client=None)
    with pytest.raises(NotAllowed):
        services.appointment_status_record(
            actor=personas.teammate, appointment=appointment, expected_version=1, status=AppointmentStatus.ATTENDED
        )


def test_a_blank_note_writes_no_contact(personas: Personas):
    appointment = _past_appointment(personas)
    services.appointment_status_record(
        actor=personas.you, appointment=appointment, expected_version=1, status="attended", outcome_note="  \n "
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED and appointment.outcome_contact is None
    assert not Contact.objects.exists()


# ------------------------------------------------------------------------------------------- rescheduling


def test_rescheduling_books_the_new_one_and_links_the_old(personas: Personas):
    person = personas.client_of(personas.you)
    prison = EstablishmentFactory()
    episode = CustodyEpisodeFactory(client=person, establishment=prison)
    old = AppointmentFactory(
        staff=personas.you,
        client=person,
        kind=AppointmentKind.GATE,
        starts_at=_at(_tomorrow(), 8),
        ends_at=_at(_tomorrow(), 9),
        establishment=prison,
        custody_episode=episode,
        location="Main gate",
        notes="Bring the travel warrant.",
    )
    later = _tomorrow() + dt.timedelta(days=2)
    new = services.appointment_reschedule(
        actor=personas.teammate,
        appointment=old,
        expected_version=1,
        starts_at=_at(later, 7),
        ends_at=_at(later, 8),
    )
    old.refresh_from_db()
    assert old.status == AppointmentStatus.RESCHEDULED and old.rescheduled_to == new and old.version == 2
    assert (new.client, new.kind, new.staff, new.establishment, new.custody_episode, new.location, new.notes) == (
        person, AppointmentKind.GATE, personas.you, prison, episode, "Main gate", "Bring the travel warrant.",
    )
    assert new.status == AppointmentStatus.BOOKED and new.starts_at == _at(later, 7)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(new.pk), client_id=person.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(old.pk), client_id=person.pk).exists()


def test_a_visit_moved_to_another_day_leaves_its_group(personas: Personas):
    a, b = personas.client_of(personas.you), personas.client_of(personas.you)
    first, second = _visit_day(
        personas,
        slots=[
            VisitSlot(client_id=a.pk, starts=dt.time(9), minutes=60),
            VisitSlot(client_id=b.pk, starts=dt.time(10), minutes=60),
        ],
    )
    same_day = services.appointment_reschedule(
        actor=personas.you, appointment=first, expected_version=1,
        starts_at=_at(_tomorrow(), 15), ends_at=_at(_tomorrow(), 16),
    )
    assert same_day.group == second.group
    other_day = services.appointment_reschedule(
        actor=personas.you, appointment=second, expected_version=1,
        starts_at=_at(_tomorrow() + dt.timedelta(days=7), 9), ends_at=_at(_tomorrow() + dt.timedelta(days=7), 10),
    )
    assert other_day.group is None


def test_a_rescheduled_appointment_keeps_its_venue_and_the_reason_given_for_going_there(personas: Personas):
    """Same place, another time: the venue (what the safety check reads) and the reason the worker gave for
    going ahead despite an area warning go with it."""
    person = personas.client_of(personas.you)
    hall = VenueFactory(postcode="SE15 4AB", borough="Southwark")
    old = AppointmentFactory(
        staff=personas.you,
        client=person,
        starts_at=_at(_tomorrow(), 10),
        ends_at=_at(_tomorrow(), 11),
        venue=hall,
        safety_override_reason="Only room free; driven there and back.",
    )
    later = _tomorrow() + dt.timedelta(days=1)
    new = services.appointment_reschedule(
        actor=personas.you, appointment=old, expected_version=1, starts_at=_at(later, 10), ends_at=_at(later, 11)
    )
    assert (new.venue, new.safety_override_reason) == (hall, "Only room free; driven there and back.")


def test_a_stale_reschedule_books_nothing(personas: Personas):
    old = _past_appointment(personas)
    services.appointment_status_record(
        actor=personas.teammate, appointment=Appointment.objects.get(pk=old.pk), expected_version=1,
        status=AppointmentStatus.CANCELLED,
    )
    old.status = AppointmentStatus.BOOKED  # as the first person read it
    with pytest.raises(ConcurrentEdit):
        services.appointment_reschedule(
            actor=personas.you, appointment=old, expected_version=1,
            starts_at=_at(_tomorrow(), 9), ends_at=_at(_tomorrow(), 10),
        )
    assert Appointment.objects.count() == 1
    assert Appointment.objects.get().status == AppointmentStatus.CANCELLED


def test_rescheduling_needs_an_end_after_the_start(personas: Personas):
    old = _past_appointment(personas)
    with pytest.raises(ValidationFailed, match="end after it starts"):
        services.appointment_reschedule(
            actor=personas.you, appointment=old, expected_version=1,
            starts_at=_at(_tomorrow(), 10), ends_at=_at(_tomorrow(), 9),
        )
    assert Appointment.objects.count() == 1
