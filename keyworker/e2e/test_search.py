"""Searching in a real browser on a phone: a name with a slip in it, then the words of a note; an error; each
page passing axe and fitting a 390px screen."""

from __future__ import annotations

import re
from typing import Any

import pytest

from keyworker.core.testing import ContactFactory, make_personas
from keyworker.e2e.conftest import AxeChecked, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _fits(page: Any, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than a 390px screen"


def test_search_names_and_notes_on_a_phone(browser: Any, live_server: Any) -> None:
    personas = make_personas()
    person = personas.client_of(personas.you, first_name="Jerome", last_name="Smith", preferred_name="Jay")
    ContactFactory(client=person, recorded_by=personas.you, note="Went with him to the housing office in Brixton.")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    axe = AxeChecked(page)
    sign_in(page, personas.you, axe)

    page.goto("/search/?q=Jerom+Smyth")
    axe.check()
    _fits(page, "the name search")
    assert page.get_by_role("link", name="Jerome Smith (Jay)").is_visible()

    page.goto("/search/?q=J")
    assert page.get_by_text("There is a problem").is_visible()
    axe.check()

    page.get_by_role("link", name="Notes").click()
    page.wait_for_url("**/search/?in=notes")
    axe.check()
    page.get_by_label("Words in contact notes").fill("housing brixton")
    page.get_by_role("button", name="Search").click()
    result = page.get_by_role("link", name=re.compile(r"^Jerome Smith \(Jay\): phone call on "))
    result.first.wait_for()
    assert page.locator("mark", has_text="housing").first.is_visible()
    axe.check()
    _fits(page, "the notes search")
    result.first.click()
    page.wait_for_url(f"**/clients/{person.pk}/**")
    context.close()
