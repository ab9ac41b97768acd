"""Taking an outcome reading (the client's view and the worker's view of each domain, kept apart), and the
managers' small edits to a scale: its name, how often it is read, whether it is in use, a domain's name, and a
step's label and description (each under optimistic locking)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.validation import check_field_values
from keyworker.core.versioning import save_if_unchanged
from keyworker.outcomes.models import OutcomeDomain, OutcomeReading, OutcomeScale, OutcomeStep, ReadingScore
from keyworker.people.models import Client

__all__ = [
    "MAX_INTERVAL_DAYS",
    "NOTE_MAX_CHARS",
    "Scores",
    "domain_update",
    "reading_record",
    "scale_update",
    "score_field",
    "step_update",
]

NOTE_MAX_CHARS = 5000
MAX_INTERVAL_DAYS = 730
DESCRIPTION_MAX_CHARS = 1000
Scores = dict[str, tuple[int | None, int | None]]


def score_field(view: str, domain_key: str) -> str:
    """The field a problem with one view of one domain is reported under (the form's field name too)."""
    return f"{view}_{domain_key}"


@transaction.atomic
def reading_record(
    *,
    actor: User,
    client: Client,
    scale: OutcomeScale,
    taken_on: dt.date | None,
    scores: Scores,
    note: str = "",
) -> OutcomeReading:
    """A new reading of `scale` for the client: for each domain key, (the client's step, the worker's step),
    either None when that view was not recorded. Every value given must be a step on that domain's ladder, at
    least one must be given, and the reading cannot be dated in the future. Bad input saves nothing."""
    if not policy.can_record_on(actor, client):
        raise NotFound()
    problems: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not scale.is_active:
        problems["scale"] = ["This scale is no longer in use: choose another."]
    if taken_on is None:
        problems["taken_on"] = ["Enter the date the reading was taken."]
    elif taken_on > today:
        problems["taken_on"] = ["A reading cannot be dated in the future."]
    if len(note) > NOTE_MAX_CHARS:
        problems["note"] = [f"Keep the note to {NOTE_MAX_CHARS} characters."]
    domains = {d.key: d for d in OutcomeDomain.objects.filter(scale=scale).prefetch_related("steps")}
    unknown = sorted(set(scores) - set(domains))
    if unknown:
        problems["scores"] = [f"Not a domain of this scale: {', '.join(unknown)}."]
    given = 0
    for key, values in scores.items():
        domain = domains.get(key)
        if domain is None:
            continue
        ladder = {step.value for step in domain.steps.all()}
        for view, value in zip(("client", "worker"), values, strict=True):
            if value is None:
                continue
            given += 1
            if value not in ladder:
                low, high = (min(ladder), max(ladder)) if ladder else (0, 0)
                problems[score_field(view, key)] = [
                    f"Choose one of the steps of {domain.name.lower()}, {low} to {high}."
                ]
    if not given and not unknown:
        problems["scores"] = ["Record the client's view or your view of at least one domain."]
    if problems:
        raise ValidationFailed("There is a problem with this reading.", problems)
    assert taken_on is not None  # checked above
    reading = OutcomeReading(client=client, scale=scale, taken_on=taken_on, taken_by=actor, note=note.strip())
    check_field_values(reading)
    reading.save(force_insert=True)
    rows = [
        ReadingScore(reading=reading, domain=domains[key], client_value=values[0], worker_value=values[1])
        for key, values in scores.items()
        if values[0] is not None or values[1] is not None
    ]
    ReadingScore.objects.bulk_create(rows)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=reading,
        client_id=client.pk,
        detail={"scale": str(scale.pk), "domains": len(rows), "taken_on": taken_on.isoformat()},
    )
    return reading


def _manager_only(actor: User) -> None:
    # Scales hold no personal data, but only managers change them; for anyone else the pages do not exist.
    if not policy.can_manage_outcome_scales(actor):
        raise NotFound()


def _required(problems: dict[str, list[str]], field: str, value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        problems[field] = [f"Enter {what}."]
    elif len(value) > limit:
        problems[field] = [f"Keep {what} to {limit} characters."]
    return value


@transaction.atomic
def scale_update(
    *,
    actor: User,
    scale: OutcomeScale,
    expected_version: int,
    name: str,
    reading_interval_days: int | None,
    is_active: bool,
) -> OutcomeScale:
    """Rename a scale, change how often it is read, or take it in or out of use. Readings already taken keep
    their scale; a scale out of use takes no new readings and is not due on anyone's week."""
    _manager_only(actor)
    problems: dict[str, list[str]] = {}
    name = _required(problems, "name", name, "the scale's name", 120)
    if reading_interval_days is None or not 1 <= reading_interval_days <= MAX_INTERVAL_DAYS:
        problems["reading_interval_days"] = [f"Enter how many days apart readings are, 1 to {MAX_INTERVAL_DAYS}."]
    if name and OutcomeScale.objects.filter(name__iexact=name).exclude(pk=scale.pk).exists():
        problems["name"] = ["Another scale has that name."]
    if problems:
        raise ValidationFailed("There is a problem with this scale.", problems)
    assert reading_interval_days is not None  # checked above
    before = {"name": scale.name, "interval": scale.reading_interval_days, "active": scale.is_active}
    scale.name, scale.reading_interval_days, scale.is_active = name, reading_interval_days, is_active
    check_field_values(scale)
    save_if_unchanged(scale, expected_version=expected_version, fields=["name", "reading_interval_days", "is_active"])
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=scale, detail={"before": before})
    return scale


@transaction.atomic
def domain_update(*, actor: User, domain: OutcomeDomain, expected_version: int, name: str) -> OutcomeDomain:
    """Rename a domain (its key, which the API and reports use, stays)."""
    _manager_only(actor)
    problems: dict[str, list[str]] = {}
    name = _required(problems, "name", name, "the domain's name", 120)
    if problems:
        raise ValidationFailed("There is a problem with this domain.", problems)
    before = domain.name
    domain.name = name
    save_if_unchanged(domain, expected_version=expected_version, fields=["name"])
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=domain, detail={"before": {"name": before}})
    return domain


@transaction.atomic
def step_update(*, actor: User, step: OutcomeStep, expected_version: int, label: str, description: str) -> OutcomeStep:
    """Reword a step of a ladder. Its number stays, so readings already taken keep their meaning."""
    _manager_only(actor)
    problems: dict[str, list[str]] = {}
    label = _required(problems, "label", label, "the step's label", 80)
    description = _required(problems, "description", description, "what the step means", DESCRIPTION_MAX_CHARS)
    if problems:
        raise ValidationFailed("There is a problem with this step.", problems)
    before = {"label": step.label, "description": step.description}
    step.label, step.description = label, description
    save_if_unchanged(step, expected_version=expected_version, fields=["label", "description"])
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=step, detail={"before": before})
    return step
