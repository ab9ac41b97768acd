"""Reading the on-call rota, crisis calls and the morning handover, through the access policy.

A crisis call is part of its client's record (policy.crisis_calls_visible_to); the tasks a call raised are
found by the call's address in their detail (services.on_call writes it there)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import Task
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.safeguarding.models import CrisisCall, OnCallShift, SharingDecision
from keyworker.safeguarding.rules import handover_window

__all__ = [
    "Handover",
    "crisis_call_get_for",
    "crisis_calls_taken_by",
    "handover_for",
    "on_call_now",
    "on_call_shift_get_for",
    "rota_for",
]


def rota_for(user: User, start: dt.datetime, end: dt.datetime) -> QuerySet[OnCallShift]:
    """Shifts overlapping [start, end), earliest first: for everyone who may see the rota."""
    if not policy.can_see_rota(user):
        raise NotFound()
    return (
        OnCallShift.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("worker", "added_by")
        .order_by("starts_at", "worker__first_name")
    )


def on_call_now(now: dt.datetime | None = None) -> list[OnCallShift]:
    """Who is on call at this moment (no personal data: staff names only; the caller checks can_see_rota)."""
    now = now or timezone.now()
    return list(
        OnCallShift.objects.filter(starts_at__lte=now, ends_at__gt=now)
        .select_related("worker")
        .order_by("starts_at", "worker__first_name")
    )


def on_call_shift_get_for(user: User, shift_id: uuid.UUID | str) -> OnCallShift:
    if not policy.can_manage_rota(user):
        raise NotFound()
    return one_or_not_found(OnCallShift.objects.select_related("worker"), pk=shift_id)


def _decisions() -> Prefetch:
    return Prefetch("sharing_decisions", queryset=SharingDecision.objects.select_related("decided_by"))


def _tasks() -> Prefetch:
    return Prefetch(
        "tasks", queryset=Task.objects.select_related("owner", "completed_by").order_by("due_on", "created_at")
    )


def _with_tasks(calls: list[CrisisCall]) -> list[CrisisCall]:
    """Each call's `tasks_raised`: the follow-up and risk-review tasks it raised (prefetched by the caller)."""
    for call in calls:
        call.tasks_raised = list(call.tasks.all())  # type: ignore[attr-defined]
    return calls


def crisis_call_get_for(user: User, call_id: uuid.UUID | str) -> CrisisCall:
    """One call with its sharing decisions and the tasks it raised (`tasks_raised`)."""
    call = one_or_not_found(
        policy.crisis_calls_visible_to(user)
        .select_related("client", "taken_by")
        .prefetch_related(_decisions(), _tasks()),
        pk=call_id,
    )
    return _with_tasks([call])[0]


def crisis_calls_taken_by(user: User, *, since: dt.datetime) -> list[CrisisCall]:
    """The calls the user took since a moment, newest first (their own log; still through the policy)."""
    return list(
        policy.crisis_calls_visible_to(user)
        .filter(taken_by_id=user.pk, received_at__gte=since)
        .select_related("client")
        .order_by("-received_at")
    )


@dataclass
class Handover:
    morning: dt.date
    start: dt.datetime
    end: dt.datetime
    calls: list[CrisisCall] = field(default_factory=list)


def handover_for(user: User, morning: dt.date) -> Handover:
    """The morning handover: the calls taken from the previous working day's office close to 09:00 on
    `morning` that the user may see, oldest first, each with its client, who took it, its sharing decisions
    and the tasks it raised (with their owners). A fixed number of queries, however many calls."""
    if not policy.can_use_casework(user):
        raise NotFound()
    start, end = handover_window(morning)
    calls = list(
        policy.crisis_calls_visible_to(user)
        .filter(received_at__gte=start, received_at__lt=end)
        .select_related("client", "taken_by")
        .prefetch_related(_decisions(), _tasks())
        .order_by("received_at")
    )
    return Handover(morning=morning, start=start, end=end, calls=_with_tasks(calls))
