"""Asking for a funder report and the background job that builds it: who may ask, bad input changes nothing, the
job is queued in the request's transaction, progress is saved as it goes, a failed build is marked failed (naming
no one), and a second run of the job leaves a done report alone. The quarter picker's rules are property-tested."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from keyworker.audit.models import AuditEvent
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.testing import (
    CaseFactory,
    ClientFactory,
    FundingStreamFactory,
    StreamAllocationFactory,
    run_tasks,
)
from keyworker.outcomes.models import FunderReportRun, ReportRunStatus
from keyworker.outcomes.reports.shape import SUPPRESSED, FunderReport, ReportTable
from keyworker.outcomes.services.funder_reports import (
    REPORT_FAILED_MESSAGE,
    funder_report_build_run,
    funder_report_request,
    last_complete_quarters,
)

TASK = "keyworker.outcomes.tasks.funder_report_run_task"
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def sample_report(stream_name: str = "Young Londoners", since: dt.date = Q2[0], until: dt.date = Q2[1]) -> FunderReport:
    """A small finished report made by hand (the engine's shape), for the pages and the API."""
    return FunderReport(
        funder="Example Trust",
        stream=stream_name,
        since=since,
        until=until,
        generated_at=dt.datetime(2026, 7, 2, 9, 30, tzinfo=dt.UTC),
        tables=[
            ReportTable(
                key="summary",
                title="People",
                header=["Measure", "People"],
                rows=[
                    ["Supported in the period", 12],
                    ["Referred in the period", 7],
                    ["Closed in the period", SUPPRESSED],
                ],
                count_columns=[1],
                chart=True,
                note="Counted once each.",
            ),
            ReportTable(
                key="contacts",
                title="Contacts and hours",
                header=["Kind", "Contacts", "Hours"],
                rows=[["Face to face", 40, "31.5"], ["Total", 52, "38.0"]],
                count_columns=[1],
            ),
        ],
    )


def jobs() -> int:
    return DBTaskResult.objects.filter(task_path=TASK).count()


# --- the quarter picker ---------------------------------------------------------------------------------------


def test_quarters_in_words():
    quarters = last_complete_quarters(dt.date(2026, 7, 15))
    assert [q.label for q in quarters] == [
        "April to June 2026",
        "January to March 2026",
        "October to December 2025",
        "July to September 2025",
    ]
    assert (quarters[0].since, quarters[0].until) == Q2
    # The last day of a quarter: that quarter is not complete yet.
    assert last_complete_quarters(dt.date(2026, 6, 30))[0].label == "January to March 2026"


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_quarters_are_the_last_four_complete_ones(today: dt.date):
    quarters = last_complete_quarters(today)
    assert len(quarters) == 4
    newest = quarters[0]
    assert newest.until < today <= newest.until + dt.timedelta(days=92)  # the newest ended before today, recently
    for quarter in quarters:
        assert quarter.since.day == 1 and quarter.since.month in (1, 4, 7, 10)
        assert (quarter.until + dt.timedelta(days=1)).day == 1  # ends on a month's last day
        assert 89 <= (quarter.until - quarter.since).days + 1 <= 92
    for later, earlier in itertools.pairwise(quarters):
        assert earlier.until + dt.timedelta(days=1) == later.since  # back to back, newest first, no gaps


# --- asking -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["manager", "other_manager", "report_viewer"])
def test_managers_and_report_viewers_ask(personas: Any, who: str):
    actor = getattr(personas, who)
    stream = FundingStreamFactory()
    run = funder_report_request(actor=actor, stream=stream, since=Q2[0], until=Q2[1])
    run.refresh_from_db()
    assert (run.status, run.progress, run.requested_by) == (ReportRunStatus.QUEUED, 0, actor)
    assert jobs() == 1
    event = AuditEvent.objects.get(object_id=str(run.pk))
    assert event.detail["event"] == "funder_report.requested" and event.client_id is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who",
    ["you", "teammate", "other_caseworker", "safeguarding_lead", "on_call", "peer_mentor", "data_protection_officer"],
)
def test_nobody_else_can_ask(personas: Any, who: str):
    stream = FundingStreamFactory()
    with pytest.raises(NotFound):
        funder_report_request(actor=getattr(personas, who), stream=stream, since=Q2[0], until=Q2[1])
    assert not FunderReportRun.objects.exists() and jobs() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("since", "until", "field", "words"),
    [
        (None, Q2[1], "since", "first day"),
        (Q2[0], None, "until", "last day"),
        (Q2[1], Q2[0], "until", "same as or after"),
        (dt.date(2023, 4, 1), dt.date(2026, 4, 1), "until", "at most 3 years"),
    ],
)
def test_bad_periods_change_nothing(personas: Any, since: Any, until: Any, field: str, words: str):
    stream = FundingStreamFactory()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        funder_report_request(actor=personas.manager, stream=stream, since=since, until=until)
    assert words in " ".join(caught.value.field_errors[field])
    assert not FunderReportRun.objects.exists() and jobs() == 0 and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_three_years_less_a_day_is_allowed_and_a_stream_is_needed(personas: Any):
    stream = FundingStreamFactory()
    funder_report_request(actor=personas.manager, stream=stream, since=dt.date(2023, 4, 1), until=dt.date(2026, 3, 31))
    with pytest.raises(ValidationFailed) as caught:
        funder_report_request(actor=personas.manager, stream=None, since=Q2[0], until=Q2[1])
    assert caught.value.field_errors == {"stream": ["Choose a funding stream."]}
    assert FunderReportRun.objects.count() == 1 and jobs() == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_request_queues_no_job(personas: Any):
    stream = FundingStreamFactory()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        funder_report_request(actor=personas.manager, stream=stream, since=Q2[0], until=Q2[1])
        assert jobs() == 1
        raise Undo
    assert not FunderReportRun.objects.exists() and jobs() == 0


