from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.casework.models import Task
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.diary.forms import AppointmentForm
from keyworker.diary.models import Appointment, AppointmentKind
from keyworker.diary.selectors import my_week_for
from keyworker.diary.services import appointments as services
from keyworker.people.selectors import client_get_for

# The service's field names, as the form's.
_FORM_FIELD = {"kind": "kind", "ends_at": "ends", "starts_at": "starts", "location": "location"}


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


@casework_view
def appointment_new(request: HttpRequest, client_id: str) -> HttpResponse:
    """Book an appointment with a client, for the signed-in worker (it then shows on their week)."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    today = timezone.localdate()
    form = AppointmentForm(request.POST or None, initial={"on": today.isoformat(), "kind": AppointmentKind.OFFICE})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                appointment = services.appointment_book(
                    actor=user,
                    client=client,
                    kind=form.cleaned_data["kind"],
                    starts_at=form.starts_at(),
                    ends_at=form.ends_at(),
                    location=form.cleaned_data["location"].strip(),
                )
            except ValidationFailed as exc:
                show_service_errors(form, exc, field_names=_FORM_FIELD)
            except NotAllowed as exc:
                form.add_error(None, exc.message)
                status = 403
            else:
                when = timezone.localtime(appointment.starts_at)
                messages.success(request, f"Booked: {appointment.get_kind_display()}, {when:%A %-d %B at %H:%M}.")
                return redirect("people:client_detail", client.pk)
    client_viewed(
        actor=user,
        client_id=client.pk,
        obj=client,
        what="book appointment form",
        break_glass=policy.seen_by_break_glass(user, client),
    )
    return render_page(
        request,
        "diary/appointment_new.html",
        {"client": client, "form": form, "section": "caseload"},
        status=status,
    )
