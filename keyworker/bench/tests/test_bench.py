"""The bench's parts: the Server-Timing middleware and the floor exist only with KEYWORKER_BENCH, the
percentile is a real nearest-rank percentile, and a small run against a live server with tiny synthetic data
times every key request and writes them all to the JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client, RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from keyworker.bench.client import BenchError, Browser, parse_server_timing, totp_code
from keyworker.bench.middleware import ServerTimingMiddleware
from keyworker.bench.stats import miss_by, percentile, summarise
from keyworker.bench.views import bench_patterns, floor

MIDDLEWARE_PATH = "keyworker.bench.middleware.ServerTimingMiddleware"
KEY_REQUESTS = {
    "my_week",
    "caseload",
    "client",
    "client_big",
    "contact_add",
    "search_name",
    "search_notes",
    "release_board",
    "funder_reports_page",
    "api_clients",
    "api_cases",
    "api_tasks",
    "api_appointments",
    "api_referrals",
    "api_releases",
    "api_search_clients",
    "api_search_notes",
}

floats = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@given(st.lists(floats, min_size=1, max_size=200), st.floats(min_value=0, max_value=100))
def test_percentile_is_a_nearest_rank_percentile(values: list[float], p: float) -> None:
    result = percentile(values, p)
    assert result in values  # a time some request really took, never an interpolation
    share = p * len(values) / 100
    assert sum(v <= result for v in values) >= share - 1e-6  # at least p% at or below it
    assert sum(v < result for v in values) < max(share, 1) + 1e-6  # and it is the smallest such value


def test_percentile_ranks_exactly() -> None:
    hundred = [float(n) for n in range(1, 101)]
    assert [percentile(hundred, p) for p in (1, 7, 50, 95, 99, 100)] == [1, 7, 50, 95, 99, 100]
    forty = [float(n) for n in range(1, 41)]
    assert percentile(forty, 95) == 38  # 95% of 40 is 38 requests
    assert percentile(forty, 50) == 20


@given(st.lists(floats, min_size=1, max_size=100), st.floats(0, 100), st.floats(0, 100))
def test_percentile_grows_with_p(values: list[float], p: float, q: float) -> None:
    low, high = sorted((p, q))
    assert percentile(values, low) <= percentile(values, high)
    assert percentile(values, 100) == max(values)
    assert percentile(values, 0) == min(values)


def test_percentile_refuses_nothing_and_odd_p() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_and_misses() -> None:
    summary = summarise([float(n) for n in range(1, 101)])
    assert (summary.samples, summary.p50, summary.p95, summary.max) == (100, 50.0, 95.0, 100.0)
    assert miss_by(48, 50) == ""
    assert miss_by(75, 50) == "+25.0 (1.5x)"
    assert miss_by(0.5, 0.4, at_least=True) == ""
    assert miss_by(0.2, 0.4, at_least=True) == "50% short"


def test_totp_code_is_the_code_allauth_accepts() -> None:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from keyworker.core.demo import DEMO_TOTP_SECRET

    at = 1_790_000_000.0
    assert totp_code(DEMO_TOTP_SECRET, at) == format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(at) // 30))


def test_server_timing_is_parsed() -> None:
    metrics = parse_server_timing('total;dur=12.5, sql;dur=3.25, queries;desc="7"')
    assert metrics == {"total": {"dur": "12.5"}, "sql": {"dur": "3.25"}, "queries": {"desc": "7"}}


def test_the_bench_talks_to_loopback_only() -> None:
    with pytest.raises(BenchError):
        Browser("http://example.org:8000")
    with pytest.raises(BenchError):
        Browser("https://127.0.0.1:8000")
    Browser("http://127.0.0.1:8000")


@pytest.mark.django_db
def test_server_timing_is_off_by_default(settings: Any) -> None:
    assert settings.KEYWORKER_BENCH is False
    assert MIDDLEWARE_PATH not in settings.MIDDLEWARE
    assert "Server-Timing" not in Client().get("/healthz")
    from django.core.exceptions import MiddlewareNotUsed

    with pytest.raises(MiddlewareNotUsed):  # even if someone lists it, it stays out while the setting is off
        ServerTimingMiddleware(lambda request: None)


@pytest.mark.django_db
def test_server_timing_with_the_setting_holds_time_and_query_count(settings: Any) -> None:
    settings.KEYWORKER_BENCH = True
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]
    response = Client().get("/healthz")  # a new client: its handler loads the middleware now
    assert response.status_code == 200
    metrics = parse_server_timing(response["Server-Timing"])
    assert metrics["queries"] == {"desc": "1"}  # healthz asks the database one question
    assert float(metrics["total"]["dur"]) >= float(metrics["sql"]["dur"]) >= 0


@pytest.mark.django_db
def test_floor_is_not_there_unless_enabled(settings: Any) -> None:
    assert Client().get("/bench/floor").status_code == 404
    assert bench_patterns() == []
    with pytest.raises(Http404):
        floor(RequestFactory().get("/bench/floor"))
    settings.KEYWORKER_BENCH = True
    assert [p.name for p in bench_patterns()] == ["bench_floor"]
    assert floor(RequestFactory().get("/bench/floor")).status_code == 200
    settings.ROOT_URLCONF = "keyworker.bench.tests.urls_with_floor"
    assert Client().get("/bench/floor").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_small_bench_run_times_every_key_request(settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    """The runner end to end against a live server with tiny synthetic data (no gunicorn here: the live
    server runs in this process, on the test database). Figures are not asserted, only that each is there."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread
    from pytest_django.live_server_helper import LiveServer

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The live server's threads would all share this one in-memory connection, so two concurrent requests
        # (the throughput part) were not two transactions and could both extend the audit chain from the same
        # head (CI: "UNIQUE constraint failed: audit_auditevent.sequence"). One request at a time, then.
        # (The server thread itself already uses the shared connection: LiveServerThread.run sets it.)
        class OneAtATime(WSGIServer):
            def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)

        monkeypatch.setattr(LiveServerThread, "server_class", OneAtATime)

    from keyworker.bench.runner import run_bench, table, write
    from keyworker.core.demo import DEMO_TOTP_SECRET
    from keyworker.synth.generate import DEFAULT_PASSWORD, SCALES
    from keyworker.synth.run import synth_run

    synth_run(SCALES["tiny"], seed=1, password=DEFAULT_PASSWORD, using="default")
    settings.KEYWORKER_BENCH = True
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]
    settings.ROOT_URLCONF = "keyworker.bench.tests.urls_with_floor"
    server = LiveServer("127.0.0.1")  # its handler loads the middleware above as it starts
    try:
        results = run_bench(
            url=server.url,
            scale="tiny",
            requests=2,
            concurrency=2,
            seconds=0.3,
            warmup=0,
            workers=1,
            report_runs=1,
            seed=1,
            password=DEFAULT_PASSWORD,
            totp_secret=DEMO_TOTP_SECRET,
            say=lambda _m: None,
        )
    finally:
        server.stop()
    out = tmp_path / "latest.json"
    write(results, out)
    written = json.loads(out.read_text())
    rows = {r["key"]: r for r in written["requests"]}
    assert set(rows) >= KEY_REQUESTS
    for key in KEY_REQUESTS:
        assert rows[key]["status"] == "measured", rows[key]
        assert rows[key]["samples"] == 2 and rows[key]["queries_max"] > 0
    assert written["floor"]["status"] == "measured"
    assert written["funder_report"]["samples"] == 1
    assert written["throughput"]["my_week"]["failed"] == 0 and written["throughput"]["floor"]["failed"] == 0
    assert written["machine"]["cpus"] and written["database"]["vendor"] == connection.vendor
    assert {"what", "pass", "miss_by"} <= set(written["checks"][0])
    assert "My week" in table(results)
    # The note search's word stays the same after the bench's own contacts were added, and is none of theirs.
    from keyworker.bench.runner import BENCH_NOTE_PREFIX, plan_build

    again = plan_build(password=DEFAULT_PASSWORD, totp_secret=DEMO_TOTP_SECRET).data["note_search_word"]
    assert again == written["data"]["note_search_word"]
    assert again not in BENCH_NOTE_PREFIX.lower() + " rang to check in about the week"


def test_growth_compares_p95_and_query_counts_of_two_runs() -> None:
    from keyworker.bench.stats import growth, growth_table

    def run(*rows: tuple[str, float, int]) -> dict:
        return {
            "requests": [
                {"key": k, "label": k, "status": "measured", "p95_ms": p95, "queries_p50": q, "queries_max": q}
                for k, p95, q in rows
            ]
        }

    charity = run(("floor", 3.0, 2), ("my_week", 40.0, 14), ("caseload", 30.0, 8), ("gone", 10.0, 5))
    national = run(("floor", 30.0, 2), ("my_week", 60.0, 14), ("caseload", 46.0, 9), ("new", 1.0, 1))
    rows = {r["key"]: r for r in growth(charity, national)}
    assert set(rows) == {"my_week", "caseload"}  # the floor is not a page; one-sided requests are left out
    assert (rows["my_week"]["ratio"], rows["my_week"]["pass"], rows["my_week"]["queries_constant"]) == (1.5, True, True)
    assert (rows["caseload"]["pass"], rows["caseload"]["queries_constant"]) == (False, False)
    text = growth_table(list(rows.values()), "charity", "national")
    assert "MISS (1.53x)" in text and "8 -> 9" in text
