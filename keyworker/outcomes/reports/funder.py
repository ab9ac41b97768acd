"""The funder report of a funding stream over a period: raw figures worked out in the database
(`funder_figures`), then the tables a funder sees, with every small number hidden (`funder_report_from`).

What each figure counts is written down in docs/decisions/0028-funder-reports.md; in short, the *cohort* is
the cases the stream funded at any time in the period, each case's *funded window* is its allocation(s) to the
stream cut to the period, and work only counts inside a funded window. Every count is of people (distinct
clients) except the contacts table.

Suppression: every count under 5, zero included, is the words SUPPRESSED; in a partition (each person in one
row) a single hidden cell is joined by the next smallest, so it cannot be worked out from the total. Rates and
relative rates only show when every count behind them is 5 or more. No name, reference, id, date of birth or
small area ever reaches a table: the tables hold labels of groups and numbers only.

Queries: a fixed number whatever the size of the cohort (about a dozen), aggregated in the database where it
can be; per-client work is in Python over a few columns of the cohort's own rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models import Value as SqlValue
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from keyworker.casework.models import Case, ClosureReason, Contact, ContactKind
from keyworker.funding.models import FundingStream, StreamAllocation, TargetMeasure, UnfundedDecision, UnfundedWork
from keyworker.funding.reports import (
    AGE_BANDS,
    NOT_RECORDED,
    OTHER_AREAS,
    SUPPRESS_BELOW,
    age_band,
    home_area_counts,
    suppress,
)
from keyworker.intake.models import Referral
from keyworker.outcomes.models import Milestone, MilestoneKind
from keyworker.outcomes.reports.shape import SUPPRESSED, FunderReport, ReportTable, Value
from keyworker.people.models import Client, EthnicGroup, Ethnicity, Gender, ethnic_group

__all__ = [
    "NOT_SHOWN",
    "PREFERS_NOT_TO_SAY",
    "FunderFigures",
    "GroupFigure",
    "TargetFigure",
    "funder_figures",
    "funder_report_build",
    "funder_report_from",
    "hidden_cells",
    "percent_text",
    "relative_rate",
]

Progress = Callable[[int, str], None]

NOT_SHOWN = "not shown: numbers too small"
PREFERS_NOT_TO_SAY = "Prefers not to say"
RATE_LOW, RATE_HIGH = 0.80, 1.25  # outside this band a relative rate is worth looking at

# ------------------------------------------------------------------------------------------------ pure rules


def hidden_cells(counts: Sequence[int], *, partition: bool, forced: Iterable[int] = ()) -> list[bool]:
    """Which of `counts` to hide: every count under 5 (zero too), the cells at the indices in `forced`, and
    in a partition, when only one cell would be hidden, the next smallest with it."""
    forced = set(forced)
    # A forced cell is passed as 0, which is always hidden; indices as labels so duplicate labels cannot clash.
    cells = suppress(
        [(str(i), 0 if i in forced else n) for i, n in enumerate(counts)], partition=partition, hide_zero=True
    )
    return [cell.suppressed for _, cell in cells]


def shown_counts(counts: Sequence[int], *, partition: bool, forced: Iterable[int] = ()) -> list[Value]:
    """The counts as a report shows them: the number, or SUPPRESSED."""
    hidden = hidden_cells(counts, partition=partition, forced=forced)
    return [SUPPRESSED if h else n for n, h in zip(counts, hidden, strict=True)]


def percent_text(numerator: int, denominator: int, *, hidden: bool = False) -> str:
    """A percentage to 1 dp, only when both counts are 5 or more and the numerator's cell is shown."""
    if hidden or numerator < SUPPRESS_BELOW or denominator < SUPPRESS_BELOW:
        return NOT_SHOWN
    return f"{100 * numerator / denominator:.1f}"


