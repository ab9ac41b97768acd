"""`keyworker milestones refresh [--today YYYY-MM-DD]`: work out the computed milestones for every client and
record those not yet recorded (safe to run at any time and as often as you like). Run it daily from cron or a
systemd timer: time passing is itself an input ("no proven reoffending" becomes measurable 18 months after the
start, with no one recording anything that day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from keyworker.outcomes.services.milestones import milestones_refresh_all


class Command(BaseCommand):
    help = "Milestones. `refresh` records the computed milestones the records now show (daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{refresh}")
        refresh = subcommands.add_parser("refresh", help="Record the computed milestones not yet recorded.")
        refresh.add_argument("--today", metavar="YYYY-MM-DD", help="Work them out as of this date (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be a date like 2027-01-31.") from exc
            if today > timezone.localdate():
                raise CommandError("--today cannot be in the future: a milestone is only recorded once reached.")
        created = milestones_refresh_all(today=today)
        self.stdout.write(f"Milestones: {created} worked out and recorded.")
