"""Setting and lifting restrictions and exclusions; opening a client by break-glass."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, NotFound, ValidationFailed
from keyworker.core.notifications import notify
from keyworker.core.validation import create_checked, required_text
from keyworker.core.versioning import save_if_unchanged
from keyworker.people.models import Client
from keyworker.safeguarding.models import (
    AccessRule,
    AccessRuleKind,
    AreaConcern,
    AreaConcernSource,
    AreaKind,
    BreakGlassGrant,
    KeepApart,
    UnsafeArea,
)
from keyworker.safeguarding.rules import (
    area_concern_dates,
    area_concern_reviewed,
    borough_key,
    break_glass_expiry,
    is_out_of_hours,
    postcode_district,
    reason_problem,
    tidy_borough,
)


@transaction.atomic
def access_rule_set(
    *,
    actor: User,
    client: Client,
    kind: str,
    staff: list[User],
    reason: str,
    message: str = "",
    ends_at: dt.datetime | None = None,
) -> AccessRule:
    """A restriction (only the named staff) or an exclusion (never the named staff), from now.
    The manager setting a restriction is always among its named staff, so they cannot lock themselves out."""
    if not policy.can_set_access_rules(actor, client):
        raise NotAllowed("Only a manager of the client's team can restrict their record.")
    problems: dict[str, list[str]] = {}
    if kind not in AccessRuleKind.values:
        problems["kind"] = ["Choose restriction or exclusion."]
    if problem := reason_problem(reason):
        problems["reason"] = [problem]
    if kind == AccessRuleKind.EXCLUSION and not staff:
        problems["staff"] = ["Choose who is excluded."]
    if kind == AccessRuleKind.EXCLUSION and any(person.pk == actor.pk for person in staff):
        problems["staff"] = ["You cannot exclude yourself; ask another manager."]
    now = timezone.now()
    if ends_at is not None and ends_at <= now:
        problems["ends_at"] = ["The end must be in the future."]
    if len(message) > 300:
        problems["message"] = ["Keep the message to 300 characters."]
    if problems:
        raise ValidationFailed("There is a problem with this restriction.", problems)
    rule = AccessRule.objects.create(
        client=client,
        kind=kind,
        reason=reason.strip(),
        message=message.strip(),
        starts_at=now,
        ends_at=ends_at,
        set_by=actor,
    )
    named = {person.pk: person for person in staff}
    if kind == AccessRuleKind.RESTRICTION:
        named[actor.pk] = actor
    rule.staff.set(list(named.values()))
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=rule,
        client_id=client.pk,
        detail={"kind": kind, "staff": sorted(str(pk) for pk in named)},
    )
    return rule


@transaction.atomic
def access_rule_lift(*, actor: User, rule: AccessRule) -> AccessRule:
    if not policy.can_set_access_rules(actor, rule.client):
        raise NotAllowed("Only a manager of the client's team can lift this.")
    if rule.lifted_at is not None:
        raise ValidationFailed("This has already been lifted.")
    rule.lifted_at, rule.lifted_by = timezone.now(), actor
    rule.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=rule, client_id=rule.client_id, detail={"lifted": True}
    )
    return rule


@transaction.atomic
def break_glass_open(
    *, actor: User, client_id: uuid.UUID | str, reason: str, now: dt.datetime | None = None
) -> BreakGlassGrant:
    """Out-of-hours access to a client who is not on the on-call worker's caseload: reason required,
    time-limited, audited as break-glass, and the client's managers are told."""
    now = now or timezone.now()
    if not policy.can_break_glass(actor):
        raise NotAllowed("Only the on-call worker can open a record by break-glass.")
    try:
        client = policy.break_glass_candidates(actor).get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise NotFound() from exc
    if not is_out_of_hours(now):
        raise ValidationFailed(
            "Break-glass is for out of hours. In office hours, ask the client's team or your manager.",
            {"reason": ["Break-glass is for out of hours (weekday evenings, nights and weekends)."]},
        )
    if problem := reason_problem(reason):
        raise ValidationFailed("Say why you need this record.", {"reason": [problem]})
    grant = BreakGlassGrant.objects.create(
        user=actor, client=client, reason=reason.strip(), granted_at=now, expires_at=break_glass_expiry(now)
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=grant,
        client_id=client.pk,
        detail={"break_glass": True, "expires_at": grant.expires_at.isoformat()},
        break_glass=True,
    )
    notify(
        recipients=policy.managers_of(client),
        subject="Break-glass access to a client's record",
        body=(
            f"{actor.display_name} (on call) opened a client's record by break-glass at "
            f"{timezone.localtime(now):%H:%M on %-d %B}. Their reason is on the record."
        ),
        link=reverse("people:client_detail", args=[client.pk]),
        email=True,
    )
    return grant


