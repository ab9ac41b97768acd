"""The capacity and unfunded-demand page and its CSV and XLSX downloads: they agree with counts taken
straight from the database, name nobody, suppress small counts, are audited, and are 404 to all but a
team's managers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

import pytest
from django.db.models import Q, Sum
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Case, CaseStatus, Contact
from keyworker.core.testing import ContactFactory, Personas, UserFactory, signed_in
from keyworker.funding import reports
from keyworker.funding.models import Funder, FundingStream, StreamAllocation
from keyworker.funding.services import (
    case_allocate_to_stream,
    funding_stream_create,
    unfunded_decide,
    unfunded_request,
)
from keyworker.people.models import Client

pytestmark = pytest.mark.django_db

FEW = reports.SUPPRESSED
URLS = ("funding:capacity", "funding:capacity_csv", "funding:capacity_xlsx")


def _years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return dt.date(today.year - years, 1, 1)


def _unfunded(p: Personas, client: Client, *, approve: bool | None = True, manager=None) -> Case:
    case = client.cases.get()
    work = unfunded_request(actor=case.keyworker, case=case, reason="No stream covers this person.")
    if approve is not None:
        unfunded_decide(
            actor=manager or p.manager, work=work, approve=approve, reason="We take them on: the need is urgent."
        )
    return case


@dataclass
class Known:
    p: Personas
    stream: FundingStream
    names: list[str]


def _world(p: Personas) -> Known:
    funder = Funder.objects.create(name="City Bridge Test")
    start = timezone.localdate() - dt.timedelta(days=400)
    stream = funding_stream_create(
        actor=p.manager,
        funder=funder,
        name="Gate Fund",
        starts_on=start,
        places=3,
        targets="30 people through the gate",
    )
    funding_stream_create(actor=p.manager, funder=funder, name="Closed Fund", starts_on=start, places=9, active=False)
    names: list[str] = []

    def person(i: int, **fields) -> Client:
        name = f"Zed{i}"
        names.append(name)
        return p.client_of(p.you if i % 2 else p.teammate, first_name=name, last_name=f"Unfundedperson{i}", **fields)

    # Eight people carried unfunded by Team North: 6 women aged about 20 in Lambeth, one man of 16 in
    # Croydon, one whose gender, age and area are not recorded.
    people = [person(i, gender="female", date_of_birth=_years_ago(20), home_area="Lambeth") for i in range(6)]
    people.append(person(6, gender="male", date_of_birth=_years_ago(16) + dt.timedelta(days=200), home_area="Croydon"))
    people.append(person(7, gender="not_said", date_of_birth=None, home_area=""))
    recent = timezone.now() - dt.timedelta(days=3)
    for i, client in enumerate(people):
        case = _unfunded(p, client)
        ContactFactory(
            client=client,
            case=case,
            recorded_by=case.keyworker,
            occurred_at=recent,
            duration_minutes=30,
            pathways=["ete"],
        )
        if i < 5:
            ContactFactory(
                client=client,
                case=case,
                recorded_by=case.keyworker,
                occurred_at=recent,
                duration_minutes=45,
                pathways=["drugs_alcohol", "ete"],
            )
        if i in (0, 6):
            ContactFactory(
                client=client, case=case, recorded_by=case.keyworker, occurred_at=recent, pathways=["accommodation"]
            )
    # Long ago: outside the default period.
    ContactFactory(
        client=people[0],
        case=people[0].cases.get(),
        recorded_by=p.teammate,
        occurred_at=timezone.now() - dt.timedelta(days=390),
        duration_minutes=600,
        pathways=["finance"],
    )
    # Not counted: declined, pending, approved but closed, approved but now funded, and Team South's.
    _unfunded(p, p.client_of(p.you, first_name="Declined"), approve=False)
    _unfunded(p, p.client_of(p.you, first_name="Pending"), approve=None)
    closed = _unfunded(p, p.client_of(p.you, first_name="Closed"))
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED, closed_on=timezone.localdate())
    funded = _unfunded(p, p.client_of(p.you, first_name="Funded"))
    case_allocate_to_stream(actor=p.manager, case=funded, stream=stream)
    south = p.client_of(p.other_caseworker, first_name="Southern", gender="female")
    _unfunded(p, south, manager=p.other_manager)
    ContactFactory(client=south, case=south.cases.get(), recorded_by=p.other_caseworker, duration_minutes=999)
    return Known(p=p, stream=stream, names=names)


# ------------------------------------------------------------------------------- reading the three forms


def _page_tables(html: str) -> dict[str, list[list[str]]]:
    tables = {}
    for title, body in re.findall(r'<table class="govuk-table" data-table="([^"]+)">(.*?)</table>', html, re.S):
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            rows.append([re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
        tables[title.replace("&#39;", "'")] = rows
    return tables


def _csv_tables(content: str) -> dict[str, list[list[str]]]:
    tables: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(content)):
        if not row:
            current = None
        elif current is None:
            current = tables.setdefault(row[0], [])
        else:
            current.append(row)
    return tables


def _xlsx_tables(content: bytes) -> dict[str, list[list[str]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def _as_dict(table: list[list[str]]) -> dict[str, str]:
    return {row[0]: row[1] for row in table[1:]}


# ------------------------------------------------------------------------------------ the figures agree


def _expected(p: Personas) -> dict[str, object]:
    """Straight from the database, without the report's code."""
    today = timezone.localdate()
    in_force = Q(stream_allocations__starts_on__lte=today) & (
        Q(stream_allocations__ends_on__isnull=True) | Q(stream_allocations__ends_on__gte=today)
    )
    cases = (
        Case.objects.filter(team=p.team, status__in=["open", "on_hold"], unfunded_work__decision="approved")
        .exclude(in_force)
        .distinct()
    )
    clients = Client.objects.filter(cases__in=cases).distinct()
    since = reports.default_period()[0]
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    contacts = Contact.objects.filter(case__in=cases, occurred_at__gte=start)
    minutes = contacts.aggregate(m=Sum("duration_minutes"))["m"] or 0
    with_need = {
        need: len({c.client_id for c in contacts if need in c.pathways})
        for need in ("ete", "drugs_alcohol", "accommodation", "finance")
    }
    return {
        "people": clients.count(),
        "minutes": minutes,
        "female": clients.filter(gender="female").count(),
        "lambeth": clients.filter(home_area="Lambeth").count(),
        "needs": with_need,
        "stream_used": StreamAllocation.objects.filter(starts_on__lte=today, ends_on__isnull=True).count(),
    }


