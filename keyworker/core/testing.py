"""Test personas and record makers, in one place for every app's tests (and nothing else imports them).

The personas: you (a caseworker in Team North), a teammate, a caseworker in another team (Team South),
your manager, the other team's manager, a member of staff in a role with no casework (report viewer), the
safeguarding lead and an on-call worker (neither in a team: the lead works across teams, and the on-call worker
reaches a client who is not theirs only by break-glass).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from keyworker.accounts.models import Role, Team, User
from keyworker.casework.models import Case, CaseStatus, Contact, ContactKind, Programme, Task
from keyworker.core.sequences import next_value
from keyworker.custody.models import (
    Charge,
    ChargeSource,
    CustodyEpisode,
    Establishment,
    EstablishmentKind,
    Hearing,
    HearingKind,
)
from keyworker.diary.models import Appointment, AppointmentKind, LoneWorkingVisit
from keyworker.funding.models import Funder, FundingStream, StreamAllocation, StreamTarget, TargetMeasure
from keyworker.outcomes.models import (
    EvidenceKind,
    Letter,
    LetterKind,
    Mentoring,
    Milestone,
    MilestoneKind,
    OutcomeReading,
    Spell,
    SpellKind,
)
from keyworker.people.models import Client, ThirdParty
from keyworker.safeguarding.models import (
    Concern,
    ConcernAbout,
    ConcernCategory,
    CrisisCall,
    DisclosedBy,
    OnCallShift,
    RiskLevel,
    RiskReview,
    SafetyPlan,
)
from keyworker.services.models import Cohort, Course, CourseSession, Organisation, Service, ServiceCategory, Venue


class Inbox:
    """What the test SMTP server (the `smtp` fixture in conftest.py) received, in order of arrival."""

    def __init__(self) -> None:
        from aiosmtpd.handlers import Message

        inbox = self

        class _Handler(Message):
            def handle_message(self, message: Any) -> None:
                inbox.messages.append(message)

        self.messages: list[Any] = []
        self.handler = _Handler()


def run_tasks() -> None:
    """Run every background job that is due now (by django.utils.timezone.now(), so a moved clock counts),
    as the `keyworker db_worker` process would, then return.

    Inside a test's transaction (an ordinary `django_db` test) the worker's `close_old_connections()` would
    close the PostgreSQL connection, because autocommit is off there as it never is in a real worker; so it
    is left out while the jobs run. Transactional tests (and SQLite) are unaffected."""
    from unittest import mock

    from django.core.management import call_command
    from django.db import connection

    command = "django_tasks_db.management.commands.db_worker.close_old_connections"
    with mock.patch(command, lambda: None) if connection.in_atomic_block else contextlib.nullcontext():
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0)


PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test personas only
# The authenticator-app key (base32) given to personas by give_totp(); codes come from totp_code().
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - test personas only


def give_totp(user: User, secret: str = TOTP_SECRET) -> None:
    """Set up an authenticator app (TOTP) for `user`, as if they had scanned `secret`."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)


def totp_code(secret: str = TOTP_SECRET, *, periods_ahead: int = 0) -> str:
    """The code an authenticator app keyed with `secret` shows now, computed by allauth's own TOTP code."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD + periods_ahead
    return format_hotp_value(hotp_value(secret, counter))


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    area = "Lambeth"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"staff{n}@keyworker.test")
    username = factory.SelfAttribute("email")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Worker{n}")
    role = Role.CASEWORKER
    team = factory.SubFactory(TeamFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    class Meta:
        model = Client

    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = factory.Sequence(lambda n: f"Testperson{n}")
    date_of_birth = dt.date(2002, 3, 14)
    home_area = "Lambeth"


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case

    client = factory.SubFactory(ClientFactory)
    reference = factory.LazyFunction(lambda: f"KW-{next_value('case'):06d}")
    programme = Programme.GANG_EXIT
    status = CaseStatus.OPEN
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=90))
    keyworker = factory.SubFactory(UserFactory)
    team = factory.SelfAttribute("keyworker.team")


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    kind = ContactKind.PHONE
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    note = "Checked in by phone."
    recorded_by = factory.SubFactory(UserFactory)


class TaskFactory(factory.django.DjangoModelFactory[Task]):
    class Meta:
        model = Task

    title = "Call the housing officer"
    due_on = factory.LazyFunction(timezone.localdate)
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")


class AppointmentFactory(factory.django.DjangoModelFactory[Appointment]):
    class Meta:
        model = Appointment

    kind = AppointmentKind.OFFICE
    staff = factory.SubFactory(UserFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(minute=0, second=0, microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    location = "Office"


class EstablishmentFactory(factory.django.DjangoModelFactory[Establishment]):
    """A prison by default; pass kind=EstablishmentKind.CROWN_COURT (etc.) for a court. Tests make their own
    rather than rely on the directory's seed rows (transactional tests flush them)."""

    class Meta:
        model = Establishment
        django_get_or_create = ("kind", "name")

    kind = EstablishmentKind.PRISON
    name = factory.Sequence(lambda n: f"HMP Testshire {n}")
    address = "1 Prison Road, London"
    postcode = "N7 8TT"


