"""Reading DASH checklists, MARAC referrals and NRM referrals: each is in reach exactly when its concern is
(core.policy.concerns_visible_to); anything else is not found."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.safeguarding.models import Concern, DashAssessment, MaracReferral, NrmDecision, NrmReferral

__all__ = [
    "dash_for_concern",
    "dash_get_for",
    "marac_referral_get_for",
    "nrm_chases_due_for",
    "nrm_referral_get_for",
    "nrm_referrals_open_for",
]

_CONCERN = ("concern", "concern__client", "concern__third_party")


def dash_get_for(user: User, dash_id: uuid.UUID | str) -> DashAssessment:
    return one_or_not_found(
        DashAssessment.objects.filter(concern__in=policy.concerns_visible_to(user)).select_related(
            *_CONCERN, "completed_by"
        ),
        pk=dash_id,
    )


def marac_referral_get_for(user: User, referral_id: uuid.UUID | str) -> MaracReferral:
    return one_or_not_found(
        MaracReferral.objects.filter(concern__in=policy.concerns_visible_to(user)).select_related(
            *_CONCERN, "dash", "referred_by"
        ),
        pk=referral_id,
    )


def nrm_referral_get_for(user: User, referral_id: uuid.UUID | str) -> NrmReferral:
    return one_or_not_found(
        NrmReferral.objects.filter(concern__in=policy.concerns_visible_to(user)).select_related(
            *_CONCERN, "recorded_by"
        ),
        pk=referral_id,
    )


def dash_for_concern(user: User, concern: Concern, dash_id: uuid.UUID | str) -> DashAssessment:
    """A DASH checklist on this concern (for a MARAC referral), else not found."""
    dash = dash_get_for(user, dash_id)
    if dash.concern_id != concern.pk:
        raise NotFound()
    return dash


def _open(queryset: QuerySet[NrmReferral]) -> QuerySet[NrmReferral]:
    """Still waiting on a decision: no negative reasonable-grounds decision and no conclusive one
    (rules.nrm_is_open, as a query)."""
    return queryset.exclude(reasonable_grounds=NrmDecision.NEGATIVE).filter(conclusive_grounds=NrmDecision.PENDING)


def nrm_referrals_open_for(user: User) -> QuerySet[NrmReferral]:
    """Every NRM referral in reach still awaiting a decision, the next chase first (none set: last)."""
    return (
        _open(NrmReferral.objects.filter(concern__in=policy.concerns_visible_to(user)))
        .select_related(*_CONCERN, "recorded_by")
        .order_by(F("next_chase_on").asc(nulls_last=True), "referred_on", "created_at")
    )


def nrm_chases_due_for(user: User, within_days: int = 7, *, today: dt.date | None = None) -> QuerySet[NrmReferral]:
    """The safeguarding lead's chase list: open NRM referrals whose next chase is due within `within_days`
    (overdue ones included), and open ones with no chase date at all, which need one."""
    today = today or timezone.localdate()
    return nrm_referrals_open_for(user).filter(
        Q(next_chase_on__lte=today + dt.timedelta(days=within_days)) | Q(next_chase_on__isnull=True)
    )
