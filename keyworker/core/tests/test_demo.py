"""`keyworker demo`: every role and team, the acceptance week in the current week, idempotent, --reset."""

from __future__ import annotations

import datetime as dt
import itertools
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from keyworker.accounts.models import Role, Team, User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import Case, CaseStatus, Contact, ContactAmendment, ContactKind, Pathway, Task
from keyworker.casework.selectors import task_list_for
from keyworker.core import policy
from keyworker.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, FEATURED_EMAIL, TEAM_BY_NAME
from keyworker.core.testing import Personas
from keyworker.custody.models import (
    Charge,
    CustodyEpisode,
    CustodyTransfer,
    Establishment,
    Hearing,
    HearingKind,
    HearingOutcome,
    NeedStatus,
    ReleaseNeed,
    ReleaseNeedUpdate,
    ReleaseType,
)
from keyworker.diary.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    EscalationLevel,
    LoneWorkingEscalation,
    LoneWorkingStatus,
    LoneWorkingVisit,
)
from keyworker.diary.selectors import appointment_list_for, my_week_for
from keyworker.people.models import Client

pytestmark = pytest.mark.django_db

CLIENTS = 30  # the staged week plus a small caseload keeps the test quick


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, clients=CLIENTS, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models(include_auto_created=True)}


CUSTODY_MODELS = (
    CustodyEpisode,
    CustodyTransfer,
    ReleaseNeed,
    ReleaseNeedUpdate,
    Charge,
    Hearing,
    LoneWorkingVisit,
    LoneWorkingEscalation,
)


def week_of_dee() -> tuple[User, dt.date]:
    today = timezone.localdate()
    return User.objects.get(email=FEATURED_EMAIL), today - dt.timedelta(days=today.weekday())


def dees_appointments_on(dee: User, day: dt.date, kind: str) -> list[Appointment]:
    return [
        a
        for a in Appointment.objects.filter(staff=dee, kind=kind).select_related("client", "establishment")
        if timezone.localtime(a.starts_at).date() == day
    ]


def test_demo_has_every_role_three_teams_and_prints_the_sign_ins() -> None:
    output = run_demo()

    demo_staff = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    assert set(demo_staff.values_list("role", flat=True)) == set(Role.values)
    assert Team.objects.filter(name__in=TEAM_BY_NAME).count() == 3
    for team in Team.objects.filter(name__in=TEAM_BY_NAME):
        assert team.members.filter(role=Role.MANAGER).count() == 1
        assert 3 <= team.members.filter(role=Role.CASEWORKER).count() <= 5
    admin = demo_staff.get(role=Role.ADMINISTRATOR)
    assert admin.is_staff and admin.is_superuser
    assert not demo_staff.exclude(pk=admin.pk).filter(is_staff=True).exists()
    dee = User.objects.get(email=FEATURED_EMAIL)
    assert dee.role == Role.CASEWORKER and dee.team and dee.team.name == "Lambeth Gang Exit"
    assert dee.check_password(DEMO_PASSWORD)

    assert DEMO_PASSWORD in output
    table = output[output.index("Email"):]
    assert table.splitlines()[2].startswith(FEATURED_EMAIL)  # Dee's sign-in comes first
    for user in demo_staff:
        assert user.email in table
    assert Client.objects.count() == CLIENTS


