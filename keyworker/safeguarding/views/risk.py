"""A client's risk reviews (history and a form for the next one) and safety plan (shown, and edited under
optimistic locking), plus what the client page shows of both."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed
from keyworker.core.errors import ConcurrentEdit, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.people.selectors import client_get_for
from keyworker.safeguarding import services
from keyworker.safeguarding.models import RiskReview, RiskReviewOccasion, SafetyPlan
from keyworker.safeguarding.rules import (
    RISK_DIMENSION_LABELS,
    RISK_DIMENSIONS,
    RISK_LEVELS,
    risk_rank,
    suggested_next_review,
)
from keyworker.safeguarding.selectors.risk import current_unsafe_areas, risk_reviews_for, safety_plan_for
from keyworker.safeguarding.views.risk_forms import RiskReviewForm, SafetyPlanForm

# With nothing chosen yet and no review before, the suggestion assumes medium risk (six weeks).
DEFAULT_SUGGESTION_LEVELS = ("medium",)


def _suggestion(data: QueryDict | dict[str, Any], latest: RiskReview | None, today: dt.date) -> tuple[dt.date, str]:
    """The suggested next review date and the level it was suggested for: from the levels chosen on the form,
    else the latest review's, else medium."""
    levels = [data.get(d) for d in RISK_DIMENSIONS if data.get(d) in RISK_LEVELS]
    if not levels and latest is not None:
        levels = [getattr(latest, d) for d in RISK_DIMENSIONS]
    chosen: list[str] = [str(level) for level in levels] or list(DEFAULT_SUGGESTION_LEVELS)
    highest = max(chosen, key=risk_rank)
    return suggested_next_review(chosen, today), highest


def _level_label(level: str) -> str:
    return level.replace("_", " ")


@casework_view
def client_risk(request: HttpRequest, client_id: str) -> HttpResponse:
    """The client's risk: the current levels, every review with its reasons and reviewer, and the form for a
    new review. The next review date is only a suggestion from the levels chosen; the reviewer decides."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    reviews = list(risk_reviews_for(user, client))
    latest = reviews[0] if reviews else None
    today = timezone.localdate()
    action = request.POST.get("action", "") if request.method == "POST" else ""

    if action == "suggest":
        # htmx, when a level changes: a new suggestion, unless the reviewer has typed a date of their own.
        suggested, for_level = _suggestion(request.POST, latest, today)
        typed = request.POST.get("next_review_on", "").strip()
        keep = typed and typed != request.POST.get("suggested", "").strip()
        form = RiskReviewForm(
            initial={"next_review_on": typed if keep else suggested.isoformat(), "suggested": suggested.isoformat()}
        )
        return render_page(
            request,
            "safeguarding/risk/client_risk.html",
            {"client": client, "form": form, "suggested": suggested, "suggested_for": _level_label(for_level)},
            block="next_review",
        )

    if request.method == "POST":
        form = RiskReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = services.risk_review_record(
                    actor=user,
                    client=client,
                    occasion=data["occasion"],
                    risk_to_self=data["risk_to_self"],
                    risk_to_others=data["risk_to_others"],
                    risk_from_others=data["risk_from_others"],
                    reasons=data["reasons"],
                    next_review_on=data["next_review_on"],
                )
            except ValidationFailed as exc:
                show_service_errors(form, exc)
            else:
                rises: list[str] = getattr(review, "rises", [])
                if rises:
                    which = ", ".join(RISK_DIMENSION_LABELS[d].lower() for d in rises)
                    told = getattr(review, "managers_told", 0)
                    messages.warning(
                        request,
                        f"Risk review saved. The risk has gone up ({which})"
                        + (": the client's manager has been told." if told else "."),
                    )
                else:
                    messages.success(request, "Risk review saved.")
                return redirect("safeguarding:client_risk", client.pk)
        suggested, for_level = _suggestion(request.POST, latest, today)
    else:
        suggested, for_level = _suggestion({}, latest, today)
        form = RiskReviewForm(
            initial={
                "occasion": RiskReviewOccasion.SCHEDULED if latest else RiskReviewOccasion.INITIAL,
                "next_review_on": suggested.isoformat(),
                "suggested": suggested.isoformat(),
            }
        )
    client_viewed(actor=user, client_id=client.pk, obj=client, what="risk reviews")
    return render_page(
        request,
        "safeguarding/risk/client_risk.html",
        {
            "client": client,
            "reviews": reviews,
            "latest": latest,
            "form": form,
            "suggested": suggested,
            "suggested_for": _level_label(for_level),
            "dimensions": [(d, RISK_DIMENSION_LABELS[d]) for d in RISK_DIMENSIONS],
            "today": today,
            "section": "caseload",
        },
        status=422 if request.method == "POST" else 200,
    )


def _plan_initial(plan: SafetyPlan | None) -> dict[str, Any]:
    if plan is None:
        return {"relocation_status": "not_needed"}
    return {
        "version": plan.version,
        "safe_areas": plan.safe_areas,
        "safe_contacts": plan.safe_contacts,
        "emergency_plan": plan.emergency_plan,
        "relocation_status": plan.relocation_status,
        "moved_on": plan.moved_on.isoformat() if plan.moved_on else "",
        "next_check_in_on": plan.next_check_in_on.isoformat() if plan.next_check_in_on else "",
    }


@casework_view
def client_safety_plan(request: HttpRequest, client_id: str) -> HttpResponse:
    """The client's safety plan with the safety profile's unsafe areas, and the form to write or change it.
    If someone else saved first, nothing is saved: their plan is shown and the form keeps what was typed."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    plan = safety_plan_for(user, client)
    conflict = False
    if request.method == "POST":
        form = SafetyPlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.safety_plan_save(
                    actor=user,
                    client=client,
                    expected_version=data["version"],
                    safe_areas=data["safe_areas"],
                    safe_contacts=data["safe_contacts"],
                    emergency_plan=data["emergency_plan"],
                    relocation_status=data["relocation_status"],
                    moved_on=data["moved_on"],
                    next_check_in_on=data["next_check_in_on"],
                )
            except ConcurrentEdit as exc:
                conflict = True
                plan = safety_plan_for(user, client)
                # Keep what they typed; carry the version they have now seen, so saving again is deliberate;
                # theirs field by field beside it (core.forms.show_conflict).
                message = (
                    "Someone else changed this safety plan while you were editing it, so your changes were not "
                    "saved. Their version is shown below; yours is still in the form. Check both, then save again "
                    "to replace theirs with yours."
                )
                show_service_errors(form, ConcurrentEdit(message, current=exc.current or plan))
            except ValidationFailed as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, "Safety plan saved.")
                return redirect("safeguarding:client_safety_plan", client.pk)
    else:
        form = SafetyPlanForm(initial=_plan_initial(plan))
    client_viewed(actor=user, client_id=client.pk, obj=client, what="safety plan")
    return render_page(
        request,
        "safeguarding/risk/client_safety_plan.html",
        {
            "client": client,
            "plan": plan,
            "unsafe_areas": current_unsafe_areas(client),
            "form": form,
            "conflict": conflict,
            "section": "caseload",
        },
        status=(409 if conflict else 422) if request.method == "POST" else 200,
    )
