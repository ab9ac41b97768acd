"""Who may see what through the API: the access policy, as a matrix of personas x endpoints."""

from __future__ import annotations

import pytest

from keyworker.casework.models import Contact, ContactAmendment, Task

API = "/api/v1"

# Your client is in Team North: you, your teammate and your manager reach it; nobody else does.
NORTH = ["you", "teammate", "manager"]
OUTSIDE = ["other_caseworker", "other_manager", "report_viewer"]

READS_OF_YOUR_CLIENT = [
    "/clients/{client}",
    "/clients/{client}/cases",
    "/clients/{client}/contacts",
    "/cases/{case}",
    "/tasks?client={client}",
]


def _url(template, world):
    case = world.mine.cases.get()
    return API + template.format(client=world.mine.pk, case=case.pk)


@pytest.mark.parametrize("template", READS_OF_YOUR_CLIENT)
@pytest.mark.parametrize("who", NORTH)
def test_your_team_reads_your_client(login, world, who, template):
    response = login(who).get(_url(template, world))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("template", READS_OF_YOUR_CLIENT)
@pytest.mark.parametrize("who", OUTSIDE)
def test_anyone_else_gets_not_found(login, world, who, template):
    response = login(who).get(_url(template, world))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    "template", [*READS_OF_YOUR_CLIENT, "/clients", "/cases", "/tasks"],
)
def test_anonymous_gets_401(login, world, template):
    response = login("anonymous").get(_url(template, world))
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in to use the API."}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("you", {"mine", "teammates"}),
        ("teammate", {"mine", "teammates"}),
        ("manager", {"mine", "teammates"}),
        ("other_caseworker", {"theirs"}),
        ("other_manager", {"theirs"}),
        ("report_viewer", set()),
    ],
)
def test_client_list_shows_only_clients_in_reach(login, world, who, expected):
    response = login(who).get(f"{API}/clients")
    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body["items"]} == {str(getattr(world, name).pk) for name in expected}
    assert body["count"] == len(expected)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("you", {"mine", "teammates"}),
        ("manager", {"mine", "teammates"}),
        ("other_caseworker", {"theirs"}),
        ("report_viewer", set()),
    ],
)
def test_caseload_shows_only_cases_in_reach(login, world, who, expected):
    response = login(who).get(f"{API}/cases")
    assert response.status_code == 200
    assert {item["client"]["id"] for item in response.json()["items"]} == {
        str(getattr(world, name).pk) for name in expected
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("you", {"my_task", "my_own_task"}),
        ("teammate", {"my_task"}),
        ("manager", {"my_task"}),
        ("other_caseworker", {"their_task"}),
        ("report_viewer", set()),
    ],
)
def test_task_list_shows_only_tasks_in_reach(login, world, who, expected):
    response = login(who).get(f"{API}/tasks")
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["items"]} == {
        str(getattr(world, name).pk) for name in expected
    }


@pytest.mark.parametrize(("who", "status"), [*((w, 201) for w in NORTH), *((w, 404) for w in OUTSIDE)])
def test_recording_a_contact(login, world, who, status):
    before = Contact.objects.count()
    response = login(who).post(
        f"{API}/clients/{world.mine.pk}/contacts", {"kind": "phone", "note": "Rang him."},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    assert Contact.objects.count() == before + (1 if status == 201 else 0)


@pytest.mark.parametrize(("who", "status"), [*((w, 201) for w in NORTH), *((w, 404) for w in OUTSIDE)])
def test_amending_a_contact(login, world, who, status):
    response = login(who).post(
        f"{API}/contacts/{world.my_contact.pk}/amendments", {"text": "It was Tuesday.", "reason": "Wrong day."},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    assert ContactAmendment.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(("who", "status"), [*((w, 200) for w in NORTH), *((w, 404) for w in OUTSIDE)])
def test_completing_a_task_on_your_client(login, world, who, status):
    response = login(who).post(
        f"{API}/tasks/{world.my_task.pk}/complete", {"version": world.my_task.version},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    world.my_task.refresh_from_db()
    assert world.my_task.is_done is (status == 200)


@pytest.mark.parametrize(("who", "status"), [("you", 200), ("teammate", 404), ("manager", 404)])
def test_a_task_about_no_client_is_its_owners_alone(login, world, who, status):
    response = login(who).post(
        f"{API}/tasks/{world.my_own_task.pk}/complete", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/clients/{client}/contacts"),
        ("post", "/contacts/{contact}/amendments"),
        ("post", "/tasks"),
        ("post", "/tasks/{task}/complete"),
    ],
)
def test_anonymous_cannot_write(login, world, method, url):
    before = (Contact.objects.count(), ContactAmendment.objects.count(), Task.objects.count())
    response = getattr(login("anonymous"), method)(
        API + url.format(client=world.mine.pk, contact=world.my_contact.pk, task=world.my_task.pk),
        {"kind": "phone", "note": "x"}, content_type="application/json",
    )
    assert response.status_code == 401
    assert (Contact.objects.count(), ContactAmendment.objects.count(), Task.objects.count()) == before


def test_a_role_without_casework_may_not_create_tasks(login, world):
    before = Task.objects.count()
    response = login("report_viewer").post(
        f"{API}/tasks", {"title": "Count things", "due_on": "2030-01-01"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot create tasks."}
    assert Task.objects.count() == before


def test_an_inactive_account_is_signed_out(login, world, personas):
    http = login("you")
    personas.you.is_active = False
    personas.you.save()
    assert http.get(f"{API}/clients/{world.mine.pk}").status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/clients/not-a-uuid",
        "/clients/123/cases",
        "/clients/%20/contacts",
        "/cases/zzzz",
        "/tasks?client=nope",
        "/clients/00000000-0000-0000-0000-000000000000",
    ],
)
def test_a_malformed_or_unknown_id_is_not_found(login, world, url):
    response = login("you").get(API + url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/clients/not-a-uuid/contacts", {"kind": "phone", "note": "Rang him."}),
        ("/contacts/1/amendments", {"text": "Tuesday.", "reason": "Wrong day."}),
        ("/tasks/abc/complete", {"version": 1}),
    ],
)
def test_writes_to_a_malformed_id_are_not_found(login, world, url, body):
    response = login("you").post(API + url, body, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
