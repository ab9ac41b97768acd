"""The team week: a manager sees each member of their team's appointments and key dates, Monday to Sunday;
nobody else has the page, and another team's manager sees nothing of this team."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import NotFound
from keyworker.core.testing import (
    AppointmentFactory,
    CustodyEpisodeFactory,
    HearingFactory,
    Personas,
    UserFactory,
)
from keyworker.diary.models import AppointmentKind
from keyworker.diary.selectors import team_week_for

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
MONDAY = dt.date(2025, 6, 9)
WEDNESDAY = dt.date(2025, 6, 11)
SUNDAY = dt.date(2025, 6, 15)


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def _member_day(week, member, date):
    (found,) = [day for who, day in week.on(date) if who == member]
    return found


def _north_week(personas: Personas):
    p = personas
    yours = p.client_of(p.you, first_name="Yours", last_name="Northern")
    teammates = p.client_of(p.teammate, first_name="Teams", last_name="Northern")
    AppointmentFactory(staff=p.you, client=yours, starts_at=at(WEDNESDAY, 10), ends_at=at(WEDNESDAY, 11),
                       notes="your-office")
    AppointmentFactory(staff=p.teammate, client=teammates, kind=AppointmentKind.HOME_VISIT,
                       starts_at=at(MONDAY, 14), ends_at=at(MONDAY, 15), notes="teammate-home-visit")
    HearingFactory(client=yours, starts_at=at(SUNDAY - dt.timedelta(days=2), 10), description="your-clients-hearing")
    CustodyEpisodeFactory(client=teammates, release_on=WEDNESDAY, prison_number="TEAMREL",
                          received_on=MONDAY - dt.timedelta(days=100))
    return yours, teammates


def test_a_manager_sees_each_members_week(personas: Personas):
    p = personas
    _north_week(p)
    week = team_week_for(p.manager, WEDNESDAY)
    assert (week.monday, week.sunday) == (MONDAY, SUNDAY)
    assert week.dates == [MONDAY + dt.timedelta(days=i) for i in range(7)]
    assert {m.member for m in week.members} == {p.you, p.teammate, p.manager}
    assert [a.notes for a in _member_day(week, p.you, WEDNESDAY).appointments] == ["your-office"]
    assert [a.notes for a in _member_day(week, p.teammate, MONDAY).appointments] == ["teammate-home-visit"]
    friday = SUNDAY - dt.timedelta(days=2)
    assert [h.description for h in _member_day(week, p.you, friday).hearings] == ["your-clients-hearing"]
    assert [e.prison_number for e in _member_day(week, p.teammate, WEDNESDAY).releases] == ["TEAMREL"]
    assert _member_day(week, p.you, WEDNESDAY).releases == []  # the teammate's client's release is theirs
    assert (week.previous_monday, week.next_monday) == (dt.date(2025, 6, 2), dt.date(2025, 6, 16))


def test_a_hearing_attended_shows_once_under_whoever_attends(personas: Personas):
    p = personas
    yours = p.client_of(p.you)
    hearing = HearingFactory(client=yours, starts_at=at(WEDNESDAY, 10))
    AppointmentFactory(staff=p.you, client=yours, kind=AppointmentKind.COURT, hearing=hearing,
                       starts_at=at(WEDNESDAY, 9), ends_at=at(WEDNESDAY, 12))
    day = _member_day(team_week_for(p.manager, WEDNESDAY), p.you, WEDNESDAY)
    assert len(day.key_dates) == 1 and day.hearings == []


def test_the_team_week_is_a_managers_page_only(personas: Personas):
    for who in ("you", "teammate", "other_caseworker", "report_viewer"):
        with pytest.raises(NotFound):
            team_week_for(getattr(personas, who), WEDNESDAY)
    teamless = UserFactory(email="teamless-manager@keyworker.test", role="manager", team=None)
    with pytest.raises(NotFound):
        team_week_for(teamless, WEDNESDAY)


def test_another_teams_manager_sees_none_of_this_team(client, personas: Personas):
    _north_week(personas)
    week = team_week_for(personas.other_manager, WEDNESDAY)
    assert personas.you not in [m.member for m in week.members]
    assert all(day.is_empty for m in week.members for day in m.days)
    client.force_login(personas.other_manager)
    html = client.get(reverse("diary:team_week"), {"week": WEDNESDAY.isoformat()}).content.decode()
    assert "Northern" not in html and "Jo Caseworker" not in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("other_manager", 200), ("you", 404), ("teammate", 404), ("report_viewer", 404)],
)
def test_the_team_week_page_by_persona(client, personas: Personas, who: str, status: int):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("diary:team_week")).status_code == status


def test_the_team_week_needs_sign_in(client, db):
    response = client.get(reverse("diary:team_week"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_page_shows_the_week_and_audits_the_clients_shown(client, personas: Personas):
    yours, teammates = _north_week(personas)
    client.force_login(personas.manager)
    response = client.get(reverse("diary:team_week"), {"week": WEDNESDAY.isoformat()})
    html = response.content.decode()
    assert "Team week" in html and "Yours Northern" in html and "Teams Northern" in html
    assert "Jo Caseworker" in html and "Kim Teammate" in html
    assert f"?week={(MONDAY - dt.timedelta(days=7)).isoformat()}" in html
    assert "Release due" in html and "Sentencing" in html
    viewed = AuditEvent.objects.filter(actor=personas.manager, action=AuditAction.VIEW)
    assert set(viewed.values_list("client_id", flat=True)) == {yours.pk, teammates.pk}
    fragment = client.get(reverse("diary:team_week"), {"week": MONDAY.isoformat()}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "Team week" in fragment.content.decode()


def test_team_week_query_count_is_bounded(client, personas: Personas, django_assert_max_num_queries):
    for i in range(15):
        member = (personas.you, personas.teammate)[i % 2]
        person = personas.client_of(member)
        day = MONDAY + dt.timedelta(days=i % 7)
        AppointmentFactory(staff=member, client=person, starts_at=at(day, 9 + i % 8), ends_at=at(day, 10 + i % 8))
        HearingFactory(client=person, starts_at=at(day, 14))
        CustodyEpisodeFactory(client=person, release_on=day, received_on=MONDAY - dt.timedelta(days=100))
    client.force_login(personas.manager)
    with django_assert_max_num_queries(12):  # whatever the number of people and records; one more on PostgreSQL
        assert client.get(reverse("diary:team_week"), {"week": WEDNESDAY.isoformat()}).status_code == 200
