"""Reading the disclosure log through the access policy (a client's log is part of their record), and the data
protection officer's summary of what needs them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.people.models import Client
from keyworker.privacy.models import (
    Disclosure,
    RetentionReview,
    RetentionStatus,
    SarStatus,
    SharingAgreement,
    SubjectAccessRequest,
)


def disclosures_for(user: User, client: Client) -> QuerySet[Disclosure]:
    """What about `client` left Keyworker, newest first; nothing if the client is outside the user's reach."""
    return (
        Disclosure.objects.filter(client__in=policy.clients_visible_to(user), client=client)
        .select_related("disclosed_by", "sharing_agreement")
        .order_by("-disclosed_at")
    )


@dataclass(frozen=True)
class DataProtectionSummary:
    sar_open: int
    sar_overdue: int
    sar_next_deadline: dt.date | None
    retention_due: int
    agreements_due_review: int


def data_protection_summary_for(user: User) -> DataProtectionSummary:
    """What needs the data protection officer now: open subject access requests and their nearest deadline,
    records waiting for a retention decision, agreements due for review. Counts only, no one named."""
    if not policy.can_export_subject_access(user):
        raise NotFound()
    today = timezone.localdate()
    open_requests = SubjectAccessRequest.objects.filter(
        status__in=[SarStatus.RECEIVED, SarStatus.BUILDING, SarStatus.READY, SarStatus.FAILED]
    ).annotate(deadline_on=Coalesce("extended_to", "due_on"))
    sar = open_requests.aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(deadline_on__lt=today)), next=Min("deadline_on")
    )
    return DataProtectionSummary(
        sar_open=sar["open"],
        sar_overdue=sar["overdue"],
        sar_next_deadline=sar["next"],
        retention_due=RetentionReview.objects.filter(status=RetentionStatus.DUE).count(),
        agreements_due_review=SharingAgreement.objects.filter(review_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .count(),
    )
