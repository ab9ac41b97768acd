"""The access policy as a matrix: personas x record states, for every kind of record.

A record outside a user's reach must not exist for them: list selectors leave it out and get
selectors raise NotFound (never a "forbidden" that would reveal it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.casework.models import Case, CaseStatus, ClosureReason, Contact, Task
from keyworker.casework.selectors import (
    case_get_for,
    case_list_for,
    contact_get_for,
    contact_list_for,
    task_get_for,
    task_list_for,
)
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.core.testing import (
    AppointmentFactory,
    CaseFactory,
    ClientFactory,
    ContactFactory,
    Personas,
    TaskFactory,
    UserFactory,
)
from keyworker.diary.models import Appointment
from keyworker.diary.selectors import appointment_list_for
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for, client_list_for

# --- the world every matrix test builds ----------------------------------------------------------

STATES = ("yours", "teammates", "other_team", "closed_in_your_team", "two_teams", "yours_in_other_team")


@dataclass
class Records:
    client: Client
    cases: list[Case] = field(default_factory=list)
    contact: Contact | None = None
    task: Task | None = None
    appointment: Appointment | None = None


def _case(p: Personas, client: Client, keyworker, team, **kw) -> Case:
    return CaseFactory(client=client, keyworker=keyworker, team=team, **kw)


def build_world(p: Personas) -> dict[str, Records]:
    """One client per record state, each with a case (or two), a contact, a task and an appointment."""
    world: dict[str, Records] = {}
    for state in STATES:
        client = ClientFactory(first_name=f"State-{state}")
        records = Records(client=client)
        if state == "yours":
            records.cases = [_case(p, client, p.you, p.team)]
        elif state == "teammates":
            records.cases = [_case(p, client, p.teammate, p.team)]
        elif state == "other_team":
            records.cases = [_case(p, client, p.other_caseworker, p.other_team)]
        elif state == "closed_in_your_team":
            records.cases = [_case(
                p, client, p.you, p.team, status=CaseStatus.CLOSED,
                closed_on=timezone.localdate() - dt.timedelta(days=3), closure_reason=ClosureReason.GOALS_MET,
            )]
        elif state == "two_teams":
            records.cases = [
                _case(p, client, p.teammate, p.team),
                _case(p, client, p.other_caseworker, p.other_team),
            ]
        elif state == "yours_in_other_team":
            # You are keyworker on a case held by another team (e.g. cover during a transfer).
            records.cases = [_case(p, client, p.you, p.other_team)]
        keyworker = records.cases[0].keyworker
        records.contact = ContactFactory(client=client, case=records.cases[0], recorded_by=keyworker)
        records.task = TaskFactory(client=client, case=records.cases[0], owner=keyworker)
        records.appointment = AppointmentFactory(client=client, staff=keyworker)
        world[state] = records
    return world


PERSONAS = (
    "you", "teammate", "other_caseworker", "manager", "other_manager", "report_viewer",
    "inactive_caseworker", "inactive_manager", "anonymous",
)

# Which record states each persona may see (clients, and everything about them).
VISIBLE: dict[str, set[str]] = {
    "you": {"yours", "teammates", "closed_in_your_team", "two_teams", "yours_in_other_team"},
    "teammate": {"yours", "teammates", "closed_in_your_team", "two_teams"},
    "other_caseworker": {"other_team", "two_teams", "yours_in_other_team"},
    "manager": {"yours", "teammates", "closed_in_your_team", "two_teams"},
    "other_manager": {"other_team", "two_teams", "yours_in_other_team"},
    "report_viewer": set(),
    "inactive_caseworker": set(),
    "inactive_manager": set(),
    "anonymous": set(),
}


def resolve(p: Personas, name: str):
    if name == "anonymous":
        return AnonymousUser()
    if name == "inactive_caseworker":
        p.you.is_active = False
        p.you.save()
        return p.you
    if name == "inactive_manager":
        p.manager.is_active = False
        p.manager.save()
        return p.manager
    return getattr(p, name)


MATRIX = [pytest.param(persona, state, id=f"{persona}-{state}") for persona in PERSONAS for state in STATES]


def _expect_visible(persona: str, state: str) -> bool:
    return state in VISIBLE[persona]


# --- the matrix ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "state"), MATRIX)
def test_clients(personas, persona, state):
    world = build_world(personas)
    user = resolve(personas, persona)
    client = world[state].client
    visible = _expect_visible(persona, state)

    assert (client in set(policy.clients_visible_to(user))) is visible
    assert (client in set(client_list_for(user))) is visible
    if visible:
        assert client_get_for(user, client.pk) == client
        assert client_get_for(user, str(client.pk)) == client
    else:
        with pytest.raises(NotFound):
            client_get_for(user, client.pk)


@pytest.mark.parametrize(("persona", "state"), MATRIX)
def test_cases(personas, persona, state):
    world = build_world(personas)
    user = resolve(personas, persona)
    visible = _expect_visible(persona, state)
    listed = set(case_list_for(user))
    assert listed == set(policy.cases_visible_to(user))

    # A visible client's cases are all visible, including another team's episode (continuity).
    for case in world[state].cases:
        assert (case in listed) is visible
        if visible:
            assert case_get_for(user, case.pk) == case
        else:
            with pytest.raises(NotFound):
                case_get_for(user, case.pk)


@pytest.mark.parametrize(("persona", "state"), MATRIX)
def test_contacts(personas, persona, state):
    world = build_world(personas)
    user = resolve(personas, persona)
    contact = world[state].contact
    visible = _expect_visible(persona, state)

    assert (contact in set(contact_list_for(user))) is visible
    assert (contact in set(contact_list_for(user, world[state].client))) is visible
    if visible:
        assert contact_get_for(user, contact.pk) == contact
    else:
        with pytest.raises(NotFound):
            contact_get_for(user, contact.pk)




def _matrix_with_anonymous_crash():
    return [
        pytest.param(
            persona, state, id=f"{persona}-{state}", marks=[]
        )
        for persona in PERSONAS for state in STATES
    ]


@pytest.mark.parametrize(("persona", "state"), _matrix_with_anonymous_crash())
def test_tasks(personas, persona, state):
    world = build_world(personas)
    user = resolve(personas, persona)
    task = world[state].task
    visible = _expect_visible(persona, state)

    assert (task in set(task_list_for(user))) is visible
    if visible:
        assert task_get_for(user, task.pk) == task
    else:
        with pytest.raises(NotFound):
            task_get_for(user, task.pk)


@pytest.mark.parametrize(("persona", "state"), _matrix_with_anonymous_crash())
def test_appointments(personas, persona, state):
    world = build_world(personas)
    user = resolve(personas, persona)
    appointment = world[state].appointment
    assert (appointment in set(appointment_list_for(user))) is _expect_visible(persona, state)


@pytest.mark.parametrize(("persona", "state"), MATRIX)
def test_recording_follows_visibility(personas, persona, state):
    world = build_world(personas)
    user = resolve(personas, persona)
    assert policy.can_record_on(user, world[state].client) is _expect_visible(persona, state)


@pytest.mark.parametrize(("persona", "state"), [
    pytest.param(
        persona, state, id=f"{persona}-{state}",
        marks=[],
    )
    for persona in PERSONAS for state in STATES
])
def test_who_viewed_is_for_managers_of_visible_clients(personas, persona, state):
    world = build_world(personas)
    user = resolve(personas, persona)
    expected = persona in {"manager", "other_manager"} and _expect_visible(persona, state)
    assert policy.can_see_who_viewed(user, world[state].client) is expected


# --- the rest of the policy ------------------------------------------------------------------------

GETTERS = [
    pytest.param(client_get_for, id="client"), pytest.param(case_get_for, id="case"),
    pytest.param(contact_get_for, id="contact"), pytest.param(task_get_for, id="task"),
]


@pytest.mark.parametrize("getter", GETTERS)
def test_unknown_ids_are_not_found(personas, getter):
    personas.client_of(personas.you)
    for missing in (uuid.uuid4(), str(uuid.uuid4()), None):
        with pytest.raises(NotFound):
            getter(personas.you, missing)


@pytest.mark.parametrize("getter", GETTERS)
@pytest.mark.parametrize("bad", ["not-a-uuid", ""])
def test_malformed_ids_are_not_found(personas, getter, bad):
    personas.client_of(personas.you)
    with pytest.raises(NotFound):
        getter(personas.you, bad)


def test_client_with_no_case_is_visible_to_nobody(personas):
    orphan = ClientFactory()
    p = personas
    for user in (p.you, p.teammate, p.other_caseworker, p.manager, p.other_manager, p.report_viewer):
        assert orphan not in set(policy.clients_visible_to(user))


def test_caseworker_without_team_sees_only_own_caseload(personas):
    loner = UserFactory(email="loner@keyworker.test", team=None)
    mine = ClientFactory()
    CaseFactory(client=mine, keyworker=loner, team=personas.team)
    others = personas.client_of(personas.you)
    assert set(policy.clients_visible_to(loner)) == {mine}
    assert others not in set(policy.clients_visible_to(loner))


def test_manager_without_team_sees_nothing(personas):
    personas.client_of(personas.you)
    floating = UserFactory(email="floating@keyworker.test", team=None, role=Role.MANAGER)
    assert not policy.clients_visible_to(floating).exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r not in {Role.CASEWORKER, Role.MANAGER, Role.ON_CALL}])
def test_roles_without_casework_see_no_clients_even_in_a_team(personas, role):
    personas.client_of(personas.you)
    staff = UserFactory(email=f"{role}@keyworker.test", team=personas.team, role=role)
    assert not policy.clients_visible_to(staff).exists()
    assert not policy.cases_visible_to(staff).exists()
    assert policy.can_use_casework(staff) is False


def test_on_call_worker_in_a_team_works_like_a_caseworker(personas):
    """An on-call worker is a caseworker on the rota: their own team's clients, plus break-glass grants."""
    mine = personas.client_of(personas.you)
    theirs = personas.client_of(personas.other_caseworker)
    on_call = UserFactory(email="oncall-in-team@keyworker.test", team=personas.team, role=Role.ON_CALL)
    assert set(policy.clients_visible_to(on_call)) == {mine}
    assert theirs not in set(policy.clients_visible_to(on_call))
    assert policy.can_use_casework(on_call) is True