def relative_rate(in_group: int, group: int, in_rest: int, rest: int) -> float | None:
    """The group's rate over everyone else's (1.00 = the same), to 2 dp; None unless all four counts are 5 or
    more (a rate of a handful of people says nothing and could point at someone)."""
    if min(in_group, group, in_rest, rest) < SUPPRESS_BELOW:
        return None
    return round((in_group / group) / (in_rest / rest), 2)


def _rate_text(in_group: int, group: int, in_rest: int, rest: int, *, hidden: bool) -> str:
    rate = None if hidden else relative_rate(in_group, group, in_rest, rest)
    return NOT_SHOWN if rate is None else f"{rate:.2f}"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


# ---------------------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class TargetFigure:
    measure: str  # a TargetMeasure value
    label: str
    target: int | None
    in_period: int
    since_start: int


@dataclass(frozen=True)
class GroupFigure:
    label: str
    people: int
    engaged: int
    achieved: int  # at least one milestone in the period


@dataclass(frozen=True)
class FunderFigures:
    """The raw counts, nothing hidden: never shown as they are; `funder_report_from` makes the tables."""

    funder: str
    stream: str
    since: dt.date
    until: dt.date
    people: int
    referred: int
    newly_funded: int
    engaged: int
    active_at_end: int
    closed: int
    closures: list[tuple[str, int]]  # (reason, people): a partition of `closed`
    contacts: list[tuple[str, int, int]]  # (kind, contacts, minutes)
    targets: list[TargetFigure]
    unfunded_people: int
    unfunded_contacts: int
    unfunded_minutes: int
    age: list[tuple[str, int]]
    gender: list[tuple[str, int]]
    ethnicity: list[tuple[str, int]]
    area: list[tuple[str, int]]
    by_ethnicity: list[GroupFigure] = field(default_factory=list)
    by_gender: list[GroupFigure] = field(default_factory=list)


def _overlapping(since: dt.date, until: dt.date) -> Q:
    return Q(starts_on__lte=until) & (Q(ends_on__isnull=True) | Q(ends_on__gte=since))


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as local-time instants [start, end)."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(since, dt.time.min, tzinfo=tz),
        dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# Why the queries look as they do: a subquery correlated on a contact or a milestone and filtered by stream lets
# the database (SQLite at least) walk the stream's index for every row, which grows with the square of the
# cohort. So the stream's cases are picked once (an uncorrelated IN), subqueries correlate on an allocation's
# case (indexed), and the few rows that need a day-by-day look at a funded window are checked in Python.


def _whole_period_cases(stream: FundingStream, since: dt.date, until: dt.date) -> QuerySet[StreamAllocation]:
    """The stream's cases funded on every day of the period (most of them): their contacts need no day check."""
    return StreamAllocation.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=until), stream=stream, starts_on__lte=since
    )


def _referred_clients(stream: FundingStream, since: dt.date, until: dt.date) -> set[uuid.UUID]:
    start, end = _bounds(since, until)
    cohort_cases = StreamAllocation.objects.filter(_overlapping(since, until), stream=stream).values("case_id")
    return set(
        Referral.objects.filter(case_id__in=cohort_cases, received_at__gte=start, received_at__lt=end)
        .order_by()  # no default ordering: DISTINCT would count it
        .values_list("case__client_id", flat=True)
        .distinct()
    )


def _engaged_clients(stream: FundingStream, since: dt.date, until: dt.date) -> set[uuid.UUID]:
    """People with a contact other than a text message on a day in [since, until] when the stream funded the
    case: per allocation, a look at that case's contacts (indexed by case)."""
    start, end = _bounds(since, until)
    contact = (
        Contact.objects.filter(case_id=OuterRef("case_id"), occurred_at__gte=start, occurred_at__lt=end)
        .exclude(kind=ContactKind.TEXT)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .filter(day__gte=OuterRef("starts_on"), day__lte=Coalesce(OuterRef("ends_on"), SqlValue(until)))
    )
    return set(
        StreamAllocation.objects.filter(_overlapping(since, until), Exists(contact), stream=stream)
        .order_by()  # no default ordering: DISTINCT would count it
        .values_list("case__client_id", flat=True)
        .distinct()
    )


