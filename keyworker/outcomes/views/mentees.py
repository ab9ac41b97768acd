"""A peer mentor's own page: their current mentees (a mentor's fields only), the sessions they recorded with
each, and a small form on each card to record the next one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from keyworker.accounts.models import Role, User
from keyworker.audit.services import clients_viewed
from keyworker.core.errors import ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.outcomes import services
from keyworker.outcomes.selectors.mentees import MenteeCard, mentee_cards_for
from keyworker.outcomes.selectors.mentoring import mentoring_get_for
from keyworker.outcomes.views.mentoring_forms import SessionForm
from keyworker.people.models import Client


def _prefix(card: MenteeCard) -> str:
    return f"session-{card.mentoring_id.hex}" if card.mentoring_id else "session"


def _session_form(card: MenteeCard, data: QueryDict | None = None) -> SessionForm:
    return SessionForm(
        data,
        prefix=_prefix(card),
        relationships=[(str(card.mentoring_id), card.first_name)],
    )


@staff_view
def my_mentees(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.PEER_MENTOR:
        raise Http404()
    cards = mentee_cards_for(user)
    forms = {card.mentoring_id: _session_form(card) for card in cards if card.mentoring_id}
    status = 200
    if request.method == "POST":
        # Only a card on the mentor's own page can be posted to: anything else does not exist for them.
        card = next((c for c in cards if c.mentoring_id and str(c.mentoring_id) == request.POST.get("card")), None)
        if card is None or card.mentoring_id is None:
            raise Http404()
        form = _session_form(card, request.POST)
        if form.is_valid():
            try:
                services.mentoring_session_record(
                    actor=user,
                    mentoring=mentoring_get_for(user, card.mentoring_id),
                    held_on=form.cleaned_data["held_on"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    note=form.cleaned_data["note"],
                )
            except ValidationFailed as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, f"Session with {card.first_name} recorded.")
                return redirect("outcomes:my_mentees")
        forms[card.mentoring_id] = form
        status = 422
    # A mentor's view of a mentee is a read of personal data like any other: it is on the mentee's record.
    # Client(pk=…) is only a reference naming the record in the event; nothing more of the client is loaded.
    clients_viewed(user, ((card.client_id, Client(pk=card.client_id)) for card in cards), what="mentee card")
    return render_page(
        request,
        "outcomes/my_mentees.html",
        {"cards": cards, "forms": forms, "section": "mentees"},
        status=status,
    )
