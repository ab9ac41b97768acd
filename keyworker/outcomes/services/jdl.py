"""The Justice Data Lab export: the data protection officer makes a cohort file of the people a funding stream
worked with in a period, to send to the Ministry of Justice under a data sharing agreement.

The file is made here and handed to the caller to send to the browser; it is never stored. In ONE
transaction: the export row, an audit event ("jdl.exported": stream, period, how many people, no names) and a
disclosure per person in the file (so each person's record shows that their details left)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction
from openpyxl import Workbook

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.validation import create_checked
from keyworker.funding.models import FundingStream
from keyworker.outcomes.models import JusticeDataLabExport
from keyworker.outcomes.rules.jdl import HEADER, JdlRow
from keyworker.outcomes.selectors.jdl import jdl_cohort_for
from keyworker.privacy.services import disclosures_record_many

__all__ = [
    "JDL_FORMATS",
    "JDL_RECIPIENT",
    "JDL_WHAT",
    "JdlFile",
    "jdl_csv",
    "jdl_export",
    "jdl_period_problems",
    "jdl_xlsx",
]

JDL_WHAT = "Justice Data Lab cohort file: name, date of birth, gender, prison number and intervention dates"
JDL_RECIPIENT = "Ministry of Justice, Justice Data Lab"
JDL_EVENT = "jdl.exported"
JDL_FORMATS = ("xlsx", "csv")
REASON_MAX_CHARS = 300
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class JdlFile:
    export: JusticeDataLabExport
    filename: str
    content_type: str
    content: bytes


def jdl_period_problems(since: dt.date | None, until: dt.date | None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if since is None:
        problems["since"] = ["Enter the first day of the period."]
    if until is None:
        problems["until"] = ["Enter the last day of the period."]
    elif since is not None and until < since:
        problems["until"] = ["The last day must be on or after the first day."]
    return problems


def _safe_text(value: str) -> str:
    """Text a spreadsheet will not run as a formula (a name typed as "=..." stays a name)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_cell(value: str | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return _safe_text(value)


def jdl_csv(rows: list[JdlRow]) -> bytes:
    """The cohort file as CSV (dates as DD/MM/YYYY, as the Data Lab's template has them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row.cells()])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the names' accents right


def jdl_xlsx(rows: list[JdlRow]) -> bytes:
    """The cohort file as a workbook: one sheet, real dates shown as DD/MM/YYYY, text kept as text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Cohort"
    sheet.append(HEADER)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row.cells(), start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "DD/MM/YYYY"
            elif value:
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever the text starts with
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def jdl_export(
    *,
    actor: User,
    stream: FundingStream | None,
    since: dt.date | None,
    until: dt.date | None,
    reason: str,
    file_format: str = "xlsx",
) -> JdlFile:
    """Make the cohort file and record that it left: the export row, the audit event and the disclosures, all
    or nothing. Bad input (no stream, no period, no reason, an empty cohort) writes nothing."""
    if not policy.can_export_justice_data_lab(actor):
        raise NotFound()
    reason = (reason or "").strip()
    problems = jdl_period_problems(since, until)
    if stream is None:
        problems["stream"] = ["Choose the funding stream."]
    if not reason:
        problems["reason"] = ["Give the reason: the data sharing agreement or request the file is sent under."]
    elif len(reason) > REASON_MAX_CHARS:
        problems["reason"] = [f"Keep the reason to {REASON_MAX_CHARS} characters or fewer."]
    if file_format not in JDL_FORMATS:
        problems["file_format"] = ["Choose Excel (XLSX) or CSV."]
    if problems:
        raise ValidationFailed("There is a problem with this export.", problems)
    assert stream is not None and since is not None and until is not None
    people = jdl_cohort_for(actor, stream=stream, since=since, until=until)
    if not people:
        raise ValidationFailed(
            "No one was funded by this stream in that period, so there is nothing to send.",
            {"since": ["No one was funded by this stream in this period: choose another period or stream."]},
        )
    export = create_checked(
        JusticeDataLabExport,
        stream=stream,
        since=since,
        until=until,
        people=len(people),
        exported_by=actor,
        reason=reason,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=export,
        detail={
            "event": JDL_EVENT,
            "stream": str(stream.pk),
            "since": since.isoformat(),
            "until": until.isoformat(),
            "people": len(people),
            "format": file_format,
        },
    )
    disclosures_record_many(
        actor=actor,
        clients=[person.client for person in people],
        what=JDL_WHAT,
        recipient=JDL_RECIPIENT,
        basis=reason,
        source=export,
    )
    rows = [person.row for person in people]
    name = f"justice-data-lab-{since.isoformat()}-to-{until.isoformat()}"
    if file_format == "csv":
        return JdlFile(export, f"{name}.csv", "text/csv; charset=utf-8", jdl_csv(rows))
    return JdlFile(export, f"{name}.xlsx", XLSX_TYPE, jdl_xlsx(rows))
