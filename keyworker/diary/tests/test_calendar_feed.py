"""The private calendar feed: made and shown once, stopped at once, fetched without signing in by its secret
address only, carrying the owner's diary as times, places and case references, and never who."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
import zoneinfo

import icalendar
import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import CaseStatus
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.testing import (
    AppointmentFactory,
    CaseFactory,
    ClientFactory,
    ContactFactory,
    CustodyEpisodeFactory,
    EstablishmentFactory,
    HearingFactory,
    Personas,
    TaskFactory,
    UserFactory,
)
from keyworker.custody.models import EstablishmentKind, HearingKind
from keyworker.diary.models import AppointmentKind, AppointmentStatus, CalendarFeed
from keyworker.diary.services.calendar_feeds import calendar_feed_create, calendar_feed_revoke
from keyworker.safeguarding.models import AccessRule, AccessRuleKind

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
# The only properties an event may have: nothing that could hold a note or a person.
ALLOWED_EVENT_PROPERTIES = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "SEQUENCE", "TRANSP"}


def _hour(days: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def _book(staff, client=None, *, days: int = 2, hour: int = 10, **fields):
    start = _hour(days, hour)
    return AppointmentFactory(staff=staff, client=client, starts_at=start, ends_at=start + dt.timedelta(hours=1),
                              **fields)


def _feed_url(secret: str) -> str:
    return reverse("diary:calendar_feed_ics", args=[secret])


def _events(body: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def _by_uid(body: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in _events(body)}


# --- making, showing once, replacing and stopping ------------------------------------------------------------


def test_the_secret_is_shown_once_and_only_its_hash_is_kept(client, personas: Personas):
    client.force_login(personas.you)
    page = client.get(reverse("diary:calendar_feed"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "You have no calendar feed" in body and "no names, addresses" in body
    response = client.post(reverse("diary:calendar_feed"), {"action": "create"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    (address,) = re.findall(r'value="(http://testserver/calendar/feed/[^"]+\.ics)"', response.content.decode())
    secret = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(secret) >= 43
    feed = CalendarFeed.objects.get()
    assert feed.owner == personas.you and feed.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(CalendarFeed.objects.values()))
    assert f'href="webcal://testserver/calendar/feed/{secret}.ics"' in response.content.decode()
    # Never again: the page now says the feed works, and holds no trace of the address.
    again = client.get(reverse("diary:calendar_feed")).content.decode()
    assert "Working" in again and secret not in again
    created = AuditEvent.objects.get(object_id=str(feed.pk), action=AuditAction.CREATE)
    assert created.actor == personas.you and secret not in str(created.detail)


def test_making_a_new_address_stops_the_old_one(personas: Personas):
    http = HttpClient()
    old, old_secret = calendar_feed_create(actor=personas.you)
    assert http.get(_feed_url(old_secret)).status_code == 200
    new, new_secret = calendar_feed_create(actor=personas.you)
    assert http.get(_feed_url(old_secret)).status_code == 404
    assert http.get(_feed_url(new_secret)).status_code == 200
    old.refresh_from_db()
    assert old.revoked_at is not None and new.revoked_at is None
    assert CalendarFeed.objects.filter(owner=personas.you, revoked_at__isnull=True).count() == 1


def test_stopping_the_feed_is_immediate(client, personas: Personas):
    feed, secret = calendar_feed_create(actor=personas.you)
    http = HttpClient()
    assert http.get(_feed_url(secret)).status_code == 200
    client.force_login(personas.you)
    response = client.post(reverse("diary:calendar_feed"), {"action": "revoke", "feed": str(feed.pk)}, follow=True)
    assert "has been stopped" in response.content.decode()
    assert http.get(_feed_url(secret)).status_code == 404
    page = client.get(reverse("diary:calendar_feed")).content.decode()
    assert "Stopped" in page and "Make a calendar address" in page
    with pytest.raises(ValidationFailed):
        calendar_feed_revoke(actor=personas.you, feed=feed)


def test_only_the_owner_can_stop_a_feed(client, personas: Personas):
    feed, secret = calendar_feed_create(actor=personas.you)
    for other in (personas.teammate, personas.manager, personas.other_caseworker):
        client.force_login(other)
        response = client.post(reverse("diary:calendar_feed"), {"action": "revoke", "feed": str(feed.pk)})
        assert response.status_code == 404
        with pytest.raises(NotFound):
            calendar_feed_revoke(actor=other, feed=feed)
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert HttpClient().get(_feed_url(secret)).status_code == 200


def test_a_muddled_post_changes_nothing(client, personas: Personas):
    client.force_login(personas.you)
    response = client.post(reverse("diary:calendar_feed"), {"action": "explode"}, follow=True)
    assert "Choose to make a new calendar address or to stop the one you have." in response.content.decode()
    assert not CalendarFeed.objects.exists()
    response = client.post(reverse("diary:calendar_feed"), {"action": "revoke", "feed": "not-an-id"})
    assert response.status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("you", 200), ("manager", 200), ("report_viewer", 404)])
def test_the_page_by_persona(client, personas: Personas, persona: str, status: int):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("diary:calendar_feed")).status_code == status
    assert client.post(reverse("diary:calendar_feed"), {"action": "create"}).status_code == status
    assert CalendarFeed.objects.exists() == (status == 200)


@pytest.mark.parametrize("role", [Role.PEER_MENTOR, Role.SAFEGUARDING_LEAD, Role.DATA_PROTECTION_OFFICER])
def test_roles_without_a_diary_have_no_feed(client, role):
    user = UserFactory(role=role, team=None)
    client.force_login(user)
    assert client.get(reverse("diary:calendar_feed")).status_code == 404
    with pytest.raises(NotFound):
        calendar_feed_create(actor=user)


def test_anonymous_is_sent_to_sign_in_for_the_page(client, personas: Personas):
    for response in (client.get(reverse("diary:calendar_feed")),
                     client.post(reverse("diary:calendar_feed"), {"action": "create"})):
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not CalendarFeed.objects.exists()


# --- fetching the feed ---------------------------------------------------------------------------------------


def test_the_address_is_the_only_key(client, personas: Personas):
    mine = _book(personas.you, personas.client_of(personas.you), kind=AppointmentKind.OFFICE)
    theirs = _book(personas.teammate, personas.client_of(personas.teammate), kind=AppointmentKind.OFFICE)
    _, secret = calendar_feed_create(actor=personas.you)
    # Anonymous, with the secret: the owner's feed.
    response = HttpClient().get(_feed_url(secret))
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    assert set(_by_uid(response.content)) == {f"appointment-{mine.pk}@keyworker"}
    # Signed in as someone else, the same address is still the owner's feed, never the viewer's.
    client.force_login(personas.teammate)
    assert set(_by_uid(client.get(_feed_url(secret)).content)) == {f"appointment-{mine.pk}@keyworker"}
    assert f"appointment-{theirs.pk}" not in client.get(_feed_url(secret)).content.decode()
    # Signed in, without the secret: nothing.
    client.force_login(personas.you)
    for wrong in ("x" * 43, secret[:-1], secret + "a", "a" * 500):
        assert client.get(_feed_url(wrong)).status_code == 404
    assert client.post(_feed_url(secret)).status_code == 405


def test_a_disabled_owner_or_a_role_without_a_diary_stops_the_feed(personas: Personas):
    _, secret = calendar_feed_create(actor=personas.you)
    personas.you.is_active = False
    personas.you.save()
    assert HttpClient().get(_feed_url(secret)).status_code == 404
    _, secret = calendar_feed_create(actor=personas.teammate)
    personas.teammate.role = Role.REPORT_VIEWER
    personas.teammate.save()
    assert HttpClient().get(_feed_url(secret)).status_code == 404


def test_refusals_are_on_the_record_without_the_secret(personas: Personas):
    feed, secret = calendar_feed_create(actor=personas.you)
    calendar_feed_revoke(actor=personas.you, feed=feed)
    HttpClient().get(_feed_url(secret))
    HttpClient().get(_feed_url("unknown-secret"))
    denied = list(AuditEvent.objects.filter(action=AuditAction.DENIED, object_type="diary.calendarfeed"))
    assert sorted(e.object_id for e in denied) == sorted(["", str(feed.pk)])
    assert all(secret not in str(e.detail) and secret not in e.object_id for e in denied)


def test_last_used_is_written_at_most_once_a_minute(personas: Personas):
    feed, secret = calendar_feed_create(actor=personas.you)
    http = HttpClient()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        http.get(_feed_url(secret))
    feed.refresh_from_db()
    assert feed.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
        http.get(_feed_url(secret))
    feed.refresh_from_db()
    assert feed.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        http.get(_feed_url(secret))
    feed.refresh_from_db()
    assert feed.last_used_at == start + dt.timedelta(seconds=61)
    page = HttpClient()
    page.force_login(personas.you)
    assert "Not yet" not in page.get(reverse("diary:calendar_feed")).content.decode()


def test_a_fetch_is_audited_as_the_owners_read(personas: Personas):
    first, second = personas.client_of(personas.you), personas.client_of(personas.you)
    _book(personas.you, first)
    _book(personas.you, second, days=3)
    _book(personas.you, None, days=4)  # no client: nothing to audit for it
    _, secret = calendar_feed_create(actor=personas.you)
    HttpClient().get(_feed_url(secret))
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, detail__what="calendar feed")
    assert {e.client_id for e in views} == {first.pk, second.pk}
    assert all(e.actor == personas.you and e.detail == {"what": "calendar feed"} for e in views)


def test_fetching_a_busy_feed_takes_a_fixed_number_of_queries(personas: Personas, django_assert_max_num_queries):
    for i in range(12):
        person = personas.client_of(personas.you)
        _book(personas.you, person, days=i % 7, kind=AppointmentKind.HOME_VISIT)
        CustodyEpisodeFactory(client=person, release_on=timezone.localdate() + dt.timedelta(days=i + 1))
        HearingFactory(client=person, starts_at=_hour(i + 2))
    _, secret = calendar_feed_create(actor=personas.you)
    # 12 on SQLite; PostgreSQL's audit chain lock is one more.
    with django_assert_max_num_queries(13):
        response = HttpClient().get(_feed_url(secret))
    assert len(_events(response.content)) == 36


# --- what the feed holds -------------------------------------------------------------------------------------


def test_the_feed_holds_the_owners_diary_in_its_window(personas: Personas):
    person = personas.client_of(personas.you)
    reference = person.cases.get().reference
    prison = EstablishmentFactory(name="HMP Feedtest")
    court = EstablishmentFactory(kind=EstablishmentKind.CROWN_COURT, name="Feedtest Crown Court")
    visit = _book(personas.you, person, kind=AppointmentKind.PRISON_VISIT_LEGAL, establishment=prison)
    past = _book(personas.you, person, days=-20, status=AppointmentStatus.ATTENDED)
    _book(personas.you, person, days=-30)  # before the window
    _book(personas.you, person, days=26 * 7 + 2)  # after it
    _book(personas.you, person, days=3, status=AppointmentStatus.CANCELLED)
    replacement = _book(personas.you, person, days=6)
    _book(personas.you, person, days=5, status=AppointmentStatus.RESCHEDULED, rescheduled_to=replacement)
    _book(personas.teammate, person, days=2)  # someone else's appointment with my client
    hearing = HearingFactory(client=person, court=court, starts_at=_hour(8, 10), kind=HearingKind.SENTENCING)
    attended = HearingFactory(client=person, court=court, starts_at=_hour(9, 14))
    court_slot = _book(personas.you, person, days=9, hour=13, kind=AppointmentKind.COURT, establishment=court,
                       hearing=attended)
    release = CustodyEpisodeFactory(client=person, establishment=prison,
                                    release_on=timezone.localdate() + dt.timedelta(days=12))
    # One spell in custody at a time per person: the other releases are other clients of mine.
    CustodyEpisodeFactory(client=personas.client_of(personas.you),
                          release_on=timezone.localdate() + dt.timedelta(days=300))
    gate_client = personas.client_of(personas.you)
    met = CustodyEpisodeFactory(client=gate_client, establishment=prison,
                                release_on=timezone.localdate() + dt.timedelta(days=15))
    gate_meet = _book(personas.you, gate_client, days=15, hour=7, kind=AppointmentKind.GATE, establishment=prison,
                      custody_episode=met)
    theirs = personas.client_of(personas.teammate)  # a teammate's client: visible, but not mine to remind
    HearingFactory(client=theirs, starts_at=_hour(4))
    CustodyEpisodeFactory(client=theirs, release_on=timezone.localdate() + dt.timedelta(days=5))

    _, secret = calendar_feed_create(actor=personas.you)
    events = _by_uid(HttpClient().get(_feed_url(secret)).content)
    assert set(events) == {
        f"appointment-{visit.pk}@keyworker",
        f"appointment-{past.pk}@keyworker",
        f"appointment-{replacement.pk}@keyworker",
        f"appointment-{court_slot.pk}@keyworker",
        f"hearing-{hearing.pk}@keyworker",  # the attended one is the court appointment, not twice
        f"release-{release.pk}@keyworker",
        f"appointment-{gate_meet.pk}@keyworker",  # and a release met at the gate is the gate appointment
    }
    legal = events[f"appointment-{visit.pk}@keyworker"]
    assert str(legal["SUMMARY"]) == f"Prison visit (professional) — {reference}"
    assert str(legal["LOCATION"]) == "HMP Feedtest"
    assert legal.decoded("DTSTART") == visit.starts_at and legal.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert legal.decoded("DTEND") == visit.ends_at
    assert legal.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
    court_event = events[f"hearing-{hearing.pk}@keyworker"]
    assert str(court_event["SUMMARY"]) == f"Court hearing (Sentencing) — {reference}"
    assert str(court_event["LOCATION"]) == "Feedtest Crown Court"
    assert court_event.decoded("DTSTART") == hearing.starts_at
    gate = events[f"release-{release.pk}@keyworker"]
    assert str(gate["SUMMARY"]) == f"Release from custody — {reference}"
    assert gate.decoded("DTSTART") == release.release_on  # an all-day date, not a time
    assert gate.decoded("DTEND") == release.release_on + dt.timedelta(days=1)
    assert str(gate["TRANSP"]) == "TRANSPARENT"


def test_uids_are_stable_and_a_client_hidden_from_the_owner_leaves_the_feed(personas: Personas):
    person = personas.client_of(personas.you)
    _book(personas.you, person)
    HearingFactory(client=person, starts_at=_hour(3))
    _, secret = calendar_feed_create(actor=personas.you)
    http = HttpClient()
    first = http.get(_feed_url(secret)).content
    assert _by_uid(first).keys() == _by_uid(http.get(_feed_url(secret)).content).keys()
    assert len(_events(first)) == 2
    rule = AccessRule.objects.create(client=person, kind=AccessRuleKind.RESTRICTION, reason="High profile",
                                     starts_at=timezone.now(), set_by=personas.manager)
    rule.staff.set([personas.manager])
    assert _events(http.get(_feed_url(secret)).content) == []


def test_case_reference_is_the_owners_live_case_or_says_none(personas: Personas):
    closed = ClientFactory()
    CaseFactory(client=closed, keyworker=personas.teammate, team=personas.team, status=CaseStatus.CLOSED,
                closed_on=timezone.localdate())
    teams = ClientFactory()
    team_case = CaseFactory(client=teams, keyworker=personas.teammate, team=personas.team)
    CaseFactory(client=teams, keyworker=personas.other_caseworker, team=personas.other_team)
    no_client = _book(personas.you, None, kind=AppointmentKind.OFFICE, location="Team meeting, room 4")
    a = _book(personas.you, closed)
    b = _book(personas.you, teams)
    _, secret = calendar_feed_create(actor=personas.you)
    events = _by_uid(HttpClient().get(_feed_url(secret)).content)
    assert str(events[f"appointment-{a.pk}@keyworker"]["SUMMARY"]) == "Office appointment — no case reference"
    assert str(events[f"appointment-{b.pk}@keyworker"]["SUMMARY"]) == f"Office appointment — {team_case.reference}"
    assert str(events[f"appointment-{no_client.pk}@keyworker"]["SUMMARY"]) == "Office appointment"
    assert str(events[f"appointment-{no_client.pk}@keyworker"]["LOCATION"]) == "Team meeting, room 4"


# --- the "done when": no client's details anywhere in the feed ----------------------------------------


def _unfolded(body: bytes) -> str:
    return body.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode()


def test_the_feed_holds_no_client_details(personas: Personas):
    """A realistic week: several clients, a home visit at a client's address, a prison visit, a group visit,
    a hearing, a release, notes everywhere, and places typed with names in them. The .ics, parsed and raw,
    holds none of their names, addresses, postcodes, dates of birth or note text."""
    you = personas.you
    prison = EstablishmentFactory(name="HMP Thameside Feed")
    court = EstablishmentFactory(kind=EstablishmentKind.MAGISTRATES_COURT, name="Camberwell Green Feed Court")
    people = [
        personas.client_of(you, first_name="Marcus", last_name="Okonkwo-Reyes", preferred_name="Mojo",
                           address="Flat 7, 19 Larkhall Rise\nClapham\nLondon", postcode="SW4 6HT",
                           date_of_birth=dt.date(1999, 8, 2), phone="07700 900461", email="marcus@example.org"),
        personas.client_of(you, first_name="Shanice", last_name="Beaumont-Clarke", preferred_name="Neecy",
                           address="42 Wyndham Road, Camberwell", postcode="SE5 0UB",
                           date_of_birth=dt.date(2003, 1, 17)),
        personas.client_of(you, first_name="Tyrone", last_name="Ashworth", preferred_name="",
                           address="Room 12, Hostel Queenstown, 3 Cedars Road", postcode="SW8 3JR",
                           date_of_birth=dt.date(2001, 11, 29)),
        personas.client_of(you, first_name="Delroy", last_name="Featherstonehaugh", preferred_name="Del Boy",
                           address="88 Coldharbour Lane", postcode="SE5 9PR", date_of_birth=dt.date(1995, 5, 5)),
    ]
    marcus, shanice, tyrone, delroy = people
    notes = [
        "Girlfriend disclosed he hit her; signposted to the helpline.",
        "Cocaine about 300 a week, funded by robbery.",
        "Wants out of the Peckham group; scared of retaliation.",
        "Code word is bluebird.",
        "Sentencing for robbery at the corner shop.",
        "Outcome: suspended sentence, 12 months.",
    ]
    _book(you, marcus, kind=AppointmentKind.HOME_VISIT, location=marcus.address, notes=notes[0])
    _book(you, marcus, days=3, kind=AppointmentKind.PHONE, location=marcus.phone, notes=notes[1])
    _book(you, tyrone, days=1, kind=AppointmentKind.OFFICE, location="Office, with Tyrone and his mum",
          notes=notes[2])
    _book(you, delroy, days=4, kind=AppointmentKind.COURSE, location="Bike workshop at 88 Coldharbour Lane")
    _book(you, delroy, days=5, kind=AppointmentKind.OFFICE, location="Delroy's hostel")
    _book(you, delroy, days=6, kind=AppointmentKind.HOME_VISIT, location="", notes=notes[3])
    group = uuid.uuid4()
    for person in (shanice, tyrone):
        _book(you, person, days=7, kind=AppointmentKind.PRISON_VISIT_LEGAL, establishment=prison, group=group,
              location="Legal visits hall")
    HearingFactory(client=shanice, court=court, starts_at=_hour(9), description=notes[4], outcome_detail="")
    CustodyEpisodeFactory(client=shanice, establishment=prison, release_on=timezone.localdate() + dt.timedelta(days=3),
                          probation_practitioner="Pat Probation")
    CustodyEpisodeFactory(client=tyrone, establishment=prison, release_on=timezone.localdate() + dt.timedelta(days=40))
    for person, note in zip(people, notes[1:], strict=False):
        ContactFactory(client=person, recorded_by=you, note=note)
        TaskFactory(owner=you, client=person, title=f"Ring {person.first_name} about {note[:20]}")

    _, secret = calendar_feed_create(actor=you)
    raw = HttpClient().get(_feed_url(secret)).content
    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 11  # 6 appointments, the group visit (2), the hearing and 2 releases
    forbidden: list[str] = []
    for person in people:
        forbidden += [person.first_name, person.last_name, person.phone, person.email, person.postcode,
                      person.postcode.replace(" ", "")]
        forbidden += [part.strip() for part in re.split(r"[\n,]", person.address) if part.strip()]
        if person.preferred_name:
            forbidden.append(person.preferred_name)
        dob = person.date_of_birth
        forbidden += [dob.isoformat(), f"{dob:%Y%m%d}", f"{dob:%d/%m/%Y}", f"{dob.day} {dob:%B %Y}"]
    forbidden += [*notes, "Pat Probation", "bluebird", "Hostel", "his mum"]
    forbidden = [f for f in forbidden if f and f not in ("London", "Clapham", "Camberwell")]
    # "Camberwell" is the court's own name; the client's "Camberwell" address line is a district, not theirs.

    texts = [_unfolded(raw), raw.decode()]
    for event in events:
        assert set(event.keys()) <= ALLOWED_EVENT_PROPERTIES, set(event.keys())
        texts += [str(value) for value in event.values()]
    for text in texts:
        lowered = text.lower()
        for item in forbidden:
            assert item.lower() not in lowered, item
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert all(" — KW-" in s for s in summaries), summaries
    homes = [e for e in events if str(e["SUMMARY"]).startswith("Home visit")]
    assert len(homes) == 2 and all(str(e["LOCATION"]) == "Home visit" for e in homes)
    places = {str(e.get("LOCATION", "")) for e in events}
    assert places == {"Home visit", "", "HMP Thameside Feed", "Camberwell Green Feed Court"}
