"""JSON endpoints for appointments: thin, over the diary's selectors and services (the same as the pages).

Every response that shows a client's records writes a view audit event; writes are audited by the services.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from keyworker.accounts.models import User
from keyworker.accounts.selectors import assignable_staff_get_for
from keyworker.api.common import actor_of, page_of, record_id, record_views, reference_id
from keyworker.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    ClientRef,
    InputSchema,
    PageOut,
    PageParams,
    RecordOut,
    SafetyCheckOut,
    StaffRef,
)
from keyworker.audit.services import client_viewed
from keyworker.core.errors import SafetyCheckFailed, ValidationFailed
from keyworker.custody.models import CustodyEpisode, Establishment, Hearing
from keyworker.custody.selectors import custody_episode_list_for, establishment_list_for, hearing_list_for
from keyworker.diary import selectors
from keyworker.diary.models import Appointment, AppointmentKind
from keyworker.diary.rules import MAX_VISIT_MINUTES, MIN_VISIT_MINUTES
from keyworker.diary.services import appointments as services
from keyworker.people.models import Client
from keyworker.people.selectors import client_list_for
from keyworker.services.selectors.courses import venue_list_for

router = Router(tags=["diary"])

MAX_VERSION = 2_147_483_647  # the largest value the version column holds on every database
MAX_SLOTS = 20
M = TypeVar("M", bound=Model)


# ---------------------------------------------------------------------------------------------- schemas


class AppointmentPlaceRef(Schema):
    id: uuid.UUID
    name: str
    kind: str


class AppointmentOut(RecordOut):
    kind: str
    kind_label: str
    status: str
    status_label: str
    client: ClientRef | None
    staff: StaffRef
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    notes: str
    establishment: AppointmentPlaceRef | None
    group: uuid.UUID | None = Field(description="Shared by appointments booked together (a prison visit day).")
    custody_episode_id: uuid.UUID | None = Field(description="The release this gate meet is for.")
    hearing_id: uuid.UUID | None = Field(description="The hearing this court appointment attends.")
    rescheduled_to_id: uuid.UUID | None = Field(description="The appointment that replaced this one.")
    outcome_contact_id: uuid.UUID | None = Field(description="The outcome note, on the client's contact log.")

    @staticmethod
    def resolve_kind_label(obj: Appointment) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: Appointment) -> str:
        return obj.get_status_display()


class AppointmentPageOut(PageOut):
    items: list[AppointmentOut]


class AppointmentFilters(Schema):
    date_from: dt.date | None = Field(None, alias="from", description="From this date (London time), included.")
    date_to: dt.date | None = Field(None, alias="to", description="To this date (London time), included.")


class AppointmentIn(InputSchema):
    kind: str = Field(json_schema_extra={"enum": list(AppointmentKind.values)})
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    client_id: str | None = Field(None, description="The client it is with, if any.")
    staff_id: str | None = Field(None, description="Whose diary: you (default) or a member of your team.")
    location: str = Field("", max_length=200, description="Default: the prison or court's name.")
    notes: str = Field("", max_length=5000)
    establishment_id: str | None = Field(None, description="A prison or court from the directory.")
    custody_episode_id: str | None = Field(None, description="For a meet at the gate: the client's release.")
    hearing_id: str | None = Field(None, description="For a court appointment: the client's hearing.")
    venue_id: str | None = Field(None, description="A venue (from the courses' venues), if it is at one.")
    safety_override_reason: str = Field(
        "", max_length=2000, description="Why go ahead when the safety check warns (a 422 with `warnings`)."
    )


class VisitSlotIn(InputSchema):
    client_id: str
    starts: dt.time = Field(description="London time, like 10:00.")
    minutes: int = Field(ge=MIN_VISIT_MINUTES, le=MAX_VISIT_MINUTES)


class AppointmentGroupIn(InputSchema):
    establishment_id: str = Field(description="The prison.")
    on: dt.date
    kind: Literal["prison_social", "prison_legal"]
    slots: list[VisitSlotIn] = Field(min_length=1, max_length=MAX_SLOTS, description="One per client.")
    notes: str = Field("", max_length=5000)
    safety_override_reason: str = Field(
        "", max_length=2000, description="Why go ahead when the safety check warns (a 422 with `warnings`)."
    )


# A booking refused by the safety check answers 422, with its warnings.
BOOKING_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 422: SafetyCheckOut}


class AppointmentStatusIn(InputSchema):
    status: Literal["attended", "late", "dna", "cancelled"]
    version: int = Field(ge=1, le=MAX_VERSION, description="The appointment's `version` as you read it.")
    outcome_note: str = Field("", max_length=20000, description="Goes on the client's contact log.")


class AppointmentRescheduleIn(InputSchema):
    version: int = Field(ge=1, le=MAX_VERSION, description="The appointment's `version` as you read it.")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: str | None = Field(None, max_length=200, description="Default: where it was.")


# The services name fields after the model; the API's request fields are ids.
FIELDS_BY_SERVICE_NAME = {
    "client": "client_id",
    "staff": "staff_id",
    "establishment": "establishment_id",
    "custody_episode": "custody_episode_id",
    "hearing": "hearing_id",
    "venue": "venue_id",
}


def _in_api_terms(exc: ValidationFailed) -> ValidationFailed:
    return ValidationFailed(exc.message, {FIELDS_BY_SERVICE_NAME.get(k, k): v for k, v in exc.field_errors.items()})


def _referenced(in_reach: QuerySet[M], value: str | None, *, field: str, message: str) -> M | None:
    """A record named by id in a request body, found through the actor's reach; one the actor cannot see
    gets the same answer as one that does not exist."""
    pk = reference_id(value, field=field, detail=message, message=message)
    if pk is None:
        return None
    found = in_reach.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(message, {field: [message]})
    return found


def _staff(actor: User, staff_id: str | None) -> User | None:
    message = "Choose someone in your team."
    pk = reference_id(staff_id, field="staff_id", detail=message, message=message)
    if pk is None:
        return None
    staff = assignable_staff_get_for(actor, pk)
    if staff is None:
        raise ValidationFailed(message, {"staff_id": [message]})
    return staff


# -------------------------------------------------------------------------------------------- endpoints


@router.get("/appointments", response={200: AppointmentPageOut, **READ_ERRORS}, summary="Appointments, soonest first")
def list_appointments(request: HttpRequest, filters: Query[AppointmentFilters], paging: Query[PageParams]) -> dict:
    actor = actor_of(request)
    found = selectors.appointments_between_for(actor, start=filters.date_from, end=filters.date_to)
    items, count = page_of(found, paging)
    record_views(actor, ((a.client_id, a) for a in items), what="api:appointment_list")
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": items}


@router.post("/appointments", response={201: AppointmentOut, **BOOKING_ERRORS}, summary="Book an appointment")
def create_appointment(request: HttpRequest, payload: AppointmentIn) -> Status[Any]:
    actor = actor_of(request)
    try:
        client: Client | None = _referenced(
            client_list_for(actor), payload.client_id, field="client_id", message="Choose a client you work with."
        )
        establishment: Establishment | None = _referenced(
            establishment_list_for(actor),
            payload.establishment_id,
            field="establishment_id",
            message="Choose a prison or court from the directory.",
        )
        episode: CustodyEpisode | None = _referenced(
            custody_episode_list_for(actor),
            payload.custody_episode_id,
            field="custody_episode_id",
            message="Choose a release of this client.",
        )
        hearing: Hearing | None = _referenced(
            hearing_list_for(actor), payload.hearing_id, field="hearing_id", message="Choose a hearing of this client."
        )
        venue = _referenced(venue_list_for(actor), payload.venue_id, field="venue_id", message="Choose a venue.")
        appointment = services.appointment_book(
            actor=actor,
            kind=payload.kind,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            staff=_staff(actor, payload.staff_id),
            client=client,
            location=payload.location,
            notes=payload.notes,
            establishment=establishment,
            custody_episode=episode,
            hearing=hearing,
            venue=venue,
            safety_override_reason=payload.safety_override_reason,
        )
    except SafetyCheckFailed:
        raise  # a 422 with the warnings (api/errors.py)
    except ValidationFailed as exc:
        raise _in_api_terms(exc) from exc
    return Status(201, appointment)


@router.post(
    "/appointments/group",
    response={201: list[AppointmentOut], **BOOKING_ERRORS},
    summary="Book visits to several clients at one prison on one day (all or nothing)",
)
def create_appointment_group(request: HttpRequest, payload: AppointmentGroupIn) -> Status[Any]:
    actor = actor_of(request)
    prison: Establishment | None = _referenced(
        selectors.prison_list_for(actor),
        payload.establishment_id,
        field="establishment_id",
        message="Choose a prison from the directory.",
    )
    assert prison is not None  # the field is required
    booked = services.appointment_book_group(
        actor=actor,
        establishment=prison,
        on=payload.on,
        kind=payload.kind,
        slots=[services.VisitSlot(client_id=s.client_id, starts=s.starts, minutes=s.minutes) for s in payload.slots],
        notes=payload.notes,
        safety_override_reason=payload.safety_override_reason,
    )
    return Status(201, booked)


@router.get("/appointments/{appointment_id}", response={200: AppointmentOut, **READ_ERRORS}, summary="An appointment")
def get_appointment(request: HttpRequest, appointment_id: str) -> Appointment:
    actor = actor_of(request)
    appointment = selectors.appointment_get_for(actor, record_id(appointment_id))
    if appointment.client_id:
        client_viewed(actor=actor, client_id=appointment.client_id, obj=appointment, what="api:appointment")
    return appointment


@router.post(
    "/appointments/{appointment_id}/status",
    response={200: AppointmentOut, **WRITE_ERRORS},
    summary="Record attended, late, did not attend or cancelled, with an optional outcome note",
)
def record_appointment_status(request: HttpRequest, appointment_id: str, payload: AppointmentStatusIn) -> Appointment:
    actor = actor_of(request)
    appointment = selectors.appointment_get_for(actor, record_id(appointment_id))
    return services.appointment_status_record(
        actor=actor,
        appointment=appointment,
        expected_version=payload.version,
        status=payload.status,
        outcome_note=payload.outcome_note,
    )


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={201: AppointmentOut, **WRITE_ERRORS},
    summary="Move an appointment: the new one is returned; the old one is marked rescheduled",
)
def reschedule_appointment(
    request: HttpRequest, appointment_id: str, payload: AppointmentRescheduleIn
) -> Status[Appointment]:
    actor = actor_of(request)
    appointment = selectors.appointment_get_for(actor, record_id(appointment_id))
    replacement = services.appointment_reschedule(
        actor=actor,
        appointment=appointment,
        expected_version=payload.version,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        location=payload.location,
    )
    return Status(201, replacement)

