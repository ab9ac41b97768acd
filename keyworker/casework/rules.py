"""Casework business rules as plain functions: no database, no HTTP."""

from __future__ import annotations

import datetime as dt

from keyworker.casework.models import CaseStatus

# Closed is final: support that starts again is a new episode (a new case), so outcomes stay honest.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.ON_HOLD, CaseStatus.CLOSED}),
    CaseStatus.ON_HOLD: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}


def case_transition_allowed(current: str, new: str) -> bool:
    return new in ALLOWED_TRANSITIONS.get(current, frozenset())


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the week containing `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


MAX_CONTACT_MINUTES = 24 * 60


def contact_problems(
    *, occurred_at: dt.datetime, now: dt.datetime, duration_minutes: int | None, note: str
) -> dict[str, str]:
    """What is wrong with a contact before it is recorded, by field. Empty when it may be recorded."""
    problems: dict[str, str] = {}
    if not note.strip():
        problems["note"] = "Enter what happened."
    if occurred_at > now + dt.timedelta(minutes=5):
        problems["occurred_at"] = "A contact cannot be in the future."
    if duration_minutes is not None and not 0 <= duration_minutes <= MAX_CONTACT_MINUTES:
        problems["duration_minutes"] = "Duration must be between 0 and 1,440 minutes."
    return problems