class CustodyEpisodeFactory(factory.django.DjangoModelFactory[CustodyEpisode]):
    class Meta:
        model = CustodyEpisode

    client = factory.SubFactory(ClientFactory)
    establishment = factory.SubFactory(EstablishmentFactory)
    prison_number = factory.Sequence(lambda n: f"A{1000 + n}BC")
    received_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=200))
    release_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
    recorded_by = factory.SubFactory(UserFactory)


class ChargeFactory(factory.django.DjangoModelFactory[Charge]):
    class Meta:
        model = Charge

    client = factory.SubFactory(ClientFactory)
    offence = "Possession of a bladed article"
    source = ChargeSource.CHARGE_SHEET
    recorded_by = factory.SubFactory(UserFactory)


class HearingFactory(factory.django.DjangoModelFactory[Hearing]):
    class Meta:
        model = Hearing

    client = factory.SubFactory(ClientFactory)
    court = factory.SubFactory(
        EstablishmentFactory, kind=EstablishmentKind.CROWN_COURT, name=factory.Sequence(lambda n: f"Test Crown {n}")
    )
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    )
    kind = HearingKind.SENTENCING
    recorded_by = factory.SubFactory(UserFactory)


class LoneWorkingVisitFactory(factory.django.DjangoModelFactory[LoneWorkingVisit]):
    class Meta:
        model = LoneWorkingVisit

    staff = factory.SubFactory(UserFactory)
    buddy = factory.SubFactory(UserFactory)
    place = "Flat 3, 12 Example Road, London SE5 0AA"
    checked_in_at = factory.LazyFunction(timezone.now)
    expected_end = factory.LazyAttribute(lambda o: o.checked_in_at + dt.timedelta(hours=1))


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partner Trust {n}")


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Support Service {n}")
    category = ServiceCategory.DRUGS_ALCOHOL
    phone = "020 7946 0123"
    area_covered = "Lambeth"


class VenueFactory(factory.django.DjangoModelFactory[Venue]):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Community Hall {n}")
    address = "1 Hall Road, London"
    postcode = "SE5 8AA"
    borough = "Southwark"


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Construction skills {n}")


class CohortFactory(factory.django.DjangoModelFactory[Cohort]):
    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    venue = factory.SubFactory(VenueFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(weeks=6))
    capacity = 12


class CourseSessionFactory(factory.django.DjangoModelFactory[CourseSession]):
    class Meta:
        model = CourseSession

    cohort = factory.SubFactory(CohortFactory)
    starts_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(dt.datetime.combine(o.cohort.starts_on, dt.time(10, 0)))
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))


class ThirdPartyFactory(factory.django.DjangoModelFactory[ThirdParty]):
    class Meta:
        model = ThirdParty

    description = "a young woman, a client's partner"


class ConcernFactory(factory.django.DjangoModelFactory[Concern]):
    """A concern about the client by default; pass about=ConcernAbout.THIRD_PARTY for one about someone else
    (a third-party record is made for it)."""

    class Meta:
        model = Concern

    client = factory.SubFactory(ClientFactory)
    about = ConcernAbout.CLIENT
    third_party = factory.Maybe(
        factory.LazyAttribute(lambda o: o.about != ConcernAbout.CLIENT),
        yes_declaration=factory.SubFactory(ThirdPartyFactory),
        no_declaration=None,
    )
    category = ConcernCategory.SELF_HARM
    disclosed_by = DisclosedBy.CLIENT
    disclosed_on = factory.LazyFunction(timezone.localdate)
    what_was_disclosed = "Said he has been cutting himself again since his brother was stabbed."
    review_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    recorded_by = factory.SubFactory(UserFactory)