def test_the_acceptance_week_is_on_dees_my_week() -> None:
    run_demo()
    dee = User.objects.get(email=FEATURED_EMAIL)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())

    # What My week puts on each day (key dates from appointments or custody records) is the diary's
    # business; here: every weekday has something, tasks included, and the staged appointments are Dee's.
    week = my_week_for(dee)
    assert week.monday == monday
    by_day = {day.date.weekday(): day for day in week.days}
    for weekday in range(5):
        day = by_day[weekday]
        assert not day.is_empty, f"nothing on {day.date:%A}"
        assert day.tasks, f"no tasks due on {day.date:%A}"
    assert week.overdue_tasks  # something left over from last week

    def on(weekday: int, kind: str) -> list[Appointment]:
        return dees_appointments_on(dee, monday + dt.timedelta(days=weekday), kind)

    (intake,) = on(0, AppointmentKind.OFFICE)
    kayla = intake.client
    assert kayla is not None
    assert not kayla.may_phone and kayla.may_text and not kayla.may_leave_voicemail and kayla.code_word
    assert kayla.cases.get().opened_on == monday

    (gate,) = on(1, AppointmentKind.GATE)
    assert gate.client is not None
    gate_notes = " ".join(gate.client.contacts.values_list("note", flat=True))
    assert "£300 a week" in gate_notes and "stay drug-free" in gate_notes
    assert gate.client.contacts.filter(kind=ContactKind.PRISON_VISIT).count() >= 3

    assert len(on(2, AppointmentKind.HOME_VISIT)) == 2
    prison_visits = on(3, AppointmentKind.PRISON_VISIT_LEGAL)
    assert len(prison_visits) == 3
    assert {a.location for a in prison_visits} == {"HMP Wandsworth"}
    assert len({a.client_id for a in prison_visits}) == 3

    (court,) = on(4, AppointmentKind.COURT)
    assert court.client is not None
    assert court.client.contacts.filter(kind=ContactKind.MENTORING).exists()


def test_demo_records_are_consistent() -> None:
    run_demo()
    now = timezone.now()
    assert not Contact.objects.filter(occurred_at__gt=now).exists()
    assert not Task.objects.filter(completed_at__gt=now).exists()
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    assert all(ref.startswith("KW-") and len(ref) == 9 for ref in references)
    for case in Case.objects.select_related("keyworker"):
        if case.keyworker:
            assert case.keyworker.team_id == case.team_id
        if case.status == CaseStatus.CLOSED:
            assert case.closure_reason and case.closed_on and case.closed_on >= case.opened_on
    # At most one open episode per client.
    for client in Client.objects.all():
        assert client.cases.exclude(status=CaseStatus.CLOSED).count() <= 1
    assert Contact.objects.filter(is_sensitive=True).exists()
    first = Appointment.objects.order_by("starts_at").first()
    assert first is not None and timezone.is_aware(first.starts_at)


def test_running_it_again_changes_nothing() -> None:
    run_demo()
    before = row_counts()
    custody_rows = {model: model.objects.count() for model in CUSTODY_MODELS}
    assert all(custody_rows.values()), custody_rows

    output = run_demo()

    assert "already loaded" in output
    assert FEATURED_EMAIL in output and DEMO_PASSWORD in output
    assert row_counts() == before
    assert {model: model.objects.count() for model in CUSTODY_MODELS} == custody_rows


def test_reset_deletes_the_demo_and_everything_pointing_at_it_then_rebuilds(personas: Personas) -> None:
    outsider = personas.client_of(personas.you, first_name="Outside", last_name="Thedemo")
    run_demo()
    before = row_counts()
    first_names = sorted(Client.objects.values_list("first_name", "last_name"))
    first_reference = Case.objects.filter(team__name__in=TEAM_BY_NAME).order_by("reference").first()
    assert first_reference is not None

    dee = User.objects.get(email=FEATURED_EMAIL)
    client = Client.objects.filter(cases__keyworker=dee).first()
    assert client is not None
    extra = Contact.objects.create(client=client, kind=ContactKind.PHONE, occurred_at=timezone.now(),
                                   note="Added after loading.", recorded_by=dee)
    ContactAmendment.objects.create(contact=extra, text="Corrected.", reason="Typo", recorded_by=dee)
    audit_event_record(actor=dee, action=AuditAction.CREATE, obj=extra, client_id=client.pk)
    task_list_for(dee)  # a read; nothing to clean up

    output = run_demo("--reset")

    assert "Rebuilt the demo" in output
    assert row_counts() == before
    assert not Contact.objects.filter(pk=extra.pk).exists()
    assert not AuditEvent.objects.filter(object_id=str(extra.pk)).exists()
    assert Client.objects.filter(pk=outsider.pk).exists()  # not demo data: left alone
    assert sorted(Client.objects.values_list("first_name", "last_name")) == first_names
    rebuilt_first = Case.objects.filter(team__name__in=TEAM_BY_NAME).order_by("reference").first()
    assert rebuilt_first is not None and rebuilt_first.reference == first_reference.reference
    connection.check_constraints()  # no reference left dangling (foreign keys are checked at commit)


