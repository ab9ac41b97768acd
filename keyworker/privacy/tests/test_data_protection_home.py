"""The data protection officer's home: what needs them now, as counts (no one named), and the way to each of
their pages. Anyone else finds nothing (the authorisation matrix proves the 404s for every role)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.core.testing import signed_in
from keyworker.privacy.models import RetentionReview, SarStatus, SharingAgreement, SubjectAccessRequest

pytestmark = pytest.mark.django_db


def _request(p, received_on: dt.date, **extra) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.create(
        client=p.client_of(p.you),
        received_on=received_on,
        how_received="By letter",
        due_on=received_on + dt.timedelta(days=30),
        recorded_by=p.data_protection_officer,
        **extra,
    )


def test_the_home_counts_what_needs_the_officer(personas, django_assert_max_num_queries):
    p = personas
    today = timezone.localdate()
    http = signed_in(p.data_protection_officer)
    html = http.get(reverse("privacy:home")).content.decode()
    assert "No open requests." in html and "Nothing is waiting for your decision." in html
    assert "No agreement is due for review." in html

    _request(p, today - dt.timedelta(days=40))  # overdue
    _request(p, today - dt.timedelta(days=3))  # due in 27 days
    _request(p, today - dt.timedelta(days=50), status=SarStatus.SENT, sent_on=today - dt.timedelta(days=45))
    _request(p, today - dt.timedelta(days=40), extended_to=today + dt.timedelta(days=20))  # extended: not overdue
    RetentionReview.objects.create(kind="signposting", object_id=p.you.pk, expired_on=today)
    RetentionReview.objects.create(kind="signposting", object_id=p.manager.pk, expired_on=today, status="done")
    for review_on, ends_on in ((today, None), (today + dt.timedelta(days=60), None), (today, today - dt.timedelta(1))):
        SharingAgreement.objects.create(
            partner="A partner", title="Referrals", purpose="Support.", lawful_basis="Consent", data_shared="Names.",
            starts_on=today - dt.timedelta(days=400), review_on=review_on, ends_on=ends_on,
            recorded_by=p.data_protection_officer,
        )
    with django_assert_max_num_queries(12):
        response = http.get(reverse("privacy:home"))
    html = " ".join(response.content.decode().split())
    assert "3 open" in html and "1 overdue" in html
    assert f"the next deadline is {today - dt.timedelta(days=10):%-d %b %Y}" in html
    assert "1 record is past their retention period" in html
    assert "1 agreement is due for review" in html
    for name in ("privacy:sar_list", "privacy:retention_queue", "privacy:agreement_list", "outcomes:justice_data_lab"):
        assert f'href="{reverse(name)}"' in html
    assert p.client_of(p.you).last_name not in html  # counts only


def test_only_the_officer_has_data_protection_in_the_menu(personas):
    for user in personas.everyone().values():
        html = signed_in(user).get(reverse("diary:my_week")).content.decode()
        assert (f'href="{reverse("privacy:home")}"' in html) is (user == personas.data_protection_officer), user.role
    officer_page = signed_in(personas.data_protection_officer).get("/notifications/").content.decode()
    assert 'href="/data-protection/"' in officer_page
