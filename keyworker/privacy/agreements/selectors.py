"""Reading the register of sharing agreements, and what was shared under one, through the access policy.
The referrals and disclosures made under an agreement are parts of clients' records: a viewer sees only those
about clients in their reach (nothing is said about the rest); the total is the data protection officer's."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.privacy.models import Disclosure, SharingAgreement

__all__ = [
    "AgreementState",
    "agreement_disclosure_total",
    "agreement_disclosures_for",
    "agreement_referrals_for",
    "agreement_state",
    "sharing_agreement_get_for",
    "sharing_agreements_for",
    "sharing_agreements_in_force",
]


class AgreementState:
    NOT_YET = "Not yet in force"
    IN_FORCE = "In force"
    DUE_FOR_REVIEW = "Due for review"
    ENDED = "Ended"


def agreement_state(agreement: SharingAgreement, today: dt.date) -> str:
    """Which tag the register shows: ended, not yet in force, due for review (in force but its review date has
    come), or in force."""
    if agreement.ends_on is not None and agreement.ends_on < today:
        return AgreementState.ENDED
    if agreement.starts_on > today:
        return AgreementState.NOT_YET
    if agreement.review_on <= today:
        return AgreementState.DUE_FOR_REVIEW
    return AgreementState.IN_FORCE


def sharing_agreements_for(user: User) -> QuerySet[SharingAgreement]:
    """The whole register for whoever may read it; nothing for anyone else."""
    if not policy.can_see_sharing_agreements(user):
        return SharingAgreement.objects.none()
    return SharingAgreement.objects.select_related("recorded_by").order_by("partner", "title")


def sharing_agreements_in_force(user: User, day: dt.date) -> QuerySet[SharingAgreement]:
    """The agreements a worker may share under on `day` (the referral form's choices)."""
    from django.db.models import Q

    return sharing_agreements_for(user).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


def sharing_agreement_get_for(user: User, agreement_id: uuid.UUID | str) -> SharingAgreement:
    if not policy.can_see_sharing_agreements(user):
        raise NotFound()
    return one_or_not_found(sharing_agreements_for(user), pk=agreement_id)


def agreement_referrals_for(user: User, agreement: SharingAgreement) -> QuerySet:
    """Referrals out made under the agreement, about clients in the user's reach only."""
    return (
        policy.outbound_referrals_visible_to(user)
        .filter(sharing_agreement=agreement)
        .select_related("client", "service__organisation", "made_by")
        .order_by("-sent_on", "-created_at")
    )


def agreement_disclosures_for(user: User, agreement: SharingAgreement) -> QuerySet[Disclosure]:
    """Disclosures made under the agreement, about clients in the user's reach only."""
    return (
        Disclosure.objects.filter(client__in=policy.clients_visible_to(user), sharing_agreement=agreement)
        .select_related("client", "disclosed_by")
        .order_by("-disclosed_at")
    )


def agreement_disclosure_total(user: User, agreement: SharingAgreement) -> int | None:
    """How many disclosures were made under it in all: the data protection officer's figure, None for others
    (a count over clients out of reach would say something about them)."""
    if not policy.can_see_all_disclosures(user):
        return None
    return Disclosure.objects.filter(sharing_agreement=agreement).count()
