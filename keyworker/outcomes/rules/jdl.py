"""The Justice Data Lab cohort file's rules, as pure functions: who is in the cohort, the intervention's dates,
the index date and the prison number. The Ministry of Justice matches each person to the Police National
Computer and compares their reoffending from the index date with a matched control group's.

- The cohort: people with a case a stream funded at some time in the period (an allocation overlapping it,
  the same cohort as the funder report).
- Intervention start: the earliest start of the person's allocations on that stream; end: the latest end, or
  blank while any of them is still open (still funded).
- Index date: the intervention start; or, when the person was in custody that day (received on or before it,
  not released by then), the day they were released from that spell (blank if not yet released): the Data
  Lab measures reoffending from when a person is in the community.
- Prison number: the latest one recorded (a custody spell's, or a transfer's when the new prison gave one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "HEADER",
    "CustodySpell",
    "JdlRow",
    "index_date",
    "intervention_dates",
    "jdl_gender",
    "latest_prison_number",
    "overlaps",
    "spell_on",
]

HEADER = (
    "Surname",
    "Forename",
    "Date of birth",
    "Gender",
    "PNC ID",
    "Prison number",
    "Index date",
    "Intervention start date",
    "Intervention end date",
)


@dataclass(frozen=True)
class CustodySpell:
    received_on: dt.date
    released_on: dt.date | None  # None: still in custody


@dataclass(frozen=True)
class JdlRow:
    """One person's line in the cohort file (PNC ID is always blank: Keyworker does not hold it)."""

    surname: str
    forename: str
    date_of_birth: dt.date | None
    gender: str
    prison_number: str
    index_date: dt.date | None
    intervention_start: dt.date
    intervention_end: dt.date | None

    def cells(self) -> tuple[str | dt.date | None, ...]:
        return (
            self.surname,
            self.forename,
            self.date_of_birth,
            self.gender,
            "",
            self.prison_number,
            self.index_date,
            self.intervention_start,
            self.intervention_end,
        )


def overlaps(starts_on: dt.date, ends_on: dt.date | None, since: dt.date, until: dt.date) -> bool:
    """Whether an allocation from `starts_on` to `ends_on` (open: None) funds anyone between since and until."""
    return starts_on <= until and (ends_on is None or ends_on >= since)


def intervention_dates(allocations: Iterable[tuple[dt.date, dt.date | None]]) -> tuple[dt.date, dt.date | None]:
    """(earliest start, latest end) of a person's allocations on a stream; the end is None while any is open."""
    spans = list(allocations)
    if not spans:
        raise ValueError("A person in the cohort has at least one allocation.")
    start = min(s for s, _ in spans)
    ends = [e for _, e in spans]
    return start, None if any(e is None for e in ends) else max(e for e in ends if e is not None)


def spell_on(day: dt.date, spells: Iterable[CustodySpell]) -> CustodySpell | None:
    """The custody spell the person was in on `day` (received on or before it and not released by it)."""
    for spell in spells:
        if spell.received_on <= day and (spell.released_on is None or spell.released_on > day):
            return spell
    return None


def index_date(intervention_start: dt.date, spells: Iterable[CustodySpell]) -> dt.date | None:
    """The intervention start, or the release from the custody spell the person was in that day (None: not
    released yet)."""
    spell = spell_on(intervention_start, spells)
    if spell is None:
        return intervention_start
    return spell.released_on


def latest_prison_number(numbers: Iterable[tuple[dt.date, str]]) -> str:
    """The most recently given prison number: (the day it was given, the number) pairs; blanks are ignored and
    on the same day the later in the list wins (a transfer recorded after the spell it belongs to)."""
    latest: tuple[dt.date, str] | None = None
    for on, number in numbers:
        number = (number or "").strip()
        if number and (latest is None or on >= latest[0]):
            latest = (on, number)
    return latest[1] if latest else ""


def jdl_gender(gender: str) -> str:
    """The file's Gender column: Male or Female, as the Data Lab matches on; blank otherwise (it is told no
    more than it can use)."""
    return {"male": "Male", "female": "Female"}.get(gender, "")
