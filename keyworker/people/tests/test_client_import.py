"""Importing clients from a spreadsheet: the preview's messages, all or nothing, who may, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Case, CaseStatus
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.models import Sequence
from keyworker.core.testing import CaseFactory, signed_in
from keyworker.people.importing import EXAMPLE_CSV, Keyworker, parse_clients_csv
from keyworker.people.models import Client, ClientImport, ClientImportStatus
from keyworker.people.services_import import client_import_confirm, client_import_discard, client_import_upload

HEADER = (
    "First name,Last name,Date of birth,Programme,Keyworker,Opened on,Phone,May phone,May text,May voicemail,May write"
)
TODAY = dt.date(2026, 11, 27)


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def _counts() -> tuple[int, int, int, int]:
    return Client.objects.count(), Case.objects.count(), AuditEvent.objects.count(), ClientImport.objects.count()


GOOD = "Jordan,Example,31/01/1999,Gang exit,you@keyworker.test,01/09/2026,07700 900123,yes,yes,no,no"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",Example,31/01/1999,Gang exit,,,,,,,", "Row 3, first name: enter a first name"),
        ("Jo,Example,31/02/1999,Gang exit,,,,,,,", "Row 3, date of birth: enter a real date, like 31/01/1990"),
        ("Jo,Example,1999/01/31,Gang exit,,,,,,,", "Row 3, date of birth: enter a real date, like 31/01/1990"),
        ("Jo,Example,01/01/2030,Gang exit,,,,,,,", "Row 3, date of birth: the date of birth must be in the past"),
        ("Jo,Example,,Knitting,,,,,,,", "Row 3, programme: enter one of: Gang exit"),
        ("Jo,Example,,,,,,,,,", "Row 3, programme: enter a programme, like Gang exit"),
        (
            "Jo,Example,,Gang exit,other@keyworker.test,,,,,,",
            "Row 3, keyworker: enter the e-mail address of a caseworker in your team",
        ),
        ("Jo,Example,,Gang exit,nobody@example.org,,,,,,", "Row 3, keyworker: enter the e-mail address"),
        ("Jo,Example,,Gang exit,,01/01/2030,,,,,", "Row 3, opened on: the case cannot open in the future"),
        ("Jo,Example,,Gang exit,,,call me,,,,", "Row 3, phone: enter a phone number, like 07700 900123"),
        ("Jo,Example,,Gang exit,,,,maybe,,,", "Row 3, may phone: enter yes or no"),
        ("Jo," + "x" * 101 + ",,Gang exit,,,,,,,", "Row 3, last name: keep it to 100 characters"),
        ("Jo,Example,,Gang exit,,,,,,,,surplus", "Row 3: it has more cells than the header row has columns"),
        ("Jordan,Example,31/01/1999,Resettlement,,,,,,,", "Row 3: the same person as row 2"),
    ],
)
def test_each_bad_row_has_its_message_and_nothing_is_imported(personas, row, message):
    upload = client_import_upload(actor=personas.manager, filename="caseload.csv", data=_csv(GOOD, row))
    http = signed_in(personas.manager)
    page = http.get(reverse("people:client_import", args=[upload.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert message.replace("&", "&amp;") in body.replace("&#39;", "'")
    assert 'value="confirm"' not in body  # no import button while any row has a problem
    before = _counts()
    with pytest.raises(ValidationFailed):
        client_import_confirm(actor=personas.manager, client_import=upload, expected_version=upload.version)
    after = _counts()
    assert after == before
    upload.refresh_from_db()
    assert upload.status == ClientImportStatus.PREVIEWED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"Name,Programme\r\nJo,Gang exit\r\n", 'columns we do not know: "Name"'),
        (b"Last name,Programme\r\nJo,Gang exit\r\n", "must have the columns: First name"),
        (b"First name,Programme\r\n", "no clients below it"),
        (b"First name,first_name,Programme\r\nJo,Jo,Gang exit\r\n", "appears more than once"),
        (b"First name,Programme\x00\r\n", "not a CSV file"),
    ],
)
def test_a_file_that_cannot_be_read_keeps_nothing(personas, data, message):
    http = signed_in(personas.manager)  # signing in is itself audited
    before = _counts()
    response = http.post(reverse("people:client_import_start"), {"file": SimpleUploadedFile("c.csv", data, "text/csv")})
    assert response.status_code == 422
    assert message in response.content.decode().replace("&#34;", '"').replace("&quot;", '"')
    assert _counts() == before


def test_a_good_file_imports_every_client_with_their_keyworker(personas, django_assert_max_num_queries):
    rows = [
        GOOD,
        "Sam,Sample,2001-06-15,Resettlement (through the gate),teammate@keyworker.test,,,no,yes,yes,yes",
        "Ali,Third,,young people,,,,,,,",
    ]
    upload = client_import_upload(actor=personas.manager, filename="caseload.csv", data=_csv(*rows))
    assert (upload.row_count, upload.error_count) == (3, 0)
    events_before = AuditEvent.objects.count()
    cases = client_import_confirm(actor=personas.manager, client_import=upload, expected_version=upload.version)
    assert len(cases) == 3
    by_name = {c.client.first_name: c for c in Case.objects.select_related("client", "keyworker")}
    jordan, sam, ali = by_name["Jordan"], by_name["Sam"], by_name["Ali"]
    assert jordan.keyworker == personas.you and jordan.opened_on == dt.date(2026, 9, 1)
    assert jordan.client.date_of_birth == dt.date(1999, 1, 31) and jordan.client.phone == "07700 900123"
    assert sam.keyworker == personas.teammate and sam.programme == "resettlement"
    assert (sam.client.may_phone, sam.client.may_leave_voicemail, sam.client.may_write) == (False, True, True)
    assert ali.keyworker is None and ali.programme == "young_people"
    assert all(c.team == personas.team and c.status == CaseStatus.OPEN for c in by_name.values())
    assert len({c.reference for c in by_name.values()}) == 3
    assert Sequence.objects.get(name="case").value >= 3
    # one create event per client (on the client's own trail) and per case, and one for the import
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, client_id=jordan.client_id)
    assert set(created.values_list("object_type", flat=True)) == {"people.client", "casework.case"}
    assert AuditEvent.objects.count() - events_before == 3 * 2 + 1
    upload.refresh_from_db()
    assert upload.status == ClientImportStatus.IMPORTED and upload.csv_text == "" and upload.finished_at
    # the manager's caseload shows them
    page = signed_in(personas.manager).get(reverse("casework:caseload"), {"status": ""})
    assert "Jordan" in page.content.decode() and "Ali" in page.content.decode()


def test_import_queries_do_not_grow_with_rows(personas, django_assert_max_num_queries):
    rows = [f"Person{i},Bulk,0{1 + i % 9}/01/1990,Gang exit,you@keyworker.test,,,,,," for i in range(120)]
    upload = client_import_upload(actor=personas.manager, filename="big.csv", data=_csv(*rows))
    with django_assert_max_num_queries(30):
        client_import_confirm(actor=personas.manager, client_import=upload, expected_version=upload.version)
    assert Client.objects.filter(last_name="Bulk").count() == 120
    http = signed_in(personas.manager)
    other = client_import_upload(
        actor=personas.manager, filename="big2.csv", data=_csv(*[r.replace("Bulk", "Other") for r in rows])
    )
    with django_assert_max_num_queries(40):
        assert http.get(reverse("people:client_import", args=[other.pk])).status_code == 200


def test_all_or_nothing_when_the_database_refuses_a_row(personas):
    """The third row's case reference is already taken (a clash only the unique index catches): nothing stays."""
    upload = client_import_upload(
        actor=personas.manager,
        filename="c.csv",
        data=_csv("One,Person,,Gang exit,,,,,,,", "Two,Person,,Gang exit,,,,,,,", "Three,Person,,Gang exit,,,,,,,"),
    )
    counter, _ = Sequence.objects.get_or_create(name="case")
    taken = CaseFactory(reference=f"KW-{counter.value + 3:06d}", keyworker=personas.you)
    before = _counts()
    with pytest.raises(ValidationFailed, match="Nothing was imported"):
        client_import_confirm(actor=personas.manager, client_import=upload, expected_version=upload.version)
    assert _counts() == before
    assert not Client.objects.filter(last_name="Person").exists()
    upload.refresh_from_db()
    assert upload.status == ClientImportStatus.PREVIEWED and upload.csv_text
    assert taken.pk


