"""Pages for DASH, MARAC and NRM on a concern. Whoever cannot see the concern finds nothing (404); whoever can
see it but may not act on it (a colleague seeing a concern about their client) is told so (403) and nothing
changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, ValidationFailed
from keyworker.core.forms import conflict_status, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.safeguarding import services
from keyworker.safeguarding.models import Concern, DashAssessment, NrmReferral
from keyworker.safeguarding.rules import DASH_ANSWERS, DASH_QUESTIONS, marac_threshold
from keyworker.safeguarding.selectors import (
    concern_get_for,
    dash_for_concern,
    marac_referral_get_for,
    nrm_chases_due_for,
    nrm_referral_get_for,
    nrm_referrals_open_for,
)
from keyworker.safeguarding.services.assessments import assessment_viewed
from keyworker.safeguarding.views.assessments_forms import DashForm, MaracForm, NrmRecordForm, NrmUpdateForm

NOT_ALLOWED = "Only the safeguarding lead or the person who recorded this concern can {what}."


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _refused(request: HttpRequest, concern: Concern, what: str) -> HttpResponse:
    assessment_viewed(_user(request), concern, concern, f"assessments refused: {what}")
    return render_page(
        request,
        "safeguarding/assessments/not_allowed.html",
        {"concern": concern, "message": NOT_ALLOWED.format(what=what)},
        status=403,
    )


def _status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


def dash_result(dash: DashAssessment) -> dict[str, Any]:
    """What the result section shows: the score, the threshold and why, and each answer."""
    meets, reasons = marac_threshold(dash.score, dash.incidents_in_last_12_months, dash.professional_judgement)
    answers = [
        (number, question, DASH_ANSWERS.get(dash.answers.get(str(number), ""), "Not answered"))
        for number, question in enumerate(DASH_QUESTIONS, start=1)
    ]
    return {"dash": dash, "meets": meets, "reasons": reasons, "answers": answers}


# ------------------------------------------------------------------------------------------------------ DASH


@staff_view
def dash(request: HttpRequest, concern_id: str) -> HttpResponse:
    """The DASH risk checklist on a concern: the latest result (score, MARAC threshold and why) and the form."""
    user = _user(request)
    concern = concern_get_for(user, concern_id)
    can_act = policy.can_act_on_concern(user, concern)
    if request.method == "POST" and not can_act:
        return _refused(request, concern, "complete a DASH risk checklist")
    form = DashForm(request.POST or None) if can_act else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            made = services.dash_complete(
                actor=user,
                concern=concern,
                answers=form.answers(),
                incidents_in_last_12_months=form.cleaned_data["incidents_in_last_12_months"],
                professional_judgement=form.cleaned_data["professional_judgement"],
                judgement_reasons=form.cleaned_data["judgement_reasons"],
                completed_on=form.cleaned_data["completed_on"],
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            verdict = "meets" if made.meets_marac_threshold else "does not meet"
            messages.success(request, f"Saved. {made.score} of 24 answered yes: it {verdict} the MARAC threshold.")
            return redirect(reverse("safeguarding:dash", args=[concern.pk]) + "#result")
    dashes = list(concern.dash_assessments.select_related("completed_by"))
    assessment_viewed(user, concern, dashes[0] if dashes else concern, "dash")
    return render_page(
        request,
        "safeguarding/assessments/dash.html",
        {
            "concern": concern,
            "can_act": can_act,
            "form": form,
            "result": dash_result(dashes[0]) if dashes else None,
            "earlier": dashes[1:],
        },
        status=_status(request),
    )


# ----------------------------------------------------------------------------------------------------- MARAC


@staff_view
def marac_new(request: HttpRequest, concern_id: str) -> HttpResponse:
    """The MARAC referral form, filled in from the concern, its latest (or chosen) DASH and the person's
    record; making it also records the action and the decision to share with the MARAC."""
    user = _user(request)
    concern = concern_get_for(user, concern_id)
    if not policy.can_act_on_concern(user, concern):
        return _refused(request, concern, "refer to MARAC")
    chosen = request.POST.get("dash") if request.method == "POST" else request.GET.get("dash")
    dash: DashAssessment | None
    if chosen:
        dash = dash_for_concern(user, concern, chosen)
    else:
        dash = concern.dash_assessments.select_related("completed_by").first()
    draft = services.marac_referral_draft(concern, dash)
    initial = {
        "dash": draft["dash_id"],
        "marac_area": draft["marac_area"],
        "threshold_reasons": draft["threshold_reasons"],
        "summary": draft["summary"],
        "referred_on": timezone.localdate(),
    }
    form = MaracForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.marac_referral_make(
                actor=user,
                concern=concern,
                dash=dash,
                marac_area=data["marac_area"],
                threshold_reasons=data["threshold_reasons"],
                summary=data["summary"],
                referred_on=data["referred_on"],
                lawful_basis=data["lawful_basis"],
                sharing_reasons=data["sharing_reasons"],
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "MARAC referral made, and the decision to share recorded. Print it from here.")
            return redirect("safeguarding:marac_detail", referral.pk)
    assessment_viewed(user, concern, concern, "marac referral form")
    return render_page(
        request,
        "safeguarding/assessments/marac_new.html",
        {"concern": concern, "form": form, "draft": draft, "dash": dash},
        status=_status(request),
    )


@staff_view
def marac_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    """A made referral, laid out to print and send."""
    user = _user(request)
    referral = marac_referral_get_for(user, referral_id)
    concern = referral.concern
    draft = services.marac_referral_draft(concern, referral.dash)
    assessment_viewed(user, concern, referral, "marac referral")
    return render_page(
        request,
        "safeguarding/assessments/marac_detail.html",
        {
            "referral": referral,
            "concern": concern,
            "draft": draft,
            "result": dash_result(referral.dash) if referral.dash else None,
            "sharing": concern.sharing_decisions.filter(shared_with=f"MARAC ({referral.marac_area})").last(),
        },
    )


# ------------------------------------------------------------------------------------------------------- NRM


@staff_view
def nrm_new(request: HttpRequest, concern_id: str) -> HttpResponse:
    """Record an NRM referral made by a first responder."""
    user = _user(request)
    concern = concern_get_for(user, concern_id)
    if not policy.can_act_on_concern(user, concern):
        return _refused(request, concern, "record an NRM referral")
    is_child = concern.about == "child" or bool(concern.third_party and concern.third_party.is_child)
    initial = {"referred_on": timezone.localdate(), "is_adult": "no" if is_child else "yes"}
    form = NrmRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.nrm_referral_record(actor=user, concern=concern, **form.service_values())
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "NRM referral recorded.")
            return redirect("safeguarding:nrm_detail", referral.pk)
    assessment_viewed(user, concern, concern, "nrm referral form")
    return render_page(
        request,
        "safeguarding/assessments/nrm_new.html",
        {"concern": concern, "form": form, "referrals": list(concern.nrm_referrals.all())},
        status=_status(request),
    )


@staff_view
def nrm_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    """An NRM referral: its decisions so far, and the form to record the next one and the next chase."""
    user = _user(request)
    referral = nrm_referral_get_for(user, referral_id)
    concern = referral.concern
    can_act = policy.can_act_on_concern(user, concern)
    if request.method == "POST" and not can_act:
        return _refused(request, concern, "update this NRM referral")
    initial = {
        "version": referral.version,
        "reasonable_grounds": referral.reasonable_grounds,
        "reasonable_grounds_on": referral.reasonable_grounds_on,
        "conclusive_grounds": referral.conclusive_grounds,
        "conclusive_grounds_on": referral.conclusive_grounds_on,
        "next_chase_on": referral.next_chase_on,
        "notes": referral.notes,
    }
    form = NrmUpdateForm(request.POST or None, initial=initial) if can_act else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.nrm_referral_update(actor=user, referral=referral, expected_version=version, **data)
        except (ValidationFailed, ConcurrentEdit) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "NRM referral updated.")
            return redirect("safeguarding:nrm_detail", referral.pk)
    assessment_viewed(user, concern, referral, "nrm referral")
    return render_page(
        request,
        "safeguarding/assessments/nrm_detail.html",
        {"referral": referral, "concern": concern, "form": form, "can_act": can_act},
        status=conflict_status(form, _status(request)) if form is not None else _status(request),
    )


@staff_view
def nrm_list(request: HttpRequest) -> HttpResponse:
    """The safeguarding lead's NRM list: chases due this week first, then every referral still awaiting a
    decision."""
    user = _user(request)
    if not policy.is_safeguarding_lead(user):
        raise Http404()
    today = timezone.localdate()
    due = list(nrm_chases_due_for(user, today=today))
    due_ids = {referral.pk for referral in due}
    waiting = [referral for referral in nrm_referrals_open_for(user) if referral.pk not in due_ids]
    shown: list[NrmReferral] = [*due, *waiting]
    clients_viewed(
        user,
        [(r.concern.client_id, r) for r in shown if r.concern.is_about_client],
        what="nrm list",
    )
    if any(not r.concern.is_about_client for r in shown):
        audit_event_record(
            actor=user,
            action=AuditAction.VIEW,
            object_type="safeguarding.nrmreferral",
            object_id="list",
            detail={"what": "nrm list", "shown": len(shown)},
        )
    return render_page(
        request,
        "safeguarding/assessments/nrm_list.html",
        {"due": due, "waiting": waiting, "today": today},
    )
