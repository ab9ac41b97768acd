"""Cases and clients through the API: fields, filters, search and paging."""

from __future__ import annotations

import datetime as dt
import typing

import pytest
from django.utils import timezone

from keyworker.casework.models import CaseStatus, ClosureReason, Programme
from keyworker.casework.selectors import CASELOAD_SORTS
from keyworker.core.testing import CaseFactory, ClientFactory

API = "/api/v1"


def test_a_clients_record(client, world, personas):
    world.mine.code_word = "bluebell"
    world.mine.save()
    client.force_login(personas.you)
    body = client.get(f"{API}/clients/{world.mine.pk}").json()
    assert body["id"] == str(world.mine.pk)
    assert body["display_name"] == "Dee Mine"
    assert body["code_word"] == "bluebell"
    assert body["version"] == 1
    assert body["date_of_birth"] == "2002-03-14"
    assert dt.datetime.fromisoformat(body["created_at"]).tzinfo is not None


def test_client_list_summaries_leave_out_contact_details(client, world, personas):
    client.force_login(personas.you)
    item = client.get(f"{API}/clients").json()["items"][0]
    assert {"id", "version", "display_name"} <= set(item)
    assert not {"phone", "address", "code_word"} & set(item)


def test_client_search(client, world, personas):
    client.force_login(personas.you)
    reference = world.teammates.cases.get().reference
    assert [c["id"] for c in client.get(f"{API}/clients?q=dee").json()["items"]] == [str(world.mine.pk)]
    assert [c["id"] for c in client.get(f"{API}/clients?q={reference}").json()["items"]] == [
        str(world.teammates.pk)
    ]
    assert client.get(f"{API}/clients?q=Theirs").json() == {"count": 0, "page": 1, "page_size": 50, "items": []}
    assert client.get(f"{API}/clients?q=%20").json()["count"] == 2  # blank: everyone in reach


def test_client_search_refuses_a_nul(client, world, personas):
    client.force_login(personas.you)
    response = client.get(f"{API}/clients?q=de%00e")
    assert response.status_code == 422
    assert response.json()["errors"] == {"q": ["The search contains a character that is not allowed."]}


def test_client_list_pages(client, world, personas):
    for n in range(5):
        personas.client_of(personas.you, last_name=f"Zed{n}")
    client.force_login(personas.you)
    first = client.get(f"{API}/clients?page_size=3").json()
    last = client.get(f"{API}/clients?page_size=3&page=3").json()
    beyond = client.get(f"{API}/clients?page_size=3&page=4").json()
    assert first["count"] == last["count"] == beyond["count"] == 7
    assert len(first["items"]) == 3
    assert len(last["items"]) == 1
    assert beyond["items"] == []


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=101", "page=abc"])
def test_bad_paging_is_refused(client, world, personas, query):
    client.force_login(personas.you)
    response = client.get(f"{API}/clients?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.json()["errors"]


def test_a_case(client, world, personas):
    case = world.mine.cases.get()
    client.force_login(personas.manager)
    body = client.get(f"{API}/cases/{case.pk}").json()
    assert body["reference"] == case.reference
    assert body["client"] == {"id": str(world.mine.pk), "display_name": "Dee Mine"}
    assert body["keyworker"] == {"id": str(personas.you.pk), "display_name": "Jo Caseworker"}
    assert body["team"] == {"id": str(personas.team.pk), "name": "Team North"}
    assert body["programme"] == "gang_exit"
    assert body["programme_label"] == "Gang exit"
    assert body["status"] == "open"
    assert body["version"] == 1


def test_a_clients_cases_include_closed_episodes(client, world, personas):
    closed = CaseFactory(
        client=world.mine, keyworker=personas.you, team=personas.team, status=CaseStatus.CLOSED,
        opened_on=timezone.localdate() - dt.timedelta(days=900),
        closed_on=timezone.localdate() - dt.timedelta(days=400),
        closure_reason=ClosureReason.GOALS_MET,
    )
    client.force_login(personas.you)
    body = client.get(f"{API}/clients/{world.mine.pk}/cases").json()
    assert [c["id"] for c in body] == [str(world.mine.cases.get(status="open").pk), str(closed.pk)]
    assert body[1]["closure_reason"] == "goals_met"


def test_caseload_filters(client, world, personas):
    mine_closed = CaseFactory(
        client=ClientFactory(), keyworker=personas.you, team=personas.team, status=CaseStatus.CLOSED,
        closed_on=timezone.localdate(), closure_reason=ClosureReason.MOVED_AWAY,
    )
    resettlement = CaseFactory(
        client=ClientFactory(), keyworker=personas.you, team=personas.team, programme=Programme.RESETTLEMENT
    )
    client.force_login(personas.you)

    def ids(query: str) -> set[str]:
        response = client.get(f"{API}/cases?{query}")
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["items"]}

    open_mine, open_teammates = world.mine.cases.get().pk, world.teammates.cases.get().pk
    assert ids("") == {str(open_mine), str(open_teammates), str(resettlement.pk)}
    assert ids("keyworker=me") == {str(open_mine), str(resettlement.pk)}
    assert ids("status=closed") == {str(mine_closed.pk)}
    assert ids("status=all&keyworker=me") == {str(open_mine), str(resettlement.pk), str(mine_closed.pk)}
    assert ids("programme=resettlement") == {str(resettlement.pk)}


def test_caseload_sorts(client, world, personas):
    client.force_login(personas.you)
    by_name = client.get(f"{API}/cases?sort=name").json()["items"]
    by_name_desc = client.get(f"{API}/cases?sort=-name").json()["items"]
    assert [c["client"]["display_name"] for c in by_name] == ["Dee Mine", "Tay Teammates"]
    assert by_name_desc == list(reversed(by_name))


def test_the_api_offers_every_caseload_sort_and_status():
    from keyworker.casework.api import CaseloadSort, CaseStatusFilter

    assert set(typing.get_args(CaseloadSort)) == set(CASELOAD_SORTS)
    assert set(typing.get_args(CaseStatusFilter)) == {*CaseStatus.values, "all"}


@pytest.mark.parametrize(
    ("query", "field"), [("status=shut", "status"), ("programme=gangs", "programme"), ("keyworker=all", "keyworker"),
                         ("sort=age", "sort")],
)
def test_bad_caseload_filters_are_refused(client, world, personas, query, field):
    client.force_login(personas.you)
    response = client.get(f"{API}/cases?{query}")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
