"""Whatever is uploaded (any bytes, any CSV), the import answers with rows or problems: never an unhandled
error, and nothing is created before confirm."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyworker.casework.models import Case
from keyworker.core.errors import ValidationFailed
from keyworker.core.testing import signed_in
from keyworker.people.importing import COLUMNS, ImportFileError, Keyworker, decode_upload, parse_clients_csv
from keyworker.people.models import Client
from keyworker.people.selectors_import import client_import_preview
from keyworker.people.services_import import client_import_upload

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
KNOWN = [spec[0] for spec in COLUMNS.values()] + ["first_name", "DOB", "  PROGRAMME ", "keyworker e-mail"]
NASTY = [
    '=HYPERLINK("http://x.example","click")',
    "+SUM(A1:A2)",
    "-2+3",
    "@cmd",
    "\x00",
    "\ufeff",
    "\r",
    "\n",
    '"',
    ";",
    ",",
    "\t",
    "31/02/1999",
    "1999-13-01",
    "00/00/0000",
    "yes",
    "No",
    "gang exit",
    "x" * 5000,
    "you@keyworker.test",
    "\uff21\uff22\uff23",  # full-width letters
    "\u202e",
    "07700 900123",
    "",
]
cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
headings = st.one_of(st.sampled_from(KNOWN), st.text(max_size=15))
KEYWORKERS = {"you@keyworker.test": Keyworker(1, "Jo")}


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    # mostly headings we know (so the rows themselves are exercised), sometimes anything at all
    header = draw(
        st.one_of(st.lists(st.sampled_from(KNOWN), min_size=1, max_size=8, unique=True), st.lists(headings, max_size=8))
    )
    rows = draw(st.lists(st.lists(cells, max_size=10), max_size=6))
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=draw(st.sampled_from([",", ";", "\t"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
        lineterminator=draw(st.sampled_from(["\r\n", "\n"])),
    )
    try:
        writer.writerows([header, *rows])
    except csv.Error:
        return ",".join(header)
    text = buffer.getvalue()
    if draw(st.booleans()):  # sometimes break the quoting by hand
        text = text.replace('"', draw(st.sampled_from(['"', "", '""', '"\n'])))
    return text


def _check_parse(text: str) -> None:
    try:
        parsed = parse_clients_csv(text, keyworkers=KEYWORKERS, today=dt.date(2026, 11, 27))
    except ImportFileError as exc:
        assert exc.message
        return
    for error in parsed.errors:
        assert str(error).startswith("Row ")
    assert all(row.client["first_name"] and row.programme for row in parsed.rows)


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_decode_or_say_why(data):
    try:
        text = decode_upload(data)
    except ImportFileError as exc:
        assert exc.message
        return
    assert "\x00" not in text
    _check_parse(text)


@FUZZ
@given(csv_texts())
def test_any_csv_parses_to_rows_or_problems(text):
    _check_parse(text)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        csv_texts().map(lambda t: t.encode("utf-8")),
        csv_texts().map(lambda t: t.encode("cp1252", errors="replace")),
    )
)
def test_upload_and_preview_never_fail_and_create_nothing(personas, data):
    before = (Client.objects.count(), Case.objects.count())
    try:
        upload = client_import_upload(actor=personas.manager, filename="fuzz.csv", data=data)
    except ValidationFailed as exc:
        assert exc.field_errors["file"]
    else:
        assert "\x00" not in upload.csv_text
        preview = client_import_preview(personas.manager, upload)
        assert preview.rows or preview.errors or preview.file_error
    assert (Client.objects.count(), Case.objects.count()) == before


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.one_of(st.binary(max_size=500), csv_texts().map(lambda t: t.encode("utf-8"))))
def test_upload_pages_never_500(personas, data):
    http = signed_in(personas.manager)
    before = (Client.objects.count(), Case.objects.count())
    response = http.post(reverse("people:client_import_start"), {"file": SimpleUploadedFile("f.csv", data)})
    assert response.status_code in (302, 422)
    if response.status_code == 302:
        assert http.get(response["Location"]).status_code == 200
    assert (Client.objects.count(), Case.objects.count()) == before
