"""JSON endpoints for custody and court: the directory (no personal data), a client's custody episodes with
their release plans, need updates, the upcoming releases, hearings and their outcomes. Thin, over the same
selectors and services as the pages; every response showing a client's records writes a view audit event."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, record_id, record_views, reference_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, ClientRef, InputSchema, RecordOut, StaffRef
from keyworker.audit.services import client_viewed
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.custody import selectors, services
from keyworker.custody.models import (
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
    ReleaseType,
)
from keyworker.people.selectors import client_get_for

router = Router(tags=["custody"])

MAX_VERSION = 2_147_483_647


# ---------------------------------------------------------------------------------------------- schemas


class EstablishmentOut(Schema):
    id: uuid.UUID
    kind: str
    name: str
    address: str
    postcode: str
    phone: str
    email: str
    visiting_arrangements: str
    is_active: bool


class EstablishmentRef(Schema):
    id: uuid.UUID
    name: str


class NeedUpdateOut(Schema):
    status: str
    note: str
    recorded_by: StaffRef
    created_at: dt.datetime


class NeedOut(RecordOut):
    need: str = Field(description="The catalogue key, or `other` for a need written for this person.")
    pathway: str
    title: str
    status: str
    due_on: dt.date | None
    is_open: bool
    updates: list[NeedUpdateOut] = Field(description="Oldest first.")

    @staticmethod
    def resolve_updates(obj: ReleaseNeed) -> list:
        return list(obj.updates.all())


class TransferOut(Schema):
    from_establishment: EstablishmentRef
    to_establishment: EstablishmentRef
    transferred_on: dt.date
    prison_number: str


class EpisodeOut(RecordOut):
    client: ClientRef
    establishment: EstablishmentRef
    prison_number: str
    legal_status: str
    received_on: dt.date
    sentenced_on: dt.date | None
    sentence_length: str
    release_on: dt.date | None
    release_type: str
    licence_ends_on: dt.date | None
    released_on: dt.date | None
    probation_practitioner: str
    probation_phone: str
    probation_email: str
    source_hearing_id: uuid.UUID | None
    days_to_release: int | None
    transfers: list[TransferOut]

    @staticmethod
    def resolve_days_to_release(obj: CustodyEpisode) -> int | None:
        if obj.released_on is not None or obj.release_on is None:
            return None
        return (obj.release_on - timezone.localdate()).days

    @staticmethod
    def resolve_transfers(obj: CustodyEpisode) -> list:
        return list(obj.transfers.all())


class EpisodeDetailOut(EpisodeOut):
    needs: list[NeedOut]

    @staticmethod
    def resolve_needs(obj: CustodyEpisode) -> list:
        return list(obj.needs.all())


class EpisodeIn(InputSchema):
    establishment_id: str = Field(description="A prison from GET /establishments.")
    received_on: dt.date
    prison_number: str = Field("", max_length=20)
    legal_status: str = Field(LegalStatus.SENTENCED, json_schema_extra={"enum": list(LegalStatus.values)})
    sentenced_on: dt.date | None = None
    sentence_length: str = Field("", max_length=60)
    release_on: dt.date | None = Field(None, description="The release plan counts down from this date.")
    release_type: str = Field("", json_schema_extra={"enum": ["", *ReleaseType.values]})
    licence_ends_on: dt.date | None = None
    probation_practitioner: str = Field("", max_length=120)
    probation_phone: str = Field("", max_length=40)
    probation_email: str = Field("", max_length=254)


class NeedStatusIn(InputSchema):
    status: str = Field(json_schema_extra={"enum": list(NeedStatus.values)})
    note: str = Field("", max_length=5000)
    version: int = Field(ge=1, le=MAX_VERSION, description="The need's `version` as you read it.")


class ReleaseOut(Schema):
    episode: EpisodeOut
    days_to_go: int
    open_needs: list[NeedOut]


class ReleaseParams(Schema):
    weeks: int = Field(12, ge=1, le=52, description="How far ahead to look.")


class ChargeOut(Schema):
    id: uuid.UUID
    offence: str
    source: str
    source_detail: str
    is_allegation: bool = True


class HearingOut(RecordOut):
    client: ClientRef
    court: EstablishmentRef
    starts_at: dt.datetime
    kind: str
    description: str
    charges: list[ChargeOut]
    outcome: str
    outcome_detail: str
    sentence_length: str
    outcome_recorded_at: dt.datetime | None
    next_hearing_id: uuid.UUID | None

    @staticmethod
    def resolve_charges(obj: Hearing) -> list:
        return list(obj.charges.all())


class HearingIn(InputSchema):
    court_id: str = Field(description="A court from GET /establishments.")
    starts_at: AwareDatetime
    kind: str = Field(json_schema_extra={"enum": list(HearingKind.values)})
    description: str = Field("", max_length=300)
    charge_ids: list[str] = Field(default_factory=list, max_length=50, description="Charges of this client.")


class OutcomeIn(InputSchema):
    outcome: str = Field(json_schema_extra={"enum": list(HearingOutcome.values)})
    version: int = Field(ge=1, le=MAX_VERSION, description="The hearing's `version` as you read it.")
    outcome_detail: str = Field("", max_length=5000)
    sentence_length: str = Field("", max_length=60, description="Required for a custodial sentence.")
    next_starts_at: AwareDatetime | None = Field(None, description="Required when adjourned.")
    next_kind: str = Field("", json_schema_extra={"enum": ["", *HearingKind.values]})
    establishment_id: str | None = Field(None, description="The prison, when remanded or sent to prison.")
    prison_number: str = Field("", max_length=20)
    release_on: dt.date | None = None


# -------------------------------------------------------------------------------------------- helpers


def _establishment(actor: User, value: str | None, *, field: str, message: str) -> Establishment | None:
    pk = reference_id(value, field=field, detail=message, message=message)
    if pk is None:
        return None
    try:
        return selectors.establishment_get_for(actor, pk)
    except NotFound as exc:
        raise ValidationFailed(message, {field: [message]}) from exc


def _renamed(exc: ValidationFailed, names: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(exc.message, {names.get(k, k): v for k, v in exc.field_errors.items()})


def _episode_detail(actor: User, episode_id: uuid.UUID) -> CustodyEpisode:
    episode = selectors.custody_episode_get_for(actor, episode_id)
    return selectors.custody_episodes_of(episode.client).get(pk=episode.pk)


# -------------------------------------------------------------------------------------------- endpoints


@router.get("/establishments", response={200: list[EstablishmentOut], **READ_ERRORS}, summary="Prisons and courts")
def list_establishments(request: HttpRequest, kind: str | None = None) -> list[Establishment]:
    actor = actor_of(request)
    if not policy.can_use_directory(actor):
        raise NotFound()
    establishments = selectors.establishment_list_for(actor)
    if kind:
        if kind not in EstablishmentKind.values:
            raise ValidationFailed("Unknown kind.", {"kind": [f"One of {', '.join(EstablishmentKind.values)}."]})
        establishments = establishments.filter(kind=kind)
    return list(establishments)


@router.get(
    "/clients/{client_id}/custody-episodes",
    response={200: list[EpisodeOut], **READ_ERRORS},
    summary="A client's custody episodes, newest first",
)
def list_episodes(request: HttpRequest, client_id: str) -> list[CustodyEpisode]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    episodes = list(selectors.custody_episodes_of(client))
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:custody_episodes")
    return episodes


@router.post(
    "/clients/{client_id}/custody-episodes",
    response={201: EpisodeDetailOut, **WRITE_ERRORS},
    summary="Open a custody episode (with its release plan)",
)
def create_episode(request: HttpRequest, client_id: str, payload: EpisodeIn) -> Status[CustodyEpisode]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    values = payload.dict()
    establishment = _establishment(
        actor, values.pop("establishment_id"), field="establishment_id", message="Choose a prison from the directory."
    )
    try:
        episode = services.custody_episode_open(actor=actor, client=client, establishment=establishment, **values)
    except ValidationFailed as exc:
        raise _renamed(exc, {"establishment": "establishment_id"}) from exc
    return Status(201, _episode_detail(actor, episode.pk))


@router.get(
    "/custody-episodes/{episode_id}",
    response={200: EpisodeDetailOut, **READ_ERRORS},
    summary="A custody episode with its release plan",
)
def get_episode(request: HttpRequest, episode_id: str) -> CustodyEpisode:
    actor = actor_of(request)
    episode = _episode_detail(actor, record_id(episode_id))
    client_viewed(actor=actor, client_id=episode.client_id, obj=episode, what="api:custody_episode")
    return episode


@router.post(
    "/release-needs/{need_id}",
    response={200: NeedOut, **WRITE_ERRORS},
    summary="Update a release need's status, with a note",
)
def update_need(request: HttpRequest, need_id: str, payload: NeedStatusIn) -> ReleaseNeed:
    actor = actor_of(request)
    need = selectors.release_need_get_for(actor, record_id(need_id))
    services.release_need_update(
        actor=actor, need=need, expected_version=payload.version, status=payload.status, note=payload.note
    )
    return selectors.release_need_get_for(actor, need.pk)


@router.get(
    "/releases",
    response={200: list[ReleaseOut], **READ_ERRORS},
    summary="Releases in the next weeks of clients in reach, soonest first, with their open needs",
)
def list_releases(request: HttpRequest, params: Query[ReleaseParams]) -> list[dict]:
    actor = actor_of(request)
    rows = selectors.releases_upcoming_for(actor, today=timezone.localdate(), weeks=params.weeks)
    # the API shows each episode's moves (the pages do not): one query for all of them, not one an episode
    prefetch_related_objects(
        [row.episode for row in rows],
        Prefetch(
            "transfers", queryset=CustodyTransfer.objects.select_related("from_establishment", "to_establishment")
        ),
    )
    record_views(actor, ((row.episode.client_id, row.episode) for row in rows), what="api:releases")
    return [{"episode": row.episode, "days_to_go": row.days_to_go, "open_needs": row.open_needs} for row in rows]


@router.get(
    "/clients/{client_id}/hearings",
    response={200: list[HearingOut], **READ_ERRORS},
    summary="A client's hearings, oldest first",
)
def list_hearings(request: HttpRequest, client_id: str) -> list[Hearing]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    hearings = list(selectors.hearings_of(client))
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:hearings")
    return hearings


@router.post("/clients/{client_id}/hearings", response={201: HearingOut, **WRITE_ERRORS}, summary="Add a hearing")
def create_hearing(request: HttpRequest, client_id: str, payload: HearingIn) -> Status[Hearing]:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    court = _establishment(actor, payload.court_id, field="court_id", message="Choose a court from the directory.")
    charges_by_id = {str(c.pk): c for c in selectors.charges_of(client)}
    unknown = [c for c in payload.charge_ids if c not in charges_by_id]
    if unknown:
        raise ValidationFailed("Choose charges of this client.", {"charge_ids": ["Choose charges of this client."]})
    try:
        hearing = services.hearing_schedule(
            actor=actor,
            client=client,
            court=court,
            starts_at=payload.starts_at,
            kind=payload.kind,
            description=payload.description,
            charges=[charges_by_id[c] for c in payload.charge_ids],
        )
    except ValidationFailed as exc:
        raise _renamed(exc, {"court": "court_id", "charges": "charge_ids"}) from exc
    return Status(201, selectors.hearing_get_for(actor, hearing.pk))


@router.post(
    "/hearings/{hearing_id}/outcome",
    response={200: HearingOut, **WRITE_ERRORS},
    summary="Record a hearing's outcome (once)",
)
def record_outcome(request: HttpRequest, hearing_id: str, payload: OutcomeIn) -> Hearing:
    actor = actor_of(request)
    hearing = selectors.hearing_get_for(actor, record_id(hearing_id))
    establishment = _establishment(
        actor, payload.establishment_id, field="establishment_id", message="Choose a prison from the directory."
    )
    try:
        services.hearing_outcome_record(
            actor=actor,
            hearing=hearing,
            expected_version=payload.version,
            outcome=payload.outcome,
            outcome_detail=payload.outcome_detail,
            sentence_length=payload.sentence_length,
            next_starts_at=payload.next_starts_at,
            next_kind=payload.next_kind,
            establishment=establishment,
            prison_number=payload.prison_number,
            release_on=payload.release_on,
        )
    except ValidationFailed as exc:
        raise _renamed(exc, {"establishment": "establishment_id"}) from exc
    return selectors.hearing_get_for(actor, hearing.pk)
