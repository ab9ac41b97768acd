"""The concerns API by persona: a concern about the client follows the client record; one about someone else is
in reach only for the safeguarding lead and its recorder; a client's endpoint says only that one exists."""

from __future__ import annotations

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import ConcernFactory, signed_in
from keyworker.people.models import ThirdParty
from keyworker.safeguarding.models import Concern, ConcernAbout

pytestmark = pytest.mark.django_db

API = "/api/v1"
DISCLOSURE = "She said he hit her last week and she is scared of him."


@pytest.fixture
def world(personas):
    p = personas
    client = p.client_of(p.you, first_name="Dev")
    hers = ConcernFactory(
        client=client,
        about=ConcernAbout.THIRD_PARTY,
        category="domestic_abuse",
        disclosed_by="person_at_risk",
        what_was_disclosed=DISCLOSURE,
        recorded_by=p.you,
        third_party__description="the client's girlfriend",
    )
    his = ConcernFactory(client=client, recorded_by=p.teammate)
    return client, hers, his


def test_concern_api_by_persona(personas, world):
    p = personas
    client, hers, his = world
    expected = {  # persona: (her concern, his concern, the client's endpoint, may act on hers)
        "you": (200, 200, 200, True),
        "teammate": (404, 200, 200, False),
        "manager": (404, 200, 200, False),
        "other_caseworker": (404, 404, 404, False),
        "other_manager": (404, 404, 404, False),
        "report_viewer": (404, 404, 404, False),
        "safeguarding_lead": (200, 200, 404, True),
        "on_call": (404, 404, 404, False),
    }
    for name, (her_code, his_code, client_code, may_act) in expected.items():
        http = signed_in(getattr(p, name))
        assert http.get(f"{API}/concerns/{hers.pk}").status_code == her_code, name
        assert http.get(f"{API}/concerns/{his.pk}").status_code == his_code, name
        response = http.get(f"{API}/clients/{client.pk}/concerns")
        assert response.status_code == client_code, name
        if client_code == 200:
            body = response.json()
            assert body["concern_about_someone_else"] is True
            assert [c["id"] for c in body["concerns"]] == [str(his.pk)]
            assert DISCLOSURE not in response.content.decode() and "girlfriend" not in response.content.decode()
        action = http.post(
            f"{API}/concerns/{hers.pk}/actions", {"kind": "advice_only"}, content_type="application/json"
        )
        assert action.status_code == (201 if may_act else 404), name
        listed = {c["id"] for c in http.get(f"{API}/concerns").json()}
        if name == "safeguarding_lead":
            assert listed == {str(hers.pk), str(his.pk)}
        elif name == "you":
            assert listed == {str(hers.pk)}
        elif name == "teammate":
            assert listed == {str(his.pk)}
        else:
            assert listed == set(), name
    # a member of staff who can see his concern but did not record it may read but not act
    refused = signed_in(p.manager).post(
        f"{API}/concerns/{his.pk}/status",
        {"status": "closed", "version": 1, "note": "x" * 20},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(object_id=str(hers.pk), client_id__isnull=False).exists()


def test_create_about_someone_else_then_act(personas):
    p = personas
    client = p.client_of(p.you)
    http = signed_in(p.you)
    body = {
        "about": "third_party",
        "category": "domestic_abuse",
        "disclosed_by": "person_at_risk",
        "disclosed_on": timezone.localdate().isoformat(),
        "what_was_disclosed": DISCLOSURE,
        "third_party": {"description": "the client's girlfriend"},
        "first_action": {"kind": "advice_only", "note": "Gave her the helpline number."},
        "sharing": {"shared": False, "reasons": "She asked us not to tell anyone yet."},
    }
    response = http.post(f"{API}/clients/{client.pk}/concerns", body, content_type="application/json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["third_party"]["description"] == "the client's girlfriend"
    assert made["person_at_risk"] == "the client's girlfriend"
    assert [a["kind"] for a in made["actions"]] == ["advice_only"]
    assert made["sharing_decisions"][0]["shared"] is False
    concern_id = made["id"]
    shared = http.post(
        f"{API}/concerns/{concern_id}/sharing-decisions",
        {
            "shared": True,
            "shared_with": "Lambeth MARAC",
            "lawful_basis": "safeguarding",
            "reasons": "DASH score 15: high risk.",
        },
        content_type="application/json",
    )
    assert shared.status_code == 201 and len(shared.json()["sharing_decisions"]) == 2
    moved = http.post(
        f"{API}/concerns/{concern_id}/status", {"status": "with_lead", "version": 1}, content_type="application/json"
    )
    assert moved.status_code == 200 and moved.json()["status"] == "with_lead"
    stale = http.post(
        f"{API}/concerns/{concern_id}/status", {"status": "open", "version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409
    listed = signed_in(p.teammate).get(f"{API}/clients/{client.pk}/concerns").json()
    assert listed == {"concerns": [], "concern_about_someone_else": True}
    assert not AuditEvent.objects.filter(client_id=client.pk, object_type__startswith="safeguarding").exists()
    assert not AuditEvent.objects.filter(client_id=client.pk, object_type="people.thirdparty").exists()


def test_bad_input_changes_nothing(personas):
    p = personas
    client = p.client_of(p.you)
    body = {
        "about": "third_party",
        "category": "domestic_abuse",
        "disclosed_by": "person_at_risk",
        "disclosed_on": timezone.localdate().isoformat(),
        "what_was_disclosed": DISCLOSURE,
    }
    response = signed_in(p.you).post(f"{API}/clients/{client.pk}/concerns", body, content_type="application/json")
    assert response.status_code == 422 and "third_party_description" in response.json()["errors"]
    assert not Concern.objects.exists() and not ThirdParty.objects.exists()
    outsider = signed_in(p.other_caseworker).post(
        f"{API}/clients/{client.pk}/concerns",
        {**body, "third_party": {"description": "x"}},
        content_type="application/json",
    )
    assert outsider.status_code == 404 and not Concern.objects.exists()


def test_reads_are_audited(personas, world):
    p = personas
    client, hers, _ = world
    signed_in(p.safeguarding_lead).get(f"{API}/concerns")
    assert (
        AuditEvent.objects.filter(actor=p.safeguarding_lead, action=AuditAction.VIEW, client_id=client.pk).count() == 1
    )
    her_views = AuditEvent.objects.filter(actor=p.safeguarding_lead, action=AuditAction.VIEW, client_id__isnull=True)
    assert her_views.count() == 1 and her_views.get().object_id == str(hers.pk)
