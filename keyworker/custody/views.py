"""Custody and court pages: the prisons and courts directory, a client's custody and court page (the episode,
its countdown and release plan, transfers, hearings and charges), the forms that write them, and the team
release board. Every page that shows a client's records audits the view."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, ValidationFailed
from keyworker.core.forms import conflict_status, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.custody import rules, services
from keyworker.custody.forms import (
    ChargeForm,
    DirectoryFilterForm,
    EpisodeForm,
    EstablishmentForm,
    HearingForm,
    NeedAddForm,
    NeedUpdateForm,
    OutcomeCorrectionForm,
    OutcomeForm,
    ReleaseForm,
    TransferForm,
)
from keyworker.custody.models import COURT_KINDS, PRISON_KINDS, Establishment, Hearing, NeedStatus
from keyworker.custody.selectors import (
    charges_of,
    custody_episode_get_for,
    custody_episodes_of,
    establishment_get_for,
    establishment_list_for,
    hearing_get_for,
    hearings_of,
    needs_by_pathway,
    release_need_get_for,
    releases_upcoming_for,
)
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _viewed(user: User, client: Client, obj: Any, what: str) -> None:
    client_viewed(actor=user, client_id=client.pk, obj=obj, what=what)


def _choices(user: User, kinds: frozenset[str]) -> list[tuple[str, str]]:
    return [(str(e.pk), e.name) for e in establishment_list_for(user).filter(kind__in=list(kinds), is_active=True)]


def _chosen(user: User, value: str | None) -> Establishment | None:
    """An establishment picked on a form; one that does not exist is simply not chosen (the service says so)."""
    if not value:
        return None
    try:
        return establishment_get_for(user, value)
    except NotFound:
        return None


def _status(request: HttpRequest, *bound: forms.Form) -> int:
    """The page shown again after a POST: 409 if a save was refused as a concurrent edit, else 422."""
    if request.method != "POST":
        return 200
    return 409 if any(conflict_status(form) == 409 for form in bound) else 422


# --- the directory ----------------------------------------------------------------------------------------------


@casework_view
def directory_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DirectoryFilterForm(request.GET or None)
    establishments = establishment_list_for(user)
    if form.is_valid():
        kind, words = form.cleaned_data["kind"], form.cleaned_data["q"].strip()
        if kind == "prisons":
            establishments = establishments.filter(kind__in=list(PRISON_KINDS))
        elif kind == "courts":
            establishments = establishments.filter(kind__in=list(COURT_KINDS))
        for word in words.split()[:6]:
            establishments = establishments.filter(Q(name__icontains=word) | Q(postcode__istartswith=word))
    return render_page(
        request,
        "custody/directory_list.html",
        {"form": form, "establishments": list(establishments), "section": "directory"},
        block="results",
    )


@casework_view
def directory_detail(request: HttpRequest, establishment_id: str) -> HttpResponse:
    establishment = establishment_get_for(_user(request), establishment_id)
    return render_page(
        request, "custody/directory_detail.html", {"establishment": establishment, "section": "directory"}
    )


def _establishment_form_page(request: HttpRequest, establishment: Establishment | None) -> HttpResponse:
    user = _user(request)
    initial: dict[str, Any] = {}
    if establishment is not None:
        initial = {name: getattr(establishment, name) for name in services.ESTABLISHMENT_FIELDS}
        initial["version"] = establishment.version
    form = EstablishmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.ESTABLISHMENT_FIELDS}
        try:
            if establishment is None:
                establishment = services.establishment_create(actor=user, **values)
            else:
                services.establishment_update(
                    actor=user,
                    establishment=establishment,
                    expected_version=form.cleaned_data["version"] or 0,
                    **values,
                )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"{establishment.name} saved.")
            return redirect("custody:directory_detail", establishment.pk)
    return render_page(
        request,
        "custody/directory_form.html",
        {"form": form, "establishment": establishment, "section": "directory"},
        status=_status(request, form),
    )


@casework_view
def directory_new(request: HttpRequest) -> HttpResponse:
    return _establishment_form_page(request, None)


@casework_view
def directory_edit(request: HttpRequest, establishment_id: str) -> HttpResponse:
    return _establishment_form_page(request, establishment_get_for(_user(request), establishment_id))


# --- a client's custody and court page ---------------------------------------------------------------------------


def _custody_context(user: User, client: Client) -> dict[str, Any]:
    today = timezone.localdate()
    episodes = list(custody_episodes_of(client))
    current = next((e for e in episodes if e.released_on is None), None)
    hearings = list(hearings_of(client))
    now = timezone.now()
    context: dict[str, Any] = {
        "client": client,
        "current": current,
        "past_episodes": [e for e in episodes if e is not current],
        "upcoming_hearings": [h for h in hearings if h.starts_at >= now],
        "past_hearings": list(reversed([h for h in hearings if h.starts_at < now])),
        "charges": list(charges_of(client)),
        "today": today,
        "statuses": NeedStatus.choices,
        "section": "caseload",
    }
    # After the gate the plan is still worked on (the course start, housing): it stays on the page for the
    # first weeks after release, like the release board's window.
    recent = None
    if current is None:
        recent = next(
            (e for e in episodes if e.released_on and (today - e.released_on).days <= rules.PLAN_AFTER_RELEASE_DAYS),
            None,
        )
    context["recent"] = recent
    if (plan_episode := current or recent) is not None:
        needs = list(plan_episode.needs.all())
        context["plan_episode"] = plan_episode
        context["countdown"] = rules.countdown(plan_episode.release_on, today, needs)
        context["plan"] = needs_by_pathway(needs)
        context["behind"] = {n.pk for n in needs if rules.is_behind(n, today)}
    return context


@casework_view
def client_custody(request: HttpRequest, client_id: str) -> HttpResponse:
    user = _user(request)
    client = client_get_for(user, client_id)
    context = _custody_context(user, client)
    _viewed(user, client, client, "custody and court")
    return render_page(request, "custody/client_custody.html", context)


def _episode_values(form: EpisodeForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.EPISODE_FIELDS}


@casework_view
def episode_new(request: HttpRequest, client_id: str) -> HttpResponse:
    user = _user(request)
    client = client_get_for(user, client_id)
    form = EpisodeForm(request.POST or None, prisons=_choices(user, PRISON_KINDS))
    if request.method == "POST" and form.is_valid():
        try:
            services.custody_episode_open(
                actor=user,
                client=client,
                establishment=_chosen(user, form.cleaned_data["establishment"]),
                **_episode_values(form),
            )
        except (ValidationFailed, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Custody recorded, with a release plan across the seven pathways.")
            return redirect("custody:client_custody", client.pk)
    _viewed(user, client, client, "open custody episode form")
    return render_page(
        request,
        "custody/episode_form.html",
        {"client": client, "form": form, "episode": None, "section": "caseload"},
        status=_status(request, form),
    )


@casework_view
def episode_edit(request: HttpRequest, episode_id: str) -> HttpResponse:
    user = _user(request)
    episode = custody_episode_get_for(user, episode_id)
    initial = {name: getattr(episode, name) for name in services.EPISODE_FIELDS}
    initial["version"] = episode.version
    form = EpisodeForm(request.POST or None, prisons=[], editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.custody_episode_update(
                actor=user, episode=episode, expected_version=form.cleaned_data["version"] or 0, **_episode_values(form)
            )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Custody details saved.")
            return redirect("custody:client_custody", episode.client_id)
    _viewed(user, episode.client, episode, "custody episode")
    return render_page(
        request,
        "custody/episode_form.html",
        {"client": episode.client, "form": form, "episode": episode, "section": "caseload"},
        status=_status(request, form),
    )


@casework_view
def transfer_new(request: HttpRequest, episode_id: str) -> HttpResponse:
    user = _user(request)
    episode = custody_episode_get_for(user, episode_id)
    form = TransferForm(
        request.POST or None, prisons=_choices(user, PRISON_KINDS), initial={"version": episode.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.custody_transfer_record(
                actor=user,
                episode=episode,
                expected_version=form.cleaned_data["version"],
                to_establishment=_chosen(user, form.cleaned_data["to_establishment"]),
                transferred_on=form.cleaned_data["transferred_on"],
                prison_number=form.cleaned_data["prison_number"],
            )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"Transfer to {transfer.to_establishment} recorded.")
            return redirect("custody:client_custody", episode.client_id)
    _viewed(user, episode.client, episode, "record transfer form")
    return render_page(
        request,
        "custody/transfer_form.html",
        {"client": episode.client, "episode": episode, "form": form, "section": "caseload"},
        status=_status(request, form),
    )


@casework_view
def release_record(request: HttpRequest, episode_id: str) -> HttpResponse:
    user = _user(request)
    episode = custody_episode_get_for(user, episode_id)
    form = ReleaseForm(request.POST or None, initial={"version": episode.version, "released_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.custody_release_record(
                actor=user,
                episode=episode,
                expected_version=form.cleaned_data["version"],
                released_on=form.cleaned_data["released_on"],
            )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Release recorded.")
            return redirect("custody:client_custody", episode.client_id)
    _viewed(user, episode.client, episode, "record release form")
    return render_page(
        request,
        "custody/release_form.html",
        {"client": episode.client, "episode": episode, "form": form, "section": "caseload"},
        status=_status(request, form),
    )


@casework_view
def need_add(request: HttpRequest, episode_id: str) -> HttpResponse:
    user = _user(request)
    episode = custody_episode_get_for(user, episode_id)
    form = NeedAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_need_add(actor=user, episode=episode, **form.cleaned_data)
        except (ValidationFailed, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Need added to the release plan.")
            return redirect("custody:client_custody", episode.client_id)
    _viewed(user, episode.client, episode, "add release need form")
    return render_page(
        request,
        "custody/need_add.html",
        {"client": episode.client, "episode": episode, "form": form, "section": "caseload"},
        status=_status(request, form),
    )


@casework_view
def need_update(request: HttpRequest, need_id: str) -> HttpResponse:
    """A need's status and a note. From the custody page this is an inline htmx form: the need's row comes
    back (errors as 200, since htmx swaps only 2xx responses); without htmx, a page of its own."""
    user = _user(request)
    need = release_need_get_for(user, need_id)
    form = NeedUpdateForm(request.POST or None, initial={"status": need.status, "version": need.version})
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.release_need_update(
                actor=user,
                need=need,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, f"Updated: {need.title}.")
                return redirect("custody:client_custody", need.episode.client_id)
            saved = True
            need = release_need_get_for(user, need.pk)
            form = NeedUpdateForm(initial={"status": need.status, "version": need.version})
    client = need.episode.client
    _viewed(user, client, need, "release need")
    today = timezone.localdate()
    failed = request.method == "POST" and not saved
    return render_page(
        request,
        "custody/need_update.html",
        {
            "client": client,
            "need": need,
            "form": form,
            "saved": saved,
            "statuses": NeedStatus.choices,
            "behind": {need.pk} if rules.is_behind(need, today) else set(),
            "section": "caseload",
        },
        block="need",
        status=200 if (request.htmx or not failed) else conflict_status(form, 422),  # type: ignore[attr-defined]
    )


# --- charges and hearings ----------------------------------------------------------------------------------------


@casework_view
def charge_new(request: HttpRequest, client_id: str) -> HttpResponse:
    user = _user(request)
    client = client_get_for(user, client_id)
    form = ChargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.charge_record(actor=user, client=client, **form.cleaned_data)
        except (ValidationFailed, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Charge recorded, as an allegation with its source.")
            return redirect("custody:client_custody", client.pk)
    _viewed(user, client, client, "add charge form")
    return render_page(
        request,
        "custody/charge_form.html",
        {"client": client, "form": form, "section": "caseload"},
        status=_status(request, form),
    )


@casework_view
def hearing_new(request: HttpRequest, client_id: str) -> HttpResponse:
    user = _user(request)
    client = client_get_for(user, client_id)
    charges = list(charges_of(client))
    form = HearingForm(
        request.POST or None,
        courts=_choices(user, COURT_KINDS),
        charges=[(str(c.pk), f"{c.offence} (alleged; source: {c.get_source_display().lower()})") for c in charges],
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["charges"])
        try:
            services.hearing_schedule(
                actor=user,
                client=client,
                court=_chosen(user, form.cleaned_data["court"]),
                starts_at=form.starts_at(),
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                charges=[c for c in charges if str(c.pk) in chosen],
            )
        except (ValidationFailed, NotAllowed) as exc:
            show_service_errors(form, exc, field_names={"starts_at": "on"})
        else:
            messages.success(request, "Hearing added.")
            return redirect("custody:client_custody", client.pk)
    _viewed(user, client, client, "schedule hearing form")
    return render_page(
        request,
        "custody/hearing_form.html",
        {"client": client, "form": form, "section": "caseload"},
        status=_status(request, form),
    )


@casework_view
def hearing_outcome(request: HttpRequest, hearing_id: str) -> HttpResponse:
    """Record the outcome once; afterwards the page shows it and lets its wording be corrected."""
    user = _user(request)
    hearing: Hearing = hearing_get_for(user, hearing_id)
    action = request.POST.get("action", "record") if request.method == "POST" else ""
    form = OutcomeForm(
        request.POST if action == "record" else None,
        prisons=_choices(user, PRISON_KINDS),
        initial={"version": hearing.version},
    )
    correction = OutcomeCorrectionForm(
        request.POST if action == "correct" else None,
        initial={
            "outcome_detail": hearing.outcome_detail,
            "sentence_length": hearing.sentence_length,
            "version": hearing.version,
        },
    )
    if action == "record" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hearing_outcome_record(
                actor=user,
                hearing=hearing,
                expected_version=data["version"],
                outcome=data["outcome"],
                outcome_detail=data["outcome_detail"],
                sentence_length=data["sentence_length"],
                next_starts_at=form.next_starts_at(),
                next_kind=data["next_kind"],
                establishment=_chosen(user, data["establishment"]),
                prison_number=data["prison_number"],
                release_on=data["release_on"],
            )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            show_service_errors(form, exc, field_names={"next_starts_at": "next_on", "received_on": "outcome"})
        else:
            messages.success(request, f"Outcome recorded: {hearing.get_outcome_display().lower()}.")
            return redirect("custody:client_custody", hearing.client_id)
    elif action == "correct" and correction.is_valid():
        try:
            services.hearing_outcome_correct(
                actor=user,
                hearing=hearing,
                expected_version=correction.cleaned_data["version"],
                outcome_detail=correction.cleaned_data["outcome_detail"],
                sentence_length=correction.cleaned_data["sentence_length"],
            )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            show_service_errors(correction, exc)
        else:
            messages.success(request, "Outcome details corrected.")
            return redirect("custody:client_custody", hearing.client_id)
    _viewed(user, hearing.client, hearing, "hearing outcome")
    return render_page(
        request,
        "custody/hearing_outcome.html",
        {
            "client": hearing.client,
            "hearing": hearing,
            "form": form,
            "correction": correction,
            "section": "caseload",
        },
        status=_status(request, form, correction),
    )


# --- the team release board --------------------------------------------------------------------------------------


@casework_view
def release_board(request: HttpRequest) -> HttpResponse:
    """Releases in the next 12 weeks of every client in reach, soonest first, with what is still open."""
    user = _user(request)
    rows = releases_upcoming_for(user, today=timezone.localdate())
    clients_viewed(user, ((row.episode.client_id, row.episode) for row in rows), what="release board")
    return render_page(request, "custody/release_board.html", {"rows": rows, "section": "releases"})
