"""JSON endpoints for a client's risk reviews (history, and recording a new one) and safety plan (read, and
write under optimistic locking). Both are part of the client's record: in reach exactly when the client is,
and every response showing them writes a view audit event. Thin, over the same selectors and services as the
pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, record_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, InputSchema, RecordOut, StaffRef
from keyworker.audit.services import client_viewed
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for
from keyworker.safeguarding.models import RelocationStatus, RiskLevel, RiskReview, RiskReviewOccasion, SafetyPlan
from keyworker.safeguarding.selectors.risk import current_unsafe_areas, risk_reviews_for, safety_plan_for
from keyworker.safeguarding.services import risk as risk_services

router = Router(tags=["safeguarding"])

MAX_VERSION = 2_147_483_647
LEVELS: dict[str, Any] = {"enum": list(RiskLevel.values)}


# ---------------------------------------------------------------------------------------------- schemas


class RiskReviewOut(RecordOut):
    occasion: str
    risk_to_self: str
    risk_to_others: str
    risk_from_others: str
    reasons: str
    reviewed_on: dt.date
    reviewed_by: StaffRef
    next_review_on: dt.date
    crisis_call_id: uuid.UUID | None


class RiskReviewCreatedOut(RiskReviewOut):
    rose: list[str] = Field(
        description="The levels that went up against the review before (or, for a first review, those judged "
        "high or very high). When any did, the managers of the client's teams have been told."
    )

    @staticmethod
    def resolve_rose(obj: RiskReview) -> list[str]:
        return list(getattr(obj, "rises", []))


class RiskReviewIn(InputSchema):
    occasion: str = Field(RiskReviewOccasion.SCHEDULED, json_schema_extra={"enum": list(RiskReviewOccasion.values)})
    risk_to_self: str = Field(json_schema_extra=LEVELS)
    risk_to_others: str = Field(json_schema_extra=LEVELS)
    risk_from_others: str = Field(json_schema_extra=LEVELS)
    reasons: str = Field(max_length=5000, description="Why each level was judged so: required.")
    next_review_on: dt.date = Field(description="Your choice; GET the page for a suggestion. Not in the past.")
    reviewed_on: dt.date | None = Field(None, description="Defaults to today; not in the future.")


class UnsafeAreaOut(Schema):
    kind: str
    area: str


class SafetyPlanOut(RecordOut):
    safe_areas: str
    safe_contacts: str
    emergency_plan: str
    relocation_status: str
    moved_on: dt.date | None
    next_check_in_on: dt.date | None
    updated_by: StaffRef


class SafetyPlanViewOut(Schema):
    plan: SafetyPlanOut | None = Field(description="Null when no safety plan has been written yet.")
    unsafe_areas: list[UnsafeAreaOut] = Field(description="The safety profile's current unsafe areas.")


class SafetyPlanIn(InputSchema):
    version: int | None = Field(
        None, ge=1, le=MAX_VERSION, description="The plan's `version` as you read it; null to write a first plan."
    )
    safe_areas: str = Field("", max_length=5000)
    safe_contacts: str = Field("", max_length=5000)
    emergency_plan: str = Field(max_length=5000, description="What to do in an emergency: required.")
    relocation_status: str = Field(
        RelocationStatus.NOT_NEEDED, json_schema_extra={"enum": list(RelocationStatus.values)}
    )
    moved_on: dt.date | None = Field(None, description="Required when relocation_status is moved.")
    next_check_in_on: dt.date | None = Field(None, description="After a move: on or after moved_on.")


# -------------------------------------------------------------------------------------------- endpoints


def _client(actor: User, client_id: str) -> Client:
    return client_get_for(actor, record_id(client_id))


@router.get(
    "/clients/{client_id}/risk-reviews",
    response={200: list[RiskReviewOut], **READ_ERRORS},
    summary="A client's risk reviews, newest first (the first is the current view)",
)
def list_risk_reviews(request: HttpRequest, client_id: str) -> list[RiskReview]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    reviews = list(risk_reviews_for(actor, client))
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:risk_reviews")
    return reviews


@router.post(
    "/clients/{client_id}/risk-reviews",
    response={201: RiskReviewCreatedOut, **WRITE_ERRORS},
    summary="Record a risk review (a rise tells the client's managers)",
)
def create_risk_review(request: HttpRequest, client_id: str, payload: RiskReviewIn) -> Status[RiskReview]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    review = risk_services.risk_review_record(
        actor=actor,
        client=client,
        occasion=payload.occasion,
        risk_to_self=payload.risk_to_self,
        risk_to_others=payload.risk_to_others,
        risk_from_others=payload.risk_from_others,
        reasons=payload.reasons,
        next_review_on=payload.next_review_on,
        reviewed_on=payload.reviewed_on,
    )
    return Status(201, review)


@router.get(
    "/clients/{client_id}/safety-plan",
    response={200: SafetyPlanViewOut, **READ_ERRORS},
    summary="A client's safety plan, with the unsafe areas from their safety profile",
)
def get_safety_plan(request: HttpRequest, client_id: str) -> dict[str, object]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    plan = safety_plan_for(actor, client)
    areas = current_unsafe_areas(client)
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:safety_plan")
    return {"plan": plan, "unsafe_areas": areas}


@router.put(
    "/clients/{client_id}/safety-plan",
    response={200: SafetyPlanOut, **WRITE_ERRORS},
    summary="Write or change a client's safety plan (send the version you read; 409 if someone saved first)",
)
def put_safety_plan(request: HttpRequest, client_id: str, payload: SafetyPlanIn) -> SafetyPlan:
    actor = actor_of(request)
    client = _client(actor, client_id)
    return risk_services.safety_plan_save(
        actor=actor,
        client=client,
        expected_version=payload.version,
        safe_areas=payload.safe_areas,
        safe_contacts=payload.safe_contacts,
        emergency_plan=payload.emergency_plan,
        relocation_status=payload.relocation_status,
        moved_on=payload.moved_on,
        next_check_in_on=payload.next_check_in_on,
    )
