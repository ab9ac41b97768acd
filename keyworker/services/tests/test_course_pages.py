"""Course pages by persona: who gets them, what a cohort shows to whom (never a name the viewer may not see),
enrolling with the safety check from the cohort and from the client, attendance by htmx, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import (
    CohortFactory,
    CourseFactory,
    CourseSessionFactory,
    Personas,
    UserFactory,
    VenueFactory,
)
from keyworker.safeguarding.models import KeepApart
from keyworker.services.models import Cohort, Enrolment, SessionAttendance
from keyworker.services.services import courses as services

pytestmark = pytest.mark.django_db


def _signed_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _keep_apart(one, two, recorded_by) -> None:
    first, second = sorted((one, two), key=lambda c: c.pk)
    KeepApart.objects.create(
        client_a=first, client_b=second, reason="Rival estates", source="Police", recorded_by=recorded_by
    )


def test_course_pages_by_persona(personas: Personas):
    cohort = CohortFactory()
    course, venue = cohort.course, cohort.venue
    urls = [
        reverse("services:course_list"),
        reverse("services:course_new"),
        reverse("services:venue_list"),
        reverse("services:venue_new"),
        reverse("services:course_detail", args=[course.pk]),
        reverse("services:course_edit", args=[course.pk]),
        reverse("services:cohort_new", args=[course.pk]),
        reverse("services:venue_edit", args=[venue.pk]),
        reverse("services:cohort_detail", args=[cohort.pk]),
        reverse("services:session_new", args=[cohort.pk]),
        reverse("services:cohort_enrol", args=[cohort.pk]),
    ]
    on_call = UserFactory(role=Role.ON_CALL, team=None)
    lead = UserFactory(role=Role.SAFEGUARDING_LEAD, team=None)
    for user, allowed in (
        (personas.you, True),
        (personas.other_caseworker, True),
        (personas.manager, True),
        (on_call, True),
        (personas.report_viewer, False),
        (lead, False),
    ):
        http = _signed_in(user)
        for url in urls:
            assert http.get(url).status_code == (200 if allowed else 404), (user.email, url)
    anonymous = HttpClient()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    for url in (
        reverse("services:attendance_record", args=[cohort.pk]),
        reverse("services:cohort_enrol", args=[cohort.pk]),
    ):
        assert _signed_in(personas.report_viewer).post(url, {}).status_code == 404


def test_course_list_shows_places_left(personas: Personas, django_assert_max_num_queries):
    for n in range(4):
        cohort = CohortFactory(capacity=2, course=CourseFactory(title=f"Course {n}"))
        services.enrol(actor=personas.you, cohort=cohort, client=personas.client_of(personas.you))
    CohortFactory(
        course=CourseFactory(title="Long finished"),
        starts_on=timezone.localdate() - dt.timedelta(days=60),
        ends_on=timezone.localdate() - dt.timedelta(days=30),
    )
    http = _signed_in(personas.you)
    with django_assert_max_num_queries(12):
        response = http.get(reverse("services:course_list"))
    body = response.content.decode()
    assert body.count("1 of 2") == 4
    assert "Long finished" in body and "No cohorts coming up." in body


def test_cohort_page_names_only_clients_the_viewer_can_see(personas: Personas):
    cohort = CohortFactory(capacity=2)
    yours = personas.client_of(personas.you, first_name="Marcus", last_name="Northway")
    theirs = personas.client_of(personas.other_caseworker, first_name="Dwayne", last_name="Southerly")
    waiting_theirs = personas.client_of(personas.other_caseworker, first_name="Tyrone", last_name="Southgate")
    waiting_yours = personas.client_of(personas.you, first_name="Jamal", last_name="Northcote")
    services.enrol(actor=personas.you, cohort=cohort, client=yours)
    services.enrol(actor=personas.other_caseworker, cohort=cohort, client=theirs)
    services.enrol(actor=personas.other_caseworker, cohort=cohort, client=waiting_theirs)
    services.enrol(actor=personas.you, cohort=cohort, client=waiting_yours)
    url = reverse("services:cohort_detail", args=[cohort.pk])

    body = _signed_in(personas.you).get(url).content.decode()
    assert "Marcus Northway" in body and "Jamal Northcote" in body
    for hidden in ("Dwayne", "Southerly", "Tyrone", "Southgate", str(theirs.pk), str(waiting_theirs.pk)):
        assert hidden not in body
    assert "1 other person you do not work with." in body
    assert "1 other person you do not work with is waiting." in body
    assert "2. Jamal Northcote" in body  # his place on the list, after the person he cannot see
    viewed = set(
        AuditEvent.objects.filter(actor=personas.you, action=AuditAction.VIEW).values_list("client_id", flat=True)
    )
    assert viewed == {yours.pk, waiting_yours.pk}

    body = _signed_in(personas.other_caseworker).get(url).content.decode()
    assert "Dwayne Southerly" in body and "1. Tyrone Southgate" in body
    assert "Marcus" not in body and "Jamal" not in body

    # A place comes free: the top of the list is named only to someone who can see him.
    enrolment = Enrolment.objects.get(client=theirs)
    services.enrolment_withdraw(
        actor=personas.other_caseworker, enrolment=enrolment, expected_version=enrolment.version
    )
    body = _signed_in(personas.you).get(url).content.decode()
    assert "A place is free" in body and "Someone you do not work with is at the top of the waiting list." in body
    assert "Tyrone" not in body
    body = _signed_in(personas.other_caseworker).get(url).content.decode()
    assert "Tyrone Southgate is at the top of the waiting list." in body


def test_enrol_from_the_cohort_page_with_the_safety_check(personas: Personas):
    cohort = CohortFactory(capacity=5, venue=VenueFactory(postcode="N1 1AA", borough="Islington"))
    theirs = personas.client_of(personas.other_caseworker, first_name="Dwayne", last_name="Southerly")
    services.enrol(actor=personas.other_caseworker, cohort=cohort, client=theirs)
    yours = personas.client_of(personas.you, first_name="Marcus", last_name="Northway")
    _keep_apart(yours, theirs, personas.other_manager)
    http = _signed_in(personas.you)
    url = reverse("services:cohort_enrol", args=[cohort.pk])
    assert "Southerly" not in http.get(url).content.decode()  # not one of the worker's clients to choose

    response = http.post(url, {"client": str(yours.pk)})
    body = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in body and "kept apart from Marcus Northway" in body
    assert "Reason to go ahead" in body and "Dwayne" not in body and "Rival" not in body
    assert not Enrolment.objects.filter(client=yours).exists()

    response = http.post(url, {"client": str(yours.pk), "safety_override_reason": "Separate rooms agreed"})
    assert response.status_code == 302
    assert Enrolment.objects.get(client=yours).safety_override_reason == "Separate rooms agreed"


def test_enrol_from_the_client_page_and_the_waiting_list(personas: Personas):
    cohort = CohortFactory(capacity=1, course=CourseFactory(title="Barbering"))
    services.enrol(actor=personas.teammate, cohort=cohort, client=personas.client_of(personas.teammate))
    yours = personas.client_of(personas.you)
    http = _signed_in(personas.you)
    url = reverse("services:client_courses", args=[yours.pk])
    assert "Barbering" in http.get(url).content.decode()
    response = http.post(url, {"cohort": str(cohort.pk)}, follow=True)
    assert "The cohort is full" in response.content.decode()
    assert Enrolment.objects.get(client=yours).status == "waiting"
    assert "On the waiting list" in http.get(url).content.decode()

    response = http.post(url, {"cohort": str(cohort.pk)})
    assert response.status_code == 422 and "already on this cohort" in response.content.decode()
    response = http.post(url, {"cohort": ""})
    assert response.status_code == 422 and "Choose a cohort." in response.content.decode()
    assert Enrolment.objects.filter(client=yours).count() == 1
    # another team's client has no courses page for you
    assert (
        http.get(
            reverse("services:client_courses", args=[personas.client_of(personas.other_caseworker).pk])
        ).status_code
        == 404
    )


def test_enrolment_actions_follow_the_client(personas: Personas):
    cohort = CohortFactory(capacity=1)
    theirs = services.enrol(
        actor=personas.other_caseworker, cohort=cohort, client=personas.client_of(personas.other_caseworker)
    )
    waiting = services.enrol(actor=personas.you, cohort=cohort, client=personas.client_of(personas.you))
    http = _signed_in(personas.you)
    response = http.post(
        reverse("services:enrolment_action", args=[theirs.pk]), {"action": "withdraw", "version": theirs.version}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "enrolled"

    response = http.post(
        reverse("services:enrolment_action", args=[waiting.pk]),
        {"action": "offer", "version": waiting.version},
        follow=True,
    )
    assert "no free place" in response.content.decode()
    _signed_in(personas.other_caseworker).post(
        reverse("services:enrolment_action", args=[theirs.pk]), {"action": "withdraw", "version": theirs.version}
    )
    response = http.post(
        reverse("services:enrolment_action", args=[waiting.pk]), {"action": "offer", "version": waiting.version}
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "enrolled"


def test_attendance_saved_by_htmx(personas: Personas):
    today = timezone.localdate()
    cohort = CohortFactory(starts_on=today - dt.timedelta(days=3), ends_on=today + dt.timedelta(days=30))
    session = CourseSessionFactory(cohort=cohort, starts_at=timezone.now() - dt.timedelta(hours=2))
    enrolment = services.enrol(
        actor=personas.you, cohort=cohort, client=personas.client_of(personas.you, first_name="Marcus")
    )
    theirs = services.enrol(
        actor=personas.other_caseworker, cohort=cohort, client=personas.client_of(personas.other_caseworker)
    )
    http = _signed_in(personas.you)
    url = reverse("services:attendance_record", args=[cohort.pk])
    page = http.get(reverse("services:cohort_detail", args=[cohort.pk])).content.decode()
    assert f'name="enrolment" value="{enrolment.pk}"' in page and str(theirs.pk) not in page

    data = {"session": str(session.pk), "enrolment": str(enrolment.pk), "status": "late"}
    response = http.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved." in body and "<html" not in body
    mark = SessionAttendance.objects.get()
    assert mark.status == "late"

    response = http.post(url, {**data, "status": "absent"}, HTTP_HX_REQUEST="true")  # no version: stale view
    assert response.status_code == 409
    assert SessionAttendance.objects.get().status == "late"
    response = http.post(url, {**data, "status": "attended", "version": mark.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert SessionAttendance.objects.get().status == "attended"

    response = http.post(url, {**data, "enrolment": str(theirs.pk)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert not SessionAttendance.objects.filter(enrolment=theirs).exists()


def test_set_up_pages_and_bad_input(personas: Personas):
    http = _signed_in(personas.you)
    response = http.post(reverse("services:venue_new"), {"name": "Brixton Works", "postcode": "SW9 8HQ"})
    assert response.status_code == 302
    response = http.post(reverse("services:venue_new"), {"name": "Nowhere"})
    assert response.status_code == 422 and "so the safety check can read it" in response.content.decode()
    response = http.post(reverse("services:course_new"), {"title": "Barbering", "qualification": "Level 2"})
    assert response.status_code == 302
    course = CourseFactory._meta.model.objects.get(title="Barbering")
    venue = VenueFactory()
    cohorts = Cohort.objects.count()
    response = http.post(
        reverse("services:cohort_new", args=[course.pk]),
        {"name": "Spring", "venue": str(venue.pk), "starts_on": "2027-03-10", "ends_on": "2027-03-01", "capacity": "8"},
    )
    assert response.status_code == 422 and "must end on or after" in response.content.decode()
    assert Cohort.objects.count() == cohorts
    response = http.post(
        reverse("services:cohort_new", args=[course.pk]),
        {"name": "Spring", "venue": str(venue.pk), "starts_on": "2027-03-01", "ends_on": "2027-03-10", "capacity": "8"},
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get(name="Spring")
    response = http.post(
        reverse("services:session_new", args=[cohort.pk]),
        {"on": "2027-04-01", "starts": "10:00", "ends": "12:00"},
    )
    assert response.status_code == 422 and "within the cohort" in response.content.decode()
    assert not cohort.sessions.exists()
    response = http.post(
        reverse("services:session_new", args=[cohort.pk]), {"on": "2027-03-02", "starts": "10:00", "ends": "12:00"}
    )
    assert response.status_code == 302 and cohort.sessions.count() == 1
    stale = http.post(
        reverse("services:course_edit", args=[course.pk]), {"title": "Barbering L2", "version": "99", "is_active": "on"}
    )
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
