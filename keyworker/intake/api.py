"""JSON endpoints for inbound referrals: thin, over intake selectors and services.

Referrals are seen and handled by the receiving team's casework staff only (policy.referrals_visible_to);
anyone else gets 404, as on the pages. Every response that shows a referral writes a view audit event, as the
referral pages do (with the client id once it is accepted); writes are audited by the services.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, page_of, record_id
from keyworker.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    PageOut,
    PageParams,
    RecordOut,
    StaffRef,
    TeamRef,
)
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, records_viewed
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.intake import services
from keyworker.intake.models import Referral, ReferralSource, ReferralStep, Urgency
from keyworker.intake.rules import hours_to_first_contact
from keyworker.intake.selectors import referral_get_for, referral_list_for, referral_steps
from keyworker.people.models import Gender

router = Router(tags=["referrals"])

MAX_VERSION = 2_147_483_647
StepStatus = Literal["contact_attempted", "assessed", "waiting_list", "declined", "withdrawn"]


# ---------------------------------------------------------------------------------------------- schemas


class ReferralOut(RecordOut):
    source: str
    source_label: str
    referrer_name: str
    referrer_organisation: str
    referrer_contact: str
    received_at: dt.datetime
    reason: str
    urgency: str
    display_name: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date | None
    gender: str
    phone: str
    home_area: str
    postcode: str
    may_phone: bool
    may_text: bool
    may_leave_voicemail: bool
    may_write: bool
    code_word: str
    safe_contact_note: str
    team: TeamRef
    status: str
    status_label: str
    status_reason: str
    first_contact_at: dt.datetime | None
    hours_to_first_contact: float | None
    client_id: uuid.UUID | None
    case_id: uuid.UUID | None
    received_by: StaffRef

    @staticmethod
    def resolve_source_label(obj: Referral) -> str:
        return obj.get_source_display()

    @staticmethod
    def resolve_status_label(obj: Referral) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_hours_to_first_contact(obj: Referral) -> float | None:
        return hours_to_first_contact(obj.received_at, obj.first_contact_at)


class StepOut(Schema):
    id: uuid.UUID
    status: str
    occurred_at: dt.datetime
    recorded_by: StaffRef
    note: str


class ReferralDetailOut(ReferralOut):
    steps: list[StepOut] = Field(description="The referral's dated history, oldest first.")

    @staticmethod
    def resolve_steps(obj: Referral) -> list[ReferralStep]:
        return list(referral_steps(obj))


class ReferralPageOut(PageOut):
    items: list[ReferralOut]


class ReferralFilters(Schema):
    status: Literal["open", "all"] = Field("open", description="Open referrals only (default), or all.")


class ReferralIn(InputSchema):
    source: str = Field(json_schema_extra={"enum": list(ReferralSource.values)})
    reason: str = Field(description="Why they were referred.")
    first_name: str = Field(max_length=100)
    urgency: str = Field(Urgency.ROUTINE.value, json_schema_extra={"enum": list(Urgency.values)})
    received_at: AwareDatetime | None = Field(None, description="When it arrived, with its time zone (default: now).")
    referrer_name: str = Field("", max_length=200)
    referrer_organisation: str = Field("", max_length=200)
    referrer_contact: str = Field("", max_length=200)
    last_name: str = Field("", max_length=100)
    preferred_name: str = Field("", max_length=100)
    date_of_birth: dt.date | None = None
    gender: str = Field(Gender.NOT_SAID.value, json_schema_extra={"enum": list(Gender.values)})
    phone: str = Field("", max_length=40)
    home_area: str = Field("", max_length=100)
    postcode: str = Field("", max_length=10)
    may_phone: bool = True
    may_text: bool = True
    may_leave_voicemail: bool = False
    may_write: bool = False
    code_word: str = Field("", max_length=60)
    safe_contact_note: str = Field("", max_length=5000)


class ReferralStatusIn(InputSchema):
    status: StepStatus = Field(description="Accepting has its own page: it checks for possible duplicates first.")
    version: int = Field(ge=1, le=MAX_VERSION, description="The referral's `version` as you read it.")
    reason: str = Field("", max_length=2000, description="Required when declined or withdrawn.")
    note: str = Field("", max_length=2000)
    occurred_at: AwareDatetime | None = Field(None, description="When, with its time zone (default: now).")


# -------------------------------------------------------------------------------------------- endpoints


def _referrals_actor(request: HttpRequest) -> User:
    """Referrals exist only for casework roles, as on the pages; anyone else is told not found."""
    actor = actor_of(request)
    if not policy.can_use_casework(actor):
        raise NotFound()
    return actor


def _viewed(actor: User, referral: Referral, what: str) -> None:
    audit_event_record(
        actor=actor, action=AuditAction.VIEW, obj=referral, client_id=referral.client_id, detail={"what": what}
    )


def _detail(actor: User, referral_id: uuid.UUID) -> Referral:
    """The referral as it is now (after a change), through the access policy."""
    return referral_get_for(actor, referral_id)


@router.get("/referrals", response={200: ReferralPageOut, **READ_ERRORS}, summary="Your team's referrals")
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters], paging: Query[PageParams]) -> dict:
    """Most urgent first, then oldest first."""
    actor = _referrals_actor(request)
    referrals = referral_list_for(actor, open_only=filters.status == "open").select_related("received_by")
    items, count = page_of(referrals, paging)
    records_viewed(actor, items, what="api:referral_list")
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": items}


@router.get("/referrals/{referral_id}", response={200: ReferralDetailOut, **READ_ERRORS}, summary="A referral")
def get_referral(request: HttpRequest, referral_id: str) -> Referral:
    actor = _referrals_actor(request)
    referral = referral_get_for(actor, record_id(referral_id))
    _viewed(actor, referral, "api:referral")
    return referral


@router.post("/referrals", response={201: ReferralDetailOut, **WRITE_ERRORS}, summary="Record an inbound referral")
def receive_referral(request: HttpRequest, payload: ReferralIn) -> Status[Referral]:
    """Into your own team."""
    actor = _referrals_actor(request)
    referral = services.referral_receive(actor=actor, **payload.model_dump())
    return Status(201, _detail(actor, referral.pk))


@router.post(
    "/referrals/{referral_id}/status",
    response={200: ReferralDetailOut, **WRITE_ERRORS},
    summary="Move a referral on (contact attempted, assessed, waiting list, declined, withdrawn)",
)
def change_referral_status(request: HttpRequest, referral_id: str, payload: ReferralStatusIn) -> Referral:
    actor = _referrals_actor(request)
    referral = referral_get_for(actor, record_id(referral_id))
    services.referral_set_status(
        actor=actor,
        referral=referral,
        status=payload.status,
        reason=payload.reason,
        note=payload.note,
        occurred_at=payload.occurred_at,
        expected_version=payload.version,
    )
    return _detail(actor, referral.pk)
