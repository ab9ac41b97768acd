"""JSON endpoints for the register of sharing agreements (read-only; no personal data, so no view audit).
Thin, over the same selectors as the pages: whoever may read the register gets it, anyone else 404."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from keyworker.api.common import actor_of, record_id
from keyworker.api.schemas import READ_ERRORS, RecordOut, StaffRef
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.privacy.agreements.selectors import agreement_state, sharing_agreement_get_for, sharing_agreements_for
from keyworker.privacy.models import SharingAgreement

router = Router(tags=["sharing agreements"])

MAX_LISTED = 500


class SharingAgreementOut(RecordOut):
    partner: str
    title: str
    purpose: str
    lawful_basis: str
    data_shared: str
    starts_on: dt.date
    review_on: dt.date
    ends_on: dt.date | None
    document_reference: str
    recorded_by: StaffRef
    state: str = Field(description="Today: In force, Due for review, Not yet in force or Ended.")

    @staticmethod
    def resolve_state(obj: SharingAgreement) -> str:
        return agreement_state(obj, timezone.localdate())


class SharingAgreementRef(Schema):
    id: uuid.UUID
    title: str


@router.get(
    "/sharing-agreements",
    response={200: list[SharingAgreementOut], **READ_ERRORS},
    summary="The register of information-sharing agreements",
)
def list_sharing_agreements(request: HttpRequest) -> list[SharingAgreement]:
    actor = actor_of(request)
    if not policy.can_see_sharing_agreements(actor):
        raise NotFound()
    return list(sharing_agreements_for(actor)[:MAX_LISTED])


@router.get(
    "/sharing-agreements/{agreement_id}",
    response={200: SharingAgreementOut, **READ_ERRORS},
    summary="One information-sharing agreement",
)
def get_sharing_agreement(request: HttpRequest, agreement_id: str) -> SharingAgreement:
    return sharing_agreement_get_for(actor_of(request), record_id(agreement_id))
