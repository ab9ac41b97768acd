"""JSON endpoints for peer mentoring: a client's path to mentoring (read, write under optimistic locking,
supervisions), their mentoring relationships (list, start, end), sessions, and a peer mentor's own view
(`GET /mentoring/mine`: a mentor's fields only). Thin, over the same selectors and services as the pages;
every response showing a client's data writes a view audit event."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from keyworker.accounts.models import Role, User
from keyworker.api.common import actor_of, record_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, ClientRef, InputSchema, RecordOut, StaffRef
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.core.errors import ConcurrentEdit, NotFound, ValidationFailed
from keyworker.outcomes.models import Mentoring, MentoringSession, MentorPathway, MentorSupervision
from keyworker.outcomes.rules.mentoring import MAX_SESSION_MINUTES
from keyworker.outcomes.selectors.mentees import mentee_cards_for
from keyworker.outcomes.selectors.mentoring import (
    mentor_choices_for,
    mentoring_for_client,
    mentoring_get_for,
    supervisor_choices_for,
)
from keyworker.outcomes.services import mentoring as mentoring_services
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for

router = Router(tags=["outcomes"])

MAX_VERSION = 2_147_483_647


# ---------------------------------------------------------------------------------------------- schemas


class PathwayOut(RecordOut):
    interest_on: dt.date
    training_completed_on: dt.date | None
    dbs_checked_on: dt.date | None
    dbs_certificate: str
    supervisor: StaffRef | None
    mentor_account: StaffRef | None = Field(description="The staff account (peer mentor role) they mentor from.")
    started_mentoring_on: dt.date | None


class ReadinessOut(Schema):
    ready: bool = Field(description="Interest, training completed, a DBS check in the last 3 years, a supervisor.")
    missing: list[str]
    dbs_expires_on: dt.date | None = Field(description="The first day the DBS check no longer counts.")
    last_supervision_on: dt.date | None
    next_supervision_on: dt.date
    supervision_due: bool


class SupervisionOut(RecordOut):
    held_on: dt.date
    supervisor: StaffRef
    note: str


class PathwayViewOut(Schema):
    pathway: PathwayOut | None = Field(description="Null when the client is not on the path to mentoring.")
    readiness: ReadinessOut | None
    supervisions: list[SupervisionOut]


class PathwayIn(InputSchema):
    version: int | None = Field(
        None, ge=1, le=MAX_VERSION, description="The pathway's `version` as you read it; null to start one."
    )
    interest_on: dt.date | None = Field(description="When they said they would like to mentor. Not in the future.")
    training_completed_on: dt.date | None = None
    dbs_checked_on: dt.date | None = Field(None, description="The date on the certificate; with its number.")
    dbs_certificate: str = Field("", max_length=20, description="12 digits.")
    supervisor_id: uuid.UUID | None = Field(None, description="A caseworker or manager of your team.")


class SupervisionIn(InputSchema):
    held_on: dt.date | None = Field(description="Not in the future.")
    note: str = Field("", max_length=2000)


class MentoringOut(RecordOut):
    mentor: StaffRef
    mentee: ClientRef
    started_on: dt.date
    ended_on: dt.date | None
    session_count: int
    last_session_on: dt.date | None


class RelationshipsOut(Schema):
    as_mentor: list[MentoringOut] = Field(description="Those the client mentors (only mentees in your reach).")
    as_mentee: list[MentoringOut] = Field(description="The client's own peer mentors.")


class MentoringIn(InputSchema):
    mentor_id: uuid.UUID = Field(description="The staff account of a peer mentor who is ready to mentor.")
    started_on: dt.date | None = Field(None, description="Defaults to today; not in the future.")


class MentoringCreatedOut(RecordOut):
    mentor: StaffRef
    mentee: ClientRef
    started_on: dt.date
    ended_on: dt.date | None


class MentoringEndIn(InputSchema):
    version: int = Field(ge=1, le=MAX_VERSION)
    ended_on: dt.date | None = Field(None, description="Defaults to today; not in the future.")


class SessionIn(InputSchema):
    held_on: dt.date | None = Field(description="Not in the future, within the mentoring's dates.")
    duration_minutes: int | None = Field(description=f"1 to {MAX_SESSION_MINUTES}.")
    note: str = Field(
        "",
        max_length=1000,
        description="A short note in a mentor's words. No offending, risk or safeguarding: tell the keyworker.",
    )


class SessionOut(RecordOut):
    mentoring_id: uuid.UUID
    held_on: dt.date
    duration_minutes: int
    note: str


class MySessionOut(Schema):
    held_on: dt.date
    duration_minutes: int
    note: str


class MyMenteeOut(Schema):
    """All a peer mentor sees of a mentee."""

    mentoring_id: uuid.UUID | None
    first_name: str
    may_phone: bool
    may_text: bool
    may_leave_voicemail: bool
    may_write: bool
    code_word: str
    next_session: dt.datetime | None
    sessions: list[MySessionOut] = Field(description="The sessions you recorded, newest first.")


# -------------------------------------------------------------------------------------------- endpoints


def _client(actor: User, client_id: str) -> Client:
    return client_get_for(actor, record_id(client_id))


def _pick(people: list[User], chosen: uuid.UUID | None, field: str) -> User | None:
    if chosen is None:
        return None
    for person in people:
        if person.pk == chosen:
            return person
    raise ValidationFailed("Choose from the people you can name.", {field: ["Choose from the list."]})


@router.get(
    "/clients/{client_id}/mentoring/pathway",
    response={200: PathwayViewOut, **READ_ERRORS},
    summary="A client's path to becoming a peer mentor: readiness, what is missing, supervisions",
)
def get_pathway(request: HttpRequest, client_id: str) -> dict[str, object]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    data = mentoring_for_client(actor, client)
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:mentor_pathway")
    return {"pathway": data.pathway, "readiness": data.readiness, "supervisions": data.supervisions}


@router.put(
    "/clients/{client_id}/mentoring/pathway",
    response={200: PathwayOut, **WRITE_ERRORS},
    summary="Start (version null) or change a client's path to mentoring (409 if someone saved first)",
)
def put_pathway(request: HttpRequest, client_id: str, payload: PathwayIn) -> MentorPathway:
    actor = actor_of(request)
    client = _client(actor, client_id)
    pathway = MentorPathway.objects.filter(client=client).select_related("supervisor").first()
    supervisor = _pick(
        supervisor_choices_for(actor, pathway.supervisor if pathway else None), payload.supervisor_id, "supervisor_id"
    )
    values: dict[str, Any] = {
        "interest_on": payload.interest_on,
        "training_completed_on": payload.training_completed_on,
        "dbs_checked_on": payload.dbs_checked_on,
        "dbs_certificate": payload.dbs_certificate,
        "supervisor": supervisor,
    }
    if pathway is None:
        if payload.version is not None:
            raise ValidationFailed("They are not on the path to mentoring yet: leave the version out to start it.")
        return mentoring_services.mentor_pathway_start(actor=actor, client=client, **values)
    if payload.version is None:
        raise ConcurrentEdit()  # started by someone else after this caller found none
    return mentoring_services.mentor_pathway_update(
        actor=actor, pathway=pathway, expected_version=payload.version, **values
    )


@router.post(
    "/clients/{client_id}/mentoring/pathway/supervisions",
    response={201: SupervisionOut, **WRITE_ERRORS},
    summary="Record a supervision of a (would-be) peer mentor",
)
def create_supervision(request: HttpRequest, client_id: str, payload: SupervisionIn) -> Status[MentorSupervision]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    pathway = MentorPathway.objects.filter(client=client).select_related("supervisor", "client").first()
    if pathway is None:
        raise ValidationFailed("Record their interest in mentoring first.", {"held_on": ["There is no pathway yet."]})
    supervision = mentoring_services.mentor_supervision_record(
        actor=actor, pathway=pathway, held_on=payload.held_on, note=payload.note
    )
    return Status(201, supervision)


@router.get(
    "/clients/{client_id}/mentoring/relationships",
    response={200: RelationshipsOut, **READ_ERRORS},
    summary="Whom the client mentors and who mentors them, with session counts",
)
def list_relationships(request: HttpRequest, client_id: str) -> dict[str, object]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    data = mentoring_for_client(actor, client)
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:mentoring")
    # The mentees named are shown too: each is a read of their record.
    clients_viewed(actor, ((m.mentee_id, m.mentee) for m in data.as_mentor), what="api:mentoring")
    return {"as_mentor": data.as_mentor, "as_mentee": data.as_mentee}


@router.post(
    "/clients/{client_id}/mentoring/relationships",
    response={201: MentoringCreatedOut, **WRITE_ERRORS},
    summary="Match the client with a peer mentor who is ready to mentor",
)
def create_relationship(request: HttpRequest, client_id: str, payload: MentoringIn) -> Status[Mentoring]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    mentor = _pick(mentor_choices_for(actor, client), payload.mentor_id, "mentor_id")
    assert mentor is not None  # mentor_id is required
    mentoring = mentoring_services.mentoring_start(
        actor=actor, mentor=mentor, mentee=client, started_on=payload.started_on
    )
    return Status(201, mentoring)


@router.post(
    "/mentoring/{mentoring_id}/end",
    response={200: MentoringCreatedOut, **WRITE_ERRORS},
    summary="End a mentoring relationship (casework staff of the mentee)",
)
def end_relationship(request: HttpRequest, mentoring_id: str, payload: MentoringEndIn) -> Mentoring:
    actor = actor_of(request)
    mentoring = mentoring_get_for(actor, record_id(mentoring_id))
    return mentoring_services.mentoring_end(
        actor=actor, mentoring=mentoring, expected_version=payload.version, ended_on=payload.ended_on
    )


@router.post(
    "/mentoring/{mentoring_id}/sessions",
    response={201: SessionOut, **WRITE_ERRORS},
    summary="Record a mentoring session (the mentor, or casework staff of the mentee)",
)
def create_session(request: HttpRequest, mentoring_id: str, payload: SessionIn) -> Status[MentoringSession]:
    actor = actor_of(request)
    mentoring = mentoring_get_for(actor, record_id(mentoring_id))
    session = mentoring_services.mentoring_session_record(
        actor=actor,
        mentoring=mentoring,
        held_on=payload.held_on,
        duration_minutes=payload.duration_minutes,
        note=payload.note,
    )
    return Status(201, session)


@router.get(
    "/mentoring/mine",
    response={200: list[MyMenteeOut], **READ_ERRORS},
    summary="A peer mentor's own mentees: first name, contact rules, next session, your own session notes",
)
def my_mentees(request: HttpRequest) -> list[object]:
    actor = actor_of(request)
    if actor.role != Role.PEER_MENTOR:
        raise NotFound()
    cards = mentee_cards_for(actor)
    clients_viewed(actor, ((card.client_id, Client(pk=card.client_id)) for card in cards), what="api:mentee card")
    return list(cards)
