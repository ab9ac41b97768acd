"""Reading a caseload spreadsheet (CSV) into rows to import, or the problems to fix first.

Pure: no database. The caller passes in the team's keyworkers (by e-mail) and today's date. Every cell is
kept as text: a cell that looks like a spreadsheet formula (`=HYPERLINK(...)`) is stored as typed and never
evaluated; Keyworker's own CSV downloads are the place to neutralise formulas, not the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from keyworker.casework.models import Programme

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = 1000  # longer than any field we keep; a longer cell is a row error, not a crash

DATE_EXAMPLE = "31/01/1990"
NAME_MAX = 100
PHONE_MAX = 40

# column key -> (heading as documented, other headings accepted, required, what goes in it)
COLUMNS: dict[str, tuple[str, tuple[str, ...], bool, str]] = {
    "first_name": ("First name", ("forename", "given name"), True, "Required."),
    "last_name": ("Last name", ("surname", "family name"), False, "Optional."),
    "preferred_name": ("Preferred name", ("known as",), False, "Optional: the name they go by."),
    "date_of_birth": ("Date of birth", ("dob", "birth date"), False, "DD/MM/YYYY or YYYY-MM-DD."),
    "programme": ("Programme", ("program",), True, "One of: " + ", ".join(str(x) for x in Programme.labels) + "."),
    "keyworker": (
        "Keyworker",
        ("keyworker email", "keyworker e-mail", "caseworker"),
        False,
        "The e-mail address of a caseworker in your team; blank if not yet allocated.",
    ),
    "opened_on": (
        "Opened on",
        ("case opened", "opened", "start date"),
        False,
        "When the case opened, DD/MM/YYYY or YYYY-MM-DD; blank for today.",
    ),
    "phone": ("Phone", ("phone number", "mobile", "telephone"), False, "Optional."),
    "may_phone": ("May phone", (), False, "yes or no; blank for yes."),
    "may_text": ("May text", (), False, "yes or no; blank for yes."),
    "may_leave_voicemail": ("May voicemail", ("may leave voicemail",), False, "yes or no; blank for no."),
    "may_write": ("May write", ("may write to", "may post"), False, "yes or no; blank for no."),
}
BOOL_DEFAULTS = {"may_phone": True, "may_text": True, "may_leave_voicemail": False, "may_write": False}
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
PHONE_RE = re.compile(r"^[0-9 +()\-.]*$")

EXAMPLE_CSV = (
    "First name,Last name,Preferred name,Date of birth,Programme,Keyworker,Opened on,Phone,"
    "May phone,May text,May voicemail,May write\r\n"
    "Jordan,Example,Jay,31/01/1999,Gang exit,caseworker@example.org,01/09/2026,07700 900123,yes,yes,no,no\r\n"
    "Sam,Sample,,2001-06-15,Resettlement (through the gate),,,,no,yes,no,no\r\n"
)


def _heading_key(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


HEADINGS: dict[str, str] = {}
for _key, (_title, _aliases, _required, _hint) in COLUMNS.items():
    for _name in (_title, _key, *_aliases):
        HEADINGS[_heading_key(_name)] = _key
PROGRAMMES: dict[str, str] = {}
for _value, _label in Programme.choices:
    PROGRAMMES[_heading_key(str(_label))] = _value
    PROGRAMMES[_heading_key(_value)] = _value


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a CSV, too big, no header): nothing is kept."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Keyworker:
    """A member of the importing team a case may be allocated to (looked up by the caller)."""

    id: Any
    name: str


@dataclass(frozen=True)
class RowError:
    line: int  # the spreadsheet's row number: the header is row 1
    column: str  # the documented heading, or "" for the whole row
    message: str

    def __str__(self) -> str:
        where = f"Row {self.line}, {self.column.lower()}" if self.column else f"Row {self.line}"
        return f"{where}: {self.message}"


@dataclass
class ImportRow:
    line: int
    client: dict[str, Any]  # Client fields
    programme: str
    keyworker_email: str = ""
    keyworker: Keyworker | None = None
    opened_on: dt.date | None = None


@dataclass
class Parsed:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode_upload(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), UTF-16 with its mark (Excel's "Unicode
    text"), else Windows-1252 (Excel's plain "CSV"). NUL characters mean it is not a text file (and
    PostgreSQL could not keep it)."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise ImportFileError("The file is empty.")
    text: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
    if text is None:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        raise ImportFileError('The file could not be read as text. Save it from your spreadsheet as "CSV UTF-8".')
    if "\x00" in text:
        raise ImportFileError('The file is not a CSV file. Save it from your spreadsheet as "CSV UTF-8".')
    return text.lstrip("\ufeff")


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel in much of Europe) or tab, whichever the header row has most of."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_date(value: str) -> dt.date | None:
    value = value.strip()
    for pattern in (r"(\d{1,2})/(\d{1,2})/(\d{4})", r"(\d{4})-(\d{1,2})-(\d{1,2})"):
        match = re.fullmatch(pattern, value)
        if match:
            a, b, c = (int(x) for x in match.groups())
            day, month, year = (a, b, c) if "/" in value else (c, b, a)
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def _bool(value: str) -> bool | None:
    value = value.strip().casefold()
    return True if value in YES else False if value in NO else None


def parse_clients_csv(text: str, *, keyworkers: Mapping[str, Keyworker], today: dt.date) -> Parsed:
    """The rows to import and every problem found, each naming its row and column. Raises ImportFileError only
    for problems with the file as a whole (no header, unknown or missing columns, too many rows)."""
    if "\x00" in text:
        raise ImportFileError('The file is not a CSV file. Save it from your spreadsheet as "CSV UTF-8".')
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        # A spreadsheet row is a CSV record (a quoted cell may hold line breaks), so number records, not lines.
        records = [(number, record) for number, record in enumerate(_limited(reader), start=1)]
    except csv.Error as exc:
        raise ImportFileError(f"The file is not a readable CSV file (near row {reader.line_num}).") from exc
    records = [(n, r) for n, r in records if any(cell.strip() for cell in r)]
    if not records:
        raise ImportFileError("The file has no header row.")
    header = records[0][1]
    columns = _columns(header)
    data = records[1:]
    if not data:
        raise ImportFileError("The file has a header row but no clients below it.")
    if len(data) > MAX_ROWS:
        raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; import at most {MAX_ROWS:,} at a time.")
    parsed = Parsed()
    seen: dict[tuple[str, str, dt.date | None], int] = {}
    for row_number, record in data:
        cells = {key: (record[i].strip() if i < len(record) else "") for i, key in columns.items()}
        extra = record[len(header) :]
        row_errors: list[RowError] = []
        if any(cell.strip() for cell in extra):
            row_errors.append(RowError(row_number, "", "it has more cells than the header row has columns"))
        row = _row(row_number, cells, keyworkers, today, row_errors)
        if row is not None and not row_errors:
            key = (row.client["first_name"].casefold(), row.client["last_name"].casefold(), row.client["date_of_birth"])
            if key in seen:
                row_errors.append(RowError(row_number, "", f"the same person as row {seen[key]}: remove one of them"))
            else:
                seen[key] = row_number
        if row_errors:
            parsed.errors.extend(row_errors)
        elif row is not None:
            parsed.rows.append(row)
    return parsed


def _limited(reader: Any) -> Any:
    """The CSV's records, stopping a little past the row limit (a huge file is refused, not read whole)."""
    for count, record in enumerate(reader):
        if count > MAX_ROWS + 1:
            break
        yield record


