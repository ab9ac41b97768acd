"""Lone working: check in, check out, extend, "I need help", stand down, and the escalation ladder.

State changes lock the visit's row (select_for_update) instead of asking for the version the user read:
checking out or asking for help must always work, whatever the escalation job did a second earlier, and the
lock makes the job and the worker take turns. Each rung is raised once (a unique constraint), so jobs, the
sweep and retries may all run again safely. Escalation messages carry the visit's address and the risk
summary to staff only, by design (docs/decisions/0022-lone-working-escalation.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.notifications import notify
from keyworker.core.validation import create_checked
from keyworker.diary import rules
from keyworker.diary.models import (
    Appointment,
    EscalationLevel,
    LoneWorkingEscalation,
    LoneWorkingStatus,
    LoneWorkingVisit,
)
from keyworker.diary.selectors.lone_working import OPEN_STATUSES, managers_watching, risk_facts_for
from keyworker.people.models import Client

__all__ = [
    "lone_working_check_out",
    "lone_working_escalate",
    "lone_working_escalate_overdue",
    "lone_working_extend",
    "lone_working_help",
    "lone_working_resolve",
    "lone_working_start",
]

MIN_NOTE = 5  # a stand-down note says what happened, not "ok"
NOTE_NEEDED = "Say what happened, for example \u201cRang her: she is safe, her phone had died.\u201d"


def _problem(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: [message]})


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %A %-d %B}"


def _link(visit: LoneWorkingVisit) -> str:
    return reverse("diary:lone_working_detail", args=[visit.pk])


def _schedule_checks(visit: LoneWorkingVisit) -> None:
    """Queue the escalation job at each rung's time, in the caller's transaction (no visit, no job)."""
    from keyworker.diary.tasks.lone_working import lone_working_escalate_job

    for run_after in rules.escalation_check_times(visit.expected_end):
        lone_working_escalate_job.using(run_after=run_after).enqueue(visit_id=str(visit.pk))


def _locked(visit: LoneWorkingVisit | uuid.UUID | str) -> LoneWorkingVisit | None:
    pk = visit.pk if isinstance(visit, LoneWorkingVisit) else visit
    return (
        LoneWorkingVisit.objects.select_for_update(of=("self",))
        .select_related("staff", "buddy", "client")
        .filter(pk=pk)
        .first()
    )


def _save(visit: LoneWorkingVisit, fields: list[str]) -> None:
    visit.version += 1
    visit.save(update_fields=[*fields, "version", "updated_at"])


def _raised(visit: LoneWorkingVisit) -> set[str]:
    return set(LoneWorkingEscalation.objects.filter(visit=visit).values_list("level", flat=True))


def _who_was_alerted(visit: LoneWorkingVisit, raised: Iterable[str]) -> list[User]:
    raised = set(raised)
    people: list[User] = []
    if raised & {EscalationLevel.BUDDY, EscalationLevel.HELP}:
        people.append(visit.buddy)
    if raised & {EscalationLevel.MANAGER, EscalationLevel.HELP}:
        people += managers_watching(visit)
    return list({person.pk: person for person in people}.values())  # each person once, in rung order


def _manager_rung(visit: LoneWorkingVisit) -> list[User]:
    # With no manager in the team the second rung must still reach someone: the buddy hears again.
    return managers_watching(visit) or [visit.buddy]


# ------------------------------------------------------------------------------------------------ messages


def _details(visit: LoneWorkingVisit) -> str:
    lines = [
        f"Where: {visit.place}",
        f"With: {visit.with_whom or 'not recorded'}",
        f"Checked in: {_when(visit.checked_in_at)}",
        f"Expected out: {_when(visit.expected_end)}",
        f"Buddy: {visit.buddy.display_name}",
        "",
        "Risk summary:",
        *(f"- {line}" for line in rules.risk_summary(risk_facts_for(visit))),
    ]
    return "\n".join(lines)


def _alert_buddy(visit: LoneWorkingVisit, now: dt.datetime) -> None:
    late = rules.minutes_overdue(expected_end=visit.expected_end, now=now)
    notify(
        recipients=[visit.buddy],
        subject=f"Lone working: {visit.staff.display_name} has not checked out",
        body=(
            f"{visit.staff.display_name} has not checked out of a lone visit. They were expected out at "
            f"{timezone.localtime(visit.expected_end):%H:%M} ({late} minutes ago). Ring them now. "
            "If you cannot reach them, ring your manager: the alert goes to them 30 minutes after the expected end."
        ),
        link=_link(visit),
        email=True,
    )


def _alert_managers(visit: LoneWorkingVisit, now: dt.datetime) -> None:
    late = rules.minutes_overdue(expected_end=visit.expected_end, now=now)
    notify(
        recipients=_manager_rung(visit),
        subject=f"Lone working: {visit.staff.display_name} is {late} minutes overdue",
        body=(
            f"{visit.staff.display_name} has not checked out of a lone visit and is {late} minutes overdue. "
            f"Their buddy was alerted first. Ring {visit.staff.display_name} now; if you cannot reach them and "
            "believe they are in danger, call 999 and give the address below.\n\n" + _details(visit)
        ),
        link=_link(visit),
        email=True,
    )


def _alert_help(visit: LoneWorkingVisit, now: dt.datetime) -> None:
    notify(
        recipients=[visit.buddy, *managers_watching(visit)],
        subject=f"URGENT: lone working, {visit.staff.display_name} has asked for help",
        body=(
            f"{visit.staff.display_name} pressed \"Send alert\" at {timezone.localtime(now):%H:%M}: they need help "
            "now and may not be able to talk. Do not ring them first if it could put them at risk: send someone, "
            "or call 999 and give the address below.\n\n" + _details(visit)
        ),
        link=_link(visit),
        email=True,
    )


_ALERTS = {
    EscalationLevel.BUDDY: _alert_buddy,
    EscalationLevel.MANAGER: _alert_managers,
    EscalationLevel.HELP: _alert_help,
}


def _raise(visit: LoneWorkingVisit, levels: list[str], now: dt.datetime) -> list[str]:
    """Record each rung once; a rung someone else already recorded is skipped (and not announced again)."""
    raised: list[str] = []
    for level in levels:
        try:
            with transaction.atomic():
                LoneWorkingEscalation.objects.create(visit=visit, level=level, raised_at=now)
        except IntegrityError:
            continue
        raised.append(level)
    return raised


# ------------------------------------------------------------------------------------------------ the worker


@transaction.atomic
def lone_working_start(
    *,
    actor: User,
    place: str,
    expected_end: dt.datetime,
    buddy: User | None,
    with_whom: str = "",
    appointment: Appointment | None = None,
    client: Client | None = None,
    now: dt.datetime | None = None,
) -> LoneWorkingVisit:
    """Check in to a visit: where, with whom, when the worker expects to be out, and who watches for them.
    The appointment and client, if given, have been fetched through the actor's reach."""
    now = now or timezone.now()
    if not policy.can_start_lone_working(actor):
        raise NotAllowed("You cannot start a lone-working visit.")
    if appointment is not None and client is None:
        client = appointment.client
    if appointment is not None and client is not None and appointment.client_id not in (None, client.pk):
        raise _problem("client", "The client is not the one the appointment is with.")
    if client is not None and not policy.clients_visible_to(actor).filter(pk=client.pk).exists():
        raise _problem("client", "Choose a client you work with.")
    problems: dict[str, list[str]] = {}
    if not place.strip():
        problems["place"] = ["Enter the address of the visit."]
    if end_problem := rules.expected_end_problem(checked_in_at=now, expected_end=expected_end):
        problems["expected_end"] = [end_problem]
    if buddy is None:
        problems["buddy"] = ["Choose a buddy from your team."]
    elif buddy.pk == actor.pk:
        problems["buddy"] = ["Your buddy must be someone else: choose a colleague in your team."]
    elif not policy.can_be_buddy(actor, buddy):
        problems["buddy"] = ["Choose a buddy from your team."]
    if problems:
        raise ValidationFailed("There is a problem with this visit.", problems)
    if LoneWorkingVisit.objects.filter(staff=actor, status__in=OPEN_STATUSES).exists():
        raise ValidationFailed("You are already on a visit. Check out of it before starting another.")
    visit = create_checked(
        LoneWorkingVisit,
        staff=actor,
        buddy=buddy,
        appointment=appointment,
        client=client,
        place=place.strip(),
        with_whom=with_whom.strip(),
        checked_in_at=now,
        expected_end=expected_end,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=visit,
        client_id=client.pk if client else None,
        detail={"expected_end": expected_end.isoformat(), "buddy": str(visit.buddy_id)},
    )
    _schedule_checks(visit)
    return visit


