"""Writing courses: venues, courses, cohorts and sessions (no personal data), and enrolments, the waiting list,
attendance and completion (a client's record). Keyword-only, one transaction, audited.

Enrolling someone, or offering them a place, asks the safety check first (unsafe areas, people to keep apart):
warnings with no reason to go ahead refuse the booking and save nothing; with a reason, it is saved and the
reason kept on the enrolment and in the audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, SafetyCheckFailed, ValidationFailed
from keyworker.core.models import BaseModel
from keyworker.core.validation import check_field_values, create_checked
from keyworker.core.versioning import refuse_stale, save_if_unchanged
from keyworker.people.models import Client
from keyworker.services import course_rules as rules
from keyworker.services.models import (
    PLACE_HOLDING_STATUSES,
    AttendanceStatus,
    Cohort,
    Course,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    Organisation,
    SessionAttendance,
    Venue,
)

__all__ = [
    "attendance_record",
    "cohort_create",
    "course_create",
    "course_update",
    "enrol",
    "enrolment_complete",
    "enrolment_leave",
    "enrolment_withdraw",
    "offer_place",
    "session_add",
    "venue_create",
    "venue_update",
]

MAX_CAPACITY = 500


def _problem(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: [message]})


def _check_manager(actor: User) -> None:
    if not policy.can_manage_courses(actor):
        raise NotAllowed("You cannot set up courses.")


def _check_client(actor: User, client: Client) -> None:
    if not policy.can_record_on(actor, client):
        raise NotAllowed("You cannot record on this client.")


def _update(instance: BaseModel, *, expected_version: int, changes: dict[str, object]) -> None:
    """Apply `changes` after their field checks, if nobody changed the record since it was read; the caller's
    instance is left as it was read when the save is refused."""
    if instance.version != expected_version:
        raise refuse_stale(instance)
    before = {name: getattr(instance, name) for name in changes}
    for name, value in changes.items():
        setattr(instance, name, value)
    try:
        check_field_values(instance)
        save_if_unchanged(instance, expected_version=expected_version, fields=list(changes))
    except (ValidationFailed, ConcurrentEdit):
        for name, value in before.items():
            setattr(instance, name, value)
        raise


# ------------------------------------------------------------------------------------------------- venues


def _venue_fields(*, name: str, address: str, postcode: str, borough: str) -> dict[str, str]:
    fields = {
        "name": name.strip(),
        "address": address.strip(),
        "postcode": " ".join(postcode.upper().split()),
        "borough": borough.strip(),
    }
    if not fields["name"]:
        raise _problem("name", "Enter the venue's name.")
    if not fields["postcode"] and not fields["borough"]:
        # The safety check reads these; a venue with neither could never warn about an unsafe area.
        raise _problem("postcode", "Enter the postcode or the borough, so the safety check can read it.")
    return fields


def _venue_unique(fields: dict[str, str], *, exclude: Venue | None = None) -> None:
    clash = Venue.objects.filter(name__iexact=fields["name"], postcode=fields["postcode"])
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise _problem("name", "There is already a venue with this name and postcode.")


@transaction.atomic
def venue_create(*, actor: User, name: str, address: str = "", postcode: str = "", borough: str = "") -> Venue:
    _check_manager(actor)
    fields = _venue_fields(name=name, address=address, postcode=postcode, borough=borough)
    _venue_unique(fields)
    venue = create_checked(Venue, **fields)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=venue)
    return venue


@transaction.atomic
def venue_update(
    *, actor: User, venue: Venue, expected_version: int, name: str, address: str = "", postcode: str = "",
    borough: str = "",
) -> Venue:
    _check_manager(actor)
    fields = _venue_fields(name=name, address=address, postcode=postcode, borough=borough)
    _venue_unique(fields, exclude=venue)
    _update(venue, expected_version=expected_version, changes=dict(fields))
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=venue, detail={"fields": sorted(fields)})
    return venue


# ------------------------------------------------------------------------------------------------ courses


def _course_fields(
    *, title: str, provider: Organisation | None, description: str, qualification: str, exclude: Course | None
) -> dict[str, object]:
    title = title.strip()
    if not title:
        raise _problem("title", "Enter the course's title.")
    if provider is not None and not Organisation.objects.filter(pk=provider.pk, is_active=True).exists():
        raise _problem("provider", "Choose a partner organisation from the directory.")
    clash = Course.objects.filter(title__iexact=title, provider=provider)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise _problem("title", "There is already a course with this title from this provider.")
    return {
        "title": title,
        "provider": provider,
        "description": description.strip(),
        "qualification": qualification.strip(),
    }


@transaction.atomic
def course_create(
    *, actor: User, title: str, provider: Organisation | None = None, description: str = "", qualification: str = ""
) -> Course:
    """A course: the charity's own (no provider) or a partner organisation's."""
    _check_manager(actor)
    fields = _course_fields(
        title=title, provider=provider, description=description, qualification=qualification, exclude=None
    )
    course = create_checked(Course, **fields)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=course)
    return course


@transaction.atomic
def course_update(
    *,
    actor: User,
    course: Course,
    expected_version: int,
    title: str,
    provider: Organisation | None = None,
    description: str = "",
    qualification: str = "",
    is_active: bool = True,
) -> Course:
    _check_manager(actor)
    fields = _course_fields(
        title=title, provider=provider, description=description, qualification=qualification, exclude=course
    )
    fields["is_active"] = is_active
    _update(course, expected_version=expected_version, changes=fields)
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=course, detail={"fields": sorted(fields)})
    return course


@transaction.atomic
def cohort_create(
    *, actor: User, course: Course, name: str, venue: Venue, starts_on: dt.date, ends_on: dt.date, capacity: int
) -> Cohort:
    """One run of a course: where, from when to when, how many places."""
    _check_manager(actor)
    name = name.strip()
    if not name:
        raise _problem("name", "Enter a name for this cohort, like its start month.")
    problem = rules.cohort_dates_problem(starts_on, ends_on)
    if problem:
        raise _problem("ends_on", problem)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise _problem("capacity", f"Enter the number of places, from 1 to {MAX_CAPACITY}.")
    cohort = create_checked(
        Cohort, course=course, name=name, venue=venue, starts_on=starts_on, ends_on=ends_on, capacity=capacity
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=cohort)
    return cohort


@transaction.atomic
def session_add(
    *,
    actor: User,
    cohort: Cohort,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: Venue | None = None,
    title: str = "",
) -> CourseSession:
    """A session within the cohort's dates, at the cohort's venue unless another is given."""
    _check_manager(actor)
    problem = rules.session_problem(
        cohort_starts_on=cohort.starts_on,
        cohort_ends_on=cohort.ends_on,
        starts_on=timezone.localtime(starts_at).date(),
        ends_on=timezone.localtime(ends_at).date(),
        ends_after_start=ends_at > starts_at,
    )
    if problem:
        raise _problem("ends_at" if ends_at <= starts_at else "starts_at", problem)
    session = create_checked(
        CourseSession,
        cohort=cohort,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue if venue is not None and venue.pk != cohort.venue_id else None,
        title=title.strip(),
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=session)
    return session


# ---------------------------------------------------------------------------------------------- enrolment


def _holding(cohort: Cohort) -> int:
    return Enrolment.objects.filter(cohort=cohort, status__in=PLACE_HOLDING_STATUSES).count()


def _venues_of(cohort: Cohort) -> list[Venue]:
    """The cohort's venue, then every other venue one of its sessions is at."""
    venues = [cohort.venue]
    others = Venue.objects.filter(pk__in=cohort.sessions.exclude(venue=None).values("venue")).exclude(
        pk=cohort.venue_id
    )
    return venues + list(others.order_by("name"))


