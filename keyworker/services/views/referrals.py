"""Referrals out pages: a client's referrals to services with their disclosure log, the form that makes one
(saved as a draft, or sent), and a referral with its updates and the forms that move it on. Each page shows
the client's records, so each audits the view."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, ValidationFailed
from keyworker.core.forms import conflict_status, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for
from keyworker.privacy.agreements.selectors import sharing_agreement_get_for, sharing_agreements_in_force
from keyworker.privacy.models import SharingAgreement
from keyworker.privacy.selectors import disclosures_for
from keyworker.services import rules
from keyworker.services.models import OutboundOutcome, OutboundReferral, OutboundStatus, Service
from keyworker.services.selectors.directory import service_get_for, service_search_for
from keyworker.services.selectors.referrals import outbound_referral_get_for, outbound_referrals_of
from keyworker.services.services import referrals as services

CHOOSE = [("", "Choose")]
DATE_ERRORS = {"invalid": "Enter a real date, like 2026-11-27."}


class ReferralForm(forms.Form):
    service = forms.ChoiceField(
        label="Service",
        choices=[],
        error_messages={"required": "Choose the service.", "invalid_choice": "Choose the service."},
    )
    reason = forms.CharField(
        label="Why you are referring them",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Say why you are referring them."},
    )
    shared = forms.CharField(
        label="What you are sharing with the service",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="Only what the service needs. Needed before it is sent; it goes in their disclosure log.",
    )
    follow_up_on = forms.DateField(
        label="Follow up on", required=False, error_messages=DATE_ERRORS, help_text="It shows on your My week that day."
    )
    sharing_agreement = forms.ChoiceField(
        label="Sharing agreement (optional)",
        required=False,
        choices=[],
        help_text="The information-sharing agreement with this partner you are sharing under, if there is one.",
        error_messages={"invalid_choice": "Choose an agreement in force today, or none."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, services: list[tuple[str, str]], agreements: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = CHOOSE + services  # type: ignore[attr-defined]
        self.fields["sharing_agreement"].choices = [("", "None")] + (agreements or [])  # type: ignore[attr-defined]


class UpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened",
        choices=[],
        error_messages={"required": "Choose what happened.", "invalid_choice": "Choose what happened."},
    )
    occurred_on = forms.DateField(
        label="Date", error_messages={**DATE_ERRORS, "required": "Enter the date it happened."}
    )
    first_appointment_on = forms.DateField(label="First appointment date", required=False, error_messages=DATE_ERRORS)
    first_appointment_time = forms.TimeField(
        label="First appointment time", required=False, error_messages={"invalid": "Enter a time, like 10:00."}
    )
    reason = forms.CharField(
        label="Why (if declined or withdrawn)", required=False, widget=forms.Textarea, max_length=5000
    )
    outcome = forms.ChoiceField(
        label="Outcome (if it has ended)",
        required=False,
        choices=[("", "Choose"), *OutboundOutcome.choices],
        help_text="Declined or withdrawn: not achieved unless you say otherwise.",
    )
    outcome_note = forms.CharField(label="About the outcome", required=False, widget=forms.Textarea, max_length=5000)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea, max_length=5000)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, current: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        nexts = rules.next_statuses(current)
        self.fields["status"].choices = CHOOSE + [  # type: ignore[attr-defined]
            (value, label) for value, label in OutboundStatus.choices if value in nexts
        ]

    def first_appointment_at(self) -> dt.datetime | None:
        on, at = self.cleaned_data.get("first_appointment_on"), self.cleaned_data.get("first_appointment_time")
        if on is None or at is None:
            return None
        return timezone.make_aware(dt.datetime.combine(on, at))


class FollowUpForm(forms.Form):
    follow_up_on = forms.DateField(
        label="Follow up on", required=False, error_messages=DATE_ERRORS, help_text="Leave blank for no follow-up."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


UPDATE_FIELDS = {"first_appointment_at": "first_appointment_on"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _service_choices(user: User) -> list[tuple[str, str]]:
    return [(str(s.pk), f"{s.name} ({s.organisation.name})") for s in service_search_for(user)]


def _agreement_choices(user: User, current: SharingAgreement | None) -> list[tuple[str, str]]:
    """The agreements in force today (and the draft's own, so that it shows even once it has ended: sending
    then refuses it with a reason)."""
    agreements = list(sharing_agreements_in_force(user, timezone.localdate()))
    if current is not None and current not in agreements:
        agreements.append(current)
    return [(str(a.pk), f"{a.title} ({a.partner})") for a in agreements]


def _chosen_agreement(user: User, value: str) -> SharingAgreement | None:
    if not value:
        return None
    try:
        return sharing_agreement_get_for(user, value)
    except NotFound:
        return None


def _chosen_service(user: User, value: str) -> Service | None:
    try:
        return service_get_for(user, value)
    except NotFound:
        return None


def _refused(form: forms.Form, exc: Exception, field_names: dict[str, str] | None = None) -> None:
    """A service's refusal on the form: messages beside the fields the form has; the whole message at the top
    when some problem is about something the form has no field for (the consent basis)."""
    if isinstance(exc, ConcurrentEdit):
        show_service_errors(form, exc, field_names=field_names)  # the message, and both versions
        return
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, getattr(exc, "message", str(exc)))
        return
    names = field_names or {}
    beside = {k: v for k, v in exc.field_errors.items() if names.get(k, k) in form.fields}
    for field, errors in beside.items():
        form.add_error(names.get(field, field), errors)
    if len(beside) < len(exc.field_errors) or not exc.field_errors:
        form.add_error(None, exc.message)


@casework_view
def client_referrals(request: HttpRequest, client_id: str) -> HttpResponse:
    """A client's referrals to services, and everything about them that has left Keyworker."""
    user = _user(request)
    client = client_get_for(user, client_id)
    referrals = list(outbound_referrals_of(user, client))
    disclosures = list(disclosures_for(user, client))
    client_viewed(actor=user, client_id=client.pk, obj=client, what="referrals out")
    return render_page(
        request,
        "services/client_referrals.html",
        {
            "client": client,
            "referrals": referrals,
            "disclosures": disclosures,
            "can_record": policy.can_record_on(user, client),
            "today": timezone.localdate(),
        },
    )


