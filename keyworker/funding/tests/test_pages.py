"""The funding pages: streams and rules (read by casework roles, edited by managers) and a client's
eligibility page (allocate, unfunded with a manager's decision, waiting list)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import Personas, UserFactory, signed_in
from keyworker.funding.models import (
    EligibilityRule,
    Funder,
    FundingStream,
    StreamAllocation,
    UnfundedDecision,
    UnfundedWork,
    WaitingListEntry,
)
from keyworker.funding.services import eligibility_rule_add, funding_stream_create

pytestmark = pytest.mark.django_db


def _stream(p: Personas, name: str = "Young Women's Fund", **rules) -> FundingStream:
    funder = Funder.objects.get_or_create(name="City Fund")[0]
    stream = funding_stream_create(
        actor=p.manager, funder=funder, name=name, starts_on=timezone.localdate() - dt.timedelta(days=10), places=2
    )
    for kind, params in rules.items():
        eligibility_rule_add(actor=p.manager, stream=stream, kind=kind, parameters=params)
    return stream


def test_stream_pages_by_role(personas: Personas):
    stream = _stream(personas, gender={"genders": ["female"]})
    rule = stream.rules.get()
    others = {
        "on-call": UserFactory(email="oncall@f.test", role=Role.ON_CALL, team=None),
        "mentor": UserFactory(email="mentor@f.test", role=Role.PEER_MENTOR, team=personas.team),
        "sglead": UserFactory(email="sg@f.test", role=Role.SAFEGUARDING_LEAD, team=None),
        "dpo": UserFactory(email="dpo@f.test", role=Role.DATA_PROTECTION_OFFICER, team=None),
        "admin": UserFactory(email="admin@f.test", role=Role.ADMINISTRATOR, team=None, is_staff=True),
    }
    list_url, detail_url = reverse("funding:stream_list"), reverse("funding:stream_detail", args=[stream.pk])
    readers = [personas.you, personas.teammate, personas.manager, personas.other_manager, others["on-call"]]
    for user in readers:
        http = signed_in(user)
        assert http.get(list_url).status_code == 200
        page = http.get(detail_url)
        assert page.status_code == 200 and "For women and girls" in page.content.decode()
    for user in [personas.report_viewer, others["mentor"], others["sglead"], others["dpo"], others["admin"]]:
        http = signed_in(user)
        assert http.get(list_url).status_code == 404
        assert http.get(detail_url).status_code == 404
    for user in [personas.you, others["on-call"], personas.report_viewer]:  # only managers edit
        http = signed_in(user)
        assert (
            http.post(list_url, {"funder": "X", "name": "Y", "starts_on": "2026-01-01", "places": 1}).status_code == 404
        )
        assert http.post(detail_url, {"action": "remove_rule", "rule": str(rule.pk)}).status_code == 404
    assert EligibilityRule.objects.filter(pk=rule.pk).exists()
    assert http.get(reverse("funding:stream_detail", args=[rule.pk])).status_code == 404  # not a stream
    anonymous = HttpClient().get(detail_url)
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]


def test_manager_adds_a_stream_and_edits_its_rules(personas: Personas):
    http = signed_in(personas.manager)
    response = http.post(
        reverse("funding:stream_list"),
        {"funder": "Southwark Trust", "name": "Through the Gate", "starts_on": "2026-04-01", "places": "5"},
    )
    stream = FundingStream.objects.get(name="Through the Gate")
    assert response.status_code == 302 and response["Location"] == reverse("funding:stream_detail", args=[stream.pk])
    url = reverse("funding:stream_detail", args=[stream.pk])
    bad = http.post(url, {"action": "add_rule", "kind": "age_range", "min_age": "30", "max_age": "20"})
    assert bad.status_code == 422 and "The minimum age cannot be more than the maximum." in bad.content.decode()
    assert not stream.rules.exists()
    assert (
        http.post(
            url, {"action": "add_rule", "kind": "custody_status", "custody": "released", "released_within_months": "6"}
        ).status_code
        == 302
    )
    assert http.post(url, {"action": "add_rule", "kind": "home_area", "areas": "Lambeth, SE11"}).status_code == 302
    assert {r.kind: r.parameters for r in stream.rules.all()} == {
        "custody_status": {"released_within_months": 6},
        "home_area": {"areas": ["Lambeth", "SE11"]},
    }
    page = http.get(url).content.decode()
    assert "Released from custody within the last 6 months" in page and "Living in Lambeth, SE11" in page
    rule = stream.rules.get(kind="home_area")
    assert http.post(url, {"action": "remove_rule", "rule": str(rule.pk)}).status_code == 302
    assert stream.rules.count() == 1
    duplicate = http.post(
        reverse("funding:stream_list"),
        {"funder": "southwark trust", "name": "through the gate", "starts_on": "2026-04-01", "places": "5"},
    )
    assert duplicate.status_code == 422 and FundingStream.objects.count() == 1


def test_eligibility_page_explains_every_no_and_is_audited(personas: Personas):
    _stream(personas, "Boys to Men", gender={"genders": ["male"]})
    _stream(personas, "Lambeth Youth", home_area={"areas": ["Lambeth"]})
    her = personas.client_of(personas.you, first_name="Tanya", gender="female", home_area="Croydon")
    http = signed_in(personas.you)
    url = reverse("funding:client_eligibility", args=[her.pk])
    page = http.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Not eligible for any of the 2 active streams." in body
    assert "This stream is for men and boys." in body and "Home area Croydon is not in Lambeth." in body
    assert AuditEvent.objects.filter(actor=personas.you, client_id=her.pk, action=AuditAction.VIEW).exists()
    assert signed_in(personas.other_caseworker).get(url).status_code == 404
    assert signed_in(personas.report_viewer).get(url).status_code == 404


def test_mondays_unfunded_work_with_a_managers_approval(personas: Personas):
    her = personas.client_of(personas.you, gender="female", home_area="Croydon")
    url = reverse("funding:client_eligibility", args=[her.pk])
    worker = signed_in(personas.you)
    short = worker.post(url, {"action": "unfunded", "reason": "scared"})
    assert short.status_code == 422 and not UnfundedWork.objects.exists()
    assert worker.post(url, {"action": "unfunded", "reason": "No stream covers her; she is scared."}).status_code == 302
    work = UnfundedWork.objects.get()
    decision = {"action": "decide", "work": str(work.pk), "decision": "approved", "decision_reason": "Urgent: safety."}
    assert worker.post(url, decision).status_code == 403  # a caseworker cannot decide
    manager = signed_in(personas.manager)
    assert "Record decision" in manager.get(url).content.decode()
    assert manager.post(url, decision).status_code == 302
    work.refresh_from_db()
    assert work.decision == UnfundedDecision.APPROVED and work.decided_by == personas.manager
    assert signed_in(personas.other_manager).post(url, decision).status_code == 404


def test_allocate_and_waiting_list_from_the_page(personas: Personas):
    open_stream = _stream(personas, "Open Door")
    boys = _stream(personas, "Boys to Men", gender={"genders": ["male"]})
    her = personas.client_of(personas.you, gender="female")
    url = reverse("funding:client_eligibility", args=[her.pk])
    worker = signed_in(personas.you)
    assert worker.post(url, {"action": "allocate", "stream": str(open_stream.pk)}).status_code == 302
    refused = worker.post(url, {"action": "allocate", "stream": str(boys.pk), "override_reason": "She needs it now."})
    assert refused.status_code == 403 and StreamAllocation.objects.count() == 1
    no_reason = signed_in(personas.manager).post(url, {"action": "allocate", "stream": str(boys.pk)})
    assert no_reason.status_code == 422 and "This stream is for men and boys." in no_reason.content.decode()
    assert worker.post(url, {"action": "waiting", "stream": str(boys.pk), "note": "Next place"}).status_code == 302
    assert worker.post(url, {"action": "waiting", "note": ""}).status_code == 302
    assert WaitingListEntry.objects.filter(client=her).count() == 2
    again = worker.post(url, {"action": "waiting", "stream": str(boys.pk)})
    assert again.status_code == 422 and WaitingListEntry.objects.filter(client=her).count() == 2
    assert worker.post(url, {"action": "nonsense"}).status_code == 404
    page = worker.get(url).content.decode()
    assert "Open Door from" in page and "Waiting since" in page
