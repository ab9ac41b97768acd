"""The Justice Data Lab export page (the data protection officer only; for anyone else it does not exist):
choose a stream, a period and the reason; preview how many people the file holds (never who); download it as
XLSX or CSV. Past exports are listed below. The file is made for the response and never stored."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.outcomes.selectors.jdl import jdl_cohort_for, jdl_exports_for, jdl_stream_get_for, jdl_streams_for
from keyworker.outcomes.services.jdl import jdl_export, jdl_period_problems
from keyworker.outcomes.views.jdl_forms import JdlForm

PAST_EXPORTS_SHOWN = 50


@staff_view
def justice_data_lab(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not policy.can_export_justice_data_lab(user):
        raise Http404()
    streams = list(jdl_streams_for(user))
    choices = [(str(s.pk), f"{s.funder.name}: {s.name}") for s in streams]
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = JdlForm(request.POST if request.method == "POST" else None, streams=choices)
    preview: int | None = None
    status = 200
    if request.method == "POST":
        if action not in ("preview", "download"):
            raise Http404()
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                stream = jdl_stream_get_for(user, data["stream"])
            except NotFound:
                form.add_error("stream", "Choose the funding stream.")
            else:
                try:
                    if action == "preview":
                        problems = jdl_period_problems(data["since"], data["until"])
                        if problems:
                            raise ValidationFailed("There is a problem with the period.", problems)
                        preview = len(jdl_cohort_for(user, stream=stream, since=data["since"], until=data["until"]))
                        status = 200
                    else:
                        made = jdl_export(
                            actor=user,
                            stream=stream,
                            since=data["since"],
                            until=data["until"],
                            reason=data["reason"],
                            file_format=data["file_format"] or "xlsx",
                        )
                        response = HttpResponse(made.content, content_type=made.content_type)
                        response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
                        response["Cache-Control"] = "no-store"
                        return response
                except ValidationFailed as exc:
                    show_service_errors(form, exc, field_names={"file_format": "file_format"})
    exports = list(jdl_exports_for(user)[:PAST_EXPORTS_SHOWN])
    return render_page(
        request,
        "outcomes/jdl/export.html",
        {"form": form, "preview": preview, "exports": exports, "section": "data_protection"},
        status=status,
    )
