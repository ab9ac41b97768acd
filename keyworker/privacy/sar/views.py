"""The data protection officer's subject access pages, under /data-protection/subject-access/: the requests
(open ones first, by deadline), starting one (a search of ALL clients), a request's page (details, extend,
build with a progress bar polled by htmx, downloads, mark as sent, withdraw) and the downloads. Everyone else
gets 404. Pages that show a person's name or record record a view on their trail; downloads record an export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.forms import form_saved, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.people import search
from keyworker.privacy.models import SarStatus, SubjectAccessRequest
from keyworker.privacy.sar import selectors, services
from keyworker.privacy.sar.forms import (
    SarExtendForm,
    SarSearchForm,
    SarSendForm,
    SarStartForm,
    SarWithdrawForm,
)

DONE_LISTED = 50
POLL_SECONDS = 2


def _officer(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not policy.can_export_subject_access(user):
        raise NotFound()
    return user


def deadline_tag(deadline: dt.date, today: dt.date) -> tuple[str, str]:
    """The tag beside an open request: (text, colour class)."""
    days = (deadline - today).days
    if days < 0:
        return (f"Overdue by {-days} day{'s' if days != -1 else ''}", "govuk-tag--red")
    if days == 0:
        return ("Due today", "govuk-tag--orange")
    return (f"Due in {days} day{'s' if days != 1 else ''}", "govuk-tag--orange" if days <= 7 else "govuk-tag--blue")


@staff_view
def sar_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    requests = selectors.sar_requests_for(user)
    today = timezone.localdate()
    open_requests = list(
        requests.filter(status__in=services.OPEN_STATUSES).order_by(Coalesce("extended_to", "due_on"), "received_on")
    )
    done = list(requests.exclude(status__in=services.OPEN_STATUSES).order_by("-updated_at")[:DONE_LISTED])
    shown = [(r.client_id, r) for r in (*open_requests, *done) if r.client_id is not None]
    clients_viewed(user, shown, what="subject access requests")
    return render_page(
        request,
        "privacy/sar/list.html",
        {
            "open_requests": [(r, deadline_tag(r.deadline, today)) for r in open_requests],
            "done": done,
            "section": "data_protection",
        },
    )


@staff_view
def sar_new(request: HttpRequest) -> HttpResponse:
    """Find the person (by name or case reference, among all clients), then record their request."""
    user = _officer(request)
    status = 200
    chosen = None
    start_form: SarStartForm | None = None
    if request.method == "POST":
        start_form = SarStartForm(request.POST)
        valid = start_form.is_valid()
        data = start_form.cleaned_data
        if data.get("client"):
            chosen = selectors.sar_client_for(user, data["client"])
        if valid:
            try:
                sar = services.sar_request_start(
                    actor=user,
                    client=chosen,
                    received_on=data["received_on"],
                    how_received=data["how_received"],
                    identity_checked=data["identity_checked"],
                )
            except ValidationFailed as exc:
                show_service_errors(start_form, exc)
            else:
                return redirect("privacy:sar_detail", request_id=sar.pk)
        status = 422
    elif request.GET.get("client"):
        chosen = selectors.sar_client_for(user, request.GET["client"])
        start_form = SarStartForm(initial={"client": chosen.pk, "received_on": timezone.localdate()})
    search_form = SarSearchForm(request.GET or None)
    query = request.GET.get("q", "")
    problem = search.query_problem(query) if query else None
    if problem and search_form.is_bound:
        search_form.add_error("q", problem)
    results = selectors.sar_client_search_for(user, query) if query and not problem else []
    if chosen is not None:
        client_viewed(actor=user, client_id=chosen.pk, obj=chosen, what="subject access: the person asking")
    clients_viewed(user, [(c.pk, c) for c in results], what="subject access: finding the person")
    return render_page(
        request,
        "privacy/sar/new.html",
        {
            "search_form": search_form,
            "query": query,
            "results": results,
            "chosen": chosen,
            "form": start_form,
            "section": "data_protection",
        },
        status=status,
    )


def _detail(
    request: HttpRequest, user: User, sar: SubjectAccessRequest, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    today = timezone.localdate()
    version = {"version": sar.version}
    context: dict[str, Any] = {
        "sar": sar,
        "statuses": SarStatus,
        "is_open": sar.status in services.OPEN_STATUSES,
        "tag": deadline_tag(sar.deadline, today) if sar.status in services.OPEN_STATUSES else None,
        "extension_limit": services.extension_limit(sar.due_on),
        "extend_form": bound.get("extend_form") or SarExtendForm(initial=version),
        "send_form": bound.get("send_form") or SarSendForm(initial={**version, "sent_on": today}),
        "withdraw_form": bound.get("withdraw_form") or SarWithdrawForm(initial=version),
        "poll_seconds": POLL_SECONDS,
        "section": "data_protection",
    }
    # The progress block polled while building shows nothing about the person: no view recorded for it.
    if sar.client_id is not None and not getattr(request, "htmx", False):
        client_viewed(actor=user, client_id=sar.client_id, obj=sar, what="subject access request")
    return render_page(request, "privacy/sar/detail.html", context, block="progress", status=status)


@staff_view
def sar_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    """A request. While its record builds, htmx asks for the block `progress` every 2 s; once the build has
    finished the answer reloads the whole page (downloads, or why it failed), which polls no more."""
    user = _officer(request)
    sar = selectors.sar_request_get_for(user, request_id)
    if getattr(request, "htmx", False) and sar.status != SarStatus.BUILDING:
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    return _detail(request, user, sar)


@staff_view
@require_POST
def sar_extend(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _officer(request)
    sar = selectors.sar_request_get_for(user, request_id)
    form = SarExtendForm(request.POST)
    status = form_saved(
        form,
        lambda d: services.sar_request_extend(
            actor=user,
            request=sar,
            expected_version=d["version"],
            extended_to=d["extended_to"],
            reason=d["extension_reason"],
        ),
    )
    if status is None:
        return redirect("privacy:sar_detail", request_id=sar.pk)
    return _detail(request, user, selectors.sar_request_get_for(user, request_id), status=status, extend_form=form)


@staff_view
@require_POST
def sar_build(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _officer(request)
    sar = selectors.sar_request_get_for(user, request_id)
    try:
        services.sar_request_build(actor=user, request=sar)
    except ValidationFailed as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
    return redirect("privacy:sar_detail", request_id=sar.pk)


@staff_view
@require_POST
def sar_send(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _officer(request)
    sar = selectors.sar_request_get_for(user, request_id)
    form = SarSendForm(request.POST)
    status = form_saved(
        form,
        lambda d: services.sar_request_send(
            actor=user, request=sar, expected_version=d["version"], sent_on=d["sent_on"], sent_how=d["sent_how"]
        ),
    )
    if status is None:
        return redirect("privacy:sar_detail", request_id=sar.pk)
    return _detail(request, user, selectors.sar_request_get_for(user, request_id), status=status, send_form=form)


@staff_view
@require_POST
def sar_withdraw(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _officer(request)
    sar = selectors.sar_request_get_for(user, request_id)
    form = SarWithdrawForm(request.POST)
    status = form_saved(
        form, lambda d: services.sar_request_withdraw(actor=user, request=sar, expected_version=d["version"])
    )
    if status is None:
        return redirect("privacy:sar_detail", request_id=sar.pk)
    return _detail(request, user, selectors.sar_request_get_for(user, request_id), status=status, withdraw_form=form)


DOWNLOADS = {"json": ("export_json", "application/json"), "pdf": ("export_pdf", "application/pdf")}


@staff_view
def sar_download(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    """The built record, as kept on the request. Audited as an export on the person's trail."""
    user = _officer(request)
    if fmt not in DOWNLOADS:
        raise Http404()
    field, content_type = DOWNLOADS[fmt]
    sar = selectors.sar_request_get_for(user, request_id)
    content = SubjectAccessRequest.objects.filter(pk=sar.pk).values_list(field, flat=True).first()
    if sar.status not in (SarStatus.READY, SarStatus.SENT) or not content:
        raise Http404()
    response = HttpResponse(bytes(content), content_type=content_type)
    # No name in the file name: it sits in a downloads folder.
    name = f"subject-access-record-{sar.received_on.isoformat()}-{str(sar.pk)[:8]}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    services.sar_request_downloaded(actor=user, request=sar, fmt=fmt)
    return response
