"""Retention pages: the data protection officer's alone (everyone else 404), the queue shows what each record
is (read live) and approves several at once, keeping needs a reason and a future date, policies change with
optimistic locking, and bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from keyworker.audit.models import AuditEvent
from keyworker.casework.models import CaseStatus
from keyworker.core.testing import CaseFactory, ClientFactory, ServiceFactory, signed_in
from keyworker.privacy.models import RetentionPolicy, RetentionReview, RetentionStatus
from keyworker.privacy.retention.services import retention_run
from keyworker.services.models import Signposting

pytestmark = pytest.mark.django_db
TODAY = dt.date(2033, 1, 1)


def _queue(p) -> tuple[RetentionReview, RetentionReview]:
    client = ClientFactory(first_name="Ozymandias", last_name="Retainable")
    CaseFactory(
        client=client, keyworker=p.you, team=p.team, status=CaseStatus.CLOSED, closed_on=dt.date(2026, 1, 2),
        reference="KW-777001",
    )  # fmt: skip
    Signposting.objects.create(service=ServiceFactory(), given_on=dt.date(2026, 1, 2), given_by=p.you)
    retention_run(today=TODAY)
    return (
        RetentionReview.objects.get(kind="closed_client"),
        RetentionReview.objects.get(kind="signposting"),
    )


def test_retention_pages_by_persona(personas):
    p = personas
    client_review, _ = _queue(p)
    urls = [
        reverse("privacy:retention_queue"),
        reverse("privacy:retention_keep", args=[client_review.pk]),
        reverse("privacy:retention_policies"),
        reverse("privacy:retention_policy_edit", args=["closed_client"]),
        reverse("privacy:retention_history"),
    ]
    for name, user in {**p.everyone(), "peer_mentor": p.peer_mentor}.items():
        http = signed_in(user)
        for url in urls:
            assert http.get(url).status_code == 404, (name, url)
        assert http.post(urls[0], {"reviews": [str(client_review.pk)]}).status_code == 404
    assert RetentionReview.objects.get(pk=client_review.pk).status == RetentionStatus.DUE
    http = signed_in(p.data_protection_officer)
    for url in urls:
        assert http.get(url).status_code == 200, url
    assert http.get(reverse("privacy:retention_policy_edit", args=["no_such_kind"])).status_code == 404


def test_the_queue_shows_each_record_and_approves_several(personas, django_assert_max_num_queries):
    p = personas
    client_review, sign_review = _queue(p)
    http = signed_in(p.data_protection_officer)
    with django_assert_max_num_queries(25):
        page = http.get(reverse("privacy:retention_queue")).content.decode()
    assert "Ozymandias Retainable" in page and "KW-777001" in page and "last closed 2 Jan 2026" in page
    assert AuditEvent.objects.filter(action="view", client_id=client_review.object_id).exists()
    response = http.post(reverse("privacy:retention_queue"), {"reviews": [str(client_review.pk), str(sign_review.pk)]})
    assert response.status_code == 302
    assert set(RetentionReview.objects.values_list("status", flat=True)) == {RetentionStatus.APPROVED}
    assert RetentionReview.objects.filter(decided_by=p.data_protection_officer).count() == 2
    retention_run(today=TODAY)
    history = http.get(reverse("privacy:retention_history")).content.decode()
    assert "Clients whose support ended" in history and "Dee Protection" in history
    assert "Ozymandias" not in history


def test_bad_input_on_the_queue_changes_nothing(personas):
    p = personas
    client_review, _ = _queue(p)
    http = signed_in(p.data_protection_officer)
    before = list(RetentionReview.objects.order_by("pk").values())
    assert http.post(reverse("privacy:retention_queue"), {}).status_code == 422
    assert http.post(reverse("privacy:retention_queue"), {"reviews": ["not-a-review"]}).status_code == 422
    keep = reverse("privacy:retention_keep", args=[client_review.pk])
    response = http.post(keep, {"reason": "", "hold_until": "2020-01-01"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Say why the record is being kept." in page
    assert http.post(keep, {"reason": "A claim", "hold_until": "1999-01-01"}).status_code == 422
    assert list(RetentionReview.objects.order_by("pk").values()) == before


def test_keeping_a_record_with_a_reason_and_a_date(personas):
    p = personas
    client_review, _ = _queue(p)
    http = signed_in(p.data_protection_officer)
    future = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    response = http.post(
        reverse("privacy:retention_keep", args=[client_review.pk]), {"reason": "An open claim", "hold_until": future}
    )
    assert response.status_code == 302
    client_review.refresh_from_db()
    assert client_review.status == RetentionStatus.HELD and client_review.hold_reason == "An open claim"
    assert AuditEvent.objects.filter(object_id=str(client_review.pk), detail__status="held").exists()


def test_policies_change_with_optimistic_locking(personas):
    p = personas
    http = signed_in(p.data_protection_officer)
    url = reverse("privacy:retention_policy_edit", args=["signposting"])
    assert "12 months" in http.get(reverse("privacy:retention_policies")).content.decode()
    response = http.post(url, {"period_months": "24", "action": "delete", "needs_review": "on", "note": "ICO"})
    assert response.status_code == 302
    row = RetentionPolicy.objects.get(kind="signposting")
    assert (row.period_months, row.version) == (24, 1)
    # Bad input changes nothing.
    for bad in ({"period_months": "0", "action": "delete"}, {"period_months": "12", "action": "anonymise"},
                {"period_months": "lots", "action": "delete"}):  # fmt: skip
        assert http.post(url, {**bad, "expected_version": "1"}).status_code == 422, bad
    # An edit from a stale page is refused.
    assert http.post(url, {"period_months": "18", "action": "delete", "expected_version": "1"}).status_code == 302
    stale = http.post(url, {"period_months": "36", "action": "delete", "expected_version": "1"})
    assert stale.status_code == 409
    row.refresh_from_db()
    assert (row.period_months, row.version, row.needs_review) == (18, 2, False)