@pytest.mark.parametrize(("persona", "expected"), [
    ("you", True), ("teammate", True), ("other_caseworker", True), ("manager", True),
    ("other_manager", True), ("report_viewer", False), ("inactive_caseworker", False),
    ("inactive_manager", False), ("anonymous", False),
])
def test_can_use_casework(personas, persona, expected):
    assert policy.can_use_casework(resolve(personas, persona)) is expected


@pytest.mark.parametrize(("assigner", "assignee", "expected"), [
    ("you", "you", True),
    ("you", "teammate", True),
    ("you", "manager", True),
    ("manager", "you", True),
    ("you", "other_caseworker", False),
    ("manager", "other_caseworker", False),
    ("you", "report_viewer", False),
])
def test_can_assign_to(personas, assigner, assignee, expected):
    assert policy.can_assign_to(getattr(personas, assigner), getattr(personas, assignee)) is expected


def test_two_people_without_a_team_cannot_assign_to_each_other(personas):
    a = UserFactory(email="a@keyworker.test", team=None)
    b = UserFactory(email="b@keyworker.test", team=None)
    assert policy.can_assign_to(a, a) is True
    assert policy.can_assign_to(a, b) is False


def test_own_clientless_tasks_and_appointments_are_private_to_their_owner(personas):
    task = TaskFactory(owner=personas.you, client=None)
    appointment = AppointmentFactory(staff=personas.you, client=None)
    assert task in set(task_list_for(personas.you))
    assert appointment in set(appointment_list_for(personas.you))
    for other in (personas.teammate, personas.manager, personas.other_caseworker):
        assert task not in set(task_list_for(other))
        assert appointment not in set(appointment_list_for(other))
        with pytest.raises(NotFound):
            task_get_for(other, task.pk)


def test_inactive_user_sees_not_even_own_clientless_records(personas):
    TaskFactory(owner=personas.you, client=None)
    AppointmentFactory(staff=personas.you, client=None)
    personas.you.is_active = False
    personas.you.save()
    assert not task_list_for(personas.you).exists()
    assert not appointment_list_for(personas.you).exists()


def test_visibility_is_decided_per_query_not_cached(personas):
    client = personas.client_of(personas.teammate)
    assert client in set(policy.clients_visible_to(personas.you))
    personas.you.team = personas.other_team
    personas.you.save()
    assert client not in set(policy.clients_visible_to(personas.you))
