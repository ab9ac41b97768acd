"""Monday from DESIGN.md in Chromium: a scared young woman refers herself; no funding stream covers her and
the page says why for each; her worker asks to take her on unfunded and a manager (signed in separately,
with MFA) approves it; her safe-contact rules are on her page; an office appointment today is on My week;
then the initial risk check (risk from others high: retaliation) tells the manager, and the safety plan she
writes is shown prominently on the client's page.

Every page visited passes axe-core. The streams are set up through the funding services, as a manager would.
Names are fictional.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.utils import timezone

from keyworker.core.models import Notification
from keyworker.core.testing import Personas, make_personas
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.funding import services as funding
from keyworker.funding.models import UnfundedDecision, UnfundedWork
from keyworker.people.models import Client
from keyworker.safeguarding.models import RiskReview

pytestmark = pytest.mark.django_db(transaction=True)

FIRST, LAST, CODE_WORD = "Leah", "Marsden-Fictional", "bluebell"




def _streams(personas: Personas) -> None:
    """Three streams with different rules, set up by the team's manager through the services."""
    manager = personas.manager
    start = timezone.localdate() - dt.timedelta(days=200)
    youth = funding.funding_stream_create(
        actor=manager,
        funder=funding.funder_create(actor=manager, name="Thameside Community Foundation"),
        name="Safer Streets Youth Fund",
        starts_on=start,
        places=20,
    )
    funding.eligibility_rule_add(actor=manager, stream=youth, kind="age_range", parameters={"min": 14, "max": 24})
    funding.eligibility_rule_add(
        actor=manager, stream=youth, kind="home_area", parameters={"areas": ["SE5", "SE15", "SE17", "SW9"]}
    )
    gate = funding.funding_stream_create(
        actor=manager,
        funder=funding.funder_create(actor=manager, name="Hallam Justice Trust"),
        name="Through the Gate Resettlement Grant",
        starts_on=start,
        places=15,
    )
    funding.eligibility_rule_add(
        actor=manager, stream=gate, kind="custody_status", parameters={"released_within_months": 6}
    )
    boys = funding.funding_stream_create(
        actor=manager,
        funder=funding.funder_create(actor=manager, name="Kingsway Boys' Futures"),
        name="Boys to Men Mentoring",
        starts_on=start,
        places=10,
    )
    funding.eligibility_rule_add(actor=manager, stream=boys, kind="gender", parameters={"genders": ["male"]})
    funding.eligibility_rule_add(actor=manager, stream=boys, kind="age_range", parameters={"min": 16, "max": 25})