def funder_figures(
    stream: FundingStream, *, since: dt.date, until: dt.date, progress: Progress | None = None
) -> FunderFigures:
    """Every figure of the stream's report over [since, until], raw (unsuppressed)."""

    def step(percent: int, words: str) -> None:
        if progress is not None:
            progress(percent, words)

    # -- the cohort: one row per allocation of the stream overlapping the period
    step(10, "Finding the people the stream funded")
    allocations = list(
        StreamAllocation.objects.filter(_overlapping(since, until), stream=stream).values_list(
            "case_id", "starts_on", "ends_on", "case__client_id", "case__closed_on", "case__closure_reason"
        )
    )
    windows: dict[uuid.UUID, list[tuple[dt.date, dt.date]]] = {}
    client_of: dict[uuid.UUID, uuid.UUID] = {}
    closing: dict[uuid.UUID, tuple[dt.date | None, str]] = {}
    newly: set[uuid.UUID] = set()
    funded_at_end: set[uuid.UUID] = set()
    for case_id, starts_on, ends_on, client_id, closed_on, reason in allocations:
        low, high = max(starts_on, since), min(ends_on or until, until)
        windows.setdefault(case_id, []).append((low, high))
        client_of[case_id] = client_id
        closing[case_id] = (closed_on, reason or "")
        if since <= starts_on <= until:
            newly.add(client_id)
        if ends_on is None or ends_on >= until:
            funded_at_end.add(case_id)
    people = set(client_of.values())

    # -- summary figures
    step(25, "Counting referrals, engagement and closures")
    referred = _referred_clients(stream, since, until)
    still_open = {case_id for case_id, (closed_on, _) in closing.items() if closed_on is None or closed_on > until}
    active = {client_of[case_id] for case_id in funded_at_end & still_open}
    latest_closure: dict[uuid.UUID, tuple[dt.date, str]] = {}
    for case_id, (closed_on, reason) in closing.items():
        if closed_on is None or not any(low <= closed_on <= high for low, high in windows[case_id]):
            continue
        client_id = client_of[case_id]
        if client_id not in latest_closure or (closed_on, reason) > latest_closure[client_id]:
            latest_closure[client_id] = (closed_on, reason)
    reasons = Counter(reason for _, reason in latest_closure.values())
    closures = [(label, reasons[value]) for value, label in ClosureReason.choices] + [(NOT_RECORDED, reasons[""])]

    # -- contacts and hours by kind, and who engaged: one pass over the period's contacts, grouped in the database
    step(40, "Counting contacts and hours")
    by_kind: dict[str, list[int]] = {value: [0, 0] for value in ContactKind.values}
    engaged: set[uuid.UUID] = set()

    def tally(case_id: uuid.UUID, kind: str, n: int, minutes: int | None) -> None:
        counts = by_kind.setdefault(kind, [0, 0])
        counts[0] += n
        counts[1] += minutes or 0
        if kind != ContactKind.TEXT:
            engaged.add(client_of[case_id])

    start, end = _bounds(since, until)
    in_period = Contact.objects.filter(occurred_at__gte=start, occurred_at__lt=end).order_by()
    whole = _whole_period_cases(stream, since, until).values("case_id")
    for row in (
        in_period.filter(case_id__in=whole)
        .values("case_id", "kind")
        .annotate(n=Count("pk"), minutes=Sum("duration_minutes"))
        .values_list("case_id", "kind", "n", "minutes")
    ):
        tally(*row)
    # Cases funded for part of the period: each contact's local day against the case's funded windows.
    part = StreamAllocation.objects.filter(_overlapping(since, until), stream=stream).values("case_id")
    for case_id, kind, occurred_at, minutes in (
        in_period.filter(case_id__in=part)
        .exclude(case_id__in=whole)
        .values_list("case_id", "kind", "occurred_at", "duration_minutes")
    ):
        day = _local_day(occurred_at)
        if any(low <= day <= high for low, high in windows[case_id]):
            tally(case_id, kind, 1, minutes)
    contacts = [(label, by_kind[value][0], by_kind[value][1]) for value, label in ContactKind.choices]

    # -- milestones and targets
    step(55, "Counting milestones against targets")
    # Every allocation of the stream up to `until` (a milestone counts while any of them funded the person), and
    # the milestones of the people they funded: a handful a person, checked against their funded days here.
    ever = StreamAllocation.objects.filter(stream=stream, starts_on__lte=until)
    funded_days: dict[uuid.UUID, list[tuple[dt.date, dt.date]]] = {}
    for client_id, starts_on, ends_on in ever.values_list("case__client_id", "starts_on", "ends_on"):
        funded_days.setdefault(client_id, []).append((starts_on, ends_on or until))
    kinds_in_period: dict[str, set[uuid.UUID]] = {}
    kinds_since_start: dict[str, set[uuid.UUID]] = {}
    for client_id, kind, achieved_on in (
        Milestone.objects.filter(client_id__in=ever.values("case__client_id"), achieved_on__lte=until)
        .order_by()
        .values_list("client_id", "kind", "achieved_on")
    ):
        if any(low <= achieved_on <= high for low, high in funded_days.get(client_id, ())):
            kinds_since_start.setdefault(kind, set()).add(client_id)
            if achieved_on >= since:
                kinds_in_period.setdefault(kind, set()).add(client_id)
    achievers = set().union(*kinds_in_period.values())
    began = min(stream.starts_on, since)
    targets_set = dict(stream.target_figures.values_list("measure", "target"))
    since_start_people = {
        TargetMeasure.REFERRED.value: len(_referred_clients(stream, began, until)),
        TargetMeasure.ENGAGED.value: len(_engaged_clients(stream, began, until)),
    }
    in_period_people = {TargetMeasure.REFERRED.value: len(referred), TargetMeasure.ENGAGED.value: len(engaged)}
    milestone_kinds = set(MilestoneKind.values)
    targets = [
        TargetFigure(
            measure=value,
            label=label,
            target=targets_set.get(value),
            in_period=in_period_people.get(value, len(kinds_in_period.get(value, ()))),
            since_start=since_start_people.get(value, len(kinds_since_start.get(value, ()))),
        )
        for value, label in TargetMeasure.choices
        if value in targets_set or (value in milestone_kinds and kinds_since_start.get(value))
    ]

    # -- the organisation's approved unfunded work
    step(70, "Counting approved unfunded work")
    start, end = _bounds(since, until)
    unfunded_cases = Case.objects.filter(
        Exists(UnfundedWork.objects.filter(case=OuterRef("pk"), decision=UnfundedDecision.APPROVED)),
        ~Exists(StreamAllocation.objects.filter(_overlapping(since, until), case=OuterRef("pk"))),
    )
    unfunded = Contact.objects.filter(case__in=unfunded_cases, occurred_at__gte=start, occurred_at__lt=end).aggregate(
        people=Count("case__client_id", distinct=True), contacts=Count("pk"), minutes=Sum("duration_minutes")
    )

    # -- equality monitoring
    step(85, "Working out equality monitoring")
    clients = list(
        Client.objects.filter(
            pk__in=StreamAllocation.objects.filter(_overlapping(since, until), stream=stream).values("case__client_id")
        ).values_list("pk", "date_of_birth", "gender", "ethnicity", "home_area")
    )
    gender_labels = dict(Gender.choices)
    group_labels = dict(EthnicGroup.choices)

    def gender_of(value: str) -> str:
        return gender_labels.get(value, NOT_RECORDED) if value else NOT_RECORDED

    def ethnicity_of(value: str) -> str:
        if value == Ethnicity.NOT_SAID:
            return PREFERS_NOT_TO_SAY
        group = ethnic_group(value)
        return group_labels[group] if group else NOT_RECORDED

    ethnicity_order = [*group_labels.values(), NOT_RECORDED, PREFERS_NOT_TO_SAY]
    gender_order = [*gender_labels.values(), NOT_RECORDED]
    ages = Counter(age_band(dob, until) for _, dob, _, _, _ in clients)
    genders = Counter(gender_of(g) for _, _, g, _, _ in clients)
    ethnicities = Counter(ethnicity_of(e) for _, _, _, e, _ in clients)
    named_areas, other_areas, no_area = home_area_counts(area for *_, area in clients)

    def groups(order: list[str], label_of: Callable[[tuple[object, ...]], str]) -> list[GroupFigure]:
        tally: dict[str, list[int]] = {label: [0, 0, 0] for label in order}
        for row in clients:
            counts = tally[label_of(row)]
            counts[0] += 1
            counts[1] += row[0] in engaged
            counts[2] += row[0] in achievers
        return [GroupFigure(label, *tally[label]) for label in order]

    return FunderFigures(
        funder=stream.funder.name,
        stream=stream.name,
        since=since,
        until=until,
        people=len(people),
        referred=len(referred),
        newly_funded=len(newly),
        engaged=len(engaged),
        active_at_end=len(active),
        closed=len(latest_closure),
        closures=closures,
        contacts=contacts,
        targets=targets,
        unfunded_people=unfunded["people"] or 0,
        unfunded_contacts=unfunded["contacts"] or 0,
        unfunded_minutes=unfunded["minutes"] or 0,
        age=[(band, ages[band]) for band in AGE_BANDS],
        gender=[(label, genders[label]) for label in gender_order],
        ethnicity=[(label, ethnicities[label]) for label in ethnicity_order],
        area=[*named_areas, (OTHER_AREAS, other_areas), (NOT_RECORDED, no_area)],
        by_ethnicity=groups(ethnicity_order, lambda row: ethnicity_of(str(row[3] or ""))),
        by_gender=groups(gender_order, lambda row: gender_of(str(row[2] or ""))),
    )


