"""Reading funder report runs and the streams a report may be asked for, through the access policy
(policy.can_see_funder_reports, policy.funder_report_runs_visible_to). Anything out of reach is NotFound."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.funding.models import FundingStream
from keyworker.outcomes.models import FunderReportRun
from keyworker.outcomes.reports.shape import FunderReport

__all__ = [
    "funder_report_of",
    "funder_report_run_get_for",
    "funder_report_runs_for",
    "funder_report_streams_for",
]


def funder_report_streams_for(user: User) -> QuerySet[FundingStream]:
    """Every stream, to whoever may see funder reports: streams are the organisation's, not a team's (so not
    funding.selectors.stream_list_for, which is casework's and would leave report viewers out)."""
    if not policy.can_see_funder_reports(user):
        return FundingStream.objects.none()
    return FundingStream.objects.select_related("funder").order_by("funder__name", "name")


def funder_report_runs_for(user: User) -> QuerySet[FunderReportRun]:
    """The runs, newest first, with their stream, funder and who asked (one query for a list), without the
    stored tables (a list never needs them)."""
    return (
        policy.funder_report_runs_visible_to(user)
        .select_related("stream__funder", "requested_by")
        .defer("result")
        .order_by("-created_at")
    )


def funder_report_run_get_for(user: User, run_id: uuid.UUID | str) -> FunderReportRun:
    return one_or_not_found(
        policy.funder_report_runs_visible_to(user).select_related("stream__funder", "requested_by"), pk=run_id
    )


def funder_report_of(run: FunderReportRun) -> FunderReport | None:
    """The finished report kept on the run, or None while it is being built (or failed)."""
    return FunderReport.from_json(run.result) if run.result else None