def _own_open_visit(actor: User, visit: LoneWorkingVisit) -> LoneWorkingVisit:
    locked = _locked(visit)
    if locked is None or locked.staff_id != actor.pk:
        raise NotAllowed("Only the worker on the visit can do this.")
    return locked


@transaction.atomic
def lone_working_check_out(
    *, actor: User, visit: LoneWorkingVisit, now: dt.datetime | None = None
) -> LoneWorkingVisit:
    """One tap: the worker is out and safe. Nothing more escalates; anyone already alerted is told."""
    now = now or timezone.now()
    visit = _own_open_visit(actor, visit)
    if visit.checked_out_at is not None:
        raise ValidationFailed("You have already checked out of this visit.")
    visit.checked_out_at = now
    if visit.status in OPEN_STATUSES:
        visit.status = LoneWorkingStatus.CHECKED_OUT
    _save(visit, ["checked_out_at", "status"])
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=visit, client_id=visit.client_id, detail={"checked_out": True}
    )
    alerted = _who_was_alerted(visit, _raised(visit))
    if alerted:
        notify(
            recipients=alerted,
            subject=f"Lone working: {visit.staff.display_name} is safe",
            body=f"{visit.staff.display_name} checked out safely at {timezone.localtime(now):%H:%M}.",
            link=_link(visit),
            email=True,
        )
    return visit


