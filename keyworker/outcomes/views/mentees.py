from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from keyworker.accounts.models import Role, User
from keyworker.audit.services import clients_viewed
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.outcomes.selectors.mentees import mentee_cards_for
from keyworker.people.models import Client


@staff_view
def my_mentees(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.PEER_MENTOR:
        raise Http404()
    cards = mentee_cards_for(user)
    # A mentor's view of a mentee is a read of personal data like any other: it is on the mentee's record.
    # Client(pk=…) is only a reference naming the record in the event; nothing more of the client is loaded.
    clients_viewed(user, ((card.client_id, Client(pk=card.client_id)) for card in cards), what="mentee card")
    return render_page(request, "outcomes/my_mentees.html", {"cards": cards, "section": "mentees"})
