"""A booking refused for a keep-apart reason, in Chromium (issue 6: "the keep-apart warning fires and leaks
nothing").

Two clients from rival estates must be kept apart. One is ours (Team North's caseworker); the other is Team
South's, whom our caseworker cannot see. Last night South's on-call worker, taking a call from our client
about a threat, opened his record by break-glass and recorded the pair: the one person who could see both.
Team South's caseworker has his client on a course cohort, and booked to visit him at a prison today.

This morning our caseworker tries to enrol her client on that cohort, and then to book a prison visit for
him at the same prison on the same day. Each time the booking is refused with a warning that someone on it
must be kept apart from her client, and the page names nothing of the other man (first, last or preferred
name, case reference) nor the pair's reason or source; nothing is saved. She gives a reason to go ahead and
the booking is saved with that reason.

Everything is set up through the services, as the people in the story would. The clock is fixed (21:30 last
night London time for the break-glass, which is for out of hours; 10:30 this morning for the bookings). Every
page visited passes axe-core. Names are fictional.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.casework.models import Case
from keyworker.core.testing import EstablishmentFactory, UserFactory, make_personas
from keyworker.custody.models import Establishment
from keyworker.diary.models import Appointment, AppointmentKind
from keyworker.diary.services.appointments import VisitSlot, appointment_book_group
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.people.models import Client
from keyworker.safeguarding.models import KeepApart
from keyworker.safeguarding.services import break_glass_open, keep_apart_record
from keyworker.services.models import Cohort, Enrolment, EnrolmentStatus
from keyworker.services.services import courses

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
COURSE = "Construction Skills Certification (CSCS)"
COHORT = "Spring intake"
PRISON = "HMP Wandsworth"
PAIR_REASON = "Stabbing outside Rye Lane station in March between the Bellingham and Gilmore estates."
PAIR_SOURCE = "Met Police gangs unit, by phone to the on-call line"
ENROL_REASON = "He sits at the front with the tutor; his worker and South's agreed staggered arrival times."
VISIT_REASON = "Legal visits are in separate rooms; the prison's security team is aware and agreed the slot."


@dataclass
class Story:
    you: User
    ours: Client
    theirs: Client
    cohort: Cohort
    prison: Establishment

    def secrets(self) -> dict[str, str]:
        """Everything about the other man and the pair that must never reach our caseworker's pages."""
        case = Case.objects.get(client=self.theirs)
        return {
            "their first name": self.theirs.first_name,
            "their last name": self.theirs.last_name,
            "their preferred name": self.theirs.preferred_name,
            "their case reference": case.reference,
            "the pair's reason": PAIR_REASON,
            "the pair's source": PAIR_SOURCE,
        }


def _london(day: dt.date, hour: int, minute: int) -> dt.datetime:
    # In UTC: a London-zoned destination would make time_machine change the process's TZ as well.
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON).astimezone(dt.UTC)


def _assert_leaks_nothing(page: Any, story: Story) -> None:
    content = page.content()
    for what, secret in story.secrets().items():
        assert secret and secret not in content, f"{what} ({secret!r}) is on {page.url}"


def _set_the_scene(today: dt.date) -> Story:
    """Yesterday: South's caseworker sets up a course cohort, enrols her client on it and books a visit to him
    in prison for today; at 21:30 South's on-call worker records the keep-apart pair."""
    personas = make_personas()
    you, south = personas.you, personas.other_caseworker
    ours = personas.client_of(you, first_name="Marcus", last_name="Okafor-Fictional")
    theirs = personas.client_of(south, first_name="Kwabena", last_name="Duodu-Fictional", preferred_name="Kobby")
    prison = EstablishmentFactory(name=PRISON, postcode="SW18 3HS")
    yesterday = today - dt.timedelta(days=1)

    with time_machine.travel(_london(yesterday, 14, 0)):
        venue = courses.venue_create(
            actor=south, name="Peckham Learning Hub", address="12 Rye Lane", postcode="SE15 5BY", borough="Southwark"
        )
        course = courses.course_create(actor=south, title=COURSE, qualification="CSCS green card")
        cohort = courses.cohort_create(
            actor=south,
            course=course,
            name=COHORT,
            venue=venue,
            starts_on=today + dt.timedelta(days=7),
            ends_on=today + dt.timedelta(days=49),
            capacity=12,
        )
        courses.enrol(actor=south, cohort=cohort, client=theirs)
        appointment_book_group(
            actor=south,
            establishment=prison,
            on=today,
            kind=AppointmentKind.PRISON_VISIT_LEGAL,
            slots=[VisitSlot(client_id=theirs.pk, starts=dt.time(14, 0), minutes=60)],
        )

    # Nobody in either team can see both men. South's on-call worker sees South's clients; out of hours he
    # may open anyone else's record by break-glass, and so can record the pair through the service.
    on_call = UserFactory(role=Role.ON_CALL, team=personas.other_team, first_name="Ade", last_name="Oncall")
    with time_machine.travel(_london(yesterday, 21, 30)):
        break_glass_open(
            actor=on_call, client_id=ours.pk, reason="Marcus rang the on-call line about a threat from a rival estate."
        )
        keep_apart_record(actor=on_call, client=ours, other=theirs, reason=PAIR_REASON, source=PAIR_SOURCE)
    assert KeepApart.objects.count() == 1
    return Story(you=you, ours=ours, theirs=theirs, cohort=cohort, prison=prison)


