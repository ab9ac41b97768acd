"""Appointment pages: booking (one client, or several at one prison), an appointment's page with its status,
outcome note and rescheduling, My week and the team week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, SafetyCheckFailed, ValidationFailed
from keyworker.core.forms import conflict_status, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.custody.models import CustodyEpisode, Hearing
from keyworker.diary import selectors
from keyworker.diary.forms import (
    AppointmentForm,
    AppointmentStatusForm,
    PrisonVisitsForm,
    RescheduleForm,
    VisitRowForm,
    visit_rows,
)
from keyworker.diary.models import Appointment, AppointmentKind
from keyworker.diary.services import appointments as services
from keyworker.outcomes.selectors.readings import readings_due_for
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for
from keyworker.safeguarding.selectors.risk import risk_reviews_due_for
from keyworker.services.selectors.courses import venue_list_for

# The services' field names, as the forms'.
_FORM_FIELD = {
    "kind": "kind",
    "ends_at": "ends",
    "starts_at": "starts",
    "location": "location",
    "establishment": "establishment",
    "custody_episode": "__all__",
    "hearing": "__all__",
    "venue": "venue",
    "safety_override_reason": "safety_override_reason",
}
SAFETY_REASON_NEEDED = "Give a reason to go ahead, or change the booking."


def _week_day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return timezone.localdate()


def _client_of(record: object) -> Any:
    return getattr(record, "client_id", None)


@staff_view
def my_week(request: HttpRequest) -> HttpResponse:
    """The signed-in worker's week: appointments, key dates and tasks, Monday to Sunday, and the releases of
    their clients in the next 12 weeks."""
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    week = selectors.my_week_for(user, _week_day(request))
    can_book = policy.can_use_casework(user)
    releases = week.releases_coming if can_book else []
    risk_due = risk_reviews_due_for(user, today=today) if can_book else []
    readings_due = readings_due_for(user, today=today) if can_book else []
    records: list[Any] = [*week.overdue_tasks, *risk_due]
    for day_ in week.days:
        records += day_.records()
    records += [release.episode for release in releases]
    shown = [(_client_of(r), r) for r in records] + [(due.client.pk, due.client) for due in readings_due]
    clients_viewed(user, shown, what="my week")
    return render_page(
        request,
        "diary/my_week.html",
        {"week": week, "today": today, "releases": releases, "risk_due": risk_due, "can_book": can_book,
         "readings_due": readings_due, "can_see_cohort": policy.can_see_cohort_outcomes(user), "section": "week"},
        block="week",
    )


@staff_view
def team_week(request: HttpRequest) -> HttpResponse:
    """A manager's team, Monday to Sunday: each member's appointments and key dates."""
    user: User = request.user  # type: ignore[assignment]
    week = selectors.team_week_for(user, _week_day(request))
    records = [r for member in week.members for day in member.days for r in day.records()]
    clients_viewed(user, [(_client_of(r), r) for r in records], what="team week")
    return render_page(
        request,
        "diary/team_week.html",
        {"week": week, "today": timezone.localdate(), "section": "team_week"},
        block="week",
    )


def _linked_records(
    user: User, client: Client, source: Any
) -> tuple[CustodyEpisode | None, Hearing | None]:
    """The release (?episode=) or hearing (?hearing=) a booking is for, from the query or the form."""
    episode_id, hearing_id = source.get("episode"), source.get("hearing")
    episode = selectors.custody_episode_get_for(user, episode_id) if episode_id else None
    hearing = selectors.hearing_get_for(user, hearing_id) if hearing_id else None
    if (episode and episode.client_id != client.pk) or (hearing and hearing.client_id != client.pk):
        raise NotFound()
    return episode, hearing


def _prefill(today: dt.date, episode: CustodyEpisode | None, hearing: Hearing | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"on": today.isoformat(), "kind": AppointmentKind.OFFICE}
    if episode is not None:
        initial.update(
            kind=AppointmentKind.GATE,
            on=(episode.release_on or today).isoformat(),
            starts="07:30",
            ends="09:30",
            establishment=str(episode.establishment_id),
            episode=str(episode.pk),
        )
    elif hearing is not None:
        starts = timezone.localtime(hearing.starts_at)
        initial.update(
            kind=AppointmentKind.COURT,
            on=starts.date().isoformat(),
            starts=f"{starts:%H:%M}",
            ends=f"{min(starts + dt.timedelta(hours=3), starts.replace(hour=23, minute=59)):%H:%M}",
            establishment=str(hearing.court_id),
            hearing=str(hearing.pk),
        )
    return initial


@casework_view
def appointment_new(request: HttpRequest, client_id: str) -> HttpResponse:
    """Book an appointment with a client, for the signed-in worker (it then shows on their week). Linked from
    a release (?kind=gate&episode=<id>) or a hearing (?hearing=<id>), it is the gate meet or the court date."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    today = timezone.localdate()
    establishments = list(selectors.prison_list_for(user)) + list(selectors.court_list_for(user))
    venues = list(venue_list_for(user))
    status = 200
    episode: CustodyEpisode | None = None
    hearing: Hearing | None = None
    safety_warnings: list[str] = []
    if request.method == "POST":
        form = AppointmentForm(request.POST, establishments=establishments, venues=venues)
        status = 422
        if form.is_valid():
            chosen = {str(e.pk): e for e in establishments}.get(form.cleaned_data["establishment"])
            venue = {str(v.pk): v for v in venues}.get(form.cleaned_data["venue"])
            try:
                episode, hearing = _linked_records(user, client, form.cleaned_data)
            except NotFound:
                form.add_error(None, "The release or hearing this was for is not one of this client's.")
        if form.is_valid():
            try:
                appointment = services.appointment_book(
                    actor=user,
                    client=client,
                    kind=form.cleaned_data["kind"],
                    starts_at=form.starts_at(),
                    ends_at=form.ends_at(),
                    location=form.cleaned_data["location"],
                    establishment=chosen,
                    custody_episode=episode,
                    hearing=hearing,
                    venue=venue,
                    safety_override_reason=form.cleaned_data["safety_override_reason"],
                )
            except SafetyCheckFailed as exc:
                safety_warnings = exc.warnings
                form.add_error("safety_override_reason", SAFETY_REASON_NEEDED)
            except ValidationFailed as exc:
                show_service_errors(form, exc, field_names=_FORM_FIELD)
            except NotAllowed as exc:
                form.add_error(None, exc.message)
                status = 403
            else:
                when = timezone.localtime(appointment.starts_at)
                messages.success(request, f"Booked: {appointment.get_kind_display()}, {when:%A %-d %B at %H:%M}.")
                return redirect("people:client_detail", client.pk)
    else:
        episode, hearing = _linked_records(user, client, request.GET)
        form = AppointmentForm(initial=_prefill(today, episode, hearing), establishments=establishments, venues=venues)
    client_viewed(
        actor=user,
        client_id=client.pk,
        obj=client,
        what="book appointment form",
    )
    return render_page(
        request,
        "diary/appointment_new.html",
        {
            "client": client,
            "form": form,
            "episode": episode,
            "hearing": hearing,
            "safety_warnings": safety_warnings,
            "section": "caseload",
        },
        status=status,
    )


