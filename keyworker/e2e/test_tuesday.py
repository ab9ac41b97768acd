"""Tuesday from DESIGN.md in Chromium: through the gate. A man is released today. While he was in custody the
system held his prison (he was moved once), prison number, release date and probation practitioner, and
counted down with a release plan across the seven resettlement pathways. His caseworker sees the release on My
week, opens his custody page, marks the prescription for the day as ready, books the gate meet from the
release, records it attended with a note (which lands on his timeline), records the release, and adds a task
to enrol him on the course that starts in a few days, which then shows on My week on its due date.

The custody record is set up through the custody services, as a caseworker would. The clock is set to noon
today (London), so the 07:30 gate meet has happened whenever the test is run. Every page visited passes
axe-core. Names are fictional.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from keyworker.casework.models import Contact, ContactKind, Pathway, Task
from keyworker.core.testing import EstablishmentFactory, make_personas
from keyworker.custody import services as custody
from keyworker.custody.models import NeedStatus, ReleaseType
from keyworker.diary.models import Appointment, AppointmentKind, AppointmentStatus
from keyworker.e2e.conftest import AxeChecked, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
FIRST, LAST = "Dwayne", "Okafor-Fictional"
NAME = f"{FIRST} {LAST}"
PRISON_NUMBER = "A4821KT"
PRESCRIPTION = "Prescription ready on the day of release"
PRESCRIPTION_NOTE = "Healthcare at Brixton confirmed: 14 days' supply ready at the gate, then the GP takes over."
GATE_NOTE = "Met him at the gate at 07:45 with clothes and a phone. Probation at 11; he was calm and on time."


def _noon_today() -> dt.datetime:
    # In UTC: a London-zoned destination would make time_machine change the process's TZ as well.
    return dt.datetime.combine(timezone.localdate(), dt.time(12, 0), tzinfo=LONDON).astimezone(dt.UTC)


def test_tuesday_through_the_gate(page: Any, axe: AxeChecked) -> None:
    started = time.monotonic()
    with time_machine.travel(_noon_today()):
        _tuesday(page, axe)
    elapsed = time.monotonic() - started
    print(f"\nTuesday played in Chromium in {elapsed:.1f}s; axe checked {len(axe.checked)} pages")


def _tuesday(page: Any, axe: AxeChecked) -> None:
    personas = make_personas()
    you = personas.you
    today = timezone.localdate()
    course_starts = today + dt.timedelta(days=6)
    enrol_by = today + dt.timedelta(days=3)

    # In custody: received at Wandsworth, moved to Brixton two months ago, out today on licence.
    wandsworth = EstablishmentFactory(name="HMP Wandsworth")
    brixton = EstablishmentFactory(name="HMP Brixton")
    client = personas.client_of(you, first_name=FIRST, last_name=LAST)
    episode = custody.custody_episode_open(
        actor=you,
        client=client,
        establishment=wandsworth,
        received_on=today - dt.timedelta(days=420),
        prison_number=PRISON_NUMBER,
        sentenced_on=today - dt.timedelta(days=400),
        sentence_length="2 years 4 months",
        release_on=today,
        release_type=ReleaseType.CONDITIONAL,
        licence_ends_on=today + dt.timedelta(days=425),
        probation_practitioner="Priya Shah-Fictional",
        probation_phone="020 7946 0321",
    )
    custody.custody_transfer_record(
        actor=you,
        episode=episode,
        expected_version=episode.version,
        to_establishment=brixton,
        transferred_on=today - dt.timedelta(days=60),
    )
    needs = episode.needs.count()

    # My week: the release today, and in the releases list with everything still open.
    sign_in(page, you, axe)
    axe.check()
    releases = page.get_by_role("region", name="Releases of your clients in the next 12 weeks")
    row = releases.get_by_role("row").filter(has_text=NAME)
    assert row.get_by_text("Today").is_visible()
    assert row.get_by_text("HMP Brixton").is_visible() and row.get_by_text(PRISON_NUMBER).is_visible()
    assert row.get_by_text(f"{needs} open").is_visible()
    assert row.get_by_text("Longer-term housing applied for").is_visible()  # the first due of the open needs
    assert row.get_by_text(f"and {needs - 5} more").is_visible()
    day = page.locator(f"section[aria-labelledby='day-{today.isoformat()}']")
    assert day.get_by_text("Release due from HMP Brixton").is_visible()
    assert day.get_by_role("link", name=f"Book the gate meet for {NAME}").is_visible()

    # His custody page: the countdown, where he is and was, and the plan over the seven pathways.
    row.get_by_role("link", name=NAME).click()
    page.get_by_role("heading", name="Custody and court", level=1).wait_for()
    axe.check()
    assert page.locator("#countdown").inner_text() == "Release is today"
    assert page.get_by_text(f"{needs} of {needs} needs still open").is_visible()
    facts = page.locator(".govuk-summary-list").first
    assert facts.get_by_role("link", name="HMP Brixton").is_visible()
    for fact in (PRISON_NUMBER, "Sentenced, 2 years 4 months", "Priya Shah-Fictional, 020 7946 0321"):
        assert facts.get_by_text(fact).is_visible(), fact
    assert page.get_by_text(f"{(today - dt.timedelta(days=60)):%-d %b %Y}: HMP Wandsworth to HMP Brixton").is_visible()
    plan = page.get_by_role("table", name="Open needs by pathway")
    assert plan.locator("tbody tr").count() == 7
    for pathway in Pathway.labels:
        assert plan.get_by_role("rowheader", name=pathway).is_visible(), pathway
        assert page.get_by_role("heading", name=pathway, level=3).is_visible(), pathway

    # The prescription is ready for the gate: marked met with a note, in place (htmx).
    prescription = episode.needs.get(need="prescription")
    need = page.locator(f"#need-{prescription.pk}")
    need.locator("summary", has_text="Update").click()
    need.get_by_label(f"Status of {PRESCRIPTION}").select_option(NeedStatus.MET)
    need.get_by_label(f"Note on {PRESCRIPTION}").fill(PRESCRIPTION_NOTE)
    need.get_by_role("button", name=f"Save {PRESCRIPTION}").click()
    need.get_by_role("status").filter(has_text="Saved.").wait_for()
    axe.check()
    assert need.locator(".govuk-tag", has_text="Met").is_visible()
    assert need.get_by_text(f"Last update {today:%-d %b %Y} by Jo Caseworker: {PRESCRIPTION_NOTE}").is_visible()
    prescription.refresh_from_db()
    assert prescription.status == NeedStatus.MET
    assert list(prescription.updates.values_list("note", "recorded_by")) == [(PRESCRIPTION_NOTE, you.pk)]
    page.reload()
    assert page.get_by_text(f"{needs - 1} of {needs} needs still open").is_visible()
    axe.check()

    # The gate meet, booked from the release: at Brixton, on the day, first thing.
    page.get_by_role("link", name="Book the gate meet").click()
    page.get_by_role("heading", name="Book an appointment").wait_for()
    axe.check()
    assert page.get_by_text(
        f"Meeting {NAME} at the gate: release due {today:%A %-d %B %Y} from HMP Brixton."
    ).is_visible()
    assert page.get_by_label("Kind of appointment").input_value() == AppointmentKind.GATE
    assert page.get_by_label("Date").input_value() == today.isoformat()
    assert page.get_by_label("Starts").input_value() == "07:30"
    assert page.get_by_label("Prison or court").input_value() == str(brixton.pk)
    page.get_by_role("button", name="Book appointment").click()
    page.get_by_text(f"Booked: Meet at the gate (release), {today:%A %-d %B} at 07:30.").wait_for()
    axe.check()
    gate = Appointment.objects.get(client=client)
    assert (gate.kind, gate.establishment, gate.custody_episode_id) == (AppointmentKind.GATE, brixton, episode.pk)

    # On My week the gate meet takes the release's place; from there, recorded attended with a note.
    page.goto("/week/")
    axe.check()
    day = page.locator(f"section[aria-labelledby='day-{today.isoformat()}']")
    assert not day.get_by_text("Release due from HMP Brixton").count()
    day.get_by_role("link", name="07:30 Meet at the gate (release)").click()
    page.get_by_role("heading", name="Meet at the gate (release)").wait_for()
    axe.check()
    assert page.get_by_text(f"Due {today:%-d %b %Y} from HMP Brixton").is_visible()
    page.get_by_label("Attended", exact=True).check()
    page.get_by_label("Outcome note (optional)").fill(GATE_NOTE)
    page.get_by_role("button", name="Record", exact=True).click()
    status = page.locator("#status")
    status.get_by_role("status").filter(has_text="Recorded.").wait_for()
    axe.check()
    gate.refresh_from_db()
    assert gate.status == AppointmentStatus.ATTENDED
    contact = Contact.objects.get(client=client)
    assert (contact.kind, contact.note, contact.location) == (ContactKind.GATE, GATE_NOTE, "HMP Brixton")

    # The note is on his timeline as a contact.
    status.get_by_role("link", name=re.compile(r"^Meet at the gate, ")).click()
    page.get_by_role("heading", name=NAME, level=1).wait_for()
    axe.check()
    timeline = page.locator("#timeline")
    assert timeline.get_by_role("heading", name="Meet at the gate").is_visible()
    assert timeline.get_by_text(GATE_NOTE).is_visible()

    # The release recorded: he leaves custody, and the plan stays with the earlier custody.
    page.get_by_role("link", name=f"Custody and court for {NAME}").click()
    page.get_by_role("heading", name="Custody and court", level=1).wait_for()
    axe.check()
    page.get_by_role("link", name="Record the release").click()
    page.get_by_role("heading", name="Record the release").wait_for()
    axe.check()
    assert page.get_by_label("Released on").input_value() == today.isoformat()
    page.get_by_role("button", name="Record release").click()
    page.get_by_text("Release recorded.").wait_for()
    axe.check()
    assert page.get_by_text("Not in custody.").is_visible()
    earlier = f"HMP Brixton ({PRISON_NUMBER}): {episode.received_on:%-d %b %Y} to {today:%-d %b %Y}; moved 1 time"
    assert page.get_by_text(earlier).is_visible()
    episode.refresh_from_db()
    assert episode.released_on == today

    # The course starts in a few days: a task to enrol him, due before it.
    page.get_by_role("link", name=f"Back to {NAME}").click()
    page.get_by_role("link", name=f"Add a task for {NAME}").click()
    page.get_by_role("heading", name="Add a task").wait_for()
    axe.check()
    title = f"Enrol on the course starting {course_starts:%-d %B}"
    page.get_by_label("What needs doing").fill(title)
    page.get_by_label("Due").fill(enrol_by.isoformat())
    page.get_by_role("button", name="Add task").click()
    page.get_by_text("Task added.").wait_for()
    axe.check()
    assert page.get_by_text(f"{title} \N{EN DASH} due {enrol_by:%-d %b %Y}, Jo Caseworker").is_visible()
    task = Task.objects.get(client=client)
    assert (task.title, task.due_on, task.owner) == (title, enrol_by, you)

    # My week: no release left to come, the gate meet attended, and the task on its day (next week's page if
    # the day falls there).
    page.goto("/week/")
    axe.check()
    assert not page.get_by_role("region", name="Releases of your clients in the next 12 weeks").count()
    today_section = page.locator(f"section[aria-labelledby='day-{today.isoformat()}']")
    assert today_section.get_by_text("Attended").is_visible()
    if enrol_by > today + dt.timedelta(days=6 - today.weekday()):
        page.get_by_role("link", name=re.compile(r"^Next week")).click()
        page.get_by_role("heading", name=re.compile(f"^{enrol_by:%A %-d %B}")).wait_for()
        axe.check()
    due_day = page.locator(f"section[aria-labelledby='day-{enrol_by.isoformat()}']")
    item = due_day.get_by_role("listitem").filter(has_text=title)
    assert item.get_by_text("Task", exact=True).is_visible()
    assert item.get_by_role("link", name=NAME).is_visible()
