"""Lone-working pages, for a phone in one hand: my visit (check out, extend, send alert), the start form, the
alerts a buddy or manager answers, and one visit's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.diary import rules
from keyworker.diary.models import Appointment, LoneWorkingStatus, LoneWorkingVisit
from keyworker.diary.selectors import lone_working as selectors
from keyworker.diary.services import lone_working as services

EXTEND_MINUTES = (15, 30, 60)


class StartForm(forms.Form):
    """Check in: where, with whom, when out, who is watching."""

    place = forms.CharField(
        label="Address of the visit",
        max_length=300,
        error_messages={"required": "Enter the address of the visit."},
    )
    with_whom = forms.CharField(label="Who will be there", max_length=200, required=False)
    ends = forms.TimeField(
        label="Expected to finish by",
        error_messages={"required": "Enter when you expect to finish.", "invalid": "Enter a time, like 14:30."},
    )
    buddy = forms.ChoiceField(
        label="Your buddy",
        help_text="A colleague in your team who will be alerted if you do not check out.",
        error_messages={
            "required": "Choose a buddy from your team.",
            "invalid_choice": "Choose a buddy from your team.",
        },
    )
    appointment = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, buddies: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["buddy"].choices = [("", "Choose"), *((str(b.pk), b.display_name) for b in buddies)]  # type: ignore[attr-defined]


class ResolveForm(forms.Form):
    resolution_note = forms.CharField(
        label="What happened",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": services.NOTE_NEEDED},
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _audit_visit_view(user: User, visits: list[LoneWorkingVisit], what: str, *, each: bool = False) -> None:
    """A visit shows where a client lives and who is there: on the client's record, in one insert for a list.
    A single visit's page is recorded even with no client (`each`): it shows where a colleague is."""
    clients_viewed(user, [(v.client_id, v) for v in visits if v.client_id], what=what)
    if each:
        for visit in visits:
            if visit.client_id is None:
                audit_event_record(actor=user, action=AuditAction.VIEW, obj=visit, detail={"what": what})


def _start_initial(user: User, appointment: Appointment | None) -> dict[str, Any]:
    now = timezone.localtime()
    initial: dict[str, Any] = {"ends": (now + dt.timedelta(hours=1)).strftime("%H:%M")}
    if appointment is not None:
        client = appointment.client
        initial["appointment"] = str(appointment.pk)
        initial["place"] = appointment.location or (client.address.replace("\n", ", ") if client else "")
        initial["with_whom"] = client.display_name if client else ""
        if appointment.ends_at > now:
            initial["ends"] = timezone.localtime(appointment.ends_at).strftime("%H:%M")
    return initial


@casework_view
def lone_working(request: HttpRequest) -> HttpResponse:
    """My visit in progress, or the form to start one (pre-filled from an appointment: ?appointment=<id>)."""
    user = _user(request)
    current = selectors.lone_working_current_for(user)
    if current is not None:
        _audit_visit_view(user, [current], "lone working: my visit", each=True)
        return render_page(
            request,
            "diary/lone_working.html",
            {"visit": current, "now": timezone.now(), "extend_minutes": EXTEND_MINUTES, "section": "lone_working"},
        )
    appointment_id = request.POST.get("appointment") or request.GET.get("appointment")
    appointment = selectors.appointment_for_visit(user, appointment_id) if appointment_id else None
    buddies = list(selectors.buddy_candidates_for(user))
    form = StartForm(request.POST or None, buddies=buddies, initial=_start_initial(user, appointment))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            now = timezone.localtime()
            try:
                services.lone_working_start(
                    actor=user,
                    place=form.cleaned_data["place"],
                    with_whom=form.cleaned_data["with_whom"],
                    expected_end=rules.end_from_clock_time(now=now, clock=form.cleaned_data["ends"]),
                    buddy=selectors.staff_member(form.cleaned_data["buddy"]),
                    appointment=appointment,
                    now=now,
                )
            except ValidationFailed as exc:
                show_service_errors(form, exc, field_names={"expected_end": "ends"})
            except NotAllowed as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "You are checked in. Check out here when you leave.")
                return redirect("diary:lone_working")
    if appointment is not None and appointment.client_id:
        client_viewed(actor=user, client_id=appointment.client_id, obj=appointment, what="lone working: start form")
    return render_page(
        request,
        "diary/lone_working_start.html",
        {"form": form, "appointment": appointment, "has_buddies": bool(buddies), "section": "lone_working"},
        status=status,
    )


