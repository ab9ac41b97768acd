"""Recording safeguarding concerns and acting on them; the third-party (victim) record a concern about someone
else lives on.

A concern about the client is part of the client's file: its audit events carry the client's id. A concern
about someone else (an adult or a child) belongs to that person's restricted record: it, its third party, its
actions and its sharing decisions are audited with no client id, so they never reach the client's "who viewed"
trail or subject access output (docs/decisions/0025)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.notifications import notify
from keyworker.core.validation import check_field_values, required_text
from keyworker.core.versioning import save_if_unchanged
from keyworker.people.models import Client, ThirdParty
from keyworker.safeguarding.models import (
    Concern,
    ConcernAbout,
    ConcernAction,
    ConcernActionKind,
    ConcernCategory,
    ConcernStatus,
    DisclosedBy,
)
from keyworker.safeguarding.rules import (
    CLOSING_NOTE_PROBLEM,
    concern_review_on,
    concern_status_problem,
    sharing_decision_problems,
)
from keyworker.safeguarding.services.sharing import sharing_decision_record

__all__ = [
    "concern_action_add",
    "concern_record",
    "concern_review_date_set",
    "concern_status_change",
    "third_party_update",
]

DISCLOSURE_MAX_CHARS = 10_000
NOTE_MAX_CHARS = 5_000
THIRD_PARTY_FIELDS = ("name", "description", "is_child", "date_of_birth", "phone", "address", "safe_contact_note")
LEAD_SUBJECT = "A safeguarding concern needs looking at"
LEAD_BODY = "A safeguarding concern has been recorded and needs looking at."


def concern_audit_client_id(concern: Concern) -> uuid.UUID | None:
    """The client id an event about this concern carries: the client's only when the concern is about them."""
    return concern.client_id if concern.about == ConcernAbout.CLIENT else None


def _choice_problem(problems: dict[str, list[str]], field: str, value: str, choices: list[str], message: str) -> None:
    if value not in choices:
        problems[field] = [message]


