"""Reading outcome scales and readings, through the access policy. A client's readings are part of their file:
in reach exactly when the client is (policy.outcome_readings_visible_to). Scales hold no personal data: casework
staff read them, managers change them. The cohort view is a manager's, over their own team's clients."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import Case, CaseStatus
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.outcomes.models import OutcomeDomain, OutcomeReading, OutcomeScale, OutcomeStep, ReadingScore
from keyworker.outcomes.rules.readings import (
    CohortDomain,
    DomainDistance,
    ReadingPoint,
    cohort_change,
    distance_travelled,
    reading_due_on,
    views_of,
)
from keyworker.people.models import Client
from keyworker.people.selectors import client_check_for as _check_client

__all__ = [
    "CohortDistance",
    "CohortRow",
    "ReadingDue",
    "active_scales_for",
    "cohort_distance_for",
    "distance_for",
    "latest_reading_per_scale",
    "reading_get_for",
    "reading_points",
    "readings_due_for",
    "readings_for",
    "scale_get_for",
    "scale_list_for",
]

OPEN_STATUSES = [CaseStatus.OPEN, CaseStatus.ON_HOLD]


def _with_ladders(scales: QuerySet[OutcomeScale]) -> QuerySet[OutcomeScale]:
    return scales.prefetch_related(
        Prefetch(
            "domains",
            queryset=OutcomeDomain.objects.order_by("order").prefetch_related(
                Prefetch("steps", queryset=OutcomeStep.objects.order_by("value"))
            ),
        )
    )


def active_scales_for(user: User) -> list[OutcomeScale]:
    """The scales in use, each with its domains and their ladders (three queries), for anyone doing casework."""
    if not policy.can_use_casework(user):
        raise NotFound()
    return list(_with_ladders(OutcomeScale.objects.filter(is_active=True).order_by("name")))


def scale_list_for(user: User) -> list[OutcomeScale]:
    """Every scale, in use or not, with its ladders: a manager's."""
    if not policy.can_manage_outcome_scales(user):
        raise NotFound()
    return list(_with_ladders(OutcomeScale.objects.order_by("-is_active", "name")))


def scale_get_for(user: User, scale_id: object) -> OutcomeScale:
    if not policy.can_manage_outcome_scales(user):
        raise NotFound()
    return one_or_not_found(_with_ladders(OutcomeScale.objects.all()), pk=scale_id)


def readings_for(user: User, client: Client, *, scale: OutcomeScale | None = None) -> list[OutcomeReading]:
    """The client's readings (of one scale, or all), oldest first, each with its scores (and their domains)
    and who took it. Two queries."""
    _check_client(user, client)
    readings = policy.outcome_readings_visible_to(user).filter(client=client)
    if scale is not None:
        readings = readings.filter(scale=scale)
    return list(
        readings.select_related("taken_by", "scale")
        .prefetch_related(Prefetch("scores", queryset=ReadingScore.objects.select_related("domain")))
        .order_by("taken_on", "created_at")
    )


def reading_get_for(user: User, reading_id: object) -> OutcomeReading:
    """One reading in the user's reach, with its scores (and their domains) and who took it."""
    return one_or_not_found(
        policy.outcome_readings_visible_to(user)
        .select_related("taken_by", "scale")
        .prefetch_related(Prefetch("scores", queryset=ReadingScore.objects.select_related("domain"))),
        pk=reading_id,
    )


def latest_reading_per_scale(readings: list[OutcomeReading]) -> dict[object, OutcomeReading]:
    """From readings oldest first (readings_for): the latest of each scale, by scale id."""
    latest: dict[object, OutcomeReading] = {}
    for reading in readings:
        latest[reading.scale_id] = reading
    return latest


def reading_points(readings: list[OutcomeReading]) -> list[ReadingPoint]:
    """Readings (with scores prefetched) as the rules take them."""
    return [
        ReadingPoint(
            taken_on=r.taken_on,
            scores={s.domain.key: (s.client_value, s.worker_value) for s in r.scores.all()},
        )
        for r in readings
    ]


def distance_for(readings: list[OutcomeReading]) -> dict[str, DomainDistance]:
    """Distance travelled per domain key (the client's and the worker's view), from one scale's readings."""
    return distance_travelled(reading_points(readings))


