"""The disclosure scanner over HTTP: live prompts by persona, the lead's lists, the API; and the note is never
stored or audited anywhere."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client as HttpClient
from django.urls import reverse

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Contact
from keyworker.core.testing import Personas
from keyworker.people.models import Client
from keyworker.safeguarding.models import Concern, ScannerPhrase

pytestmark = pytest.mark.django_db

NOTE = "Home visit. His girlfriend said he hit her last week and the kids were there. Zorblat is fine."
SCAN = "/notes/scan/"


@pytest.fixture(autouse=True)
def _lists() -> None:
    # A transactional test elsewhere may have flushed the seeded lists.
    importlib.import_module("keyworker.safeguarding.migrations.0005_seed_scanner_phrases").seed(apps, None)


@pytest.fixture
def mine(personas: Personas) -> Client:
    return personas.client_of(personas.you, first_name="Dee", last_name="Mine")


def post_scan(http: HttpClient, client: Client, note: str = NOTE) -> tuple[int, str]:
    response = http.post(SCAN, {"note": note, "client_id": str(client.pk)}, HTTP_HX_REQUEST="true")
    return response.status_code, response.content.decode()


def everything_stored() -> str:
    """Every table a note could have landed in, as text."""
    events = AuditEvent.objects.values_list("object_type", "object_id", "detail")
    return (
        json.dumps([list(e) for e in events], default=str)
        + "".join(Contact.objects.values_list("note", flat=True))
        + "".join(str(c.__dict__) for c in Concern.objects.all())
    )


def test_the_prompts_name_the_phrase_and_offer_to_record_a_concern(client: HttpClient, personas: Personas, mine):
    assert reverse("safeguarding:note_scan") == SCAN
    client.force_login(personas.you)
    status, html = post_scan(client, mine)
    assert status == 200
    assert "Domestic abuse" in html and "“hit her”" in html
    assert "A child at risk" in html and "“the kids were there”" in html
    new_concern = reverse("safeguarding:concern_new", args=[mine.pk])
    assert f'href="{new_concern}?category=domestic_abuse"' in html
    assert f'href="{new_concern}?category=child_at_risk"' in html
    assert 'Record a concern<span class="govuk-visually-hidden">' in html
    assert "If it is about someone else, record the concern on their own record and leave it out of this note." in html


def test_nothing_to_flag_gives_an_empty_fragment(client: HttpClient, personas: Personas, mine):
    client.force_login(personas.you)
    for note in ("", "Helped him with his CV.", "Denies any drug use. No concerns about the children."):
        status, html = post_scan(client, mine, note)
        assert status == 200 and "Record a concern" not in html, note


def test_note_scan_by_persona(client: HttpClient, personas: Personas, mine):
    theirs = personas.client_of(personas.other_caseworker)
    expected = {  # persona: (my client, a client of another team)
        "you": (200, 404),
        "teammate": (200, 404),
        "manager": (200, 404),
        "other_caseworker": (404, 200),
        "other_manager": (404, 200),
        "report_viewer": (404, 404),
        "safeguarding_lead": (404, 404),
        "on_call": (404, 404),  # not without break-glass
    }
    for who, (for_mine, for_theirs) in expected.items():
        client.force_login(getattr(personas, who))
        assert post_scan(client, mine)[0] == for_mine, who
        assert post_scan(client, theirs)[0] == for_theirs, who
        assert client.post(SCAN, {"note": NOTE}).status_code == 404, who  # no client: nothing to scan for
        assert client.post(SCAN, {"note": NOTE, "client_id": "not-an-id"}).status_code == 404, who
    assert client.get(SCAN).status_code in (404, 405)
    client.logout()
    response = client.post(SCAN, {"note": NOTE, "client_id": str(mine.pk)})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_note_is_never_stored_or_audited(client: HttpClient, personas: Personas, mine):
    signing_in = (AuditAction.SIGN_IN, AuditAction.SIGN_OUT)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    client.force_login(personas.you)
    post_scan(client, mine)
    client.force_login(personas.report_viewer)
    post_scan(client, mine)  # refused: the refusal is audited, by path only
    api = HttpClient()
    api.force_login(personas.you)
    api.post("/api/v1/notes/scan", {"note": NOTE, "client_id": str(mine.pk)}, content_type="application/json")
    # only the report viewer's refusal (404) is on the record, naming the path and nothing else
    new = AuditEvent.objects.exclude(pk__in=before).exclude(action__in=signing_in)
    assert [e.action for e in new] == [AuditAction.DENIED]
    assert "Zorblat" not in everything_stored()
    assert "hit her" not in everything_stored()


def test_the_leads_edits_change_what_the_prompts_say(client: HttpClient, personas: Personas, mine):
    lead = HttpClient()
    lead.force_login(personas.safeguarding_lead)
    client.force_login(personas.you)
    note = "He has been on the nitrous and is proper zooted every night."
    assert "zooted" not in post_scan(client, mine, note)[1]

    response = lead.post(
        reverse("safeguarding:scanner_phrases"), {"action": "add", "category": "substance_misuse", "phrase": "zooted"}
    )
    assert response.status_code == 302
    assert "“zooted”" in post_scan(client, mine, note)[1]
    event = AuditEvent.objects.filter(object_type="safeguarding.scannerphrase").latest("occurred_at")
    assert event.client_id is None and event.detail["phrase"] == "zooted"

    entry = ScannerPhrase.objects.get(category="substance_misuse", phrase="zooted")
    response = lead.post(reverse("safeguarding:scanner_phrase_enabled", args=[entry.pk]), {"version": entry.version})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert not entry.enabled
    assert "zooted" not in post_scan(client, mine, note)[1]

    # a stale version (someone else changed it meanwhile) changes nothing
    lead.post(reverse("safeguarding:scanner_phrase_enabled", args=[entry.pk]), {"version": 1, "enabled": "on"})
    entry.refresh_from_db()
    assert not entry.enabled
    lead.post(
        reverse("safeguarding:scanner_phrase_enabled", args=[entry.pk]), {"version": entry.version, "enabled": "on"}
    )
    entry.refresh_from_db()
    assert entry.enabled


def test_an_invalid_pattern_is_refused_with_a_clear_message(personas: Personas):
    lead = HttpClient()
    lead.force_login(personas.safeguarding_lead)
    before = ScannerPhrase.objects.count()
    events = AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count()
    response = lead.post(
        reverse("safeguarding:scanner_phrases"),
        {"action": "add", "category": "weapons", "phrase": "(knife", "is_pattern": "on"},
    )
    assert response.status_code == 422
    assert "This is not a valid regular expression" in response.content.decode()
    response = lead.post(
        reverse("safeguarding:scanner_phrases"), {"action": "add", "category": "weapons", "phrase": "blade"}
    )
    assert response.status_code == 422
    assert "already in the list" in response.content.decode()
    assert ScannerPhrase.objects.count() == before
    assert AuditEvent.objects.filter(object_type="safeguarding.scannerphrase").count() == 0
    assert AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count() == events


def test_the_leads_page_with_try_a_note(personas: Personas, django_assert_max_num_queries):
    lead = HttpClient()
    lead.force_login(personas.safeguarding_lead)
    url = reverse("safeguarding:scanner_phrases")
    assert url == "/safeguarding/scanner/"
    with django_assert_max_num_queries(8):
        response = lead.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    for caption in ("Domestic abuse", "Weapons", "Negation (cancels a match after it)"):
        assert caption in html
    assert 'Switch off<span class="govuk-visually-hidden">: shank</span>' in html
    events = AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count()
    response = lead.post(url, {"action": "try", "note": "He admits he carries a shank. Denies any drug use."})
    html = response.content.decode()
    found = html[html.index('id="try-findings"') :].split("</div>")[0]
    assert "Weapons: “shank”" in found and "Drug or alcohol use" not in found
    assert AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count() == events  # a tried note is not kept
    response = lead.post(url, {"action": "try", "note": ""})
    assert response.status_code == 422 and "Type or paste a note to try." in response.content.decode()


def test_only_the_lead_switches_entries(client: HttpClient, personas: Personas):
    entry = ScannerPhrase.objects.get(category="weapons", phrase="shank")
    for who in ("you", "manager", "report_viewer", "on_call", "other_caseworker"):
        client.force_login(getattr(personas, who))
        assert client.get(reverse("safeguarding:scanner_phrases")).status_code == 404, who
        assert client.post(reverse("safeguarding:scanner_phrases"), {"action": "try", "note": "x"}).status_code == 404
        url = reverse("safeguarding:scanner_phrase_enabled", args=[entry.pk])
        assert client.post(url, {"version": entry.version}).status_code == 404, who
    entry.refresh_from_db()
    assert entry.enabled


def test_the_api_scans_a_note(client: HttpClient, personas: Personas, mine):
    url = "/api/v1/notes/scan"
    client.force_login(personas.you)
    response = client.post(url, {"note": NOTE, "client_id": str(mine.pk)}, content_type="application/json")
    assert response.status_code == 200
    findings = response.json()
    assert {
        "category": "domestic_abuse",
        "label": "Domestic abuse",
        "phrase": "hit her",
        "start": NOTE.index("hit her"),
        "end": NOTE.index("hit her") + 7,
        "concern_category": "domestic_abuse",
    } in findings
    assert client.post(url, {"note": "Helped with his CV."}, content_type="application/json").json() == []
    assert client.post(url, {"note": 5}, content_type="application/json").status_code == 422
    theirs = personas.client_of(personas.other_caseworker)
    refused = client.post(url, {"note": NOTE, "client_id": str(theirs.pk)}, content_type="application/json")
    assert refused.status_code == 404
    for who in ("report_viewer", "safeguarding_lead"):
        client.force_login(getattr(personas, who))
        assert client.post(url, {"note": NOTE}, content_type="application/json").status_code == 404, who


def test_the_services_refuse_anyone_but_the_lead_and_removal_is_audited(personas: Personas):
    from keyworker.core.errors import ConcurrentEdit, NotAllowed
    from keyworker.safeguarding import services

    entry = ScannerPhrase.objects.get(category="weapons", phrase="shank")
    for who in ("you", "manager", "on_call"):
        with pytest.raises(NotAllowed):
            services.scanner_phrase_add(actor=getattr(personas, who), category="weapons", phrase="ting")
        with pytest.raises(NotAllowed):
            services.scanner_phrase_remove(actor=getattr(personas, who), entry=entry, expected_version=entry.version)
    lead = personas.safeguarding_lead
    with pytest.raises(ConcurrentEdit):
        services.scanner_phrase_remove(actor=lead, entry=entry, expected_version=entry.version + 1)
    services.scanner_phrase_remove(actor=lead, entry=entry, expected_version=entry.version)
    assert not ScannerPhrase.objects.filter(pk=entry.pk).exists()
    event = AuditEvent.objects.filter(object_id=str(entry.pk)).get()
    assert event.client_id is None and event.detail["removed"] is True
