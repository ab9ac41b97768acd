"""Reading the audit trail."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.people.models import Client

STAFF_ACTIVITY_LIMIT = 1000


def client_audit_trail_for(user: User, client: Client, *, limit: int = 50) -> QuerySet[AuditEvent]:
    """Who viewed and changed this client's records, newest first. Managers only."""
    if not policy.can_see_who_viewed(user, client):
        raise NotFound()
    return AuditEvent.objects.filter(client_id=client.pk).select_related("actor").order_by("-occurred_at")[:limit]


def staff_member_for_audit(viewer: User, user_id: uuid.UUID | str) -> User:
    """The member of staff whose activity `viewer` asks for; NotFound if they may not see it."""
    try:
        subject = User.objects.select_related("team").get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    if not policy.can_see_staff_activity(viewer, subject):
        raise NotFound()
    return subject


@dataclass(frozen=True)
class StaffActivity:
    subject: User
    start: dt.date
    end: dt.date
    events: list[AuditEvent]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.events)


def staff_activity_for(
    viewer: User, subject: User, *, start: dt.date, end: dt.date, limit: int = STAFF_ACTIVITY_LIMIT
) -> StaffActivity:
    """What `subject` did from `start` to `end` (whole days, UK time, both included), oldest first, with the
    failed sign-ins against their account. NotFound unless `viewer` may see it."""
    if not policy.can_see_staff_activity(viewer, subject):
        raise NotFound()
    since, until = _period(start, end)
    events = AuditEvent.objects.filter(
        Q(actor=subject) | Q(action=AuditAction.SIGN_IN_FAILED, object_type="accounts.user", object_id=str(subject.pk)),
        occurred_at__gte=since,
        occurred_at__lt=until,
    ).order_by("occurred_at", "sequence")
    shown = list(events[:limit])
    total = len(shown) if len(shown) < limit else events.count()
    return StaffActivity(subject=subject, start=start, end=end, events=shown, total=total)


@dataclass(frozen=True)
class RecordTrail:
    client_id: uuid.UUID
    start: dt.date
    end: dt.date
    events: list[AuditEvent]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.events)


def record_trail_for(
    viewer: User, client_id: uuid.UUID, *, start: dt.date, end: dt.date, limit: int = STAFF_ACTIVITY_LIMIT
) -> RecordTrail:
    """Every event about one client from `start` to `end` (whole days, UK time), oldest first."""
    if not policy.can_see_record_trail(viewer, client_id):
        raise NotFound()
    since, until = _period(start, end)
    events = (
        AuditEvent.objects.filter(client_id=client_id, occurred_at__gte=since, occurred_at__lt=until)
        .select_related("actor")
        .order_by("occurred_at", "sequence")
    )
    shown = list(events[:limit])
    total = len(shown) if len(shown) < limit else events.count()
    return RecordTrail(client_id=client_id, start=start, end=end, events=shown, total=total)


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
