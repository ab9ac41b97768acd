"""A funder report as a download: CSV, XLSX or PDF. Each reads only the report's tables (already suppressed),
so the files show exactly what the page shows and nothing more; the notes saying how each table is counted go
in a last table, "About these figures", in the CSV and XLSX, and under each table in the PDF."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string

from keyworker.core.tables import tables_csv, tables_xlsx
from keyworker.outcomes.letter_default import organisation_name
from keyworker.outcomes.reports.charts import bar_chart_svg
from keyworker.outcomes.reports.funder import SUPPRESSION_NOTE
from keyworker.outcomes.reports.shape import SUPPRESSED, FunderReport, ReportTable, Value
from keyworker.outcomes.services.letters import pdf_of

__all__ = ["report_csv", "report_html", "report_pdf", "report_xlsx"]

ABOUT_TITLE = "About these figures"


@dataclass(frozen=True)
class _Plain:
    title: str
    header: list[str]
    rows: list[list[Value]]


def _with_about(report: FunderReport) -> Iterable[_Plain | ReportTable]:
    yield _Plain(
        "Report",
        ["Item", "Value"],
        [
            ["Funder", report.funder],
            ["Stream", report.stream],
            ["Period from", report.since.isoformat()],
            ["Period to", report.until.isoformat()],
            ["Produced", report.generated_at.date().isoformat()],
            ["Small numbers", SUPPRESSION_NOTE],
        ],
    )
    yield from report.tables
    yield _Plain(ABOUT_TITLE, ["Table", "How it is counted"], [[t.title, t.note] for t in report.tables])


def report_csv(report: FunderReport) -> bytes:
    """Every table one after another (title row, header, rows), a blank line between them."""
    return tables_csv(_with_about(report))


def report_xlsx(report: FunderReport) -> bytes:
    """A workbook, one sheet per table (the sheet named by the table's title)."""
    return tables_xlsx(_with_about(report))


def report_html(report: FunderReport) -> str:
    """The printable page the PDF is made from: headings, each chart, each table and its note."""
    tables = [
        {
            "table": table,
            "chart": bar_chart_svg(table) if table.chart else None,
            # Columns right-aligned as numbers: counts, and any column whose cells are all figures.
            "numeric": {
                i
                for i in range(1, len(table.header))
                if i in table.count_columns or all(_figure(row[i]) for row in table.rows if i < len(row))
            },
        }
        for table in report.tables
    ]
    return render_to_string(
        "outcomes/reports/pdf.html",
        {
            "report": report,
            "tables": tables,
            "generated": report.generated_at,
            "organisation": organisation_name(),
            "suppression_note": SUPPRESSION_NOTE,
        },
        using="jinja2",
    )


def _figure(value: Value) -> bool:
    if isinstance(value, int) or value == SUPPRESSED:
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def report_pdf(report: FunderReport) -> bytes:
    """The report as a PDF (WeasyPrint, as letters are made; nothing is fetched)."""
    return pdf_of(report_html(report))
