"""Referral pages: the team's open referrals, a new referral, one referral with its steps, and accepting it
(which shows possible duplicates first). Thin: selectors and services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from keyworker.accounts.models import User
from keyworker.accounts.selectors import assignable_staff_for, assignable_staff_get_for
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, client_viewed, clients_viewed, records_viewed
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.funding.rules import Facts
from keyworker.funding.selectors import eligibility_for_facts
from keyworker.intake import services
from keyworker.intake.forms import (
    CHOOSE,
    AcceptForm,
    ConsentForm,
    ContactAttemptForm,
    ReferralForm,
    ReferralStatusForm,
    WithdrawConsentForm,
)
from keyworker.intake.models import AgencyKind, ConsentMethod, Referral
from keyworker.intake.rules import OPEN_STATUSES, hours_to_first_contact, in_force, sharing_permitted
from keyworker.intake.selectors import (
    consent_fact,
    consent_list_for,
    referral_duplicates_for,
    referral_get_for,
    referral_list_for,
    referral_steps,
)
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for


def _viewed(user: User, referral: Referral, what: str) -> None:
    """A referral is personal data before it is a client: every page showing one is on the record."""
    audit_event_record(
        actor=user, action=AuditAction.VIEW, obj=referral, client_id=referral.client_id, detail={"what": what}
    )



@casework_view
def referral_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    referrals = list(referral_list_for(user))
    records_viewed(user, referrals, what="referral list")
    return render_page(
        request, "intake/referral_list.html", {"referrals": referrals, "now": timezone.now(), "section": "referrals"}
    )


@casework_view
def referral_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_receive(actor=user, received_at=form.received_at(), **form.service_fields())
        except (ValidationFailed, NotAllowed) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, "Referral recorded.")
            return redirect("intake:referral_detail", referral.pk)
    return render_page(
        request,
        "intake/referral_new.html",
        {"form": form, "section": "referrals"},
        status=422 if request.method == "POST" else 200,
    )


@casework_view
def referral_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return _detail_page(request, user, referral_get_for(user, referral_id))


def _detail_page(
    request: HttpRequest, user: User, referral: Referral, *, status_form: ReferralStatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The referral's page; with a refused step's form (a concurrent edit: both versions on it) shown again."""
    _viewed(user, referral, "referral")
    return render_page(
        request,
        "intake/referral_detail.html",
        {
            "referral": referral,
            "steps": list(referral_steps(referral)),
            "hours_to_first_contact": hours_to_first_contact(referral.received_at, referral.first_contact_at),
            "is_open": referral.status in OPEN_STATUSES,
            "contact_form": ContactAttemptForm(initial={"version": referral.version}),
            "status_form": status_form or ReferralStatusForm(initial={"version": referral.version}),
            "now": timezone.now(),
            "section": "referrals",
            "eligibility": eligibility_for_facts(user, referral_facts(referral))
            if referral.status in OPEN_STATUSES
            else [],
        },
        status=status,
    )


