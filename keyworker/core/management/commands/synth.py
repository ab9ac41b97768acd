"""`keyworker synth --scale charity|national|tiny [--seed 1] [--database default]`: fill an empty, migrated
database with deterministic synthetic data for benchmarks. The work is in keyworker.synth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from keyworker.core.demo import DEMO_TOTP_SECRET
from keyworker.synth.generate import DEFAULT_PASSWORD, SCALES
from keyworker.synth.run import NotEmpty, SynthResult, synth_run


class Command(BaseCommand):
    help = (
        "Fill an EMPTY migrated database with deterministic synthetic data (same seed and day: same rows): "
        "tiny = 200 clients, charity = 5,000 clients, national = 250,000 clients. Refuses a database that "
        "already holds clients."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")
        parser.add_argument(
            "--fraction",
            type=float,
            default=1.0,
            metavar="F",
            help="Load this fraction of the scale, same proportions (e.g. 0.05 to time a sample of national).",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every synthetic account (default {DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="The day the history ends and the diary starts (default: today, UTC).",
        )

    def handle(
        self,
        *args: Any,
        scale: str,
        seed: int,
        database: str,
        fraction: float,
        password: str,
        today: dt.date | None,
        **options: Any,
    ) -> None:
        if settings.PRODUCTION:
            raise CommandError("Synthetic data cannot be loaded when KEYWORKER_PRODUCTION=1.")
        if not 0 < fraction <= 1:
            raise CommandError("--fraction must be more than 0 and at most 1.")
        chosen = SCALES[scale].scaled(fraction)
        self.stdout.write(
            f"Synthetic data, scale {chosen.name} (seed {seed}) into database '{database}': {chosen.clients:,} "
            f"clients, {chosen.staff:,} staff, {chosen.contacts:,} contacts, {chosen.appointments:,} appointments, "
            f"{chosen.referrals:,} referrals, {chosen.audit_events:,} audit events."
        )
        try:
            result = synth_run(
                chosen,
                seed=seed,
                password=password,
                using=database,
                today=today,
                progress=lambda m: self.stdout.write(m),
            )
        except NotEmpty as refused:
            raise CommandError(str(refused)) from refused
        self.report(result, password)

    def report(self, result: SynthResult, password: str) -> None:
        total = sum(t.rows for t in result.loaded)
        self.stdout.write("")
        self.stdout.write(f"{'Table':<48} {'Rows':>12}")
        for t in result.loaded:
            self.stdout.write(f"{t.table:<48} {t.rows:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {total:,} rows in {result.seconds:.1f}s ({total / max(result.seconds, 1e-9):,.0f} rows/s)."
            )
        )
        self.stdout.write("")
        self.stdout.write(f"Sign-ins (password for every synthetic account: {password})")
        self.stdout.write(f"Second step (MFA): authenticator key {DEMO_TOTP_SECRET} (TOTP, 30 s, 6 digits).")
        for s in result.sign_ins:
            token = f"  API token: {s.api_token}" if s.api_token else ""
            self.stdout.write(f"  {s.role:<24} {s.email:<52} {s.team}{token}")
