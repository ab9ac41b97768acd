"""Writing funding data: funders, streams and their rules (managers), allocating a case to a stream,
unfunded work (asked for by the case's worker, decided by a manager of its team) and the waiting list.

Every service is keyword-only and atomic, records its audit event in the same transaction (ids, kinds and
decisions, never the reasons people typed), and refuses bad input with a ValidationFailed that changes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import Case
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, NotFound, ValidationFailed
from keyworker.core.notifications import notify
from keyworker.core.validation import check_field_values, create_checked
from keyworker.core.versioning import save_if_unchanged
from keyworker.funding.models import (
    EligibilityRule,
    Funder,
    FundingStream,
    StreamAllocation,
    StreamTarget,
    TargetMeasure,
    UnfundedDecision,
    UnfundedWork,
    WaitingListEntry,
)
from keyworker.funding.rules import KIND_ORDER, Kind, evaluate, parameter_problems
from keyworker.funding.selectors import facts_for, places_left, places_used
from keyworker.people.models import Client

REASON_MIN_LENGTH = 10


def _reason_problem(text: str, what: str = "the reason") -> str | None:
    if len((text or "").strip()) < REASON_MIN_LENGTH:
        return f"Give {what} in at least {REASON_MIN_LENGTH} characters."
    return None


def _require_manager(actor: User) -> None:
    if not policy.can_manage_funding(actor):
        raise NotAllowed("Only a manager can change funders, funding streams and their rules.")


def _require_reach(actor: User, client_id: Any) -> None:
    """A client the actor cannot see does not exist for them."""
    if not policy.clients_visible_to(actor).filter(pk=client_id).exists():
        raise NotFound()


# --------------------------------------------------------------------------------- funders and streams


@transaction.atomic
def funder_create(*, actor: User, name: str, note: str = "") -> Funder:
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Name the funder.", {"name": ["Enter the funder's name."]})
    if Funder.objects.filter(name__iexact=name).exists():
        raise ValidationFailed("That funder is already recorded.", {"name": ["A funder with this name exists."]})
    funder = create_checked(Funder, name=name, note=(note or "").strip())
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=funder)
    return funder


@transaction.atomic
def funder_find_or_create(*, actor: User, name: str) -> Funder:
    """The funder of that name (whatever its case), recorded now if it is new."""
    _require_manager(actor)
    existing = Funder.objects.filter(name__iexact=(name or "").strip()).first()
    return existing or funder_create(actor=actor, name=name)


def _stream_problems(
    *,
    funder: Funder,
    name: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    places: Any,
    stream: FundingStream | None = None,
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    same_name = FundingStream.objects.filter(funder=funder, name__iexact=name)
    if stream is not None:
        same_name = same_name.exclude(pk=stream.pk)
    if not name:
        problems["name"] = ["Enter the stream's name."]
    elif same_name.exists():
        problems["name"] = ["This funder already has a stream with this name."]
    if starts_on is None:
        problems["starts_on"] = ["Enter the date the funding starts."]
    elif ends_on is not None and ends_on < starts_on:
        problems["ends_on"] = ["The end date must be on or after the start date."]
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        problems["places"] = ["Enter the number of places as a whole number, 0 or more."]
    elif stream is not None:
        used = places_used(stream)
        if places < used:
            problems["places"] = [f"{used} people are funded by this stream now; end their places first."]
    return problems


@transaction.atomic
def funding_stream_create(
    *,
    actor: User,
    funder: Funder,
    name: str,
    starts_on: dt.date | None,
    places: int,
    ends_on: dt.date | None = None,
    targets: str = "",
    active: bool = True,
) -> FundingStream:
    _require_manager(actor)
    name = (name or "").strip()
    problems = _stream_problems(funder=funder, name=name, starts_on=starts_on, ends_on=ends_on, places=places)
    if problems:
        raise ValidationFailed("There is a problem with this funding stream.", problems)
    stream = create_checked(
        FundingStream,
        funder=funder,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        places=places,
        targets=(targets or "").strip(),
        active=active,
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=stream, detail={"funder": str(funder.pk)})
    return stream


@transaction.atomic
def funding_stream_update(
    *,
    actor: User,
    stream: FundingStream,
    version: int,
    name: str,
    starts_on: dt.date | None,
    places: int,
    ends_on: dt.date | None = None,
    targets: str = "",
    active: bool = True,
) -> FundingStream:
    """Change a stream (optimistic locking: `version` is the one the editor read)."""
    _require_manager(actor)
    name = (name or "").strip()
    problems = _stream_problems(
        funder=stream.funder, name=name, starts_on=starts_on, ends_on=ends_on, places=places, stream=stream
    )
    if problems:
        raise ValidationFailed("There is a problem with this funding stream.", problems)
    values: dict[str, Any] = {
        "name": name,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "places": places,
        "targets": (targets or "").strip(),
        "active": active,
    }
    changed = sorted(key for key, value in values.items() if getattr(stream, key) != value)
    for key, value in values.items():
        setattr(stream, key, value)
    check_field_values(stream)
    save_if_unchanged(stream, expected_version=version, fields=list(values))
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=stream, detail={"fields": changed})
    return stream


def _normalised(kind: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    params = dict(parameters)
    if kind == Kind.AGE_RANGE:
        params.setdefault("at", "today")
    for key in ("areas", "genders", "programmes", "sources"):
        if key in params:
            params[key] = list(dict.fromkeys(v.strip() for v in params[key]))
    return params


@transaction.atomic
def eligibility_rule_add(
    *, actor: User, stream: FundingStream, kind: str, parameters: Mapping[str, Any]
) -> EligibilityRule:
    _require_manager(actor)
    problems = parameter_problems(kind, parameters)
    if problems:
        field = "kind" if kind not in KIND_ORDER else "parameters"
        raise ValidationFailed("There is a problem with this rule.", {field: problems})
    rule = create_checked(EligibilityRule, stream=stream, kind=kind, parameters=_normalised(kind, parameters))
    audit_event_record(
        actor=actor, action=AuditAction.CREATE, obj=rule, detail={"stream": str(stream.pk), "kind": kind}
    )
    return rule


@transaction.atomic
def eligibility_rule_remove(*, actor: User, rule: EligibilityRule) -> None:
    _require_manager(actor)
    stream = rule.stream
    detail = {"rule_removed": str(rule.pk), "kind": rule.kind, "parameters": rule.parameters}
    rule.delete()
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=stream, detail=detail)


# ------------------------------------------------------------------------------------------ allocation


@transaction.atomic
def case_allocate_to_stream(
    *,
    actor: User,
    case: Case,
    stream: FundingStream,
    starts_on: dt.date | None = None,
    override_reason: str = "",
    in_custody: bool | None = None,
    released_on: dt.date | None = None,
    referral_source: str = "",
    referred_on: dt.date | None = None,
) -> StreamAllocation:
    """Fund a case from a stream. Refused when the stream is closed or full, or when the eligibility rules
    say no, unless a manager of the case's team funds it anyway, with a reason."""
    _require_reach(actor, case.client_id)
    if not policy.can_fund_case(actor, case):
        raise NotAllowed("Only the case's team or its keyworker can change how it is funded.")
    on = starts_on or timezone.localdate()
    # The stream's row lock makes "is there a place left?" and taking it one step for concurrent allocators.
    stream = FundingStream.objects.select_for_update().get(pk=stream.pk)
    problems: dict[str, list[str]] = {}
    if not stream.active or stream.starts_on > on or (stream.ends_on is not None and stream.ends_on < on):
        problems["stream"] = [f"{stream.name} is not funding anyone on {on:%-d %B %Y}."]
    elif StreamAllocation.objects.filter(case=case, stream=stream, ends_on__isnull=True).exists():
        problems["stream"] = [f"This case is already funded by {stream.name}."]
    elif places_left(stream, on=on) <= 0:
        problems["stream"] = [f"{stream.name} has no places left; add the person to its waiting list."]
    if problems:
        raise ValidationFailed("This case cannot be funded by that stream.", problems)
    facts = facts_for(
        case.client,
        case,
        as_at=on,
        in_custody=in_custody,
        released_on=released_on,
        referral_source=referral_source,
        referred_on=referred_on,
    )
    verdict = evaluate(list(stream.rules.all()), facts)
    override = ""
    if not verdict.eligible:
        if not (override_reason or "").strip():
            raise ValidationFailed(
                "The eligibility rules say this case is not eligible for this stream.",
                {
                    "stream": verdict.reasons,
                    "override_reason": ["To fund it anyway, a manager of the case's team gives the reason."],
                },
            )
        if not policy.can_approve_unfunded(actor, case):
            raise NotAllowed("Only a manager of the case's team can fund a case the rules say is not eligible.")
        if problem := _reason_problem(override_reason, "the reason for funding it anyway"):
            raise ValidationFailed("Say why this case should be funded anyway.", {"override_reason": [problem]})
        override = override_reason.strip()
    allocation = create_checked(
        StreamAllocation,
        case=case,
        stream=stream,
        starts_on=on,
        allocated_by=actor,
        override_reason=override,
        overridden_by=actor if override else None,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=allocation,
        client_id=case.client_id,
        detail={"stream": str(stream.pk), "case": str(case.pk), "eligibility_overridden": bool(override)},
    )
    return allocation


