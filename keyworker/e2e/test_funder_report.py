"""A quarterly funder report in Chromium. A manager signs in, opens Reports from the menu, and asks for last
quarter's report for the Young Londoners stream. The progress page shows while the job waits; the test runs the
queued job (as `keyworker db_worker` would) and the page updates by itself to the finished report with its
charts. She downloads it as CSV, XLSX and PDF: each holds the figures (seven people supported; two cases closed,
shown as "suppressed") and none names any client. At phone width the report still fits. Every page visited
passes axe-core. Names are fictional.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from keyworker.casework.models import CaseStatus, ClosureReason, ContactKind
from keyworker.core.testing import (
    CaseFactory,
    ClientFactory,
    ContactFactory,
    FunderFactory,
    FundingStreamFactory,
    StreamAllocationFactory,
    make_personas,
    run_tasks,
)
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.outcomes.models import FunderReportRun, ReportRunStatus
from keyworker.outcomes.reports.shape import SUPPRESSED
from keyworker.outcomes.services.funder_reports import last_complete_quarters

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 7  # supported by the stream in the quarter: enough for the figure to show
CLOSED = 2  # closed in the quarter: too few, so suppressed everywhere
# The summary as worked out here from the records the test makes (not from the report): everyone was funded and
# seen face to face in the quarter, the open ones are still funded on its last day, nobody was newly funded.
SUMMARY = {
    "People supported in the period": str(PEOPLE),
    "Engaged (at least one contact other than a text message)": str(PEOPLE),
    "Active at the end of the period": str(PEOPLE - CLOSED),
    "Closed in the period": SUPPRESSED,
    "Newly funded in the period": SUPPRESSED,
}


def _cohort(personas: Any, since: dt.date, until: dt.date) -> tuple[Any, list[str]]:
    """The stream and its cohort, built from the raw records: PEOPLE clients funded through the quarter, each
    seen face to face in it, CLOSED of them closed in it. Returns the stream and every name that must not leak."""
    stream = FundingStreamFactory(
        funder=FunderFactory(name="Riverside Community Trust"),
        name="Young Londoners",
        starts_on=since - dt.timedelta(days=365),
    )
    names = []
    for n in range(PEOPLE):
        client = ClientFactory(first_name=f"Quillon{n}", last_name=f"Marchbank{n}")
        names += [client.first_name, client.last_name]
        closed = n < CLOSED
        case = CaseFactory(
            client=client,
            keyworker=personas.you,
            opened_on=since - dt.timedelta(days=60),
            status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
            closed_on=since + dt.timedelta(days=40) if closed else None,
            closure_reason=ClosureReason.GOALS_MET if closed else "",
        )
        StreamAllocationFactory(stream=stream, case=case, starts_on=case.opened_on, allocated_by=personas.manager)
        ContactFactory(
            client=client,
            case=case,
            kind=ContactKind.OFFICE,
            occurred_at=dt.datetime.combine(since + dt.timedelta(days=10), dt.time(11), tzinfo=dt.UTC),
            duration_minutes=60,
            recorded_by=personas.you,
        )
    return stream, names


def _no_names(text: str, names: list[str], where: str) -> None:
    leaked = [name for name in names if name in text]
    assert not leaked, f"{where} names {leaked}"


def test_a_manager_downloads_last_quarters_funder_report(page: Any, axe: AxeChecked) -> None:
    personas = make_personas()
    quarter = last_complete_quarters(timezone.localdate())[0]
    stream, names = _cohort(personas, quarter.since, quarter.until)

    sign_in(page, personas.manager, axe)
    axe.check()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("heading", name="Reports", level=1).wait_for()
    axe.check()
    page.get_by_role("link", name="Funder reports").click()
    page.get_by_role("heading", name="Funder reports", level=1).wait_for()
    axe.check()

    # Last quarter is offered first and chosen already; she picks the stream and asks.
    assert page.get_by_label(quarter.label).is_checked()
    page.get_by_label("Funding stream").select_option(label=str(stream))
    page.get_by_role("button", name="Build the report").click()
    page.get_by_role("heading", name="Young Londoners", level=1).wait_for()
    run = FunderReportRun.objects.get()
    assert (run.stream, run.since, run.until, run.status) == (stream, quarter.since, quarter.until, "queued")
    progress = page.get_by_label("Building the report")
    assert progress.evaluate("el => el.tagName") == "PROGRESS"
    axe.check()

    # The worker picks the job up; the page notices by itself and shows the report.
    run_tasks()
    run.refresh_from_db()
    assert run.status == ReportRunStatus.DONE, run.error
    page.get_by_role("heading", name="Download", level=2).wait_for(timeout=20000)
    assert page.locator("progress").count() == 0
    assert page.locator("[data-chart] svg").count() >= 1
    axe.check()
    _no_names(page.content(), names, "the report page")

    # CSV: the summary figures, the small count suppressed, nobody named.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file of this funder report").click()
    assert re.fullmatch(
        r"funder-report-riverside-community-trust-young-londoners-.+\.csv", download.value.suggested_filename
    )
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    for label, figure in SUMMARY.items():
        assert [label, figure] in rows, (label, figure)
    _no_names(text, names, "the CSV")

    # XLSX: opens, one sheet per table, the same figures.
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX, one sheet per table) of this funder report").click()
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    summary = [[str(c) for c in row] for row in workbook["Summary"].iter_rows(values_only=True)]
    for label, figure in SUMMARY.items():
        assert [label, figure] in summary, (label, figure)
    cells = [
        str(c)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    _no_names(" ".join(cells), names, "the XLSX")

    # PDF: a PDF, with the stream's name, nobody else's.
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF of this funder report, with charts").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    pdf_text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Young Londoners" in pdf_text
    _no_names(pdf_text, names, "the PDF")

    # On a phone the report still fits the screen's width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.get_by_role("heading", name="Download", level=2).wait_for()
    axe.check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
