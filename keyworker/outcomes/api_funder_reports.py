"""JSON endpoints for funder reports: ask for one (a stream and a period; it is built by a background job), list
the runs, and read one (its status and progress while it is built; its tables when done). Managers and report
viewers, for every stream (policy.can_see_funder_reports); anyone else gets 404. A report holds aggregates only
(counts under 5 suppressed, no names or ids), so reading one records no client view. Thin, over the same
selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, page_of, record_id, reference_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, InputSchema, PageOut, PageParams, RecordOut, StaffRef
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.outcomes.models import FunderReportRun, ReportRunStatus
from keyworker.outcomes.reports.shape import SUPPRESSED
from keyworker.outcomes.selectors.funder_reports import (
    funder_report_run_get_for,
    funder_report_runs_for,
    funder_report_streams_for,
)
from keyworker.outcomes.services import funder_reports as services

router = Router(tags=["funder reports"])


class StreamRef(Schema):
    id: uuid.UUID
    name: str
    funder: str

    @staticmethod
    def resolve_funder(obj: object) -> str:
        return str(obj.funder.name)  # type: ignore[attr-defined]


class ReportTableOut(Schema):
    key: str = Field(description="Stable, e.g. summary, closures, contacts, targets, ethnicity.")
    title: str
    header: list[str]
    rows: list[list[str | int]] = Field(
        description=(
            "Each row: a label, then figures. A count under 5, and a count hidden with one so that it cannot be "
            f'worked out, is the word "{SUPPRESSED}".'
        )
    )
    count_columns: list[int] = Field(description="Which columns hold counts of people or contacts.")
    chart: bool = Field(description="Whether the pages draw a bar chart of column 1 by column 0.")
    note: str = Field(description="How the figures are counted, in words.")


class FunderReportOut(Schema):
    funder: str
    stream: str
    since: dt.date
    until: dt.date
    generated_at: dt.datetime
    tables: list[ReportTableOut]


class FunderReportRunOut(RecordOut):
    stream: StreamRef
    since: dt.date
    until: dt.date
    requested_by: StaffRef
    status: str = Field(json_schema_extra={"enum": list(ReportRunStatus.values)})
    progress: int = Field(description="Per cent done.")
    step: str = Field(description="What the job is doing now, in words.")
    error: str = Field(description="Why it failed (names nobody); empty otherwise.")
    finished_at: dt.datetime | None


class FunderReportRunDetailOut(FunderReportRunOut):
    report: FunderReportOut | None = Field(description="The report's tables once the status is done; null before.")

    @staticmethod
    def resolve_report(obj: FunderReportRun) -> dict[str, object] | None:
        return obj.result if obj.status == ReportRunStatus.DONE else None


class FunderReportRunPageOut(PageOut):
    items: list[FunderReportRunOut]


class FunderReportIn(InputSchema):
    stream_id: str = Field(description="The funding stream's id.")
    since: dt.date = Field(description="The first day of the period.")
    until: dt.date = Field(description="The last day of the period (at most 3 years after the first).")


def _actor(request: HttpRequest) -> User:
    actor = actor_of(request)
    if not policy.can_see_funder_reports(actor):
        raise NotFound()
    return actor


@router.post(
    "/funder-reports",
    response={202: FunderReportRunOut, **WRITE_ERRORS},
    summary="Ask for a funder report (built by a background job: read the run until its status is done)",
)
def request_funder_report(request: HttpRequest, payload: FunderReportIn) -> Status[FunderReportRun]:
    actor = _actor(request)
    stream_id = reference_id(
        payload.stream_id,
        field="stream_id",
        detail="There is a problem with this report.",
        message="Give the id of a funding stream.",
    )
    # Streams hold no personal data: saying an id names none reveals nothing (the service's own message).
    stream = funder_report_streams_for(actor).filter(pk=stream_id).first() if stream_id else None
    try:
        run = services.funder_report_request(actor=actor, stream=stream, since=payload.since, until=payload.until)
    except ValidationFailed as exc:
        errors = {("stream_id" if k == "stream" else k): v for k, v in exc.field_errors.items()}
        raise ValidationFailed(exc.message, errors) from exc
    run = funder_report_run_get_for(actor, run.pk)
    return Status(202, run)


@router.get(
    "/funder-reports",
    response={200: FunderReportRunPageOut, **READ_ERRORS},
    summary="Funder reports asked for, newest first (without their tables)",
)
def list_funder_reports(request: HttpRequest, paging: Query[PageParams]) -> dict[str, object]:
    actor = _actor(request)
    items, count = page_of(funder_report_runs_for(actor), paging)
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": items}


@router.get(
    "/funder-reports/{run_id}",
    response={200: FunderReportRunDetailOut, **READ_ERRORS},
    summary="A funder report: its status and progress, and its tables once done",
)
def get_funder_report(request: HttpRequest, run_id: str) -> FunderReportRun:
    actor = _actor(request)
    return funder_report_run_get_for(actor, record_id(run_id))
