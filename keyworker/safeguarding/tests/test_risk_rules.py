"""Risk review and safety plan rules: which levels rose, the suggested next review, what makes a plan wrong."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from keyworker.safeguarding.rules import (
    REVIEW_INTERVAL_DAYS,
    RISK_DIMENSIONS,
    RISK_LEVELS,
    risk_rank,
    risk_review_problems,
    risk_rises,
    safety_plan_problems,
    suggested_next_review,
)

levels = st.sampled_from(RISK_LEVELS)
reviews = st.fixed_dictionaries({d: levels for d in RISK_DIMENSIONS})
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))
TODAY = dt.date(2026, 3, 2)


@given(reviews, reviews)
def test_a_rise_is_exactly_a_dimension_whose_level_went_up(previous, new):
    rose = risk_rises(previous, new)
    assert rose == [d for d in RISK_DIMENSIONS if risk_rank(new[d]) > risk_rank(previous[d])]
    assert list(rose) == sorted(rose, key=RISK_DIMENSIONS.index)


@given(reviews)
def test_the_same_levels_again_never_alert(review):
    assert risk_rises(review, dict(review)) == []


@given(reviews, reviews)
def test_a_fall_never_alerts(previous, new):
    lowered = {d: min(previous[d], new[d], key=risk_rank) for d in RISK_DIMENSIONS}
    assert risk_rises(previous, lowered) == []


@given(reviews)
def test_a_first_review_alerts_for_high_and_very_high_only(review):
    assert risk_rises(None, review) == [d for d in RISK_DIMENSIONS if review[d] in ("high", "very_high")]


def test_retaliation_from_the_group_is_a_first_review_alert():
    first = {"risk_to_self": "low", "risk_to_others": "low", "risk_from_others": "high"}
    assert risk_rises(None, first) == ["risk_from_others"]
    assert risk_rises(first, {**first, "risk_to_self": "medium"}) == ["risk_to_self"]


@given(st.lists(levels, min_size=1, max_size=3), days)
def test_the_suggestion_follows_the_highest_level(chosen, reviewed_on):
    highest = max(chosen, key=risk_rank)
    suggested = suggested_next_review(chosen, reviewed_on)
    assert suggested - reviewed_on == dt.timedelta(days=REVIEW_INTERVAL_DAYS[highest])


@given(levels, levels, days)
def test_higher_risk_is_never_reviewed_later(a, b, reviewed_on):
    if risk_rank(a) <= risk_rank(b):
        assert suggested_next_review([b], reviewed_on) <= suggested_next_review([a], reviewed_on)


def test_suggested_intervals():
    assert [suggested_next_review([level], TODAY) - TODAY for level in RISK_LEVELS] == [
        dt.timedelta(days=84),
        dt.timedelta(days=42),
        dt.timedelta(days=14),
        dt.timedelta(days=7),
    ]


def test_a_review_needs_every_level_and_the_reasons():
    problems = risk_review_problems(
        levels={"risk_to_self": "low", "risk_to_others": "", "risk_from_others": "extreme"},
        reasons="  ",
        reviewed_on=TODAY,
        next_review_on=None,
        today=TODAY,
    )
    assert set(problems) == {"risk_to_others", "risk_from_others", "reasons", "next_review_on"}


@given(reviews, days, days)
def test_the_next_review_is_never_in_the_past(review, reviewed_on, next_review_on):
    problems = risk_review_problems(
        levels=review,
        reasons="Threats from the group she is leaving.",
        reviewed_on=reviewed_on,
        next_review_on=next_review_on,
        today=TODAY,
    )
    assert ("next_review_on" in problems) == (next_review_on < max(TODAY, reviewed_on))
    assert ("reviewed_on" in problems) == (reviewed_on > TODAY)


@given(
    st.text(max_size=20),
    st.sampled_from(["not_needed", "considering", "in_progress", "moved"]),
    st.one_of(st.none(), days),
    st.one_of(st.none(), days),
)
def test_safety_plan_problems(emergency_plan, status, moved_on, check_in):
    problems = safety_plan_problems(
        emergency_plan=emergency_plan,
        relocation_status=status,
        moved_on=moved_on,
        next_check_in_on=check_in,
        today=TODAY,
    )
    assert ("emergency_plan" in problems) == (not emergency_plan.strip())
    if status == "moved":
        assert ("moved_on" in problems) == (moved_on is None or moved_on > TODAY)
        if moved_on is not None and moved_on <= TODAY:
            assert ("next_check_in_on" in problems) == (check_in is not None and check_in < moved_on)
    else:
        assert ("moved_on" in problems) == (moved_on is not None)
        assert "next_check_in_on" not in problems


def test_a_move_needs_its_date_and_a_check_in_after_it():
    base = {"emergency_plan": "Call 999, then the duty line.", "today": TODAY}
    assert safety_plan_problems(**base, relocation_status="moved", moved_on=None, next_check_in_on=None) == {
        "moved_on": ["Enter the date they moved."]
    }
    assert "next_check_in_on" in safety_plan_problems(
        **base, relocation_status="moved", moved_on=TODAY, next_check_in_on=TODAY - dt.timedelta(days=1)
    )
    assert not safety_plan_problems(**base, relocation_status="moved", moved_on=TODAY, next_check_in_on=TODAY)


def test_the_lone_working_summary_line_for_a_risk_review():
    from keyworker.diary.rules import RiskFacts, risk_summary

    facts = RiskFacts(with_whom="Her aunt", risk_levels=("low", "low", "high"), risk_reviewed_on=TODAY)
    assert risk_summary(facts) == [
        "Expected to be there: Her aunt",
        "Latest risk review (2 Mar 2026): to self low, to others low, from others high",
    ]