def test_page_csv_and_xlsx_agree_with_the_database(personas: Personas):
    known = _world(personas)
    expected = _expected(personas)
    assert expected["people"] == 8 and expected["female"] == 6 and expected["lambeth"] == 6
    assert expected["needs"] == {"ete": 8, "drugs_alcohol": 5, "accommodation": 2, "finance": 0}
    assert expected["minutes"] == 8 * 30 + 5 * 45
    http = signed_in(personas.manager)
    page = http.get(reverse("funding:capacity"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "fewer than 5" in html and "so that no one can be identified" in html
    csv_response = http.get(reverse("funding:capacity_csv"))
    xlsx_response = http.get(reverse("funding:capacity_xlsx"))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "attachment" in xlsx_response["Content-Disposition"]
    forms = {
        "page": _page_tables(html),
        "csv": _csv_tables(csv_response.content.decode()),
        "xlsx": _xlsx_tables(xlsx_response.content),
    }
    hours = f"{expected['minutes'] / 60:.1f}"
    for where, tables in forms.items():
        assert list(tables) == [
            "Funding streams",
            "Unfunded work",
            "By age band",
            "By gender",
            "By home area",
            "By need",
        ], where
        streams = tables["Funding streams"]
        assert [row[0] for row in streams[1:]] == ["Gate Fund"], where  # the inactive stream is not shown
        gate = dict(zip(streams[0], streams[1], strict=True))
        assert gate["Places"] == "3" and gate["Places used"] == str(expected["stream_used"]) == "1", where
        assert gate["Places left"] == "2" and gate["Targets"] == "30 people through the gate", where
        summary = _as_dict(tables["Unfunded work"])
        assert summary["People (approved unfunded cases open)"] == str(expected["people"]), where
        assert summary["Hours of contact in the period"] == hours, where
        assert summary["Team"] == "Team North", where
        assert _as_dict(tables["By age band"]) == {
            "Under 18": FEW,
            "18 to 24": "6",
            "25 to 34": "0",
            "35 and over": "0",
            "Age not known": FEW,
        }, where
        assert _as_dict(tables["By gender"]) == {
            "Female": str(expected["female"]),
            "Male": FEW,
            "Non-binary": "0",
            "Self-described": "0",
            "Prefers not to say": FEW,
            "Not recorded": "0",
        }, where
        assert _as_dict(tables["By home area"]) == {
            "Lambeth": str(expected["lambeth"]),
            reports.OTHER_AREAS: FEW,
            "Not recorded": FEW,
        }, where
        needs = _as_dict(tables["By need"])
        assert needs["Education, training and employment"] == str(expected["needs"]["ete"]), where
        assert needs["Drugs and alcohol"] == str(expected["needs"]["drugs_alcohol"]), where
        assert needs["Accommodation"] == FEW and needs["Finance, benefit and debt"] == "0", where
        assert needs[reports.NO_NEED] == "0", where
        text = repr(tables)
        for name in [*known.names, "Croydon", "Unfundedperson", "Southern"]:  # no names, no rare area
            assert name not in text, (where, name)
    for content in (html, csv_response.content.decode()):
        for client in Client.objects.all():
            assert str(client.pk) not in content


def test_a_longer_period_counts_older_contact(personas: Personas):
    _world(personas)
    expected = _expected(personas)
    since = (timezone.localdate() - dt.timedelta(days=500)).isoformat()
    tables = _csv_tables(
        signed_in(personas.manager).get(reverse("funding:capacity_csv"), {"since": since}).content.decode()
    )
    summary = _as_dict(tables["Unfunded work"])
    assert summary["Period from"] == since
    assert summary["Hours of contact in the period"] == f"{(expected['minutes'] + 600) / 60:.1f}"
    assert _as_dict(tables["By need"])["Finance, benefit and debt"] == FEW


def test_each_manager_sees_their_own_team(personas: Personas):
    _world(personas)
    tables = _csv_tables(signed_in(personas.other_manager).get(reverse("funding:capacity_csv")).content.decode())
    summary = _as_dict(tables["Unfunded work"])
    assert summary["Team"] == "Team South"
    assert summary["People (approved unfunded cases open)"] == FEW  # one person
    assert summary["Hours of contact in the period"] == FEW
    assert set(_as_dict(tables["By gender"]).values()) <= {FEW, "0"}


def test_only_managers_of_a_team_reach_it(personas: Personas):
    p = personas
    others = [
        p.you,
        p.teammate,
        p.report_viewer,
        UserFactory(email="oncall@c.test", role=Role.ON_CALL, team=p.team),
        UserFactory(email="mentor@c.test", role=Role.PEER_MENTOR, team=p.team),
        UserFactory(email="sg@c.test", role=Role.SAFEGUARDING_LEAD, team=p.team),
        UserFactory(email="dpo@c.test", role=Role.DATA_PROTECTION_OFFICER, team=p.team),
        UserFactory(email="admin@c.test", role=Role.ADMINISTRATOR, team=p.team, is_staff=True),
        UserFactory(email="teamless@c.test", role=Role.MANAGER, team=None),
    ]
    for user in others:
        http = signed_in(user)
        for name in URLS:
            assert http.get(reverse(name)).status_code == 404, (user.email, name)
    for name in URLS:
        assert signed_in(p.manager).get(reverse(name)).status_code == 200
        anonymous = HttpClient().get(reverse(name))
        assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exclude(actor=p.manager).exists()


def test_every_download_is_audited_without_personal_data(personas: Personas):
    _world(personas)
    http = signed_in(personas.manager)
    http.get(reverse("funding:capacity"))
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()  # the page is no export
    http.get(reverse("funding:capacity_csv"))
    http.get(reverse("funding:capacity_xlsx"))
    events = list(AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("sequence"))
    assert [e.detail["format"] for e in events] == ["csv", "xlsx"]
    for event in events:
        assert event.actor == personas.manager and event.client_id is None
        assert set(event.detail) == {"format", "since", "until"}
        assert event.object_id == str(personas.team.pk)


def test_suppression_rules():
    cells = dict(reports.suppress([("a", 0), ("b", 4), ("c", 5), ("d", 9)], partition=False))
    assert [str(cells[k]) for k in "abcd"] == ["0", FEW, "5", "9"]
    # In a partition one hidden cell could be worked out from the total: the next smallest goes too.
    cells = dict(reports.suppress([("a", 0), ("b", 4), ("c", 5), ("d", 9)], partition=True))
    assert [str(cells[k]) for k in "abcd"] == ["0", FEW, FEW, "9"]
    cells = dict(reports.suppress([("a", 1), ("b", 2), ("c", 9)], partition=True))
    assert [str(cells[k]) for k in "abc"] == [FEW, FEW, "9"]
    assert reports.Cell(3, True).value == FEW and reports.Cell(7).value == 7
    on = dt.date(2026, 6, 1)
    assert reports.age_band(dt.date(2008, 6, 2), on) == "Under 18"
    assert reports.age_band(dt.date(2008, 6, 1), on) == "18 to 24"
    assert reports.age_band(dt.date(1991, 6, 2), on) == "25 to 34"
    assert reports.age_band(dt.date(1991, 6, 1), on) == "35 and over"
    assert reports.age_band(None, on) == "Age not known"
    assert reports.default_period(dt.date(2024, 2, 29)) == (dt.date(2023, 3, 1), dt.date(2024, 2, 29))
