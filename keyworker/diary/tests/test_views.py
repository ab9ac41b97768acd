"""My week as a page: what it shows, week navigation, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.rules import week_bounds
from keyworker.core.testing import AppointmentFactory, Personas, RiskReviewFactory, TaskFactory
from keyworker.diary.models import AppointmentKind

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def test_my_week_shows_appointments_key_dates_and_tasks(client, personas: Personas):
    monday, _ = week_bounds(timezone.localdate())
    released = personas.client_of(personas.you, first_name="Gatey", last_name="Fictional")
    AppointmentFactory(
        staff=personas.you, starts_at=_at(monday, 10), ends_at=_at(monday, 11), location="Brixton office"
    )
    # Booked by a teammate, but it is your client's release: it is on your week.
    AppointmentFactory(
        staff=personas.teammate,
        client=released,
        kind=AppointmentKind.GATE,
        starts_at=_at(monday + dt.timedelta(days=1), 8),
        ends_at=_at(monday + dt.timedelta(days=1), 9),
        location="HMP Pentonville",
    )
    TaskFactory(owner=personas.you, title="Book the GP registration", due_on=monday + dt.timedelta(days=3))
    TaskFactory(owner=personas.teammate, title="Not my task", due_on=monday)
    client.force_login(personas.you)
    html = client.get(reverse("diary:my_week")).content.decode()
    assert "Brixton office" in html
    assert "Gatey Fictional" in html and "HMP Pentonville" in html
    assert "Book the GP registration" in html
    assert "Not my task" not in html


def test_my_week_navigates_by_week(client, personas: Personas):
    monday, _ = week_bounds(timezone.localdate())
    next_monday = monday + dt.timedelta(days=7)
    AppointmentFactory(
        staff=personas.you, starts_at=_at(next_monday, 9), ends_at=_at(next_monday, 10), location="Next week place"
    )
    client.force_login(personas.you)
    this_week = client.get(reverse("diary:my_week")).content.decode()
    assert "Next week place" not in this_week
    assert f"?week={next_monday.isoformat()}" in this_week
    response = client.get(reverse("diary:my_week"), {"week": next_monday.isoformat()}, HTTP_HX_REQUEST="true")
    assert "Next week place" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_bad_week_parameter_shows_this_week(client, personas: Personas):
    client.force_login(personas.you)
    response = client.get(reverse("diary:my_week"), {"week": "not-a-date"})
    assert response.status_code == 200
    assert timezone.localdate().strftime("%Y") in response.content.decode()


def test_my_week_needs_sign_in(client, db):
    response = client.get(reverse("diary:my_week"))
    assert response.status_code == 302


def test_another_teams_release_is_not_on_my_week(client, personas: Personas):
    monday, _ = week_bounds(timezone.localdate())
    theirs = personas.client_of(personas.other_caseworker, first_name="Southern", last_name="Person")
    AppointmentFactory(
        staff=personas.other_caseworker,
        client=theirs,
        kind=AppointmentKind.COURT,
        starts_at=_at(monday, 10),
        ends_at=_at(monday, 12),
    )
    client.force_login(personas.you)
    assert "Southern Person" not in client.get(reverse("diary:my_week")).content.decode()


def test_my_week_query_count_is_bounded(client, personas: Personas, django_assert_max_num_queries):
    monday, _ = week_bounds(timezone.localdate())
    for i in range(20):
        person = personas.client_of(personas.you)
        day = monday + dt.timedelta(days=i % 7)
        AppointmentFactory(
            staff=personas.you, client=person, starts_at=_at(day, 9 + i % 8), ends_at=_at(day, 10 + i % 8)
        )
        TaskFactory(owner=personas.you, client=person, due_on=day)
    client.force_login(personas.you)
    # Session and user, the week (appointments, hearings, releases, tasks, overdue), the 12-week releases and
    # their open needs, the risk reviews due, the outcome readings due (the scales in use, then the clients with
    # their last reading of each: two), the notification count, and one audit insert (a lock more on
    # PostgreSQL). Some of the clients have risk reviews due, so that query has rows to return; every client
    # has a first outcome reading due, so that one has too.
    for person in list(personas.you.caseload.values_list("client", flat=True))[:5]:
        RiskReviewFactory(client_id=person, reviewed_by=personas.you, next_review_on=monday)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("diary:my_week")).status_code == 200


def test_my_week_is_empty_for_a_role_without_casework(client, personas: Personas):
    monday, _ = week_bounds(timezone.localdate())
    person = personas.client_of(personas.you, first_name="Hidden", last_name="Client")
    AppointmentFactory(staff=personas.you, client=person, starts_at=_at(monday, 10), ends_at=_at(monday, 11))
    client.force_login(personas.report_viewer)
    response = client.get(reverse("diary:my_week"))
    assert response.status_code == 200
    assert "Hidden Client" not in response.content.decode()
    assert response.content.decode().count("Nothing booked.") == 7


def test_my_week_shows_hearings_releases_and_links_to_each_appointment(client, personas: Personas):
    from keyworker.core.testing import CustodyEpisodeFactory, EstablishmentFactory, HearingFactory

    monday, _ = week_bounds(timezone.localdate())
    person = personas.client_of(personas.you, first_name="Courtney", last_name="Fictional")
    released = personas.client_of(personas.you, first_name="Gatewood", last_name="Fictional")
    hearing = HearingFactory(client=person, starts_at=_at(monday + dt.timedelta(days=4), 10))
    prison = EstablishmentFactory(name="HMP Countdown")
    episode = CustodyEpisodeFactory(
        client=released, establishment=prison, release_on=monday + dt.timedelta(days=1),
        received_on=monday - dt.timedelta(days=200),
    )
    later = CustodyEpisodeFactory(
        client=personas.client_of(personas.you, first_name="Later", last_name="Release"),
        release_on=timezone.localdate() + dt.timedelta(days=40),
    )
    office = AppointmentFactory(
        staff=personas.you, client=person, starts_at=_at(monday, 10), ends_at=_at(monday, 11), location="Office"
    )
    client.force_login(personas.you)
    html = client.get(reverse("diary:my_week")).content.decode()
    assert reverse("diary:appointment_detail", args=[office.pk]) in html
    assert "Sentencing at " + hearing.court.name in html
    assert f"?hearing={hearing.pk}" in html  # book to attend it
    assert "Release due from HMP Countdown" in html
    assert f"?kind=gate&amp;episode={episode.pk}" in html  # book the gate meet
    assert "Releases in the next 12 weeks" in html and "Later Release" in html
    viewed = AuditEvent.objects.filter(actor=personas.you, action=AuditAction.VIEW)
    assert {person.pk, released.pk, later.client_id} <= set(viewed.values_list("client_id", flat=True))


def test_my_week_links_to_the_prison_visit_day_for_casework_roles_only(client, personas: Personas):
    client.force_login(personas.you)
    assert reverse("diary:prison_visits_new") in client.get(reverse("diary:my_week")).content.decode()
    client.force_login(personas.report_viewer)
    html = client.get(reverse("diary:my_week")).content.decode()
    assert reverse("diary:prison_visits_new") not in html and "Releases in the next 12 weeks" not in html
