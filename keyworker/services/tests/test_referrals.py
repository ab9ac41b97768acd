"""Referrals out, the services: drafts, sending only with consent (and the disclosure log written with it),
the lifecycle with its reasons and outcomes, follow-up dates, and versioned edits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.testing import ServiceFactory
from keyworker.intake.models import AgencyKind
from keyworker.intake.services import consent_record, consent_withdraw
from keyworker.privacy.models import Disclosure
from keyworker.services.models import (
    OutboundOutcome,
    OutboundReferral,
    OutboundReferralUpdate,
    OutboundStatus,
    ServiceCategory,
)
from keyworker.services.services.referrals import (
    outbound_referral_create,
    outbound_referral_edit,
    outbound_referral_follow_up_set,
    outbound_referral_send,
    outbound_referral_update_status,
)

pytestmark = pytest.mark.django_db

S = OutboundStatus


def _consent(p, client, *kinds):
    return consent_record(
        actor=p.you, client=client, agency_kinds=kinds, method="verbal", given_on=timezone.localdate()
    )


def _draft(p, client, service=None, **fields):
    values = {"reason": "Cutting down on cannabis.", "shared": "Name, phone number, what he uses and how often."}
    values.update(fields)
    return outbound_referral_create(
        actor=p.you, client=client, service=service or ServiceFactory(name="Brief Intervention Service"), **values
    )


def _sent(p, client, service=None):
    service = service or ServiceFactory()
    _consent(p, client, AgencyKind.DRUG_AND_ALCOHOL)
    referral = _draft(p, client, service)
    return outbound_referral_send(actor=p.you, referral=referral, expected_version=referral.version)


def test_a_draft_shares_nothing(personas):
    p = personas
    client = p.client_of(p.you)
    referral = _draft(p, client, follow_up_on=timezone.localdate() + dt.timedelta(days=7))
    assert referral.status == S.DRAFT and referral.sent_on is None and referral.basis == ""
    assert referral.case == client.cases.get() and referral.made_by == p.you
    assert not Disclosure.objects.exists()
    event = AuditEvent.objects.get(object_id=str(referral.pk))
    assert event.client_id == client.pk and event.action == AuditAction.CREATE


def test_send_is_refused_without_consent_and_nothing_changes(personas):
    p = personas
    client = p.client_of(p.you)
    referral = _draft(p, client)
    # A consent to share with housing does not cover a drug and alcohol service.
    _consent(p, client, AgencyKind.HOUSING)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        outbound_referral_send(actor=p.you, referral=referral, expected_version=referral.version)
    assert "No consent or other lawful basis recorded covers this." in refused.value.message
    assert refused.value.field_errors["basis"]
    referral.refresh_from_db()
    assert referral.status == S.DRAFT and referral.version == 1 and referral.sent_on is None
    assert not Disclosure.objects.exists() and not OutboundReferralUpdate.objects.exists()
    assert AuditEvent.objects.count() == events


def test_making_and_sending_in_one_go_without_consent_keeps_not_even_the_draft(personas):
    p = personas
    client = p.client_of(p.you)
    with pytest.raises(ValidationFailed):
        _draft(p, client, send=True)
    assert not OutboundReferral.objects.exists() and not Disclosure.objects.exists()


def test_send_after_consent_was_withdrawn_says_so(personas):
    p = personas
    client = p.client_of(p.you)
    consent = _consent(p, client, AgencyKind.DRUG_AND_ALCOHOL)
    consent_withdraw(actor=p.you, record=consent, reason="Changed his mind.", withdrawn_on=timezone.localdate(),
                     method="verbal")
    referral = _draft(p, client)
    with pytest.raises(ValidationFailed, match="Consent was withdrawn"):
        outbound_referral_send(actor=p.you, referral=referral, expected_version=referral.version)


def test_send_with_consent_writes_the_disclosure_log_with_the_basis(personas):
    p = personas
    client = p.client_of(p.you)
    service = ServiceFactory(name="Brief Intervention Service", organisation__name="Lambeth Recovery Trust")
    referral = _sent(p, client, service)
    referral.refresh_from_db()
    assert referral.status == S.SENT and referral.sent_on == timezone.localdate()
    assert referral.basis.startswith("Consent given verbally on") and referral.basis.endswith("covers this.")
    disclosure = Disclosure.objects.get()
    assert disclosure.client == client and disclosure.disclosed_by == p.you
    assert disclosure.what == "Name, phone number, what he uses and how often."
    assert disclosure.recipient == "Brief Intervention Service (Lambeth Recovery Trust)"
    assert disclosure.basis == referral.basis
    assert (disclosure.source_type, disclosure.source_id) == ("services.outboundreferral", referral.pk)
    assert list(referral.updates.values_list("status", flat=True)) == [S.SENT]
    trail = AuditEvent.objects.filter(client_id=client.pk).values_list("object_type", "action")
    assert ("privacy.disclosure", AuditAction.CREATE) in trail
    assert ("services.outboundreferral", AuditAction.UPDATE) in trail


def test_the_service_category_decides_which_consent_counts(personas):
    p = personas
    client = p.client_of(p.you)
    _consent(p, client, AgencyKind.OTHER_CHARITY)
    family = ServiceFactory(category=ServiceCategory.FAMILY)
    housing = ServiceFactory(category=ServiceCategory.HOUSING)
    sent = _draft(p, client, family, send=True)
    assert sent.status == S.SENT
    with pytest.raises(ValidationFailed):
        _draft(p, client, housing, send=True)


def test_send_needs_what_is_shared_and_only_once(personas):
    p = personas
    client = p.client_of(p.you)
    _consent(p, client, AgencyKind.DRUG_AND_ALCOHOL)
    referral = _draft(p, client, shared="")
    with pytest.raises(ValidationFailed) as refused:
        outbound_referral_send(actor=p.you, referral=referral, expected_version=referral.version)
    assert "shared" in refused.value.field_errors
    referral = _sent(p, client)
    with pytest.raises(ValidationFailed):
        outbound_referral_send(actor=p.you, referral=referral, expected_version=referral.version)
    assert Disclosure.objects.count() == 1


def test_bad_input_is_refused_and_nothing_is_made(personas):
    p = personas
    client = p.client_of(p.you)
    with pytest.raises(ValidationFailed) as refused:
        _draft(p, client, reason="  ", follow_up_on=timezone.localdate() - dt.timedelta(days=1))
    assert set(refused.value.field_errors) == {"reason", "follow_up_on"}
    with pytest.raises(ValidationFailed):
        _draft(p, client, ServiceFactory(is_active=False))
    assert not OutboundReferral.objects.exists()


def test_only_someone_who_may_record_on_the_client_can_refer(personas):
    p = personas
    client = p.client_of(p.you)
    with pytest.raises(NotAllowed):
        outbound_referral_create(actor=p.other_caseworker, client=client, service=ServiceFactory(), reason="x")
    referral = _draft(p, client)
    with pytest.raises(NotAllowed):
        outbound_referral_send(actor=p.report_viewer, referral=referral, expected_version=referral.version)


def test_the_lifecycle_to_completed_with_its_outcome(personas):
    p = personas
    client = p.client_of(p.you)
    referral = _sent(p, client)
    today = timezone.localdate()
    outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                    status=S.ACCEPTED, occurred_on=today, note="Keyworker allocated.")
    at = timezone.now() + dt.timedelta(days=3)
    outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                    status=S.FIRST_APPOINTMENT, occurred_on=today, first_appointment_at=at)
    outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                    status=S.ATTENDED, occurred_on=today)
    with pytest.raises(ValidationFailed) as refused:  # completed must say how it went
        outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                        status=S.COMPLETED, occurred_on=today)
    assert "outcome" in refused.value.field_errors
    outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                    status=S.COMPLETED, occurred_on=today, outcome=OutboundOutcome.PARTLY,
                                    outcome_note="Cut down; not stopped.")
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED and referral.has_ended and referral.ended_on == today
    assert referral.outcome == OutboundOutcome.PARTLY and referral.first_appointment_at == at
    assert list(referral.updates.values_list("status", flat=True)) == [
        S.SENT, S.ACCEPTED, S.FIRST_APPOINTMENT, S.ATTENDED, S.COMPLETED
    ]
    assert referral.updates.get(status=S.ACCEPTED).note == "Keyworker allocated."
    with pytest.raises(ValidationFailed) as refused:
        outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                        status=S.WITHDRAWN, occurred_on=today, reason="x")
    assert "has ended" in refused.value.field_errors["status"][0]


@pytest.mark.parametrize("status", [S.DECLINED, S.WITHDRAWN])
def test_declined_and_withdrawn_need_a_reason_and_default_to_not_achieved(personas, status):
    p = personas
    client = p.client_of(p.you)
    referral = _sent(p, client)
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as refused:
        outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                        status=status, occurred_on=today, reason=" ")
    assert "reason" in refused.value.field_errors
    referral.refresh_from_db()
    assert referral.status == S.SENT and referral.updates.count() == 1
    outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                    status=status, occurred_on=today, reason="Outside their area.")
    referral.refresh_from_db()
    assert referral.status_reason == "Outside their area."
    assert referral.outcome == OutboundOutcome.NOT_ACHIEVED and referral.ended_on == today


def test_a_disallowed_move_a_future_date_or_a_missing_appointment_time_is_refused(personas):
    p = personas
    client = p.client_of(p.you)
    referral = _sent(p, client)
    today = timezone.localdate()
    for status, extra, field in (
        (S.COMPLETED, {"outcome": "achieved"}, "status"),  # not accepted yet
        (S.ACCEPTED, {"occurred_on": today + dt.timedelta(days=1)}, "occurred_on"),
        (S.ACCEPTED, {"occurred_on": today - dt.timedelta(days=1)}, "occurred_on"),  # before it was sent
        (S.FIRST_APPOINTMENT, {}, "first_appointment_at"),
    ):
        kwargs = {"occurred_on": today, **extra}
        with pytest.raises(ValidationFailed) as refused:
            outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                            status=status, **kwargs)
        assert field in refused.value.field_errors, (status, extra)
    referral.refresh_from_db()
    assert referral.status == S.SENT and referral.version == 2


def test_a_draft_can_be_withdrawn_but_not_accepted(personas):
    p = personas
    referral = _draft(p, p.client_of(p.you))
    with pytest.raises(ValidationFailed):
        outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                        status=S.ACCEPTED, occurred_on=timezone.localdate())
    outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                    status=S.WITHDRAWN, occurred_on=timezone.localdate(), reason="Not needed.")
    assert OutboundReferral.objects.get().status == S.WITHDRAWN


def test_the_follow_up_date_moves_until_it_ends(personas):
    p = personas
    referral = _sent(p, p.client_of(p.you))
    later = timezone.localdate() + dt.timedelta(days=14)
    outbound_referral_follow_up_set(actor=p.you, referral=referral, expected_version=referral.version,
                                    follow_up_on=later)
    assert OutboundReferral.objects.get().follow_up_on == later
    with pytest.raises(ValidationFailed):
        outbound_referral_follow_up_set(actor=p.you, referral=referral, expected_version=referral.version,
                                        follow_up_on=timezone.localdate() - dt.timedelta(days=1))
    outbound_referral_update_status(actor=p.you, referral=referral, expected_version=referral.version,
                                    status=S.DECLINED, occurred_on=timezone.localdate(), reason="Full.")
    with pytest.raises(ValidationFailed, match="ended"):
        outbound_referral_follow_up_set(actor=p.you, referral=referral, expected_version=referral.version,
                                        follow_up_on=later + dt.timedelta(days=1))


def test_edits_are_versioned(personas):
    p = personas
    client = p.client_of(p.you)
    _consent(p, client, AgencyKind.DRUG_AND_ALCOHOL)
    referral = _draft(p, client)
    stale = OutboundReferral.objects.get(pk=referral.pk)
    outbound_referral_edit(actor=p.you, referral=referral, expected_version=referral.version, reason="Alcohol too.")
    with pytest.raises(ConcurrentEdit):
        outbound_referral_edit(actor=p.teammate, referral=stale, expected_version=stale.version, reason="Other.")
    with pytest.raises(ConcurrentEdit):
        outbound_referral_send(actor=p.you, referral=stale, expected_version=stale.version)
    fresh = OutboundReferral.objects.get(pk=referral.pk)
    assert fresh.reason == "Alcohol too." and fresh.status == S.DRAFT and not Disclosure.objects.exists()


def test_a_sent_referral_cannot_be_edited(personas):
    p = personas
    referral = _sent(p, p.client_of(p.you))
    with pytest.raises(ValidationFailed, match="Only a draft"):
        outbound_referral_edit(actor=p.you, referral=referral, expected_version=referral.version, shared="More.")
