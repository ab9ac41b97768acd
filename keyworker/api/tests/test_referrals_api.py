"""The referrals API: the receiving team's casework staff list, read, record and move referrals on; anyone
else gets 404 (as on the pages); bad input is 422 and changes nothing; a stale version is 409; reads are
audited. These are the cells API_SPECIAL in the authorisation matrix points to."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import Personas, UserFactory
from keyworker.intake import services
from keyworker.intake.models import Referral, ReferralSource, ReferralStatus, Urgency

pytestmark = pytest.mark.django_db
API = "/api/v1"


def referral(p: Personas, actor: User | None = None, **overrides: Any) -> Referral:
    fields: dict[str, Any] = {
        "actor": actor or p.you,
        "source": ReferralSource.SELF,
        "reason": "Wants out.",
        "first_name": "Kayla",
        "last_name": "Zindabad",
        "urgency": Urgency.URGENT,
        "received_at": timezone.now() - dt.timedelta(hours=3),
    }
    fields.update(overrides)
    return services.referral_receive(**fields)


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def post(http: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return http.post(f"{API}{path}", json.dumps(body), content_type="application/json")


def outsiders(p: Personas) -> dict[str, User]:
    return {
        "other team's caseworker": p.other_caseworker,
        "other team's manager": p.other_manager,
        "report viewer": p.report_viewer,
        "peer mentor": UserFactory(email="mentor@r.test", role=Role.PEER_MENTOR, team=p.team),
        "safeguarding lead": UserFactory(email="sg@r.test", role=Role.SAFEGUARDING_LEAD, team=p.team),
        "data protection officer": UserFactory(email="dpo@r.test", role=Role.DATA_PROTECTION_OFFICER, team=p.team),
        "administrator": UserFactory(email="admin@r.test", role=Role.ADMINISTRATOR, team=p.team, is_staff=True),
        "on-call worker with no team": UserFactory(email="oc@r.test", role=Role.ON_CALL, team=None),
    }


def test_list_and_read_the_teams_referrals(personas: Personas):
    mine = referral(personas)
    theirs = referral(personas, actor=personas.other_caseworker, first_name="Southern")
    for member in (personas.you, personas.teammate, personas.manager):
        http = signed_in(member)
        body = http.get(f"{API}/referrals").json()
        assert [item["id"] for item in body["items"]] == [str(mine.pk)] and body["count"] == 1
        detail = http.get(f"{API}/referrals/{mine.pk}")
        assert detail.status_code == 200
        assert detail.json()["steps"][0]["status"] == "received"
        assert http.get(f"{API}/referrals/{theirs.pk}").status_code == 404
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(mine.pk))
    assert views.count() == 6  # a list and a read by each of the three
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(theirs.pk)).exists()


def test_everyone_else_gets_not_found(personas: Personas):
    mine = referral(personas)
    for who, user in outsiders(personas).items():
        http = signed_in(user)
        listed = http.get(f"{API}/referrals")
        casework = user.role in (Role.CASEWORKER, Role.MANAGER, Role.ON_CALL)
        if casework:  # their own team's list, never another team's
            assert listed.status_code == 200, who
            assert all(item["team"]["id"] == str(user.team_id) for item in listed.json()["items"]), who
            assert "Kayla" not in listed.content.decode(), who
        else:
            assert listed.status_code == 404, who
        for response in (
            http.get(f"{API}/referrals/{mine.pk}"),
            post(http, f"/referrals/{mine.pk}/status", {"status": "assessed", "version": mine.version}),
        ):
            assert response.status_code == 404, (who, response.status_code)
            assert "Kayla" not in response.content.decode(), who
        received = post(http, "/referrals", {"source": "self", "reason": "x", "first_name": "Ann"})
        if not casework:
            assert received.status_code == 404, who
        elif user.team_id is None:
            assert received.status_code == 403, who  # casework staff with no team have nowhere to record it
        else:
            assert received.status_code == 201 and received.json()["team"]["id"] == str(user.team_id), who
    mine.refresh_from_db()
    assert mine.status == ReferralStatus.RECEIVED
    assert Referral.objects.filter(team=personas.team).count() == 1


def test_non_casework_roles_get_404_even_for_the_list(personas: Personas):
    http = signed_in(personas.report_viewer)
    assert http.get(f"{API}/referrals").status_code == 404
    assert post(http, "/referrals", {"source": "self", "reason": "x", "first_name": "Ann"}).status_code == 404


def test_anonymous_gets_401(personas: Personas):
    mine = referral(personas)
    http = HttpClient()
    assert http.get(f"{API}/referrals").status_code == 401
    assert http.get(f"{API}/referrals/{mine.pk}").status_code == 401
    assert post(http, "/referrals", {}).status_code == 401


def test_receive_a_referral(personas: Personas):
    http = signed_in(personas.you)
    response = post(
        http,
        "/referrals",
        {
            "source": "probation",
            "referrer_name": "Pat Officer",
            "reason": "Released last week; wants help with housing.",
            "first_name": "Dev",
            "urgency": "week",
            "may_leave_voicemail": False,
            "code_word": "kestrel",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received" and body["team"]["id"] == str(personas.team.pk)
    assert body["code_word"] == "kestrel" and body["received_by"]["id"] == str(personas.you.pk)
    assert Referral.objects.get(pk=body["id"]).referrer_name == "Pat Officer"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source": "probation", "reason": "x", "first_name": "Dev"}, "referrer_name"),
        ({"source": "self", "reason": " ", "first_name": "Dev"}, "reason"),
        ({"source": "aliens", "reason": "x", "first_name": "Dev"}, "source"),
        ({"source": "self", "reason": "x", "first_name": "Dev", "gender": "x"}, "gender"),
        ({"source": "self", "reason": "x", "first_name": "Dev", "received_at": "2026-01-01T10:00:00"}, "received_at"),
        ({"source": "self", "reason": "x", "first_name": "Dev", "surprise": 1}, "surprise"),
    ],
)
def test_bad_referrals_are_422_and_change_nothing(personas: Personas, body: dict[str, Any], field: str):
    response = post(signed_in(personas.you), "/referrals", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Referral.objects.exists()


def test_move_a_referral_on(personas: Personas):
    mine = referral(personas)
    http = signed_in(personas.teammate)
    response = post(
        http,
        f"/referrals/{mine.pk}/status",
        {"status": "contact_attempted", "version": mine.version, "note": "No answer"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "contact_attempted" and body["hours_to_first_contact"] is not None
    stale = post(http, f"/referrals/{mine.pk}/status", {"status": "assessed", "version": mine.version})
    assert stale.status_code == 409
    no_reason = post(http, f"/referrals/{mine.pk}/status", {"status": "declined", "version": body["version"]})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    accepted = post(http, f"/referrals/{mine.pk}/status", {"status": "accepted", "version": body["version"]})
    assert accepted.status_code == 422
    declined = post(
        http,
        f"/referrals/{mine.pk}/status",
        {"status": "declined", "version": body["version"], "reason": "Out of area"},
    )
    assert declined.status_code == 200 and declined.json()["status_reason"] == "Out of area"
    assert [s["status"] for s in declined.json()["steps"]] == ["received", "contact_attempted", "declined"]
    closed = post(http, f"/referrals/{mine.pk}/status", {"status": "assessed", "version": declined.json()["version"]})
    assert closed.status_code == 422


def test_a_malformed_id_is_not_found(personas: Personas):
    http = signed_in(personas.you)
    assert http.get(f"{API}/referrals/not-an-id").status_code == 404
    assert post(http, "/referrals/not-an-id/status", {"status": "assessed", "version": 1}).status_code == 404
