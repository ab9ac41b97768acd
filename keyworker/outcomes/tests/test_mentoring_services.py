"""Peer mentoring writes: the path to mentoring, supervision, becoming a mentor, relationships and sessions.
Bad input gets a clear message and changes nothing; everything is audited on the right person's record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Contact, ContactKind
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, ValidationFailed
from keyworker.core.testing import MentoringFactory, Personas, UserFactory
from keyworker.outcomes.models import Mentoring, MentoringSession, MentorPathway, MentorSupervision
from keyworker.outcomes.services import (
    mentor_account_link,
    mentor_pathway_start,
    mentor_pathway_update,
    mentor_supervision_record,
    mentoring_end,
    mentoring_session_record,
    mentoring_start,
)
from keyworker.people.models import Client
from keyworker.safeguarding.models import AccessRuleKind
from keyworker.safeguarding.services import access_rule_set

pytestmark = pytest.mark.django_db

CERTIFICATE = "001234567890"


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def ready_mentor(
    personas: Personas, keyworker: User | None = None, *, first_name: str = "Marcus", last_name: str = "Reid"
) -> tuple[Client, MentorPathway, User]:
    """A client who has become a peer mentor (Friday's client): ready, and mentoring from a staff account."""
    keyworker = keyworker or personas.you
    client = personas.client_of(keyworker, first_name=first_name, last_name=last_name)
    account = UserFactory(
        email=f"{first_name.lower()}.{last_name.lower()}@keyworker.test",
        first_name=first_name,
        last_name=last_name,
        role=Role.PEER_MENTOR,
        team=None,
    )
    pathway = MentorPathway.objects.create(
        client=client,
        interest_on=days_ago(200),
        training_completed_on=days_ago(150),
        dbs_checked_on=days_ago(120),
        dbs_certificate=CERTIFICATE,
        supervisor=keyworker,
        mentor_account=account,
        started_mentoring_on=days_ago(90),
    )
    return client, pathway, account


def snapshot() -> tuple[int, ...]:
    return (
        MentorPathway.objects.count(),
        MentorSupervision.objects.count(),
        Mentoring.objects.count(),
        MentoringSession.objects.count(),
        Contact.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
    )


# ------------------------------------------------------------------------------------------ the pathway


def test_a_client_goes_onto_the_path_and_it_is_on_their_record(personas: Personas):
    client = personas.client_of(personas.you)
    pathway = mentor_pathway_start(actor=personas.you, client=client, interest_on=days_ago(10))
    assert pathway.training_completed_on is None and pathway.supervisor is None
    event = AuditEvent.objects.get(object_id=str(pathway.pk), action=AuditAction.CREATE)
    assert event.client_id == client.pk and event.actor == personas.you


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"interest_on": None}, "interest_on"),
        ({"interest_on": dt.date(2999, 1, 1)}, "interest_on"),
        ({"training_completed_on": dt.date(2999, 1, 1)}, "training_completed_on"),
        ({"dbs_checked_on": days_ago(5), "dbs_certificate": "12345"}, "dbs_certificate"),
        ({"dbs_checked_on": days_ago(5), "dbs_certificate": ""}, "dbs_certificate"),
        ({"dbs_certificate": CERTIFICATE}, "dbs_checked_on"),
    ],
)
def test_a_bad_pathway_is_refused_and_changes_nothing(personas: Personas, changes, field):
    client = personas.client_of(personas.you)
    before = snapshot()
    values = {"interest_on": days_ago(10), **changes}
    with pytest.raises(ValidationFailed) as exc:
        mentor_pathway_start(actor=personas.you, client=client, **values)
    assert field in exc.value.field_errors
    assert snapshot() == before


def test_a_supervisor_must_be_a_caseworker_or_manager(personas: Personas):
    client = personas.client_of(personas.you)
    with pytest.raises(ValidationFailed) as exc:
        mentor_pathway_start(
            actor=personas.you, client=client, interest_on=days_ago(1), supervisor=personas.report_viewer
        )
    assert "supervisor" in exc.value.field_errors
    assert not MentorPathway.objects.exists()


