"""Building a worker's private iCal feed: times and places, never who.

A phone calendar is outside Keyworker's care (synced to other companies' servers, shown on lock screens), so
the feed carries only what a worker needs to be in the right place at the right time: what kind of thing it
is, the case reference, when, and where. Never a client's name, address, date of birth or any note. A home
visit is "Home visit", never the address (it is the client's home). A free-text place that mentions a
client's name, postcode or street is dropped: the builder does not trust what was typed into it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import icalendar

from keyworker.custody.models import CustodyEpisode, Establishment, Hearing
from keyworker.diary.models import Appointment, AppointmentKind
from keyworker.diary.selectors.calendar_feeds import CalendarEntries
from keyworker.people.models import Client

PRODID = "-//Keyworker//Diary feed//EN"
CALENDAR_NAME = "Keyworker diary"
NO_CASE_REFERENCE = "no case reference"
HOME_VISIT_PLACE = "Home visit"
# A hearing has a start but no set end; an hour marks the slot (courts list by the morning or afternoon).
HEARING_SLOT = dt.timedelta(hours=1)
# How often a calendar app should fetch the feed again.
REFRESH_INTERVAL = dt.timedelta(hours=1)
# Strings shorter than this are not searched for: one letter would match everything.
MIN_PRIVATE_LENGTH = 2
UTC = dt.UTC


@dataclass(frozen=True)
class FeedEvent:
    """One calendar entry, already stripped to what a phone may hold."""

    uid: str
    summary: str
    location: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    stamp: dt.datetime
    sequence: int

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)


# --- client details the feed must not carry ------------------------------------------------------------------


def private_strings(client: Client | None) -> list[str]:
    """The parts of a client's record that identify them or where they live: their names, postcode, and the
    lines of their address that pin it down (the first line, and any with a number; not a town on its own,
    which would blank every place in London)."""
    if client is None:
        return []
    found = [client.first_name, client.last_name, client.preferred_name, client.postcode]
    parts = [part.strip() for part in re.split(r"[\n,]+", client.address or "") if part.strip()]
    found += [part for i, part in enumerate(parts) if i == 0 or any(ch.isdigit() for ch in part)]
    return [text.strip() for text in found if len(text.strip()) >= MIN_PRIVATE_LENGTH]


def mentions_any(text: str, private: Iterable[str]) -> bool:
    """Whether `text` contains any of `private`, ignoring case."""
    return any(re.search(re.escape(item), text, re.IGNORECASE) for item in private)


# --- records to events ---------------------------------------------------------------------------------------


def _place(name: str, fallback: str, private: Sequence[str]) -> str:
    name = name.strip()
    return fallback if not name or mentions_any(name, private) else name


def _establishment_place(establishment: Establishment, private: Sequence[str]) -> str:
    return _place(establishment.name, establishment.get_kind_display(), private)


def appointment_place(appointment: Appointment, private: Sequence[str]) -> str:
    """Where the appointment is, as the feed may say it: a home visit is only "Home visit"; a prison or court
    by its name; a phone call nowhere (its "place" may be a number); otherwise what was typed, unless it
    mentions a client."""
    if appointment.kind == AppointmentKind.HOME_VISIT:
        return HOME_VISIT_PLACE
    if appointment.establishment_id is not None and appointment.establishment is not None:
        return _establishment_place(appointment.establishment, private)
    if appointment.kind == AppointmentKind.PHONE:
        return ""
    return _place(appointment.location, "", private)


def _summary(kind: str, client_id: object, references: dict) -> str:
    if client_id is None:
        return kind
    return f"{kind} — {references.get(client_id) or NO_CASE_REFERENCE}"


def _stamp(record: Appointment | Hearing | CustodyEpisode, fallback: dt.datetime) -> dt.datetime:
    return (getattr(record, "updated_at", None) or fallback).astimezone(UTC)


def feed_events(entries: CalendarEntries, *, now: dt.datetime) -> list[FeedEvent]:
    """The events of a feed, soonest first. Every text is built from the record's kind, its case reference
    and the place; nothing else about the client is read."""
    clients = {record.client_id: record.client for record in entries.records if record.client_id is not None}
    # Every client's details are kept out of every event: a place typed on one client's appointment may
    # name another (a group visit).
    private = [text for client in clients.values() for text in private_strings(client)]
    refs = entries.case_references
    events: list[FeedEvent] = []
    for appointment in entries.appointments:
        events.append(
            FeedEvent(
                uid=f"appointment-{appointment.pk}@keyworker",
                summary=_summary(appointment.get_kind_display(), appointment.client_id, refs),
                location=appointment_place(appointment, private),
                start=appointment.starts_at.astimezone(UTC),
                end=appointment.ends_at.astimezone(UTC),
                stamp=_stamp(appointment, now),
                sequence=appointment.version or 0,
            )
        )
    for hearing in entries.hearings:
        events.append(
            FeedEvent(
                uid=f"hearing-{hearing.pk}@keyworker",
                summary=_summary(f"Court hearing ({hearing.get_kind_display()})", hearing.client_id, refs),
                location=_establishment_place(hearing.court, private),
                start=hearing.starts_at.astimezone(UTC),
                end=(hearing.starts_at + HEARING_SLOT).astimezone(UTC),
                stamp=_stamp(hearing, now),
                sequence=hearing.version or 0,
            )
        )
    for episode in entries.releases:
        day = episode.released_on or episode.release_on
        if day is None:
            continue
        events.append(
            FeedEvent(
                uid=f"release-{episode.pk}@keyworker",
                summary=_summary("Release from custody", episode.client_id, refs),
                location=_establishment_place(episode.establishment, private),
                start=day,
                end=day + dt.timedelta(days=1),
                stamp=_stamp(episode, now),
                sequence=episode.version or 0,
            )
        )

    def order(event: FeedEvent) -> tuple[dt.datetime, str]:
        start = event.start
        if not isinstance(start, dt.datetime):
            start = dt.datetime.combine(start, dt.time.min, tzinfo=UTC)
        return start, event.uid

    return sorted(events, key=order)


def calendar_bytes(events: Iterable[FeedEvent]) -> bytes:
    """The iCalendar (RFC 5545) document for `events`: times in UTC, all-day events as dates."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", CALENDAR_NAME)
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", item.stamp)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        event.add("sequence", item.sequence)
        # A release date is a reminder, not time the worker is busy.
        event.add("transp", "TRANSPARENT" if item.all_day else "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_build(entries: CalendarEntries, *, now: dt.datetime) -> bytes:
    return calendar_bytes(feed_events(entries, now=now))
