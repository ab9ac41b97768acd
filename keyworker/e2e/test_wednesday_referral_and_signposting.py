"""Wednesday from DESIGN.md in Chromium: after the home visit the caseworker refers her client to the Brief
Intervention Service. Sending is refused until his consent to share with drug and alcohol services is on
record (the reason is shown, nothing is saved); with it, the referral is sent, its basis kept, and the sharing
appears in his disclosure log. The follow-up she set shows on My week that day. Then she gives his girlfriend
the National Domestic Abuse Helpline number and records it as signposting: a description, never a name,
linked to no one's file. Every page visited passes axe-core. Names are fictional.
"""

from __future__ import annotations

import importlib
import re
import time
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from keyworker.core.testing import OrganisationFactory, ServiceFactory, make_personas
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.intake.models import AgencyKind
from keyworker.intake.services import consent_record
from keyworker.privacy.models import Disclosure
from keyworker.services.models import OutboundReferral, OutboundStatus, ServiceCategory, Signposting

pytestmark = pytest.mark.django_db(transaction=True)

FIRST, LAST = "Marcus", "Bellweather-Fictional"
REASON = "Smoking cannabis daily since release; wants to cut down before starting work."
SHARED = "Name, mobile number, what he uses and how often, and that he is on licence."


def test_wednesday_referral_and_signposting(page: Any, axe: AxeChecked) -> None:
    started = time.monotonic()
    _wednesday(page, axe)
    print(f"\nWednesday's referral and signposting played in {time.monotonic() - started:.1f}s; "
          f"axe checked {len(axe.checked)} pages")


def _wednesday(page: Any, axe: AxeChecked) -> None:
    personas = make_personas()
    you = personas.you
    client = personas.client_of(you, first_name=FIRST, last_name=LAST)
    ServiceFactory(
        name="Brief Intervention Service",
        organisation=OrganisationFactory(name="Lambeth Recovery Trust"),
        category=ServiceCategory.DRUGS_ALCOHOL,
        area_covered="Lambeth",
    )
    # The national helplines as the migration seeds them (a transactional test may have flushed them).
    importlib.import_module("keyworker.services.migrations.0002_seed_directory").seed(apps, None)
    today = timezone.localdate()
    sign_in(page, you, axe)

    # The referral: from his record, to the service, sent (refused first: no consent on record yet).
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name=re.compile("Referrals to services")).click()
    axe.check()
    page.get_by_role("link", name="Refer to a service").click()
    axe.check()
    page.get_by_label("Service", exact=True).select_option(label="Brief Intervention Service (Lambeth Recovery Trust)")
    page.get_by_label("Why you are referring them").fill(REASON)
    page.get_by_label("What you are sharing with the service").fill(SHARED)
    page.get_by_label("Follow up on").fill(today.isoformat())
    page.get_by_role("button", name="Send").click()
    page.get_by_text("No consent or other lawful basis recorded covers this.").first.wait_for()
    axe.check()
    assert not OutboundReferral.objects.exists() and not Disclosure.objects.exists()

    consent_record(actor=you, client=client, agency_kinds=[AgencyKind.DRUG_AND_ALCOHOL], method="verbal",
                   given_on=today, note="Agreed on the visit to a referral to drug and alcohol support.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/referrals-out/"))
    page.get_by_text("Referral to Brief Intervention Service sent.").wait_for()
    axe.check()
    referral = OutboundReferral.objects.get()
    assert referral.status == OutboundStatus.SENT and referral.basis.startswith("Consent given verbally")

    page.get_by_role("link", name=re.compile("referrals")).first.click()
    axe.check()
    log = page.locator("table").last
    assert "Brief Intervention Service (Lambeth Recovery Trust)" in log.inner_text()
    assert SHARED in log.inner_text()

    # The follow-up is on My week today.
    page.goto("/week/")
    page.get_by_role("link", name="Referral to Brief Intervention Service").wait_for()
    axe.check()

    # The girlfriend: a helpline number given, recorded with a description only.
    page.goto("/services/")
    axe.check()
    page.get_by_label("Words").fill("domestic")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="National Domestic Abuse Helpline").click()
    axe.check()
    page.get_by_role("link", name="Record that you gave someone these details").click()
    axe.check()
    page.get_by_label("Who").fill("a young woman, a client's partner")
    page.get_by_label("How").select_option(label="In person")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Signposting to National Domestic Abuse Helpline recorded.").wait_for()
    axe.check()
    record = Signposting.objects.get()
    assert record.given_by == you and record.who == "a young woman, a client's partner"
    page.goto("/signposting/")
    axe.check()
    assert "a young woman" in page.content() and FIRST not in page.content()


def test_directory_and_referral_forms_pass_axe(page: Any, axe: AxeChecked) -> None:
    """The pages the scene does not pass through: adding an organisation and a service, a draft referral and a
    refused update on a sent one, each with its error messages."""
    personas = make_personas()
    you = personas.you
    client = personas.client_of(you, first_name=FIRST, last_name=LAST)
    sign_in(page, you, axe)
    page.goto("/services/organisations/new/")
    axe.check()
    page.get_by_role("button", name="Save").click()
    axe.check()  # the error summary
    page.get_by_label("Name").fill("Lambeth Recovery Trust")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add a service").click()
    axe.check()
    page.get_by_role("button", name="Save").click()
    axe.check()
    page.get_by_label("Name", exact=True).fill("Brief Intervention Service")
    page.get_by_label("Kind of service").select_option(label="Drug and alcohol")
    page.get_by_label("Area covered").fill("Lambeth")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Change these details").wait_for()
    axe.check()
    page.goto(f"/clients/{client.pk}/referrals/new/")
    page.get_by_label("Service", exact=True).select_option(label="Brief Intervention Service (Lambeth Recovery Trust)")
    page.get_by_label("Why you are referring them").fill(REASON)
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r"/referrals-out/"))
    axe.check()  # a draft: the send button and the withdraw form
    page.get_by_role("button", name="Save update").click()
    axe.check()  # the update refused: what happened and why are needed
    referral = OutboundReferral.objects.get()
    assert referral.status == OutboundStatus.DRAFT
