"""The funder report's figures against the same figures worked out independently, by plain Python over the raw
rows, for a realistic random cohort (seeded) and for the edge cases a funder would ask about."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.casework.models import Case, CaseStatus, ClosureReason, Contact, ContactKind
from keyworker.core.testing import (
    CaseFactory,
    ClientFactory,
    ContactFactory,
    FundingStreamFactory,
    MilestoneFactory,
    StreamAllocationFactory,
    StreamTargetFactory,
    UserFactory,
)
from keyworker.funding.models import (
    FundingStream,
    StreamAllocation,
    StreamTarget,
    TargetMeasure,
    UnfundedDecision,
    UnfundedWork,
)
from keyworker.intake.models import Referral, ReferralSource
from keyworker.outcomes.models import Milestone, MilestoneKind
from keyworker.outcomes.reports.funder import funder_figures, funder_report_from
from keyworker.outcomes.reports.shape import SUPPRESSED
from keyworker.people.models import Client, Ethnicity, Gender

pytestmark = pytest.mark.django_db

SINCE, UNTIL = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
AREAS = ["Lambeth"] * 6 + ["Southwark"] * 4 + ["Croydon"] * 2 + ["Bromley", "Sutton", " lambeth", ""]


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A local (London) time on the day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class Cohort:
    stream: FundingStream
    other: FundingStream
    clients: list[Client] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


def build_cohort(seed: int = 8, size: int = 60) -> Cohort:
    """`size` clients over two streams and approved unfunded work: allocations starting and ending around the
    period, contacts with and without durations inside and outside funded windows, referrals, closures with
    reasons, milestones inside and outside, and a spread of ethnicities, genders, ages and areas."""
    rng = random.Random(seed)
    worker = UserFactory()
    manager = UserFactory(role=Role.MANAGER, team=worker.team)
    stream = FundingStreamFactory(name="Young Londoners", starts_on=dt.date(2025, 6, 1))
    other = FundingStreamFactory(name="Second Chances", starts_on=dt.date(2025, 1, 1))
    StreamTargetFactory(stream=stream, measure=TargetMeasure.REFERRED, target=40)
    StreamTargetFactory(stream=stream, measure=TargetMeasure.ENGAGED, target=30)
    StreamTargetFactory(stream=stream, measure=TargetMeasure.ENTERED_ETE, target=10)
    StreamTargetFactory(stream=other, measure=TargetMeasure.QUALIFICATION, target=3)
    cohort = Cohort(stream=stream, other=other)

    def day_between(low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=rng.randint(0, max((high - low).days, 0)))

    for n in range(size):
        client = ClientFactory(
            first_name=f"Zephyrine{n}",
            last_name=f"Quillfeather{n}",
            date_of_birth=rng.choice([None, day_between(dt.date(1970, 1, 1), dt.date(2010, 12, 31))]),
            gender=rng.choice([*Gender.values, ""]),
            ethnicity=rng.choice([*Ethnicity.values, "", "", "white_british", "black_caribbean"]),
            home_area=rng.choice(AREAS),
            postcode=f"SW{n % 9 + 1} {n % 7 + 1}QX",
        )
        cohort.clients.append(client)
        for _ in range(rng.choice([1, 1, 1, 2])):  # some clients have two cases
            opened = day_between(dt.date(2025, 6, 1), dt.date(2026, 3, 20))
            closed = rng.random() < 0.35
            closed_on = day_between(opened, dt.date(2026, 5, 30)) if closed else None
            case = CaseFactory(
                client=client,
                keyworker=worker,
                opened_on=opened,
                status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
                closed_on=closed_on,
                closure_reason=rng.choice([*ClosureReason.values, ""]) if closed else "",
            )
            cohort.cases.append(case)
            funding = rng.random()
            if funding < 0.7:
                starts = day_between(opened, opened + dt.timedelta(days=30))
                ends = rng.choice([None, None, day_between(starts, dt.date(2026, 6, 1))])
                StreamAllocationFactory(case=case, stream=stream, starts_on=starts, ends_on=ends, allocated_by=manager)
                if rng.random() < 0.15:  # also funded by another stream
                    StreamAllocationFactory(case=case, stream=other, starts_on=starts, allocated_by=manager)
            elif funding < 0.85:
                StreamAllocationFactory(case=case, stream=other, starts_on=opened, allocated_by=manager)
            else:
                approved = rng.random() < 0.7
                UnfundedWork.objects.create(
                    case=case,
                    reason="Gang exit support without a stream.",
                    requested_by=worker,
                    decision=UnfundedDecision.APPROVED if approved else UnfundedDecision.PENDING,
                    decided_by=manager if approved else None,
                    decided_at=at(opened) if approved else None,
                )
            if rng.random() < 0.5:
                Referral.objects.create(
                    source=rng.choice(ReferralSource.values),
                    received_at=at(day_between(opened - dt.timedelta(days=20), opened), rng.randint(8, 18)),
                    reason="Worried about him.",
                    team=worker.team,
                    received_by=worker,
                    first_name=client.first_name,
                    last_name=client.last_name,
                    client=client,
                    case=case,
                )
            for _ in range(rng.randint(0, 6)):
                ContactFactory(
                    client=client,
                    case=case,
                    recorded_by=worker,
                    kind=rng.choice(ContactKind.values),
                    occurred_at=at(day_between(dt.date(2025, 11, 1), dt.date(2026, 5, 1)), rng.randint(0, 23)),
                    duration_minutes=rng.choice([None, 15, 30, 45, 60, 90]),
                )
        for _ in range(rng.randint(0, 3)):
            MilestoneFactory(
                client=client,
                kind=rng.choice(MilestoneKind.values),
                achieved_on=day_between(dt.date(2025, 5, 1), dt.date(2026, 5, 1)),
                recorded_by=worker,
            )
    return cohort


# --------------------------------------------------------------------------------- the figures, independently


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def expected(stream: FundingStream, since: dt.date, until: dt.date) -> dict[str, Any]:
    """Every figure worked out by loops over raw rows, sharing nothing with the engine."""
    allocations = list(StreamAllocation.objects.values("case_id", "stream_id", "starts_on", "ends_on"))
    cases = {c["id"]: c for c in Case.objects.values("id", "client_id", "closed_on", "closure_reason")}
    mine = [a for a in allocations if a["stream_id"] == stream.pk]

    def funded(case_id: Any, day: dt.date) -> bool:
        return any(
            a["case_id"] == case_id and a["starts_on"] <= day and (a["ends_on"] is None or day <= a["ends_on"])
            for a in mine
        )

    def cohort_of(low: dt.date, high: dt.date) -> set[Any]:
        return {a["case_id"] for a in mine if a["starts_on"] <= high and (a["ends_on"] is None or a["ends_on"] >= low)}

    cohort = cohort_of(since, until)
    people = {cases[c]["client_id"] for c in cohort}

    def referred_in(low: dt.date, high: dt.date) -> set[Any]:
        cohort_cases = cohort_of(low, high)
        return {
            cases[r["case_id"]]["client_id"]
            for r in Referral.objects.values("case_id", "received_at")
            if r["case_id"] in cohort_cases and low <= local_day(r["received_at"]) <= high
        }

    contacts = list(Contact.objects.values("case_id", "kind", "occurred_at", "duration_minutes"))

    def in_window(contact: dict[str, Any], low: dt.date, high: dt.date) -> bool:
        day = local_day(contact["occurred_at"])
        return contact["case_id"] is not None and low <= day <= high and funded(contact["case_id"], day)

    def engaged_in(low: dt.date, high: dt.date) -> set[Any]:
        return {
            cases[c["case_id"]]["client_id"]
            for c in contacts
            if c["kind"] != ContactKind.TEXT and in_window(c, low, high)
        }

    engaged = engaged_in(since, until)
    newly = {cases[a["case_id"]]["client_id"] for a in mine if since <= a["starts_on"] <= until}
    active = {
        cases[c]["client_id"]
        for c in cohort
        if funded(c, until) and (cases[c]["closed_on"] is None or cases[c]["closed_on"] > until)
    }
    latest: dict[Any, tuple[dt.date, str]] = {}
    for c in cohort:
        closed_on = cases[c]["closed_on"]
        if closed_on is not None and since <= closed_on <= until and funded(c, closed_on):
            client_id = cases[c]["client_id"]
            latest[client_id] = max(latest.get(client_id, (closed_on, "")), (closed_on, cases[c]["closure_reason"]))
    by_kind: dict[str, list[int]] = {k: [0, 0] for k in ContactKind.values}
    for c in contacts:
        if in_window(c, since, until):
            by_kind[c["kind"]][0] += 1
            by_kind[c["kind"]][1] += c["duration_minutes"] or 0

    def client_funded(client_id: Any, day: dt.date) -> bool:
        return any(cases[a["case_id"]]["client_id"] == client_id and funded(a["case_id"], day) for a in mine)

    milestones = [m for m in Milestone.objects.values("client_id", "kind", "achieved_on") if m["achieved_on"] <= until]
    counted = [m for m in milestones if client_funded(m["client_id"], m["achieved_on"])]
    in_period: dict[str, set[Any]] = {}
    since_start: dict[str, set[Any]] = {}
    for m in counted:
        since_start.setdefault(m["kind"], set()).add(m["client_id"])
        if m["achieved_on"] >= since:
            in_period.setdefault(m["kind"], set()).add(m["client_id"])
    began = min(stream.starts_on, since)
    set_targets = dict(StreamTarget.objects.filter(stream=stream).values_list("measure", "target"))
    targets = {}
    for measure in TargetMeasure.values:
        if measure == TargetMeasure.REFERRED:
            row = (len(referred_in(since, until)), len(referred_in(began, until)))
        elif measure == TargetMeasure.ENGAGED:
            row = (len(engaged), len(engaged_in(began, until)))
        else:
            row = (len(in_period.get(measure, ())), len(since_start.get(measure, ())))
        if measure in set_targets or (measure in MilestoneKind.values and row[1] > 0):
            targets[measure] = (set_targets.get(measure), *row)

    approved = {u["case_id"] for u in UnfundedWork.objects.values("case_id", "decision") if u["decision"] == "approved"}
    any_funded = {
        a["case_id"] for a in allocations if a["starts_on"] <= until and (a["ends_on"] is None or a["ends_on"] >= since)
    }
    unfunded = [
        c for c in contacts if c["case_id"] in approved - any_funded and since <= local_day(c["occurred_at"]) <= until
    ]
    clients = {c["id"]: c for c in Client.objects.values("id", "ethnicity", "gender")}
    achievers = set().union(*in_period.values()) if in_period else set()
    return {
        "people": people,
        "referred": referred_in(since, until),
        "newly": newly,
        "engaged": engaged,
        "active": active,
        "closed": latest,
        "closures": Counter(reason for _, reason in latest.values()),
        "by_kind": by_kind,
        "targets": targets,
        "unfunded": (
            len({cases[c["case_id"]]["client_id"] for c in unfunded}),
            len(unfunded),
            sum(c["duration_minutes"] or 0 for c in unfunded),
        ),
        "genders": Counter(clients[p]["gender"] for p in people),
        "ethnicities": Counter(clients[p]["ethnicity"] for p in people),
        "achievers": achievers,
        "clients": clients,
    }


GROUP_OF = {
    "asian": "Asian or Asian British",
    "black": "Black, Black British, Caribbean or African",
    "mixed": "Mixed or multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
    "not": "Prefers not to say",
    "": "Not recorded",
}


def check_against_raw(cohort: Cohort, since: dt.date = SINCE, until: dt.date = UNTIL) -> None:
    figures = funder_figures(cohort.stream, since=since, until=until)
    want = expected(cohort.stream, since, until)
    assert figures.people == len(want["people"])
    assert figures.referred == len(want["referred"])
    assert figures.newly_funded == len(want["newly"])
    assert figures.engaged == len(want["engaged"])
    assert figures.active_at_end == len(want["active"])
    assert figures.closed == len(want["closed"])
    labels = dict(ClosureReason.choices)
    assert dict(figures.closures) == {
        **{labels[v]: want["closures"][v] for v in ClosureReason.values},
        "Not recorded": want["closures"][""],
    }
    kinds = dict(ContactKind.choices)
    assert {label: (n, m) for label, n, m in figures.contacts} == {
        kinds[k]: tuple(v) for k, v in want["by_kind"].items()
    }
    assert {t.measure: (t.target, t.in_period, t.since_start) for t in figures.targets} == want["targets"]
    assert (figures.unfunded_people, figures.unfunded_contacts, figures.unfunded_minutes) == want["unfunded"]
    gender_labels = dict(Gender.choices)
    assert dict(figures.gender) == {
        **{gender_labels[g]: want["genders"][g] for g in Gender.values},
        "Not recorded": want["genders"][""],
    }
    by_group: Counter[str] = Counter()
    for value, n in want["ethnicities"].items():
        by_group[GROUP_OF[value.split("_", 1)[0]]] += n
    assert dict(figures.ethnicity) == {label: by_group[label] for label in GROUP_OF.values()}
    assert sum(n for _, n in figures.age) == sum(n for _, n in figures.area) == figures.people
    # disproportionality: per group, people / engaged / achieved
    for group in figures.by_ethnicity:
        members = {
            p for p in want["people"] if GROUP_OF[want["clients"][p]["ethnicity"].split("_", 1)[0]] == group.label
        }
        assert (group.people, group.engaged, group.achieved) == (
            len(members),
            len(members & want["engaged"]),
            len(members & want["achievers"]),
        )
    for group in figures.by_gender:
        members = {
            p for p in want["people"] if gender_labels.get(want["clients"][p]["gender"], "Not recorded") == group.label
        }
        assert (group.people, group.engaged, group.achieved) == (
            len(members),
            len(members & want["engaged"]),
            len(members & want["achievers"]),
        )

    # Every count cell of the suppressed report is the raw figure when 5 or more, else hidden.
    report = funder_report_from(figures)
    summary = dict((row[0], row[1]) for row in report.table("summary").rows)
    raw = [
        figures.people,
        figures.referred,
        figures.newly_funded,
        figures.engaged,
        figures.active_at_end,
        figures.closed,
    ]
    for shown, n in zip(summary.values(), raw, strict=True):
        assert shown == (n if n >= 5 else SUPPRESSED)  # the summary is no partition: nothing hidden in pairs
    for key, pairs in [
        ("closures", figures.closures),
        ("age", figures.age),
        ("gender", figures.gender),
        ("ethnicity", figures.ethnicity),
        ("area", figures.area),
    ]:
        for row, (label, n) in zip(report.table(key).rows, pairs, strict=True):
            assert row[0] == label
            if n < 5:
                assert row[1] == SUPPRESSED
            else:
                assert row[1] in (n, SUPPRESSED)  # SUPPRESSED only as the partner of a single small cell
    for row, target in zip(report.table("targets").rows, figures.targets, strict=True):
        assert row[2] == (target.in_period if target.in_period >= 5 else SUPPRESSED)
        assert row[3] == (target.since_start if target.since_start >= 5 else SUPPRESSED)
        assert row[1] == ("" if target.target is None else str(target.target))


def test_the_figures_match_the_raw_rows_for_a_realistic_cohort() -> None:
    cohort = build_cohort()
    check_against_raw(cohort)
    # The other stream too (the case funded by both streams counts for both), and another period.
    check_against_raw(Cohort(stream=cohort.other, other=cohort.stream))
    check_against_raw(cohort, since=dt.date(2025, 10, 1), until=dt.date(2026, 2, 14))


def test_the_figures_match_for_other_seeds() -> None:
    check_against_raw(build_cohort(seed=21, size=40))


def test_edge_cases_of_funded_windows_and_period_boundaries() -> None:
    worker = UserFactory()
    stream = FundingStreamFactory(starts_on=dt.date(2025, 1, 1))
    other = FundingStreamFactory()
    client = ClientFactory()

    def contact(case: Case, when: dt.datetime, minutes: int | None, kind: str = ContactKind.PHONE) -> None:
        ContactFactory(
            client=case.client, case=case, recorded_by=worker, occurred_at=when, duration_minutes=minutes, kind=kind
        )

    # Allocation ending mid-period: a contact on its last day counts, the day after does not.
    ended = CaseFactory(
        client=client,
        keyworker=worker,
        opened_on=dt.date(2025, 12, 1),
        status=CaseStatus.CLOSED,
        closed_on=dt.date(2026, 3, 1),  # after its funding ended: not "closed" for this stream
        closure_reason=ClosureReason.MOVED_AWAY,
    )
    StreamAllocationFactory(case=ended, stream=stream, starts_on=dt.date(2025, 12, 1), ends_on=dt.date(2026, 2, 10))
    contact(ended, at(dt.date(2026, 2, 10), 23, 30), 30, ContactKind.TEXT)
    contact(ended, at(dt.date(2026, 2, 11), 9), 60, ContactKind.OFFICE)
    # The same client's second case, funded by both streams, from the last day of the period.
    second = CaseFactory(client=client, keyworker=worker, opened_on=dt.date(2026, 3, 31))
    StreamAllocationFactory(case=second, stream=stream, starts_on=dt.date(2026, 3, 31))
    StreamAllocationFactory(case=second, stream=other, starts_on=dt.date(2026, 3, 31))
    # Period boundaries in local time: 00:10 on 1 January counts; 00:30 BST on 1 April (23:30 UTC on 31 March) not.
    contact(second, at(dt.date(2026, 3, 31), 23, 50), None)  # no duration: a contact, no time
    contact(second, dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC), 45)
    late = CaseFactory(
        keyworker=worker,
        opened_on=dt.date(2025, 11, 1),
        status=CaseStatus.CLOSED,
        closed_on=dt.date(2026, 1, 1),  # on the last day of its funding, the first of the period
        closure_reason=ClosureReason.GOALS_MET,
    )
    StreamAllocationFactory(case=late, stream=stream, starts_on=dt.date(2025, 11, 1), ends_on=dt.date(2026, 1, 1))
    contact(late, at(dt.date(2026, 1, 1), 0, 10), 20, ContactKind.HOME_VISIT)
    contact(late, at(dt.date(2025, 12, 31), 23, 50), 20, ContactKind.HOME_VISIT)
    # An allocation starting the day after the period, and one ending the day before: neither in the cohort.
    after = CaseFactory(keyworker=worker, opened_on=dt.date(2026, 4, 1))
    StreamAllocationFactory(case=after, stream=stream, starts_on=dt.date(2026, 4, 1))
    before = CaseFactory(keyworker=worker, opened_on=dt.date(2025, 6, 1))
    StreamAllocationFactory(case=before, stream=stream, starts_on=dt.date(2025, 6, 1), ends_on=dt.date(2025, 12, 31))
    # Referrals: into the cohort late on the last day (counts), and into a case outside the cohort (does not).
    for case in (second, after):
        Referral.objects.create(
            source=ReferralSource.SELF,
            received_at=at(dt.date(2026, 3, 31), 22),
            reason="Asked for help.",
            team=worker.team,
            received_by=worker,
            first_name="Referred",
            case=case,
        )
    # Milestones: while funded (counts), after funding ended (does not), before the period (since start only).
    MilestoneFactory(
        client=late.client, kind=MilestoneKind.ENTERED_ETE, achieved_on=dt.date(2026, 1, 1), recorded_by=worker
    )
    MilestoneFactory(
        client=late.client, kind=MilestoneKind.QUALIFICATION, achieved_on=dt.date(2026, 1, 2), recorded_by=worker
    )
    MilestoneFactory(
        client=before.client, kind=MilestoneKind.DRUG_FREE, achieved_on=dt.date(2025, 7, 1), recorded_by=worker
    )

    figures = funder_figures(stream, since=SINCE, until=UNTIL)
    assert figures.people == 2  # the client with two cases once, and the late one
    assert figures.newly_funded == 1  # the second case, from 31 March
    assert figures.engaged == 2
    assert figures.active_at_end == 1
    assert figures.closed == 1 and dict(figures.closures)["Goals met"] == 1
    assert figures.referred == 1
    contacts = {label: (n, m) for label, n, m in figures.contacts}
    assert contacts["Text message"] == (1, 30)
    assert contacts["Office meeting"] == (0, 0)  # the day after the allocation ended
    assert contacts["Phone call"] == (1, 0)  # no duration: a contact and no time
    assert contacts["Home visit"] == (1, 20)  # 1 January counts, 31 December does not
    targets = {t.measure: (t.in_period, t.since_start) for t in figures.targets}
    assert targets == {
        MilestoneKind.ENTERED_ETE.value: (1, 1),
        MilestoneKind.DRUG_FREE.value: (0, 1),
    }
    check_against_raw(Cohort(stream=stream, other=other))
    check_against_raw(Cohort(stream=other, other=stream))


@pytest.mark.parametrize("size", [12, 36])
def test_figures_use_a_bounded_number_of_queries(size: int, django_assert_max_num_queries: Any) -> None:
    cohort = build_cohort(seed=size, size=size)
    stream = FundingStream.objects.select_related("funder").get(pk=cohort.stream.pk)
    with django_assert_max_num_queries(11):
        funder_figures(stream, since=SINCE, until=UNTIL)
