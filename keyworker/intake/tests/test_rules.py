"""Intake rules: lifecycle, time to first contact, and fuzzy duplicate detection (with properties)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from keyworker.intake.models import ReferralStatus
from keyworker.intake.rules import (
    PersonKey,
    dates_of_birth_match,
    duplicate_score,
    hours_to_first_contact,
    is_possible_duplicate,
    referral_transition_allowed,
)

DOB = dt.date(2002, 3, 14)
UTC = dt.UTC


# --- lifecycle ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("final", ["accepted", "declined", "withdrawn"])
def test_final_statuses_go_nowhere(final: str):
    assert not any(referral_transition_allowed(final, s) for s in ReferralStatus.values)


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("received", "contact_attempted", True),
        ("received", "accepted", True),
        ("contact_attempted", "contact_attempted", True),
        ("assessed", "waiting_list", True),
        ("waiting_list", "accepted", True),
        ("assessed", "contact_attempted", False),
        ("received", "received", False),
        ("waiting_list", "received", False),
        ("nonsense", "accepted", False),
    ],
)
def test_transitions(current: str, new: str, allowed: bool):
    assert referral_transition_allowed(current, new) is allowed


def test_every_status_has_transition_rules():
    from keyworker.intake.rules import next_statuses

    for status in ReferralStatus.values:
        assert next_statuses(status) <= set(ReferralStatus.values)
        assert ReferralStatus.RECEIVED not in next_statuses(status)


# --- time to first contact ---------------------------------------------------------------------------------


def test_hours_to_first_contact():
    received = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert hours_to_first_contact(received, None) is None
    assert hours_to_first_contact(received, received + dt.timedelta(hours=26, minutes=30)) == 26.5
    with pytest.raises(ValueError):
        hours_to_first_contact(received, received - dt.timedelta(minutes=1))


@given(
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)),
)
def test_hours_to_first_contact_is_the_gap(received: dt.datetime, gap: dt.timedelta):
    hours = hours_to_first_contact(received, received + gap)
    assert hours is not None and hours >= 0
    assert abs(hours - gap.total_seconds() / 3600) < 1e-6


# --- duplicates: examples ----------------------------------------------------------------------------------


def p(first: str, last: str = "", preferred: str = "", dob: dt.date | None = DOB) -> PersonKey:
    return PersonKey(first_name=first, last_name=last, preferred_name=preferred, date_of_birth=dob)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (p("Jon", "Smith"), p("John", "Smith"), True),
        (p("Jon", "Smith"), p("Jane", "Smith"), False),
        (p("JOHN", "smith"), p("john", "SMITH"), True),
        (p("John", "Smith"), p("John", "Smyth"), True),
        (p("John", "Smith"), p("John", "Jones"), False),
        (p("Jonathan", "Smith", preferred="Jay"), p("Jay", "Smith"), True),
        (p("Chris", "Okafor"), p("Christopher", "Okafor"), True),
        (p("Mary-Jane", "O'Neil"), p("Mary Jane", "ONeil"), True),
        (p("Zoë", "Brown"), p("Zoe", "Brown"), True),
        (p("Jade"), p("Jade", "Brown"), True),  # a surname missing on one side does not count against
        (p("John", "Smith"), p("John", "Smith", dob=dt.date(2002, 3, 15)), False),
        (p("John", "Smith"), p("John", "Smith", dob=dt.date(1992, 3, 14)), False),
    ],
)
def test_duplicate_examples(a: PersonKey, b: PersonKey, expected: bool):
    assert is_possible_duplicate(a, b) is expected
    assert is_possible_duplicate(b, a) is expected


def test_swapped_day_and_month_match():
    assert dates_of_birth_match(dt.date(2002, 3, 4), dt.date(2002, 4, 3))
    assert is_possible_duplicate(
        p("Jon", "Smith", dob=dt.date(2002, 3, 4)), p("John", "Smith", dob=dt.date(2002, 4, 3))
    )
    assert not dates_of_birth_match(dt.date(2002, 3, 4), dt.date(2003, 4, 3))
    assert not dates_of_birth_match(dt.date(2002, 3, 4), dt.date(2002, 3, 5))


def test_without_a_date_of_birth_only_an_exact_name_counts():
    assert is_possible_duplicate(p("John", "Smith", dob=None), p("john", "SMITH", dob=None))
    assert is_possible_duplicate(p("John", "Smith", dob=None), p("John", "Smith"))  # one side unknown
    assert not is_possible_duplicate(p("Jon", "Smith", dob=None), p("John", "Smith", dob=None))
    assert is_possible_duplicate(p("Jonathan", "Smith", preferred="Jay", dob=None), p("Jay", "Smith", dob=None))
    assert duplicate_score(p("Jon", "Smith", dob=None), p("John", "Smith", dob=None)) == 0.0


# --- duplicates: properties --------------------------------------------------------------------------------

names = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "Zs", "Pd")), max_size=20)
dates = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2020, 12, 31))
people = st.builds(PersonKey, first_name=names, last_name=names, preferred_name=names, date_of_birth=st.none() | dates)


@given(people, people)
def test_symmetric(a: PersonKey, b: PersonKey):
    assert duplicate_score(a, b) == duplicate_score(b, a)
    assert is_possible_duplicate(a, b) == is_possible_duplicate(b, a)


@given(people)
def test_a_record_matches_itself(a: PersonKey):
    assert is_possible_duplicate(a, a)
    assert duplicate_score(a, a) == 1.0


@given(people, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=12))
def test_swapping_day_and_month_still_matches(a: PersonKey, day: int, month: int):
    assume(a.date_of_birth is not None)
    assert a.date_of_birth is not None
    original = dataclasses.replace(a, date_of_birth=dt.date(a.date_of_birth.year, month, day))
    swapped = dataclasses.replace(a, date_of_birth=dt.date(a.date_of_birth.year, day, month))
    assert is_possible_duplicate(original, swapped)


@given(people, people, st.integers(min_value=1, max_value=60))
def test_a_date_of_birth_years_apart_never_matches(a: PersonKey, b: PersonKey, years: int):
    assume(a.date_of_birth is not None)
    assert a.date_of_birth is not None
    day = min(a.date_of_birth.day, 28)
    a = dataclasses.replace(a, date_of_birth=a.date_of_birth.replace(day=day))
    later = a.date_of_birth.replace(year=a.date_of_birth.year + years) if a.date_of_birth else None
    b = dataclasses.replace(b, date_of_birth=later)
    assert not is_possible_duplicate(a, b)
    assert duplicate_score(a, b) == 0.0