# ----------------------------------------------------------------------------------------------------- tables

PEOPLE_NOTE = "People are counted once each, however many cases they have."
# Said once per report (the page's inset, the PDF's opening, the downloads' first table), not under every table.
SUPPRESSION_NOTE = (
    f"Any count under 5, zero included, is shown as \u201c{SUPPRESSED}\u201d, and where one number in a breakdown "
    f"is hidden the next smallest is hidden too (also \u201c{SUPPRESSED}\u201d, whatever its size), so that no "
    "one can be picked out."
)


def _summary_table(f: FunderFigures) -> ReportTable:
    measures = [
        ("People supported in the period", f.people),
        ("Referred in the period", f.referred),
        ("Newly funded in the period", f.newly_funded),
        ("Engaged (at least one contact other than a text message)", f.engaged),
        ("Active at the end of the period", f.active_at_end),
        ("Closed in the period", f.closed),
    ]
    values = shown_counts([n for _, n in measures], partition=False)
    return ReportTable(
        key="summary",
        title="Summary",
        header=["Measure", "People"],
        rows=[[label, v] for (label, _), v in zip(measures, values, strict=True)],
        count_columns=[1],
        chart=True,
        note=(
            "Everyone whose case the stream funded at some time in the period. Referred: the case came from a "
            "referral received in the period. Newly funded: the stream's funding of the case started in the "
            "period. Engaged: a contact other than a text message while the stream funded the case. Active: "
            "the case was open and funded on the last day. Closed: the case closed while the stream funded it. "
            + PEOPLE_NOTE
        ),
    )