def test_a_stale_confirm_is_refused(personas):
    upload = client_import_upload(actor=personas.manager, filename="c.csv", data=_csv(GOOD))
    version = upload.version
    client_import_confirm(actor=personas.manager, client_import=upload, expected_version=version)
    before = _counts()
    stale = ClientImport.objects.get(pk=upload.pk)
    with pytest.raises(ValidationFailed, match="already been imported"):
        client_import_confirm(actor=personas.manager, client_import=stale, expected_version=version)
    # an old copy still marked previewed (read before the import) is caught by its version
    stale.status = ClientImportStatus.PREVIEWED
    with pytest.raises((ConcurrentEdit, ValidationFailed)):
        client_import_confirm(actor=personas.manager, client_import=stale, expected_version=version)
    assert _counts() == before
    response = signed_in(personas.manager).post(
        reverse("people:client_import", args=[upload.pk]), {"action": "confirm", "version": version}
    )
    assert response.status_code in (409, 422)
    assert _counts()[:2] == before[:2]


def test_discard_empties_the_text(personas):
    upload = client_import_upload(actor=personas.manager, filename="c.csv", data=_csv(GOOD))
    response = signed_in(personas.manager).post(
        reverse("people:client_import", args=[upload.pk]), {"action": "discard", "version": upload.version}
    )
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == ClientImportStatus.DISCARDED and upload.csv_text == ""
    assert not Client.objects.filter(first_name="Jordan").exists()
    with pytest.raises(ValidationFailed):
        client_import_discard(actor=personas.manager, client_import=upload, expected_version=upload.version)


