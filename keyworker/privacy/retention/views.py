"""Retention pages (the data protection officer only; for anyone else they do not exist): the review queue
(approve several at once, or keep one with a reason and a date), the policies, and the history of removals."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from keyworker.accounts.models import User
from keyworker.audit.services import clients_viewed
from keyworker.core import policy
from keyworker.core.forms import form_saved
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.privacy.retention import selectors, services
from keyworker.privacy.retention.forms import ApproveForm, HoldForm, PolicyForm
from keyworker.privacy.retention.kinds import KINDS


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _officer_view(view: Any) -> Any:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.can_manage_retention(_user(request)):
            raise Http404()
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return staff_view(wrapper)


def _audit_clients_shown(user: User, items: list[selectors.QueueItem]) -> None:
    """The queue shows clients' names and case references: a read of their records."""
    clients_viewed(
        user,
        [(i.review.object_id, i.review) for i in items if i.kind.key == "closed_client"],
        what="retention review",
    )


@_officer_view
def retention_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    items = selectors.retention_queue(user)
    form = ApproveForm(
        request.POST if request.method == "POST" else None, choices=[(str(i.review.pk), i.what) for i in items]
    )
    status = 200
    if request.method == "POST":
        saved = form_saved(
            form,
            lambda data: services.retention_reviews_approve(
                actor=user, review_ids=[uuid.UUID(v) for v in data["reviews"]]
            ),
        )
        if saved is None:
            count = len(form.cleaned_data["reviews"])
            messages.success(
                request, f"{count} {'record' if count == 1 else 'records'} approved for removal at the next run."
            )
            return redirect("privacy:retention_queue")
        status = saved
    _audit_clients_shown(user, items)
    return render_page(
        request,
        "privacy/retention/queue.html",
        {"form": form, "items": items, "section": "data_protection"},
        status=status,
    )


@_officer_view
def retention_keep(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    items = [i for i in selectors.retention_queue(user) if i.review.pk == review_id]
    if not items:
        raise Http404()
    item = items[0]
    form = HoldForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        saved = form_saved(
            form,
            lambda data: services.retention_review_hold(
                actor=user, review_id=review_id, reason=data["reason"], hold_until=data["hold_until"]
            ),
        )
        if saved is None:
            messages.success(request, f"{item.what} is kept until {form.cleaned_data['hold_until']:%-d %B %Y}.")
            return redirect("privacy:retention_queue")
        status = saved
    _audit_clients_shown(user, items)
    return render_page(
        request,
        "privacy/retention/keep.html",
        {"form": form, "item": item, "section": "data_protection"},
        status=status,
    )


@_officer_view
def retention_policies(request: HttpRequest) -> HttpResponse:
    rows = selectors.retention_policies(_user(request))
    return render_page(request, "privacy/retention/policies.html", {"rows": rows, "section": "data_protection"})


@_officer_view
def retention_policy_edit(request: HttpRequest, kind: str) -> HttpResponse:
    user = _user(request)
    rows = {k.key: (k, rule, row) for k, rule, row in selectors.retention_policies(user)}
    if kind not in rows:
        raise Http404()
    k, rule, row = rows[kind]
    initial = {
        "period_months": rule.period_months,
        "action": rule.action,
        "needs_review": rule.needs_review,
        "note": row.note if row else "",
        "expected_version": rule.version,
    }
    form = PolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    action_field: Any = form.fields["action"]
    action_field.choices = [(value, label) for value, label in action_field.choices if value in k.actions]
    status = 200
    if request.method == "POST":
        saved = form_saved(
            form,
            lambda data: services.retention_policy_update(
                actor=user,
                kind=kind,
                period_months=data["period_months"],
                action=data["action"],
                needs_review=data["needs_review"],
                note=data["note"],
                expected_version=data["expected_version"],
            ),
        )
        if saved is None:
            messages.success(request, f"The policy for {k.label.lower()} was changed.")
            return redirect("privacy:retention_policies")
        status = saved
    return render_page(
        request,
        "privacy/retention/policy_edit.html",
        {"form": form, "kind": k, "section": "data_protection"},
        status=status,
    )


@_officer_view
def retention_history(request: HttpRequest) -> HttpResponse:
    reviews = selectors.retention_history(_user(request))
    return render_page(
        request,
        "privacy/retention/history.html",
        {"reviews": reviews, "kinds": KINDS, "section": "data_protection"},
    )
