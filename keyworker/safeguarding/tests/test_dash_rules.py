"""The DASH and MARAC rules as plain functions: the score is the count of "yes", the MARAC threshold (14 or
more, 3 or more incidents in 12 months, or professional judgement, which may raise but never lower), and the
NRM decision checks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyworker.safeguarding.rules import (
    DASH_ANSWERS,
    DASH_QUESTIONS,
    dash_question_keys,
    dash_score,
    dash_unanswered,
    dash_yes_questions,
    marac_threshold,
    nrm_decision_problems,
    nrm_is_open,
)

KEYS = [str(n) for n in range(1, 25)]
answer = st.sampled_from(["yes", "no", "not_known"])
answers_strategy = st.fixed_dictionaries({key: answer for key in KEYS})
incidents = st.one_of(st.none(), st.integers(min_value=0, max_value=50))


def test_there_are_24_distinct_questions_in_our_own_words():
    assert len(DASH_QUESTIONS) == 24
    assert len(set(DASH_QUESTIONS)) == 24
    assert dash_question_keys() == KEYS
    assert all(q.endswith("?") for q in DASH_QUESTIONS)
    # the standard order: the current injury first, the abuser's criminal history last
    assert "injured" in DASH_QUESTIONS[0]
    assert "strangle" in DASH_QUESTIONS[14]
    assert "police" in DASH_QUESTIONS[23]


@given(answers_strategy)
def test_the_score_is_the_count_of_yes(answers):
    assert dash_score(answers) == sum(1 for value in answers.values() if value == "yes")
    assert [n for n, _ in dash_yes_questions(answers)] == [int(k) for k in KEYS if answers[k] == "yes"]


@given(answers_strategy, st.sampled_from(KEYS))
def test_not_known_and_no_never_count(answers, key):
    before = dash_score(answers)
    for other in ("no", "not_known", "", "YES", "maybe"):
        changed = {**answers, key: other}
        assert dash_score(changed) == before - (1 if answers[key] == "yes" else 0)


def test_answers_outside_the_24_questions_never_count():
    assert dash_score({"25": "yes", "0": "yes", "q1": "yes"}) == 0
    assert dash_score({key: "not_known" for key in KEYS}) == 0


@given(answers_strategy, st.sampled_from(KEYS))
def test_unanswered_names_exactly_the_missing_questions(answers, key):
    assert dash_unanswered(answers) == []
    missing = {k: v for k, v in answers.items() if k != key}
    assert dash_unanswered(missing) == [int(key)]
    assert dash_unanswered({**answers, key: "perhaps"}) == [int(key)]
    assert set(DASH_ANSWERS) == {"yes", "no", "not_known"}


@given(st.integers(min_value=0, max_value=24), incidents, st.booleans())
def test_fourteen_or_more_always_meets(score, count, judgement):
    meets, reasons = marac_threshold(score, count, judgement)
    if score >= 14:
        assert meets
        assert any(str(score) in reason for reason in reasons)
    assert reasons  # always says why, met or not


@given(st.integers(min_value=0, max_value=24), incidents)
def test_judgement_may_raise_but_never_lower(score, count):
    without, _ = marac_threshold(score, count, False)
    with_judgement, reasons = marac_threshold(score, count, True)
    assert with_judgement  # judgement alone meets the threshold
    assert with_judgement >= without
    assert any("judgement" in reason.lower() for reason in reasons)


@given(answers_strategy, st.sampled_from(KEYS), incidents, st.booleans())
def test_another_yes_never_turns_a_met_threshold_off(answers, key, count, judgement):
    before, _ = marac_threshold(dash_score(answers), count, judgement)
    after, _ = marac_threshold(dash_score({**answers, key: "yes"}), count, judgement)
    assert after >= before


@given(st.integers(min_value=0, max_value=13), st.one_of(st.none(), st.integers(min_value=0, max_value=2)))
def test_below_fourteen_without_judgement_or_escalation_does_not_meet(score, count):
    meets, reasons = marac_threshold(score, count, False)
    assert not meets
    assert reasons == [reasons[0]] and "Below the MARAC threshold" in reasons[0]


def test_thirteen_alone_does_not_meet_and_fourteen_does():
    assert marac_threshold(13, None, False)[0] is False
    assert marac_threshold(13, 0, False)[0] is False
    assert marac_threshold(14, 0, False)[0] is True


@given(st.integers(min_value=0, max_value=24), st.integers(min_value=3, max_value=50))
def test_three_or_more_incidents_is_potential_escalation(score, count):
    meets, reasons = marac_threshold(score, count, False)
    assert meets
    assert any("Potential escalation" in reason and str(count) in reason for reason in reasons)


# --------------------------------------------------------------------------------------------------- NRM

REFERRED = dt.date(2026, 6, 1)
TODAY = dt.date(2026, 11, 27)


def _problems(**decisions):
    values = {
        "referred_on": REFERRED,
        "reasonable_grounds": "pending",
        "reasonable_grounds_on": None,
        "conclusive_grounds": "pending",
        "conclusive_grounds_on": None,
        "today": TODAY,
    }
    return nrm_decision_problems(**(values | decisions))


def test_nothing_decided_yet_is_fine():
    assert _problems() == {}
    assert nrm_is_open("pending", "pending")


@pytest.mark.parametrize(
    ("decisions", "field"),
    [
        ({"reasonable_grounds": "positive"}, "reasonable_grounds_on"),
        ({"reasonable_grounds_on": dt.date(2026, 6, 5)}, "reasonable_grounds_on"),
        ({"reasonable_grounds": "positive", "reasonable_grounds_on": dt.date(2026, 5, 31)}, "reasonable_grounds_on"),
        ({"reasonable_grounds": "positive", "reasonable_grounds_on": dt.date(2026, 11, 28)}, "reasonable_grounds_on"),
        ({"conclusive_grounds": "positive", "conclusive_grounds_on": dt.date(2026, 9, 1)}, "conclusive_grounds"),
        (
            {
                "reasonable_grounds": "negative",
                "reasonable_grounds_on": dt.date(2026, 6, 5),
                "conclusive_grounds": "negative",
                "conclusive_grounds_on": dt.date(2026, 9, 1),
            },
            "conclusive_grounds",
        ),
        (
            {
                "reasonable_grounds": "positive",
                "reasonable_grounds_on": dt.date(2026, 7, 5),
                "conclusive_grounds": "positive",
                "conclusive_grounds_on": dt.date(2026, 7, 1),
            },
            "conclusive_grounds_on",
        ),
    ],
)
def test_decisions_that_cannot_be(decisions, field):
    assert field in _problems(**decisions)


def test_a_full_positive_path():
    problems = _problems(
        reasonable_grounds="positive",
        reasonable_grounds_on=dt.date(2026, 6, 5),
        conclusive_grounds="positive",
        conclusive_grounds_on=dt.date(2026, 10, 1),
    )
    assert problems == {}
    assert not nrm_is_open("positive", "positive")
    assert not nrm_is_open("negative", "pending")
    assert nrm_is_open("positive", "pending")
