"""When the daily reminders run: 07:00 London time every day, through the clock changes (pure, no database)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from keyworker.diary.reminders import next_run_after

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = dt.UTC


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31), timezones=st.just(UTC)))
def test_the_next_run_is_the_first_seven_oclock_in_london_after_now(now: dt.datetime):
    run = next_run_after(now)
    local = run.astimezone(LONDON)
    assert run > now and run.utcoffset() == dt.timedelta(0)
    assert (local.hour, local.minute, local.second, local.microsecond) == (7, 0, 0, 0)
    # No 07:00 in between: the London 07:00 of the day before is not after now.
    day_before = dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time(7), tzinfo=LONDON)
    assert day_before <= now
    assert run - now <= dt.timedelta(hours=25)  # 24 hours, 25 when the clocks go back


def test_runs_across_the_clock_changes():
    # Spring forward (29 March 2026, 01:00 UTC): Saturday 07:00 GMT, then Sunday 07:00 BST, 23 hours later.
    saturday = dt.datetime(2026, 3, 28, 7, 0, tzinfo=LONDON)
    sunday = next_run_after(saturday)
    assert sunday == dt.datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    assert sunday - saturday == dt.timedelta(hours=23)
    # Fall back (25 October 2026): Saturday 07:00 BST, then Sunday 07:00 GMT, 25 hours later.
    saturday = dt.datetime(2026, 10, 24, 7, 0, tzinfo=LONDON)
    sunday = next_run_after(saturday)
    assert sunday == dt.datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    assert sunday - saturday == dt.timedelta(hours=25)


def test_before_and_after_seven():
    assert next_run_after(dt.datetime(2026, 6, 10, 6, 59, tzinfo=LONDON)) == dt.datetime(2026, 6, 10, 6, 0, tzinfo=UTC)
    assert next_run_after(dt.datetime(2026, 6, 10, 7, 0, tzinfo=LONDON)) == dt.datetime(2026, 6, 11, 6, 0, tzinfo=UTC)
    # Just after midnight UTC in summer is already the next London day.
    assert next_run_after(dt.datetime(2026, 6, 10, 23, 30, tzinfo=UTC)) == dt.datetime(2026, 6, 11, 6, 0, tzinfo=UTC)
