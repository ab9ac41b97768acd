"""Writing subject access requests: start, extend, build (queues the job), send, withdraw. Data protection
officer only; every write audited on the person's trail (dates and statuses only in the detail, no personal
data); edits carry the version the officer read (optimistic locking). The deadline rules are pure functions."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.versioning import save_if_unchanged
from keyworker.people.models import Client
from keyworker.privacy.models import SarStatus, SubjectAccessRequest
from keyworker.privacy.services import disclosure_record

__all__ = [
    "EXTENSION_MONTHS",
    "OPEN_STATUSES",
    "SAR_BASIS",
    "SAR_RECIPIENT",
    "extension_limit",
    "sar_due_on",
    "sar_request_build",
    "sar_request_downloaded",
    "sar_request_extend",
    "sar_request_send",
    "sar_request_start",
    "sar_request_withdraw",
]

EXTENSION_MONTHS = 2  # UK GDPR art. 12(3): "by two further months where necessary"
OPEN_STATUSES = (SarStatus.RECEIVED, SarStatus.BUILDING, SarStatus.READY, SarStatus.FAILED)
SAR_RECIPIENT = "The person themself (subject access)"
SAR_BASIS = "UK GDPR article 15 (right of access)"
TEXT_MAX = 200


# --- the deadline (pure) -----------------------------------------------------------------------------------


def sar_due_on(received_on: dt.date) -> dt.date:
    """One calendar month from the day of receipt: the same day next month, or that month's last day when it has
    no such day (31 January -> 28 or 29 February), as the ICO counts it."""
    return received_on + relativedelta(months=1)


def extension_limit(due_on: dt.date) -> dt.date:
    """The latest a deadline may be extended to: two further calendar months after the first deadline."""
    return due_on + relativedelta(months=EXTENSION_MONTHS)


def extension_problems(*, due_on: dt.date, current: dt.date, extended_to: dt.date | None, reason: str) -> dict:
    """Why an extension to `extended_to` is refused ({} if it is allowed): later than the current deadline,
    at most two months after the first one, with a reason."""
    problems: dict[str, list[str]] = {}
    if extended_to is None:
        problems["extended_to"] = ["Enter the new deadline."]
    elif extended_to <= current:
        problems["extended_to"] = [f"The new deadline must be after the current one ({current:%-d %B %Y})."]
    elif extended_to > extension_limit(due_on):
        problems["extended_to"] = [
            f"A deadline can be extended by at most {EXTENSION_MONTHS} months: no later than "
            f"{extension_limit(due_on):%-d %B %Y}."
        ]
    if not reason.strip():
        problems["extension_reason"] = ["Say why the request needs longer (for example, it is complex)."]
    return problems


# --- the writes ----------------------------------------------------------------------------------------------


def _officer(actor: User) -> None:
    # Not the officer: the requests do not exist for them (404, not 403).
    if not policy.can_export_subject_access(actor):
        raise NotFound()


def _audit(actor: User | None, request: SubjectAccessRequest, event: str, **detail: str) -> None:
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE if event == "sar.started" else AuditAction.UPDATE,
        obj=request,
        client_id=request.client_id,
        detail={"event": event, **detail},
    )


def _locked(request: SubjectAccessRequest) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def sar_request_start(
    *,
    actor: User,
    client: Client | None,
    received_on: dt.date | None,
    how_received: str,
    identity_checked: str,
) -> SubjectAccessRequest:
    """Record a person's request to see their record; the deadline is one calendar month from receipt."""
    _officer(actor)
    problems: dict[str, list[str]] = {}
    if client is None:
        problems["client"] = ["Choose the person who asked."]
    if received_on is None:
        problems["received_on"] = ["Enter the date the request was received."]
    elif received_on > timezone.localdate():
        problems["received_on"] = ["The date received cannot be in the future."]
    if not how_received.strip():
        problems["how_received"] = ["Say how the request came in (for example, by letter or in person)."]
    elif len(how_received.strip()) > TEXT_MAX:
        problems["how_received"] = [f"Use {TEXT_MAX} characters or fewer."]
    if not identity_checked.strip():
        problems["identity_checked"] = ["Say how you checked that the person asking is who they say they are."]
    elif len(identity_checked.strip()) > 300:
        problems["identity_checked"] = ["Use 300 characters or fewer."]
    if problems:
        raise ValidationFailed("There is a problem with this request.", problems)
    assert client is not None and received_on is not None
    request = SubjectAccessRequest.objects.create(
        client=client,
        received_on=received_on,
        how_received=how_received.strip(),
        identity_checked=identity_checked.strip(),
        due_on=sar_due_on(received_on),
        recorded_by=actor,
    )
    _audit(actor, request, "sar.started", due_on=request.due_on.isoformat())
    return request


def _open(request: SubjectAccessRequest, doing: str) -> None:
    if request.status not in OPEN_STATUSES:
        raise ValidationFailed(f"This request is {request.get_status_display().lower()}: it cannot be {doing}.")


