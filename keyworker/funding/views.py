"""Funding pages: the streams and their rules (everyone doing casework reads; managers edit), and a
client's eligibility across the active streams, where their case is allocated, taken on unfunded or put on
the waiting list."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, client_viewed
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, NotFound, ValidationFailed, one_or_not_found
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.tables import tables_csv, tables_xlsx
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.funding import reports, services
from keyworker.funding.forms import (
    AllocateForm,
    DecideForm,
    RuleForm,
    StreamForm,
    TargetForm,
    UnfundedForm,
    WaitingListForm,
)
from keyworker.funding.models import FundingStream, UnfundedDecision
from keyworker.funding.rules import describe
from keyworker.funding.selectors import (
    eligibility_for,
    stream_get_for,
    stream_list_for,
    stream_target_get_for,
    stream_targets_of,
    unfunded_list_for,
    waiting_list_for,
)


@casework_view
def stream_list(request: HttpRequest) -> HttpResponse:
    """Every stream with its places; managers add streams here."""
    user: User = request.user  # type: ignore[assignment]
    can_manage = policy.can_manage_funding(user)
    if request.method == "POST" and not can_manage:
        raise Http404()
    form = StreamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            funder = services.funder_find_or_create(actor=user, name=data["funder"])
            stream = services.funding_stream_create(
                actor=user,
                funder=funder,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                places=data["places"],
                targets=data["targets"],
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Stream added. Add its eligibility rules below.")
            return redirect("funding:stream_detail", stream.pk)
    streams = list(stream_list_for(user))
    return render_page(
        request,
        "funding/stream_list.html",
        {
            "streams": streams,
            "form": form,
            "can_manage": can_manage,
            "section": "funding",
            "can_see_capacity": policy.can_see_capacity(user),
        },
        status=422 if request.method == "POST" else 200,
    )


TARGET_ACTIONS = ("set_target", "remove_target")


@casework_view
def stream_detail(request: HttpRequest, stream_id: str) -> HttpResponse:
    """A stream, its rules in words, its places and its targets; managers add and remove rules and set and
    remove targets."""
    user: User = request.user  # type: ignore[assignment]
    stream = stream_get_for(user, stream_id)
    can_manage = policy.can_manage_funding(user)
    can_set_targets = policy.can_set_stream_targets(user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    allowed = can_set_targets if action in TARGET_ACTIONS else can_manage
    if request.method == "POST" and not allowed:
        raise Http404()
    form = RuleForm(request.POST if action == "add_rule" else None)
    target_form = TargetForm(request.POST if action == "set_target" else None)
    if action == "remove_target":
        target = stream_target_get_for(user, stream, request.POST.get("target", ""))
        services.stream_target_remove(actor=user, target=target)
        messages.success(request, f"Target removed: {target.get_measure_display()}.")
        return redirect("funding:stream_detail", stream.pk)
    if action == "set_target" and target_form.is_valid():
        data = target_form.cleaned_data
        had = stream.target_figures.filter(measure=data["measure"]).exists()
        try:
            target = services.stream_target_set(
                actor=user, stream=stream, measure=data["measure"], target=data["target"], note=data["note"]
            )
        except ValidationFailed as exc:
            show_service_errors(target_form, exc)
        else:
            done = "changed" if had else "added"
            messages.success(request, f"Target {done}: {target.get_measure_display()}, {target.target}.")
            return redirect("funding:stream_detail", stream.pk)
    if request.method == "POST" and action != "set_target":
        if action == "remove_rule":
            rule = one_or_not_found(stream.rules.all(), pk=request.POST.get("rule"))
            services.eligibility_rule_remove(actor=user, rule=rule)
            messages.success(request, "Rule removed. Eligibility is worked out again on every page from now.")
            return redirect("funding:stream_detail", stream.pk)
        if form.is_valid():
            try:
                services.eligibility_rule_add(
                    actor=user, stream=stream, kind=form.cleaned_data["kind"], parameters=form.parameters()
                )
            except ValidationFailed as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, "Rule added.")
                return redirect("funding:stream_detail", stream.pk)
    rules = [(rule, describe(rule)) for rule in stream.rules.all()]
    return render_page(
        request,
        "funding/stream_detail.html",
        {
            "stream": stream,
            "rules": rules,
            "places_left": max(stream.places - getattr(stream, "places_used", 0), 0),
            "form": form,
            "can_manage": can_manage,
            "targets": stream_targets_of(stream),
            "target_form": target_form,
            "can_set_targets": can_set_targets,
            "section": "funding",
        },
        status=422 if request.method == "POST" else 200,
    )


def _uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


@casework_view
def client_eligibility(request: HttpRequest, client_id: str) -> HttpResponse:
    """Which streams a client is eligible for and why not, places left, and what to do about it."""
    user: User = request.user  # type: ignore[assignment]
    case_id = request.POST.get("case") or request.GET.get("case") or None
    client, case, results = eligibility_for(user, client_id, _uuid_or_none(case_id) if case_id else None)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms_by_action: dict[str, forms.Form] = {
        "allocate": AllocateForm(request.POST if action == "allocate" else None),
        "unfunded": UnfundedForm(request.POST if action == "unfunded" else None),
        "waiting": WaitingListForm(request.POST if action == "waiting" else None),
        "decide": DecideForm(request.POST if action == "decide" else None),
    }
    status = 200
    if request.method == "POST":
        form = forms_by_action.get(action)
        if form is None:
            raise Http404()
        try:
            if case is None and action in ("allocate", "unfunded"):
                raise ValidationFailed("This client has no open case to fund.")
            if not form.is_valid():
                raise ValidationFailed("There is a problem with what was entered.")
            done = _act(user, action, form.cleaned_data, client, case)
        except ValidationFailed as exc:
            if exc.field_errors or not form.errors:
                show_service_errors(form, exc)
            status = 422
        except NotAllowed as exc:
            form.add_error(None, exc.message)
            status = 403
        else:
            messages.success(request, done)
            return redirect("funding:client_eligibility", client.pk)
    client_viewed(
        actor=user,
        client_id=client.pk,
        obj=client,
        what="eligibility page",
    )
    unfunded = list(unfunded_list_for(user).filter(case__client=client).select_related("requested_by", "decided_by"))
    return render_page(
        request,
        "funding/client_eligibility.html",
        {
            "client": client,
            "case": case,
            "results": results,
            "eligible_count": sum(1 for r in results if r.verdict.eligible),
            "unfunded": unfunded,
            "waiting": list(waiting_list_for(user).filter(client=client)),
            "allocations": list(case.stream_allocations.select_related("stream")) if case is not None else [],
            "forms": forms_by_action,
            "action": action,
            "can_decide": case is not None and policy.can_approve_unfunded(user, case),
            "section": "caseload",
        },
        status=status,
    )


def _act(user: User, action: str, data: dict[str, Any], client: Any, case: Any) -> str:
    """Carry out one of the page's forms; the message to show on success."""
    if action == "allocate":
        try:
            stream = stream_get_for(user, data["stream"])
        except NotFound as exc:
            raise ValidationFailed("Choose a stream.", {"stream": ["Choose a stream."]}) from exc
        services.case_allocate_to_stream(actor=user, case=case, stream=stream, override_reason=data["override_reason"])
        return f"Case {case.reference} is now funded by {stream.name}."
    if action == "unfunded":
        services.unfunded_request(actor=user, case=case, reason=data["reason"])
        return "Asked for approval to take this case on unfunded. The team's manager has been told."
    if action == "waiting":
        wanted: FundingStream | None = None
        if data.get("stream"):
            try:
                wanted = stream_get_for(user, data["stream"])
            except NotFound as exc:
                raise ValidationFailed("Choose a stream.", {"stream": ["Choose a stream."]}) from exc
        services.waiting_list_add(actor=user, client=client, case=case, stream=wanted, note=data["note"])
        return "Added to the waiting list."
    work = unfunded_list_for(user).filter(case__client=client, pk=data["work"]).first()
    if work is None:
        raise ValidationFailed("Choose the request.", {"work": ["That request is not on this client's record."]})
    approve = data["decision"] == UnfundedDecision.APPROVED
    services.unfunded_decide(actor=user, work=work, approve=approve, reason=data["decision_reason"])
    return "Unfunded work approved." if approve else "Unfunded work declined."


