"""Plain tables written as a CSV file (one after another, a blank line between) or an XLSX workbook (one sheet
each). Shared by every report that offers downloads, so they are laid out alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Protocol

from openpyxl import Workbook

__all__ = ["SHEET_TITLE_MAX", "PlainTable", "tables_csv", "tables_xlsx"]

SHEET_TITLE_MAX = 31  # Excel refuses longer sheet names


class PlainTable(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def header(self) -> Sequence[object]: ...
    @property
    def rows(self) -> Sequence[Sequence[object]]: ...


def tables_csv(tables: Iterable[PlainTable]) -> bytes:
    """Each table as a title row, a header row and its rows; a blank line between tables."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for number, table in enumerate(tables):
        if number:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(list(table.header))
        writer.writerows(list(row) for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def tables_xlsx(tables: Iterable[PlainTable]) -> bytes:
    """A workbook with one sheet per table (named by its title, cut to 31 characters): header, then rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=table.title[:SHEET_TITLE_MAX])
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
