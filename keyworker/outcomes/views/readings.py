"""Outcome pages: a client's readings (where things stand, a chart per domain with the numbers as a table, and
the form to take a reading), a manager's distance travelled across their team, and the managers' scale pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.forms import form_saved, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.outcomes.charts import reading_chart_svg
from keyworker.outcomes.models import OutcomeDomain, OutcomeReading, OutcomeScale, OutcomeStep
from keyworker.outcomes.rules.readings import Change, domain_series, reading_due_on
from keyworker.outcomes.selectors.readings import (
    active_scales_for,
    cohort_distance_for,
    distance_for,
    reading_points,
    readings_for,
    scale_get_for,
    scale_list_for,
)
from keyworker.outcomes.services import readings as services
from keyworker.outcomes.views.readings_forms import CohortFilterForm, DomainForm, ReadingForm, ScaleForm, StepForm
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for

COHORT_DEFAULT_DAYS = 365


@dataclass(frozen=True)
class TableRow:
    taken_on: dt.date
    client: tuple[int, str] | None  # (step, its label)
    worker: tuple[int, str] | None


@dataclass(frozen=True)
class DomainPanel:
    """What the client page shows of one domain: the latest views, the change since the first, the chart and
    the same numbers as table rows."""

    domain: OutcomeDomain
    client: Change | None
    worker: Change | None
    labels: dict[int, str]
    chart: Any
    rows: list[TableRow]


def _panels(scale: OutcomeScale, readings: list[OutcomeReading], client: Client) -> list[DomainPanel]:
    points = reading_points(readings)
    distances = distance_for(readings)
    panels = []
    for domain in scale.domains.all():
        labels = {step.value: step.label for step in domain.steps.all()}
        series = domain_series(points, domain.key)
        distance = distances.get(domain.key)

        def labelled(value: int | None, labels: dict[int, str] = labels) -> tuple[int, str] | None:
            return None if value is None else (value, labels.get(value, ""))

        panels.append(
            DomainPanel(
                domain=domain,
                client=distance.client if distance else None,
                worker=distance.worker if distance else None,
                labels=labels,
                chart=reading_chart_svg(
                    chart_id=f"chart-{domain.key}",
                    title=f"{domain.name}: readings over time for {client.display_name}",
                    points=series,
                    max_step=max(labels, default=5),
                ),
                rows=[TableRow(day, labelled(c), labelled(w)) for day, c, w in series],
            )
        )
    return panels


def _chosen_scale(request: HttpRequest, scales: list[OutcomeScale]) -> OutcomeScale | None:
    wanted = request.GET.get("scale", "")
    return next((s for s in scales if str(s.pk) == wanted), scales[0] if scales else None)


@casework_view
def client_outcomes(request: HttpRequest, client_id: str) -> HttpResponse:
    """A client's outcome readings on one scale: where each domain stands now, a chart per domain (with the
    numbers as a table), the readings taken, and the form to take the next one."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    scales = active_scales_for(user)
    scale = _chosen_scale(request, scales)
    domains = list(scale.domains.all()) if scale else []
    here = reverse("outcomes:client_outcomes", args=[client.pk])
    if scale is not None and scale != (scales[0] if scales else None):
        here += f"?scale={scale.pk}"
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        if scale is None:
            raise NotFound()
        form = ReadingForm(request.POST, domains=domains)
        status = 422
        if form.is_valid():
            try:
                services.reading_record(
                    actor=user,
                    client=client,
                    scale=scale,
                    taken_on=form.cleaned_data["taken_on"],
                    scores=form.scores(),
                    note=form.cleaned_data["note"],
                )
            except ValidationFailed as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, "Reading saved.")
                return redirect(here)
    else:
        form = ReadingForm(initial={"taken_on": today.isoformat()}, domains=domains)
    readings = readings_for(user, client, scale=scale) if scale else []
    last = readings[-1] if readings else None
    due_on = reading_due_on(last.taken_on, scale.reading_interval_days, last.taken_on) if scale and last else None
    client_viewed(actor=user, client_id=client.pk, obj=client, what="outcome readings")
    return render_page(
        request,
        "outcomes/readings/client_outcomes.html",
        {
            "client": client,
            "scales": scales,
            "scale": scale,
            "panels": _panels(scale, readings, client) if scale else [],
            "readings": list(reversed(readings)),
            "due_on": due_on,
            "today": today,
            "form": form,
            "action": here,
            "section": "caseload",
        },
        status=status,
    )


