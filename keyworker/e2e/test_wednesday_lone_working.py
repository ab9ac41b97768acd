"""Wednesday from DESIGN.md in Chromium, on a phone: a caseworker checks in to an afternoon home visit from
her diary, with a teammate as buddy, and does not check out. The clock is moved past the expected end and the
background jobs run as `keyworker db_worker` would: the buddy's e-mail (no address) arrives first, then the
manager's with the address and the risk summary, and nothing more after. The buddy signs in on her own phone,
sees the alert and stands it down with a note; the caseworker, signed out meanwhile for being idle, signs in
again and sees the visit stood down. A second test: the discreet "Send alert" e-mails buddy and manager at once.

Every page visited passes axe-core. The live server's thread shares the process clock that time_machine moves,
so the server, the jobs and the authenticator codes all see the same time. Names and addresses are fictional.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from keyworker.core.models import Notification
from keyworker.core.testing import (
    PASSWORD,
    AppointmentFactory,
    Inbox,
    Personas,
    make_personas,
    run_tasks,
    totp_code,
)
from keyworker.diary.models import (
    AppointmentKind,
    EscalationLevel,
    LoneWorkingEscalation,
    LoneWorkingStatus,
    LoneWorkingVisit,
)
from keyworker.e2e.conftest import AxeChecked, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
ADDRESS = "Flat 2, 31 Fictional Road, London SE5 7QQ"
SAFE_CONTACT = "Text first; his mother answers the door and does not know about the case."
NOTE = "Rang Jo: she is safe, the visit ran on and her phone was on silent."


@contextmanager
def _phone(browser: Any, live_server: Any) -> Iterator[tuple[Any, AxeChecked]]:
    """A browser of someone's own, the size of a phone, with axe-core on every page it visits."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page, AxeChecked(page)
    finally:
        context.close()


def _menu(page: Any, link: str | re.Pattern[str]) -> None:
    """On a phone the main navigation folds behind "Menu"."""
    page.get_by_role("button", name="Menu").tap()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link).tap()


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def _to(message: Message) -> set[str]:
    return {address.strip() for address in str(message["To"]).split(",")}


def _wait_for_mail(smtp: Inbox, count: int) -> None:
    """E-mails go after commit; the SMTP server takes them on its own thread. Wait briefly, then check."""
    deadline = time.monotonic() + 5
    while len(smtp.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp.messages) == count, [m["Subject"] for m in smtp.messages]


