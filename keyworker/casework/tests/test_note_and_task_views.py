"""Correcting a note, adding a task and ticking one off, through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.casework.models import ContactAmendment, Task
from keyworker.core.testing import ContactFactory, Personas, TaskFactory

pytestmark = pytest.mark.django_db


def test_correcting_a_note_keeps_the_original(client, personas: Personas):
    person = personas.client_of(personas.you)
    contact = ContactFactory(client=person, recorded_by=personas.you, note="Met at Brixton station.")
    client.force_login(personas.you)
    url = reverse("casework:contact_amend", args=[contact.pk])
    assert "Met at Brixton station." in client.get(url).content.decode()
    response = client.post(url, {"text": "Met at Stockwell station.", "reason": "Wrong station"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.note == "Met at Brixton station."
    page = client.get(reverse("people:client_detail", args=[person.pk])).content.decode()
    assert "Met at Brixton station." in page and "Met at Stockwell station." in page and "Wrong station" in page


def test_correction_without_a_reason_changes_nothing(client, personas: Personas):
    person = personas.client_of(personas.you)
    contact = ContactFactory(client=person, recorded_by=personas.you)
    client.force_login(personas.you)
    response = client.post(reverse("casework:contact_amend", args=[contact.pk]), {"text": "New text", "reason": ""})
    assert response.status_code == 422
    assert "Say why the note is being corrected." in response.content.decode()
    assert not ContactAmendment.objects.exists()


@pytest.mark.parametrize("viewer", ["other_caseworker", "other_manager", "report_viewer"])
def test_notes_out_of_reach_cannot_be_corrected(client, personas: Personas, viewer: str):
    contact = ContactFactory(client=personas.client_of(personas.you), recorded_by=personas.you)
    client.force_login(getattr(personas, viewer))
    url = reverse("casework:contact_amend", args=[contact.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "x", "reason": "y"}).status_code == 404
    assert not ContactAmendment.objects.exists()


def test_add_a_task_for_a_teammate(client, personas: Personas):
    person = personas.client_of(personas.you)
    client.force_login(personas.you)
    due = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(
        reverse("casework:task_add", args=[person.pk]),
        {"title": "Book the GP appointment", "due_on": due.isoformat(), "owner": str(personas.teammate.pk)},
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.owner, task.client, task.due_on, task.created_by) == (personas.teammate, person, due, personas.you)


def test_a_task_cannot_go_to_another_team(client, personas: Personas):
    person = personas.client_of(personas.you)
    client.force_login(personas.you)
    response = client.post(
        reverse("casework:task_add", args=[person.pk]),
        {"title": "x", "due_on": timezone.localdate().isoformat(), "owner": str(personas.other_caseworker.pk)},
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not Task.objects.exists()


def test_ticking_off_a_task_from_my_week(client, personas: Personas):
    person = personas.client_of(personas.you)
    task = TaskFactory(owner=personas.you, client=person, title="Ring probation")
    client.force_login(personas.you)
    week = client.get(reverse("diary:my_week")).content.decode()
    assert reverse("casework:task_complete", args=[task.pk]) in week
    response = client.post(
        reverse("casework:task_complete", args=[task.pk]), {"version": task.version, "next": "/week/"}
    )
    assert response.status_code == 302 and response["Location"] == "/week/"
    task.refresh_from_db()
    assert task.completed_by == personas.you
    week = client.get(reverse("diary:my_week")).content.decode()
    assert "Done: Ring probation" in week  # the confirmation, once
    assert week.count("Ring probation") == 1  # and no longer a task on the week


def test_a_stale_tick_is_refused_with_a_message(client, personas: Personas):
    task = TaskFactory(owner=personas.you, client=personas.client_of(personas.you))
    client.force_login(personas.you)
    response = client.post(
        reverse("casework:task_complete", args=[task.pk]), {"version": task.version + 5}, follow=True
    )
    assert "Someone else changed this record" in response.content.decode()
    task.refresh_from_db()
    assert task.completed_at is None


def test_task_done_never_redirects_off_site(client, personas: Personas):
    task = TaskFactory(owner=personas.you, client=personas.client_of(personas.you))
    client.force_login(personas.you)
    response = client.post(
        reverse("casework:task_complete", args=[task.pk]), {"version": task.version, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("diary:my_week")


def test_other_teams_task_is_not_found(client, personas: Personas):
    task = TaskFactory(owner=personas.you, client=personas.client_of(personas.you))
    client.force_login(personas.other_caseworker)
    assert client.post(reverse("casework:task_complete", args=[task.pk]), {"version": task.version}).status_code == 404
    assert client.get(reverse("casework:task_complete", args=[task.pk])).status_code in (404, 405)


def test_close_a_case_from_its_page(client, personas: Personas):
    person = personas.client_of(personas.you)
    case = person.cases.get()
    client.force_login(personas.you)
    url = reverse("casework:case_status", args=[case.pk])
    assert url in client.get(reverse("people:client_detail", args=[person.pk])).content.decode()
    response = client.post(url, {"status": "closed", "closure_reason": "goals_met", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.closure_reason == "goals_met"


def test_closing_without_a_reason_is_explained_and_changes_nothing(client, personas: Personas):
    case = personas.client_of(personas.you).cases.get()
    client.force_login(personas.you)
    response = client.post(
        reverse("casework:case_status", args=[case.pk]), {"status": "closed", "version": case.version}
    )
    assert response.status_code == 422
    assert "Choose why the case is closing." in response.content.decode()
    case.refresh_from_db()
    assert case.status == "open"


def test_another_team_cannot_open_the_case_status_page(client, personas: Personas):
    case = personas.client_of(personas.you).cases.get()
    client.force_login(personas.other_caseworker)
    assert client.get(reverse("casework:case_status", args=[case.pk])).status_code == 404
