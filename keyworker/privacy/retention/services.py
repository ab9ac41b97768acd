"""Retention's writes: the run that queues and carries out removals, the data protection officer's decisions
on the queue, and changes to the policies. Every removal is audited by id and kind only."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.versioning import save_if_unchanged
from keyworker.privacy.models import RetentionAction, RetentionPolicy, RetentionReview, RetentionStatus
from keyworker.privacy.retention import erase
from keyworker.privacy.retention.kinds import KINDS, RetentionKind, Rule, rules

__all__ = [
    "KindResult",
    "retention_policy_update",
    "retention_review_hold",
    "retention_reviews_approve",
    "retention_run",
]

log = logging.getLogger(__name__)
DELETE = AuditAction.DELETE
NO_LONGER_EXPIRED = "No longer expired: the record changed after it was queued (e.g. a case was reopened)."


@dataclass
class KindResult:
    queued: int = 0
    removed: int = 0
    held: int = 0  # kept for now after the run (by the officer, or no longer expired)
    released: int = 0  # held reviews whose hold ran out, back on the queue
    failed: list[str] = field(default_factory=list)


def _require(actor: User) -> None:
    if not policy.can_manage_retention(actor):
        raise NotFound()


def retention_run(*, today: dt.date, actor: User | None = None, dry_run: bool = False) -> dict[str, KindResult]:
    """For each kind: queue every record whose period has run out, bring back held reviews whose hold has
    ended, and carry out every approved review (and every due one of a kind needing no review). Each removal
    is its own transaction; one failing is reported and the others go on. Idempotent for a given day."""
    results: dict[str, KindResult] = {}
    current = rules()
    for key, kind in KINDS.items():
        rule = current[key]
        result = results[key] = KindResult()
        expired = kind.find(today, rule, None)
        already = set(
            RetentionReview.objects.filter(kind=key, object_id__in=list(expired)).values_list("object_id", flat=True)
        )
        new = [pk for pk in expired if pk not in already]
        result.queued = len(new)
        if dry_run:
            result.removed = len(new) if not rule.needs_review else 0
            result.removed += RetentionReview.objects.filter(kind=key, status=RetentionStatus.APPROVED).count()
            continue
        RetentionReview.objects.bulk_create(
            [RetentionReview(kind=key, object_id=pk, expired_on=expired[pk], action=rule.action) for pk in new],
            ignore_conflicts=True,
        )
        # A record kept because it no longer qualified (a case reopened) that has run out again is due again.
        for review in RetentionReview.objects.filter(
            kind=key, object_id__in=list(expired), status=RetentionStatus.HELD, hold_reason=NO_LONGER_EXPIRED
        ):
            review.status = RetentionStatus.DUE
            review.expired_on = expired[review.object_id]
            review.hold_reason = ""
            review.decided_by, review.decided_at = None, None  # the earlier approval was for the earlier state
            review.save(update_fields=["status", "expired_on", "hold_reason", "decided_by", "decided_at", "updated_at"])
            result.queued += 1
        result.released = RetentionReview.objects.filter(
            kind=key, status=RetentionStatus.HELD, hold_until__isnull=False, hold_until__lte=today
        ).update(status=RetentionStatus.DUE, updated_at=timezone.now())
        to_do = RetentionReview.objects.filter(kind=key, status=RetentionStatus.APPROVED)
        if not rule.needs_review:
            to_do = RetentionReview.objects.filter(kind=key, status__in=[RetentionStatus.APPROVED, RetentionStatus.DUE])
        for review_id in list(to_do.values_list("pk", flat=True)):
            try:
                outcome = _carry_out(review_id, kind=kind, rule=rule, today=today, actor=actor)
            except Exception as error:
                log.exception("retention: removing %s %s failed", key, review_id)
                result.failed.append(f"{review_id}: {type(error).__name__}")
                continue
            if outcome == "removed":
                result.removed += 1
        result.held = RetentionReview.objects.filter(kind=key, status=RetentionStatus.HELD).count()
    if not dry_run and any(r.removed for r in results.values()):
        with transaction.atomic():
            erase.fts_compact()
    return results


@transaction.atomic
def _carry_out(review_id: uuid.UUID, *, kind: RetentionKind, rule: Rule, today: dt.date, actor: User | None) -> str:
    review = RetentionReview.objects.select_for_update().get(pk=review_id)
    if review.status not in (RetentionStatus.APPROVED, RetentionStatus.DUE):
        return "skipped"
    if review.object_id not in kind.find(today, rule, [review.object_id]):
        # Checked again just before removing: a case reopened (or a read notification... ) since it was queued.
        review.status = RetentionStatus.HELD
        review.hold_until = None
        review.hold_reason = NO_LONGER_EXPIRED
        review.save(update_fields=["status", "hold_until", "hold_reason", "updated_at"])
        audit_event_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=review,
            detail={"retention": kind.key, "status": RetentionStatus.HELD, "reason": "no longer expired"},
        )
        return "held"
    action = review.action if review.action in kind.actions else rule.action
    rows = kind.remove(review.object_id, action)
    review.status = RetentionStatus.DONE
    review.carried_out_at = timezone.now()
    review.rows_removed = rows
    review.action = action
    review.save(update_fields=["status", "carried_out_at", "rows_removed", "action", "updated_at"])
    audit_event_record(
        actor=actor,
        action=DELETE if action == RetentionAction.DELETE else AuditAction.UPDATE,
        object_type=kind.model_label,
        object_id=str(review.object_id),
        client_id=review.object_id if kind.key == "closed_client" else None,
        detail={"retention": kind.key, "action": action, "rows": rows},
        break_glass=False,
    )
    return "removed"


def _due(actor: User, review_ids: Iterable[uuid.UUID]) -> list[RetentionReview]:
    ids = list(review_ids)
    reviews = list(
        RetentionReview.objects.select_for_update().filter(pk__in=ids, status=RetentionStatus.DUE).order_by("pk")
    )
    if len(reviews) != len(set(ids)):
        raise ValidationFailed(
            "One or more of the records chosen is no longer due for review. Reload the queue.",
            {"reviews": ["Choose records that are due for review."]},
        )
    return reviews


@transaction.atomic
def retention_reviews_approve(*, actor: User, review_ids: Iterable[uuid.UUID]) -> list[RetentionReview]:
    """Approve the removal of the chosen due records; the next run carries it out."""
    _require(actor)
    ids = list(review_ids)
    if not ids:
        raise ValidationFailed("Choose at least one record to approve.", {"reviews": ["Choose at least one record."]})
    reviews = _due(actor, ids)
    now = timezone.now()
    for review in reviews:
        review.status = RetentionStatus.APPROVED
        review.decided_by = actor
        review.decided_at = now
        review.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit_event_record(
            actor=actor, action=AuditAction.UPDATE, obj=review, detail={"retention": review.kind, "status": "approved"}
        )
    return reviews


@transaction.atomic
def retention_review_hold(
    *, actor: User, review_id: uuid.UUID, reason: str, hold_until: dt.date | None, today: dt.date | None = None
) -> RetentionReview:
    """Keep a due record for now, with a reason and the date to look at it again."""
    _require(actor)
    today = today or timezone.localdate()
    problems: dict[str, list[str]] = {}
    if not reason.strip():
        problems["reason"] = ["Say why the record is being kept."]
    if hold_until is None:
        problems["hold_until"] = ["Enter the date to review it again."]
    elif hold_until <= today:
        problems["hold_until"] = ["The date to review it again must be in the future."]
    if problems:
        raise ValidationFailed("The record could not be kept.", problems)
    (review,) = _due(actor, [review_id])
    review.status = RetentionStatus.HELD
    review.hold_reason = reason.strip()
    review.hold_until = hold_until
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "hold_reason", "hold_until", "decided_by", "decided_at", "updated_at"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=review,
        detail={"retention": review.kind, "status": "held", "fields": ["hold_reason", "hold_until"]},
    )
    return review


@transaction.atomic
def retention_policy_update(
    *,
    actor: User,
    kind: str,
    period_months: int | None,
    action: str,
    needs_review: bool,
    note: str = "",
    expected_version: int | None,
) -> RetentionPolicy:
    """Set a kind's period, action and review. The first change creates its row (expected_version None: the
    defaults were shown); later ones are refused if someone else changed it since the page was read."""
    _require(actor)
    if kind not in KINDS:
        raise NotFound()
    k = KINDS[kind]
    problems: dict[str, list[str]] = {}
    if k.period_days is not None:
        period_months = 0
    elif period_months is None or not 1 <= period_months <= 1200:
        problems["period_months"] = ["Enter a period between 1 and 1200 months."]
    if action not in k.actions:
        problems["action"] = [f"Choose {' or '.join(RetentionAction(a).label.lower() for a in k.actions)}."]
    if problems:
        raise ValidationFailed("The policy was not changed.", problems)
    assert period_months is not None
    row = RetentionPolicy.objects.select_for_update().filter(kind=kind).first()
    if row is None:
        if expected_version is not None:
            raise ValidationFailed("The policy changed while you were editing it. Reload the page.")
        row = RetentionPolicy.objects.create(
            kind=kind,
            period_months=period_months,
            action=action,
            needs_review=needs_review,
            note=note.strip(),
            changed_by=actor,
        )
        audit_event_record(actor=actor, action=AuditAction.CREATE, obj=row, detail={"retention": kind})
        return row
    if expected_version is None:
        from keyworker.core.versioning import refuse_stale

        raise refuse_stale(row)
    row.period_months = period_months
    row.action = action
    row.needs_review = needs_review
    row.note = note.strip()
    row.changed_by = actor
    save_if_unchanged(
        row,
        expected_version=expected_version,
        fields=["period_months", "action", "needs_review", "note", "changed_by"],
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=row,
        detail={"retention": kind, "fields": ["period_months", "action", "needs_review", "note"]},
    )
    return row