def test_the_demo_refuses_to_load_in_production(settings, db):
    from django.core.management import CommandError, call_command

    from keyworker.accounts.models import User

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="KEYWORKER_PRODUCTION"):
        call_command("demo", "--clients", "0")
    assert not User.objects.exists()


def test_funding_streams_cover_some_cases_and_monday_is_eligible_for_none() -> None:
    from keyworker.funding.models import FundingStream, StreamAllocation, UnfundedDecision, UnfundedWork
    from keyworker.funding.selectors import eligibility_for

    run_demo()
    dee = User.objects.get(email=FEATURED_EMAIL)
    streams = FundingStream.objects.filter(active=True)
    assert streams.count() >= 4
    assert len({tuple(sorted(s.rules.values_list("kind", flat=True))) for s in streams}) >= 4  # different rules

    kayla = Client.objects.get(first_name="Kayla", cases__keyworker=dee)
    _, case, results = eligibility_for(dee, kayla.pk)
    assert case is not None and {r.stream.pk for r in results} == set(streams.values_list("pk", flat=True))
    for result in results:
        assert not result.verdict.eligible, result.stream.name
        assert result.verdict.reasons and all(reason.endswith(".") for reason in result.verdict.reasons)
    reasons = " ".join(reason for r in results for reason in r.verdict.reasons)
    assert "This stream is for men and boys." in reasons
    assert "Home area Lambeth is not in" in reasons
    assert not StreamAllocation.objects.filter(case=case).exists()
    assert not UnfundedWork.objects.filter(case=case).exists()  # her worker asks for approval in the app

    allocations = StreamAllocation.objects.select_related("stream", "case")
    assert allocations.count() >= 3
    for allocation in allocations:
        # funding runs while the case is open; a closed case's funding ended the day it closed (issue 8)
        if allocation.ends_on is None:
            assert allocation.case.status == CaseStatus.OPEN
        else:
            assert allocation.case.status == CaseStatus.CLOSED and allocation.ends_on == allocation.case.closed_on
        assert allocation.starts_on >= allocation.stream.starts_on
        assert not allocation.override_reason  # the demo only funds what the rules allow
    for stream in streams:
        assert stream.allocations.filter(ends_on__isnull=True).count() <= stream.places  # places held today
    approved = UnfundedWork.objects.filter(decision=UnfundedDecision.APPROVED).select_related("decided_by", "case")
    assert approved.count() >= 2
    for work in approved:
        assert work.decided_by is not None and work.decided_by.role == Role.MANAGER
        assert work.decided_by.team_id == work.case.team_id and work.decision_reason
        assert not StreamAllocation.objects.filter(case=work.case).exists()


def test_tuesday_release_has_its_custody_episode_and_a_release_plan_over_the_seven_pathways() -> None:
    run_demo()
    dee, monday = week_of_dee()
    tuesday = monday + dt.timedelta(days=1)
    (gate,) = dees_appointments_on(dee, tuesday, AppointmentKind.GATE)

    episode = gate.custody_episode
    assert episode is not None and episode.client_id == gate.client_id
    assert episode.establishment.is_prison and gate.establishment == episode.establishment
    assert episode.release_on == tuesday and episode.release_type == ReleaseType.CONDITIONAL
    assert episode.prison_number and episode.sentence_length and episode.sentenced_on
    assert 270 <= (tuesday - episode.received_on).days <= 330  # about ten months inside
    assert episode.licence_ends_on and episode.licence_ends_on > tuesday
    assert episode.probation_practitioner and episode.probation_phone.startswith("020 7946 0")
    gate_passed = gate.ends_at < timezone.now()
    assert episode.released_on == (tuesday if gate_passed else None)
    assert gate.status == (AppointmentStatus.ATTENDED if gate_passed else AppointmentStatus.BOOKED)
    (move,) = episode.transfers.all()
    assert move.to_establishment == episode.establishment != move.from_establishment
    assert episode.received_on < move.transferred_on < tuesday

    needs = {need.need: need for need in episode.needs.prefetch_related("updates")}
    assert {need.pathway for need in needs.values()} == set(Pathway.values)
    assert needs["first_night"].status == NeedStatus.MET
    assert needs["prescription"].status == NeedStatus.MET
    assert needs["course_start"].status == NeedStatus.IN_PROGRESS
    statuses = [need.status for need in needs.values()]
    assert statuses.count(NeedStatus.MET) > len(statuses) / 2
    now = timezone.now()
    for need in needs.values():
        updates = list(need.updates.all())
        assert updates, need.need
        assert updates[-1].status == need.status
        assert all(need.created_at <= u.created_at <= now for u in updates)
        assert need.due_on is not None and need.due_on <= tuesday


