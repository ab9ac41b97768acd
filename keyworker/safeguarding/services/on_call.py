"""The on-call line: the rota (kept by managers) and crisis calls (logged by whoever takes the call).

A crisis call is saved with everything it raises, in one transaction: the call, its information-sharing
decision (recorded either way, with the reasons), a follow-up task and a "review risk" task for the client's
keyworker. Bad input changes nothing: there are never half-made tasks, or a call without its decision.

Who the tasks go to (follow_up_owner): the keyworker of the client's open case (the most recently opened one
that has a keyworker); with no keyworker, a manager of that case's team (they allocate the work); with no
open case at all, the worker who took the call keeps them (and must hand them on) - a task is never unowned.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import Case, CaseStatus, Task
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, NotFound, ValidationFailed
from keyworker.core.notifications import notify
from keyworker.core.validation import create_checked, required_text
from keyworker.people.models import Client
from keyworker.safeguarding.models import CrisisCall, LawfulBasis, OnCallShift
from keyworker.safeguarding.rules import LONDON, handover_morning, sharing_decision_problems, shift_problems
from keyworker.safeguarding.services.sharing import sharing_decision_record

__all__ = [
    "RISK_REVIEW_TASK_TITLE",
    "crisis_call_log",
    "follow_up_owner",
    "on_call_shift_add",
    "on_call_shift_remove",
]

RISK_REVIEW_TASK_TITLE = "Review risk after last night's crisis call"
# A call is logged that night; a late entry is allowed for a few days, but not for last month's events.
CRISIS_CALL_MAX_AGE = dt.timedelta(days=7)
CLOCK_SKEW = dt.timedelta(minutes=5)  # a phone's clock a little ahead of the server's is not "the future"
TEXT_MAX = 10_000


# --------------------------------------------------------------------------------------------------- the rota


@transaction.atomic
def on_call_shift_add(*, actor: User, worker: User, starts_at: dt.datetime, ends_at: dt.datetime) -> OnCallShift:
    """Put someone on call from `starts_at` to `ends_at`: an active member of staff who does casework, not
    already on call for any part of that time."""
    if not policy.can_manage_rota(actor):
        raise NotAllowed("Only a manager can change the on-call rota.")
    problems: dict[str, list[str]] = {}
    # Lock the worker's row so two managers adding overlapping shifts at once cannot both succeed.
    locked = User.objects.select_for_update().filter(pk=worker.pk).first()
    if locked is None or not policy.can_use_casework(locked):
        problems["worker"] = ["Choose a caseworker, manager or on-call worker whose account is active."]
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Shift times must be timezone-aware.")
    problems.update(shift_problems(starts_at, ends_at, timezone.now()))
    if "worker" not in problems and "ends_at" not in problems:
        clash = (
            OnCallShift.objects.filter(worker=worker, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            problems["starts_at"] = [
                f"{worker.display_name} is already on call from {_when(clash.starts_at)} to {_when(clash.ends_at)}."
            ]
    if problems:
        raise ValidationFailed("There is a problem with this shift.", problems)
    shift = create_checked(OnCallShift, worker=worker, starts_at=starts_at, ends_at=ends_at, added_by=actor)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=shift,
        detail={"worker": str(worker.pk), "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
    )
    return shift


@transaction.atomic
def on_call_shift_remove(*, actor: User, shift: OnCallShift) -> None:
    """Take a shift off the rota. A shift that has ended stays: it is the record of who was on call."""
    if not policy.can_manage_rota(actor):
        raise NotAllowed("Only a manager can change the on-call rota.")
    if shift.ends_at <= timezone.now():
        raise ValidationFailed("This shift has ended: it stays on the rota as the record of who was on call.")
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=shift,
        detail={
            "removed": True,
            "worker": str(shift.worker_id),
            "starts_at": shift.starts_at.isoformat(),
            "ends_at": shift.ends_at.isoformat(),
        },
    )
    shift.delete()


def _when(moment: dt.datetime) -> str:
    return f"{moment.astimezone(LONDON):%H:%M on %a %-d %b}"


# ------------------------------------------------------------------------------------------------ crisis calls


def follow_up_owner(client: Client, taken_by: User) -> User:
    """Who gets the tasks a crisis call raises (the rule is in the module's docstring)."""
    cases = list(
        Case.objects.filter(client=client, status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD])
        .select_related("keyworker")
        .order_by("-opened_on", "-created_at")
    )
    for case in cases:
        if case.keyworker is not None and case.keyworker.is_active:
            return case.keyworker
    if cases:
        manager = (
            User.objects.filter(role=Role.MANAGER, is_active=True, team_id=cases[0].team_id).order_by("pk").first()
        )
        if manager is not None:
            return manager
    return taken_by


def _open_case(client: Client) -> Case | None:
    return (
        Case.objects.filter(client=client, status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD])
        .order_by("-opened_on", "-created_at")
        .first()
    )