def test_possible_duplicates_need_confirming_and_other_teams_are_not_named(personas):
    mine = personas.client_of(
        personas.you, first_name="Jordan", last_name="Example", date_of_birth=dt.date(1999, 1, 31)
    )
    theirs = personas.client_of(
        personas.other_caseworker, first_name="Casey", last_name="Elsewhere", date_of_birth=dt.date(1995, 5, 5)
    )
    upload = client_import_upload(
        actor=personas.manager, filename="c.csv", data=_csv(GOOD, "Casey,Elsewhere,05/05/1995,Gang exit,,,,,,,")
    )
    body = signed_in(personas.manager).get(reverse("people:client_import", args=[upload.pk])).content.decode()
    assert str(mine.pk) in body and str(theirs.pk) not in body
    assert "held by another team or restricted" in body
    before = _counts()
    with pytest.raises(ValidationFailed, match="may already be known"):
        client_import_confirm(actor=personas.manager, client_import=upload, expected_version=upload.version)
    assert _counts() == before
    client_import_confirm(
        actor=personas.manager, client_import=upload, expected_version=upload.version, confirm_duplicates=True
    )
    assert Client.objects.filter(first_name="Jordan").count() == 2


def test_encodings_and_delimiters(personas):
    text = "First name;Last name;Programme\r\nZoë;Ngọc;Gang exit\r\nRenée;O\u2019Neil;Gang exit\r\n"
    for data in (
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.replace("Ngọc", "Nguyen").encode("cp1252"),
        text.encode("utf-16"),
    ):
        upload = client_import_upload(actor=personas.manager, filename="c.csv", data=data)
        assert (upload.row_count, upload.error_count) == (2, 0), data[:20]
        assert "Zoë" in upload.csv_text and "O\u2019Neil" in upload.csv_text


def test_formulas_are_kept_as_text():
    parsed = parse_clients_csv(
        'First name,Last name,Programme\n"=HYPERLINK(""http://x.example"",""hi"")",@SUM(1),Gang exit\n',
        keyworkers={},
        today=TODAY,
    )
    assert parsed.rows[0].client["first_name"] == '=HYPERLINK("http://x.example","hi")'


def test_example_file_reads_cleanly():
    parsed = parse_clients_csv(EXAMPLE_CSV, keyworkers={"caseworker@example.org": Keyworker(1, "C")}, today=TODAY)
    assert len(parsed.rows) == 2 and not parsed.errors


def test_import_pages_by_persona(personas):
    upload = client_import_upload(actor=personas.manager, filename="c.csv", data=_csv(GOOD))
    urls = [
        reverse("people:client_import_start"),
        reverse("people:client_import_example"),
        reverse("people:client_import", args=[upload.pk]),
    ]
    people = {
        **personas.everyone(),
        "peer_mentor": personas.peer_mentor,
        "data_protection_officer": personas.data_protection_officer,
    }
    for name, user in people.items():
        http = signed_in(user)
        for url in urls:
            # any team's manager imports for their own team; an import is its own team's managers' only
            expected = 200 if name == "manager" or (name == "other_manager" and url != urls[2]) else 404
            assert http.get(url).status_code == expected, (name, url)
        if name != "manager":
            response = http.post(urls[2], {"action": "confirm", "version": upload.version})
            assert response.status_code == 404, name
        if name not in ("manager", "other_manager"):
            assert http.post(urls[0], {"file": SimpleUploadedFile("c.csv", _csv(GOOD))}).status_code == 404
    assert not Client.objects.filter(first_name="Jordan").exists()
    assert ClientImport.objects.count() == 1
    with pytest.raises(NotAllowed):
        client_import_upload(actor=personas.you, filename="c.csv", data=_csv(GOOD))
    with pytest.raises(NotAllowed):
        client_import_confirm(actor=personas.other_manager, client_import=upload, expected_version=upload.version)
    assert not Client.objects.filter(first_name="Jordan").exists()


def test_upload_page_shows_columns_and_the_example(personas):
    http = signed_in(personas.manager)
    body = http.get(reverse("people:client_import_start")).content.decode()
    assert "Date of birth" in body and "May voicemail" in body
    example = http.get(reverse("people:client_import_example"))
    assert example["Content-Type"].startswith("text/csv") and b"First name" in example.content
    response = http.post(reverse("people:client_import_start"), {"file": SimpleUploadedFile("c.csv", _csv(GOOD))})
    assert response.status_code == 302
    assert ClientImport.objects.get().filename == "c.csv"