def test_releases_in_the_next_twelve_weeks_have_part_done_plans_and_past_episodes_are_closed() -> None:
    run_demo()
    dee, _ = week_of_dee()
    today = timezone.localdate()
    upcoming = CustodyEpisode.objects.filter(
        released_on__isnull=True, release_on__gt=today, release_on__lte=today + dt.timedelta(weeks=12)
    ).select_related("case")
    dees = [e for e in upcoming if e.case and e.case.keyworker_id == dee.pk]
    assert len(dees) >= 2
    started = set()
    for episode in dees:
        statuses = set(episode.needs.values_list("status", flat=True))
        assert statuses & {NeedStatus.NOT_STARTED, NeedStatus.IN_PROGRESS}, episode  # still work to do
        started |= statuses
    assert started & {NeedStatus.IN_PROGRESS, NeedStatus.MET}  # and some already done or under way
    for episode in CustodyEpisode.objects.filter(released_on__isnull=False):
        assert episode.released_on <= today and episode.release_on == episode.released_on
    # At most one spell inside at a time for anyone.
    for client_id in CustodyEpisode.objects.values_list("client_id", flat=True).distinct():
        spells = list(CustodyEpisode.objects.filter(client_id=client_id).order_by("received_on"))
        for earlier, later in itertools.pairwise(spells):
            assert earlier.released_on is not None and earlier.released_on < later.received_on
    assert CustodyEpisode.objects.filter(released_on__isnull=False).count() >= 3


def test_thursday_is_one_group_of_visits_at_one_prison_and_the_restricted_client_stays_hidden() -> None:
    run_demo()
    dee, monday = week_of_dee()
    visits = dees_appointments_on(dee, monday + dt.timedelta(days=3), AppointmentKind.PRISON_VISIT_LEGAL)
    assert len(visits) == 3
    (group,) = {v.group for v in visits}
    assert group is not None
    (prison,) = {v.establishment for v in visits}
    assert prison is not None and prison.is_prison
    assert len({v.starts_at for v in visits}) == 3  # staggered slots
    for visit in visits:
        (inside,) = CustodyEpisode.objects.filter(client=visit.client, released_on__isnull=True)
        assert inside.establishment == prison

    (lewis_visit,) = [v for v in visits if v.client and v.client.first_name == "Lewis"]
    others = [v for v in visits if v is not lewis_visit]
    kwame = User.objects.get(email=f"kwame@{DEMO_DOMAIN}")
    marcia = User.objects.get(email=f"marcia@{DEMO_DOMAIN}")
    assert kwame.team_id == dee.team_id and kwame.role == Role.CASEWORKER
    assert not appointment_list_for(kwame).filter(pk=lewis_visit.pk).exists()  # restricted to Dee and Marcia
    assert appointment_list_for(kwame).filter(pk=others[0].pk).exists()  # the rest of the group is the team's
    assert appointment_list_for(marcia).filter(pk=lewis_visit.pk).exists()
    assert appointment_list_for(dee).filter(group=group).count() == 3
    assert appointment_list_for(kwame).filter(group=group).count() == 2


def test_friday_hearing_has_its_charges_and_an_adjournment_chain_with_the_outcome_left_to_record() -> None:
    run_demo()
    dee, monday = week_of_dee()
    friday = monday + dt.timedelta(days=4)
    (court,) = dees_appointments_on(dee, friday, AppointmentKind.COURT)

    hearing = court.hearing
    assert hearing is not None and hearing.client_id == court.client_id
    assert court.establishment == hearing.court and hearing.court.is_court
    starts = timezone.localtime(hearing.starts_at)
    assert (starts.date(), starts.hour, starts.minute) == (friday, 10, 0)
    assert hearing.kind == HearingKind.SENTENCING and hearing.description
    assert hearing.outcome == "" and hearing.outcome_recorded_at is None  # played in the app on Friday
    assert court.status == AppointmentStatus.BOOKED
    charges = list(hearing.charges.all())
    assert charges and all(c.offence and c.source for c in charges)

    chain = []
    earlier = Hearing.objects.filter(next_hearing=hearing).first()
    while earlier is not None:
        chain.append(earlier)
        earlier = Hearing.objects.filter(next_hearing=earlier).first()
    assert len(chain) >= 2
    assert chain[-1].kind == HearingKind.FIRST_APPEARANCE
    for past in chain:
        assert past.outcome == HearingOutcome.ADJOURNED and past.outcome_detail
        assert past.outcome_recorded_at and past.starts_at < past.outcome_recorded_at <= timezone.now()
        assert set(past.charges.all()) == set(charges)


