"""The build job's work: the person's subject access record as JSON (privacy/subject_access.py) and as a
readable PDF (pdf.py), kept on the request with the "withheld" list. Progress is saved section by section in
its own short transactions, so the officer's page sees it move; a build that raises ends FAILED with a message
that names nobody (the log has the detail), never stuck "building"."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.privacy.models import SarStatus, SubjectAccessRequest
from keyworker.privacy.subject_access import SUBJECT_ACCESS, subject_access_record

__all__ = ["BUILD_FAILED_MESSAGE", "sar_build_run", "withheld_list"]

logger = logging.getLogger(__name__)

BUILD_FAILED_MESSAGE = (
    "The record could not be built. Nothing was sent to anyone. Try again; if it fails again, tell your administrator."
)
STEP_MAX_CHARS = 200
# The share of the bar each stage takes: the sections (most of the reading), then the PDF's layout.
RECORD_SHARE = 70
PDF_START = 75

Observer = Callable[[int, str], None]


def _save_progress(request_id: uuid.UUID, percent: int, step: str) -> None:
    # Its own short transaction and only these fields, so the polling page sees it at once and a withdrawal
    # meanwhile is not overwritten.
    with transaction.atomic():
        SubjectAccessRequest.objects.filter(pk=request_id, status=SarStatus.BUILDING).update(
            progress=max(0, min(100, int(percent))), step=str(step)[:STEP_MAX_CHARS], updated_at=timezone.now()
        )


def withheld_list(record: dict[str, Any]) -> list[dict[str, Any]]:
    """What the person is told was withheld: whole kinds of record (with a count) and fields left out of the
    records given (with their names), each with the reason. Never the content."""
    items = [
        {"section": w["section"], "count": w["count"], "fields": [], "reason": w["reason"]} for w in record["withheld"]
    ]
    items += [
        {"section": w["section"], "count": None, "fields": list(w["fields"]), "reason": w["reason"]}
        for w in record["withheld_fields"]
    ]
    return items


def sar_build_run(*, request_id: uuid.UUID | str, observer: Observer | None = None) -> str:
    """Build the request's record and keep it on the request (status READY). `observer(percent, step)` is told
    each progress step after it is saved (the command line prints it). Returns the request's status."""
    from keyworker.privacy.sar.pdf import sar_pdf

    with transaction.atomic():
        request = (
            SubjectAccessRequest.objects.select_for_update(of=("self",))
            .select_related("client", "recorded_by")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.status != SarStatus.BUILDING:
            # Withdrawn meanwhile, or a second run of a finished job: leave it alone.
            return request.status if request is not None else SarStatus.WITHDRAWN
    total = len(SUBJECT_ACCESS) + 1

    def progress(percent: int, step: str) -> None:
        _save_progress(request.pk, percent, step)
        if observer is not None:
            observer(percent, step)

    try:
        if request.client is None:
            raise LookupError("the person's record has been removed")
        progress(1, "Starting")
        record = subject_access_record(
            request.client,
            progress=lambda done, step: progress(1 + done * (RECORD_SHARE - 1) // total, f"Reading: {step}"),
        )
        progress(RECORD_SHARE, "Writing the record as a file (JSON)")
        export_json = (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode()
        progress(PDF_START, "Laying out the readable copy (PDF)")
        export_pdf = sar_pdf(request, record)
        progress(95, "Saving")
    except Exception:
        logger.exception("Subject access request %s: the build failed", request.pk)
        SubjectAccessRequest.objects.filter(pk=request.pk, status=SarStatus.BUILDING).update(
            status=SarStatus.FAILED, error=BUILD_FAILED_MESSAGE, step="", updated_at=timezone.now()
        )
        if observer is not None:
            observer(-1, "Failed")
        return SarStatus.FAILED
    with transaction.atomic():
        saved = SubjectAccessRequest.objects.filter(pk=request.pk, status=SarStatus.BUILDING).update(
            status=SarStatus.READY,
            export_json=export_json,
            export_pdf=export_pdf,
            withheld=withheld_list(record),
            built_at=timezone.now(),
            progress=100,
            step="Done",
            error="",
            updated_at=timezone.now(),
        )
        if not saved:  # withdrawn while it was building: keep no copy
            return SubjectAccessRequest.objects.get(pk=request.pk).status
        # The whole record was read and kept: on the person's own trail, so they can be told.
        audit_event_record(
            actor=None,
            action=AuditAction.EXPORT,
            obj=request,
            client_id=request.client_id,
            detail={"event": "sar.built", "what": "subject access record"},
        )
    if observer is not None:
        observer(100, "Done")
    return SarStatus.READY
