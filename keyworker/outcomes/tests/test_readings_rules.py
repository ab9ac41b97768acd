"""The reading rules: when a reading is due, and distance travelled per client and per cohort."""

from __future__ import annotations

import datetime as dt
from statistics import fmean

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyworker.outcomes.rules.readings import (
    Change,
    ReadingPoint,
    cohort_change,
    distance_travelled,
    domain_series,
    reading_due_on,
    views_of,
)

DOMAINS = ("accommodation", "safety", "identity")
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
step = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
readings = st.lists(
    st.builds(
        ReadingPoint,
        taken_on=days,
        scores=st.dictionaries(st.sampled_from(DOMAINS), st.tuples(step, step), max_size=3),
    ),
    max_size=12,
)


@given(last=st.one_of(st.none(), days), interval=st.integers(min_value=1, max_value=730), opened=days)
def test_a_reading_is_due_an_interval_after_the_last_or_when_the_case_opens(last, interval, opened):
    due = reading_due_on(last, interval, opened)
    if last is None:
        assert due == opened
    else:
        assert due == last + dt.timedelta(days=interval)
        assert due > last


def test_an_interval_below_a_day_is_refused():
    with pytest.raises(ValueError):
        reading_due_on(None, 0, dt.date(2026, 1, 1))


@given(readings)
def test_distance_is_first_and_latest_of_each_view_separately(points):
    result = distance_travelled(points)
    ordered = sorted(points, key=lambda p: p.taken_on)
    for domain in DOMAINS:
        for i, view in enumerate(("client", "worker")):
            values = [(p.taken_on, p.scores[domain][i]) for p in ordered if domain in p.scores]
            values = [(d, v) for d, v in values if v is not None]
            change = getattr(result[domain], view) if domain in result else None
            if not values:
                assert change is None
                continue
            assert change is not None
            assert (change.first, change.first_on) == (values[0][1], values[0][0])
            assert (change.latest, change.latest_on) == (values[-1][1], values[-1][0])
            assert change.change == values[-1][1] - values[0][1]
            assert change.readings == len(values)
            assert change.first_on <= change.latest_on


def test_the_two_views_never_mix():
    points = [
        ReadingPoint(dt.date(2026, 1, 1), {"safety": (1, None)}),
        ReadingPoint(dt.date(2026, 4, 1), {"safety": (None, 4)}),
        ReadingPoint(dt.date(2026, 7, 1), {"safety": (3, 2)}),
    ]
    safety = distance_travelled(points)["safety"]
    assert (safety.client.first, safety.client.latest, safety.client.change) == (1, 3, 2)
    assert (safety.worker.first, safety.worker.latest, safety.worker.change) == (4, 2, -2)


@given(readings, st.sampled_from(DOMAINS))
def test_the_chart_series_has_a_point_per_reading_of_the_domain(points, domain):
    series = domain_series(points, domain)
    expected = [p for p in points if any(v is not None for v in p.scores.get(domain, (None, None)))]
    assert len(series) == len(expected)
    assert [d for d, _, _ in series] == sorted(d for d, _, _ in series)


changes = st.builds(
    lambda first, latest, n: Change(first, dt.date(2026, 1, 1), latest, dt.date(2026, 6, 1), n),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 6),
)


@given(st.lists(st.dictionaries(st.sampled_from(DOMAINS), st.one_of(st.none(), changes)), max_size=15))
def test_cohort_means_count_only_clients_with_two_or_more_readings(per_client):
    result = cohort_change(per_client)
    for domain in DOMAINS:
        counted = [c[domain] for c in per_client if c.get(domain) is not None and c[domain].readings >= 2]
        if not counted:
            assert domain not in result
            continue
        row = result[domain]
        assert row.clients == len(counted)
        assert row.mean_first == pytest.approx(fmean(c.first for c in counted))
        assert row.mean_latest == pytest.approx(fmean(c.latest for c in counted))
        assert row.mean_change == pytest.approx(fmean(c.change for c in counted))


def test_cohort_of_two_clients_by_hand():
    a = distance_travelled(
        [ReadingPoint(dt.date(2026, 1, 1), {"safety": (1, 2)}), ReadingPoint(dt.date(2026, 4, 1), {"safety": (3, 3)})]
    )
    b = distance_travelled(
        [ReadingPoint(dt.date(2026, 1, 1), {"safety": (2, 2)}), ReadingPoint(dt.date(2026, 4, 1), {"safety": (5, 2)})]
    )
    once = distance_travelled([ReadingPoint(dt.date(2026, 1, 1), {"safety": (1, 1)})])
    client = cohort_change(views_of(d, "client") for d in (a, b, once))["safety"]
    assert (client.clients, client.mean_first, client.mean_latest, client.mean_change) == (2, 1.5, 4.0, 2.5)
    worker = cohort_change(views_of(d, "worker") for d in (a, b, once))["safety"]
    assert (worker.clients, worker.mean_first, worker.mean_latest, worker.mean_change) == (2, 2.0, 2.5, 0.5)
