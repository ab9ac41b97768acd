"""The register of sharing agreements: who reads and who keeps it, bad input and stale edits change nothing,
and an agreement's page shows only what the viewer may see of what was shared under it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.testing import ServiceFactory, signed_in
from keyworker.privacy.agreements.selectors import AgreementState, agreement_state
from keyworker.privacy.agreements.services import sharing_agreement_create, sharing_agreement_update
from keyworker.privacy.models import Disclosure, SharingAgreement
from keyworker.privacy.services import disclosure_record
from keyworker.services.models import OutboundReferral, OutboundStatus

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)

READERS = {"you", "teammate", "other_caseworker", "manager", "other_manager", "on_call", "data_protection_officer"}
KEEPERS = {"manager", "other_manager", "data_protection_officer"}
ALL = (*READERS, "report_viewer", "safeguarding_lead", "peer_mentor")


def values(**changes):
    today = timezone.localdate()
    base = {
        "partner": "Lambeth Drug and Alcohol Service",
        "title": "Substance misuse referrals",
        "purpose": "Referring clients for treatment and sharing progress.",
        "lawful_basis": "Art 6(1)(a) consent; art 9(2)(h)",
        "data_shared": "Name, date of birth, phone, substance use.",
        "starts_on": today - dt.timedelta(days=30),
        "review_on": today + dt.timedelta(days=300),
        "ends_on": None,
        "document_reference": "ISA-2026-04",
    }
    return base | changes


def agreement(p, **changes) -> SharingAgreement:
    return sharing_agreement_create(actor=p.data_protection_officer, **values(**changes))


# ------------------------------------------------------------------------------------------------ the rules


def test_the_state_tags():
    a = SharingAgreement(starts_on=TODAY, review_on=TODAY + dt.timedelta(days=10), ends_on=None)
    assert agreement_state(a, TODAY - dt.timedelta(days=1)) == AgreementState.NOT_YET
    assert agreement_state(a, TODAY) == AgreementState.IN_FORCE
    assert agreement_state(a, TODAY + dt.timedelta(days=10)) == AgreementState.DUE_FOR_REVIEW
    a.ends_on = TODAY + dt.timedelta(days=20)
    assert agreement_state(a, TODAY + dt.timedelta(days=21)) == AgreementState.ENDED


@given(st.dates(), st.integers(0, 400), st.integers(0, 400), st.integers(-5, 500))
def test_a_state_other_than_ended_or_not_yet_means_in_force(start, review_in, ends_in, day_offset):
    """The tags agree with in_force_on: "in force" and "due for review" exactly when it is in force."""
    try:
        review_on, ends_on = start + dt.timedelta(days=review_in), start + dt.timedelta(days=ends_in)
        day = start + dt.timedelta(days=day_offset)
    except OverflowError:
        return
    a = SharingAgreement(starts_on=start, review_on=review_on, ends_on=ends_on)
    in_force = agreement_state(a, day) in (AgreementState.IN_FORCE, AgreementState.DUE_FOR_REVIEW)
    assert in_force == a.in_force_on(day)


# --------------------------------------------------------------------------------------------- the services


def test_the_dpo_and_managers_add_and_it_is_audited(personas):
    p = personas
    for keeper in (p.data_protection_officer, p.manager):
        made = sharing_agreement_create(actor=keeper, **values(title=f"ISA {keeper.pk}"))
        event = AuditEvent.objects.get(object_id=str(made.pk))
        assert event.action == AuditAction.CREATE and event.client_id is None and made.recorded_by == keeper
    for other in (p.you, p.report_viewer, p.safeguarding_lead):
        with pytest.raises(NotAllowed):
            sharing_agreement_create(actor=other, **values())
    assert SharingAgreement.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"ends_on": dt.date(2020, 1, 1), "starts_on": dt.date(2021, 1, 1), "review_on": dt.date(2022, 1, 1)},
            "ends_on",
        ),
        ({"purpose": "  "}, "purpose"),
        ({"partner": ""}, "partner"),
        ({"review_on": dt.date(2000, 1, 1)}, "review_on"),
        ({"starts_on": None}, "starts_on"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_input_changes_nothing(personas, changes, field):
    p = personas
    with pytest.raises(ValidationFailed) as refused:
        agreement(p, **changes)
    assert field in refused.value.field_errors
    assert not SharingAgreement.objects.exists() and not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_stale_edit_is_refused_and_changes_nothing(personas):
    p = personas
    made = agreement(p)
    stale = SharingAgreement.objects.get(pk=made.pk)
    sharing_agreement_update(actor=p.manager, agreement=made, expected_version=made.version, **values(title="Renamed"))
    with pytest.raises(ConcurrentEdit):
        sharing_agreement_update(
            actor=p.data_protection_officer, agreement=stale, expected_version=stale.version, **values(title="Mine")
        )
    assert SharingAgreement.objects.get(pk=made.pk).title == "Renamed"
    with pytest.raises(ValidationFailed):
        sharing_agreement_update(actor=p.manager, agreement=made, expected_version=made.version, **values(purpose=""))
    assert SharingAgreement.objects.get(pk=made.pk).purpose == values()["purpose"]


# ------------------------------------------------------------------------------------------------- the pages


def test_register_pages_by_persona(personas):
    p = personas
    made = agreement(p)
    for name in ALL:
        http = signed_in(getattr(p, name))
        reads = name in READERS
        keeps = name in KEEPERS
        for url in (reverse("privacy:agreement_list"), reverse("privacy:agreement_detail", args=[made.pk])):
            response = http.get(url)
            assert response.status_code == (200 if reads else 404), (name, url)
            if reads:
                assert "Substance misuse referrals" in response.content.decode()
        for url in (reverse("privacy:agreement_new"), reverse("privacy:agreement_edit", args=[made.pk])):
            assert http.get(url).status_code == (200 if keeps else 404), (name, url)
        response = http.post(reverse("privacy:agreement_new"), {**values(title=f"By {name}"), "ends_on": ""})
        assert response.status_code == (302 if keeps else 404), name
    assert SharingAgreement.objects.count() == 1 + len(KEEPERS)


def test_the_list_tags_each_agreement(personas):
    p = personas
    today = timezone.localdate()
    agreement(p, title="Current one")
    agreement(
        p,
        title="Old one",
        starts_on=today - dt.timedelta(days=400),
        review_on=today - dt.timedelta(days=300),
        ends_on=today - dt.timedelta(days=1),
    )
    agreement(p, title="Needs a look", review_on=today)
    body = signed_in(p.you).get(reverse("privacy:agreement_list")).content.decode()
    for tag in ("In force", "Ended", "Due for review"):
        assert tag in body
    assert "Add a sharing agreement" not in body
    assert "Add a sharing agreement" in signed_in(p.manager).get(reverse("privacy:agreement_list")).content.decode()


def test_the_form_refuses_bad_input_with_messages_and_saves_nothing(personas):
    p = personas
    http = signed_in(p.data_protection_officer)
    response = http.post(
        reverse("privacy:agreement_new"),
        {**values(purpose="", starts_on="2026-05-01", review_on="2026-06-01", ends_on="2026-04-01")},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Say why information is shared under it." in body and "The end date cannot be before it starts." in body
    assert not SharingAgreement.objects.exists()


def test_a_stale_edit_on_the_page_gets_409(personas):
    p = personas
    made = agreement(p)
    read_version = made.version
    sharing_agreement_update(actor=p.manager, agreement=made, expected_version=made.version, **values(title="Theirs"))
    response = signed_in(p.data_protection_officer).post(
        reverse("privacy:agreement_edit", args=[made.pk]),
        {**values(title="Mine"), "ends_on": "", "version": read_version},
    )
    assert response.status_code == 409
    assert SharingAgreement.objects.get(pk=made.pk).title == "Theirs"


def test_agreement_page_shows_only_what_is_in_reach(personas):
    p = personas
    made = agreement(p)
    north = p.client_of(p.you, first_name="Northclient")
    south = p.client_of(p.other_caseworker, first_name="Southclient")
    for client, by in ((north, p.you), (south, p.other_caseworker)):
        referral = OutboundReferral.objects.create(
            client=client,
            service=ServiceFactory(),
            reason="r",
            made_by=by,
            sharing_agreement=made,
            status=OutboundStatus.SENT,
            sent_on=timezone.localdate(),
        )
        disclosure_record(
            actor=by,
            client=client,
            what="Name.",
            recipient="Treatment service",
            basis="Consent.",
            source=referral,
            sharing_agreement=made,
        )
    url = reverse("privacy:agreement_detail", args=[made.pk])
    body = signed_in(p.you).get(url).content.decode()
    assert "Northclient" in body and "Southclient" not in body
    assert "for all clients" not in body  # no total: it would count clients out of reach
    views = AuditEvent.objects.filter(actor=p.you, action=AuditAction.VIEW)
    assert set(views.values_list("client_id", flat=True)) == {north.pk}
    body = signed_in(p.other_caseworker).get(url).content.decode()
    assert "Southclient" in body and "Northclient" not in body
    body = signed_in(p.data_protection_officer).get(url).content.decode()
    assert "Northclient" not in body and "Southclient" not in body
    assert "for all clients: <strong>2</strong>" in body
    assert Disclosure.objects.filter(sharing_agreement=made).count() == 2


def test_list_page_queries_are_bounded(personas, django_assert_max_num_queries):
    p = personas
    for n in range(15):
        agreement(p, title=f"Agreement {n}")
    http = signed_in(p.you)
    with django_assert_max_num_queries(12):
        assert http.get(reverse("privacy:agreement_list")).status_code == 200


# --------------------------------------------------------------------------------------------------- the API


def test_api_by_persona(personas):
    p = personas
    made = agreement(p)
    for name in ALL:
        http = signed_in(getattr(p, name))
        listed = http.get("/api/v1/sharing-agreements")
        one = http.get(f"/api/v1/sharing-agreements/{made.pk}")
        if name in READERS:
            assert listed.status_code == 200 and [a["id"] for a in listed.json()] == [str(made.pk)], name
            assert one.status_code == 200 and one.json()["state"] == "In force", name
        else:
            assert (listed.status_code, one.status_code) == (404, 404), name
    assert signed_in(p.you).get("/api/v1/sharing-agreements/not-an-id").status_code == 404
