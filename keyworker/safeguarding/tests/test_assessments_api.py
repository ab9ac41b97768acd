"""The DASH, MARAC and NRM API by persona: 404 for anyone who cannot see the concern, 403 for those who see it
but may not act, the score and threshold worked out by the server, the MARAC draft from what is recorded,
NRM updates under optimistic locking, and the NRM list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from keyworker.audit.models import AuditEvent
from keyworker.core.testing import Personas, signed_in
from keyworker.safeguarding.models import DashAssessment, MaracReferral, NrmReferral
from keyworker.safeguarding.rules import DASH_QUESTIONS
from keyworker.safeguarding.tests.test_assessments_pages import DISCLOSURE, _answers, _world

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _post(http: HttpClient, url: str, body: dict):
    return http.post(url, body, content_type="application/json")


def _today() -> str:
    return timezone.localdate().isoformat()


def _bodies(dash_id) -> dict[str, dict]:
    return {
        "dash": {"answers": _answers(3), "completed_on": _today()},
        "marac": {
            "dash_id": str(dash_id),
            "marac_area": "Lambeth",
            "threshold_reasons": "Score 15.",
            "summary": "Pushed.",
            "referred_on": _today(),
            "sharing_reasons": "Serious risk of harm.",
        },
        "nrm": {"first_responder": "Police", "referred_on": _today(), "consent_given": True},
        "nrm_update": {"version": 1, "reasonable_grounds": "pending", "conclusive_grounds": "pending", "notes": "x"},
    }


def _calls(concern, dash, marac, nrm) -> list[tuple[str, str, str]]:
    """(method, url, body name) for every operation on this concern's records."""
    return [
        ("POST", f"{API}/concerns/{concern.pk}/dash", "dash"),
        ("GET", f"{API}/dash/{dash.pk}", ""),
        ("GET", f"{API}/concerns/{concern.pk}/marac-draft", ""),
        ("POST", f"{API}/concerns/{concern.pk}/marac-referrals", "marac"),
        ("GET", f"{API}/marac-referrals/{marac.pk}", ""),
        ("POST", f"{API}/concerns/{concern.pk}/nrm-referrals", "nrm"),
        ("GET", f"{API}/nrm-referrals/{nrm.pk}", ""),
        ("POST", f"{API}/nrm-referrals/{nrm.pk}", "nrm_update"),
    ]


def test_assessment_api_by_persona(personas: Personas):
    p = personas
    _dan, made = _world(p)
    sees = {
        "third_party": {"safeguarding_lead", "you"},
        "client": {"safeguarding_lead", "you", "teammate", "manager"},
    }
    acts = {"safeguarding_lead", "you"}
    personas_checked = ("you", "teammate", "manager", "other_caseworker", "other_manager", "report_viewer", "on_call")
    for about, (concern, dash, marac, nrm) in made.items():
        bodies = _bodies(dash.pk)
        for persona in (*personas_checked, "safeguarding_lead"):
            http = signed_in(getattr(p, persona))
            for method, url, body in _calls(concern, dash, marac, nrm):
                where = (about, persona, method, url)
                if method == "GET":
                    response = http.get(url)
                    expected = 200 if persona in sees[about] else 404
                else:
                    before = (
                        DashAssessment.objects.count(),
                        MaracReferral.objects.count(),
                        NrmReferral.objects.count(),
                    )
                    response = _post(http, url, bodies[body])
                    if persona not in sees[about]:
                        expected = 404
                    elif persona not in acts:
                        expected = 403
                    else:
                        expected = 200 if body == "nrm_update" else 201
                    if expected != 201:
                        after = (
                            DashAssessment.objects.count(),
                            MaracReferral.objects.count(),
                            NrmReferral.objects.count(),
                        )
                        assert after == before, where
                    if expected == 200:  # undo the version bump so the next persona's update applies
                        NrmReferral.objects.filter(pk=nrm.pk).update(version=1)
                assert response.status_code == expected, (where, response.status_code, response.content[:300])
                if expected == 404:
                    assert b"Markervictim" not in response.content and b"Markerperp" not in response.content
    anonymous = HttpClient()
    assert anonymous.get(f"{API}/dash/{made['client'][1].pk}").status_code == 401


