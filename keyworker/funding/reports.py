"""The capacity and unfunded-demand report of a team: per active stream, places used and left and its
targets against progress; and the unfunded work the team carries, in aggregate only.

Pure aggregation over querysets (`stream_rows`, `unfunded_summary`) and one selector (`capacity_report_for`)
that applies the access policy. Names and ids never leave this module: every figure about unfunded work
counts people, and a count of 1 to 4 people is shown as "suppressed" (see SUPPRESS_BELOW and
docs/decisions/0019-capacity-report.md). The page, the CSV, the XLSX and the API all read `report_tables`,
so they show the same figures.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import Case, CaseStatus, Contact, Pathway
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.funding.models import FundingStream, StreamAllocation, UnfundedDecision, UnfundedWork
from keyworker.funding.selectors import stream_list_for
from keyworker.people.models import Client, Gender

SUPPRESS_BELOW = 5
# The word for a hidden count. Not "fewer than 5": a count hidden beside a small one so that it cannot be worked
# out from the total may be any size, and a report must not say what is untrue.
SUPPRESSED = "suppressed"
OTHER_AREAS = f"Other areas (each fewer than {SUPPRESS_BELOW} people)"
NOT_RECORDED = "Not recorded"
NO_NEED = "No pathway recorded"
AGE_BANDS = ("Under 18", "18 to 24", "25 to 34", "35 and over", "Age not known")


@dataclass(frozen=True)
class Cell:
    """A count of people; 1 to 4 is suppressed (and so may be a second cell, so it cannot be worked out)."""

    count: int
    suppressed: bool = False

    def __str__(self) -> str:
        return SUPPRESSED if self.suppressed else str(self.count)

    @property
    def value(self) -> int | str:
        """What a download shows: the number, or the words."""
        return SUPPRESSED if self.suppressed else self.count


def _small(count: int, *, hide_zero: bool = False) -> bool:
    return (hide_zero or count > 0) and count < SUPPRESS_BELOW


def suppress(
    counts: Iterable[tuple[str, int]], *, partition: bool, hide_zero: bool = False
) -> list[tuple[str, Cell]]:
    """Cells for labelled counts. In a partition of a known total (each person in exactly one row), a
    single suppressed cell could be worked out from the total, so the next smallest cell is suppressed
    with it (non-zero, unless zeros are hidden too). `hide_zero` hides 0 as well as 1 to 4: funder reports
    do, since a zero beside a total can give a small cell away by difference."""
    rows = list(counts)
    hidden = {label for label, n in rows if _small(n, hide_zero=hide_zero)}
    if partition and len(hidden) == 1:
        rest = sorted((n, label) for label, n in rows if (hide_zero or n > 0) and label not in hidden)
        if rest:
            hidden.add(rest[0][1])
    return [(label, Cell(n, label in hidden)) for label, n in rows]


# ---------------------------------------------------------------------------------------------- streams


@dataclass(frozen=True)
class StreamRow:
    name: str
    funder: str
    starts_on: dt.date
    ends_on: dt.date | None
    places: int
    used: int
    left: int
    targets: str
    funded_in_period: int  # cases the stream funded at any time in the period


def _overlapping(since: dt.date, until: dt.date) -> Q:
    return Q(starts_on__lte=until) & (Q(ends_on__isnull=True) | Q(ends_on__gte=since))


def stream_rows(streams: QuerySet[FundingStream], *, since: dt.date, until: dt.date) -> list[StreamRow]:
    """One row per stream of `streams` (annotated with places_used, as stream_list_for does)."""
    rows = []
    for stream in streams:
        used = int(getattr(stream, "places_used", 0))
        funded = (
            StreamAllocation.objects.filter(_overlapping(since, until), stream=stream)
            .values("case_id")
            .distinct()
            .count()
        )
        rows.append(
            StreamRow(
                name=stream.name,
                funder=stream.funder.name,
                starts_on=stream.starts_on,
                ends_on=stream.ends_on,
                places=stream.places,
                used=used,
                left=max(stream.places - used, 0),
                targets=stream.targets,
                funded_in_period=funded,
            )
        )
    return rows


# --------------------------------------------------------------------------------------------- unfunded


def age_band(date_of_birth: dt.date | None, on: dt.date) -> str:
    if date_of_birth is None:
        return AGE_BANDS[4]
    age = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    if age < 18:
        return AGE_BANDS[0]
    if age < 25:
        return AGE_BANDS[1]
    if age < 35:
        return AGE_BANDS[2]
    return AGE_BANDS[3]


def home_area_counts(areas: Iterable[str | None]) -> tuple[list[tuple[str, int]], int, int]:
    """People per home area: the areas with 5 or more people (by name, sorted), how many live in areas with
    fewer (never named, so no small area is given away), and how many have none recorded. "lambeth" and
    "Lambeth " are one area, shown as first spelled."""
    spelling: dict[str, str] = {}
    keys = []
    for area in areas:
        key = (area or "").strip().casefold()
        spelling.setdefault(key, (area or "").strip())
        keys.append(key)
    counts = Counter(spelling[key] or NOT_RECORDED for key in keys)
    named = sorted((a, n) for a, n in counts.items() if n >= SUPPRESS_BELOW and a != NOT_RECORDED)
    other = sum(n for a, n in counts.items() if n < SUPPRESS_BELOW and a != NOT_RECORDED)
    return named, other, counts[NOT_RECORDED]


@dataclass(frozen=True)
class UnfundedSummary:
    people: Cell
    minutes: int
    by_age: list[tuple[str, Cell]] = field(default_factory=list)
    by_gender: list[tuple[str, Cell]] = field(default_factory=list)
    by_area: list[tuple[str, Cell]] = field(default_factory=list)
    by_need: list[tuple[str, Cell]] = field(default_factory=list)

    @property
    def hours(self) -> str:
        """Hours of contact, to one decimal place; suppressed with the number of people."""
        return SUPPRESSED if self.people.suppressed else f"{self.minutes / 60:.1f}"


def unfunded_cases(team_id: uuid.UUID, *, on: dt.date) -> QuerySet[Case]:
    """The team's cases open (or on hold) as approved unfunded work and funded by no stream on `on`."""
    approved = UnfundedWork.objects.filter(case=OuterRef("pk"), decision=UnfundedDecision.APPROVED)
    funded = StreamAllocation.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on), case=OuterRef("pk"), starts_on__lte=on
    )
    return Case.objects.filter(
        Exists(approved), ~Exists(funded), team_id=team_id, status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD]
    )


