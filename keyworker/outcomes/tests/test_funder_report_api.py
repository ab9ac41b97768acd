"""/api/v1/funder-reports: ask for a report (202, the run, its job queued), list the runs, read one (status and
progress; the tables once done). Managers and report viewers only; anyone else 404, and bad input 422 changing
nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from keyworker.core.testing import FundingStreamFactory, run_tasks, signed_in
from keyworker.outcomes.models import FunderReportRun, ReportRunStatus
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
URL = "/api/v1/funder-reports"


def _post(http: Any, body: dict[str, Any]) -> Any:
    return http.post(URL, json.dumps(body), content_type="application/json")


def test_api_by_persona(personas: Any):
    stream = FundingStreamFactory()
    run = FunderReportRun.objects.create(
        stream=stream,
        since=Q2[0],
        until=Q2[1],
        requested_by=personas.manager,
        status=ReportRunStatus.DONE,
        result=sample_report(stream.name).to_json(),
        progress=100,
    )
    body = {"stream_id": str(stream.pk), "since": "2026-04-01", "until": "2026-06-30"}
    for who in REFUSED:
        http = signed_in(getattr(personas, who))
        assert http.get(URL).status_code == 404, who
        assert http.get(f"{URL}/{run.pk}").status_code == 404, who
        assert _post(http, body).status_code == 404, who
    assert FunderReportRun.objects.count() == 1
    for who in ALLOWED:
        http = signed_in(getattr(personas, who))
        assert http.get(URL).status_code == 200, who
        assert http.get(f"{URL}/{run.pk}").status_code == 200, who
        assert _post(http, body).status_code == 202, who
    assert FunderReportRun.objects.count() == 1 + len(ALLOWED)
    anonymous = signed_in(personas.manager)
    anonymous.logout()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(f"{URL}/{run.pk}").status_code == 401


def test_ask_then_read_until_done(personas: Any):
    stream = FundingStreamFactory()
    http = signed_in(personas.report_viewer)
    response = _post(http, {"stream_id": str(stream.pk), "since": "2026-04-01", "until": "2026-06-30"})
    assert response.status_code == 202
    run = response.json()
    assert run["status"] == "queued" and run["progress"] == 0 and run["stream"]["name"] == stream.name
    assert run["stream"]["funder"] == stream.funder.name and run["requested_by"]["id"] == str(personas.report_viewer.pk)
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    before = http.get(f"{URL}/{run['id']}").json()
    assert before["report"] is None
    run_tasks()
    after = http.get(f"{URL}/{run['id']}").json()
    assert after["status"] == "done" and after["progress"] == 100 and after["finished_at"]
    keys = [t["key"] for t in after["report"]["tables"]]
    assert "summary" in keys
    listed = http.get(URL).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == run["id"] and "report" not in listed["items"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stream_id": "not-an-id", "since": "2026-04-01", "until": "2026-06-30"}, "stream_id"),
        (
            {"stream_id": "00000000-0000-0000-0000-000000000000", "since": "2026-04-01", "until": "2026-06-30"},
            "stream_id",
        ),
        ({"stream_id": "{stream}", "since": "2026-06-30", "until": "2026-04-01"}, "until"),
        ({"stream_id": "{stream}", "since": "2020-01-01", "until": "2026-06-30"}, "until"),
    ],
)
def test_bad_input_is_422_and_changes_nothing(personas: Any, body: dict[str, str], field: str):
    stream = FundingStreamFactory()
    body = {k: v.format(stream=stream.pk) for k, v in body.items()}
    response = _post(signed_in(personas.manager), body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not FunderReportRun.objects.exists() and not DBTaskResult.objects.filter(task_path=TASK).exists()


def test_malformed_bodies_and_ids(personas: Any):
    http = signed_in(personas.manager)
    assert _post(http, {"stream_id": "x", "since": "soon", "until": "2026-06-30"}).status_code == 422
    assert _post(http, {"stream_id": "x", "since": "2026-04-01", "until": "2026-06-30", "extra": 1}).status_code == 422
    assert http.get(f"{URL}/not-an-id").status_code == 404
    assert http.get(f"{URL}/00000000-0000-0000-0000-000000000000").status_code == 404
    assert not FunderReportRun.objects.exists()


def test_a_failed_run_reads_as_failed(personas: Any):
    stream = FundingStreamFactory()
    run = FunderReportRun.objects.create(
        stream=stream,
        since=Q2[0],
        until=Q2[1],
        requested_by=personas.manager,
        status=ReportRunStatus.FAILED,
        error="The report could not be built.",
    )
    got = signed_in(personas.manager).get(f"{URL}/{run.pk}").json()
    assert got["status"] == "failed" and got["error"] == "The report could not be built." and got["report"] is None
