"""THE PROOF (issue 7, "Done when"): a victim's record never reaches the alleged perpetrator's file, export or
subject access output.

Wednesday: at a home visit Marcus's girlfriend says he hit her. The caseworker records her disclosure as a
concern about a third party (her own restricted record), the safeguarding lead completes a DASH checklist and
refers to MARAC, with an action and a sharing decision on the way, and both of them open what they recorded.
Then every way Marcus's file can be seen is searched for anything of hers: his page as each of his staff (and
its htmx timeline pages), every page and API read addressed by his client id, his audit trail as his manager
and as the data protection officer, his disclosure log, search, and his subject access record and export.

The other side is proved too, so the test cannot pass by recording nothing: the lead sees her record in full,
his page carries the flag "A safeguarding concern exists — see the safeguarding lead", and a concern ABOUT
Marcus (self-harm) is in his file and his subject access record: the separation does not swallow his own."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditEvent
from keyworker.core.testing import Personas, ServiceFactory, UserFactory, signed_in
from keyworker.intake.models import AgencyKind
from keyworker.intake.services import consent_record
from keyworker.people.models import Client
from keyworker.privacy.models import Disclosure
from keyworker.privacy.subject_access import subject_access_record, victims_records
from keyworker.safeguarding import services as safeguarding
from keyworker.safeguarding.models import (
    Concern,
    ConcernAbout,
    ConcernActionKind,
    ConcernCategory,
    DashAssessment,
    DisclosedBy,
    LawfulBasis,
    MaracReferral,
)
from keyworker.safeguarding.rules import DASH_QUESTIONS
from keyworker.services.services.referrals import outbound_referral_create, outbound_referral_send

pytestmark = pytest.mark.django_db

VICTIM_NAME = "Jade Fictional-Victim"
VICTIM_DESCRIPTION = "a young woman, his girlfriend at the Wednesday visit"
VICTIM_PHONE = "07700 900457"
VICTIM_ADDRESS = "Flat 9, Quillfeather Court, London SE11 4ZZ"
VICTIM_SAFE_CONTACT = "Only text her sister's phone, never call her own"
# Sentences that exist nowhere else, so finding any of them anywhere is a leak.
DISCLOSURE = (
    "She said Marcus pushed her into the radiator on the ninth and smashed her phone so she could not ring anyone."
)
ACTION_NOTE = "Gave her the number of the domestic abuse helpline, quietly, in the kitchen (quillfeather-action)."
SHARING_REASONS = "Serious assault on her; police told to protect her from further harm (quillfeather-sharing)."
DASH_REASONS = "She flinched whenever a car door went outside; she expects worse (quillfeather-dash)."
MARAC_SUMMARY_EXTRA = "Current risk: very high since the ninth of the month (quillfeather-marac)."
MARAC_THRESHOLD = "Professional judgement and three incidents (quillfeather-threshold)."
MARAC_SHARING = "Risk of serious harm to her; sharing is proportionate (quillfeather-marac-sharing)."
# Marcus's own concern: in his file and his subject access record.
OWN_CONCERN = "Marcus said he has thought about ending it since his cousin died (own-concern-marker)."
YES_QUESTIONS = (1, 2, 3, 11, 13, 15)


@dataclass
class Wednesday:
    p: Personas
    marcus: Client
    dpo: User
    concern: Concern
    own_concern: Concern
    dash: DashAssessment
    marac: MaracReferral
    # His subject access record just before she disclosed, and just after her record was made and opened.
    sar_before: dict[str, Any]
    sar_after: dict[str, Any]
    forbidden: list[str] = field(default_factory=list)


def _record_wednesday(p: Personas) -> Wednesday:
    """Everything through the real services, as the pages and API would."""
    today = timezone.localdate()
    marcus = p.client_of(p.you, first_name="Marcus", last_name="Fictional-Perpetrator", phone="07700 900111")
    dpo = UserFactory(
        email="dpo@keyworker.test",
        first_name="Dee",
        last_name="Protection",
        role=Role.DATA_PROTECTION_OFFICER,
        team=None,
    )
    # He is referred to the Brief Intervention Service (drug and alcohol): his own record, and his disclosure log.
    consent_record(
        actor=p.you, client=marcus, agency_kinds=[AgencyKind.DRUG_AND_ALCOHOL], method="verbal", given_on=today
    )
    referral = outbound_referral_create(
        actor=p.you,
        client=marcus,
        service=ServiceFactory(name="Brief Intervention Service"),
        reason="Says she is back on drugs; he uses cocaine most days.",
        shared="Name, phone, drug use.",
    )
    outbound_referral_send(actor=p.you, referral=referral, expected_version=referral.version)
    own_concern = safeguarding.concern_record(
        actor=p.you,
        client=marcus,
        about=ConcernAbout.CLIENT,
        category=ConcernCategory.SELF_HARM,
        disclosed_by=DisclosedBy.CLIENT,
        disclosed_on=today,
        what_was_disclosed=OWN_CONCERN,
    )
    sar_before = subject_access_record(marcus)

    concern = safeguarding.concern_record(
        actor=p.you,
        client=marcus,
        about=ConcernAbout.THIRD_PARTY,
        category=ConcernCategory.DOMESTIC_ABUSE,
        disclosed_by=DisclosedBy.PERSON_AT_RISK,
        disclosed_on=today,
        what_was_disclosed=DISCLOSURE,
        third_party={
            "name": VICTIM_NAME,
            "description": VICTIM_DESCRIPTION,
            "phone": VICTIM_PHONE,
            "address": VICTIM_ADDRESS,
            "safe_contact_note": VICTIM_SAFE_CONTACT,
        },
        first_action={"kind": ConcernActionKind.SAFEGUARDING_LEAD, "note": ACTION_NOTE},
        sharing={
            "shared": True,
            "shared_with": "Police (quillfeather-police)",
            "lawful_basis": LawfulBasis.CRIME_PREVENTION,
            "reasons": SHARING_REASONS,
        },
    )
    answers = {str(n): ("yes" if n in YES_QUESTIONS else "no") for n in range(1, 25)}
    dash = safeguarding.dash_complete(
        actor=p.safeguarding_lead,
        concern=concern,
        answers=answers,
        incidents_in_last_12_months=3,
        professional_judgement=True,
        judgement_reasons=DASH_REASONS,
        completed_on=today,
    )
    draft = safeguarding.marac_referral_draft(concern, dash)
    marac = safeguarding.marac_referral_make(
        actor=p.safeguarding_lead,
        concern=concern,
        dash=dash,
        marac_area="Lambeth",
        threshold_reasons=MARAC_THRESHOLD,
        summary=draft["summary"] + "\n\n" + MARAC_SUMMARY_EXTRA,
        referred_on=today,
        lawful_basis=LawfulBasis.SAFEGUARDING,
        sharing_reasons=MARAC_SHARING,
    )
    _open_her_record(p, concern, dash, marac)
    world = Wednesday(
        p=p,
        marcus=marcus,
        dpo=dpo,
        concern=concern,
        own_concern=own_concern,
        dash=dash,
        marac=marac,
        sar_before=sar_before,
        sar_after=subject_access_record(marcus),
    )
    victim_ids = [str(pk) for ids in victims_records(marcus).values() for pk in ids]
    assert len(victim_ids) >= 7, "the concern, her record, the DASH, the MARAC referral, 2 actions, 2 decisions"
    world.forbidden = [
        VICTIM_NAME,
        "Fictional-Victim",
        VICTIM_DESCRIPTION,
        VICTIM_PHONE,
        VICTIM_ADDRESS,
        "Quillfeather",
        VICTIM_SAFE_CONTACT,
        DISCLOSURE,
        "pushed her into the radiator",
        "quillfeather",
        DASH_REASONS,
        MARAC_SUMMARY_EXTRA,
        MARAC_THRESHOLD,
        ACTION_NOTE,
        SHARING_REASONS,
        MARAC_SHARING,
        *(DASH_QUESTIONS[n - 1] for n in YES_QUESTIONS),
        f"DASH {dash.score}/24",
        f"{dash.score} of 24 answered yes",
        *victim_ids,
    ]
    # Lists that show both concerns (the lead's queue, the recorder's "concerns you raised").
    assert signed_in(p.safeguarding_lead).get(reverse("safeguarding:concern_queue")).status_code == 200
    for user in (p.safeguarding_lead, p.you):
        assert signed_in(user).get("/api/v1/concerns").status_code == 200
    return world


def _open_her_record(p: Personas, concern: Concern, dash: DashAssessment, marac: MaracReferral) -> None:
    """The lead and the recorder open what they recorded (so view events exist to leak, if any would)."""
    for user in (p.safeguarding_lead, p.you):
        http = signed_in(user)
        for url in (
            reverse("safeguarding:concern_detail", args=[concern.pk]),
            reverse("safeguarding:dash", args=[concern.pk]),
            reverse("safeguarding:marac_detail", args=[marac.pk]),
            f"/api/v1/concerns/{concern.pk}",
            f"/api/v1/dash/{dash.pk}",
            f"/api/v1/marac-referrals/{marac.pk}",
        ):
            assert http.get(url).status_code == 200, (user, url)


# ------------------------------------------------------------------------------------------------ checks


def _leaks(w: Wednesday, text: str) -> list[str]:
    """Each forbidden string found in `text`, as written, HTML-escaped or JSON-escaped."""
    found = []
    for secret in w.forbidden:
        forms = {secret, html.escape(secret), html.escape(secret, quote=False), json.dumps(secret)[1:-1]}
        forms.add(secret.replace("'", "&#x27;"))
        if any(form in text for form in forms):
            found.append(secret)
    return found


def _assert_clean(w: Wednesday, text: str, where: str) -> None:
    leaks = _leaks(w, text)
    assert not leaks, f"{where} shows the victim's record: {leaks}"


def _client_routes() -> list[str]:
    """Every page route in the URLconf that takes a client_id (the API is walked from its schema)."""
    names: list[str] = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern) and pattern.name and "client_id" in pattern.pattern.regex.groupindex:
                name = f"{namespace}{pattern.name}"
                if not name.startswith("api:"):
                    names.append(name)

    walk(get_resolver(), "")
    return sorted(set(names))


def _client_api_gets(http: HttpClient) -> list[str]:
    spec = json.loads(http.get("/api/v1/openapi.json").content)
    return sorted(path for path, ops in spec["paths"].items() if "{client_id}" in path and "get" in ops)


def _period() -> dict[str, str]:
    today = timezone.localdate()
    return {"from": (today - dt.timedelta(days=1)).isoformat(), "to": (today + dt.timedelta(days=1)).isoformat()}


# ------------------------------------------------------------------------------------------------- tests


@pytest.fixture
def wednesday(personas: Personas) -> Wednesday:
    return _record_wednesday(personas)


def test_her_record_exists_in_full_for_the_safeguarding_lead(wednesday):
    """So nothing below passes because nothing was recorded."""
    w = wednesday
    lead = signed_in(w.p.safeguarding_lead)
    page = lead.get(reverse("safeguarding:concern_detail", args=[w.concern.pk])).content.decode()
    assert _leaks(w, page), "the lead's concern page shows her record"
    for needle in (VICTIM_NAME, VICTIM_PHONE, "pushed her into the radiator"):
        assert html.escape(needle) in page or needle in page, needle
    api = lead.get(f"/api/v1/concerns/{w.concern.pk}").json()
    assert api["what_was_disclosed"] == DISCLOSURE and api["third_party"]["name"] == VICTIM_NAME
    dash = lead.get(f"/api/v1/dash/{w.dash.pk}").json()
    assert dash["answers"]["1"] == "yes" and dash["judgement_reasons"] == DASH_REASONS
    marac = lead.get(f"/api/v1/marac-referrals/{w.marac.pk}").json()
    assert MARAC_SUMMARY_EXTRA in marac["summary"] and DISCLOSURE in marac["summary"]


def test_his_page_shows_only_that_a_concern_exists(wednesday):
    w = wednesday
    url = reverse("people:client_detail", args=[w.marcus.pk])
    for user in (w.p.you, w.p.teammate, w.p.manager):
        http = signed_in(user)
        page = http.get(url).content.decode()
        assert "Marcus" in page and "Fictional-Perpetrator" in page
        assert "A safeguarding concern exists — see the safeguarding lead" in page, user
        _assert_clean(w, page, f"his page as {user}")
        for number in (1, 2, 3):  # the htmx timeline pages
            fragment = http.get(url, {"page": number}, HTTP_HX_REQUEST="true")
            _assert_clean(w, fragment.content.decode(), f"his timeline page {number} as {user}")
    # His manager's "who viewed" table on the same page lists no one opening her record.
    page = signed_in(w.p.manager).get(url).content.decode()
    assert "Morgan Manager" in page


def test_every_page_addressed_by_his_client_id_is_clean(wednesday):
    w = wednesday
    routes = _client_routes()
    assert {"people:client_detail", "safeguarding:client_concerns", "services:client_referrals"} <= set(routes)
    shown = 0
    for user in (w.p.manager, w.p.you, w.p.teammate):
        http = signed_in(user)
        for name in routes:
            url = reverse(name, kwargs={"client_id": w.marcus.pk})
            params = _period() if name == "audit:record_trail" else {}
            response = http.get(url, params)
            assert response.status_code < 500, (name, user, response.status_code)
            _assert_clean(w, response.content.decode(errors="replace"), f"{name} as {user}")
            shown += response.status_code == 200
    assert shown >= 2 * len(routes), "most of his pages were really shown"
    # Pages addressed by his own records' ids, and the lists that name him.
    referral = w.marcus.outbound_referrals.get()
    for user in (w.p.manager, w.p.you):
        http = signed_in(user)
        for url in (
            reverse("services:referral_detail", args=[referral.pk]),
            reverse("casework:case_status", args=[w.marcus.cases.get().pk]),
            reverse("safeguarding:concern_detail", args=[w.own_concern.pk]),
        ):
            response = http.get(url)
            assert response.status_code == 200, (url, user)
            _assert_clean(w, response.content.decode(), f"{url} as {user}")
    # His own concern is in his file: listed on his concerns page, and there in full.
    you = signed_in(w.p.you)
    page = you.get(reverse("safeguarding:client_concerns", args=[w.marcus.pk])).content.decode()
    assert reverse("safeguarding:concern_detail", args=[w.own_concern.pk]) in page
    assert "A safeguarding concern exists — see the safeguarding lead" in page
    page = you.get(reverse("safeguarding:concern_detail", args=[w.own_concern.pk])).content.decode()
    assert "own-concern-marker" in page


def test_every_api_read_addressed_by_his_client_id_is_clean(wednesday):
    w = wednesday
    paths = _client_api_gets(HttpClient())
    assert "/api/v1/clients/{client_id}/concerns" in paths and "/api/v1/clients/{client_id}" in paths
    for user in (w.p.manager, w.p.you):
        http = signed_in(user)
        for path in paths:
            response = http.get(path.replace("{client_id}", str(w.marcus.pk)))
            assert response.status_code == 200, (path, user, response.status_code)
            _assert_clean(w, response.content.decode(), f"GET {path} as {user}")
        for path in ("/api/v1/clients", "/api/v1/cases?status=all", "/api/v1/tasks", "/api/v1/appointments"):
            response = http.get(path)
            assert response.status_code == 200, (path, user)
            _assert_clean(w, response.content.decode(), f"GET {path} as {user}")
    concerns = signed_in(w.p.you).get(f"/api/v1/clients/{w.marcus.pk}/concerns").json()
    assert [c["id"] for c in concerns["concerns"]] == [str(w.own_concern.pk)]
    assert concerns["concern_about_someone_else"] is True


def test_his_audit_trail_never_shows_her_record(wednesday):
    w = wednesday
    # The rule itself: no event about her record carries his id.
    victim = victims_records(w.marcus)
    for event in AuditEvent.objects.filter(client_id=w.marcus.pk):
        ids = victim.get(event.object_type, set())
        assert event.object_id not in {str(i) for i in ids}, (
            f"audit event #{event.sequence} ({event.action} {event.object_type} by {event.actor}) is about her "
            "record but carries his client id"
        )
        _assert_clean(w, json.dumps(event.detail), f"audit event #{event.sequence} detail")
    url = reverse("audit:record_trail", args=[w.marcus.pk])
    for user in (w.p.manager, w.dpo):
        response = signed_in(user).get(url, _period())
        assert response.status_code == 200, user
        page = response.content.decode()
        assert "Jo Caseworker" in page, "the trail really lists events"
        _assert_clean(w, page, f"his audit trail as {user}")
        for kind in ("safeguarding.dashassessment", "safeguarding.maracreferral", "people.thirdparty"):
            assert kind not in page, (user, kind)


def test_his_disclosure_log_and_search_are_clean(wednesday):
    w = wednesday
    for disclosure in Disclosure.objects.filter(client=w.marcus):
        _assert_clean(w, f"{disclosure.what} {disclosure.recipient} {disclosure.basis}", "his disclosure log")
        assert disclosure.source_type == "services.outboundreferral", disclosure.source_type
    page = signed_in(w.p.manager).get(reverse("services:client_referrals", args=[w.marcus.pk])).content.decode()
    assert "Brief Intervention Service" in page
    _assert_clean(w, page, "his referrals and disclosure log")
    for user in (w.p.you, w.p.manager):
        http = signed_in(user)
        for query in ("Marcus", "Fictional-Perpetrator", "Fictional-Victim", "Jade", VICTIM_PHONE):
            page = http.get(reverse("people:search"), {"q": query}).content.decode()
            _assert_clean(w, page.replace(html.escape(query), "").replace(query, ""), f"search {query!r} as {user}")
            if query in ("Fictional-Victim", "Jade", VICTIM_PHONE):
                assert str(w.marcus.pk) not in page, f"searching for her finds him ({query!r})"
    for name in ("casework:caseload", "diary:my_week", "diary:team_week", "custody:release_board"):
        for user in (w.p.you, w.p.manager):
            response = signed_in(user).get(reverse(name))
            _assert_clean(w, response.content.decode(), f"{name} as {user}")


def test_his_subject_access_record_does_not_even_mention_her(wednesday):
    w = wednesday
    record = subject_access_record(w.marcus)
    text = json.dumps(record, ensure_ascii=False)
    _assert_clean(w, text, "his subject access record")
    # Not "withheld" either: listing it would tell him someone disclosed.
    assert record["withheld"] == [], record["withheld"]
    assert not re.search(r"someone else|third.party|domestic abuse|MARAC", text, re.I), "it hints at her record"
    # The strongest form: recording her disclosure, DASH and MARAC referral, and opening them, changed nothing
    # at all in his subject access record (not a count, not an audit line).
    before, after = dict(w.sar_before), dict(w.sar_after)
    assert before.pop("subject_access_record")["client_id"] == after.pop("subject_access_record")["client_id"]
    assert after == before
    # His own records are all there.
    (own,) = record["sections"]["Safeguarding concerns about you"]
    assert own["what_was_disclosed"] == OWN_CONCERN and own["category_display"] == "Self-harm or suicide"
    assert record["sections"]["Referrals to other services"][0]["service"].startswith("Brief Intervention Service")
    (disclosure,) = record["sections"]["Disclosure log: what about you was shared, with whom and why"]
    assert disclosure["what"] == "Name, phone, drug use."
    assert any(e["record"] == "outbound referral" and e["who"] == "Jo Caseworker" for e in record["audit_trail"])


def test_sar_export_file_is_clean(wednesday, tmp_path: Path):
    w = wednesday
    path = tmp_path / "marcus.json"
    call_command("sar", "export", str(w.marcus.pk), "--output", str(path), "--actor", w.dpo.email, stderr=StringIO())
    text = path.read_text()
    _assert_clean(w, text, "the `keyworker sar export` file")
    written: dict[str, Any] = json.loads(text)
    assert written["client"]["last_name"] == "Fictional-Perpetrator"
    assert OWN_CONCERN in text
    assert written["withheld"] == []
