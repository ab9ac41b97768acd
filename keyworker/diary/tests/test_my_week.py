"""My week: a caseworker's appointments, key dates and tasks, Monday to Sunday in London time."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django.utils import timezone

from keyworker.casework.models import CaseStatus, ClosureReason
from keyworker.core.testing import (
    AppointmentFactory,
    CaseFactory,
    ClientFactory,
    CustodyEpisodeFactory,
    HearingFactory,
    TaskFactory,
)
from keyworker.diary.models import AppointmentKind
from keyworker.diary.selectors import my_week_for

LONDON = zoneinfo.ZoneInfo("Europe/London")

# A week in British Summer Time (UTC+1), so that local and UTC dates differ around midnight.
MONDAY = dt.date(2025, 6, 9)
WEDNESDAY = dt.date(2025, 6, 11)
SUNDAY = dt.date(2025, 6, 15)
GROUP = uuid.UUID("00000000-0000-4000-8000-000000000001")



def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A London wall-clock time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def _day(week, date):
    (found,) = [d for d in week.days if d.date == date]
    return found


def _notes(appointments) -> list[str]:
    return [a.notes for a in appointments]


def test_the_week_runs_monday_to_sunday(personas):
    week = my_week_for(personas.you, WEDNESDAY)
    assert (week.monday, week.sunday) == (MONDAY, SUNDAY)
    assert [d.date for d in week.days] == [MONDAY + dt.timedelta(days=i) for i in range(7)]
    assert all(d.is_empty for d in week.days)
    assert (week.previous_monday, week.next_monday) == (dt.date(2025, 6, 2), dt.date(2025, 6, 16))
    assert my_week_for(personas.you, SUNDAY).monday == MONDAY
    assert my_week_for(personas.you, MONDAY).sunday == SUNDAY


def test_defaults_to_this_week(personas):
    week = my_week_for(personas.you)
    today = timezone.localdate()
    assert week.monday <= today <= week.sunday
    assert week.monday.weekday() == 0


def test_appointments_are_bucketed_by_london_day(personas):
    client = personas.client_of(personas.you)

    def book(when, note, **kw):
        return AppointmentFactory(staff=personas.you, client=client, starts_at=when,
                                  ends_at=when + dt.timedelta(minutes=30), notes=note, **kw)

    book(at(MONDAY, 9), "mon-9")
    book(at(MONDAY, 0, 30), "mon-00:30")  # 23:30 UTC on the Sunday before
    book(at(SUNDAY, 23, 30), "sun-23:30")  # still Sunday in London (22:30 UTC)
    book(at(WEDNESDAY, 14), "wed-14")
    book(at(MONDAY - dt.timedelta(days=1), 23, 30), "previous-sunday")
    book(at(SUNDAY + dt.timedelta(days=1), 0, 30), "next-monday-00:30")  # 23:30 UTC on *this* Sunday

    week = my_week_for(personas.you, WEDNESDAY)
    assert _notes(_day(week, MONDAY).appointments) == ["mon-00:30", "mon-9"]
    assert _notes(_day(week, WEDNESDAY).appointments) == ["wed-14"]
    assert _notes(_day(week, SUNDAY).appointments) == ["sun-23:30"]
    everything = [a.notes for d in week.days for a in d.appointments + d.key_dates]
    assert "previous-sunday" not in everything
    assert "next-monday-00:30" not in everything
    assert len(everything) == 4


def test_sunday_late_evening_in_winter(personas):
    client = personas.client_of(personas.you)
    sunday = dt.date(2025, 1, 19)  # GMT
    AppointmentFactory(staff=personas.you, client=client, starts_at=at(sunday, 23, 30),
                       ends_at=at(sunday, 23, 59), notes="late")
    week = my_week_for(personas.you, sunday)
    assert _notes(_day(week, sunday).appointments) == ["late"]


def test_own_appointment_with_no_client_is_shown(personas):
    AppointmentFactory(staff=personas.you, client=None, starts_at=at(WEDNESDAY, 10), ends_at=at(WEDNESDAY, 11),
                       notes="supervision")
    assert _notes(_day(my_week_for(personas.you, WEDNESDAY), WEDNESDAY).appointments) == ["supervision"]
    assert _notes(_day(my_week_for(personas.teammate, WEDNESDAY), WEDNESDAY).appointments) == []


def test_key_dates_of_your_clients_booked_by_others_are_shown(personas):
    p = personas
    yours = p.client_of(p.you, first_name="Yours")
    teammates = p.client_of(p.teammate, first_name="Teammates")
    theirs = p.client_of(p.other_caseworker, first_name="Theirs")
    closed = ClientFactory(first_name="Closed")
    CaseFactory(client=closed, keyworker=p.you, team=p.team, status=CaseStatus.CLOSED,
                closed_on=MONDAY - dt.timedelta(days=30), closure_reason=ClosureReason.GOALS_MET,
                opened_on=MONDAY - dt.timedelta(days=300))

    def book(staff, client, kind, when, note):
        AppointmentFactory(staff=staff, client=client, kind=kind, starts_at=when, ends_at=when + dt.timedelta(hours=2),
                           notes=note)

    book(p.teammate, yours, AppointmentKind.COURT, at(WEDNESDAY, 10), "court-yours-by-teammate")
    book(p.manager, yours, AppointmentKind.GATE, at(MONDAY + dt.timedelta(days=3), 8), "gate-yours-by-manager")
    book(p.you, yours, AppointmentKind.COURT, at(MONDAY + dt.timedelta(days=4), 10), "court-yours-by-you")
    # Not yours: a teammate's client, another team's client, a client whose case with you has closed,
    # and an ordinary (non-key-date) appointment a teammate booked for your client.
    book(p.teammate, teammates, AppointmentKind.COURT, at(WEDNESDAY, 11), "court-teammates")
    book(p.other_caseworker, theirs, AppointmentKind.GATE, at(WEDNESDAY, 8), "gate-other-team")
    book(p.teammate, closed, AppointmentKind.COURT, at(WEDNESDAY, 12), "court-closed")
    book(p.teammate, yours, AppointmentKind.OFFICE, at(WEDNESDAY, 15), "office-yours-by-teammate")

    week = my_week_for(p.you, WEDNESDAY)
    key_dates = [a.notes for d in week.days for a in d.key_dates]
    appointments = [a.notes for d in week.days for a in d.appointments]
    assert key_dates == ["court-yours-by-teammate", "gate-yours-by-manager", "court-yours-by-you"]
    assert _notes(_day(week, WEDNESDAY).key_dates) == ["court-yours-by-teammate"]
    assert appointments == []

    # The teammate sees their own client's court date and the ones they booked themselves.
    teammate_week = my_week_for(p.teammate, WEDNESDAY)
    assert [a.notes for d in teammate_week.days for a in d.key_dates] == [
        "court-yours-by-teammate", "court-teammates", "court-closed",
    ]
    # The other team never sees ours.
    other_week = my_week_for(p.other_caseworker, WEDNESDAY)
    assert [a.notes for d in other_week.days for a in d.key_dates] == ["gate-other-team"]


def test_key_date_is_not_repeated_when_you_hold_two_cases_for_the_client(personas):
    client = personas.client_of(personas.you)
    CaseFactory(client=client, keyworker=personas.you, team=personas.team)
    AppointmentFactory(staff=personas.teammate, client=client, kind=AppointmentKind.COURT,
                       starts_at=at(WEDNESDAY, 10), ends_at=at(WEDNESDAY, 12), notes="court")
    AppointmentFactory(staff=personas.you, client=client, kind=AppointmentKind.GATE,
                       starts_at=at(WEDNESDAY, 7), ends_at=at(WEDNESDAY, 8), notes="gate")
    assert _notes(_day(my_week_for(personas.you, WEDNESDAY), WEDNESDAY).key_dates) == ["gate", "court"]


def test_tasks_due_this_week_land_on_their_day(personas):
    client = personas.client_of(personas.you)
    TaskFactory(owner=personas.you, client=client, title="wed", due_on=WEDNESDAY)
    TaskFactory(owner=personas.you, client=None, title="sun-own", due_on=SUNDAY)
    TaskFactory(owner=personas.you, client=client, title="mon", due_on=MONDAY)
    TaskFactory(owner=personas.you, client=client, title="done", due_on=WEDNESDAY,
                completed_at=timezone.now(), completed_by=personas.you)
    TaskFactory(owner=personas.teammate, client=client, title="teammates", due_on=WEDNESDAY)
    TaskFactory(owner=personas.you, client=client, title="next-week", due_on=SUNDAY + dt.timedelta(days=1))
    TaskFactory(owner=personas.you, client=client, title="last-week", due_on=MONDAY - dt.timedelta(days=1))

    week = my_week_for(personas.you, WEDNESDAY)
    assert {d.date: [t.title for t in d.tasks] for d in week.days if d.tasks} == {
        MONDAY: ["mon"], WEDNESDAY: ["wed"], SUNDAY: ["sun-own"],
    }


def test_overdue_lists_your_open_tasks_due_before_this_week(personas):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    client = personas.client_of(personas.you)
    TaskFactory(owner=personas.you, client=client, title="old", due_on=monday - dt.timedelta(days=10))
    TaskFactory(owner=personas.you, client=None, title="last-sunday", due_on=monday - dt.timedelta(days=1))
    TaskFactory(owner=personas.you, client=client, title="old-done", due_on=monday - dt.timedelta(days=3),
                completed_at=timezone.now(), completed_by=personas.you)
    TaskFactory(owner=personas.teammate, client=client, title="teammates-old", due_on=monday - dt.timedelta(days=3))
    TaskFactory(owner=personas.you, client=client, title="this-monday", due_on=monday)

    week = my_week_for(personas.you)
    assert [t.title for t in week.overdue_tasks] == ["old", "last-sunday"]
    assert "this-monday" in [t.title for t in _day(week, monday).tasks]
    # A future week shows no overdue list.
    assert my_week_for(personas.you, today + dt.timedelta(days=14)).overdue_tasks == []


def test_another_teams_week_shows_nothing_of_ours(personas):
    client = personas.client_of(personas.you)
    AppointmentFactory(staff=personas.you, client=client, starts_at=at(WEDNESDAY, 10), ends_at=at(WEDNESDAY, 11))
    TaskFactory(owner=personas.you, client=client, due_on=WEDNESDAY)
    week = my_week_for(personas.other_caseworker, WEDNESDAY)
    assert all(d.is_empty for d in week.days)


def test_report_viewer_week_is_empty(personas):
    client = personas.client_of(personas.you)
    AppointmentFactory(staff=personas.you, client=client, kind=AppointmentKind.COURT, starts_at=at(WEDNESDAY, 10),
                       ends_at=at(WEDNESDAY, 11))
    week = my_week_for(personas.report_viewer, WEDNESDAY)
    assert all(d.is_empty for d in week.days)
    assert week.overdue_tasks == []


def test_query_count_does_not_grow_with_the_week(personas, django_assert_max_num_queries):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    for i in range(6):
        client = personas.client_of(personas.you)
        day = monday + dt.timedelta(days=i)
        AppointmentFactory(staff=personas.you, client=client, starts_at=at(day, 10), ends_at=at(day, 11))
        AppointmentFactory(staff=personas.teammate, client=client, kind=AppointmentKind.COURT,
                           starts_at=at(day, 12), ends_at=at(day, 13))
        TaskFactory(owner=personas.you, client=client, due_on=day)
        TaskFactory(owner=personas.you, client=client, due_on=monday - dt.timedelta(days=i + 1))

    # appointments, hearings, releases, this week's tasks, overdue tasks
    with django_assert_max_num_queries(5):
        week = my_week_for(personas.you)
        for d in week.days:
            for a in d.appointments + d.key_dates:
                assert a.client.display_name and a.staff.display_name
            for t in d.tasks:
                assert t.client.display_name and t.owner.display_name
        for t in week.overdue_tasks:
            assert t.client.display_name
    assert sum(len(d.appointments) + len(d.key_dates) for d in week.days) == 12
    assert len(week.overdue_tasks) == 6


# --- custody records on My week: hearings and releases as key dates, not twice --------------------------------


def _key_date_summary(week):
    return {
        d.date: (
            [a.notes for a in d.key_dates],
            [h.description for h in d.hearings],
            [e.prison_number for e in d.releases],
        )
        for d in week.days
        if d.key_dates or d.hearings or d.releases
    }


def test_hearings_of_your_clients_are_key_dates(personas):
    p = personas
    yours = p.client_of(p.you)
    teammates = p.client_of(p.teammate)
    HearingFactory(client=yours, starts_at=at(WEDNESDAY, 10), description="yours")
    HearingFactory(client=teammates, starts_at=at(WEDNESDAY, 11), description="teammates")
    HearingFactory(client=yours, starts_at=at(SUNDAY + dt.timedelta(days=1), 10), description="next-week")
    week = my_week_for(p.you, WEDNESDAY)
    assert _key_date_summary(week) == {WEDNESDAY: ([], ["yours"], [])}
    # The teammate's week has their own client's hearing only.
    assert _key_date_summary(my_week_for(p.teammate, WEDNESDAY)) == {WEDNESDAY: ([], ["teammates"], [])}
    assert all(d.is_empty for d in my_week_for(p.other_caseworker, WEDNESDAY).days)


def test_a_hearing_is_not_shown_twice_when_a_court_appointment_attends_it(personas):
    p = personas
    yours = p.client_of(p.you)
    attended = HearingFactory(client=yours, starts_at=at(WEDNESDAY, 10), description="attended")
    HearingFactory(client=yours, starts_at=at(WEDNESDAY, 14), description="not-attended")
    # Booked by a teammate: still your client's court date, so it stands for the hearing on your week.
    AppointmentFactory(staff=p.teammate, client=yours, kind=AppointmentKind.COURT, hearing=attended,
                       starts_at=at(WEDNESDAY, 9, 30), ends_at=at(WEDNESDAY, 13), notes="court-appointment")
    assert _key_date_summary(my_week_for(p.you, WEDNESDAY)) == {
        WEDNESDAY: (["court-appointment"], ["not-attended"], []),
    }


def test_a_release_in_the_week_is_a_key_date_unless_a_gate_meet_is_booked_for_it(personas):
    p = personas
    yours = p.client_of(p.you)
    other = p.client_of(p.you)
    teammates = p.client_of(p.teammate)
    met = CustodyEpisodeFactory(client=yours, prison_number="MET1", release_on=WEDNESDAY,
                                received_on=MONDAY - dt.timedelta(days=300))
    CustodyEpisodeFactory(client=other, prison_number="UNMET", release_on=SUNDAY,
                          received_on=MONDAY - dt.timedelta(days=300))
    CustodyEpisodeFactory(client=teammates, prison_number="NOTYOURS", release_on=WEDNESDAY,
                          received_on=MONDAY - dt.timedelta(days=300))
    # Released a day early: the day it happened is the one shown.
    early = p.client_of(p.you)
    CustodyEpisodeFactory(client=early, prison_number="EARLY", release_on=SUNDAY + dt.timedelta(days=1),
                          released_on=SUNDAY, received_on=MONDAY - dt.timedelta(days=300))
    AppointmentFactory(staff=p.you, client=yours, kind=AppointmentKind.GATE, custody_episode=met,
                       starts_at=at(WEDNESDAY, 7), ends_at=at(WEDNESDAY, 9), notes="gate-meet")
    assert _key_date_summary(my_week_for(p.you, WEDNESDAY)) == {
        WEDNESDAY: (["gate-meet"], [], []),
        SUNDAY: ([], [], ["UNMET", "EARLY"]),
    }


def test_hearings_and_releases_of_hidden_clients_are_not_shown(personas):
    from keyworker.safeguarding.models import AccessRuleKind
    from keyworker.safeguarding.services import access_rule_set

    p = personas
    yours = p.client_of(p.you)
    HearingFactory(client=yours, starts_at=at(WEDNESDAY, 10))
    CustodyEpisodeFactory(client=yours, release_on=WEDNESDAY, received_on=MONDAY - dt.timedelta(days=300))
    access_rule_set(actor=p.manager, client=yours, kind=AccessRuleKind.EXCLUSION, staff=[p.you],
                    reason="Matrix: a conflict of interest.")
    assert all(d.is_empty for d in my_week_for(p.you, WEDNESDAY).days)


def test_query_count_stays_the_same_as_the_week_fills_up(personas, django_assert_num_queries):
    def fill(n):
        for i in range(n):
            client = personas.client_of(personas.you)
            day = MONDAY + dt.timedelta(days=i % 7)
            hearing = HearingFactory(client=client, starts_at=at(day, 10))
            CustodyEpisodeFactory(client=client, release_on=day, received_on=MONDAY - dt.timedelta(days=300))
            AppointmentFactory(staff=personas.you, client=client, kind=AppointmentKind.COURT, hearing=hearing,
                               starts_at=at(day, 9), ends_at=at(day, 12))
            AppointmentFactory(staff=personas.you, client=client, kind=AppointmentKind.PRISON_VISIT_LEGAL,
                               starts_at=at(day, 14), ends_at=at(day, 15), group=GROUP)
            HearingFactory(client=client, starts_at=at(day, 16))

    def read():
        week = my_week_for(personas.you, WEDNESDAY)
        for d in week.days:
            for a in d.appointments + d.key_dates:
                assert a.client.display_name and a.staff.display_name
            for h in d.hearings:
                assert h.client.display_name and h.court.name
            for e in d.releases:
                assert e.client.display_name and e.establishment.name
            assert d.appointment_rows is not None
        return week

    fill(1)
    # appointments, hearings, releases (the week's and the countdown's, one query), their open needs, tasks,
    # follow-ups
    with django_assert_num_queries(6) as few:
        read()
    fill(20)
    with django_assert_num_queries(len(few)):
        week = read()
    assert sum(len(d.hearings) for d in week.days) == 21
    assert sum(len(d.releases) for d in week.days) == 21


def test_appointments_booked_together_are_one_row(personas):
    client_a, client_b, client_c = (personas.client_of(personas.you) for _ in range(3))
    for client, hour in ((client_a, 9), (client_b, 10), (client_c, 11)):
        AppointmentFactory(staff=personas.you, client=client, kind=AppointmentKind.PRISON_VISIT_LEGAL,
                           starts_at=at(WEDNESDAY, hour), ends_at=at(WEDNESDAY, hour + 1), group=GROUP)
    AppointmentFactory(staff=personas.you, client=client_a, starts_at=at(WEDNESDAY, 12), ends_at=at(WEDNESDAY, 13),
                       notes="lunch-office")
    day = _day(my_week_for(personas.you, WEDNESDAY), WEDNESDAY)
    assert len(day.appointments) == 4  # still one per client, as before
    visit, office = day.appointment_rows
    assert [a.client for a in visit.appointments] == [client_a, client_b, client_c]
    assert (visit.starts_at, visit.ends_at) == (at(WEDNESDAY, 9), at(WEDNESDAY, 12))
    assert office.notes == "lunch-office"


def test_the_countdown_on_my_week_is_the_release_board_of_my_own_clients(personas):
    """My week reads its week's releases and its 12-week countdown in one query; the countdown must be exactly
    what releases_upcoming_for(keyworker=you) gives, and the week's releases exactly those in the week."""
    from keyworker.custody.selectors import releases_upcoming_for

    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    mine = [personas.client_of(personas.you) for _ in range(5)]
    released_this_week = CustodyEpisodeFactory(
        client=mine[0], release_on=monday, released_on=monday, received_on=monday - dt.timedelta(days=90)
    )
    soon = CustodyEpisodeFactory(client=mine[1], release_on=today + dt.timedelta(days=20))
    later = CustodyEpisodeFactory(client=mine[2], release_on=today + dt.timedelta(weeks=13))  # past the horizon
    today_release = CustodyEpisodeFactory(client=mine[3], release_on=today)
    CustodyEpisodeFactory(client=personas.client_of(personas.teammate), release_on=today + dt.timedelta(days=3))

    week = my_week_for(personas.you)
    board = releases_upcoming_for(personas.you, today=today, keyworker=personas.you)
    assert [r.episode for r in week.releases_coming] == [r.episode for r in board]
    assert [r.days_to_go for r in week.releases_coming] == [r.days_to_go for r in board]
    assert {r.episode for r in board} == {soon, today_release}
    in_week = {e for d in week.days for e in d.releases}
    assert released_this_week in in_week and today_release in in_week and later not in in_week
