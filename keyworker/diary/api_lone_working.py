"""JSON endpoints for lone working, for a phone app: check in, check out, extend, send an alert, and the
current visit. Thin, over the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, record_id, reference_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, ClientRef, InputSchema, RecordOut, StaffRef
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, client_viewed
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.diary.models import Appointment, LoneWorkingEscalation, LoneWorkingVisit
from keyworker.diary.selectors import lone_working as selectors
from keyworker.diary.services import lone_working as services
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for

router = Router(tags=["lone working"])

# The services name fields after the model; the API's request fields are ids.
FIELDS_BY_SERVICE_NAME = {"buddy": "buddy_id", "client": "client_id", "appointment": "appointment_id"}


class EscalationOut(Schema):
    level: str
    level_label: str
    raised_at: dt.datetime

    @staticmethod
    def resolve_level_label(obj: LoneWorkingEscalation) -> str:
        return obj.get_level_display()


class VisitOut(RecordOut):
    staff: StaffRef
    buddy: StaffRef
    client: ClientRef | None
    appointment_id: uuid.UUID | None
    place: str
    with_whom: str
    checked_in_at: dt.datetime
    expected_end: dt.datetime
    checked_out_at: dt.datetime | None
    help_requested_at: dt.datetime | None
    status: str
    status_label: str
    resolved_at: dt.datetime | None
    resolution_note: str
    escalations: list[EscalationOut]

    @staticmethod
    def resolve_status_label(obj: LoneWorkingVisit) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_escalations(obj: LoneWorkingVisit) -> list[LoneWorkingEscalation]:
        return list(obj.escalations.all())


class CurrentVisitOut(Schema):
    visit: VisitOut | None = Field(description="Your visit in progress, or null when you are not on one.")


class VisitIn(InputSchema):
    place: str = Field(max_length=300, description="The address of the visit.")
    with_whom: str = Field("", max_length=200, description="Who will be there.")
    expected_end: AwareDatetime = Field(description="When you expect to be out, with its time zone (within 12 hours).")
    buddy_id: str = Field(description="A colleague in your team who is alerted if you do not check out.")
    appointment_id: str | None = Field(None, description="The appointment this visit is for, if any.")
    client_id: str | None = Field(None, description="The client you are visiting, if any.")


class ExtendIn(InputSchema):
    expected_end: AwareDatetime = Field(description="The new expected end, with its time zone (within 12 hours).")


def _audited(actor: User, visit: LoneWorkingVisit, what: str) -> LoneWorkingVisit:
    if visit.client_id is not None:
        client_viewed(actor=actor, client_id=visit.client_id, obj=visit, what=what)
    else:
        audit_event_record(actor=actor, action=AuditAction.VIEW, obj=visit, detail={"what": what})
    return visit


def _appointment(actor: User, appointment_id: str | None) -> Appointment | None:
    message = "Choose an appointment of yours or of a client you work with."
    pk = reference_id(appointment_id, field="appointment_id", detail=message, message=message)
    if pk is None:
        return None
    try:
        return selectors.appointment_for_visit(actor, pk)
    except NotFound as exc:
        raise ValidationFailed(message, {"appointment_id": [message]}) from exc


def _client(actor: User, client_id: str | None) -> Client | None:
    message = "Choose a client you work with."
    pk = reference_id(client_id, field="client_id", detail=message, message=message)
    if pk is None:
        return None
    try:
        return client_get_for(actor, pk)
    except NotFound as exc:
        raise ValidationFailed(message, {"client_id": [message]}) from exc


@router.post("/lone-working/visits", response={201: VisitOut, **WRITE_ERRORS}, summary="Check in to a lone visit")
def start_visit(request: HttpRequest, payload: VisitIn) -> Status[LoneWorkingVisit]:
    actor = actor_of(request)
    try:
        visit = services.lone_working_start(
            actor=actor,
            place=payload.place,
            with_whom=payload.with_whom,
            expected_end=payload.expected_end,
            buddy=selectors.staff_member(payload.buddy_id),
            appointment=_appointment(actor, payload.appointment_id),
            client=_client(actor, payload.client_id),
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            exc.message, {FIELDS_BY_SERVICE_NAME.get(k, k): v for k, v in exc.field_errors.items()}
        ) from exc
    return Status(201, selectors.lone_working_visit_get_for(actor, visit.pk))


@router.get("/lone-working/visits/current", response={200: CurrentVisitOut, **READ_ERRORS}, summary="Your visit now")
def current_visit(request: HttpRequest) -> dict:
    actor = actor_of(request)
    visit = selectors.lone_working_current_for(actor)
    return {"visit": _audited(actor, visit, "api:lone_working_current") if visit else None}


@router.post(
    "/lone-working/visits/{visit_id}/check-out", response={200: VisitOut, **WRITE_ERRORS}, summary="Check out: safe"
)
def check_out(request: HttpRequest, visit_id: str) -> LoneWorkingVisit:
    actor = actor_of(request)
    visit = selectors.lone_working_visit_get_for(actor, record_id(visit_id))
    services.lone_working_check_out(actor=actor, visit=visit)
    return selectors.lone_working_visit_get_for(actor, visit.pk)


@router.post(
    "/lone-working/visits/{visit_id}/extend", response={200: VisitOut, **WRITE_ERRORS}, summary="Extend a visit"
)
def extend(request: HttpRequest, visit_id: str, payload: ExtendIn) -> LoneWorkingVisit:
    actor = actor_of(request)
    visit = selectors.lone_working_visit_get_for(actor, record_id(visit_id))
    services.lone_working_extend(actor=actor, visit=visit, expected_end=payload.expected_end)
    return selectors.lone_working_visit_get_for(actor, visit.pk)


@router.post(
    "/lone-working/visits/{visit_id}/help",
    response={200: VisitOut, **WRITE_ERRORS},
    summary="I need help: alert the buddy and managers at once",
)
def ask_for_help(request: HttpRequest, visit_id: str) -> LoneWorkingVisit:
    actor = actor_of(request)
    visit = selectors.lone_working_visit_get_for(actor, record_id(visit_id))
    services.lone_working_help(actor=actor, visit=visit)
    return selectors.lone_working_visit_get_for(actor, visit.pk)
