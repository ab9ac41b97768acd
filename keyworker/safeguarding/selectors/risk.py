"""Reading risk reviews and safety plans, through the access policy. Both are part of the client's file: in
reach exactly when the client is (policy.risk_reviews_visible_to, policy.clients_visible_to)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import CaseStatus
from keyworker.core import policy
from keyworker.people.models import Client
from keyworker.people.selectors import client_check_for as _check_client
from keyworker.safeguarding.models import RiskReview, SafetyPlan, UnsafeArea

__all__ = [
    "RiskAndSafety",
    "current_unsafe_areas",
    "latest_risk_for",
    "risk_and_safety_for",
    "risk_reviews_due_for",
    "risk_reviews_for",
    "safety_plan_for",
]


def safety_plan_for(user: User, client: Client) -> SafetyPlan | None:
    """The client's safety plan, or None when none has been written yet."""
    _check_client(user, client)
    return SafetyPlan.objects.filter(client=client).select_related("updated_by").first()


def current_unsafe_areas(client: Client) -> list[UnsafeArea]:
    """The safety profile's areas in force (not ended), shown with the safety plan. The caller checks access."""
    return list(UnsafeArea.objects.filter(client=client, ended_on__isnull=True).order_by("kind", "area"))


def risk_reviews_for(user: User, client: Client) -> QuerySet[RiskReview]:
    """Every risk review of the client, newest first (the history is the record)."""
    _check_client(user, client)
    return (
        policy.risk_reviews_visible_to(user)
        .filter(client=client)
        .select_related("reviewed_by")
        .order_by("-reviewed_on", "-created_at")
    )


def latest_risk_for(user: User, client: Client) -> RiskReview | None:
    """The current view of the client's risk: the latest review, or None."""
    return risk_reviews_for(user, client).first()


def risk_reviews_due_for(user: User, *, within_days: int = 7, today: dt.date | None = None) -> list[RiskReview]:
    """The latest review of each client the user is keyworker for (an open or on-hold case) whose next review
    falls within `within_days` from today, or is overdue; soonest first, each with its client. One query.
    Clients with no review at all are not listed here (their first risk check belongs to intake)."""
    today = today or timezone.localdate()
    latest = RiskReview.objects.filter(client=OuterRef("pk")).order_by("-reviewed_on", "-created_at").values("pk")[:1]
    mine = (
        policy.clients_visible_to(user)
        .filter(cases__keyworker=user, cases__status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD])
        .annotate(latest_review=Subquery(latest))
        .values("latest_review")
    )
    return list(
        RiskReview.objects.filter(pk__in=mine, next_review_on__lte=today + dt.timedelta(days=within_days))
        .select_related("client")
        .order_by("next_review_on", "client__last_name")
    )


@dataclass(frozen=True)
class RiskAndSafety:
    """What the client page shows: the safety plan with the unsafe areas, and the latest risk review."""

    plan: SafetyPlan | None
    unsafe_areas: list[UnsafeArea]
    latest: RiskReview | None


def risk_and_safety_for(user: User, client: Client, *, plan_read: bool = False) -> RiskAndSafety:
    """For the client page: its safety plan (with the current unsafe areas) and latest risk review.
    `plan_read`: the client was fetched through the policy with its safety plan (client_page_get_for)."""
    _check_client(user, client)  # once, for all three reads (and free on a page that fetched the client)
    return RiskAndSafety(
        plan=_plan_of(client) if plan_read else safety_plan_for(user, client),
        unsafe_areas=current_unsafe_areas(client),
        latest=RiskReview.objects.filter(client=client).order_by("-reviewed_on", "-created_at").first(),
    )


def _plan_of(client: Client) -> SafetyPlan | None:
    try:
        return client.safety_plan
    except SafetyPlan.DoesNotExist:
        return None
