"""Course pages: the list of courses with their upcoming cohorts, a course, a cohort (sessions, the people on
it and waiting, attendance), forms to set courses up, and enrolling a client (from the cohort or from the
client's own courses page). A cohort page names only the clients the viewer can see; everyone else is counted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.core.errors import ConcurrentEdit, KeyworkerError, NotAllowed, SafetyCheckFailed, ValidationFailed
from keyworker.core.forms import conflict_status, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.diary.selectors.appointments import bookable_clients_for
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for
from keyworker.services.models import AttendanceStatus, Cohort, Course, Enrolment, EnrolmentStatus, Organisation, Venue
from keyworker.services.selectors import courses as selectors
from keyworker.services.services import courses as services
from keyworker.services.views.course_forms import (
    AttendanceForm,
    CohortForm,
    CourseForm,
    EnrolForm,
    EnrolmentActionForm,
    SessionForm,
    VenueForm,
)

_SESSION_FIELDS = {"starts_at": "starts", "ends_at": "ends"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _chosen(records: Any, pk: str | None) -> Any:
    return {str(r.pk): r for r in records}.get(pk or "")


# ------------------------------------------------------------------------------------ courses and venues


@casework_view
def course_list(request: HttpRequest) -> HttpResponse:
    """Our own and partners' courses, each with its cohorts still to finish and the places left on them."""
    courses = list(selectors.course_list_for(_user(request)))
    return render_page(request, "services/course_list.html", {"courses": courses, "section": "courses"})


def _course_form_page(request: HttpRequest, course: Course | None) -> HttpResponse:
    user = _user(request)
    providers = list(selectors.provider_list_for(user))
    if course is not None and course.provider is not None and course.provider not in providers:
        providers.append(course.provider)
    status = 200
    if request.method == "POST":
        form = CourseForm(request.POST, providers=providers)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            provider: Organisation | None = _chosen(providers, data["provider"])
            try:
                if course is None:
                    course = services.course_create(
                        actor=user, title=data["title"], provider=provider, description=data["description"],
                        qualification=data["qualification"],
                    )
                else:
                    services.course_update(
                        actor=user, course=course, expected_version=data["version"] or 0, title=data["title"],
                        provider=provider, description=data["description"], qualification=data["qualification"],
                        is_active=data["is_active"],
                    )
            except KeyworkerError as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, f"Saved: {course.title}.")
                return redirect("services:course_detail", course.pk)
    elif course is None:
        form = CourseForm(providers=providers)
    else:
        form = CourseForm(
            providers=providers,
            initial={
                "title": course.title, "provider": str(course.provider_id or ""), "qualification": course.qualification,
                "description": course.description, "is_active": course.is_active, "version": course.version,
            },
        )
    return render_page(
        request, "services/course_form.html", {"form": form, "course": course, "section": "courses"},
        status=conflict_status(form, status),
    )


@casework_view
def course_new(request: HttpRequest) -> HttpResponse:
    return _course_form_page(request, None)


@casework_view
def course_edit(request: HttpRequest, course_id: str) -> HttpResponse:
    return _course_form_page(request, selectors.course_get_for(_user(request), course_id))


@casework_view
def course_detail(request: HttpRequest, course_id: str) -> HttpResponse:
    user = _user(request)
    course = selectors.course_get_for(user, course_id)
    cohorts = list(selectors.cohort_list_for(user, course))
    return render_page(
        request,
        "services/course_detail.html",
        {"course": course, "cohorts": cohorts, "today": timezone.localdate(), "section": "courses"},
    )


@casework_view
def cohort_new(request: HttpRequest, course_id: str) -> HttpResponse:
    user = _user(request)
    course = selectors.course_get_for(user, course_id)
    venues = list(selectors.venue_list_for(user))
    status = 200
    if request.method == "POST":
        form = CohortForm(request.POST, venues=venues)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                cohort = services.cohort_create(
                    actor=user, course=course, name=data["name"], venue=_chosen(venues, data["venue"]),
                    starts_on=data["starts_on"], ends_on=data["ends_on"], capacity=data["capacity"],
                )
            except KeyworkerError as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, f"Cohort added: {cohort.name}. Now add its sessions.")
                return redirect("services:cohort_detail", cohort.pk)
    else:
        form = CohortForm(venues=venues, initial={"capacity": 12})
    return render_page(
        request, "services/course_cohort_form.html", {"form": form, "course": course, "section": "courses"},
        status=status,
    )


