from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from keyworker.audit.services import clients_viewed
from keyworker.casework.models import Task
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.diary.models import Appointment
from keyworker.diary.selectors import my_week_for


@staff_view
def my_week(request: HttpRequest) -> HttpResponse:
    """The signed-in worker's week: appointments, key dates and tasks, Monday to Sunday."""
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    week = my_week_for(request.user, day)  # type: ignore[arg-type]
    records: list[Appointment | Task] = [*week.overdue_tasks]
    for day_ in week.days:
        records += [*day_.appointments, *day_.key_dates, *day_.tasks]
    shown = [(record.client_id, record) for record in records if record.client_id]
    clients_viewed(request.user, shown, what="my week")  # type: ignore[arg-type]
    return render_page(
        request,
        "diary/my_week.html",
        {"week": week, "today": timezone.localdate(), "section": "week"},
        block="week",
    )
