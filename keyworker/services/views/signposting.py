"""Signposting pages: the worker's own records of information given to someone who is not a client (the
safeguarding lead sees everyone's), and the form that records one. Nothing here names or links a client,
so there is nothing to audit as a view of a client's record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, NotFound, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.services.models import SignpostingMethod
from keyworker.services.selectors.directory import service_get_for, service_search_for
from keyworker.services.selectors.signposting import signposting_get_for, signposting_list_for
from keyworker.services.services import signposting as services

MAX_LISTED = 200


class SignpostingForm(forms.Form):
    service = forms.ChoiceField(
        label="Which service",
        choices=[],
        help_text="Helplines are listed first.",
        error_messages={"required": "Choose the service.", "invalid_choice": "Choose the service."},
    )
    given_on = forms.DateField(
        label="When", error_messages={"required": "Enter the date.", "invalid": "Enter a real date, like 2026-11-27."}
    )
    method = forms.ChoiceField(label="How", choices=SignpostingMethod.choices, initial=SignpostingMethod.IN_PERSON)
    who = forms.CharField(
        label="Who",
        required=False,
        max_length=services.WHO_MAX,
        help_text='A description, not a name: "a young woman, a client\'s partner" is enough.',
        error_messages={"max_length": f"Keep it to {services.WHO_MAX} characters or fewer."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        help_text="No names, and no client's details.",
    )

    def __init__(self, *args: Any, services_: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Choose"), *services_]  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_view
def signposting_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_see_signposting_pages(user):
        raise Http404()
    records = list(signposting_list_for(user)[: MAX_LISTED + 1])
    return render_page(
        request,
        "services/signposting_list.html",
        {
            "records": records[:MAX_LISTED],
            "more": len(records) > MAX_LISTED,
            "can_signpost": policy.can_signpost(user),
            "sees_everyone": user.role == Role.SAFEGUARDING_LEAD,
            "section": "signposting",
        },
    )


@staff_view
def signposting_detail(request: HttpRequest, signposting_id: str) -> HttpResponse:
    user = _user(request)
    record = signposting_get_for(user, signposting_id)
    return render_page(request, "services/signposting_detail.html", {"record": record, "section": "signposting"})


@casework_view
def signposting_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_signpost(user):
        raise Http404()
    choices = [(str(s.pk), f"{s.name} ({s.organisation.name})") for s in service_search_for(user)]
    form = SignpostingForm(
        request.POST or None,
        initial={"given_on": timezone.localdate(), "service": request.GET.get("service", "")},
        services_=choices,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            try:
                service = service_get_for(user, data["service"])
            except NotFound as exc:
                raise ValidationFailed("Choose the service.", {"service": ["Choose the service."]}) from exc
            record = services.signposting_record(
                actor=user,
                service=service,
                given_on=data["given_on"],
                method=data["method"],
                who=data["who"],
                note=data["note"],
            )
        except (ValidationFailed, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"Signposting to {service.name} recorded.")
            return redirect("services:signposting_detail", record.pk)
    return render_page(
        request,
        "services/signposting_form.html",
        {"form": form, "section": "signposting"},
        status=422 if request.method == "POST" else 200,
    )