def _in_viewport(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_wednesday_missed_check_out_escalates_to_buddy_then_manager(
    browser: Any, live_server: Any, smtp: Inbox
) -> None:
    started = time.monotonic()
    two_pm = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    with time_machine.travel(two_pm, tick=True) as clock:
        personas = make_personas()
        worker, buddy, manager = personas.you, personas.teammate, personas.manager
        client = personas.client_of(
            worker,
            first_name="Dwayne",
            last_name="Fictional",
            address="Flat 2, 31 Fictional Road\nLondon SE5 7QQ",
            safe_contact_note=SAFE_CONTACT,
        )
        AppointmentFactory(
            kind=AppointmentKind.HOME_VISIT,
            staff=worker,
            client=client,
            starts_at=two_pm,
            ends_at=two_pm + dt.timedelta(minutes=45),
            location="",
        )

        with _phone(browser, live_server) as (page, axe):
            _check_in_from_the_diary(page, axe, personas)
            visit = LoneWorkingVisit.objects.get()
            assert visit.expected_end == two_pm + dt.timedelta(minutes=45)
            assert (visit.place, visit.buddy, visit.client) == (ADDRESS, buddy, client)

            # She does not check out. Nothing is sent before the buddy's rung is due.
            clock.move_to(visit.expected_end + dt.timedelta(minutes=14))
            run_tasks()
            assert smtp.messages == []

            clock.move_to(visit.expected_end + dt.timedelta(minutes=16))
            run_tasks()
            _wait_for_mail(smtp, 1)
            to_buddy = smtp.messages[0]
            assert _to(to_buddy) == {buddy.email}
            assert to_buddy["Subject"] == "Lone working: Jo Caseworker has not checked out"
            body = _text(to_buddy)
            assert "expected out at 14:45 (16 minutes ago)" in body
            for private in ("Fictional Road", "SE5", "Dwayne", SAFE_CONTACT, "Risk summary"):
                assert private not in body, private

            clock.move_to(visit.expected_end + dt.timedelta(minutes=31))
            run_tasks()
            _wait_for_mail(smtp, 2)
            to_manager = smtp.messages[1]
            assert _to(to_manager) == {manager.email}
            assert to_manager["Subject"] == "Lone working: Jo Caseworker is 31 minutes overdue"
            body = _text(to_manager)
            assert f"Where: {ADDRESS}" in body
            assert "Risk summary:" in body
            assert "- Expected to be there: Dwayne Fictional and his girlfriend" in body
            assert f"- Safe-contact notes: {SAFE_CONTACT}" in body

            # Later runs (the jobs again, and the sweep's window) raise nothing twice.
            clock.move_to(visit.expected_end + dt.timedelta(minutes=45))
            run_tasks()
            time.sleep(0.3)
            assert len(smtp.messages) == 2
            assert list(
                LoneWorkingEscalation.objects.filter(visit=visit).order_by("raised_at").values_list("level", flat=True)
            ) == [EscalationLevel.BUDDY, EscalationLevel.MANAGER]

            # The buddy, on her own phone, sees the alert in the app and stands it down.
            with _phone(browser, live_server) as (buddy_page, buddy_axe):
                _buddy_stands_down(buddy_page, buddy_axe, personas)
            visit.refresh_from_db()
            assert (visit.status, visit.resolved_by, visit.resolution_note) == (LoneWorkingStatus.RESOLVED, buddy, NOTE)

            # The caseworker's phone was idle for over half an hour: she signs in again and sees it resolved.
            _worker_sees_it_stood_down(page, axe, personas)

        assert len(smtp.messages) == 2, "standing down is told in the app, not by e-mail"
        elapsed = time.monotonic() - started
        print(
            f"\nWednesday's missed check-out played in Chromium in {elapsed:.1f}s; axe checked "
            f"{len(axe.checked)} of the caseworker's pages"
        )


def _check_in_from_the_diary(page: Any, axe: AxeChecked, personas: Personas) -> None:
    """From My week to the home visit, then "Start lone working": the form is filled from the appointment."""
    sign_in(page, personas.you, axe)
    axe.check()
    page.get_by_role("link", name="14:00\u201314:45 Home visit").tap()
    page.get_by_role("heading", name="Home visit").wait_for()
    axe.check()
    page.get_by_role("link", name="Start lone working for this visit").tap()
    page.get_by_role("heading", name="Start a lone visit").wait_for()
    axe.check()
    assert page.get_by_label("Address of the visit").input_value() == ADDRESS
    assert page.get_by_label("Who will be there").input_value() == "Dwayne Fictional"
    assert page.get_by_label("Expected to finish by").input_value() == "14:45"
    page.get_by_label("Who will be there").fill("Dwayne Fictional and his girlfriend")
    page.get_by_label("Your buddy").select_option(label="Kim Teammate")
    page.get_by_role("button", name="Check in").tap()

    page.get_by_text("You are checked in. Check out here when you leave.").wait_for()
    assert page.get_by_role("heading", name="Your visit").is_visible()
    assert page.get_by_text("On the visit").is_visible()
    assert page.get_by_text("Check out by 14:45").is_visible()
    check_out = page.get_by_role("button", name="Check out: I am safe")
    # Measured once the page's scripts have folded the navigation behind "Menu" (before that, on a slow
    # machine, the whole navigation list still pushes the page down).
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Menu").wait_for()
    assert _in_viewport(page, check_out), "check-out is one tap, without scrolling"
    axe.check()


def _buddy_stands_down(page: Any, axe: AxeChecked, personas: Personas) -> None:
    sign_in(page, personas.teammate, axe)
    axe.check()
    _menu(page, "Notifications (1 new)")
    page.get_by_role("heading", name="Notifications").wait_for()
    axe.check()
    assert page.get_by_role("heading", name=re.compile("Lone working: Jo Caseworker has not checked out")).is_visible()
    page.get_by_role("link", name="Open the record this is about").tap()

    # The visit: where, who is there, the risk summary, and both alerts raised.
    page.get_by_role("heading", name="Jo Caseworker").wait_for()
    axe.check()
    assert page.get_by_text("Escalated").is_visible()
    assert page.get_by_text("45 minutes past the expected end").is_visible()
    assert page.get_by_text(ADDRESS).is_visible()
    assert page.get_by_text(f"Safe-contact notes: {SAFE_CONTACT}").is_visible()
    assert page.get_by_text(re.compile(r"^\d\d:\d\d: Buddy")).is_visible()
    assert page.get_by_text(re.compile(r"^\d\d:\d\d: Manager")).is_visible()

    page.get_by_role("link", name="Back").tap()
    page.get_by_role("heading", name="Lone working alerts").wait_for()
    axe.check()
    card = page.locator(".govuk-summary-card").filter(has_text="Jo Caseworker")
    assert card.get_by_text("Escalated").is_visible()
    assert card.get_by_text(ADDRESS).is_visible()
    card.get_by_label("What happened").fill(NOTE)
    card.get_by_role("button", name="Stand down the alert for Jo Caseworker").tap()
    page.get_by_text("Alert for Jo Caseworker stood down.").wait_for()
    assert page.get_by_text("Nobody is overdue.").is_visible()
    axe.check()


def _worker_sees_it_stood_down(page: Any, axe: AxeChecked, personas: Personas) -> None:
    page.goto("/lone-working/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.get_by_text("You have been signed out after 30 minutes without activity.").is_visible()
    axe.check()
    page.get_by_label("Email address").fill(personas.you.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    axe.check()
    page.get_by_label("Code", exact=True).fill(totp_code())
    page.get_by_role("button", name="Continue").tap()
    page.get_by_role("heading", name="Start a lone visit").wait_for()  # no visit open any more
    axe.check()

    _menu(page, re.compile(r"^Notifications \(\d+ new\)$"))
    page.get_by_role("heading", name="Notifications").wait_for()
    assert page.get_by_role("heading", name=re.compile("alert stood down by Kim Teammate")).is_visible()
    axe.check()
    page.get_by_role("link", name="Open the record this is about").first.tap()
    page.get_by_role("heading", name="Jo Caseworker").wait_for()
    assert page.get_by_text("Stood down", exact=True).is_visible()
    assert page.get_by_text(re.compile(rf"Stood down by Kim Teammate at \d\d:\d\d: {re.escape(NOTE)}")).is_visible()
    axe.check()


def test_send_alert_reaches_buddy_and_manager_at_once(browser: Any, live_server: Any, smtp: Inbox) -> None:
    started = time.monotonic()
    personas = make_personas()
    with _phone(browser, live_server) as (page, axe):
        sign_in(page, personas.you, axe)
        _menu(page, "Lone working")
        page.get_by_role("heading", name="Start a lone visit").wait_for()
        axe.check()
        page.get_by_label("Address of the visit").fill(ADDRESS)
        page.get_by_label("Who will be there").fill("A client's brother, not known to us")
        page.get_by_label("Your buddy").select_option(label="Kim Teammate")
        page.get_by_role("button", name="Check in").tap()
        page.get_by_role("heading", name="Your visit").wait_for()
        axe.check()
        assert smtp.messages == []

        page.get_by_role("button", name="Send alert").tap()
        page.get_by_text("Alert sent.").wait_for()
        assert page.locator(".govuk-tag", has_text="Alert sent").is_visible()
        axe.check()

    _wait_for_mail(smtp, 1)  # one message, to both
    alert = smtp.messages[0]
    assert _to(alert) == {personas.teammate.email, personas.manager.email}
    assert alert["Subject"] == "URGENT: lone working, Jo Caseworker has asked for help"
    body = _text(alert)
    assert f"Where: {ADDRESS}" in body
    assert "- Expected to be there: A client's brother, not known to us" in body
    visit = LoneWorkingVisit.objects.get()
    assert visit.status == LoneWorkingStatus.ESCALATED and visit.help_requested_at is not None
    # Help raises every rung at once (none is left to fire later), announced in the one message above.
    assert set(visit.escalations.values_list("level", flat=True)) == {
        EscalationLevel.BUDDY,
        EscalationLevel.MANAGER,
        EscalationLevel.HELP,
    }
    assert set(Notification.objects.filter(subject=alert["Subject"]).values_list("recipient__email", flat=True)) == {
        personas.teammate.email,
        personas.manager.email,
    }
    elapsed = time.monotonic() - started
    print(f'\n"Send alert" played in Chromium in {elapsed:.1f}s')
