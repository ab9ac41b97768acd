"""Writing clients. Every write is one transaction with its audit event."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core.errors import KeyworkerError, NotAllowed, ValidationFailed
from keyworker.core.policy import can_record_on, can_use_casework
from keyworker.core.validation import check_field_values, create_checked
from keyworker.core.versioning import save_if_unchanged
from keyworker.people.models import SAFE_CONTACT_FIELDS, Client

CLIENT_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "gender_description",
    "pronouns",
    "ethnicity",
    "phone",
    "email",
    "address",
    "postcode",
    "home_area",
    *SAFE_CONTACT_FIELDS,
)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CLIENT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown client fields: {', '.join(sorted(unknown))}.")
    if "first_name" in fields and not str(fields["first_name"]).strip():
        raise ValidationFailed("Enter a first name.", {"first_name": ["Enter a first name."]})


@transaction.atomic
def client_create(*, actor: User, first_name: str, **fields: Any) -> Client:
    """A new client record. Access comes from the case opened for them (see casework.services.case_open)."""
    if not can_use_casework(actor):
        raise NotAllowed("You cannot add clients.")
    fields["first_name"] = first_name.strip()
    _check_fields(fields)
    client = create_checked(Client, **fields)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=client, client_id=client.pk)
    return client


@transaction.atomic
def client_update(*, actor: User, client: Client, expected_version: int, **changes: Any) -> Client:
    if not can_record_on(actor, client):
        raise NotAllowed("You cannot change this client's details.")
    _check_fields(changes)
    if "first_name" in changes:
        changes["first_name"] = str(changes["first_name"]).strip()
    before = {name: getattr(client, name) for name in changes}
    for name, value in changes.items():
        setattr(client, name, value)
    try:
        check_field_values(client)
        save_if_unchanged(client, expected_version=expected_version, fields=list(changes))
    except KeyworkerError:
        for name, value in before.items():  # a refused change leaves the caller's record as it was read
            setattr(client, name, value)
        raise
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=client,
        client_id=client.pk,
        detail={"fields": sorted(changes)},
    )
    return client
