"""The daily reminders job (django-tasks, database backend; run by `keyworker db_worker`).

`reminders_send_task` runs the sweep (diary/reminders.py) and first queues itself for the next 07:00 London
time, so a running worker keeps the reminders going with no other scheduler. `keyworker reminders` (cron or
a systemd timer at 07:00) queues it too, as a safety net for a worker that was down. Duplicate runs are
harmless: the sweep never sends a reminder twice. Duplicate *chains* are avoided: a run queues the next one
only if no run of this task is queued for the future already, so two chains started by accident merge at
the next run. docs/decisions/0021-background-jobs.md
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from keyworker.diary.reminders import next_run_after, reminders_send

# A sweep where the mail server failed is tried again for the reminders not sent, this often, this many times.
RETRY_AFTER = dt.timedelta(minutes=15)
MAX_RETRIES = 4


def _queued_after(task_path: str, now: dt.datetime) -> bool:
    """Whether a run of the task is waiting for a time after `now` (one queued to run at once has no time)."""
    return (
        DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY, run_after__gt=now)
        .exclude(run_after=get_date_max())
        .exists()
    )


def reminders_schedule_next(*, now: dt.datetime) -> dt.datetime | None:
    """Queue the daily run for the next 07:00 London time, unless one is queued already. Returns when it will
    run, or None if there was one already."""
    if _queued_after(reminders_send_task.module_path, now):
        return None
    run_at = next_run_after(now)
    reminders_send_task.using(run_after=run_at).enqueue()
    return run_at


def _retry_if_failed(summary: dict[str, object], attempt: int) -> None:
    if summary["failed"] and attempt <= MAX_RETRIES:
        reminders_retry_task.using(run_after=timezone.now() + RETRY_AFTER).enqueue(
            today=str(summary["today"]), attempt=attempt
        )


@task()
def reminders_send_task(today: str | None = None) -> dict[str, object]:
    """The daily sweep. `today` (ISO date) only to send a given day's reminders; London's today otherwise."""
    reminders_schedule_next(now=timezone.now())
    summary = reminders_send(today=dt.date.fromisoformat(today) if today else None).summary()
    _retry_if_failed(summary, attempt=1)
    return summary


@task()
def reminders_retry_task(today: str, attempt: int) -> dict[str, object]:
    """The same day's sweep again after the mail server failed: only what did not go is sent. It does not
    queue the next day (the daily chain does that)."""
    summary = reminders_send(today=dt.date.fromisoformat(today)).summary()
    _retry_if_failed(summary, attempt=attempt + 1)
    return summary
