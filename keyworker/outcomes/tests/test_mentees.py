"""Peer mentors see only their own mentees, and only a mentor's fields."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.core import policy
from keyworker.core.testing import AppointmentFactory, ContactFactory, Personas, UserFactory
from keyworker.outcomes.models import Mentoring
from keyworker.outcomes.selectors import mentee_cards_for
from keyworker.safeguarding.models import AccessRuleKind
from keyworker.safeguarding.services import access_rule_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(personas: Personas):
    return UserFactory(
        email="mentor@keyworker.test", first_name="Rico", last_name="Mentor", role=Role.PEER_MENTOR, team=personas.team
    )


def test_mentor_sees_first_name_contact_rules_and_next_session_only(client, personas: Personas, mentor):
    mentee = personas.client_of(
        personas.you,
        first_name="Tyrell",
        last_name="Surnamehidden",
        may_text=False,
        code_word="kestrel",
        phone="07700 900123",
    )
    other = personas.client_of(personas.you, first_name="Notmine", last_name="Person")
    ContactFactory(client=mentee, recorded_by=personas.you, note="Disclosed cannabis use; risk to others medium.")
    Mentoring.objects.create(mentor=mentor, mentee=mentee, started_on=timezone.localdate())
    Mentoring.objects.create(
        mentor=mentor,
        mentee=other,
        started_on=timezone.localdate() - dt.timedelta(days=90),
        ended_on=timezone.localdate() - dt.timedelta(days=1),
    )
    session = timezone.now() + dt.timedelta(days=2)
    AppointmentFactory(staff=mentor, client=mentee, starts_at=session, ends_at=session + dt.timedelta(hours=1))

    (card,) = mentee_cards_for(mentor)
    assert (card.first_name, card.may_text, card.code_word, card.next_session) == ("Tyrell", False, "kestrel", session)

    client.force_login(mentor)
    html = client.get(reverse("outcomes:my_mentees")).content.decode()
    assert "Tyrell" in html and "kestrel" in html and "Do NOT text" in html
    for secret in ("Surnamehidden", "07700 900123", "cannabis", "Notmine"):
        assert secret not in html
    # The full record does not exist for a mentor.
    assert client.get(reverse("people:client_detail", args=[mentee.pk])).status_code == 404
    assert client.get(f"/api/v1/clients/{mentee.pk}").status_code == 404
    assert not policy.clients_visible_to(mentor).exists()


def test_an_excluded_mentor_loses_the_mentee(personas: Personas, mentor):
    mentee = personas.client_of(personas.you)
    Mentoring.objects.create(mentor=mentor, mentee=mentee, started_on=timezone.localdate())
    access_rule_set(
        actor=personas.manager,
        client=mentee,
        kind=AccessRuleKind.EXCLUSION,
        staff=[mentor],
        reason="Connected to a rival group.",
    )
    assert mentee_cards_for(mentor) == []


@pytest.mark.parametrize("persona", ["you", "manager", "report_viewer"])
def test_mentees_page_is_for_peer_mentors_only(client, personas: Personas, persona: str):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("outcomes:my_mentees")).status_code == 404


def test_a_mentor_opening_their_mentees_is_on_each_mentees_record(client, personas: Personas, mentor):
    from keyworker.audit.models import AuditAction, AuditEvent

    mentee = personas.client_of(personas.you)
    Mentoring.objects.create(mentor=mentor, mentee=mentee, started_on=timezone.localdate())
    client.force_login(mentor)
    client.get(reverse("outcomes:my_mentees"))
    event = AuditEvent.objects.get(actor=mentor, client_id=mentee.pk, action=AuditAction.VIEW)
    assert event.object_type == "people.client" and event.object_id == str(mentee.pk)
