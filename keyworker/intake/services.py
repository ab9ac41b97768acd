"""Writing referrals: keyword-only, one transaction each, audited (ids and field names, never the data).

A referral is personal data before the person is a client, so its events carry no client id until it is
accepted; from then on they carry the new (or existing) client's id, so the client's trail shows where
they came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keyworker.accounts.models import Team, User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import Case, CaseStatus, Programme
from keyworker.casework.services import case_open
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.validation import create_checked
from keyworker.core.versioning import refuse_stale, save_if_unchanged
from keyworker.intake.models import (
    AgencyKind,
    ConsentMethod,
    ConsentRecord,
    LawfulBasis,
    Referral,
    ReferralSource,
    ReferralStatus,
    ReferralStep,
    Schedule1Condition,
    Urgency,
)
from keyworker.intake.rules import NEEDS_REASON, OPEN_STATUSES, referral_transition_allowed
from keyworker.intake.selectors import possible_duplicates_of, visible_part
from keyworker.people.models import SAFE_CONTACT_FIELDS, Client
from keyworker.people.services import client_create

REFERRAL_PERSON_FIELDS = (
    "last_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "phone",
    "home_area",
    "postcode",
)
REFERRER_FIELDS = ("referrer_name", "referrer_organisation", "referrer_contact")
HIDDEN_MATCH_MESSAGE = "A possible match is held by another team or is restricted — ask your manager."
CLOCK_SKEW = dt.timedelta(minutes=5)


class PossibleDuplicates(ValidationFailed):
    """Accepting would create a client who may already exist. `visible` are the matches the actor may see;
    `hidden` says only that there are others (never who)."""

    def __init__(self, message: str, *, visible: list[Client], hidden: bool):
        super().__init__(message, {"existing_client": [message]})
        self.visible = visible
        self.hidden = hidden


def _check_when(when: dt.datetime, *, label: str, not_before: dt.datetime | None = None) -> None:
    if timezone.is_naive(when):
        raise ValidationFailed(f"{label} needs a time zone.")
    if when > timezone.now() + CLOCK_SKEW:
        raise ValidationFailed(f"{label} cannot be in the future.")
    if not_before is not None and when < not_before:
        raise ValidationFailed(f"{label} cannot be before the referral was received.")


def _step(*, referral: Referral, status: str, actor: User, occurred_at: dt.datetime, note: str = "") -> ReferralStep:
    return create_checked(
        ReferralStep, referral=referral, status=status, occurred_at=occurred_at, recorded_by=actor, note=note
    )


def _locked(referral: Referral, expected_version: int | None) -> Referral:
    """The referral's row, locked for this transaction; a stale form is a concurrent edit."""
    fresh = Referral.objects.select_for_update().get(pk=referral.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise refuse_stale(fresh)
    return fresh


def _save(fresh: Referral, caller: Referral, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(fresh, name, value)
    save_if_unchanged(fresh, expected_version=fresh.version, fields=list(changes))
    for name in [*changes, "version", "updated_at"]:
        setattr(caller, name, getattr(fresh, name))


def _require_handling(actor: User, referral: Referral) -> None:
    if not policy.can_accept_referral(actor, referral):
        raise NotAllowed("Only the receiving team can move this referral on.")


@transaction.atomic
def referral_receive(
    *,
    actor: User,
    source: str,
    reason: str,
    first_name: str,
    team: Team | None = None,
    received_at: dt.datetime | None = None,
    urgency: str = Urgency.ROUTINE,
    **fields: Any,
) -> Referral:
    """Record an inbound referral into the actor's team (or `team`, if it is theirs)."""
    team = team or actor.team
    if team is None or not policy.can_receive_referral(actor, team.pk):
        raise NotAllowed("You can record referrals only into your own team.")
    unknown = set(fields) - {*REFERRAL_PERSON_FIELDS, *SAFE_CONTACT_FIELDS, *REFERRER_FIELDS}
    if unknown:
        raise ValidationFailed(f"Unknown referral fields: {', '.join(sorted(unknown))}.")
    errors: dict[str, list[str]] = {}
    if source not in ReferralSource.values:
        errors["source"] = ["Choose who referred them."]
    if not first_name.strip():
        errors["first_name"] = ["Enter the person's first name."]
    if not reason.strip():
        errors["reason"] = ["Say why they were referred."]
    if urgency not in Urgency.values:
        errors["urgency"] = ["Choose how urgent it is."]
    if source not in ("", ReferralSource.SELF) and not any(
        str(fields.get(name, "")).strip() for name in ("referrer_name", "referrer_organisation")
    ):
        errors["referrer_name"] = ["Enter who referred them (a name or an organisation)."]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors)
    received_at = received_at or timezone.now()
    _check_when(received_at, label="When it was received")
    referral = create_checked(
        Referral,
        source=source,
        reason=reason.strip(),
        first_name=first_name.strip(),
        urgency=urgency,
        received_at=received_at,
        team=team,
        received_by=actor,
        status=ReferralStatus.RECEIVED,
        **fields,
    )
    _step(referral=referral, status=ReferralStatus.RECEIVED, actor=actor, occurred_at=received_at)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=referral, detail={"source": source})
    return referral


