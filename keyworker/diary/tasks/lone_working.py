"""Lone-working background jobs: each rung of the escalation ladder, and the sweep that catches lost jobs.

Scheduled by the services (keyworker/diary/services/lone_working.py) in the same transaction as the visit,
with `run_after` at the ladder's times; run by `keyworker db_worker`. Both are safe to run again."""

from __future__ import annotations

from django_tasks import task


@task()
def lone_working_escalate_job(visit_id: str) -> list[str]:
    """Raise whatever rungs are due on one visit now; the levels raised (none if nothing was due)."""
    from keyworker.diary.services.lone_working import lone_working_escalate

    return lone_working_escalate(visit_id=visit_id)


@task()
def lone_working_sweep_job() -> int:
    """Escalate every overdue visit (a safety net for a job that was lost); how many rungs were raised."""
    from keyworker.diary.services.lone_working import lone_working_escalate_overdue

    return lone_working_escalate_overdue()