@transaction.atomic
def area_concern_record(
    *, actor: User, area: str, summary: str, source: str, reported_on: dt.date | None = None
) -> AreaConcern:
    if not policy.can_use_area_concerns(actor):
        raise NotAllowed("You cannot record area concerns.")
    today = timezone.localdate()
    reported_on = reported_on or today
    problems: dict[str, list[str]] = {}
    if not area.strip():
        problems["area"] = ["Say where: a borough, estate, postcode district or landmark."]
    if len(summary.strip()) < 10:
        problems["summary"] = ["Describe the concern in a sentence or two."]
    if source not in AreaConcernSource.values:
        problems["source"] = ["Choose where this came from."]
    if reported_on > today:
        problems["reported_on"] = ["The date cannot be in the future."]
    if problems:
        raise ValidationFailed("There is a problem with this area concern.", problems)
    review_by, expires_on = area_concern_dates(reported_on)
    concern = create_checked(
        AreaConcern,
        area=area.strip(),
        summary=summary.strip(),
        source=source,
        reported_on=reported_on,
        reported_by=actor,
        review_by=review_by,
        expires_on=expires_on,
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=concern)
    return concern


@transaction.atomic
def area_concern_review(*, actor: User, concern: AreaConcern) -> AreaConcern:
    """A manager or safeguarding lead confirms the concern still stands: the next review is due later."""
    if not policy.can_review_area_concerns(actor):
        raise NotAllowed("Only a manager or the safeguarding lead reviews area concerns.")
    today = timezone.localdate()
    if concern.expires_on <= today:
        raise ValidationFailed("This concern has expired; record a new one if it still stands.")
    concern.last_reviewed_on, concern.last_reviewed_by = today, actor
    concern.review_by = area_concern_reviewed(today, concern.expires_on)
    concern.save(update_fields=["last_reviewed_on", "last_reviewed_by", "review_by", "updated_at"])
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=concern, detail={"reviewed": True})
    return concern


# --- the safety profile (issue 6): unsafe areas and people to keep apart --------------------------------------


def _recordable(actor: User, client: Client) -> None:
    """A safety profile is written by casework staff who can see the client; anyone else finds nothing."""
    if not policy.can_record_on(actor, client):
        raise NotFound()


