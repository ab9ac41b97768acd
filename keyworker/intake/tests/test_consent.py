"""Consent and lawful basis: recording, withdrawing (history kept), what sharing features are told, the
client's consent page (casework roles who can see the client; others 404), and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.testing import Personas
from keyworker.intake import services
from keyworker.intake.models import AgencyKind, ConsentMethod, ConsentRecord, LawfulBasis, Schedule1Condition
from keyworker.intake.selectors import client_sharing_permitted, consent_get_for, consent_list_for
from keyworker.people.models import Client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def consent(p: Personas, client: Client, **overrides: object) -> ConsentRecord:
    fields: dict[str, object] = {
        "actor": p.you,
        "client": client,
        "covers_support": True,
        "agency_kinds": [AgencyKind.HOUSING, AgencyKind.DRUG_AND_ALCOHOL],
        "method": ConsentMethod.VERBAL,
    }
    fields.update(overrides)
    return services.consent_record(**fields)


def test_record_consent_and_sharing_follows_it(personas: Personas):
    client = personas.client_of(personas.you)
    record = consent(personas, client)
    assert record.given_on == TODAY() and record.recorded_by == personas.you
    assert record.agency_kinds == ["drug_alcohol", "housing"]
    permitted, reason = client_sharing_permitted(client, AgencyKind.HOUSING)
    assert permitted and reason.startswith("Consent given verbally on")
    assert client_sharing_permitted(client, AgencyKind.POLICE)[0] is False
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(record.pk))
    assert event.client_id == client.pk and event.actor == personas.you


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"method": ""}, "method"),
        ({"basis": "whim"}, "basis"),
        ({"agency_kinds": ["mi5"]}, "agency_kinds"),
        ({"agency_kinds": [], "covers_support": False}, "agency_kinds"),
        ({"given_on": dt.date.today() + dt.timedelta(days=3)}, "given_on"),
        ({"basis": LawfulBasis.PUBLIC_TASK, "note": "Risk to a child."}, "schedule1_condition"),
        ({"basis": LawfulBasis.PUBLIC_TASK, "schedule1_condition": Schedule1Condition.SAFEGUARDING}, "note"),
    ],
)
def test_bad_input_changes_nothing(personas: Personas, overrides: dict[str, object], field: str):
    client = personas.client_of(personas.you)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        consent(personas, client, **overrides)
    assert field in exc.value.field_errors
    assert not ConsentRecord.objects.exists() and AuditEvent.objects.count() == events


def test_other_basis_with_schedule_1_condition(personas: Personas):
    client = personas.client_of(personas.you)
    record = consent(
        personas,
        client,
        basis=LawfulBasis.LEGITIMATE_INTERESTS,
        agency_kinds=[AgencyKind.CHILDRENS_SERVICES],
        covers_support=False,
        schedule1_condition=Schedule1Condition.SAFEGUARDING,
        note="A child at risk; asking would put them at more risk.",
    )
    assert record.method == ""
    permitted, reason = client_sharing_permitted(client, AgencyKind.CHILDRENS_SERVICES)
    assert permitted and "para 18" in reason


def test_withdraw_keeps_history_and_stops_sharing(personas: Personas):
    client = personas.client_of(personas.you)
    record = consent(personas, client, given_on=TODAY() - dt.timedelta(days=5))
    services.consent_withdraw(
        actor=personas.teammate, record=record, reason="Does not want housing told.", method=ConsentMethod.VERBAL
    )
    record.refresh_from_db()
    assert record.withdrawn_on == TODAY() and record.withdrawn_by == personas.teammate
    assert ConsentRecord.objects.filter(client=client).count() == 1
    permitted, reason = client_sharing_permitted(client, AgencyKind.HOUSING)
    assert not permitted and "withdrawn" in reason
    assert client_sharing_permitted(client, AgencyKind.HOUSING, TODAY() - dt.timedelta(days=1))[0]
    with pytest.raises(ValidationFailed):
        services.consent_withdraw(actor=personas.you, record=record, reason="Again")


def test_withdraw_checks_input_and_versions(personas: Personas):
    client = personas.client_of(personas.you)
    record = consent(personas, client)
    for kwargs in (
        {"reason": ""},
        {"reason": "x", "withdrawn_on": TODAY() - dt.timedelta(days=1)},
        {"reason": "x", "withdrawn_on": TODAY() + dt.timedelta(days=1)},
        {"reason": "x", "method": "carrier pigeon"},
    ):
        with pytest.raises(ValidationFailed):
            services.consent_withdraw(actor=personas.you, record=record, **kwargs)
    with pytest.raises(ConcurrentEdit):
        services.consent_withdraw(actor=personas.you, record=record, reason="x", expected_version=record.version + 1)
    record.refresh_from_db()
    assert record.withdrawn_on is None and record.version == 1


def test_only_staff_who_can_see_the_client_record_or_read(personas: Personas):
    client = personas.client_of(personas.you)
    record = consent(personas, client)
    for outsider in (personas.other_caseworker, personas.report_viewer):
        with pytest.raises(NotAllowed):
            consent(personas, client, actor=outsider)
        with pytest.raises(NotAllowed):
            services.consent_withdraw(actor=outsider, record=record, reason="x")
        assert not consent_list_for(outsider, client).exists()
        with pytest.raises(Exception, match="Not found"):
            consent_get_for(outsider, record.pk)
    assert consent_get_for(personas.manager, record.pk) == record


def test_the_consent_page(personas: Personas):
    client = personas.client_of(personas.you, first_name="Kayla")
    url = reverse("intake:client_consent", args=[client.pk])
    http = signed_in(personas.you)
    page = http.get(url)
    assert page.status_code == 200 and "Nothing recorded yet" in page.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, client_id=client.pk, actor=personas.you).exists()
    response = http.post(
        url,
        {
            "action": "record",
            "basis": "consent",
            "covers_support": "on",
            "agency_kinds": ["housing", "health"],
            "method": "written",
        },
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get(client=client)
    assert record.agency_kinds == ["health", "housing"] and record.method == "written"
    body = http.get(url).content.decode()
    assert "Consent given in writing on" in body

    bad = http.post(url, {"action": "record", "basis": "consent", "agency_kinds": ["police"]})
    assert bad.status_code == 422 and "Say how the consent was given." in bad.content.decode()
    assert ConsentRecord.objects.count() == 1

    withdrawn = http.post(
        url, {"action": "withdraw", "consent": str(record.pk), "version": str(record.version), "reason": "Changed mind"}
    )
    assert withdrawn.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_on == TODAY() and record.withdrawal_reason == "Changed mind"
    assert "Changed mind" in http.get(url).content.decode()


def test_the_consent_page_is_not_found_for_others(personas: Personas):
    client = personas.client_of(personas.you, first_name="Zebediah")
    url = reverse("intake:client_consent", args=[client.pk])
    for outsider in (personas.other_caseworker, personas.report_viewer, personas.other_manager):
        response = signed_in(outsider).get(url)
        assert response.status_code == 404 and "Zebediah" not in response.content.decode()
    assert signed_in(personas.manager).get(url).status_code == 200


def test_consent_recorded_when_accepting_a_referral(personas: Personas):
    made = services.referral_receive(actor=personas.you, source="self", reason="Wants out.", first_name="Nia")
    http = signed_in(personas.you)
    url = reverse("intake:referral_accept", args=[made.pk])
    bad = http.post(
        url,
        {"programme": "gang_exit", "version": str(made.version), "consent_agency_kinds": ["housing"]},
    )
    assert bad.status_code == 422 and "Say how the consent was given." in bad.content.decode()
    made.refresh_from_db()
    assert made.client_id is None and not Client.objects.exists()  # nothing accepted
    good = http.post(
        url,
        {
            "programme": "gang_exit",
            "version": str(made.version),
            "consent_covers_support": "on",
            "consent_agency_kinds": ["housing"],
            "consent_method": "verbal",
        },
    )
    assert good.status_code == 302
    made.refresh_from_db()
    record = ConsentRecord.objects.get(client=made.client)
    assert record.covers_support and record.agency_kinds == ["housing"] and record.method == "verbal"


def test_accepting_without_consent_records_none(personas: Personas):
    made = services.referral_receive(actor=personas.you, source="self", reason="Wants out.", first_name="Oto")
    response = signed_in(personas.you).post(
        reverse("intake:referral_accept", args=[made.pk]), {"programme": "gang_exit", "version": str(made.version)}
    )
    assert response.status_code == 302 and not ConsentRecord.objects.exists()
