"""Referral-out pages by persona: a client's referrals and disclosure log, the form (save as a draft, or send;
sending refused without consent shows why and saves nothing), a referral with its updates and the forms
that move it on. Each page that shows the client is audited; anyone out of reach gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import ServiceFactory, signed_in
from keyworker.core.tests.test_authorisation_matrix import _assert_cell, _build_world, _views_of, allowed_states
from keyworker.intake.models import AgencyKind
from keyworker.intake.services import consent_record
from keyworker.privacy.models import Disclosure
from keyworker.services.models import OutboundReferral, OutboundReferralUpdate, OutboundStatus

pytestmark = pytest.mark.django_db

RECORD_ROUTES = ("referral_detail", "referral_edit", "referral_send", "referral_update", "referral_follow_up")


def _viewed(user, client) -> int:
    return AuditEvent.objects.filter(actor=user, client_id=client.pk, action=AuditAction.VIEW).count()


def _referral(p, client, **fields):
    values = {
        "service": ServiceFactory(name="Brief Intervention Service"),
        "reason": "Cannabis.",
        "shared": "Name and phone.",
        "made_by": p.you,
    }
    values.update(fields)
    return OutboundReferral.objects.create(client=client, **values)


def test_referral_routes_follow_the_client_record_matrix():
    """Every role x record state of the client-record row for the routes addressed by a referral out: allowed
    cells answer (and the pages are audited), denied cells are 404 and show nothing, a denied POST changes
    nothing; anonymous callers are sent to sign in."""
    world = _build_world()
    referrals = {
        state: _referral(world.personas, bundle.client, reason=f"Referral of {bundle.marker}")
        for state, bundle in world.bundles.items()
    }
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states("client-record", role)
        for state, bundle in world.bundles.items():
            for name in RECORD_ROUTES:
                url = reverse(f"services:{name}", args=[referrals[state].pk])
                before = _views_of(viewer, bundle)
                response = http.get(url)
                _assert_cell(response, state in allowed, bundle.marker, f"GET {name} {role} {state}")
                if state in allowed and response.status_code == 200:
                    assert _views_of(viewer, bundle) > before, (name, role, state, "not audited")
                if state not in allowed:
                    response = http.post(
                        url,
                        {
                            "version": "1",
                            "status": "withdrawn",
                            "reason": "x",
                            "occurred_on": timezone.localdate().isoformat(),
                        },
                    )
                    assert response.status_code == 404, (name, role, state)
    assert not OutboundReferral.objects.exclude(status=OutboundStatus.DRAFT).exists()
    assert not OutboundReferralUpdate.objects.exists()
    http.logout()
    for name in RECORD_ROUTES:
        response = http.get(reverse(f"services:{name}", args=[referrals["own"].pk]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_client_referrals_page_by_persona(personas, django_assert_max_num_queries):
    p = personas
    client = p.client_of(p.you, first_name="Marcus")
    for _ in range(5):
        _referral(p, client, follow_up_on=timezone.localdate() + dt.timedelta(days=3))
    Disclosure.objects.create(
        client=client,
        what="Name and phone.",
        recipient="BIS (Lambeth Recovery Trust)",
        basis="Consent covers this.",
        disclosed_at=timezone.now(),
        disclosed_by=p.you,
        source_type="services.outboundreferral",
        source_id=_referral(p, client).pk,
    )
    url = reverse("services:client_referrals", args=[client.pk])
    for user in (p.you, p.teammate, p.manager):
        http = signed_in(user)
        before = _viewed(user, client)
        with django_assert_max_num_queries(25):
            response = http.get(url)
        page = response.content.decode()
        assert response.status_code == 200 and "Brief Intervention Service" in page
        assert "BIS (Lambeth Recovery Trust)" in page and "Consent covers this." in page  # the disclosure log
        assert _viewed(user, client) == before + 1
    for user in (p.other_caseworker, p.other_manager, p.report_viewer):
        response = signed_in(user).get(url)
        assert response.status_code == 404 and "Marcus" not in response.content.decode()
    response = HttpClient().get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_list_query_count_does_not_grow(personas, django_assert_num_queries):
    p = personas
    client = p.client_of(p.you)
    _referral(p, client)
    http = signed_in(p.you)
    url = reverse("services:client_referrals", args=[client.pk])
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for _ in range(8):
        _referral(p, client, service=ServiceFactory())
    with django_assert_num_queries(len(few)):
        http.get(url)


def _form(service, action, **extra):
    return {
        "service": str(service.pk),
        "reason": "Cutting down on cannabis.",
        "shared": "Name, phone, use.",
        "follow_up_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        "action": action,
        **extra,
    }


def test_save_as_draft_then_send_once_consent_is_recorded(personas):
    p = personas
    client = p.client_of(p.you)
    service = ServiceFactory(name="Brief Intervention Service")
    http = signed_in(p.you)
    response = http.post(reverse("services:referral_new", args=[client.pk]), _form(service, "draft"))
    referral = OutboundReferral.objects.get()
    assert response.status_code == 302 and referral.status == OutboundStatus.DRAFT
    # Sending without consent: the reason, and nothing changes.
    response = http.post(reverse("services:referral_send", args=[referral.pk]), {"version": referral.version})
    assert response.status_code == 422
    assert "No consent or other lawful basis recorded covers this." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == OutboundStatus.DRAFT and not Disclosure.objects.exists()
    consent_record(
        actor=p.you,
        client=client,
        agency_kinds=[AgencyKind.DRUG_AND_ALCOHOL],
        method="verbal",
        given_on=timezone.localdate(),
    )
    response = http.post(reverse("services:referral_send", args=[referral.pk]), {"version": referral.version})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == OutboundStatus.SENT and Disclosure.objects.get().basis == referral.basis
    page = http.get(reverse("services:client_referrals", args=[client.pk])).content.decode()
    assert "Name, phone, use." in page and "Brief Intervention Service (" in page


def test_send_from_the_form_without_consent_keeps_nothing_and_says_why(personas):
    p = personas
    client = p.client_of(p.you)
    response = signed_in(p.you).post(
        reverse("services:referral_new", args=[client.pk]), _form(ServiceFactory(), "send")
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page and "No consent or other lawful basis recorded covers this." in page
    assert not OutboundReferral.objects.exists() and not Disclosure.objects.exists()


def test_bad_input_on_the_form(personas):
    p = personas
    client = p.client_of(p.you)
    response = signed_in(p.you).post(
        reverse("services:referral_new", args=[client.pk]),
        {"service": "", "reason": "", "follow_up_on": "not a date", "action": "draft"},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "Choose the service." in page and "Say why you are referring them." in page and "real date" in page
    assert not OutboundReferral.objects.exists()


def test_updates_on_the_referral_page(personas):
    p = personas
    client = p.client_of(p.you)
    referral = _referral(p, client, status=OutboundStatus.SENT, sent_on=timezone.localdate())
    http = signed_in(p.teammate)
    url = reverse("services:referral_update", args=[referral.pk])
    today = timezone.localdate().isoformat()
    response = http.post(url, {"version": referral.version, "status": "declined", "occurred_on": today})
    assert response.status_code == 422 and "Say why it was declined." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == OutboundStatus.SENT
    response = http.post(
        url,
        {
            "version": referral.version,
            "status": "first_appointment",
            "occurred_on": today,
            "first_appointment_on": today,
            "first_appointment_time": "14:30",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == OutboundStatus.FIRST_APPOINTMENT
    assert timezone.localtime(referral.first_appointment_at).strftime("%H:%M") == "14:30"
    # A stale form is refused with a clear message.
    response = http.post(url, {"version": 1, "status": "attended", "occurred_on": today})
    assert response.status_code == 409 and "Someone else changed this record" in response.content.decode()
    page = http.get(reverse("services:referral_detail", args=[referral.pk])).content.decode()
    assert "First appointment booked" in page and "Kim Teammate" in page


def test_follow_up_date_on_the_referral_page(personas):
    p = personas
    referral = _referral(p, p.client_of(p.you))
    http = signed_in(p.you)
    later = timezone.localdate() + dt.timedelta(days=10)
    url = reverse("services:referral_follow_up", args=[referral.pk])
    assert http.post(url, {"version": referral.version, "follow_up_on": later.isoformat()}).status_code == 302
    referral.refresh_from_db()
    assert referral.follow_up_on == later
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = http.post(url, {"version": referral.version, "follow_up_on": past})
    assert response.status_code == 422 and "cannot be in the past" in response.content.decode()
    referral.refresh_from_db()
    assert referral.follow_up_on == later


def test_client_page_links_to_referrals(personas):
    p = personas
    client = p.client_of(p.you)
    page = signed_in(p.you).get(reverse("people:client_detail", args=[client.pk])).content.decode()
    assert reverse("services:client_referrals", args=[client.pk]) in page
