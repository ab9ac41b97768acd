"""The peer mentoring API: the path to mentoring, supervisions, relationships, sessions, and a mentor's own view,
by persona."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import MentoringFactory, Personas, signed_in
from keyworker.outcomes.models import Mentoring, MentoringSession, MentorPathway
from keyworker.outcomes.tests.test_mentoring_services import CERTIFICATE, days_ago, ready_mentor, snapshot

pytestmark = pytest.mark.django_db
API = "/api/v1"


def send(http, method: str, url: str, body: dict):
    return http.generic(method, url, json.dumps(body), content_type="application/json")


def test_the_path_to_mentoring_over_the_api(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    url = f"{API}/clients/{client.pk}/mentoring/pathway"
    body = http.get(url).json()
    assert body == {"pathway": None, "readiness": None, "supervisions": []}

    before = snapshot()
    response = send(http, "PUT", url, {"version": None, "interest_on": "2999-01-01"})
    assert response.status_code == 422 and "interest_on" in response.content.decode()
    assert snapshot() == before

    response = send(
        http,
        "PUT",
        url,
        {
            "version": None,
            "interest_on": days_ago(50).isoformat(),
            "training_completed_on": days_ago(10).isoformat(),
            "dbs_checked_on": days_ago(5).isoformat(),
            "dbs_certificate": CERTIFICATE,
        },
    )
    assert response.status_code == 200, response.content
    version = response.json()["version"]
    body = http.get(url).json()
    assert body["readiness"]["ready"] is False and body["readiness"]["missing"] == ["a supervisor named"]

    response = send(
        http,
        "PUT",
        url,
        {
            "version": version,
            "interest_on": days_ago(50).isoformat(),
            "training_completed_on": days_ago(10).isoformat(),
            "dbs_checked_on": days_ago(5).isoformat(),
            "dbs_certificate": CERTIFICATE,
            "supervisor_id": str(personas.teammate.pk),
        },
    )
    assert response.status_code == 200
    assert response.json()["supervisor"]["display_name"] == "Kim Teammate"
    stale = send(http, "PUT", url, {"version": version, "interest_on": days_ago(50).isoformat()})
    assert stale.status_code == 409

    outsider = send(
        http,
        "PUT",
        url,
        {
            "version": version + 1,
            "interest_on": days_ago(50).isoformat(),
            "supervisor_id": str(personas.other_caseworker.pk),
        },
    )
    assert outsider.status_code == 422  # only supervisors from the recorder's own team can be named

    response = send(http, "POST", f"{url}/supervisions", {"held_on": days_ago(1).isoformat(), "note": "Good start."})
    assert response.status_code == 201
    assert response.json()["supervisor"]["display_name"] == "Kim Teammate"
    body = http.get(url).json()
    assert body["readiness"]["ready"] is True and body["readiness"]["supervision_due"] is False
    assert [s["note"] for s in body["supervisions"]] == ["Good start."]


def test_relationships_and_sessions_over_the_api(personas: Personas):
    mentor_client, _, account = ready_mentor(personas)
    mentee = personas.client_of(personas.you, first_name="Tyrell")
    http = signed_in(personas.you)
    url = f"{API}/clients/{mentee.pk}/mentoring/relationships"
    assert send(http, "POST", url, {"mentor_id": str(personas.teammate.pk)}).status_code == 422
    response = send(http, "POST", url, {"mentor_id": str(account.pk)})
    assert response.status_code == 201
    mentoring_id = response.json()["id"]

    sessions = f"{API}/mentoring/{mentoring_id}/sessions"
    before = snapshot()
    bad = send(http, "POST", sessions, {"held_on": days_ago(1).isoformat(), "duration_minutes": 0})
    assert bad.status_code == 422 and snapshot() == before
    mentor_http = signed_in(account)
    response = send(
        mentor_http,
        "POST",
        sessions,
        {"held_on": timezone.localdate().isoformat(), "duration_minutes": 40, "note": "Gym."},
    )
    assert response.status_code == 201 and response.json()["note"] == "Gym."

    body = http.get(url).json()
    assert body["as_mentor"] == []
    (row,) = body["as_mentee"]
    assert (row["mentor"]["display_name"], row["session_count"]) == ("Marcus Reid", 1)
    mentor_side = http.get(f"{API}/clients/{mentor_client.pk}/mentoring/relationships").json()
    assert [r["mentee"]["display_name"] for r in mentor_side["as_mentor"]] == [mentee.display_name]
    assert AuditEvent.objects.filter(actor=personas.you, client_id=mentee.pk, action=AuditAction.VIEW).exists()

    mentoring = Mentoring.objects.get(pk=mentoring_id)
    assert (
        send(mentor_http, "POST", f"{API}/mentoring/{mentoring_id}/end", {"version": mentoring.version}).status_code
        == 404
    )
    response = send(http, "POST", f"{API}/mentoring/{mentoring_id}/end", {"version": mentoring.version})
    assert response.status_code == 200 and response.json()["ended_on"] == timezone.localdate().isoformat()
    # Ended: the mentor no longer finds it.
    again = send(mentor_http, "POST", sessions, {"held_on": timezone.localdate().isoformat(), "duration_minutes": 40})
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("persona", "reach"),
    [
        ("you", "staff"),
        ("teammate", "staff"),
        ("manager", "staff"),
        ("other_caseworker", None),
        ("other_manager", None),
        ("report_viewer", None),
        ("safeguarding_lead", None),
        ("on_call", None),
        ("peer_mentor", "mentor"),
        ("other_mentor", None),
    ],
)
def test_relationship_operations_by_persona(personas: Personas, persona: str, reach: str | None):
    _, _, other_mentor = ready_mentor(personas, first_name="Other", last_name="Mentor")
    mentee = personas.client_of(personas.you, first_name="Tyrell", last_name="Marker")
    mentoring = MentoringFactory(mentor=personas.peer_mentor, mentee=mentee, started_on=days_ago(30))
    actor = other_mentor if persona == "other_mentor" else getattr(personas, persona)
    http = signed_in(actor)
    session = send(
        http,
        "POST",
        f"{API}/mentoring/{mentoring.pk}/sessions",
        {"held_on": days_ago(1).isoformat(), "duration_minutes": 30, "note": "Talked."},
    )
    end = send(http, "POST", f"{API}/mentoring/{mentoring.pk}/end", {"version": mentoring.version})
    if reach is None:
        assert (session.status_code, end.status_code) == (404, 404)
        assert "Marker" not in session.content.decode() + end.content.decode()
        assert not MentoringSession.objects.exists()
    elif reach == "mentor":
        assert (session.status_code, end.status_code) == (201, 404)  # a mentor records, never ends
    else:
        assert (session.status_code, end.status_code) == (201, 200)
    # the client-addressed operations: casework staff in reach only (the matrix checks every role and state)
    pathway = http.get(f"{API}/clients/{mentee.pk}/mentoring/pathway")
    assert pathway.status_code == (200 if reach == "staff" else 404)


@pytest.mark.parametrize(
    "persona", ["you", "manager", "other_caseworker", "report_viewer", "safeguarding_lead", "on_call", "peer_mentor"]
)
def test_mine_by_persona(personas: Personas, persona: str):
    mentee = personas.client_of(personas.you, first_name="Tyrell", last_name="Surnamehidden", code_word="kestrel")
    mentoring = MentoringFactory(mentor=personas.peer_mentor, mentee=mentee, started_on=days_ago(30))
    MentoringSession.objects.create(
        mentoring=mentoring, held_on=days_ago(2), duration_minutes=30, note="Mine.", recorded_by=personas.peer_mentor
    )
    MentoringSession.objects.create(
        mentoring=mentoring, held_on=days_ago(3), duration_minutes=30, note="Keyworker's.", recorded_by=personas.you
    )
    response = signed_in(getattr(personas, persona)).get(f"{API}/mentoring/mine")
    if persona != "peer_mentor":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    (card,) = response.json()
    assert set(card) == {
        "mentoring_id",
        "first_name",
        "may_phone",
        "may_text",
        "may_leave_voicemail",
        "may_write",
        "code_word",
        "next_session",
        "sessions",
    }
    assert (card["first_name"], card["code_word"]) == ("Tyrell", "kestrel")
    assert [s["note"] for s in card["sessions"]] == ["Mine."]
    assert "Surnamehidden" not in response.content.decode()
    assert AuditEvent.objects.filter(actor=personas.peer_mentor, client_id=mentee.pk, action=AuditAction.VIEW).exists()


def test_a_pathway_cannot_be_started_twice_over_the_api(personas: Personas):
    client = personas.client_of(personas.you)
    MentorPathway.objects.create(client=client, interest_on=days_ago(5))
    response = send(
        signed_in(personas.you),
        "PUT",
        f"{API}/clients/{client.pk}/mentoring/pathway",
        {"version": None, "interest_on": days_ago(1).isoformat()},
    )
    assert response.status_code == 409
    assert MentorPathway.objects.get().interest_on == days_ago(5)
