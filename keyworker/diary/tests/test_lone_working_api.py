"""The lone-working API (/api/v1/lone-working/...): a phone app checks in, checks out, extends and sends an
alert, under the same rules as the pages: someone else's visit is 404, bad input is 422 and saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import AppointmentFactory, Personas, signed_in
from keyworker.diary.models import LoneWorkingStatus, LoneWorkingVisit

pytestmark = pytest.mark.django_db
API = "/api/v1/lone-working/visits"
ADDRESS = "Flat 3, 12 Example Road, London SE5 0AA"


def _post(http: HttpClient, url: str, body: dict | None = None):
    return http.post(url, body or {}, content_type="application/json")


def _body(personas: Personas, **changes) -> dict:
    return {
        "place": ADDRESS,
        "with_whom": "Dee",
        "expected_end": (timezone.now() + dt.timedelta(hours=1)).isoformat(),
        "buddy_id": str(personas.teammate.pk),
        **changes,
    }


def test_a_visit_from_check_in_to_check_out(personas: Personas):
    dee = personas.client_of(personas.you, first_name="Dee", last_name="Fictional")
    http = signed_in(personas.you)
    assert http.get(f"{API}/current").json() == {"visit": None}

    response = _post(http, API, _body(personas, client_id=str(dee.pk)))
    assert response.status_code == 201, response.content
    visit = response.json()
    assert visit["status"] == "on_visit" and visit["buddy"]["display_name"] == personas.teammate.display_name
    assert visit["client"]["id"] == str(dee.pk) and visit["escalations"] == []
    assert DBTaskResult.objects.count() == 2

    current = http.get(f"{API}/current").json()["visit"]
    assert current["id"] == visit["id"] and current["place"] == ADDRESS
    assert AuditEvent.objects.filter(actor=personas.you, client_id=dee.pk, action=AuditAction.VIEW).exists()

    new_end = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    extended = _post(http, f"{API}/{visit['id']}/extend", {"expected_end": new_end})
    assert extended.status_code == 200 and extended.json()["version"] == 2

    checked_out = _post(http, f"{API}/{visit['id']}/check-out")
    assert checked_out.status_code == 200 and checked_out.json()["status"] == "checked_out"
    assert http.get(f"{API}/current").json() == {"visit": None}


def test_help_raises_every_rung(personas: Personas):
    http = signed_in(personas.you)
    visit_id = _post(http, API, _body(personas)).json()["id"]
    response = _post(http, f"{API}/{visit_id}/help")
    assert response.status_code == 200
    assert {e["level"] for e in response.json()["escalations"]} == {"buddy", "manager", "help"}
    assert response.json()["status"] == "escalated"


def test_start_from_an_appointment(personas: Personas):
    dee = personas.client_of(personas.you)
    appointment = AppointmentFactory(staff=personas.you, client=dee)
    response = _post(signed_in(personas.you), API, _body(personas, appointment_id=str(appointment.pk)))
    assert response.status_code == 201
    assert response.json()["appointment_id"] == str(appointment.pk) and response.json()["client"]["id"] == str(dee.pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expected_end": "past"}, "expected_end"),
        ({"buddy_id": "other_team"}, "buddy_id"),
        ({"buddy_id": "self"}, "buddy_id"),
        ({"buddy_id": "not-an-id"}, "buddy_id"),
        ({"client_id": "theirs"}, "client_id"),
        ({"appointment_id": "theirs"}, "appointment_id"),
        ({"expected_end": "2026-11-27T15:00:00"}, "expected_end"),  # no time zone
    ],
)
def test_bad_input_is_422_and_saves_nothing(personas: Personas, changes, field):
    theirs = personas.client_of(personas.other_caseworker)
    values = {
        "past": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "other_team": str(personas.other_caseworker.pk),
        "self": str(personas.you.pk),
        "theirs": str(theirs.pk) if "client_id" in changes else str(AppointmentFactory(
            staff=personas.other_caseworker, client=theirs).pk),
    }
    response = _post(signed_in(personas.you), API, _body(personas, **{k: values.get(v, v) for k, v in changes.items()}))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert not LoneWorkingVisit.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_someone_elses_visit(personas: Personas):
    visit_id = _post(signed_in(personas.you), API, _body(personas)).json()["id"]
    buddy = signed_in(personas.teammate)
    assert _post(buddy, f"{API}/{visit_id}/check-out").status_code == 403  # the buddy sees it, may not check out
    assert buddy.get(f"{API}/current").json() == {"visit": None}  # not the buddy's own visit
    for stranger in (personas.other_caseworker, personas.other_manager, personas.report_viewer):
        http = signed_in(stranger)
        for action in ("check-out", "help"):
            assert _post(http, f"{API}/{visit_id}/{action}").status_code == 404
        later = (timezone.now() + dt.timedelta(hours=2)).isoformat()
        assert _post(http, f"{API}/{visit_id}/extend", {"expected_end": later}).status_code == 404
    assert _post(signed_in(personas.you), f"{API}/not-an-id/check-out").status_code == 404
    visit = LoneWorkingVisit.objects.get()
    assert visit.status == LoneWorkingStatus.ON_VISIT and visit.version == 1


def test_a_report_viewer_cannot_check_in(personas: Personas):
    response = _post(signed_in(personas.report_viewer), API, _body(personas))
    assert response.status_code == 403
    assert not LoneWorkingVisit.objects.exists()


def test_anonymous_is_401(db):
    http = HttpClient()
    assert http.get(f"{API}/current").status_code == 401
    assert http.post(API, {}, content_type="application/json").status_code == 401
