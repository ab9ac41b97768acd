"""A funder report as plain tables: what the page, the charts, the CSV, the XLSX, the PDF and the API all show,
so they cannot disagree. Kept as JSON on the report run (`to_json` / `from_json`).

A cell is a label (str), a count (int, always 5 or more; a smaller count, and any count hidden with it so that
it cannot be worked out, is the word SUPPRESSED), or a figure that is not a count of anything (hours, a
percentage, a relative rate, a target) as a str. `count_columns` says which columns hold counts, so a test can
check every one of them in every output.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from keyworker.funding.reports import SUPPRESSED

__all__ = ["SUPPRESSED", "FunderReport", "ReportTable"]

Value = str | int


@dataclass(frozen=True)
class ReportTable:
    key: str  # stable, e.g. "people", "closures", "ethnicity"
    title: str  # also the XLSX sheet name (31 characters at most)
    header: list[str]
    rows: list[list[Value]]
    count_columns: list[int] = field(default_factory=list)
    chart: bool = False  # a bar chart of column 1 (a count) by column 0 (the label)
    note: str = ""  # how the figures are counted, in words

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "header": list(self.header),
            "rows": [list(row) for row in self.rows],
            "count_columns": list(self.count_columns),
            "chart": self.chart,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportTable:
        return cls(
            key=data["key"],
            title=data["title"],
            header=list(data["header"]),
            rows=[list(row) for row in data["rows"]],
            count_columns=list(data.get("count_columns", [])),
            chart=bool(data.get("chart", False)),
            note=data.get("note", ""),
        )


@dataclass(frozen=True)
class FunderReport:
    funder: str
    stream: str
    since: dt.date
    until: dt.date
    generated_at: dt.datetime
    tables: list[ReportTable]

    def table(self, key: str) -> ReportTable:
        return next(t for t in self.tables if t.key == key)

    def to_json(self) -> dict[str, Any]:
        return {
            "funder": self.funder,
            "stream": self.stream,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "tables": [t.to_json() for t in self.tables],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FunderReport:
        return cls(
            funder=data["funder"],
            stream=data["stream"],
            since=dt.date.fromisoformat(data["since"]),
            until=dt.date.fromisoformat(data["until"]),
            generated_at=dt.datetime.fromisoformat(data["generated_at"]),
            tables=[ReportTable.from_json(t) for t in data["tables"]],
        )