def test_dee_has_a_lone_working_history_with_one_visit_escalated_to_her_buddy() -> None:
    run_demo()
    dee, _ = week_of_dee()
    visits = list(LoneWorkingVisit.objects.filter(staff=dee).prefetch_related("escalations"))
    now = timezone.now()
    assert len(visits) >= 3
    for visit in visits:
        assert policy.can_be_buddy(dee, visit.buddy)  # a teammate
        assert visit.status == LoneWorkingStatus.CHECKED_OUT and visit.client and visit.place
        assert visit.checked_out_at is not None
        assert visit.checked_in_at < visit.expected_end and visit.checked_in_at < visit.checked_out_at <= now
    on_time = [v for v in visits if not v.escalations.all()]
    late = [v for v in visits if v.escalations.all()]
    assert len(on_time) >= 2 and all(v.checked_out_at <= v.expected_end for v in on_time)
    (ran_over,) = late
    (alert,) = ran_over.escalations.all()
    assert alert.level == EscalationLevel.BUDDY
    assert ran_over.expected_end < alert.raised_at < ran_over.checked_out_at
    _, monday = week_of_dee()
    assert ran_over.checked_out_at < dt.datetime.combine(monday, dt.time.min, tzinfo=timezone.get_current_timezone())


def test_the_directory_gets_fictional_phones_and_visiting_details_but_keeps_staff_edits() -> None:
    Establishment.objects.filter(name="HMP Wandsworth").delete()  # a seed row removed: the demo makes it again
    run_demo()
    used = Establishment.objects.filter(appointments__staff__email__iendswith=f"@{DEMO_DOMAIN}").distinct()
    assert used.filter(name="HMP Wandsworth").exists()
    for establishment in used:
        assert establishment.phone.startswith("020 7946 0"), establishment.name
        assert establishment.visiting_arrangements
    assert "Legal and professional visits" in Establishment.objects.get(name="HMP Wandsworth").visiting_arrangements

    Establishment.objects.filter(name="HMP Brixton").update(phone="020 7946 0999", visiting_arrangements="Edited.")
    run_demo("--reset")
    brixton = Establishment.objects.get(name="HMP Brixton")
    assert (brixton.phone, brixton.visiting_arrangements) == ("020 7946 0999", "Edited.")


# --- issue 6: services, referrals out, signposting, courses and safety profiles -------------------------------

LONDON = ZoneInfo("Europe/London")
FRIDAY_NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=LONDON)  # Wednesday's visit is over
TUESDAY_NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)  # it is still to come


def wednesday_client(dee: User, monday: dt.date) -> Client:
    """The client of Wednesday morning's home visit: the one whose girlfriend speaks to Dee."""
    (morning,) = [
        a
        for a in dees_appointments_on(dee, monday + dt.timedelta(days=2), AppointmentKind.HOME_VISIT)
        if timezone.localtime(a.starts_at).hour < 12
    ]
    assert morning.client is not None
    return morning.client