@transaction.atomic
def referral_record_contact_attempt(
    *,
    actor: User,
    referral: Referral,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> ReferralStep:
    """An attempt to reach the person. The first one sets the time to first contact; a referral still
    "received" becomes "contact attempted" (one already assessed or waiting keeps its status)."""
    _require_handling(actor, referral)
    fresh = _locked(referral, expected_version)
    if fresh.status not in OPEN_STATUSES:
        raise ValidationFailed(f"This referral is {fresh.get_status_display().lower()}: it is closed.")
    occurred_at = occurred_at or timezone.now()
    _check_when(occurred_at, label="The contact attempt", not_before=fresh.received_at)
    changes: dict[str, Any] = {}
    if fresh.first_contact_at is None:
        changes["first_contact_at"] = occurred_at
    if fresh.status == ReferralStatus.RECEIVED:
        changes["status"] = ReferralStatus.CONTACT_ATTEMPTED
    _save(fresh, referral, changes)
    step = _step(
        referral=fresh, status=ReferralStatus.CONTACT_ATTEMPTED, actor=actor, occurred_at=occurred_at, note=note
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=fresh,
        client_id=fresh.client_id,
        detail={"step": ReferralStatus.CONTACT_ATTEMPTED, "fields": sorted(changes)},
    )
    return step


@transaction.atomic
def referral_set_status(
    *,
    actor: User,
    referral: Referral,
    status: str,
    reason: str = "",
    note: str = "",
    occurred_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Assessed, waiting list, declined or withdrawn (the last two need a reason). Contact attempts and
    accepting have services of their own, because they do more."""
    _require_handling(actor, referral)
    if status == ReferralStatus.ACCEPTED:
        raise ValidationFailed("Accept a referral with referral_accept: it creates the client and the case.")
    if status == ReferralStatus.CONTACT_ATTEMPTED:
        referral_record_contact_attempt(
            actor=actor, referral=referral, occurred_at=occurred_at, note=note, expected_version=expected_version
        )
        return referral
    fresh = _locked(referral, expected_version)
    if status not in ReferralStatus.values:
        raise ValidationFailed("Choose a status.", {"status": ["Choose a status."]})
    if not referral_transition_allowed(fresh.status, status):
        raise ValidationFailed(
            f"A referral that is {fresh.get_status_display().lower()} cannot become "
            f"{ReferralStatus(status).label.lower()}.",
            {"status": ["That step is not possible from here."]},
        )
    if status in NEEDS_REASON and not reason.strip():
        message = f"Say why the referral was {ReferralStatus(status).label.lower()}."
        raise ValidationFailed(message, {"reason": [message]})
    occurred_at = occurred_at or timezone.now()
    _check_when(occurred_at, label="The date of this step", not_before=fresh.received_at)
    changes: dict[str, Any] = {"status": status}
    if status in NEEDS_REASON:
        changes["status_reason"] = reason.strip()
    _save(fresh, referral, changes)
    _step(referral=fresh, status=status, actor=actor, occurred_at=occurred_at, note=(reason.strip() or note))
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=fresh, client_id=fresh.client_id, detail={"status": status}
    )
    return referral


def _duplicates_message(visible: list[Client], hidden: bool) -> str:
    parts = ["This person may already be known. Choose the existing client, or confirm they are someone new."]
    for client in visible:
        born = f"born {client.date_of_birth:%-d %b %Y}" if client.date_of_birth else "date of birth not known"
        parts.append(f"Possible match: {client.display_name} ({born}).")
    if hidden:
        parts.append(HIDDEN_MATCH_MESSAGE)
    return " ".join(parts)


@transaction.atomic
def referral_accept(
    *,
    actor: User,
    referral: Referral,
    programme: str,
    keyworker: User | None = None,
    existing_client: Client | None = None,
    confirm_new: bool = False,
    expected_version: int | None = None,
    consent: dict[str, Any] | None = None,
) -> Case:
    """The referral becomes a client and a case, in one transaction, after a duplicate check across all
    clients. With possible duplicates, the actor must choose an existing client they may see or confirm
    the person is new; matches they may not see are mentioned, never named. An existing client already
    open in the team keeps their case (no second one is opened). With `consent` (consent_record's arguments),
    the person's consent is recorded in the same transaction: a problem with it accepts nothing (its field
    errors are named `consent_<field>`)."""
    _require_handling(actor, referral)
    fresh = _locked(referral, expected_version)
    if not referral_transition_allowed(fresh.status, ReferralStatus.ACCEPTED):
        raise ValidationFailed(f"This referral is {fresh.get_status_display().lower()}: it cannot be accepted.")
    if programme not in Programme.values:
        raise ValidationFailed("Choose a programme.", {"programme": ["Choose a programme."]})
    matches = possible_duplicates_of(fresh)
    visible, hidden = visible_part(actor, matches)

    case: Case | None = None
    if existing_client is not None:
        if not policy.clients_visible_to(actor).filter(pk=existing_client.pk).exists():
            raise ValidationFailed(
                "Choose one of the clients listed.", {"existing_client": ["Choose one of the clients listed."]}
            )
        client = existing_client
        case = (
            client.cases.filter(team_id=fresh.team_id, status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD])
            .order_by("-opened_on")
            .first()
        )
    else:
        if matches and not confirm_new:
            raise PossibleDuplicates(_duplicates_message(visible, hidden), visible=visible, hidden=hidden)
        client = client_create(
            actor=actor,
            first_name=fresh.first_name,
            **{name: getattr(fresh, name) for name in (*REFERRAL_PERSON_FIELDS, *SAFE_CONTACT_FIELDS)},
        )
    if case is None:
        case = case_open(actor=actor, client=client, programme=programme, team=fresh.team, keyworker=keyworker)
    if consent is not None:
        try:
            consent_record(actor=actor, client=client, **consent)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, {f"consent_{k}": v for k, v in exc.field_errors.items()}) from exc
    _save(fresh, referral, {"status": ReferralStatus.ACCEPTED, "client": client, "case": case})
    now = timezone.now()
    _step(
        referral=fresh,
        status=ReferralStatus.ACCEPTED,
        actor=actor,
        occurred_at=max(now, fresh.received_at),
        note=f"Case {case.reference}",
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=fresh,
        client_id=client.pk,
        detail={
            "status": ReferralStatus.ACCEPTED,
            "case_id": str(case.pk),
            "existing_client": existing_client is not None,
            "possible_duplicates": len(matches),
        },
    )
    return case


# --- consent and lawful basis ------------------------------------------------------------------------------


def _require_recording(actor: User, client: Client) -> None:
    if not policy.can_record_on(actor, client):
        raise NotAllowed("You cannot record consent for this client.")


def _check_day(day: dt.date | None, *, field: str, label: str, errors: dict[str, list[str]]) -> None:
    if day is None:
        errors[field] = [f"Enter {label}."]
    elif day > timezone.localdate():
        errors[field] = [f"{label.capitalize()} cannot be in the future."]


@transaction.atomic
def consent_record(
    *,
    actor: User,
    client: Client,
    basis: str = LawfulBasis.CONSENT,
    covers_support: bool = False,
    agency_kinds: Iterable[str] = (),
    given_on: dt.date | None = None,
    method: str = "",
    schedule1_condition: str = "",
    note: str = "",
) -> ConsentRecord:
    """Record what the person agreed to (consent: how it was given is required), or the other lawful basis
    the charity relies on (its DPA 2018 Schedule 1 condition and a note are required). Bad input raises
    ValidationFailed and records nothing."""
    _require_recording(actor, client)
    kinds = list(dict.fromkeys(agency_kinds))
    errors: dict[str, list[str]] = {}
    if basis not in LawfulBasis.values:
        errors["basis"] = ["Choose the lawful basis."]
    if any(kind not in AgencyKind.values for kind in kinds):
        errors["agency_kinds"] = ["Choose kinds of agency from the list."]
    elif not covers_support and not kinds:
        errors["agency_kinds"] = ["Say what it covers: support, or sharing with at least one kind of agency."]
    given_on = given_on or timezone.localdate()
    _check_day(given_on, field="given_on", label="the date", errors=errors)
    if basis == LawfulBasis.CONSENT:
        if method not in ConsentMethod.values:
            errors["method"] = ["Say how the consent was given."]
        if schedule1_condition and schedule1_condition not in Schedule1Condition.values:
            errors["schedule1_condition"] = ["Choose a Schedule 1 condition from the list."]
    elif basis in LawfulBasis.values:
        method = ""
        if schedule1_condition not in Schedule1Condition.values:
            errors["schedule1_condition"] = ["Choose the DPA 2018 Schedule 1 condition relied on."]
        if not note.strip():
            errors["note"] = ["Say why consent is not the basis, and what the decision rests on."]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors)
    record = create_checked(
        ConsentRecord,
        client=client,
        basis=basis,
        covers_support=covers_support,
        agency_kinds=sorted(kinds),
        given_on=given_on,
        method=method,
        schedule1_condition=schedule1_condition,
        note=note.strip(),
        recorded_by=actor,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        client_id=client.pk,
        detail={"basis": basis, "agency_kinds": record.agency_kinds, "support": covers_support},
    )
    return record


@transaction.atomic
def consent_withdraw(
    *,
    actor: User,
    record: ConsentRecord,
    reason: str,
    withdrawn_on: dt.date | None = None,
    method: str = "",
    expected_version: int | None = None,
) -> ConsentRecord:
    """Withdraw a consent (or end another basis) from a date, with who recorded it and why. The record stays,
    so the history is kept; to keep part of what was agreed, record a new consent for that part."""
    _require_recording(actor, record.client)
    fresh = ConsentRecord.objects.select_for_update().get(pk=record.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise refuse_stale(fresh)
    if fresh.withdrawn_on is not None:
        raise ValidationFailed(f"This was already withdrawn on {fresh.withdrawn_on:%-d %b %Y}.")
    errors: dict[str, list[str]] = {}
    withdrawn_on = withdrawn_on or timezone.localdate()
    _check_day(withdrawn_on, field="withdrawn_on", label="the date", errors=errors)
    if withdrawn_on < fresh.given_on:
        errors["withdrawn_on"] = ["It cannot be withdrawn before it was given."]
    if method and method not in ConsentMethod.values:
        errors["method"] = ["Choose how it was withdrawn from the list."]
    if not reason.strip():
        errors["reason"] = ["Say why (in the person's words, if they gave a reason)."]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors)
    changes = {
        "withdrawn_on": withdrawn_on,
        "withdrawn_by": actor,
        "withdrawal_method": method,
        "withdrawal_reason": reason.strip(),
    }
    for name, value in changes.items():
        setattr(fresh, name, value)
    save_if_unchanged(fresh, expected_version=fresh.version, fields=list(changes))
    for name in [*changes, "version", "updated_at"]:
        setattr(record, name, getattr(fresh, name))
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=fresh,
        client_id=fresh.client_id,
        detail={"withdrawn": True, "fields": sorted(changes)},
    )
    return record