class RiskReviewFactory(factory.django.DjangoModelFactory[RiskReview]):
    class Meta:
        model = RiskReview

    client = factory.SubFactory(ClientFactory)
    risk_to_self = RiskLevel.LOW
    risk_to_others = RiskLevel.LOW
    risk_from_others = RiskLevel.MEDIUM
    reasons = "Former associates know where he lives; no threats this month."
    reviewed_on = factory.LazyFunction(timezone.localdate)
    reviewed_by = factory.SubFactory(UserFactory)
    next_review_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(weeks=12))


class SafetyPlanFactory(factory.django.DjangoModelFactory[SafetyPlan]):
    class Meta:
        model = SafetyPlan

    client = factory.SubFactory(ClientFactory)
    safe_areas = "Her aunt's road in Brixton; the college."
    safe_contacts = "Her aunt; the caseworker; the duty line."
    emergency_plan = "Call 999, then the duty line. Go to the aunt's, never home, if followed."
    updated_by = factory.SubFactory(UserFactory)


class OnCallShiftFactory(factory.django.DjangoModelFactory[OnCallShift]):
    class Meta:
        model = OnCallShift

    worker = factory.SubFactory(UserFactory, role=Role.ON_CALL, team=None)
    starts_at = factory.LazyFunction(
        lambda: timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(17, 30)))
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=15, minutes=30))
    added_by = factory.SubFactory(UserFactory, role=Role.MANAGER)


class CrisisCallFactory(factory.django.DjangoModelFactory[CrisisCall]):
    class Meta:
        model = CrisisCall

    client = factory.SubFactory(ClientFactory)
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    caller = "the client"
    what_happened = "Friends assaulted someone; he was there and did nothing. Feels trapped."
    advice_given = "Stay at his aunt's tonight, do not answer the group's calls, speak to his keyworker tomorrow."
    taken_by = factory.SubFactory(UserFactory, role=Role.ON_CALL, team=None)


class MentoringFactory(factory.django.DjangoModelFactory[Mentoring]):
    class Meta:
        model = Mentoring

    mentor = factory.SubFactory(UserFactory, role=Role.PEER_MENTOR, team=None)
    mentee = factory.SubFactory(ClientFactory)
    started_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))


class MilestoneFactory(factory.django.DjangoModelFactory[Milestone]):
    class Meta:
        model = Milestone

    client = factory.SubFactory(ClientFactory)
    kind = MilestoneKind.COMPLETED_COURSE
    achieved_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    evidence_kind = EvidenceKind.RECORDS
    evidence = "Attended every session; certificate seen."
    detail = "Construction skills (CSCS)"
    recorded_by = factory.SubFactory(UserFactory)


class SpellFactory(factory.django.DjangoModelFactory[Spell]):
    class Meta:
        model = Spell

    client = factory.SubFactory(ClientFactory)
    kind = SpellKind.WORK
    description = "Warehouse operative, Example Logistics"
    started_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(weeks=20))
    recorded_by = factory.SubFactory(UserFactory)


class OutcomeReadingFactory(factory.django.DjangoModelFactory[OutcomeReading]):
    """A reading without scores; add ReadingScore rows for the domains you need."""

    class Meta:
        model = OutcomeReading

    client = factory.SubFactory(ClientFactory)
    scale = factory.LazyFunction(lambda: OutcomeReading.scale.field.related_model.objects.order_by("name").first())
    taken_on = factory.LazyFunction(timezone.localdate)
    taken_by = factory.SubFactory(UserFactory)


class LetterFactory(factory.django.DjangoModelFactory[Letter]):
    class Meta:
        model = Letter

    client = factory.SubFactory(ClientFactory)
    kind = LetterKind.CHARACTER_REFERENCE
    addressee = "The Court, Inner London Crown Court"
    body = "I write as his keyworker."
    written_by = factory.SubFactory(UserFactory)


class FunderFactory(factory.django.DjangoModelFactory[Funder]):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Example Trust {n}")