def _safety_warnings(actor: User, client: Client, cohort: Cohort) -> list[str]:
    """What the safety check says about this client on this cohort: each venue's area, and the people on it."""
    from keyworker.safeguarding.safety import booking_safety_warnings

    others: Iterable[Client] = Client.objects.filter(
        enrolments__cohort=cohort, enrolments__status__in=PLACE_HOLDING_STATUSES
    ).exclude(pk=client.pk)
    warnings: list[str] = []
    for index, venue in enumerate(_venues_of(cohort)):
        found = booking_safety_warnings(
            actor,
            client,
            postcode=venue.postcode,
            borough=venue.borough,
            # The people on the cohort are checked once, with its own venue.
            others=others if index == 0 else (),
        )
        warnings += [w for w in found if w not in warnings]
    return warnings


def _safety_check(actor: User, client: Client, cohort: Cohort, reason: str) -> tuple[list[str], str]:
    """The warnings and the reason kept with the booking; refuses a warned booking that gives no reason."""
    warnings = _safety_warnings(actor, client, cohort)
    reason = reason.strip()
    if warnings and not reason:
        raise SafetyCheckFailed(warnings)
    return warnings, reason if warnings else ""


def _lock(cohort: Cohort) -> Cohort:
    """Serialise enrolments on one cohort, so two people enrolling at once cannot both take its last place."""
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


