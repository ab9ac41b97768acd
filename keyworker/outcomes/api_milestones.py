"""JSON endpoints for a client's milestones (list, record by hand), jobs and homes with their checks (list, start,
add a check, end) and proven offences (list, record). Part of the client's record: in reach exactly when the
client is, and every response showing them writes a view audit event. Computed milestones (sustained work and
housing, completed courses, no proven reoffending) are refused by hand (422): they are worked out from the
dated checks and records after every change. Thin, over the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, record_id
from keyworker.api.errors import conflict_shows
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, InputSchema, RecordOut, StaffRef
from keyworker.audit.services import client_viewed
from keyworker.outcomes.models import (
    EvidenceKind,
    Milestone,
    MilestoneKind,
    ProvenOffence,
    Spell,
    SpellCheck,
    SpellKind,
)
from keyworker.outcomes.selectors.milestones import (
    SpellView,
    milestones_for,
    proven_offences_for,
    reoffending_for,
    spell_get_for,
    spells_for,
)
from keyworker.outcomes.services import milestones as services
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for

router = Router(tags=["outcomes"])

MAX_VERSION = 2_147_483_647


# ---------------------------------------------------------------------------------------------- schemas


class MilestoneOut(RecordOut):
    kind: str = Field(json_schema_extra={"enum": list(MilestoneKind.values)})
    achieved_on: dt.date
    evidence_kind: str = Field(json_schema_extra={"enum": list(EvidenceKind.values)})
    evidence: str
    detail: str
    recorded_by: StaffRef


class MilestoneIn(InputSchema):
    kind: str = Field(
        description="entered_ete, qualification, drug_free or left_group. The computed kinds are refused (422).",
        json_schema_extra={"enum": list(MilestoneKind.values)},
    )
    achieved_on: dt.date = Field(description="Not in the future.")
    evidence_kind: str = Field(
        description="drug_free: test or self_report; left_group: self_report only; never computed.",
        json_schema_extra={"enum": list(EvidenceKind.values)},
    )
    evidence: str = Field(max_length=5000, description="What was seen or said, and by whom: required.")
    detail: str = Field("", max_length=200, description="The course, training, job or qualification.")


class SpellCheckOut(RecordOut):
    checked_on: dt.date
    still_going: bool
    evidence_kind: str
    note: str
    checked_by: StaffRef


class ReachedOut(Schema):
    milestone: str
    on: dt.date


class SpellOut(RecordOut):
    kind: str = Field(json_schema_extra={"enum": list(SpellKind.values)})
    description: str
    started_on: dt.date
    ended_on: dt.date | None
    checks: list[SpellCheckOut]
    reached: list[ReachedOut] = Field(description="The milestones it has reached, with the date of each.")


class SpellIn(InputSchema):
    kind: str = Field(json_schema_extra={"enum": list(SpellKind.values)})
    description: str = Field(max_length=200, description="The employer and role, or the kind of home.")
    started_on: dt.date


class SpellCheckIn(InputSchema):
    checked_on: dt.date = Field(description="Not in the future, not before the start or the last check.")
    still_going: bool = Field(description="False ends the job or home on checked_on.")
    evidence_kind: str = Field(json_schema_extra={"enum": [k.value for k in services.CHECK_EVIDENCE_KINDS]})
    note: str = Field("", max_length=300)


class SpellEndIn(InputSchema):
    ended_on: dt.date
    version: int = Field(ge=1, le=MAX_VERSION, description="The spell's `version` as you read it.")


class ProvenOffenceOut(RecordOut):
    offence_on: dt.date
    proven_on: dt.date
    description: str
    source: str
    recorded_by: StaffRef


class ProvenOffenceIn(InputSchema):
    offence_on: dt.date = Field(description="When it was committed.")
    proven_on: dt.date = Field(description="When it was proven (conviction or caution): on or after offence_on.")
    description: str = Field(max_length=200)
    source: str = Field(max_length=200, description="e.g. court result, probation.")


class ReoffendingOut(Schema):
    status: str = Field(
        json_schema_extra={"enum": ["not_yet_measurable", "no_proven_reoffending", "reoffended", "no_start"]}
    )
    on: dt.date | None = Field(
        description="not_yet_measurable: when it becomes measurable; no_proven_reoffending: the date measured "
        "(start + 18 months); reoffended: the date of the first offence that counts."
    )
    started_on: dt.date | None
    text: str


class MilestonesViewOut(Schema):
    milestones: list[MilestoneOut] = Field(description="Newest first.")
    reoffending: ReoffendingOut


# -------------------------------------------------------------------------------------------- endpoints


def _client(actor: User, client_id: str) -> Client:
    return client_get_for(actor, record_id(client_id))


def _spell_out(view: SpellView) -> dict[str, object]:
    spell = view.spell
    return {
        "id": spell.pk,
        "version": spell.version,
        "created_at": spell.created_at,
        "updated_at": spell.updated_at,
        "kind": spell.kind,
        "description": spell.description,
        "started_on": spell.started_on,
        "ended_on": spell.ended_on,
        "checks": view.checks,
        "reached": [{"milestone": label, "on": on} for label, on in view.reached],
    }


@router.get(
    "/clients/{client_id}/milestones",
    response={200: MilestonesViewOut, **READ_ERRORS},
    summary="A client's milestones, newest first, and where they stand on the reoffending measure",
)
def list_milestones(request: HttpRequest, client_id: str) -> dict[str, object]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    result = {"milestones": list(milestones_for(actor, client)), "reoffending": reoffending_for(actor, client)}
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:milestones")
    return result


@router.post(
    "/clients/{client_id}/milestones",
    response={201: MilestoneOut, **WRITE_ERRORS},
    summary="Record a milestone by hand (entered ETE, qualification, drug-free, left the group)",
)
def create_milestone(request: HttpRequest, client_id: str, payload: MilestoneIn) -> Status[Milestone]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    milestone = services.milestone_record(
        actor=actor,
        client=client,
        kind=payload.kind,
        achieved_on=payload.achieved_on,
        evidence_kind=payload.evidence_kind,
        evidence=payload.evidence,
        detail=payload.detail,
    )
    return Status(201, milestone)


@router.get(
    "/clients/{client_id}/spells",
    response={200: list[SpellOut], **READ_ERRORS},
    summary="A client's jobs and homes, newest first, with their checks and what each has reached",
)
def list_spells(request: HttpRequest, client_id: str) -> list[dict[str, object]]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    spells = [_spell_out(view) for view in spells_for(actor, client)]
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:spells")
    return spells


@router.post(
    "/clients/{client_id}/spells",
    response={201: SpellOut, **WRITE_ERRORS},
    summary="Record a job or home the client started",
)
def create_spell(request: HttpRequest, client_id: str, payload: SpellIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    spell = services.spell_start(
        actor=actor, client=client, kind=payload.kind, description=payload.description, started_on=payload.started_on
    )
    return Status(201, _spell_out(SpellView(spell=spell, checks=[], reached=[], next_target=None)))


@router.post(
    "/spells/{spell_id}/checks",
    response={201: SpellCheckOut, **WRITE_ERRORS},
    summary="Add a dated check that a job or home is still going (or not: that ends it)",
)
def create_spell_check(request: HttpRequest, spell_id: str, payload: SpellCheckIn) -> Status[SpellCheck]:
    actor = actor_of(request)
    spell = spell_get_for(actor, record_id(spell_id))
    check = services.spell_check_add(
        actor=actor,
        spell=spell,
        checked_on=payload.checked_on,
        still_going=payload.still_going,
        evidence_kind=payload.evidence_kind,
        note=payload.note,
    )
    return Status(201, check)


@router.post(
    "/spells/{spell_id}/end",
    response={200: SpellOut, **WRITE_ERRORS},
    summary="Record the date a job or home ended (send the version you read; 409 if it changed)",
)
def end_spell(request: HttpRequest, spell_id: str, payload: SpellEndIn) -> dict[str, object]:
    actor = actor_of(request)
    spell: Spell = spell_get_for(actor, record_id(spell_id))

    def as_saved() -> dict[str, object]:
        return _spell_out(next(v for v in spells_for(actor, spell.client) if v.spell.pk == spell.pk))

    with conflict_shows(as_saved):  # a 409 shows the spell as saved now, in this answer's shape
        services.spell_end(actor=actor, spell=spell, ended_on=payload.ended_on, expected_version=payload.version)
    return as_saved()


@router.get(
    "/clients/{client_id}/proven-offences",
    response={200: list[ProvenOffenceOut], **READ_ERRORS},
    summary="A client's proven offences, most recently committed first",
)
def list_proven_offences(request: HttpRequest, client_id: str) -> list[ProvenOffence]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    offences = list(proven_offences_for(actor, client))
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:proven_offences")
    return offences


@router.post(
    "/clients/{client_id}/proven-offences",
    response={201: ProvenOffenceOut, **WRITE_ERRORS},
    summary="Record a proven offence (a conviction or caution), for the reoffending measure",
)
def create_proven_offence(request: HttpRequest, client_id: str, payload: ProvenOffenceIn) -> Status[ProvenOffence]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    offence = services.proven_offence_record(
        actor=actor,
        client=client,
        offence_on=payload.offence_on,
        proven_on=payload.proven_on,
        description=payload.description,
        source=payload.source,
    )
    return Status(201, offence)
