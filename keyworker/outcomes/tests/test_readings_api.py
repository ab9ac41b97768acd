"""The outcome readings API by persona: the scales (no personal data, casework roles), a client's readings (list
and take one) and distance travelled, each in reach exactly when the client is; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import OutcomeReadingFactory, Personas, signed_in
from keyworker.outcomes.models import OutcomeReading, OutcomeScale, ReadingScore
from keyworker.outcomes.scale_default import DEFAULT_SCALE_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_scale() -> None:
    # A transactional test elsewhere may have flushed the seeded scale.
    importlib.import_module("keyworker.outcomes.migrations.0003_seed_default_scale").seed(apps, None)


ALLOWED = {"you", "teammate", "manager"}


def _post(http, url: str, body: dict):
    return http.post(url, json.dumps(body), content_type="application/json")


def test_scales_api_by_persona(personas: Personas):
    for name, user in {**personas.everyone(), "peer_mentor": personas.peer_mentor}.items():
        response = signed_in(user).get("/api/v1/outcome-scales")
        if name in {"you", "teammate", "manager", "other_caseworker", "other_manager", "on_call"}:
            assert response.status_code == 200, name
            scales = response.json()
            default = next(s for s in scales if s["name"] == DEFAULT_SCALE_NAME)
            assert default["reading_interval_days"] == 91 and len(default["domains"]) == 9
            accommodation = next(d for d in default["domains"] if d["key"] == "accommodation")
            assert [s["value"] for s in accommodation["steps"]] == [1, 2, 3, 4, 5]
            assert accommodation["steps"][0]["label"] == "No safe place to stay"
        else:
            assert response.status_code == 404, name


def test_readings_and_distance_by_persona(personas: Personas):
    client = personas.client_of(personas.you, first_name="Api", last_name="Fictional")
    for name, user in {**personas.everyone(), "peer_mentor": personas.peer_mentor}.items():
        http = signed_in(user)
        before = OutcomeReading.objects.count()
        created = _post(
            http,
            f"/api/v1/clients/{client.pk}/outcome-readings",
            {"scores": {"identity": {"client": 2, "worker": 3}}, "note": f"By {name}"},
        )
        listed = http.get(f"/api/v1/clients/{client.pk}/outcome-readings")
        distance = http.get(f"/api/v1/clients/{client.pk}/distance-travelled")
        if name in ALLOWED:
            assert created.status_code == 201, (name, created.content)
            body = created.json()
            assert body["scores"] == [{"domain": "identity", "client_value": 2, "worker_value": 3}]
            assert body["taken_on"] == timezone.localdate().isoformat()
            assert listed.status_code == 200 and distance.status_code == 200
        else:
            for response in (created, listed, distance):
                assert response.status_code == 404, name
                assert "Fictional" not in response.content.decode()
            assert OutcomeReading.objects.count() == before


def test_distance_travelled_gives_each_view_first_latest_and_change(personas: Personas):
    client = personas.client_of(personas.you)
    scale = OutcomeScale.objects.get(name=DEFAULT_SCALE_NAME)
    safety = scale.domains.get(key="safety")
    for days_ago, (c, w) in ((200, (1, 2)), (100, (None, 4)), (3, (4, 3))):
        r = OutcomeReadingFactory(
            client=client, taken_by=personas.you, taken_on=timezone.localdate() - dt.timedelta(days=days_ago)
        )
        ReadingScore.objects.create(reading=r, domain=safety, client_value=c, worker_value=w)
    http = signed_in(personas.you)
    views = AuditEvent.objects.filter(actor=personas.you, client_id=client.pk, action=AuditAction.VIEW).count()
    body = http.get(f"/api/v1/clients/{client.pk}/distance-travelled").json()
    assert AuditEvent.objects.filter(actor=personas.you, client_id=client.pk, action=AuditAction.VIEW).count() > views
    row = next(d for d in body["domains"] if d["key"] == "safety")
    assert (row["client"]["first"], row["client"]["latest"], row["client"]["change"], row["client"]["readings"]) == (
        1,
        4,
        3,
        2,
    )
    assert (row["worker"]["first"], row["worker"]["latest"], row["worker"]["change"]) == (2, 3, 1)
    assert next(d for d in body["domains"] if d["key"] == "health") == {
        "key": "health",
        "name": "Health",
        "client": None,
        "worker": None,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scores": {"identity": {"client": 6}}}, "client_identity"),
        ({"scores": {}}, "scores"),
        ({"scores": {"nope": {"client": 1}}}, "scores"),
        ({"scores": {"identity": {"client": 2}}, "taken_on": "2999-01-01"}, "taken_on"),
        ({"scores": {"identity": {"client": 2}}, "scale_id": "00000000-0000-0000-0000-000000000000"}, "scale_id"),
        ({"scores": {"identity": {"client": 2}}, "scale_id": "not-an-id"}, "scale_id"),
    ],
)
def test_bad_readings_get_422_and_change_nothing(personas: Personas, body, field):
    client = personas.client_of(personas.you)
    before = (OutcomeReading.objects.count(), ReadingScore.objects.count())
    response = _post(signed_in(personas.you), f"/api/v1/clients/{client.pk}/outcome-readings", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert (OutcomeReading.objects.count(), ReadingScore.objects.count()) == before


def test_listing_readings_is_bounded(personas: Personas, django_assert_max_num_queries):
    client = personas.client_of(personas.you)
    scale = OutcomeScale.objects.get(name=DEFAULT_SCALE_NAME)
    domains = list(scale.domains.all())
    for i in range(10):
        r = OutcomeReadingFactory(
            client=client, taken_by=personas.you, taken_on=timezone.localdate() - dt.timedelta(days=10 * i)
        )
        for d in domains:
            ReadingScore.objects.create(reading=r, domain=d, client_value=i % 5 + 1, worker_value=3)
    http = signed_in(personas.you)
    with django_assert_max_num_queries(10):
        response = http.get(f"/api/v1/clients/{client.pk}/outcome-readings")
    assert response.status_code == 200 and len(response.json()) == 10
    assert all(len(r["scores"]) == 9 for r in response.json())
