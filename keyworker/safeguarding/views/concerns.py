"""Safeguarding concerns: recording one from a client's casework, the concern's own page (actions, sharing
decisions, status, review date, the third-party record), the safeguarding lead's queue (for casework staff:
the concerns they raised) and a client's own concerns.

A concern about someone else is shown in full only to the safeguarding lead and the member of staff who
recorded it. Every other page about the client shows only that a concern exists."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.forms import conflict_status, show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.people.selectors import client_get_for
from keyworker.safeguarding import services
from keyworker.safeguarding.models import Concern, ConcernAbout, ConcernCategory
from keyworker.safeguarding.selectors import (
    concern_flag_for,
    concern_get_for,
    concern_queue_for,
    concerns_about_client_for,
    concerns_raised_by,
)
from keyworker.safeguarding.views.concerns_forms import (
    ConcernActionForm,
    ConcernForm,
    ReviewForm,
    SharingForm,
    StatusForm,
    ThirdPartyForm,
)


@casework_view
def concern_new(request: HttpRequest, client_id: str) -> HttpResponse:
    """Record a concern raised in this client's casework: about them, or about someone else (kept on that
    person's own record). `?category=` pre-selects the kind (the disclosure prompt's link sends it)."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    if not policy.can_record_concern(user, client):
        raise Http404()
    category = request.GET.get("category", "")
    initial = {
        "disclosed_on": timezone.localdate(),
        "category": category if category in ConcernCategory.values else "",
    }
    form = ConcernForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_record(actor=user, client=client, **form.service_values())
        except (ValidationFailed, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            if concern.about == ConcernAbout.CLIENT:
                messages.success(request, "Concern recorded. The safeguarding lead has been told.")
            else:
                messages.success(
                    request,
                    "Concern recorded on a separate record of its own, not in "
                    f"{client.display_name}\u2019s file. The safeguarding lead has been told.",
                )
            return redirect("safeguarding:concern_detail", concern.pk)
    client_viewed(actor=user, client_id=client.pk, obj=client, what="record a concern")
    return render_page(
        request,
        "safeguarding/concerns/concern_new.html",
        {"client": client, "form": form, "section": "caseload"},
        status=422 if request.method == "POST" else 200,
    )


def _concern_viewed(user: User, concern: Concern, what: str) -> None:
    """About the client: a view of the client's file. About someone else: a view of that person's record,
    with no client id (it must never appear in the client's trail)."""
    if concern.about == ConcernAbout.CLIENT:
        client_viewed(actor=user, client_id=concern.client_id, obj=concern, what=what)
    else:
        audit_event_record(actor=user, action=AuditAction.VIEW, obj=concern, detail={"what": what})


POST_FORMS: dict[str, tuple[type[Form], str]] = {
    "action": (ConcernActionForm, "act"),
    "sharing": (SharingForm, "share"),
    "status": (StatusForm, "status"),
    "review": (ReviewForm, "review"),
    "third_party": (ThirdPartyForm, "tp"),
}


def _apply(user: User, concern: Concern, which: str, data: dict[str, Any]) -> str:
    """Run the service for one of the page's forms; returns the message to show."""
    if which == "action":
        services.concern_action_add(actor=user, concern=concern, **data)
        return "Action recorded."
    if which == "sharing":
        shared = data["shared"] == "yes"
        services.sharing_decision_record(
            actor=user,
            concern=concern,
            shared=shared,
            shared_with=data["shared_with"] if shared else "",
            lawful_basis=data["lawful_basis"] if shared else "",
            reasons=data["reasons"],
        )
        return "Sharing decision recorded."
    if which == "status":
        services.concern_status_change(
            actor=user, concern=concern, status=data["status"], note=data["note"], expected_version=data["version"]
        )
        return "Status changed."
    if which == "review":
        services.concern_review_date_set(
            actor=user, concern=concern, review_on=data["review_on"], expected_version=data["version"]
        )
        return "Review date changed."
    assert concern.third_party is not None
    fields = {k: v for k, v in data.items() if k != "version"}
    services.third_party_update(actor=user, concern=concern, expected_version=data["version"], **fields)
    return "Record updated."


@staff_view
def concern_detail(request: HttpRequest, concern_id: str) -> HttpResponse:
    """A concern in full, for those who may see it; the lead and its recorder act on it here."""
    user: User = request.user  # type: ignore[assignment]
    concern = concern_get_for(user, concern_id)
    can_act = policy.can_act_on_concern(user, concern)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    if request.method == "POST" and (
        not can_act or which not in POST_FORMS or (which == "third_party" and not concern.third_party)
    ):
        raise Http404()
    forms: dict[str, Form] = {}
    for name, (form_class, prefix) in POST_FORMS.items():
        bound = request.POST if name == which else None
        forms[name] = form_class(bound, prefix=prefix, initial=_initial(name, concern))
    failed = False
    if which:
        form = forms[which]
        if form.is_valid():
            try:
                message = _apply(user, concern, which, form.cleaned_data)
            except (ValidationFailed, ConcurrentEdit, NotAllowed) as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("safeguarding:concern_detail", concern.pk)
        failed = True
        concern = concern_get_for(user, concern_id)  # a failed change leaves the concern as it was
    _concern_viewed(user, concern, "concern")
    return render_page(
        request,
        "safeguarding/concerns/concern_detail.html",
        {
            "concern": concern,
            "can_act": can_act,
            "forms": forms,
            "failed_form": forms[which] if failed else None,
            "is_lead": policy.is_safeguarding_lead(user),
            "today": timezone.localdate(),
            "section": "safeguarding" if policy.is_safeguarding_lead(user) else "caseload",
        },
        status=conflict_status(forms[which], 422) if failed else 200,
    )


def _initial(name: str, concern: Concern) -> dict[str, Any]:
    if name == "status":
        return {"status": concern.status, "version": concern.version}
    if name == "review":
        return {"review_on": concern.review_on, "version": concern.version}
    if name == "third_party" and concern.third_party is not None:
        record = concern.third_party
        return {
            "description": record.description,
            "name": record.name,
            "date_of_birth": record.date_of_birth,
            "phone": record.phone,
            "address": record.address,
            "safe_contact_note": record.safe_contact_note,
            "version": record.version,
        }
    return {}


@staff_view
def concern_queue(request: HttpRequest) -> HttpResponse:
    """The safeguarding lead's queue of concerns not yet closed; for casework staff, the concerns they raised."""
    user: User = request.user  # type: ignore[assignment]
    is_lead = policy.is_safeguarding_lead(user)
    if is_lead:
        concerns = list(concern_queue_for(user))
    elif policy.can_use_casework(user):
        concerns = list(concerns_raised_by(user))
    else:
        raise Http404()
    about_client = [c for c in concerns if c.about == ConcernAbout.CLIENT]
    clients_viewed(user, ((c.client_id, c) for c in about_client), what="concern list")
    others = [str(c.pk) for c in concerns if c.about != ConcernAbout.CLIENT]
    if others:  # the victims' records seen, in one event that names no client
        audit_event_record(
            actor=user,
            action=AuditAction.VIEW,
            object_type="safeguarding.concern",
            object_id="list",
            detail={"what": "concern list", "concerns": others},
        )
    return render_page(
        request,
        "safeguarding/concerns/concern_queue.html",
        {
            "concerns": concerns,
            "is_lead": is_lead,
            "today": timezone.localdate(),
            "section": "safeguarding" if is_lead else "caseload",
        },
    )


@casework_view
def client_concerns(request: HttpRequest, client_id: str) -> HttpResponse:
    """A client's own concerns (about them: part of their file) and, if one exists, the flag that a concern
    about someone else arose in their casework: nothing more."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    concerns = list(concerns_about_client_for(user, client))
    client_viewed(actor=user, client_id=client.pk, obj=client, what="concerns")
    return render_page(
        request,
        "safeguarding/concerns/client_concerns.html",
        {
            "client": client,
            "concerns": concerns,
            "concern_flag": concern_flag_for(user, client),
            "can_record": policy.can_record_concern(user, client),
            "section": "caseload",
        },
    )
