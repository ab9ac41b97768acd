"""Course services: setting courses up, enrolment and the waiting list, offering a freed place, attendance and
completion. Bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.testing import (
    CohortFactory,
    CourseFactory,
    CourseSessionFactory,
    OrganisationFactory,
    Personas,
    VenueFactory,
)
from keyworker.services.models import Cohort, Course, CourseSession, Enrolment, SessionAttendance, Venue
from keyworker.services.services import courses as services

pytestmark = pytest.mark.django_db


def _running_cohort(**fields) -> Cohort:
    today = timezone.localdate()
    return CohortFactory(starts_on=today - dt.timedelta(days=7), ends_on=today + dt.timedelta(days=30), **fields)


def test_set_up_a_partner_course_with_a_cohort_and_sessions(personas: Personas):
    partner = OrganisationFactory(name="Build Up Trust")
    venue = services.venue_create(
        actor=personas.you, name="Brixton Works", postcode="sw9  8hq", borough="Lambeth", address="1 Yard"
    )
    assert venue.postcode == "SW9 8HQ"
    course = services.course_create(
        actor=personas.you, title="Construction skills", provider=partner, qualification="CSCS card"
    )
    start = timezone.localdate() + dt.timedelta(days=7)
    cohort = services.cohort_create(
        actor=personas.you,
        course=course,
        name="January",
        venue=venue,
        starts_on=start,
        ends_on=start + dt.timedelta(days=28),
        capacity=10,
    )
    at = timezone.make_aware(dt.datetime.combine(start, dt.time(10)))
    session = services.session_add(actor=personas.you, cohort=cohort, starts_at=at, ends_at=at + dt.timedelta(hours=2))
    assert session.venue is None  # at the cohort's venue
    elsewhere = VenueFactory(name="Annexe")
    moved = services.session_add(
        actor=personas.you,
        cohort=cohort,
        starts_at=at + dt.timedelta(days=7),
        ends_at=at + dt.timedelta(days=7, hours=2),
        venue=elsewhere,
    )
    assert moved.venue == elsewhere
    same = services.session_add(
        actor=personas.you,
        cohort=cohort,
        starts_at=at + dt.timedelta(days=1),
        ends_at=at + dt.timedelta(days=1, hours=1),
        venue=venue,
    )
    assert same.venue is None
    for obj in (venue, course, cohort, session):
        assert AuditEvent.objects.filter(object_id=str(obj.pk), action=AuditAction.CREATE, actor=personas.you).exists()

    services.course_update(
        actor=personas.you,
        course=course,
        expected_version=course.version,
        title="Construction skills L1",
        provider=None,
        qualification="CSCS card",
    )
    course.refresh_from_db()
    assert (course.title, course.provider) == ("Construction skills L1", None)
    with pytest.raises(ConcurrentEdit):
        services.course_update(actor=personas.you, course=course, expected_version=1, title="Stale")
    services.venue_update(
        actor=personas.you,
        venue=venue,
        expected_version=venue.version,
        name="Brixton Works",
        postcode="SW9 8HQ",
        borough="Lambeth",
    )
    assert Venue.objects.get(pk=venue.pk).version == 2


def test_bad_set_up_input_changes_nothing(personas: Personas):
    course = CourseFactory()
    venue = VenueFactory()
    today = timezone.localdate()
    cohort = CohortFactory(course=course, venue=venue)
    counts = (Venue.objects.count(), Course.objects.count(), Cohort.objects.count(), CourseSession.objects.count())
    events = AuditEvent.objects.count()
    problems = [
        (lambda: services.venue_create(actor=personas.you, name=" ", postcode="SE5 8AA"), "name"),
        (lambda: services.venue_create(actor=personas.you, name="Nowhere"), "postcode"),
        (lambda: services.venue_create(actor=personas.you, name=venue.name, postcode=venue.postcode), "name"),
        (lambda: services.course_create(actor=personas.you, title=""), "title"),
        (lambda: services.course_create(actor=personas.you, title=course.title), "title"),
        (lambda: services.course_create(actor=personas.you, title="x" * 151), "title"),
        (
            lambda: services.cohort_create(
                actor=personas.you,
                course=course,
                name="Back to front",
                venue=venue,
                starts_on=today,
                ends_on=today - dt.timedelta(days=1),
                capacity=5,
            ),
            "ends_on",
        ),
        (
            lambda: services.cohort_create(
                actor=personas.you,
                course=course,
                name="None",
                venue=venue,
                starts_on=today,
                ends_on=today,
                capacity=0,
            ),
            "capacity",
        ),
        (
            lambda: services.session_add(
                actor=personas.you,
                cohort=cohort,
                starts_at=timezone.make_aware(dt.datetime.combine(cohort.ends_on + dt.timedelta(days=1), dt.time(10))),
                ends_at=timezone.make_aware(dt.datetime.combine(cohort.ends_on + dt.timedelta(days=1), dt.time(11))),
            ),
            "starts_at",
        ),
    ]
    for attempt, field in problems:
        with pytest.raises(ValidationFailed) as caught:
            attempt()
        assert field in caught.value.field_errors, (field, caught.value.field_errors)
    assert counts == (
        Venue.objects.count(),
        Course.objects.count(),
        Cohort.objects.count(),
        CourseSession.objects.count(),
    )
    assert AuditEvent.objects.count() == events
    with pytest.raises(NotAllowed):
        services.course_create(actor=personas.report_viewer, title="Not for you")


def test_a_full_cohort_puts_people_on_the_waiting_list(personas: Personas):
    cohort = CohortFactory(capacity=1)
    first, second, third = (personas.client_of(personas.you) for _ in range(3))
    taken = services.enrol(actor=personas.you, cohort=cohort, client=first)
    assert (taken.status, taken.enrolled_on, taken.waiting_since) == ("enrolled", timezone.localdate(), None)
    waiting = services.enrol(actor=personas.you, cohort=cohort, client=second)
    assert waiting.status == "waiting" and waiting.waiting_since is not None
    later = services.enrol(actor=personas.you, cohort=cohort, client=third)
    assert later.waiting_since >= waiting.waiting_since
    assert AuditEvent.objects.filter(object_id=str(waiting.pk), client_id=second.pk, action=AuditAction.CREATE).exists()

    with pytest.raises(ValidationFailed, match="already on this cohort"):
        services.enrol(actor=personas.you, cohort=cohort, client=second)
    assert Enrolment.objects.filter(cohort=cohort).count() == 3


def test_withdrawing_frees_a_place_that_is_offered_not_filled(personas: Personas):
    cohort = CohortFactory(capacity=1)
    first, second = personas.client_of(personas.you), personas.client_of(personas.you)
    taken = services.enrol(actor=personas.you, cohort=cohort, client=first)
    waiting = services.enrol(actor=personas.you, cohort=cohort, client=second)
    with pytest.raises(ValidationFailed, match="no free place"):
        services.offer_place(actor=personas.you, enrolment=waiting, expected_version=waiting.version)

    services.enrolment_withdraw(actor=personas.you, enrolment=taken, expected_version=taken.version)
    waiting.refresh_from_db()
    assert waiting.status == "waiting"  # nobody is moved up automatically

    offered = services.offer_place(actor=personas.you, enrolment=waiting, expected_version=waiting.version)
    assert (offered.status, offered.enrolled_on) == ("enrolled", timezone.localdate())
    # someone who withdrew may come back: onto the waiting list now the place is taken
    again = services.enrol(actor=personas.you, cohort=cohort, client=first)
    assert again.pk == taken.pk and again.status == "waiting"
    with pytest.raises(ConcurrentEdit):
        services.enrolment_withdraw(actor=personas.you, enrolment=offered, expected_version=1)


def test_enrolling_needs_the_client_in_reach_and_a_cohort_still_running(personas: Personas):
    theirs = personas.client_of(personas.other_caseworker)
    cohort = CohortFactory()
    with pytest.raises(NotAllowed):
        services.enrol(actor=personas.you, cohort=cohort, client=theirs)
    finished = CohortFactory(
        starts_on=timezone.localdate() - dt.timedelta(days=40), ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationFailed, match="finished"):
        services.enrol(actor=personas.you, cohort=finished, client=personas.client_of(personas.you))
    assert not Enrolment.objects.exists()


def test_attendance_one_mark_per_session_and_person_corrected_by_version(personas: Personas):
    cohort = _running_cohort()
    client = personas.client_of(personas.you)
    enrolment = services.enrol(actor=personas.you, cohort=cohort, client=client)
    past = CourseSessionFactory(cohort=cohort, starts_at=timezone.now() - dt.timedelta(days=1))
    mark = services.attendance_record(actor=personas.you, session=past, enrolment=enrolment, status="late")
    assert mark.status == "late"
    with pytest.raises(ConcurrentEdit):  # a second mark without the version would overwrite someone's
        services.attendance_record(actor=personas.teammate, session=past, enrolment=enrolment, status="absent")
    corrected = services.attendance_record(
        actor=personas.teammate, session=past, enrolment=enrolment, status="attended", expected_version=mark.version
    )
    assert (corrected.pk, corrected.status, corrected.recorded_by) == (mark.pk, "attended", personas.teammate)
    assert SessionAttendance.objects.count() == 1
    assert AuditEvent.objects.filter(object_id=str(mark.pk), action=AuditAction.UPDATE, client_id=client.pk).exists()

    future = CourseSessionFactory(cohort=cohort, starts_at=timezone.now() + dt.timedelta(days=1))
    other_cohort_session = CourseSessionFactory(starts_at=timezone.now() - dt.timedelta(hours=3))
    waiting = Enrolment.objects.create(
        cohort=cohort,
        client=personas.client_of(personas.you),
        status="waiting",
        waiting_since=timezone.now(),
        enrolled_by=personas.you,
    )
    for session, who, status, field in (
        (future, enrolment, "attended", "status"),
        (other_cohort_session, enrolment, "attended", "enrolment"),
        (past, enrolment, "asleep", "status"),
        (past, waiting, "attended", "status"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            services.attendance_record(actor=personas.you, session=session, enrolment=who, status=status)
        assert field in caught.value.field_errors
    assert SessionAttendance.objects.count() == 1


def test_completion_with_the_courses_qualification(personas: Personas):
    cohort = _running_cohort(course=CourseFactory(qualification="Level 1 Food Hygiene"))
    enrolment = services.enrol(actor=personas.you, cohort=cohort, client=personas.client_of(personas.you))
    with pytest.raises(ValidationFailed, match="future"):
        services.enrolment_complete(
            actor=personas.you,
            enrolment=enrolment,
            expected_version=enrolment.version,
            completed_on=timezone.localdate() + dt.timedelta(days=1),
        )
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"
    done = services.enrolment_complete(actor=personas.you, enrolment=enrolment, expected_version=enrolment.version)
    assert (done.status, done.completed_on, done.qualification_gained) == (
        "completed",
        timezone.localdate(),
        "Level 1 Food Hygiene",
    )
    with pytest.raises(ValidationFailed, match="already been completed"):
        services.enrolment_leave(actor=personas.you, enrolment=done, expected_version=done.version)

    other = services.enrol(actor=personas.you, cohort=cohort, client=personas.client_of(personas.you))
    mine = services.enrolment_complete(
        actor=personas.you, enrolment=other, expected_version=other.version, qualification_gained=""
    )
    assert mine.qualification_gained == ""


def test_leaving_keeps_attendance_and_frees_the_place(personas: Personas):
    cohort = _running_cohort(capacity=1)
    enrolment = services.enrol(actor=personas.you, cohort=cohort, client=personas.client_of(personas.you))
    session = CourseSessionFactory(cohort=cohort, starts_at=timezone.now() - dt.timedelta(days=2))
    services.attendance_record(actor=personas.you, session=session, enrolment=enrolment, status="attended")
    services.enrolment_leave(actor=personas.you, enrolment=enrolment, expected_version=enrolment.version)
    assert SessionAttendance.objects.filter(enrolment=enrolment).exists()
    nxt = services.enrol(actor=personas.you, cohort=cohort, client=personas.client_of(personas.you))
    assert nxt.status == "enrolled"