@transaction.atomic
def stream_allocation_end(*, actor: User, allocation: StreamAllocation, ends_on: dt.date | None = None) -> None:
    """The stream stops funding the case (its place is free from the next day)."""
    case = allocation.case
    _require_reach(actor, case.client_id)
    if not policy.can_fund_case(actor, case):
        raise NotAllowed("Only the case's team or its keyworker can change how it is funded.")
    on = ends_on or timezone.localdate()
    if allocation.ends_on is not None:
        raise ValidationFailed("This funding has already ended.")
    if on < allocation.starts_on:
        raise ValidationFailed("The end cannot be before the start.", {"ends_on": ["End on or after the start."]})
    allocation.ends_on = on
    save_if_unchanged(allocation, expected_version=allocation.version, fields=["ends_on"])
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=allocation, client_id=case.client_id, detail={"ended": True}
    )


# ------------------------------------------------------------------------------------------ unfunded


def _team_managers(case: Case) -> list[User]:
    return list(User.objects.filter(role=Role.MANAGER, is_active=True, team_id=case.team_id))


@transaction.atomic
def unfunded_request(*, actor: User, case: Case, reason: str) -> UnfundedWork:
    """Take a case on with no funding stream: the case's worker asks, with the reason; a manager decides."""
    _require_reach(actor, case.client_id)
    if not policy.can_fund_case(actor, case):
        raise NotAllowed("Only the case's team or its keyworker can ask for unfunded work.")
    if problem := _reason_problem(reason, "the reason for taking this case on unfunded"):
        raise ValidationFailed("Say why this case should be taken on unfunded.", {"reason": [problem]})
    earlier = UnfundedWork.objects.select_for_update().filter(
        case=case, decision__in=[UnfundedDecision.PENDING, UnfundedDecision.APPROVED]
    )
    if earlier.exists():
        raise ValidationFailed(
            "This case already has unfunded work asked for or approved.",
            {"reason": ["Unfunded work for this case has already been asked for."]},
        )
    work = create_checked(UnfundedWork, case=case, reason=reason.strip(), requested_by=actor)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=work, client_id=case.client_id)
    notify(
        recipients=[m for m in _team_managers(case) if m.pk != actor.pk],
        subject="Unfunded work to approve",
        body=f"{actor.display_name} asks to take case {case.reference} on as unfunded work.",
        link=reverse("people:client_detail", args=[case.client_id]),
        email=True,
    )
    return work


