"""JSON endpoints for the services directory (no personal data), referrals out to a service (part of the
client's record: every response showing one writes a view audit event) and signposting (the caller's own
records; the safeguarding lead's are everyone's). Thin, over the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, record_id, reference_id
from keyworker.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    ClientRef,
    InputSchema,
    QueryParams,
    RecordOut,
    StaffRef,
)
from keyworker.audit.services import client_viewed
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.people.selectors import client_get_for
from keyworker.privacy.agreements.selectors import sharing_agreement_get_for
from keyworker.privacy.models import SharingAgreement
from keyworker.services.models import (
    OutboundOutcome,
    OutboundReferral,
    OutboundStatus,
    Service,
    ServiceCategory,
    Signposting,
    SignpostingMethod,
)
from keyworker.services.selectors.directory import service_get_for, service_search_for
from keyworker.services.selectors.referrals import outbound_referral_get_for, outbound_referrals_of
from keyworker.services.selectors.signposting import signposting_list_for
from keyworker.services.services import referrals as referral_services
from keyworker.services.services import signposting as signposting_services

router = Router(tags=["services"])

MAX_VERSION = 2_147_483_647
MAX_LISTED = 200


# ---------------------------------------------------------------------------------------------- schemas


class OrganisationRef(Schema):
    id: uuid.UUID
    name: str


class ServiceOut(Schema):
    id: uuid.UUID
    organisation: OrganisationRef
    name: str
    category: str
    description: str
    phone: str
    email: str
    website: str
    contact_notes: str
    opening_hours: str
    criteria: str
    referral_method: str
    area_covered: str
    is_national: bool
    is_helpline: bool
    is_active: bool


class ServiceRef(Schema):
    id: uuid.UUID
    name: str
    organisation: OrganisationRef


class ServiceSearch(QueryParams):
    q: str = Field("", max_length=100, description="Words in the name, the organisation or the description.")
    category: str = Field("", json_schema_extra={"enum": ["", *ServiceCategory.values]})
    area: str = Field("", max_length=60, description="A borough; national services always match.")


class UpdateOut(Schema):
    status: str
    occurred_on: dt.date
    note: str
    recorded_by: StaffRef


class OutboundReferralOut(RecordOut):
    client: ClientRef
    service: ServiceRef
    reason: str
    shared: str
    basis: str = Field(description="The consent or lawful basis it was sent on.")
    status: str
    sent_on: dt.date | None
    follow_up_on: dt.date | None
    first_appointment_at: dt.datetime | None
    status_reason: str
    outcome: str
    outcome_note: str
    ended_on: dt.date | None
    made_by: StaffRef
    sharing_agreement_id: uuid.UUID | None = Field(
        description="The information-sharing agreement it was made under (GET /sharing-agreements/{id}), if any."
    )


class OutboundReferralDetailOut(OutboundReferralOut):
    updates: list[UpdateOut] = Field(description="Oldest first.")

    @staticmethod
    def resolve_updates(obj: OutboundReferral) -> list:
        return list(obj.updates.all())


class OutboundReferralIn(InputSchema):
    service_id: str = Field(description="A service from GET /services.")
    reason: str = Field(max_length=5000)
    shared: str = Field("", max_length=5000, description="What is shared with the service; needed to send.")
    follow_up_on: dt.date | None = None
    send: bool = Field(False, description="Send now (needs consent or a lawful basis); otherwise a draft.")
    sharing_agreement_id: str | None = Field(
        None, description="An agreement in force with the partner, from GET /sharing-agreements (optional)."
    )


class VersionIn(InputSchema):
    version: int = Field(ge=1, le=MAX_VERSION, description="The referral's `version` as you read it.")


class OutboundStatusIn(InputSchema):
    status: str = Field(json_schema_extra={"enum": [s for s in OutboundStatus.values if s != OutboundStatus.SENT]})
    version: int = Field(ge=1, le=MAX_VERSION, description="The referral's `version` as you read it.")
    occurred_on: dt.date
    note: str = Field("", max_length=5000)
    reason: str = Field("", max_length=5000, description="Required when declined or withdrawn.")
    first_appointment_at: AwareDatetime | None = Field(None, description="Required for a first appointment.")
    outcome: str = Field("", json_schema_extra={"enum": ["", *OutboundOutcome.values]})
    outcome_note: str = Field("", max_length=5000)


class SignpostingOut(Schema):
    id: uuid.UUID
    service: ServiceRef
    given_on: dt.date
    method: str
    who: str
    note: str
    given_by: StaffRef


class SignpostingIn(InputSchema):
    """No client, case or person field exists here, by design: unknown fields are refused."""

    service_id: str
    given_on: dt.date
    method: str = Field(SignpostingMethod.IN_PERSON, json_schema_extra={"enum": list(SignpostingMethod.values)})
    who: str = Field("", max_length=100, description="A description, not a name.")
    note: str = Field("", max_length=2000)


# -------------------------------------------------------------------------------------------- helpers


def _service(actor: User, value: str) -> Service:
    message = "Choose a service from GET /services."
    pk = reference_id(value, field="service_id", detail=message, message=message)
    try:
        return service_get_for(actor, pk or "")
    except NotFound as exc:
        raise ValidationFailed(message, {"service_id": [message]}) from exc


def _agreement(actor: User, value: str | None) -> SharingAgreement | None:
    if not value:
        return None
    message = "Choose an agreement from GET /sharing-agreements."
    pk = reference_id(value, field="sharing_agreement_id", detail=message, message=message)
    try:
        return sharing_agreement_get_for(actor, pk or "")
    except NotFound as exc:
        raise ValidationFailed(message, {"sharing_agreement_id": [message]}) from exc


def _detail(actor: User, referral_id: uuid.UUID) -> OutboundReferral:
    return outbound_referral_get_for(actor, referral_id)


# -------------------------------------------------------------------------------------------- endpoints


@router.get("/services", response={200: list[ServiceOut], **READ_ERRORS}, summary="Search the services directory")
def list_services(request: HttpRequest, params: Query[ServiceSearch]) -> list[Service]:
    actor = actor_of(request)
    if not policy.can_use_services_directory(actor):
        raise NotFound()
    if params.category and params.category not in ServiceCategory.values:
        message = f"One of {', '.join(ServiceCategory.values)}."
        raise ValidationFailed("Unknown kind of service.", {"category": [message]})
    return list(service_search_for(actor, words=params.q, category=params.category, area=params.area)[:MAX_LISTED])


@router.get("/services/{service_id}", response={200: ServiceOut, **READ_ERRORS}, summary="A service")
def get_service(request: HttpRequest, service_id: str) -> Service:
    return service_get_for(actor_of(request), record_id(service_id))


@router.get(
    "/clients/{client_id}/outbound-referrals",
    response={200: list[OutboundReferralOut], **READ_ERRORS},
    summary="A client's referrals out to services, newest first",
)
def list_outbound_referrals(request: HttpRequest, client_id: str) -> list[OutboundReferral]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    referrals = list(outbound_referrals_of(actor, client))
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:outbound_referrals")
    return referrals


@router.post(
    "/clients/{client_id}/outbound-referrals",
    response={201: OutboundReferralDetailOut, **WRITE_ERRORS},
    summary="Refer a client to a service (a draft, or sent with `send`)",
)
def create_outbound_referral(
    request: HttpRequest, client_id: str, payload: OutboundReferralIn
) -> Status[OutboundReferral]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    service = _service(actor, payload.service_id)
    referral = referral_services.outbound_referral_create(
        actor=actor,
        client=client,
        service=service,
        reason=payload.reason,
        shared=payload.shared,
        follow_up_on=payload.follow_up_on,
        send=payload.send,
        sharing_agreement=_agreement(actor, payload.sharing_agreement_id),
    )
    return Status(201, _detail(actor, referral.pk))


@router.get(
    "/outbound-referrals/{referral_id}",
    response={200: OutboundReferralDetailOut, **READ_ERRORS},
    summary="A referral out with its updates",
)
def get_outbound_referral(request: HttpRequest, referral_id: str) -> OutboundReferral:
    actor = actor_of(request)
    referral = _detail(actor, record_id(referral_id))
    client_viewed(actor=actor, client_id=referral.client_id, obj=referral, what="api:outbound_referral")
    return referral


@router.post(
    "/outbound-referrals/{referral_id}/send",
    response={200: OutboundReferralDetailOut, **WRITE_ERRORS},
    summary="Send a draft (refused, with the reason, without consent or a lawful basis)",
)
def send_outbound_referral(request: HttpRequest, referral_id: str, payload: VersionIn) -> OutboundReferral:
    actor = actor_of(request)
    referral = _detail(actor, record_id(referral_id))
    referral_services.outbound_referral_send(actor=actor, referral=referral, expected_version=payload.version)
    return _detail(actor, referral.pk)


@router.post(
    "/outbound-referrals/{referral_id}/status",
    response={200: OutboundReferralDetailOut, **WRITE_ERRORS},
    summary="Record what happened next (accepted, declined, first appointment, attended, completed, withdrawn)",
)
def update_outbound_referral(request: HttpRequest, referral_id: str, payload: OutboundStatusIn) -> OutboundReferral:
    actor = actor_of(request)
    referral = _detail(actor, record_id(referral_id))
    referral_services.outbound_referral_update_status(
        actor=actor,
        referral=referral,
        expected_version=payload.version,
        status=payload.status,
        occurred_on=payload.occurred_on,
        note=payload.note,
        reason=payload.reason,
        first_appointment_at=payload.first_appointment_at,
        outcome=payload.outcome,
        outcome_note=payload.outcome_note,
    )
    return _detail(actor, referral.pk)


@router.get(
    "/signposting",
    response={200: list[SignpostingOut], **READ_ERRORS},
    summary="Your signposting records (the safeguarding lead: everyone's), newest first",
)
def list_signposting(request: HttpRequest) -> list[Signposting]:
    actor = actor_of(request)
    return list(signposting_list_for(actor)[:MAX_LISTED])


@router.post(
    "/signposting",
    response={201: SignpostingOut, **WRITE_ERRORS},
    summary="Record information given to someone who is not a client",
)
def create_signposting(request: HttpRequest, payload: SignpostingIn) -> Status[Signposting]:
    actor = actor_of(request)
    if not policy.can_signpost(actor):
        raise NotFound()
    record = signposting_services.signposting_record(
        actor=actor,
        service=_service(actor, payload.service_id),
        given_on=payload.given_on,
        method=payload.method,
        who=payload.who,
        note=payload.note,
    )
    return Status(201, record)

