"""JSON endpoints for funding: the streams with their rules in words, places and targets (casework roles;
no personal data; managers set and remove targets), and a manager's capacity and unfunded-demand report
(aggregates only, small counts suppressed, audited as an export). Same selectors and report as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from keyworker.api.common import actor_of, record_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, InputSchema
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.funding import reports, services
from keyworker.funding.models import FundingStream, StreamTarget, TargetMeasure
from keyworker.funding.rules import describe
from keyworker.funding.selectors import stream_get_for, stream_list_for, stream_targets_of

router = Router(tags=["funding"])


class RuleOut(Schema):
    kind: str
    description: str


class TargetOut(Schema):
    id: uuid.UUID
    measure: str = Field(json_schema_extra={"enum": list(TargetMeasure.values)})
    measure_label: str
    target: int
    note: str


class TargetIn(InputSchema):
    measure: str = Field(
        description="What the target counts: referred, engaged or a milestone kind. A measure the stream "
        "already has a target for is changed.",
        json_schema_extra={"enum": list(TargetMeasure.values)},
    )
    target: int = Field(strict=True, description="The number of people, 0 or more.")
    note: str = Field(default="", description="The funder's own wording, if it helps (up to 200 characters).")


class StreamOut(Schema):
    id: uuid.UUID
    name: str
    funder: str
    starts_on: dt.date
    ends_on: dt.date | None
    places: int
    places_used: int
    places_left: int
    targets: str
    active: bool
    rules: list[RuleOut]
    target_figures: list[TargetOut] = Field(description="The funder's targets, one per measure.")


def _target_out(target: StreamTarget) -> TargetOut:
    return TargetOut(
        id=target.pk,
        measure=target.measure,
        measure_label=target.get_measure_display(),
        target=target.target,
        note=target.note,
    )


def _stream_out(stream: FundingStream) -> StreamOut:
    used = int(getattr(stream, "places_used", 0))
    return StreamOut(
        id=stream.pk,
        name=stream.name,
        funder=stream.funder.name,
        starts_on=stream.starts_on,
        ends_on=stream.ends_on,
        places=stream.places,
        places_used=used,
        places_left=max(stream.places - used, 0),
        targets=stream.targets,
        active=stream.active,
        rules=[RuleOut(kind=rule.kind, description=describe(rule)) for rule in stream.rules.all()],
        target_figures=[_target_out(t) for t in stream_targets_of(stream)],
    )


def _require_funding(request: HttpRequest) -> None:
    if not policy.can_see_funding(actor_of(request)):
        raise NotFound()


@router.get("/funding/streams", response={200: list[StreamOut], **READ_ERRORS}, summary="Funding streams")
def list_streams(request: HttpRequest, active_only: bool = False) -> list[StreamOut]:
    _require_funding(request)
    return [_stream_out(s) for s in stream_list_for(actor_of(request), active_only=active_only)]


@router.get("/funding/streams/{stream_id}", response={200: StreamOut, **READ_ERRORS}, summary="A funding stream")
def get_stream(request: HttpRequest, stream_id: str) -> StreamOut:
    _require_funding(request)
    return _stream_out(stream_get_for(actor_of(request), record_id(stream_id)))


def _stream_for_targets(request: HttpRequest, stream_id: str) -> FundingStream:
    """The stream, for a manager; for anyone else the operation does not exist (404)."""
    actor = actor_of(request)
    if not policy.can_set_stream_targets(actor):
        raise NotFound()
    return stream_get_for(actor, record_id(stream_id))


@router.post(
    "/funding/streams/{stream_id}/targets",
    response={200: TargetOut, 201: TargetOut, **WRITE_ERRORS},
    summary="Set a stream's target for a measure (managers): added (201), or changed if it has one (200)",
)
def set_target(request: HttpRequest, stream_id: str, payload: TargetIn) -> Status[TargetOut]:
    stream = _stream_for_targets(request, stream_id)
    had = stream.target_figures.filter(measure=payload.measure).exists()
    target = services.stream_target_set(
        actor=actor_of(request), stream=stream, measure=payload.measure, target=payload.target, note=payload.note
    )
    return Status(200 if had else 201, _target_out(target))


@router.delete(
    "/funding/streams/{stream_id}/targets/{measure}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a stream's target for a measure (managers)",
)
def remove_target(request: HttpRequest, stream_id: str, measure: str) -> Status[None]:
    stream = _stream_for_targets(request, stream_id)
    target = stream.target_figures.filter(measure=measure).first()
    if target is None:
        raise NotFound()
    services.stream_target_remove(actor=actor_of(request), target=target)
    return Status(204, None)


class CountOut(Schema):
    label: str
    people: int | None  # None when suppressed
    shown_as: str  # the number, or "suppressed"


class StreamCapacityOut(Schema):
    name: str
    funder: str
    starts_on: dt.date
    ends_on: dt.date | None
    places: int
    places_used: int
    places_left: int
    cases_funded_in_period: int
    targets: str


class UnfundedOut(Schema):
    people: int | None
    people_shown_as: str
    hours_of_contact: str
    by_age_band: list[CountOut]
    by_gender: list[CountOut]
    by_home_area: list[CountOut]
    by_need: list[CountOut]


class CapacityOut(Schema):
    team: str
    since: dt.date
    until: dt.date
    suppressed_below: int
    streams: list[StreamCapacityOut]
    unfunded: UnfundedOut


class PeriodParams(Schema):
    since: dt.date | None = None
    until: dt.date | None = None


def _counts(cells: list[tuple[str, reports.Cell]]) -> list[CountOut]:
    return [CountOut(label=label, people=None if c.suppressed else c.count, shown_as=str(c)) for label, c in cells]


@router.get(
    "/funding/capacity",
    response={200: CapacityOut, **READ_ERRORS},
    summary="Capacity and unfunded demand of your team (managers; aggregates only)",
)
def get_capacity(request: HttpRequest, period: Query[PeriodParams]) -> CapacityOut:
    actor = actor_of(request)
    report = reports.capacity_report_for(actor, since=period.since, until=period.until)
    u = report.unfunded
    audit_event_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="funding.capacityreport",
        object_id=str(actor.team_id),
        detail={"format": "api", "since": report.since.isoformat(), "until": report.until.isoformat()},
    )
    return CapacityOut(
        team=report.team,
        since=report.since,
        until=report.until,
        suppressed_below=reports.SUPPRESS_BELOW,
        streams=[
            StreamCapacityOut(
                name=s.name,
                funder=s.funder,
                starts_on=s.starts_on,
                ends_on=s.ends_on,
                places=s.places,
                places_used=s.used,
                places_left=s.left,
                cases_funded_in_period=s.funded_in_period,
                targets=s.targets,
            )
            for s in report.streams
        ],
        unfunded=UnfundedOut(
            people=None if u.people.suppressed else u.people.count,
            people_shown_as=str(u.people),
            hours_of_contact=u.hours,
            by_age_band=_counts(u.by_age),
            by_gender=_counts(u.by_gender),
            by_home_area=_counts(u.by_area),
            by_need=_counts(u.by_need),
        ),
    )
