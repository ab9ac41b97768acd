"""Recording risk reviews (every review a new row: the history is the record) and saving a client's safety
plan (one per client, edited under optimistic locking). A person judges every level; nothing is scored."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotFound, ValidationFailed
from keyworker.core.notifications import notify
from keyworker.core.validation import check_field_values
from keyworker.core.versioning import save_if_unchanged
from keyworker.people.models import Client
from keyworker.safeguarding.models import (
    CrisisCall,
    RelocationStatus,
    RiskReview,
    RiskReviewOccasion,
    SafetyPlan,
)
from keyworker.safeguarding.rules import RISK_DIMENSIONS, risk_review_problems, risk_rises, safety_plan_problems

__all__ = ["RISK_ROSE_BODY", "RISK_ROSE_SUBJECT", "risk_alert_recipients", "risk_review_record", "safety_plan_save"]

RISK_ROSE_SUBJECT = "A client's risk has gone up"
# No name, no levels, no reasons: e-mail leaves the system, so it only says there is something to look at.
RISK_ROSE_BODY = "A risk review has recorded a higher risk for a client of your team. Please look at the review."
TEXT_MAX_CHARS = 5000
SAFETY_PLAN_FIELDS = [
    "safe_areas",
    "safe_contacts",
    "emergency_plan",
    "relocation_status",
    "moved_on",
    "next_check_in_on",
    "updated_by",
]


def risk_alert_recipients(client: Client, *, actor: User) -> list[User]:
    """The client's managers (policy.managers_of), but not the reviewer."""
    return [manager for manager in policy.managers_of(client) if manager.pk != actor.pk]


def _levels(review: RiskReview) -> dict[str, str]:
    return {dimension: getattr(review, dimension) for dimension in RISK_DIMENSIONS}


@transaction.atomic
def risk_review_record(
    *,
    actor: User,
    client: Client,
    occasion: str,
    risk_to_self: str,
    risk_to_others: str,
    risk_from_others: str,
    reasons: str,
    next_review_on: dt.date | None,
    reviewed_on: dt.date | None = None,
    crisis_call: CrisisCall | None = None,
) -> RiskReview:
    """A new risk review of the client. When any level rose against the review before it (or a first review
    finds high risk), the managers of the client's teams are told, in the app and by an e-mail that names
    nobody. `review.rises` lists the dimensions that rose (empty when none did)."""
    if not policy.can_record_on(actor, client):
        raise NotFound()
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    levels = {"risk_to_self": risk_to_self, "risk_to_others": risk_to_others, "risk_from_others": risk_from_others}
    problems = risk_review_problems(
        levels=levels, reasons=reasons, reviewed_on=reviewed_on, next_review_on=next_review_on, today=today
    )
    if occasion not in RiskReviewOccasion.values:
        problems["occasion"] = ["Choose what prompted this review."]
    if len(reasons) > TEXT_MAX_CHARS:
        problems["reasons"] = [f"Keep the reasons to {TEXT_MAX_CHARS} characters."]
    if crisis_call is not None and crisis_call.client_id != client.pk:
        problems["crisis_call"] = ["That crisis call is about someone else."]
    if problems:
        raise ValidationFailed("There is a problem with this risk review.", problems)
    assert next_review_on is not None  # checked above
    # The review it follows: the latest on or before its date (a backdated review compares with its own past).
    previous = (
        RiskReview.objects.filter(client=client, reviewed_on__lte=reviewed_on)
        .order_by("-reviewed_on", "-created_at")
        .first()
    )
    review = RiskReview(
        client=client,
        occasion=occasion,
        reasons=reasons.strip(),
        reviewed_on=reviewed_on,
        reviewed_by=actor,
        next_review_on=next_review_on,
        crisis_call=crisis_call,
        **levels,
    )
    check_field_values(review)
    review.save(force_insert=True)
    rises = risk_rises(_levels(previous) if previous else None, levels)
    told: list[User] = []
    if rises:
        told = risk_alert_recipients(client, actor=actor)
        notify(
            recipients=told,
            subject=RISK_ROSE_SUBJECT,
            body=RISK_ROSE_BODY,
            link=reverse("safeguarding:client_risk", args=[client.pk]),
            email=True,
        )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=review,
        client_id=client.pk,
        detail={"occasion": occasion, "rose": rises, "managers_told": len(told)},
    )
    review.rises = rises  # type: ignore[attr-defined]
    review.managers_told = len(told)  # type: ignore[attr-defined]
    return review


@transaction.atomic
def safety_plan_save(
    *,
    actor: User,
    client: Client,
    expected_version: int | None,
    safe_areas: str,
    safe_contacts: str,
    emergency_plan: str,
    relocation_status: str,
    moved_on: dt.date | None,
    next_check_in_on: dt.date | None,
) -> SafetyPlan:
    """Write the client's safety plan: `expected_version` None for a first plan, else the version the editor
    read. Someone else's save in between (or a first plan written meanwhile) is a ConcurrentEdit and nothing
    is saved."""
    if not policy.can_record_on(actor, client):
        raise NotFound()
    problems = safety_plan_problems(
        emergency_plan=emergency_plan,
        relocation_status=relocation_status,
        moved_on=moved_on,
        next_check_in_on=next_check_in_on,
        today=timezone.localdate(),
    )
    if relocation_status not in RelocationStatus.values:
        problems["relocation_status"] = ["Choose where the move stands."]
    for name, text in (
        ("safe_areas", safe_areas),
        ("safe_contacts", safe_contacts),
        ("emergency_plan", emergency_plan),
    ):
        if len(text) > TEXT_MAX_CHARS:
            problems[name] = [f"Keep it to {TEXT_MAX_CHARS} characters."]
    if problems:
        raise ValidationFailed("There is a problem with this safety plan.", problems)
    values = {
        "safe_areas": safe_areas.strip(),
        "safe_contacts": safe_contacts.strip(),
        "emergency_plan": emergency_plan.strip(),
        "relocation_status": relocation_status,
        "moved_on": moved_on,
        "next_check_in_on": next_check_in_on,
        "updated_by": actor,
    }
    plan = SafetyPlan.objects.filter(client=client).first()
    if plan is None:
        if expected_version is not None:
            raise ValidationFailed("There is no safety plan to change yet: leave the version out to write one.")
        plan = SafetyPlan(client=client, **values)
        check_field_values(plan)
        try:
            with transaction.atomic():
                plan.save(force_insert=True)
        except IntegrityError as exc:  # someone else wrote the first plan at the same moment
            raise ConcurrentEdit() from exc
        action = AuditAction.CREATE
    else:
        if expected_version is None:
            raise ConcurrentEdit()  # a plan was written after this editor found none
        changed = [name for name, value in values.items() if name != "updated_by" and getattr(plan, name) != value]
        for name, value in values.items():
            setattr(plan, name, value)
        check_field_values(plan)
        save_if_unchanged(plan, expected_version=expected_version, fields=SAFETY_PLAN_FIELDS)
        action = AuditAction.UPDATE
    audit_event_record(
        actor=actor,
        action=action,
        obj=plan,
        client_id=client.pk,
        detail={"fields": changed} if action == AuditAction.UPDATE else {"relocation_status": relocation_status},
    )
    return plan