@transaction.atomic
def lone_working_extend(
    *, actor: User, visit: LoneWorkingVisit, expected_end: dt.datetime, now: dt.datetime | None = None
) -> LoneWorkingVisit:
    """A new expected end: the ladder now counts from it (rungs already raised stay raised)."""
    now = now or timezone.now()
    visit = _own_open_visit(actor, visit)
    if visit.status not in OPEN_STATUSES:
        raise ValidationFailed("This visit has ended: start a new one if you are going back in.")
    if visit.help_requested_at is not None:
        raise ValidationFailed(
            "You asked for help on this visit. Check out when you are safe, or your buddy or manager will "
            "stand the alert down."
        )
    if end_problem := rules.expected_end_problem(checked_in_at=now, expected_end=expected_end):
        raise _problem("expected_end", end_problem)
    previous = visit.expected_end
    visit.expected_end = expected_end
    _save(visit, ["expected_end"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=visit,
        client_id=visit.client_id,
        detail={"expected_end": [previous.isoformat(), expected_end.isoformat()]},
    )
    _schedule_checks(visit)
    alerted = _who_was_alerted(visit, _raised(visit))
    if alerted:
        notify(
            recipients=alerted,
            subject=f"Lone working: {visit.staff.display_name} extended their visit",
            body=(
                f"{visit.staff.display_name} extended their visit to {timezone.localtime(expected_end):%H:%M}. "
                "The alert stays open until they check out or it is stood down."
            ),
            link=_link(visit),
            email=True,
        )
    return visit


@transaction.atomic
def lone_working_help(*, actor: User, visit: LoneWorkingVisit, now: dt.datetime | None = None) -> LoneWorkingVisit:
    """The discreet "I need help": the top of the ladder at once, to the buddy and the team's managers, with
    where, with whom, when and the risk summary. Pressing it twice sends nothing twice."""
    now = now or timezone.now()
    visit = _own_open_visit(actor, visit)
    if visit.status not in OPEN_STATUSES:
        raise ValidationFailed("This visit has ended. If you are in danger, call 999.")
    if visit.help_requested_at is None:
        visit.help_requested_at = now
        visit.status = LoneWorkingStatus.ESCALATED
        _save(visit, ["help_requested_at", "status"])
        audit_event_record(
            actor=actor, action=AuditAction.UPDATE, obj=visit, client_id=visit.client_id, detail={"help": True}
        )
    due = rules.escalation_levels_due(
        expected_end=visit.expected_end, now=now, checked_out=False, help_requested=True, raised=_raised(visit)
    )
    if EscalationLevel.HELP in _raise(visit, due, now):
        _alert_help(visit, now)
    return visit


# ------------------------------------------------------------------------------------------ the watchers


@transaction.atomic
def lone_working_resolve(
    *, actor: User, visit: LoneWorkingVisit, note: str, now: dt.datetime | None = None
) -> LoneWorkingVisit:
    """The buddy or a manager stands the alert down, saying what happened (e.g. "Rang her: safe, phone died")."""
    now = now or timezone.now()
    locked = _locked(visit)
    if locked is None or not policy.can_stand_down(actor, locked):
        raise NotAllowed("Only the buddy or a manager of the worker's team can stand this alert down.")
    visit = locked
    if visit.status not in OPEN_STATUSES:
        who = f" by {visit.resolved_by.display_name}" if visit.resolved_by else ""
        raise ValidationFailed(f"This visit is already closed ({visit.get_status_display().lower()}{who}).")
    if len(note.strip()) < MIN_NOTE:
        raise _problem("resolution_note", NOTE_NEEDED)
    visit.status = LoneWorkingStatus.RESOLVED
    visit.resolved_at = now
    visit.resolved_by = actor
    visit.resolution_note = note.strip()
    _save(visit, ["status", "resolved_at", "resolved_by", "resolution_note"])
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=visit, client_id=visit.client_id, detail={"resolved": True}
    )
    told = [p for p in [visit.staff, *_who_was_alerted(visit, _raised(visit))] if p.pk != actor.pk]
    notify(
        recipients=told,
        subject=f"Lone working: alert stood down by {actor.display_name}",
        body=(
            f"{actor.display_name} stood down the lone-working alert for {visit.staff.display_name} at "
            f"{timezone.localtime(now):%H:%M}. Their note is on the visit."
        ),
        link=_link(visit),
    )
    return visit


