"""The published spec and docs, and CSRF protection for session-authenticated writes."""

from __future__ import annotations

import json
import re

from django.test import Client as HttpClient

from keyworker.casework.models import Contact

API = "/api/v1"

PATHS = {
    "/api/v1/clients": {"get"},
    "/api/v1/sharing-agreements": {"get"},
    "/api/v1/sharing-agreements/{agreement_id}": {"get"},
    "/api/v1/search/clients": {"get"},
    "/api/v1/search/notes": {"get"},
    "/api/v1/clients/{client_id}": {"get", "patch"},
    "/api/v1/clients/{client_id}/cases": {"get"},
    "/api/v1/clients/{client_id}/contacts": {"get", "post"},
    "/api/v1/cases": {"get"},
    "/api/v1/cases/{case_id}": {"get"},
    "/api/v1/contacts/{contact_id}/amendments": {"post"},
    "/api/v1/tasks": {"get", "post"},
    "/api/v1/tasks/{task_id}/complete": {"post"},
    "/api/v1/cases/{case_id}/status": {"post"},
    "/api/v1/funding/streams": {"get"},
    "/api/v1/funding/streams/{stream_id}": {"get"},
    "/api/v1/funding/capacity": {"get"},
    "/api/v1/funding/streams/{stream_id}/targets": {"post"},
    "/api/v1/funding/streams/{stream_id}/targets/{measure}": {"delete"},
    "/api/v1/referrals": {"get", "post"},
    "/api/v1/referrals/{referral_id}": {"get"},
    "/api/v1/referrals/{referral_id}/status": {"post"},
    "/api/v1/establishments": {"get"},
    "/api/v1/clients/{client_id}/custody-episodes": {"get", "post"},
    "/api/v1/custody-episodes/{episode_id}": {"get"},
    "/api/v1/release-needs/{need_id}": {"post"},
    "/api/v1/releases": {"get"},
    "/api/v1/clients/{client_id}/hearings": {"get", "post"},
    "/api/v1/hearings/{hearing_id}/outcome": {"post"},
    "/api/v1/lone-working/visits": {"post"},
    "/api/v1/lone-working/visits/current": {"get"},
    "/api/v1/lone-working/visits/{visit_id}/check-out": {"post"},
    "/api/v1/lone-working/visits/{visit_id}/extend": {"post"},
    "/api/v1/lone-working/visits/{visit_id}/help": {"post"},
    "/api/v1/appointments": {"get", "post"},
    "/api/v1/appointments/group": {"post"},
    "/api/v1/appointments/{appointment_id}": {"get"},
    "/api/v1/appointments/{appointment_id}/status": {"post"},
    "/api/v1/appointments/{appointment_id}/reschedule": {"post"},
    # services directory, referrals out, signposting (issue 6)
    "/api/v1/services": {"get"},
    "/api/v1/services/{service_id}": {"get"},
    "/api/v1/clients/{client_id}/outbound-referrals": {"get", "post"},
    "/api/v1/outbound-referrals/{referral_id}": {"get"},
    "/api/v1/outbound-referrals/{referral_id}/send": {"post"},
    "/api/v1/outbound-referrals/{referral_id}/status": {"post"},
    "/api/v1/signposting": {"get", "post"},
    # courses (issue 6)
    "/api/v1/courses": {"get"},
    "/api/v1/cohorts/{cohort_id}": {"get"},
    "/api/v1/cohorts/{cohort_id}/enrolments": {"post"},
    "/api/v1/enrolments/{enrolment_id}/attendance": {"post"},
    "/api/v1/enrolments/{enrolment_id}/complete": {"post"},
    # the disclosure scanner (issue 7)
    "/api/v1/notes/scan": {"post"},
    # milestones, jobs and homes, proven offences (issue 8)
    "/api/v1/clients/{client_id}/milestones": {"get", "post"},
    "/api/v1/clients/{client_id}/spells": {"get", "post"},
    "/api/v1/spells/{spell_id}/checks": {"post"},
    "/api/v1/spells/{spell_id}/end": {"post"},
    "/api/v1/clients/{client_id}/proven-offences": {"get", "post"},
    # peer mentors (issue 8)
    "/api/v1/clients/{client_id}/mentoring/pathway": {"get", "put"},
    "/api/v1/clients/{client_id}/mentoring/pathway/supervisions": {"post"},
    "/api/v1/clients/{client_id}/mentoring/relationships": {"get", "post"},
    "/api/v1/mentoring/{mentoring_id}/end": {"post"},
    "/api/v1/mentoring/{mentoring_id}/sessions": {"post"},
    "/api/v1/mentoring/mine": {"get"},
    # risk reviews and safety plans (issue 7)
    "/api/v1/clients/{client_id}/risk-reviews": {"get", "post"},
    "/api/v1/clients/{client_id}/safety-plan": {"get", "put"},
    # the on-call line (issue 7)
    "/api/v1/on-call/rota": {"get"},
    "/api/v1/clients/{client_id}/crisis-calls": {"post"},
    "/api/v1/crisis-calls/{call_id}": {"get"},
    "/api/v1/on-call/handover": {"get"},
    # safeguarding concerns (issue 7)
    "/api/v1/concerns": {"get"},
    "/api/v1/concerns/{concern_id}": {"get"},
    "/api/v1/clients/{client_id}/concerns": {"get", "post"},
    "/api/v1/concerns/{concern_id}/actions": {"post"},
    "/api/v1/concerns/{concern_id}/sharing-decisions": {"post"},
    "/api/v1/concerns/{concern_id}/status": {"post"},
    # DASH, MARAC and NRM (issue 7)
    "/api/v1/concerns/{concern_id}/dash": {"post"},
    "/api/v1/dash/{dash_id}": {"get"},
    "/api/v1/concerns/{concern_id}/marac-draft": {"get"},
    "/api/v1/concerns/{concern_id}/marac-referrals": {"post"},
    "/api/v1/marac-referrals/{referral_id}": {"get"},
    "/api/v1/concerns/{concern_id}/nrm-referrals": {"post"},
    "/api/v1/nrm-referrals": {"get"},
    "/api/v1/nrm-referrals/{referral_id}": {"get", "post"},
    # funder reports (issue 8)
    "/api/v1/funder-reports": {"get", "post"},
    "/api/v1/funder-reports/{run_id}": {"get"},
    # letters (issue 8)
    "/api/v1/clients/{client_id}/letters": {"get", "post"},
    "/api/v1/letters/{letter_id}": {"put"},
    "/api/v1/letters/{letter_id}/finalise": {"post"},
    "/api/v1/letters/{letter_id}/pdf": {"get"},
    # outcome scales, readings and distance travelled (issue 8)
    "/api/v1/outcome-scales": {"get"},
    "/api/v1/clients/{client_id}/outcome-readings": {"get", "post"},
    "/api/v1/clients/{client_id}/distance-travelled": {"get"},
}