@transaction.atomic
def unsafe_area_add(*, actor: User, client: Client, kind: str, area: str, reason: str, source: str) -> UnsafeArea:
    """Record an area (a borough, or a postcode district such as SE15) where the client should not be sent.
    A full postcode is accepted and kept as its district; a borough is kept as written, spacing tidied."""
    _recordable(actor, client)
    problems: dict[str, list[str]] = {}
    normalised = ""
    if kind == AreaKind.POSTCODE_DISTRICT:
        normalised = postcode_district(area)
        if not normalised:
            problems["area"] = ["Enter a postcode district like SE15, or a full postcode."]
    elif kind == AreaKind.BOROUGH:
        normalised = tidy_borough(area)
        if not normalised:
            problems["area"] = ["Enter the borough."]
        elif len(normalised) > 60:
            problems["area"] = ["Keep the borough to 60 characters."]
    else:
        problems["kind"] = ["Choose a borough or a postcode district."]
    reason = required_text(problems, "reason", reason, "Say why it is unsafe for them.", 2000)
    source = required_text(problems, "source", source, "Say who said so, e.g. the client or the police.", 200)
    if normalised and "area" not in problems:
        active = UnsafeArea.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=timezone.localdate()), client=client, kind=kind
        )
        key = borough_key(normalised) if kind == AreaKind.BOROUGH else normalised
        if any((borough_key(a.area) if kind == AreaKind.BOROUGH else a.area) == key for a in active):
            problems["area"] = [f"{normalised} is already recorded as unsafe for them."]
    if problems:
        raise ValidationFailed("There is a problem with this area.", problems)
    unsafe = create_checked(
        UnsafeArea, client=client, kind=kind, area=normalised, reason=reason, source=source, recorded_by=actor
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=unsafe,
        client_id=client.pk,
        detail={"kind": kind, "area": normalised},
    )
    return unsafe


@transaction.atomic
def unsafe_area_end(*, actor: User, unsafe_area: UnsafeArea, expected_version: int) -> UnsafeArea:
    """The area is no longer unsafe for them, from today (the record stays, for the history)."""
    _recordable(actor, unsafe_area.client)
    if unsafe_area.ended_on is not None and unsafe_area.ended_on <= timezone.localdate():
        raise ValidationFailed("This area has already been ended.")
    unsafe_area.ended_on = timezone.localdate()
    save_if_unchanged(unsafe_area, expected_version=expected_version, fields=["ended_on"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=unsafe_area,
        client_id=unsafe_area.client_id,
        detail={"ended_on": unsafe_area.ended_on.isoformat()},
    )
    return unsafe_area


@transaction.atomic
def keep_apart_record(*, actor: User, client: Client, other: Client, reason: str, source: str) -> KeepApart:
    """Record that two clients must not be booked together. Both must be people the actor can see and record
    on; it is kept once, as a pair, and is on both people's audit trail."""
    _recordable(actor, client)
    _recordable(actor, other)
    problems: dict[str, list[str]] = {}
    if other.pk == client.pk:
        problems["other"] = ["Choose someone else: a person cannot be kept apart from themselves."]
    reason = required_text(problems, "reason", reason, "Say why they must be kept apart.", 2000)
    source = required_text(problems, "source", source, "Say who said so, e.g. the client or the police.", 200)
    first, second = sorted([client, other], key=lambda person: person.pk)
    if (
        "other" not in problems
        and KeepApart.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=timezone.localdate()), client_a=first, client_b=second
        ).exists()
    ):
        problems["other"] = [f"{other.display_name} is already recorded as someone to keep apart from them."]
    if problems:
        raise ValidationFailed("There is a problem with this record.", problems)
    pair = create_checked(KeepApart, client_a=first, client_b=second, reason=reason, source=source, recorded_by=actor)
    for person in (first, second):
        audit_event_record(actor=actor, action=AuditAction.CREATE, obj=pair, client_id=person.pk)
    return pair


@transaction.atomic
def keep_apart_end(*, actor: User, pair: KeepApart, expected_version: int) -> KeepApart:
    """They no longer need keeping apart, from today. Only someone who can see both may say so."""
    _recordable(actor, pair.client_a)
    _recordable(actor, pair.client_b)
    if pair.ended_on is not None and pair.ended_on <= timezone.localdate():
        raise ValidationFailed("This has already been ended.")
    pair.ended_on = timezone.localdate()
    save_if_unchanged(pair, expected_version=expected_version, fields=["ended_on"])
    for client_id in (pair.client_a_id, pair.client_b_id):
        audit_event_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=pair,
            client_id=client_id,
            detail={"ended_on": pair.ended_on.isoformat()},
        )
    return pair
