"""The team release board: releases in the next 12 weeks of clients in reach, with what is still open; casework
roles only; every client shown is audited; a fixed number of queries however many releases there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import CustodyEpisodeFactory, EstablishmentFactory, Personas, UserFactory, signed_in
from keyworker.custody import services
from keyworker.custody.models import NeedStatus
from keyworker.custody.rules import CATALOGUE

pytestmark = pytest.mark.django_db
URL = "/releases/"


def _release(p: Personas, keyworker, days: int, **client_fields):
    client = p.client_of(keyworker, **client_fields)
    return services.custody_episode_open(
        actor=keyworker,
        client=client,
        establishment=EstablishmentFactory(name="HMP Board Test"),
        received_on=timezone.localdate() - dt.timedelta(days=100),
        release_on=timezone.localdate() + dt.timedelta(days=days),
    )


def test_the_board_lists_upcoming_releases_in_reach_with_what_is_open(personas: Personas):
    assert reverse("custody:release_board") == URL
    soon = _release(personas, personas.you, 3, first_name="Soon", last_name="Release")
    need = soon.needs.get(need="first_night")
    services.release_need_update(actor=personas.you, need=need, expected_version=need.version, status=NeedStatus.MET)
    teammates = _release(personas, personas.teammate, 40, first_name="Later", last_name="Release")
    far = _release(personas, personas.you, 7 * 13, first_name="Far", last_name="Future")
    other_team = _release(personas, personas.other_caseworker, 5, first_name="Other", last_name="Team")
    released = _release(personas, personas.you, 10, first_name="Already", last_name="Out")
    services.custody_release_record(
        actor=personas.you, episode=released, expected_version=released.version, released_on=timezone.localdate()
    )
    response = signed_in(personas.you).get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Soon Release") < page.index("Later Release")
    assert "3 days to go" in page and "40 days to go" in page
    assert f"{len(CATALOGUE) - 1} open" in page and f"{len(CATALOGUE)} open" in page
    assert reverse("custody:client_custody", args=[soon.client_id]) in page
    for absent in ("Far Future", "Other Team", "Already Out"):
        assert absent not in page, absent
    shown = set(
        AuditEvent.objects.filter(
            actor=personas.you, action=AuditAction.VIEW, detail__what="release board"
        ).values_list("client_id", flat=True)
    )
    assert shown == {soon.client_id, teammates.client_id}
    assert far.client_id not in shown and other_team.client_id not in shown
    # The other team's manager sees only their own team's release.
    theirs = signed_in(personas.other_manager).get(URL).content.decode()
    assert "Other Team" in theirs and "Soon Release" not in theirs


def test_the_board_is_for_casework_roles_only(personas: Personas):
    _release(personas, personas.you, 3, first_name="Soon", last_name="Release")
    for user in (personas.you, personas.manager, UserFactory(email="oc@b.test", role=Role.ON_CALL, team=None)):
        assert signed_in(user).get(URL).status_code == 200
    for user in (
        personas.report_viewer,
        UserFactory(email="mentor@b.test", role=Role.PEER_MENTOR, team=personas.team),
        UserFactory(email="dpo@b.test", role=Role.DATA_PROTECTION_OFFICER, team=None),
    ):
        response = signed_in(user).get(URL)
        assert response.status_code == 404 and "Soon Release" not in response.content.decode()
    anonymous = HttpClient().get(URL)
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]


def test_the_board_query_count_does_not_grow_with_releases(personas: Personas, django_assert_max_num_queries):
    http = signed_in(personas.you)
    http.get(URL)  # warm the session and caches

    def queries_for_board() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert http.get(URL).status_code == 200
        return len(captured)

    for n in range(2):
        client = personas.client_of(personas.you)
        CustodyEpisodeFactory(client=client, release_on=timezone.localdate() + dt.timedelta(days=n + 1))
    few = queries_for_board()
    for n in range(8):
        _release(personas, personas.teammate, 10 + n)
    many = queries_for_board()
    assert many == few
    with django_assert_max_num_queries(few):
        http.get(URL)