def test_enrolment_refused_for_keep_apart_leaks_nothing(page: Any, axe: AxeChecked) -> None:
    today = timezone.localdate()
    story = _set_the_scene(today)
    ours_name = story.ours.display_name
    with time_machine.travel(_london(today, 10, 30)):
        sign_in(page, story.you, axe)
        axe.check()

        # The course and its cohort: the South man on it is a count, never a name.
        page.get_by_role("navigation").get_by_role("link", name="Courses").click()
        page.get_by_role("heading", name="Courses", level=1).wait_for()
        axe.check()
        page.get_by_role("link", name=COURSE).first.click()
        page.get_by_role("heading", name=COURSE, level=1).wait_for()
        axe.check()
        page.get_by_role("link", name=COHORT).click()
        page.get_by_role("heading", name=COHORT, level=1).wait_for()
        axe.check()
        assert page.get_by_text("1 other person you do not work with.").is_visible()
        _assert_leaks_nothing(page, story)

        # Enrol with no reason: refused, with a warning that names nobody.
        page.get_by_role("link", name="Enrol a client").click()
        page.get_by_role("heading", name="Enrol a client").wait_for()
        axe.check()
        page.get_by_label("Client", exact=True).select_option(str(story.ours.pk))
        page.get_by_role("button", name="Enrol").click()
        summary = page.locator(".govuk-error-summary")
        summary.wait_for()
        axe.check()
        assert page.title().startswith("Error: ")
        warning = f"Someone booked on this session must be kept apart from {ours_name}. Speak to your manager."
        assert warning in summary.inner_text()
        assert (
            "Give a reason to go ahead, or change the booking."
            in page.locator("#id_safety_override_reason-error").inner_text()
        )
        _assert_leaks_nothing(page, story)
        assert not Enrolment.objects.filter(client=story.ours).exists()
        assert page.get_by_label("Client", exact=True).input_value() == str(story.ours.pk)

        # With a reason to go ahead it is saved, and the reason kept with the enrolment.
        page.get_by_label("Reason to go ahead").fill(ENROL_REASON)
        page.get_by_role("button", name="Enrol").click()
        page.wait_for_url(re.compile(rf"/courses/cohorts/{story.cohort.pk}/$"))
        page.get_by_text(f"{ours_name} is enrolled on {COURSE}, {COHORT}.").wait_for()
        axe.check()
        enrolment = Enrolment.objects.get(client=story.ours, cohort=story.cohort)
        assert enrolment.status == EnrolmentStatus.ENROLLED
        assert enrolment.safety_override_reason == ENROL_REASON
        assert enrolment.enrolled_by_id == story.you.pk
        assert page.get_by_text(f"Booked despite a safety warning: {ENROL_REASON}").is_visible()
        _assert_leaks_nothing(page, story)


def test_prison_visit_refused_for_keep_apart_leaks_nothing(page: Any, axe: AxeChecked) -> None:
    today = timezone.localdate()
    story = _set_the_scene(today)
    ours_name = story.ours.display_name
    with time_machine.travel(_london(today, 10, 30)):
        sign_in(page, story.you, axe)
        axe.check()
        page.get_by_role("link", name="Book prison visits for several clients").click()
        page.get_by_role("heading", name="Book prison visits").wait_for()
        axe.check()
        page.get_by_label("Prison", exact=True).select_option(str(story.prison.pk))
        page.get_by_label("Date").fill(today.isoformat())
        page.get_by_label("Prison visit (professional)").check()
        visit = page.get_by_role("group", name="Visit 1")
        visit.get_by_label("Client").select_option(str(story.ours.pk))
        visit.get_by_label("Starts").fill("15:30")

        # The South man is already booked there today: refused, with a warning that names nobody.
        page.get_by_role("button", name="Book visits").click()
        warnings = page.locator("#safety-warnings")
        warnings.wait_for()
        axe.check()
        assert page.locator(".govuk-error-summary").is_visible()
        assert (
            "Give a reason to go ahead, or change the booking."
            in page.locator("#id_safety_override_reason-error").inner_text()
        )
        assert (
            f"Someone booked on this session must be kept apart from {ours_name}. Speak to your manager."
            in warnings.inner_text()
        )
        _assert_leaks_nothing(page, story)
        assert not Appointment.objects.filter(client=story.ours).exists()

        # With a reason to go ahead it is booked, and the reason kept with the visit.
        page.get_by_label("Reason to go ahead").fill(VISIT_REASON)
        page.get_by_role("button", name="Book anyway").click()
        page.get_by_text(f"Booked 1 visit at {PRISON} on {today:%A %-d %B}.").wait_for()
        axe.check()
        booked = Appointment.objects.get(client=story.ours)
        assert booked.establishment_id == story.prison.pk
        assert booked.safety_override_reason == VISIT_REASON
        assert timezone.localtime(booked.starts_at).time() == dt.time(15, 30)
        _assert_leaks_nothing(page, story)
