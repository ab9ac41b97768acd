"""The foundation's journey in a real browser: sign in, My week, a client, add a note, see it on the timeline."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from keyworker.casework.rules import week_bounds
from keyworker.core.testing import (
    AppointmentFactory,
    ContactFactory,
    Personas,
    make_personas,
)
from keyworker.diary.models import AppointmentKind
from keyworker.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)




def _setup() -> tuple[Personas, Any]:
    personas = make_personas()
    person = personas.client_of(
        personas.you,
        first_name="Marcus",
        last_name="Fictional",
        preferred_name="Marky",
        may_leave_voicemail=False,
        code_word="seagull",
    )
    for days in range(1, 4):
        ContactFactory(
            client=person,
            recorded_by=personas.you,
            note=f"Earlier contact {days}",
            occurred_at=timezone.now() - dt.timedelta(days=days),
        )
    monday, _ = week_bounds(timezone.localdate())
    gate = timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(8, 0)))
    AppointmentFactory(
        staff=personas.you,
        client=person,
        kind=AppointmentKind.GATE,
        starts_at=gate,
        ends_at=gate + dt.timedelta(hours=1),
        location="HMP Pentonville",
    )
    return personas, person


def test_sign_in_my_week_client_add_note(page: Any, axe: Any) -> None:
    personas, person = _setup()
    sign_in(page, personas.you, axe)

    assert page.get_by_role("heading", name="My week", level=1).is_visible()
    assert page.get_by_text("HMP Pentonville").is_visible()
    axe.check()

    page.get_by_role("link", name="Marcus Fictional (Marky)").first.click()
    page.wait_for_url(re.compile(rf"/clients/{person.pk}/"))
    assert page.get_by_text("Do NOT leave voicemail").is_visible()
    assert page.get_by_text("seagull").is_visible()
    axe.check()

    page.get_by_label("Kind of contact").select_option("home_visit")
    page.get_by_label("What happened").fill("Home visit: talked about the course starting Monday.")
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("Contact recorded.").wait_for()
    timeline = page.locator(".moj-timeline")
    first = timeline.locator(".moj-timeline__item").first
    assert "Home visit: talked about the course starting Monday." in first.inner_text()
    axe.check()

    # The note survived a reload: it is stored, not only shown.
    page.reload()
    assert (
        "Home visit: talked about the course starting Monday." in page.locator(".moj-timeline__item").first.inner_text()
    )


def test_bad_note_shows_error_and_pages_pass_axe(page: Any, axe: Any) -> None:
    personas, person = _setup()
    sign_in(page, personas.you, axe)
    page.goto(f"/clients/{person.pk}/")
    page.get_by_label("Kind of contact").select_option("phone")
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("There is a problem").wait_for()
    assert page.get_by_text("Enter what happened.").first.is_visible()
    axe.check()
    for path in ("/caseload/", "/search/?q=marcus"):
        page.goto(path)
        axe.check()
    assert page.get_by_role("link", name="Marcus Fictional (Marky)").is_visible()


def test_pages_fit_a_phone(browser: Any, live_server: Any) -> None:
    """Usable on a 360 px phone: nothing wider than the screen."""
    personas, person = _setup()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    from keyworker.e2e.conftest import AxeChecked, sign_in

    axe = AxeChecked(page)
    sign_in(page, personas.you, axe)
    for path in (f"/clients/{person.pk}/", "/week/", "/caseload/", "/search/?q=marcus"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a 360px screen"
        axe.check()
    context.close()


def test_out_of_reach_client_is_not_found_in_the_browser(page: Any, axe: Any) -> None:
    personas, person = _setup()
    sign_in(page, personas.other_caseworker, axe)
    response = page.goto(f"/clients/{person.pk}/")
    assert response is not None and response.status == 404


def test_correct_a_note_add_and_tick_off_a_task(page: Any, axe: Any) -> None:
    personas, person = _setup()
    sign_in(page, personas.you, axe)
    page.goto(f"/clients/{person.pk}/")

    page.get_by_role("link", name=re.compile("Correct this note")).first.click()
    axe.check()
    page.get_by_label("Correction").fill("It was the Tuesday, not the Monday.")
    page.get_by_label("Why it needs correcting").fill("Wrong day")
    page.get_by_role("button", name="Add correction").click()
    page.get_by_text("Correction added").wait_for()
    assert page.get_by_text("It was the Tuesday, not the Monday.").is_visible()

    page.get_by_role("link", name=re.compile("Add a task")).click()
    axe.check()
    page.get_by_label("What needs doing").fill("Ring the housing officer")
    page.get_by_label("Due").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Add task").click()
    page.get_by_text("Task added.").wait_for()

    page.goto("/week/")
    page.get_by_role("button", name=re.compile(r"Done\s*: Ring the housing officer")).click()
    page.get_by_text("Done: Ring the housing officer").wait_for()
    axe.check()

    page.goto(f"/clients/{person.pk}/")
    page.get_by_role("link", name=re.compile("Change case status")).click()
    axe.check()