# --------------------------------------------------------------------------------------------- the ladder


@transaction.atomic
def lone_working_escalate(*, visit_id: uuid.UUID | str, now: dt.datetime | None = None) -> list[str]:
    """The escalation job: raise the rungs due now on one visit, re-checked under the row lock, and tell the
    people each rung calls. Safe to run any number of times; returns the rungs it raised."""
    now = now or timezone.now()
    visit = _locked(visit_id)
    if visit is None:
        return []
    due = rules.escalation_levels_due(
        expected_end=visit.expected_end,
        now=now,
        checked_out=visit.checked_out_at is not None or visit.status == LoneWorkingStatus.CHECKED_OUT,
        help_requested=visit.help_requested_at is not None,
        raised=_raised(visit),
        stood_down=visit.status == LoneWorkingStatus.RESOLVED,
    )
    raised = _raise(visit, due, now)
    if not raised:
        return []
    if visit.status != LoneWorkingStatus.ESCALATED:
        visit.status = LoneWorkingStatus.ESCALATED
        _save(visit, ["status"])
    audit_event_record(
        actor=None, action=AuditAction.UPDATE, obj=visit, client_id=visit.client_id, detail={"escalated": raised}
    )
    if EscalationLevel.HELP in raised:
        _alert_help(visit, now)  # one message to everyone: the help alert carries it all
        return raised
    for level in raised:
        _ALERTS[EscalationLevel(level)](visit, now)
    return raised


def lone_working_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """The sweep: escalate every open visit past its first rung, in case a job was lost. Each visit is its own
    transaction, so one failure does not hold up the others' alerts. Returns the number of rungs raised."""
    now = now or timezone.now()
    first_rung = rules.OVERDUE_STEPS[0][1]
    overdue = LoneWorkingVisit.objects.filter(
        status__in=OPEN_STATUSES, checked_out_at__isnull=True, expected_end__lte=now - first_rung
    ).values_list("pk", flat=True)
    return sum(len(lone_working_escalate(visit_id=pk, now=now)) for pk in list(overdue))
