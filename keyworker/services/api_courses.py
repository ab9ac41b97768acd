"""JSON endpoints for courses: thin, over the same selectors and services as the pages.

A cohort lists only the enrolments of clients the caller can see, and counts the rest. Enrolling answers 422
with the safety check's `warnings` when it warns and no `safety_override_reason` was given.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from keyworker.api.common import actor_of, record_id, record_views, reference_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, ClientRef, InputSchema, RecordOut, SafetyCheckOut
from keyworker.core.errors import ValidationFailed
from keyworker.people.selectors import client_list_for
from keyworker.services.models import Cohort, Enrolment, SessionAttendance
from keyworker.services.selectors import courses as selectors
from keyworker.services.services import courses as services

router = Router(tags=["courses"])

MAX_VERSION = 2_147_483_647


# ---------------------------------------------------------------------------------------------- schemas


class VenueOut(Schema):
    id: uuid.UUID
    name: str
    postcode: str
    borough: str


class CohortSummaryOut(Schema):
    id: uuid.UUID
    name: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    places_left: int
    waiting: int = Field(description="How many are on the waiting list (everyone, named or not).")
    venue: VenueOut

    @staticmethod
    def resolve_places_left(obj: Cohort) -> int:
        return max(0, obj.capacity - getattr(obj, "holding", 0))


class CourseOut(RecordOut):
    title: str
    provider: str | None = Field(description="The partner organisation running it; null for our own.")
    qualification: str
    description: str
    cohorts: list[CohortSummaryOut] = Field(description="Cohorts still to finish, soonest first.")

    @staticmethod
    def resolve_provider(obj: object) -> str | None:
        provider = getattr(obj, "provider", None)
        return provider.name if provider else None

    @staticmethod
    def resolve_cohorts(obj: object) -> list[Cohort]:
        return list(getattr(obj, "upcoming", []))


class CourseSessionOut(Schema):
    id: uuid.UUID
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    venue: VenueOut | None = Field(description="Null: at the cohort's venue.")


class EnrolmentOut(RecordOut):
    cohort_id: uuid.UUID
    client: ClientRef
    status: str
    status_label: str
    waiting_since: dt.datetime | None
    enrolled_on: dt.date | None
    completed_on: dt.date | None
    qualification_gained: str
    safety_override_reason: str

    @staticmethod
    def resolve_status_label(obj: Enrolment) -> str:
        return obj.get_status_display()


class WaitingOut(Schema):
    place: int = Field(description="Place on the waiting list, from 1.")
    enrolment: EnrolmentOut


class CohortOut(RecordOut):
    course_id: uuid.UUID
    name: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    places_left: int
    venue: VenueOut
    sessions: list[CourseSessionOut]
    enrolments: list[EnrolmentOut] = Field(description="On the course (enrolled or completed): your clients only.")
    others_on_course: int = Field(description="People on the course you cannot see, counted, never named.")
    waiting_list: list[WaitingOut] = Field(description="Your clients on the waiting list, with their place.")
    others_waiting: int
    top_of_waiting_list_is_yours: bool | None = Field(
        description="When a place is free: whether the first on the list is someone you can see (null: no place "
        "free or nobody waiting)."
    )


class AttendanceOut(RecordOut):
    session_id: uuid.UUID
    enrolment_id: uuid.UUID
    status: str


class EnrolmentIn(InputSchema):
    client_id: str
    safety_override_reason: str = Field("", max_length=2000, description="Why to go ahead despite a warning.")


class AttendanceIn(InputSchema):
    session_id: str
    status: Literal["attended", "late", "absent", "excused"]
    version: int | None = Field(None, ge=1, le=MAX_VERSION, description="To correct a mark: its `version`.")


class CompleteIn(InputSchema):
    version: int = Field(ge=1, le=MAX_VERSION, description="The enrolment's `version` as you read it.")
    completed_on: dt.date | None = Field(None, description="Default: today.")
    qualification_gained: str | None = Field(None, max_length=150, description="Default: the course's.")


# -------------------------------------------------------------------------------------------- endpoints


@router.get("/courses", response={200: list[CourseOut], **READ_ERRORS}, summary="Courses and their upcoming cohorts")
def list_courses(request: HttpRequest) -> list:
    return list(selectors.course_list_for(actor_of(request)))


@router.get("/cohorts/{cohort_id}", response={200: CohortOut, **READ_ERRORS}, summary="A cohort")
def get_cohort(request: HttpRequest, cohort_id: str) -> dict:
    actor = actor_of(request)
    cohort = selectors.cohort_get_for(actor, record_id(cohort_id))
    view = selectors.cohort_view_for(actor, cohort)
    record_views(actor, ((e.client_id, e) for e in view.shown), what="api:cohort")
    top_yours = None
    if view.place_free_for_waiting:
        top_yours = view.top_of_waiting_list is not None
    return {
        "id": cohort.pk,
        "version": cohort.version,
        "created_at": cohort.created_at,
        "updated_at": cohort.updated_at,
        "course_id": cohort.course_id,
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "capacity": cohort.capacity,
        "places_left": view.places_left,
        "venue": cohort.venue,
        "sessions": view.sessions,
        "enrolments": view.on_course,
        "others_on_course": view.on_course_hidden,
        "waiting_list": [{"place": place, "enrolment": e} for place, e in view.waiting],
        "others_waiting": view.waiting_hidden,
        "top_of_waiting_list_is_yours": top_yours,
    }


@router.post(
    "/cohorts/{cohort_id}/enrolments",
    response={201: EnrolmentOut, **WRITE_ERRORS, 422: SafetyCheckOut},
    summary="Enrol a client (or put them on the waiting list if the cohort is full)",
)
def create_enrolment(request: HttpRequest, cohort_id: str, payload: EnrolmentIn) -> Status[Enrolment]:
    actor = actor_of(request)
    cohort = selectors.cohort_get_for(actor, record_id(cohort_id))
    message = "Choose a client you work with."
    pk = reference_id(payload.client_id, field="client_id", detail=message, message=message)
    client = client_list_for(actor).filter(pk=pk).first() if pk else None
    if client is None:
        raise ValidationFailed(message, {"client_id": [message]})
    # A warning without a reason raises SafetyCheckFailed: a 422 with the warnings (api/errors.py).
    enrolment = services.enrol(
        actor=actor, cohort=cohort, client=client, safety_override_reason=payload.safety_override_reason
    )
    return Status(201, enrolment)


@router.post(
    "/enrolments/{enrolment_id}/attendance",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="Record (or correct, sending its version) attendance at one session",
)
def record_attendance(request: HttpRequest, enrolment_id: str, payload: AttendanceIn) -> SessionAttendance:
    actor = actor_of(request)
    enrolment = selectors.enrolment_get_for(actor, record_id(enrolment_id))
    message = "Choose a session of this cohort."
    pk = reference_id(payload.session_id, field="session_id", detail=message, message=message)
    session = enrolment.cohort.sessions.filter(pk=pk).first() if pk else None
    if session is None:
        raise ValidationFailed(message, {"session_id": [message]})
    return services.attendance_record(
        actor=actor, session=session, enrolment=enrolment, status=payload.status, expected_version=payload.version
    )


@router.post(
    "/enrolments/{enrolment_id}/complete",
    response={200: EnrolmentOut, **WRITE_ERRORS},
    summary="Record that the client completed the course",
)
def complete_enrolment(request: HttpRequest, enrolment_id: str, payload: CompleteIn) -> Enrolment:
    actor = actor_of(request)
    enrolment = selectors.enrolment_get_for(actor, record_id(enrolment_id))
    return services.enrolment_complete(
        actor=actor,
        enrolment=enrolment,
        expected_version=payload.version,
        completed_on=payload.completed_on,
        qualification_gained=payload.qualification_gained,
    )
