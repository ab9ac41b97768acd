"""Course places and the waiting list, as plain functions (no database, no HTTP).

A cohort has `capacity` places; enrolled and completed clients hold one each. Someone enrolling when no place
is free goes on the waiting list. A place freed by someone leaving is offered by a person, never filled
automatically (docs/decisions/0024-courses.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from typing import TypeVar

WAITING = "waiting"
ENROLLED = "enrolled"
COMPLETED = "completed"
LEFT = "left"
WITHDRAWN = "withdrawn"

PLACE_HOLDING = frozenset({ENROLLED, COMPLETED})
ENDED = frozenset({LEFT, WITHDRAWN})
# Who has a row in the attendance grid: those on the course now, or who were on it for some of its sessions.
ATTENDING = frozenset({ENROLLED, COMPLETED, LEFT})

# What each status may become, by which action.
TRANSITIONS: dict[str, frozenset[str]] = {
    WAITING: frozenset({ENROLLED, WITHDRAWN}),
    ENROLLED: frozenset({COMPLETED, LEFT, WITHDRAWN}),
    COMPLETED: frozenset(),
    LEFT: frozenset(),
    WITHDRAWN: frozenset(),
}

K = TypeVar("K", bound=Hashable)


def places_left(capacity: int, holding: int) -> int:
    """Free places: never negative, even if a cohort's capacity was lowered below those already on it."""
    return max(0, capacity - max(0, holding))


def placement(capacity: int, holding: int) -> str:
    """Where someone enrolling now goes: onto the course if a place is free, otherwise the waiting list."""
    return ENROLLED if places_left(capacity, holding) > 0 else WAITING


def offer_problem(*, capacity: int, holding: int, status: str) -> str | None:
    """Why a place cannot be offered to this enrolment now, or None."""
    if status != WAITING:
        return "Only someone on the waiting list can be offered a place."
    if places_left(capacity, holding) <= 0:
        return "There is no free place on this cohort to offer."
    return None


def transition_problem(current: str, new: str) -> str | None:
    if new in TRANSITIONS.get(current, frozenset()):
        return None
    if current in ENDED:
        return "This enrolment has already ended."
    if current == COMPLETED:
        return "This course has already been completed."
    if new == COMPLETED:
        return "Only someone enrolled on the course can complete it."
    if new == LEFT:
        return "Only someone enrolled on the course can leave it."
    return "That change is not possible from where this enrolment is now."


def waiting_order(entries: Iterable[tuple[dt.datetime, K]]) -> list[K]:
    """The waiting list, first come first offered: by `waiting_since`, ties in the order given."""
    indexed = list(enumerate(entries))
    return [key for _, (_, key) in sorted(indexed, key=lambda item: (item[1][0], item[0]))]


def cohort_dates_problem(starts_on: dt.date, ends_on: dt.date) -> str | None:
    if ends_on < starts_on:
        return "The cohort must end on or after the day it starts."
    return None


def session_problem(
    *, cohort_starts_on: dt.date, cohort_ends_on: dt.date, starts_on: dt.date, ends_on: dt.date, ends_after_start: bool
) -> str | None:
    """A session lies within its cohort's dates (London dates) and ends after it starts."""
    if not ends_after_start:
        return "A session must end after it starts."
    if starts_on < cohort_starts_on or ends_on > cohort_ends_on:
        return (
            f"A session must be within the cohort's dates, {cohort_starts_on:%-d %B %Y} to {cohort_ends_on:%-d %B %Y}."
        )
    return None


def attendance_problem(*, status: str, session_started: bool) -> str | None:
    if status not in ATTENDING:
        return "Attendance is recorded only for people on the course."
    if not session_started:
        return "Attendance can be recorded once the session has started."
    return None


def completion_problem(*, completed_on: dt.date, cohort_starts_on: dt.date, today: dt.date) -> str | None:
    if completed_on > today:
        return "The completion date cannot be in the future."
    if completed_on < cohort_starts_on:
        return "The completion date cannot be before the cohort started."
    return None
