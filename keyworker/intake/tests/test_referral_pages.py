"""Referral pages: list, record, one referral, its steps, and accepting it (duplicates shown first).
Also the access rule for the pages that name a referral (see SPECIAL_ROUTES in the authorisation matrix):
the receiving team's casework staff only; anyone else gets 404 and none of the data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import Personas, UserFactory
from keyworker.intake import services
from keyworker.intake.models import Referral, ReferralSource, ReferralStatus, Urgency
from keyworker.people.models import Client

pytestmark = pytest.mark.django_db
DOB = dt.date(2003, 5, 9)


def referral(p: Personas, **overrides: Any) -> Referral:
    fields: dict[str, Any] = {
        "actor": p.you,
        "source": ReferralSource.SELF,
        "reason": "Wants out.",
        "first_name": "Kayla",
        "last_name": "Zindabad",
        "date_of_birth": DOB,
        "urgency": Urgency.URGENT,
        "received_at": timezone.now() - dt.timedelta(hours=5),
    }
    fields.update(overrides)
    return services.referral_receive(**fields)


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_record_a_self_referral_through_the_page(personas: Personas):
    http = signed_in(personas.you)
    assert http.get(reverse("intake:referral_new")).status_code == 200
    response = http.post(
        reverse("intake:referral_new"),
        {
            "source": "self",
            "reason": "Scared; wants to leave a group that is forming.",
            "urgency": "urgent",
            "first_name": "Kayla",
            "gender": "female",
            "may_text": "on",
            "code_word": "bluebird",
        },
    )
    made = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("intake:referral_detail", args=[made.pk])
    assert (made.may_phone, made.may_text, made.may_leave_voicemail, made.code_word) == (False, True, False, "bluebird")


def test_bad_referral_shows_errors_and_saves_nothing(personas: Personas):
    http = signed_in(personas.you)
    response = http.post(reverse("intake:referral_new"), {"source": "probation", "reason": "", "first_name": "K"})
    assert response.status_code == 422
    assert "Say why they were referred." in response.content.decode()
    assert not Referral.objects.exists()


def test_list_and_detail_show_the_team_referrals_and_are_audited(personas: Personas):
    made = referral(personas)
    http = signed_in(personas.teammate)
    body = http.get(reverse("intake:referral_list")).content.decode()
    assert "Kayla Zindabad" in body and "Urgent" in body
    body = http.get(reverse("intake:referral_detail", args=[made.pk])).content.decode()
    assert "Wants out." in body and "Not yet" in body
    assert (
        AuditEvent.objects.filter(actor=personas.teammate, object_id=str(made.pk), action=AuditAction.VIEW).count() == 2
    )


def test_steps_through_the_pages(personas: Personas):
    made = referral(personas)
    http = signed_in(personas.you)
    http.post(reverse("intake:referral_contact", args=[made.pk]), {"note": "Texted", "version": made.version})
    made.refresh_from_db()
    assert made.status == ReferralStatus.CONTACT_ATTEMPTED and made.first_contact_at is not None
    body = http.get(reverse("intake:referral_detail", args=[made.pk])).content.decode()
    assert "hours after the referral" in body
    response = http.post(
        reverse("intake:referral_status", args=[made.pk]), {"status": "declined", "reason": "", "version": made.version}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == ReferralStatus.CONTACT_ATTEMPTED  # refused: no reason
    http.post(
        reverse("intake:referral_status", args=[made.pk]),
        {"status": "declined", "reason": "Out of area", "version": made.version},
    )
    made.refresh_from_db()
    assert made.status == ReferralStatus.DECLINED and made.status_reason == "Out of area"
    assert http.get(reverse("intake:referral_list")).content.decode().count("Kayla") == 0


def test_accept_page_shows_visible_duplicates_and_hides_the_rest(personas: Personas):
    known = personas.client_of(personas.teammate, first_name="Kaylah", last_name="Zindabad", date_of_birth=DOB)
    personas.client_of(personas.other_caseworker, first_name="Kayla", last_name="Zindabadd", date_of_birth=DOB)
    made = referral(personas)
    http = signed_in(personas.you)
    body = http.get(reverse("intake:referral_accept", args=[made.pk])).content.decode()
    assert "Kaylah Zindabad" in body and str(known.pk) in body
    assert "Zindabadd" not in body
    assert services.HIDDEN_MATCH_MESSAGE in body
    url = reverse("intake:referral_accept", args=[made.pk])
    response = http.post(url, {"programme": "gang_exit", "keyworker": str(personas.you.pk), "version": made.version})
    assert response.status_code == 422 and Client.objects.count() == 2
    response = http.post(
        url,
        {"programme": "gang_exit", "keyworker": "", "existing_client": str(known.pk), "version": made.version},
    )
    assert response.status_code == 302 and response["Location"] == reverse("people:client_detail", args=[known.pk])
    made.refresh_from_db()
    assert made.status == ReferralStatus.ACCEPTED and made.client == known


def test_accept_a_new_person_through_the_page(personas: Personas):
    made = referral(personas, may_leave_voicemail=False, code_word="bluebird")
    http = signed_in(personas.you)
    url = reverse("intake:referral_accept", args=[made.pk])
    response = http.post(
        url, {"programme": "women_and_girls", "keyworker": str(personas.you.pk), "version": made.version}
    )
    made.refresh_from_db()
    assert made.client is not None and made.case is not None
    assert response["Location"] == reverse("people:client_detail", args=[made.client.pk])
    assert made.client.code_word == "bluebird" and made.case.keyworker == personas.you
    assert http.get(url).status_code == 302  # accepted: nothing more to accept


def test_pages_naming_a_referral_are_for_the_receiving_team_only(personas: Personas):
    made = referral(personas)
    outsiders = [
        personas.other_caseworker,
        personas.other_manager,
        personas.report_viewer,
        UserFactory(email="oncall-south@m.test", role=Role.ON_CALL, team=personas.other_team),
        UserFactory(email="oncall-none@m.test", role=Role.ON_CALL, team=None),
        UserFactory(email="mentor-north@m.test", role=Role.PEER_MENTOR, team=personas.team),
        UserFactory(email="sg@m.test", role=Role.SAFEGUARDING_LEAD, team=personas.team),
    ]
    insiders = [
        personas.you,
        personas.teammate,
        personas.manager,
        UserFactory(email="oncall-north@m.test", role=Role.ON_CALL, team=personas.team),
    ]
    gets = ["intake:referral_detail", "intake:referral_accept"]
    posts = {
        "intake:referral_contact": {"version": "999"},
        "intake:referral_status": {"status": "assessed", "version": "999"},
        "intake:referral_accept": {"programme": "gang_exit", "existing_client": "new", "version": "999"},
    }
    for user in outsiders:
        http = signed_in(user)
        for name in gets:
            response = http.get(reverse(name, args=[made.pk]))
            assert response.status_code == 404, (name, user.email)
            assert "Kayla" not in response.content.decode()
        for name, body in posts.items():
            assert http.post(reverse(name, args=[made.pk]), body).status_code == 404, (name, user.email)
        listing = http.get(reverse("intake:referral_list"))
        assert listing.status_code in (200, 404) and "Kayla" not in listing.content.decode()
    for user in insiders:
        http = signed_in(user)
        for name in gets:
            assert http.get(reverse(name, args=[made.pk])).status_code == 200, (name, user.email)
        for name, body in posts.items():  # a stale version: refused with a message, nothing changed
            assert http.post(reverse(name, args=[made.pk]), body).status_code in (302, 409, 422), (name, user.email)
    made.refresh_from_db()
    assert made.status == ReferralStatus.RECEIVED and made.version == 1
    anonymous = HttpClient()
    for name in gets:
        response = anonymous.get(reverse(name, args=[made.pk]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