@transaction.atomic
def unfunded_decide(*, actor: User, work: UnfundedWork, approve: bool, reason: str) -> UnfundedWork:
    """A manager of the case's team approves or declines unfunded work, with a reason."""
    work = UnfundedWork.objects.select_for_update().select_related("case").get(pk=work.pk)
    case = work.case
    _require_reach(actor, case.client_id)
    if not policy.can_approve_unfunded(actor, case):
        raise NotAllowed("Only a manager of the case's team can decide on unfunded work.")
    if work.decision != UnfundedDecision.PENDING:
        raise ValidationFailed("This has already been decided.", {"decision": ["Already decided."]})
    if problem := _reason_problem(reason, "the reason for the decision"):
        raise ValidationFailed("Say why.", {"decision_reason": [problem]})
    work.decision = UnfundedDecision.APPROVED if approve else UnfundedDecision.DECLINED
    work.decision_reason = reason.strip()
    work.decided_by = actor
    work.decided_at = timezone.now()
    save_if_unchanged(
        work,
        expected_version=work.version,
        fields=["decision", "decision_reason", "decided_by", "decided_at"],
    )
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=work, client_id=case.client_id, detail={"decision": work.decision}
    )
    notify(
        recipients=[work.requested_by],
        subject=f"Unfunded work {work.get_decision_display().lower()}",
        body=f"{actor.display_name} decided on unfunded work for case {case.reference}.",
        link=reverse("people:client_detail", args=[case.client_id]),
    )
    return work


# ------------------------------------------------------------------------------------------ waiting list


