"""`keyworker retention run [--date YYYY-MM-DD] [--dry-run]`: queue the records whose retention period has run
out, and carry out the removals approved (or needing no review). Prints per kind: queued, removed, held.
Meant for a nightly timer; running it twice a day changes nothing the second time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from keyworker.privacy.retention.services import retention_run


class Command(BaseCommand):
    help = "Retention: `run` queues expired records for review and carries out approved removals."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{run}")
        run = subcommands.add_parser("run", help="Queue expired records and carry out approved removals.")
        run.add_argument("--date", metavar="YYYY-MM-DD", help="Run as of this day (London); default: today.")
        run.add_argument("--dry-run", action="store_true", help="Say what would happen; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("--date must be a date like 2026-11-28.") from error
        results = retention_run(today=today, dry_run=options["dry_run"])
        prefix = "Would have (dry run): " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}Retention as of {today:%Y-%m-%d}")
        for kind, result in results.items():
            line = f"{kind}: queued {result.queued}, removed {result.removed}, held {result.held}"
            if result.failed:
                line += f", FAILED {len(result.failed)}"
            self.stdout.write(line)
            for failure in result.failed:
                self.stderr.write(f"  {kind} {failure}")
