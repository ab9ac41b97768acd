"""JSON endpoints for outcome scales (read: no personal data), a client's outcome readings (list, and take a
new one) and their distance travelled. Readings are part of the client's record: in reach exactly when the
client is, and every response showing them writes a view audit event. Thin, over the same selectors and
services as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, record_id, reference_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, InputSchema, RecordOut, StaffRef
from keyworker.audit.services import client_viewed
from keyworker.core.errors import ValidationFailed
from keyworker.outcomes.models import OutcomeReading, OutcomeScale
from keyworker.outcomes.rules.readings import Change
from keyworker.outcomes.selectors.readings import active_scales_for, distance_for, reading_get_for, readings_for
from keyworker.outcomes.services import readings as reading_services
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for

router = Router(tags=["outcomes"])


# ---------------------------------------------------------------------------------------------- schemas


class ScaleStepOut(Schema):
    value: int
    label: str
    description: str


class DomainOut(Schema):
    key: str
    name: str
    steps: list[ScaleStepOut]

    @staticmethod
    def resolve_steps(obj: object) -> list[object]:
        return list(obj.steps.all())  # type: ignore[attr-defined]


class ScaleOut(RecordOut):
    name: str
    description: str
    reading_interval_days: int
    is_active: bool
    domains: list[DomainOut]

    @staticmethod
    def resolve_domains(obj: OutcomeScale) -> list[object]:
        return list(obj.domains.all())


class ScoreOut(Schema):
    domain: str = Field(description="The domain's key.")
    client_value: int | None = Field(description="The client's own view: a step of the ladder, or null.")
    worker_value: int | None = Field(description="The worker's view: a step of the ladder, or null.")

    @staticmethod
    def resolve_domain(obj: object) -> str:
        return str(obj.domain.key)  # type: ignore[attr-defined]


class ReadingOut(RecordOut):
    scale_id: uuid.UUID
    taken_on: dt.date
    taken_by: StaffRef
    note: str
    scores: list[ScoreOut]

    @staticmethod
    def resolve_scores(obj: OutcomeReading) -> list[object]:
        return list(obj.scores.all())


class ScoreIn(InputSchema):
    client: int | None = Field(None, ge=1, le=100, description="The client's own view: a step, or null.")
    worker: int | None = Field(None, ge=1, le=100, description="The worker's view: a step, or null.")


class ReadingIn(InputSchema):
    scale_id: str | None = Field(None, description="A scale in use; defaults to the first in use (by name).")
    taken_on: dt.date | None = Field(None, description="Defaults to today; not in the future.")
    scores: dict[str, ScoreIn] = Field(
        description="By domain key: the client's and the worker's step. At least one value in all.",
        examples=[{"identity": {"client": 3, "worker": 2}, "safety": {"client": 4, "worker": None}}],
    )
    note: str = Field("", max_length=5000)


class ViewChangeOut(Schema):
    first: int
    first_on: dt.date
    latest: int
    latest_on: dt.date
    change: int = Field(description="latest - first (0 with a single reading).")
    readings: int


class DomainDistanceOut(Schema):
    key: str
    name: str
    client: ViewChangeOut | None = Field(description="The client's view; null if never recorded.")
    worker: ViewChangeOut | None = Field(description="The worker's view; null if never recorded.")


class DistanceOut(Schema):
    scale_id: uuid.UUID | None = Field(description="The scale measured; null when no scale is in use.")
    scale: str | None
    domains: list[DomainDistanceOut]


# -------------------------------------------------------------------------------------------- endpoints


def _client(actor: User, client_id: str) -> Client:
    return client_get_for(actor, record_id(client_id))


def _scale(actor: User, scale_id: str | None) -> OutcomeScale:
    scales = active_scales_for(actor)
    wanted = reference_id(
        scale_id, field="scale_id", detail="There is a problem with this reading.", message="Not a scale's id."
    )
    scale = next((s for s in scales if wanted is None or s.pk == wanted), None)
    if scale is None:
        raise ValidationFailed("There is a problem with this reading.", {"scale_id": ["No scale in use has that id."]})
    return scale


def _view(change: Change | None) -> dict[str, object] | None:
    if change is None:
        return None
    return {
        "first": change.first,
        "first_on": change.first_on,
        "latest": change.latest,
        "latest_on": change.latest_on,
        "change": change.change,
        "readings": change.readings,
    }


@router.get(
    "/outcome-scales",
    response={200: list[ScaleOut], **READ_ERRORS},
    summary="The outcome scales in use, each with its domains and their ladders of steps",
)
def list_outcome_scales(request: HttpRequest) -> list[OutcomeScale]:
    return active_scales_for(actor_of(request))


@router.get(
    "/clients/{client_id}/outcome-readings",
    response={200: list[ReadingOut], **READ_ERRORS},
    summary="A client's outcome readings, oldest first, with the client's and the worker's view per domain",
)
def list_outcome_readings(request: HttpRequest, client_id: str) -> list[OutcomeReading]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    readings = readings_for(actor, client)
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:outcome_readings")
    return readings


@router.post(
    "/clients/{client_id}/outcome-readings",
    response={201: ReadingOut, **WRITE_ERRORS},
    summary="Take an outcome reading (each value a step of that domain's ladder; at least one)",
)
def create_outcome_reading(request: HttpRequest, client_id: str, payload: ReadingIn) -> Status[OutcomeReading]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    scale = _scale(actor, payload.scale_id)
    reading = reading_services.reading_record(
        actor=actor,
        client=client,
        scale=scale,
        taken_on=payload.taken_on or timezone.localdate(),
        scores={key: (score.client, score.worker) for key, score in payload.scores.items()},
        note=payload.note,
    )
    return Status(201, reading_get_for(actor, reading.pk))


@router.get(
    "/clients/{client_id}/distance-travelled",
    response={200: DistanceOut, **READ_ERRORS},
    summary="A client's distance travelled per domain: first, latest and change, the client's and worker's views",
)
def get_distance_travelled(request: HttpRequest, client_id: str, scale_id: str | None = None) -> dict[str, object]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    # With no scale asked for and none in use there is nothing to measure: an empty answer, not an error.
    scale = _scale(actor, scale_id) if scale_id or active_scales_for(actor) else None
    distances = distance_for(readings_for(actor, client, scale=scale)) if scale else {}
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:distance_travelled")
    return {
        "scale_id": scale.pk if scale else None,
        "scale": scale.name if scale else None,
        "domains": [
            {
                "key": d.key,
                "name": d.name,
                "client": _view(distances[d.key].client) if d.key in distances else None,
                "worker": _view(distances[d.key].worker) if d.key in distances else None,
            }
            for d in (scale.domains.all() if scale else [])
        ],
    }
