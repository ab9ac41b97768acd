"""Property tests of the milestone rules: sustained spells, calendar months, the reoffending measure."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools

from hypothesis import assume, given
from hypothesis import strategies as st

from keyworker.outcomes.models import MilestoneKind
from keyworker.outcomes.rules import milestones as rules
from keyworker.outcomes.rules.milestones import (
    CheckFacts,
    EnrolmentFacts,
    Period,
    SpellFacts,
    add_months,
    computed_milestones,
    reoffending_status,
    sustained_on,
)

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31))
months = st.integers(min_value=0, max_value=240)
periods = st.sampled_from(
    [Period(13, "weeks"), Period(26, "weeks"), Period(3, "months"), Period(6, "months"), Period(12, "months")]
)
checks = st.lists(
    st.builds(CheckFacts, checked_on=dates, still_going=st.booleans()),
    max_size=8,
)


class Offence:
    def __init__(self, offence_on: dt.date, proven_on: dt.date) -> None:
        self.offence_on = offence_on
        self.proven_on = proven_on


offences = st.lists(
    st.tuples(dates, st.integers(min_value=0, max_value=900)).map(
        lambda t: Offence(t[0], t[0] + dt.timedelta(days=t[1]))
    ),
    max_size=6,
)


def test_kinds_agree_with_the_model():
    named = {getattr(rules, n) for n in dir(rules) if n.isupper() and isinstance(getattr(rules, n), str)}
    assert set(MilestoneKind.values) >= rules.COMPUTED_KINDS
    assert set(rules.HAND_RECORDED_EVIDENCE) <= set(MilestoneKind.values)
    assert set(MilestoneKind.values) <= named
    assert not rules.COMPUTED_KINDS & set(rules.HAND_RECORDED_EVIDENCE)


# ------------------------------------------------------------------------------------------- add_months


@given(dates, months)
def test_add_months_lands_in_the_right_month(day, n):
    later = add_months(day, n)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == n
    assert later.day == min(day.day, calendar.monthrange(later.year, later.month)[1])


@given(dates, months, months)
def test_add_months_is_monotone(day, a, b):
    assume(a <= b)
    assert add_months(day, a) <= add_months(day, b)


@given(dates, dates, months)
def test_add_months_keeps_order(a, b, n):
    assume(a <= b)
    assert add_months(a, n) <= add_months(b, n)


@given(dates)
def test_add_months_zero_and_twelve(day):
    assert add_months(day, 0) == day
    if (day.month, day.day) != (2, 29):
        assert add_months(day, 12) == day.replace(year=day.year + 1)


def test_add_months_examples():
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 3), 18) == dt.date(2028, 5, 3)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


# ------------------------------------------------------------------------------------------ sustained_on


@given(dates, checks, periods, dates)
def test_never_before_the_period_nor_in_the_future(start, cs, period, today):
    on = sustained_on(start, cs, period, today)
    if on is not None:
        assert on == period.after(start) > start
        assert on <= today
        assert any(c.still_going and on <= c.checked_on <= today for c in cs)


@given(dates, checks, dates)
def test_26_weeks_never_before_13(start, cs, today):
    on13 = sustained_on(start, cs, Period(13, "weeks"), today)
    on26 = sustained_on(start, cs, Period(26, "weeks"), today)
    if on26 is not None:
        assert on13 is not None and on13 < on26


@given(dates, checks, dates)
def test_longer_accommodation_implies_shorter(start, cs, today):
    reached = [sustained_on(start, cs, Period(n, "months"), today) for n in (3, 6, 12)]
    for shorter, longer in itertools.pairwise(reached):
        if longer is not None:
            assert shorter is not None and shorter < longer


@given(dates, checks, periods, dates, st.integers(min_value=0, max_value=800))
def test_monotone_in_time(start, cs, period, today, days):
    on = sustained_on(start, cs, period, today)
    if on is not None:
        assert sustained_on(start, cs, period, today + dt.timedelta(days=days)) == on


@given(dates, checks, periods, dates, st.integers(min_value=0, max_value=400))
def test_a_not_going_check_before_the_target_prevents_it(start, cs, period, today, before):
    target = period.after(start)
    gap_on = target - dt.timedelta(days=1 + before)
    assume(gap_on >= start)
    assert sustained_on(start, [*cs, CheckFacts(gap_on, False)], period, today) is None


@given(dates, periods, st.integers(min_value=0, max_value=60))
def test_a_still_going_check_after_the_target_makes_it(start, period, late):
    target = period.after(start)
    check = CheckFacts(target + dt.timedelta(days=late), True)
    assert sustained_on(start, [check], period, check.checked_on) == target
    assert sustained_on(start, [check], period, check.checked_on - dt.timedelta(days=1)) is None
    # ended before the check: the check cannot speak for it
    assert sustained_on(start, [check], period, check.checked_on, ended_on=target - dt.timedelta(days=1)) is None


def test_no_checks_no_milestone():
    assert sustained_on(dt.date(2026, 1, 5), [], Period(13, "weeks"), dt.date(2027, 1, 1)) is None


# ---------------------------------------------------------------------------------------- reoffending


@given(dates, offences, dates, st.integers(min_value=0, max_value=2000))
def test_reoffending_is_monotone_in_time(start, offs, today, days):
    status, on = reoffending_status(start, offs, today)
    later_status, later_on = reoffending_status(start, offs, today + dt.timedelta(days=days))
    if status != rules.NOT_YET_MEASURABLE:
        assert (later_status, later_on) == (status, on)
    else:
        assert on == add_months(start, 18)


@given(dates, offences, dates)
def test_not_measurable_until_18_months(start, offs, today):
    status, on = reoffending_status(start, offs, today)
    assert (status == rules.NOT_YET_MEASURABLE) == (today < add_months(start, 18))
    if status == rules.NO_PROVEN_REOFFENDING:
        assert on == add_months(start, 18)
    if status == rules.REOFFENDED:
        assert start <= on < add_months(start, 12)


@given(dates, offences, dates, dates, st.integers(min_value=0, max_value=900))
def test_offences_after_the_first_year_never_count(start, offs, today, offence_on, lag):
    assume(offence_on >= add_months(start, 12) or offence_on < start)
    with_it = reoffending_status(start, [*offs, Offence(offence_on, offence_on + dt.timedelta(days=lag))], today)
    assert with_it == reoffending_status(start, offs, today)


def test_reoffending_examples():
    start = dt.date(2026, 11, 3)
    late = Offence(dt.date(2027, 10, 1), dt.date(2028, 6, 1))  # committed in the year, proven after 18 months
    early = Offence(dt.date(2027, 10, 1), dt.date(2028, 4, 1))
    assert reoffending_status(start, [], dt.date(2028, 5, 2)) == (rules.NOT_YET_MEASURABLE, dt.date(2028, 5, 3))
    assert reoffending_status(start, [late], dt.date(2028, 5, 3)) == (rules.NO_PROVEN_REOFFENDING, dt.date(2028, 5, 3))
    assert reoffending_status(start, [early], dt.date(2029, 1, 1)) == (rules.REOFFENDED, dt.date(2027, 10, 1))


# ------------------------------------------------------------------------------------ computed_milestones


def test_computed_milestones_from_every_source():
    start = dt.date(2026, 1, 5)
    today = dt.date(2027, 9, 1)
    work = SpellFacts("work", "Warehouse", start, checks=(CheckFacts(start + dt.timedelta(weeks=14), True, "u1"),))
    home = SpellFacts(
        "accommodation",
        "Supported housing",
        start,
        checks=(CheckFacts(dt.date(2026, 7, 10), True), CheckFacts(dt.date(2026, 9, 1), False)),
    )
    course = EnrolmentFacts("Construction skills", dt.date(2026, 3, 1), "CSCS card", "u2")
    not_done = EnrolmentFacts("First aid", None)
    found = computed_milestones(
        case_started_on=start, spells=[work, home], enrolments=[course, course, not_done], offences=[], today=today
    )
    kinds = sorted(m.kind for m in found)
    assert kinds == sorted(
        ["work_13", "housing_3", "housing_6", "completed_course", "qualification", "no_reoffending_12"]
    )
    work13 = next(m for m in found if m.kind == "work_13")
    assert work13.achieved_on == start + dt.timedelta(weeks=13) and work13.by == "u1"
    assert work13.evidence_kind == "computed" and work13.detail == "Warehouse"
    assert next(m for m in found if m.kind == "completed_course").evidence_kind == "records"
    assert next(m for m in found if m.kind == "no_reoffending_12").achieved_on == dt.date(2027, 7, 5)


@given(dates, checks, dates)
def test_computed_milestones_are_never_in_the_future(start, cs, today):
    spell = SpellFacts("work", "Job", start, checks=tuple(cs))
    for m in computed_milestones(case_started_on=start, spells=[spell], enrolments=[], offences=[], today=today):
        assert m.achieved_on <= today
