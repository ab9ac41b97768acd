"""The disclosure log is complete and tied to the right person: every way information about a client leaves
Keyworker writes a line (a referral out, under its sharing agreement; a MARAC or NRM referral; a decision to
share), none is written on an alleged abuser's record for a victim's concern, and the client page and the
client's log page show it. Letters and the Justice Data Lab export are tested where they are written
(outcomes/tests/test_letters.py: test_handing_it_over_is_a_disclosure; outcomes/tests/test_jdl_export.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ValidationFailed
from keyworker.core.testing import REACH_OF_YOUR_CLIENT, ConcernFactory, CrisisCallFactory, ServiceFactory, signed_in
from keyworker.intake.models import AgencyKind
from keyworker.intake.services import consent_record
from keyworker.privacy.agreements.services import sharing_agreement_create
from keyworker.privacy.models import Disclosure, SharingAgreement
from keyworker.privacy.services import disclosures_record_many
from keyworker.safeguarding.models import ConcernAbout, ConcernCategory, DisclosedBy
from keyworker.safeguarding.services import marac_referral_make, nrm_referral_record
from keyworker.safeguarding.services.sharing import sharing_decision_record
from keyworker.services.models import OutboundReferral, OutboundStatus
from keyworker.services.services.referrals import outbound_referral_create, outbound_referral_send

pytestmark = pytest.mark.django_db


def _agreement(p, **changes) -> SharingAgreement:
    today = timezone.localdate()
    values = {
        "partner": "Lambeth Drug and Alcohol Service",
        "title": "Substance misuse ISA",
        "purpose": "Referrals for treatment.",
        "lawful_basis": "Consent",
        "data_shared": "Name, phone, substance use.",
        "starts_on": today - dt.timedelta(days=30),
        "review_on": today + dt.timedelta(days=300),
        "ends_on": None,
    }
    return sharing_agreement_create(actor=p.data_protection_officer, **(values | changes))


def _consent(p, client):
    consent_record(
        actor=p.you,
        client=client,
        agency_kinds=[AgencyKind.DRUG_AND_ALCOHOL],
        method="verbal",
        given_on=timezone.localdate(),
    )


def _sent_under(p, client, agreement):
    _consent(p, client)
    return outbound_referral_create(
        actor=p.you,
        client=client,
        service=ServiceFactory(name="Brief Intervention"),
        reason="Cutting down.",
        shared="Name and phone.",
        send=True,
        sharing_agreement=agreement,
    )


# ----------------------------------------------------------------------------------------- referrals out


def test_a_referral_sent_under_an_agreement_shows_it_in_the_log(personas):
    p = personas
    client = p.client_of(p.you, first_name="Marcus")
    agreement = _agreement(p)
    referral = _sent_under(p, client, agreement)
    assert referral.status == OutboundStatus.SENT and referral.sharing_agreement == agreement
    line = Disclosure.objects.get(client=client)
    assert line.sharing_agreement == agreement and line.source_id == referral.pk
    link = reverse("privacy:agreement_detail", args=[agreement.pk])
    http = signed_in(p.you)
    for page in (
        reverse("privacy:client_disclosures", args=[client.pk]),
        reverse("services:referral_detail", args=[referral.pk]),
        reverse("services:client_referrals", args=[client.pk]),
    ):
        body = http.get(page).content.decode()
        assert link in body and "Substance misuse ISA" in body, page


def test_the_form_offers_only_agreements_in_force_and_sends_under_the_chosen_one(personas):
    p = personas
    client = p.client_of(p.you)
    _consent(p, client)
    current = _agreement(p, title="Current ISA")
    today = timezone.localdate()
    _agreement(
        p,
        title="Lapsed ISA",
        starts_on=today - dt.timedelta(days=400),
        review_on=today - dt.timedelta(days=300),
        ends_on=today - dt.timedelta(days=1),
    )
    http = signed_in(p.you)
    url = reverse("services:referral_new", args=[client.pk])
    body = http.get(url).content.decode()
    assert "Current ISA" in body and "Lapsed ISA" not in body
    service = ServiceFactory()
    response = http.post(
        url,
        {
            "service": str(service.pk),
            "reason": "Treatment.",
            "shared": "Name.",
            "sharing_agreement": str(current.pk),
            "action": "send",
        },
    )
    assert response.status_code == 302
    assert Disclosure.objects.get(client=client).sharing_agreement == current


def test_an_agreement_not_in_force_is_refused_and_nothing_is_shared(personas):
    p = personas
    client = p.client_of(p.you)
    today = timezone.localdate()
    ended = _agreement(
        p,
        starts_on=today - dt.timedelta(days=400),
        review_on=today - dt.timedelta(days=300),
        ends_on=today - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationFailed) as refused:
        _sent_under(p, client, ended)
    assert "sharing_agreement" in refused.value.field_errors
    assert not OutboundReferral.objects.exists() and not Disclosure.objects.exists()
    # A draft made while it was in force is refused at sending once it has ended.
    later = _agreement(p, title="Ends today", ends_on=today)
    draft = outbound_referral_create(
        actor=p.you, client=client, service=ServiceFactory(), reason="r", shared="s", sharing_agreement=later
    )
    SharingAgreement.objects.filter(pk=later.pk).update(ends_on=today - dt.timedelta(days=1))
    draft.sharing_agreement.refresh_from_db()
    with pytest.raises(ValidationFailed):
        outbound_referral_send(actor=p.you, referral=draft, expected_version=draft.version)
    draft.refresh_from_db()
    assert draft.status == OutboundStatus.DRAFT and not Disclosure.objects.exists()


def test_a_cohort_file_stores_its_agreement(personas):
    p = personas
    clients = [p.client_of(p.you), p.client_of(p.you)]
    agreement = _agreement(p, partner="Ministry of Justice", title="Justice Data Lab")
    disclosures_record_many(
        actor=p.data_protection_officer,
        clients=clients,
        what="Names and PNC numbers.",
        recipient="Justice Data Lab",
        basis="Legitimate interests",
        source=agreement,
        sharing_agreement=agreement,
    )
    assert Disclosure.objects.filter(sharing_agreement=agreement).count() == 2


# ------------------------------------------------------------------------------------------- safeguarding


def _concern(p, client, **fields):
    values = {
        "client": client,
        "recorded_by": p.you,
        "category": ConcernCategory.DOMESTIC_ABUSE,
        "disclosed_on": timezone.localdate() - dt.timedelta(days=2),
    }
    return ConcernFactory(**(values | fields))


def _marac(p, concern):
    return marac_referral_make(
        actor=p.safeguarding_lead,
        concern=concern,
        dash=None,
        marac_area="Lambeth",
        threshold_reasons="Escalating.",
        summary="Pushed down the stairs; phone taken.",
        referred_on=timezone.localdate(),
        lawful_basis="safeguarding",
        sharing_reasons="High risk to her; sharing protects her.",
    )


def test_a_marac_referral_about_the_client_is_in_their_log(personas):
    p = personas
    client = p.client_of(p.you)
    _marac(p, _concern(p, client))
    line = Disclosure.objects.get(client=client)
    assert line.recipient == "MARAC (Lambeth)" and "Pushed down the stairs" in line.what
    assert line.source_type == "safeguarding.sharingdecision" and line.basis.startswith("Safeguarding")


def test_a_victims_marac_referral_and_sharing_decisions_are_not_in_the_alleged_abusers_log(personas):
    p = personas
    dan = p.client_of(p.you, first_name="Dan")
    concern = _concern(p, dan, about=ConcernAbout.THIRD_PARTY, disclosed_by=DisclosedBy.PERSON_AT_RISK)
    _marac(p, concern)
    sharing_decision_record(
        actor=p.safeguarding_lead,
        concern=concern,
        shared=True,
        shared_with="Police",
        lawful_basis="crime_prevention",
        reasons="She asked us to tell the police.",
    )
    assert not Disclosure.objects.exists()
    body = signed_in(p.you).get(reverse("people:client_detail", args=[dan.pk])).content.decode()
    assert "Nothing shared yet." in body and "MARAC" not in body
    body = signed_in(p.you).get(reverse("privacy:client_disclosures", args=[dan.pk])).content.decode()
    assert "MARAC" not in body and "Police" not in body


def test_an_nrm_referral_about_the_client_is_in_their_log_and_one_about_someone_else_is_not(personas):
    p = personas
    client = p.client_of(p.you)
    mine = _concern(p, client, category=ConcernCategory.MODERN_SLAVERY)
    values = {
        "first_responder": "Lambeth Council",
        "referred_on": timezone.localdate(),
        "is_adult": True,
        "consent_given": True,
        "duty_to_notify_on": None,
    }
    nrm_referral_record(actor=p.safeguarding_lead, concern=mine, **values)
    line = Disclosure.objects.get(client=client)
    assert "Lambeth Council" in line.recipient and line.basis == "Consent of the person"
    other = _concern(p, client, category=ConcernCategory.MODERN_SLAVERY, about=ConcernAbout.THIRD_PARTY)
    nrm_referral_record(actor=p.safeguarding_lead, concern=other, **values)
    assert Disclosure.objects.count() == 1


def test_a_decision_to_share_is_logged_and_one_not_to_share_is_not(personas):
    p = personas
    client = p.client_of(p.you)
    concern = _concern(p, client, category=ConcernCategory.SELF_HARM)
    sharing_decision_record(actor=p.you, concern=concern, shared=False, lawful_basis="", reasons="He asked us not to.")
    assert not Disclosure.objects.exists()
    sharing_decision_record(
        actor=p.you,
        concern=concern,
        shared=True,
        shared_with="His GP",
        lawful_basis="vital_interests",
        reasons="Risk to life tonight.",
    )
    call = CrisisCallFactory(client=client)
    sharing_decision_record(
        actor=p.on_call,
        crisis_call=call,
        shared=True,
        shared_with="Ambulance service",
        lawful_basis="vital_interests",
        reasons="Took an overdose.",
    )
    assert sorted(Disclosure.objects.filter(client=client).values_list("recipient", flat=True)) == [
        "Ambulance service",
        "His GP",
    ]
    event = AuditEvent.objects.get(
        object_type="privacy.disclosure", object_id=str(Disclosure.objects.get(recipient="His GP").pk)
    )
    assert event.client_id == client.pk and event.action == AuditAction.CREATE


# --------------------------------------------------------------------------------------- the client page


def test_the_client_page_shows_how_often_and_the_latest(personas):
    p = personas
    client = p.client_of(p.you)
    http = signed_in(p.you)
    page = reverse("people:client_detail", args=[client.pk])
    assert "Nothing shared yet." in http.get(page).content.decode()
    agreement = _agreement(p)
    _sent_under(p, client, agreement)
    Disclosure.objects.update(disclosed_at=timezone.now() - dt.timedelta(days=3))
    concern = _concern(p, client, category=ConcernCategory.SELF_HARM)
    sharing_decision_record(
        actor=p.you,
        concern=concern,
        shared=True,
        shared_with="His GP",
        lawful_basis="vital_interests",
        reasons="Risk to life tonight.",
    )
    body = http.get(page).content.decode()
    assert "2 times. Latest:" in body and "to His GP" in body
    assert reverse("privacy:client_disclosures", args=[client.pk]) in body


@pytest.mark.parametrize(("name", "reaches"), REACH_OF_YOUR_CLIENT)
def test_the_log_page_is_seen_by_those_who_see_the_client_and_audited(personas, name, reaches):
    p = personas
    client = p.client_of(p.you)
    _sent_under(p, client, None)
    viewer = getattr(p, name)
    response = signed_in(viewer).get(reverse("privacy:client_disclosures", args=[client.pk]))
    assert response.status_code == (200 if reaches else 404)
    viewed = AuditEvent.objects.filter(actor=viewer, client_id=client.pk, action=AuditAction.VIEW).exists()
    assert viewed == reaches
    if reaches:
        assert "Name and phone." in response.content.decode()


def test_the_log_page_queries_are_bounded(personas, django_assert_max_num_queries):
    p = personas
    client = p.client_of(p.you)
    agreement = _agreement(p)
    for _ in range(5):
        _sent_under(p, client, agreement)
    http = signed_in(p.you)
    with django_assert_max_num_queries(14):
        assert http.get(reverse("privacy:client_disclosures", args=[client.pk])).status_code == 200
