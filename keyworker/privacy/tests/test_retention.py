"""Retention: each kind is found exactly when its period has run out (a day before, on, after; London dates),
the policy row overrides the code's defaults, a run is idempotent, a record that no longer qualifies is not
removed, one failing removal does not stop the others, and `keyworker retention run` reports per kind."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from keyworker.audit.models import AuditEvent
from keyworker.casework.models import CaseStatus
from keyworker.core.models import Notification
from keyworker.core.testing import CaseFactory, ClientFactory, ServiceFactory
from keyworker.intake.models import Referral, ReferralStatus, ReferralStep
from keyworker.people.models import Client, ClientImport
from keyworker.privacy.models import (
    RetentionAction,
    RetentionPolicy,
    RetentionReview,
    RetentionStatus,
    SarStatus,
    SubjectAccessRequest,
)
from keyworker.privacy.retention import kinds as kinds_module
from keyworker.privacy.retention.kinds import KINDS, policy_for
from keyworker.privacy.retention.services import NO_LONGER_EXPIRED, retention_reviews_approve, retention_run
from keyworker.safeguarding.models import AreaConcern
from keyworker.services.models import Signposting

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
BASE = dt.date(2026, 5, 31)  # a month end in British Summer Time: calendar months and London dates both matter


def _late_evening(day: dt.date) -> dt.datetime:
    """23:30 in London: already the next day in no timezone, but the previous day in UTC is never used."""
    return dt.datetime.combine(day, dt.time(23, 30), tzinfo=LONDON)


def _closed_client(p: Any, base: dt.date) -> uuid.UUID:
    client = ClientFactory()
    CaseFactory(client=client, keyworker=p.you, team=p.team, status=CaseStatus.CLOSED, closed_on=base)
    CaseFactory(
        client=client, keyworker=p.you, team=p.team, status=CaseStatus.CLOSED, closed_on=base - dt.timedelta(days=400)
    )
    return client.pk


def _area_concern(p: Any, base: dt.date) -> uuid.UUID:
    return AreaConcern.objects.create(
        area="Example Estate",
        summary="A new group",
        source="staff",
        reported_on=base - dt.timedelta(days=90),
        reported_by=p.you,
        review_by=base - dt.timedelta(days=30),
        expires_on=base,
    ).pk


def _signposting(p: Any, base: dt.date) -> uuid.UUID:
    return Signposting.objects.create(service=ServiceFactory(), given_on=base, given_by=p.you, who="a parent").pk


def _declined_referral(p: Any, base: dt.date) -> uuid.UUID:
    referral = Referral.objects.create(
        first_name="Never",
        last_name="Accepted",
        source="self",
        received_at=_late_evening(base - dt.timedelta(days=20)),
        reason="Help",
        team=p.team,
        received_by=p.you,
        status=ReferralStatus.DECLINED,
    )
    ReferralStep.objects.create(
        referral=referral, status=ReferralStatus.DECLINED, occurred_at=_late_evening(base), recorded_by=p.you
    )
    return referral.pk


def _sar_export(p: Any, base: dt.date) -> uuid.UUID:
    return SubjectAccessRequest.objects.create(
        received_on=base - dt.timedelta(days=20),
        how_received="letter",
        due_on=base,
        recorded_by=p.data_protection_officer,
        status=SarStatus.SENT,
        sent_on=base,
        export_json=b"{}",
        export_pdf=b"%PDF",
    ).pk


def _client_import(p: Any, base: dt.date) -> uuid.UUID:
    row = ClientImport.objects.create(uploaded_by=p.manager, team=p.team, csv_text="first_name\nSomeone\n")
    ClientImport.objects.filter(pk=row.pk).update(created_at=_late_evening(base))
    return row.pk


def _notification(p: Any, base: dt.date) -> uuid.UUID:
    return Notification.objects.create(recipient=p.you, subject="Hi", body="Hi", read_at=_late_evening(base)).pk


MAKERS: dict[str, Callable[[Any, dt.date], uuid.UUID]] = {
    "closed_client": _closed_client,
    "area_concern": _area_concern,
    "signposting": _signposting,
    "declined_referral": _declined_referral,
    "subject_access_export": _sar_export,
    "client_import": _client_import,
    "notification": _notification,
}


def test_every_kind_is_tested():
    assert set(MAKERS) == set(KINDS)


EXPECTED_EXPIRY = {
    "closed_client": dt.date(2032, 5, 31),
    "area_concern": dt.date(2027, 5, 31),
    "signposting": dt.date(2027, 5, 31),
    "declined_referral": dt.date(2027, 5, 31),
    "subject_access_export": dt.date(2026, 8, 31),
    "client_import": dt.date(2026, 6, 7),
    "notification": dt.date(2026, 11, 30),  # 31 May + 6 months: the end of November
}


@pytest.mark.parametrize("key", sorted(MAKERS))
def test_each_kind_is_found_from_the_day_its_period_runs_out(personas, key):
    pk = MAKERS[key](personas, BASE)
    kind = KINDS[key]
    rule = policy_for(key)
    expiry = EXPECTED_EXPIRY[key]
    assert kind.find(expiry - dt.timedelta(days=1), rule, None) == {}
    assert kind.find(expiry, rule, None) == {pk: expiry}
    assert kind.find(expiry + dt.timedelta(days=1), rule, None) == {pk: expiry}
    assert kind.find(expiry, rule, [uuid.uuid4()]) == {}


def test_an_open_case_or_an_accepted_referral_is_never_found(personas):
    p = personas
    client_id = _closed_client(p, BASE)
    CaseFactory(client_id=client_id, keyworker=p.you, team=p.team, status=CaseStatus.ON_HOLD)
    referral_id = _declined_referral(p, BASE)
    Referral.objects.filter(pk=referral_id).update(client=client_id)  # part of a client's file instead
    far = dt.date(2040, 1, 1)
    assert KINDS["closed_client"].find(far, policy_for("closed_client"), None) == {}
    assert KINDS["declined_referral"].find(far, policy_for("declined_referral"), None) == {}


def test_a_policy_row_overrides_the_default(personas):
    assert policy_for("signposting").period_months == 12 and not policy_for("signposting").from_row
    RetentionPolicy.objects.create(kind="signposting", period_months=24, action="delete", needs_review=False)
    rule = policy_for("signposting")
    assert (rule.period_months, rule.needs_review, rule.from_row) == (24, False, True)
    pk = _signposting(personas, BASE)
    assert KINDS["signposting"].find(dt.date(2028, 5, 31), rule, None) == {pk: dt.date(2028, 5, 31)}
    assert KINDS["signposting"].find(dt.date(2028, 5, 30), rule, None) == {}


def test_a_run_queues_removes_automatic_kinds_and_is_idempotent(personas):
    p = personas
    today = dt.date(2033, 1, 1)
    ids = {key: make(p, BASE) for key, make in MAKERS.items()}
    first = retention_run(today=today)
    assert {k: r.queued for k, r in first.items()} == dict.fromkeys(MAKERS, 1)
    # Kinds needing no review go at once; the rest wait for the officer.
    assert {k for k, r in first.items() if r.removed} == {"client_import", "notification"}
    assert not ClientImport.objects.filter(pk=ids["client_import"]).exists()
    assert not Notification.objects.filter(pk=ids["notification"]).exists()
    events_after_first = AuditEvent.objects.count()
    reviews_after_first = list(RetentionReview.objects.order_by("pk").values())

    second = retention_run(today=today)
    assert all((r.queued, r.removed, r.failed) == (0, 0, []) for r in second.values())
    assert list(RetentionReview.objects.order_by("pk").values()) == reviews_after_first
    assert AuditEvent.objects.count() == events_after_first

    due = RetentionReview.objects.filter(status=RetentionStatus.DUE)
    assert due.count() == 5
    retention_reviews_approve(actor=p.data_protection_officer, review_ids=list(due.values_list("pk", flat=True)))
    third = retention_run(today=today)
    assert sum(r.removed for r in third.values()) == 5
    assert not Client.objects.filter(pk=ids["closed_client"]).exists()
    assert not AreaConcern.objects.filter(pk=ids["area_concern"]).exists()
    assert not Signposting.objects.filter(pk=ids["signposting"]).exists()
    assert not Referral.objects.filter(pk=ids["declined_referral"]).exists()
    sar = SubjectAccessRequest.objects.get(pk=ids["subject_access_export"])  # anonymised: the request stays
    assert sar.export_json is None and sar.export_pdf is None and sar.status == SarStatus.SENT
    assert RetentionReview.objects.filter(status=RetentionStatus.DONE).count() == 7
    deletes = AuditEvent.objects.filter(detail__retention__isnull=False, action__in=["delete", "update"]).exclude(
        object_type="privacy.retentionreview"
    )
    assert deletes.count() == 7
    assert all(set(e.detail) == {"retention", "action", "rows"} for e in deletes)

    fourth = retention_run(today=today)
    assert all((r.queued, r.removed) == (0, 0) for r in fourth.values())


def test_a_reopened_case_is_not_deleted(personas):
    p = personas
    today = dt.date(2033, 1, 1)
    client_id = _closed_client(p, BASE)
    retention_run(today=today)
    review = RetentionReview.objects.get(kind="closed_client")
    retention_reviews_approve(actor=p.data_protection_officer, review_ids=[review.pk])
    CaseFactory(client_id=client_id, keyworker=p.you, team=p.team)  # back for support before the nightly run
    result = retention_run(today=today)
    assert result["closed_client"].removed == 0 and result["closed_client"].held == 1
    assert Client.objects.filter(pk=client_id).exists()
    review.refresh_from_db()
    assert review.status == RetentionStatus.HELD and review.hold_reason == NO_LONGER_EXPIRED


def test_a_failing_removal_is_reported_and_the_others_go_on(personas, monkeypatch):
    p = personas
    today = dt.date(2033, 1, 1)
    first = _notification(p, BASE)
    second = _notification(p, BASE)
    real = KINDS["notification"].remove

    def remove(pk: uuid.UUID, action: str) -> int:
        if pk == first:
            raise RuntimeError("disk on fire")
        return real(pk, action)

    monkeypatch.setitem(
        KINDS, "notification", kinds_module.RetentionKind(**{**KINDS["notification"].__dict__, "remove": remove})
    )
    result = retention_run(today=today)
    assert result["notification"].removed == 1 and len(result["notification"].failed) == 1
    assert Notification.objects.filter(pk=first).exists() and not Notification.objects.filter(pk=second).exists()
    assert RetentionReview.objects.get(object_id=first).status == RetentionStatus.DUE  # tried again next run


def test_the_command_prints_per_kind_and_a_dry_run_changes_nothing(personas):
    _notification(personas, BASE)
    _signposting(personas, BASE)
    out = StringIO()
    call_command("retention", "run", "--date", "2033-01-01", "--dry-run", stdout=out)
    assert "notification: queued 1, removed 1, held 0" in out.getvalue()
    assert RetentionReview.objects.count() == 0 and Notification.objects.count() == 1
    out = StringIO()
    call_command("retention", "run", "--date", "2033-01-01", stdout=out)
    text = out.getvalue()
    assert "notification: queued 1, removed 1, held 0" in text
    assert "signposting: queued 1, removed 0, held 0" in text
    assert "closed_client: queued 0, removed 0, held 0" in text


def test_held_reviews_come_back_when_the_hold_ends(personas):
    p = personas
    _signposting(p, BASE)
    retention_run(today=dt.date(2028, 1, 1))
    review = RetentionReview.objects.get()
    RetentionReview.objects.filter(pk=review.pk).update(
        status=RetentionStatus.HELD, hold_until=dt.date(2028, 3, 1), hold_reason="A claim"
    )
    retention_run(today=dt.date(2028, 2, 29))
    assert RetentionReview.objects.get().status == RetentionStatus.HELD
    retention_run(today=dt.date(2028, 3, 1))
    assert RetentionReview.objects.get().status == RetentionStatus.DUE
    assert RetentionReview.objects.get().action == RetentionAction.DELETE
    assert timezone.localdate()  # the run never used "today" from the clock


def test_a_client_kept_as_no_longer_expired_is_due_again_when_support_ends_again(personas):
    p = personas
    client_id = _closed_client(p, BASE)
    retention_run(today=dt.date(2033, 1, 1))
    review = RetentionReview.objects.get(kind="closed_client")
    retention_reviews_approve(actor=p.data_protection_officer, review_ids=[review.pk])
    case = CaseFactory(client_id=client_id, keyworker=p.you, team=p.team)
    retention_run(today=dt.date(2033, 1, 1))
    assert RetentionReview.objects.get(pk=review.pk).status == RetentionStatus.HELD
    case.status, case.closed_on = CaseStatus.CLOSED, dt.date(2033, 2, 1)
    case.save()
    assert retention_run(today=dt.date(2039, 1, 31))["closed_client"].queued == 0
    assert retention_run(today=dt.date(2039, 2, 1))["closed_client"].queued == 1
    review.refresh_from_db()
    assert (review.status, review.expired_on, review.decided_by) == (
        RetentionStatus.DUE,
        dt.date(2039, 2, 1),
        None,
    )
    assert Client.objects.filter(pk=client_id).exists(), "due again means asked again, not removed"


def test_a_removal_that_would_reach_another_persons_record_is_refused(personas):
    from keyworker.core.testing import AppointmentFactory

    p = personas
    client_id = _closed_client(p, BASE)
    mine = AppointmentFactory(client_id=client_id, staff=p.you)
    other = ClientFactory()
    AppointmentFactory(client=other, staff=p.you, rescheduled_to=mine)  # wrongly linked across people
    retention_run(today=dt.date(2033, 1, 1))
    review = RetentionReview.objects.get(kind="closed_client")
    retention_reviews_approve(actor=p.data_protection_officer, review_ids=[review.pk])
    result = retention_run(today=dt.date(2033, 1, 1))["closed_client"]
    assert result.removed == 0 and result.failed and "OtherPersonsRecord" in result.failed[0]
    assert Client.objects.filter(pk=client_id).exists() and Client.objects.filter(pk=other.pk).exists()
    assert RetentionReview.objects.get(pk=review.pk).status == RetentionStatus.APPROVED