def _partition_table(
    key: str, title: str, label_header: str, counts: list[tuple[str, int]], note: str, *, share_of: int | None
) -> ReportTable:
    values = shown_counts([n for _, n in counts], partition=True)
    header = [label_header, "People"]
    rows: list[list[Value]] = []
    for (label, n), v in zip(counts, values, strict=True):
        row: list[Value] = [label, v]
        if share_of is not None:
            row.append(percent_text(n, share_of, hidden=v == SUPPRESSED))
        rows.append(row)
    if share_of is not None:
        header.append("Share (%)")
    return ReportTable(
        key=key, title=title, header=header, rows=rows, count_columns=[1], chart=True, note=note + " " + PEOPLE_NOTE
    )


def _contacts_table(f: FunderFigures) -> ReportTable:
    counts = [n for _, n, _ in f.contacts]
    values = shown_counts(counts, partition=True)
    rows: list[list[Value]] = [
        [label, v, SUPPRESSED if v == SUPPRESSED else _hours(minutes)]
        for (label, _, minutes), v in zip(f.contacts, values, strict=True)
    ]
    total, total_minutes = sum(counts), sum(m for _, _, m in f.contacts)
    total_value = shown_counts([total], partition=False)[0]
    rows.append(["Total", total_value, SUPPRESSED if total_value == SUPPRESSED else _hours(total_minutes)])
    return ReportTable(
        key="contacts",
        title="Contacts and hours",
        header=["Kind of contact", "Contacts", "Hours"],
        rows=rows,
        count_columns=[1],
        note=(
            "Contacts on the stream's cases while the stream funded them, and their recorded length in hours to "
            "one decimal place. A contact recorded without a length counts as a contact and as no time. Hours "
            "are hidden wherever the number of contacts is."
        ),
    )


