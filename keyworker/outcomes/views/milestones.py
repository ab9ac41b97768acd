"""A client's milestones page (milestones with date, evidence and who recorded them; jobs and homes with their
checks and what they have reached; the reoffending measure; proven offences) and the forms that feed it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed
from keyworker.core.forms import form_saved
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.outcomes.selectors.milestones import (
    milestones_for,
    proven_offences_for,
    reoffending_for,
    spell_get_for,
    spells_for,
)
from keyworker.outcomes.services import milestones as services
from keyworker.outcomes.views.milestones_forms import MilestoneForm, ProvenOffenceForm, SpellCheckForm, SpellForm
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for

FORM_PAGE = "outcomes/milestones/form.html"


@casework_view
def client_milestones(request: HttpRequest, client_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    today = timezone.localdate()
    context = {
        "client": client,
        "milestones": list(milestones_for(user, client)),
        "spells": spells_for(user, client, today=today),
        "reoffending": reoffending_for(user, client, today=today),
        "offences": list(proven_offences_for(user, client)),
        "today": today,
        "section": "caseload",
    }
    client_viewed(actor=user, client_id=client.pk, obj=client, what="milestones")
    return render_page(request, "outcomes/milestones/client_milestones.html", context)


def _form_page(
    request: HttpRequest,
    *,
    client: Client,
    form: forms.Form,
    title: str,
    button: str,
    intro: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client_viewed(actor=user, client_id=client.pk, obj=client, what="milestones form")
    return render_page(
        request,
        FORM_PAGE,
        {
            "client": client,
            "form": form,
            "title": title,
            "button": button,
            "intro": intro,
            "section": "caseload",
            **(extra or {}),
        },
        status=422 if request.method == "POST" else 200,
    )


def _record_page(
    request: HttpRequest,
    *,
    client: Client,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    done: str,
    **page: Any,
) -> HttpResponse:
    """The record pages below: a valid form goes to its service and back to the milestones page; a refusal is
    shown on the form."""
    if request.method == "POST" and form_saved(form, save) is None:
        messages.success(request, done)
        return redirect("outcomes:client_milestones", client.pk)
    return _form_page(request, client=client, form=form, **page)


@casework_view
def milestone_new(request: HttpRequest, client_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    return _record_page(
        request,
        client=client,
        form=MilestoneForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.milestone_record(actor=user, client=client, **data),
        done="Milestone recorded.",
        title="Record a milestone",
        button="Record milestone",
        intro="Sustained work and housing, completed courses and no proven reoffending are worked out from the "
        "dated checks and records: record the job or home, its checks, or the proven offences instead.",
    )


@casework_view
def spell_new(request: HttpRequest, client_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    return _record_page(
        request,
        client=client,
        form=SpellForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.spell_start(actor=user, client=client, **data),
        done="Job or home recorded. Add a check each time you confirm it is still going.",
        title="Record a job or home",
        button="Save",
        intro="Sustained work (13 and 26 weeks) and accommodation (3, 6 and 12 months) are worked out from the "
        "start date and your dated checks.",
    )


@casework_view
def spell_check_new(request: HttpRequest, spell_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    spell = spell_get_for(user, spell_id)
    return _record_page(
        request,
        client=spell.client,
        form=SpellCheckForm(
            request.POST if request.method == "POST" else None,
            initial={"checked_on": timezone.localdate().isoformat()},
        ),
        save=lambda data: services.spell_check_add(actor=user, spell=spell, **data),
        done="Check recorded.",
        title="Add a check",
        button="Save check",
        intro=f"{spell.get_kind_display()}: {spell.description}, from {spell.started_on:%d %B %Y}.",
        extra={"radios": ["still_going"]},
    )


@casework_view
def proven_offence_new(request: HttpRequest, client_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    return _record_page(
        request,
        client=client,
        form=ProvenOffenceForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.proven_offence_record(actor=user, client=client, **data),
        done="Proven offence recorded.",
        title="Record a proven offence",
        button="Save",
        intro="Only a conviction or caution. A charge or allegation belongs under custody and court until proven.",
    )
