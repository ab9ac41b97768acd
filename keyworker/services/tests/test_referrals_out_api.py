"""The services API: the directory (no personal data), referrals out (in reach exactly when the client is;
sending refused without consent, with the reason and nothing saved), and signposting (own records only; no
client field at all)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import ServiceFactory, UserFactory, signed_in
from keyworker.core.tests.test_authorisation_matrix import _assert_cell, _build_world, _views_of, allowed_states
from keyworker.intake.models import AgencyKind
from keyworker.intake.services import consent_record
from keyworker.privacy.models import Disclosure
from keyworker.services.models import OutboundReferral, OutboundReferralUpdate, OutboundStatus, Service, Signposting

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _post(http, path, body):
    return http.post(f"{API}{path}", body, content_type="application/json")


def test_directory_api_by_persona(personas):
    p = personas
    Service.objects.all().delete()
    bis = ServiceFactory(name="Brief Intervention Service", area_covered="Lambeth")
    ServiceFactory(name="Croydon Housing", category="housing", area_covered="Croydon")
    line = ServiceFactory(name="Helpline", is_national=True, is_helpline=True, category="domestic_abuse")
    lead = UserFactory(email="sg@api.test", role=Role.SAFEGUARDING_LEAD, team=None)
    for user in (p.you, p.manager, lead):
        http = signed_in(user)
        response = http.get(f"{API}/services", {"area": "lambeth"})
        assert response.status_code == 200
        assert [s["name"] for s in response.json()] == [line.name, bis.name]
        assert http.get(f"{API}/services/{bis.pk}").json()["name"] == bis.name
    http = signed_in(p.you)
    assert [s["name"] for s in http.get(f"{API}/services", {"category": "housing"}).json()] == ["Croydon Housing"]
    assert http.get(f"{API}/services", {"category": "astrology"}).status_code == 422
    mentor = UserFactory(email="mentor@api.test", role=Role.PEER_MENTOR, team=p.team)
    for user in (p.report_viewer, mentor):
        http = signed_in(user)
        assert http.get(f"{API}/services").status_code == 404
        assert http.get(f"{API}/services/{bis.pk}").status_code == 404
    assert HttpClient().get(f"{API}/services").status_code == 401


def test_referral_operations_follow_the_client_record_matrix():
    world = _build_world()
    service = ServiceFactory()
    referrals = {
        state: OutboundReferral.objects.create(
            client=bundle.client, service=service, reason=f"Referral of {bundle.marker}", shared="Name.",
            made_by=world.personas.you,
        )
        for state, bundle in world.bundles.items()
    }
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states("client-record", role)
        for state, bundle in world.bundles.items():
            pk = referrals[state].pk
            before = _views_of(viewer, bundle)
            response = http.get(f"{API}/outbound-referrals/{pk}")
            _assert_cell(response, state in allowed, bundle.marker, f"GET referral {role} {state}")
            if state in allowed:
                assert _views_of(viewer, bundle) > before, (role, state, "not audited")
            else:
                # Stale version: an allowed caller would get 409 or 422; a denied one 404 and nothing changes.
                assert _post(http, f"/outbound-referrals/{pk}/send", {"version": 99}).status_code == 404
                body = {"version": 99, "status": "withdrawn", "occurred_on": timezone.localdate().isoformat(),
                        "reason": "x"}
                assert _post(http, f"/outbound-referrals/{pk}/status", body).status_code == 404
    assert not OutboundReferral.objects.exclude(status=OutboundStatus.DRAFT).exists()
    assert not OutboundReferralUpdate.objects.exists() and not Disclosure.objects.exists()
    http.logout()
    assert HttpClient().get(f"{API}/outbound-referrals/{referrals['own'].pk}").status_code == 401


def test_refer_send_and_update_through_the_api(personas):
    p = personas
    client = p.client_of(p.you)
    service = ServiceFactory(name="Brief Intervention Service")
    http = signed_in(p.you)
    follow_up = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    body = {"service_id": str(service.pk), "reason": "Cannabis.", "shared": "Name, phone.", "follow_up_on": follow_up,
            "send": True}
    response = _post(http, f"/clients/{client.pk}/outbound-referrals", body)
    assert response.status_code == 422
    assert "No consent or other lawful basis recorded covers this." in response.json()["errors"]["basis"][0]
    assert not OutboundReferral.objects.exists()
    response = _post(http, f"/clients/{client.pk}/outbound-referrals", {**body, "send": False})
    assert response.status_code == 201
    draft = response.json()
    assert draft["status"] == "draft" and draft["follow_up_on"] == follow_up and draft["updates"] == []
    consent_record(actor=p.you, client=client, agency_kinds=[AgencyKind.DRUG_AND_ALCOHOL], method="verbal",
                   given_on=timezone.localdate())
    response = _post(http, f"/outbound-referrals/{draft['id']}/send", {"version": draft["version"]})
    assert response.status_code == 200
    sent = response.json()
    assert sent["status"] == "sent" and sent["basis"].endswith("covers this.")
    assert Disclosure.objects.get().what == "Name, phone."
    today = timezone.localdate().isoformat()
    response = _post(http, f"/outbound-referrals/{draft['id']}/status",
                     {"version": sent["version"], "status": "declined", "occurred_on": today})
    assert response.status_code == 422 and "reason" in response.json()["errors"]
    response = _post(http, f"/outbound-referrals/{draft['id']}/status",
                     {"version": sent["version"], "status": "declined", "occurred_on": today, "reason": "Full."})
    assert response.status_code == 200
    ended = response.json()
    assert ended["status"] == "declined" and ended["outcome"] == "not_achieved"
    assert [u["status"] for u in ended["updates"]] == ["sent", "declined"]
    response = _post(http, f"/outbound-referrals/{draft['id']}/status",
                     {"version": sent["version"], "status": "withdrawn", "occurred_on": today, "reason": "x"})
    assert response.status_code in (409, 422)
    listed = http.get(f"{API}/clients/{client.pk}/outbound-referrals").json()
    assert [r["id"] for r in listed] == [draft["id"]]
    assert AuditEvent.objects.filter(actor=p.you, client_id=client.pk, action=AuditAction.VIEW).exists()


def test_signposting_api_by_persona(personas):
    p = personas
    service = ServiceFactory(name="National Domestic Abuse Helpline", is_helpline=True)
    body = {"service_id": str(service.pk), "given_on": timezone.localdate().isoformat(), "method": "in_person",
            "who": "a young woman"}
    mine = _post(signed_in(p.you), "/signposting", body)
    assert mine.status_code == 201 and mine.json()["who"] == "a young woman"
    assert _post(signed_in(p.teammate), "/signposting", {**body, "who": "someone else"}).status_code == 201
    client = p.client_of(p.you)
    refused = _post(signed_in(p.you), "/signposting", {**body, "client_id": str(client.pk)})
    assert refused.status_code == 422
    refused = _post(signed_in(p.you), "/signposting", {**body, "who": f"partner of {client.pk}"})
    assert refused.status_code == 422
    assert _post(signed_in(p.report_viewer), "/signposting", body).status_code == 404
    assert Signposting.objects.count() == 2
    assert [r["who"] for r in signed_in(p.you).get(f"{API}/signposting").json()] == ["a young woman"]
    assert signed_in(p.manager).get(f"{API}/signposting").json() == []
    assert signed_in(p.report_viewer).get(f"{API}/signposting").json() == []
    lead = UserFactory(email="sg@api.test", role=Role.SAFEGUARDING_LEAD, team=None)
    assert {r["who"] for r in signed_in(lead).get(f"{API}/signposting").json()} == {"a young woman", "someone else"}
    assert _post(signed_in(lead), "/signposting", body).status_code == 404
    assert HttpClient().get(f"{API}/signposting").status_code == 401


def test_a_referral_made_through_the_api_names_its_sharing_agreement(personas):
    """The agreement is chosen by id from GET /sharing-agreements; one not in force, or no agreement at all by
    that id, is refused with the reason and nothing is kept."""
    from keyworker.privacy.agreements.services import sharing_agreement_create

    p = personas
    client = p.client_of(p.you)
    service = ServiceFactory(name="Brief Intervention Service")
    consent_record(actor=p.you, client=client, agency_kinds=[AgencyKind.DRUG_AND_ALCOHOL], method="verbal",
                   given_on=timezone.localdate())
    today = timezone.localdate()
    terms = {"partner": "South Thames Health", "title": "Drug service referrals", "purpose": "Assessment.",
             "lawful_basis": "Consent", "data_shared": "Name, phone, reason."}
    in_force = sharing_agreement_create(actor=p.data_protection_officer, starts_on=today - dt.timedelta(days=9),
                                        review_on=today + dt.timedelta(days=90), **terms)
    ended = sharing_agreement_create(actor=p.data_protection_officer, starts_on=today - dt.timedelta(days=90),
                                     review_on=today - dt.timedelta(days=30), ends_on=today - dt.timedelta(days=1),
                                     **terms)
    http = signed_in(p.you)
    body = {"service_id": str(service.pk), "reason": "Cannabis.", "shared": "Name, phone.", "send": True}
    for bad in (str(ended.pk), "00000000-0000-0000-0000-000000000000", "not-an-id"):
        response = _post(http, f"/clients/{client.pk}/outbound-referrals", {**body, "sharing_agreement_id": bad})
        assert response.status_code == 422, bad
        assert "sharing_agreement" in " ".join(response.json()["errors"]), response.json()
        assert not OutboundReferral.objects.exists() and not Disclosure.objects.exists()
    chosen = {**body, "sharing_agreement_id": str(in_force.pk)}
    response = _post(http, f"/clients/{client.pk}/outbound-referrals", chosen)
    assert response.status_code == 201, response.json()
    assert response.json()["sharing_agreement_id"] == str(in_force.pk)
    assert Disclosure.objects.get().sharing_agreement == in_force
    listed = http.get(f"{API}/clients/{client.pk}/outbound-referrals").json()
    assert [r["sharing_agreement_id"] for r in listed] == [str(in_force.pk)]