def _targets_table(f: FunderFigures) -> ReportTable:
    in_period = shown_counts([t.in_period for t in f.targets], partition=False)
    since_start = shown_counts([t.since_start for t in f.targets], partition=False)
    return ReportTable(
        key="targets",
        title="Targets",
        header=["Measure", "Target", "People in the period", "People since the stream began"],
        rows=[
            [t.label, "" if t.target is None else str(t.target), a, b]
            for t, a, b in zip(f.targets, in_period, since_start, strict=True)
        ],
        count_columns=[2, 3],
        note=(
            "Each target the funder set, and every milestone someone achieved. A milestone counts when it was "
            "achieved while the stream funded one of the person's cases. Referred and engaged count as in the "
            "summary. Targets are shown as set. " + PEOPLE_NOTE
        ),
    )


def _unfunded_table(f: FunderFigures) -> ReportTable:
    people, contacts = shown_counts([f.unfunded_people, f.unfunded_contacts], partition=False)
    hours = SUPPRESSED if SUPPRESSED in (people, contacts) else _hours(f.unfunded_minutes)
    return ReportTable(
        key="unfunded",
        title="Unfunded work",
        header=["Work", "People", "Contacts", "Hours"],
        rows=[["Approved unfunded work with contact in the period", people, contacts, hours]],
        count_columns=[1, 2],
        note=(
            "Work the organisation approved without funding, on cases no stream funded in the period, that had "
            "contact in the period. " + PEOPLE_NOTE
        ),
    )


def small_remainders(people: Sequence[int], with_outcome: Sequence[int]) -> list[int]:
    """The rows where the people without the outcome number 1 to 4."""
    return [i for i, (n, k) in enumerate(zip(people, with_outcome, strict=True)) if 0 < n - k < SUPPRESS_BELOW]


