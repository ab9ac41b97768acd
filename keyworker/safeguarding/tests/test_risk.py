"""Risk reviews: recording one (every level judged by a person, with reasons; bad input changes nothing), a rise
telling the client's managers in the app and by an e-mail that names nobody, the risk page and API by persona,
"risk reviews due" on My week, and bounded queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.models import Notification
from keyworker.core.testing import Inbox, Personas, RiskReviewFactory, UserFactory, signed_in
from keyworker.safeguarding.models import RiskReview
from keyworker.safeguarding.selectors import latest_risk_for, risk_reviews_due_for, risk_reviews_for
from keyworker.safeguarding.services import RISK_ROSE_SUBJECT, risk_review_record

pytestmark = pytest.mark.django_db

REASONS = "She is leaving the group; two members have threatened her on social media."


def _record(actor, client, **fields):
    values = {
        "occasion": "scheduled",
        "risk_to_self": "low",
        "risk_to_others": "low",
        "risk_from_others": "medium",
        "reasons": REASONS,
        "next_review_on": timezone.localdate() + dt.timedelta(days=14),
    }
    return risk_review_record(actor=actor, client=client, **(values | fields))


# ------------------------------------------------------------------------------------------- services


def test_a_review_is_kept_with_its_reasons_and_audited(personas: Personas):
    amara = personas.client_of(personas.you)
    review = _record(personas.you, amara, occasion="initial")
    assert (review.reviewed_by, review.reviewed_on, review.reasons) == (personas.you, timezone.localdate(), REASONS)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="safeguarding.riskreview")
    assert (event.object_id, event.client_id) == (str(review.pk), amara.pk)
    second = _record(personas.teammate, amara, risk_from_others="low")
    assert list(risk_reviews_for(personas.you, amara)) == [second, review]  # history kept, newest first
    assert latest_risk_for(personas.you, amara) == second


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"risk_to_self": ""}, "risk_to_self"),
        ({"risk_to_others": "extreme"}, "risk_to_others"),
        ({"risk_from_others": ""}, "risk_from_others"),
        ({"reasons": "   "}, "reasons"),
        ({"reasons": "x" * 5001}, "reasons"),
        ({"occasion": "whenever"}, "occasion"),
        ({"next_review_on": None}, "next_review_on"),
        ({"next_review_on": dt.date(2020, 1, 1)}, "next_review_on"),
        ({"reviewed_on": timezone.localdate() + dt.timedelta(days=1)}, "reviewed_on"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(personas: Personas, fields, field):
    amara = personas.client_of(personas.you)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _record(personas.you, amara, **({"risk_from_others": "very_high"} | fields))
    assert field in refused.value.field_errors
    assert RiskReview.objects.count() == 0
    assert Notification.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_nobody_out_of_reach_can_record(personas: Personas):
    amara = personas.client_of(personas.you)
    for outsider in (personas.other_caseworker, personas.report_viewer, personas.safeguarding_lead, personas.on_call):
        with pytest.raises(NotFound):
            _record(outsider, amara)
    assert RiskReview.objects.count() == 0


def test_a_rise_tells_the_managers_in_the_app_and_by_email_naming_nobody(
    personas: Personas, smtp: Inbox, django_capture_on_commit_callbacks
):
    amara = personas.client_of(personas.you, first_name="Amara", last_name="Okafor")
    RiskReviewFactory(client=amara, reviewed_by=personas.you, reviewed_on=timezone.localdate() - dt.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        review = _record(personas.you, amara, risk_from_others="high")
    assert review.rises == ["risk_from_others"]
    note = Notification.objects.get()
    assert (note.recipient, note.subject) == (personas.manager, RISK_ROSE_SUBJECT)
    assert note.link == reverse("safeguarding:client_risk", args=[amara.pk])
    assert [m["To"] for m in smtp.messages] == [personas.manager.email]
    assert smtp.messages[0]["Subject"] == RISK_ROSE_SUBJECT
    body = smtp.messages[0].get_payload()
    assert reverse("safeguarding:client_risk", args=[amara.pk]) in body
    for personal in ("Amara", "Okafor", "threatened", "group", "from others"):
        assert personal not in body
    assert personas.other_manager.email not in [m["To"] for m in smtp.messages]


def test_no_alert_when_nothing_rose(personas: Personas, smtp: Inbox, django_capture_on_commit_callbacks):
    amara = personas.client_of(personas.you)
    RiskReviewFactory(
        client=amara,
        reviewed_by=personas.you,
        risk_from_others="high",
        reviewed_on=timezone.localdate() - dt.timedelta(days=7),
    )
    with django_capture_on_commit_callbacks(execute=True):
        review = _record(personas.you, amara, risk_from_others="medium")  # a fall
        _record(personas.you, amara, risk_from_others="medium")  # no change
    assert review.rises == []
    assert Notification.objects.count() == 0
    assert smtp.messages == []


def test_a_first_review_finding_high_risk_alerts_but_a_low_one_does_not(
    personas: Personas, smtp: Inbox, django_capture_on_commit_callbacks
):
    low, high = personas.client_of(personas.you), personas.client_of(personas.you)
    with django_capture_on_commit_callbacks(execute=True):
        assert _record(personas.you, low, occasion="initial").rises == []
        assert _record(personas.you, high, occasion="initial", risk_from_others="high").rises == ["risk_from_others"]
    assert Notification.objects.filter(recipient=personas.manager).count() == 1
    assert len(smtp.messages) == 1


def test_a_manager_reviewing_is_not_told_about_their_own_review(personas: Personas):
    amara = personas.client_of(personas.you)
    _record(personas.manager, amara, risk_to_self="very_high")
    assert Notification.objects.count() == 0


# ---------------------------------------------------------------------------------------------- pages

PAGE_ACCESS = {
    "you": 200,
    "teammate": 200,
    "manager": 200,
    "other_caseworker": 404,
    "other_manager": 404,
    "report_viewer": 404,
    "safeguarding_lead": 404,
    "on_call": 404,
}


@pytest.mark.parametrize(("persona", "status"), sorted(PAGE_ACCESS.items()))
def test_risk_page_by_persona(personas: Personas, persona, status):
    amara = personas.client_of(personas.you)
    RiskReviewFactory(client=amara, reviewed_by=personas.teammate, reasons="Threats from the group she is leaving.")
    viewer = getattr(personas, persona)
    response = signed_in(viewer).get(reverse("safeguarding:client_risk", args=[amara.pk]))
    assert response.status_code == status
    html = response.content.decode()
    assert ("Threats from the group she is leaving." in html) == (status == 200)
    views = AuditEvent.objects.filter(actor=viewer, client_id=amara.pk, action=AuditAction.VIEW).count()
    assert views == (1 if status == 200 else 0)


def test_recording_on_the_page_says_the_risk_went_up(personas: Personas):
    amara = personas.client_of(personas.you)
    url = reverse("safeguarding:client_risk", args=[amara.pk])
    http = signed_in(personas.you)
    page = http.get(url).content.decode()
    assert "No risk review yet" in page
    assert "Suggested for medium risk" in page and "Only a suggestion" in page
    next_review = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    body = {
        "occasion": "initial",
        "risk_to_self": "low",
        "risk_to_others": "low",
        "risk_from_others": "high",
        "reasons": REASONS,
        "next_review_on": next_review,
    }
    response = http.post(url, body, follow=True)
    html = response.content.decode()
    assert "The risk has gone up (risk from others): the client&#39;s manager has been told." in html
    assert REASONS in html
    review = RiskReview.objects.get()
    assert (review.occasion, review.risk_from_others, review.next_review_on.isoformat()) == (
        "initial",
        "high",
        next_review,
    )


def test_the_page_refuses_a_review_with_levels_missing_and_keeps_what_was_typed(personas: Personas):
    amara = personas.client_of(personas.you)
    url = reverse("safeguarding:client_risk", args=[amara.pk])
    response = signed_in(personas.you).post(
        url, {"occasion": "initial", "risk_to_self": "low", "reasons": "Typed reasons kept here.", "next_review_on": ""}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose the risk to others" in html and "Choose the risk from others" in html
    assert "Enter the date of the next review." in html
    assert "Typed reasons kept here." in html
    assert RiskReview.objects.count() == 0


def test_the_suggestion_follows_the_levels_chosen_unless_a_date_was_typed(personas: Personas):
    amara = personas.client_of(personas.you)
    url = reverse("safeguarding:client_risk", args=[amara.pk])
    http = signed_in(personas.you)
    today = timezone.localdate()
    old = (today + dt.timedelta(days=42)).isoformat()
    body = {"action": "suggest", "risk_from_others": "very_high", "next_review_on": old, "suggested": old}
    fragment = http.post(url, body, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="next-review"' in fragment and "<html" not in fragment
    assert (today + dt.timedelta(days=7)).isoformat() in fragment
    assert "Suggested for very high risk" in fragment
    typed = (today + dt.timedelta(days=30)).isoformat()
    fragment = http.post(url, {**body, "next_review_on": typed}, HTTP_HX_REQUEST="true").content.decode()
    assert f'value="{typed}"' in fragment
    assert RiskReview.objects.count() == 0


def test_client_page_shows_the_latest_risk(personas: Personas):
    amara = personas.client_of(personas.you)
    url = reverse("people:client_detail", args=[amara.pk])
    assert "No risk review yet" in signed_in(personas.you).get(url).content.decode()
    RiskReviewFactory(client=amara, reviewed_by=personas.you, risk_from_others="high")
    html = signed_in(personas.you).get(url).content.decode()
    assert "To self low, to others low, from others high" in html
    assert reverse("safeguarding:client_risk", args=[amara.pk]) in html


def test_risk_page_queries_are_bounded(personas: Personas, django_assert_max_num_queries):
    amara = personas.client_of(personas.you)
    for days_ago in range(30):
        RiskReviewFactory(
            client=amara, reviewed_by=UserFactory(), reviewed_on=timezone.localdate() - dt.timedelta(days=days_ago)
        )
    http = signed_in(personas.you)
    url = reverse("safeguarding:client_risk", args=[amara.pk])
    http.get(url)
    with django_assert_max_num_queries(15):
        response = http.get(url)
    assert response.content.decode().count('class="govuk-table__row"') == 31


# ------------------------------------------------------------------------------------------- My week


def test_my_week_lists_my_clients_whose_review_is_due(personas: Personas, django_assert_max_num_queries):
    today = timezone.localdate()
    due = personas.client_of(personas.you, first_name="Due", last_name="Soon")
    overdue = personas.client_of(personas.you, first_name="Over", last_name="Due")
    later = personas.client_of(personas.you, first_name="Not", last_name="Yet")
    teammates = personas.client_of(personas.teammate, first_name="Kims", last_name="Client")
    RiskReviewFactory(client=due, reviewed_by=personas.you, next_review_on=today + dt.timedelta(days=3))
    RiskReviewFactory(
        client=overdue,
        reviewed_by=personas.you,
        reviewed_on=today - dt.timedelta(days=20),
        next_review_on=today - dt.timedelta(days=6),
    )
    # a newer review pushed this one on: only the latest counts
    RiskReviewFactory(
        client=later,
        reviewed_by=personas.you,
        reviewed_on=today - dt.timedelta(days=20),
        next_review_on=today - dt.timedelta(days=6),
    )
    RiskReviewFactory(client=later, reviewed_by=personas.you, next_review_on=today + dt.timedelta(days=30))
    RiskReviewFactory(client=teammates, reviewed_by=personas.teammate, next_review_on=today)
    with django_assert_max_num_queries(1):
        found = risk_reviews_due_for(personas.you)
    assert [r.client for r in found] == [overdue, due]
    html = signed_in(personas.you).get(reverse("diary:my_week")).content.decode()
    assert "Risk reviews due" in html
    assert "Over Due" in html or "Over" in html
    assert reverse("safeguarding:client_risk", args=[due.pk]) in html
    assert reverse("safeguarding:client_risk", args=[later.pk]) not in html
    assert reverse("safeguarding:client_risk", args=[teammates.pk]) not in html


# ------------------------------------------------------------------------------------------------ API


def test_api_lists_and_records_reviews_by_persona(personas: Personas):
    amara = personas.client_of(personas.you)
    RiskReviewFactory(client=amara, reviewed_by=personas.you)
    url = f"/api/v1/clients/{amara.pk}/risk-reviews"
    for persona, status in PAGE_ACCESS.items():
        response = signed_in(getattr(personas, persona)).get(url)
        assert response.status_code == status, persona
    listed = signed_in(personas.you).get(url).json()
    assert len(listed) == 1 and {"risk_to_self", "reasons", "reviewed_by", "next_review_on", "version"} <= set(
        listed[0]
    )
    body = {
        "occasion": "after_incident",
        "risk_to_self": "low",
        "risk_to_others": "medium",
        "risk_from_others": "very_high",
        "reasons": REASONS,
        "next_review_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
    }
    refused = signed_in(personas.other_caseworker).post(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 404
    created = signed_in(personas.you).post(url, json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    assert created.json()["rose"] == ["risk_to_others", "risk_from_others"]
    assert Notification.objects.filter(recipient=personas.manager).count() == 1
    bad = signed_in(personas.you).post(url, json.dumps({**body, "reasons": ""}), content_type="application/json")
    assert bad.status_code == 422 and "reasons" in bad.json()["errors"]
    assert RiskReview.objects.count() == 2


# ------------------------------------------------------------------------------ the lone-working alert


def test_the_lone_working_risk_summary_carries_the_latest_review(personas: Personas):
    from keyworker.core.testing import LoneWorkingVisitFactory
    from keyworker.diary.rules import risk_summary
    from keyworker.diary.selectors.lone_working import risk_facts_for

    amara = personas.client_of(personas.you)
    visit = LoneWorkingVisitFactory(staff=personas.you, buddy=personas.teammate, client=amara, with_whom="")
    assert not any("risk review" in line for line in risk_summary(risk_facts_for(visit)))
    RiskReviewFactory(
        client=amara,
        reviewed_by=personas.you,
        reviewed_on=dt.date(2026, 3, 1),
        risk_to_others="medium",
        risk_from_others="very_high",
        next_review_on=dt.date(2030, 1, 1),
    )
    RiskReviewFactory(
        client=amara, reviewed_by=personas.you, reviewed_on=dt.date(2026, 1, 1), next_review_on=dt.date(2030, 1, 1)
    )
    lines = risk_summary(risk_facts_for(visit))
    assert "Latest risk review (1 Mar 2026): to self low, to others medium, from others very high" in lines
    assert not any(REASONS in line or "Former associates" in line for line in lines)  # levels only, no reasons