def _own_visit_action(request: HttpRequest, visit_id: str, action: str) -> HttpResponse:
    user = _user(request)
    visit = selectors.lone_working_visit_get_for(user, visit_id)
    try:
        if action == "check_out":
            services.lone_working_check_out(actor=user, visit=visit)
            messages.success(request, "Checked out. Glad you are safe.")
        elif action == "help":
            services.lone_working_help(actor=user, visit=visit)
            messages.success(request, "Alert sent.")
        else:
            minutes = int(request.POST.get("minutes", "0"))
            if minutes not in EXTEND_MINUTES:
                raise ValidationFailed("Choose how much longer you need.")
            base = max(timezone.now(), visit.expected_end)
            services.lone_working_extend(actor=user, visit=visit, expected_end=base + dt.timedelta(minutes=minutes))
            messages.success(request, f"Extended by {minutes} minutes.")
    except (ValidationFailed, NotAllowed) as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, "Choose how much longer you need.")
    return redirect("diary:lone_working")


@staff_view
@require_POST
def lone_working_check_out(request: HttpRequest, visit_id: str) -> HttpResponse:
    return _own_visit_action(request, visit_id, "check_out")


@staff_view
@require_POST
def lone_working_extend(request: HttpRequest, visit_id: str) -> HttpResponse:
    return _own_visit_action(request, visit_id, "extend")


@staff_view
@require_POST
def lone_working_help(request: HttpRequest, visit_id: str) -> HttpResponse:
    return _own_visit_action(request, visit_id, "help")


@casework_view
def lone_working_alerts(request: HttpRequest) -> HttpResponse:
    """The visits the user watches over: overdue or escalated first, with a stand-down form each."""
    user = _user(request)
    attention, in_progress = selectors.lone_working_alerts_for(user)
    _audit_visit_view(user, [*attention, *in_progress], "lone working: alerts")
    return render_page(
        request,
        "diary/lone_working_alerts.html",
        {
            "attention": attention,
            "in_progress": in_progress,
            "now": timezone.now(),
            "form": ResolveForm(),
            "section": "lone_working",
        },
    )


def _detail(request: HttpRequest, visit: LoneWorkingVisit, form: ResolveForm, status: int = 200) -> HttpResponse:
    user = _user(request)
    now = timezone.now()
    open_ = visit.status in selectors.OPEN_STATUSES
    # The risk summary is for the worker, and for those watching once the ladder has called them.
    called = visit.status == LoneWorkingStatus.ESCALATED or bool(visit.escalations.all())
    show_risk = user.pk == visit.staff_id or called
    _audit_visit_view(user, [visit], "lone working: visit", each=True)
    return render_page(
        request,
        "diary/lone_working_detail.html",
        {
            "visit": visit,
            "form": form,
            "may_stand_down": open_ and policy.can_stand_down(user, visit),
            "is_worker": user.pk == visit.staff_id,
            "is_open": open_,
            "risk": rules.risk_summary(selectors.risk_facts_for(visit)) if show_risk else None,
            "now": now,
            "overdue_minutes": rules.minutes_overdue(expected_end=visit.expected_end, now=now),
            "section": "lone_working",
        },
        status=status,
    )


@staff_view
def lone_working_detail(request: HttpRequest, visit_id: str) -> HttpResponse:
    visit = selectors.lone_working_visit_get_for(_user(request), visit_id)
    return _detail(request, visit, ResolveForm())


@staff_view
@require_POST
def lone_working_resolve(request: HttpRequest, visit_id: str) -> HttpResponse:
    """Stand the alert down with a note; back to the alerts page (or wherever the form said)."""
    user = _user(request)
    visit = selectors.lone_working_visit_get_for(user, visit_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.lone_working_resolve(actor=user, visit=visit, note=form.cleaned_data["resolution_note"])
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Alert for {visit.staff.display_name} stood down.")
            back = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
                back = ""
            return redirect(back or "diary:lone_working_alerts")
    visit = selectors.lone_working_visit_get_for(user, visit_id)
    return _detail(request, visit, form, status=422)
