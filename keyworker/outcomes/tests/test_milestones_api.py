"""The milestones API by persona: milestones with the reoffending measure, jobs and homes with their checks,
proven offences; computed kinds refused by hand; bad input changes nothing; bounded queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import MilestoneFactory, Personas, SpellFactory, signed_in
from keyworker.outcomes.models import Milestone, ProvenOffence, Spell, SpellCheck
from keyworker.outcomes.rules.milestones import add_months

pytestmark = pytest.mark.django_db

ALLOWED = {"you", "teammate", "manager"}


def _post(http, url: str, body: dict):
    return http.post(url, json.dumps(body), content_type="application/json")


def _everyone(personas: Personas):
    return {**personas.everyone(), "peer_mentor": personas.peer_mentor}


def test_reads_by_persona(personas: Personas):
    client = personas.client_of(personas.you, last_name="Apimarker")
    MilestoneFactory(client=client, recorded_by=personas.you)
    SpellFactory(client=client, recorded_by=personas.you)
    for name, user in _everyone(personas).items():
        http = signed_in(user)
        for what in ("milestones", "spells", "proven-offences"):
            response = http.get(f"/api/v1/clients/{client.pk}/{what}")
            assert response.status_code == (200 if name in ALLOWED else 404), (name, what)
            if name not in ALLOWED:
                assert "Apimarker" not in response.content.decode()
    views = AuditEvent.objects.filter(client_id=client.pk, action=AuditAction.VIEW, actor=personas.you)
    assert views.count() == 3


def test_milestones_and_the_measure(personas: Personas):
    client = personas.client_of(personas.you)
    start = add_months(timezone.localdate(), -3)
    client.cases.update(opened_on=start)
    MilestoneFactory(client=client, recorded_by=personas.you, achieved_on=start)
    newer = MilestoneFactory(client=client, recorded_by=personas.you, kind="drug_free", evidence_kind="test")
    data = signed_in(personas.you).get(f"/api/v1/clients/{client.pk}/milestones").json()
    assert data["milestones"][0]["id"] == str(newer.pk)
    assert data["milestones"][0]["recorded_by"]["display_name"] == personas.you.display_name
    assert data["reoffending"]["status"] == "not_yet_measurable"
    assert data["reoffending"]["on"] == add_months(start, 18).isoformat()


def test_record_by_hand_and_computed_kinds_refused(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    url = f"/api/v1/clients/{client.pk}/milestones"
    today = timezone.localdate().isoformat()
    refused = _post(
        http, url, {"kind": "housing_6", "achieved_on": today, "evidence_kind": "document", "evidence": "Tenancy"}
    )
    assert refused.status_code == 422 and "kind" in refused.json()["errors"]
    assert not Milestone.objects.exists()
    created = _post(
        http,
        url,
        {
            "kind": "drug_free",
            "achieved_on": today,
            "evidence_kind": "self_report",
            "evidence": "Says he has been clean since March.",
        },
    )
    assert created.status_code == 201 and created.json()["evidence_kind"] == "self_report"
    assert Milestone.objects.get().recorded_by == personas.you


def test_spells_checks_and_end(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    start = add_months(timezone.localdate(), -7)
    created = _post(
        http,
        f"/api/v1/clients/{client.pk}/spells",
        {"kind": "accommodation", "description": "Supported housing", "started_on": start.isoformat()},
    )
    assert created.status_code == 201
    spell_id = created.json()["id"]
    check = _post(
        http,
        f"/api/v1/spells/{spell_id}/checks",
        {
            "checked_on": add_months(start, 6).isoformat(),
            "still_going": True,
            "evidence_kind": "third_party",
            "note": "Landlord confirmed",
        },
    )
    assert check.status_code == 201
    spells = http.get(f"/api/v1/clients/{client.pk}/spells").json()
    assert [r["milestone"] for r in spells[0]["reached"]] == [
        "Accommodation sustained 3 months",
        "Accommodation sustained 6 months",
    ]
    assert spells[0]["checks"][0]["note"] == "Landlord confirmed"
    assert set(Milestone.objects.values_list("kind", flat=True)) == {"housing_3", "housing_6"}
    version = Spell.objects.get().version
    stale = _post(
        http, f"/api/v1/spells/{spell_id}/end", {"ended_on": timezone.localdate().isoformat(), "version": version + 1}
    )
    assert stale.status_code == 409
    ended = _post(
        http, f"/api/v1/spells/{spell_id}/end", {"ended_on": timezone.localdate().isoformat(), "version": version}
    )
    assert ended.status_code == 200 and ended.json()["ended_on"] == timezone.localdate().isoformat()


def test_spell_operations_follow_the_client(personas: Personas):
    client = personas.client_of(personas.you, last_name="Spellapi")
    spell = SpellFactory(client=client, recorded_by=personas.you)
    for name, user in _everyone(personas).items():
        http = signed_in(user)
        check = _post(
            http,
            f"/api/v1/spells/{spell.pk}/checks",
            {"checked_on": "2999-01-01", "still_going": True, "evidence_kind": "document"},
        )
        end = _post(http, f"/api/v1/spells/{spell.pk}/end", {"ended_on": "2999-01-01", "version": spell.version})
        expected = 422 if name in ALLOWED else 404
        assert (check.status_code, end.status_code) == (expected, expected), name
        assert "Spellapi" not in check.content.decode() + end.content.decode()
    assert not SpellCheck.objects.exists()
    spell.refresh_from_db()
    assert spell.ended_on is None
    assert (
        _post(
            signed_in(personas.you), "/api/v1/spells/not-an-id/end", {"ended_on": "2026-01-01", "version": 1}
        ).status_code
        == 404
    )


def test_proven_offences(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    url = f"/api/v1/clients/{client.pk}/proven-offences"
    today = timezone.localdate()
    bad = _post(
        http,
        url,
        {
            "offence_on": today.isoformat(),
            "proven_on": (today - dt.timedelta(days=2)).isoformat(),
            "description": "Theft",
            "source": "Court",
        },
    )
    assert bad.status_code == 422 and not ProvenOffence.objects.exists()
    good = _post(
        http,
        url,
        {"offence_on": today.isoformat(), "proven_on": today.isoformat(), "description": "Theft", "source": "Court"},
    )
    assert good.status_code == 201
    assert [o["description"] for o in http.get(url).json()] == ["Theft"]


def test_spell_list_queries_are_bounded(personas: Personas, django_assert_max_num_queries):
    client = personas.client_of(personas.you)
    for i in range(8):
        spell = SpellFactory(client=client, recorded_by=personas.you, description=f"Job {i}")
        SpellCheck.objects.create(
            spell=spell,
            checked_on=timezone.localdate(),
            still_going=True,
            evidence_kind="document",
            checked_by=personas.teammate,
        )
        MilestoneFactory(client=client, recorded_by=personas.teammate)
    http = signed_in(personas.you)
    with django_assert_max_num_queries(20):
        assert len(http.get(f"/api/v1/clients/{client.pk}/spells").json()) == 8
    with django_assert_max_num_queries(20):
        assert len(http.get(f"/api/v1/clients/{client.pk}/milestones").json()["milestones"]) == 8