def _disproportionality_table(key: str, title: str, label_header: str, figures: list[GroupFigure]) -> ReportTable:
    everyone = sum(g.people for g in figures)
    all_engaged = sum(g.engaged for g in figures)
    all_achieved = sum(g.achieved for g in figures)
    people_hidden = hidden_cells([g.people for g in figures], partition=True)
    # A row whose people are hidden hides its other counts too, so they cannot narrow down the hidden one.
    forced = [i for i, h in enumerate(people_hidden) if h]
    # A group's count beside its people gives away the rest (16 people, 15 engaged: one of them did not), so a
    # count that leaves 1 to 4 people over is hidden as if it were small itself.
    people = [g.people for g in figures]
    engaged = [g.engaged for g in figures]
    achieved = [g.achieved for g in figures]
    engaged_hidden = hidden_cells(engaged, partition=True, forced=forced + small_remainders(people, engaged))
    achieved_hidden = hidden_cells(achieved, partition=True, forced=forced + small_remainders(people, achieved))
    rows: list[list[Value]] = []
    for i, g in enumerate(figures):
        rows.append(
            [
                g.label,
                SUPPRESSED if people_hidden[i] else g.people,
                SUPPRESSED if engaged_hidden[i] else g.engaged,
                percent_text(g.engaged, g.people, hidden=engaged_hidden[i] or people_hidden[i]),
                SUPPRESSED if achieved_hidden[i] else g.achieved,
                percent_text(g.achieved, g.people, hidden=achieved_hidden[i] or people_hidden[i]),
                _rate_text(
                    g.engaged,
                    g.people,
                    all_engaged - g.engaged,
                    everyone - g.people,
                    hidden=engaged_hidden[i] or people_hidden[i],
                ),
                _rate_text(
                    g.achieved,
                    g.people,
                    all_achieved - g.achieved,
                    everyone - g.people,
                    hidden=achieved_hidden[i] or people_hidden[i],
                ),
            ]
        )
    return ReportTable(
        key=key,
        title=title,
        header=[
            label_header,
            "People",
            "Engaged",
            "Engaged (%)",
            "Achieved a milestone",
            "Achieved (%)",
            "Relative rate: engaged",
            "Relative rate: achieved",
        ],
        rows=rows,
        count_columns=[1, 2, 4],
        note=(
            "The relative rate compares a group's rate with the rate of everyone else supported: 1.00 means the "
            f"same, below {RATE_LOW:.2f} or above {RATE_HIGH:.2f} is worth looking at. A rate or relative rate "
            "is shown only when every count behind it is 5 or more. Achieved: at least one milestone in the "
            "period. " + PEOPLE_NOTE
        ),
    )


def funder_report_from(figures: FunderFigures, *, generated_at: dt.datetime | None = None) -> FunderReport:
    """The report's tables from raw figures, with every small number hidden."""
    f = figures
    equality = "Of the people supported in the period."
    tables = [
        _summary_table(f),
        _partition_table(
            "closures",
            "Closures by reason",
            "Reason",
            f.closures,
            "People whose case closed while the stream funded it, by the reason for their latest closure.",
            share_of=None,
        ),
        _contacts_table(f),
        _targets_table(f),
        _unfunded_table(f),
        _partition_table("age", "Age", "Age band", f.age, equality + " Age on the last day.", share_of=f.people),
        _partition_table("gender", "Gender", "Gender", f.gender, equality, share_of=f.people),
        _partition_table(
            "ethnicity",
            "Ethnicity",
            "Ethnic group",
            f.ethnicity,
            equality + " The five census groups, as people describe themselves.",
            share_of=f.people,
        ),
        _partition_table(
            "area",
            "Home area",
            "Home area",
            f.area,
            equality + " Areas where fewer than 5 people live are grouped together and not named.",
            share_of=f.people,
        ),
        _disproportionality_table("disproportionality", "Engagement by ethnic group", "Ethnic group", f.by_ethnicity),
        _disproportionality_table("disproportionality_gender", "Engagement by gender", "Gender", f.by_gender),
    ]
    return FunderReport(
        funder=f.funder,
        stream=f.stream,
        since=f.since,
        until=f.until,
        generated_at=generated_at or timezone.now(),
        tables=tables,
    )


def funder_report_build(
    stream: FundingStream, *, since: dt.date, until: dt.date, progress: Progress | None = None
) -> FunderReport:
    """The stream's report over the period: the figures, then the tables."""
    report = funder_report_from(funder_figures(stream, since=since, until=until, progress=progress))
    if progress is not None:
        progress(100, "Done")
    return report