def test_wednesday_once_past_has_the_referral_on_consent_and_the_girlfriend_signposted() -> None:
    from keyworker.intake.models import AgencyKind, ConsentRecord
    from keyworker.intake.selectors import client_sharing_permitted
    from keyworker.privacy.models import Disclosure
    from keyworker.services.models import OutboundReferral, OutboundStatus, Service, Signposting

    with time_machine.travel(FRIDAY_NOON, tick=False):
        run_demo()
        dee, monday = week_of_dee()
    wednesday = monday + dt.timedelta(days=2)
    reece = wednesday_client(dee, monday)

    (referral,) = OutboundReferral.objects.filter(client=reece, service__name="Brief Intervention Service")
    assert referral.status == OutboundStatus.SENT and referral.sent_on == wednesday
    assert referral.made_by == dee and referral.follow_up_on == wednesday + dt.timedelta(days=7)
    assert referral.reason and referral.shared and "consent" in referral.basis.lower()
    consents = ConsentRecord.objects.filter(client=reece)
    (consent,) = [c for c in consents if AgencyKind.DRUG_AND_ALCOHOL in c.agency_kinds]
    assert consent.given_on == wednesday and consent.withdrawn_on is None
    assert client_sharing_permitted(reece, AgencyKind.DRUG_AND_ALCOHOL, wednesday)[0]
    (disclosure,) = Disclosure.objects.filter(source_id=referral.pk)
    assert disclosure.client == reece and disclosure.basis == referral.basis and disclosure.disclosed_by == dee
    assert "Brief Intervention Service" in disclosure.recipient and disclosure.what == referral.shared
    assert referral.updates.get().status == OutboundStatus.SENT

    (signposting,) = Signposting.objects.filter(given_by=dee, given_on=wednesday)
    assert signposting.who == "his girlfriend"  # a description, no name
    assert signposting.service.name == "National Domestic Abuse Helpline"
    assert signposting.service.phone == "0808 2000 247"
    assert Service.objects.filter(name="National Domestic Abuse Helpline").count() == 1
    assert not any("girlfriend" in note for note in reece.contacts.values_list("note", flat=True))
    sunita = User.objects.get(role=Role.SAFEGUARDING_LEAD, email__endswith=f"@{DEMO_DOMAIN}")
    kwame = User.objects.get(email=f"kwame@{DEMO_DOMAIN}")
    assert policy.signpostings_visible_to(sunita).filter(pk=signposting.pk).exists()
    assert not policy.signpostings_visible_to(kwame).filter(pk=signposting.pk).exists()


def test_wednesday_still_to_come_leaves_the_referral_and_signposting_to_be_made_in_the_app() -> None:
    from keyworker.intake.models import AgencyKind
    from keyworker.intake.selectors import client_sharing_permitted
    from keyworker.services.models import OutboundReferral, Signposting

    with time_machine.travel(TUESDAY_NOON, tick=False):
        run_demo()
        dee, monday = week_of_dee()
    wednesday = monday + dt.timedelta(days=2)
    reece = wednesday_client(dee, monday)
    assert not OutboundReferral.objects.filter(client=reece).exists()
    assert not Signposting.objects.filter(given_by=dee, given_on__gte=monday).exists()
    # Dee records his consent at the visit before she can send the referral.
    assert not client_sharing_permitted(reece, AgencyKind.DRUG_AND_ALCOHOL, wednesday)[0]
    assert "Brief Intervention Service" not in " ".join(reece.contacts.values_list("note", flat=True))


