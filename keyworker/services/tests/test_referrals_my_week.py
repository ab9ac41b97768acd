"""Referral follow-ups on My week: due ones on their day, overdue ones with the overdue tasks, only for the
worker who made the referral, never once it has ended or for a client out of reach; audited; a fixed number
of queries however many there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.rules import week_bounds
from keyworker.core.testing import ServiceFactory, TaskFactory
from keyworker.diary.selectors import my_week_for
from keyworker.safeguarding.models import AccessRuleKind
from keyworker.safeguarding.services import access_rule_set
from keyworker.services.models import OutboundReferral, OutboundStatus

pytestmark = pytest.mark.django_db


def _referral(client, made_by, follow_up_on, **fields):
    return OutboundReferral.objects.create(
        client=client, service=ServiceFactory(), reason=fields.pop("reason", "Follow me up."), made_by=made_by,
        follow_up_on=follow_up_on, **fields,
    )


def _this_week():
    return week_bounds(timezone.localdate())


def test_follow_ups_due_land_on_their_day_for_the_maker_only(personas):
    p = personas
    _monday, sunday = _this_week()
    client = p.client_of(p.you)
    due = _referral(client, p.you, sunday, reason="due")
    _referral(client, p.teammate, sunday, reason="the teammate made it")
    _referral(client, p.you, sunday, reason="ended", status=OutboundStatus.COMPLETED)
    _referral(client, p.you, sunday + dt.timedelta(days=1), reason="next week")
    _referral(client, p.you, None, reason="no follow-up")
    week = my_week_for(p.you)
    (day,) = [d for d in week.days if d.date == sunday]
    assert [r.reason for r in day.follow_ups] == ["due"] and not day.is_empty
    assert all(not d.follow_ups for d in week.days if d.date != sunday)
    assert week.overdue_follow_ups == []
    teammate_week = my_week_for(p.teammate)
    assert [r.reason for d in teammate_week.days for r in d.follow_ups] == ["the teammate made it"]
    assert due in day.records()


def test_overdue_follow_ups_are_listed_with_the_overdue_tasks(personas):
    p = personas
    monday, sunday = _this_week()
    client = p.client_of(p.you)
    _referral(client, p.you, monday - dt.timedelta(days=3), reason="overdue")
    _referral(client, p.you, monday - dt.timedelta(days=3), reason="withdrawn", status=OutboundStatus.WITHDRAWN)
    week = my_week_for(p.you)
    assert [r.reason for r in week.overdue_follow_ups] == ["overdue"]
    # Carried on Monday, so the page's audit of each day's records covers it; not a Monday item.
    monday_day = week.days[0]
    assert monday_day.follow_ups == [] and [r.reason for r in monday_day.records() if hasattr(r, "reason")] == [
        "overdue"
    ]
    # A future week shows nothing overdue.
    assert my_week_for(p.you, sunday + dt.timedelta(days=1)).overdue_follow_ups == []


def test_a_client_out_of_reach_drops_off(personas):
    p = personas
    _monday, sunday = _this_week()
    client = p.client_of(p.you)
    _referral(client, p.you, sunday)
    access_rule_set(actor=p.manager, client=client, kind=AccessRuleKind.EXCLUSION, staff=[p.you],
                    reason="A conflict of interest.")
    week = my_week_for(p.you)
    assert all(not d.follow_ups for d in week.days)


def test_the_page_shows_and_audits_them(personas):
    p = personas
    monday, sunday = _this_week()
    due_client = p.client_of(p.you, first_name="Dueperson")
    overdue_client = p.client_of(p.you, first_name="Lateperson")
    due = _referral(due_client, p.you, sunday)
    overdue = _referral(overdue_client, p.you, monday - dt.timedelta(days=1))
    http = HttpClient()
    http.force_login(p.you)
    page = http.get(reverse("diary:my_week")).content.decode()
    assert "1 referral follow-up overdue" in page and "Follow up the referral to" in page
    assert reverse("services:referral_detail", args=[due.pk]) in page
    assert reverse("services:referral_detail", args=[overdue.pk]) in page
    for client in (due_client, overdue_client):
        assert AuditEvent.objects.filter(actor=p.you, client_id=client.pk, action=AuditAction.VIEW).exists()


def test_query_count_stays_the_same_with_follow_ups(personas, django_assert_max_num_queries):
    p = personas
    monday, _sunday = _this_week()
    for i in range(7):
        client = p.client_of(p.you)
        _referral(client, p.you, monday + dt.timedelta(days=i))
        _referral(client, p.you, monday - dt.timedelta(days=i + 1))
        TaskFactory(owner=p.you, client=client, due_on=monday + dt.timedelta(days=i))
        TaskFactory(owner=p.you, client=client, due_on=monday - dt.timedelta(days=i + 1))
    # appointments, hearings, releases, tasks (this week's and overdue), follow-ups (due and overdue)
    with django_assert_max_num_queries(5):
        week = my_week_for(p.you)
        for d in week.days:
            for r in d.follow_ups:
                assert r.client.display_name and r.service.name
        for r in week.overdue_follow_ups:
            assert r.client.display_name and r.service.name
    assert sum(len(d.follow_ups) for d in week.days) == 7
    assert len(week.overdue_follow_ups) == 7 and len(week.overdue_tasks) == 7
