"""Safeguarding rules as plain functions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# The office day; outside it (and at weekends) the on-call worker covers.
OFFICE_OPENS = dt.time(9, 0)
OFFICE_CLOSES = dt.time(17, 30)
BREAK_GLASS_HOURS = 4
REASON_MIN_CHARS = 10


def is_out_of_hours(moment: dt.datetime) -> bool:
    """True at weekends and outside 09:00-17:30 on weekdays, London time."""
    local = moment.astimezone(LONDON)
    if local.weekday() >= 5:
        return True
    return not (OFFICE_OPENS <= local.time() < OFFICE_CLOSES)


def break_glass_expiry(granted_at: dt.datetime) -> dt.datetime:
    return granted_at + dt.timedelta(hours=BREAK_GLASS_HOURS)


def reason_problem(reason: str) -> str | None:
    """A reason must say something: a word or two is not a reason anyone can review later."""
    if len(reason.strip()) < REASON_MIN_CHARS:
        return f"Give a reason of at least {REASON_MIN_CHARS} characters."
    return None


# Area concerns: looked at again every 3 months, gone after 12 (intelligence goes stale, and an old
# rumour about a place should not follow the people who live there).
AREA_CONCERN_REVIEW_DAYS = 91
AREA_CONCERN_LIFETIME_DAYS = 365


def area_concern_dates(reported_on: dt.date) -> tuple[dt.date, dt.date]:
    """(review by, expires on) for a concern reported on a day."""
    return (
        reported_on + dt.timedelta(days=AREA_CONCERN_REVIEW_DAYS),
        reported_on + dt.timedelta(days=AREA_CONCERN_LIFETIME_DAYS),
    )


def area_concern_reviewed(reviewed_on: dt.date, expires_on: dt.date) -> dt.date:
    """The next review date after a review: 3 months on, but never past the expiry."""
    return min(reviewed_on + dt.timedelta(days=AREA_CONCERN_REVIEW_DAYS), expires_on)
