"""The demo's funder report material (issue 8): who the clients are, two years of funded cases on the main
stream with targets, referrals, closures and outcomes, loaded twice without error."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from keyworker.casework.models import Contact
from keyworker.core.demo import DEFAULT_CLIENTS, FUNDING_STREAMS
from keyworker.core.demo_funding import MAIN_STREAM, STREAM_TARGETS
from keyworker.funding.models import FundingStream, StreamAllocation, StreamTarget, UnfundedDecision, UnfundedWork
from keyworker.intake.models import Referral
from keyworker.outcomes.models import Milestone, OutcomeReading
from keyworker.outcomes.reports.funder import funder_report_build
from keyworker.outcomes.reports.shape import SUPPRESSED
from keyworker.people.models import Client, ethnic_group

pytestmark = pytest.mark.django_db


def last_full_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    first_month = (today.month - 1) // 3 * 3 + 1
    this_quarter = dt.date(today.year, first_month, 1)
    until = this_quarter - dt.timedelta(days=1)
    return dt.date(until.year, (until.month - 1) // 3 * 3 + 1, 1), until


def test_last_full_quarter():
    assert last_full_quarter(dt.date(2026, 11, 27)) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert last_full_quarter(dt.date(2026, 1, 1)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_the_full_demo_loads_twice_and_its_main_stream_is_worth_a_funder_report():
    out = StringIO()
    call_command("demo", clients=DEFAULT_CLIENTS, stdout=out)
    counts = {model: model.objects.count() for model in (Client, StreamAllocation, Referral, StreamTarget, Milestone)}
    call_command("demo", clients=DEFAULT_CLIENTS, stdout=out)  # a second run changes nothing
    assert {model: model.objects.count() for model in counts} == counts

    today = timezone.localdate()
    since, until = last_full_quarter(today)
    main = FundingStream.objects.get(name=MAIN_STREAM)
    assert main.starts_on <= today - dt.timedelta(days=730)  # two years of history
    assert FundingStream.objects.count() == len(FUNDING_STREAMS) >= 2
    in_quarter = StreamAllocation.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=since), stream=main, starts_on__lte=until
    )
    people = set(in_quarter.values_list("case__client_id", flat=True))
    assert len(people) >= 25

    # allocations start and end; the ended ones end the day their case closed, with a reason
    ended = StreamAllocation.objects.filter(stream=main, ends_on__isnull=False).select_related("case")
    assert ended.count() >= 10
    for allocation in ended:
        assert allocation.case.closed_on == allocation.ends_on and allocation.case.closure_reason
        assert allocation.starts_on >= main.starts_on
    assert StreamAllocation.objects.filter(stream=main, starts_on__range=(since, until)).exists()
    closures = Counter(
        in_quarter.filter(case__closed_on__range=(since, until)).values_list("case__closure_reason", flat=True)
    )
    assert sum(closures.values()) >= 1

    # each funded case came from a referral received before it opened
    funded_cases = set(StreamAllocation.objects.values_list("case_id", flat=True))
    referrals = Referral.objects.filter(case_id__in=funded_cases).select_related("case")
    assert referrals.count() == len(funded_cases)
    for referral in referrals:
        assert referral.case is not None
        assert timezone.localdate(referral.received_at) < referral.case.opened_on

    # contacts with durations, milestones and readings over two years on the stream's cases
    contacts = Contact.objects.filter(case__stream_allocations__stream=main, occurred_at__date__range=(since, until))
    assert contacts.exclude(duration_minutes=None).count() >= 25
    clients = Client.objects.filter(cases__stream_allocations__stream=main).distinct()
    milestones = Milestone.objects.filter(client__in=clients)
    assert milestones.filter(achieved_on__lt=today - dt.timedelta(days=365)).exists()
    assert milestones.filter(achieved_on__gte=today - dt.timedelta(days=365)).count() >= 10
    readings = OutcomeReading.objects.filter(client__in=clients)
    assert readings.filter(taken_on__lt=today - dt.timedelta(days=540)).exists()

    # targets as the funders set them, and approved unfunded work
    assert {t.measure for t in main.target_figures.all()} == {m for m, _, _ in STREAM_TARGETS[MAIN_STREAM]}
    assert UnfundedWork.objects.filter(decision=UnfundedDecision.APPROVED).count() >= 2

    # who the people are: a mix of ethnicities in every group, some not asked, ages, genders and areas
    demo_clients = list(Client.objects.filter(cases__isnull=False).distinct())
    groups = Counter(ethnic_group(c.ethnicity) for c in demo_clients)
    assert {"asian", "black", "mixed", "white", "other"} <= set(groups)
    assert any(c.ethnicity == "" for c in demo_clients)
    assert all(c.date_of_birth for c in demo_clients)
    assert len({c.gender for c in demo_clients}) >= 3
    assert len({c.home_area for c in demo_clients}) >= 5

    # an equality cell under 5 to suppress: some ethnic group among the quarter's people is small
    quarter_groups = Counter(
        ethnic_group(e) for e in Client.objects.filter(pk__in=people).values_list("ethnicity", flat=True)
    )
    assert any(0 < n < 5 for n in quarter_groups.values())

    # and the report itself, for last quarter: real figures, and small counts suppressed
    report = funder_report_build(main, since=since, until=until)
    assert report.table("summary").rows[0][1] == len(people)  # the people the stream supported in the period
    counts = [cell for table in report.tables for row in table.rows for cell in row[1:] if isinstance(cell, int)]
    assert sum(1 for n in counts if n >= 5) >= 10
    assert any(cell == SUPPRESSED for table in report.tables for row in table.rows for cell in row)
