"""Importing clients from a spreadsheet: the upload page, the preview, confirm or discard. Managers only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.people.importing import COLUMNS, EXAMPLE_CSV, MAX_BYTES, MAX_ROWS
from keyworker.people.selectors_import import client_import_get_for, client_import_list_for, client_import_preview
from keyworker.people.services_import import client_import_confirm, client_import_discard, client_import_upload


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (CSV file)",
        error_messages={"required": "Choose a CSV file to upload.", "empty": "The file is empty."},
    )


def _manager(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not policy.can_import_clients(user):
        raise Http404()
    return user


@staff_view
@require_http_methods(["GET", "POST"])
def client_import_start(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_BYTES:
                form.add_error("file", f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB.")
            else:
                try:
                    client_import = client_import_upload(actor=user, filename=upload.name or "", data=upload.read())
                except ValidationFailed as exc:
                    form.add_error("file", exc.message)
                else:
                    return redirect("people:client_import", client_import.pk)
        status = 422
    context = {
        "form": form,
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "max_mb": MAX_BYTES // (1024 * 1024),
        "imports": client_import_list_for(user),
        "section": "caseload",
    }
    return render_page(request, "people/import/start.html", context, status=status)


@staff_view
def client_import_example(request: HttpRequest) -> HttpResponse:
    _manager(request)
    response = HttpResponse(EXAMPLE_CSV.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="keyworker-clients-example.csv"'
    return response


@staff_view
@require_http_methods(["GET", "POST"])
def client_import(request: HttpRequest, import_id: str) -> HttpResponse:
    user = _manager(request)
    client_import = client_import_get_for(user, import_id)
    problem = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            if action == "confirm":
                cases = client_import_confirm(
                    actor=user,
                    client_import=client_import,
                    expected_version=version,
                    confirm_duplicates=request.POST.get("confirm_duplicates") == "yes",
                )
                messages.success(request, f"{len(cases)} clients imported, each with an open case.")
                return redirect("casework:caseload")
            if action == "discard":
                client_import_discard(actor=user, client_import=client_import, expected_version=version)
                messages.success(request, "The file was discarded; nothing was imported.")
                return redirect("people:client_import_start")
            problem, status = "Choose to import or discard.", 422
        except ConcurrentEdit:
            problem, status = "This import was changed by someone else (imported or discarded). Nothing was done.", 409
        except (ValidationFailed, NotAllowed) as exc:
            problem, status = exc.message, 422
        client_import.refresh_from_db()
    preview = client_import_preview(user, client_import)
    shown = [(c.pk, c) for d in preview.duplicates for c in d.visible]
    clients_viewed(user, shown, what="possible duplicates in a client import")
    audit_event_record(actor=user, action=AuditAction.VIEW, obj=client_import)
    context = {
        "client_import": client_import,
        "preview": preview,
        "problem": problem,
        "section": "caseload",
    }
    return render_page(request, "people/import/preview.html", context, status=status)