@casework_view
def venue_list(request: HttpRequest) -> HttpResponse:
    venues = list(selectors.venue_list_for(_user(request)))
    return render_page(request, "services/course_venues.html", {"venues": venues, "section": "courses"})


def _venue_form_page(request: HttpRequest, venue: Venue | None) -> HttpResponse:
    user = _user(request)
    status = 200
    if request.method == "POST":
        form = VenueForm(request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            fields = {k: data[k] for k in ("name", "address", "postcode", "borough")}
            try:
                if venue is None:
                    venue = services.venue_create(actor=user, **fields)
                else:
                    services.venue_update(actor=user, venue=venue, expected_version=data["version"] or 0, **fields)
            except KeyworkerError as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, f"Saved: {venue.name}.")
                return redirect("services:venue_list")
    elif venue is None:
        form = VenueForm()
    else:
        form = VenueForm(
            initial={
                "name": venue.name, "address": venue.address, "postcode": venue.postcode, "borough": venue.borough,
                "version": venue.version,
            }
        )
    return render_page(
        request, "services/course_venue_form.html", {"form": form, "venue": venue, "section": "courses"},
        status=conflict_status(form, status),
    )


@casework_view
def venue_new(request: HttpRequest) -> HttpResponse:
    return _venue_form_page(request, None)


@casework_view
def venue_edit(request: HttpRequest, venue_id: str) -> HttpResponse:
    return _venue_form_page(request, selectors.venue_get_for(_user(request), venue_id))


# ----------------------------------------------------------------------------------------------- a cohort