def _referral_form_page(request: HttpRequest, client: Client, referral: OutboundReferral | None) -> HttpResponse:
    user = _user(request)
    initial: dict[str, Any] = {"service": request.GET.get("service", "")}
    if referral is not None:
        initial = {
            "service": str(referral.service_id),
            "reason": referral.reason,
            "shared": referral.shared,
            "follow_up_on": referral.follow_up_on,
            "sharing_agreement": str(referral.sharing_agreement_id or ""),
            "version": referral.version,
        }
    form = ReferralForm(
        request.POST or None,
        initial=initial,
        services=_service_choices(user),
        agreements=_agreement_choices(user, referral.sharing_agreement if referral else None),
    )
    if request.method == "POST" and form.is_valid():
        send = request.POST.get("action") == "send"
        service = _chosen_service(user, form.cleaned_data["service"])
        data = form.cleaned_data
        agreement = _chosen_agreement(user, data["sharing_agreement"])
        try:
            if service is None:
                raise ValidationFailed("Choose the service.", {"service": ["Choose the service."]})
            if referral is None:
                referral = services.outbound_referral_create(
                    actor=user,
                    client=client,
                    service=service,
                    reason=data["reason"],
                    shared=data["shared"],
                    follow_up_on=data["follow_up_on"],
                    send=send,
                    sharing_agreement=agreement,
                )
            else:
                services.outbound_referral_edit(
                    actor=user,
                    referral=referral,
                    expected_version=data["version"] or 0,
                    service=service,
                    reason=data["reason"],
                    shared=data["shared"],
                    sharing_agreement=agreement,
                )
                if referral.follow_up_on != data["follow_up_on"]:
                    services.outbound_referral_follow_up_set(
                        actor=user,
                        referral=referral,
                        expected_version=referral.version,
                        follow_up_on=data["follow_up_on"],
                    )
                if send:
                    services.outbound_referral_send(actor=user, referral=referral, expected_version=referral.version)
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            _refused(form, exc)
        else:
            sent = referral.status == OutboundStatus.SENT
            messages.success(request, f"Referral to {referral.service.name} {'sent' if sent else 'saved as a draft'}.")
            return redirect("services:referral_detail", referral.pk)
    client_viewed(actor=user, client_id=client.pk, obj=referral or client, what="referral out form")
    return render_page(
        request,
        "services/referral_form.html",
        {"form": form, "client": client, "referral": referral},
        status=conflict_status(form, 422) if request.method == "POST" else 200,
    )