def _columns(header: list[str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for index, heading in enumerate(header):
        key = HEADINGS.get(_heading_key(heading))
        if key is None:
            if heading.strip():
                unknown.append(heading.strip()[:40])
            continue
        if key in columns.values():
            raise ImportFileError(f'The column "{COLUMNS[key][0]}" appears more than once in the header row.')
        columns[index] = key
    if unknown:
        raise ImportFileError(
            "The header row has columns we do not know: "
            + ", ".join(f'"{name}"' for name in unknown[:5])
            + ". Use the column names from the example file."
        )
    missing = [COLUMNS[key][0] for key, spec in COLUMNS.items() if spec[2] and key not in columns.values()]
    if missing:
        raise ImportFileError("The header row must have the columns: " + ", ".join(missing) + ".")
    return columns


def _row(
    n: int, cells: dict[str, str], keyworkers: Mapping[str, Keyworker], today: dt.date, errors: list[RowError]
) -> ImportRow | None:
    def problem(key: str, message: str) -> None:
        errors.append(RowError(n, COLUMNS[key][0], message))

    for key, value in cells.items():
        if len(value) > MAX_CELL:
            problem(key, f"keep it to {MAX_CELL} characters")
            cells[key] = ""
    client: dict[str, Any] = {}
    for key in ("first_name", "last_name", "preferred_name"):
        value = cells.get(key, "")
        if len(value) > NAME_MAX:
            problem(key, f"keep it to {NAME_MAX} characters")
        client[key] = value
    if not client["first_name"] and not any(e.column == COLUMNS["first_name"][0] for e in errors):
        problem("first_name", "enter a first name")

    client["date_of_birth"] = None
    if cells.get("date_of_birth"):
        born = _parse_date(cells["date_of_birth"])
        if born is None:
            problem("date_of_birth", f"enter a real date, like {DATE_EXAMPLE}")
        elif born >= today or born.year < 1900:
            problem("date_of_birth", "the date of birth must be in the past")
        else:
            client["date_of_birth"] = born

    programme = PROGRAMMES.get(_heading_key(cells.get("programme", "")), "")
    if not cells.get("programme"):
        problem("programme", "enter a programme, like Gang exit")
    elif not programme:
        problem("programme", "enter one of: " + ", ".join(str(x) for x in Programme.labels))

    keyworker = None
    email = cells.get("keyworker", "").casefold()
    if email:
        keyworker = keyworkers.get(email)
        if keyworker is None:
            problem("keyworker", "enter the e-mail address of a caseworker in your team")

    opened_on = None
    if cells.get("opened_on"):
        opened_on = _parse_date(cells["opened_on"])
        if opened_on is None:
            problem("opened_on", f"enter a real date, like {DATE_EXAMPLE}")
        elif opened_on > today:
            problem("opened_on", "the case cannot open in the future")
            opened_on = None
        elif client["date_of_birth"] and opened_on < client["date_of_birth"]:
            problem("opened_on", "the case cannot open before the date of birth")

    phone = cells.get("phone", "")
    if len(phone) > PHONE_MAX:
        problem("phone", f"keep it to {PHONE_MAX} characters")
    elif not PHONE_RE.match(phone) or (phone and not any(ch.isdigit() for ch in phone)):
        problem("phone", "enter a phone number, like 07700 900123")
    client["phone"] = phone

    for key, default in BOOL_DEFAULTS.items():
        raw = cells.get(key, "")
        answer = _bool(raw) if raw else default
        if answer is None:
            problem(key, "enter yes or no")
            answer = default
        client[key] = answer
    return ImportRow(
        line=n, client=client, programme=programme, keyworker_email=email, keyworker=keyworker, opened_on=opened_on
    )