def unfunded_summary(
    cases: QuerySet[Case], *, since: dt.date, until: dt.date, on: dt.date | None = None
) -> UnfundedSummary:
    """People (distinct clients) on `cases`, the contact recorded on those cases in the period, and who
    the people are in aggregate. Age is counted on `on` (the end of the period by default)."""
    on = on or until
    clients = list(
        Client.objects.filter(pk__in=cases.values("client_id")).values_list(
            "pk", "date_of_birth", "gender", "home_area"
        )
    )
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    contacts = list(
        Contact.objects.filter(case__in=cases, occurred_at__gte=start, occurred_at__lt=end).values_list(
            "client_id", "duration_minutes", "pathways"
        )
    )
    minutes = sum(m or 0 for _, m, _ in contacts)

    ages = Counter(age_band(dob, on) for _, dob, _, _ in clients)
    gender_labels = dict(Gender.choices)
    genders = Counter(gender_labels.get(g, NOT_RECORDED) if g else NOT_RECORDED for _, _, g, _ in clients)
    named_areas, other, not_recorded = home_area_counts(area for _, _, _, area in clients)

    pathway_labels = dict(Pathway.choices)
    needs_of: dict[object, set[str]] = {pk: set() for pk, _, _, _ in clients}
    for client_id, _, pathways in contacts:
        for pathway in pathways or []:
            if pathway in pathway_labels and client_id in needs_of:
                needs_of[client_id].add(pathway)
    need_counts = Counter(p for needs in needs_of.values() for p in needs)
    no_need = sum(1 for needs in needs_of.values() if not needs)

    return UnfundedSummary(
        people=Cell(len(clients), _small(len(clients))),
        minutes=minutes,
        by_age=suppress(((band, ages[band]) for band in AGE_BANDS), partition=True),
        by_gender=suppress(
            [(label, genders[label]) for _, label in Gender.choices] + [(NOT_RECORDED, genders[NOT_RECORDED])],
            partition=True,
        ),
        by_area=suppress([*named_areas, (OTHER_AREAS, other), (NOT_RECORDED, not_recorded)], partition=True),
        # A person may have several needs, so this is no partition of the total.
        by_need=suppress(
            [(label, need_counts[value]) for value, label in Pathway.choices] + [(NO_NEED, no_need)],
            partition=False,
        ),
    )