def referral_facts(referral: Referral) -> Facts:
    """What the funding rules can know before the referral becomes a case (no programme chosen yet)."""
    return Facts(
        as_at=timezone.localdate(),
        date_of_birth=referral.date_of_birth,
        gender=referral.gender,
        home_area=referral.home_area,
        postcode=referral.postcode,
        referred_on=timezone.localdate(referral.received_at),
        referral_source=referral.source,
    )


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@casework_view
@require_POST
def referral_contact(request: HttpRequest, referral_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    referral = referral_get_for(user, referral_id)
    try:
        services.referral_record_contact_attempt(
            actor=user, referral=referral, note=request.POST.get("note", "")[:2000], expected_version=_version(request)
        )
    except (ValidationFailed, NotAllowed, ConcurrentEdit) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Contact attempt recorded.")
    return redirect("intake:referral_detail", referral.pk)


@casework_view
@require_POST
def referral_status(request: HttpRequest, referral_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    referral = referral_get_for(user, referral_id)
    form = ReferralStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a step.")
        return redirect("intake:referral_detail", referral.pk)
    try:
        services.referral_set_status(
            actor=user,
            referral=referral,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ConcurrentEdit as exc:
        show_service_errors(form, exc)  # the step and reason stay; theirs shown beside them
        return _detail_page(request, user, referral_get_for(user, referral.pk), status_form=form, status=409)
    except (ValidationFailed, NotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Referral {referral.get_status_display().lower()}.")
    return redirect("intake:referral_detail", referral.pk)


def _match_label(client: Client) -> str:
    born = f"born {client.date_of_birth:%-d %b %Y}" if client.date_of_birth else "date of birth not known"
    area = f", {client.home_area}" if client.home_area else ""
    return f"{client.display_name} ({born}{area})"


@casework_view
def referral_accept(request: HttpRequest, referral_id: str) -> HttpResponse:
    """Accept: possible duplicates (only those the user may see, and a note that others exist) are shown
    before anything is created; the user picks one or says the person is new."""
    user: User = request.user  # type: ignore[assignment]
    referral = referral_get_for(user, referral_id)
    if referral.status not in OPEN_STATUSES:
        messages.error(request, f"This referral is {referral.get_status_display().lower()}: it cannot be accepted.")
        return redirect("intake:referral_detail", referral.pk)
    visible, hidden = referral_duplicates_for(user, referral)
    keyworkers = [(str(u.pk), "Me" if u.pk == user.pk else u.display_name) for u in assignable_staff_for(user)]
    form = AcceptForm(
        request.POST or None,
        keyworkers=keyworkers,
        matches=[(str(c.pk), _match_label(c)) for c in visible],
        initial={"version": referral.version, "keyworker": str(user.pk)},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["existing_client"]
        try:
            existing = None
            if chosen and chosen != AcceptForm.NEW:
                existing = client_get_for(user, chosen)
            keyworker = None
            if form.cleaned_data["keyworker"]:
                keyworker = assignable_staff_get_for(user, form.cleaned_data["keyworker"])
            case = services.referral_accept(
                actor=user,
                referral=referral,
                programme=form.cleaned_data["programme"],
                keyworker=keyworker,
                existing_client=existing,
                confirm_new=chosen == AcceptForm.NEW,
                expected_version=form.cleaned_data["version"],
                consent=form.consent(),
            )
        except NotFound:
            form.add_error("existing_client", "Choose one of the clients listed.")
        except (ValidationFailed, NotAllowed, ConcurrentEdit) as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"Referral accepted: case {case.reference} opened.")
            return redirect("people:client_detail", case.client_id)
    _viewed(user, referral, "accept referral")
    clients_viewed(user, ((c.pk, c) for c in visible), what="possible duplicate")
    return render_page(
        request,
        "intake/referral_accept.html",
        {
            "referral": referral,
            "form": form,
            "visible": visible,
            "hidden": hidden,
            "hidden_message": services.HIDDEN_MATCH_MESSAGE,
            "section": "referrals",
        },
        status=422 if request.method == "POST" else 200,
    )


# --- consent and lawful basis ------------------------------------------------------------------------------


@casework_view
def client_consent(request: HttpRequest, client_id: str) -> HttpResponse:
    """A client's consent and lawful basis: what is in force, what each kind of agency may be sent today
    and why, the full history (withdrawals kept), a form to record more and a way to withdraw."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = ConsentForm(request.POST if action == "record" else None)
    withdraw_form = WithdrawConsentForm(request.POST if action == "withdraw" else None)
    status = 200
    if request.method == "POST":
        try:
            if action == "record":
                if not form.is_valid():
                    raise ValidationFailed("There is a problem with what was entered.")
                services.consent_record(actor=user, client=client, **form.cleaned_data)
                done = "Consent and lawful basis recorded."
            elif action == "withdraw":
                if not withdraw_form.is_valid():
                    raise ValidationFailed("Say why, and when, it was withdrawn.")
                data = withdraw_form.cleaned_data
                record = next((r for r in consent_list_for(user, client) if r.pk == data["consent"]), None)
                if record is None:
                    raise ValidationFailed("Choose a record of this client's.")
                services.consent_withdraw(
                    actor=user,
                    record=record,
                    reason=data["reason"],
                    withdrawn_on=data["withdrawn_on"],
                    method=data["method"],
                    expected_version=data["version"],
                )
                done = "Withdrawal recorded."
            else:
                raise ValidationFailed("Choose what to do.")
        except (ValidationFailed, NotAllowed, ConcurrentEdit) as exc:
            target = withdraw_form if action == "withdraw" else form
            if not target.errors or getattr(exc, "field_errors", None):
                show_service_errors(target, exc)
            status = 403 if isinstance(exc, NotAllowed) else 409 if isinstance(exc, ConcurrentEdit) else 422
        else:
            messages.success(request, done)
            return redirect("intake:client_consent", client.pk)
    records = list(consent_list_for(user, client))
    facts = [consent_fact(r) for r in records]
    today = timezone.localdate()
    sharing = [(label, *sharing_permitted(facts, kind, today)) for kind, label in AgencyKind.choices]
    client_viewed(
        actor=user,
        client_id=client.pk,
        obj=client,
        what="consent page",
    )
    return render_page(
        request,
        "intake/client_consent.html",
        {
            "client": client,
            "in_force": [r for r, f in zip(records, facts, strict=True) if in_force(f, today)],
            "records": records,
            "sharing": sharing,
            "form": form,
            "withdraw_form": withdraw_form,
            "action": action,
            "method_choices": CHOOSE + list(ConsentMethod.choices),
            "section": "caseload",
        },
        status=status,
    )