@transaction.atomic
def enrol(*, actor: User, cohort: Cohort, client: Client, safety_override_reason: str = "") -> Enrolment:
    """Enrol a client on a cohort, or put them on its waiting list if it is full (the enrolment's status says
    which). Someone already on it (or waiting) is refused; someone who withdrew or left may be enrolled again."""
    _check_client(actor, client)
    cohort = _lock(cohort)
    if cohort.ends_on < timezone.localdate():
        raise _problem("cohort", "This cohort has finished: choose one that is still running.")
    existing = Enrolment.objects.filter(cohort=cohort, client=client).first()
    if existing is not None and existing.status not in rules.ENDED:
        raise _problem(
            "client", f"{client.display_name} is already on this cohort ({existing.get_status_display().lower()})."
        )
    warnings, reason = _safety_check(actor, client, cohort, safety_override_reason)
    now = timezone.now()
    status = rules.placement(cohort.capacity, _holding(cohort))
    fields: dict[str, object] = {
        "status": status,
        "waiting_since": now if status == rules.WAITING else None,
        "enrolled_on": timezone.localdate() if status == rules.ENROLLED else None,
        "completed_on": None,
        "qualification_gained": "",
        "safety_override_reason": reason,
        "enrolled_by": actor,
    }
    if existing is None:
        enrolment = create_checked(Enrolment, cohort=cohort, client=client, **fields)
        action = AuditAction.CREATE
    else:
        enrolment = existing
        _update(enrolment, expected_version=enrolment.version, changes=fields)
        action = AuditAction.UPDATE
    audit_event_record(
        actor=actor,
        action=action,
        obj=enrolment,
        client_id=client.pk,
        detail=_booking_detail(status, warnings, reason),
    )
    return enrolment


def _booking_detail(status: str, warnings: list[str], reason: str) -> dict[str, object]:
    detail: dict[str, object] = {"status": status}
    if warnings:
        detail |= {"safety_warnings": len(warnings), "safety_override_reason": reason}
    return detail


@transaction.atomic
def offer_place(
    *, actor: User, enrolment: Enrolment, expected_version: int, safety_override_reason: str = ""
) -> Enrolment:
    """Give a free place to someone on the waiting list (usually its top: the page shows who that is). The
    safety check runs again: the people on the cohort may have changed since they joined the list."""
    _check_client(actor, enrolment.client)
    cohort = _lock(enrolment.cohort)
    if enrolment.version != expected_version:
        raise refuse_stale(enrolment)
    problem = rules.offer_problem(capacity=cohort.capacity, holding=_holding(cohort), status=enrolment.status)
    if problem:
        raise _problem("status", problem)
    warnings, reason = _safety_check(actor, enrolment.client, cohort, safety_override_reason)
    changes: dict[str, object] = {"status": EnrolmentStatus.ENROLLED, "enrolled_on": timezone.localdate()}
    if reason:
        changes["safety_override_reason"] = reason
    _update(enrolment, expected_version=expected_version, changes=changes)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enrolment,
        client_id=enrolment.client_id,
        detail={**_booking_detail(EnrolmentStatus.ENROLLED, warnings, reason), "offered_place": True},
    )
    return enrolment