def _cohort_context(request: HttpRequest, cohort: Cohort, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    view = selectors.cohort_view_for(user, cohort)
    clients_viewed(user, [(e.client_id, e) for e in view.shown], what="course cohort")
    return {
        "cohort": cohort,
        "view": view,
        "now": timezone.now(),
        "today": timezone.localdate(),
        "status_choices": AttendanceStatus.choices,
        "section": "courses",
        **extra,
    }


@casework_view
def cohort_detail(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """A cohort: its sessions, who is on it and waiting (named only if the viewer can see them), whether a
    place is free to offer, and the attendance grid."""
    cohort = selectors.cohort_get_for(_user(request), cohort_id)
    return render_page(request, "services/course_cohort.html", _cohort_context(request, cohort))


@casework_view
def session_new(request: HttpRequest, cohort_id: str) -> HttpResponse:
    user = _user(request)
    cohort = selectors.cohort_get_for(user, cohort_id)
    venues = list(selectors.venue_list_for(user))
    status = 200
    if request.method == "POST":
        form = SessionForm(request.POST, venues=venues)
        status = 422
        if form.is_valid():
            try:
                services.session_add(
                    actor=user, cohort=cohort, starts_at=form.starts_at(), ends_at=form.ends_at(),
                    venue=_chosen(venues, form.cleaned_data["venue"]), title=form.cleaned_data["title"],
                )
            except KeyworkerError as exc:
                show_service_errors(form, exc, field_names=_SESSION_FIELDS)
            else:
                messages.success(request, "Session added.")
                return redirect("services:cohort_detail", cohort.pk)
    else:
        initial = {"on": cohort.starts_on.isoformat(), "starts": "10:00", "ends": "12:00"}
        form = SessionForm(venues=venues, initial=initial)
    return render_page(
        request, "services/course_session_form.html", {"form": form, "cohort": cohort, "section": "courses"},
        status=status,
    )


def _enrolled_message(enrolment: Enrolment) -> str:
    name = enrolment.client.display_name
    if enrolment.status == EnrolmentStatus.WAITING:
        return f"The cohort is full: {name} is on its waiting list."
    return f"{name} is enrolled on {enrolment.cohort.course.title}, {enrolment.cohort.name}."


def _try_enrol(request: HttpRequest, form: EnrolForm, cohort: Cohort, client: Client) -> Enrolment | None:
    """Enrol, or put the service's refusal on the form (a safety warning with its "Reason to go ahead")."""
    try:
        enrolment = services.enrol(
            actor=_user(request), cohort=cohort, client=client,
            safety_override_reason=form.cleaned_data["safety_override_reason"],
        )
    except SafetyCheckFailed as exc:
        form.add_error(None, exc.warnings)
        form.add_error("safety_override_reason", exc.field_errors["safety_override_reason"])
        return None
    except (ValidationFailed, NotAllowed) as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(request, _enrolled_message(enrolment))
    return enrolment


@casework_view
def cohort_enrol(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Enrol one of the worker's clients on this cohort."""
    user = _user(request)
    cohort = selectors.cohort_get_for(user, cohort_id)
    clients = list(bookable_clients_for(user))
    status = 200
    if request.method == "POST":
        form = EnrolForm(request.POST, clients=clients)
        status = 422
        if form.is_valid():
            client = _chosen(clients, form.cleaned_data["client"])
            if _try_enrol(request, form, cohort, client):
                return redirect("services:cohort_detail", cohort.pk)
    else:
        form = EnrolForm(clients=clients, initial={"client": request.GET.get("client", "")})
    return render_page(
        request, "services/course_enrol.html", {"form": form, "cohort": cohort, "section": "courses"}, status=status
    )


@casework_view
@require_POST
def enrolment_action(request: HttpRequest, enrolment_id: str) -> HttpResponse:
    """Offer a waiting person the free place, withdraw someone, record that they left or completed."""
    user = _user(request)
    enrolment = selectors.enrolment_get_for(user, enrolment_id)
    form = EnrolmentActionForm(request.POST)
    back = request.POST.get("next") == "client"
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    else:
        data = form.cleaned_data
        kwargs: dict[str, Any] = {"actor": user, "enrolment": enrolment, "expected_version": data["version"]}
        try:
            if data["action"] == "offer":
                services.offer_place(**kwargs, safety_override_reason=data["safety_override_reason"])
            elif data["action"] == "withdraw":
                services.enrolment_withdraw(**kwargs)
            elif data["action"] == "leave":
                services.enrolment_leave(**kwargs)
            else:
                services.enrolment_complete(
                    **kwargs,
                    completed_on=data["completed_on"],
                    qualification_gained=data["qualification_gained"] or None,
                )
        except SafetyCheckFailed as exc:
            messages.error(request, " ".join(exc.warnings) + " Give a reason to go ahead to offer the place anyway.")
        except (ValidationFailed, NotAllowed, ConcurrentEdit) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{enrolment.client.display_name}: {enrolment.get_status_display().lower()}.")
    if back:
        return redirect("services:client_courses", enrolment.client_id)
    return redirect("services:cohort_detail", enrolment.cohort_id)


@casework_view
@require_POST
def attendance_record(request: HttpRequest, cohort_id: str) -> HttpResponse:
    """Save one mark in the attendance grid (htmx swaps the grid; without JavaScript the page reloads)."""
    user = _user(request)
    cohort = selectors.cohort_get_for(user, cohort_id)
    form = AttendanceForm(request.POST)
    problem = ""
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        session = next((s for s in cohort.sessions.all() if s.pk == data["session"]), None)
        enrolment = selectors.enrolment_list_for(user).filter(pk=data["enrolment"], cohort=cohort).first()
        if session is None or enrolment is None:
            problem, status = "Choose a session and a person on this cohort.", 422
        else:
            try:
                services.attendance_record(
                    actor=user, session=session, enrolment=enrolment, status=data["status"],
                    expected_version=data["version"],
                )
            except (ValidationFailed, NotAllowed, ConcurrentEdit) as exc:
                problem, status = exc.message, 409 if isinstance(exc, ConcurrentEdit) else 422
    else:
        problem, status = "Choose attended, late, absent or excused.", 422
    if not getattr(request, "htmx", False):
        if problem:
            messages.error(request, problem)
        return redirect("services:cohort_detail", cohort.pk)
    context = _cohort_context(request, cohort, attendance_problem=problem, attendance_saved=not problem)
    return render_page(request, "services/course_cohort.html", context, block="attendance", status=status)


# ------------------------------------------------------------------------------------ a client's courses


@casework_view
def client_courses(request: HttpRequest, client_id: str) -> HttpResponse:
    """A client's courses, and enrolling them on one."""
    user = _user(request)
    client = client_get_for(user, client_id)
    cohorts = list(selectors.cohort_list_open_for(user))
    status = 200
    if request.method == "POST":
        form = EnrolForm(request.POST, cohorts=cohorts)
        status = 422
        if form.is_valid():
            cohort = _chosen(cohorts, form.cleaned_data["cohort"])
            if _try_enrol(request, form, cohort, client):
                return redirect("services:client_courses", client.pk)
    else:
        form = EnrolForm(cohorts=cohorts)
    enrolments = selectors.enrolments_of_client_for(user, client)
    client_viewed(actor=user, client_id=client.pk, obj=client, what="courses")
    return render_page(
        request,
        "services/course_client.html",
        {"client": client, "enrolments": enrolments, "form": form, "section": "caseload"},
        status=status,
    )
