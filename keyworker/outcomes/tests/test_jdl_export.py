"""The Justice Data Lab export: the rules (property tests), who may reach the page (the data protection
officer alone), and the file: exactly the cohort with the right dates, written down as the export row, one
audit event naming no one and one disclosure per person, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import (
    CaseFactory,
    ClientFactory,
    CustodyEpisodeFactory,
    FundingStreamFactory,
    Personas,
    StreamAllocationFactory,
    ThirdPartyFactory,
    UserFactory,
    signed_in,
)
from keyworker.custody.models import CustodyTransfer
from keyworker.funding.models import FundingStream
from keyworker.outcomes.models import JusticeDataLabExport
from keyworker.outcomes.rules.jdl import (
    HEADER,
    CustodySpell,
    index_date,
    intervention_dates,
    jdl_gender,
    latest_prison_number,
    overlaps,
    spell_on,
)
from keyworker.privacy.models import Disclosure

URL = "/data-protection/justice-data-lab/"
D = dt.date

# -------------------------------------------------------------------------------------- the rules (pure)

dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))
spans = st.tuples(dates, st.one_of(st.none(), st.integers(min_value=0, max_value=900))).map(
    lambda t: (t[0], None if t[1] is None else t[0] + dt.timedelta(days=t[1]))
)


@given(st.lists(spans, min_size=1, max_size=6))
def test_intervention_runs_from_the_first_start_to_the_last_end(allocations):
    start, end = intervention_dates(allocations)
    assert start == min(s for s, _ in allocations) and start in [s for s, _ in allocations]
    if any(e is None for _, e in allocations):
        assert end is None  # still funded
    else:
        assert end == max(e for _, e in allocations)
        assert all(s <= end for s, _ in allocations)


def test_intervention_needs_an_allocation():
    with pytest.raises(ValueError):
        intervention_dates([])


@given(dates, dates, dates, st.one_of(st.none(), st.integers(min_value=0, max_value=400)))
def test_overlap_is_a_shared_day(since, until, starts_on, length):
    ends_on = None if length is None else starts_on + dt.timedelta(days=length)
    if until < since:
        since, until = until, since
    last = ends_on or max(until, starts_on)
    shared = any(since <= starts_on + dt.timedelta(days=n) <= until for n in range((last - starts_on).days + 1))
    assert overlaps(starts_on, ends_on, since, until) == shared


custody_spells = st.tuples(dates, st.one_of(st.none(), st.integers(min_value=0, max_value=2000))).map(
    lambda t: CustodySpell(t[0], None if t[1] is None else t[0] + dt.timedelta(days=t[1]))
)


@given(dates, st.lists(custody_spells, max_size=4))
def test_index_date_is_the_start_or_the_release_from_the_spell_that_day(start, spells):
    # Spells in custody do not overlap (one at a time); keep the ones that would not.
    spells = sorted(spells, key=lambda s: s.received_on)
    kept: list[CustodySpell] = []
    for spell in spells:
        if not kept or (kept[-1].released_on is not None and kept[-1].released_on < spell.received_on):
            kept.append(spell)
    inside = [s for s in kept if s.received_on <= start and (s.released_on is None or s.released_on > start)]
    result = index_date(start, kept)
    if inside:
        assert result == inside[0].released_on and spell_on(start, kept) == inside[0]
        assert result is None or result > start  # released after the intervention began
    else:
        assert result == start


def test_index_date_examples():
    start = D(2026, 2, 1)
    assert index_date(start, []) == start
    assert index_date(start, [CustodySpell(D(2025, 6, 1), D(2026, 3, 10))]) == D(2026, 3, 10)
    assert index_date(start, [CustodySpell(D(2025, 6, 1), None)]) is None
    assert index_date(start, [CustodySpell(D(2025, 6, 1), start)]) == start  # out that day
    assert index_date(start, [CustodySpell(start, D(2026, 2, 2))]) == D(2026, 2, 2)  # received that day


@given(st.lists(st.tuples(dates, st.sampled_from(["", " ", "A1234BC", "B9999ZZ", "C1111AA"])), max_size=6))
def test_the_latest_prison_number_given_wins(numbers):
    result = latest_prison_number(numbers)
    given_ones = [(on, n.strip()) for on, n in numbers if n.strip()]
    if not given_ones:
        assert result == ""
    else:
        latest_day = max(on for on, _ in given_ones)
        assert result == [n for on, n in given_ones if on == latest_day][-1]


def test_gender_is_male_female_or_blank():
    assert [jdl_gender(g) for g in ("male", "female", "non_binary", "self_described", "not_said", "")] == [
        "Male",
        "Female",
        "",
        "",
        "",
        "",
    ]


# ------------------------------------------------------------------------------------------------ world

SINCE, UNTIL = D(2026, 1, 1), D(2026, 3, 31)


@dataclass
class World:
    stream: FundingStream
    other_stream: FundingStream
    expected: list[list[str]]  # the file's rows, worked out by hand from the records below
    outsiders: list[str]  # surnames that must not be in the file


def _funded(p: Personas, stream: FundingStream, spans: list[tuple[dt.date, dt.date | None]], **client_fields):
    client = ClientFactory(**client_fields)
    case = CaseFactory(client=client, keyworker=p.you, team=p.team, opened_on=spans[0][0])
    for starts_on, ends_on in spans:
        StreamAllocationFactory(case=case, stream=stream, starts_on=starts_on, ends_on=ends_on)
    return client


def _world(p: Personas) -> World:
    stream = FundingStreamFactory(name="Resettlement 2026", starts_on=D(2024, 1, 1))
    other = FundingStreamFactory(name="Something else", starts_on=D(2024, 1, 1))
    # In: two allocations, one still open; never in custody.
    _funded(
        p,
        stream,
        [(D(2025, 12, 1), D(2026, 2, 15)), (D(2026, 5, 1), None)],
        first_name="Ada",
        last_name="Abbott",
        date_of_birth=D(2001, 4, 5),
        gender="female",
    )
    # In: in custody on the day the intervention began (through the gate); moved prison, given a new number.
    bea = _funded(
        p,
        stream,
        [(D(2026, 2, 1), D(2026, 6, 30))],
        first_name="Bea",
        last_name="Brown",
        date_of_birth=D(1999, 12, 31),
        gender="male",
    )
    episode = CustodyEpisodeFactory(
        client=bea, prison_number="A1234BC", received_on=D(2025, 6, 1), release_on=None, released_on=D(2026, 3, 10)
    )
    CustodyTransfer.objects.create(
        episode=episode,
        from_establishment=episode.establishment,
        to_establishment=episode.establishment,
        transferred_on=D(2025, 9, 1),
        prison_number="B2222CD",
        recorded_by=p.you,
    )
    # In: still in custody (no index date yet); an earlier spell had another number.
    cal = _funded(
        p, stream, [(D(2026, 3, 31), None)], first_name="Cal", last_name="Cole", date_of_birth=None, gender="not_said"
    )
    CustodyEpisodeFactory(
        client=cal, prison_number="X0000AA", received_on=D(2020, 1, 1), release_on=None, released_on=D(2021, 1, 1)
    )
    CustodyEpisodeFactory(client=cal, prison_number="Z9876YX", received_on=D(2026, 1, 10), release_on=None)
    # Out: funded only before the period, only after it, or by another stream.
    _funded(p, stream, [(D(2025, 1, 1), D(2025, 12, 31))], first_name="Dan", last_name="Before")
    _funded(p, stream, [(D(2026, 4, 1), None)], first_name="Eve", last_name="After")
    _funded(p, other, [(D(2026, 1, 1), None)], first_name="Fay", last_name="Otherstream")
    ThirdPartyFactory(description="Gwen Victimson, a client's partner")
    expected = [
        ["Abbott", "Ada", "05/04/2001", "Female", "", "", "01/12/2025", "01/12/2025", ""],
        ["Brown", "Bea", "31/12/1999", "Male", "", "B2222CD", "10/03/2026", "01/02/2026", "30/06/2026"],
        ["Cole", "Cal", "", "", "", "Z9876YX", "", "31/03/2026", ""],
    ]
    return World(stream, other, expected, ["Before", "After", "Otherstream", "Victimson"])


def _form(world: World, **overrides) -> dict[str, str]:
    data = {
        "stream": str(world.stream.pk),
        "since": SINCE.isoformat(),
        "until": UNTIL.isoformat(),
        "reason": "Data sharing agreement JDL-2026-014",
        "file_format": "xlsx",
        "action": "download",
    }
    return {**data, **overrides}


def _written() -> tuple[int, int, int]:
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="outcomes.justicedatalabexport")
    return JusticeDataLabExport.objects.count(), Disclosure.objects.count(), exported.count()


def _xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(
            [v.strftime("%d/%m/%Y") if isinstance(v, dt.datetime | dt.date) else ("" if v is None else v) for v in row]
        )
    return rows


# ------------------------------------------------------------------------------------------------ access


def test_only_the_data_protection_officer_finds_the_page(personas: Personas):
    world = _world(personas)
    admin = UserFactory(email="admin@j.test", role=Role.ADMINISTRATOR, team=None, is_staff=True, is_superuser=True)
    others = [*personas.everyone().values(), personas.peer_mentor, admin]
    before = _written()
    for user in others:
        http = signed_in(user)
        assert http.get(URL).status_code == 404, user.role
        assert http.post(URL, _form(world, action="preview")).status_code == 404, user.role
        assert http.post(URL, _form(world)).status_code == 404, user.role
        assert http.post(URL, _form(world, file_format="csv")).status_code == 404, user.role
    assert _written() == before
    dpo = signed_in(personas.data_protection_officer)
    page = dpo.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Justice Data Lab cohort file" in html and world.stream.name in html
    # the navigation's "Data protection" leads to the officer's home, which links to this page
    assert f'href="{reverse("privacy:home")}"' in html and ">Data protection<" in html
    # Nobody else has the navigation item.
    assert ">Data protection<" not in signed_in(personas.manager).get(reverse("diary:my_week")).content.decode()
    anonymous = signed_in(personas.you)
    anonymous.logout()
    assert anonymous.get(URL).status_code == 302


def test_preview_gives_the_number_never_the_names(personas: Personas):
    world = _world(personas)
    http = signed_in(personas.data_protection_officer)
    before = _written()
    response = http.post(URL, _form(world, action="preview", reason=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file would hold 3 people." in html
    for name in ("Abbott", "Brown", "Cole", "B2222CD", *world.outsiders):
        assert name not in html
    assert _written() == before
    none = http.post(URL, _form(world, action="preview", since="2020-01-01", until="2020-12-31"))
    assert "No one was funded by this stream in this period." in none.content.decode()


# -------------------------------------------------------------------------------------------------- file


def test_the_xlsx_holds_exactly_the_cohort_with_the_right_dates(personas: Personas):
    world = _world(personas)
    response = signed_in(personas.data_protection_officer).post(URL, _form(world))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"] == 'attachment; filename="justice-data-lab-2026-01-01-to-2026-03-31.xlsx"'
    assert "no-store" in response["Cache-Control"]
    rows = _xlsx_rows(response.content)
    assert rows[0] == list(HEADER)
    assert rows[1:] == world.expected
    flat = str(rows)
    assert not [name for name in world.outsiders if name in flat]


def test_the_csv_holds_the_same(personas: Personas):
    world = _world(personas)
    response = signed_in(personas.data_protection_officer).post(URL, _form(world, file_format="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [list(HEADER), *world.expected]


def test_a_name_that_looks_like_a_formula_stays_text(personas: Personas):
    stream = FundingStreamFactory(starts_on=D(2024, 1, 1))
    _funded(personas, stream, [(D(2026, 1, 5), None)], first_name="=HYPERLINK(1)", last_name="+Plus")
    http = signed_in(personas.data_protection_officer)
    data = {"stream": str(stream.pk), "since": "2026-01-01", "until": "2026-01-31", "reason": "DSA 1"}
    sheet = load_workbook(io.BytesIO(http.post(URL, {**data, "action": "download"}).content)).active
    assert sheet["A2"].data_type == "s" and sheet["B2"].data_type == "s"
    assert sheet["B2"].value == "=HYPERLINK(1)"
    text = http.post(URL, {**data, "action": "download", "file_format": "csv"}).content.decode("utf-8-sig")
    assert "'+Plus,'=HYPERLINK(1)" in text


def test_a_download_writes_the_export_the_audit_event_and_a_disclosure_per_person(personas: Personas):
    world = _world(personas)
    dpo = personas.data_protection_officer
    http = signed_in(dpo)
    response = http.post(URL, _form(world))
    assert response.status_code == 200
    export = JusticeDataLabExport.objects.get()
    assert (export.stream, export.since, export.until, export.people, export.exported_by) == (
        world.stream,
        SINCE,
        UNTIL,
        3,
        dpo,
    )
    assert export.reason == "Data sharing agreement JDL-2026-014"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(export.pk))
    assert event.actor == dpo and event.client_id is None
    assert event.detail == {
        "event": "jdl.exported",
        "stream": str(world.stream.pk),
        "since": "2026-01-01",
        "until": "2026-03-31",
        "people": 3,
        "format": "xlsx",
    }
    disclosures = list(Disclosure.objects.select_related("client").order_by("client__last_name"))
    assert [d.client.last_name for d in disclosures] == ["Abbott", "Brown", "Cole"]
    for d in disclosures:
        assert d.what == (
            "Justice Data Lab cohort file: name, date of birth, gender, prison number and intervention dates"
        )
        assert d.recipient == "Ministry of Justice, Justice Data Lab"
        assert d.basis == "Data sharing agreement JDL-2026-014"
        assert (d.source_type, d.source_id, d.disclosed_by) == ("outcomes.justicedatalabexport", export.pk, dpo)
    # Each disclosure is on its person's audit trail, as disclosure_record writes it.
    trail = AuditEvent.objects.filter(object_type="privacy.disclosure", action=AuditAction.CREATE)
    assert sorted(str(e.client_id) for e in trail) == sorted(str(d.client_id) for d in disclosures)
    # The page lists it: who, when, stream, period, how many.
    html = http.get(URL).content.decode()
    assert dpo.display_name in html and world.stream.name in html and "1 Jan 2026 to 31 Mar 2026" in html
    assert "Abbott" not in html


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"reason": ""}, "Give the reason"),
        ({"reason": "   "}, "Give the reason"),
        ({"reason": "r" * 301}, "Keep the reason to 300 characters or fewer."),
        ({"stream": ""}, "Choose the funding stream."),
        ({"stream": "00000000-0000-0000-0000-000000000000"}, "Choose the funding stream."),
        ({"since": ""}, "Enter the first day of the period."),
        ({"until": "2026-02-30"}, "Enter a real date"),
        ({"since": "2026-04-01"}, "The last day must be on or after the first day."),
        ({"file_format": "pdf"}, "Choose Excel (XLSX) or CSV."),
        ({"since": "2020-01-01", "until": "2020-12-31"}, "No one was funded by this stream"),
    ],
)
def test_bad_input_writes_nothing(personas: Personas, overrides, field_message):
    world = _world(personas)
    http = signed_in(personas.data_protection_officer)
    before, events = _written(), AuditEvent.objects.count()
    response = http.post(URL, _form(world, **overrides))
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert field_message in html and "There is a problem" in html
    assert _written() == before and AuditEvent.objects.count() == events


def test_download_queries_do_not_grow_with_the_cohort(personas: Personas, django_assert_max_num_queries):
    stream = FundingStreamFactory(starts_on=D(2024, 1, 1))
    for n in range(25):
        client = _funded(personas, stream, [(D(2026, 1, 1) + dt.timedelta(days=n), None)], last_name=f"Person{n}")
        CustodyEpisodeFactory(client=client, received_on=D(2025, 1, 1), release_on=None, released_on=D(2025, 6, 1))
    http = signed_in(personas.data_protection_officer)
    data = {"stream": str(stream.pk), "since": "2026-01-01", "until": "2026-03-31", "reason": "DSA 2"}
    with django_assert_max_num_queries(25):
        response = http.post(URL, {**data, "action": "download"})
    assert response.status_code == 200 and Disclosure.objects.count() == 25
    with django_assert_max_num_queries(20):
        assert http.get(URL).status_code == 200