@pytest.mark.parametrize("persona", ["other_caseworker", "report_viewer", "safeguarding_lead", "peer_mentor"])
def test_only_casework_staff_in_reach_put_a_client_on_the_path(personas: Personas, persona: str):
    client = personas.client_of(personas.you)
    with pytest.raises(NotFound):
        mentor_pathway_start(actor=getattr(personas, persona), client=client, interest_on=days_ago(1))
    assert not MentorPathway.objects.exists()


def test_a_second_start_is_a_concurrent_edit(personas: Personas):
    client = personas.client_of(personas.you)
    mentor_pathway_start(actor=personas.you, client=client, interest_on=days_ago(3))
    with pytest.raises(ConcurrentEdit):
        mentor_pathway_start(actor=personas.teammate, client=client, interest_on=days_ago(2))
    assert MentorPathway.objects.get().interest_on == days_ago(3)


def test_updating_the_path_is_optimistically_locked_and_audited(personas: Personas):
    client = personas.client_of(personas.you)
    pathway = mentor_pathway_start(actor=personas.you, client=client, interest_on=days_ago(30))
    read_version = pathway.version
    mentor_pathway_update(
        actor=personas.you,
        pathway=MentorPathway.objects.get(pk=pathway.pk),
        expected_version=read_version,
        interest_on=days_ago(30),
        training_completed_on=days_ago(2),
        dbs_checked_on=days_ago(1),
        dbs_certificate="0012 3456 7890",
        supervisor=personas.manager,
    )
    pathway.refresh_from_db()
    assert (pathway.dbs_certificate, pathway.supervisor, pathway.version) == (
        CERTIFICATE,
        personas.manager,
        read_version + 1,
    )
    event = AuditEvent.objects.get(object_id=str(pathway.pk), action=AuditAction.UPDATE)
    assert event.client_id == client.pk
    assert set(event.detail["fields"]) == {"training_completed_on", "dbs_checked_on", "dbs_certificate", "supervisor"}
    # The teammate read the old version: their save is refused and changes nothing.
    before = snapshot()
    with pytest.raises(ConcurrentEdit):
        mentor_pathway_update(
            actor=personas.teammate,
            pathway=MentorPathway.objects.get(pk=pathway.pk),
            expected_version=read_version,
            interest_on=days_ago(30),
            training_completed_on=None,
            dbs_checked_on=None,
            dbs_certificate="",
            supervisor=None,
        )
    assert snapshot() == before
    pathway.refresh_from_db()
    assert pathway.supervisor == personas.manager


def test_supervision_is_recorded_with_the_named_supervisor(personas: Personas):
    client = personas.client_of(personas.you)
    pathway = mentor_pathway_start(
        actor=personas.you, client=client, interest_on=days_ago(30), supervisor=personas.manager
    )
    supervision = mentor_supervision_record(
        actor=personas.you, pathway=pathway, held_on=days_ago(1), note="Going well."
    )
    assert supervision.supervisor == personas.manager
    assert AuditEvent.objects.get(object_id=str(supervision.pk)).client_id == client.pk
    before = snapshot()
    for held_on in (None, dt.date(2999, 1, 1), days_ago(31)):
        with pytest.raises(ValidationFailed) as exc:
            mentor_supervision_record(actor=personas.you, pathway=pathway, held_on=held_on)
        assert "held_on" in exc.value.field_errors
    with pytest.raises(ValidationFailed):
        mentor_supervision_record(actor=personas.you, pathway=pathway, held_on=days_ago(1), note="x" * 2001)
    assert snapshot() == before


# -------------------------------------------------------------------------------------- becoming a mentor


def _nearly_ready(personas: Personas) -> tuple[Client, MentorPathway, User]:
    client = personas.client_of(personas.you, first_name="Marcus")
    pathway = mentor_pathway_start(
        actor=personas.you,
        client=client,
        interest_on=days_ago(100),
        training_completed_on=days_ago(50),
        dbs_checked_on=days_ago(40),
        dbs_certificate=CERTIFICATE,
    )
    account = UserFactory(email="marcus.mentor@keyworker.test", role=Role.PEER_MENTOR, team=None)
    return client, pathway, account