@dataclass(frozen=True)
class ReadingDue:
    client: Client
    scale: OutcomeScale
    due_on: dt.date
    last_taken_on: dt.date | None

    @property
    def client_id(self) -> object:
        return self.client.pk


def readings_due_for(user: User, *, within_days: int = 7, today: dt.date | None = None) -> list[ReadingDue]:
    """Readings due (or overdue) within `within_days` for the clients the user is keyworker for (an open or
    on-hold case), soonest first. A first reading is due when the case opens; each later one a scale's interval
    after the last. Two queries: the scales in use, and the clients with their last reading of each."""
    if not policy.can_use_casework(user):
        return []
    today = today or timezone.localdate()
    scales = list(OutcomeScale.objects.filter(is_active=True).order_by("name"))
    if not scales:
        return []
    mine = Case.objects.filter(client=OuterRef("pk"), keyworker=user, status__in=OPEN_STATUSES)
    clients = (
        policy.clients_visible_to(user)
        .filter(Exists(mine))
        .annotate(case_opened_on=Subquery(mine.order_by("opened_on").values("opened_on")[:1]))
    )
    for i, scale in enumerate(scales):
        last = OutcomeReading.objects.filter(client=OuterRef("pk"), scale_id=scale.pk).order_by("-taken_on")
        clients = clients.annotate(**{f"last_reading_{i}": Subquery(last.values("taken_on")[:1])})
    horizon = today + dt.timedelta(days=within_days)
    due: list[ReadingDue] = []
    for client in clients:
        for i, scale in enumerate(scales):
            last_taken = getattr(client, f"last_reading_{i}")
            due_on = reading_due_on(last_taken, scale.reading_interval_days, client.case_opened_on)
            if due_on <= horizon:
                due.append(ReadingDue(client=client, scale=scale, due_on=due_on, last_taken_on=last_taken))
    due.sort(key=lambda d: (d.due_on, d.client.last_name, d.client.first_name))
    return due


@dataclass(frozen=True)
class CohortRow:
    key: str
    name: str
    client: CohortDomain | None
    worker: CohortDomain | None


@dataclass(frozen=True)
class CohortDistance:
    scale: OutcomeScale | None
    date_from: dt.date
    date_to: dt.date
    rows: list[CohortRow]
    clients_with_readings: int
    client_ids: list[uuid.UUID]


def cohort_distance_for(
    user: User, *, date_from: dt.date, date_to: dt.date, scale: OutcomeScale | None = None
) -> CohortDistance:
    """The manager's team's clients (open or closed cases of the team, within the manager's reach): per domain
    and per view, the mean first and latest reading taken between the dates, over the clients with two or more
    readings of it. Four queries (scale, domains, readings, scores)."""
    if not policy.can_see_cohort_outcomes(user):
        raise NotFound()
    if scale is None:
        scale = OutcomeScale.objects.filter(is_active=True).order_by("name").first()
    if scale is None:
        return CohortDistance(None, date_from, date_to, [], 0, [])
    domains = list(OutcomeDomain.objects.filter(scale=scale).order_by("order"))
    team_id = user.team_id
    assert team_id is not None  # can_see_cohort_outcomes: a manager with a team
    team_clients = policy.clients_visible_to(user).filter(
        Exists(Case.objects.filter(client=OuterRef("pk"), team_id=team_id))
    )
    readings = list(
        policy.outcome_readings_visible_to(user)
        .filter(scale=scale, client__in=team_clients, taken_on__gte=date_from, taken_on__lte=date_to)
        .prefetch_related(Prefetch("scores", queryset=ReadingScore.objects.select_related("domain")))
        .order_by("taken_on", "created_at")
    )
    by_client: dict[uuid.UUID, list[OutcomeReading]] = {}
    for reading in readings:
        by_client.setdefault(reading.client_id, []).append(reading)
    distances = [distance_for(rs) for rs in by_client.values()]
    client_view = cohort_change(views_of(d, "client") for d in distances)
    worker_view = cohort_change(views_of(d, "worker") for d in distances)
    rows = [CohortRow(d.key, d.name, client_view.get(d.key), worker_view.get(d.key)) for d in domains]
    return CohortDistance(scale, date_from, date_to, rows, len(by_client), list(by_client))
