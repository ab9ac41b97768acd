from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.selectors import client_audit_trail_for
from keyworker.audit.services import audit_event_record, client_viewed, clients_viewed
from keyworker.casework.forms import ContactForm
from keyworker.casework.selectors import cases_of_client, task_list_for, timeline_for
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.diary.selectors import appointment_list_for
from keyworker.people import services
from keyworker.people.forms import ClientAboutForm
from keyworker.people.selectors import client_get_for, client_search_for
from keyworker.safeguarding.selectors import break_glass_grant_for, restriction_messages_for
from keyworker.safeguarding.selectors.concerns import concern_flag_for
from keyworker.safeguarding.selectors.risk import risk_and_safety_for


@casework_view
def client_detail(request: HttpRequest, client_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    entries, timeline_page = timeline_for(client, user, page=page_number)
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
    if not request.htmx:  # type: ignore[attr-defined]
        from django.utils import timezone

        cases = list(cases_of_client(client, user))
        context.update(
            cases=cases,
            current_case=next((c for c in cases if c.status != "closed"), None),
            tasks=list(task_list_for(user, client=client)),
            upcoming=list(
                appointment_list_for(user)
                .filter(client=client, starts_at__gte=timezone.now())
                .order_by("starts_at")[:5]
            ),
            break_glass=grant,
            restriction_messages=restriction_messages_for(user, client),
            concern_flag=concern_flag_for(user, client),
            can_set_access_rules=policy.can_set_access_rules(user, client),
            risk_and_safety=risk_and_safety_for(user, client),
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
                form.add_error(None, exc.message)
                status = 409
            except ValidationFailed as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, "Details saved." if changes else "Nothing was changed.")
                return redirect("people:client_detail", client.pk)
    client_viewed(actor=user, client_id=client.pk, obj=client, what="client details form")
    return render_page(request, "people/client_about.html", {"client": client, "form": form}, status=status)


@casework_view
def search(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    query = request.GET.get("q", "").strip()[:100]
    results = list(client_search_for(user, query)) if query else []
    clients_viewed(user, ((c.pk, c) for c in results), what="search results")
    if query:
        # A search is recorded, and each client shown; the words typed (often a name) are not copied in.
        audit_event_record(
            actor=user,
            action=AuditAction.SEARCH,
            obj=user,
            detail={"query_length": len(query), "shown": len(results)},
        )
    return render_page(
        request, "people/search.html", {"query": query, "results": results, "section": "search"}, block="results"
    )
