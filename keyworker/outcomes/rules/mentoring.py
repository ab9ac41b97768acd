"""Peer mentoring rules: when a client on the path to mentoring is ready to mentor, when a DBS check runs out,
when supervision is due, and what is wrong with a pathway, a supervision or a session before it is saved.
Plain functions over dates and values: no database, no HTTP."""

from __future__ import annotations

import datetime as dt
import re
from typing import Protocol

__all__ = [
    "DBS_CERTIFICATE_PATTERN",
    "DBS_VALID_YEARS",
    "MAX_SESSION_MINUTES",
    "MISSING_DBS",
    "MISSING_INTEREST",
    "MISSING_SUPERVISOR",
    "MISSING_TRAINING",
    "SESSION_NOTE_MAX",
    "SUPERVISION_EVERY_DAYS",
    "SUPERVISION_NOTE_MAX",
    "PathwayFacts",
    "dbs_expires_on",
    "dbs_is_current",
    "mentor_readiness",
    "next_supervision_on",
    "pathway_problems",
    "session_problems",
    "supervision_due",
    "supervision_problems",
    "tidy_dbs_certificate",
]

# The charity's own rule (there is no statutory expiry): a DBS check is relied on for three years.
DBS_VALID_YEARS = 3
# Supervision every six weeks, as for the charity's volunteers.
SUPERVISION_EVERY_DAYS = 42
# An enhanced DBS certificate number is twelve digits.
DBS_CERTIFICATE_PATTERN = re.compile(r"^[0-9]{12}\Z")
SESSION_NOTE_MAX = 1000
SUPERVISION_NOTE_MAX = 2000
MAX_SESSION_MINUTES = 480

MISSING_INTEREST = "their interest in mentoring recorded"
MISSING_TRAINING = "mentor training completed"
MISSING_DBS = "a DBS check in the last 3 years"
MISSING_SUPERVISOR = "a supervisor named"


class PathwayFacts(Protocol):
    """What readiness reads from a pathway (a MentorPathway, or anything with these attributes)."""

    @property
    def interest_on(self) -> dt.date | None: ...
    @property
    def training_completed_on(self) -> dt.date | None: ...
    @property
    def dbs_checked_on(self) -> dt.date | None: ...
    @property
    def supervisor_id(self) -> object: ...


def _years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February (the earlier day: never over-trusting)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def dbs_expires_on(checked_on: dt.date) -> dt.date:
    """The first day a DBS check no longer counts: its third anniversary."""
    return _years_after(checked_on, DBS_VALID_YEARS)


def dbs_is_current(checked_on: dt.date | None, today: dt.date) -> bool:
    """A check counts from its date until the day before its third anniversary (a future date never counts)."""
    return checked_on is not None and checked_on <= today < dbs_expires_on(checked_on)


def _happened(day: dt.date | None, today: dt.date) -> bool:
    return day is not None and day <= today


def mentor_readiness(pathway: PathwayFacts, today: dt.date) -> tuple[bool, list[str]]:
    """Ready to mentor when their interest is recorded, training is completed, a DBS check is current and a
    supervisor is named. Returns (ready, what is still missing, in the order it usually comes)."""
    missing: list[str] = []
    if not _happened(pathway.interest_on, today):
        missing.append(MISSING_INTEREST)
    if not _happened(pathway.training_completed_on, today):
        missing.append(MISSING_TRAINING)
    if not dbs_is_current(pathway.dbs_checked_on, today):
        missing.append(MISSING_DBS)
    if pathway.supervisor_id is None:
        missing.append(MISSING_SUPERVISOR)
    return not missing, missing


def next_supervision_on(last_supervision_on: dt.date | None, today: dt.date, every_days: int) -> dt.date:
    """When the next supervision falls: `every_days` after the last, or today when there has been none."""
    if last_supervision_on is None:
        return today
    return last_supervision_on + dt.timedelta(days=every_days)


def supervision_due(
    last_supervision_on: dt.date | None, today: dt.date, every_days: int = SUPERVISION_EVERY_DAYS
) -> bool:
    """Supervision is due when there has been none, or `every_days` or more have passed since the last."""
    return today >= next_supervision_on(last_supervision_on, today, every_days)


def tidy_dbs_certificate(value: str) -> str:
    """The certificate number as typed, without the spaces and dashes people put in long numbers."""
    return re.sub(r"[\s-]", "", value)


def pathway_problems(
    *,
    interest_on: dt.date | None,
    training_completed_on: dt.date | None,
    dbs_checked_on: dt.date | None,
    dbs_certificate: str,
    started_mentoring_on: dt.date | None = None,
    today: dt.date,
) -> dict[str, list[str]]:
    """What is wrong with a pathway's facts, by field. Dates are things that have happened: none in the future.
    A DBS check is its date and its certificate number together."""
    problems: dict[str, list[str]] = {}
    if interest_on is None:
        problems["interest_on"] = ["Enter the date they said they would like to mentor."]
    dates = {
        "interest_on": interest_on,
        "training_completed_on": training_completed_on,
        "dbs_checked_on": dbs_checked_on,
        "started_mentoring_on": started_mentoring_on,
    }
    for name, value in dates.items():
        if value is not None and value > today:
            problems.setdefault(name, []).append("The date cannot be in the future.")
    certificate = tidy_dbs_certificate(dbs_certificate)
    if certificate and not DBS_CERTIFICATE_PATTERN.match(certificate):
        problems["dbs_certificate"] = ["Enter the certificate number: 12 digits."]
    elif certificate and dbs_checked_on is None:
        problems["dbs_checked_on"] = ["Enter the date on the DBS certificate."]
    elif dbs_checked_on is not None and not certificate:
        problems["dbs_certificate"] = ["Enter the DBS certificate number (12 digits) with its date."]
    return problems


def supervision_problems(
    *, held_on: dt.date | None, note: str, interest_on: dt.date, today: dt.date
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if held_on is None:
        problems["held_on"] = ["Enter the date of the supervision."]
    elif held_on > today:
        problems["held_on"] = ["A supervision cannot be in the future: record it once it has happened."]
    elif held_on < interest_on:
        problems["held_on"] = ["A supervision cannot be before they were on the path to mentoring."]
    if len(note) > SUPERVISION_NOTE_MAX:
        problems["note"] = [f"Keep the note to {SUPERVISION_NOTE_MAX} characters."]
    return problems


def session_problems(
    *,
    held_on: dt.date | None,
    duration_minutes: int | None,
    note: str,
    started_on: dt.date,
    ended_on: dt.date | None,
    today: dt.date,
) -> dict[str, list[str]]:
    """What is wrong with a mentoring session, by field: it happened (not in the future), within the
    relationship's dates, lasted between 1 minute and 8 hours, and its note is short."""
    problems: dict[str, list[str]] = {}
    if held_on is None:
        problems["held_on"] = ["Enter the date of the session."]
    elif held_on > today:
        problems["held_on"] = ["A session cannot be in the future: record it once it has happened."]
    elif held_on < started_on:
        problems["held_on"] = ["The session is before the mentoring started."]
    elif ended_on is not None and held_on > ended_on:
        problems["held_on"] = ["The session is after the mentoring ended."]
    if duration_minutes is None:
        problems["duration_minutes"] = ["Enter how long the session was, in minutes."]
    elif not 1 <= duration_minutes <= MAX_SESSION_MINUTES:
        problems["duration_minutes"] = [f"Enter between 1 and {MAX_SESSION_MINUTES} minutes."]
    if len(note) > SESSION_NOTE_MAX:
        problems["note"] = [f"Keep the note to {SESSION_NOTE_MAX} characters."]
    return problems
