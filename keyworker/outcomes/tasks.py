"""Background jobs of outcomes (django-tasks, database backend; run by `keyworker db_worker`).

`funder_report_run_task` builds one funder report run. It is queued by services.funder_reports
.funder_report_request in the same transaction as the run; it is safe to run twice (a done run is left alone).
docs/decisions/0021-background-jobs.md"""

from __future__ import annotations

from django_tasks import task


@task()
def funder_report_run_task(run_id: str) -> str:
    """Build the run's report (progress saved as it goes); the run's status at the end."""
    from keyworker.outcomes.services.funder_reports import funder_report_build_run

    return str(funder_report_build_run(run_id=run_id))
