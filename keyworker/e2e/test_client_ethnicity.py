"""Recording ethnicity in a real browser: the client's details form, an error, the saved value on the client
page, each page passing axe and fitting a phone."""

from __future__ import annotations

from typing import Any

import pytest

from keyworker.core.testing import make_personas
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.people.models import Client, Ethnicity

pytestmark = pytest.mark.django_db(transaction=True)


def test_record_ethnicity_on_a_phone(browser: Any, live_server: Any) -> None:
    personas = make_personas()
    person = personas.client_of(personas.you, first_name="Tunde", last_name="Fictional", ethnicity="")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    axe = AxeChecked(page)
    sign_in(page, personas.you, axe)

    page.goto(f"/clients/{person.pk}/")
    axe.check()
    page.get_by_role("link", name="Change details for Tunde Fictional").click()
    axe.check()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the details form is {overflow}px wider than a 390px screen"

    page.get_by_label("First name").fill("")  # a mistake first: the page says so and nothing is saved
    page.get_by_label("Ethnicity").select_option(Ethnicity.BLACK_AFRICAN.value)
    page.get_by_role("button", name="Save details").click()
    assert page.get_by_text("There is a problem").is_visible()
    axe.check()
    assert Client.objects.get(pk=person.pk).ethnicity == ""

    page.get_by_label("First name").fill("Tunde")
    page.get_by_role("button", name="Save details").click()
    page.wait_for_url(f"**/clients/{person.pk}/")
    assert page.get_by_text("Black, Black British, Caribbean or African: African").is_visible()
    axe.check()
    assert Client.objects.get(pk=person.pk).ethnicity == Ethnicity.BLACK_AFRICAN
    context.close()
