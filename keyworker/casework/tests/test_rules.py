"""Property tests for the casework rules: plain functions, no database."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from keyworker.casework.models import CaseStatus
from keyworker.casework.rules import (
    ALLOWED_TRANSITIONS,
    MAX_CONTACT_MINUTES,
    case_transition_allowed,
    contact_problems,
    week_bounds,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))

# --- week_bounds -----------------------------------------------------------------------------------


@given(days)
@example(dt.date(2025, 3, 30))  # the Sunday the clocks go forward
@example(dt.date(2025, 10, 27))  # a Monday just after the clocks go back
@example(dt.date(2024, 2, 29))
@example(dt.date(2024, 12, 31))  # a week spanning the new year
def test_week_bounds_is_monday_to_sunday_around_the_day(day):
    monday, sunday = week_bounds(day)
    assert monday.weekday() == 0
    assert sunday.weekday() == 6
    assert sunday - monday == dt.timedelta(days=6)
    assert monday <= day <= sunday


@given(days)
def test_every_day_of_a_week_has_the_same_bounds(day):
    monday, sunday = week_bounds(day)
    for offset in range(7):
        assert week_bounds(monday + dt.timedelta(days=offset)) == (monday, sunday)


@given(days)
def test_weeks_tile_without_gaps(day):
    _, sunday = week_bounds(day)
    next_monday, _ = week_bounds(sunday + dt.timedelta(days=1))
    assert next_monday == sunday + dt.timedelta(days=1)


def test_week_bounds_known_week():
    assert week_bounds(dt.date(2025, 6, 11)) == (dt.date(2025, 6, 9), dt.date(2025, 6, 15))
    assert week_bounds(dt.date(2025, 6, 9)) == (dt.date(2025, 6, 9), dt.date(2025, 6, 15))
    assert week_bounds(dt.date(2025, 6, 15)) == (dt.date(2025, 6, 9), dt.date(2025, 6, 15))


# --- case_transition_allowed -----------------------------------------------------------------------

statuses = st.sampled_from(CaseStatus.values)
any_status = st.one_of(statuses, st.text(max_size=12))


@given(any_status)
def test_closed_has_no_exits(new):
    assert case_transition_allowed(CaseStatus.CLOSED, new) is False


@given(any_status)
def test_no_self_transitions(status):
    assert case_transition_allowed(status, status) is False


@given(any_status, any_status)
def test_unknown_statuses_never_transition(current, new):
    if current not in CaseStatus.values or new not in CaseStatus.values:
        assert case_transition_allowed(current, new) is False


@given(statuses)
def test_every_live_status_can_close(current):
    assert case_transition_allowed(current, CaseStatus.CLOSED) is (current != CaseStatus.CLOSED)


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (CaseStatus.OPEN, CaseStatus.ON_HOLD, True),
        (CaseStatus.ON_HOLD, CaseStatus.OPEN, True),
        (CaseStatus.OPEN, CaseStatus.CLOSED, True),
        (CaseStatus.ON_HOLD, CaseStatus.CLOSED, True),
        (CaseStatus.CLOSED, CaseStatus.OPEN, False),
        (CaseStatus.CLOSED, CaseStatus.ON_HOLD, False),
        ("open", "on_hold", True),  # plain strings, as they come from a form
    ],
)
def test_transition_table(current, new, allowed):
    assert case_transition_allowed(current, new) is allowed


def test_every_status_has_a_transition_entry():
    assert set(ALLOWED_TRANSITIONS) == set(CaseStatus.values)


# --- contact_problems ------------------------------------------------------------------------------

NOW = dt.datetime(2025, 6, 11, 14, 0, tzinfo=dt.UTC)
offsets = st.timedeltas(min_value=dt.timedelta(days=-3650), max_value=dt.timedelta(days=30))
durations = st.one_of(st.none(), st.integers(min_value=-10_000, max_value=10_000))


@given(note=st.text(max_size=40), offset=offsets, duration=durations)
def test_contact_problems_names_exactly_the_bad_fields(note, offset, duration):
    problems = contact_problems(occurred_at=NOW + offset, now=NOW, duration_minutes=duration, note=note)
    expected = set()
    if not note.strip():
        expected.add("note")
    if offset > dt.timedelta(minutes=5):
        expected.add("occurred_at")
    if duration is not None and not 0 <= duration <= MAX_CONTACT_MINUTES:
        expected.add("duration_minutes")
    assert set(problems) == expected
    assert all(isinstance(msg, str) and msg for msg in problems.values())


@given(offset=offsets)
def test_future_check_does_not_depend_on_the_timezone_it_is_written_in(offset):
    in_utc = contact_problems(occurred_at=NOW + offset, now=NOW, duration_minutes=None, note="x")
    in_london = contact_problems(
        occurred_at=(NOW + offset).astimezone(LONDON), now=NOW, duration_minutes=None, note="x"
    )
    assert in_utc == in_london


@pytest.mark.parametrize(
    ("offset", "future"),
    [
        (dt.timedelta(minutes=5), False),
        (dt.timedelta(minutes=5, seconds=1), True),
        (dt.timedelta(0), False),
        (dt.timedelta(days=-365), False),
    ],
)
def test_future_grace_is_five_minutes(offset, future):
    problems = contact_problems(occurred_at=NOW + offset, now=NOW, duration_minutes=None, note="Rang.")
    assert ("occurred_at" in problems) is future


@pytest.mark.parametrize(("duration", "bad"), [(-1, True), (0, False), (1440, False), (1441, True), (None, False)])
def test_duration_bounds(duration, bad):
    problems = contact_problems(occurred_at=NOW, now=NOW, duration_minutes=duration, note="Rang.")
    assert ("duration_minutes" in problems) is bad


def test_a_good_contact_has_no_problems():
    assert contact_problems(occurred_at=NOW, now=NOW, duration_minutes=30, note="Met at the gate.") == {}
