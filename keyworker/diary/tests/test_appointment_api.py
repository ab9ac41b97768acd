"""Appointments through the API: listing by dates and pages, booking (one, or a prison visit day), reading one,
recording a status with a version, rescheduling; every operation across the authorisation matrix."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client as HttpClient
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
from keyworker.core.tests.test_authorisation_matrix import _assert_cell, _build_world, _views_of, allowed_states
from keyworker.custody.models import EstablishmentKind
from keyworker.diary.models import Appointment, AppointmentStatus

API = "/api/v1"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _post(http: HttpClient, path: str, body: dict) -> object:
    return http.post(f"{API}{path}", body, content_type="application/json")


@pytest.fixture
def http(personas: Personas) -> HttpClient:
    client = HttpClient()
    client.force_login(personas.you)
    return client


def test_list_in_reach_by_dates_and_pages(http, personas: Personas):
    mine = personas.client_of(personas.you)
    theirs = personas.client_of(personas.other_caseworker)
    monday = dt.date(2030, 3, 4)
    made = [
        AppointmentFactory(staff=personas.you, client=mine, starts_at=_at(monday + dt.timedelta(days=i), 10),
                           ends_at=_at(monday + dt.timedelta(days=i), 11))
        for i in range(5)
    ]
    AppointmentFactory(staff=personas.other_caseworker, client=theirs, starts_at=_at(monday, 9),
                       ends_at=_at(monday, 10))
    everything = http.get(f"{API}/appointments").json()
    assert [a["id"] for a in everything["items"]] == [str(a.pk) for a in made] and everything["count"] == 5

    window = http.get(f"{API}/appointments", {"from": "2030-03-05", "to": "2030-03-07"}).json()
    assert [a["id"] for a in window["items"]] == [str(a.pk) for a in made[1:4]]
    page = http.get(f"{API}/appointments", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 5 and [a["id"] for a in page["items"]] == [str(a.pk) for a in made[2:4]]
    item = everything["items"][0]
    assert item["client"] == {"id": str(mine.pk), "display_name": mine.display_name}
    assert item["kind"] == "office" and item["kind_label"] == "Office appointment" and item["version"] == 1
    assert http.get(f"{API}/appointments", {"from": "not-a-date"}).status_code == 422
    assert AuditEvent.objects.filter(actor=personas.you, action=AuditAction.VIEW, client_id=mine.pk).exists()


def test_book_a_gate_meet_linked_to_a_release(http, personas: Personas):
    mine = personas.client_of(personas.you)
    prison = EstablishmentFactory(name="HMP Api Gate")
    episode = CustodyEpisodeFactory(client=mine, establishment=prison)
    response = _post(http, "/appointments", {
        "kind": "gate", "client_id": str(mine.pk), "custody_episode_id": str(episode.pk),
        "starts_at": "2030-01-07T07:30:00Z", "ends_at": "2030-01-07T09:00:00Z",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["custody_episode_id"] == str(episode.pk) and body["location"] == "HMP Api Gate"
    assert body["establishment"] == {"id": str(prison.pk), "name": "HMP Api Gate", "kind": "prison"}
    assert body["staff"]["id"] == str(personas.you.pk) and body["status"] == "booked"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("client_id", "Choose a client you work with."),
        ("custody_episode_id", "Choose a release of this client."),
        ("hearing_id", "Choose a hearing of this client."),
        ("establishment_id", "Choose a prison or court from the directory."),
        ("staff_id", "Choose someone in your team."),
    ],
)
def test_booking_with_a_reference_out_of_reach_is_refused_naming_no_one(http, personas: Personas, field, message):
    mine = personas.client_of(personas.you)
    theirs = personas.client_of(personas.other_caseworker, first_name="Hidden", last_name="Southerner")
    refs = {
        "client_id": theirs.pk,
        "custody_episode_id": CustodyEpisodeFactory(client=theirs).pk,
        "hearing_id": HearingFactory(client=theirs).pk,
        "establishment_id": uuid.uuid4(),
        "staff_id": personas.other_caseworker.pk,
    }
    kind = {"custody_episode_id": "gate", "hearing_id": "court"}.get(field, "office")
    body = {"kind": kind, "client_id": str(mine.pk), "starts_at": "2030-01-07T10:00:00Z",
            "ends_at": "2030-01-07T11:00:00Z", field: str(refs[field])}
    response = _post(http, "/appointments", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {field: [message]}
    assert "Hidden" not in response.content.decode() and "Southerner" not in response.content.decode()
    assert not Appointment.objects.exists()


def test_book_a_prison_visit_day(http, personas: Personas):
    prison = EstablishmentFactory(name="HMP Api Thursday")
    first, second = personas.client_of(personas.you), personas.client_of(personas.teammate)
    body = {
        "establishment_id": str(prison.pk), "on": "2030-01-10", "kind": "prison_legal",
        "slots": [{"client_id": str(first.pk), "starts": "09:30", "minutes": 60},
                  {"client_id": str(second.pk), "starts": "10:30", "minutes": 45}],
    }
    response = _post(http, "/appointments/group", body)
    assert response.status_code == 201, response.content
    booked = response.json()
    assert [a["client"]["id"] for a in booked] == [str(first.pk), str(second.pk)]
    assert booked[0]["group"] and booked[0]["group"] == booked[1]["group"]


def test_a_prison_visit_day_with_someone_out_of_reach_books_nothing(http, personas: Personas):
    prison = EstablishmentFactory()
    mine = personas.client_of(personas.you)
    hidden = personas.client_of(personas.other_caseworker, first_name="Hidden", last_name="Southerner")
    body = {
        "establishment_id": str(prison.pk), "on": "2030-01-10", "kind": "prison_social",
        "slots": [{"client_id": str(mine.pk), "starts": "09:30", "minutes": 60},
                  {"client_id": str(hidden.pk), "starts": "11:00", "minutes": 60}],
    }
    response = _post(http, "/appointments/group", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"slots.1.client": ["Choose a client you work with."]}
    assert "Hidden" not in response.content.decode()
    court = EstablishmentFactory(kind=EstablishmentKind.CROWN_COURT, name="Api Crown")
    at_court = _post(
        http, "/appointments/group", {**body, "establishment_id": str(court.pk), "slots": body["slots"][:1]}
    )
    assert at_court.status_code == 422 and at_court.json()["errors"] == {
        "establishment_id": ["Choose a prison from the directory."]
    }
    assert _post(http, "/appointments/group", {**body, "slots": []}).status_code == 422
    assert not Appointment.objects.exists()


def test_status_with_an_outcome_note_and_a_stale_version(http, personas: Personas):
    mine = personas.client_of(personas.you)
    starts = timezone.now() - dt.timedelta(hours=3)
    appointment = AppointmentFactory(staff=personas.you, client=mine, starts_at=starts,
                                     ends_at=starts + dt.timedelta(hours=1))
    url = f"/appointments/{appointment.pk}/status"
    done = _post(http, url, {"status": "attended", "version": 1, "outcome_note": "Good session."})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "attended" and done.json()["version"] == 2
    contact = Contact.objects.get()
    assert done.json()["outcome_contact_id"] == str(contact.pk) and contact.note == "Good session."

    stale = _post(http, url, {"status": "dna", "version": 1, "outcome_note": "Not there."})
    assert stale.status_code == 409
    again = _post(http, url, {"status": "dna", "version": 2})
    assert again.status_code == 422 and "cannot change" in again.json()["detail"]
    assert _post(http, url, {"status": "rescheduled", "version": 2}).status_code == 422
    assert Appointment.objects.get().status == AppointmentStatus.ATTENDED and Contact.objects.count() == 1


def test_reschedule_and_read_both(http, personas: Personas):
    mine = personas.client_of(personas.you)
    appointment = AppointmentFactory(staff=personas.you, client=mine, starts_at=_at(dt.date(2030, 1, 7), 10),
                                     ends_at=_at(dt.date(2030, 1, 7), 11), location="Office")
    response = _post(http, f"/appointments/{appointment.pk}/reschedule", {
        "version": 1, "starts_at": "2030-01-09T14:00:00Z", "ends_at": "2030-01-09T15:00:00Z",
    })
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["location"] == "Office" and new["client"]["id"] == str(mine.pk)
    old = http.get(f"{API}/appointments/{appointment.pk}").json()
    assert old["status"] == "rescheduled" and old["rescheduled_to_id"] == new["id"] and old["version"] == 2
    backwards = _post(http, f"/appointments/{new['id']}/reschedule", {
        "version": 1, "starts_at": "2030-01-09T14:00:00Z", "ends_at": "2030-01-09T13:00:00Z",
    })
    assert backwards.status_code == 422 and Appointment.objects.count() == 2


def test_anonymous_callers_get_401(db):
    anonymous = HttpClient()
    some_id = uuid.uuid4()
    assert anonymous.get(f"{API}/appointments").status_code == 401
    assert anonymous.get(f"{API}/appointments/{some_id}").status_code == 401
    for path in ("/appointments", "/appointments/group", f"/appointments/{some_id}/status",
                 f"/appointments/{some_id}/reschedule"):
        assert _post(anonymous, path, {}).status_code == 401


@pytest.mark.django_db
def test_appointment_operations_follow_the_client_record_matrix():
    """Every role x record state of docs/access-policy.md's client-record row, for the operations addressed by
    an appointment and the bookings that name a client in their body: allowed cells answer and are audited,
    denied cells are 404 (422 for a body reference) and show nothing, and nothing is written."""
    world = _build_world()
    appointments = {
        state: AppointmentFactory(
            staff=world.personas.you if state != "other-team" else world.personas.other_caseworker,
            client=bundle.client,
            starts_at=_at(dt.date(2030, 1, 7), 10),
            ends_at=_at(dt.date(2030, 1, 7), 11),
        )
        for state, bundle in world.bundles.items()
    }
    prison = EstablishmentFactory(name="HMP Matrix")
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states("client-record", role)
        for state, bundle in world.bundles.items():
            where = f"{role} {state}"
            appointment = appointments[state]
            before = _views_of(viewer, bundle)
            response = http.get(f"{API}/appointments/{appointment.pk}")
            _assert_cell(response, state in allowed, bundle.marker, f"GET appointment {where}")
            assert (_views_of(viewer, bundle) > before) == (state in allowed), where
            if state in allowed:
                continue
            moved = {"version": 1, "starts_at": "2030-01-08T10:00:00Z", "ends_at": "2030-01-08T11:00:00Z"}
            for path, body in ((f"/appointments/{appointment.pk}/status", {"status": "cancelled", "version": 1}),
                               (f"/appointments/{appointment.pk}/reschedule", moved)):
                denied = _post(http, path, body)
                assert denied.status_code == 404 and bundle.marker not in denied.content.decode(), (path, where)
            booking = _post(http, "/appointments", {"kind": "office", "client_id": str(bundle.client.pk),
                                                    "starts_at": "2030-01-08T10:00:00Z",
                                                    "ends_at": "2030-01-08T11:00:00Z"})
            group = _post(http, "/appointments/group", {
                "establishment_id": str(prison.pk), "on": "2030-01-08", "kind": "prison_social",
                "slots": [{"client_id": str(bundle.client.pk), "starts": "10:00", "minutes": 60}],
            })
            for refused in (booking, group):
                assert refused.status_code in (404, 422), where
                assert bundle.marker not in refused.content.decode(), where
    untouched = Appointment.objects.filter(pk__in=[a.pk for a in appointments.values()])
    assert set(untouched.values_list("status", flat=True)) == {AppointmentStatus.BOOKED}
    assert Appointment.objects.filter(starts_at__date=dt.date(2030, 1, 8)).count() == 0
