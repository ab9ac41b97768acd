"""Fixtures for the API tests: a small world of clients across two teams."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient

from keyworker.accounts.models import User
from keyworker.casework.models import Contact, Task
from keyworker.core.testing import ContactFactory, Personas, TaskFactory
from keyworker.people.models import Client


@dataclass
class World:
    personas: Personas
    mine: Client  # your client (Team North)
    teammates: Client  # your teammate's client (Team North)
    theirs: Client  # the other team's client (Team South)
    my_contact: Contact
    their_contact: Contact
    my_task: Task  # on your client, owned by you
    their_task: Task  # on the other team's client
    my_own_task: Task  # yours, about no client


@pytest.fixture
def world(personas: Personas) -> World:
    mine = personas.client_of(personas.you, first_name="Dee", last_name="Mine")
    teammates = personas.client_of(personas.teammate, first_name="Tay", last_name="Teammates")
    theirs = personas.client_of(personas.other_caseworker, first_name="Oz", last_name="Theirs")
    return World(
        personas=personas,
        mine=mine,
        teammates=teammates,
        theirs=theirs,
        my_contact=ContactFactory(client=mine, recorded_by=personas.you, case=mine.cases.get()),
        their_contact=ContactFactory(client=theirs, recorded_by=personas.other_caseworker),
        my_task=TaskFactory(client=mine, owner=personas.you),
        their_task=TaskFactory(client=theirs, owner=personas.other_caseworker),
        my_own_task=TaskFactory(client=None, owner=personas.you, title="Renew my DBS check"),
    )


@pytest.fixture
def login(client: HttpClient, personas: Personas) -> Any:
    """login("you") signs pytest-django's `client` in as that persona ("anonymous": nobody) and returns it."""

    def sign_in(who: str) -> HttpClient:
        client.logout()
        if who != "anonymous":
            user: User = getattr(personas, who)
            client.force_login(user)
        return client

    return sign_in