def _third_party_values(
    problems: dict[str, list[str]], data: dict[str, Any] | None, *, about: str, today: dt.date
) -> dict[str, Any]:
    """The third party's fields, tidied, with problems keyed `third_party_<field>`."""
    data = dict(data or {})
    unknown = set(data) - set(THIRD_PARTY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown third-party fields: {sorted(unknown)}")
    values: dict[str, Any] = {
        "name": str(data.get("name") or "").strip(),
        "description": str(data.get("description") or "").strip(),
        "is_child": bool(data.get("is_child")) or about == ConcernAbout.CHILD,
        "date_of_birth": data.get("date_of_birth") or None,
        "phone": str(data.get("phone") or "").strip(),
        "address": str(data.get("address") or "").strip(),
        "safe_contact_note": str(data.get("safe_contact_note") or "").strip(),
    }
    if not values["description"]:
        problems["third_party_description"] = [
            'Describe who they are, e.g. "a young woman, the client\'s partner" (a name is not needed).'
        ]
    dob = values["date_of_birth"]
    if dob is not None and (not isinstance(dob, dt.date) or dob > today):
        problems["third_party_date_of_birth"] = ["The date of birth must be a real date in the past."]
    probe = ThirdParty(**values)
    try:
        check_field_values(probe)
    except ValidationFailed as exc:
        for field, messages in exc.field_errors.items():
            problems.setdefault(f"third_party_{field}", messages)
    return values


def _lead_link(concern: Concern) -> str:
    return reverse("safeguarding:concern_detail", args=[concern.pk])


def _tell_the_leads(concern: Concern, actor: User) -> None:
    """Every active safeguarding lead is told (in the app, and by an e-mail holding only the link)."""
    leads = User.objects.filter(role=Role.SAFEGUARDING_LEAD, is_active=True).exclude(pk=actor.pk)
    notify(recipients=list(leads), subject=LEAD_SUBJECT, body=LEAD_BODY, link=_lead_link(concern), email=True)


@transaction.atomic
def concern_record(
    *,
    actor: User,
    client: Client,
    about: str,
    category: str,
    disclosed_by: str,
    disclosed_on: dt.date | None,
    what_was_disclosed: str,
    review_on: dt.date | None = None,
    third_party: dict[str, Any] | None = None,
    first_action: dict[str, Any] | None = None,
    sharing: dict[str, Any] | None = None,
) -> Concern:
    """Record a concern raised in `client`'s casework. About someone else: their own third-party record is made
    and the concern lives there (the client is only where it arose). `first_action` is {"kind", "note"};
    `sharing` is {"shared", "shared_with", "lawful_basis", "reasons"}. Bad input changes nothing."""
    if not policy.can_record_concern(actor, client):
        raise NotAllowed("You cannot record a concern from this client's casework.")
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    _choice_problem(problems, "about", about, ConcernAbout.values, "Say who is at risk.")
    _choice_problem(problems, "category", category, ConcernCategory.values, "Choose what kind of concern it is.")
    _choice_problem(problems, "disclosed_by", disclosed_by, DisclosedBy.values, "Say who told you, or how you know.")
    if disclosed_on is None:
        problems["disclosed_on"] = ["Enter the date it was disclosed."]
    elif disclosed_on > today:
        problems["disclosed_on"] = ["The date it was disclosed cannot be in the future."]
    disclosure = required_text(
        problems,
        "what_was_disclosed",
        what_was_disclosed,
        "Say what was disclosed, in their words if you can.",
        DISCLOSURE_MAX_CHARS,
    )
    if review_on is not None and review_on < today:
        problems["review_on"] = ["The review date cannot be in the past."]
    person: dict[str, Any] | None = None
    if about in (ConcernAbout.THIRD_PARTY, ConcernAbout.CHILD):
        person = _third_party_values(problems, third_party, about=about, today=today)
    action_kind, action_note = "", ""
    if first_action and (first_action.get("kind") or str(first_action.get("note") or "").strip()):
        action_kind = str(first_action.get("kind") or "")
        action_note = str(first_action.get("note") or "").strip()
        _choice_problem(problems, "first_action_kind", action_kind, ConcernActionKind.values, "Choose what was done.")
        if len(action_note) > NOTE_MAX_CHARS:
            problems["first_action_note"] = [f"Keep it to {NOTE_MAX_CHARS} characters."]
    if sharing is not None:
        basis = sharing.get("lawful_basis") or ("" if sharing.get("shared") else "not_applicable")
        for field, messages in sharing_decision_problems(
            shared=bool(sharing.get("shared")),
            shared_with=str(sharing.get("shared_with") or ""),
            lawful_basis=basis,
            reasons=str(sharing.get("reasons") or ""),
        ).items():
            problems[f"sharing_{field}"] = messages
        if sharing.get("shared") and not basis:
            problems.setdefault("sharing_lawful_basis", ["Choose the lawful basis it was shared on."])
    if problems:
        raise ValidationFailed("There is a problem with this concern.", problems)
    assert disclosed_on is not None

    record: ThirdParty | None = None
    if person is not None:
        record = ThirdParty(**person)
        record.save(force_insert=True)
        audit_event_record(actor=actor, action=AuditAction.CREATE, obj=record, client_id=None)
    concern = Concern(
        client=client,
        about=about,
        third_party=record,
        category=category,
        disclosed_by=disclosed_by,
        disclosed_on=disclosed_on,
        what_was_disclosed=disclosure,
        review_on=review_on or concern_review_on(category, disclosed_on),
        recorded_by=actor,
    )
    check_field_values(concern)
    concern.save(force_insert=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=concern,
        client_id=concern_audit_client_id(concern),
        detail={"about": about, "category": category},
    )
    if action_kind:
        _action_create(actor=actor, concern=concern, kind=action_kind, note=action_note, taken_on=today)
    if sharing is not None:
        sharing_decision_record(
            actor=actor,
            concern=concern,
            shared=bool(sharing.get("shared")),
            shared_with=str(sharing.get("shared_with") or ""),
            lawful_basis=str(sharing.get("lawful_basis") or ""),
            reasons=str(sharing.get("reasons") or ""),
        )
    _tell_the_leads(concern, actor)
    return concern


def _action_create(*, actor: User, concern: Concern, kind: str, note: str, taken_on: dt.date) -> ConcernAction:
    action = ConcernAction(concern=concern, kind=kind, taken_on=taken_on, note=note, taken_by=actor)
    check_field_values(action)
    action.save(force_insert=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=action,
        client_id=concern_audit_client_id(concern),
        detail={"kind": kind},
    )
    return action


def _may_act(actor: User, concern: Concern) -> None:
    if not policy.can_act_on_concern(actor, concern):
        raise NotAllowed("Only the safeguarding lead or the person who recorded this concern can change it.")


@transaction.atomic
def concern_action_add(
    *, actor: User, concern: Concern, kind: str, note: str = "", taken_on: dt.date | None = None
) -> ConcernAction:
    """What was done about a concern (advice, a referral, a report to the police...), on a day not yet to come."""
    _may_act(actor, concern)
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    _choice_problem(problems, "kind", kind, ConcernActionKind.values, "Choose what was done.")
    if taken_on is None:
        taken_on = today
    elif taken_on > today:
        problems["taken_on"] = ["The date cannot be in the future."]
    note = note.strip()
    if len(note) > NOTE_MAX_CHARS:
        problems["note"] = [f"Keep it to {NOTE_MAX_CHARS} characters."]
    if problems:
        raise ValidationFailed("There is a problem with this action.", problems)
    return _action_create(actor=actor, concern=concern, kind=kind, note=note, taken_on=taken_on)


@transaction.atomic
def concern_status_change(
    *, actor: User, concern: Concern, status: str, expected_version: int, note: str = ""
) -> Concern:
    """Open -> with the safeguarding lead -> closed. Closing needs a note; only the lead reopens."""
    _may_act(actor, concern)
    if status not in ConcernStatus.values:
        raise ValidationFailed("Choose a status.", {"status": ["Choose open, with the safeguarding lead or closed."]})
    if problem := concern_status_problem(concern.status, status, is_lead=policy.is_safeguarding_lead(actor), note=note):
        field = "note" if problem == CLOSING_NOTE_PROBLEM else "status"
        raise ValidationFailed(problem, {field: [problem]})
    if len(note.strip()) > NOTE_MAX_CHARS:
        raise ValidationFailed("The note is too long.", {"note": [f"Keep it to {NOTE_MAX_CHARS} characters."]})
    previous = concern.status
    concern.status = status
    if status == ConcernStatus.CLOSED:
        concern.closed_on, concern.closing_note = timezone.localdate(), note.strip()
    else:
        concern.closed_on = None
    save_if_unchanged(concern, expected_version=expected_version, fields=["status", "closed_on", "closing_note"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=concern,
        client_id=concern_audit_client_id(concern),
        detail={"status": [previous, status]},
    )
    return concern


@transaction.atomic
def concern_review_date_set(
    *, actor: User, concern: Concern, review_on: dt.date | None, expected_version: int
) -> Concern:
    _may_act(actor, concern)
    if review_on is None:
        raise ValidationFailed("Enter the review date.", {"review_on": ["Enter the review date."]})
    if review_on < timezone.localdate():
        raise ValidationFailed(
            "The review date cannot be in the past.", {"review_on": ["The review date cannot be in the past."]}
        )
    concern.review_on = review_on
    save_if_unchanged(concern, expected_version=expected_version, fields=["review_on"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=concern,
        client_id=concern_audit_client_id(concern),
        detail={"fields": ["review_on"]},
    )
    return concern


@transaction.atomic
def third_party_update(*, actor: User, concern: Concern, expected_version: int, **fields: Any) -> ThirdParty:
    """Change the third-party record a concern is about (the lead, or whoever recorded the concern)."""
    _may_act(actor, concern)
    record = concern.third_party
    if record is None:
        raise ValidationFailed("This concern is about the client: there is no separate record to change.")
    current = {name: getattr(record, name) for name in THIRD_PARTY_FIELDS}
    problems: dict[str, list[str]] = {}
    values = _third_party_values(problems, {**current, **fields}, about=concern.about, today=timezone.localdate())
    if problems:
        raise ValidationFailed("There is a problem with this record.", problems)
    changed = sorted(name for name in THIRD_PARTY_FIELDS if values[name] != current[name])
    for name, value in values.items():
        setattr(record, name, value)
    save_if_unchanged(record, expected_version=expected_version, fields=list(THIRD_PARTY_FIELDS))
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=record, client_id=None, detail={"fields": changed})
    return record
