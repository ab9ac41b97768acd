"""Appointment pages: an appointment's page (status and outcome note, with and without htmx; rescheduling),
booking a gate meet or a hearing from the custody pages' links, and Thursday's prison-visit day; each by
persona, with bad input changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Contact
from keyworker.core.testing import (
    AppointmentFactory,
    CustodyEpisodeFactory,
    EstablishmentFactory,
    HearingFactory,
    Personas,
)
from keyworker.custody.models import EstablishmentKind
from keyworker.diary.models import Appointment, AppointmentKind, AppointmentStatus

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _earlier_today(personas: Personas, **kwargs: object) -> Appointment:
    starts = timezone.now() - dt.timedelta(hours=2)
    fields: dict[str, object] = {
        "staff": personas.you,
        "client": personas.client_of(personas.you, first_name="Marker", last_name="Appointee"),
        "kind": AppointmentKind.HOME_VISIT,
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=1),
        "location": "Flat 2, Test Road",
    }
    fields.update(kwargs)
    return AppointmentFactory(**fields)


# ------------------------------------------------------------------------------------ the appointment page


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("you", True),
        ("teammate", True),
        ("manager", True),
        ("other_caseworker", False),
        ("other_manager", False),
        ("report_viewer", False),
    ],
)
def test_the_appointment_page_by_persona(client, personas: Personas, who: str, sees: bool):
    appointment = _earlier_today(personas)
    viewer = getattr(personas, who)
    client.force_login(viewer)
    url = reverse("diary:appointment_detail", args=[appointment.pk])
    response = client.get(url)
    assert response.status_code == (200 if sees else 404)
    html = response.content.decode()
    assert ("Marker Appointee" in html) == sees and ("Flat 2, Test Road" in html) == sees
    viewed = AuditEvent.objects.filter(actor=viewer, action=AuditAction.VIEW, client_id=appointment.client_id)
    assert viewed.exists() == sees
    for action, body in (("appointment_status", {"status": "attended", "version": "1"}),
                         ("appointment_reschedule", {"on": "2030-01-01", "starts": "10:00", "ends": "11:00",
                                                     "version": "1"})):
        if not sees:
            assert client.post(reverse(f"diary:{action}", args=[appointment.pk]), body).status_code == 404
    appointment.refresh_from_db()
    if not sees:
        assert appointment.status == AppointmentStatus.BOOKED and appointment.version == 1


def test_the_appointment_pages_need_sign_in(client, personas: Personas):
    appointment = _earlier_today(personas)
    for name, method in (("appointment_detail", "get"), ("appointment_status", "post"),
                         ("appointment_reschedule", "post")):
        response = getattr(client, method)(reverse(f"diary:{name}", args=[appointment.pk]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.get(reverse("diary:prison_visits_new")).status_code == 302


def test_your_own_appointment_with_no_client_is_yours_alone(client, personas: Personas):
    appointment = _earlier_today(personas, client=None, notes="Supervision")
    url = reverse("diary:appointment_detail", args=[appointment.pk])
    client.force_login(personas.you)
    assert "Supervision" in client.get(url).content.decode()
    client.force_login(personas.manager)
    assert client.get(url).status_code == 404


def test_recording_attended_with_a_note_puts_it_on_the_timeline(client, personas: Personas):
    appointment = _earlier_today(personas)
    client.force_login(personas.you)
    response = client.post(
        reverse("diary:appointment_status", args=[appointment.pk]),
        {"status": "attended", "outcome_note": "Talked about the course starting Monday.", "version": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("diary:appointment_detail", args=[appointment.pk])
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED and appointment.outcome_contact is not None
    page = client.get(response["Location"]).content.decode()
    assert "Attended" in page and "Recorded: attended." in page
    assert 'name="status"' not in page  # a finished appointment offers no status form
    timeline = client.get(reverse("people:client_detail", args=[appointment.client_id])).content.decode()
    assert "Talked about the course starting Monday." in timeline


def test_recording_with_htmx_returns_the_status_part(client, personas: Personas):
    appointment = _earlier_today(personas)
    client.force_login(personas.you)
    url = reverse("diary:appointment_status", args=[appointment.pk])
    response = client.post(url, {"status": "dna", "outcome_note": "", "version": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Recorded." in html and "Did not attend" in html
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.DID_NOT_ATTEND

    again = client.post(url, {"status": "attended", "version": "2"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200  # htmx swaps only 2xx: the fragment carries the refusal
    assert "cannot change" in again.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.DID_NOT_ATTEND


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "", "version": "1"}, "Choose what happened."),
        ({"status": "rescheduled", "version": "1"}, "Choose what happened."),
        ({"status": "attended", "version": "x"}, "Enter a whole number"),
    ],
)
def test_bad_status_input_says_what_is_wrong_and_changes_nothing(client, personas: Personas, body, message):
    appointment = _earlier_today(personas)
    client.force_login(personas.you)
    response = client.post(reverse("diary:appointment_status", args=[appointment.pk]), body)
    assert response.status_code == 422
    assert message in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED and appointment.version == 1
    assert not Contact.objects.exists()


def test_two_people_recording_at_once_the_second_sees_the_first_and_keeps_their_note(client, personas: Personas):
    appointment = _earlier_today(personas)
    url = reverse("diary:appointment_status", args=[appointment.pk])
    client.force_login(personas.teammate)
    assert client.post(url, {"status": "late", "outcome_note": "Came at 11.", "version": "1"}).status_code == 302
    client.force_login(personas.you)
    response = client.post(url, {"status": "dna", "outcome_note": "No answer at the door.", "version": "1"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this record" in html
    assert "Late" in html  # what the teammate recorded
    assert "No answer at the door." in html  # and what this person typed, given back
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.LATE
    assert list(Contact.objects.values_list("note", flat=True)) == ["Came at 11."]


def test_rescheduling_from_the_page(client, personas: Personas):
    appointment = _earlier_today(personas)
    client.force_login(personas.you)
    later = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        reverse("diary:appointment_reschedule", args=[appointment.pk]),
        {"on": later.isoformat(), "starts": "10:00", "ends": "11:30", "location": "Brixton office", "version": "1"},
    )
    appointment.refresh_from_db()
    new = appointment.rescheduled_to
    assert new is not None and response.status_code == 302
    assert response["Location"] == reverse("diary:appointment_detail", args=[new.pk])
    assert (new.starts_at, new.ends_at, new.location) == (_at(later, 10), _at(later, 11, 30), "Brixton office")
    page = client.get(response["Location"]).content.decode()
    assert "This replaces the appointment" in page
    old_page = client.get(reverse("diary:appointment_detail", args=[appointment.pk])).content.decode()
    assert "Rescheduled" in old_page and reverse("diary:appointment_detail", args=[new.pk]) in old_page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"on": "2030-02-30", "starts": "10:00", "ends": "11:00"}, "Enter a real date"),
        ({"on": "2030-02-03", "starts": "10:00", "ends": "09:00"}, "The end time must be after the start time."),
        ({"on": "2030-02-03", "starts": "", "ends": "11:00"}, "Enter the start time."),
    ],
)
def test_bad_reschedule_input_changes_nothing(client, personas: Personas, body, message):
    appointment = _earlier_today(personas)
    client.force_login(personas.you)
    response = client.post(reverse("diary:appointment_reschedule", args=[appointment.pk]), {**body, "version": "1"})
    assert response.status_code == 422 and message in response.content.decode()
    assert Appointment.objects.count() == 1
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


# ------------------------------------------------------------------- booking a gate meet or a hearing date


def test_book_the_gate_meet_from_a_release(client, personas: Personas):
    person = personas.client_of(personas.you)
    prison = EstablishmentFactory(name="HMP Pentonville Test")
    release_day = timezone.localdate() + dt.timedelta(days=6)
    episode = CustodyEpisodeFactory(client=person, establishment=prison, release_on=release_day)
    client.force_login(personas.you)
    url = reverse("diary:appointment_new", args=[person.pk])
    page = client.get(url, {"kind": "gate", "episode": str(episode.pk)}).content.decode()
    assert "Meeting" in page and "HMP Pentonville Test" in page
    assert f'value="{release_day.isoformat()}"' in page and f'value="{episode.pk}"' in page
    assert f'<option value="{prison.pk}" selected' in page

    response = client.post(url, {"kind": "gate", "on": release_day.isoformat(), "starts": "07:30", "ends": "09:00",
                                 "establishment": str(prison.pk), "location": "", "episode": str(episode.pk)})
    assert response.status_code == 302
    booked = Appointment.objects.get(client=person)
    assert (booked.kind, booked.custody_episode, booked.establishment, booked.location) == (
        AppointmentKind.GATE, episode, prison, "HMP Pentonville Test",
    )


def test_book_attendance_at_a_hearing(client, personas: Personas):
    person = personas.client_of(personas.you)
    court = EstablishmentFactory(kind=EstablishmentKind.CROWN_COURT, name="Inner Test Crown Court")
    hearing = HearingFactory(client=person, court=court, starts_at=_at(timezone.localdate() + dt.timedelta(days=4), 10))
    client.force_login(personas.you)
    url = reverse("diary:appointment_new", args=[person.pk])
    page = client.get(url, {"hearing": str(hearing.pk)}).content.decode()
    assert "Attending the hearing" in page and 'value="10:00"' in page and 'value="13:00"' in page
    day = timezone.localtime(hearing.starts_at).date().isoformat()
    response = client.post(url, {"kind": "court", "on": day, "starts": "09:30", "ends": "13:00",
                                 "establishment": str(court.pk), "hearing": str(hearing.pk)})
    assert response.status_code == 302
    booked = Appointment.objects.get(client=person)
    assert booked.hearing == hearing and booked.establishment == court


def test_another_clients_release_is_not_found_and_books_nothing(client, personas: Personas):
    person = personas.client_of(personas.you)
    theirs = CustodyEpisodeFactory(client=personas.client_of(personas.other_caseworker))
    also_mine = CustodyEpisodeFactory(client=personas.client_of(personas.you))
    client.force_login(personas.you)
    url = reverse("diary:appointment_new", args=[person.pk])
    assert client.get(url, {"kind": "gate", "episode": str(theirs.pk)}).status_code == 404
    assert client.get(url, {"kind": "gate", "episode": str(also_mine.pk)}).status_code == 404
    assert client.get(url, {"hearing": "not-an-id"}).status_code == 404
    body = {"kind": "gate", "on": "2030-01-02", "starts": "08:00", "ends": "09:00", "episode": str(theirs.pk)}
    response = client.post(url, body)
    assert response.status_code == 422 and "not one of this client" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_booking_form_offers_prisons_and_courts(client, personas: Personas):
    person = personas.client_of(personas.you)
    prison = EstablishmentFactory(name="HMP Listed")
    court = EstablishmentFactory(kind=EstablishmentKind.MAGISTRATES_COURT, name="Listed Magistrates")
    EstablishmentFactory(name="HMP Closed Down", is_active=False)
    client.force_login(personas.you)
    page = client.get(reverse("diary:appointment_new", args=[person.pk])).content.decode()
    assert "HMP Listed (prison)" in page and "Listed Magistrates (magistrates&#39; court)" in page
    assert "HMP Closed Down" not in page
    response = client.post(reverse("diary:appointment_new", args=[person.pk]), {
        "kind": "prison_social", "on": "2030-01-02", "starts": "14:00", "ends": "15:00",
        "establishment": str(prison.pk),
    })
    assert response.status_code == 302
    assert Appointment.objects.get().establishment == prison
    bad = client.post(reverse("diary:appointment_new", args=[person.pk]), {
        "kind": "office", "on": "2030-01-02", "starts": "14:00", "ends": "15:00", "establishment": "nowhere",
    })
    assert bad.status_code == 422 and "Select a valid choice" in bad.content.decode()
    assert Appointment.objects.count() == 1
    del court


# ------------------------------------------------------------------------------------ prison visit day


def _visit_form(prison, on: dt.date, rows: list[tuple[object, str, str]], kind: str = "prison_legal") -> dict:
    data = {"establishment": str(prison.pk), "on": on.isoformat(), "kind": kind}
    for i, (client_id, starts, minutes) in enumerate(rows):
        data.update({f"row-{i}-client": str(client_id), f"row-{i}-starts": starts, f"row-{i}-minutes": minutes})
    return data


@pytest.mark.parametrize(
    ("who", "status"),
    [("you", 200), ("manager", 200), ("other_caseworker", 200), ("report_viewer", 404)],
)
def test_the_prison_visit_page_by_persona(client, personas: Personas, who: str, status: int):
    person = personas.client_of(personas.you, first_name="Listed", last_name="Mine")
    client.force_login(getattr(personas, who))
    response = client.get(reverse("diary:prison_visits_new"))
    assert response.status_code == status
    # Only the clients the viewer can book for are offered.
    assert ("Listed Mine" in response.content.decode()) == (who in ("you", "manager"))
    del person


def test_thursday_book_three_clients_at_one_prison(client, personas: Personas):
    prison = EstablishmentFactory(name="HMP Thursday")
    people = [personas.client_of(personas.you, first_name=name, last_name="Visited") for name in ("Ann", "Ben", "Cat")]
    thursday = timezone.localdate() + dt.timedelta(days=(3 - timezone.localdate().weekday()) % 7 or 7)
    client.force_login(personas.you)
    response = client.post(
        reverse("diary:prison_visits_new"),
        _visit_form(prison, thursday, [(people[0].pk, "09:30", "60"), (people[1].pk, "10:45", "45"),
                                       (people[2].pk, "14:00", "60")]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    booked = list(Appointment.objects.order_by("starts_at"))
    assert [a.client for a in booked] == people and len({a.group for a in booked}) == 1
    week = client.get(reverse("diary:my_week"), {"week": thursday.isoformat()}).content.decode()
    assert "(3 clients)" in week and all(p.display_name in week for p in people)
    detail = client.get(response["Location"]).content.decode()
    assert "Booked together" in detail and "Ben Visited" in detail and "Cat Visited" in detail


def test_a_visit_day_with_one_bad_row_books_nothing_and_says_which(client, personas: Personas):
    prison = EstablishmentFactory()
    first = personas.client_of(personas.you, first_name="Al", last_name="First")
    second = personas.client_of(personas.you, first_name="Bea", last_name="Second")
    client.force_login(personas.you)
    response = client.post(
        reverse("diary:prison_visits_new"),
        _visit_form(prison, timezone.localdate(), [(first.pk, "09:00", "60"), (second.pk, "09:30", "60")]),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Bea Second&#39;s visit overlaps Al First&#39;s" in html
    assert not Appointment.objects.exists()


def test_a_client_out_of_reach_in_a_visit_day_is_refused_without_a_name(client, personas: Personas):
    prison = EstablishmentFactory()
    mine = personas.client_of(personas.you)
    hidden = personas.client_of(personas.other_caseworker, first_name="Secret", last_name="Southerner")
    client.force_login(personas.you)
    response = client.post(
        reverse("diary:prison_visits_new"),
        _visit_form(prison, timezone.localdate(), [(mine.pk, "09:00", "60"), (hidden.pk, "11:00", "60")]),
    )
    html = response.content.decode()
    assert response.status_code == 422 and "Select a valid choice" in html
    assert "Secret" not in html and "Southerner" not in html
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "Add at least one client and their visit time."),
        ([("{mine}", "", "60")], "Enter the start time."),
        ([("{mine}", "09:00", "")], "Enter the length in minutes."),
        ([("{mine}", "09:00", "2")], "A visit lasts at least 5 minutes."),
        ([("", "09:00", "60")], "Choose the client."),
    ],
)
def test_bad_visit_rows_say_what_is_wrong(client, personas: Personas, rows, message):
    prison = EstablishmentFactory()
    mine = personas.client_of(personas.you)
    client.force_login(personas.you)
    filled = [(c.format(mine=mine.pk), s, m) for c, s, m in rows]
    response = client.post(reverse("diary:prison_visits_new"), _visit_form(prison, timezone.localdate(), filled))
    assert response.status_code == 422 and message in response.content.decode()
    assert not Appointment.objects.exists()


def test_appointment_routes_follow_the_client_record_matrix():
    """Every role x record state of docs/access-policy.md's client-record row, for the pages addressed by an
    appointment: allowed cells answer and are audited, denied cells are 404 and show nothing, a denied POST
    changes nothing; anonymous callers are sent to sign in."""
    from django.test import Client as HttpClient

    from keyworker.core.tests.test_authorisation_matrix import (
        _assert_cell,
        _build_world,
        _views_of,
        allowed_states,
    )

    world = _build_world()
    starts = timezone.now() - dt.timedelta(hours=1)
    appointments = {
        state: AppointmentFactory(staff=world.personas.you, client=bundle.client, starts_at=starts,
                                  ends_at=starts + dt.timedelta(minutes=30), notes=f"About {bundle.marker}")
        for state, bundle in world.bundles.items()
    }
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states("client-record", role)
        for state, bundle in world.bundles.items():
            appointment = appointments[state]
            before = _views_of(viewer, bundle)
            response = http.get(reverse("diary:appointment_detail", args=[appointment.pk]))
            _assert_cell(response, state in allowed, bundle.marker, f"GET appointment {role} {state}")
            assert (_views_of(viewer, bundle) > before) == (state in allowed), (role, state)
            if state not in allowed:
                status = http.post(reverse("diary:appointment_status", args=[appointment.pk]),
                                   {"status": "cancelled", "version": "1"})
                moved = http.post(reverse("diary:appointment_reschedule", args=[appointment.pk]),
                                  {"on": "2030-01-08", "starts": "10:00", "ends": "11:00", "version": "1"})
                assert status.status_code == moved.status_code == 404, (role, state)
    untouched = Appointment.objects.filter(pk__in=[a.pk for a in appointments.values()])
    assert set(untouched.values_list("status", flat=True)) == {AppointmentStatus.BOOKED}
    http.logout()
    response = http.get(reverse("diary:appointment_detail", args=[appointments["own"].pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
