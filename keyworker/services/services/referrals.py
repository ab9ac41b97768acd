"""Writing referrals out to partner services: keyword-only, one transaction, audited with the client's id.

A referral starts as a draft. Sending it shares the client's information, so it asks
intake.selectors.client_sharing_permitted for the kind of agency the service is (rules.agency_kind_for):
refused, nothing changes and the worker is told why; permitted, the referral is sent on that basis and the
sharing is written to the client's disclosure log in the same transaction. After that, dated updates move it
through its lifecycle (rules.next_statuses); an ending update records the outcome. docs/decisions/0023.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Case as Case_
from django.db.models import IntegerField, Value, When
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import Case, CaseStatus
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.validation import create_checked
from keyworker.intake.selectors import client_sharing_permitted
from keyworker.people.models import Client
from keyworker.privacy.models import SharingAgreement
from keyworker.privacy.services import disclosure_record
from keyworker.services import rules
from keyworker.services.models import (
    OutboundOutcome,
    OutboundReferral,
    OutboundReferralUpdate,
    OutboundStatus,
    Service,
)
from keyworker.services.services._common import refuse, save_changes


def _require_recording(actor: User, client: Client) -> None:
    if not policy.can_record_on(actor, client):
        raise NotAllowed("You cannot record on this client.")


def _current_case(client: Client, actor: User) -> Case | None:
    """The open case the referral belongs to: the referrer's own team's first."""
    return (
        client.cases.filter(status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD])
        .annotate(
            is_ours=Case_(When(team_id=actor.team_id, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("-is_ours", "-opened_on")
        .first()
    )


def _follow_up_problem(follow_up_on: dt.date | None, today: dt.date) -> str:
    if follow_up_on is not None and follow_up_on < today:
        return "The follow-up date cannot be in the past."
    return ""


def _agreement_problem(agreement: SharingAgreement | None, day: dt.date) -> str:
    """A referral may name the sharing agreement it is made under: only one in force on the day it is sent."""
    if agreement is not None and not agreement.in_force_on(day):
        return f"{agreement.title} is not in force on {day:%-d %B %Y}: choose one that is, or none."
    return ""


UNCHANGED: object = object()  # outbound_referral_edit: leave the agreement as it is


def recipient_of(service: Service) -> str:
    """How the disclosure log names who received the information."""
    return f"{service.name} ({service.organisation.name})"


@transaction.atomic
def outbound_referral_create(
    *,
    actor: User,
    client: Client,
    service: Service,
    reason: str,
    shared: str = "",
    follow_up_on: dt.date | None = None,
    send: bool = False,
    sharing_agreement: SharingAgreement | None = None,
) -> OutboundReferral:
    """A referral as a draft; with `send`, sent straight away (and if sending is refused, not even the draft
    is kept: the worker is back on the form with the reason)."""
    _require_recording(actor, client)
    today = timezone.localdate()
    problems: dict[str, str] = {}
    if not reason.strip():
        problems["reason"] = "Say why you are referring them."
    if not service.is_active:
        problems["service"] = "This service is no longer running: choose another."
    if problem := _follow_up_problem(follow_up_on, today):
        problems["follow_up_on"] = problem
    if problem := _agreement_problem(sharing_agreement, today):
        problems["sharing_agreement"] = problem
    refuse("There is a problem with this referral.", problems)
    referral = create_checked(
        OutboundReferral,
        client=client,
        case=_current_case(client, actor),
        service=service,
        reason=reason.strip(),
        shared=shared.strip(),
        follow_up_on=follow_up_on,
        made_by=actor,
        sharing_agreement=sharing_agreement,
    )
    audit_event_record(
        actor=actor, action=AuditAction.CREATE, obj=referral, client_id=client.pk, detail={"status": "draft"}
    )
    if send:
        outbound_referral_send(actor=actor, referral=referral, expected_version=referral.version)
    return referral


@transaction.atomic
def outbound_referral_edit(
    *,
    actor: User,
    referral: OutboundReferral,
    expected_version: int,
    service: Service | None = None,
    reason: str | None = None,
    shared: str | None = None,
    sharing_agreement: SharingAgreement | object | None = UNCHANGED,
) -> OutboundReferral:
    """Change a draft's service, reason, what it shares or the agreement it is made under. Once sent, what went
    is fixed (it is in the disclosure log); only the follow-up date and the lifecycle move on."""
    _require_recording(actor, referral.client)
    if referral.status != OutboundStatus.DRAFT:
        raise ValidationFailed("Only a draft can be changed: this referral has been sent.")
    changes: dict[str, object] = {}
    problems: dict[str, str] = {}
    if service is not None and service.pk != referral.service_id:
        if not service.is_active:
            problems["service"] = "This service is no longer running: choose another."
        changes["service"] = service
    if reason is not None:
        if not reason.strip():
            problems["reason"] = "Say why you are referring them."
        changes["reason"] = reason.strip()
    if shared is not None:
        changes["shared"] = shared.strip()
    if sharing_agreement is not UNCHANGED:
        agreement = sharing_agreement if isinstance(sharing_agreement, SharingAgreement) else None
        if problem := _agreement_problem(agreement, timezone.localdate()):
            problems["sharing_agreement"] = problem
        changes["sharing_agreement"] = agreement
    refuse("There is a problem with this referral.", problems)
    changed = {k: v for k, v in changes.items() if getattr(referral, k) != v}
    if changed:
        save_changes(referral, expected_version, changed)
        audit_event_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=referral,
            client_id=referral.client_id,
            detail={"fields": sorted(changed)},
        )
    return referral


@transaction.atomic
def outbound_referral_send(
    *, actor: User, referral: OutboundReferral, expected_version: int, on_date: dt.date | None = None
) -> OutboundReferral:
    """Send a draft: only if the client's consent or another recorded lawful basis covers sharing with this
    kind of service today. Writes the disclosure log (what, to whom, on which basis) in the same transaction."""
    _require_recording(actor, referral.client)
    if referral.status != OutboundStatus.DRAFT:
        raise ValidationFailed("This referral has already been sent.", {"status": ["It has already been sent."]})
    today = on_date or timezone.localdate()
    problems: dict[str, str] = {}
    if not referral.shared.strip():
        problems["shared"] = "Say what information you are sharing with the service."
    if not referral.service.is_active:
        problems["service"] = "This service is no longer running: choose another."
    if problem := _agreement_problem(referral.sharing_agreement, today):
        problems["sharing_agreement"] = problem
    refuse("This referral cannot be sent yet.", problems)
    agency_kind = rules.agency_kind_for(referral.service.category)
    permitted, why = client_sharing_permitted(referral.client, agency_kind, today)
    if not permitted:
        raise ValidationFailed(
            f"This referral cannot be sent: {why} Record their consent (or another lawful basis) for sharing "
            "with this kind of service first.",
            {"basis": [why]},
        )
    save_changes(referral, expected_version, {"status": OutboundStatus.SENT, "sent_on": today, "basis": why[:300]})
    create_checked(
        OutboundReferralUpdate,
        referral=referral,
        status=OutboundStatus.SENT,
        occurred_on=today,
        note="",
        recorded_by=actor,
    )
    disclosure_record(
        actor=actor,
        client=referral.client,
        what=referral.shared,
        recipient=recipient_of(referral.service),
        basis=referral.basis,
        source=referral,
        sharing_agreement=referral.sharing_agreement,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        client_id=referral.client_id,
        detail={"status": OutboundStatus.SENT, "agency_kind": agency_kind},
    )
    return referral


@transaction.atomic
def outbound_referral_update_status(
    *,
    actor: User,
    referral: OutboundReferral,
    expected_version: int,
    status: str,
    occurred_on: dt.date | None,
    note: str = "",
    reason: str = "",
    first_appointment_at: dt.datetime | None = None,
    outcome: str = "",
    outcome_note: str = "",
) -> OutboundReferralUpdate:
    """Move a referral on (rules.next_statuses) with the date it happened and a note. Declined and withdrawn
    need the reason; a first appointment needs its date and time; ending (declined, completed, withdrawn)
    records the outcome: a completed referral must say it, a declined or withdrawn one is "not achieved"
    unless the worker says otherwise."""
    _require_recording(actor, referral.client)
    today = timezone.localdate()
    problems: dict[str, str] = {}
    if not rules.can_move(referral.status, status):
        allowed = sorted(OutboundStatus(s).label.lower() for s in rules.next_statuses(referral.status))
        problems["status"] = (
            f"A {referral.get_status_display().lower()} referral can only become: {', '.join(allowed)}."
            if allowed
            else "This referral has ended: nothing more can be recorded on it."
        )
    if occurred_on is None:
        problems["occurred_on"] = "Enter the date it happened."
    elif occurred_on > today:
        problems["occurred_on"] = "The date cannot be in the future."
    elif referral.sent_on and occurred_on < referral.sent_on:
        problems["occurred_on"] = "The date cannot be before the referral was sent."
    if status in rules.REASON_REQUIRED and not reason.strip():
        problems["reason"] = (
            "Say why it was declined." if status == OutboundStatus.DECLINED else "Say why it was withdrawn."
        )
    if status == OutboundStatus.FIRST_APPOINTMENT and first_appointment_at is None:
        problems["first_appointment_at"] = "Enter the date and time of the first appointment."
    ending = rules.is_ended(status)
    outcome = outcome or (rules.default_outcome(status) if ending else "")
    if ending and outcome not in OutboundOutcome.values:
        problems["outcome"] = "Say whether it achieved what it was for."
    refuse("There is a problem with this update.", problems)

    changes: dict[str, object] = {"status": status}
    if status in rules.REASON_REQUIRED:
        changes["status_reason"] = reason.strip()
    if status == OutboundStatus.FIRST_APPOINTMENT:
        changes["first_appointment_at"] = first_appointment_at
    if ending:
        changes.update(outcome=outcome, outcome_note=outcome_note.strip(), ended_on=occurred_on)
    save_changes(referral, expected_version, changes)
    update = create_checked(
        OutboundReferralUpdate,
        referral=referral,
        status=status,
        occurred_on=occurred_on,
        note="\n\n".join(text for text in (reason.strip(), note.strip()) if text),
        recorded_by=actor,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        client_id=referral.client_id,
        detail={"status": status, **({"outcome": outcome} if ending else {})},
    )
    return update


@transaction.atomic
def outbound_referral_follow_up_set(
    *, actor: User, referral: OutboundReferral, expected_version: int, follow_up_on: dt.date | None
) -> OutboundReferral:
    """Move (or clear) the follow-up date: any time until the referral ends."""
    _require_recording(actor, referral.client)
    if referral.has_ended:
        raise ValidationFailed(
            "This referral has ended: it needs no follow-up.", {"follow_up_on": ["This referral has ended."]}
        )
    refuse(
        "There is a problem with the follow-up date.",
        {"follow_up_on": p} if (p := _follow_up_problem(follow_up_on, timezone.localdate())) else {},
    )
    if referral.follow_up_on != follow_up_on:
        save_changes(referral, expected_version, {"follow_up_on": follow_up_on})
        audit_event_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=referral,
            client_id=referral.client_id,
            detail={"fields": ["follow_up_on"]},
        )
    return referral
