"""The Reports hub, the funder report runs and a run's page and downloads: who may and may not (404 for anyone
else), asking for a report by quarter or by dates, bad input changes nothing, the progress fragment htmx polls,
failed runs and trying again, downloads named from the stream and period and audited, and bounded queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import FunderFactory, FundingStreamFactory, UserFactory, signed_in
from keyworker.outcomes.models import FunderReportRun, ReportRunStatus
from keyworker.outcomes.services.funder_reports import REPORT_FAILED_MESSAGE
from keyworker.outcomes.tests.test_funder_report_job import Q2, TASK, sample_report

pytestmark = pytest.mark.django_db

ALLOWED = ("manager", "other_manager", "report_viewer")
REFUSED = (
    "you",
    "teammate",
    "other_caseworker",
    "safeguarding_lead",
    "on_call",
    "peer_mentor",
    "data_protection_officer",
)


def _run(personas: Any, status: str = ReportRunStatus.DONE, **fields: Any) -> FunderReportRun:
    stream = fields.pop("stream", None) or FundingStreamFactory(
        funder=FunderFactory(name="Example Trust"), name="Young Londoners"
    )
    defaults: dict[str, Any] = {"since": Q2[0], "until": Q2[1], "requested_by": personas.manager, "status": status}
    if status == ReportRunStatus.DONE:
        defaults |= {"result": sample_report(stream.name).to_json(), "progress": 100, "step": "Done"}
    return FunderReportRun.objects.create(stream=stream, **(defaults | fields))


def _urls(run: FunderReportRun) -> list[str]:
    return [
        reverse("outcomes:reports"),
        reverse("outcomes:funder_reports"),
        reverse("outcomes:funder_report", args=[run.pk]),
        *(reverse(f"outcomes:funder_report_{fmt}", args=[run.pk]) for fmt in ("csv", "xlsx", "pdf")),
    ]


def test_run_pages_by_persona(personas: Any):
    run = _run(personas)
    for who in ALLOWED + REFUSED:
        http = signed_in(getattr(personas, who))
        for url in _urls(run):
            assert http.get(url).status_code == (200 if who in ALLOWED else 404), (who, url)
        retry = http.post(reverse("outcomes:funder_report_retry", args=[run.pk]))
        assert retry.status_code == (302 if who in ALLOWED else 404), who
    # Only the allowed three asked again; nobody else's attempt left a run behind.
    assert FunderReportRun.objects.count() == 1 + len(ALLOWED)
    inactive = UserFactory(role=Role.MANAGER, team=personas.team, is_active=False)
    assert signed_in(inactive).get(reverse("outcomes:reports")).status_code in (302, 404)
    anonymous = signed_in(personas.manager)
    anonymous.logout()
    for url in _urls(run):
        response = anonymous.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_menu_and_the_hub_show_only_what_the_user_can_use(personas: Any):
    hub = reverse("outcomes:reports")
    for who in ALLOWED + REFUSED:
        page = signed_in(getattr(personas, who)).get(reverse("diary:my_week")).content.decode()
        assert (f'href="{hub}"' in page) == (who in ALLOWED), who
    manager = signed_in(personas.manager).get(hub).content.decode()
    for name in (
        "outcomes:funder_reports",
        "funding:capacity",
        "outcomes:cohort_outcomes",
        "outcomes:scale_list",
        "outcomes:letter_templates",
        "funding:stream_list",
    ):
        assert f'href="{reverse(name)}"' in manager, name
    viewer = signed_in(personas.report_viewer).get(hub).content.decode()
    assert f'href="{reverse("outcomes:funder_reports")}"' in viewer
    for name in ("funding:capacity", "outcomes:cohort_outcomes", "outcomes:scale_list", "funding:stream_list"):
        assert f'href="{reverse(name)}"' not in viewer, name
    assert "Settings" not in viewer


@time_machine.travel(dt.datetime(2026, 7, 15, 9, 0, tzinfo=dt.UTC), tick=False)
def test_asking_for_last_quarter(personas: Any):
    stream = FundingStreamFactory()
    http = signed_in(personas.report_viewer)
    page = http.get(reverse("outcomes:funder_reports")).content.decode()
    assert "April to June 2026" in page and "July to September 2025" in page and "Another period" in page
    response = http.post(reverse("outcomes:funder_reports"), {"stream": stream.pk, "period": "2026-04-01_2026-06-30"})
    run = FunderReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:funder_report", args=[run.pk])
    assert (run.stream, run.since, run.until, run.requested_by) == (stream, *Q2, personas.report_viewer)
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


def test_asking_for_another_period(personas: Any):
    stream = FundingStreamFactory()
    http = signed_in(personas.manager)
    data = {"stream": stream.pk, "period": "custom", "since": "2025-04-01", "until": "2026-03-31"}
    assert http.post(reverse("outcomes:funder_reports"), data).status_code == 302
    run = FunderReportRun.objects.get()
    assert (run.since, run.until) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "custom", "since": "2026-04-01", "until": "2026-06-30"}, "Choose a funding stream."),
        ({"stream": "{stream}", "period": ""}, "Choose a period."),
        ({"stream": "{stream}", "period": "2019-01-01_2019-03-31"}, "Choose a period."),
        ({"stream": "{stream}", "period": "custom", "since": "2026-06-30", "until": "2026-04-01"}, "same as or after"),
        ({"stream": "{stream}", "period": "custom", "since": "2020-01-01", "until": "2026-01-01"}, "at most 3 years"),
        ({"stream": "{stream}", "period": "custom", "since": "", "until": "2026-01-01"}, "Enter the first day"),
        ({"stream": "{stream}", "period": "custom", "since": "31/02/2026", "until": "2026-01-01"}, "Enter a real date"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(personas: Any, data: dict[str, str], message: str):
    stream = FundingStreamFactory()
    http = signed_in(personas.manager)
    events = AuditEvent.objects.count()
    data = {k: v.format(stream=stream.pk) for k, v in data.items()}
    response = http.post(reverse("outcomes:funder_reports"), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "There is a problem" in body and message in body
    assert not FunderReportRun.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()
    assert AuditEvent.objects.count() == events


def test_the_progress_page_and_its_fragment(personas: Any):
    run = _run(personas, ReportRunStatus.RUNNING, progress=40, step="Counting contacts and hours")
    url = reverse("outcomes:funder_report", args=[run.pk])
    http = signed_in(personas.manager)
    page = http.get(url).content.decode()
    assert '<progress id="run-progress-bar"' in page and 'value="40"' in page
    assert 'aria-live="polite"' in page and 'hx-trigger="every 2s"' in page
    assert (
        "Counting contacts and hours" in page
        and '<label class="govuk-label govuk-label--s" for="run-progress-bar"' in page
    )
    fragment = http.get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body and "<h1" not in body
    assert 'value="40"' in body and "40% done: Counting contacts and hours." in body
    # Finished: the poll is told to load the whole page, which shows the report and polls no more.
    FunderReportRun.objects.filter(pk=run.pk).update(
        status=ReportRunStatus.DONE, progress=100, result=sample_report().to_json()
    )
    done = http.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    page = http.get(url).content.decode()
    assert "hx-trigger" not in page and "<progress" not in page


def test_the_finished_report_shows_every_table_with_charts_and_downloads(personas: Any):
    run = _run(personas)
    page = signed_in(personas.report_viewer).get(reverse("outcomes:funder_report", args=[run.pk])).content.decode()
    assert page.count("<h1") == 1 and "Young Londoners" in page
    for text in (
        "People",
        "Supported in the period",
        "suppressed",
        "Contacts and hours",
        "31.5",
        "Counted once each.",
    ):
        assert text in page, text
    assert 'data-chart="summary"' in page and "<svg" in page and 'data-chart="contacts"' not in page
    assert '<th scope="col" class="govuk-table__header">Measure</th>' in page
    for fmt in ("csv", "xlsx", "pdf"):
        assert f'href="{reverse(f"outcomes:funder_report_{fmt}", args=[run.pk])}"' in page


def test_a_failed_run_says_so_and_can_be_tried_again(personas: Any):
    run = _run(personas, ReportRunStatus.FAILED, error=REPORT_FAILED_MESSAGE)
    http = signed_in(personas.manager)
    page = http.get(reverse("outcomes:funder_report", args=[run.pk])).content.decode()
    assert "could not be built" in page and "Try again" in page and "<progress" not in page
    assert http.get(reverse("outcomes:funder_report_csv", args=[run.pk])).status_code == 404
    response = http.post(reverse("outcomes:funder_report_retry", args=[run.pk]))
    again = FunderReportRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse("outcomes:funder_report", args=[again.pk])
    assert (again.stream, again.since, again.until, again.status) == (run.stream, run.since, run.until, "queued")
    assert http.get(reverse("outcomes:funder_report_retry", args=[run.pk])).status_code == 405


def test_downloads_are_named_from_the_stream_and_period_and_audited(personas: Any):
    run = _run(personas)
    http = signed_in(personas.report_viewer)
    name = "funder-report-example-trust-young-londoners-2026-04-01-to-2026-06-30"
    response = http.get(reverse("outcomes:funder_report_csv", args=[run.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{name}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Supported in the period", "12"] in rows
    xlsx = http.get(reverse("outcomes:funder_report_xlsx", args=[run.pk]))
    assert xlsx["Content-Disposition"] == f'attachment; filename="{name}.xlsx"' and xlsx.content[:2] == b"PK"
    pdf = http.get(reverse("outcomes:funder_report_pdf", args=[run.pk]))
    assert pdf["Content-Disposition"] == f'attachment; filename="{name}.pdf"' and pdf.content[:4] == b"%PDF"
    events = AuditEvent.objects.filter(object_id=str(run.pk), action=AuditAction.EXPORT).order_by("sequence")
    assert [e.detail["format"] for e in events] == ["csv", "xlsx", "pdf"]
    assert all(e.detail["event"] == "funder_report.downloaded" and e.client_id is None for e in events)
    assert all(e.actor == personas.report_viewer for e in events)


def test_an_unfinished_run_has_no_downloads(personas: Any):
    run = _run(personas, ReportRunStatus.QUEUED)
    for fmt in ("csv", "xlsx", "pdf"):
        assert (
            signed_in(personas.manager).get(reverse(f"outcomes:funder_report_{fmt}", args=[run.pk])).status_code == 404
        )


def test_the_list_is_newest_first_with_bounded_queries(personas: Any, django_assert_max_num_queries: Any):
    http = signed_in(personas.manager)
    http.get(reverse("outcomes:funder_reports"))  # warm the session
    for _ in range(2):
        _run(personas, ReportRunStatus.QUEUED, stream=FundingStreamFactory())
    with django_assert_max_num_queries(20) as few:
        http.get(reverse("outcomes:funder_reports"))
    for n in range(12):
        _run(personas, ReportRunStatus.DONE if n % 2 else ReportRunStatus.FAILED, stream=FundingStreamFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = http.get(reverse("outcomes:funder_reports")).content.decode()
    newest = FunderReportRun.objects.order_by("-created_at").first()
    assert newest is not None and page.index(str(newest.pk)) < page.index(
        str(FunderReportRun.objects.order_by("created_at").first().pk)
    )
    assert "Robin" not in page and "Morgan Manager" in page