# ----------------------------------------------------------------------------------------------- report


@dataclass(frozen=True)
class CapacityReport:
    team: str
    since: dt.date
    until: dt.date
    streams: list[StreamRow]
    unfunded: UnfundedSummary


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 12 months, to today."""
    until = today or timezone.localdate()
    try:
        year_ago = until.replace(year=until.year - 1)
    except ValueError:  # 29 February
        year_ago = until.replace(year=until.year - 1, day=28)
    return year_ago + dt.timedelta(days=1), until


def capacity_report_for(user: User, *, since: dt.date | None = None, until: dt.date | None = None) -> CapacityReport:
    """The report of the user's team. NotFound for anyone policy.can_see_capacity refuses."""
    if not policy.can_see_capacity(user):
        raise NotFound()
    default_since, default_until = default_period()
    until = until or default_until
    since = since or default_since
    if since > until:
        since, until = until, since
    streams = stream_list_for(user, active_only=True, on=until)
    team = user.team
    if team is None:  # pragma: no cover - can_see_capacity needs a team
        raise NotFound()
    return CapacityReport(
        team=team.name,
        since=since,
        until=until,
        streams=stream_rows(streams, since=since, until=until),
        unfunded=unfunded_summary(unfunded_cases(team.pk, on=until), since=since, until=until),
    )


# ----------------------------------------------------------------------------------- tables for downloads


@dataclass(frozen=True)
class Table:
    title: str  # also the XLSX sheet name (31 characters at most)
    header: list[str]
    rows: list[list[object]]


def report_tables(report: CapacityReport) -> list[Table]:
    """The report as plain tables: what the CSV and the XLSX hold, row for row."""
    u = report.unfunded
    return [
        Table(
            "Funding streams",
            [
                "Stream",
                "Funder",
                "Starts",
                "Ends",
                "Places",
                "Places used",
                "Places left",
                "Cases funded in the period",
                "Targets",
            ],
            [
                [
                    s.name,
                    s.funder,
                    s.starts_on.isoformat(),
                    s.ends_on.isoformat() if s.ends_on else "",
                    s.places,
                    s.used,
                    s.left,
                    s.funded_in_period,
                    s.targets,
                ]
                for s in report.streams
            ],
        ),
        Table(
            "Unfunded work",
            ["Measure", "Value"],
            [
                ["Team", report.team],
                ["Period from", report.since.isoformat()],
                ["Period to", report.until.isoformat()],
                ["People (approved unfunded cases open)", u.people.value],
                ["Hours of contact in the period", u.hours],
            ],
        ),
        Table("By age band", ["Age band", "People"], [[label, c.value] for label, c in u.by_age]),
        Table("By gender", ["Gender", "People"], [[label, c.value] for label, c in u.by_gender]),
        Table("By home area", ["Home area", "People"], [[label, c.value] for label, c in u.by_area]),
        Table("By need", ["Pathway", "People"], [[label, c.value] for label, c in u.by_need]),
    ]
