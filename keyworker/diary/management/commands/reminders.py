"""`keyworker reminders`: queue today's reminder sweep for the worker (`keyworker db_worker`), or with --now
send it here and now. Run it daily at 07:00 (cron or a systemd timer); a running worker also keeps a daily
run queued by itself. Either way nothing is sent twice (docs/decisions/0021-background-jobs.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyworker.diary.reminders import reminders_send
from keyworker.diary.tasks.reminders import reminders_send_task


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be a date like 2026-11-27, not {value!r}.") from exc


class Command(BaseCommand):
    help = (
        "Send reminder e-mails (releases in 7 days and tomorrow, hearings tomorrow, overdue tasks). Queues the "
        "sweep for the background worker; --now sends it at once, in this process."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Send now, here, instead of queueing the job.")
        parser.add_argument("--date", help="Send the reminders of this day (YYYY-MM-DD) instead of today's.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = _iso_date(options["date"]) if options["date"] else None
        if options["now"]:
            run = reminders_send(today=day)
            self.stdout.write(
                f"Reminders for {run.today.isoformat()}: {len(run.sent)} sent, {run.already_sent} already sent, "
                f"{run.failed} failed."
            )
            if run.failed:
                raise CommandError(f"{run.failed} reminder(s) could not be e-mailed; run it again to retry them.")
            return
        result = reminders_send_task.enqueue(today=day.isoformat() if day else None)
        self.stdout.write(f"Reminders queued (job {result.id}); the worker (keyworker db_worker) sends them.")
