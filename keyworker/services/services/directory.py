"""Writing the services directory: partner organisations and their services. No personal data, so the
audit events name no client; casework staff keep it current (policy.can_edit_services_directory)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotAllowed
from keyworker.core.validation import create_checked
from keyworker.services.models import Organisation, ReferralMethod, Service, ServiceCategory
from keyworker.services.services._common import refuse, save_changes, stripped

ORGANISATION_FIELDS = ("name", "website", "phone", "email", "address", "is_active")
SERVICE_FIELDS = (
    "name",
    "category",
    "description",
    "phone",
    "email",
    "website",
    "contact_notes",
    "opening_hours",
    "criteria",
    "referral_method",
    "area_covered",
    "is_national",
    "is_helpline",
    "is_active",
)


def _require_editor(actor: User) -> None:
    if not policy.can_edit_services_directory(actor):
        raise NotAllowed("You cannot edit the services directory.")


def _organisation_problems(values: dict[str, Any], existing: Organisation | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not values.get("name"):
        problems["name"] = "Enter the organisation's name."
    else:
        same = Organisation.objects.filter(name__iexact=values["name"])
        if existing is not None:
            same = same.exclude(pk=existing.pk)
        if same.exists():
            problems["name"] = "The directory already has an organisation with this name."
    return problems


@transaction.atomic
def organisation_create(*, actor: User, name: str, **fields: Any) -> Organisation:
    _require_editor(actor)
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"Not organisation fields: {sorted(unknown)}")
    values = {"name": name.strip(), **{k: stripped(v) for k, v in fields.items()}}
    refuse("There is a problem with this organisation.", _organisation_problems(values, None))
    organisation = create_checked(Organisation, **values)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=organisation)
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: User, organisation: Organisation, expected_version: int, **fields: Any
) -> Organisation:
    _require_editor(actor)
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"Not organisation fields: {sorted(unknown)}")
    changes = {k: stripped(v) for k, v in fields.items()}
    values = {name: changes.get(name, getattr(organisation, name)) for name in ORGANISATION_FIELDS}
    refuse("There is a problem with this organisation.", _organisation_problems(values, organisation))
    changed = {k: v for k, v in changes.items() if getattr(organisation, k) != v}
    if changed:
        save_changes(organisation, expected_version, changed)
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=organisation, detail={"fields": sorted(changed)})
    return organisation


def _service_problems(values: dict[str, Any], organisation: Organisation, existing: Service | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not values.get("name"):
        problems["name"] = "Enter the service's name."
    else:
        same = Service.objects.filter(organisation=organisation, name__iexact=values["name"])
        if existing is not None:
            same = same.exclude(pk=existing.pk)
        if same.exists():
            problems["name"] = "This organisation already has a service with this name."
    if values.get("category") not in ServiceCategory.values:
        problems["category"] = "Choose what kind of service it is."
    if values.get("referral_method") not in ReferralMethod.values:
        problems["referral_method"] = "Choose how referrals are made."
    if not values.get("is_national") and not values.get("area_covered"):
        problems["area_covered"] = "Enter the area it covers (boroughs), or say it is national."
    return problems


@transaction.atomic
def service_create(*, actor: User, organisation: Organisation, name: str, category: str, **fields: Any) -> Service:
    """Add a service to an organisation. A national service covers everywhere: its area reads "National"
    unless one is given."""
    _require_editor(actor)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise ValueError(f"Not service fields: {sorted(unknown)}")
    values: dict[str, Any] = {
        "name": name.strip(),
        "category": category,
        "referral_method": ReferralMethod.FORM,
        **{k: stripped(v) for k, v in fields.items()},
    }
    if values.get("is_national") and not values.get("area_covered"):
        values["area_covered"] = "National"
    refuse("There is a problem with this service.", _service_problems(values, organisation, None))
    service = create_checked(Service, organisation=organisation, **values)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=service)
    return service


@transaction.atomic
def service_update(*, actor: User, service: Service, expected_version: int, **fields: Any) -> Service:
    _require_editor(actor)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise ValueError(f"Not service fields: {sorted(unknown)}")
    changes = {k: stripped(v) for k, v in fields.items()}
    values = {name: changes.get(name, getattr(service, name)) for name in SERVICE_FIELDS}
    if values.get("is_national") and not values.get("area_covered"):
        changes["area_covered"] = values["area_covered"] = "National"
    refuse("There is a problem with this service.", _service_problems(values, service.organisation, service))
    changed = {k: v for k, v in changes.items() if getattr(service, k) != v}
    if changed:
        save_changes(service, expected_version, changed)
        audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=service, detail={"fields": sorted(changed)})
    return service
