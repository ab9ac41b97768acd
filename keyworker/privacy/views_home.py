"""The data protection officer's home: what needs them now (subject access deadlines, records due for removal,
agreements due for review) and the way to each of their pages. For anyone else it does not exist."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.privacy.selectors import data_protection_summary_for


@staff_view
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not policy.can_export_subject_access(user):
        raise Http404()
    return render_page(
        request, "privacy/home.html", {"summary": data_protection_summary_for(user), "section": "data_protection"}
    )