@staff_view
def cohort_outcomes(request: HttpRequest) -> HttpResponse:
    """Distance travelled across the manager's team: per domain, the mean first and latest step of clients
    with two or more readings in the date range, the client's view and the worker's view separately."""
    user: User = request.user  # type: ignore[assignment]
    if not policy.can_see_cohort_outcomes(user):
        raise Http404()
    today = timezone.localdate()
    date_from, date_to = today - dt.timedelta(days=COHORT_DEFAULT_DAYS), today
    form = CohortFilterForm(
        request.GET or None, initial={"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    )
    status = 200
    if form.is_bound:
        if form.is_valid():
            date_from = form.cleaned_data["date_from"] or date_from
            date_to = form.cleaned_data["date_to"] or date_to
        else:
            status = 422  # the default range is shown, with the problem beside the dates
    cohort = cohort_distance_for(user, date_from=date_from, date_to=date_to)
    # Averages, but over clients the manager may open one by one, and a small team's mean can be one person's.
    clients_viewed(user, ((cid, Client(pk=cid)) for cid in cohort.client_ids), what="cohort distance travelled")
    return render_page(
        request,
        "outcomes/readings/cohort_outcomes.html",
        {"cohort": cohort, "form": form, "section": "outcomes"},
        status=status,
    )


@staff_view
def scale_list(request: HttpRequest) -> HttpResponse:
    """The outcome scales, in use or not: a manager's."""
    user: User = request.user  # type: ignore[assignment]
    scales = scale_list_for(user)
    return render_page(request, "outcomes/readings/scale_list.html", {"scales": scales, "section": "outcomes"})


def _find(scale: OutcomeScale, kind: str, wanted: object) -> OutcomeDomain | OutcomeStep | None:
    for domain in scale.domains.all():
        if kind == "domain" and str(domain.pk) == str(wanted):
            return domain
        for step in domain.steps.all():
            if kind == "step" and str(step.pk) == str(wanted):
                return step
    return None


@staff_view
def scale_edit(request: HttpRequest, scale_id: str) -> HttpResponse:
    """A manager's edits to a scale: its name, interval and use; a domain's name (?domain=); a step's label and
    description (?step=). Each under optimistic locking."""
    user: User = request.user  # type: ignore[assignment]
    scale = scale_get_for(user, scale_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    source = request.POST if action else request.GET
    domain = _find(scale, "domain", source.get("domain", "")) if source.get("domain") else None
    step = _find(scale, "step", source.get("step", "")) if source.get("step") else None
    if (source.get("domain") and domain is None) or (source.get("step") and step is None):
        raise NotFound()
    shown: dict[str, forms.Form | None] = {}  # the forms on the page, as bound when one was refused
    shown["scale"] = ScaleForm(
        initial={
            "version": scale.version,
            "name": scale.name,
            "reading_interval_days": scale.reading_interval_days,
            "is_active": scale.is_active,
        }
    )
    shown["domain"] = (
        DomainForm(initial={"version": domain.version, "domain": domain.pk, "name": domain.name})
        if isinstance(domain, OutcomeDomain)
        else None
    )
    shown["step"] = (
        StepForm(
            initial={"version": step.version, "step": step.pk, "label": step.label, "description": step.description}
        )
        if isinstance(step, OutcomeStep)
        else None
    )
    # Each kind of edit: its form, the service that saves it, and what to say when saved.
    edits: dict[str, tuple[type[forms.Form], Callable[[dict[str, Any]], object], str]] = {
        "scale": (
            ScaleForm,
            lambda d: services.scale_update(
                actor=user,
                scale=scale,
                expected_version=d["version"],
                name=d["name"],
                reading_interval_days=d["reading_interval_days"],
                is_active=d["is_active"],
            ),
            "Scale saved.",
        ),
    }
    if isinstance(domain, OutcomeDomain):
        edits["domain"] = (
            DomainForm,
            lambda d: services.domain_update(actor=user, domain=domain, expected_version=d["version"], name=d["name"]),
            "Domain renamed.",
        )
    if isinstance(step, OutcomeStep):
        edits["step"] = (
            StepForm,
            lambda d: services.step_update(
                actor=user, step=step, expected_version=d["version"], label=d["label"], description=d["description"]
            ),
            "Step saved.",
        )
    status = 200
    if action:
        if action not in edits:
            raise NotFound()
        form_class, save, done = edits[action]
        bound = form_class(request.POST)
        saved = form_saved(bound, save)
        if saved is None:
            messages.success(request, done)
            return redirect("outcomes:scale_edit", scale.pk)
        status = saved
        shown[action] = bound
    step_domain = next(
        (d for d in scale.domains.all() if isinstance(step, OutcomeStep) and d.pk == step.domain_id), None
    )
    return render_page(
        request,
        "outcomes/readings/scale_edit.html",
        {
            "scale": scale,
            "scale_form": shown["scale"],
            "domain_form": shown["domain"],
            "domain": domain,
            "step_form": shown["step"],
            "step": step,
            "step_domain": step_domain,
            "section": "outcomes",
        },
        status=status,
    )
