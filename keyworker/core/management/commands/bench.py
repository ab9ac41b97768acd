"""`keyworker bench [--scale charity|national] [--requests N] [--concurrency 32] [--url URL]`: time the key
pages and API calls on gunicorn against the configured database, filled by `keyworker synth` first. Prints a
table with PASS/MISS against issue 9's targets and writes bench/results/latest.json (docs/decisions/0031)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyworker.bench.client import BenchError
from keyworker.bench.runner import run_bench, table, write
from keyworker.core.demo import DEMO_TOTP_SECRET
from keyworker.synth.generate import DEFAULT_PASSWORD, SCALES

DEFAULT_OUT = Path(settings.PROJECT_DIR) / "bench" / "results" / "latest.json"


class Command(BaseCommand):
    help = (
        "Benchmark the key pages and API calls on a real server (gunicorn, started on loopback unless --url is "
        "given) against the configured database, which `keyworker synth` must have filled. Writes "
        "bench/results/latest.json. Writes to the database (sign-ins, 'add a contact', audit events): use a copy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default=None,
            help="The scale the database holds (a label for the results; default: guessed).",
        )
        parser.add_argument("--requests", type=int, default=40, metavar="N", help="Timed requests per key request.")
        parser.add_argument("--warmup", type=int, default=4, help="Untimed requests first (templates, caches).")
        parser.add_argument("--concurrency", type=int, default=32, help="Concurrent clients for throughput.")
        parser.add_argument("--seconds", type=float, default=10.0, help="How long each throughput run lasts.")
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: 2 per core).")
        parser.add_argument("--report-runs", type=int, default=3, help="Funder report builds to time.")
        parser.add_argument(
            "--url",
            default=None,
            help="A server already running with KEYWORKER_BENCH=1 on loopback (e.g. "
            "http://127.0.0.1:8000) instead of starting gunicorn.",
        )
        parser.add_argument("--seed", type=int, default=1, help="The seed `keyworker synth` used (API tokens).")
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
        parser.add_argument(
            "--compare",
            nargs=2,
            type=Path,
            metavar=("SMALLER.json", "LARGER.json"),
            help="Measure nothing: print the growth of p95 and of query counts from one run's results to another's"
            " (e.g. charity then national, both on PostgreSQL; target: at most 1.5x).",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if o["compare"]:
            self._compare(*o["compare"])
            return
        if settings.PRODUCTION:
            raise CommandError("The bench cannot run when KEYWORKER_PRODUCTION=1.")
        if o["requests"] < 1 or o["concurrency"] < 1 or o["seconds"] <= 0:
            raise CommandError("--requests, --concurrency and --seconds must be positive.")
        import os

        from keyworker.people.models import Client

        clients = Client.objects.count()
        scale = o["scale"] or min(SCALES, key=lambda s: abs(SCALES[s].clients - clients))
        # The sign-in counts attempts in the database cache; a fresh copy of a synth database may lack its table.
        call_command("createcachetable", verbosity=0)
        try:
            results = run_bench(
                url=o["url"],
                scale=scale,
                requests=o["requests"],
                concurrency=o["concurrency"],
                seconds=o["seconds"],
                warmup=o["warmup"],
                workers=o["workers"] or 2 * (os.cpu_count() or 1),
                report_runs=o["report_runs"],
                seed=o["seed"],
                password=o["password"],
                totp_secret=DEMO_TOTP_SECRET,
                say=lambda m: self.stdout.write(m),
            )
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("")
        self.stdout.write(table(results))
        write(results, o["out"])
        self.stdout.write(f"Written to {o['out']}")

    def _compare(self, smaller: Path, larger: Path) -> None:
        import json

        from keyworker.bench.stats import growth, growth_table

        try:
            first, second = (json.loads(p.read_text()) for p in (smaller, larger))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the results: {exc}") from exc
        rows = growth(first, second)
        if not rows:
            raise CommandError("The two results have no key request in common.")
        names = [f"{r['scale']} ({r['database']['vendor']})" for r in (first, second)]
        self.stdout.write(growth_table(rows, *names))
        failing = [r["label"] for r in rows if not r["pass"] or not r["queries_constant"]]
        self.stdout.write(
            f"{len(rows) - len(failing)} of {len(rows)} requests within {names[1]} <= 1.5 x {names[0]}"
            " with the same query count" + (f"; not: {', '.join(failing)}" if failing else "")
        )
