"""The courses API by persona: courses for casework roles, a cohort naming only clients in reach, enrolling
with the safety check (422 with warnings, then a reason), attendance and completion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from keyworker.core.testing import CohortFactory, CourseFactory, CourseSessionFactory, Personas, VenueFactory
from keyworker.safeguarding.models import KeepApart
from keyworker.services.models import Enrolment, SessionAttendance
from keyworker.services.services import courses as services

pytestmark = pytest.mark.django_db


def _api(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _post(http: HttpClient, path: str, body: dict):
    return http.post(path, body, content_type="application/json")


def test_course_api_by_persona(personas: Personas):
    cohort = CohortFactory(capacity=3, course=CourseFactory(title="Barbering", qualification="Level 2"))
    theirs = services.enrol(
        actor=personas.other_caseworker, cohort=cohort, client=personas.client_of(personas.other_caseworker)
    )
    courses = _api(personas.you).get("/api/v1/courses").json()
    assert [c["title"] for c in courses] == ["Barbering"]
    assert courses[0]["cohorts"][0]["places_left"] == 2 and courses[0]["provider"] is None
    assert _api(personas.report_viewer).get("/api/v1/courses").json() == []
    assert _api(personas.report_viewer).get(f"/api/v1/cohorts/{cohort.pk}").status_code == 404
    assert HttpClient().get("/api/v1/courses").status_code == 401

    http = _api(personas.you)
    # someone else's enrolment is not found; their client in a body names no one
    assert _post(http, f"/api/v1/enrolments/{theirs.pk}/complete", {"version": theirs.version}).status_code == 404
    response = _post(http, f"/api/v1/cohorts/{cohort.pk}/enrolments", {"client_id": str(theirs.client_id)})
    assert response.status_code == 422 and str(theirs.client_id) not in response.content.decode()
    assert Enrolment.objects.count() == 1

    mine = personas.client_of(personas.you)
    response = _post(http, f"/api/v1/cohorts/{cohort.pk}/enrolments", {"client_id": str(mine.pk)})
    assert response.status_code == 201
    enrolment = response.json()
    assert (enrolment["status"], enrolment["client"]["id"]) == ("enrolled", str(mine.pk))

    session = CourseSessionFactory(cohort=cohort, starts_at=timezone.now() - dt.timedelta(hours=1))
    cohort.starts_on = timezone.localdate() - dt.timedelta(days=1)
    cohort.save()
    path = f"/api/v1/enrolments/{enrolment['id']}/attendance"
    response = _post(http, path, {"session_id": str(session.pk), "status": "attended"})
    assert response.status_code == 200 and response.json()["status"] == "attended"
    assert _post(http, path, {"session_id": str(session.pk), "status": "late"}).status_code == 409
    assert _post(http, path, {"session_id": str(session.pk), "status": "late", "version": 1}).json()["status"] == "late"
    assert _post(http, path, {"session_id": str(CourseSessionFactory().pk), "status": "late"}).status_code == 422
    assert SessionAttendance.objects.count() == 1

    path = f"/api/v1/enrolments/{enrolment['id']}/complete"
    assert _post(http, path, {"version": 99}).status_code == 409
    response = _post(http, path, {"version": enrolment["version"]})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["qualification_gained"]) == ("completed", "Level 2")


def test_cohort_api_names_only_visible_clients(personas: Personas):
    cohort = CohortFactory(capacity=1)
    theirs = personas.client_of(personas.other_caseworker, first_name="Dwayne", last_name="Southerly")
    services.enrol(actor=personas.other_caseworker, cohort=cohort, client=theirs)
    mine = personas.client_of(personas.you)
    services.enrol(actor=personas.you, cohort=cohort, client=mine)
    response = _api(personas.you).get(f"/api/v1/cohorts/{cohort.pk}")
    body = response.json()
    assert body["enrolments"] == [] and body["others_on_course"] == 1
    assert [w["enrolment"]["client"]["id"] for w in body["waiting_list"]] == [str(mine.pk)]
    assert "Dwayne" not in response.content.decode() and str(theirs.pk) not in response.content.decode()


def test_enrolling_refused_by_the_safety_check_then_a_reason(personas: Personas):
    cohort = CohortFactory(venue=VenueFactory(postcode="N1 1AA", borough="Islington"))
    theirs = personas.client_of(personas.other_caseworker, first_name="Dwayne", last_name="Southerly")
    services.enrol(actor=personas.other_caseworker, cohort=cohort, client=theirs)
    mine = personas.client_of(personas.you, first_name="Marcus")
    first, second = sorted((mine, theirs), key=lambda c: c.pk)
    KeepApart.objects.create(
        client_a=first, client_b=second, reason="Rival estates", source="Police", recorded_by=personas.other_manager
    )
    http = _api(personas.you)
    path = f"/api/v1/cohorts/{cohort.pk}/enrolments"
    response = _post(http, path, {"client_id": str(mine.pk)})
    assert response.status_code == 422
    body = response.json()
    assert body["warnings"] and "safety_override_reason" in body["errors"]
    assert "Dwayne" not in response.content.decode() and "Rival" not in response.content.decode()
    assert not Enrolment.objects.filter(client=mine).exists()

    response = _post(http, path, {"client_id": str(mine.pk), "safety_override_reason": "Manager agreed"})
    assert response.status_code == 201 and response.json()["safety_override_reason"] == "Manager agreed"
