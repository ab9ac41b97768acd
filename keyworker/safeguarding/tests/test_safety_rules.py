"""The safety check's plain rules: postcode districts, boroughs, which areas a venue is in, who is to be kept
apart, and warning wording that never names or describes someone the person booking cannot see."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from keyworker.safeguarding.rules import (
    HIDDEN_KEEP_APART_WARNING,
    AreaRecord,
    PairRecord,
    area_is_active,
    booking_warnings,
    borough_key,
    district_covers,
    kept_apart_ids,
    postcode_district,
    unsafe_areas_hit,
)

# ------------------------------------------------------------------------------------------- postcodes


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("se15 4ab", "SE15"),
        ("SE1 2HU", "SE1"),
        ("SE12HU", "SE1"),
        ("  se15   4AB ", "SE15"),
        ("SE15", "SE15"),
        ("se1", "SE1"),
        ("SW1A 1AA", "SW1A"),
        ("EC1A1BB", "EC1A"),
        ("N1 9GU", "N1"),
        ("N19", "N19"),
        ("", ""),
        ("not a postcode", ""),
        ("12345", ""),
    ],
)
def test_postcode_district_examples(postcode, district):
    assert postcode_district(postcode) == district


def test_an_outward_code_matches_only_itself():
    assert district_covers("SE15", "SE15")
    assert not district_covers("SE15", "SE1")
    assert not district_covers("SE1", "SE15")
    assert not district_covers("SE1", "SE10")
    # A district covers its lettered sub-districts (a venue in SW1A is in SW1), never the other way round.
    assert district_covers("SW1", "SW1A")
    assert not district_covers("SW1A", "SW1")
    assert not district_covers("", "SE15")


_AREA_LETTERS = st.sampled_from(["E", "N", "W", "SE", "SW", "NW", "EC", "WC", "CR", "BR", "M", "B"])
_OUTWARD = st.builds(lambda area, n: f"{area}{n}", _AREA_LETTERS, st.integers(min_value=1, max_value=28))
_INWARD = st.builds(
    lambda d, letters: f"{d}{letters}",
    st.integers(min_value=0, max_value=9),
    st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2),
)
_SPACING = st.sampled_from(["", " ", "  ", "\t"])


@given(_OUTWARD, _INWARD, _SPACING, _SPACING, st.booleans())
def test_district_of_a_full_postcode_is_its_outward_code_whatever_the_spacing_and_case(
    outward, inward, lead, middle, lower
):
    written = f"{lead}{outward}{middle}{inward}{lead}"
    assert postcode_district(written.lower() if lower else written) == outward


@given(_OUTWARD, _OUTWARD, _INWARD)
def test_a_venue_is_in_a_district_exactly_when_its_outward_code_is_that_district(unsafe, venue_outward, inward):
    hits = unsafe_areas_hit(
        [AreaRecord(kind="postcode_district", area=unsafe, reason="r")], postcode=f"{venue_outward} {inward}"
    )
    assert bool(hits) == (unsafe == venue_outward)


@given(st.text(alphabet="abcdefghij ", min_size=1, max_size=20), st.booleans(), _SPACING)
def test_borough_matches_ignoring_case_and_spacing(borough, upper, spacing):
    assume(borough.strip())
    written = spacing + "  ".join(borough.split()) + spacing
    written = written.upper() if upper else written.title()
    assert borough_key(written) == borough_key(borough)
    assert unsafe_areas_hit([AreaRecord(kind="borough", area=borough, reason="r")], borough=written)


def test_a_borough_does_not_match_another_or_an_empty_venue():
    areas = [AreaRecord(kind="borough", area="Southwark", reason="r")]
    assert not unsafe_areas_hit(areas, borough="Lambeth")
    assert not unsafe_areas_hit(areas, borough="")
    assert not unsafe_areas_hit(areas, postcode="SE15 4AB")  # a borough is not guessed from a postcode


def test_active_means_not_ended_or_ending_in_the_future():
    today = dt.date(2026, 11, 27)
    assert area_is_active(None, today)
    assert area_is_active(today + dt.timedelta(days=1), today)
    assert not area_is_active(today, today)
    assert not area_is_active(today - dt.timedelta(days=1), today)


# --------------------------------------------------------------------------------------------- keep apart

_IDS = st.integers(min_value=1, max_value=12)


@given(_IDS, st.lists(st.tuples(_IDS, _IDS)), st.sets(_IDS))
def test_kept_apart_are_exactly_the_others_paired_with_the_client(client_id, pairs, others):
    kept = kept_apart_ids(client_id, pairs, others)
    expected = {o for o in others if o != client_id and ((client_id, o) in pairs or (o, client_id) in pairs)}
    assert kept == expected


# A name is a word of letters that cannot turn up by chance in the fixed wording.
_NAME = st.from_regex(r"[A-Z][a-z]{5,9}[A-Z][a-z]{2}", fullmatch=True)
_CASE_REF = st.builds(lambda n: f"KW-{n:06d}", st.integers(min_value=0, max_value=999_999))


@st.composite
def _booking(draw):
    """A client, others on the booking (each visible or not to the person booking), and keep-apart pairs
    among everyone (including pairs not involving the client)."""
    count = draw(st.integers(min_value=0, max_value=6))
    people = {}
    for other_id in range(1, count + 1):
        people[other_id] = {
            "first": draw(_NAME),
            "last": draw(_NAME),
            "preferred": draw(_NAME),
            "case_ref": draw(_CASE_REF),
            "visible": draw(st.booleans()),
        }
    everyone = [0, *people]
    pairs = draw(st.lists(st.tuples(st.sampled_from(everyone), st.sampled_from(everyone)), max_size=10))
    return people, pairs


def _words_of(person):
    return [person["first"], person["last"], person["preferred"], person["case_ref"]]


@given(_booking(), _NAME, st.booleans())
def test_a_keep_apart_warning_never_names_or_describes_someone_the_booker_cannot_see(
    booking, client_name, reasons_name
):
    people, pairs = booking
    hidden = [p for p in people.values() if not p["visible"]]
    shown_text = client_name + " ".join(" ".join(_words_of(p)) for p in people.values() if p["visible"])
    # A name shared by chance with someone who may be named is not a leak.
    for person in hidden:
        for word in _words_of(person):
            assume(word not in shown_text)

    def reason_for(pk):
        # The worst case: the pair's reason, written by staff, names the other person and their case.
        person = people.get(pk)
        if reasons_name and person:
            return f"Threats from {person['first']} {person['last']} ({person['preferred']}), see {person['case_ref']}"
        return "Conflict between them"

    warnings = booking_warnings(
        0,
        client_name,
        pairs=[PairRecord(a=a, b=b, reason=reason_for(b if a == 0 else a)) for a, b in pairs],
        others={pk: f"{p['first']} {p['last']} ({p['preferred']})" for pk, p in people.items()},
        visible_ids={pk for pk, p in people.items() if p["visible"]},
    )
    text = " ".join(warnings)
    for person in hidden:
        for word in _words_of(person):
            assert word not in text


@given(_booking(), _NAME)
def test_a_warning_fires_exactly_when_someone_to_keep_apart_is_on_the_booking(booking, client_name):
    people, pairs = booking
    kept = {b if a == 0 else a for a, b in pairs if 0 in (a, b) and a != b}
    warnings = booking_warnings(
        0,
        client_name,
        pairs=[PairRecord(a=a, b=b, reason="Conflict") for a, b in pairs],
        others={pk: f"{p['first']} {p['last']}" for pk, p in people.items()},
        visible_ids={pk for pk, p in people.items() if p["visible"]},
    )
    assert bool(warnings) == bool(kept)
    # Each visible person kept apart is named once; the hidden ones share one sentence that names nobody.
    visible_kept = [pk for pk in kept if people[pk]["visible"]]
    hidden_kept = [pk for pk in kept if not people[pk]["visible"]]
    assert len(warnings) == len(visible_kept) + (1 if hidden_kept else 0)
    for pk in visible_kept:
        assert any(people[pk]["first"] in warning for warning in warnings)
    assert (HIDDEN_KEEP_APART_WARNING.format(client=client_name) in warnings) == bool(hidden_kept)


def test_warning_wording():
    warnings = booking_warnings(
        1,
        "Dan Smith",
        areas=[
            AreaRecord(kind="postcode_district", area="SE15", reason="Threats near the estate"),
            AreaRecord(kind="borough", area="Lambeth", reason="Police advice"),
        ],
        postcode="se15 4ab",
        borough="lambeth",
        pairs=[PairRecord(a=1, b=2, reason="Fight in custody"), PairRecord(a=3, b=1, reason="Secret")],
        others={2: "Ali Khan", 3: "Ben Jones"},
        visible_ids={2},
    )
    assert warnings == [
        "Dan Smith should not be sent to SE15 (Threats near the estate).",
        "Dan Smith should not be sent to Lambeth (Police advice).",
        "Dan Smith must be kept apart from Ali Khan (Fight in custody).",
        "Someone booked on this session must be kept apart from Dan Smith. Speak to your manager.",
    ]
    assert "Ben" not in " ".join(warnings)
    assert "Secret" not in " ".join(warnings)
