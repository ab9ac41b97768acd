"""Retention's reads, for the data protection officer only (everyone else: not found)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.privacy.models import RetentionPolicy, RetentionReview, RetentionStatus
from keyworker.privacy.retention.kinds import KINDS, RetentionKind, Rule, rules

__all__ = ["QueueItem", "retention_history", "retention_policies", "retention_queue"]


@dataclass
class QueueItem:
    review: RetentionReview
    kind: RetentionKind
    what: str
    detail: str


def _require(user: User) -> None:
    if not policy.can_manage_retention(user):
        raise NotFound()


def retention_queue(user: User) -> list[QueueItem]:
    """Due reviews, each described from its record as it is now (one query per kind, not per row)."""
    _require(user)
    reviews = list(RetentionReview.objects.filter(status=RetentionStatus.DUE).order_by("expired_on", "kind"))
    by_kind: dict[str, list[uuid.UUID]] = {}
    for review in reviews:
        by_kind.setdefault(review.kind, []).append(review.object_id)
    described: dict[tuple[str, uuid.UUID], tuple[str, str]] = {}
    for key, ids in by_kind.items():
        if key in KINDS:
            for pk, text in KINDS[key].describe(ids).items():
                described[(key, pk)] = text
    items = []
    for review in reviews:
        if review.kind not in KINDS:
            continue
        what, detail = described.get((review.kind, review.object_id), ("A record that no longer exists", ""))
        items.append(QueueItem(review, KINDS[review.kind], what, detail))
    return items


def retention_policies(user: User) -> list[tuple[RetentionKind, Rule, RetentionPolicy | None]]:
    _require(user)
    rows = {p.kind: p for p in RetentionPolicy.objects.select_related("changed_by")}
    current = rules()
    return [(kind, current[key], rows.get(key)) for key, kind in KINDS.items()]


def retention_history(user: User, *, limit: int = 200) -> list[RetentionReview]:
    _require(user)
    return list(
        RetentionReview.objects.filter(status=RetentionStatus.DONE)
        .select_related("decided_by")
        .order_by("-carried_out_at")[:limit]
    )