def test_a_manager_links_a_ready_pathway_to_a_peer_mentor_account(personas: Personas):
    client, pathway, account = _nearly_ready(personas)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:  # no supervisor yet: not ready
        mentor_account_link(actor=personas.manager, pathway=pathway, account=account, expected_version=pathway.version)
    assert "a supervisor named" in exc.value.field_errors["account"][0]
    assert snapshot() == before
    pathway = mentor_pathway_update(
        actor=personas.you,
        pathway=pathway,
        expected_version=pathway.version,
        interest_on=pathway.interest_on,
        training_completed_on=pathway.training_completed_on,
        dbs_checked_on=pathway.dbs_checked_on,
        dbs_certificate=pathway.dbs_certificate,
        supervisor=personas.you,
    )
    with pytest.raises(NotAllowed):  # a caseworker may not make someone staff
        mentor_account_link(actor=personas.you, pathway=pathway, account=account, expected_version=pathway.version)
    with pytest.raises(ValidationFailed):  # not a peer mentor account
        mentor_account_link(
            actor=personas.manager, pathway=pathway, account=personas.teammate, expected_version=pathway.version
        )
    with pytest.raises(NotFound):  # another team's manager cannot see the client
        mentor_account_link(
            actor=personas.other_manager, pathway=pathway, account=account, expected_version=pathway.version
        )
    mentor_account_link(actor=personas.manager, pathway=pathway, account=account, expected_version=pathway.version)
    pathway.refresh_from_db()
    assert pathway.mentor_account == account and pathway.started_mentoring_on == timezone.localdate()
    event = AuditEvent.objects.filter(object_id=str(pathway.pk), action=AuditAction.UPDATE).latest("sequence")
    assert event.client_id == client.pk and event.actor == personas.manager


# ----------------------------------------------------------------------------------------- relationships


def test_a_ready_mentor_is_matched_with_a_younger_client(personas: Personas):
    _, _, account = ready_mentor(personas)
    mentee = personas.client_of(personas.teammate, first_name="Tyrell")
    mentoring = mentoring_start(actor=personas.teammate, mentor=account, mentee=mentee, started_on=days_ago(7))
    assert (mentoring.mentor, mentoring.mentee, mentoring.ended_on) == (account, mentee, None)
    event = AuditEvent.objects.get(object_id=str(mentoring.pk), action=AuditAction.CREATE)
    assert event.client_id == mentee.pk


def test_nobody_mentors_themselves(personas: Personas):
    client, _, account = ready_mentor(personas)
    with pytest.raises(ValidationFailed) as exc:
        mentoring_start(actor=personas.you, mentor=account, mentee=client)
    assert "themselves" in exc.value.field_errors["mentor"][0]
    assert not Mentoring.objects.exists()


def test_a_mentor_whose_dbs_check_ran_out_cannot_take_a_mentee(personas: Personas):
    _, pathway, account = ready_mentor(personas)
    MentorPathway.objects.filter(pk=pathway.pk).update(dbs_checked_on=days_ago(365 * 3 + 2))
    mentee = personas.client_of(personas.you)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        mentoring_start(actor=personas.you, mentor=account, mentee=mentee)
    assert "DBS" in exc.value.field_errors["mentor"][0]
    assert snapshot() == before


def test_only_a_peer_mentor_with_a_pathway_can_mentor(personas: Personas):
    mentee = personas.client_of(personas.you)
    for not_a_mentor in (personas.teammate, personas.peer_mentor):  # personas.peer_mentor has no pathway
        with pytest.raises(ValidationFailed):
            mentoring_start(actor=personas.you, mentor=not_a_mentor, mentee=mentee)
    assert not Mentoring.objects.exists()


def test_one_current_relationship_per_pair_and_none_in_the_future(personas: Personas):
    _, _, account = ready_mentor(personas)
    mentee = personas.client_of(personas.you)
    mentoring_start(actor=personas.you, mentor=account, mentee=mentee)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        mentoring_start(actor=personas.you, mentor=account, mentee=mentee)
    assert "already" in exc.value.field_errors["mentor"][0]
    other = personas.client_of(personas.you)
    with pytest.raises(ValidationFailed) as exc:
        mentoring_start(actor=personas.you, mentor=account, mentee=other, started_on=dt.date(2999, 1, 1))
    assert "started_on" in exc.value.field_errors
    assert snapshot() == before


