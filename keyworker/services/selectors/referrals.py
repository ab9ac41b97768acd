"""Reading referrals out through the access policy: a referral is part of its client's record, so it is in
reach exactly when the client is (policy.outbound_referrals_visible_to)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Prefetch, Q, QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.people.models import Client
from keyworker.services.models import ENDED_OUTBOUND_STATUSES, OutboundReferral, OutboundReferralUpdate


def outbound_referral_list_for(user: User) -> QuerySet[OutboundReferral]:
    return policy.outbound_referrals_visible_to(user).select_related(
        "client", "service", "service__organisation", "made_by", "sharing_agreement"
    )


def outbound_referrals_of(user: User, client: Client) -> QuerySet[OutboundReferral]:
    """A client's referrals out, newest first (none if the client is outside the user's reach)."""
    return outbound_referral_list_for(user).filter(client=client).order_by("-created_at")


def outbound_referral_get_for(user: User, referral_id: uuid.UUID | str) -> OutboundReferral:
    updates = OutboundReferralUpdate.objects.select_related("recorded_by").order_by("occurred_on", "created_at")
    return one_or_not_found(
        outbound_referral_list_for(user).prefetch_related(Prefetch("updates", queryset=updates)), pk=referral_id
    )


def follow_ups_due_for(user: User, *, until: dt.date) -> QuerySet[OutboundReferral]:
    """Referrals the user made that are still open with a follow-up on or before `until`, soonest first.
    The maker follows up (not the client's keyworker): they know what was asked for and of whom."""
    return (
        outbound_referral_list_for(user)
        .filter(Q(made_by=user) & Q(follow_up_on__isnull=False) & Q(follow_up_on__lte=until))
        .exclude(status__in=list(ENDED_OUTBOUND_STATUSES))
        .order_by("follow_up_on", "created_at")
    )
