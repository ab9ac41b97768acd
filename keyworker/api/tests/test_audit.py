"""Every API read of a client's data leaves a view event; refused reads leave none."""

from __future__ import annotations

import pytest

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Contact, Task

API = "/api/v1"


def _views(**filters):
    return AuditEvent.objects.filter(action=AuditAction.VIEW, **filters)


@pytest.mark.parametrize(
    ("template", "what"),
    [
        ("/clients/{client}", "api:client"),
        ("/clients/{client}/cases", "api:client_cases"),
        ("/clients/{client}/contacts", "api:contact_list"),
        ("/cases/{case}", "api:case"),
        ("/tasks?client={client}", "api:task_list"),
    ],
)
def test_reading_a_client_is_audited(client, world, personas, template, what):
    client.force_login(personas.manager)
    response = client.get(
        API + template.format(client=world.mine.pk, case=world.mine.cases.get().pk),
        HTTP_USER_AGENT="pytest-agent",
    )
    assert response.status_code == 200
    event = _views().get()
    assert event.actor == personas.manager
    assert event.client_id == world.mine.pk
    assert event.detail == {"what": what}
    assert event.user_agent == "pytest-agent"
    assert event.source_ip == "127.0.0.1"


@pytest.mark.parametrize(
    ("url", "what", "expected"),
    [
        ("/clients", "api:client_list", {"mine", "teammates"}),
        ("/cases", "api:case_list", {"mine", "teammates"}),
        ("/tasks", "api:task_list", {"mine"}),
    ],
)
def test_lists_audit_each_client_shown_once(client, world, personas, url, what, expected):
    # A second task on your client: still one event for that client.
    Task.objects.create(client=world.mine, title="Second", due_on=world.my_task.due_on, owner=personas.you,
                        created_by=personas.you)
    client.force_login(personas.you)
    assert client.get(API + url).status_code == 200
    events = list(_views(actor=personas.you))
    assert sorted(str(e.client_id) for e in events) == sorted(str(getattr(world, n).pk) for n in expected)
    assert {e.detail["what"] for e in events} == {what}


def test_only_the_page_shown_is_audited(client, world, personas):
    client.force_login(personas.you)
    body = client.get(f"{API}/clients?page_size=1").json()
    assert [str(e.client_id) for e in _views()] == [body["items"][0]["id"]]


def test_an_empty_list_writes_nothing(client, world, personas):
    client.force_login(personas.report_viewer)
    for url in ("/clients", "/cases", "/tasks"):
        assert client.get(API + url).json()["items"] == []
    assert not _views().exists()


def test_a_task_about_no_client_is_not_a_view_of_anyone(client, world, personas):
    world.my_task.delete()
    client.force_login(personas.you)
    items = client.get(f"{API}/tasks").json()["items"]
    assert [t["id"] for t in items] == [str(world.my_own_task.pk)]
    assert not _views().exists()


@pytest.mark.parametrize("who", ["other_caseworker", "report_viewer"])
def test_refused_reads_are_not_recorded_as_views(client, world, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(f"{API}/clients/{world.mine.pk}").status_code == 404
    assert not _views(client_id=world.mine.pk).exists()


def test_writes_are_audited_by_the_services(client, world, personas):
    client.force_login(personas.you)
    response = client.post(
        f"{API}/clients/{world.mine.pk}/contacts", {"kind": "phone", "note": "Rang."},
        content_type="application/json",
    )
    contact = Contact.objects.get(pk=response.json()["id"])
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(contact.pk))
    assert event.client_id == world.mine.pk
    assert event.actor == personas.you
