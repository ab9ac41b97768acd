"""The peer mentoring rules, as properties: readiness, the DBS check's three years, supervision every six weeks,
and what is wrong with a pathway or a session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from keyworker.outcomes.rules.mentoring import (
    MISSING_DBS,
    MISSING_INTEREST,
    MISSING_SUPERVISOR,
    MISSING_TRAINING,
    SUPERVISION_EVERY_DAYS,
    dbs_expires_on,
    dbs_is_current,
    mentor_readiness,
    pathway_problems,
    session_problems,
    supervision_due,
    tidy_dbs_certificate,
)

days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
maybe_days = st.none() | days


@dataclass
class Facts:
    interest_on: dt.date | None
    training_completed_on: dt.date | None
    dbs_checked_on: dt.date | None
    supervisor_id: object


@given(interest=maybe_days, training=maybe_days, dbs=maybe_days, supervisor=st.none() | st.just(1), today=days)
def test_ready_exactly_when_all_four_are_in_place(interest, training, dbs, supervisor, today):
    ready, missing = mentor_readiness(Facts(interest, training, dbs, supervisor), today)
    assert ready == (not missing)
    assert (MISSING_INTEREST in missing) == (interest is None or interest > today)
    assert (MISSING_TRAINING in missing) == (training is None or training > today)
    assert (MISSING_DBS in missing) == (not dbs_is_current(dbs, today))
    assert (MISSING_SUPERVISOR in missing) == (supervisor is None)
    assert len(missing) == len(set(missing))


@given(checked=days, today=days)
def test_a_dbs_check_counts_for_three_years_from_its_date(checked, today):
    current = dbs_is_current(checked, today)
    expires = dbs_expires_on(checked)
    assert current == (checked <= today < expires)
    # three years, give or take the 29th of February
    assert 365 * 3 - 1 <= (expires - checked).days <= 365 * 3 + 1
    assert dbs_is_current(checked, checked)
    assert not dbs_is_current(checked, expires)
    assert not dbs_is_current(checked, checked - dt.timedelta(days=1))  # a future check counts for nothing


@given(checked=days, a=days, b=days)
def test_a_current_dbs_check_was_current_every_day_since_it(checked, a, b):
    earlier, later = sorted((a, b))
    if checked <= earlier and dbs_is_current(checked, later):
        assert dbs_is_current(checked, earlier)


def test_a_check_on_the_29th_of_february_runs_out_on_the_28th():
    assert dbs_expires_on(dt.date(2024, 2, 29)) == dt.date(2027, 2, 28)
    assert dbs_is_current(dt.date(2024, 2, 29), dt.date(2027, 2, 27))
    assert not dbs_is_current(dt.date(2024, 2, 29), dt.date(2027, 2, 28))


@given(last=maybe_days, today=days, every=st.integers(min_value=1, max_value=365))
def test_supervision_is_due_when_none_yet_or_the_interval_has_passed(last, today, every):
    due = supervision_due(last, today, every_days=every)
    assert due == (last is None or (today - last).days >= every)


@given(last=days, a=days, b=days)
def test_once_due_supervision_stays_due_until_the_next_one(last, a, b):
    earlier, later = sorted((a, b))
    if supervision_due(last, earlier):
        assert supervision_due(last, later)


def test_supervision_every_six_weeks_by_default():
    last = dt.date(2026, 1, 1)
    assert not supervision_due(last, last + dt.timedelta(days=SUPERVISION_EVERY_DAYS - 1))
    assert supervision_due(last, last + dt.timedelta(days=SUPERVISION_EVERY_DAYS))


@given(digits=st.text(alphabet="0123456789", min_size=12, max_size=12), today=days)
def test_a_twelve_digit_certificate_with_a_date_is_accepted_however_spaced(digits, today):
    spaced = f"{digits[:4]} {digits[4:8]}-{digits[8:]}"
    assert tidy_dbs_certificate(spaced) == digits
    problems = pathway_problems(
        interest_on=today, training_completed_on=None, dbs_checked_on=today, dbs_certificate=spaced, today=today
    )
    assert problems == {}


@given(text=st.text(max_size=20), today=days)
def test_anything_but_twelve_digits_is_not_a_certificate(text, today):
    problems = pathway_problems(
        interest_on=today, training_completed_on=None, dbs_checked_on=today, dbs_certificate=text, today=today
    )
    tidy = tidy_dbs_certificate(text)
    if tidy and not (len(tidy) == 12 and tidy.isascii() and tidy.isdigit()):
        assert "dbs_certificate" in problems


@given(
    interest=maybe_days,
    training=maybe_days,
    dbs=maybe_days,
    today=days,
)
def test_no_date_on_a_pathway_may_be_in_the_future(interest, training, dbs, today):
    problems = pathway_problems(
        interest_on=interest,
        training_completed_on=training,
        dbs_checked_on=dbs,
        dbs_certificate="123456789012" if dbs else "",
        today=today,
    )
    for name, value in (("interest_on", interest), ("training_completed_on", training), ("dbs_checked_on", dbs)):
        if value is not None and value > today:
            assert "The date cannot be in the future." in problems[name]
    assert ("interest_on" in problems) == (interest is None or interest > today)


def test_a_dbs_check_is_its_date_and_its_number_together():
    today = dt.date(2026, 11, 27)
    no_number = pathway_problems(
        interest_on=today, training_completed_on=None, dbs_checked_on=today, dbs_certificate="", today=today
    )
    no_date = pathway_problems(
        interest_on=today, training_completed_on=None, dbs_checked_on=None, dbs_certificate="001234567890", today=today
    )
    assert "dbs_certificate" in no_number and "dbs_checked_on" in no_date
    arabic_digits = "\u0661" * 12  # digits, but not the certificate's
    other_digits = pathway_problems(
        interest_on=today, training_completed_on=None, dbs_checked_on=today, dbs_certificate=arabic_digits, today=today
    )
    assert "dbs_certificate" in other_digits


@given(
    held=maybe_days,
    minutes=st.none() | st.integers(min_value=-10, max_value=1000),
    note_length=st.integers(min_value=0, max_value=1100),
    started=days,
    length=st.none() | st.integers(min_value=0, max_value=400),
    today=days,
)
def test_a_session_happened_within_the_mentoring_and_is_short(held, minutes, note_length, started, length, today):
    ended = started + dt.timedelta(days=length) if length is not None else None
    problems = session_problems(
        held_on=held, duration_minutes=minutes, note="x" * note_length, started_on=started, ended_on=ended, today=today
    )
    held_ok = held is not None and started <= held <= today and (ended is None or held <= ended)
    assert ("held_on" in problems) == (not held_ok)
    assert ("duration_minutes" in problems) == (minutes is None or not 1 <= minutes <= 480)
    assert ("note" in problems) == (note_length > 1000)
