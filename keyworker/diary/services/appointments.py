"""Writing appointments: keyword-only, one transaction, audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework.services import contact_record
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, SafetyCheckFailed, ValidationFailed
from keyworker.core.policy import can_assign_to, can_record_on, can_use_casework
from keyworker.core.validation import create_checked
from keyworker.core.versioning import refuse_stale, save_if_unchanged
from keyworker.custody.models import CustodyEpisode, Establishment, Hearing
from keyworker.custody.selectors import custody_episode_list_for, establishment_list_for, hearing_list_for
from keyworker.diary import rules
from keyworker.diary.models import Appointment, AppointmentKind, AppointmentStatus
from keyworker.people.models import Client
from keyworker.safeguarding.safety import booking_safety_warnings
from keyworker.services.models import Venue

__all__ = [
    "VisitSlot",
    "appointment_book",
    "appointment_book_group",
    "appointment_reschedule",
    "appointment_status_record",
]


def _problem(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: [message]})


def _check_booking(actor: User, *, client: Client | None, staff: User) -> None:
    if client is not None and not can_record_on(actor, client):
        raise NotAllowed("You cannot book appointments for this client.")
    if client is None and not can_use_casework(actor):
        raise NotAllowed("You cannot book appointments.")
    if not can_assign_to(actor, staff):
        raise ValidationFailed(
            "Appointments can be booked for you or your team.", {"staff": ["Choose someone in your team."]}
        )


def _check_links(
    actor: User,
    *,
    kind: str,
    client: Client | None,
    establishment: Establishment | None,
    custody_episode: CustodyEpisode | None,
    hearing: Hearing | None,
) -> None:
    """The prison or court must be in the directory, and a release or hearing must be this client's and in
    the actor's reach (one answer for both, so the check reveals nothing about other people's records)."""
    if establishment is not None and not establishment_list_for(actor).filter(pk=establishment.pk).exists():
        raise _problem("establishment", "Choose a prison or court from the directory.")
    if custody_episode is not None:
        if kind != AppointmentKind.GATE:
            raise _problem("custody_episode", "Only a meet at the gate is linked to a release.")
        mine = client is not None and custody_episode.client_id == client.pk
        if not mine or not custody_episode_list_for(actor).filter(pk=custody_episode.pk).exists():
            raise _problem("custody_episode", "Choose a release of this client.")
    if hearing is not None:
        if kind != AppointmentKind.COURT:
            raise _problem("hearing", "Only a court appointment is linked to a hearing.")
        mine = client is not None and hearing.client_id == client.pk
        if not mine or not hearing_list_for(actor).filter(pk=hearing.pk).exists():
            raise _problem("hearing", "Choose a hearing of this client.")


def _create(actor: User, *, safety_warnings: Sequence[str] = (), **fields: object) -> Appointment:
    appointment = create_checked(Appointment, **fields)
    # Going ahead despite a safety warning is on the record (the reason is kept on the appointment).
    detail = {"safety_override": True, "safety_warnings": len(safety_warnings)} if safety_warnings else None
    audit_event_record(
        actor=actor, action=AuditAction.CREATE, obj=appointment, client_id=appointment.client_id, detail=detail
    )
    return appointment


def _venue_area(venue: Venue | None, establishment: Establishment | None) -> tuple[str, str]:
    """(postcode, borough) the safety check reads: the venue's, else the prison's or court's postcode."""
    if venue is not None:
        return venue.postcode, venue.borough
    if establishment is not None:
        return establishment.postcode, ""
    return "", ""


def _safety_checked(warnings: list[str], safety_override_reason: str) -> str:
    """The override reason to keep: none when nothing warned; refused when something did and no reason."""
    if not warnings:
        return ""
    reason = safety_override_reason.strip()
    if not reason:
        raise SafetyCheckFailed(warnings)
    return reason


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
    establishment: Establishment | None = None,
    custody_episode: CustodyEpisode | None = None,
    hearing: Hearing | None = None,
    venue: Venue | None = None,
    safety_override_reason: str = "",
) -> Appointment:
    """Book one appointment. A meet at the gate linked to a release is at that prison unless told otherwise;
    attending a hearing is at its court; at a venue, it is there.

    Booking a client at a venue (or prison or court) in an area unsafe for them warns: without a
    `safety_override_reason` it raises SafetyCheckFailed and nothing is saved; with one, it is saved and
    kept."""
    staff = staff or actor
    _check_booking(actor, client=client, staff=staff)
    if kind not in AppointmentKind.values:
        raise _problem("kind", "Choose the kind of appointment.")
    if ends_at < starts_at:
        raise ValidationFailed("An appointment must end after it starts.", {"ends_at": ["End is before start."]})
    _check_links(
        actor, kind=kind, client=client, establishment=establishment, custody_episode=custody_episode, hearing=hearing
    )
    if establishment is None and custody_episode is not None:
        establishment = custody_episode.establishment
    if establishment is None and hearing is not None:
        establishment = hearing.court
    location = location.strip() or (venue.name if venue else establishment.name if establishment else "")
    warnings: list[str] = []
    if client is not None:
        postcode, borough = _venue_area(venue, establishment)
        warnings = booking_safety_warnings(actor, client, postcode=postcode, borough=borough)
    override = _safety_checked(warnings, safety_override_reason)
    return _create(
        actor,
        safety_warnings=warnings,
        safety_override_reason=override,
        venue=venue,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        staff=staff,
        client=client,
        location=location,
        notes=notes.strip(),
        establishment=establishment,
        custody_episode=custody_episode,
        hearing=hearing,
    )


