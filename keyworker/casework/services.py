"""Writing cases, contacts, note amendments and tasks: keyword-only, one transaction, audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Case as Case_
from django.db.models import IntegerField, Value, When
from django.utils import timezone

from keyworker.accounts.models import Team, User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import (
    Case,
    CaseStatus,
    ClosureReason,
    Contact,
    ContactAmendment,
    ContactKind,
    Pathway,
    Programme,
    Task,
)
from keyworker.casework.rules import case_transition_allowed, contact_problems
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.policy import can_assign_to, can_manage_case, can_record_on, can_use_casework
from keyworker.core.sequences import next_value
from keyworker.core.validation import check_field_values, create_checked
from keyworker.core.versioning import save_if_unchanged
from keyworker.people.models import Client


def _require_recording(actor: User, client: Client) -> None:
    if not can_record_on(actor, client):
        raise NotAllowed("You cannot record on this client.")


@transaction.atomic
def case_open(
    *,
    actor: User,
    client: Client,
    programme: str,
    team: Team,
    keyworker: User | None = None,
    opened_on: dt.date | None = None,
) -> Case:
    if not can_use_casework(actor) or actor.team_id != team.pk:
        raise NotAllowed("You can open cases only in your own team.")
    # A client already supported elsewhere is opened only by someone who can see them; opening a case
    # must not be a way to reach another team's client.
    if client.cases.exists() and not can_record_on(actor, client):
        raise NotAllowed("You cannot open a case for this client.")
    if programme not in Programme.values:
        raise ValidationFailed("Choose a programme.", {"programme": ["Choose a programme."]})
    if keyworker is not None and keyworker.team_id != team.pk:
        raise ValidationFailed(
            "The keyworker must be in the case's team.", {"keyworker": ["Choose a member of the team."]}
        )
    case = create_checked(
        Case,
        client=client,
        reference=f"KW-{next_value('case'):06d}",
        programme=programme,
        status=CaseStatus.OPEN,
        opened_on=opened_on or timezone.localdate(),
        keyworker=keyworker,
        team=team,
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=case, client_id=client.pk)
    return case


@transaction.atomic
def case_change_status(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    status: str,
    closure_reason: str = "",
    closure_note: str = "",
    closed_on: dt.date | None = None,
) -> Case:
    """Put a case on hold, resume it, or close it (closing needs a reason)."""
    if not can_manage_case(actor, case):
        raise NotAllowed("Only the case's own team can change its status.")
    if not case_transition_allowed(case.status, status):
        raise ValidationFailed(
            f"A case that is {case.get_status_display().lower()} cannot become {CaseStatus(status).label.lower()}."
            if status in CaseStatus.values
            else "Choose a status."
        )
    changes: dict[str, object] = {"status": status}
    if status == CaseStatus.CLOSED:
        if closure_reason not in ClosureReason.values:
            raise ValidationFailed(
                "Choose why the case is closing.", {"closure_reason": ["Choose why the case is closing."]}
            )
        closed_on = closed_on or timezone.localdate()
        if closed_on < case.opened_on:
            raise ValidationFailed("A case cannot close before it opened.", {"closed_on": ["Date is before opening."]})
        changes.update(closure_reason=closure_reason, closure_note=closure_note, closed_on=closed_on)
    # Apply to the caller's instance only once the database has taken the change, so a refusal leaves it as read.
    before = {name: getattr(case, name) for name in changes}
    for name, value in changes.items():
        setattr(case, name, value)
    try:
        save_if_unchanged(case, expected_version=expected_version, fields=list(changes))
    except ConcurrentEdit:
        for name, value in before.items():
            setattr(case, name, value)
        raise
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=case, client_id=case.client_id, detail={"status": status}
    )
    return case


def _open_case_of(client: Client, actor: User) -> Case | None:
    """The current case a record belongs to: the recorder's own team's case first, where the client is
    supported by more than one team."""
    current = client.cases.filter(status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD])
    return (
        current.annotate(
            is_ours=Case_(When(team_id=actor.team_id, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("-is_ours", "-opened_on")
        .first()
    )


@transaction.atomic
def contact_record(
    *,
    actor: User,
    client: Client,
    kind: str,
    note: str,
    occurred_at: dt.datetime | None = None,
    duration_minutes: int | None = None,
    location: str = "",
    pathways: list[str] | None = None,
    is_sensitive: bool = False,
) -> Contact:
    """A contact on the client's log, against their current case."""
    _require_recording(actor, client)
    now = timezone.now()
    occurred_at = occurred_at or now
    pathways = list(dict.fromkeys(pathways or []))
    problems = contact_problems(occurred_at=occurred_at, now=now, duration_minutes=duration_minutes, note=note)
    if kind not in ContactKind.values:
        problems["kind"] = "Choose the kind of contact."
    if any(p not in Pathway.values for p in pathways):
        problems["pathways"] = "Choose pathways from the list."
    if problems:
        raise ValidationFailed(
            "There is a problem with this contact.", {field: [msg] for field, msg in problems.items()}
        )
    contact = create_checked(
        Contact,
        client=client,
        case=_open_case_of(client, actor),
        kind=kind,
        occurred_at=occurred_at,
        duration_minutes=duration_minutes,
        location=location.strip(),
        note=note.strip(),
        pathways=pathways,
        is_sensitive=is_sensitive,
        recorded_by=actor,
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=contact, client_id=client.pk)
    return contact


