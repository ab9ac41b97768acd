"""Course places and the waiting list as plain rules, with property tests over any sequence of bookings."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from keyworker.services import course_rules as rules

BASE = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@given(capacity=st.integers(min_value=0, max_value=1000), holding=st.integers(min_value=-5, max_value=2000))
def test_places_left_is_never_negative(capacity: int, holding: int):
    left = rules.places_left(capacity, holding)
    assert left >= 0
    assert left <= max(capacity, 0)


def test_placement_and_offers():
    assert rules.placement(2, 1) == rules.ENROLLED
    assert rules.placement(2, 2) == rules.WAITING
    assert rules.placement(2, 5) == rules.WAITING  # capacity lowered below those on it
    assert rules.offer_problem(capacity=2, holding=1, status=rules.WAITING) is None
    assert "no free place" in (rules.offer_problem(capacity=2, holding=2, status=rules.WAITING) or "")
    assert "waiting list" in (rules.offer_problem(capacity=2, holding=0, status=rules.ENROLLED) or "")


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.integers()), max_size=40))
def test_the_waiting_list_is_in_order_of_waiting_since(entries: list[tuple[int, int]]):
    stamped = [(BASE + dt.timedelta(minutes=minutes), (index, key)) for index, (minutes, key) in enumerate(entries)]
    ordered = rules.waiting_order(stamped)
    since = {key: when for when, key in stamped}
    assert sorted(ordered) == sorted(key for _, key in stamped)
    assert all(since[a] <= since[b] for a, b in itertools.pairwise(ordered))
    # ties keep the order they were given in (first recorded, first offered)
    for a, b in itertools.pairwise(ordered):
        if since[a] == since[b]:
            assert a[0] < b[0]


# One step of a cohort's life: someone enrols, or the n-th enrolment withdraws, or the n-th is offered a place.
STEPS = st.lists(
    st.one_of(
        st.just(("enrol", 0)),
        st.tuples(st.just("withdraw"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("offer"), st.integers(min_value=0, max_value=30)),
    ),
    max_size=60,
)


@given(capacity=st.integers(min_value=1, max_value=8), steps=STEPS)
def test_a_cohort_never_holds_more_than_its_capacity(capacity: int, steps: list[tuple[str, int]]):
    statuses: list[str] = []
    for action, index in steps:
        holding = sum(1 for s in statuses if s in rules.PLACE_HOLDING)
        if action == "enrol":
            statuses.append(rules.placement(capacity, holding))
        elif index < len(statuses):
            if action == "withdraw" and rules.transition_problem(statuses[index], rules.WITHDRAWN) is None:
                statuses[index] = rules.WITHDRAWN
            elif (
                action == "offer"
                and rules.offer_problem(capacity=capacity, holding=holding, status=statuses[index]) is None
            ):
                statuses[index] = rules.ENROLLED
        held = sum(1 for s in statuses if s in rules.PLACE_HOLDING)
        assert held <= capacity
        assert rules.places_left(capacity, held) == capacity - held


def test_transitions():
    assert rules.transition_problem(rules.WAITING, rules.ENROLLED) is None
    assert rules.transition_problem(rules.ENROLLED, rules.COMPLETED) is None
    assert rules.transition_problem(rules.ENROLLED, rules.LEFT) is None
    assert (
        rules.transition_problem(rules.WAITING, rules.COMPLETED)
        == "Only someone enrolled on the course can complete it."
    )
    assert rules.transition_problem(rules.WAITING, rules.LEFT) == "Only someone enrolled on the course can leave it."
    assert rules.transition_problem(rules.WITHDRAWN, rules.ENROLLED) == "This enrolment has already ended."
    assert rules.transition_problem(rules.COMPLETED, rules.WITHDRAWN) == "This course has already been completed."


def test_dates():
    day = dt.date(2026, 12, 1)
    assert rules.cohort_dates_problem(day, day) is None
    assert rules.cohort_dates_problem(day, day - dt.timedelta(days=1))
    within = dict(cohort_starts_on=day, cohort_ends_on=day + dt.timedelta(days=10), ends_after_start=True)
    assert rules.session_problem(starts_on=day, ends_on=day, **within) is None
    assert "within the cohort's dates" in (
        rules.session_problem(starts_on=day - dt.timedelta(days=1), ends_on=day, **within) or ""
    )
    assert "within the cohort's dates" in (
        rules.session_problem(starts_on=day, ends_on=day + dt.timedelta(days=11), **within) or ""
    )
    assert rules.session_problem(starts_on=day, ends_on=day, **{**within, "ends_after_start": False}) == (
        "A session must end after it starts."
    )
    assert rules.completion_problem(completed_on=day, cohort_starts_on=day, today=day) is None
    assert rules.completion_problem(completed_on=day + dt.timedelta(days=1), cohort_starts_on=day, today=day)
    assert rules.completion_problem(completed_on=day - dt.timedelta(days=1), cohort_starts_on=day, today=day)


def test_attendance_is_for_people_on_the_course_once_the_session_started():
    assert rules.attendance_problem(status=rules.ENROLLED, session_started=True) is None
    assert rules.attendance_problem(status=rules.LEFT, session_started=True) is None
    assert rules.attendance_problem(status=rules.WAITING, session_started=True)
    assert rules.attendance_problem(status=rules.ENROLLED, session_started=False)
