"""Stream targets in the API: in every stream's GET output for whoever reads streams; set (POST) and removed
(DELETE) by managers only, anyone else 404, anonymous 401. These are the matrix's API_SPECIAL operations."""

from __future__ import annotations

import pytest

from keyworker.audit.models import AuditEvent
from keyworker.core.testing import FundingStreamFactory, Personas, StreamTargetFactory
from keyworker.funding.models import StreamTarget, TargetMeasure

pytestmark = pytest.mark.django_db

API = "/api/v1/funding/streams"


def _snapshot() -> list[tuple[str, int, str]]:
    return sorted((t.measure, t.target, t.note) for t in StreamTarget.objects.all())


def test_targets_are_in_the_streams_output_for_readers(personas: Personas, login, django_assert_max_num_queries):
    for _ in range(3):
        stream = FundingStreamFactory()
        StreamTargetFactory(stream=stream, measure=TargetMeasure.QUALIFICATION, target=8, note="Level 2")
        StreamTargetFactory(stream=stream, measure=TargetMeasure.REFERRED, target=50)
    for who in ("you", "teammate", "other_caseworker", "manager", "other_manager", "on_call"):
        http = login(who)
        with django_assert_max_num_queries(12):
            listing = http.get(API)
        assert listing.status_code == 200, who
        assert len(listing.json()) == 3
        figures = listing.json()[0]["target_figures"]
        # In the order the measures are listed: referred before the milestones.
        assert [(f["measure"], f["target"], f["note"]) for f in figures] == [
            ("referred", 50, ""),
            ("qualification", 8, "Level 2"),
        ]
        assert figures[1]["measure_label"] == TargetMeasure.QUALIFICATION.label
        one = http.get(f"{API}/{stream.pk}")
        assert one.status_code == 200 and len(one.json()["target_figures"]) == 2
    for who in ("report_viewer", "safeguarding_lead", "data_protection_officer", "peer_mentor"):
        assert login(who).get(f"{API}/{stream.pk}").status_code == 404, who
    assert login("anonymous").get(f"{API}/{stream.pk}").status_code == 401


def test_a_manager_sets_and_removes_a_target(personas: Personas, login):
    stream = FundingStreamFactory()
    http = login("other_manager")  # streams are the organisation's, not a team's
    created = http.post(
        f"{API}/{stream.pk}/targets", {"measure": "engaged", "target": 30}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["measure"] == "engaged" and created.json()["target"] == 30
    changed = http.post(
        f"{API}/{stream.pk}/targets",
        {"measure": "engaged", "target": 35, "note": "Revised"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["id"] == created.json()["id"]
    assert _snapshot() == [("engaged", 35, "Revised")]
    assert http.delete(f"{API}/{stream.pk}/targets/engaged").status_code == 204
    assert not StreamTarget.objects.exists()
    assert http.delete(f"{API}/{stream.pk}/targets/engaged").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"measure": "engaged", "target": -1},
        {"measure": "engaged", "target": "ten"},
        {"measure": "engaged", "target": 2.5},
        {"measure": "unknown", "target": 3},
        {"measure": "engaged"},
        {"measure": "engaged", "target": 3, "colour": "red"},
        {"measure": "engaged", "target": 3, "note": "n" * 201},
    ],
)
def test_bad_input_is_422_and_changes_nothing(personas: Personas, login, body):
    stream = FundingStreamFactory()
    StreamTargetFactory(stream=stream, measure=TargetMeasure.ENGAGED, target=10)
    http = login("manager")
    before, events = _snapshot(), AuditEvent.objects.count()
    response = http.post(f"{API}/{stream.pk}/targets", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert _snapshot() == before and AuditEvent.objects.count() == events


def test_anyone_but_a_manager_gets_404(personas: Personas, login):
    stream = FundingStreamFactory()
    StreamTargetFactory(stream=stream, measure=TargetMeasure.ENGAGED, target=10)
    for who in (
        "you",
        "teammate",
        "other_caseworker",
        "on_call",
        "report_viewer",
        "safeguarding_lead",
        "data_protection_officer",
        "peer_mentor",
    ):
        http = login(who)
        post = http.post(
            f"{API}/{stream.pk}/targets", {"measure": "engaged", "target": 1}, content_type="application/json"
        )
        assert post.status_code == 404, who
        assert http.delete(f"{API}/{stream.pk}/targets/engaged").status_code == 404, who
    anonymous = login("anonymous")
    assert anonymous.post(f"{API}/{stream.pk}/targets", {}, content_type="application/json").status_code == 401
    assert anonymous.delete(f"{API}/{stream.pk}/targets/engaged").status_code == 401
    assert _snapshot() == [("engaged", 10, "")]


def test_an_unknown_stream_is_404(personas: Personas, login):
    http = login("manager")
    missing = "00000000-0000-0000-0000-000000000000"
    body = {"measure": "engaged", "target": 1}
    assert http.post(f"{API}/{missing}/targets", body, content_type="application/json").status_code == 404
    assert http.post(f"{API}/not-an-id/targets", body, content_type="application/json").status_code == 404
    assert http.delete(f"{API}/{missing}/targets/engaged").status_code == 404
