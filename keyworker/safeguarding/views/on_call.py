"""The on-call line's pages: the start page (who is on call, find the client), the crisis call form beside the
client's safety plan, a call, the morning handover and the rota."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.accounts.selectors import active_staff
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.people.selectors import client_get_for, client_search_for
from keyworker.safeguarding import rules
from keyworker.safeguarding.rules import (
    LONDON,
    OFFICE_CLOSES,
    OFFICE_OPENS,
    is_out_of_hours,
    next_working_day,
    previous_working_day,
)
from keyworker.safeguarding.selectors.access import break_glass_grant_for
from keyworker.safeguarding.selectors.on_call import (
    crisis_call_get_for,
    crisis_calls_taken_by,
    handover_for,
    on_call_now,
    on_call_shift_get_for,
    rota_for,
)
from keyworker.safeguarding.selectors.risk import current_unsafe_areas, safety_plan_for
from keyworker.safeguarding.services.on_call import crisis_call_log, on_call_shift_add, on_call_shift_remove
from keyworker.safeguarding.views.on_call_forms import (
    CRISIS_CALL_FIELD_NAMES,
    SHIFT_FIELD_NAMES,
    CrisisCallForm,
    ShiftForm,
)

ROTA_DAYS = 14


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_view
def on_call(request: HttpRequest) -> HttpResponse:
    """The start of the on-call line: find the client (among those the user can see), then log the call.
    Out of hours, the on-call worker is offered break-glass for a client who is not theirs."""
    user = _user(request)
    if not policy.can_see_rota(user):
        raise Http404()
    now = timezone.now()
    can_search = policy.can_use_casework(user)
    query = request.GET.get("q", "").strip()[:100] if can_search else ""
    results = list(client_search_for(user, query, limit=20)) if query else []
    if query:
        # As on the search page: the search is recorded, and each client shown; the words typed are not.
        audit_event_record(
            actor=user,
            action=AuditAction.SEARCH,
            obj=user,
            detail={"query_length": len(query), "shown": len(results), "on_call": True},
        )
    my_calls = crisis_calls_taken_by(user, since=now - dt.timedelta(hours=24)) if can_search else []
    clients_viewed(
        user,
        [*((c.pk, c) for c in results), *((call.client_id, call) for call in my_calls)],
        what="on-call start page",
    )
    return render_page(
        request,
        "safeguarding/on_call/start.html",
        {
            "query": query,
            "results": results,
            "can_search": can_search,
            "offer_break_glass": policy.can_break_glass(user) and is_out_of_hours(now),
            "on_call_now": on_call_now(now),
            "my_calls": my_calls,
            "section": "on_call",
        },
    )


@casework_view
def crisis_call_new(request: HttpRequest, client_id: str) -> HttpResponse:
    """The crisis call form, beside the client's safety plan and safe-contact rules."""
    user = _user(request)
    client = client_get_for(user, client_id)
    if not policy.can_log_crisis_call(user, client):
        raise Http404()
    local_now = timezone.now().astimezone(LONDON)
    form = CrisisCallForm(
        request.POST or None,
        initial={
            "received_on": local_now.date().isoformat(),
            "received_time": f"{local_now:%H:%M}",
            "shared": "no",
            "risk_review_needed": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            call = crisis_call_log(actor=user, client=client, **form.service_fields())
        except ValidationFailed as exc:
            show_service_errors(form, exc, field_names=CRISIS_CALL_FIELD_NAMES)
        else:
            raised = "a follow-up task and a risk review" if form.cleaned_data["risk_review_needed"] else "a task"
            messages.success(request, f"Crisis call logged. It raised {raised} and is on the morning handover.")
            return redirect("safeguarding:crisis_call_detail", call.pk)
    client_viewed(actor=user, client_id=client.pk, obj=client, what="crisis call form")
    return render_page(
        request,
        "safeguarding/on_call/crisis_call_new.html",
        {
            "client": client,
            "form": form,
            "plan": safety_plan_for(user, client),
            "unsafe_areas": current_unsafe_areas(client),
            "break_glass": break_glass_grant_for(user, client),
            "section": "on_call",
        },
        status=422 if request.method == "POST" else 200,
    )


@casework_view
def crisis_call_detail(request: HttpRequest, call_id: str) -> HttpResponse:
    user = _user(request)
    call = crisis_call_get_for(user, call_id)
    client_viewed(actor=user, client_id=call.client_id, obj=call, what="crisis call")
    return render_page(
        request,
        "safeguarding/on_call/crisis_call_detail.html",
        {
            "call": call,
            "client_in_reach": policy.clients_visible_to(user).filter(pk=call.client_id).exists(),
            "section": "on_call",
        },
    )


def _morning(request: HttpRequest) -> tuple[dt.date, str]:
    today = timezone.localdate()
    raw = request.GET.get("morning", "")
    if not raw:
        return today, ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return today, "That date was not understood: showing this morning's handover."


@casework_view
def handover(request: HttpRequest) -> HttpResponse:
    """Last night's calls, for the team: what happened, the advice, the sharing decision, the tasks raised."""
    user = _user(request)
    morning, problem = _morning(request)
    found = handover_for(user, morning)
    clients_viewed(user, ((call.client_id, call) for call in found.calls), what="morning handover")
    return render_page(
        request,
        "safeguarding/on_call/handover.html",
        {
            "handover": found,
            "problem": problem,
            "previous": previous_working_day(morning),
            "next": next_working_day(morning),
            "is_today": morning == timezone.localdate(),
            "section": "on_call",
        },
    )


def _worker_choices() -> list[tuple[str, str]]:
    staff = [u for u in active_staff().order_by("first_name", "last_name") if policy.can_use_casework(u)]
    return [(str(u.pk), f"{u.display_name} ({u.get_role_display()})") for u in staff]


@staff_view
def rota(request: HttpRequest) -> HttpResponse:
    """The next 14 days of the rota for everyone who may see it; managers add and remove shifts."""
    user = _user(request)
    if not policy.can_see_rota(user):
        raise Http404()
    can_manage = policy.can_manage_rota(user)
    choices = _worker_choices() if can_manage else []
    action = request.POST.get("action", "") if can_manage else ""
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    form = ShiftForm(
        request.POST if action == "add" else None,
        worker_choices=choices,
        initial={
            "starts_on": today.isoformat(),
            "starts_time": OFFICE_CLOSES.strftime("%H:%M"),
            "ends_on": tomorrow.isoformat(),
            "ends_time": OFFICE_OPENS.strftime("%H:%M"),
        },
    )
    if request.method == "POST" and not can_manage:
        raise Http404()
    if action == "add" and form.is_valid():
        worker = active_staff().filter(pk=form.cleaned_data["worker"]).first()
        if worker is None:
            form.add_error("worker", "Choose who is on call.")
        else:
            try:
                on_call_shift_add(actor=user, worker=worker, starts_at=form.starts_at(), ends_at=form.ends_at())
            except ValidationFailed as exc:
                show_service_errors(form, exc, field_names=SHIFT_FIELD_NAMES)
            else:
                messages.success(request, f"{worker.display_name} added to the rota.")
                return redirect("safeguarding:rota")
    elif action == "remove":
        shift = on_call_shift_get_for(user, request.POST.get("shift", ""))
        try:
            on_call_shift_remove(actor=user, shift=shift)
        except (ValidationFailed, NotAllowed) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{shift.worker.display_name}'s shift removed from the rota.")
        return redirect("safeguarding:rota")
    now = timezone.now()
    start = dt.datetime.combine(today, dt.time(0, 0), tzinfo=LONDON)
    shifts = list(rota_for(user, start, start + dt.timedelta(days=ROTA_DAYS)))
    current = {shift.pk for shift in rules.on_call_now(shifts, now)}
    return render_page(
        request,
        "safeguarding/on_call/rota.html",
        {
            "shifts": shifts,
            "current": current,
            "now": now,
            "can_manage": can_manage,
            "form": form,
            "days": ROTA_DAYS,
            "section": "on_call",
        },
        status=422 if request.method == "POST" else 200,
    )
