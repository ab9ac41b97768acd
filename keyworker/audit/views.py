from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse

from keyworker.accounts.models import Role, User
from keyworker.audit.forms import PeriodForm
from keyworker.audit.models import AuditAction
from keyworker.audit.selectors import (
    record_trail_for,
    staff_activity_for,
    staff_member_for_audit,
)
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view


@staff_view
def staff_activity(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Everything a member of staff did in a period: for their manager and the data protection officer."""
    viewer: User = request.user  # type: ignore[assignment]
    subject = staff_member_for_audit(viewer, user_id)
    form = PeriodForm(request.GET)
    activity = None
    if form.is_valid():
        start, end = form.cleaned_data["from"], form.cleaned_data["to"]
        activity = staff_activity_for(viewer, subject, start=start, end=end)
        # Reading the audit trail is itself audited (ids and the period only).
        audit_event_record(
            actor=viewer,
            action=AuditAction.VIEW,
            obj=subject,
            detail={"what": "staff activity", "from": start.isoformat(), "to": end.isoformat()},
        )
    context = {
        "subject": subject,
        "form": form,
        "activity": activity,
        "link_clients": viewer.role == Role.DATA_PROTECTION_OFFICER,
    }
    return render_page(request, "audit/staff_activity.html", context, block="events")


@staff_view
def record_trail(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    """Who viewed and changed one client's records: for the client's managers and the data protection officer."""
    viewer: User = request.user  # type: ignore[assignment]
    if not policy.can_see_record_trail(viewer, client_id):
        raise NotFound()
    form = PeriodForm(request.GET)
    trail = None
    if form.is_valid():
        start, end = form.cleaned_data["from"], form.cleaned_data["to"]
        trail = record_trail_for(viewer, client_id, start=start, end=end)
        audit_event_record(
            actor=viewer,
            action=AuditAction.VIEW,
            object_type="people.client",
            object_id=str(client_id),
            client_id=client_id,
            detail={"what": "record trail", "from": start.isoformat(), "to": end.isoformat()},
        )
    return render_page(
        request, "audit/record_trail.html", {"client_id": client_id, "form": form, "trail": trail}, block="events"
    )
