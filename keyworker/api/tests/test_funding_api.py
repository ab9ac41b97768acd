"""The funding API (read-only): streams for casework roles, the capacity report for a team's managers
only; others get 404, anonymous callers 401. These are the matrix's API_SPECIAL operations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import Personas, UserFactory
from keyworker.funding.models import Funder
from keyworker.funding.services import (
    eligibility_rule_add,
    funding_stream_create,
    unfunded_decide,
    unfunded_request,
)

pytestmark = pytest.mark.django_db


def _stream(p: Personas):
    funder = Funder.objects.create(name="API Test Funder")
    stream = funding_stream_create(
        actor=p.manager,
        funder=funder,
        name="Young Women",
        starts_on=timezone.localdate() - dt.timedelta(days=5),
        places=4,
        targets="20 young women",
    )
    eligibility_rule_add(actor=p.manager, stream=stream, kind="gender", parameters={"genders": ["female"]})
    return stream


def test_streams_for_casework_roles(personas: Personas, login):
    stream = _stream(personas)
    for who in ("you", "teammate", "manager", "other_manager", "other_caseworker"):
        http = login(who)
        listing = http.get("/api/v1/funding/streams")
        assert listing.status_code == 200, who
        [row] = listing.json()
        assert row["name"] == "Young Women" and row["places_left"] == 4 and row["funder"] == "API Test Funder"
        assert row["rules"][0]["kind"] == "gender" and row["rules"][0]["description"]
        one = http.get(f"/api/v1/funding/streams/{stream.pk}")
        assert one.status_code == 200 and one.json()["id"] == str(stream.pk)
        assert http.get("/api/v1/funding/streams/not-an-id").status_code == 404
        assert http.get("/api/v1/funding/streams/00000000-0000-0000-0000-000000000000").status_code == 404
    http = login("report_viewer")
    assert http.get("/api/v1/funding/streams").status_code == 404
    assert http.get(f"/api/v1/funding/streams/{stream.pk}").status_code == 404
    http = login("anonymous")
    assert http.get("/api/v1/funding/streams").status_code == 401
    assert http.get(f"/api/v1/funding/streams/{stream.pk}").status_code == 401
    assert http.get("/api/v1/funding/capacity").status_code == 401


def test_capacity_for_a_teams_managers_only(personas: Personas, login, client):
    p = personas
    _stream(p)
    for i in range(6):
        case = p.client_of(p.you, first_name=f"Api{i}", gender="female", home_area="Lambeth").cases.get()
        work = unfunded_request(actor=p.you, case=case, reason="No stream covers this person.")
        unfunded_decide(actor=p.manager, work=work, approve=True, reason="We take them on: urgent need.")
    response = login("manager").get("/api/v1/funding/capacity")
    assert response.status_code == 200
    body = response.json()
    assert body["team"] == "Team North" and body["suppressed_below"] == 5
    assert body["unfunded"]["people"] == 6 and body["unfunded"]["hours_of_contact"] == "0.0"
    genders = {row["label"]: row for row in body["unfunded"]["by_gender"]}
    assert genders["Female"]["people"] == 6 and genders["Male"]["shown_as"] == "0"
    assert body["streams"][0]["places_used"] == 0 and body["streams"][0]["places"] == 4
    assert "Api0" not in response.content.decode()
    south = login("other_manager").get("/api/v1/funding/capacity").json()
    assert south["team"] == "Team South" and south["unfunded"]["people"] == 0
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=p.manager)
    assert exports.count() == 1 and exports.get().detail["format"] == "api" and exports.get().client_id is None
    for who in ("you", "teammate", "other_caseworker", "report_viewer"):
        assert login(who).get("/api/v1/funding/capacity").status_code == 404, who
    for role in (Role.ON_CALL, Role.SAFEGUARDING_LEAD, Role.DATA_PROTECTION_OFFICER, Role.ADMINISTRATOR):
        user = UserFactory(email=f"{role}@api.test", role=role, team=p.team)
        client.force_login(user)
        assert client.get("/api/v1/funding/capacity").status_code == 404, role


def test_capacity_period_in_the_query(personas: Personas, login):
    response = login("manager").get("/api/v1/funding/capacity", {"since": "2026-01-01", "until": "2026-06-30"})
    assert response.status_code == 200
    assert response.json()["since"] == "2026-01-01" and response.json()["until"] == "2026-06-30"
    assert login("manager").get("/api/v1/funding/capacity", {"since": "not a date"}).status_code == 422
