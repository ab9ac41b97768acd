"""Every output of a funder report (its JSON, the CSV, the XLSX and the PDF) shows only counts of 5 or more or
the words for a hidden count, and holds nothing that identifies a person."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from keyworker.casework.models import Case
from keyworker.core.testing import EstablishmentFactory, UserFactory
from keyworker.custody.models import CustodyEpisode
from keyworker.funding.models import StreamAllocation
from keyworker.outcomes.reports.funder import funder_report_build
from keyworker.outcomes.reports.render import ABOUT_TITLE, report_csv, report_pdf, report_xlsx
from keyworker.outcomes.reports.shape import SUPPRESSED, FunderReport
from keyworker.outcomes.tests.test_funder_report_figures import SINCE, UNTIL, Cohort, build_cohort
from keyworker.people.models import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """One cohort and its report, shared by the tests here (building it is the slow part)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            cohort = build_cohort(seed=5, size=60)
            prison = EstablishmentFactory()
            for n, client in enumerate(cohort.clients[:20]):
                CustodyEpisode.objects.create(
                    client=client,
                    establishment=prison,
                    prison_number=f"A{7300 + n}QZ",
                    received_on=dt.date(2024, 5, 1),
                    recorded_by=UserFactory(),
                )
            report = funder_report_build(cohort.stream, since=SINCE, until=UNTIL)
            outputs = {
                "json": json.dumps(report.to_json()),
                "csv": report_csv(report),
                "xlsx": report_xlsx(report),
                "pdf": report_pdf(report),
            }
            secrets = _personal_data(cohort)
            transaction.set_rollback(True)
    return report, outputs, secrets


def _personal_data(cohort: Cohort) -> dict[str, set[str]]:
    """Every identifying value of every client in the database, as it could appear in a file."""
    found: dict[str, set[str]] = {"names": set(), "references": set(), "ids": set(), "dates": set(), "other": set()}
    for client in Client.objects.all():
        found["names"].update({client.first_name, client.last_name})
        found["ids"].update({str(client.pk), client.pk.hex})
        if client.postcode:
            found["other"].add(client.postcode)
        if client.date_of_birth:
            dob = client.date_of_birth
            found["dates"].update({dob.isoformat(), f"{dob.day} {dob:%B %Y}", f"{dob:%d/%m/%Y}"})
    for pk, reference in Case.objects.values_list("pk", "reference"):
        found["references"].add(reference)
        found["ids"].update({str(pk), pk.hex})
    found["other"].update(p for p in CustodyEpisode.objects.values_list("prison_number", flat=True) if p)
    funded = StreamAllocation.objects.filter(stream=cohort.stream).values_list("case__client_id", flat=True)
    areas = Counter(
        (a or "").strip().casefold() for a in Client.objects.filter(pk__in=funded).values_list("home_area", flat=True)
    )
    found["other"].update(area.title() for area, n in areas.items() if area and n < 5)
    return found


def _assert_nothing_personal(text: str, secrets: dict[str, set[str]]) -> None:
    folded = text.casefold()
    for kind, values in secrets.items():
        leaked = sorted(v for v in values if v and v.casefold() in folded)
        assert not leaked, f"{kind} found in the output: {leaked[:5]}"


def _assert_count_columns(report: FunderReport, rows_of: dict[str, list[list[Any]]]) -> None:
    """In the table with each title, every count-column cell is an int of 5 or more, or SUPPRESSED."""
    checked = 0
    for table in report.tables:
        rows = rows_of[table.title]
        assert len(rows) == len(table.rows)
        for row in rows:
            for column in table.count_columns:
                value = row[column]
                assert value == SUPPRESSED or (int(value) >= 5 and str(int(value)) == str(value)), (table.key, row)
                checked += 1
    assert checked > 50


def test_the_json_shows_no_small_counts_and_no_personal_data(built: Any) -> None:
    report, outputs, secrets = built
    again = FunderReport.from_json(json.loads(outputs["json"]))
    assert again == report
    _assert_count_columns(report, {t.title: t.rows for t in again.tables})
    _assert_nothing_personal(outputs["json"], secrets)
    # It is not all hidden: the realistic cohort shows real numbers too.
    assert isinstance(report.table("summary").rows[0][1], int)


def test_the_csv_shows_no_small_counts_and_no_personal_data(built: Any) -> None:
    report, outputs, secrets = built
    text = outputs["csv"].decode("utf-8")
    blocks: list[list[list[str]]] = [[]]
    for line in csv.reader(io.StringIO(text)):
        if line:
            blocks[-1].append(line)
        else:
            blocks.append([])
    # Each table: its title row, its header row, then its rows.
    rows_of = {block[0][0]: block[2:] for block in blocks}
    for table in report.tables:
        assert next(b for b in blocks if b[0][0] == table.title)[1] == table.header
    assert ABOUT_TITLE in rows_of
    _assert_count_columns(report, rows_of)
    _assert_nothing_personal(text, secrets)


def test_the_xlsx_shows_no_small_counts_and_no_personal_data(built: Any) -> None:
    report, outputs, secrets = built
    workbook = load_workbook(io.BytesIO(outputs["xlsx"]), read_only=True)
    rows_of = {}
    everything: list[str] = []
    for sheet in workbook.worksheets:
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        everything.extend(str(v) for row in values for v in row if v is not None)
        rows_of[sheet.title] = values[1:]
    assert [t.title[:31] for t in report.tables] == [s for s in rows_of if s not in ("Report", ABOUT_TITLE)]
    _assert_count_columns(report, rows_of)
    _assert_nothing_personal("\n".join(everything), secrets)


def test_the_pdf_shows_every_table_and_no_personal_data(built: Any) -> None:
    report, outputs, secrets = built
    assert outputs["pdf"].startswith(b"%PDF")
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(outputs["pdf"])).pages)
    for table in report.tables:
        assert table.title in text
    assert SUPPRESSED in text and report.stream in text
    _assert_nothing_personal(text, secrets)
    # Every number in a count column that the report shows is 5 or more (the PDF only prints the tables).
    for table in report.tables:
        for row in table.rows:
            for column in table.count_columns:
                assert row[column] == SUPPRESSED or row[column] >= 5
