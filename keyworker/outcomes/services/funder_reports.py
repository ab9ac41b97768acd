"""Funder reports as background jobs: asking for one (a stream and a period; the job is queued in the same
transaction as the run, so a request that fails queues nothing), building it (the job: progress saved as it
goes, the finished tables kept on the run), and the quarters a manager usually asks for.

The report itself (figures, suppression, tables) is keyworker/outcomes/reports/; a run's `result` holds only
its aggregate tables, never a name or an id."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.funding.models import FundingStream
from keyworker.outcomes.models import FunderReportRun, ReportRunStatus
from keyworker.outcomes.selectors.funder_reports import funder_report_streams_for

__all__ = [
    "MAX_PERIOD_YEARS",
    "REPORT_FAILED_MESSAGE",
    "Quarter",
    "funder_report_build_run",
    "funder_report_downloaded",
    "funder_report_request",
    "last_complete_quarters",
]

logger = logging.getLogger(__name__)

MAX_PERIOD_YEARS = 3
# Shown on the page and in the API when a build fails: says nothing about anyone (the log has the detail).
REPORT_FAILED_MESSAGE = (
    "The report could not be built. Nothing was sent anywhere. Try again; if it fails again, tell your administrator."
)
STEP_MAX_CHARS = 120


# --- the quarter picker (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    since: dt.date
    until: dt.date

    @property
    def label(self) -> str:
        """E.g. "April to June 2026" (a January to March quarter is the last of a financial year)."""
        return f"{self.since:%B} to {self.until:%B} {self.until.year}"

    @property
    def key(self) -> str:
        return f"{self.since.isoformat()}_{self.until.isoformat()}"


def _quarter_starting(year: int, month: int) -> Quarter:
    since = dt.date(year, month, 1)
    next_start = dt.date(year + 1, 1, 1) if month == 10 else dt.date(year, month + 3, 1)
    return Quarter(since=since, until=next_start - dt.timedelta(days=1))


def last_complete_quarters(today: dt.date, count: int = 4) -> list[Quarter]:
    """The last `count` quarters (January to March, April to June, July to September, October to December: the
    UK financial year's quarters) that ended before `today`, newest first."""
    month = ((today.month - 1) // 3) * 3 + 1  # the first month of the quarter `today` is in (not complete)
    year = today.year
    quarters = []
    for _ in range(count):
        month -= 3
        if month < 1:
            month += 12
            year -= 1
        quarters.append(_quarter_starting(year, month))
    return quarters


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- asking for a report ------------------------------------------------------------------------------------


def _check_period(since: dt.date | None, until: dt.date | None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if since is None:
        problems["since"] = ["Enter the first day of the period."]
    if until is None:
        problems["until"] = ["Enter the last day of the period."]
    if since and until:
        if until < since:
            problems["until"] = ["The last day must be the same as or after the first day."]
        elif until >= _years_after(since, MAX_PERIOD_YEARS):
            problems["until"] = [f"A report covers at most {MAX_PERIOD_YEARS} years: choose a shorter period."]
    return problems


@transaction.atomic
def funder_report_request(
    *, actor: User, stream: FundingStream | None, since: dt.date | None, until: dt.date | None
) -> FunderReportRun:
    """Ask for a funder report of `stream` over `since` to `until` (both days included). The run is saved as
    queued and its job queued in this same transaction: if anything after fails, neither exists."""
    if not policy.can_see_funder_reports(actor):
        raise NotFound()
    problems = _check_period(since, until)
    if stream is None or not funder_report_streams_for(actor).filter(pk=stream.pk).exists():
        problems["stream"] = ["Choose a funding stream."]
    if problems:
        raise ValidationFailed("There is a problem with this report.", problems)
    assert stream is not None and since is not None and until is not None
    run = FunderReportRun.objects.create(stream=stream, since=since, until=until, requested_by=actor)
    _enqueue(run)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=run,
        detail={
            "event": "funder_report.requested",
            "stream": str(stream.pk),
            "since": since.isoformat(),
            "until": until.isoformat(),
        },
    )
    return run


def _enqueue(run: FunderReportRun) -> None:
    # django-tasks' database backend writes the job row in the caller's transaction (no run, no job).
    from keyworker.outcomes.tasks import funder_report_run_task

    funder_report_run_task.enqueue(run_id=str(run.pk))


def funder_report_downloaded(*, actor: User, run: FunderReportRun, fmt: str) -> None:
    """Every download is on the record: which run, which format (the file holds no client data)."""
    audit_event_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=run,
        detail={"event": "funder_report.downloaded", "run": str(run.pk), "format": fmt},
    )


# --- the job ------------------------------------------------------------------------------------------------


def _save_progress(run_id: uuid.UUID, percent: int, step: str) -> None:
    # Its own short transaction, and only these two fields, so the page polling the run sees it at once and
    # nothing else on the run is overwritten.
    with transaction.atomic():
        FunderReportRun.objects.filter(pk=run_id, status=ReportRunStatus.RUNNING).update(
            progress=max(0, min(100, int(percent))), step=str(step)[:STEP_MAX_CHARS], updated_at=timezone.now()
        )


def _start(run_id: uuid.UUID | str) -> FunderReportRun | None:
    """Mark the run running, unless it is done already (a second run of the job leaves it alone)."""
    with transaction.atomic():
        run = FunderReportRun.objects.select_for_update().select_related("stream").filter(pk=run_id).first()
        if run is None or run.status == ReportRunStatus.DONE:
            return None
        run.status, run.progress, run.step, run.error = ReportRunStatus.RUNNING, 0, "Starting", ""
        run.version += 1
        run.save(update_fields=["status", "progress", "step", "error", "version", "updated_at"])
        return run


def funder_report_build_run(*, run_id: uuid.UUID | str) -> str:
    """The job's work: build the run's report, saving progress as it goes, and keep the finished tables on the
    run (status done). A build that raises marks the run failed with a message that names no one, and is
    logged. Safe to run twice: a done run is left alone. Returns the run's status."""
    from keyworker.core.db_router import replica_reads
    from keyworker.outcomes.reports.funder import funder_report_build

    run = _start(run_id)
    if run is None:
        return ReportRunStatus.DONE
    try:
        # the figures are read from the streaming replica when there is one (its progress is written to the
        # primary): a report of past quarters does not need the last second's writes (decisions/0032)
        with replica_reads():
            report = funder_report_build(
                run.stream,
                since=run.since,
                until=run.until,
                progress=lambda percent, step: _save_progress(run.pk, percent, step),
            )
        result = report.to_json()
    except Exception:
        logger.exception("Funder report run %s failed", run.pk)
        FunderReportRun.objects.filter(pk=run.pk).update(
            status=ReportRunStatus.FAILED,
            error=REPORT_FAILED_MESSAGE,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return ReportRunStatus.FAILED
    FunderReportRun.objects.filter(pk=run.pk).update(
        status=ReportRunStatus.DONE,
        result=result,
        progress=100,
        step="Done",
        error="",
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return ReportRunStatus.DONE