def _end(actor: User, enrolment: Enrolment, expected_version: int, status: str) -> Enrolment:
    _check_client(actor, enrolment.client)
    if enrolment.version != expected_version:
        raise refuse_stale(enrolment)
    problem = rules.transition_problem(enrolment.status, status)
    if problem:
        raise _problem("status", problem)
    _update(enrolment, expected_version=expected_version, changes={"status": status})
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=enrolment, client_id=enrolment.client_id, detail={"status": status}
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, actor: User, enrolment: Enrolment, expected_version: int) -> Enrolment:
    """Take someone off the course or its waiting list. A place they held is free to offer; nobody is moved
    up automatically (decisions/0024)."""
    return _end(actor, enrolment, expected_version, EnrolmentStatus.WITHDRAWN)


@transaction.atomic
def enrolment_leave(*, actor: User, enrolment: Enrolment, expected_version: int) -> Enrolment:
    """Someone on the course left before the end: their attendance stays; their place is free to offer."""
    return _end(actor, enrolment, expected_version, EnrolmentStatus.LEFT)


@transaction.atomic
def enrolment_complete(
    *,
    actor: User,
    enrolment: Enrolment,
    expected_version: int,
    completed_on: dt.date | None = None,
    qualification_gained: str | None = None,
) -> Enrolment:
    """Completed the course, with the qualification gained (the course's own, unless told otherwise)."""
    _check_client(actor, enrolment.client)
    if enrolment.version != expected_version:
        raise refuse_stale(enrolment)
    problem = rules.transition_problem(enrolment.status, EnrolmentStatus.COMPLETED)
    if problem:
        raise _problem("status", problem)
    today = timezone.localdate()
    completed_on = completed_on or today
    problem = rules.completion_problem(
        completed_on=completed_on, cohort_starts_on=enrolment.cohort.starts_on, today=today
    )
    if problem:
        raise _problem("completed_on", problem)
    qualification = (
        enrolment.cohort.course.qualification if qualification_gained is None else qualification_gained
    ).strip()
    _update(
        enrolment,
        expected_version=expected_version,
        changes={
            "status": EnrolmentStatus.COMPLETED,
            "completed_on": completed_on,
            "qualification_gained": qualification,
        },
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enrolment,
        client_id=enrolment.client_id,
        detail={"status": EnrolmentStatus.COMPLETED, "qualification_gained": bool(qualification)},
    )
    # Completing a course (and any qualification) is a milestone, worked out from this record at once.
    from keyworker.outcomes.services.milestones import milestones_refresh

    milestones_refresh(client=enrolment.client, actor=actor)
    return enrolment


@transaction.atomic
def attendance_record(
    *,
    actor: User,
    session: CourseSession,
    enrolment: Enrolment,
    status: str,
    expected_version: int | None = None,
) -> SessionAttendance:
    """Record (or correct) whether one person came to one session. A correction sends back the version of the
    record it corrects; without one, a record someone else has already made is not overwritten."""
    _check_client(actor, enrolment.client)
    if enrolment.cohort_id != session.cohort_id:
        raise _problem("enrolment", "This person is not on this session's cohort.")
    if status not in AttendanceStatus.values:
        raise _problem("status", "Choose attended, late, absent or absent with a reason.")
    problem = rules.attendance_problem(status=enrolment.status, session_started=session.starts_at <= timezone.now())
    if problem:
        raise _problem("status", problem)
    existing = SessionAttendance.objects.select_for_update().filter(session=session, enrolment=enrolment).first()
    if existing is None:
        if expected_version is not None:
            raise ConcurrentEdit()
        attendance = create_checked(
            SessionAttendance, session=session, enrolment=enrolment, status=status, recorded_by=actor
        )
        action = AuditAction.CREATE
    else:
        if expected_version is None:
            raise refuse_stale(existing)  # recorded by someone else after this caller found none
        attendance = existing
        _update(attendance, expected_version=expected_version, changes={"status": status, "recorded_by": actor})
        action = AuditAction.UPDATE
    audit_event_record(
        actor=actor, action=action, obj=attendance, client_id=enrolment.client_id, detail={"status": status}
    )
    return attendance
