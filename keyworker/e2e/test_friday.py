"""Friday from DESIGN.md in Chromium: court. A client's sentencing hearing at the Crown Court is on his
caseworker's My week; she books to attend it from there (the court appointment comes pre-filled), then records
the outcome: a community order, non-custodial. His custody and court page shows it, with the charge as an
allegation and where it came from. Two more of her clients show the outcome recorded once and reused: an
adjournment makes the next hearing, and a custodial sentence opens the custody record with its release plan.

Before court she drafts his character reference from what is recorded (support since last year, a course and its
qualification, a job kept for 13 weeks, his own peer mentoring of a younger person), edits a sentence in the
browser, saves it as a PDF, downloads it, and finds it on his timeline.

Charges and hearings are set up through the custody services, as a caseworker would. The clock is set to noon
today (London), so the morning's hearings have happened whenever the test is run. Every page visited passes
axe-core. Names are fictional.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.casework.models import ContactKind
from keyworker.core.testing import (
    ClientFactory,
    CohortFactory,
    ContactFactory,
    CourseFactory,
    EstablishmentFactory,
    MilestoneFactory,
    UserFactory,
    make_personas,
)
from keyworker.custody import services as custody
from keyworker.custody.models import (
    ChargeSource,
    CustodyEpisode,
    EstablishmentKind,
    Hearing,
    HearingKind,
    HearingOutcome,
    LegalStatus,
)
from keyworker.diary.models import Appointment, AppointmentKind
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.outcomes.models import (
    EvidenceKind,
    Letter,
    LetterStatus,
    LetterTemplate,
    Mentoring,
    MentoringSession,
    MentorPathway,
    MilestoneKind,
)
from keyworker.people.models import Client
from keyworker.services.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
COURT = "Inner London Crown Court"
OFFENCE = "Possession with intent to supply a controlled drug of class A"
SOURCE_DETAIL = "Ms Adeyemi, his solicitor"
ORDER = "12-month community order: 150 hours' unpaid work and a drug rehabilitation requirement."
COURSE = "Construction skills (CSCS)"
JOB = "Warehouse operative, Example Logistics"
OWN_WORDS = "I will be in court on the day and can answer any questions the court may have."


def _noon_today() -> dt.datetime:
    # In UTC: a London-zoned destination would make time_machine change the process's TZ as well.
    return dt.datetime.combine(timezone.localdate(), dt.time(12, 0), tzinfo=LONDON).astimezone(dt.UTC)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def test_friday_court(page: Any, axe: AxeChecked) -> None:
    started = time.monotonic()
    with time_machine.travel(_noon_today()):
        _friday(page, axe)
    elapsed = time.monotonic() - started
    print(f"\nFriday played in Chromium in {elapsed:.1f}s; axe checked {len(axe.checked)} pages")


def _hearing(you: User, court: Any, client: Client, starts_at: dt.datetime, kind: str, offence: str) -> Hearing:
    charge = custody.charge_record(
        actor=you, client=client, offence=offence, source=ChargeSource.SOLICITOR, source_detail=SOURCE_DETAIL
    )
    return custody.hearing_schedule(
        actor=you, client=client, court=court, starts_at=starts_at, kind=kind, charges=[charge]
    )


def _friday(page: Any, axe: AxeChecked) -> None:
    personas = make_personas()
    you = personas.you
    today = timezone.localdate()
    court = EstablishmentFactory(kind=EstablishmentKind.CROWN_COURT, name=COURT)
    prison = EstablishmentFactory(name="HMP Thameside")
    marcus = personas.client_of(you, first_name="Marcus", last_name="Bennett-Fictional")
    _his_progress(you, marcus)
    kieran = personas.client_of(you, first_name="Kieran", last_name="Doyle-Fictional")
    leon = personas.client_of(you, first_name="Leon", last_name="Hart-Fictional")
    sentencing = _hearing(you, court, marcus, _at(today, 10), HearingKind.SENTENCING, OFFENCE)
    plea = _hearing(you, court, kieran, _at(today, 10, 30), HearingKind.PLEA, "Robbery")
    yesterday = _hearing(
        you, court, leon, _at(today - dt.timedelta(days=1), 10), HearingKind.SENTENCING, "Wounding with intent"
    )

    # My week: his hearing today, and a link to book to attend it.
    sign_in(page, you, axe)
    axe.check()
    day = page.locator(f"section[aria-labelledby='day-{today.isoformat()}']")
    hearing_line = day.get_by_role("listitem").filter(has_text=marcus.display_name)
    assert hearing_line.get_by_text(f"10:00 Sentencing at {COURT}").is_visible()
    hearing_line.get_by_role("link", name=f"Book to attend the hearing of {marcus.display_name}").click()
    page.get_by_role("heading", name="Book an appointment").wait_for()
    axe.check()
    attending_text = f"Attending the hearing: sentencing at {COURT}, {today:%A %-d %B %Y} at 10:00."
    assert page.get_by_text(attending_text).is_visible()
    assert page.get_by_label("Kind of appointment").input_value() == AppointmentKind.COURT
    assert page.get_by_label("Date").input_value() == today.isoformat()
    assert page.get_by_label("Starts").input_value() == "10:00"
    assert page.get_by_label("Ends").input_value() == "13:00"
    assert page.get_by_label("Prison or court").input_value() == str(court.pk)
    page.get_by_role("button", name="Book appointment").click()
    page.get_by_text(f"Booked: Court hearing, {today:%A %-d %B} at 10:00.").wait_for()
    axe.check()
    attending = Appointment.objects.get(client=marcus)
    assert (attending.kind, attending.hearing_id, attending.establishment) == (
        AppointmentKind.COURT,
        sentencing.pk,
        court,
    )

    # On My week the booking stands for the hearing: no second line, no second offer to book.
    page.goto("/week/")
    axe.check()
    line = day.get_by_role("listitem").filter(has_text=marcus.display_name)
    assert line.get_by_role("link", name="10:00 Court hearing").is_visible()
    assert not day.get_by_role("link", name=f"Book to attend the hearing of {marcus.display_name}").count()
    assert day.get_by_role("link", name=f"Book to attend the hearing of {kieran.display_name}").is_visible()

    # After court: the outcome, from his custody and court page. The charge is an allegation with its source.
    line.get_by_role("link", name=marcus.display_name).click()
    page.get_by_role("heading", name=marcus.display_name, level=1).wait_for()
    axe.check()
    # Before court: his character reference, drafted from the records, edited, saved as a PDF (ends on his page).
    _character_reference(page, axe, marcus)
    page.get_by_role("link", name=f"Custody and court for {marcus.display_name}").click()
    page.get_by_role("heading", name="Custody and court", level=1).wait_for()
    axe.check()
    alleged = f"{OFFENCE}: alleged (source: solicitor, {SOURCE_DETAIL})"
    assert page.get_by_role("listitem").filter(has_text=alleged).is_visible()
    page.get_by_role("link", name=f"Record the outcome of the hearing on {today:%-d %b %Y}").click()
    page.get_by_role("heading", name="Hearing outcome").wait_for()
    axe.check()
    assert page.get_by_text(f"{OFFENCE}: alleged (source: solicitor)").is_visible()
    page.get_by_label("Outcome", exact=True).select_option(HearingOutcome.COMMUNITY_ORDER)
    page.get_by_label("Notes on the outcome").fill(ORDER)
    page.get_by_role("button", name="Record outcome").click()
    page.get_by_text("Outcome recorded: community order.").wait_for()
    axe.check()
    card = page.locator(".govuk-summary-card").filter(has_text="Sentencing")
    assert card.get_by_text("Community order").is_visible() and card.get_by_text(ORDER).is_visible()
    assert card.get_by_text(f"{OFFENCE}: alleged (source: solicitor)").is_visible()
    assert page.get_by_text("Not in custody.").is_visible()  # non-custodial: no custody record
    sentencing.refresh_from_db()
    assert (sentencing.outcome, sentencing.outcome_recorded_by) == (HearingOutcome.COMMUNITY_ORDER, you)
    assert not CustodyEpisode.objects.filter(client=marcus).exists()

    # Kieran's plea hearing adjourned for four weeks: the next hearing is on his page, same court and charge.
    next_day = today + dt.timedelta(weeks=4)
    page.goto(f"/clients/{kieran.pk}/custody/")
    axe.check()
    page.get_by_role("link", name=f"Record the outcome of the hearing on {today:%-d %b %Y}").click()
    page.get_by_role("heading", name="Hearing outcome").wait_for()
    axe.check()
    page.get_by_label("Outcome", exact=True).select_option(HearingOutcome.ADJOURNED)
    page.get_by_label("Notes on the outcome").fill("Adjourned for a pre-sentence report.")
    page.get_by_label("Adjourned to (date)").fill(next_day.isoformat())
    page.get_by_label("Adjourned to (time)").fill("14:00")
    page.get_by_role("button", name="Record outcome").click()
    page.get_by_text("Outcome recorded: adjourned.").wait_for()
    axe.check()
    coming = page.locator(".govuk-summary-card").filter(has_text=f"{next_day:%a %-d %b %Y} at 14:00")
    assert coming.get_by_role("heading", name=f"Plea hearing, {next_day:%a %-d %b %Y} at 14:00").is_visible()
    assert coming.get_by_text("Not recorded yet").is_visible()
    assert coming.get_by_text("Robbery: alleged (source: solicitor)").is_visible()
    assert page.get_by_text(f"Adjourned, to {next_day:%-d %b %Y} at 14:00").is_visible()
    plea.refresh_from_db()
    assert plea.next_hearing is not None and plea.next_hearing.court == court

    # Leon's sentencing yesterday, recorded today: custodial, so his custody record opens with its plan.
    release_on = today + dt.timedelta(days=270)
    page.goto(f"/clients/{leon.pk}/custody/")
    axe.check()
    yesterday_on = today - dt.timedelta(days=1)
    page.get_by_role("link", name=f"Record the outcome of the hearing on {yesterday_on:%-d %b %Y}").click()
    page.get_by_role("heading", name="Hearing outcome").wait_for()
    axe.check()
    page.get_by_label("Outcome", exact=True).select_option(HearingOutcome.CUSTODIAL)
    page.get_by_label("Sentence", exact=True).fill("18 months")
    page.get_by_label("Prison they were taken to").select_option(str(prison.pk))
    page.get_by_label("Prison number").fill("a9915lh")
    page.get_by_label("Expected release date").fill(release_on.isoformat())
    page.get_by_role("button", name="Record outcome").click()
    page.get_by_text("Outcome recorded: custodial sentence.").wait_for()
    axe.check()
    assert page.locator("#countdown").inner_text() == "270 days to release"
    facts = page.locator(".govuk-summary-list").first
    assert facts.get_by_role("link", name="HMP Thameside").is_visible()
    assert facts.get_by_text("A9915LH").is_visible()
    assert facts.get_by_text("Sentenced, 18 months").is_visible()
    assert page.get_by_role("heading", name="Release plan").is_visible()
    sentenced = page.locator(".govuk-summary-card").filter(has_text="Wounding with intent")
    assert sentenced.get_by_text("Custodial sentence, 18 months").is_visible()
    episode = CustodyEpisode.objects.get(client=leon)
    assert (episode.source_hearing_id, episode.legal_status, episode.received_on) == (
        yesterday.pk,
        LegalStatus.SENTENCED,
        yesterday_on,
    )


def _his_progress(you: User, marcus: Client) -> None:
    """What a year of support has recorded: contacts since his case opened, a course completed with a
    qualification, 13 weeks in work, and his own peer mentoring of a younger person on his estate."""
    today = timezone.localdate()
    case = marcus.cases.get()
    case.opened_on = today - dt.timedelta(days=400)
    case.save()
    marcus.date_of_birth = dt.date(1999, 5, 1)
    marcus.save()
    for days_ago, kind in ((380, ContactKind.OFFICE), (300, ContactKind.HOME_VISIT), (90, ContactKind.OFFICE)):
        ContactFactory(
            client=marcus,
            case=case,
            kind=kind,
            occurred_at=_at(today - dt.timedelta(days=days_ago), 11),
            recorded_by=you,
            note="Met at the office.",
        )
    cohort = CohortFactory(
        course=CourseFactory(title=COURSE),
        starts_on=today - dt.timedelta(days=260),
        ends_on=today - dt.timedelta(days=218),
    )
    Enrolment.objects.create(
        cohort=cohort,
        client=marcus,
        status=EnrolmentStatus.COMPLETED,
        completed_on=today - dt.timedelta(days=218),
        qualification_gained="CSCS green card",
        enrolled_by=you,
    )
    MilestoneFactory(
        client=marcus,
        kind=MilestoneKind.WORK_13_WEEKS,
        achieved_on=today - dt.timedelta(days=40),
        evidence_kind=EvidenceKind.COMPUTED,
        detail=JOB,
        recorded_by=you,
    )
    account = UserFactory(email="marcus.mentor@keyworker.test", role=Role.PEER_MENTOR, team=None)
    MentorPathway.objects.create(
        client=marcus,
        interest_on=today - dt.timedelta(days=200),
        training_completed_on=today - dt.timedelta(days=160),
        dbs_checked_on=today - dt.timedelta(days=150),
        mentor_account=account,
        started_mentoring_on=today - dt.timedelta(days=120),
    )
    younger = ClientFactory(first_name="Tyrell", last_name="Young-Fictional", date_of_birth=dt.date(2009, 2, 1))
    mentoring = Mentoring.objects.create(mentor=account, mentee=younger, started_on=today - dt.timedelta(days=110))
    for week in range(6):
        MentoringSession.objects.create(
            mentoring=mentoring, held_on=today - dt.timedelta(days=100 - 7 * week), recorded_by=account
        )


def _character_reference(page: Any, axe: AxeChecked, marcus: Client) -> None:
    page.get_by_role("link", name=f"Letters for {marcus.display_name}").click()
    page.get_by_role("heading", name="Letters", level=1).wait_for()
    axe.check()
    page.get_by_role("button", name="Draft a character reference").click()
    page.get_by_role("heading", name="Character reference for court", level=1).wait_for()
    axe.check()
    assert page.get_by_label("To", exact=True).input_value() == f"The presiding Judge, {COURT}"
    body = page.get_by_label("Letter", exact=True).input_value()
    assert body.startswith("Your Honour,")
    assert f"charged with {OFFENCE[0].lower()}{OFFENCE[1:]}." in body  # the writer knows the charges, by name
    assert "My name is Jo Caseworker. I am a caseworker at" in body  # who the writer is
    assert ", and I am Marcus's keyworker." in body  # and how she knows him
    assert f"Marcus has completed {COURSE} on " in body and ", gaining CSCS green card." in body
    assert f"in work, sustained 13 weeks ({JOB})" in body
    assert "has been a peer mentor with us, supporting a younger person" in body
    assert "6 mentoring sessions" in body and "Tyrell" not in body  # the mentee is never named
    assert "[missing:" not in body
    for opinion in ("sentence", "deserves", "should not be sent", "should not go to prison", "leniency"):
        assert opinion not in body.lower(), opinion  # no opinion on sentence
    facts = page.locator(".kw-facts")
    assert facts.get_by_text(COURSE).is_visible() and facts.get_by_text(COURT).is_visible()

    # She puts one sentence in her own words, and saves.
    edited = body.replace("I am happy to be contacted if the court would like to know more.", OWN_WORDS)
    assert edited != body
    page.get_by_label("Letter", exact=True).fill(edited)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Letter saved.").wait_for()
    axe.check()
    assert OWN_WORDS in page.get_by_label("Letter", exact=True).input_value()

    page.get_by_role("button", name="Save as PDF").click()
    page.get_by_text("Saved as a PDF. It is on the client's timeline.").wait_for()
    axe.check()
    letter = Letter.objects.get(client=marcus)
    assert letter.status == LetterStatus.FINAL and OWN_WORDS in letter.body
    download_name = f"Download the PDF of the character reference for court for {marcus.display_name}"
    with page.expect_download() as download:
        page.get_by_role("link", name=download_name).click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and pdf == bytes(letter.pdf)
    assert download.value.suggested_filename.endswith(".pdf")

    # It is kept on his timeline, with the PDF to hand.
    page.get_by_role("link", name=f"Back to the letters for {marcus.display_name}").click()
    page.get_by_role("heading", name="Letters", level=1).wait_for()
    axe.check()
    page.get_by_role("link", name=f"Back to {marcus.display_name}").click()
    page.get_by_role("heading", name=marcus.display_name, level=1).wait_for()
    axe.check()
    entry = page.locator(".moj-timeline__item").filter(has_text="Character reference for court saved as a PDF")
    assert entry.is_visible()
    assert entry.get_by_text(f"To The presiding Judge, {COURT}.").is_visible()
    assert entry.get_by_role("link", name="Download the PDF").is_visible()


def test_a_manager_keeps_the_letter_templates(page: Any, axe: AxeChecked) -> None:
    """The manager rewords the character reference template; a caseworker's next draft uses it. A placeholder
    Keyworker cannot fill is refused with a clear message, before any letter could carry the gap."""
    import importlib

    from django.apps import apps

    importlib.import_module("keyworker.outcomes.migrations.0004_seed_letter_templates").seed(apps, None)  # flushed
    personas = make_personas()
    sign_in(page, personas.manager, axe)
    page.goto("/letter-templates/")
    page.get_by_role("heading", name="Letter templates", level=1).wait_for()
    axe.check()
    page.get_by_role("link", name="Character reference for court").click()
    page.get_by_role("heading", name="Character reference for court", level=1).wait_for()
    axe.check()
    wording = page.get_by_label("Wording")
    wording.fill(wording.input_value() + "\n\nKind regards from {team_name}")
    page.get_by_role("button", name="Save template").click()
    page.get_by_text("Keyworker cannot fill {team_name}").first.wait_for()
    axe.check()
    wording.fill(wording.input_value().replace("Kind regards from {team_name}", "Written on {today}."))
    page.get_by_role("button", name="Save template").click()
    page.get_by_text("Template saved.").wait_for()
    axe.check()
    template = LetterTemplate.objects.get()
    assert template.body.endswith("Written on {today}.") and template.updated_by == personas.manager
