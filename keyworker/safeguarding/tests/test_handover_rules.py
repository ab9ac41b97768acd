"""The on-call line's rules: working days, the handover window, which morning lists a call, who is on call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from keyworker.safeguarding.rules import (
    LONDON,
    handover_morning,
    handover_window,
    is_out_of_hours,
    is_working_day,
    next_working_day,
    on_call_now,
    previous_working_day,
    shift_problems,
)

UTC = dt.UTC
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 12, 31), timezones=st.just(UTC))


def london(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def test_examples():
    friday, monday = dt.date(2026, 11, 27), dt.date(2026, 11, 30)
    assert next_working_day(friday) == monday
    assert next_working_day(dt.date(2026, 11, 28)) == monday
    assert previous_working_day(monday) == friday
    assert handover_window(monday) == (london(friday, 17, 30), london(monday, 9))
    assert handover_window(dt.date(2026, 12, 1)) == (london(monday, 17, 30), london(dt.date(2026, 12, 1), 9))
    # Friday just after midnight (00:10 Saturday): on Monday's handover
    assert handover_morning(london(dt.date(2026, 11, 28), 0, 10)) == monday
    assert handover_morning(london(monday, 8, 59)) == monday
    assert handover_morning(london(monday, 17, 30)) == dt.date(2026, 12, 1)


def test_the_window_follows_the_clock_change():
    # The clocks go back on Sunday 25 October 2026: Friday 17:30 is BST, Monday 09:00 is GMT.
    start, end = handover_window(dt.date(2026, 10, 26))
    assert start.astimezone(UTC) == dt.datetime(2026, 10, 23, 16, 30, tzinfo=UTC)
    assert end.astimezone(UTC) == dt.datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    # an hour longer than most weekends (compared in UTC: Python subtracts same-zone times by the wall clock)
    assert end.astimezone(UTC) - start.astimezone(UTC) == dt.timedelta(days=2, hours=16, minutes=30)


@given(days)
def test_next_and_previous_working_days(day: dt.date):
    following = next_working_day(day)
    earlier = previous_working_day(day)
    assert is_working_day(following) and is_working_day(earlier)
    assert 1 <= (following - day).days <= 3 and 1 <= (day - earlier).days <= 3
    # nothing skipped: every day strictly between is a weekend day
    for gap in range(1, (following - day).days):
        assert not is_working_day(day + dt.timedelta(days=gap))
    assert previous_working_day(following) == (day if is_working_day(day) else earlier)


@given(days.filter(is_working_day))
def test_handover_windows_tile_the_out_of_hours(morning: dt.date):
    start, end = handover_window(morning)
    assert start < end
    assert end.astimezone(LONDON).time() == dt.time(9, 0) and end.astimezone(LONDON).date() == morning
    assert start.astimezone(LONDON).time() == dt.time(17, 30)
    # consecutive working mornings' windows do not overlap, and leave only the office day between them
    _, previous_end = handover_window(previous_working_day(morning))
    assert previous_end <= start
    assert start - previous_end == dt.timedelta(hours=8, minutes=30)
    if morning.weekday() == 0:
        assert start.astimezone(LONDON).weekday() == 4  # Monday's covers the weekend from Friday


@given(moments)
def test_every_out_of_hours_call_is_on_exactly_the_handover_of_its_morning(moment: dt.datetime):
    morning = handover_morning(moment)
    assert is_working_day(morning)
    start, end = handover_window(morning)
    if is_out_of_hours(moment):
        assert start <= moment < end
        # and on no other working morning's
        assert not (handover_window(next_working_day(morning))[0] <= moment)
        prev_start, prev_end = handover_window(previous_working_day(morning))
        assert not (prev_start <= moment < prev_end)
    else:
        assert not (start <= moment < end)  # a call in office hours is the team's that day
        assert morning > moment.astimezone(LONDON).date()


@dataclass
class Shift:
    starts_at: dt.datetime
    ends_at: dt.datetime


@given(st.lists(st.tuples(moments, st.integers(min_value=1, max_value=72 * 60)), max_size=8), moments)
def test_on_call_now_is_exactly_the_shifts_covering_the_moment(raw: list[tuple[dt.datetime, int]], now: dt.datetime):
    shifts = [Shift(start, start + dt.timedelta(minutes=minutes)) for start, minutes in raw]
    found = on_call_now(shifts, now)
    assert all(s.starts_at <= now < s.ends_at for s in found)
    assert all(s in found for s in shifts if s.starts_at <= now < s.ends_at)
    assert on_call_now([Shift(now, now + dt.timedelta(hours=1))], now)  # the start is included
    assert not on_call_now([Shift(now - dt.timedelta(hours=1), now)], now)  # the end is not


def test_shift_problems():
    now = london(dt.date(2026, 11, 27), 12)
    evening = london(dt.date(2026, 11, 27), 17, 30)
    assert shift_problems(evening, evening + dt.timedelta(hours=15, minutes=30), now) == {}
    assert "ends_at" in shift_problems(evening, evening, now)
    assert "ends_at" in shift_problems(evening, evening - dt.timedelta(hours=1), now)
    assert "ends_at" in shift_problems(evening, evening + dt.timedelta(hours=73), now)
    assert "ends_at" in shift_problems(now - dt.timedelta(hours=5), now - dt.timedelta(hours=1), now)
    weekend = shift_problems(evening, london(dt.date(2026, 11, 30), 9), now)
    assert weekend == {}
