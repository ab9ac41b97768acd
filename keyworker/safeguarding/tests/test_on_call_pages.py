"""The on-call line's pages by persona: the start page (two taps from the menu), the crisis call form beside the
safety plan, a call's page, the morning handover and the rota."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Task
from keyworker.core.jinja2 import navigation
from keyworker.core.testing import (
    CrisisCallFactory,
    OnCallShiftFactory,
    Personas,
    SafetyPlanFactory,
    UserFactory,
    signed_in,
)
from keyworker.people.models import Client
from keyworker.safeguarding.models import BreakGlassGrant, CrisisCall, OnCallShift, SharingDecision
from keyworker.safeguarding.rules import LONDON
from keyworker.safeguarding.services import break_glass_open, crisis_call_log

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 11, 27)
SATURDAY_0010 = dt.datetime(2026, 11, 28, 0, 10, tzinfo=LONDON)
MONDAY_0905 = dt.datetime(2026, 11, 30, 9, 5, tzinfo=LONDON)
TUESDAY_NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
REASON = "Crisis call: friends assaulted someone, he was there and feels trapped."


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(SATURDAY_0010.astimezone(dt.UTC), tick=False) as traveller:
        yield traveller


def _form(**changes: str) -> dict[str, str]:
    data = {
        "received_on": "2026-11-28",
        "received_time": "00:05",
        "caller": "the client",
        "what_happened": "His friends have just assaulted someone; he was there, did nothing, and feels trapped.",
        "advice_given": "Go to his aunt's tonight and do not answer the group's calls.",
        "actions_taken": "",
        "shared": "no",
        "shared_with": "",
        "lawful_basis": "",
        "sharing_reasons": "He did not take part and no one is at immediate risk tonight.",
        "follow_up": "Call him first thing about moving out of the area",
        "follow_up_due": "",
        "risk_review_needed": "on",
    }
    data.update(changes)
    return data


# --------------------------------------------------------------------------------------------- the start page


class _Request:
    def __init__(self, user: Any) -> None:
        self.user = user


def test_on_call_is_the_second_menu_item_for_everyone_who_sees_the_rota(personas: Personas):
    for name, user in personas.everyone().items():
        items = [item["text"] for item in navigation(_Request(user), "")]
        if name == "report_viewer":
            assert "On call" not in items
        else:
            assert items[1] == "On call", (name, items)


def test_start_page_by_persona(personas: Personas, clock: Any):
    expected = {name: 404 if name == "report_viewer" else 200 for name in personas.everyone()}
    for name, user in personas.everyone().items():
        assert signed_in(user).get(reverse("safeguarding:on_call")).status_code == expected[name], name


def test_the_search_finds_only_clients_in_reach_and_offers_break_glass_out_of_hours(personas: Personas, clock: Any):
    mine = personas.client_of(personas.you, first_name="Devon", last_name="Fictional")
    theirs = personas.client_of(personas.other_caseworker, first_name="Devon", last_name="Southside")
    OnCallShiftFactory(
        worker=personas.on_call,
        starts_at=dt.datetime.combine(FRIDAY, dt.time(17, 30), tzinfo=LONDON),
        ends_at=dt.datetime(2026, 11, 30, 9, 0, tzinfo=LONDON),
    )
    page = signed_in(personas.you).get(reverse("safeguarding:on_call"), {"q": "Devon"}).content.decode()
    assert reverse("safeguarding:crisis_call_new", args=[mine.pk]) in page
    assert str(theirs.pk) not in page
    assert "Oli Oncall" in page  # who is on call now
    assert "break-glass" not in page.lower()  # a caseworker cannot break glass

    page = signed_in(personas.on_call).get(reverse("safeguarding:on_call"), {"q": "Devon"}).content.decode()
    assert str(mine.pk) not in page and str(theirs.pk) not in page
    assert "0 matches in your reach" in page
    assert f"{reverse('safeguarding:break_glass')}?q=Devon" in page
    assert AuditEvent.objects.filter(actor=personas.on_call, action=AuditAction.SEARCH).count() == 1

    clock.move_to(TUESDAY_NOON.astimezone(dt.UTC))  # office hours: ask the team, no break-glass
    page = signed_in(personas.on_call).get(reverse("safeguarding:on_call"), {"q": "Devon"}).content.decode()
    assert "Open the record by break-glass" not in page


def test_the_safeguarding_lead_sees_who_is_on_call_but_searches_nobody(personas: Personas, clock: Any):
    mine = personas.client_of(personas.you, first_name="Devon")
    page = signed_in(personas.safeguarding_lead).get(reverse("safeguarding:on_call"), {"q": "Devon"}).content.decode()
    assert "On call now" in page and str(mine.pk) not in page and 'name="q"' not in page


def test_a_client_page_links_to_the_crisis_call_form(personas: Personas):
    client = personas.client_of(personas.you)
    page = signed_in(personas.you).get(reverse("people:client_detail", args=[client.pk])).content.decode()
    assert reverse("safeguarding:crisis_call_new", args=[client.pk]) in page


def test_my_week_links_to_the_handover(personas: Personas):
    page = signed_in(personas.you).get(reverse("diary:my_week")).content.decode()
    assert reverse("safeguarding:handover") in page


# ---------------------------------------------------------------------------------------- the crisis call form


def test_the_form_shows_the_safety_plan_and_defaults_to_now(personas: Personas, clock: Any):
    client = personas.client_of(personas.you, code_word="bluebell")
    SafetyPlanFactory(client=client, emergency_plan="Go to the aunt's in Brixton, never home.")
    page = signed_in(personas.teammate).get(reverse("safeguarding:crisis_call_new", args=[client.pk])).content.decode()
    assert "Safety plan" in page and "Go to the aunt&#39;s in Brixton, never home." in page
    assert "bluebell" in page  # the safe-contact rules
    assert 'value="2026-11-28"' in page and 'value="00:10"' in page


def test_logging_a_call_on_the_page(personas: Personas, clock: Any):
    client = personas.client_of(personas.you)
    response = signed_in(personas.teammate).post(reverse("safeguarding:crisis_call_new", args=[client.pk]), _form())
    call = CrisisCall.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "safeguarding:crisis_call_detail", args=[call.pk]
    )
    assert call.received_at == dt.datetime(2026, 11, 28, 0, 5, tzinfo=LONDON)
    assert Task.objects.filter(client=client, owner=personas.you).count() == 2
    assert call.sharing_decisions.get().shared is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"what_happened": ""}, "Say what happened."),
        ({"sharing_reasons": ""}, "the reasons matter in a review"),
        ({"shared": "yes", "sharing_reasons": "Police asked for it tonight."}, "Say who it was shared with."),
        ({"received_time": "03:00"}, "cannot be in the future"),
        ({"received_on": "yesterday"}, "Enter a valid date."),
        ({"follow_up": ""}, "Say what the keyworker should follow up"),
    ],
)
def test_bad_input_on_the_page_is_explained_and_saves_nothing(
    personas: Personas, clock: Any, changes: dict[str, str], message: str
):
    client = personas.client_of(personas.you)
    response = signed_in(personas.you).post(reverse("safeguarding:crisis_call_new", args=[client.pk]), _form(**changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not CrisisCall.objects.exists() and not Task.objects.exists() and not SharingDecision.objects.exists()


def test_the_on_call_worker_logs_a_call_only_on_a_client_they_can_see(personas: Personas, clock: Any):
    client = personas.client_of(personas.you)
    url = reverse("safeguarding:crisis_call_new", args=[client.pk])
    http = signed_in(personas.on_call)
    assert http.get(url).status_code == 404
    assert http.post(url, _form()).status_code == 404
    break_glass_open(actor=personas.on_call, client_id=client.pk, reason=REASON)
    page = http.get(url).content.decode()
    assert "Opened by break-glass" in page
    assert http.post(url, _form()).status_code == 302
    assert CrisisCall.objects.get().break_glass


# ------------------------------------------------------------------------------------------------ a call's page


def test_crisis_call_page_by_persona(personas: Personas, clock: Any):
    client = personas.client_of(personas.you)
    break_glass_open(actor=personas.on_call, client_id=client.pk, reason=REASON)
    form = _form()
    call = crisis_call_log(
        actor=personas.on_call,
        client=client,
        received_at=SATURDAY_0010,
        caller="the client",
        what_happened=form["what_happened"],
        advice_given=form["advice_given"],
        shared=False,
        sharing_reasons=form["sharing_reasons"],
        follow_up=form["follow_up"],
    )
    url = reverse("safeguarding:crisis_call_detail", args=[call.pk])
    may = {"you", "teammate", "manager", "on_call"}
    for name, user in personas.everyone().items():
        response = signed_in(user).get(url)
        assert response.status_code == (200 if name in may else 404), name
        if name in may:
            page = response.content.decode()
            assert "feels trapped" in page and "Not shared" in page and form["follow_up"] in page
    another_on_call = UserFactory(role=personas.on_call.role, team=None)
    assert signed_in(another_on_call).get(url).status_code == 404

    # The grant expires: the worker who took the call keeps it, but not the client's record.
    clock.move_to(MONDAY_0905.astimezone(dt.UTC))
    assert not BreakGlassGrant.objects.filter(expires_at__gt=MONDAY_0905).exists()
    page = signed_in(personas.on_call).get(url).content.decode()
    assert "feels trapped" in page and "Your access to this client" in page
    assert signed_in(personas.on_call).get(reverse("people:client_detail", args=[client.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        actor=personas.on_call, action=AuditAction.VIEW, client_id=client.pk, object_id=str(call.pk)
    ).exists()


# --------------------------------------------------------------------------------------------- the handover


def _call_at(client: Client, moment: dt.datetime, **fields: Any) -> CrisisCall:
    return CrisisCallFactory(client=client, received_at=moment, **fields)


def test_the_handover_lists_exactly_last_nights_calls_the_viewer_may_see(personas: Personas):
    mine = personas.client_of(personas.you, first_name="Devon")
    theirs = personas.client_of(personas.other_caseworker, first_name="Marlon")
    friday_4pm = _call_at(mine, dt.datetime(2026, 11, 27, 16, 0, tzinfo=LONDON), caller="his mother at four")
    friday_6pm = _call_at(mine, dt.datetime(2026, 11, 27, 18, 0, tzinfo=LONDON), caller="his sister at six")
    saturday_night = _call_at(mine, dt.datetime(2026, 11, 28, 23, 30, tzinfo=LONDON), caller="a friend on Saturday")
    monday_0830 = _call_at(mine, dt.datetime(2026, 11, 30, 8, 30, tzinfo=LONDON), caller="the client at half eight")
    monday_0930 = _call_at(mine, dt.datetime(2026, 11, 30, 9, 30, tzinfo=LONDON), caller="the client later")
    other_team = _call_at(theirs, dt.datetime(2026, 11, 28, 1, 0, tzinfo=LONDON), caller="Marlon's brother")
    with time_machine.travel(MONDAY_0905.astimezone(dt.UTC), tick=False):
        page = signed_in(personas.you).get(reverse("safeguarding:handover")).content.decode()
        assert "3 calls" in page
        for shown in (friday_6pm, saturday_night, monday_0830):
            assert reverse("safeguarding:crisis_call_detail", args=[shown.pk]) in page
        for hidden in (friday_4pm, monday_0930, other_team):
            assert reverse("safeguarding:crisis_call_detail", args=[hidden.pk]) not in page
        assert "Marlon" not in page

        other = signed_in(personas.other_caseworker).get(reverse("safeguarding:handover")).content.decode()
        assert "1 call" in other and str(other_team.pk) in other and str(saturday_night.pk) not in other

        # An earlier morning by its date: Friday's handover covers Thursday night only.
        friday = (
            signed_in(personas.you).get(reverse("safeguarding:handover"), {"morning": "2026-11-27"}).content.decode()
        )
        assert "No crisis calls" in friday
        assert signed_in(personas.you).get(reverse("safeguarding:handover"), {"morning": "soon"}).status_code == 200
    assert AuditEvent.objects.filter(actor=personas.you, action=AuditAction.VIEW, client_id=mine.pk).exists()


def test_the_handover_shows_the_sharing_decision_and_the_tasks_with_their_owner(personas: Personas, clock: Any):
    client = personas.client_of(personas.you)
    form = _form()
    crisis_call_log(
        actor=personas.teammate,
        client=client,
        received_at=SATURDAY_0010,
        caller="the client",
        what_happened=form["what_happened"],
        advice_given=form["advice_given"],
        shared=True,
        shared_with="Met Police, Lambeth CID",
        lawful_basis="crime_prevention",
        sharing_reasons="Someone was seriously hurt; the police asked who was there.",
        follow_up="Call him first thing about moving out of the area",
    )
    clock.move_to(MONDAY_0905.astimezone(dt.UTC))
    page = signed_in(personas.manager).get(reverse("safeguarding:handover")).content.decode()
    assert "Shared with Met Police, Lambeth CID" in page and "Prevention or detection of crime" in page
    assert "Call him first thing about moving out of the area" in page
    assert "Review risk after last night&#39;s crisis call" in page
    assert "Jo Caseworker, due Mon 30 Nov" in page


def test_the_handover_and_rota_pages_by_persona(personas: Personas, clock: Any):
    for name, user in personas.everyone().items():
        http = signed_in(user)
        handover = http.get(reverse("safeguarding:handover")).status_code
        rota = http.get(reverse("safeguarding:rota")).status_code
        casework = name not in ("report_viewer", "safeguarding_lead")
        assert handover == (200 if casework else 404), name
        assert rota == (404 if name == "report_viewer" else 200), name


def test_the_handover_takes_the_same_queries_for_one_call_or_many(personas: Personas, clock: Any):
    def queries() -> int:
        http = signed_in(personas.you)
        with CaptureQueriesContext(connection) as captured:
            assert http.get(reverse("safeguarding:handover"), {"morning": "2026-11-30"}).status_code == 200
        return len(captured)

    def call_with_tasks(minute: int) -> None:
        client = personas.client_of(personas.you)
        form = _form()
        crisis_call_log(
            actor=personas.teammate,
            client=client,
            received_at=SATURDAY_0010 - dt.timedelta(minutes=minute),
            caller="the client",
            what_happened=form["what_happened"],
            advice_given=form["advice_given"],
            shared=False,
            sharing_reasons=form["sharing_reasons"],
            follow_up=form["follow_up"],
        )

    call_with_tasks(1)
    one = queries()
    for minute in range(2, 8):
        call_with_tasks(minute)
    assert queries() == one
    assert one <= 25, one


# ------------------------------------------------------------------------------------------------- the rota


def test_everyone_on_the_rota_page_sees_the_next_fortnight(personas: Personas, clock: Any):
    tonight = dt.datetime(2026, 11, 28, 17, 30, tzinfo=LONDON)
    OnCallShiftFactory(worker=personas.on_call, starts_at=tonight, ends_at=tonight + dt.timedelta(hours=15))
    OnCallShiftFactory(
        worker=personas.teammate,
        starts_at=tonight + dt.timedelta(days=20),
        ends_at=tonight + dt.timedelta(days=20, hours=15),
    )
    page = signed_in(personas.you).get(reverse("safeguarding:rota")).content.decode()
    assert "Oli Oncall" in page and "Kim Teammate" not in page
    assert "Add a shift" not in page


def test_a_manager_adds_and_removes_a_shift_on_the_page(personas: Personas, clock: Any):
    http = signed_in(personas.manager)
    page = http.get(reverse("safeguarding:rota")).content.decode()
    assert "Add a shift" in page
    data = {
        "action": "add",
        "worker": str(personas.on_call.pk),
        "starts_on": "2026-11-28",
        "starts_time": "17:30",
        "ends_on": "2026-11-29",
        "ends_time": "09:00",
    }
    assert http.post(reverse("safeguarding:rota"), data).status_code == 302
    shift = OnCallShift.objects.get()
    assert shift.starts_at == dt.datetime(2026, 11, 28, 17, 30, tzinfo=LONDON)

    clash = http.post(reverse("safeguarding:rota"), {**data, "starts_time": "18:00"})
    assert clash.status_code == 422 and "already on call" in clash.content.decode()
    backwards = http.post(reverse("safeguarding:rota"), {**data, "ends_on": "2026-11-28", "ends_time": "17:00"})
    assert backwards.status_code == 422 and "must end after it starts" in backwards.content.decode()
    assert OnCallShift.objects.count() == 1

    # A caseworker cannot change it.
    assert (
        signed_in(personas.you).post(reverse("safeguarding:rota"), {"action": "remove", "shift": shift.pk}).status_code
        == 404
    )
    assert signed_in(personas.you).post(reverse("safeguarding:rota"), data).status_code == 404
    assert OnCallShift.objects.count() == 1

    assert http.post(reverse("safeguarding:rota"), {"action": "remove", "shift": shift.pk}).status_code == 302
    assert not OnCallShift.objects.exists()
