"""Writing appointments: keyword-only, one transaction, audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.policy import can_assign_to, can_record_on, can_use_casework
from keyworker.core.validation import create_checked
from keyworker.diary.models import Appointment, AppointmentKind
from keyworker.people.models import Client


@transaction.atomic
def appointment_book(
    *,
    actor: User,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    staff: User | None = None,
    client: Client | None = None,
    location: str = "",
    notes: str = "",
) -> Appointment:
    staff = staff or actor
    if client is not None and not can_record_on(actor, client):
        raise NotAllowed("You cannot book appointments for this client.")
    if client is None and not can_use_casework(actor):
        raise NotAllowed("You cannot book appointments.")
    if not can_assign_to(actor, staff):
        raise ValidationFailed(
            "Appointments can be booked for you or your team.", {"staff": ["Choose someone in your team."]}
        )
    if kind not in AppointmentKind.values:
        raise ValidationFailed("Choose the kind of appointment.", {"kind": ["Choose the kind of appointment."]})
    if ends_at < starts_at:
        raise ValidationFailed("An appointment must end after it starts.", {"ends_at": ["End is before start."]})
    appointment = create_checked(
        Appointment,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        staff=staff,
        client=client,
        location=location,
        notes=notes,
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=appointment, client_id=client.pk if client else None)
    return appointment