def test_monday_intake_with_no_funding(browser: Any, live_server: Any, page: Any, axe: AxeChecked) -> None:
    started = time.monotonic()
    personas = make_personas()
    _streams(personas)
    today = timezone.localdate()
    born = today - dt.timedelta(days=int(19.5 * 365.25))  # 19 today

    # The caseworker records the self-referral, with her safe-contact rules.
    sign_in(page, personas.you, axe)
    page.goto("/referrals/new/")
    axe.check()
    page.get_by_label("Who referred them").select_option("self")
    page.get_by_label("Why they were referred").fill(
        "Rang the office from a friend's phone, scared. A new group of girls round her way; told she can't leave."
    )
    page.get_by_label("How urgent").select_option("urgent")
    page.get_by_label("First name").fill(FIRST)
    page.get_by_label("Last name").fill(LAST)
    page.get_by_label("Date of birth").fill(born.isoformat())
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Home area").fill("Lambeth")
    page.get_by_label("May phone").uncheck()
    page.get_by_label("May text").check()
    page.get_by_label("May leave a voicemail").uncheck()
    page.get_by_label("Code word").fill(CODE_WORD)
    page.get_by_label("Safe contact note").fill("Text only, from the office mobile. Others check her phone.")
    page.get_by_role("button", name="Record referral").click()
    page.get_by_text("Referral recorded.").wait_for()
    axe.check()

    # Accepted into a client and a case on the women and girls programme.
    page.get_by_role("link", name="Accept: make a client and a case").click()
    page.get_by_role("heading", name="Accept the referral").wait_for()
    axe.check()
    page.get_by_label("Programme").select_option("women_and_girls")
    page.get_by_role("button", name="Accept").click()
    page.get_by_text(re.compile(r"Referral accepted: case KW-\d+ opened\.")).wait_for()
    client = Client.objects.get(first_name=FIRST, last_name=LAST)
    assert re.search(rf"/clients/{client.pk}/$", page.url)
    safe = page.locator(".kw-safe-contact")
    for rule in ("Do NOT leave voicemail", "Do NOT phone", "Texts: yes", CODE_WORD):
        assert safe.get_by_text(rule).is_visible(), rule
    axe.check()

    # No stream covers her, and each says why in words.
    page.get_by_role("link", name=re.compile("Funding eligibility")).click()
    page.get_by_role("heading", name="Funding eligibility").wait_for()
    assert page.get_by_text("Not eligible for any of the 3 active streams.").is_visible()
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    expected = {
        "Safer Streets Youth Fund": "Home area Lambeth is not in SE5, SE15, SE17, SW9.",
        "Through the Gate Resettlement Grant": "Custody status is not recorded; this stream is for people released "
        "from custody within the last 6 months.",
        "Boys to Men Mentoring": "This stream is for men and boys.",
    }
    for name, reason in expected.items():
        row = rows.filter(has_text=name)
        assert row.get_by_text("Not eligible").is_visible(), name
        assert row.get_by_text(reason).is_visible(), (name, row.inner_text())
    axe.check()

    # Asked to take her on unfunded, with a reason.
    page.get_by_label("Why take this case on unfunded").fill(
        "No stream covers her: outside the youth fund's postcodes. She is at risk from the group now."
    )
    page.get_by_role("button", name="Ask to take on unfunded").click()
    page.get_by_text("Asked for approval to take this case on unfunded.").wait_for()
    assert page.get_by_text("Waiting for a manager").is_visible()
    axe.check()
    eligibility_url = page.url

    # The team's manager, in a browser of their own, approves it with a reason.
    manager_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        manager_page = manager_context.new_page()
        manager_page.set_default_timeout(15000)
        manager_axe = AxeChecked(manager_page)
        sign_in(manager_page, personas.manager, manager_axe)
        manager_page.goto(eligibility_url)
        manager_axe.check()
        manager_page.get_by_label("Decision").select_option(UnfundedDecision.APPROVED)
        manager_page.get_by_label("Reason", exact=True).fill("Agreed: high risk, we take her on while we bid.")
        manager_page.get_by_role("button", name="Record decision").click()
        manager_page.get_by_text("Unfunded work approved.").wait_for()
        manager_axe.check()
    finally:
        manager_context.close()
    work = UnfundedWork.objects.get(case__client=client)
    assert work.decision == UnfundedDecision.APPROVED and work.decided_by == personas.manager

    # The caseworker sees it approved.
    page.reload()
    assert page.get_by_text(re.compile(r"KW-\d+: Approved\.")).is_visible()
    assert page.get_by_text("Agreed: high risk, we take her on while we bid.").is_visible()
    axe.check()

    # Back on her page: the safe-contact rules, then an office appointment today.
    page.get_by_role("link", name=f"Back to {FIRST} {LAST}").click()
    page.get_by_role("heading", name="Safe contact").wait_for()
    assert page.locator(".kw-safe-contact").get_by_text("Do NOT leave voicemail").is_visible()
    page.get_by_role("link", name=re.compile("Book an appointment")).click()
    page.get_by_role("heading", name="Book an appointment").wait_for()
    axe.check()
    page.get_by_label("Kind of appointment").select_option("office")
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Starts").fill("15:00")
    page.get_by_label("Ends").fill("16:00")
    page.get_by_label("Where").fill("Lambeth office, Brixton")
    page.get_by_role("button", name="Book appointment").click()
    page.get_by_text(re.compile(r"Booked: Office appointment")).wait_for()
    axe.check()

    page.goto("/week/")
    day = page.locator(f"section[aria-labelledby='day-{today.isoformat()}']")
    assert day.get_by_text("Lambeth office, Brixton").is_visible()
    assert day.get_by_role("link", name=re.compile(FIRST)).first.is_visible()
    axe.check()

    # The initial risk check: risk from others is high (retaliation from the group she is leaving). The next
    # review date is only suggested (two weeks, for high risk); she keeps it. The manager is told.
    page.get_by_role("link", name=re.compile(FIRST)).first.click()
    page.get_by_role("heading", name="Safe contact").wait_for()
    page.get_by_role("link", name=re.compile("^Risk reviews")).click()
    page.get_by_role("heading", name="Risk", exact=True).wait_for()
    assert page.get_by_text("No risk review yet.").is_visible()
    axe.check()
    page.get_by_label("What prompted this review").select_option("initial")
    page.get_by_role("group", name="Risk to self").get_by_label("Low", exact=True).check()
    page.get_by_role("group", name="Risk to others").get_by_label("Low", exact=True).check()
    page.get_by_role("group", name="Risk from others").get_by_label("High", exact=True).check()
    suggested = (today + dt.timedelta(days=14)).isoformat()
    page.wait_for_function(
        "value => document.querySelector('#id_next_review_on').value === value", arg=suggested
    )
    assert page.get_by_text("Suggested for high risk").is_visible()
    page.get_by_label("Reasons").fill(
        "Retaliation from the group she is leaving: they have told her she can't leave and know where she lives."
    )
    page.get_by_role("button", name="Save risk review").click()
    page.get_by_text("The risk has gone up (risk from others)").wait_for()
    assert page.get_by_text("Retaliation from the group she is leaving").is_visible()
    axe.check()
    review = RiskReview.objects.get(client=client)
    assert (review.occasion, review.risk_from_others, review.next_review_on.isoformat()) == (
        "initial",
        "high",
        suggested,
    )
    assert Notification.objects.filter(recipient=personas.manager, subject="A client's risk has gone up").exists()

    # A safety plan: safe areas, safe contacts and what to do in an emergency.
    page.get_by_role("link", name=re.compile("^Safety plan")).click()
    page.get_by_role("heading", name="Safety plan", exact=True).wait_for()
    axe.check()
    page.get_by_label("Safe areas").fill("Her aunt's road in Brixton; the college library.")
    page.get_by_label("Safe contacts").fill("Her aunt; her caseworker by text; the duty line.")
    page.get_by_label("What to do in an emergency").fill(
        "Call 999. Then text the duty line the code word. Go to her aunt's, never home, if followed."
    )
    page.get_by_role("button", name="Save safety plan").click()
    page.get_by_text("Safety plan saved.").wait_for()
    axe.check()

    # Her page shows the safety plan prominently, above the safe-contact rules, and the risk in Key facts.
    page.get_by_role("link", name=f"Back to {FIRST} {LAST}").click()
    plan = page.locator("section.kw-safety-plan")
    plan.wait_for()
    assert plan.get_by_text("Call 999. Then text the duty line the code word.").is_visible()
    assert plan.get_by_text("Her aunt; her caseworker by text; the duty line.").is_visible()
    plan_top = plan.bounding_box()["y"]
    assert plan_top < page.locator(".kw-safe-contact").bounding_box()["y"]
    facts = page.locator(".kw-facts")
    assert facts.get_by_text("Risk", exact=True).is_visible()
    assert facts.get_by_text("To self low, to others low, from others high").is_visible()
    axe.check()

    elapsed = time.monotonic() - started
    print(f"\nMonday played in Chromium in {elapsed:.1f}s; axe checked {len(axe.checked)} + manager pages")
