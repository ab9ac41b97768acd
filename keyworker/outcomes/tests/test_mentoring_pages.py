"""The client's mentoring page: who may open it, the path to mentoring and what is missing, becoming a mentor,
relationships both ways with session counts, sessions; and Friday's client, who mentors younger people on his
estate."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Contact, ContactKind
from keyworker.core.testing import MentoringFactory, Personas, UserFactory, signed_in
from keyworker.outcomes.models import Mentoring, MentoringSession, MentorPathway, MentorSupervision
from keyworker.outcomes.tests.test_mentoring_services import CERTIFICATE, days_ago, ready_mentor, snapshot

pytestmark = pytest.mark.django_db


def page(client) -> str:
    return reverse("outcomes:client_mentoring", args=[client.pk])


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("you", True),
        ("teammate", True),
        ("manager", True),
        ("other_caseworker", False),
        ("other_manager", False),
        ("report_viewer", False),
        ("safeguarding_lead", False),
        ("on_call", False),
        ("peer_mentor", False),
    ],
)
def test_the_page_by_persona(personas: Personas, persona: str, allowed: bool):
    client = personas.client_of(personas.you, first_name="Dion", last_name="Marker")
    # even the client's own peer mentor finds no such page
    MentoringFactory(mentor=personas.peer_mentor, mentee=client)
    response = signed_in(getattr(personas, persona)).get(page(client))
    assert response.status_code == (200 if allowed else 404)
    assert ("Marker" in response.content.decode()) == allowed


def test_the_client_page_links_to_mentoring(personas: Personas):
    client = personas.client_of(personas.you)
    html = signed_in(personas.you).get(reverse("people:client_detail", args=[client.pk])).content.decode()
    assert page(client) in html


def test_the_path_to_mentoring_on_the_page(personas: Personas):
    client = personas.client_of(personas.you, first_name="Marcus")
    http = signed_in(personas.you)
    html = http.get(page(client)).content.decode()
    assert "is not on the path to mentoring" in html

    # They said they would like to mentor: on the path, with what is still missing.
    response = http.post(page(client), {"action": "pathway", "pathway-interest_on": days_ago(60).isoformat()})
    assert response.status_code == 302
    html = http.get(page(client)).content.decode()
    assert "Not ready to mentor yet" in html
    for missing in ("mentor training completed", "a DBS check in the last 3 years", "a supervisor named"):
        assert missing in html

    # A bad certificate number: a clear message, what was typed kept, nothing saved.
    pathway = MentorPathway.objects.get(client=client)
    before = snapshot()
    response = http.post(
        page(client),
        {
            "action": "pathway",
            "pathway-version": pathway.version,
            "pathway-interest_on": days_ago(60).isoformat(),
            "pathway-dbs_checked_on": days_ago(3).isoformat(),
            "pathway-dbs_certificate": "1234",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter the certificate number: 12 digits." in html and 'href="#id_pathway-dbs_certificate"' in html
    assert snapshot() == before

    response = http.post(
        page(client),
        {
            "action": "pathway",
            "pathway-version": pathway.version,
            "pathway-interest_on": days_ago(60).isoformat(),
            "pathway-training_completed_on": days_ago(20).isoformat(),
            "pathway-dbs_checked_on": days_ago(3).isoformat(),
            "pathway-dbs_certificate": CERTIFICATE,
            "pathway-supervisor": str(personas.manager.pk),
        },
    )
    assert response.status_code == 302
    response = http.post(
        page(client),
        {"action": "supervision", "supervision-held_on": days_ago(1).isoformat(), "supervision-note": "Ok"},
    )
    assert response.status_code == 302
    html = http.get(page(client)).content.decode()
    assert "Ready to mentor" in html and CERTIFICATE in html and "Morgan Manager" in html
    assert MentorSupervision.objects.get().supervisor == personas.manager


def test_a_stale_pathway_form_is_refused_and_says_so(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    http.post(page(client), {"action": "pathway", "pathway-interest_on": days_ago(6).isoformat()})
    form = {"action": "pathway", "pathway-version": "1", "pathway-interest_on": days_ago(5).isoformat()}
    assert http.post(page(client), form).status_code == 302
    response = http.post(page(client), {**form, "pathway-interest_on": days_ago(4).isoformat()})
    assert response.status_code == 409 and "Someone else changed" in response.content.decode()
    assert MentorPathway.objects.get().interest_on == days_ago(5)


def test_a_manager_makes_a_ready_client_a_peer_mentor(personas: Personas):
    client = personas.client_of(personas.you, first_name="Marcus")
    pathway = MentorPathway.objects.create(
        client=client,
        interest_on=days_ago(90),
        training_completed_on=days_ago(30),
        dbs_checked_on=days_ago(10),
        dbs_certificate=CERTIFICATE,
        supervisor=personas.you,
    )
    account = UserFactory(email="marcus@keyworker.test", first_name="Marcus", role="peer_mentor", team=None)
    assert "Make them a peer mentor" not in signed_in(personas.you).get(page(client)).content.decode()
    http = signed_in(personas.manager)
    assert "Make them a peer mentor" in http.get(page(client)).content.decode()
    response = http.post(
        page(client), {"action": "link", "link-version": pathway.version, "link-account": str(account.pk)}
    )
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.mentor_account == account
    assert "Who Marcus" in http.get(page(client)).content.decode()


def test_fridays_client_mentors_younger_people_on_his_estate(personas: Personas, django_assert_max_num_queries):
    """Friday's client is a peer mentor: the people he mentors with their sessions, seen from his page; his own
    mentoring page also shows who mentored him on the way."""
    client, _, account = ready_mentor(personas, first_name="Marcus", last_name="Reid")
    older = UserFactory(email="older@keyworker.test", first_name="Dwayne", last_name="Older", role="peer_mentor")
    MentoringFactory(mentor=older, mentee=client, started_on=days_ago(700), ended_on=days_ago(400))
    mentees = [
        personas.client_of(
            personas.you, first_name=name, last_name="Estate", date_of_birth=timezone.localdate().replace(year=2009)
        )
        for name in ("Kyle", "Jaden", "Rhys")
    ]
    for i, mentee in enumerate(mentees):
        mentoring = MentoringFactory(mentor=account, mentee=mentee, started_on=days_ago(80))
        for n in range(i + 1):
            MentoringSession.objects.create(
                mentoring=mentoring, held_on=days_ago(10 + n), duration_minutes=60, note="Football", recorded_by=account
            )
    # and one on another team's caseload, whom this caseworker cannot see
    hidden = personas.client_of(personas.other_caseworker, first_name="Hidden", last_name="Southsider")
    MentoringFactory(mentor=account, mentee=hidden, started_on=days_ago(80))

    http = signed_in(personas.you)
    with django_assert_max_num_queries(24):
        response = http.get(page(client))
    html = response.content.decode()
    assert response.status_code == 200
    for mentee in mentees:
        assert mentee.display_name in html and page(mentee) in html
    assert "Southsider" not in html
    assert "Dwayne Older" in html and "Ended" in html
    rows = {m.mentee.first_name: m for m in Mentoring.objects.filter(mentor=account)}
    assert rows["Rhys"].sessions.count() == 3
    # the views of the mentees named are on their records
    for mentee in mentees:
        assert AuditEvent.objects.filter(actor=personas.you, client_id=mentee.pk, action=AuditAction.VIEW).exists()

    # Query counts do not grow with more mentees.
    for name in ("Ash", "Bo", "Cy", "Di"):
        extra = personas.client_of(personas.you, first_name=name)
        m = MentoringFactory(mentor=account, mentee=extra, started_on=days_ago(80))
        MentoringSession.objects.create(mentoring=m, held_on=days_ago(5), duration_minutes=30, recorded_by=account)
    with django_assert_max_num_queries(24):
        assert http.get(page(client)).status_code == 200


def test_matching_a_mentee_and_recording_a_session_from_the_page(personas: Personas):
    _, _, account = ready_mentor(personas, first_name="Marcus", last_name="Reid")
    mentee = personas.client_of(personas.you, first_name="Tyrell")
    http = signed_in(personas.you)
    html = http.get(page(mentee)).content.decode()
    assert "Marcus Reid" in html  # offered as a ready mentor

    response = http.post(page(mentee), {"action": "start", "start-mentor": str(account.pk)})
    assert response.status_code == 302
    mentoring = Mentoring.objects.get(mentee=mentee)

    before = snapshot()
    response = http.post(
        page(mentee),
        {
            "action": "session",
            "session-mentoring": str(mentoring.pk),
            "session-held_on": "2999-01-01",
            "session-duration_minutes": "60",
        },
    )
    assert response.status_code == 422 and "cannot be in the future" in response.content.decode()
    assert snapshot() == before

    response = http.post(
        page(mentee),
        {
            "action": "session",
            "session-mentoring": str(mentoring.pk),
            "session-held_on": timezone.localdate().isoformat(),
            "session-duration_minutes": "50",
            "session-note": "Went to the gym together.",
        },
    )
    assert response.status_code == 302
    session = MentoringSession.objects.get()
    assert session.recorded_by == personas.you
    assert Contact.objects.filter(client=mentee, kind=ContactKind.MENTORING).count() == 1
    html = http.get(page(mentee)).content.decode()
    assert "Went to the gym together." in html

    response = http.post(page(mentee), {"action": "end", "mentoring": str(mentoring.pk), "version": mentoring.version})
    assert response.status_code == 302
    mentoring.refresh_from_db()
    assert mentoring.ended_on == timezone.localdate()


def test_a_relationship_of_another_client_cannot_be_posted_to(personas: Personas):
    _, _, account = ready_mentor(personas)
    mine = personas.client_of(personas.you)
    theirs = MentoringFactory(mentor=account, mentee=personas.client_of(personas.you))
    response = signed_in(personas.you).post(
        page(mine), {"action": "end", "mentoring": str(theirs.pk), "version": theirs.version}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.ended_on is None
