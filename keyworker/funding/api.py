"""Read-only JSON endpoints for funding: the streams with their rules in words and places (casework roles;
no personal data), and a manager's capacity and unfunded-demand report (aggregates only, small counts
suppressed, audited as an export). Same selectors and report as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Query, Router, Schema

from keyworker.api.common import actor_of, record_id
from keyworker.api.schemas import READ_ERRORS
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.funding import reports
from keyworker.funding.models import FundingStream
from keyworker.funding.rules import describe
from keyworker.funding.selectors import stream_get_for, stream_list_for

router = Router(tags=["funding"])


class RuleOut(Schema):
    kind: str
    description: str


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


class CountOut(Schema):
    label: str
    people: int | None  # None when suppressed
    shown_as: str  # the number, or "fewer than 5"


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
