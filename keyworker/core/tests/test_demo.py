"""`keyworker demo`: every role and team, the acceptance week in the current week, idempotent, --reset."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from keyworker.accounts.models import Role, Team, User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import Case, CaseStatus, Contact, ContactAmendment, ContactKind, Task
from keyworker.casework.selectors import task_list_for
from keyworker.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, FEATURED_EMAIL, TEAM_BY_NAME
from keyworker.core.testing import Personas
from keyworker.diary.models import Appointment, AppointmentKind
from keyworker.diary.selectors import my_week_for
from keyworker.people.models import Client

pytestmark = pytest.mark.django_db

CLIENTS = 30  # the staged week plus a small caseload keeps the test quick


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, clients=CLIENTS, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models(include_auto_created=True)}


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

    week = my_week_for(dee)
    assert week.monday == monday
    by_day = {day.date.weekday(): day for day in week.days}
    for weekday in range(5):
        day = by_day[weekday]
        assert day.appointments or day.key_dates, f"nothing on {day.date:%A}"
        assert day.tasks, f"no tasks due on {day.date:%A}"

    (intake,) = by_day[0].appointments
    assert intake.kind == AppointmentKind.OFFICE
    kayla = intake.client
    assert kayla is not None
    assert not kayla.may_phone and kayla.may_text and not kayla.may_leave_voicemail and kayla.code_word
    assert kayla.cases.get().opened_on == monday

    (gate,) = by_day[1].key_dates
    assert gate.kind == AppointmentKind.GATE and gate.client is not None
    gate_notes = " ".join(gate.client.contacts.values_list("note", flat=True))
    assert "£300 a week" in gate_notes and "stay drug-free" in gate_notes
    assert gate.client.contacts.filter(kind=ContactKind.PRISON_VISIT).count() >= 3

    assert [a.kind for a in by_day[2].appointments] == [AppointmentKind.HOME_VISIT] * 2
    prison_visits = by_day[3].appointments
    assert len(prison_visits) == 3
    assert {a.kind for a in prison_visits} == {AppointmentKind.PRISON_VISIT_LEGAL}
    assert {a.location for a in prison_visits} == {"HMP Wandsworth"}
    assert len({a.client_id for a in prison_visits}) == 3

    (court,) = by_day[4].key_dates
    assert court.kind == AppointmentKind.COURT and court.client is not None
    assert court.client.contacts.filter(kind=ContactKind.MENTORING).exists()

    assert week.overdue_tasks  # something left over from last week


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

    output = run_demo()

    assert "already loaded" in output
    assert FEATURED_EMAIL in output and DEMO_PASSWORD in output
    assert row_counts() == before


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
        assert allocation.case.status == CaseStatus.OPEN
        assert allocation.starts_on >= allocation.stream.starts_on
        assert not allocation.override_reason  # the demo only funds what the rules allow
    for stream in streams:
        assert stream.allocations.count() <= stream.places
    approved = UnfundedWork.objects.filter(decision=UnfundedDecision.APPROVED).select_related("decided_by", "case")
    assert approved.count() >= 2
    for work in approved:
        assert work.decided_by is not None and work.decided_by.role == Role.MANAGER
        assert work.decided_by.team_id == work.case.team_id and work.decision_reason
        assert not StreamAllocation.objects.filter(case=work.case).exists()
