"""Reports pages: the Reports hub (funder reports, and a manager's other reports and settings), the funder report
runs with the form to ask for one, a run's page (a progress bar refreshed by htmx while the job builds it, then
the report's tables and charts), and its downloads (CSV, XLSX, PDF, built from the stored tables).

Funder reports hold aggregates only (counts under 5 suppressed, no names or ids), so showing one records no
client view; every download is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.outcomes.models import FunderReportRun, ReportRunStatus
from keyworker.outcomes.reports.shape import FunderReport
from keyworker.outcomes.selectors.funder_reports import (
    funder_report_of,
    funder_report_run_get_for,
    funder_report_runs_for,
    funder_report_streams_for,
)
from keyworker.outcomes.services import funder_reports as services
from keyworker.outcomes.views.funder_reports_forms import FunderReportRequestForm

RUNS_LISTED = 50
POLL_SECONDS = 2


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not policy.can_see_funder_reports(user):
        raise NotFound()
    return user


@staff_view
def reports_hub(request: HttpRequest) -> HttpResponse:
    """Every report the user may open, and (for managers) the settings that shape them: only links they can use."""
    user = _user(request)
    reports = [
        (
            reverse("outcomes:funder_reports"),
            "Funder reports",
            "A funding stream's figures over a period, to send to the funder.",
        ),
    ]
    if policy.can_see_capacity(user):
        reports.append(
            (
                reverse("funding:capacity"),
                "Capacity and unfunded work",
                "Your team's places, and the work no stream pays for.",
            )
        )
    if policy.can_see_cohort_outcomes(user):
        reports.append(
            (
                reverse("outcomes:cohort_outcomes"),
                "Distance travelled",
                "How your team's clients' outcome readings changed.",
            )
        )
    settings = []
    if policy.can_manage_outcome_scales(user):
        settings.append((reverse("outcomes:scale_list"), "Outcome scales"))
    if policy.can_edit_letter_templates(user):
        settings.append((reverse("outcomes:letter_templates"), "Letter templates"))
    if policy.can_manage_funding(user):
        settings.append((reverse("funding:stream_list"), "Funding streams and targets"))
    return render_page(
        request, "outcomes/reports/hub.html", {"reports": reports, "settings": settings, "section": "reports"}
    )


def _request_form(user: User, data: Any = None) -> FunderReportRequestForm:
    quarters = services.last_complete_quarters(timezone.localdate())
    return FunderReportRequestForm(
        data,
        streams=list(funder_report_streams_for(user)),
        quarters=quarters,
        initial={"period": quarters[0].key},
    )


@staff_view
def funder_reports(request: HttpRequest) -> HttpResponse:
    """The runs, newest first, and the form to ask for a report (POST: queue it and go to its page)."""
    user = _user(request)
    status = 200
    if request.method == "POST":
        form = _request_form(user, request.POST)
        status = 422
        if form.is_valid():
            since, until = form.chosen_period()
            try:
                run = services.funder_report_request(actor=user, stream=form.chosen_stream(), since=since, until=until)
            except ValidationFailed as exc:
                show_service_errors(form, exc)
            else:
                return redirect("outcomes:funder_report", run_id=run.pk)
    else:
        form = _request_form(user)
    runs = list(funder_report_runs_for(user)[:RUNS_LISTED])
    return render_page(
        request,
        "outcomes/reports/funder_list.html",
        {"runs": runs, "form": form, "section": "reports", "statuses": ReportRunStatus},
        status=status,
    )


@staff_view
def funder_report(request: HttpRequest, run_id: str) -> HttpResponse:
    """One run: its progress while the job builds it (the block `run` alone, every 2 s, for htmx), then the
    report; or why it failed and a button to try again."""
    user = _user(request)
    run = funder_report_run_get_for(user, run_id)
    finished = run.status in (ReportRunStatus.DONE, ReportRunStatus.FAILED)
    if finished and getattr(request, "htmx", False):
        # The poll found it finished: load the whole page (the report, or why it failed), which does not poll.
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    report = funder_report_of(run) if run.status == ReportRunStatus.DONE else None
    return render_page(
        request,
        "outcomes/reports/funder_detail.html",
        {
            "run": run,
            "report": report,
            "tables": _tables_with_charts(report),
            "statuses": ReportRunStatus,
            "poll_seconds": POLL_SECONDS,
            "section": "reports",
        },
        block="run",
    )


def _tables_with_charts(report: FunderReport | None) -> list[tuple[Any, Any]]:
    if report is None:
        return []
    from keyworker.outcomes.reports.charts import bar_chart_svg

    return [(table, bar_chart_svg(table) if table.chart else None) for table in report.tables]


@staff_view
@require_POST
def funder_report_retry(request: HttpRequest, run_id: str) -> HttpResponse:
    """Ask again for a failed (or any) run's stream and period: a new run, queued."""
    user = _user(request)
    old = funder_report_run_get_for(user, run_id)
    try:
        run = services.funder_report_request(actor=user, stream=old.stream, since=old.since, until=old.until)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("outcomes:funder_report", run_id=old.pk)
    return redirect("outcomes:funder_report", run_id=run.pk)


def _filename(run: FunderReportRun, ext: str) -> str:
    """From the stream and the period only (no names): e.g. funder-report-youth-fund-2026-04-01-to-2026-06-30."""
    stream = slugify(f"{run.stream.funder.name} {run.stream.name}")[:80] or "stream"
    return f"funder-report-{stream}-{run.since.isoformat()}-to-{run.until.isoformat()}.{ext}"


def _renderers() -> dict[str, tuple[Callable[[FunderReport], bytes], str]]:
    from keyworker.outcomes.reports.render import report_csv, report_pdf, report_xlsx

    return {
        "csv": (report_csv, "text/csv; charset=utf-8"),
        "xlsx": (report_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "pdf": (report_pdf, "application/pdf"),
    }


@staff_view
def funder_report_download(request: HttpRequest, run_id: str, fmt: str) -> HttpResponse:
    """The finished report as a file, built from the tables kept on the run (so every download of a run shows
    the same figures). Audited."""
    user = _user(request)
    run = funder_report_run_get_for(user, run_id)
    report = funder_report_of(run) if run.status == ReportRunStatus.DONE else None
    if report is None:
        raise Http404()
    render, content_type = _renderers()[fmt]
    response = HttpResponse(render(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(run, fmt)}"'
    services.funder_report_downloaded(actor=user, run=run, fmt=fmt)
    return response