def test_dash_over_the_api_works_out_the_score(personas: Personas):
    _dan, made = _world(personas)
    concern = made["third_party"][0]
    http = signed_in(personas.you)
    response = _post(
        http,
        f"{API}/concerns/{concern.pk}/dash",
        {"answers": _answers(13), "incidents_in_last_12_months": 3, "completed_on": _today()},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["score"] == 13 and body["meets_marac_threshold"] is True
    assert any("Potential escalation" in reason for reason in body["threshold_reasons"])
    missing = {k: v for k, v in _answers(13).items() if k != "24"}
    refused = _post(http, f"{API}/concerns/{concern.pk}/dash", {"answers": missing, "completed_on": _today()})
    assert refused.status_code == 422 and "question 24" in " ".join(refused.json()["errors"]["answers"])
    cheating = _post(http, f"{API}/concerns/{concern.pk}/dash", {"answers": _answers(1), "score": 20})
    assert cheating.status_code == 422  # unknown fields are refused: the score is never sent


def test_the_marac_draft_and_referral_over_the_api(personas: Personas):
    _dan, made = _world(personas)
    concern, dash, _marac, _nrm = made["third_party"]
    http = signed_in(personas.safeguarding_lead)
    draft = http.get(f"{API}/concerns/{concern.pk}/marac-draft", {"dash_id": str(dash.pk)}).json()
    assert DISCLOSURE in draft["summary"] and DASH_QUESTIONS[0] in draft["summary"]
    assert draft["person_at_risk"]["name"] == "Tia Markervictim"
    assert draft["alleged_perpetrator"]["name"] == "Dan Markerperp"
    assert draft["dash_id"] == str(dash.pk)
    body = {
        "dash_id": draft["dash_id"],
        "marac_area": draft["marac_area"],
        "threshold_reasons": draft["threshold_reasons"],
        "summary": draft["summary"],
        "referred_on": _today(),
        "lawful_basis": "vital_interests",
        "sharing_reasons": "Risk to life; she has been told.",
    }
    made_referral = _post(http, f"{API}/concerns/{concern.pk}/marac-referrals", body)
    assert made_referral.status_code == 201, made_referral.content
    assert made_referral.json()["summary"] == draft["summary"]
    other_dash = made["client"][1]
    wrong = _post(http, f"{API}/concerns/{concern.pk}/marac-referrals", body | {"dash_id": str(other_dash.pk)})
    assert wrong.status_code == 422 and "dash_id" in wrong.json()["errors"]
    bad_basis = _post(http, f"{API}/concerns/{concern.pk}/marac-referrals", body | {"lawful_basis": "not_applicable"})
    assert bad_basis.status_code == 422
    assert MaracReferral.objects.filter(concern=concern).count() == 2  # the _world one and this one
    # nothing about her reached Dan's trail
    hers = [str(pk) for pk in MaracReferral.objects.filter(concern=concern).values_list("pk", flat=True)]
    events = AuditEvent.objects.filter(object_type="safeguarding.maracreferral", object_id__in=hers)
    assert events.count() == 2 and all(event.client_id is None for event in events)


def test_nrm_over_the_api(personas: Personas):
    _dan, made = _world(personas)
    concern, _dash, _marac, nrm = made["client"]
    http = signed_in(personas.you)
    refused = _post(
        http, f"{API}/concerns/{concern.pk}/nrm-referrals", {"first_responder": "Police", "referred_on": _today()}
    )
    assert refused.status_code == 422 and "consent_given" in refused.json()["errors"]
    url = f"{API}/nrm-referrals/{nrm.pk}"
    decided = {
        "version": 1,
        "reasonable_grounds": "positive",
        "reasonable_grounds_on": _today(),
        "conclusive_grounds": "pending",
        "next_chase_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
    }
    response = _post(http, url, decided)
    assert response.status_code == 200 and response.json()["version"] == 2
    assert _post(http, url, decided).status_code == 409  # stale version
    early = decided | {"version": 2, "conclusive_grounds": "positive", "conclusive_grounds_on": "2000-01-01"}
    assert _post(http, url, early).status_code == 422
    assert NrmReferral.objects.get(pk=nrm.pk).version == 2


def test_nrm_list_api_by_persona(personas: Personas):
    _dan, made = _world(personas)
    her_nrm, dan_nrm = made["third_party"][3], made["client"][3]
    expected = {
        "safeguarding_lead": {str(her_nrm.pk), str(dan_nrm.pk)},
        "you": {str(her_nrm.pk), str(dan_nrm.pk)},
        "teammate": {str(dan_nrm.pk)},
        "manager": {str(dan_nrm.pk)},
        "other_caseworker": set(),
        "report_viewer": set(),
        "on_call": set(),
    }
    for persona, ids in expected.items():
        response = signed_in(getattr(personas, persona)).get(f"{API}/nrm-referrals")
        assert response.status_code == 200, persona
        assert {row["id"] for row in response.json()} == ids, persona
    due = signed_in(personas.safeguarding_lead).get(f"{API}/nrm-referrals", {"due_within_days": 1}).json()
    assert due == []  # both are chased in 2 days
    assert HttpClient().get(f"{API}/nrm-referrals").status_code == 401