@transaction.atomic
def sar_request_extend(
    *,
    actor: User,
    request: SubjectAccessRequest,
    expected_version: int,
    extended_to: dt.date | None,
    reason: str,
) -> SubjectAccessRequest:
    """Extend the deadline (a complex request): by at most two further months after the first deadline."""
    _officer(actor)
    current = _locked(request)
    _open(current, "extended")
    problems = extension_problems(
        due_on=current.due_on, current=current.deadline, extended_to=extended_to, reason=reason
    )
    if problems:
        raise ValidationFailed("The deadline was not extended.", problems)
    request.extended_to = extended_to
    request.extension_reason = reason.strip()
    save_if_unchanged(request, expected_version=expected_version, fields=["extended_to", "extension_reason"])
    assert extended_to is not None
    _audit(actor, request, "sar.extended", extended_to=extended_to.isoformat())
    return request


@transaction.atomic
def sar_request_build(*, actor: User, request: SubjectAccessRequest) -> SubjectAccessRequest:
    """Queue the job that builds the person's record (JSON and PDF). Again after a failure, or after a build
    that is out of date; not while one is building, and not once sent or withdrawn."""
    _officer(actor)
    current = _locked(request)
    _open(current, "built")
    if current.status == SarStatus.BUILDING:
        raise ValidationFailed("The record is already being built.")
    if current.client_id is None:
        raise ValidationFailed("The person's record has been removed: there is nothing to build.")
    current.status, current.progress, current.step, current.error = SarStatus.BUILDING, 0, "Waiting to start", ""
    current.version += 1
    current.save(update_fields=["status", "progress", "step", "error", "version", "updated_at"])
    from keyworker.privacy.sar.tasks import sar_build_task

    # The database backend writes the job row in this transaction: no request marked building without its job.
    sar_build_task.enqueue(request_id=str(current.pk))
    _audit(actor, current, "sar.build_queued")
    for name in ("status", "progress", "step", "error", "version", "updated_at"):
        setattr(request, name, getattr(current, name))
    return request


@transaction.atomic
def sar_request_send(
    *,
    actor: User,
    request: SubjectAccessRequest,
    expected_version: int,
    sent_on: dt.date | None,
    sent_how: str,
) -> SubjectAccessRequest:
    """Record that the built record went to the person; their disclosure log says so."""
    _officer(actor)
    current = _locked(request)
    if current.status != SarStatus.READY:
        raise ValidationFailed("Only a built record that is ready can be marked as sent.")
    problems: dict[str, list[str]] = {}
    if sent_on is None:
        problems["sent_on"] = ["Enter the date it was sent."]
    elif sent_on > timezone.localdate():
        problems["sent_on"] = ["The date sent cannot be in the future."]
    elif sent_on < current.received_on:
        problems["sent_on"] = ["The date sent cannot be before the request was received."]
    if not sent_how.strip():
        problems["sent_how"] = ["Say how it was sent (for example, by secure e-mail or handed over in person)."]
    elif len(sent_how.strip()) > TEXT_MAX:
        problems["sent_how"] = [f"Use {TEXT_MAX} characters or fewer."]
    if problems:
        raise ValidationFailed("The request was not marked as sent.", problems)
    assert sent_on is not None
    request.status, request.sent_on, request.sent_how, request.closed_by = (
        SarStatus.SENT,
        sent_on,
        sent_how.strip(),
        actor,
    )
    save_if_unchanged(request, expected_version=expected_version, fields=["status", "sent_on", "sent_how", "closed_by"])
    if request.client is not None:
        disclosure_record(
            actor=actor,
            client=request.client,
            what=f"Their subject access record (received {request.received_on:%-d %B %Y}), sent {sent_how.strip()}: "
            "everything held about them, with a list of what was withheld and why.",
            recipient=SAR_RECIPIENT,
            basis=SAR_BASIS,
            source=request,
        )
    _audit(actor, request, "sar.sent", sent_on=sent_on.isoformat())
    return request


@transaction.atomic
def sar_request_withdraw(*, actor: User, request: SubjectAccessRequest, expected_version: int) -> SubjectAccessRequest:
    """The person withdrew the request (or it was made in error). Any copy of their record built for it is
    deleted: it is no longer needed."""
    _officer(actor)
    current = _locked(request)
    _open(current, "withdrawn")
    request.status, request.closed_by = SarStatus.WITHDRAWN, actor
    request.export_json, request.export_pdf, request.withheld, request.progress, request.step = None, None, [], 0, ""
    save_if_unchanged(
        request,
        expected_version=expected_version,
        fields=["status", "closed_by", "export_json", "export_pdf", "withheld", "progress", "step"],
    )
    _audit(actor, request, "sar.withdrawn")
    return request


def sar_request_downloaded(*, actor: User, request: SubjectAccessRequest, fmt: str) -> None:
    """Every download of the built record is an export of everything held about the person: on their trail."""
    _officer(actor)
    audit_event_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=request,
        client_id=request.client_id,
        detail={"event": "sar.downloaded", "format": fmt},
    )