@transaction.atomic
def contact_amend(*, actor: User, contact: Contact, text: str, reason: str) -> ContactAmendment:
    """Correct a note without losing it: the original stays and the amendment is shown with it."""
    _require_recording(actor, contact.client)
    problems: dict[str, list[str]] = {}
    if not text.strip():
        problems["text"] = ["Enter the correction."]
    if not reason.strip():
        problems["reason"] = ["Say why the note is being corrected."]
    if problems:
        raise ValidationFailed("There is a problem with this correction.", problems)
    amendment = ContactAmendment(contact=contact, text=text.strip(), reason=reason.strip(), recorded_by=actor)
    check_field_values(amendment)
    amendment.save(force_insert=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=contact,
        client_id=contact.client_id,
        detail={"amendment": str(amendment.pk)},
    )
    return amendment


@transaction.atomic
def task_create(
    *,
    actor: User,
    title: str,
    due_on: dt.date,
    owner: User | None = None,
    client: Client | None = None,
    detail: str = "",
) -> Task:
    owner = owner or actor
    if client is not None:
        _require_recording(actor, client)
    elif not can_use_casework(actor):
        raise NotAllowed("You cannot create tasks.")
    if not can_assign_to(actor, owner):
        raise ValidationFailed(
            "Tasks can go to you or a member of your team.", {"owner": ["Choose someone in your team."]}
        )
    if not title.strip():
        raise ValidationFailed("Enter what needs doing.", {"title": ["Enter what needs doing."]})
    task = create_checked(
        Task,
        client=client,
        case=_open_case_of(client, actor) if client else None,
        title=title.strip(),
        detail=detail,
        due_on=due_on,
        owner=owner,
        created_by=actor,
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=task, client_id=client.pk if client else None)
    return task


@transaction.atomic
def task_complete(*, actor: User, task: Task, expected_version: int) -> Task:
    if task.client is not None:
        _require_recording(actor, task.client)
    elif task.owner_id != actor.pk:
        raise NotAllowed("Only the owner can complete this task.")
    if task.completed_at is not None:
        raise ValidationFailed("This task is already done.")
    task.completed_at, task.completed_by = timezone.now(), actor
    save_if_unchanged(task, expected_version=expected_version, fields=["completed_at", "completed_by"])
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=task, client_id=task.client_id, detail={"completed": True}
    )
    return task