@dataclass(frozen=True)
class VisitSlot:
    """One client's visit in a group booking: who (a client id, as chosen), from when, for how long."""

    client_id: uuid.UUID | str
    starts: dt.time
    minutes: int


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    """A malformed client id names no one, like an unknown one."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _slot_field(index: int, name: str) -> str:
    return f"slots.{index}.{name}"


@transaction.atomic
def appointment_book_group(
    *,
    actor: User,
    establishment: Establishment,
    on: dt.date,
    kind: str,
    slots: Sequence[VisitSlot],
    staff: User | None = None,
    notes: str = "",
    safety_override_reason: str = "",
) -> list[Appointment]:
    """Thursday: several clients at one prison on one day, each with their own slot, booked together under
    one group id. All or nothing: one client out of reach or one bad slot and nothing is booked. Problems
    name only clients the actor can see.

    The safety check warns if the prison is in an area unsafe for one of them, or if any of them must be
    kept apart from another in the group or from anyone already booked to visit that prison that day
    (whoever booked them: the warning names only people the actor can see). Without a
    `safety_override_reason` that raises SafetyCheckFailed and nothing is booked."""
    staff = staff or actor
    if not can_use_casework(actor):
        raise NotAllowed("You cannot book appointments.")
    if not can_assign_to(actor, staff):
        raise _problem("staff", "Choose someone in your team.")
    if kind not in rules.PRISON_VISIT_KINDS:
        raise _problem("kind", "Choose a social or a professional visit.")
    if not establishment_list_for(actor).filter(pk=establishment.pk).exists() or not establishment.is_prison:
        raise _problem("establishment", "Choose a prison from the directory.")
    if not slots:
        raise _problem("slots", "Add at least one client and their visit time.")

    wanted = [pk for pk in (_as_uuid(slot.client_id) for slot in slots) if pk is not None]
    visible = {str(c.pk): c for c in policy.clients_visible_to(actor).filter(pk__in=wanted)}
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    times: list[tuple[dt.datetime, dt.datetime]] = []
    for index, slot in enumerate(slots):
        client = visible.get(str(_as_uuid(slot.client_id)))
        if client is None or not can_record_on(actor, client):
            problems[_slot_field(index, "client")] = ["Choose a client you work with."]
        elif str(client.pk) in seen:
            problems[_slot_field(index, "client")] = [f"{client.display_name} is already on this visit."]
        if client is not None:
            seen.add(str(client.pk))
        length = rules.visit_length_problem(slot.minutes)
        if length:
            problems[_slot_field(index, "minutes")] = [length]
        starts_at = timezone.make_aware(dt.datetime.combine(on, slot.starts))
        times.append((starts_at, starts_at + dt.timedelta(minutes=max(slot.minutes, 0))))
    if not problems:
        for first, second in rules.overlapping_slots(times):
            names = [visible[str(_as_uuid(slots[i].client_id))].display_name for i in (first, second)]
            problems.setdefault(_slot_field(second, "starts"), []).append(
                f"{names[1]}'s visit overlaps {names[0]}'s: give each their own time."
            )
    if problems:
        raise ValidationFailed("Nothing was booked: " + " ".join(m for ms in problems.values() for m in ms), problems)

    group_clients = [visible[str(_as_uuid(slot.client_id))] for slot in slots]
    day_start = timezone.make_aware(dt.datetime.combine(on, dt.time.min))
    # Everyone already booked at this prison that day shares the visits hall with this group.
    already_there = list(
        Client.objects.filter(
            appointments__establishment=establishment,
            appointments__starts_at__gte=day_start,
            appointments__starts_at__lt=day_start + dt.timedelta(days=1),
            appointments__status=AppointmentStatus.BOOKED,
        )
        .exclude(pk__in=[c.pk for c in group_clients])
        .distinct()
    )
    warnings: list[str] = []
    for index, client in enumerate(group_clients):
        # Each pair within the group is looked at once, from its first member.
        others = [*group_clients[index + 1 :], *already_there]
        for warning in booking_safety_warnings(actor, client, postcode=establishment.postcode, others=others):
            if warning not in warnings:
                warnings.append(warning)
    override = _safety_checked(warnings, safety_override_reason)

    group = uuid.uuid4()
    return [
        _create(
            actor,
            safety_warnings=warnings,
            safety_override_reason=override,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            staff=staff,
            client=visible[str(_as_uuid(slot.client_id))],
            location=establishment.name,
            notes=notes.strip(),
            establishment=establishment,
            group=group,
        )
        for slot, (starts_at, ends_at) in zip(slots, times, strict=True)
    ]


def _check_may_change(actor: User, appointment: Appointment) -> None:
    if appointment.client is not None:
        if not can_record_on(actor, appointment.client):
            raise NotAllowed("You cannot record on this client.")
    elif appointment.staff_id != actor.pk:
        raise NotAllowed("Only the person it belongs to can change this appointment.")


def _check_unchanged(appointment: Appointment, expected_version: int) -> None:
    """Someone changed it since the editor read it: say so before anything else (the editor's view of its
    status is out of date, so any other message would mislead)."""
    if appointment.version != expected_version:
        raise refuse_stale(appointment)


def _save(appointment: Appointment, *, expected_version: int, changes: dict[str, object]) -> None:
    """Apply `changes` if nobody changed the appointment since it was read; the caller's instance is left as
    it was read when the save is refused."""
    before = {name: getattr(appointment, name) for name in changes}
    for name, value in changes.items():
        setattr(appointment, name, value)
    try:
        save_if_unchanged(appointment, expected_version=expected_version, fields=list(changes))
    except ConcurrentEdit:
        for name, value in before.items():
            setattr(appointment, name, value)
        raise


@transaction.atomic
def appointment_status_record(
    *, actor: User, appointment: Appointment, expected_version: int, status: str, outcome_note: str = ""
) -> Appointment:
    """Record how an appointment went (attended, late, did not attend) or that it was cancelled. An outcome
    note goes on the client's timeline as a contact. Once recorded, the status stays."""
    _check_may_change(actor, appointment)
    _check_unchanged(appointment, expected_version)
    problem = rules.status_change_problem(
        current=appointment.status, new=status, starts_at=appointment.starts_at, now=timezone.now()
    )
    if problem:
        raise _problem("status", problem)
    changes: dict[str, object] = {"status": status}
    note = outcome_note.strip()
    if note and appointment.client is not None:
        try:
            changes["outcome_contact"] = contact_record(
                actor=actor,
                client=appointment.client,
                kind=rules.contact_kind_for(appointment.kind),
                note=note,
                # A cancellation can be noted before the time it was booked for; a contact is never in the future.
                occurred_at=min(appointment.starts_at, timezone.now()),
                location=appointment.location,
            )
        except ValidationFailed as exc:
            messages = [m for ms in exc.field_errors.values() for m in ms]
            raise ValidationFailed(exc.message, {"outcome_note": messages}) from exc
    elif note:
        # No client, so no timeline: the note stays with the appointment.
        changes["notes"] = f"{appointment.notes}\n\n{note}".strip()
    _save(appointment, expected_version=expected_version, changes=changes)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=appointment,
        client_id=appointment.client_id,
        detail={"status": status, "outcome_contact": str(appointment.outcome_contact_id or "")},
    )
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    actor: User,
    appointment: Appointment,
    expected_version: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str | None = None,
) -> Appointment:
    """Move an appointment: a new one (same client, kind, place and links) is booked, and the old one is
    marked rescheduled and points at it."""
    _check_may_change(actor, appointment)
    _check_unchanged(appointment, expected_version)
    problem = rules.reschedule_problem(current=appointment.status)
    if problem:
        raise _problem("status", problem)
    if ends_at < starts_at:
        raise ValidationFailed("An appointment must end after it starts.", {"ends_at": ["End is before start."]})
    same_day = timezone.localtime(starts_at).date() == timezone.localtime(appointment.starts_at).date()
    replacement = _create(
        actor,
        kind=appointment.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        staff=appointment.staff,
        client=appointment.client,
        location=appointment.location if location is None else location.strip(),
        notes=appointment.notes,
        establishment=appointment.establishment,
        venue=appointment.venue,
        # Same place: the reason given for going ahead despite an area warning still stands.
        safety_override_reason=appointment.safety_override_reason,
        custody_episode=appointment.custody_episode,
        hearing=appointment.hearing,
        # Moved to another day, it is no longer part of that day's visits together.
        group=appointment.group if same_day else None,
    )
    _save(
        appointment,
        expected_version=expected_version,
        changes={"status": AppointmentStatus.RESCHEDULED, "rescheduled_to": replacement},
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=appointment,
        client_id=appointment.client_id,
        detail={"status": AppointmentStatus.RESCHEDULED, "rescheduled_to": str(replacement.pk)},
    )
    return replacement
