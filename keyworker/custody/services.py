"""Writing custody and court records: keyword-only, one transaction, audited.

Enter once: opening a custody episode writes its release plan; moving the release date re-dates the open
needs; an adjourned hearing makes the next one; a remand or custodial outcome opens (or, for someone already
on remand, updates) the custody episode. A hearing's outcome is recorded once: afterwards only its wording
can be corrected (hearing_outcome_correct), because the records it made stand on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Case as Case_
from django.db.models import IntegerField, Value, When
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import Case, CaseStatus, Pathway
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.validation import check_field_values, create_checked
from keyworker.core.versioning import save_if_unchanged
from keyworker.custody import rules
from keyworker.custody.models import (
    CUSTODY_OUTCOMES,
    Charge,
    ChargeSource,
    CustodyEpisode,
    CustodyTransfer,
    Establishment,
    EstablishmentKind,
    Hearing,
    HearingKind,
    HearingOutcome,
    LegalStatus,
    NeedStatus,
    ReleaseNeed,
    ReleaseNeedUpdate,
    ReleaseType,
)
from keyworker.people.models import Client

ESTABLISHMENT_FIELDS = ("kind", "name", "address", "postcode", "phone", "email", "visiting_arrangements")
EPISODE_FIELDS = (
    "prison_number",
    "legal_status",
    "received_on",
    "sentenced_on",
    "sentence_length",
    "release_on",
    "release_type",
    "licence_ends_on",
    "probation_practitioner",
    "probation_phone",
    "probation_email",
)


def _require_recording(actor: User, client: Client) -> None:
    if not policy.can_record_on(actor, client):
        raise NotAllowed("You cannot record on this client.")


def _problems(message: str, problems: dict[str, str]) -> None:
    if problems:
        raise ValidationFailed(message, {field: [text] for field, text in problems.items()})


def _current_case(client: Client, actor: User) -> Case | None:
    """The open case a record belongs to: the recorder's own team's first."""
    return (
        client.cases.filter(status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD])
        .annotate(
            is_ours=Case_(When(team_id=actor.team_id, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("-is_ours", "-opened_on")
        .first()
    )


def _save(instance: Any, expected_version: int, changes: dict[str, Any]) -> None:
    """Apply `changes` and save them if the row is still at `expected_version`; on a refusal the caller's
    instance is left as it was read."""
    before = {name: getattr(instance, name) for name in changes}
    for name, value in changes.items():
        setattr(instance, name, value)
    try:
        check_field_values(instance)
        save_if_unchanged(instance, expected_version=expected_version, fields=list(changes))
    except Exception:
        for name, value in before.items():
            setattr(instance, name, value)
        raise


# --- the directory --------------------------------------------------------------------------------------------


def _establishment_problems(values: dict[str, Any], *, existing: Establishment | None = None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if values["kind"] not in EstablishmentKind.values:
        problems["kind"] = "Choose whether it is a prison or a court."
    if not values["name"]:
        problems["name"] = "Enter the name."
    else:
        same_name = Establishment.objects.filter(kind=values["kind"], name__iexact=values["name"])
        if existing is not None:
            same_name = same_name.exclude(pk=existing.pk)
        if same_name.exists():
            problems["name"] = "The directory already has one with this name."
    return problems


@transaction.atomic
def establishment_create(
    *,
    actor: User,
    kind: str,
    name: str,
    address: str = "",
    postcode: str = "",
    phone: str = "",
    email: str = "",
    visiting_arrangements: str = "",
) -> Establishment:
    if not policy.can_edit_directory(actor):
        raise NotAllowed("You cannot edit the directory.")
    values: dict[str, Any] = {
        "kind": kind,
        "name": name.strip(),
        "address": address.strip(),
        "postcode": postcode.strip().upper(),
        "phone": phone.strip(),
        "email": email.strip(),
        "visiting_arrangements": visiting_arrangements.strip(),
    }
    _problems("There is a problem with this entry.", _establishment_problems(values))
    establishment = create_checked(Establishment, **values)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=establishment)
    return establishment


@transaction.atomic
def establishment_update(
    *, actor: User, establishment: Establishment, expected_version: int, **fields: Any
) -> Establishment:
    """Change any of ESTABLISHMENT_FIELDS (and is_active); every change is audited by field name."""
    if not policy.can_edit_directory(actor):
        raise NotAllowed("You cannot edit the directory.")
    unknown = set(fields) - {*ESTABLISHMENT_FIELDS, "is_active"}
    if unknown:
        raise ValueError(f"Not directory fields: {sorted(unknown)}")
    changes = {
        name: (value.strip().upper() if name == "postcode" else value.strip()) if isinstance(value, str) else value
        for name, value in fields.items()
    }
    values = {name: changes.get(name, getattr(establishment, name)) for name in ESTABLISHMENT_FIELDS}
    _problems("There is a problem with this entry.", _establishment_problems(values, existing=establishment))
    changed = {name: value for name, value in changes.items() if getattr(establishment, name) != value}
    if changed:
        _save(establishment, expected_version, changed)
        audit_event_record(
            actor=actor, action=AuditAction.UPDATE, obj=establishment, detail={"fields": sorted(changed)}
        )
    return establishment


# --- custody episodes and the release plan ---------------------------------------------------------------------


def _episode_problems(values: dict[str, Any], today: dt.date) -> dict[str, str]:
    problems: dict[str, str] = {}
    received, release = values.get("received_on"), values.get("release_on")
    if received is None:
        problems["received_on"] = "Enter the date they went into custody."
    elif received > today:
        problems["received_on"] = "The date they went into custody cannot be in the future."
    if values.get("legal_status") not in LegalStatus.values:
        problems["legal_status"] = "Choose on remand or sentenced."
    if values.get("release_type") and values["release_type"] not in ReleaseType.values:
        problems["release_type"] = "Choose the kind of release."
    if received and release and release < received:
        problems["release_on"] = "The release date cannot be before they went into custody."
    sentenced = values.get("sentenced_on")
    if received and sentenced and sentenced > today:
        problems["sentenced_on"] = "The sentence date cannot be in the future."
    licence = values.get("licence_ends_on")
    if licence and release and licence < release:
        problems["licence_ends_on"] = "The licence cannot end before the release."
    return problems


def _need_rows(episode: CustodyEpisode) -> list[ReleaseNeed]:
    return [
        ReleaseNeed(
            episode=episode,
            need=p.key,
            pathway=p.pathway,
            title=p.title,
            status=NeedStatus.NOT_STARTED,
            due_on=p.due_on,
        )
        for p in rules.plan_for(episode.release_on)
    ]


@transaction.atomic
def custody_episode_open(
    *,
    actor: User,
    client: Client,
    establishment: Establishment | None,
    received_on: dt.date | None,
    prison_number: str = "",
    legal_status: str = LegalStatus.SENTENCED,
    sentenced_on: dt.date | None = None,
    sentence_length: str = "",
    release_on: dt.date | None = None,
    release_type: str = "",
    licence_ends_on: dt.date | None = None,
    probation_practitioner: str = "",
    probation_phone: str = "",
    probation_email: str = "",
    source_hearing: Hearing | None = None,
) -> CustodyEpisode:
    """A spell in custody, with its release plan: one need per catalogue entry, dated back from release."""
    _require_recording(actor, client)
    values: dict[str, Any] = {
        "prison_number": prison_number.strip().upper(),
        "legal_status": legal_status,
        "received_on": received_on,
        "sentenced_on": sentenced_on,
        "sentence_length": sentence_length.strip(),
        "release_on": release_on,
        "release_type": release_type,
        "licence_ends_on": licence_ends_on,
        "probation_practitioner": probation_practitioner.strip(),
        "probation_phone": probation_phone.strip(),
        "probation_email": probation_email.strip(),
    }
    problems = _episode_problems(values, timezone.localdate())
    if establishment is None or not establishment.is_prison:
        problems["establishment"] = "Choose the prison."
    # Two people opening custody for one client at once: the second waits here, then sees the first's episode
    # (the unique constraint custody_one_open_episode is the last line of defence).
    list(Client.objects.select_for_update().filter(pk=client.pk).values_list("pk", flat=True))
    current = CustodyEpisode.objects.filter(client=client, released_on__isnull=True).select_related("establishment")
    if (open_episode := current.first()) is not None:
        message = (
            f"{client.display_name} is already in custody at {open_episode.establishment}: record a transfer, "
            "or record the release first."
        )
        raise ValidationFailed(message, {"establishment": [message]})
    _problems("There is a problem with this custody record.", problems)
    episode = create_checked(
        CustodyEpisode,
        client=client,
        case=_current_case(client, actor),
        establishment=establishment,
        source_hearing=source_hearing,
        recorded_by=actor,
        **values,
    )
    ReleaseNeed.objects.bulk_create(_need_rows(episode))
    audit_event_record(
        actor=actor, action=AuditAction.CREATE, obj=episode, client_id=client.pk, detail={"plan": len(rules.CATALOGUE)}
    )
    return episode


def _redate_open_needs(episode: CustodyEpisode, old_release: dt.date | None) -> int:
    moved = 0
    for need in episode.needs.exclude(status__in=list(rules.SETTLED_NEED_STATUSES)):
        new_due = rules.redated(need.need, need.due_on, old_release, episode.release_on)
        if new_due != need.due_on:
            ReleaseNeed.objects.filter(pk=need.pk).update(due_on=new_due, updated_at=timezone.now())
            moved += 1
    return moved


@transaction.atomic
def custody_episode_update(
    *, actor: User, episode: CustodyEpisode, expected_version: int, **fields: Any
) -> CustodyEpisode:
    """Change the episode's details (any of EPISODE_FIELDS). Moving the release date re-dates the open needs
    of the plan; settled ones keep their dates."""
    _require_recording(actor, episode.client)
    unknown = set(fields) - set(EPISODE_FIELDS)
    if unknown:
        raise ValueError(f"Not custody episode fields: {sorted(unknown)}")
    changes = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    if "prison_number" in changes:
        changes["prison_number"] = changes["prison_number"].upper()
    values = {name: changes.get(name, getattr(episode, name)) for name in EPISODE_FIELDS}
    problems = _episode_problems(values, timezone.localdate())
    if episode.released_on and values["received_on"] and episode.released_on < values["received_on"]:
        problems["received_on"] = "They went into custody before they were released."
    _problems("There is a problem with this custody record.", problems)
    changed = {name: value for name, value in changes.items() if getattr(episode, name) != value}
    old_release = episode.release_on
    if changed:
        _save(episode, expected_version, changed)
        detail: dict[str, Any] = {"fields": sorted(changed)}
        if "release_on" in changed:
            detail["needs_redated"] = _redate_open_needs(episode, old_release)
        audit_event_record(
            actor=actor, action=AuditAction.UPDATE, obj=episode, client_id=episode.client_id, detail=detail
        )
    return episode


@transaction.atomic
def custody_transfer_record(
    *,
    actor: User,
    episode: CustodyEpisode,
    expected_version: int,
    to_establishment: Establishment | None,
    transferred_on: dt.date | None,
    prison_number: str = "",
) -> CustodyTransfer:
    """A move to another prison: the episode now points at the new one; the move is kept as history."""
    _require_recording(actor, episode.client)
    problems: dict[str, str] = {}
    if episode.released_on is not None:
        raise ValidationFailed("They have been released: there is nothing to transfer.")
    if to_establishment is None or not to_establishment.is_prison:
        problems["to_establishment"] = "Choose the prison they moved to."
    elif to_establishment.pk == episode.establishment_id:
        problems["to_establishment"] = f"They are already at {to_establishment}."
    if transferred_on is None:
        problems["transferred_on"] = "Enter the date of the move."
    elif transferred_on > timezone.localdate():
        problems["transferred_on"] = "The move cannot be in the future."
    elif transferred_on < episode.received_on:
        problems["transferred_on"] = "The move cannot be before they went into custody."
    _problems("There is a problem with this transfer.", problems)
    assert to_establishment is not None
    prison_number = prison_number.strip().upper()
    transfer = create_checked(
        CustodyTransfer,
        episode=episode,
        from_establishment=episode.establishment,
        to_establishment=to_establishment,
        transferred_on=transferred_on,
        prison_number=prison_number,
        recorded_by=actor,
    )
    changes: dict[str, Any] = {"establishment": to_establishment}
    if prison_number:
        changes["prison_number"] = prison_number
    _save(episode, expected_version, changes)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=transfer, client_id=episode.client_id)
    return transfer


@transaction.atomic
def custody_release_record(
    *, actor: User, episode: CustodyEpisode, expected_version: int, released_on: dt.date | None
) -> CustodyEpisode:
    """They came out. The episode leaves the release board and My week; its plan stays as it was."""
    _require_recording(actor, episode.client)
    if episode.released_on is not None:
        raise ValidationFailed(f"The release on {episode.released_on:%-d %b %Y} is already recorded.")
    problems: dict[str, str] = {}
    if released_on is None:
        problems["released_on"] = "Enter the date of release."
    elif released_on > timezone.localdate():
        problems["released_on"] = "A release cannot be recorded before it happens."
    elif released_on < episode.received_on:
        problems["released_on"] = "The release cannot be before they went into custody."
    _problems("There is a problem with this release.", problems)
    _save(episode, expected_version, {"released_on": released_on})
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=episode, client_id=episode.client_id, detail={"released": True}
    )
    return episode


@transaction.atomic
def release_need_update(
    *, actor: User, need: ReleaseNeed, expected_version: int, status: str, note: str = ""
) -> ReleaseNeedUpdate:
    """A dated update to a need: its new status and what happened (the history is never rewritten)."""
    _require_recording(actor, need.episode.client)
    note = note.strip()
    if status not in NeedStatus.values:
        raise ValidationFailed("Choose a status.", {"status": ["Choose a status."]})
    if status == need.status and not note:
        raise ValidationFailed(
            "Change the status or add a note.", {"note": ["Add a note, or choose a different status."]}
        )
    if status != need.status:
        _save(need, expected_version, {"status": status})
    else:  # a note alone still claims the version read, so two people's updates are never crossed
        _save(need, expected_version, {"updated_at": timezone.now()})
    update = create_checked(ReleaseNeedUpdate, need=need, status=status, note=note, recorded_by=actor)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=need,
        client_id=need.episode.client_id,
        detail={"status": status, "update": str(update.pk)},
    )
    return update


@transaction.atomic
def release_need_add(
    *, actor: User, episode: CustodyEpisode, title: str, pathway: str, due_on: dt.date | None = None
) -> ReleaseNeed:
    """A need the catalogue does not have, written for this person."""
    _require_recording(actor, episode.client)
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = "Enter what is needed."
    if pathway not in Pathway.values:
        problems["pathway"] = "Choose the pathway."
    if due_on and episode.release_on and due_on > episode.release_on:
        problems["due_on"] = "It must be settled by the release date."
    _problems("There is a problem with this need.", problems)
    need = create_checked(
        ReleaseNeed,
        episode=episode,
        need=rules.OTHER_NEED,
        pathway=pathway,
        title=title.strip(),
        status=NeedStatus.NOT_STARTED,
        due_on=due_on,
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=need, client_id=episode.client_id)
    return need


# --- charges and hearings -------------------------------------------------------------------------------------


@transaction.atomic
def charge_record(*, actor: User, client: Client, offence: str, source: str, source_detail: str = "") -> Charge:
    """A charge is an allegation until a court decides, and always says where it came from."""
    _require_recording(actor, client)
    problems: dict[str, str] = {}
    if not offence.strip():
        problems["offence"] = "Enter the offence as charged."
    if source not in ChargeSource.values:
        problems["source"] = "Say where this comes from."
    _problems("There is a problem with this charge.", problems)
    charge = create_checked(
        Charge,
        client=client,
        offence=offence.strip(),
        source=source,
        source_detail=source_detail.strip(),
        recorded_by=actor,
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=charge, client_id=client.pk)
    return charge


@transaction.atomic
def hearing_schedule(
    *,
    actor: User,
    client: Client,
    court: Establishment | None,
    starts_at: dt.datetime | None,
    kind: str,
    description: str = "",
    charges: Iterable[Charge] = (),
) -> Hearing:
    _require_recording(actor, client)
    charges = list(charges)
    problems: dict[str, str] = {}
    if court is None or not court.is_court:
        problems["court"] = "Choose the court."
    if starts_at is None:
        problems["starts_at"] = "Enter the date and time of the hearing."
    elif timezone.is_naive(starts_at):
        raise ValueError("starts_at must be timezone-aware")
    if kind not in HearingKind.values:
        problems["kind"] = "Choose what the hearing is."
    if any(charge.client_id != client.pk for charge in charges):
        problems["charges"] = "Choose charges of this client."
    _problems("There is a problem with this hearing.", problems)
    hearing = create_checked(
        Hearing,
        client=client,
        case=_current_case(client, actor),
        court=court,
        starts_at=starts_at,
        kind=kind,
        description=description.strip(),
        recorded_by=actor,
    )
    hearing.charges.set(charges)
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=hearing, client_id=client.pk)
    return hearing


@transaction.atomic
def hearing_outcome_record(
    *,
    actor: User,
    hearing: Hearing,
    expected_version: int,
    outcome: str,
    outcome_detail: str = "",
    sentence_length: str = "",
    next_starts_at: dt.datetime | None = None,
    next_kind: str = "",
    establishment: Establishment | None = None,
    prison_number: str = "",
    release_on: dt.date | None = None,
) -> Hearing:
    """The outcome, recorded once and reused: adjourned makes the next hearing (same court and charges);
    remanded or a custodial sentence opens the custody episode (or, for someone already on remand, turns it
    into a sentenced one); anything else is recorded as it is."""
    _require_recording(actor, hearing.client)
    if hearing.outcome:
        raise ValidationFailed(
            f"The outcome of this hearing is already recorded ({hearing.get_outcome_display().lower()}). "
            "Correct its details instead; the outcome itself stands."
        )
    problems: dict[str, str] = {}
    hearing_day = timezone.localdate(hearing.starts_at)
    if outcome not in HearingOutcome.values:
        problems["outcome"] = "Choose the outcome."
    if hearing_day > timezone.localdate():
        problems["outcome"] = "The outcome can be recorded from the day of the hearing."
    if outcome == HearingOutcome.ADJOURNED:
        if next_starts_at is None:
            problems["next_starts_at"] = "Enter the date and time the hearing was adjourned to."
        elif next_starts_at <= hearing.starts_at:
            problems["next_starts_at"] = "The next hearing must be after this one."
        if next_kind and next_kind not in HearingKind.values:
            problems["next_kind"] = "Choose what the next hearing is."
    if outcome == HearingOutcome.CUSTODIAL and not sentence_length.strip():
        problems["sentence_length"] = "Enter the length of the sentence, as the court gave it."
    open_episode = CustodyEpisode.objects.filter(client_id=hearing.client_id, released_on__isnull=True).first()
    if outcome in CUSTODY_OUTCOMES and open_episode is None and (establishment is None or not establishment.is_prison):
        problems["establishment"] = "Choose the prison they were taken to."
    _problems("There is a problem with this outcome.", problems)
    # Whatever refuses below (a stale version, the custody episode's own checks) rolls the transaction back;
    # the caller's instance goes back to how it was read too.
    as_read = {f.attname: getattr(hearing, f.attname) for f in Hearing._meta.concrete_fields}
    try:
        return _record_outcome(
            actor=actor,
            hearing=hearing,
            expected_version=expected_version,
            outcome=outcome,
            outcome_detail=outcome_detail,
            sentence_length=sentence_length,
            next_starts_at=next_starts_at,
            next_kind=next_kind,
            establishment=establishment,
            prison_number=prison_number,
            release_on=release_on,
            open_episode=open_episode,
        )
    except Exception:
        for name, value in as_read.items():
            setattr(hearing, name, value)
        raise


def _record_outcome(
    *,
    actor: User,
    hearing: Hearing,
    expected_version: int,
    outcome: str,
    outcome_detail: str,
    sentence_length: str,
    next_starts_at: dt.datetime | None,
    next_kind: str,
    establishment: Establishment | None,
    prison_number: str,
    release_on: dt.date | None,
    open_episode: CustodyEpisode | None,
) -> Hearing:
    hearing_day = timezone.localdate(hearing.starts_at)
    changes: dict[str, Any] = {
        "outcome": outcome,
        "outcome_detail": outcome_detail.strip(),
        "sentence_length": sentence_length.strip(),
        "outcome_recorded_at": timezone.now(),
        "outcome_recorded_by": actor,
    }
    detail: dict[str, Any] = {"outcome": outcome}
    if outcome == HearingOutcome.ADJOURNED:
        assert next_starts_at is not None
        next_hearing = create_checked(
            Hearing,
            client=hearing.client,
            case=hearing.case,
            court=hearing.court,
            starts_at=next_starts_at,
            kind=next_kind or hearing.kind,
            description=hearing.description,
            recorded_by=actor,
        )
        next_hearing.charges.set(hearing.charges.all())
        audit_event_record(actor=actor, action=AuditAction.CREATE, obj=next_hearing, client_id=hearing.client_id)
        changes["next_hearing"] = next_hearing
        detail["next_hearing"] = str(next_hearing.pk)
    _save(hearing, expected_version, changes)
    if outcome in CUSTODY_OUTCOMES:
        legal_status = LegalStatus.SENTENCED if outcome == HearingOutcome.CUSTODIAL else LegalStatus.REMANDED
        if open_episode is None:
            episode = custody_episode_open(
                actor=actor,
                client=hearing.client,
                establishment=establishment,
                received_on=hearing_day,
                prison_number=prison_number,
                legal_status=legal_status,
                sentenced_on=hearing_day if outcome == HearingOutcome.CUSTODIAL else None,
                sentence_length=sentence_length,
                release_on=release_on,
                source_hearing=hearing,
            )
            detail["custody_episode"] = str(episode.pk)
        elif outcome == HearingOutcome.CUSTODIAL and open_episode.legal_status == LegalStatus.REMANDED:
            sentenced: dict[str, Any] = {
                "legal_status": LegalStatus.SENTENCED,
                "sentenced_on": hearing_day,
                "sentence_length": sentence_length.strip(),
            }
            if release_on is not None:
                sentenced["release_on"] = release_on
            custody_episode_update(
                actor=actor, episode=open_episode, expected_version=open_episode.version, **sentenced
            )
            detail["custody_episode"] = str(open_episode.pk)
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=hearing, client_id=hearing.client_id, detail=detail)
    return hearing


@transaction.atomic
def hearing_outcome_correct(
    *, actor: User, hearing: Hearing, expected_version: int, outcome_detail: str, sentence_length: str = ""
) -> Hearing:
    """Correct the wording of a recorded outcome (its notes, the sentence as given). The outcome itself
    cannot change here: the next hearing or custody episode it made stand on it."""
    _require_recording(actor, hearing.client)
    if not hearing.outcome:
        raise ValidationFailed("No outcome is recorded yet.")
    if hearing.outcome == HearingOutcome.CUSTODIAL and not sentence_length.strip():
        raise ValidationFailed(
            "Enter the length of the sentence.", {"sentence_length": ["Enter the length of the sentence."]}
        )
    _save(
        hearing,
        expected_version,
        {"outcome_detail": outcome_detail.strip(), "sentence_length": sentence_length.strip()},
    )
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=hearing, client_id=hearing.client_id, detail={"corrected": True}
    )
    return hearing