# --- the job ------------------------------------------------------------------------------------------------------


def _cohort(stream: Any, people: int) -> None:
    for _ in range(people):
        case = CaseFactory(client=ClientFactory(first_name="Zebedee"), opened_on=dt.date(2026, 1, 10))
        StreamAllocationFactory(stream=stream, case=case)


@pytest.mark.django_db
def test_the_job_builds_the_report_end_to_end(personas: Any):
    stream = FundingStreamFactory(starts_on=dt.date(2025, 4, 1))
    _cohort(stream, 6)
    run = funder_report_request(actor=personas.report_viewer, stream=stream, since=Q2[0], until=Q2[1])
    run_tasks()
    run.refresh_from_db()
    assert run.status == ReportRunStatus.DONE and run.progress == 100 and run.finished_at is not None
    report = FunderReport.from_json(run.result)
    assert (report.stream, report.since, report.until) == (stream.name, Q2[0], Q2[1])
    assert report.table("summary").rows
    assert "Zebedee" not in str(run.result)
    assert jobs() == 1 and not DBTaskResult.objects.filter(task_path=TASK, status="FAILED").exists()


@pytest.mark.django_db
def test_progress_is_saved_as_the_job_goes(personas: Any, monkeypatch: pytest.MonkeyPatch):
    stream = FundingStreamFactory()
    run = funder_report_request(actor=personas.manager, stream=stream, since=Q2[0], until=Q2[1])
    seen: list[tuple[str, int, str]] = []

    def build(s: Any, *, since: dt.date, until: dt.date, progress: Any = None) -> FunderReport:
        for percent, step in ((10, "Finding the people the stream funded"), (60, "Counting contacts and hours")):
            progress(percent, step)
            saved = FunderReportRun.objects.get(pk=run.pk)
            seen.append((saved.status, saved.progress, saved.step))
        return sample_report(s.name, since, until)

    monkeypatch.setattr("keyworker.outcomes.reports.funder.funder_report_build", build)
    run_tasks()
    assert seen == [
        (ReportRunStatus.RUNNING, 10, "Finding the people the stream funded"),
        (ReportRunStatus.RUNNING, 60, "Counting contacts and hours"),
    ]
    run.refresh_from_db()
    assert (run.status, run.progress, run.step) == (ReportRunStatus.DONE, 100, "Done")
    assert FunderReport.from_json(run.result) == sample_report(stream.name)


@pytest.mark.django_db
def test_a_failed_build_is_marked_failed_naming_no_one(
    personas: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    stream = FundingStreamFactory()
    run = funder_report_request(actor=personas.manager, stream=stream, since=Q2[0], until=Q2[1])

    def build(*args: Any, **kwargs: Any) -> FunderReport:
        raise RuntimeError("Zebedee Testperson broke it")

    monkeypatch.setattr("keyworker.outcomes.reports.funder.funder_report_build", build)
    run_tasks()
    run.refresh_from_db()
    assert run.status == ReportRunStatus.FAILED and run.result is None and run.finished_at is not None
    assert run.error == REPORT_FAILED_MESSAGE and "Zebedee" not in run.error
    assert "failed" in caplog.text


@pytest.mark.django_db
def test_running_the_job_twice_leaves_a_done_report_alone(personas: Any, monkeypatch: pytest.MonkeyPatch):
    stream = FundingStreamFactory()
    run = funder_report_request(actor=personas.manager, stream=stream, since=Q2[0], until=Q2[1])
    calls: list[int] = []

    def build(s: Any, *, since: dt.date, until: dt.date, progress: Any = None) -> FunderReport:
        calls.append(1)
        return sample_report(s.name, since, until)

    monkeypatch.setattr("keyworker.outcomes.reports.funder.funder_report_build", build)
    run_tasks()
    run.refresh_from_db()
    finished_at = run.finished_at
    assert funder_report_build_run(run_id=run.pk) == ReportRunStatus.DONE
    run.refresh_from_db()
    assert calls == [1] and run.finished_at == finished_at and run.status == ReportRunStatus.DONE
    assert funder_report_build_run(run_id="00000000-0000-0000-0000-000000000000") == ReportRunStatus.DONE


@pytest.mark.django_db
def test_a_failed_run_can_be_built_again(personas: Any, monkeypatch: pytest.MonkeyPatch):
    stream = FundingStreamFactory()
    run = funder_report_request(actor=personas.manager, stream=stream, since=Q2[0], until=Q2[1])
    FunderReportRun.objects.filter(pk=run.pk).update(status=ReportRunStatus.FAILED, error=REPORT_FAILED_MESSAGE)
    monkeypatch.setattr(
        "keyworker.outcomes.reports.funder.funder_report_build",
        lambda s, *, since, until, progress=None: sample_report(s.name, since, until),
    )
    assert funder_report_build_run(run_id=run.pk) == ReportRunStatus.DONE
    run.refresh_from_db()
    assert run.status == ReportRunStatus.DONE and run.error == "" and timezone.now() >= run.finished_at
