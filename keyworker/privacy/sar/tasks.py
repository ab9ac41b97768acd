"""The background job that builds a subject access request's record (django-tasks, database backend; run by
`keyworker db_worker`). Queued by services.sar_request_build in the same transaction as the status change."""

from __future__ import annotations

from django_tasks import task


@task()
def sar_build_task(request_id: str) -> str:
    """Build the request's record (progress saved as it goes); the request's status at the end."""
    from keyworker.privacy.sar.build import sar_build_run

    return str(sar_build_run(request_id=request_id))
