"""Thursday from DESIGN.md in Chromium: prison visits. Three of a caseworker's clients are in custody at one
prison; one is high-profile and his record is restricted to her and her manager. She books all three
professional visits at once, each with its own slot, and sees them on My week as one visit. A teammate who
is not named on the restriction, signed in in a browser of his own, finds the restricted man's slot on
nothing he can see, and its address answers 404. Back in her browser, she records one visit attended with a
note (it lands on the client's timeline) and another as did not attend.

The custody records and the restriction are set up through the services, as a caseworker and a manager
would. The clock is set to 13:00 today (London), so the morning's visits have happened whenever the test is
run. Every page visited passes axe-core. Names are fictional.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import Contact, ContactKind
from keyworker.core.testing import EstablishmentFactory, make_personas
from keyworker.custody import services as custody
from keyworker.diary.models import Appointment, AppointmentKind, AppointmentStatus
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.outcomes.models import OutcomeScale
from keyworker.outcomes.scale_default import DEFAULT_SCALE_NAME
from keyworker.outcomes.services.readings import reading_record
from keyworker.people.models import Client
from keyworker.safeguarding.models import AccessRuleKind
from keyworker.safeguarding.services import access_rule_set

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
DASH = "\N{EN DASH}"  # between the start and end times on the page
PRISON = "HMP Pentonville"
# Who, when; the third is the restricted one.
VISITS = (
    ("Tyrell", "Mensah-Fictional", "09:30"),
    ("Callum", "Reid-Fictional", "10:30"),
    ("Jermaine", "Ashby-Fictional", "11:30"),
)
VISIT_NOTE = "Session on self-esteem and identity: who he is outside the group. Reading taken: up 2 on identity."


def _one_pm_today() -> dt.datetime:
    # In UTC: a London-zoned destination would make time_machine change the process's TZ as well.
    return dt.datetime.combine(timezone.localdate(), dt.time(13, 0), tzinfo=LONDON).astimezone(dt.UTC)


def test_thursday_prison_visits(browser: Any, live_server: Any, page: Any, axe: AxeChecked) -> None:
    started = time.monotonic()
    with time_machine.travel(_one_pm_today()):
        _thursday(browser, live_server, page, axe)
    elapsed = time.monotonic() - started
    print(f"\nThursday played in Chromium in {elapsed:.1f}s; axe checked {len(axe.checked)} + teammate pages")


def _in_custody(you: User, prison: Any, clients: list[Client]) -> None:
    today = timezone.localdate()
    for weeks, client in enumerate(clients, start=4):
        custody.custody_episode_open(
            actor=you,
            client=client,
            establishment=prison,
            received_on=today - dt.timedelta(days=300),
            prison_number=f"A{weeks}{weeks}07PV",
            release_on=today + dt.timedelta(weeks=weeks),
        )


def _thursday(browser: Any, live_server: Any, page: Any, axe: AxeChecked) -> None:
    # A transactional test before this one may have flushed the seeded outcome scale.
    importlib.import_module("keyworker.outcomes.migrations.0003_seed_default_scale").seed(apps, None)
    personas = make_personas()
    you, teammate, manager = personas.you, personas.teammate, personas.manager
    today = timezone.localdate()
    prison = EstablishmentFactory(name=PRISON)
    clients = [personas.client_of(you, first_name=first, last_name=last) for first, last, _ in VISITS]
    names = [client.display_name for client in clients]
    restricted, restricted_name = clients[2], names[2]
    _in_custody(you, prison, clients)
    access_rule_set(
        actor=manager,
        client=restricted,
        kind=AccessRuleKind.RESTRICTION,
        staff=[you],
        reason="High-profile: press interest since the trial.",
    )

    # All three booked at once: one prison, one day, professional visits, a slot each.
    sign_in(page, you, axe)
    axe.check()
    page.get_by_role("link", name="Book prison visits for several clients").click()
    page.get_by_role("heading", name="Book prison visits").wait_for()
    axe.check()
    page.get_by_label("Prison", exact=True).select_option(str(prison.pk))
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Prison visit (professional)").check()
    for number, (client, (_, _, starts)) in enumerate(zip(clients, VISITS, strict=True), start=1):
        visit = page.get_by_role("group", name=f"Visit {number}")
        visit.get_by_label("Client").select_option(str(client.pk))
        visit.get_by_label("Starts").fill(starts)
        assert visit.get_by_label("Length in minutes").input_value() == "60"
    page.get_by_role("button", name="Book visits").click()
    page.get_by_text(f"Booked 3 visits at {PRISON} on {today:%A %-d %B}.").wait_for()
    axe.check()
    visits = {a.client_id: a for a in Appointment.objects.filter(establishment=prison)}
    assert set(visits) == {c.pk for c in clients}
    assert {a.kind for a in visits.values()} == {AppointmentKind.PRISON_VISIT_LEGAL}
    assert len({a.group for a in visits.values()}) == 1
    together = page.get_by_role("heading", name="Booked together")
    assert together.is_visible()
    for name in names[1:]:
        assert page.get_by_role("link", name=re.compile(f"{name}$")).is_visible(), name

    # My week: one visit on today, listing the three with their times.
    page.goto("/week/")
    axe.check()
    day = page.locator(f"section[aria-labelledby='day-{today.isoformat()}']")
    group = day.get_by_role("listitem").filter(has_text="(3 clients)")
    assert group.count() == 1
    assert group.get_by_role("link", name=f"09:30{DASH}12:30 Prison visit (professional)").is_visible()
    for (_, _, starts), name in zip(VISITS, names, strict=True):
        slot = group.get_by_role("listitem").filter(has_text=name)
        assert slot.get_by_role("link", name=re.compile(f"^{starts}{DASH}\\d\\d:\\d\\d visit$")).is_visible(), name
        assert slot.get_by_role("link", name=name).is_visible(), name

    # A teammate not named on the restriction: the other two are there for him, the restricted man nowhere.
    restricted_visit = visits[restricted.pk]
    mate = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        mate_page = mate.new_page()
        mate_page.set_default_timeout(15000)
        mate_axe = AxeChecked(mate_page)
        sign_in(mate_page, teammate, mate_axe)
        mate_axe.check()
        assert restricted_name not in mate_page.content()
        mate_page.goto(f"/appointments/{visits[clients[0].pk].pk}/")
        mate_axe.check()
        assert mate_page.get_by_role("heading", name="Booked together").is_visible()
        assert mate_page.get_by_role("link", name=re.compile(f"{names[1]}$")).is_visible()
        assert restricted_name not in mate_page.content()
        mate_page.goto("/releases/")
        mate_axe.check()
        assert mate_page.get_by_role("link", name=names[0]).is_visible()
        assert restricted_name not in mate_page.content()
        mate_page.goto("/appointments/prison-visits/new/")
        mate_axe.check()
        options = mate_page.get_by_role("group", name="Visit 1").get_by_label("Client").locator("option")
        assert names[0] in options.all_inner_texts() and restricted_name not in options.all_inner_texts()
        for address in (
            f"/appointments/{restricted_visit.pk}/",
            f"/clients/{restricted.pk}/",
            f"/clients/{restricted.pk}/custody/",
        ):
            response = mate_page.goto(address)
            assert response is not None and response.status == 404, address
            assert restricted_name not in mate_page.content()
            mate_axe.check()
    finally:
        mate.close()

    # Back in her browser: the first visit attended with a note, the second did not happen.
    page.reload()
    day.get_by_role("link", name=re.compile(f"^{VISITS[0][2]}{DASH}\\d\\d:\\d\\d visit$")).click()
    page.get_by_role("heading", name="Prison visit (professional)").wait_for()
    axe.check()
    page.get_by_label("Attended", exact=True).check()
    page.get_by_label("Outcome note (optional)").fill(VISIT_NOTE)
    page.get_by_role("button", name="Record", exact=True).click()
    status = page.locator("#status")
    status.get_by_role("status").filter(has_text="Recorded.").wait_for()
    axe.check()
    contact = Contact.objects.get(client=clients[0])
    assert (contact.kind, contact.note, contact.location) == (ContactKind.PRISON_VISIT, VISIT_NOTE, PRISON)
    status.get_by_role("link", name=re.compile(r"^Prison visit, ")).click()
    page.get_by_role("heading", name=names[0], level=1).wait_for()
    axe.check()
    assert page.locator("#timeline").get_by_text(VISIT_NOTE).is_visible()

    page.goto(f"/appointments/{visits[clients[1].pk].pk}/")
    axe.check()
    page.get_by_label("Did not attend").check()
    page.get_by_role("button", name="Record", exact=True).click()
    page.locator("#status").get_by_role("status").filter(has_text="Recorded.").wait_for()
    axe.check()
    assert not Contact.objects.filter(client=clients[1]).exists()  # no note, nothing on the timeline

    statuses = dict(Appointment.objects.filter(establishment=prison).values_list("client_id", "status"))
    assert statuses == {
        clients[0].pk: AppointmentStatus.ATTENDED,
        clients[1].pk: AppointmentStatus.DID_NOT_ATTEND,
        restricted.pk: AppointmentStatus.BOOKED,
    }
    page.goto("/week/")
    axe.check()
    group = (
        page.locator(f"section[aria-labelledby='day-{today.isoformat()}']")
        .get_by_role("listitem")
        .filter(has_text="(3 clients)")
    )
    assert group.get_by_role("listitem").filter(has_text=names[0]).get_by_text("Attended").is_visible()
    assert group.get_by_role("listitem").filter(has_text=names[1]).get_by_text("Did not attend").is_visible()

    # The restricted man's session worked on identity and self-esteem: an outcome reading is taken for it, on
    # Keyworker's own scale, his view and hers kept apart. The baseline was taken a quarter ago.
    reading_record(
        actor=you,
        client=restricted,
        scale=OutcomeScale.objects.get(name=DEFAULT_SCALE_NAME),
        taken_on=today - dt.timedelta(days=91),
        scores={"identity": (1, 1), "safety": (2, 2)},
        note="Baseline.",
    )
    page.goto(f"/clients/{restricted.pk}/")
    page.get_by_role("link", name=f"Outcomes for {restricted_name}").click()
    page.get_by_role("heading", name="Outcomes", level=1).wait_for()
    axe.check()
    for view, domain, step in (
        ("The client\u2019s view", "identity and self-esteem", "3. Finding what I am good at"),
        ("Your view", "identity and self-esteem", "3. Finding what I am good at"),
        ("The client\u2019s view", "safety", "3. Has a safety plan"),
        ("Your view", "safety", "2. Knows the risks"),
    ):
        page.get_by_role("group", name=f"{view} of {domain}", exact=True).get_by_label(step, exact=True).check()
    page.get_by_label("Note").fill("After the prison visit: who he is outside the group.")
    page.get_by_role("button", name="Save reading").click()
    page.get_by_text("Reading saved.").wait_for()
    axe.check()
    chart = page.get_by_role("img", name=re.compile(r"^Identity and self-esteem: readings over time"))
    assert chart.is_visible()
    assert "up 2 (2 readings)" in chart.locator("desc").text_content()
    assert chart.locator(".kw-chart-point--client").count() == 2
    assert chart.locator(".kw-chart-point--worker").count() == 2
    page.get_by_text("The numbers for identity and self-esteem").click()
    numbers = page.get_by_role("table", name=re.compile(r"^Identity and self-esteem: each reading"))
    assert numbers.get_by_role("cell", name="3 \N{EN DASH} Finding what I am good at").count() == 2
    axe.check()
