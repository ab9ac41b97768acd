from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.selectors import client_audit_trail_for
from keyworker.audit.services import audit_event_record, client_viewed, clients_viewed
from keyworker.casework import search as note_search
from keyworker.casework.forms import ContactForm
from keyworker.casework.selectors import cases_of_client, task_list_for, timeline_for
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.diary.selectors import appointment_list_for
from keyworker.people import search as name_search
from keyworker.people import services
from keyworker.people.forms import ClientAboutForm
from keyworker.people.selectors import client_get_for, client_page_get_for, client_search
from keyworker.safeguarding.selectors import break_glass_grant_for, restriction_messages_for
from keyworker.safeguarding.selectors.risk import risk_and_safety_for


@casework_view
def client_detail(request: HttpRequest, client_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = client_page_get_for(user, client_id)
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    full_page = not request.htmx  # type: ignore[attr-defined]
    cases = list(cases_of_client(client, user)) if full_page else None
    entries, timeline_page = timeline_for(client, user, page=page_number, cases=cases, size=client.timeline_size)  # type: ignore[attr-defined]
    grant = break_glass_grant_for(user, client)
    client_viewed(
        actor=user,
        client_id=client.pk,
        obj=client,
        what=f"client page {timeline_page.number}",
        break_glass=grant is not None,
    )
    context = {
        "client": client,
        "entries": entries,
        "timeline_page": timeline_page,
        "form": ContactForm(),
        "section": "caseload",
    }
    if cases is not None:
        from django.utils import timezone

        context.update(
            cases=cases,
            current_case=next((c for c in cases if c.status != "closed"), None),
            tasks=list(task_list_for(user, client=client)),
            upcoming=list(
                appointment_list_for(user, narrow=Q(client=client, starts_at__gte=timezone.now())).order_by(
                    "starts_at"
                )[:5]
            ),
            break_glass=grant,
            restriction_messages=restriction_messages_for(user, client) if client.restriction_names_you else [],  # type: ignore[attr-defined]
            concern_flag=client.concern_flag,  # type: ignore[attr-defined]  # annotated by client_page_get_for
            can_set_access_rules=policy.can_set_access_rules(user, client),
            risk_and_safety=risk_and_safety_for(user, client, plan_read=True),
            audit_trail=(
                list(client_audit_trail_for(user, client)) if policy.can_see_who_viewed(user, client) else None
            ),
        )
    return render_page(request, "people/client_detail.html", context, block="timeline")


@casework_view
def client_about(request: HttpRequest, client_id: str) -> HttpResponse:
    """Change who the person is: names, date of birth, gender, ethnicity, home area."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    form = ClientAboutForm.for_client(client, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            changes = form.changes(client)
            try:
                if changes:
                    services.client_update(
                        actor=user, client=client, expected_version=form.cleaned_data["version"], **changes
                    )
            except ConcurrentEdit as exc:
                show_service_errors(form, exc)  # the message, and their saved details beside these
                status = 409
            except ValidationFailed as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, "Details saved." if changes else "Nothing was changed.")
                return redirect("people:client_detail", client.pk)
    client_viewed(actor=user, client_id=client.pk, obj=client, what="client details form")
    return render_page(request, "people/client_about.html", {"client": client, "form": form}, status=status)


SEARCH_PAGE_SIZE = 25


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@casework_view
def search(request: HttpRequest) -> HttpResponse:
    """Find a client by name or case reference, or (?in=notes) search the notes of contacts, always within the
    user's reach. Each search is recorded, and each client shown; the words typed are not copied in."""
    user: User = request.user  # type: ignore[assignment]
    scope = "notes" if request.GET.get("in") == "notes" else "people"
    raw_query = request.GET.get("q", "")
    query = raw_query.strip()
    context: dict = {"query": query[:note_search.MAX_QUERY], "scope": scope, "section": "search", "problem": None}
    if scope == "notes":
        problem = note_search.query_problem(query)
        found = note_search.note_search(user, query, page=_page_number(request)) if query and not problem else None
        hits = found.hits if found else []
        shown: list = [(h.contact.client_id, h.contact) for h in hits]
        context.update(
            hits=hits,
            page=found.page if found else None,
            count=found.count if found else 0,
            capped=bool(found and found.capped),
        )
    else:
        problem = name_search.query_problem(query)
        results = client_search(user, query, limit=name_search.CANDIDATES) if query and not problem else []
        page = Paginator(results, SEARCH_PAGE_SIZE).get_page(_page_number(request)) if results else None
        shown = [(c.pk, c) for c in (page.object_list if page else [])]
        context.update(
            results=list(page.object_list) if page else [],
            page=page,
            count=len(results),
            capped=len(results) >= name_search.CANDIDATES,
        )
    context["problem"] = problem
    clients_viewed(user, shown, what="note search results" if scope == "notes" else "search results")
    if query and not problem:
        audit_event_record(
            actor=user,
            action=AuditAction.SEARCH,
            obj=user,
            detail={"query_length": len(query), "shown": len(shown), "in": scope},
        )
    return render_page(request, "people/search.html", context, block="results")