def test_a_mentor_excluded_from_a_client_is_not_matched_and_the_reason_is_not_said(personas: Personas):
    _, _, account = ready_mentor(personas)
    mentee = personas.client_of(personas.you)
    access_rule_set(
        actor=personas.manager,
        client=mentee,
        kind=AccessRuleKind.EXCLUSION,
        staff=[account],
        reason="Lives on the same estate as his former group.",
    )
    with pytest.raises(ValidationFailed) as exc:
        mentoring_start(actor=personas.you, mentor=account, mentee=mentee)
    message = exc.value.field_errors["mentor"][0]
    assert "cannot be matched" in message and "estate" not in message and "exclu" not in message
    assert not Mentoring.objects.exists()


def test_a_client_out_of_reach_is_not_found(personas: Personas):
    _, _, account = ready_mentor(personas)
    mentee = personas.client_of(personas.other_caseworker)
    with pytest.raises(NotFound):
        mentoring_start(actor=personas.you, mentor=account, mentee=mentee)


def test_ending_a_relationship_takes_the_mentee_from_the_mentor(personas: Personas):
    _, _, account = ready_mentor(personas)
    mentee = personas.client_of(personas.you)
    mentoring = mentoring_start(actor=personas.you, mentor=account, mentee=mentee, started_on=days_ago(20))
    before = snapshot()
    for ended_on in (days_ago(21), dt.date(2999, 1, 1)):
        with pytest.raises(ValidationFailed):
            mentoring_end(
                actor=personas.you, mentoring=mentoring, expected_version=mentoring.version, ended_on=ended_on
            )
    with pytest.raises(NotFound):  # the mentor cannot end it
        mentoring_end(actor=account, mentoring=mentoring, expected_version=mentoring.version)
    with pytest.raises(ConcurrentEdit):
        mentoring_end(actor=personas.you, mentoring=mentoring, expected_version=mentoring.version + 5)
    assert snapshot() == before
    mentoring.refresh_from_db()
    mentoring_end(actor=personas.you, mentoring=mentoring, expected_version=mentoring.version)
    mentoring.refresh_from_db()
    assert mentoring.ended_on == timezone.localdate()
    assert AuditEvent.objects.get(object_id=str(mentoring.pk), action=AuditAction.UPDATE).client_id == mentee.pk
    with pytest.raises(ValidationFailed):
        mentoring_end(actor=personas.you, mentoring=mentoring, expected_version=mentoring.version)


# ------------------------------------------------------------------------------------------------ sessions


def test_a_mentor_records_a_session_and_it_stays_off_the_mentees_timeline(personas: Personas):
    _, _, account = ready_mentor(personas)
    mentee = personas.client_of(personas.you)
    mentoring = MentoringFactory(mentor=account, mentee=mentee, started_on=days_ago(30))
    contacts = Contact.objects.count()
    session = mentoring_session_record(
        actor=account,
        mentoring=mentoring,
        held_on=days_ago(1),
        duration_minutes=45,
        note="Football, then talked college.",
    )
    assert (session.recorded_by, session.duration_minutes) == (account, 45)
    assert Contact.objects.count() == contacts
    event = AuditEvent.objects.get(object_id=str(session.pk))
    assert event.client_id == mentee.pk and event.detail["by_mentor"] is True


def test_a_session_recorded_by_staff_goes_on_the_mentees_contact_log(personas: Personas):
    _, _, account = ready_mentor(personas)
    mentee = personas.client_of(personas.you)
    mentoring = MentoringFactory(mentor=account, mentee=mentee, started_on=days_ago(30))
    session = mentoring_session_record(
        actor=personas.teammate, mentoring=mentoring, held_on=timezone.localdate(), duration_minutes=60, note="Gym."
    )
    contact = Contact.objects.get(client=mentee, kind=ContactKind.MENTORING)
    assert contact.recorded_by == personas.teammate and contact.duration_minutes == 60
    assert "Marcus" in contact.note and "Gym." in contact.note
    assert contact.occurred_at <= timezone.now()
    assert AuditEvent.objects.get(object_id=str(session.pk)).detail["contact"] == str(contact.pk)


