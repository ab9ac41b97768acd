"""JSON endpoints for cases, the contact log and tasks: thin, over casework selectors and services.

Every response that shows a client's records writes a view audit event; writes are audited by the services.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime, field_validator

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
    StaffRef,
    TeamRef,
)
from keyworker.audit.services import client_viewed
from keyworker.casework import selectors, services
from keyworker.casework.models import (
    Case,
    Contact,
    ContactAmendment,
    ContactKind,
    Pathway,
    Programme,
    Task,
)
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for

router = Router(tags=["casework"])

MAX_VERSION = 2_147_483_647  # the largest value the version column holds on every database
EARLIEST_YEAR = 1900  # dates before this are typing mistakes (and year 1 cannot be converted to UTC)

# Spelled out so the OpenAPI spec lists them; tests check they match the models and selectors.
CaseloadSort = Literal["name", "-name", "opened", "-opened", "reference", "-reference"]
CaseStatusFilter = Literal["open", "on_hold", "closed", "all"]


# ---------------------------------------------------------------------------------------------- schemas


class CaseRef(Schema):
    id: uuid.UUID
    reference: str


class CaseOut(RecordOut):
    reference: str
    client: ClientRef
    programme: str
    programme_label: str
    status: str
    status_label: str
    opened_on: dt.date
    closed_on: dt.date | None
    closure_reason: str
    closure_note: str
    keyworker: StaffRef | None
    team: TeamRef

    @staticmethod
    def resolve_programme_label(obj: Case) -> str:
        return obj.get_programme_display()

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return obj.get_status_display()


class CasePageOut(PageOut):
    items: list[CaseOut]


class CaseFilters(Schema):
    status: CaseStatusFilter = Field("open", description="A status, or `all`.")
    programme: Programme | None = None
    keyworker: Literal["me", "team"] = Field("team", description="Your own cases, or your team's.")
    sort: CaseloadSort = "name"


class AmendmentOut(RecordOut):
    text: str
    reason: str
    recorded_by: StaffRef


class ContactOut(RecordOut):
    client_id: uuid.UUID
    case: CaseRef | None
    kind: str
    kind_label: str
    occurred_at: dt.datetime
    duration_minutes: int | None
    location: str
    note: str = Field(description="As first recorded; corrections are in `amendments`, oldest first.")
    pathways: list[str]
    is_sensitive: bool
    recorded_by: StaffRef
    amendments: list[AmendmentOut]

    @staticmethod
    def resolve_kind_label(obj: Contact) -> str:
        return obj.get_kind_display()


class ContactPageOut(PageOut):
    items: list[ContactOut]


class ContactIn(InputSchema):
    kind: str = Field(json_schema_extra={"enum": list(ContactKind.values)})
    note: str = Field(description="What happened.")
    occurred_at: AwareDatetime | None = Field(
        None, description="When it happened, with its time zone (default: now). Not in the future."
    )
    duration_minutes: int | None = Field(None, description="0 to 1,440.")
    location: str = Field("", max_length=200)
    pathways: list[str] = Field(
        default_factory=list,
        max_length=len(Pathway.values) * 2,
        json_schema_extra={"items": {"type": "string", "enum": list(Pathway.values)}},
    )
    is_sensitive: bool = False

    @field_validator("occurred_at")
    @classmethod
    def _a_real_date(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.year < EARLIEST_YEAR:
            raise ValueError(f"Enter a date after {EARLIEST_YEAR}.")
        return value


class AmendmentIn(InputSchema):
    text: str = Field(description="The correction.")
    reason: str = Field(max_length=200, description="Why the note is being corrected.")


class TaskOut(RecordOut):
    title: str
    detail: str
    due_on: dt.date
    client: ClientRef | None
    case_id: uuid.UUID | None
    owner: StaffRef
    created_by_id: uuid.UUID
    completed_at: dt.datetime | None
    completed_by_id: uuid.UUID | None
    is_done: bool


class TaskPageOut(PageOut):
    items: list[TaskOut]


class TaskFilters(Schema):
    client: str | None = Field(None, description="Only this client's tasks (a client id).")
    include_done: bool = False


class TaskIn(InputSchema):
    title: str = Field(max_length=200)
    due_on: dt.date
    client_id: str | None = Field(None, description="The client the task is about, if any.")
    owner_id: str | None = Field(None, description="Who will do it: you (default) or a member of your team.")
    detail: str = ""


class CaseStatusIn(InputSchema):
    status: Literal["open", "on_hold", "closed"]
    version: int = Field(ge=1, le=MAX_VERSION, description="The case's `version` as you read it.")
    closure_reason: str = Field("", max_length=32, description="Required when closing: one of ClosureReason.")
    closure_note: str = Field("", max_length=5000)
    closed_on: dt.date | None = None


class TaskCompleteIn(InputSchema):
    version: int = Field(ge=1, le=MAX_VERSION, description="The task's `version` as you read it.")


# -------------------------------------------------------------------------------------------- endpoints


@router.get("/cases", response={200: CasePageOut, **READ_ERRORS}, summary="Caseload")
def list_cases(request: HttpRequest, filters: Query[CaseFilters], paging: Query[PageParams]) -> dict:
    actor = actor_of(request)
    cases = selectors.caseload_for(
        actor,
        status=None if filters.status == "all" else filters.status,
        programme=filters.programme,
        keyworker=filters.keyworker,
        sort=filters.sort,
    )
    items, count = page_of(cases, paging)
    record_views(actor, ((c.client_id, c) for c in items), what="api:case_list")
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": items}


@router.get("/cases/{case_id}", response={200: CaseOut, **READ_ERRORS}, summary="A case")
def get_case(request: HttpRequest, case_id: str) -> Case:
    actor = actor_of(request)
    case = selectors.case_get_for(actor, record_id(case_id))
    client_viewed(actor=actor, client_id=case.client_id, obj=case, what="api:case")
    return case


@router.post("/cases/{case_id}/status", response={200: CaseOut, **WRITE_ERRORS}, summary="Hold, resume or close a case")
def change_case_status(request: HttpRequest, case_id: str, payload: CaseStatusIn) -> Case:
    actor = actor_of(request)
    case = selectors.case_get_for(actor, record_id(case_id))
    return services.case_change_status(
        actor=actor,
        case=case,
        expected_version=payload.version,
        status=payload.status,
        closure_reason=payload.closure_reason,
        closure_note=payload.closure_note,
        closed_on=payload.closed_on,
    )


@router.get("/clients/{client_id}/cases", response={200: list[CaseOut], **READ_ERRORS}, summary="A client's cases")
def list_client_cases(request: HttpRequest, client_id: str) -> list[Case]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    cases = list(selectors.cases_of_client(client, actor))
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:client_cases")
    return cases


@router.get(
    "/clients/{client_id}/contacts",
    response={200: ContactPageOut, **READ_ERRORS},
    summary="A client's contact log, newest first",
)
def list_contacts(request: HttpRequest, client_id: str, paging: Query[PageParams]) -> dict:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    items, count = page_of(selectors.contact_list_for(actor, client), paging)
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:contact_list")
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": items}


@router.post("/clients/{client_id}/contacts", response={201: ContactOut, **WRITE_ERRORS}, summary="Record a contact")
def create_contact(request: HttpRequest, client_id: str, payload: ContactIn) -> Status[Contact]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    contact = services.contact_record(
        actor=actor,
        client=client,
        kind=payload.kind,
        note=payload.note,
        occurred_at=payload.occurred_at,
        duration_minutes=payload.duration_minutes,
        location=payload.location,
        pathways=payload.pathways,
        is_sensitive=payload.is_sensitive,
    )
    return Status(201, selectors.contact_get_for(actor, contact.pk))


@router.post(
    "/contacts/{contact_id}/amendments",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Correct a contact's note",
)
def create_amendment(request: HttpRequest, contact_id: str, payload: AmendmentIn) -> Status[ContactAmendment]:
    actor = actor_of(request)
    contact = selectors.contact_get_for(actor, record_id(contact_id))
    amendment = services.contact_amend(actor=actor, contact=contact, text=payload.text, reason=payload.reason)
    return Status(201, amendment)


@router.get("/tasks", response={200: TaskPageOut, **READ_ERRORS}, summary="Tasks, soonest due first")
def list_tasks(request: HttpRequest, filters: Query[TaskFilters], paging: Query[PageParams]) -> dict:
    actor = actor_of(request)
    client = None
    if filters.client is not None:
        client = client_get_for(actor, record_id(filters.client))
    tasks = selectors.task_list_for(actor, client=client, include_done=filters.include_done)
    items, count = page_of(tasks, paging)
    record_views(actor, ((t.client_id, t.client) for t in items if t.client), what="api:task_list")
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": items}


# The services name fields after the model; the API's request fields are ids.
TASK_FIELDS_BY_SERVICE_NAME = {"owner": "owner_id", "client": "client_id"}
OWNER_PROBLEM = ("Tasks can go to you or a member of your team.", "Choose someone in your team.")
CLIENT_PROBLEM = ("Choose a client you work with.", "Choose a client you work with.")


def _owner(actor: User, owner_id: str | None) -> User | None:
    """The member of staff a new task is for. Whether they may be given it is the service's decision;
    someone who does not exist gets the same answer as someone outside the team."""
    detail, message = OWNER_PROBLEM
    owner_pk = reference_id(owner_id, field="owner_id", detail=detail, message=message)
    if owner_pk is None:
        return None
    owner = assignable_staff_get_for(actor, owner_pk)
    if owner is None:
        raise ValidationFailed(detail, {"owner_id": [message]})
    return owner


def _task_client(actor: User, client_id: str | None) -> Client | None:
    detail, message = CLIENT_PROBLEM
    client_pk = reference_id(client_id, field="client_id", detail=detail, message=message)
    if client_pk is None:
        return None
    try:
        return client_get_for(actor, client_pk)
    except NotFound as exc:
        raise ValidationFailed(detail, {"client_id": [message]}) from exc


@router.post("/tasks", response={201: TaskOut, **WRITE_ERRORS}, summary="Create a task")
def create_task(request: HttpRequest, payload: TaskIn) -> Status[Task]:
    actor = actor_of(request)
    try:
        task = services.task_create(
            actor=actor,
            title=payload.title,
            due_on=payload.due_on,
            owner=_owner(actor, payload.owner_id),
            client=_task_client(actor, payload.client_id),
            detail=payload.detail,
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            exc.message, {TASK_FIELDS_BY_SERVICE_NAME.get(k, k): v for k, v in exc.field_errors.items()}
        ) from exc
    return Status(201, task)


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **WRITE_ERRORS}, summary="Mark a task done")
def complete_task(request: HttpRequest, task_id: str, payload: TaskCompleteIn) -> Task:
    actor = actor_of(request)
    task = selectors.task_get_for(actor, record_id(task_id))
    return services.task_complete(actor=actor, task=task, expected_version=payload.version)