class FundingStreamFactory(factory.django.DjangoModelFactory[FundingStream]):
    class Meta:
        model = FundingStream

    funder = factory.SubFactory(FunderFactory)
    name = factory.Sequence(lambda n: f"Young Londoners {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))
    places = 40


class StreamAllocationFactory(factory.django.DjangoModelFactory[StreamAllocation]):
    """A case funded by a stream from its case's opening day (pass `case`)."""

    class Meta:
        model = StreamAllocation

    stream = factory.SubFactory(FundingStreamFactory)
    case = factory.SubFactory(CaseFactory)
    starts_on = factory.LazyAttribute(lambda o: o.case.opened_on)
    allocated_by = factory.SubFactory(UserFactory, role=Role.MANAGER)


class StreamTargetFactory(factory.django.DjangoModelFactory[StreamTarget]):
    class Meta:
        model = StreamTarget

    stream = factory.SubFactory(FundingStreamFactory)
    measure = TargetMeasure.ENTERED_ETE
    target = 20


@dataclass
class Personas:
    team: Team
    other_team: Team
    you: User  # a caseworker in `team`
    teammate: User  # another caseworker in `team`
    other_caseworker: User  # a caseworker in `other_team`
    manager: User  # manages `team`
    other_manager: User  # manages `other_team`
    report_viewer: User  # a role with no casework access
    safeguarding_lead: User  # no team: concerns, third-party records, DASH, MARAC, NRM for everyone
    on_call: User  # an on-call worker with no team: other teams' clients only by break-glass
    peer_mentor: User  # a peer mentor (no team): their current mentees only, a mentor's fields only
    data_protection_officer: User  # no team, no casework: subject access, the Justice Data Lab export, retention

    def everyone(self) -> dict[str, User]:
        """Every persona who is a member of staff, by name, for "who may see this" tests."""
        names = ("you", "teammate", "other_caseworker", "manager", "other_manager", "report_viewer")
        return {name: getattr(self, name) for name in (*names, "safeguarding_lead", "on_call")}

    def client_of(self, keyworker: User, **client_fields: Any) -> Client:
        """A client with an open case held by `keyworker` in their team."""
        client = ClientFactory(**client_fields)
        CaseFactory(client=client, keyworker=keyworker, team=keyworker.team)
        return client


def make_personas() -> Personas:
    north = TeamFactory(name="Team North", area="Lambeth")
    south = TeamFactory(name="Team South", area="Croydon")
    return Personas(
        team=north,
        other_team=south,
        you=UserFactory(email="you@keyworker.test", first_name="Jo", last_name="Caseworker", team=north),
        teammate=UserFactory(email="teammate@keyworker.test", first_name="Kim", last_name="Teammate", team=north),
        other_caseworker=UserFactory(email="other@keyworker.test", first_name="Lee", last_name="Southside", team=south),
        manager=UserFactory(
            email="manager@keyworker.test", first_name="Morgan", last_name="Manager", team=north, role=Role.MANAGER
        ),
        other_manager=UserFactory(
            email="othermanager@keyworker.test",
            first_name="Nat",
            last_name="Southmanager",
            team=south,
            role=Role.MANAGER,
        ),
        report_viewer=UserFactory(
            email="reports@keyworker.test", first_name="Robin", last_name="Reports", team=None, role=Role.REPORT_VIEWER
        ),
        safeguarding_lead=UserFactory(
            email="sglead@keyworker.test",
            first_name="Sol",
            last_name="Safeguarding",
            team=None,
            role=Role.SAFEGUARDING_LEAD,
        ),
        on_call=UserFactory(
            email="oncall@keyworker.test", first_name="Oli", last_name="Oncall", team=None, role=Role.ON_CALL
        ),
        peer_mentor=UserFactory(
            email="peermentor@keyworker.test", first_name="Pip", last_name="Mentor", team=None, role=Role.PEER_MENTOR
        ),
        data_protection_officer=UserFactory(
            email="dataprotection@keyworker.test",
            first_name="Dee",
            last_name="Protection",
            team=None,
            role=Role.DATA_PROTECTION_OFFICER,
        ),
    )


def signed_in(user: User) -> Any:
    """A Django test client signed in as `user` (MFA is off for force_login in tests: see conftest.py)."""
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(user)
    return http


# Who reaches a client of `you` (a caseworker in Team North): their team and its manager, nobody else. For
# parametrised "who may see it" tests: (persona name, reaches).
REACH_OF_YOUR_CLIENT = [
    ("you", True),
    ("teammate", True),
    ("manager", True),
    ("other_caseworker", False),
    ("other_manager", False),
    ("report_viewer", False),
    ("safeguarding_lead", False),
    ("on_call", False),
    ("peer_mentor", False),
]

