"""Safeguarding rules as plain functions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# The office day; outside it (and at weekends) the on-call worker covers.
OFFICE_OPENS = dt.time(9, 0)
OFFICE_CLOSES = dt.time(17, 30)
BREAK_GLASS_HOURS = 4
REASON_MIN_CHARS = 10


def is_out_of_hours(moment: dt.datetime) -> bool:
    """True at weekends and outside 09:00-17:30 on weekdays, London time."""
    local = moment.astimezone(LONDON)
    if local.weekday() >= 5:
        return True
    return not (OFFICE_OPENS <= local.time() < OFFICE_CLOSES)


def break_glass_expiry(granted_at: dt.datetime) -> dt.datetime:
    return granted_at + dt.timedelta(hours=BREAK_GLASS_HOURS)


def reason_problem(reason: str) -> str | None:
    """A reason must say something: a word or two is not a reason anyone can review later."""
    if len(reason.strip()) < REASON_MIN_CHARS:
        return f"Give a reason of at least {REASON_MIN_CHARS} characters."
    return None


# Area concerns: looked at again every 3 months, gone after 12 (intelligence goes stale, and an old
# rumour about a place should not follow the people who live there).
AREA_CONCERN_REVIEW_DAYS = 91
AREA_CONCERN_LIFETIME_DAYS = 365


def area_concern_dates(reported_on: dt.date) -> tuple[dt.date, dt.date]:
    """(review by, expires on) for a concern reported on a day."""
    return (
        reported_on + dt.timedelta(days=AREA_CONCERN_REVIEW_DAYS),
        reported_on + dt.timedelta(days=AREA_CONCERN_LIFETIME_DAYS),
    )


def area_concern_reviewed(reviewed_on: dt.date, expires_on: dt.date) -> dt.date:
    """The next review date after a review: 3 months on, but never past the expiry."""
    return min(reviewed_on + dt.timedelta(days=AREA_CONCERN_REVIEW_DAYS), expires_on)


# --- the safety profile (issue 6): unsafe areas and people to keep apart -------------------------------------
# Pure functions: the database work (which records are active, who the actor can see) is done by the caller.

_INWARD_CODE = re.compile(r"[0-9][A-Z]{2}")
_OUTWARD_CODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")


def postcode_district(postcode: str) -> str:
    """The outward code of a full postcode or of an outward code alone, upper case, no spaces:
    "se15 4ab" -> "SE15", "SE1 2HU" -> "SE1", "se15" -> "SE15". "" for anything that is not a postcode.
    No outward code ends in digit-letter-letter, so a trailing inward code is never mistaken for one."""
    compact = "".join(postcode.split()).upper()
    if len(compact) >= 5 and _INWARD_CODE.fullmatch(compact[-3:]):
        compact = compact[:-3]
    return compact if _OUTWARD_CODE.fullmatch(compact) else ""


def borough_key(borough: str) -> str:
    """A borough compared without regard to case or spacing ("  tower   HAMLETS" matches "Tower Hamlets")."""
    return " ".join(borough.split()).casefold()


def tidy_borough(borough: str) -> str:
    """A borough as stored: spacing tidied, as written otherwise."""
    return " ".join(borough.split())


def district_covers(unsafe_district: str, venue_district: str) -> bool:
    """Whether a venue's outward code lies in an unsafe district. SE15 covers only SE15 (never SE1 or SE150);
    SW1 also covers its sub-districts SW1A..SW1Y, because a venue in SW1A is in SW1: over-warning is the
    safer mistake here."""
    if not unsafe_district or not venue_district:
        return False
    if venue_district == unsafe_district:
        return True
    rest = venue_district[len(unsafe_district) :]
    return (
        venue_district.startswith(unsafe_district)
        and unsafe_district[-1].isdigit()
        and len(rest) == 1
        and rest.isalpha()
    )


def area_is_active(ended_on: dt.date | None, today: dt.date) -> bool:
    """An unsafe area or keep-apart pair applies until the day it ends (ended today: no longer)."""
    return ended_on is None or ended_on > today


@dataclass(frozen=True)
class AreaRecord:
    kind: str  # "borough" or "postcode_district" (safeguarding.models.AreaKind)
    area: str
    reason: str


def unsafe_areas_hit(areas: Iterable[AreaRecord], *, postcode: str = "", borough: str = "") -> list[AreaRecord]:
    """The (active) unsafe areas a venue at this postcode/borough lies in."""
    venue_district = postcode_district(postcode)
    venue_borough = borough_key(borough)
    hits = []
    for record in areas:
        if record.kind == "borough":
            if venue_borough and borough_key(record.area) == venue_borough:
                hits.append(record)
        elif district_covers(postcode_district(record.area), venue_district):
            hits.append(record)
    return hits


Id = TypeVar("Id")


def kept_apart_ids(client_id: Id, pairs: Iterable[tuple[Id, Id]], others: Iterable[Id]) -> set[Id]:
    """Which of `others` (ids) the client must be kept apart from, given active pairs (either order)."""
    partners: set[Id] = set()
    for a, b in pairs:
        if a == client_id:
            partners.add(b)
        elif b == client_id:
            partners.add(a)
    return {other for other in others if other in partners and other != client_id}


@dataclass(frozen=True)
class PairRecord(Generic[Id]):
    """An active keep-apart pair: the two ids (either order) and why."""

    a: Id
    b: Id
    reason: str


HIDDEN_KEEP_APART_WARNING = "Someone booked on this session must be kept apart from {client}. Speak to your manager."


def booking_warnings(
    client_id: Id,
    client_name: str,
    *,
    areas: Iterable[AreaRecord] = (),
    postcode: str = "",
    borough: str = "",
    pairs: Iterable[PairRecord[Id]] = (),
    others: Mapping[Id, str] | None = None,
    visible_ids: Container[Id] = frozenset(),
) -> list[str]:
    """Warning sentences, safe to show to the person booking, for booking a client at a venue (postcode and/or
    borough) alongside `others` (id -> name). `visible_ids` holds the ids of the people the person booking
    can see. Someone they cannot see is never named nor described (a pair's reason could say who it is), and
    however many such people there are, one sentence says so: a count would tell something too."""
    others = others or {}
    pairs = list(pairs)
    warnings = [
        f"{client_name} should not be sent to {record.area} ({record.reason.strip()})."
        for record in unsafe_areas_hit(areas, postcode=postcode, borough=borough)
    ]
    to_keep_apart = kept_apart_ids(client_id, [(pair.a, pair.b) for pair in pairs], others)
    # Only the client's own pairs: another pair's reason is about other people.
    reasons = {
        (pair.a if pair.b == client_id else pair.b): pair.reason.strip()
        for pair in pairs
        if client_id in (pair.a, pair.b)
    }
    hidden = False
    for other_id in sorted(to_keep_apart, key=lambda other_id: others[other_id]):
        if other_id in visible_ids:
            warnings.append(f"{client_name} must be kept apart from {others[other_id]} ({reasons[other_id]}).")
        else:
            hidden = True
    if hidden:
        warnings.append(HIDDEN_KEEP_APART_WARNING.format(client=client_name))
    return warnings


# --- information-sharing decisions (issue 7) ---------------------------------------------------------------

SHARING_REASONS_MIN_CHARS = 10


def sharing_decision_problems(
    *, shared: bool, shared_with: str, lawful_basis: str, reasons: str
) -> dict[str, list[str]]:
    """What is wrong with a decision to share (or not): sharing needs a recipient and a lawful basis other than
    "not shared"; not sharing is recorded with the basis "not shared"; either way the reasons must say why.
    `lawful_basis` is checked against the choices by the caller's model."""
    problems: dict[str, list[str]] = {}
    if shared and not shared_with.strip():
        problems["shared_with"] = ["Say who it was shared with."]
    if shared and lawful_basis == "not_applicable":
        problems["lawful_basis"] = ["Choose the lawful basis it was shared on."]
    if not shared and lawful_basis not in ("", "not_applicable"):
        problems["lawful_basis"] = ["Nothing was shared: leave the lawful basis as \u201cNot shared\u201d."]
    if len(reasons.strip()) < SHARING_REASONS_MIN_CHARS:
        problems["reasons"] = [
            "Say why it was shared." if shared else "Say why it was not shared: the reasons matter in a review."
        ]
    return problems