@casework_view
def referral_new(request: HttpRequest, client_id: str) -> HttpResponse:
    user = _user(request)
    client = client_get_for(user, client_id)
    if not policy.can_record_on(user, client):
        raise NotFound()
    return _referral_form_page(request, client, None)


@casework_view
def referral_edit(request: HttpRequest, referral_id: str) -> HttpResponse:
    """A draft's service, reason and what it shares (a sent referral cannot be changed)."""
    user = _user(request)
    referral = outbound_referral_get_for(user, referral_id)
    if referral.status != OutboundStatus.DRAFT:
        return redirect("services:referral_detail", referral.pk)
    return _referral_form_page(request, referral.client, referral)


def _detail_page(
    request: HttpRequest,
    referral: OutboundReferral,
    *,
    update_form: UpdateForm | None = None,
    follow_up_form: FollowUpForm | None = None,
    send_error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    version = {"version": referral.version}
    update_form = update_form or UpdateForm(
        initial={**version, "occurred_on": timezone.localdate()}, current=referral.status
    )
    follow_up_form = follow_up_form or FollowUpForm(initial={**version, "follow_up_on": referral.follow_up_on})
    client_viewed(actor=user, client_id=referral.client_id, obj=referral, what="referral out")
    return render_page(
        request,
        "services/referral_detail.html",
        {
            "referral": referral,
            "client": referral.client,
            "updates": list(referral.updates.all()),
            "update_form": update_form,
            "follow_up_form": follow_up_form,
            "send_error": send_error,
            "can_record": policy.can_record_on(user, referral.client),
            "agency_kind": rules.agency_kind_for(referral.service.category),
        },
        status=status,
    )


@casework_view
def referral_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    return _detail_page(request, outbound_referral_get_for(_user(request), referral_id))


@casework_view
def referral_send(request: HttpRequest, referral_id: str) -> HttpResponse:
    user = _user(request)
    referral = outbound_referral_get_for(user, referral_id)
    if request.method != "POST":
        return redirect("services:referral_detail", referral.pk)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed("Reload the page and try again.")
        services.outbound_referral_send(actor=user, referral=referral, expected_version=form.cleaned_data["version"])
    except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
        referral = outbound_referral_get_for(user, referral_id)
        problems = " ".join(m for ms in getattr(exc, "field_errors", {}).values() for m in ms if m not in exc.message)
        return _detail_page(request, referral, send_error=f"{exc.message} {problems}".strip(), status=422)
    messages.success(request, f"Referral to {referral.service.name} sent.")
    return redirect("services:referral_detail", referral.pk)


@casework_view
def referral_update(request: HttpRequest, referral_id: str) -> HttpResponse:
    user = _user(request)
    referral = outbound_referral_get_for(user, referral_id)
    if request.method != "POST":
        return redirect("services:referral_detail", referral.pk)
    form = UpdateForm(request.POST, current=referral.status)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.outbound_referral_update_status(
                actor=user,
                referral=referral,
                expected_version=data["version"],
                status=data["status"],
                occurred_on=data["occurred_on"],
                note=data["note"],
                reason=data["reason"],
                first_appointment_at=form.first_appointment_at(),
                outcome=data["outcome"],
                outcome_note=data["outcome_note"],
            )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            _refused(form, exc, UPDATE_FIELDS)
        else:
            messages.success(request, f"Referral updated: {referral.get_status_display().lower()}.")
            return redirect("services:referral_detail", referral.pk)
    return _detail_page(
        request, outbound_referral_get_for(user, referral_id), update_form=form, status=conflict_status(form, 422)
    )


@casework_view
def referral_follow_up(request: HttpRequest, referral_id: str) -> HttpResponse:
    user = _user(request)
    referral = outbound_referral_get_for(user, referral_id)
    if request.method != "POST":
        return redirect("services:referral_detail", referral.pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.outbound_referral_follow_up_set(
                actor=user,
                referral=referral,
                expected_version=form.cleaned_data["version"],
                follow_up_on=form.cleaned_data["follow_up_on"],
            )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Follow-up date saved.")
            return redirect("services:referral_detail", referral.pk)
    return _detail_page(request, outbound_referral_get_for(user, referral_id), follow_up_form=form, status=422)
