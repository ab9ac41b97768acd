from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from keyworker.accounts.models import User
from keyworker.accounts.selectors import assignable_staff_for, assignable_staff_get_for
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.casework import services
from keyworker.casework.forms import AmendmentForm, CaseloadFilterForm, CaseStatusForm, ContactForm, TaskForm
from keyworker.casework.selectors import (
    CASELOAD_SORTS,
    case_get_for,
    caseload_for,
    contact_get_for,
    task_get_for,
    timeline_for,
)
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.forms import conflict_status, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.people.selectors import client_get_for


@casework_view
def caseload(request: HttpRequest) -> HttpResponse:
    form = CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = request.GET.get("sort", "name")
    if sort not in CASELOAD_SORTS:
        sort = "name"
    cases = caseload_for(
        request.user,  # type: ignore[arg-type]
        status=filters.get("status", "open") if request.GET else "open",
        programme=filters.get("programme") or None,
        keyworker="me" if filters.get("whose") == "me" else "team",
        sort=sort,
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    clients_viewed(request.user, ((c.client_id, c) for c in page.object_list), what="caseload")  # type: ignore[arg-type]
    return render_page(
        request,
        "casework/caseload.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "section": "caseload",
            "can_import": policy.can_import_clients(request.user),  # type: ignore[arg-type]
        },
        block="results",
    )


@casework_view
def contact_add(request: HttpRequest, client_id: str) -> HttpResponse:
    """Record a contact. With htmx the client page's timeline and form come back; without, a redirect."""
    client = client_get_for(request.user, client_id)  # type: ignore[arg-type]
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(
                actor=request.user,  # type: ignore[arg-type]
                client=client,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                occurred_at=form.occurred_at(),
                duration_minutes=form.cleaned_data["duration_minutes"],
                location=form.cleaned_data["location"],
                pathways=form.cleaned_data["pathways"],
                is_sensitive=form.cleaned_data["is_sensitive"],
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, "Contact recorded.")
                return redirect("people:client_detail", client.pk)
            form = ContactForm()
            entries, timeline_page = timeline_for(client, request.user)  # type: ignore[arg-type]
            client_viewed(actor=request.user, client_id=client.pk, obj=client, what="timeline")  # type: ignore[arg-type]
            return render_page(
                request,
                "people/client_detail.html",
                {"client": client, "form": form, "entries": entries, "timeline_page": timeline_page, "recorded": True},
                block="recording",
            )
    status = 422 if request.method == "POST" else 200
    if request.htmx and request.method == "POST":  # type: ignore[attr-defined]
        entries, timeline_page = timeline_for(client, request.user)  # type: ignore[arg-type]
        return render_page(
            request,
            "people/client_detail.html",
            {"client": client, "form": form, "entries": entries, "timeline_page": timeline_page},
            block="recording",  # htmx swaps only 2xx responses, so the form's errors come back as 200
        )
    client_viewed(actor=request.user, client_id=client.pk, obj=client, what="add contact form")  # type: ignore[arg-type]
    return render_page(request, "casework/contact_add.html", {"client": client, "form": form}, status=status)



@casework_view
def contact_amend(request: HttpRequest, contact_id: str) -> HttpResponse:
    """Correct a note: the original is kept, the correction shown beneath it."""
    contact = contact_get_for(request.user, contact_id)  # type: ignore[arg-type]
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_amend(
                actor=request.user,  # type: ignore[arg-type]
                contact=contact,
                text=form.cleaned_data["text"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Correction added. The original note is kept.")
            return redirect("people:client_detail", contact.client_id)
    client_viewed(actor=request.user, client_id=contact.client_id, obj=contact, what="contact")  # type: ignore[arg-type]
    return render_page(
        request,
        "casework/contact_amend.html",
        {"contact": contact, "client": contact.client, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def _owner_choices(user: User) -> list[tuple[str, str]]:
    return [(str(u.pk), "Me" if u.pk == user.pk else u.display_name) for u in assignable_staff_for(user)]


@casework_view
def task_add(request: HttpRequest, client_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    form = TaskForm(request.POST or None, owners=_owner_choices(user), initial={"owner": str(user.pk)})
    if request.method == "POST" and form.is_valid():
        try:
            services.task_create(
                actor=user,
                client=client,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
                owner=assignable_staff_get_for(user, form.cleaned_data["owner"]),
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Task added.")
            return redirect("people:client_detail", client.pk)
    client_viewed(actor=user, client_id=client.pk, obj=client, what="add task form")
    return render_page(
        request,
        "casework/task_add.html",
        {"client": client, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@casework_view
@require_POST
def task_complete(request: HttpRequest, task_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    task = task_get_for(user, task_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.task_complete(actor=user, task=task, expected_version=version)
    except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Done: {task.title}")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("diary:my_week")
    return redirect(back)


@casework_view
def case_status(request: HttpRequest, case_id: str) -> HttpResponse:
    """Put a case on hold, resume it, or close it with a reason."""
    user: User = request.user  # type: ignore[assignment]
    case = case_get_for(user, case_id)
    form = CaseStatusForm(request.POST or None, initial={"status": case.status, "version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_change_status(
                actor=user,
                case=case,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                closure_reason=form.cleaned_data["closure_reason"],
                closure_note=form.cleaned_data["closure_note"],
            )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            if isinstance(exc, ValidationFailed | ConcurrentEdit):
                show_service_errors(form, exc)  # a concurrent edit: the message and both versions
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, f"Case {case.reference} is now {case.get_status_display().lower()}.")
            return redirect("people:client_detail", case.client_id)
    client_viewed(actor=user, client_id=case.client_id, obj=case, what="case")
    return render_page(
        request,
        "casework/case_status.html",
        {"case": case, "client": case.client, "form": form},
        status=conflict_status(form, 422) if request.method == "POST" else 200,
    )
