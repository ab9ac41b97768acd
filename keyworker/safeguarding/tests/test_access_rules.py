"""Restrictions and exclusions: who they hide a client from, everywhere, from the next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.testing import AppointmentFactory, Personas, TaskFactory
from keyworker.diary.selectors import my_week_for
from keyworker.people.selectors import client_search_for
from keyworker.safeguarding.models import AccessRule, AccessRuleKind
from keyworker.safeguarding.services import access_rule_lift, access_rule_set

pytestmark = pytest.mark.django_db

REASON = "High-profile client: press interest after the trial."


def _visible(user, client) -> bool:
    return policy.clients_visible_to(user).filter(pk=client.pk).exists()


def test_restriction_hides_the_client_from_everyone_not_named(personas: Personas):
    person = personas.client_of(personas.you, first_name="Lewis", last_name="Restricted")
    access_rule_set(
        actor=personas.manager,
        client=person,
        kind=AccessRuleKind.RESTRICTION,
        staff=[personas.you],
        reason=REASON,
        message="Do not discuss outside the named team.",
    )
    assert _visible(personas.you, person)
    assert _visible(personas.manager, person)  # the manager who set it is always named
    assert not _visible(personas.teammate, person)
    assert not client_search_for(personas.teammate, "Lewis").exists()


def test_restriction_narrows_and_never_widens(personas: Personas):
    person = personas.client_of(personas.you)
    access_rule_set(
        actor=personas.manager,
        client=person,
        kind=AccessRuleKind.RESTRICTION,
        staff=[personas.other_caseworker],
        reason=REASON,
    )
    assert not _visible(personas.other_caseworker, person)


def test_exclusion_bars_the_named_worker_even_their_own_keyworker_case(personas: Personas):
    person = personas.client_of(personas.teammate)
    access_rule_set(
        actor=personas.manager,
        client=person,
        kind=AccessRuleKind.EXCLUSION,
        staff=[personas.you],
        reason="Jo knows the family personally.",
    )
    assert not _visible(personas.you, person)
    assert _visible(personas.teammate, person)


def test_lifting_restores_access_on_the_next_request(personas: Personas):
    person = personas.client_of(personas.you)
    rule = access_rule_set(
        actor=personas.manager, client=person, kind=AccessRuleKind.EXCLUSION, staff=[personas.teammate], reason=REASON
    )
    assert not _visible(personas.teammate, person)
    access_rule_lift(actor=personas.manager, rule=rule)
    assert _visible(personas.teammate, person)


def test_an_expired_rule_no_longer_applies(personas: Personas):
    person = personas.client_of(personas.you)
    rule = access_rule_set(
        actor=personas.manager,
        client=person,
        kind=AccessRuleKind.EXCLUSION,
        staff=[personas.teammate],
        reason=REASON,
        ends_at=timezone.now() + dt.timedelta(days=1),
    )
    AccessRule.objects.filter(pk=rule.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    assert _visible(personas.teammate, person)


def test_hidden_client_leaves_the_diary_and_tasks(personas: Personas):
    person = personas.client_of(personas.you)
    now = timezone.now()
    AppointmentFactory(staff=personas.you, client=person, starts_at=now, ends_at=now + dt.timedelta(hours=1))
    TaskFactory(owner=personas.you, client=person, due_on=timezone.localdate())
    access_rule_set(
        actor=personas.manager, client=person, kind=AccessRuleKind.EXCLUSION, staff=[personas.you], reason=REASON
    )
    week = my_week_for(personas.you)
    assert not any(d.appointments or d.key_dates or d.tasks for d in week.days)


@pytest.mark.parametrize("actor", ["you", "teammate", "other_manager", "report_viewer"])
def test_only_a_manager_of_the_team_sets_rules(personas: Personas, actor: str):
    person = personas.client_of(personas.you)
    with pytest.raises(NotAllowed):
        access_rule_set(
            actor=getattr(personas, actor),
            client=person,
            kind=AccessRuleKind.EXCLUSION,
            staff=[personas.teammate],
            reason=REASON,
        )
    assert not AccessRule.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "short"}, "reason"),
        ({"kind": "banish"}, "kind"),
        ({"staff": []}, "staff"),
        ({"ends_at": timezone.now() - dt.timedelta(days=1)}, "ends_at"),
    ],
)
def test_bad_rules_are_explained_and_change_nothing(personas: Personas, kwargs, field):
    person = personas.client_of(personas.you)
    args = {"kind": AccessRuleKind.EXCLUSION, "staff": [personas.teammate], "reason": REASON} | kwargs
    with pytest.raises(ValidationFailed) as raised:
        access_rule_set(actor=personas.manager, client=person, **args)
    assert field in raised.value.field_errors
    assert not AccessRule.objects.exists()


def test_the_access_page_is_for_the_teams_manager(client, personas: Personas):
    person = personas.client_of(personas.you)
    url = reverse("safeguarding:access_rules", args=[person.pk])
    for persona, status in (("manager", 200), ("you", 404), ("other_manager", 404), ("report_viewer", 404)):
        client.force_login(getattr(personas, persona))
        assert client.get(url).status_code == status, persona


def test_manager_restricts_through_the_page_and_the_teammate_gets_not_found(client, personas: Personas):
    person = personas.client_of(personas.you)
    client.force_login(personas.manager)
    response = client.post(
        reverse("safeguarding:access_rules", args=[person.pk]),
        {
            "kind": "restriction",
            "staff": [str(personas.you.pk)],
            "reason": REASON,
            "message": "Named staff only.",
        },
    )
    assert response.status_code == 302
    client.force_login(personas.teammate)
    assert client.get(reverse("people:client_detail", args=[person.pk])).status_code == 404
    assert person.display_name not in client.get(reverse("casework:caseload")).content.decode()
    client.force_login(personas.you)
    page = client.get(reverse("people:client_detail", args=[person.pk])).content.decode()
    assert "Named staff only." in page


@settings(max_examples=30, deadline=None)
@given(
    viewer=st.sampled_from(["you", "teammate", "manager", "other_caseworker"]),
    restricted=st.booleans(),
    viewer_named=st.booleans(),
    also_on_team_case=st.booleans(),
)
def test_an_excluded_user_never_sees_the_client(viewer, restricted, viewer_named, also_on_team_case):
    """Property: whatever else is true (restrictions naming them, a case of their own), an exclusion wins."""
    from keyworker.core.testing import CaseFactory, make_personas

    personas = make_personas()
    user = getattr(personas, viewer)
    person = personas.client_of(personas.you)
    # Whoever sets the rules must be a manager of a team supporting the client, and not the viewer.
    setter = personas.other_manager if user == personas.manager else personas.manager
    if setter == personas.other_manager or (also_on_team_case and user.team_id != personas.team.pk):
        CaseFactory(client=person, keyworker=personas.other_caseworker, team=personas.other_team)
    if restricted:
        access_rule_set(
            actor=setter,
            client=person,
            kind=AccessRuleKind.RESTRICTION,
            staff=[user] if viewer_named else [],
            reason=REASON,
        )
    access_rule_set(actor=setter, client=person, kind=AccessRuleKind.EXCLUSION, staff=[user], reason=REASON)
    assert not _visible(user, person)