def test_openapi_spec_lists_every_endpoint(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.content)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Keyworker API"
    assert {path: set(ops) for path, ops in spec["paths"].items()} == PATHS
    schemas = spec["components"]["schemas"]
    for record in ("ClientOut", "ClientSummaryOut", "CaseOut", "ContactOut", "AmendmentOut", "TaskOut"):
        assert "version" in schemas[record]["required"], record
    assert schemas["ContactOut"]["properties"]["occurred_at"]["format"] == "date-time"
    # Session sign-in is the documented way in.
    assert any("cookie" in json.dumps(s) for s in spec["components"]["securitySchemes"].values())


def test_openapi_documents_the_error_responses(client, db):
    spec = client.get(f"{API}/openapi.json").json()
    create_contact = spec["paths"]["/api/v1/clients/{client_id}/contacts"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(create_contact)


def test_docs_are_served_from_our_own_static_files(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    assert not re.search(r"cdn|unpkg|jsdelivr|cdnjs", html, re.IGNORECASE)
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', html, re.DOTALL)
    assert settings_json
    assert json.loads(settings_json.group(1))["validatorUrl"] is None  # no call to validator.swagger.io


def test_docs_static_files_are_served(client, db):
    response = client.get("/static/ninja/swagger-ui-bundle.js")
    assert response.status_code == 200


def test_a_session_post_without_a_csrf_token_is_refused(world, personas):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(personas.you)
    url = f"{API}/clients/{world.mine.pk}/contacts"
    body = {"kind": "phone", "note": "Rang him."}
    before = Contact.objects.count()

    refused = browser.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    assert Contact.objects.count() == before

    # Reads need no token.
    assert browser.get(url).status_code == 200

    token = "a" * 32
    browser.cookies["csrftoken"] = token
    accepted = browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content
    assert Contact.objects.count() == before + 1


def test_a_wrong_csrf_token_is_refused(world, personas):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(personas.you)
    browser.cookies["csrftoken"] = "a" * 32
    response = browser.post(
        f"{API}/tasks/{world.my_task.pk}/complete", {"version": 1}, content_type="application/json",
        HTTP_X_CSRFTOKEN="b" * 32,
    )
    assert response.status_code == 403
    world.my_task.refresh_from_db()
    assert not world.my_task.is_done
