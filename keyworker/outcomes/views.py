from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from keyworker.accounts.models import Role, User
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.outcomes.selectors import mentee_cards_for


@staff_view
def my_mentees(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.PEER_MENTOR:
        raise Http404()
    return render_page(request, "outcomes/my_mentees.html", {"cards": mentee_cards_for(user), "section": "mentees"})
