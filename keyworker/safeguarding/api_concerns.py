"""JSON endpoints for safeguarding concerns, over the same selectors and services as the pages.

A concern about the client is part of the client's record (its reads are audited against the client). A
concern about someone else is in reach only for the safeguarding lead and the member of staff who recorded it;
a client's own concerns endpoint never lists it, and says only `concern_about_someone_else: true`."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, record_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, ClientRef, InputSchema, RecordOut, StaffRef
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, NotFound
from keyworker.people.selectors import client_get_for
from keyworker.safeguarding.models import (
    Concern,
    ConcernAbout,
    ConcernActionKind,
    ConcernCategory,
    ConcernStatus,
    DisclosedBy,
    LawfulBasis,
)
from keyworker.safeguarding.selectors.concerns import (
    concern_flag_for,
    concern_get_for,
    concern_queue_for,
    concerns_about_client_for,
    concerns_raised_by,
)
from keyworker.safeguarding.services import concerns as concern_services
from keyworker.safeguarding.services.sharing import sharing_decision_record

router = Router(tags=["safeguarding"])

MAX_VERSION = 2_147_483_647
MAX_LISTED = 200


# ---------------------------------------------------------------------------------------------- schemas


class ThirdPartyOut(Schema):
    id: uuid.UUID
    version: int
    name: str
    description: str
    is_child: bool
    date_of_birth: dt.date | None
    phone: str
    address: str
    safe_contact_note: str


class ConcernActionOut(Schema):
    id: uuid.UUID
    kind: str
    taken_on: dt.date
    note: str
    taken_by: StaffRef


class SharingDecisionOut(Schema):
    id: uuid.UUID
    shared: bool
    shared_with: str
    lawful_basis: str
    reasons: str
    decided_by: StaffRef
    decided_at: dt.datetime


class ConcernSummaryOut(RecordOut):
    client: ClientRef = Field(description="The casework it arose in (for a concern about someone else, not them).")
    about: str = Field(json_schema_extra={"enum": list(ConcernAbout.values)})
    category: str
    disclosed_on: dt.date
    status: str
    review_on: dt.date
    recorded_by: StaffRef
    person_at_risk: str = Field(description='"The client", or the third party\'s name or description.')

    @staticmethod
    def resolve_person_at_risk(obj: Concern) -> str:
        return "The client" if obj.third_party is None else str(obj.third_party)


class ConcernOut(ConcernSummaryOut):
    disclosed_by: str
    what_was_disclosed: str
    closed_on: dt.date | None
    closing_note: str
    third_party: ThirdPartyOut | None
    actions: list[ConcernActionOut] = Field(description="Oldest first.")
    sharing_decisions: list[SharingDecisionOut] = Field(description="Oldest first.")

    @staticmethod
    def resolve_actions(obj: Concern) -> list:
        return list(obj.actions.all())

    @staticmethod
    def resolve_sharing_decisions(obj: Concern) -> list:
        return list(obj.sharing_decisions.all())


class ClientConcernsOut(Schema):
    concerns: list[ConcernOut] = Field(description="Concerns about the client themselves only.")
    concern_about_someone_else: bool = Field(
        description="A concern about someone else, not yet closed, arose in this client's casework: see the "
        "safeguarding lead. Nothing more about it is given here."
    )


class ThirdPartyIn(InputSchema):
    name: str = Field("", max_length=150)
    description: str = Field("", max_length=150, description='Who they are, e.g. "the client\'s girlfriend".')
    is_child: bool = False
    date_of_birth: dt.date | None = None
    phone: str = Field("", max_length=40)
    address: str = Field("", max_length=1000)
    safe_contact_note: str = Field("", max_length=2000)


class ActionIn(InputSchema):
    kind: str = Field(json_schema_extra={"enum": list(ConcernActionKind.values)})
    note: str = Field("", max_length=5000)
    taken_on: dt.date | None = Field(None, description="Today if not given.")


class SharingIn(InputSchema):
    shared: bool
    shared_with: str = Field("", max_length=200)
    lawful_basis: str = Field("", json_schema_extra={"enum": ["", *LawfulBasis.values]})
    reasons: str = Field(max_length=5000)


class ConcernIn(InputSchema):
    about: str = Field(json_schema_extra={"enum": list(ConcernAbout.values)})
    category: str = Field(json_schema_extra={"enum": list(ConcernCategory.values)})
    disclosed_by: str = Field(json_schema_extra={"enum": list(DisclosedBy.values)})
    disclosed_on: dt.date
    what_was_disclosed: str = Field(max_length=10_000)
    review_on: dt.date | None = Field(None, description="7 days after the disclosure if not given (2 if urgent).")
    third_party: ThirdPartyIn | None = Field(None, description="Required when about is third_party or child.")
    first_action: ActionIn | None = None
    sharing: SharingIn | None = None


class StatusIn(InputSchema):
    status: str = Field(json_schema_extra={"enum": list(ConcernStatus.values)})
    version: int = Field(ge=1, le=MAX_VERSION, description="The concern's `version` as you read it.")
    note: str = Field("", max_length=5000, description="Required to close.")


# -------------------------------------------------------------------------------------------- helpers


def _viewed(actor: User, concerns: list[Concern], what: str) -> None:
    """About the client: a view of their record. About someone else: one event naming no client."""
    clients_viewed(actor, ((c.client_id, c) for c in concerns if c.about == ConcernAbout.CLIENT), what=what)
    others = [str(c.pk) for c in concerns if c.about != ConcernAbout.CLIENT]
    if len(others) == 1:
        audit_event_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="safeguarding.concern",
            object_id=others[0],
            detail={"what": what},
        )
    elif others:
        audit_event_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="safeguarding.concern",
            object_id="list",
            detail={"what": what, "concerns": others},
        )


def _full(actor: User, concern_id: uuid.UUID) -> Concern:
    return concern_get_for(actor, concern_id)


def _acting_on(actor: User, concern_id: str) -> Concern:
    concern = _full(actor, record_id(concern_id))
    if not policy.can_act_on_concern(actor, concern):
        raise NotAllowed("Only the safeguarding lead or the person who recorded this concern can change it.")
    return concern


# -------------------------------------------------------------------------------------------- endpoints


@router.get(
    "/concerns",
    response={200: list[ConcernSummaryOut], **READ_ERRORS},
    summary="The safeguarding lead's queue (not yet closed, most overdue first); for casework staff, the "
    "concerns they raised",
)
def list_concerns(request: HttpRequest) -> list[Concern]:
    actor = actor_of(request)
    queue = concern_queue_for(actor) if policy.is_safeguarding_lead(actor) else concerns_raised_by(actor)
    concerns = list(queue[:MAX_LISTED])
    _viewed(actor, concerns, "api:concerns")
    return concerns


@router.get("/concerns/{concern_id}", response={200: ConcernOut, **READ_ERRORS}, summary="A concern in full")
def get_concern(request: HttpRequest, concern_id: str) -> Concern:
    actor = actor_of(request)
    concern = _full(actor, record_id(concern_id))
    _viewed(actor, [concern], "api:concern")
    return concern


@router.get(
    "/clients/{client_id}/concerns",
    response={200: ClientConcernsOut, **READ_ERRORS},
    summary="Concerns about the client, and whether a concern about someone else arose in their casework",
)
def list_client_concerns(request: HttpRequest, client_id: str) -> dict:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    concerns = list(
        concerns_about_client_for(actor, client)
        .select_related("client", "third_party")
        .prefetch_related("actions__taken_by", "sharing_decisions__decided_by")[:MAX_LISTED]
    )
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:client_concerns")
    return {"concerns": concerns, "concern_about_someone_else": concern_flag_for(actor, client)}


@router.post(
    "/clients/{client_id}/concerns",
    response={201: ConcernOut, **WRITE_ERRORS},
    summary="Record a concern raised in a client's casework (about them, or about someone else: kept on that "
    "person's own record); the safeguarding lead is told",
)
def create_concern(request: HttpRequest, client_id: str, payload: ConcernIn) -> Status[Concern]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    if not policy.can_record_concern(actor, client):
        raise NotFound()
    concern = concern_services.concern_record(
        actor=actor,
        client=client,
        about=payload.about,
        category=payload.category,
        disclosed_by=payload.disclosed_by,
        disclosed_on=payload.disclosed_on,
        what_was_disclosed=payload.what_was_disclosed,
        review_on=payload.review_on,
        third_party=payload.third_party.model_dump() if payload.third_party else None,
        first_action={"kind": payload.first_action.kind, "note": payload.first_action.note}
        if payload.first_action
        else None,
        sharing=payload.sharing.model_dump() if payload.sharing else None,
    )
    return Status(201, _full(actor, concern.pk))


@router.post(
    "/concerns/{concern_id}/actions",
    response={201: ConcernOut, **WRITE_ERRORS},
    summary="Record what was done (the safeguarding lead, or whoever recorded the concern)",
)
def add_concern_action(request: HttpRequest, concern_id: str, payload: ActionIn) -> Status[Concern]:
    actor = actor_of(request)
    concern = _acting_on(actor, concern_id)
    concern_services.concern_action_add(
        actor=actor, concern=concern, kind=payload.kind, note=payload.note, taken_on=payload.taken_on
    )
    return Status(201, _full(actor, concern.pk))


@router.post(
    "/concerns/{concern_id}/sharing-decisions",
    response={201: ConcernOut, **WRITE_ERRORS},
    summary="Record a decision to share, or not to share, with the lawful basis and the reasons",
)
def add_concern_sharing_decision(request: HttpRequest, concern_id: str, payload: SharingIn) -> Status[Concern]:
    actor = actor_of(request)
    concern = _acting_on(actor, concern_id)
    sharing_decision_record(
        actor=actor,
        concern=concern,
        shared=payload.shared,
        shared_with=payload.shared_with,
        lawful_basis=payload.lawful_basis,
        reasons=payload.reasons,
    )
    return Status(201, _full(actor, concern.pk))


@router.post(
    "/concerns/{concern_id}/status",
    response={200: ConcernOut, **WRITE_ERRORS},
    summary="Open, with the safeguarding lead, or closed (a note is needed to close; only the lead reopens)",
)
def change_concern_status(request: HttpRequest, concern_id: str, payload: StatusIn) -> Concern:
    actor = actor_of(request)
    concern = _acting_on(actor, concern_id)
    concern_services.concern_status_change(
        actor=actor, concern=concern, status=payload.status, note=payload.note, expected_version=payload.version
    )
    return _full(actor, concern.pk)
