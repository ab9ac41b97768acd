"""Wednesday from DESIGN.md in Chromium: at a home visit a client's girlfriend says he hit her; he says she is
back on drugs. While the caseworker types the visit note on his page, the system points out the possible
disclosure and offers to record a concern. She follows the domestic-abuse prompt and records the concern about
someone else (a description of her, not his name): it is saved on a separate record of its own. Back on his
page there is only "a safeguarding concern exists — see the safeguarding lead": the disclosure is not on the
page, in the timeline or on his concerns page. Her teammate sees only the flag and cannot open the concern;
the safeguarding lead finds it in her queue and opens it. Every page visited passes axe-core. Names are
fictional.
"""

from __future__ import annotations

import importlib
import re
import time
from typing import Any

import pytest
from django.apps import apps

from keyworker.core.testing import Personas, make_personas
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.safeguarding.models import Concern, ConcernAbout

pytestmark = pytest.mark.django_db(transaction=True)

FIRST, LAST = "Dwayne", "Ashcombe-Fictional"
VISIT_NOTE = (
    "Home visit. His girlfriend said he hit her last week and she is scared of him; he says she is back on drugs."
)
DISCLOSURE = "She said he hit her last week and she is scared of him. She did not want him to know she told me."
SAFE_NOTE = "Home visit. Talked about cutting down; referred him to the Brief Intervention Service."
FLAG = "A safeguarding concern exists — see the safeguarding lead."


def test_wednesday_disclosure(page: Any, axe: AxeChecked, browser: Any, live_server: Any) -> None:
    started = time.monotonic()
    checked = _wednesday(page, axe, browser, live_server)
    print(f"\nWednesday's disclosure played in {time.monotonic() - started:.1f}s; axe checked {checked} pages")


def _other_browser(browser: Any, live_server: Any) -> tuple[Any, Any, AxeChecked]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.set_default_timeout(15000)
    return context, other, AxeChecked(other)


def _wednesday(page: Any, axe: AxeChecked, browser: Any, live_server: Any) -> int:
    p: Personas = make_personas()
    client = p.client_of(p.you, first_name=FIRST, last_name=LAST)
    # The scanner's phrase table as the migration seeds it (a transactional test flushes the database).
    importlib.import_module("keyworker.safeguarding.migrations.0005_seed_scanner_phrases").seed(apps, None)
    sign_in(page, p.you, axe)

    # On his page, typing the visit note: the prompt points out the possible disclosure.
    page.goto(f"/clients/{client.pk}/")
    axe.check()
    page.get_by_label("What happened").press_sequentially(VISIT_NOTE, delay=5)
    prompts = page.locator("#disclosure-prompts")
    record = prompts.locator("a[href*='category=domestic_abuse']").first
    record.wait_for(state="visible", timeout=15000)
    assert re.search("Record a concern", record.inner_text())
    assert "scared of him" in prompts.inner_text()  # the phrase that triggered it is shown
    axe.check()

    # The concern: about someone else, with her description, not his name; domestic abuse already chosen.
    record.click()
    page.wait_for_url(re.compile(rf"/clients/{client.pk}/concerns/new/\?category=domestic_abuse"))
    axe.check()
    assert page.get_by_label("What kind of concern").input_value() == "domestic_abuse"
    page.get_by_label("Someone else (an adult)").check()
    page.get_by_label("Who they are").fill("the client's girlfriend")
    page.get_by_label("How it is safe to reach them (optional)").fill("Only by phone, when he is at work.")
    page.get_by_label("Who told you, or how you know").select_option(label="The person at risk")
    page.get_by_label("What was disclosed").fill(DISCLOSURE)
    page.get_by_label("What you have done so far").select_option(label="Advice only")
    page.get_by_label("About what you did (optional)").fill("Gave her the National Domestic Abuse Helpline number.")
    page.get_by_label("Not shared", exact=True).check()
    page.get_by_label("Reasons for the sharing decision").fill(
        "She asked us not to tell anyone yet; no immediate risk to life today."
    )
    axe.check()
    page.get_by_role("button", name="Save concern").click()
    page.wait_for_url(re.compile(r"/concerns/[0-9a-f-]{36}/$"))
    axe.check()
    body = page.locator("main").inner_text()
    assert "separate record of its own" in body and DISCLOSURE in body
    concern = Concern.objects.get()
    assert concern.about == ConcernAbout.THIRD_PARTY and concern.third_party is not None
    assert concern.third_party.description == "the client's girlfriend"
    assert concern.category == "domestic_abuse" and concern.recorded_by == p.you
    concern_url = f"/concerns/{concern.pk}/"

    # Back on his page: the flag, and nothing of what she said; his note goes in without it.
    page.goto(f"/clients/{client.pk}/")
    axe.check()
    assert page.get_by_text(FLAG).is_visible()
    page.get_by_label("Kind of contact").select_option(label="Home visit")
    page.get_by_label("What happened").fill(SAFE_NOTE)
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("Contact recorded.").wait_for()
    page.goto(f"/clients/{client.pk}/")
    axe.check()
    his_page = page.content()
    assert SAFE_NOTE in page.locator("#timeline").inner_text()
    for secret in (DISCLOSURE, "hit her", "girlfriend", str(concern.pk)):
        assert secret not in his_page, secret
    page.get_by_role("link", name=re.compile("Safeguarding concerns")).click()
    axe.check()
    assert page.get_by_text(FLAG).is_visible()
    assert "girlfriend" not in page.content() and "hit her" not in page.content()

    # Her teammate: the flag on his page, and the concern does not exist for them.
    context, other, other_axe = _other_browser(browser, live_server)
    try:
        sign_in(other, p.teammate, other_axe)
        other.goto(f"/clients/{client.pk}/")
        other_axe.check()
        assert other.get_by_text(FLAG).is_visible()
        assert "hit her" not in other.content() and "girlfriend" not in other.content()
        assert other.goto(concern_url).status == 404
    finally:
        context.close()

    # The safeguarding lead: the concern in her queue, opened in full.
    context, lead, lead_axe = _other_browser(browser, live_server)
    try:
        sign_in(lead, p.safeguarding_lead, lead_axe)
        lead.get_by_role("navigation", name="Main").get_by_role("link", name="Safeguarding").click()
        lead.wait_for_url(re.compile(r"/safeguarding/concerns/$"))
        lead_axe.check()
        row = lead.get_by_role("row").filter(has_text="the client's girlfriend")
        assert f"{FIRST} {LAST}" in row.inner_text()
        row.get_by_role("link", name=re.compile("Domestic abuse")).click()
        lead.wait_for_url(re.compile(re.escape(concern_url) + "$"))
        lead_axe.check()
        assert DISCLOSURE in lead.locator("main").inner_text()
        assert "Only by phone, when he is at work." in lead.locator("main").inner_text()
    finally:
        context.close()
    return len(axe.checked) + len(other_axe.checked) + len(lead_axe.checked)
