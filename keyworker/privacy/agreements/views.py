"""Sharing agreement pages (the register, an agreement and what was shared under it, the add and change forms)
and a client's full disclosure log. The register holds no personal data; an agreement's page and the log show
clients' records, so they audit the view of each client shown."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.forms import form_saved
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.people.selectors import client_get_for
from keyworker.privacy.agreements import selectors
from keyworker.privacy.agreements import services as agreement_services
from keyworker.privacy.agreements.forms import AgreementForm
from keyworker.privacy.models import SharingAgreement
from keyworker.privacy.selectors import disclosures_for

MAX_LISTED = 200


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _register_view(view: Any) -> Any:
    """The register's pages exist for those who may read it; for anyone else they do not exist."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.can_see_sharing_agreements(_user(request)):
            raise Http404()
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return staff_view(wrapper)


@_register_view
def agreement_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    agreements = list(selectors.sharing_agreements_for(user)[:MAX_LISTED])
    rows = [(a, selectors.agreement_state(a, today)) for a in agreements]
    return render_page(
        request,
        "privacy/agreements/list.html",
        {"rows": rows, "can_manage": policy.can_manage_sharing_agreements(user), "States": selectors.AgreementState},
    )


@_register_view
def agreement_detail(request: HttpRequest, agreement_id: str) -> HttpResponse:
    """The agreement, with the referrals and disclosures made under it that the viewer may see."""
    user = _user(request)
    agreement = selectors.sharing_agreement_get_for(user, agreement_id)
    referrals = list(selectors.agreement_referrals_for(user, agreement)[:MAX_LISTED])
    disclosures = list(selectors.agreement_disclosures_for(user, agreement)[:MAX_LISTED])
    shown = [(r.client_id, r) for r in referrals] + [(d.client_id, d) for d in disclosures]
    if shown:
        clients_viewed(user, shown, what="sharing agreement")
    return render_page(
        request,
        "privacy/agreements/detail.html",
        {
            "agreement": agreement,
            "state": selectors.agreement_state(agreement, timezone.localdate()),
            "referrals": referrals,
            "disclosures": disclosures,
            "total": selectors.agreement_disclosure_total(user, agreement),
            "can_manage": policy.can_manage_sharing_agreements(user),
        },
    )


def _form_page(request: HttpRequest, agreement: SharingAgreement | None) -> HttpResponse:
    user = _user(request)
    if not policy.can_manage_sharing_agreements(user):
        raise Http404()
    initial: dict[str, Any] = {}
    if agreement is not None:
        initial = {name: getattr(agreement, name) for name in agreement_services.AGREEMENT_FIELDS}
        initial["version"] = agreement.version
    form = AgreementForm(request.POST or None, initial=initial)
    status = 200
    saved: list[SharingAgreement] = []

    def save(data: dict[str, Any]) -> None:
        values = {name: data[name] for name in agreement_services.AGREEMENT_FIELDS}
        if agreement is None:
            saved.append(agreement_services.sharing_agreement_create(actor=user, **values))
        else:
            saved.append(
                agreement_services.sharing_agreement_update(
                    actor=user, agreement=agreement, expected_version=data["version"] or 0, **values
                )
            )

    if request.method == "POST":
        outcome = form_saved(form, save)
        if outcome is None:
            messages.success(request, f"{saved[0].title} saved.")
            return redirect("privacy:agreement_detail", saved[0].pk)
        status = outcome
    return render_page(request, "privacy/agreements/form.html", {"form": form, "agreement": agreement}, status=status)


@_register_view
def agreement_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@_register_view
def agreement_edit(request: HttpRequest, agreement_id: str) -> HttpResponse:
    agreement = selectors.sharing_agreement_get_for(_user(request), agreement_id)
    return _form_page(request, agreement)


@casework_view
def client_disclosures(request: HttpRequest, client_id: str) -> HttpResponse:
    """Everything about the client that has left Keyworker: when, what, to whom, by whom, on which basis and
    under which agreement. Seen by whoever may see the client."""
    user = _user(request)
    client = client_get_for(user, client_id)
    disclosures = list(disclosures_for(user, client))
    client_viewed(actor=user, client_id=client.pk, obj=client, what="disclosure log")
    return render_page(request, "privacy/disclosures/client.html", {"client": client, "disclosures": disclosures})