def test_referrals_out_are_in_every_state_with_consent_and_a_disclosure_and_dee_has_follow_ups() -> None:
    from keyworker.intake.selectors import client_sharing_permitted
    from keyworker.privacy.models import Disclosure
    from keyworker.services.models import ENDED_OUTBOUND_STATUSES, OutboundReferral, OutboundStatus
    from keyworker.services.rules import agency_kind_for

    run_demo()
    dee, monday = week_of_dee()
    today = timezone.localdate()
    referrals = list(OutboundReferral.objects.select_related("service", "case", "made_by"))
    assert {r.status for r in referrals} == set(OutboundStatus.values)
    for referral in referrals:
        assert referral.case is not None and referral.case.client_id == referral.client_id
        assert referral.made_by.email.endswith(f"@{DEMO_DOMAIN}")
        updates = list(referral.updates.order_by("occurred_on", "created_at"))
        if referral.status == OutboundStatus.DRAFT:
            assert not updates and referral.sent_on is None and not referral.basis
            assert not Disclosure.objects.filter(source_id=referral.pk).exists()
            continue
        assert updates[0].status == OutboundStatus.SENT and updates[-1].status == referral.status
        assert all(u.occurred_on <= today for u in updates)
        assert referral.sent_on is not None
        permitted, why = client_sharing_permitted(referral.client, agency_kind_for(referral.service.category),
                                                  referral.sent_on)
        assert permitted and referral.basis == why
        assert Disclosure.objects.filter(source_id=referral.pk, client=referral.client).count() == 1
        if referral.status in ENDED_OUTBOUND_STATUSES:
            assert referral.outcome and referral.ended_on == updates[-1].occurred_on
            assert referral.follow_up_on is None
        if referral.status in (OutboundStatus.DECLINED, OutboundStatus.WITHDRAWN):
            assert referral.status_reason and referral.status_reason in updates[-1].note
        if referral.status == OutboundStatus.COMPLETED:
            assert referral.outcome_note
        if referral.status in (OutboundStatus.FIRST_APPOINTMENT, OutboundStatus.ATTENDED):
            assert referral.first_appointment_at is not None
    outcomes = {r.outcome for r in referrals if r.status == OutboundStatus.COMPLETED}
    assert len(outcomes) >= 2

    open_for_dee = [r for r in referrals if r.made_by == dee and r.status not in ENDED_OUTBOUND_STATUSES]
    due = [r.follow_up_on for r in open_for_dee if r.follow_up_on]
    assert sum(monday <= d <= monday + dt.timedelta(days=6) for d in due) >= 2
    assert sum(d < monday for d in due) == 1  # one she is overdue to chase
    (darnell_bis,) = [r for r in referrals if r.service.name == "Brief Intervention Service"
                      and r.status == OutboundStatus.FIRST_APPOINTMENT and r.made_by == dee]
    assert darnell_bis.first_appointment_at and darnell_bis.first_appointment_at > timezone.now()


def test_tuesdays_client_is_enrolled_on_the_charitys_course_starting_in_a_few_days() -> None:
    from keyworker.services.models import EnrolmentStatus

    run_demo()
    dee, monday = week_of_dee()
    tuesday = monday + dt.timedelta(days=1)
    (gate,) = dees_appointments_on(dee, tuesday, AppointmentKind.GATE)
    assert gate.client is not None
    (enrolment,) = gate.client.enrolments.select_related("cohort__course", "cohort__venue")
    cohort = enrolment.cohort
    assert enrolment.status == EnrolmentStatus.ENROLLED and enrolment.enrolled_by == dee
    assert enrolment.enrolled_on and enrolment.enrolled_on < tuesday
    assert cohort.course.provider is None and "CSCS" in cohort.course.title and cohort.course.qualification
    assert 3 <= (cohort.starts_on - tuesday).days <= 7
    sessions = list(cohort.sessions.order_by("starts_at"))
    assert len(sessions) >= 4 and timezone.localtime(sessions[0].starts_at).date() == cohort.starts_on
    assert timezone.localtime(sessions[-1].starts_at).date() == cohort.ends_on
    assert cohort.venue.postcode and cohort.venue.borough
    assert not enrolment.attendance.exists()  # nothing held yet
    assert cohort.enrolments.count() < cohort.capacity


def test_courses_have_attendance_for_past_sessions_completions_and_a_waiting_list_on_a_full_cohort() -> None:
    from keyworker.services.models import PLACE_HOLDING_STATUSES, Cohort, EnrolmentStatus

    run_demo()
    now = timezone.now()
    cohorts = list(Cohort.objects.prefetch_related("sessions", "enrolments__attendance__session"))
    assert len(cohorts) >= 3
    assert any(c.course.provider is not None for c in cohorts)  # a partner's course too
    full = [c for c in cohorts if sum(e.status in PLACE_HOLDING_STATUSES for e in c.enrolments.all()) == c.capacity]
    assert full
    waiting = [e for c in full for e in c.enrolments.all() if e.status == EnrolmentStatus.WAITING]
    assert waiting and all(e.waiting_since and e.enrolled_on is None and not e.attendance.all() for e in waiting)
    completed = [e for c in cohorts for e in c.enrolments.all() if e.status == EnrolmentStatus.COMPLETED]
    assert any(e.qualification_gained for e in completed)
    for enrolment in completed:
        assert enrolment.completed_on == enrolment.cohort.ends_on and enrolment.completed_on < timezone.localdate()
    for cohort in cohorts:
        held = {s.pk for s in cohort.sessions.all() if s.ends_at < now}
        for enrolment in cohort.enrolments.all():
            marked = {a.session_id for a in enrolment.attendance.all()}
            assert marked <= held  # nothing recorded for a session still to come
            if enrolment.status in PLACE_HOLDING_STATUSES:
                assert marked == held
            assert enrolment.enrolled_on is None or enrolment.enrolled_on <= cohort.starts_on
    assert any(e.status == EnrolmentStatus.LEFT for c in cohorts for e in c.enrolments.all())


