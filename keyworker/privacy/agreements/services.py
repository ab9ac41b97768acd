"""Writing the register of sharing agreements: keyword-only, one transaction, audited (no client: an agreement
holds no personal data). Bad input changes nothing; a stale edit is refused (optimistic locking)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.validation import check_field_values, create_checked
from keyworker.core.versioning import refuse_stale, save_if_unchanged
from keyworker.privacy.models import SharingAgreement

__all__ = ["AGREEMENT_FIELDS", "agreement_problems", "sharing_agreement_create", "sharing_agreement_update"]

AGREEMENT_FIELDS = (
    "partner",
    "title",
    "purpose",
    "lawful_basis",
    "data_shared",
    "starts_on",
    "review_on",
    "ends_on",
    "document_reference",
)
TEXT_FIELDS = ("partner", "title", "purpose", "lawful_basis", "data_shared", "document_reference")
REQUIRED = {
    "partner": "Enter the partner agency.",
    "title": "Enter the agreement's title.",
    "purpose": "Say why information is shared under it.",
    "lawful_basis": "Enter the lawful basis it relies on.",
    "data_shared": "Say what kinds of information may be shared.",
}


def agreement_problems(
    *, starts_on: dt.date | None, review_on: dt.date | None, ends_on: dt.date | None, **text: str
) -> dict[str, list[str]]:
    """Per-field problems with an agreement's values (a pure rule: no database)."""
    problems: dict[str, list[str]] = {}
    for field, message in REQUIRED.items():
        if not str(text.get(field) or "").strip():
            problems[field] = [message]
    if starts_on is None:
        problems["starts_on"] = ["Enter the date it starts."]
    if review_on is None:
        problems["review_on"] = ["Enter the date it is next to be reviewed."]
    if starts_on is not None:
        if ends_on is not None and ends_on < starts_on:
            problems["ends_on"] = ["The end date cannot be before it starts."]
        if review_on is not None and review_on < starts_on:
            problems["review_on"] = ["The review date cannot be before it starts."]
    return problems


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {name: fields.get(name) for name in AGREEMENT_FIELDS}
    for name in TEXT_FIELDS:
        values[name] = str(values[name] or "").strip()
    problems = agreement_problems(
        starts_on=values["starts_on"],
        review_on=values["review_on"],
        ends_on=values["ends_on"],
        **{name: str(values[name]) for name in TEXT_FIELDS},
    )
    if problems:
        raise ValidationFailed("There is a problem with the sharing agreement.", problems)
    return values


def _require_manager(actor: User) -> None:
    if not policy.can_manage_sharing_agreements(actor):
        raise NotAllowed("You cannot change the register of sharing agreements.")


@transaction.atomic
def sharing_agreement_create(
    *,
    actor: User,
    partner: str,
    title: str,
    purpose: str,
    lawful_basis: str,
    data_shared: str,
    starts_on: dt.date | None,
    review_on: dt.date | None,
    ends_on: dt.date | None = None,
    document_reference: str = "",
) -> SharingAgreement:
    _require_manager(actor)
    values = _values(locals())
    agreement = create_checked(SharingAgreement, recorded_by=actor, **values)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=agreement)
    return agreement


@transaction.atomic
def sharing_agreement_update(
    *,
    actor: User,
    agreement: SharingAgreement,
    expected_version: int,
    partner: str,
    title: str,
    purpose: str,
    lawful_basis: str,
    data_shared: str,
    starts_on: dt.date | None,
    review_on: dt.date | None,
    ends_on: dt.date | None = None,
    document_reference: str = "",
) -> SharingAgreement:
    """Change an agreement if nobody else has since it was read; the caller's instance is left as read when the
    change is refused."""
    _require_manager(actor)
    values = _values(locals())
    changed = {name: value for name, value in values.items() if getattr(agreement, name) != value}
    if not changed:
        if agreement.version != expected_version:
            raise refuse_stale(agreement)
        return agreement
    before = {name: getattr(agreement, name) for name in changed}
    for name, value in changed.items():
        setattr(agreement, name, value)
    try:
        check_field_values(agreement)
        save_if_unchanged(agreement, expected_version=expected_version, fields=list(changed))
    except (ValidationFailed, ConcurrentEdit):
        for name, value in before.items():
            setattr(agreement, name, value)
        raise
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=agreement, detail={"fields": sorted(changed)})
    return agreement