def _call_problems(
    *,
    received_at: dt.datetime,
    now: dt.datetime,
    follow_up_due: dt.date | None,
    shared: bool,
    shared_with: str,
    lawful_basis: str,
    sharing_reasons: str,
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if received_at > now + CLOCK_SKEW:
        problems["received_at"] = ["The time of the call cannot be in the future."]
    elif received_at < now - CRISIS_CALL_MAX_AGE:
        problems["received_at"] = ["A crisis call is logged within a week; record older events as a contact."]
    if follow_up_due is not None and follow_up_due < received_at.astimezone(LONDON).date():
        problems["follow_up_due"] = ["The follow-up cannot be due before the call."]
    if lawful_basis and lawful_basis not in LawfulBasis.values:
        problems["lawful_basis"] = ["Choose the lawful basis from the list."]
    basis = lawful_basis or (LawfulBasis.NOT_APPLICABLE if not shared else "")
    if shared and not basis:
        problems["lawful_basis"] = ["Choose the lawful basis it was shared on."]
    sharing = sharing_decision_problems(
        shared=shared, shared_with=shared_with, lawful_basis=basis, reasons=sharing_reasons
    )
    # The service shares one form: its field for the reasons is `sharing_reasons`.
    if "reasons" in sharing:
        sharing["sharing_reasons"] = sharing.pop("reasons")
    problems.update({k: v for k, v in sharing.items() if k not in problems})
    return problems


@transaction.atomic
def crisis_call_log(
    *,
    actor: User,
    client: Client,
    received_at: dt.datetime | None,
    caller: str,
    what_happened: str,
    advice_given: str,
    actions_taken: str = "",
    shared: bool,
    shared_with: str = "",
    lawful_basis: str = "",
    sharing_reasons: str,
    follow_up: str,
    follow_up_due: dt.date | None = None,
    risk_review_needed: bool = True,
) -> CrisisCall:
    """Log a call to the on-call line about a client the actor may record on (for an on-call worker, one
    opened by break-glass counts; the call is then marked break-glass). Raises, for the client's keyworker,
    the follow-up task (due `follow_up_due`, by default the next working morning) and, unless
    `risk_review_needed` is False, a task to review the client's risk on the next working morning, and tells
    them in the app and by e-mail (the e-mail names nobody)."""
    if not policy.can_log_crisis_call(actor, client):
        raise NotFound()
    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        raise ValueError("received_at must be timezone-aware.")
    problems = _call_problems(
        received_at=received_at,
        now=now,
        follow_up_due=follow_up_due,
        shared=shared,
        shared_with=shared_with,
        lawful_basis=lawful_basis,
        sharing_reasons=sharing_reasons,
    )
    caller = required_text(problems, "caller", caller, "Say who called, e.g. \u201cthe client\u201d.", 150)
    what_happened = required_text(problems, "what_happened", what_happened, "Say what happened.", TEXT_MAX)
    advice_given = required_text(problems, "advice_given", advice_given, "Say what advice you gave.", TEXT_MAX)
    follow_up = required_text(
        problems, "follow_up", follow_up, "Say what the keyworker should follow up in the morning.", 200
    )
    if len(actions_taken) > TEXT_MAX:
        problems["actions_taken"] = [f"Keep this to {TEXT_MAX:,} characters."]
    if problems:
        raise ValidationFailed("There is a problem with this crisis call.", problems)

    break_glass = policy.seen_by_break_glass(actor, client)
    call = create_checked(
        CrisisCall,
        client=client,
        received_at=received_at,
        caller=caller,
        what_happened=what_happened,
        advice_given=advice_given,
        actions_taken=actions_taken.strip(),
        taken_by=actor,
        break_glass=break_glass,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=call,
        client_id=client.pk,
        detail={"break_glass": break_glass, "shared": shared},
        break_glass=break_glass,
    )
    sharing_decision_record(
        actor=actor,
        shared=shared,
        shared_with=shared_with,
        lawful_basis=lawful_basis,
        reasons=sharing_reasons,
        crisis_call=call,
    )

    owner = follow_up_owner(client, actor)
    case = _open_case(client)
    morning = handover_morning(received_at)
    link = reverse("safeguarding:crisis_call_detail", args=[call.pk])
    raised_by = f"Raised by the crisis call at {_when(received_at)}, taken by {actor.display_name}: {link}"
    tasks = [
        create_checked(
            Task,
            client=client,
            case=case,
            title=follow_up,
            detail=raised_by,
            due_on=follow_up_due or morning,
            owner=owner,
            created_by=actor,
        )
    ]
    if risk_review_needed:
        tasks.append(
            create_checked(
                Task,
                client=client,
                case=case,
                title=RISK_REVIEW_TASK_TITLE,
                detail=f"Record a risk review (risk to self, to others and from others) in the light of the call. "
                f"{raised_by}",
                due_on=morning,
                owner=owner,
                created_by=actor,
            )
        )
    call.tasks.set(tasks)
    for task in tasks:
        audit_event_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=task,
            client_id=client.pk,
            detail={"crisis_call": str(call.pk)},
            break_glass=break_glass,
        )
    if owner.pk != actor.pk:
        notify(
            recipients=[owner],
            subject="A crisis call about one of your clients",
            body=(
                f"The on-call line took a call about a client of yours at {_when(received_at)}. It is on the "
                f"morning handover, with {len(tasks)} task{'s' if len(tasks) != 1 else ''} for you."
            ),
            link=link,
            email=True,
        )
    return call
