"""Tasks through the API: listing and filters, creating, completing, and concurrent completion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from keyworker.casework.models import Task
from keyworker.core.testing import TaskFactory

API = "/api/v1"


def test_tasks_filter_by_client_and_done(client, world, personas):
    done = TaskFactory(client=world.mine, owner=personas.you, completed_at=timezone.now())
    TaskFactory(client=world.teammates, owner=personas.teammate)
    client.force_login(personas.you)

    of_client = client.get(f"{API}/tasks?client={world.mine.pk}").json()
    assert [t["id"] for t in of_client["items"]] == [str(world.my_task.pk)]
    with_done = client.get(f"{API}/tasks?client={world.mine.pk}&include_done=true").json()
    assert {t["id"] for t in with_done["items"]} == {str(world.my_task.pk), str(done.pk)}
    item = next(t for t in with_done["items"] if t["id"] == str(done.pk))
    assert item["is_done"] is True
    assert dt.datetime.fromisoformat(item["completed_at"]).tzinfo is not None
    assert item["client"] == {"id": str(world.mine.pk), "display_name": world.mine.display_name}


def test_tasks_of_another_teams_client_are_not_found(client, world, personas):
    client.force_login(personas.you)
    response = client.get(f"{API}/tasks?client={world.theirs.pk}")
    assert response.status_code == 404


def test_creating_a_task_for_a_teammate(client, world, personas):
    client.force_login(personas.you)
    response = client.post(
        f"{API}/tasks",
        {"title": "  Book the housing appointment ", "due_on": "2030-02-03", "client_id": str(world.mine.pk),
         "owner_id": str(personas.teammate.pk), "detail": "Ask for Priya."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    task = response.json()
    assert task["title"] == "Book the housing appointment"
    assert task["owner"]["id"] == str(personas.teammate.pk)
    assert task["created_by_id"] == str(personas.you.pk)
    assert task["case_id"] == str(world.mine.cases.get().pk)
    assert task["due_on"] == "2030-02-03"
    assert task["version"] == 1
    assert task["is_done"] is False

    client.force_login(personas.teammate)
    assert task["id"] in {t["id"] for t in client.get(f"{API}/tasks").json()["items"]}


def test_creating_a_task_about_no_client(client, world, personas):
    client.force_login(personas.you)
    response = client.post(
        f"{API}/tasks", {"title": "Expenses", "due_on": "2030-01-01"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["client"] is None
    assert response.json()["owner"]["id"] == str(personas.you.pk)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "   ", "due_on": "2030-01-01"}, "title", "Enter what needs doing."),
        ({"title": "Call", "due_on": "2030-01-01", "owner_id": "OTHER"}, "owner_id", "Choose someone in your team."),
        ({"title": "Call", "due_on": "2030-01-01", "owner_id": "not-an-id"}, "owner_id",
         "Choose someone in your team."),
        ({"title": "Call", "due_on": "2030-01-01", "owner_id": "00000000-0000-0000-0000-000000000000"},
         "owner_id", "Choose someone in your team."),
        ({"title": "Call", "due_on": "2030-01-01", "client_id": "THEIRS"}, "client_id",
         "Choose a client you work with."),
        ({"title": "Call", "due_on": "2030-01-01", "client_id": "junk"}, "client_id",
         "Choose a client you work with."),
    ],
)
def test_bad_tasks_get_a_clear_message_and_change_nothing(client, world, personas, body, field, message):
    body = {
        k: str(personas.other_caseworker.pk) if v == "OTHER" else str(world.theirs.pk) if v == "THEIRS" else v
        for k, v in body.items()
    }
    client.force_login(personas.you)
    before = Task.objects.count()
    response = client.post(f"{API}/tasks", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {field: [message]}
    assert Task.objects.count() == before


@pytest.mark.parametrize("due_on", ["next week", "2030-02-30", ""])
def test_a_task_needs_a_real_due_date(client, world, personas, due_on):
    client.force_login(personas.you)
    response = client.post(f"{API}/tasks", {"title": "Call", "due_on": due_on}, content_type="application/json")
    assert response.status_code == 422
    assert "due_on" in response.json()["errors"]
    assert Task.objects.count() == 3


def test_completing_a_task(client, world, personas):
    client.force_login(personas.you)
    response = client.post(
        f"{API}/tasks/{world.my_task.pk}/complete", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["is_done"] is True
    assert response.json()["version"] == 2
    assert response.json()["completed_by_id"] == str(personas.you.pk)
    assert str(world.my_task.pk) not in {t["id"] for t in client.get(f"{API}/tasks").json()["items"]}


def test_completing_with_a_stale_version_is_a_conflict(client, world, personas):
    """Someone changed the task after you read it (version 1): your save is refused and nothing changes."""
    client.force_login(personas.you)
    Task.objects.filter(pk=world.my_task.pk).update(version=F("version") + 1)  # their edit
    response = client.post(
        f"{API}/tasks/{world.my_task.pk}/complete", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.json()["detail"]
    world.my_task.refresh_from_db()
    assert world.my_task.completed_at is None
    assert world.my_task.version == 2


def test_completing_twice_is_refused(client, world, personas):
    client.force_login(personas.you)
    url = f"{API}/tasks/{world.my_task.pk}/complete"
    assert client.post(url, {"version": 1}, content_type="application/json").status_code == 200
    client.force_login(personas.teammate)
    response = client.post(url, {"version": 1}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == "This task is already done."
    world.my_task.refresh_from_db()
    assert world.my_task.completed_by == personas.you


@pytest.mark.parametrize("body", [{}, {"version": "one"}, {"version": 0}, {"version": 2**63}])
def test_completing_needs_a_version(client, world, personas, body):
    client.force_login(personas.you)
    response = client.post(f"{API}/tasks/{world.my_task.pk}/complete", body, content_type="application/json")
    assert response.status_code == 422
    assert "version" in response.json()["errors"]
    world.my_task.refresh_from_db()
    assert not world.my_task.is_done
