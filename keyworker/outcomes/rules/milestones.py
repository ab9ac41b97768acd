"""Milestones that are worked out, never ticked by hand: work sustained 13 and 26 weeks, accommodation sustained
3, 6 and 12 months (from a spell's start and its dated checks), no proven reoffending in 12 months (from the
start of support and the proven offences, with the official 6-month lag), and courses completed and
qualifications gained (from the course records). Pure functions: no database, no clock (today is passed in).
docs/decisions/0027-milestones-computed.md says why and how."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

__all__ = [
    "COMPUTED_KINDS",
    "HAND_RECORDED_EVIDENCE",
    "NOT_YET_MEASURABLE",
    "NO_PROVEN_REOFFENDING",
    "REOFFENDED",
    "SPELL_TARGETS",
    "CheckFacts",
    "ComputedMilestone",
    "EnrolmentFacts",
    "Period",
    "SpellFacts",
    "add_months",
    "computed_milestones",
    "long_date",
    "reoffending_status",
    "spell_reached",
    "sustained_on",
]

# Milestone kinds (the values of outcomes.models.MilestoneKind; the tests check they agree).
ENTERED_ETE = "entered_ete"
COMPLETED_COURSE = "completed_course"
QUALIFICATION = "qualification"
WORK_13 = "work_13"
WORK_26 = "work_26"
HOUSING_3 = "housing_3"
HOUSING_6 = "housing_6"
HOUSING_12 = "housing_12"
DRUG_FREE = "drug_free"
LEFT_GROUP = "left_group"
NO_REOFFENDING_12 = "no_reoffending_12"

# Worked out from records; refused when entered by hand. (A qualification can be either: one gained on a
# course is worked out from the enrolment, one gained elsewhere is recorded by hand with its evidence.)
COMPUTED_KINDS = frozenset({WORK_13, WORK_26, HOUSING_3, HOUSING_6, HOUSING_12, NO_REOFFENDING_12, COMPLETED_COURSE})

# The evidence a hand-recorded milestone may rest on, by kind. "computed" is never a person's evidence;
# drug-free is a test or the client's word (and says which); leaving the group is only ever self-declared.
HAND_RECORDED_EVIDENCE: dict[str, tuple[str, ...]] = {
    ENTERED_ETE: ("document", "third_party", "records", "self_report"),
    QUALIFICATION: ("document", "third_party", "records", "self_report"),
    DRUG_FREE: ("test", "self_report"),
    LEFT_GROUP: ("self_report",),
}

NOT_YET_MEASURABLE: Final = "not_yet_measurable"
NO_PROVEN_REOFFENDING: Final = "no_proven_reoffending"
REOFFENDED: Final = "reoffended"
ReoffendingStatus = Literal["not_yet_measurable", "no_proven_reoffending", "reoffended"]

FOLLOW_UP_MONTHS = 12  # offences committed in the first year from the start count
PROVEN_BY_MONTHS = 18  # ... if proven within a further six months (the official lag)


def long_date(day: dt.date) -> str:
    """3 May 2028 (no leading zero, on every platform)."""
    return f"{day.day} {day:%B %Y}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` calendar months on (or back); a day the month lacks becomes its
    last day (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    """How long a spell must last: N weeks (work) or N calendar months (accommodation)."""

    count: int
    unit: Literal["weeks", "months"]

    def after(self, start: dt.date) -> dt.date:
        if self.unit == "weeks":
            return start + dt.timedelta(weeks=self.count)
        return add_months(start, self.count)

    def __str__(self) -> str:
        return f"{self.count} {self.unit}"


# Per spell kind (SpellKind values): the milestones it can reach, shortest first.
SPELL_TARGETS: dict[str, tuple[tuple[str, Period], ...]] = {
    "work": ((WORK_13, Period(13, "weeks")), (WORK_26, Period(26, "weeks"))),
    "accommodation": (
        (HOUSING_3, Period(3, "months")),
        (HOUSING_6, Period(6, "months")),
        (HOUSING_12, Period(12, "months")),
    ),
}


class CheckLike(Protocol):
    @property
    def checked_on(self) -> dt.date: ...
    @property
    def still_going(self) -> bool: ...


class OffenceLike(Protocol):
    @property
    def offence_on(self) -> dt.date: ...
    @property
    def proven_on(self) -> dt.date: ...


def _confirming_check(
    started_on: dt.date,
    checks: Iterable[CheckLike],
    period: Period,
    today: dt.date,
    ended_on: dt.date | None = None,
) -> CheckLike | None:
    target = period.after(started_on)
    if target > today:
        return None  # never in the future
    dated = [c for c in checks if started_on <= c.checked_on <= today]  # checks outside the spell say nothing
    stops = [c.checked_on for c in dated if not c.still_going]
    # A "not going" check is a gap, and a gap ends the spell: a later "still going" is another spell.
    first_stop = min(stops) if stops else None
    going = sorted(
        (
            c
            for c in dated
            if c.still_going
            and c.checked_on >= target
            and (first_stop is None or c.checked_on < first_stop)
            and (ended_on is None or c.checked_on <= ended_on)
        ),
        key=lambda c: c.checked_on,
    )
    return going[0] if going else None


def sustained_on(
    started_on: dt.date,
    checks: Iterable[CheckLike],
    period: Period,
    today: dt.date,
    *,
    ended_on: dt.date | None = None,
) -> dt.date | None:
    """The date a spell became sustained for `period` (its start + the period), or None: only when a check on
    or after that date said it was still going, no check before that one said it was not (a gap ends the
    spell), the spell had not ended before it, and the date is not in the future."""
    if _confirming_check(started_on, checks, period, today, ended_on) is None:
        return None
    return period.after(started_on)


def reoffending_status(
    start_on: dt.date, offences: Iterable[OffenceLike], today: dt.date
) -> tuple[ReoffendingStatus, dt.date]:
    """The one-year proven reoffending measure from `start_on`, with the official six-month lag for offences
    to be proven:
    - ("not_yet_measurable", the date it becomes measurable) until 18 months after the start;
    - ("reoffended", the date of the first such offence) if an offence committed in the 12 months from the
      start was proven within 18 months of the start;
    - otherwise ("no_proven_reoffending", start + 18 months).
    Offences committed before the start or after the first year never count, nor do those proven later."""
    measurable_on = add_months(start_on, PROVEN_BY_MONTHS)
    if today < measurable_on:
        return NOT_YET_MEASURABLE, measurable_on
    year_end = add_months(start_on, FOLLOW_UP_MONTHS)
    counted = [o.offence_on for o in offences if start_on <= o.offence_on < year_end and o.proven_on <= measurable_on]
    if counted:
        return REOFFENDED, min(counted)
    return NO_PROVEN_REOFFENDING, measurable_on


# ------------------------------------------------------------------------------------- computed milestones


@dataclass(frozen=True)
class CheckFacts:
    checked_on: dt.date
    still_going: bool
    by: Any = None  # who checked (a user id): who the milestone is recorded as worked out from


@dataclass(frozen=True)
class SpellFacts:
    kind: str  # "work" or "accommodation"
    description: str
    started_on: dt.date
    ended_on: dt.date | None = None
    checks: Sequence[CheckFacts] = field(default_factory=tuple)


@dataclass(frozen=True)
class EnrolmentFacts:
    course: str
    completed_on: dt.date | None  # None: not completed
    qualification: str = ""
    by: Any = None


@dataclass(frozen=True)
class ComputedMilestone:
    kind: str
    achieved_on: dt.date
    evidence_kind: str  # "computed" (from dated checks or offences) or "records" (course records)
    evidence: str
    detail: str = ""
    by: Any = None  # the user whose record established it; None: whoever is refreshing

    @property
    def key(self) -> tuple[str, dt.date | None, str]:
        """What makes it the same milestone: a qualification by its name alone (recorded by hand or worked out,
        it is one qualification); no proven reoffending by its kind (one per client); the rest by kind, date
        and detail."""
        if self.kind == QUALIFICATION:
            return (self.kind, None, self.detail.strip().lower())
        if self.kind == NO_REOFFENDING_12:
            return (self.kind, None, "")  # one per client
        return (self.kind, self.achieved_on, self.detail)


def spell_reached(spell: SpellFacts, today: dt.date) -> list[tuple[str, dt.date]]:
    """The milestones a spell has reached by today, with their dates, shortest first."""
    reached = []
    for kind, period in SPELL_TARGETS.get(spell.kind, ()):
        on = sustained_on(spell.started_on, spell.checks, period, today, ended_on=spell.ended_on)
        if on is not None:
            reached.append((kind, on))
    return reached


def _spell_milestones(spell: SpellFacts, today: dt.date) -> list[ComputedMilestone]:
    found = []
    what = "In work" if spell.kind == "work" else "In this accommodation"
    for kind, period in SPELL_TARGETS.get(spell.kind, ()):
        check = _confirming_check(spell.started_on, spell.checks, period, today, spell.ended_on)
        if check is None:
            continue
        found.append(
            ComputedMilestone(
                kind=kind,
                achieved_on=period.after(spell.started_on),
                evidence_kind="computed",
                evidence=f"{what} from {long_date(spell.started_on)}; {period} on, still going when checked on "
                f"{long_date(check.checked_on)}.",
                detail=spell.description[:200],
                by=getattr(check, "by", None),
            )
        )
    return found


def computed_milestones(
    *,
    case_started_on: dt.date | None,
    spells: Iterable[SpellFacts],
    enrolments: Iterable[EnrolmentFacts],
    offences: Iterable[OffenceLike],
    today: dt.date,
) -> list[ComputedMilestone]:
    """Every milestone the records show the client has reached by today (whether or not yet recorded)."""
    found: list[ComputedMilestone] = []
    for spell in spells:
        found.extend(_spell_milestones(spell, today))
    for enrolment in enrolments:
        if enrolment.completed_on is None or enrolment.completed_on > today:
            continue
        found.append(
            ComputedMilestone(
                kind=COMPLETED_COURSE,
                achieved_on=enrolment.completed_on,
                evidence_kind="records",
                evidence=f"Completed on {long_date(enrolment.completed_on)}, from the course records.",
                detail=enrolment.course[:200],
                by=enrolment.by,
            )
        )
        if enrolment.qualification.strip():
            found.append(
                ComputedMilestone(
                    kind=QUALIFICATION,
                    achieved_on=enrolment.completed_on,
                    evidence_kind="records",
                    evidence=f"Gained on completing {enrolment.course[:150]} on {long_date(enrolment.completed_on)}, "
                    "from the course records.",
                    detail=enrolment.qualification.strip()[:200],
                    by=enrolment.by,
                )
            )
    if case_started_on is not None:
        status, on = reoffending_status(case_started_on, offences, today)
        if status == NO_PROVEN_REOFFENDING:
            found.append(
                ComputedMilestone(
                    kind=NO_REOFFENDING_12,
                    achieved_on=on,
                    evidence_kind="computed",
                    evidence=f"No offence committed between {long_date(case_started_on)} and "
                    f"{long_date(add_months(case_started_on, FOLLOW_UP_MONTHS) - dt.timedelta(days=1))} was "
                    f"recorded as proven by {long_date(on)}.",
                    detail=f"12 months from the start of support on {long_date(case_started_on)}",
                )
            )
    # One of each (two enrolments on the same course completed the same day are one milestone).
    unique: dict[tuple[str, dt.date | None, str], ComputedMilestone] = {}
    for milestone in found:
        unique.setdefault(milestone.key, milestone)
    return list(unique.values())
