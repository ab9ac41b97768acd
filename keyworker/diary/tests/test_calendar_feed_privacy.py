"""Property tests of the feed builder (no database): whatever names, addresses and places a diary holds, the
.ics never carries a client's name, address line or postcode; and the redaction used for reminder e-mails
leaves no name behind."""

from __future__ import annotations

import datetime as dt
import uuid

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from keyworker.custody.models import CustodyEpisode, Establishment, EstablishmentKind, Hearing, HearingKind
from keyworker.diary.calendar import calendar_build, private_strings
from keyworker.diary.models import Appointment, AppointmentKind
from keyworker.diary.selectors.calendar_feeds import CalendarEntries
from keyworker.people.models import Client

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)

# Every generated name has a letter outside ASCII, so it cannot turn up in the feed by coincidence (the
# feed's own words, kinds and references are ASCII): if it is there, the builder put it there.
ascii_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=8)
marker = st.sampled_from("ÀÉÎÕÜÇÑØÅÆŒáéíóúñçøåæœþðłśżĳ")
names = st.builds(lambda a, m, b: a + m + b, ascii_part, marker, ascii_part)
free_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@st.composite
def clients(draw: st.DrawFn) -> Client:
    street = draw(names)
    return Client(
        first_name=draw(names),
        last_name=draw(names),
        preferred_name=draw(st.one_of(st.just(""), names)),
        address=f"{draw(st.integers(1, 999))} {street} Road\n{draw(free_text)}",
        postcode=draw(st.sampled_from(["", "SE5 0AA"])) + draw(st.sampled_from(["", "Ø"])),
        date_of_birth=dt.date(2000, 1, 1),
    )


@st.composite
def places(draw: st.DrawFn, person: Client) -> str:
    """A place as someone might type it: anything, or something that mentions the client."""
    private = private_strings(person)
    return draw(
        st.one_of(
            free_text,
            st.builds(lambda a, p, b: a + p + b, free_text, st.sampled_from(private), free_text),
            st.just(person.address),
        )
    )


@st.composite
def diaries(draw: st.DrawFn) -> tuple[CalendarEntries, list[Client]]:
    people = draw(st.lists(clients(), min_size=1, max_size=4))
    appointments, hearings, releases = [], [], []
    for person in people:
        for _ in range(draw(st.integers(0, 4))):
            start = NOW + dt.timedelta(hours=draw(st.integers(-600, 4000)))
            establishment = draw(
                st.one_of(
                    st.none(),
                    st.builds(
                        Establishment,
                        kind=st.sampled_from(EstablishmentKind.values),
                        name=st.one_of(free_text, places(person)),
                    ),
                )
            )
            appointments.append(
                Appointment(
                    client=person,
                    kind=draw(st.sampled_from(AppointmentKind.values)),
                    starts_at=start,
                    ends_at=start + dt.timedelta(minutes=draw(st.integers(0, 240))),
                    location=draw(places(person)),
                    establishment=establishment,
                    notes=" ".join(private_strings(person)),
                    updated_at=NOW,
                )
            )
        court = Establishment(kind=EstablishmentKind.CROWN_COURT, name=draw(places(person)))
        if draw(st.booleans()):
            hearings.append(
                Hearing(client=person, court=court, starts_at=NOW + dt.timedelta(days=3),
                        kind=HearingKind.TRIAL, description=person.first_name, updated_at=NOW)
            )
        if draw(st.booleans()):
            releases.append(
                CustodyEpisode(client=person, establishment=court, release_on=NOW.date() + dt.timedelta(days=9),
                               received_on=NOW.date(), updated_at=NOW)
            )
    references = {person.pk: f"KW-{i:06d}" for i, person in enumerate(people) if draw(st.booleans())}
    entries = CalendarEntries(
        appointments=appointments, hearings=hearings, releases=releases, case_references=references
    )
    return entries, people


@settings(max_examples=150, deadline=None)
@given(diaries())
def test_the_builder_never_emits_a_client_detail(diary: tuple[CalendarEntries, list[Client]]):
    entries, people = diary
    raw = calendar_build(entries, now=NOW)
    text = raw.replace(b"\r\n ", b"").decode()
    parsed = icalendar.Calendar.from_ical(raw)
    values = [str(v) for event in parsed.walk("VEVENT") for v in event.values()]
    assert len(parsed.walk("VEVENT")) == len(entries.appointments) + len(entries.hearings) + len(entries.releases)
    for person in people:
        for item in private_strings(person):
            if not any(ord(ch) > 127 for ch in item):
                continue  # e.g. a plain postcode: only the generated non-ASCII details are unmistakable
            assert item not in text and item.lower() not in text.lower(), item
            assert not any(item in value for value in values), item


def test_private_strings_are_names_postcode_and_the_telling_address_lines():
    person = Client(first_name="Ann", last_name="Li", preferred_name="A", postcode="SE5 0AA",
                    address="Flat 2, 7 Mile Road\nCamberwell\nLondon")
    assert private_strings(person) == ["Ann", "Li", "SE5 0AA", "Flat 2", "7 Mile Road"]
    assert private_strings(None) == []
    assert uuid.UUID(str(person.pk))  # an unsaved client still has its id, so the builder can key on it