def _detail_context(user: User, appointment: Appointment, **forms: Any) -> dict[str, Any]:
    when = timezone.localtime(appointment.starts_at)
    return {
        "appointment": appointment,
        "together": [a for a in selectors.group_of(user, appointment) if a.pk != appointment.pk],
        "replaced": selectors.rescheduled_from(user, appointment),
        "status_form": forms.get("status_form")
        or AppointmentStatusForm(initial={"version": appointment.version}),
        "reschedule_form": forms.get("reschedule_form")
        or RescheduleForm(
            initial={
                "version": appointment.version,
                "on": when.date().isoformat(),
                "starts": f"{when:%H:%M}",
                "ends": f"{timezone.localtime(appointment.ends_at):%H:%M}",
                "location": appointment.location,
            }
        ),
        "is_open": appointment.status == "booked",
        "section": "week",
    }


def _audit_view(user: User, appointment: Appointment, what: str) -> None:
    if appointment.client_id:
        client_viewed(actor=user, client_id=appointment.client_id, obj=appointment, what=what)


@casework_view
def appointment_detail(request: HttpRequest, appointment_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    appointment = selectors.appointment_get_for(user, appointment_id)
    _audit_view(user, appointment, "appointment")
    return render_page(request, "diary/appointment_detail.html", _detail_context(user, appointment))


@casework_view
@require_POST
def appointment_status(request: HttpRequest, appointment_id: str) -> HttpResponse:
    """Record attended, late, did not attend or cancelled, with an optional outcome note. With htmx the status
    part of the page comes back (with its errors, as 200: htmx swaps only 2xx); without, a redirect."""
    user: User = request.user  # type: ignore[assignment]
    appointment = selectors.appointment_get_for(user, appointment_id)
    form = AppointmentStatusForm(request.POST)
    extra: dict[str, Any] = {}
    if form.is_valid():
        try:
            services.appointment_status_record(
                actor=user,
                appointment=appointment,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                outcome_note=form.cleaned_data["outcome_note"],
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        except ConcurrentEdit as exc:
            # Show what the other person recorded beside this person's own status and note: neither is lost.
            show_service_errors(form, exc)
            appointment = selectors.appointment_get_for(user, appointment_id)
            extra = {"stale": True}
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, f"Recorded: {appointment.get_status_display().lower()}.")
                return redirect("diary:appointment_detail", appointment.pk)
            form, extra = AppointmentStatusForm(initial={"version": appointment.version}), {"recorded": True}
    _audit_view(user, appointment, "appointment")
    # Without htmx only a refusal gets here. htmx swaps only 2xx responses, so it gets 200 with the message.
    status = 200 if request.htmx else 409 if "stale" in extra else 422  # type: ignore[attr-defined]
    return render_page(
        request,
        "diary/appointment_detail.html",
        {**_detail_context(user, appointment, status_form=form), **extra},
        block="status",
        status=status,
    )


@casework_view
@require_POST
def appointment_reschedule(request: HttpRequest, appointment_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    appointment = selectors.appointment_get_for(user, appointment_id)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            replacement = services.appointment_reschedule(
                actor=user,
                appointment=appointment,
                expected_version=form.cleaned_data["version"],
                starts_at=form.starts_at(),
                ends_at=form.ends_at(),
                location=form.cleaned_data["location"],
            )
        except (ValidationFailed, ConcurrentEdit) as exc:
            show_service_errors(form, exc, field_names={"starts_at": "starts", "ends_at": "ends"})
            if isinstance(exc, ConcurrentEdit):  # theirs shown from the record as saved now
                appointment = selectors.appointment_get_for(user, appointment_id)
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        else:
            when = timezone.localtime(replacement.starts_at)
            messages.success(request, f"Rescheduled to {when:%A %-d %B at %H:%M}.")
            return redirect("diary:appointment_detail", replacement.pk)
    _audit_view(user, appointment, "appointment")
    return render_page(
        request,
        "diary/appointment_detail.html",
        _detail_context(user, appointment, reschedule_form=form),
        status=conflict_status(form, 422),
    )


def _row_errors(rows: list[VisitRowForm], exc: ValidationFailed, form: PrisonVisitsForm) -> None:
    """A group booking's problems by row (`slots.<i>.<field>`, counting only the rows filled in), or on the
    form when they are about the whole visit."""
    filled = [row for row in rows if not row.is_blank]
    for key, errors in exc.field_errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "slots" and parts[1].isdigit() and int(parts[1]) < len(filled):
            filled[int(parts[1])].add_error(parts[2], errors)
        else:
            form.add_error(key if key in form.fields else None, errors)
    if not exc.field_errors:
        form.add_error(None, exc.message)


@casework_view
def prison_visits_new(request: HttpRequest) -> HttpResponse:
    """Book visits to several clients at one prison on one day, each with their own time, all at once."""
    user: User = request.user  # type: ignore[assignment]
    prisons = list(selectors.prison_list_for(user))
    clients = [(str(c.pk), c.display_name) for c in selectors.bookable_clients_for(user)]
    data = request.POST if request.method == "POST" else None
    form = PrisonVisitsForm(data, prisons=prisons, initial={"on": timezone.localdate().isoformat()})
    rows = visit_rows(data, clients)
    status = 200
    safety_warnings: list[str] = []
    if request.method == "POST":
        status = 422
        rows_valid = all([row.is_valid() for row in rows])  # every row validated, so each shows its errors
        filled = [row for row in rows if not row.is_blank]
        if not filled:
            form.add_error(None, "Add at least one client and their visit time.")
        if form.is_valid() and rows_valid and filled:
            prison = {str(p.pk): p for p in prisons}[form.cleaned_data["establishment"]]
            try:
                booked = services.appointment_book_group(
                    actor=user,
                    establishment=prison,
                    on=form.cleaned_data["on"],
                    kind=form.cleaned_data["kind"],
                    slots=[
                        services.VisitSlot(
                            client_id=row.cleaned_data["client"],
                            starts=row.cleaned_data["starts"],
                            minutes=row.cleaned_data["minutes"],
                        )
                        for row in filled
                    ],
                    safety_override_reason=form.cleaned_data["safety_override_reason"],
                )
            except SafetyCheckFailed as exc:
                safety_warnings = exc.warnings
                form.add_error("safety_override_reason", SAFETY_REASON_NEEDED)
            except ValidationFailed as exc:
                _row_errors(rows, exc, form)
            except NotAllowed as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"Booked {len(booked)} visit{'s' if len(booked) != 1 else ''} at {prison.name} on "
                    f"{form.cleaned_data['on']:%A %-d %B}.",
                )
                return redirect("diary:appointment_detail", booked[0].pk)
    return render_page(
        request,
        "diary/prison_visits_new.html",
        {
            "form": form,
            "rows": rows,
            "row_errors": [
                {"text": f"Visit {number}: {' '.join(str(e) for e in errors)}", "href": f"#id_{row.prefix}-{name}"}
                for number, row in enumerate(rows, start=1)
                if data is not None
                for name, errors in row.errors.items()
            ],
            "has_clients": bool(clients),
            "safety_warnings": safety_warnings,
            "section": "week",
        },
        status=status,
    )

