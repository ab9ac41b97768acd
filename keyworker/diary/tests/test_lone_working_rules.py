"""The lone-working ladder and its helpers: plain functions, examples and properties (no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from keyworker.diary import rules
from keyworker.diary.models import EscalationLevel
from keyworker.diary.rules import BUDDY, HELP, LADDER_ORDER, MANAGER, RiskFacts

LONDON = ZoneInfo("Europe/London")
END = dt.datetime(2026, 11, 25, 15, 0, tzinfo=LONDON)  # Wednesday's home visit, expected out at 3pm


def _due(minutes_after_end: float, *, raised=(), checked_out=False, help_requested=False, stood_down=False):
    return rules.escalation_levels_due(
        expected_end=END,
        now=END + dt.timedelta(minutes=minutes_after_end),
        checked_out=checked_out,
        help_requested=help_requested,
        raised=set(raised),
        stood_down=stood_down,
    )


def test_levels_match_the_model():
    assert set(LADDER_ORDER) == set(EscalationLevel.values)


def test_the_ladder_by_example():
    assert _due(-5) == []
    assert _due(14.9) == []
    assert _due(15) == [BUDDY]
    assert _due(29, raised=[BUDDY]) == []
    assert _due(30, raised=[BUDDY]) == [MANAGER]
    assert _due(31) == [BUDDY, MANAGER]  # a late job raises both, buddy first
    assert _due(120, raised=[BUDDY, MANAGER]) == []


def test_help_raises_everything_at_once_even_before_the_end():
    assert _due(-30, help_requested=True) == [BUDDY, MANAGER, HELP]
    assert _due(20, raised=[BUDDY], help_requested=True) == [MANAGER, HELP]


def test_nothing_after_check_out_or_stand_down():
    assert _due(60, checked_out=True) == []
    assert _due(60, stood_down=True) == []
    assert _due(60, checked_out=True, help_requested=True) == []


def test_next_check():
    def next_(raised=(), **flags):
        return rules.next_escalation_check(
            expected_end=END,
            checked_out=flags.get("checked_out", False),
            help_requested=flags.get("help_requested", False),
            raised=set(raised),
        )

    assert next_() == END + dt.timedelta(minutes=15)
    assert next_([BUDDY]) == END + dt.timedelta(minutes=30)
    assert next_([BUDDY, MANAGER]) is None
    assert next_(checked_out=True) is None
    assert next_(help_requested=True) is None
    assert rules.escalation_check_times(END) == [END + dt.timedelta(minutes=15), END + dt.timedelta(minutes=30)]


def test_expected_end_problems():
    start = END - dt.timedelta(hours=1)
    assert rules.expected_end_problem(checked_in_at=start, expected_end=END) is None
    assert "later than now" in rules.expected_end_problem(checked_in_at=END, expected_end=start)
    assert "later than now" in rules.expected_end_problem(checked_in_at=END, expected_end=END)
    assert "12 hours" in rules.expected_end_problem(checked_in_at=start, expected_end=start + dt.timedelta(hours=13))


def test_clock_time_is_today_or_past_midnight():
    afternoon = dt.datetime(2026, 11, 25, 14, 0, tzinfo=LONDON)
    assert rules.end_from_clock_time(now=afternoon, clock=dt.time(15, 30)) == afternoon.replace(hour=15, minute=30)
    # A time just gone is today (so it is reported as before the start), not tomorrow afternoon.
    assert rules.end_from_clock_time(now=afternoon, clock=dt.time(13, 0)) == afternoon.replace(hour=13)
    late = dt.datetime(2026, 11, 25, 23, 30, tzinfo=LONDON)
    assert rules.end_from_clock_time(now=late, clock=dt.time(0, 30)) == dt.datetime(
        2026, 11, 26, 0, 30, tzinfo=LONDON
    )


def test_minutes_overdue():
    assert rules.minutes_overdue(expected_end=END, now=END - dt.timedelta(minutes=3)) == 0
    assert rules.minutes_overdue(expected_end=END, now=END + dt.timedelta(minutes=31, seconds=59)) == 31


def test_risk_summary():
    facts = RiskFacts(
        with_whom="Dee and her brother",
        safe_contact_note="Text only, never voicemail.",
        restriction_messages=["High profile: say nothing to the press.", " "],
        area_concerns=["Lambeth: a new group is forming near the estate (Staff observation, 20 Nov 2026)"],
    )
    assert rules.risk_summary(facts) == [
        "Expected to be there: Dee and her brother",
        "Record restricted: High profile: say nothing to the press.",
        "Safe-contact notes: Text only, never voicemail.",
        "Area concern: Lambeth: a new group is forming near the estate (Staff observation, 20 Nov 2026)",
    ]
    assert rules.risk_summary(RiskFacts()) == [rules.NO_RISK_RECORDED]


# ---------------------------------------------------------------------------------------------- properties

minutes = st.integers(min_value=-600, max_value=600)
levels = st.sets(st.sampled_from(LADDER_ORDER))
flags = st.booleans()


def _is_ladder_prefix(levels_in_order: list[str]) -> bool:
    return levels_in_order == list(LADDER_ORDER[: len(levels_in_order)])


@given(minutes, levels, flags, flags)
def test_never_escalates_after_check_out_or_stand_down(after, raised, help_requested, stood_down):
    assert _due(after, raised=raised, checked_out=True, help_requested=help_requested) == []
    assert _due(after, raised=raised, help_requested=help_requested, stood_down=True) == []


@given(minutes, st.integers(min_value=0, max_value=2), flags)
def test_levels_come_in_order(after, already, help_requested):
    """From rungs raised in order, what is due continues the ladder in order, with no gaps or repeats; the
    top rung only ever by asking for help."""
    raised = list(LADDER_ORDER[:already])
    due = _due(after, raised=raised, help_requested=help_requested)
    assert _is_ladder_prefix(raised + due)
    assert (HELP in due) == help_requested


@given(minutes, minutes, levels, flags)
def test_monotone_in_time(first, second, raised, help_requested):
    """Later never un-raises: everything due at the earlier time is still due (or raised) at the later."""
    earlier, later = sorted((first, second))
    assert set(_due(earlier, raised=raised, help_requested=help_requested)) <= set(
        _due(later, raised=raised, help_requested=help_requested)
    )


@given(minutes, st.integers(min_value=0, max_value=2))
def test_next_check_is_after_raising_what_is_due(after, already):
    """Once what is due now is raised, the next check is in the future (or there is none)."""
    now = END + dt.timedelta(minutes=after)
    raised = set(LADDER_ORDER[:already])
    raised |= set(_due(after, raised=raised))
    next_check = rules.next_escalation_check(expected_end=END, checked_out=False, help_requested=False, raised=raised)
    assert next_check is None or next_check > now
    assert next_check is None or next_check in rules.escalation_check_times(END)


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59), minutes)
def test_clock_time_gives_a_moment_within_a_day(hour, minute, offset):
    now = END + dt.timedelta(minutes=offset)
    end = rules.end_from_clock_time(now=now, clock=dt.time(hour, minute))
    assert (end.hour, end.minute) == (hour, minute)
    assert end.date() in (now.date(), now.date() + dt.timedelta(days=1))
    if end > now:  # a moment ahead: acceptable unless it is beyond the longest visit
        problem = rules.expected_end_problem(checked_in_at=now, expected_end=end)
        assert (problem is None) == (end - now <= rules.LONGEST_VISIT)
