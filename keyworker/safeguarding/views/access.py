from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from keyworker.accounts.models import User
from keyworker.accounts.selectors import active_staff
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for
from keyworker.safeguarding import services
from keyworker.safeguarding.forms import (
    AccessRuleForm,
    AreaConcernForm,
    BreakGlassForm,
    EndForm,
    KeepApartForm,
    UnsafeAreaForm,
)
from keyworker.safeguarding.models import KeepApart
from keyworker.safeguarding.rules import is_out_of_hours
from keyworker.safeguarding.selectors import (
    access_rule_get_for,
    access_rules_for,
    area_concern_get_for,
    area_concerns_for,
    break_glass_search,
    keep_apart_candidate_get,
    keep_apart_candidates,
    keep_apart_get_for,
    keep_apart_pairs_for,
    unsafe_area_get_for,
    unsafe_areas_for,
)


def _staff_choices() -> list[tuple[str, str]]:
    return [(str(u.pk), f"{u.display_name} ({u.get_role_display()})") for u in active_staff()]


@staff_view
def access_rules(request: HttpRequest, client_id: str) -> HttpResponse:
    """A manager's page for the restrictions and exclusions on a client's record."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    rules = list(access_rules_for(user, client))
    form = AccessRuleForm(request.POST or None, staff_choices=_staff_choices())
    if request.method == "POST" and form.is_valid():
        chosen = {str(pk) for pk in form.cleaned_data["staff"]}
        try:
            services.access_rule_set(
                actor=user,
                client=client,
                kind=form.cleaned_data["kind"],
                staff=list(active_staff().filter(pk__in=chosen)),
                reason=form.cleaned_data["reason"],
                message=form.cleaned_data["message"],
                ends_at=form.ends_at(),
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Saved. It applies from the next page anyone opens.")
            return redirect("safeguarding:access_rules", client.pk)
    client_viewed(actor=user, client_id=client.pk, obj=client, what="restrictions page")
    return render_page(
        request,
        "safeguarding/access_rules.html",
        {"client": client, "rules": rules, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@staff_view
@require_POST
def access_rule_lift(request: HttpRequest, rule_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rule = access_rule_get_for(user, rule_id)
    try:
        services.access_rule_lift(actor=user, rule=rule)
    except (ValidationFailed, NotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Lifted.")
    return redirect("safeguarding:access_rules", rule.client_id)


@staff_view
def break_glass(request: HttpRequest) -> HttpResponse:
    """The on-call worker finds a client who is not on their caseload and opens the record, with a reason."""
    user: User = request.user  # type: ignore[assignment]
    if not policy.can_break_glass(user):
        raise Http404()
    query = request.GET.get("q", "").strip()[:100]
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_open(
                actor=user, client_id=form.cleaned_data["client_id"], reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Opened by break-glass. The client's manager has been told.")
            return redirect("people:client_detail", form.cleaned_data["client_id"])
    in_hours = not is_out_of_hours(timezone.now())
    results = break_glass_search(user, query) if query and not in_hours else []
    if query and not in_hours:
        # The search itself reveals who is a client: record that it happened and who was shown.
        audit_event_record(
            actor=user,
            action=AuditAction.SEARCH,
            obj=user,
            detail={"break_glass_search": True, "shown": len(results)},
        )
    return render_page(
        request,
        "safeguarding/break_glass.html",
        {"query": query, "results": results, "form": form, "in_hours": in_hours},
        status=422 if request.method == "POST" else 200,
    )


@staff_view
def area_concerns(request: HttpRequest) -> HttpResponse:
    """The area concerns log: read it, add to it; managers and the safeguarding lead review entries."""
    user: User = request.user  # type: ignore[assignment]
    if not policy.can_use_area_concerns(user):
        raise Http404()
    form = AreaConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.area_concern_record(actor=user, **form.cleaned_data)
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Area concern recorded. It is due for review in 3 months and expires in 12.")
            return redirect("safeguarding:area_concerns")
    return render_page(
        request,
        "safeguarding/area_concerns.html",
        {
            "concerns": list(area_concerns_for(user)),
            "form": form,
            "can_review": policy.can_review_area_concerns(user),
            "today": timezone.localdate(),
            "section": "area",
        },
        status=422 if request.method == "POST" else 200,
    )


@staff_view
@require_POST
def area_concern_review(request: HttpRequest, concern_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    concern = area_concern_get_for(user, concern_id)
    try:
        services.area_concern_review(actor=user, concern=concern)
    except (ValidationFailed, NotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Reviewed: it still stands.")
    return redirect("safeguarding:area_concerns")


# --- the safety profile (issue 6): unsafe areas and people to keep apart --------------------------------------


def _keep_apart_other(pair: KeepApart, client: Client) -> Client:
    return pair.client_b if pair.client_a_id == client.pk else pair.client_a


@casework_view
def client_safety(request: HttpRequest, client_id: str) -> HttpResponse:
    """A client's safety profile: areas where they should not be sent and people to keep them apart from
    (only pairs whose other person the viewer can also see are listed)."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    action = request.POST.get("action", "")
    area_form = UnsafeAreaForm(request.POST if action == "area" else None, prefix="area")
    pair_form = KeepApartForm(request.POST if action == "keep_apart" else None, prefix="pair")
    query = (request.POST.get("q") if action == "keep_apart" else request.GET.get("q", "")) or ""
    query = query.strip()[:100]
    if action == "area" and area_form.is_valid():
        try:
            services.unsafe_area_add(actor=user, client=client, **area_form.cleaned_data)
        except ValidationFailed as exc:
            show_service_errors(area_form, exc)
        else:
            messages.success(request, "Unsafe area recorded. Bookings there will warn first.")
            return redirect("safeguarding:client_safety", client.pk)
    if action == "keep_apart" and pair_form.is_valid():
        other = keep_apart_candidate_get(user, pair_form.cleaned_data["other"])
        if other is None:
            pair_form.add_error("other", "Choose the person from the search results.")
        else:
            try:
                services.keep_apart_record(
                    actor=user,
                    client=client,
                    other=other,
                    reason=pair_form.cleaned_data["reason"],
                    source=pair_form.cleaned_data["source"],
                )
            except ValidationFailed as exc:
                show_service_errors(pair_form, exc)
            else:
                messages.success(request, "Recorded. Booking them together will warn first.")
                return redirect("safeguarding:client_safety", client.pk)
    areas = list(unsafe_areas_for(user, client))
    today = timezone.localdate()
    pairs = [(pair, _keep_apart_other(pair, client)) for pair in keep_apart_pairs_for(user, client)]
    candidates = keep_apart_candidates(user, client, query) if query else []
    if query and request.method == "GET":
        # As on the search page: the search is recorded, and each person shown; the words typed are not.
        audit_event_record(
            actor=user,
            action=AuditAction.SEARCH,
            obj=user,
            detail={"query_length": len(query), "shown": len(candidates), "keep_apart_for": str(client.pk)},
        )
    client_viewed(actor=user, client_id=client.pk, obj=client, what="safety profile")
    clients_viewed(
        user,
        [*((other.pk, pair) for pair, other in pairs), *((person.pk, person) for person in candidates)],
        what="safety profile of another client",
    )
    return render_page(
        request,
        "safeguarding/client_safety.html",
        {
            "client": client,
            "current_areas": [a for a in areas if a.ended_on is None or a.ended_on > today],
            "ended_areas": [a for a in areas if a.ended_on is not None and a.ended_on <= today],
            "current_pairs": [(p, o) for p, o in pairs if p.ended_on is None or p.ended_on > today],
            "ended_pairs": [(p, o) for p, o in pairs if p.ended_on is not None and p.ended_on <= today],
            "area_form": area_form,
            "pair_form": pair_form,
            "query": query,
            "candidates": candidates,
        },
        status=422 if request.method == "POST" else 200,
    )


@casework_view
@require_POST
def unsafe_area_end(request: HttpRequest, area_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    unsafe = unsafe_area_get_for(user, area_id)
    form = EndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed("Reload the page and try again.")
        services.unsafe_area_end(actor=user, unsafe_area=unsafe, expected_version=form.cleaned_data["version"])
    except ConcurrentEdit:
        messages.error(request, "Someone else changed this area meanwhile: check it and try again.")
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{unsafe.area} is no longer marked unsafe for them.")
    return redirect("safeguarding:client_safety", unsafe.client_id)


@casework_view
@require_POST
def keep_apart_end(request: HttpRequest, pair_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    pair = keep_apart_get_for(user, pair_id)
    back_to = request.POST.get("client", "")
    client_id = back_to if back_to in (str(pair.client_a_id), str(pair.client_b_id)) else pair.client_a_id
    form = EndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed("Reload the page and try again.")
        services.keep_apart_end(actor=user, pair=pair, expected_version=form.cleaned_data["version"])
    except ConcurrentEdit:
        messages.error(request, "Someone else changed this meanwhile: check it and try again.")
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Ended: they no longer need keeping apart.")
    return redirect("safeguarding:client_safety", client_id)
