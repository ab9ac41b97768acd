"""The appointment rules in diary/rules.py: which status can be recorded when, the contact kind of an outcome
note, visit lengths and overlapping visit slots (unit and property tests; no database)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from keyworker.casework.models import ContactKind
from keyworker.diary import rules
from keyworker.diary.models import FINISHED_STATUSES, AppointmentKind, AppointmentStatus

UTC = dt.UTC
NOON = dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

statuses = st.sampled_from(list(AppointmentStatus.values))
instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 1, 1), timezones=st.just(UTC)
)


def test_outcome_notes_take_the_kind_of_the_appointment():
    assert rules.contact_kind_for(AppointmentKind.PRISON_VISIT_SOCIAL) == ContactKind.PRISON_VISIT
    assert rules.contact_kind_for(AppointmentKind.PRISON_VISIT_LEGAL) == ContactKind.PRISON_VISIT
    assert rules.contact_kind_for(AppointmentKind.GATE) == ContactKind.GATE
    assert rules.contact_kind_for(AppointmentKind.COURSE) == ContactKind.OTHER
    assert {rules.contact_kind_for(k) for k in AppointmentKind.values} <= set(ContactKind.values)


def test_attendance_waits_for_the_start_but_a_cancellation_does_not():
    later = NOON + dt.timedelta(hours=1)
    for status in ("attended", "late", "dna"):
        assert rules.status_change_problem(current="booked", new=status, starts_at=later, now=NOON)
        assert rules.status_change_problem(current="booked", new=status, starts_at=NOON, now=NOON) is None
    assert rules.status_change_problem(current="booked", new="cancelled", starts_at=later, now=NOON) is None


@given(current=statuses, new=statuses, starts_at=instants, now=instants)
def test_a_finished_appointment_never_changes_and_only_recordable_statuses_are_taken(current, new, starts_at, now):
    problem = rules.status_change_problem(current=current, new=new, starts_at=starts_at, now=now)
    if current in FINISHED_STATUSES or new not in rules.RECORDABLE_STATUSES:
        assert problem is not None
    elif new == AppointmentStatus.CANCELLED or now >= starts_at:
        assert problem is None
    assert (rules.reschedule_problem(current=current) is None) == (current == AppointmentStatus.BOOKED)


@given(st.integers(min_value=-1000, max_value=2000))
def test_visit_lengths(minutes):
    ok = rules.MIN_VISIT_MINUTES <= minutes <= rules.MAX_VISIT_MINUTES
    assert (rules.visit_length_problem(minutes) is None) == ok


slot = st.tuples(st.integers(min_value=0, max_value=24 * 60), st.integers(min_value=1, max_value=8 * 60)).map(
    lambda pair: (NOON + dt.timedelta(minutes=pair[0]), NOON + dt.timedelta(minutes=pair[0] + pair[1]))
)


@given(st.lists(slot, max_size=8))
def test_overlapping_slots_are_exactly_the_pairs_that_share_time(slots):
    expected = [
        (i, j)
        for i in range(len(slots))
        for j in range(i + 1, len(slots))
        if slots[i][0] < slots[j][1] and slots[j][0] < slots[i][1]
    ]
    assert rules.overlapping_slots(slots) == expected


@given(st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=8))
def test_back_to_back_visits_never_overlap(lengths):
    slots, start = [], NOON
    for minutes in lengths:
        slots.append((start, start + dt.timedelta(minutes=minutes)))
        start += dt.timedelta(minutes=minutes)
    assert rules.overlapping_slots(list(reversed(slots))) == []


def test_an_overlap_is_reported_once_with_the_earlier_index_first():
    nine, ten, eleven = (NOON.replace(hour=h) for h in (9, 10, 11))
    assert rules.overlapping_slots([(ten, eleven), (nine, ten.replace(minute=30))]) == [(0, 1)]
