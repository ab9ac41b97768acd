"""JSON endpoints for DASH risk checklists, MARAC referrals and NRM referrals on a concern. Each is in reach
exactly when its concern is (anyone else: 404); changing anything needs the safeguarding lead or the person
who recorded the concern (others who can see it: 403). Reads are audited like the pages: in the client's trail
only for a concern about the client."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from keyworker.api.common import actor_of, record_id, reference_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, InputSchema, RecordOut, StaffRef
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, clients_viewed
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.safeguarding.models import DashAssessment, LawfulBasis, MaracReferral, NrmDecision, NrmReferral
from keyworker.safeguarding.rules import marac_threshold
from keyworker.safeguarding.selectors import (
    concern_get_for,
    dash_for_concern,
    dash_get_for,
    marac_referral_get_for,
    nrm_chases_due_for,
    nrm_referral_get_for,
    nrm_referrals_open_for,
)
from keyworker.safeguarding.services import assessments as assessment_services
from keyworker.safeguarding.services.assessments import assessment_viewed

router = Router(tags=["safeguarding: DASH, MARAC and NRM"])

MAX_VERSION = 2_147_483_647
MAX_LISTED = 200
ANSWER_VALUES = ["yes", "no", "not_known"]


# ---------------------------------------------------------------------------------------------- schemas


class DashIn(InputSchema):
    answers: dict[str, str] = Field(
        description='All 24 questions, by number: {"1": "yes", "2": "no", ..., "24": "not_known"}.',
        examples=[{str(n): "no" for n in range(1, 25)}],
    )
    incidents_in_last_12_months: int | None = Field(None, ge=0, le=999)
    professional_judgement: bool = Field(False, description="Judged high risk whatever the score; needs reasons.")
    judgement_reasons: str = Field("", max_length=10_000)
    completed_on: dt.date


class DashOut(RecordOut):
    concern_id: uuid.UUID
    answers: dict[str, str]
    score: int = Field(description='The number of "yes" answers.')
    incidents_in_last_12_months: int | None
    professional_judgement: bool
    judgement_reasons: str
    meets_marac_threshold: bool
    threshold_reasons: list[str] = Field(description="Why it does or does not meet the MARAC threshold.")
    completed_on: dt.date
    completed_by: StaffRef

    @staticmethod
    def resolve_threshold_reasons(obj: DashAssessment) -> list[str]:
        return marac_threshold(obj.score, obj.incidents_in_last_12_months, obj.professional_judgement)[1]


class PersonAtRiskOut(Schema):
    name: str
    description: str
    is_child: bool
    date_of_birth: dt.date | None
    phone: str
    address: str
    safe_contact_note: str


class PerpetratorOut(Schema):
    name: str
    date_of_birth: dt.date | None
    address: str
    postcode: str


class MaracDraftOut(Schema):
    dash_id: uuid.UUID | None
    marac_area: str
    threshold_reasons: str
    summary: str
    person_at_risk: PersonAtRiskOut
    alleged_perpetrator: PerpetratorOut | None = Field(description="For a concern about someone else: the client.")
    meets_threshold: bool


class DraftQuery(Schema):
    dash_id: str | None = Field(None, description="A DASH checklist on the concern; the latest if not given.")


class MaracIn(InputSchema):
    dash_id: str | None = Field(None, description="The DASH checklist the referral rests on, if any.")
    marac_area: str = Field(max_length=120)
    threshold_reasons: str = Field(max_length=10_000)
    summary: str = Field(max_length=10_000)
    referred_on: dt.date
    lawful_basis: str = Field(
        LawfulBasis.SAFEGUARDING,
        json_schema_extra={"enum": [b for b in LawfulBasis.values if b != LawfulBasis.NOT_APPLICABLE]},
    )
    sharing_reasons: str = Field(max_length=10_000, description="Why sharing with the MARAC is right.")


class MaracOut(RecordOut):
    concern_id: uuid.UUID
    dash_id: uuid.UUID | None
    marac_area: str
    threshold_reasons: str
    summary: str
    referred_on: dt.date
    referred_by: StaffRef
    meeting_on: dt.date | None


class NrmIn(InputSchema):
    first_responder: str = Field(max_length=150)
    referred_on: dt.date
    is_adult: bool = True
    consent_given: bool | None = Field(None, description="Adults: consent, or else a Duty to Notify date.")
    duty_to_notify_on: dt.date | None = None
    next_chase_on: dt.date | None = None
    notes: str = Field("", max_length=10_000)


class NrmUpdateIn(InputSchema):
    version: int = Field(ge=1, le=MAX_VERSION, description="The referral's `version` as you read it.")
    reasonable_grounds: str = Field(json_schema_extra={"enum": list(NrmDecision.values)})
    reasonable_grounds_on: dt.date | None = None
    conclusive_grounds: str = Field(json_schema_extra={"enum": list(NrmDecision.values)})
    conclusive_grounds_on: dt.date | None = None
    next_chase_on: dt.date | None = None
    notes: str = Field("", max_length=10_000)


class NrmOut(RecordOut):
    concern_id: uuid.UUID
    first_responder: str
    referred_on: dt.date
    is_adult: bool
    consent_given: bool | None
    duty_to_notify_on: dt.date | None
    reasonable_grounds: str
    reasonable_grounds_on: dt.date | None
    conclusive_grounds: str
    conclusive_grounds_on: dt.date | None
    next_chase_on: dt.date | None
    notes: str
    recorded_by: StaffRef


class NrmListQuery(Schema):
    due_within_days: int | None = Field(
        None, ge=0, le=366, description="Only chases due within this many days (overdue and undated included)."
    )


# -------------------------------------------------------------------------------------------- helpers


def _dash_ref(actor: Any, concern: Any, value: str | None) -> DashAssessment | None:
    message = "Choose a DASH risk checklist on this concern."
    pk = reference_id(value, field="dash_id", detail=message, message=message)
    if pk is None:
        return None
    try:
        return dash_for_concern(actor, concern, pk)
    except NotFound as exc:
        raise ValidationFailed(message, {"dash_id": [message]}) from exc


# -------------------------------------------------------------------------------------------- endpoints


@router.post(
    "/concerns/{concern_id}/dash",
    response={201: DashOut, **WRITE_ERRORS},
    summary="Complete a DASH risk checklist (the score and the MARAC threshold are worked out, never sent)",
)
def create_dash(request: HttpRequest, concern_id: str, payload: DashIn) -> Status[DashAssessment]:
    actor = actor_of(request)
    concern = concern_get_for(actor, record_id(concern_id))
    dash = assessment_services.dash_complete(
        actor=actor,
        concern=concern,
        answers=payload.answers,
        incidents_in_last_12_months=payload.incidents_in_last_12_months,
        professional_judgement=payload.professional_judgement,
        judgement_reasons=payload.judgement_reasons,
        completed_on=payload.completed_on,
    )
    return Status(201, dash_get_for(actor, dash.pk))


@router.get("/dash/{dash_id}", response={200: DashOut, **READ_ERRORS}, summary="A DASH risk checklist")
def get_dash(request: HttpRequest, dash_id: str) -> DashAssessment:
    actor = actor_of(request)
    dash = dash_get_for(actor, record_id(dash_id))
    assessment_viewed(actor, dash.concern, dash, "api:dash")
    return dash


@router.get(
    "/concerns/{concern_id}/marac-draft",
    response={200: MaracDraftOut, **READ_ERRORS},
    summary="A MARAC referral filled in from the concern, its DASH and the person's record (nothing is saved)",
)
def get_marac_draft(request: HttpRequest, concern_id: str, params: Query[DraftQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    concern = concern_get_for(actor, record_id(concern_id))
    dash: DashAssessment | None
    if params.dash_id is not None:
        dash = dash_for_concern(actor, concern, record_id(params.dash_id))
    else:
        dash = concern.dash_assessments.first()
    draft = assessment_services.marac_referral_draft(concern, dash)
    assessment_viewed(actor, concern, concern, "api:marac_draft")
    return draft


@router.post(
    "/concerns/{concern_id}/marac-referrals",
    response={201: MaracOut, **WRITE_ERRORS},
    summary="Refer to MARAC (also records the action and the decision to share with the MARAC)",
)
def create_marac_referral(request: HttpRequest, concern_id: str, payload: MaracIn) -> Status[MaracReferral]:
    actor = actor_of(request)
    concern = concern_get_for(actor, record_id(concern_id))
    referral = assessment_services.marac_referral_make(
        actor=actor,
        concern=concern,
        dash=_dash_ref(actor, concern, payload.dash_id),
        marac_area=payload.marac_area,
        threshold_reasons=payload.threshold_reasons,
        summary=payload.summary,
        referred_on=payload.referred_on,
        lawful_basis=payload.lawful_basis,
        sharing_reasons=payload.sharing_reasons,
    )
    return Status(201, marac_referral_get_for(actor, referral.pk))


@router.get("/marac-referrals/{referral_id}", response={200: MaracOut, **READ_ERRORS}, summary="A MARAC referral")
def get_marac_referral(request: HttpRequest, referral_id: str) -> MaracReferral:
    actor = actor_of(request)
    referral = marac_referral_get_for(actor, record_id(referral_id))
    assessment_viewed(actor, referral.concern, referral, "api:marac_referral")
    return referral


@router.post(
    "/concerns/{concern_id}/nrm-referrals",
    response={201: NrmOut, **WRITE_ERRORS},
    summary="Record an NRM referral made by a first responder (adults: consent or a Duty to Notify date)",
)
def create_nrm_referral(request: HttpRequest, concern_id: str, payload: NrmIn) -> Status[NrmReferral]:
    actor = actor_of(request)
    concern = concern_get_for(actor, record_id(concern_id))
    referral = assessment_services.nrm_referral_record(actor=actor, concern=concern, **payload.dict())
    return Status(201, nrm_referral_get_for(actor, referral.pk))


@router.get(
    "/nrm-referrals",
    response={200: list[NrmOut], **READ_ERRORS},
    summary="NRM referrals in reach still awaiting a decision, the next chase first",
)
def list_nrm_referrals(request: HttpRequest, params: Query[NrmListQuery]) -> list[NrmReferral]:
    actor = actor_of(request)
    if params.due_within_days is None:
        referrals = list(nrm_referrals_open_for(actor)[:MAX_LISTED])
    else:
        referrals = list(nrm_chases_due_for(actor, params.due_within_days)[:MAX_LISTED])
    clients_viewed(
        actor, [(r.concern.client_id, r) for r in referrals if r.concern.is_about_client], what="api:nrm_referrals"
    )
    if any(not r.concern.is_about_client for r in referrals):
        audit_event_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="safeguarding.nrmreferral",
            object_id="list",
            detail={"what": "api:nrm_referrals", "shown": len(referrals)},
        )
    return referrals


@router.get("/nrm-referrals/{referral_id}", response={200: NrmOut, **READ_ERRORS}, summary="An NRM referral")
def get_nrm_referral(request: HttpRequest, referral_id: str) -> NrmReferral:
    actor = actor_of(request)
    referral = nrm_referral_get_for(actor, record_id(referral_id))
    assessment_viewed(actor, referral.concern, referral, "api:nrm_referral")
    return referral


@router.post(
    "/nrm-referrals/{referral_id}",
    response={200: NrmOut, **WRITE_ERRORS},
    summary="Record the reasonable- and conclusive-grounds decisions and the next chase (send `version`)",
)
def update_nrm_referral(request: HttpRequest, referral_id: str, payload: NrmUpdateIn) -> NrmReferral:
    actor = actor_of(request)
    referral = nrm_referral_get_for(actor, record_id(referral_id))
    data = payload.dict()
    version = data.pop("version")
    assessment_services.nrm_referral_update(actor=actor, referral=referral, expected_version=version, **data)
    return nrm_referral_get_for(actor, referral.pk)