# ------------------------------------------------------------------------------ capacity and unfunded demand


def _period(request: HttpRequest) -> tuple[dt.date | None, dt.date | None]:
    """?since=YYYY-MM-DD&until=YYYY-MM-DD; anything else means the default (the last 12 months)."""

    def read(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return read("since"), read("until")


def _report(request: HttpRequest) -> reports.CapacityReport:
    user: User = request.user  # type: ignore[assignment]
    since, until = _period(request)
    return reports.capacity_report_for(user, since=since, until=until)


@staff_view
def capacity(request: HttpRequest) -> HttpResponse:
    """A team's funding capacity and the unfunded work it carries, in aggregate (managers of the team)."""
    report = _report(request)
    return render_page(
        request,
        "funding/capacity.html",
        {
            "report": report,
            "tables": reports.report_tables(report),
            "suppress_below": reports.SUPPRESS_BELOW,
            "period_query": f"?since={report.since.isoformat()}&until={report.until.isoformat()}",
            "section": "funding",
        },
    )


def _audit_export(request: HttpRequest, report: reports.CapacityReport, fmt: str) -> None:
    user: User = request.user  # type: ignore[assignment]
    audit_event_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="funding.capacityreport",
        object_id=str(user.team_id),
        detail={"format": fmt, "since": report.since.isoformat(), "until": report.until.isoformat()},
    )


def _filename(report: reports.CapacityReport, ext: str) -> str:
    return f'attachment; filename="capacity-{report.since.isoformat()}-to-{report.until.isoformat()}.{ext}"'


@staff_view
def capacity_csv(request: HttpRequest) -> HttpResponse:
    """The report's tables one after another in one CSV file, a blank line between them."""
    report = _report(request)
    response = HttpResponse(tables_csv(reports.report_tables(report)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(report, "csv")
    _audit_export(request, report, "csv")
    return response


@staff_view
def capacity_xlsx(request: HttpRequest) -> HttpResponse:
    """The report as a workbook, one sheet per table."""
    report = _report(request)
    response = HttpResponse(
        tables_xlsx(reports.report_tables(report)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _filename(report, "xlsx")
    _audit_export(request, report, "xlsx")
    return response