@transaction.atomic
def waiting_list_add(
    *,
    actor: User,
    client: Client,
    case: Case | None = None,
    stream: FundingStream | None = None,
    note: str = "",
    added_on: dt.date | None = None,
) -> WaitingListEntry:
    """Put a person on the waiting list: for a stream's next place, or for any place (no stream)."""
    _require_reach(actor, client.pk)
    if not policy.can_record_on(actor, client):
        raise NotAllowed("You cannot add this person to the waiting list.")
    if case is not None and case.client_id != client.pk:
        raise NotFound()
    if WaitingListEntry.objects.filter(client=client, stream=stream, removed_on__isnull=True).exists():
        where = f"for {stream.name}" if stream is not None else "for a place"
        raise ValidationFailed("Already on the waiting list.", {"stream": [f"Already waiting {where}."]})
    entry = create_checked(
        WaitingListEntry,
        client=client,
        case=case,
        stream=stream,
        added_on=added_on or timezone.localdate(),
        added_by=actor,
        note=(note or "").strip(),
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        client_id=client.pk,
        detail={"stream": str(stream.pk) if stream is not None else None},
    )
    return entry


@transaction.atomic
def waiting_list_remove(*, actor: User, entry: WaitingListEntry, removed_on: dt.date | None = None) -> None:
    _require_reach(actor, entry.client_id)
    if not policy.can_record_on(actor, entry.client):
        raise NotAllowed("You cannot change this waiting list entry.")
    if entry.removed_on is not None:
        raise ValidationFailed("This person is no longer on the waiting list.")
    entry.removed_on = removed_on or timezone.localdate()
    save_if_unchanged(entry, expected_version=entry.version, fields=["removed_on"])
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=entry, client_id=entry.client_id, detail={"removed": True}
    )


# ------------------------------------------------------------------------------------------ stream targets

TARGET_MAX = 1_000_000  # far above any grant's numbers; keeps typos like 2000000 out
TARGET_NOTE_MAX_CHARS = 200


def _require_target_setter(actor: User) -> None:
    if not policy.can_set_stream_targets(actor):
        raise NotAllowed("Only a manager can set a funding stream's targets.")


def _target_problems(measure: Any, target: Any, note: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if measure not in TargetMeasure.values:
        problems["measure"] = ["Choose what the target counts."]
    if isinstance(target, bool) or not isinstance(target, int):
        problems["target"] = ["Enter the target as a whole number, like 20."]
    elif target < 0:
        problems["target"] = ["The target cannot be below 0."]
    elif target > TARGET_MAX:
        problems["target"] = [f"The target must be {TARGET_MAX:,} or fewer."]
    if len(note) > TARGET_NOTE_MAX_CHARS:
        problems["note"] = [f"Keep the note to {TARGET_NOTE_MAX_CHARS} characters or fewer."]
    return problems


@transaction.atomic
def stream_target_set(
    *, actor: User, stream: FundingStream, measure: str, target: int, note: str = ""
) -> StreamTarget:
    """Add the stream's target for a measure, or change it if the stream has one (one per measure)."""
    _require_target_setter(actor)
    note = (note or "").strip()
    problems = _target_problems(measure, target, note)
    if problems:
        raise ValidationFailed("There is a problem with this target.", problems)
    existing = StreamTarget.objects.select_for_update().filter(stream=stream, measure=measure).first()
    if existing is not None:
        changed = sorted(k for k, v in {"target": target, "note": note}.items() if getattr(existing, k) != v)
        existing.target, existing.note = target, note
        save_if_unchanged(existing, expected_version=existing.version, fields=["target", "note"])
        audit_event_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=existing,
            detail={"stream": str(stream.pk), "measure": measure, "target": target, "fields": changed},
        )
        return existing
    try:
        # A savepoint: two managers adding the same measure at once meet the unique constraint, and the
        # second gets a message instead of a broken transaction.
        with transaction.atomic():
            created = create_checked(StreamTarget, stream=stream, measure=measure, target=target, note=note)
    except IntegrityError as exc:
        raise ValidationFailed(
            "This stream already has a target for that measure.",
            {"measure": ["This stream already has a target for that measure: change that one instead."]},
        ) from exc
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=created,
        detail={"stream": str(stream.pk), "measure": measure, "target": target},
    )
    return created


@transaction.atomic
def stream_target_remove(*, actor: User, target: StreamTarget) -> None:
    """The funder no longer expects this number: the target goes (the audit trail keeps what it was)."""
    _require_target_setter(actor)
    detail = {
        "target_removed": str(target.pk),
        "measure": target.measure,
        "target": target.target,
    }
    stream = target.stream
    deleted, _ = StreamTarget.objects.filter(pk=target.pk).delete()
    if not deleted:
        raise NotFound()
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=stream, detail=detail)
