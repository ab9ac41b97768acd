"""Services directory pages: the searchable list, a service, an organisation, and the forms that add and
change them. No personal data on any of them: no view audit, and edits are audited without a client."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.forms import conflict_status, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.services.models import Organisation, ReferralMethod, Service, ServiceCategory
from keyworker.services.selectors.directory import (
    organisation_get_for,
    service_get_for,
    service_search_for,
)
from keyworker.services.services import directory as services

CHOOSE = [("", "Choose")]
MAX_LISTED = 200


class ServiceSearchForm(forms.Form):
    q = forms.CharField(label="Words", required=False, max_length=100, help_text="In the name or description.")
    category = forms.ChoiceField(
        label="Kind of service", required=False, choices=[("", "All kinds"), *ServiceCategory.choices]
    )
    area = forms.CharField(
        label="Area", required=False, max_length=60, help_text="A borough. National services always show."
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150, error_messages={"required": "Enter the organisation's name."})
    website = forms.URLField(
        assume_scheme="https",
        label="Website", required=False, error_messages={"invalid": "Enter a web address, like https://example.org."}
    )
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    email = forms.EmailField(
        label="Email", required=False, error_messages={"invalid": "Enter an email address, like info@example.org."}
    )
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea, max_length=1000)
    is_active = forms.BooleanField(label="Still running", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ServiceForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150, error_messages={"required": "Enter the service's name."})
    category = forms.ChoiceField(
        label="Kind of service",
        choices=CHOOSE + list(ServiceCategory.choices),
        error_messages={"required": "Choose what kind of service it is."},
    )
    description = forms.CharField(label="What it does", required=False, widget=forms.Textarea, max_length=5000)
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    email = forms.EmailField(
        label="Email", required=False, error_messages={"invalid": "Enter an email address, like info@example.org."}
    )
    website = forms.URLField(
        assume_scheme="https",
        label="Website", required=False, error_messages={"invalid": "Enter a web address, like https://example.org."}
    )
    contact_notes = forms.CharField(
        label="Other ways in",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        help_text="Walk-in times, a text line, web chat.",
    )
    opening_hours = forms.CharField(label="Opening hours", required=False, max_length=200)
    criteria = forms.CharField(
        label="Who it is for",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        help_text="Age, gender, area, need.",
    )
    referral_method = forms.ChoiceField(
        label="How to refer", choices=ReferralMethod.choices, initial=ReferralMethod.FORM
    )
    area_covered = forms.CharField(
        label="Area covered",
        required=False,
        max_length=200,
        help_text="Boroughs, or leave blank for a national service.",
    )
    is_national = forms.BooleanField(label="National: covers everywhere", required=False)
    is_helpline = forms.BooleanField(label="A helpline people can call themselves", required=False)
    is_active = forms.BooleanField(label="Still running", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _directory_view(view: Any) -> Any:
    """Directory pages exist for those who may use the directory (casework staff and the safeguarding
    lead); for anyone else they do not exist."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.can_use_services_directory(_user(request)):
            raise Http404()
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return staff_view(wrapper)


@_directory_view
def service_list(request: HttpRequest) -> HttpResponse:
    """The directory, searched by words, kind and area; helplines first."""
    user = _user(request)
    form = ServiceSearchForm(request.GET or None)
    words = category = area = ""
    if form.is_valid():
        words, category, area = form.cleaned_data["q"], form.cleaned_data["category"], form.cleaned_data["area"]
    found = list(service_search_for(user, words=words, category=category, area=area)[: MAX_LISTED + 1])
    return render_page(
        request,
        "services/service_list.html",
        {
            "form": form,
            "services": found[:MAX_LISTED],
            "more": len(found) > MAX_LISTED,
            "can_edit": policy.can_edit_services_directory(user),
            "can_signpost": policy.can_signpost(user),
            "section": "services",
        },
        block="results",
    )


@_directory_view
def service_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    user = _user(request)
    service = service_get_for(user, service_id)
    return render_page(
        request,
        "services/service_detail.html",
        {
            "service": service,
            "can_edit": policy.can_edit_services_directory(user),
            "can_signpost": policy.can_signpost(user),
            "section": "services",
        },
    )


@_directory_view
def organisation_detail(request: HttpRequest, organisation_id: str) -> HttpResponse:
    user = _user(request)
    organisation = organisation_get_for(user, organisation_id)
    return render_page(
        request,
        "services/organisation_detail.html",
        {
            "organisation": organisation,
            "services": list(organisation.services.order_by("name")),
            "can_edit": policy.can_edit_services_directory(user),
            "section": "services",
        },
    )


def _organisation_form_page(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    user = _user(request)
    initial: dict[str, Any] = {"is_active": True}
    if organisation is not None:
        initial = {name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS}
        initial["version"] = organisation.version
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.ORGANISATION_FIELDS}
        try:
            if organisation is None:
                organisation = services.organisation_create(actor=user, **values)
            else:
                services.organisation_update(
                    actor=user, organisation=organisation, expected_version=form.cleaned_data["version"] or 0, **values
                )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"{organisation.name} saved.")
            return redirect("services:organisation_detail", organisation.pk)
    return render_page(
        request,
        "services/organisation_form.html",
        {"form": form, "organisation": organisation, "section": "services"},
        status=conflict_status(form, 422) if request.method == "POST" else 200,
    )


@casework_view
def organisation_new(request: HttpRequest) -> HttpResponse:
    if not policy.can_edit_services_directory(_user(request)):
        raise Http404()
    return _organisation_form_page(request, None)


@casework_view
def organisation_edit(request: HttpRequest, organisation_id: str) -> HttpResponse:
    user = _user(request)
    if not policy.can_edit_services_directory(user):
        raise Http404()
    return _organisation_form_page(request, organisation_get_for(user, organisation_id))


def _service_form_page(request: HttpRequest, organisation: Organisation, service: Service | None) -> HttpResponse:
    user = _user(request)
    initial: dict[str, Any] = {"is_active": True, "referral_method": ReferralMethod.FORM}
    if service is not None:
        initial = {name: getattr(service, name) for name in services.SERVICE_FIELDS}
        initial["version"] = service.version
    form = ServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.SERVICE_FIELDS}
        try:
            if service is None:
                service = services.service_create(actor=user, organisation=organisation, **values)
            else:
                services.service_update(
                    actor=user, service=service, expected_version=form.cleaned_data["version"] or 0, **values
                )
        except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"{service.name} saved.")
            return redirect("services:service_detail", service.pk)
    return render_page(
        request,
        "services/service_form.html",
        {"form": form, "organisation": organisation, "service": service, "section": "services"},
        status=conflict_status(form, 422) if request.method == "POST" else 200,
    )


@casework_view
def service_new(request: HttpRequest, organisation_id: str) -> HttpResponse:
    user = _user(request)
    if not policy.can_edit_services_directory(user):
        raise Http404()
    return _service_form_page(request, organisation_get_for(user, organisation_id), None)


@casework_view
def service_edit(request: HttpRequest, service_id: str) -> HttpResponse:
    user = _user(request)
    if not policy.can_edit_services_directory(user):
        raise Http404()
    service = service_get_for(user, service_id)
    return _service_form_page(request, service.organisation, service)
