"""JSON endpoints for the on-call line: the rota, logging a crisis call, a call, and the morning handover.
Thin, over the same selectors and services as the pages; every response that shows a client's call writes a
view audit event."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from keyworker.api.common import actor_of, record_id
from keyworker.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    ClientRef,
    InputSchema,
    PlausibleDate,
    RecordOut,
    StaffRef,
)
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.people.selectors import client_get_for
from keyworker.safeguarding.models import CrisisCall, LawfulBasis, OnCallShift
from keyworker.safeguarding.rules import LONDON
from keyworker.safeguarding.selectors.on_call import crisis_call_get_for, handover_for, rota_for
from keyworker.safeguarding.services.on_call import crisis_call_log

router = Router(tags=["on call"])

MAX_ROTA_DAYS = 62


class ShiftOut(Schema):
    id: uuid.UUID
    worker: StaffRef
    starts_at: dt.datetime
    ends_at: dt.datetime


class RotaParams(Schema):
    start: PlausibleDate | None = Field(None, description="The first day (London); today if not given.")
    days: int = Field(14, ge=1, le=MAX_ROTA_DAYS)


class CallSharingDecisionOut(Schema):
    # Not "SharingDecisionOut": OpenAPI components are keyed by class name, and the concern's schema of that
    # name (with an id) would be documented for both.
    shared: bool
    shared_with: str
    lawful_basis: str
    reasons: str
    decided_by: StaffRef
    decided_at: dt.datetime


class RaisedTaskOut(Schema):
    id: uuid.UUID
    title: str
    due_on: dt.date
    owner: StaffRef
    done: bool

    @staticmethod
    def resolve_done(obj: object) -> bool:
        return getattr(obj, "completed_at", None) is not None


class CrisisCallOut(RecordOut):
    client: ClientRef
    received_at: dt.datetime
    caller: str
    what_happened: str
    advice_given: str
    actions_taken: str
    taken_by: StaffRef
    break_glass: bool = Field(description="Logged on a record the worker had opened by break-glass.")
    sharing_decisions: list[CallSharingDecisionOut]
    tasks_raised: list[RaisedTaskOut] = Field(description="The follow-up and risk-review tasks the call raised.")

    @staticmethod
    def resolve_sharing_decisions(obj: CrisisCall) -> list:
        return list(obj.sharing_decisions.all())

    @staticmethod
    def resolve_tasks_raised(obj: CrisisCall) -> list:
        return list(getattr(obj, "tasks_raised", []))


class CrisisCallIn(InputSchema):
    received_at: AwareDatetime | None = Field(None, description="When the call came in; now if not given.")
    caller: str = Field(max_length=150, description='Who called, e.g. "the client", "his mother".')
    what_happened: str = Field(max_length=10_000)
    advice_given: str = Field(max_length=10_000)
    actions_taken: str = Field("", max_length=10_000)
    shared: bool = Field(description="Whether information about the client was shared outside the charity.")
    shared_with: str = Field("", max_length=200, description="Required when shared.")
    lawful_basis: str = Field(
        "", json_schema_extra={"enum": ["", *LawfulBasis.values]}, description="Required when shared."
    )
    sharing_reasons: str = Field(max_length=5000, description="Why it was shared, or why not: required either way.")
    follow_up: str = Field(max_length=200, description="A task for the client's keyworker.")
    follow_up_due: dt.date | None = Field(None, description="The next working morning if not given.")
    risk_review_needed: bool = Field(True, description="Also raise a task to review the client's risk.")


class HandoverOut(Schema):
    morning: dt.date
    start: dt.datetime
    end: dt.datetime
    calls: list[CrisisCallOut]


@router.get(
    "/on-call/rota",
    response={200: list[ShiftOut], **READ_ERRORS},
    summary="Who is on call, day by day (14 days from today unless asked)",
)
def get_rota(request: HttpRequest, params: Query[RotaParams]) -> list[OnCallShift]:
    actor = actor_of(request)
    first = params.start or timezone.localdate()
    start = dt.datetime.combine(first, dt.time(0, 0), tzinfo=LONDON)
    return list(rota_for(actor, start, start + dt.timedelta(days=params.days)))


@router.post(
    "/clients/{client_id}/crisis-calls",
    response={201: CrisisCallOut, **WRITE_ERRORS},
    summary="Log a crisis call, with its sharing decision; raises the keyworker's follow-up and risk-review tasks",
)
def create_crisis_call(request: HttpRequest, client_id: str, payload: CrisisCallIn) -> Status[CrisisCall]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    call = crisis_call_log(actor=actor, client=client, **payload.model_dump())
    return Status(201, crisis_call_get_for(actor, call.pk))


@router.get("/crisis-calls/{call_id}", response={200: CrisisCallOut, **READ_ERRORS}, summary="A crisis call")
def get_crisis_call(request: HttpRequest, call_id: str) -> CrisisCall:
    actor = actor_of(request)
    call = crisis_call_get_for(actor, record_id(call_id))
    client_viewed(actor=actor, client_id=call.client_id, obj=call, what="api:crisis_call")
    return call


@router.get(
    "/on-call/handover",
    response={200: HandoverOut, **READ_ERRORS},
    summary="The morning handover: crisis calls since the last working day's close, for clients in reach",
)
def get_handover(request: HttpRequest, morning: PlausibleDate | None = None) -> dict:
    # `morning` is bounded: centuries ago London's offset was local mean time, which no date-time can carry.
    actor = actor_of(request)
    found = handover_for(actor, morning or timezone.localdate())
    clients_viewed(actor, ((call.client_id, call) for call in found.calls), what="api:handover")
    return {"morning": found.morning, "start": found.start, "end": found.end, "calls": found.calls}
