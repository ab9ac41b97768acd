"""The on-call line's JSON API by persona: the rota, logging a crisis call, a call, the morning handover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Task
from keyworker.core.testing import CrisisCallFactory, OnCallShiftFactory, Personas, signed_in
from keyworker.safeguarding.models import CrisisCall, SharingDecision
from keyworker.safeguarding.rules import LONDON
from keyworker.safeguarding.services import RISK_REVIEW_TASK_TITLE, break_glass_open

pytestmark = pytest.mark.django_db

API = "/api/v1"
SATURDAY_0010 = dt.datetime(2026, 11, 28, 0, 10, tzinfo=LONDON)
MONDAY_0905 = dt.datetime(2026, 11, 30, 9, 5, tzinfo=LONDON)
REASON = "Crisis call: friends assaulted someone, he was there and feels trapped."
BODY = {
    "received_at": "2026-11-28T00:05:00Z",
    "caller": "the client",
    "what_happened": "His friends have just assaulted someone; he was there, did nothing, and feels trapped.",
    "advice_given": "Go to his aunt's tonight and do not answer the group's calls.",
    "shared": False,
    "sharing_reasons": "He did not take part and no one is at immediate risk tonight.",
    "follow_up": "Call him first thing about moving out of the area",
}


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(SATURDAY_0010.astimezone(dt.UTC), tick=False) as traveller:
        yield traveller


def test_rota_api_by_persona(personas: Personas, clock: Any):
    tonight = dt.datetime(2026, 11, 28, 17, 30, tzinfo=LONDON)
    shift = OnCallShiftFactory(worker=personas.on_call, starts_at=tonight, ends_at=tonight + dt.timedelta(hours=15))
    for name, user in personas.everyone().items():
        response = signed_in(user).get(f"{API}/on-call/rota")
        if name == "report_viewer":
            assert response.status_code == 404
            continue
        assert response.status_code == 200, name
        assert [row["id"] for row in response.json()] == [str(shift.pk)]
        assert response.json()[0]["worker"]["display_name"] == "Oli Oncall"
    later = signed_in(personas.you).get(f"{API}/on-call/rota", {"start": "2026-12-05", "days": 3}).json()
    assert later == []
    assert signed_in(personas.you).get(f"{API}/on-call/rota", {"days": 0}).status_code == 422
    assert HttpClient().get(f"{API}/on-call/rota").status_code == 401


def test_logging_a_call_through_the_api(personas: Personas, clock: Any):
    client = personas.client_of(personas.you)
    response = signed_in(personas.teammate).post(
        f"{API}/clients/{client.pk}/crisis-calls", BODY, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client"]["id"] == str(client.pk) and body["break_glass"] is False
    assert body["sharing_decisions"][0]["shared"] is False
    assert sorted(t["title"] for t in body["tasks_raised"]) == sorted([str(BODY["follow_up"]), RISK_REVIEW_TASK_TITLE])
    assert {t["owner"]["display_name"] for t in body["tasks_raised"]} == {"Jo Caseworker"}
    assert {t["due_on"] for t in body["tasks_raised"]} == {"2026-11-30"}


def test_bad_calls_through_the_api_change_nothing(personas: Personas, clock: Any):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    url = f"{API}/clients/{client.pk}/crisis-calls"
    response = http.post(url, {**BODY, "shared": True}, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) >= {"shared_with", "lawful_basis"}
    assert http.post(url, {**BODY, "sharing_reasons": ""}, content_type="application/json").status_code == 422
    assert http.post(url, {**BODY, "colour": "red"}, content_type="application/json").status_code == 422
    assert (
        http.post(url, {**BODY, "received_at": "2026-11-28T00:05"}, content_type="application/json").status_code == 422
    )
    assert not CrisisCall.objects.exists() and not Task.objects.exists() and not SharingDecision.objects.exists()


def test_crisis_call_api_by_persona(personas: Personas, clock: Any):
    client = personas.client_of(personas.you)
    break_glass_open(actor=personas.on_call, client_id=client.pk, reason=REASON)
    created = signed_in(personas.on_call).post(
        f"{API}/clients/{client.pk}/crisis-calls", BODY, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["break_glass"] is True
    call_id = created.json()["id"]
    may = {"you", "teammate", "manager", "on_call"}
    for name, user in personas.everyone().items():
        response = signed_in(user).get(f"{API}/crisis-calls/{call_id}")
        assert response.status_code == (200 if name in may else 404), name
        if name not in may:
            assert "trapped" not in response.content.decode()
    assert signed_in(personas.you).get(f"{API}/crisis-calls/not-an-id").status_code == 404
    assert AuditEvent.objects.filter(
        actor=personas.manager, action=AuditAction.VIEW, client_id=client.pk, object_id=call_id
    ).exists()
    # Others cannot log one about a client they cannot see: 404, nothing written.
    for name in ("other_caseworker", "other_manager", "report_viewer", "safeguarding_lead"):
        response = signed_in(personas.everyone()[name]).post(
            f"{API}/clients/{client.pk}/crisis-calls", BODY, content_type="application/json"
        )
        assert response.status_code == 404, name
    assert CrisisCall.objects.count() == 1

    clock.move_to(MONDAY_0905.astimezone(dt.UTC))  # the grant has expired; the call stays the taker's
    assert signed_in(personas.on_call).get(f"{API}/crisis-calls/{call_id}").status_code == 200


def test_handover_api_by_persona(personas: Personas):
    mine = personas.client_of(personas.you)
    theirs = personas.client_of(personas.other_caseworker)
    last_night = CrisisCallFactory(client=mine, received_at=dt.datetime(2026, 11, 28, 23, 0, tzinfo=LONDON))
    CrisisCallFactory(client=mine, received_at=dt.datetime(2026, 11, 27, 16, 0, tzinfo=LONDON))
    other = CrisisCallFactory(client=theirs, received_at=dt.datetime(2026, 11, 29, 2, 0, tzinfo=LONDON))
    with time_machine.travel(MONDAY_0905.astimezone(dt.UTC), tick=False):
        expected = {
            "you": [str(last_night.pk)],
            "teammate": [str(last_night.pk)],
            "manager": [str(last_night.pk)],
            "other_caseworker": [str(other.pk)],
            "other_manager": [str(other.pk)],
            "on_call": [],
        }
        for name, user in personas.everyone().items():
            response = signed_in(user).get(f"{API}/on-call/handover")
            if name in ("report_viewer", "safeguarding_lead"):
                assert response.status_code == 404, name
                continue
            assert response.status_code == 200, name
            assert [c["id"] for c in response.json()["calls"]] == expected[name], name
        body = signed_in(personas.you).get(f"{API}/on-call/handover", {"morning": "2026-11-30"}).json()
        assert body["morning"] == "2026-11-30" and body["start"].startswith("2026-11-27T17:30")
        assert signed_in(personas.you).get(f"{API}/on-call/handover", {"morning": "2026-11-27"}).json()["calls"] == []
        assert signed_in(personas.you).get(f"{API}/on-call/handover", {"morning": "soon"}).status_code == 422
