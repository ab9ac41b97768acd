"""Friday midnight from DESIGN.md in Chromium, on a phone: at 00:10 on Saturday (London) the on-call worker,
who is in no team, takes a call about a client who is not theirs. Menu, then "On call" (two taps); the search
finds no one in their reach, so they follow the break-glass link, open the record with a reason, and log the
call beside the client's safety plan: what happened, the advice, and the decision not to tell the police, with
the reasons. The client's manager was told of the break-glass. On Monday at 09:05 the client's keyworker opens
the morning handover and sees the call, the follow-up task and the risk review; both are on her My week.

The clock is moved with time_machine (in UTC, so the process's TZ is left alone); the live server's thread,
the authenticator codes and the test share it. Every page visited passes axe-core. Names are fictional.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from keyworker.casework.models import Task
from keyworker.core.models import Notification
from keyworker.core.testing import OnCallShiftFactory, Personas, SafetyPlanFactory, make_personas
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.people.models import Client
from keyworker.safeguarding.models import BreakGlassGrant, CrisisCall
from keyworker.safeguarding.services import RISK_REVIEW_TASK_TITLE

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
EMERGENCY_PLAN = "Go to his aunt's in Brixton, never home, if the group come looking. Then ring the duty line."
REASON = "Crisis call from the client: friends assaulted someone tonight, he needs advice now."
WHAT_HAPPENED = (
    "His friends have just assaulted someone outside the chicken shop. He was there and did nothing; "
    "he feels trapped and is scared of what they will ask of him next."
)
ADVICE = "Go to his aunt's tonight, keep his phone on, do not answer the group's calls; his keyworker will ring."
NOT_SHARED_BECAUSE = (
    "He took no part; the victim was taken to hospital by ambulance and the police were already there. "
    "He will decide with his keyworker whether to give a statement: no risk to life that needs us to share."
)
FOLLOW_UP = "Ring him first thing about a move away from the estate"


def _coming_saturday_0010() -> dt.datetime:
    """The next Saturday at 00:10 London time, in UTC (ahead of the real clock, as a night would be)."""
    today = timezone.localdate()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    return dt.datetime.combine(saturday, dt.time(0, 10), tzinfo=LONDON).astimezone(dt.UTC)


@contextmanager
def _phone(browser: Any, live_server: Any) -> Iterator[tuple[Any, AxeChecked]]:
    context = browser.new_context(base_url=live_server.url, **PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page, AxeChecked(page)
    finally:
        context.close()


def test_friday_midnight_crisis_call(browser: Any, live_server: Any) -> None:
    started = time.monotonic()
    midnight = _coming_saturday_0010()
    saturday = midnight.astimezone(LONDON).date()
    monday = saturday + dt.timedelta(days=2)
    with time_machine.travel(midnight, tick=True) as clock:
        personas = make_personas()
        client = personas.client_of(personas.you, first_name="Tyrell", last_name="Mensah-Fictional")
        SafetyPlanFactory(client=client, emergency_plan=EMERGENCY_PLAN, updated_by=personas.you)
        friday_close = dt.datetime.combine(saturday - dt.timedelta(days=1), dt.time(17, 30), tzinfo=LONDON)
        OnCallShiftFactory(
            worker=personas.on_call,
            starts_at=friday_close,
            ends_at=dt.datetime.combine(monday, dt.time(9, 0), tzinfo=LONDON),
            added_by=personas.manager,
        )

        with _phone(browser, live_server) as (page, axe):
            _the_call(page, axe, personas, client)
            checked = len(axe.checked)

        call = CrisisCall.objects.get()
        assert (call.client, call.taken_by, call.break_glass) == (client, personas.on_call, True)
        assert BreakGlassGrant.objects.filter(user=personas.on_call, client=client).exists()
        told = Notification.objects.get(recipient=personas.manager)
        assert told.subject == "Break-glass access to a client's record"
        assert not Notification.objects.filter(recipient=personas.other_manager).exists()
        tasks = Task.objects.filter(client=client)
        assert {(t.title, t.owner, t.due_on) for t in tasks} == {
            (FOLLOW_UP, personas.you, monday),
            (RISK_REVIEW_TASK_TITLE, personas.you, monday),
        }

        # Monday morning: the keyworker's handover.
        clock.move_to(dt.datetime.combine(monday, dt.time(9, 5), tzinfo=LONDON).astimezone(dt.UTC))
        with _phone(browser, live_server) as (page, axe):
            _the_handover(page, axe, personas, client, monday)
            checked += len(axe.checked)

    elapsed = time.monotonic() - started
    print(f"\nFriday midnight played in Chromium in {elapsed:.1f}s; axe checked {checked} pages")


def _the_call(page: Any, axe: AxeChecked, personas: Personas, client: Client) -> None:
    sign_in(page, personas.on_call, axe)
    axe.check()

    # Two taps: "Menu", then "On call".
    page.get_by_role("button", name="Menu").tap()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="On call", exact=True).tap()
    page.get_by_role("heading", name="On call", level=1).wait_for()
    axe.check()
    assert page.locator("main").get_by_text(re.compile(r"^Oli Oncall until")).is_visible()  # on call now

    page.get_by_label("Who is the call about?").fill("Tyrell")
    page.get_by_role("button", name="Find the client").tap()
    page.get_by_text("0 matches in your reach").wait_for()
    axe.check()

    page.get_by_role("link", name="Not on your caseload? Open the record by break-glass").tap()
    page.get_by_role("heading", name="Open a record by break-glass").wait_for()
    axe.check()
    page.get_by_label("Why do you need this record now?").fill(REASON)
    # (GOV.UK Frontend pads visually hidden text with a space, so the name is matched loosely.)
    page.get_by_role("button", name=re.compile(rf"^Open by break-glass\W+{client.display_name}")).tap()
    page.get_by_text("Opened by break-glass. The client's manager has been told.").wait_for()
    page.get_by_role("heading", name=client.display_name, level=1).wait_for()
    axe.check()

    page.get_by_role("link", name=f"Log a crisis call about {client.display_name}").tap()
    page.get_by_role("heading", name="Log a crisis call").wait_for()
    axe.check()
    assert page.get_by_role("heading", name="Safety plan").is_visible()
    assert page.get_by_text(EMERGENCY_PLAN).is_visible()
    assert page.get_by_label("Date of the call").input_value() == f"{timezone.localdate():%Y-%m-%d}"
    assert re.fullmatch(r"00:1\d", page.get_by_label("Time of the call").input_value())

    page.get_by_label("Who called").fill("the client")
    page.get_by_label("What happened").fill(WHAT_HAPPENED)
    page.get_by_label("Advice you gave").fill(ADVICE)
    page.get_by_label("What you did (optional)").fill("Stayed on the line until he was inside his aunt's.")
    page.get_by_label("No, not shared").check()
    page.get_by_label("Why you shared it, or why not").fill(NOT_SHARED_BECAUSE)
    page.get_by_label("What should the keyworker follow up?").fill(FOLLOW_UP)
    assert page.get_by_label("Ask the keyworker to review the client's risk").is_checked()
    page.get_by_role("button", name="Save the crisis call").tap()

    page.get_by_text("Crisis call logged.").wait_for()
    page.get_by_role("heading", name="Crisis call", level=1).wait_for()
    assert page.locator("main .govuk-tag", has_text="Break-glass").is_visible()
    assert page.get_by_text(NOT_SHARED_BECAUSE).is_visible()
    axe.check()


def _the_handover(page: Any, axe: AxeChecked, personas: Personas, client: Client, monday: dt.date) -> None:
    sign_in(page, personas.you, axe)
    axe.check()
    today = page.locator(f"section[aria-labelledby='day-{monday.isoformat()}']")
    assert today.get_by_text(FOLLOW_UP).is_visible()
    assert today.get_by_text(RISK_REVIEW_TASK_TITLE).is_visible()

    page.get_by_role("link", name="Morning handover: last night's crisis calls").tap()
    page.get_by_role("heading", name="Morning handover").wait_for()
    axe.check()
    assert page.get_by_role("heading", name="1 call").is_visible()
    card = page.locator(".govuk-summary-card").filter(has_text=client.display_name)
    assert card.get_by_role("link", name=client.display_name, exact=True).is_visible()
    assert card.get_by_text("00:1", exact=False).first.is_visible()
    assert card.get_by_text(WHAT_HAPPENED).is_visible()
    assert card.get_by_text(ADVICE).is_visible()
    assert card.get_by_text("Not shared", exact=True).is_visible()
    assert card.get_by_text(NOT_SHARED_BECAUSE).is_visible()
    assert card.get_by_text("Oli Oncall").is_visible()
    for title in (FOLLOW_UP, RISK_REVIEW_TASK_TITLE):
        task = card.get_by_role("listitem").filter(has_text=title)
        assert task.get_by_text(f"Jo Caseworker, due {monday:%a %-d %b}").is_visible()

    card.get_by_role("link", name=re.compile("^The call")).tap()
    page.get_by_role("heading", name="Crisis call", level=1).wait_for()
    axe.check()