def test_keep_apart_pairs_and_unsafe_areas_and_only_an_override_puts_a_pair_on_one_cohort() -> None:
    from keyworker.safeguarding.models import KeepApart, UnsafeArea
    from keyworker.safeguarding.safety import booking_safety_warnings
    from keyworker.services.models import PLACE_HOLDING_STATUSES, Cohort

    run_demo()
    dee, _ = week_of_dee()
    pairs = list(KeepApart.objects.select_related("client_a", "client_b"))
    assert len(pairs) == 2
    teams = []
    for pair in pairs:
        assert pair.client_a_id < pair.client_b_id and pair.reason and pair.source and pair.ended_on is None
        both = (pair.client_a, pair.client_b)
        assert Case.objects.filter(client__in=both, keyworker=dee, status=CaseStatus.OPEN).exists()  # one is Dee's
        a_team, b_team = (Case.objects.get(client=c, status=CaseStatus.OPEN).team_id for c in both)
        teams.append(a_team == b_team == dee.team_id)
    assert sorted(teams) == [False, True]  # one pair in Dee's team, one across teams
    visible = policy.keep_apart_visible_to(dee)
    in_team = [p for p, same in zip(pairs, teams, strict=True) if same]
    assert [p for p in pairs if visible.filter(pk=p.pk).exists()] == in_team

    areas = list(UnsafeArea.objects.all())
    assert len(areas) >= 3 and all(a.reason and a.source for a in areas)
    assert {a.kind for a in areas} == {"borough", "postcode_district"}

    # Every place on a cohort passes the safety check, except one booked with the reason for going ahead.
    overridden = []
    for cohort in Cohort.objects.select_related("venue").prefetch_related("enrolments__client"):
        placed = [e for e in cohort.enrolments.all() if e.status in PLACE_HOLDING_STATUSES]
        for enrolment in placed:
            earlier = [e.client for e in placed if e.created_at < enrolment.created_at]
            warnings = booking_safety_warnings(
                dee, enrolment.client, postcode=cohort.venue.postcode, borough=cohort.venue.borough, others=earlier
            )
            assert bool(warnings) == bool(enrolment.safety_override_reason), (cohort, warnings)
            if warnings:
                overridden.append(enrolment)
    (override,) = overridden
    assert override.enrolled_by == dee and override.client.cases.filter(keyworker=dee).exists()


def test_the_services_directory_is_made_once_and_kept_across_resets() -> None:
    from keyworker.services.models import Cohort, Course, Organisation, Service, Venue

    Service.objects.filter(name="National Domestic Abuse Helpline").delete()  # not seeded: the demo makes it
    run_demo()
    assert Service.objects.filter(name="National Domestic Abuse Helpline").count() == 1
    bis = Service.objects.get(name="Brief Intervention Service")
    assert bis.category == "drugs_alcohol" and "NHS" in bis.organisation.name and bis.referral_method == "form"
    assert "Lambeth" in bis.area_covered and "Southwark" in bis.area_covered
    local = Service.objects.filter(is_national=False)
    assert {s.category for s in local} >= {
        "drugs_alcohol", "housing", "mental_health", "legal", "employment_training", "family", "domestic_abuse"
    }
    assert all(s.phone.startswith(("020 7946 0", "0113 496 0")) for s in local)
    counts = {m: m.objects.count() for m in (Organisation, Service, Venue, Course, Cohort)}

    run_demo()
    run_demo("--reset")
    assert {m: m.objects.count() for m in (Organisation, Service, Venue, Course, Cohort)} == counts
    assert Service.objects.filter(name="National Domestic Abuse Helpline").count() == 1
    names = list(Service.objects.values_list("organisation__name", "name"))
    assert len(names) == len(set(names))
    connection.check_constraints()
