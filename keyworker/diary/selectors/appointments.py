"""Reading the diary: My week and appointments, through the access policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import CaseStatus, Task
from keyworker.casework.rules import week_bounds
from keyworker.casework.selectors import task_list_for
from keyworker.core import policy
from keyworker.diary.models import KEY_DATE_KINDS, Appointment


def appointment_list_for(user: User) -> QuerySet[Appointment]:
    """Appointments about clients in the user's reach, and the user's own appointments with no client."""
    return Appointment.objects.filter(
        Q(client__in=policy.clients_visible_to(user)) | policy.own_records_scope(user, "staff")
    ).select_related("client", "staff")


@dataclass
class Day:
    date: dt.date
    appointments: list[Appointment] = field(default_factory=list)
    key_dates: list[Appointment] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.appointments or self.key_dates or self.tasks)


@dataclass
class Week:
    monday: dt.date
    sunday: dt.date
    days: list[Day]
    overdue_tasks: list[Task]

    @property
    def previous_monday(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next_monday(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)


def my_week_for(user: User, day: dt.date | None = None) -> Week:
    """The user's week, Monday to Sunday: their appointments, their tasks due, and the release and court
    dates of the clients they are keyworker for (whoever booked them)."""
    today = timezone.localdate()
    monday, sunday = week_bounds(day or today)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(sunday + dt.timedelta(days=1), dt.time.min, tzinfo=tz)

    own_clients = Q(
        client__cases__keyworker=user, client__cases__status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD]
    )
    appointments = (
        appointment_list_for(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .filter(Q(staff=user) | (Q(kind__in=KEY_DATE_KINDS) & own_clients))
        .distinct()
        .order_by("starts_at")
    )
    days = {monday + dt.timedelta(days=i): Day(date=monday + dt.timedelta(days=i)) for i in range(7)}
    for appointment in appointments:
        bucket = days[timezone.localtime(appointment.starts_at).date()]
        (bucket.key_dates if appointment.is_key_date else bucket.appointments).append(appointment)

    mine = task_list_for(user).filter(owner=user)
    for task in mine.filter(due_on__gte=monday, due_on__lte=sunday):
        days[task.due_on].tasks.append(task)
    overdue = list(mine.filter(due_on__lt=min(monday, today))) if monday <= today else []
    return Week(monday=monday, sunday=sunday, days=list(days.values()), overdue_tasks=overdue)