@pytest.mark.parametrize(
    ("held_on", "minutes", "note", "field"),
    [
        (None, 60, "", "held_on"),
        (dt.date(2999, 1, 1), 60, "", "held_on"),
        ("before", 60, "", "held_on"),
        ("yesterday", 0, "", "duration_minutes"),
        ("yesterday", 481, "", "duration_minutes"),
        ("yesterday", None, "", "duration_minutes"),
        ("yesterday", 60, "x" * 1001, "note"),
    ],
)
def test_a_bad_session_is_refused_and_changes_nothing(personas: Personas, held_on, minutes, note, field):
    _, _, account = ready_mentor(personas)
    mentoring = MentoringFactory(mentor=account, mentee=personas.client_of(personas.you), started_on=days_ago(30))
    held_on = {"before": days_ago(31), "yesterday": days_ago(1)}.get(held_on, held_on)
    before = snapshot()
    for actor in (account, personas.you):
        with pytest.raises(ValidationFailed) as exc:
            mentoring_session_record(
                actor=actor, mentoring=mentoring, held_on=held_on, duration_minutes=minutes, note=note
            )
        assert field in exc.value.field_errors
    assert snapshot() == before


def test_who_may_record_a_session(personas: Personas):
    _, _, account = ready_mentor(personas)
    mentoring = MentoringFactory(mentor=account, mentee=personas.client_of(personas.you), started_on=days_ago(30))
    someone_elses = MentoringFactory(
        mentor=personas.peer_mentor, mentee=personas.client_of(personas.you), started_on=days_ago(30)
    )
    values = {"held_on": days_ago(1), "duration_minutes": 30, "note": ""}
    for outsider in (personas.other_caseworker, personas.report_viewer, personas.safeguarding_lead):
        with pytest.raises(NotFound):
            mentoring_session_record(actor=outsider, mentoring=mentoring, **values)
    with pytest.raises(NotFound):  # another mentor's mentee
        mentoring_session_record(actor=account, mentoring=someone_elses, **values)
    Mentoring.objects.filter(pk=mentoring.pk).update(ended_on=days_ago(2))
    mentoring.refresh_from_db()
    with pytest.raises(NotFound):  # the relationship has ended: the mentor no longer records in it
        mentoring_session_record(actor=account, mentoring=mentoring, **{**values, "held_on": days_ago(3)})
    assert not MentoringSession.objects.exists()
    # casework staff still can, for a session before it ended
    mentoring_session_record(actor=personas.you, mentoring=mentoring, **{**values, "held_on": days_ago(3)})


# ------------------------------------------------------------------------------------------- subject access


def test_subject_access_holds_their_mentoring_and_leaves_out_what_is_about_others(personas: Personas):
    import json

    from keyworker.outcomes.services import mentor_supervision_record
    from keyworker.privacy.subject_access import subject_access_record

    client, pathway, account = ready_mentor(personas)
    mentor_supervision_record(
        actor=personas.you, pathway=pathway, held_on=days_ago(3), note="Worried about how Kyle is doing at home."
    )
    mentee = personas.client_of(personas.you, first_name="Kyle")
    as_mentor = MentoringFactory(mentor=account, mentee=mentee, started_on=days_ago(30))
    mentoring_session_record(
        actor=account, mentoring=as_mentor, held_on=days_ago(2), duration_minutes=30, note="Kyle talked about school."
    )
    older = MentoringFactory(mentor=personas.peer_mentor, mentee=client, started_on=days_ago(300))
    mentoring_session_record(
        actor=personas.peer_mentor, mentoring=older, held_on=days_ago(250), duration_minutes=60, note="Boxing gym."
    )

    record = subject_access_record(client)
    text = json.dumps(record)
    (path,) = record["sections"]["Becoming a peer mentor"]
    assert path["dbs_certificate"] == CERTIFICATE
    (received,) = record["sections"]["Peer mentoring you received"]
    assert "Boxing gym." in json.dumps(received)
    # supervision happened, but its notes talk about his mentees; his mentees' sessions are theirs
    assert "how Kyle is doing" not in text and "Kyle talked about school" not in text
    assert any(w["fields"] == ["note"] and w["section"] == "Supervision" for w in record["withheld_fields"])
    assert "Boxing gym." not in json.dumps(subject_access_record(mentee))
    assert "Kyle talked about school." in json.dumps(subject_access_record(mentee))
