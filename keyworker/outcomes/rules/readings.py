"""Outcome readings: when the next one is due, and distance travelled (per client and per cohort).

Pure functions over plain values. The client's view and the worker's view are never mixed: each has its own
first, latest and change, so a report can show where the two agree and where they do not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

__all__ = [
    "VIEWS",
    "Change",
    "CohortDomain",
    "DomainDistance",
    "ReadingPoint",
    "cohort_change",
    "distance_travelled",
    "domain_series",
    "order_domains",
    "reading_due_on",
    "views_of",
]

VIEWS = ("client", "worker")


def reading_due_on(last_taken_on: dt.date | None, interval_days: int, case_opened_on: dt.date) -> dt.date:
    """The day the next reading is due: `interval_days` after the last one; with none yet, the first reading
    (the baseline everything is measured from) is due the day the case opened."""
    if interval_days < 1:
        raise ValueError("A scale is read at least a day apart.")
    if last_taken_on is None:
        return case_opened_on
    return last_taken_on + dt.timedelta(days=interval_days)


@dataclass(frozen=True)
class ReadingPoint:
    """One reading: its date, and per domain key the (client's, worker's) step, either possibly None."""

    taken_on: dt.date
    scores: Mapping[str, tuple[int | None, int | None]]


@dataclass(frozen=True)
class Change:
    """One view of one domain: the first and latest step recorded, and how far it moved (latest - first)."""

    first: int
    first_on: dt.date
    latest: int
    latest_on: dt.date
    readings: int  # how many readings recorded this view of this domain

    @property
    def change(self) -> int:
        return self.latest - self.first


@dataclass(frozen=True)
class DomainDistance:
    domain: str
    client: Change | None  # None when the client's view was never recorded for this domain
    worker: Change | None


def _chronological(readings: Iterable[ReadingPoint]) -> list[ReadingPoint]:
    # Stable: readings on the same day keep the order they were given in (the order they were taken).
    return sorted(readings, key=lambda r: r.taken_on)


def distance_travelled(readings: Iterable[ReadingPoint]) -> dict[str, DomainDistance]:
    """Per domain, the client's view and the worker's view separately: first, latest and the change between
    them. A view with a single reading has a change of 0 (nothing to compare yet); a blank is skipped."""
    seen: dict[str, dict[str, list[tuple[dt.date, int]]]] = {}
    for reading in _chronological(readings):
        for domain, values in reading.scores.items():
            per_view = seen.setdefault(domain, {view: [] for view in VIEWS})
            for view, value in zip(VIEWS, values, strict=True):
                if value is not None:
                    per_view[view].append((reading.taken_on, value))
    result: dict[str, DomainDistance] = {}
    for domain, per_view in seen.items():
        changes: dict[str, Change | None] = {}
        for view in VIEWS:
            points = per_view[view]
            changes[view] = (
                Change(
                    first=points[0][1],
                    first_on=points[0][0],
                    latest=points[-1][1],
                    latest_on=points[-1][0],
                    readings=len(points),
                )
                if points
                else None
            )
        result[domain] = DomainDistance(domain=domain, client=changes["client"], worker=changes["worker"])
    return result


def domain_series(readings: Iterable[ReadingPoint], domain: str) -> list[tuple[dt.date, int | None, int | None]]:
    """The points to chart for one domain, oldest first: (date, client's step, worker's step) for every
    reading that recorded either view of it."""
    series = []
    for reading in _chronological(readings):
        client_value, worker_value = reading.scores.get(domain, (None, None))
        if client_value is not None or worker_value is not None:
            series.append((reading.taken_on, client_value, worker_value))
    return series


@dataclass(frozen=True)
class CohortDomain:
    """A cohort's movement on one domain in one view, over the clients with two or more readings of it."""

    domain: str
    clients: int
    mean_first: float
    mean_latest: float

    @property
    def mean_change(self) -> float:
        return self.mean_latest - self.mean_first


def cohort_change(per_client: Iterable[Mapping[str, Change | None]]) -> dict[str, CohortDomain]:
    """Per domain: how many clients, their mean first and mean latest step, and the mean change. Only a
    client with two or more readings of the domain counts (one reading has travelled no distance yet).
    `per_client` holds, for each client, one view's Change per domain (from distance_travelled)."""
    firsts: dict[str, list[int]] = {}
    latests: dict[str, list[int]] = {}
    for changes in per_client:
        for domain, change in changes.items():
            if change is None or change.readings < 2:
                continue
            firsts.setdefault(domain, []).append(change.first)
            latests.setdefault(domain, []).append(change.latest)
    return {
        domain: CohortDomain(
            domain=domain,
            clients=len(values),
            mean_first=fmean(values),
            mean_latest=fmean(latests[domain]),
        )
        for domain, values in firsts.items()
    }


def views_of(distances: Mapping[str, DomainDistance], view: str) -> dict[str, Change | None]:
    """One view's Change per domain, as cohort_change takes it."""
    if view not in VIEWS:
        raise ValueError(view)
    return {domain: getattr(distance, view) for domain, distance in distances.items()}


def order_domains(keys: Iterable[str], order: Sequence[str]) -> list[str]:
    """`keys` in the scale's order, unknown keys last (alphabetically)."""
    rank = {key: i for i, key in enumerate(order)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))
