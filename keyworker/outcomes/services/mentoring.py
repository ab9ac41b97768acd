"""Peer mentors: a client's path to mentoring (interest, training, DBS check, a supervisor), supervision, linking
the client to the staff account they mentor from once ready, mentoring relationships and their sessions.

A session recorded by casework staff also goes on the mentee's contact log as a "Mentoring session" contact,
so the keyworker's timeline shows it. A session recorded by the mentor does not: the mentor never writes on
(or sees) the mentee's file, and a mentor's note has had no keyworker's eye; it stays with the mentoring
relationship, where the mentee's casework staff read it on the client's mentoring page."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import ContactKind
from keyworker.casework.services import contact_record
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, ValidationFailed
from keyworker.core.validation import check_field_values
from keyworker.core.versioning import save_if_unchanged
from keyworker.outcomes.models import Mentoring, MentoringSession, MentorPathway, MentorSupervision
from keyworker.outcomes.rules.mentoring import (
    mentor_readiness,
    pathway_problems,
    session_problems,
    supervision_problems,
    tidy_dbs_certificate,
)
from keyworker.people.models import Client

__all__ = [
    "mentor_account_link",
    "mentor_pathway_start",
    "mentor_pathway_update",
    "mentor_supervision_record",
    "mentoring_end",
    "mentoring_session_record",
    "mentoring_start",
]

PATHWAY_FIELDS = ["interest_on", "training_completed_on", "dbs_checked_on", "dbs_certificate", "supervisor"]
SUPERVISOR_ROLES = frozenset({Role.CASEWORKER, Role.MANAGER})


def _require_recording(actor: User, client: Client) -> None:
    # Out of reach and merely not allowed look the same from outside: not found.
    if not policy.can_record_on(actor, client):
        raise NotFound()


def _supervisor_problem(supervisor: User | None) -> str | None:
    if supervisor is not None and (not supervisor.is_active or supervisor.role not in SUPERVISOR_ROLES):
        return "Choose a caseworker or manager to supervise them."
    return None


def _pathway_values(
    *,
    interest_on: dt.date | None,
    training_completed_on: dt.date | None,
    dbs_checked_on: dt.date | None,
    dbs_certificate: str,
    supervisor: User | None,
) -> dict[str, object]:
    problems = pathway_problems(
        interest_on=interest_on,
        training_completed_on=training_completed_on,
        dbs_checked_on=dbs_checked_on,
        dbs_certificate=dbs_certificate,
        today=timezone.localdate(),
    )
    if (message := _supervisor_problem(supervisor)) is not None:
        problems["supervisor"] = [message]
    if problems:
        raise ValidationFailed("There is a problem with the path to mentoring.", problems)
    return {
        "interest_on": interest_on,
        "training_completed_on": training_completed_on,
        "dbs_checked_on": dbs_checked_on,
        "dbs_certificate": tidy_dbs_certificate(dbs_certificate),
        "supervisor": supervisor,
    }


@transaction.atomic
def mentor_pathway_start(
    *,
    actor: User,
    client: Client,
    interest_on: dt.date | None,
    training_completed_on: dt.date | None = None,
    dbs_checked_on: dt.date | None = None,
    dbs_certificate: str = "",
    supervisor: User | None = None,
) -> MentorPathway:
    """Put a client on the path to mentoring (their interest, and whatever of training, DBS check and supervisor
    is already known). A client has one pathway: a second start, even at the same moment, is a ConcurrentEdit."""
    _require_recording(actor, client)
    values = _pathway_values(
        interest_on=interest_on,
        training_completed_on=training_completed_on,
        dbs_checked_on=dbs_checked_on,
        dbs_certificate=dbs_certificate,
        supervisor=supervisor,
    )
    if MentorPathway.objects.filter(client=client).exists():
        raise ConcurrentEdit("They are already on the path to mentoring: reload to see it, then change it.")
    pathway = MentorPathway(client=client, **values)
    check_field_values(pathway)
    try:
        with transaction.atomic():
            pathway.save(force_insert=True)
    except IntegrityError as exc:  # someone else started it at the same moment
        raise ConcurrentEdit() from exc
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=pathway,
        client_id=client.pk,
        detail={"fields": [name for name, value in values.items() if value not in (None, "")]},
    )
    return pathway


@transaction.atomic
def mentor_pathway_update(
    *,
    actor: User,
    pathway: MentorPathway,
    expected_version: int,
    interest_on: dt.date | None,
    training_completed_on: dt.date | None,
    dbs_checked_on: dt.date | None,
    dbs_certificate: str,
    supervisor: User | None,
) -> MentorPathway:
    """Change what is known of the path (training done, a DBS check, a supervisor named). Refused with a
    ConcurrentEdit if someone else saved since `expected_version` was read."""
    client = pathway.client
    _require_recording(actor, client)
    values = _pathway_values(
        interest_on=interest_on,
        training_completed_on=training_completed_on,
        dbs_checked_on=dbs_checked_on,
        dbs_certificate=dbs_certificate,
        supervisor=supervisor,
    )
    changed = []
    for name, value in values.items():
        current = pathway.supervisor_id if name == "supervisor" else getattr(pathway, name)
        if current != (value.pk if isinstance(value, User) else value):
            changed.append(name)
    for name, value in values.items():
        setattr(pathway, name, value)
    check_field_values(pathway)
    save_if_unchanged(pathway, expected_version=expected_version, fields=PATHWAY_FIELDS)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=pathway,
        client_id=client.pk,
        detail={"fields": changed},
    )
    return pathway


@transaction.atomic
def mentor_supervision_record(
    *,
    actor: User,
    pathway: MentorPathway,
    held_on: dt.date | None,
    note: str = "",
    supervisor: User | None = None,
) -> MentorSupervision:
    """A supervision held with the (would-be) mentor. The supervisor is the pathway's named supervisor unless
    another is given, else whoever records it."""
    client = pathway.client
    _require_recording(actor, client)
    supervisor = supervisor or pathway.supervisor or actor
    problems = supervision_problems(
        held_on=held_on, note=note, interest_on=pathway.interest_on, today=timezone.localdate()
    )
    if (message := _supervisor_problem(supervisor)) is not None:
        problems["supervisor"] = [message]
    if problems:
        raise ValidationFailed("There is a problem with this supervision.", problems)
    assert held_on is not None  # checked above
    supervision = MentorSupervision(pathway=pathway, held_on=held_on, supervisor=supervisor, note=note.strip())
    check_field_values(supervision)
    supervision.save(force_insert=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=supervision,
        client_id=client.pk,
        detail={"held_on": held_on.isoformat()},
    )
    return supervision


@transaction.atomic
def mentor_account_link(
    *,
    actor: User,
    pathway: MentorPathway,
    account: User,
    expected_version: int,
    started_on: dt.date | None = None,
) -> MentorPathway:
    """A manager links a ready pathway to the staff account (role peer mentor) the client will mentor from,
    and records when they started mentoring. Refused, listing what is missing, unless they are ready."""
    client = pathway.client
    if not policy.can_record_on(actor, client):
        raise NotFound()
    if not policy.can_link_mentor_account(actor, client):
        raise NotAllowed("Only a manager can make someone a peer mentor.")
    today = timezone.localdate()
    started_on = started_on or today
    problems: dict[str, list[str]] = {}
    ready, missing = mentor_readiness(pathway, today)
    if not ready:
        problems["account"] = ["They are not ready to mentor yet. Still needed: " + "; ".join(missing) + "."]
    if not account.is_active or account.role != Role.PEER_MENTOR:
        problems["account"] = ["Choose an active staff account with the peer mentor role."]
    elif MentorPathway.objects.filter(mentor_account=account).exclude(pk=pathway.pk).exists():
        problems["account"] = ["That account already belongs to another mentor."]
    if started_on > today:
        problems["started_on"] = ["The date cannot be in the future."]
    elif started_on < pathway.interest_on:
        problems["started_on"] = ["They cannot start before they were on the path to mentoring."]
    if problems:
        raise ValidationFailed("They cannot be linked to a mentor account yet.", problems)
    pathway.mentor_account = account
    pathway.started_mentoring_on = started_on
    try:
        with transaction.atomic():
            save_if_unchanged(
                pathway, expected_version=expected_version, fields=["mentor_account", "started_mentoring_on"]
            )
    except IntegrityError as exc:  # the account was linked to another pathway at the same moment
        raise ConcurrentEdit() from exc
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=pathway,
        client_id=client.pk,
        detail={"fields": ["mentor_account", "started_mentoring_on"], "account": str(account.pk)},
    )
    return pathway


@transaction.atomic
def mentoring_start(*, actor: User, mentor: User, mentee: Client, started_on: dt.date | None = None) -> Mentoring:
    """Match a peer mentor with a client. The mentor must be an active peer mentor whose path to mentoring is
    ready (training, a current DBS check, a supervisor); nobody mentors themselves; one current relationship per
    pair. Casework staff who record on the mentee do it."""
    _require_recording(actor, mentee)
    today = timezone.localdate()
    started_on = started_on or today
    problems: dict[str, list[str]] = {}
    pathway = MentorPathway.objects.filter(mentor_account=mentor).first()
    if not mentor.is_active or mentor.role != Role.PEER_MENTOR or pathway is None:
        problems["mentor"] = ["Choose a peer mentor."]
    elif pathway.client_id == mentee.pk:
        problems["mentor"] = ["Nobody can mentor themselves: choose another mentor."]
    else:
        ready, missing = mentor_readiness(pathway, today)
        if not ready:
            problems["mentor"] = ["That mentor cannot take on a mentee now. Still needed: " + "; ".join(missing) + "."]
        elif not policy.can_mentor(mentor, mentee):
            # Said without the reason: the restriction or exclusion behind it is not the recorder's to know.
            problems["mentor"] = ["That mentor cannot be matched with this client: choose another."]
        elif Mentoring.objects.filter(mentor=mentor, mentee=mentee, ended_on__isnull=True).exists():
            problems["mentor"] = ["That mentor is already mentoring this client."]
    if started_on > today:
        problems["started_on"] = ["The mentoring cannot start in the future: record it on the day."]
    if problems:
        raise ValidationFailed("There is a problem with this mentoring.", problems)
    mentoring = Mentoring(mentor=mentor, mentee=mentee, started_on=started_on)
    try:
        with transaction.atomic():
            mentoring.save(force_insert=True)
    except IntegrityError as exc:  # the same pair matched at the same moment
        raise ConcurrentEdit() from exc
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=mentoring,
        client_id=mentee.pk,
        detail={"mentor": str(mentor.pk), "started_on": started_on.isoformat()},
    )
    return mentoring


@transaction.atomic
def mentoring_end(
    *, actor: User, mentoring: Mentoring, expected_version: int, ended_on: dt.date | None = None
) -> Mentoring:
    """End a mentoring relationship (casework staff who record on the mentee). From then on the mentor no
    longer sees the mentee at all."""
    mentee = mentoring.mentee
    _require_recording(actor, mentee)
    today = timezone.localdate()
    ended_on = ended_on or today
    problems: dict[str, list[str]] = {}
    if mentoring.ended_on is not None:
        problems["ended_on"] = ["This mentoring has already ended."]
    elif ended_on > today:
        problems["ended_on"] = ["The mentoring cannot end in the future: end it on the day."]
    elif ended_on < mentoring.started_on:
        problems["ended_on"] = ["The end cannot be before the start."]
    if problems:
        raise ValidationFailed("There is a problem with ending this mentoring.", problems)
    mentoring.ended_on = ended_on
    save_if_unchanged(mentoring, expected_version=expected_version, fields=["ended_on"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=mentoring,
        client_id=mentee.pk,
        detail={"fields": ["ended_on"]},
    )
    return mentoring


def _session_contact_note(mentoring: Mentoring, duration_minutes: int, note: str) -> str:
    first = f"Mentoring session with their peer mentor {mentoring.mentor.first_name} ({duration_minutes} minutes)."
    return f"{first}\n\n{note}" if note else first


@transaction.atomic
def mentoring_session_record(
    *,
    actor: User,
    mentoring: Mentoring,
    held_on: dt.date | None,
    duration_minutes: int | None,
    note: str = "",
) -> MentoringSession:
    """A session held: by the mentor (while the relationship is current) or by casework staff who record on the
    mentee. Staff recording it also put it on the mentee's contact log (see the module's docstring)."""
    mentee = mentoring.mentee
    if not policy.can_record_mentoring_session(actor, mentoring):
        raise NotFound()
    today = timezone.localdate()
    note = note.strip()
    problems = session_problems(
        held_on=held_on,
        duration_minutes=duration_minutes,
        note=note,
        started_on=mentoring.started_on,
        ended_on=mentoring.ended_on,
        today=today,
    )
    if problems:
        raise ValidationFailed("There is a problem with this session.", problems)
    assert held_on is not None and duration_minutes is not None  # checked above
    session = MentoringSession(
        mentoring=mentoring, held_on=held_on, duration_minutes=duration_minutes, note=note, recorded_by=actor
    )
    check_field_values(session)
    session.save(force_insert=True)
    by_mentor = actor.pk == mentoring.mentor_id
    contact_id = None
    if not by_mentor:
        # Midday on the day, or now if it is today and not yet midday: a contact cannot be in the future.
        occurred_at = min(timezone.make_aware(dt.datetime.combine(held_on, dt.time(12, 0))), timezone.now())
        contact = contact_record(
            actor=actor,
            client=mentee,
            kind=ContactKind.MENTORING,
            note=_session_contact_note(mentoring, duration_minutes, note),
            occurred_at=occurred_at,
            duration_minutes=duration_minutes,
        )
        contact_id = str(contact.pk)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=session,
        client_id=mentee.pk,
        detail={"mentoring": str(mentoring.pk), "by_mentor": by_mentor, "contact": contact_id},
    )
    return session
