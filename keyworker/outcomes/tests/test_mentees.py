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


# --- sessions on the mentor's own page (issue 8) ---------------------------------------------------------------


def _mentee_with_a_file(personas: Personas, mentor):
    """A mentee whose file holds notes, risk, offending and safeguarding: none of it is the mentor's to see."""
    from keyworker.core.testing import ChargeFactory, ConcernFactory, RiskReviewFactory

    mentee = personas.client_of(personas.you, first_name="Tyrell", last_name="Surnamehidden")
    ContactFactory(client=mentee, recorded_by=personas.you, note="Disclosed cannabis use at the office.")
    RiskReviewFactory(client=mentee, reviewed_by=personas.you, reasons="Threatened by the Estate Boys last week.")
    ChargeFactory(client=mentee, recorded_by=personas.you, offence="Robbery of a mobile phone")
    ConcernFactory(client=mentee, recorded_by=personas.you, what_was_disclosed="Says his uncle hits him.")
    mentoring = Mentoring.objects.create(
        mentor=mentor, mentee=mentee, started_on=timezone.localdate() - dt.timedelta(days=30)
    )
    return mentee, mentoring


def test_a_mentor_records_a_session_and_sees_only_their_own_notes(client, personas: Personas):
    from keyworker.casework.models import Contact
    from keyworker.outcomes.models import MentoringSession

    mentor = personas.peer_mentor
    _mentee, mentoring = _mentee_with_a_file(personas, mentor)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    MentoringSession.objects.create(
        mentoring=mentoring,
        held_on=yesterday,
        duration_minutes=30,
        note="Keyworker: court on Friday.",
        recorded_by=personas.you,
    )
    contacts = Contact.objects.count()
    client.force_login(mentor)
    prefix = f"session-{mentoring.pk.hex}"
    response = client.post(
        reverse("outcomes:my_mentees"),
        {
            "card": str(mentoring.pk),
            f"{prefix}-mentoring": str(mentoring.pk),
            f"{prefix}-held_on": yesterday.isoformat(),
            f"{prefix}-duration_minutes": "45",
            f"{prefix}-note": "Played football, talked about college.",
        },
    )
    assert response.status_code == 302
    session = MentoringSession.objects.get(recorded_by=mentor)
    assert (session.mentoring, session.duration_minutes) == (mentoring, 45)
    assert Contact.objects.count() == contacts  # a mentor never writes on the mentee's file

    html = client.get(reverse("outcomes:my_mentees")).content.decode()
    assert "Played football, talked about college." in html and "Record a session" in html
    assert "No offending, risk or safeguarding here" in html
    for secret in (
        "Surnamehidden",
        "cannabis",
        "Estate Boys",
        "Robbery",
        "uncle",
        "court on Friday",  # a keyworker's session note is not the mentor's
    ):
        assert secret not in html, secret


def test_a_bad_session_on_the_mentor_page_is_explained_and_changes_nothing(client, personas: Personas):
    from keyworker.outcomes.models import MentoringSession

    mentor = personas.peer_mentor
    _, mentoring = _mentee_with_a_file(personas, mentor)
    client.force_login(mentor)
    prefix = f"session-{mentoring.pk.hex}"
    response = client.post(
        reverse("outcomes:my_mentees"),
        {
            "card": str(mentoring.pk),
            f"{prefix}-mentoring": str(mentoring.pk),
            f"{prefix}-held_on": "2999-01-01",
            f"{prefix}-duration_minutes": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "cannot be in the future" in html or "Enter between 1 and 480 minutes." in html
    assert f'href="#id_{prefix}-' in html  # the summary links to the field on the right card
    assert not MentoringSession.objects.exists()


def test_a_mentor_cannot_record_for_someone_elses_or_an_ended_mentee(client, personas: Personas, mentor):
    from keyworker.outcomes.models import MentoringSession

    other_mentor = personas.peer_mentor
    _, theirs = _mentee_with_a_file(personas, other_mentor)
    ended = Mentoring.objects.create(
        mentor=mentor,
        mentee=personas.client_of(personas.you),
        started_on=timezone.localdate() - dt.timedelta(days=90),
        ended_on=timezone.localdate() - dt.timedelta(days=1),
    )
    client.force_login(mentor)
    for mentoring in (theirs, ended):
        prefix = f"session-{mentoring.pk.hex}"
        response = client.post(
            reverse("outcomes:my_mentees"),
            {
                "card": str(mentoring.pk),
                f"{prefix}-mentoring": str(mentoring.pk),
                f"{prefix}-held_on": timezone.localdate().isoformat(),
                f"{prefix}-duration_minutes": "30",
            },
        )
        assert response.status_code == 404
    assert not MentoringSession.objects.exists()


def test_the_mentor_page_does_not_grow_queries_with_mentees(client, personas: Personas, django_assert_max_num_queries):
    from keyworker.outcomes.models import MentoringSession

    mentor = personas.peer_mentor
    client.force_login(mentor)

    def add(n: int) -> None:
        for _ in range(n):
            mentoring = Mentoring.objects.create(
                mentor=mentor, mentee=personas.client_of(personas.you), started_on=timezone.localdate()
            )
            MentoringSession.objects.create(
                mentoring=mentoring, held_on=timezone.localdate(), duration_minutes=20, recorded_by=mentor
            )

    add(2)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("outcomes:my_mentees")).status_code == 200
    add(6)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("outcomes:my_mentees")).status_code == 200
