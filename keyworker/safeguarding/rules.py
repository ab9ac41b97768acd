"""Safeguarding rules as plain functions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar
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


# --- concerns (issue 7) ------------------------------------------------------------------------------------

CONCERN_REVIEW_DAYS = 7
# Categories where a week is too long to wait for a second look.
CONCERN_URGENT_REVIEW_DAYS = {"threat_to_life": 2, "child_at_risk": 2}
CONCERN_STATUS_MOVES = {
    "open": {"with_lead", "closed"},
    "with_lead": {"open", "closed"},
    "closed": {"open", "with_lead"},
}


CLOSING_NOTE_PROBLEM = "Say why it is being closed (what was done, and why nothing more is needed)."


def concern_review_on(category: str, disclosed_on: dt.date) -> dt.date:
    """When a concern is next looked at, unless the recorder chooses: 7 days after the disclosure, 2 for a
    threat to life or a child at risk."""
    return disclosed_on + dt.timedelta(days=CONCERN_URGENT_REVIEW_DAYS.get(category, CONCERN_REVIEW_DAYS))


def concern_status_problem(current: str, new: str, *, is_lead: bool, note: str) -> str | None:
    """Whether a concern may move from `current` to `new`: open -> with the lead -> closed; closing needs a
    note saying why; only the safeguarding lead reopens a closed concern."""
    if new == current:
        return "It already has that status."
    if new not in CONCERN_STATUS_MOVES.get(current, set()):
        return "Choose open, with the safeguarding lead or closed."
    if current == "closed" and not is_lead:
        return "Only the safeguarding lead can reopen a closed concern."
    if new == "closed" and len(note.strip()) < REASON_MIN_CHARS:
        return CLOSING_NOTE_PROBLEM
    return None


# --- risk reviews and safety plans (issue 7) -----------------------------------------------------------------
# A person judges each level and says why; these rules only compare what people recorded and suggest a date.

RISK_LEVELS = ("low", "medium", "high", "very_high")  # safeguarding.models.RiskLevel, lowest first
RISK_DIMENSIONS = ("risk_to_self", "risk_to_others", "risk_from_others")
RISK_DIMENSION_LABELS = {
    "risk_to_self": "Risk to self",
    "risk_to_others": "Risk to others",
    "risk_from_others": "Risk from others",
}
# A first review at one of these levels alerts the manager too: for them it is as new as a rise.
ALERTING_FIRST_LEVELS = frozenset({"high", "very_high"})
# Days until the suggested next review, by the highest level: the higher the risk, the sooner.
REVIEW_INTERVAL_DAYS = {"very_high": 7, "high": 14, "medium": 42, "low": 84}
RISK_REASONS_MIN_CHARS = 10


def risk_rank(level: str) -> int:
    """0 for low up to 3 for very high; ValueError for anything else."""
    return RISK_LEVELS.index(level)


def risk_rises(previous: Mapping[str, str] | None, new: Mapping[str, str]) -> list[str]:
    """The dimensions (of RISK_DIMENSIONS, in that order) whose level went up from `previous` to `new`.
    With no previous review, the dimensions judged high or very high: a first review that finds high risk is
    news to the manager just as a rise is. A fall or no change is never a rise."""
    if previous is None:
        return [d for d in RISK_DIMENSIONS if new[d] in ALERTING_FIRST_LEVELS]
    return [d for d in RISK_DIMENSIONS if risk_rank(new[d]) > risk_rank(previous[d])]


def suggested_next_review(levels: Iterable[str], reviewed_on: dt.date) -> dt.date:
    """A suggested next review date, set by the highest of the levels (very high 7 days, high 14, medium 42,
    low 84). Only a suggestion: the reviewer confirms or changes it."""
    highest = max((risk_rank(level) for level in levels), default=0)
    return reviewed_on + dt.timedelta(days=REVIEW_INTERVAL_DAYS[RISK_LEVELS[highest]])


def risk_review_problems(
    *, levels: Mapping[str, str], reasons: str, reviewed_on: dt.date, next_review_on: dt.date | None, today: dt.date
) -> dict[str, list[str]]:
    """What is wrong with a risk review: every level judged (nothing is filled in for the reviewer), the reasons
    given, not reviewed in the future, and a next review that is not in the past nor before the review."""
    problems: dict[str, list[str]] = {}
    for dimension in RISK_DIMENSIONS:
        if levels.get(dimension, "") not in RISK_LEVELS:
            label = RISK_DIMENSION_LABELS[dimension].lower()
            problems[dimension] = [f"Choose the {label}: low, medium, high or very high."]
    if len(reasons.strip()) < RISK_REASONS_MIN_CHARS:
        problems["reasons"] = ["Say why you judged the risk this way: the reasons are the record."]
    if reviewed_on > today:
        problems["reviewed_on"] = ["A review cannot be dated in the future."]
    if next_review_on is None:
        problems["next_review_on"] = ["Enter the date of the next review."]
    elif next_review_on < max(today, reviewed_on):
        problems["next_review_on"] = ["The next review cannot be in the past."]
    return problems


def safety_plan_problems(
    *,
    emergency_plan: str,
    relocation_status: str,
    moved_on: dt.date | None,
    next_check_in_on: dt.date | None,
    today: dt.date,
) -> dict[str, list[str]]:
    """What is wrong with a safety plan: it must say what to do in an emergency; "moved" needs the date of the
    move (not in the future), and only a move has one; a next check-in after a move is on or after the move."""
    problems: dict[str, list[str]] = {}
    if not emergency_plan.strip():
        problems["emergency_plan"] = ["Say what to do in an emergency."]
    if relocation_status == "moved":
        if moved_on is None:
            problems["moved_on"] = ["Enter the date they moved."]
        elif moved_on > today:
            problems["moved_on"] = [
                "The move cannot be in the future: choose \u201cMove being arranged\u201d until it happens."
            ]
        elif next_check_in_on is not None and next_check_in_on < moved_on:
            problems["next_check_in_on"] = ["The next check-in must be on or after the day they moved."]
    elif moved_on is not None:
        problems["moved_on"] = ["Leave the date of the move empty unless they have moved."]
    return problems


# --- DASH and MARAC (issue 7) ------------------------------------------------------------------------------
# The domestic abuse, stalking and harassment risk checklist: 24 questions asked of the person at risk, in the
# checklist's standard order, put in our own words. "The abuser" is whoever the person at risk is afraid of.

DASH_QUESTIONS: tuple[str, ...] = (
    "Were you injured in what happened this time?",
    "Are you very frightened?",
    "Are you afraid of something more happening, such as being hurt again or worse?",
    "Do you feel cut off from your family or friends?",
    "Are you feeling low or depressed, or having thoughts of ending your life?",
    "Have you separated from the abuser, or tried to, in the past year?",
    "Is there conflict with the abuser about contact with the children?",
    "Does the abuser keep texting, calling, following, stalking or harassing you?",
    "Are you pregnant, or have you had a baby in the last 18 months?",
    "Is the abuse happening more often than before?",
    "Is the abuse getting worse?",
    "Does the abuser try to control everything you do, or are they extremely jealous?",
    "Has the abuser ever used a weapon or an object to hurt you?",
    "Has the abuser ever threatened to kill you or someone else, and you believed them?",
    "Has the abuser ever tried to strangle, choke, suffocate or drown you?",
    "Does the abuser do or say sexual things that make you feel bad or hurt you or someone else?",
    "Is there anyone else who has threatened you, or who you are afraid of?",
    "Do you know of the abuser hurting anyone else (children, relatives, a stranger, a past partner)?",
    "Has the abuser ever hurt or mistreated an animal or a family pet?",
    "Are there money problems, such as relying on the abuser for money, or the abuser losing their job?",
    "In the past year, has the abuser had problems with drugs, alcohol or mental health affecting daily life?",
    "Has the abuser ever threatened or tried to take their own life?",
    "Has the abuser ever broken bail, an injunction or an agreement about when they may see you or the children?",
    "Has the abuser ever been in trouble with the police, or do they have a criminal history?",
)
DASH_ANSWERS: dict[str, str] = {"yes": "Yes", "no": "No", "not_known": "Not known"}
MARAC_SCORE_THRESHOLD = 14
MARAC_INCIDENTS_THRESHOLD = 3


def dash_question_keys() -> list[str]:
    """The keys answers are stored under: "1" to "24"."""
    return [str(number) for number in range(1, len(DASH_QUESTIONS) + 1)]


def dash_unanswered(answers: Mapping[str, str]) -> list[int]:
    """The numbers of the questions without one of the three answers (missing, blank or anything else)."""
    return [int(key) for key in dash_question_keys() if answers.get(key) not in DASH_ANSWERS]


def dash_score(answers: Mapping[str, str]) -> int:
    """The count of "yes" answers among the 24 questions. "No", "not known" and anything else count nothing:
    a score only ever rests on what the person said."""
    return sum(1 for key in dash_question_keys() if answers.get(key) == "yes")


def dash_yes_questions(answers: Mapping[str, str]) -> list[tuple[int, str]]:
    """(number, question) of each question answered "yes", in order."""
    return [(number, text) for number, text in enumerate(DASH_QUESTIONS, start=1) if answers.get(str(number)) == "yes"]


def marac_threshold(
    score: int, incidents_in_last_12_months: int | None, professional_judgement: bool
) -> tuple[bool, list[str]]:
    """Whether a case meets the MARAC threshold, and why in words. Any one of: a DASH score of 14 or more;
    3 or more incidents in the last 12 months (potential escalation); the professional judgement of the
    person assessing. Judgement can only raise: a score of 14 meets the threshold whatever it says.
    When not met, the one reason says what was looked at."""
    reasons = []
    if score >= MARAC_SCORE_THRESHOLD:
        reasons.append(
            f"Visible high risk: {score} of 24 questions answered yes ({MARAC_SCORE_THRESHOLD} or more meets the "
            "threshold)."
        )
    incidents = incidents_in_last_12_months or 0
    if incidents >= MARAC_INCIDENTS_THRESHOLD:
        reasons.append(
            f"Potential escalation: {incidents} incidents in the last 12 months "
            f"({MARAC_INCIDENTS_THRESHOLD} or more meets the threshold)."
        )
    if professional_judgement:
        reasons.append("Professional judgement: the person assessing judged the risk to be high.")
    if reasons:
        return True, reasons
    known = "no incidents recorded" if incidents_in_last_12_months is None else f"{incidents} incidents"
    return False, [
        f"Below the MARAC threshold: {score} of 24 answered yes, {known} in the last 12 months, and no "
        "professional judgement of high risk."
    ]


# --- NRM tracking (issue 7) ----------------------------------------------------------------------------------


def nrm_is_open(reasonable_grounds: str, conclusive_grounds: str) -> bool:
    """Still waiting on the Home Office: no negative reasonable-grounds decision and no conclusive decision."""
    return reasonable_grounds != "negative" and conclusive_grounds == "pending"


def nrm_decision_problems(
    *,
    referred_on: dt.date,
    reasonable_grounds: str,
    reasonable_grounds_on: dt.date | None,
    conclusive_grounds: str,
    conclusive_grounds_on: dt.date | None,
    today: dt.date,
) -> dict[str, list[str]]:
    """What is wrong with the decisions recorded on an NRM referral: a decision needs its date and a date needs
    a decision; no decision before the referral or in the future; a conclusive decision only after a positive
    reasonable-grounds one, and not before it. Decisions are "pending", "positive" or "negative"."""
    problems: dict[str, list[str]] = {}
    for field, decision, on in (
        ("reasonable_grounds", reasonable_grounds, reasonable_grounds_on),
        ("conclusive_grounds", conclusive_grounds, conclusive_grounds_on),
    ):
        name = "reasonable-grounds" if field == "reasonable_grounds" else "conclusive-grounds"
        if decision != "pending" and on is None:
            problems[f"{field}_on"] = [f"Enter the date of the {name} decision."]
        elif decision == "pending" and on is not None:
            problems[f"{field}_on"] = [f"Leave the date empty until the {name} decision is made."]
        elif on is not None and on < referred_on:
            problems[f"{field}_on"] = [f"The {name} decision cannot be before the referral ({referred_on:%-d %B %Y})."]
        elif on is not None and on > today:
            problems[f"{field}_on"] = [f"The {name} decision date cannot be in the future."]
    if conclusive_grounds != "pending" and reasonable_grounds != "positive":
        problems["conclusive_grounds"] = [
            "A conclusive-grounds decision comes only after a positive reasonable-grounds decision."
        ]
    elif (
        conclusive_grounds_on is not None
        and reasonable_grounds_on is not None
        and conclusive_grounds_on < reasonable_grounds_on
        and "conclusive_grounds_on" not in problems
    ):
        problems["conclusive_grounds_on"] = [
            "The conclusive-grounds decision cannot be before the reasonable-grounds one."
        ]
    return problems


# --- the on-call line (issue 7): rota and morning handover ---------------------------------------------------
# Working days are Monday to Friday (bank holidays are not known here: on one, the handover page is simply
# opened with its date). All times are London wall-clock times; zoneinfo handles the clock changes.

MAX_SHIFT_HOURS = 72  # a whole weekend (Friday 17:30 to Monday 09:00) is 63.5 hours


class _Shift(Protocol):
    @property
    def starts_at(self) -> dt.datetime: ...
    @property
    def ends_at(self) -> dt.datetime: ...


ShiftT = TypeVar("ShiftT", bound=_Shift)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after `day` (Friday, Saturday and Sunday all give the Monday)."""
    following = day + dt.timedelta(days=1)
    while not is_working_day(following):
        following += dt.timedelta(days=1)
    return following


def previous_working_day(day: dt.date) -> dt.date:
    earlier = day - dt.timedelta(days=1)
    while not is_working_day(earlier):
        earlier -= dt.timedelta(days=1)
    return earlier


def handover_window(morning: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the calls the handover on `morning` lists: from office close (17:30 London) on the
    working day before to 09:00 on `morning`. A Monday's covers the whole weekend from Friday 17:30."""
    start = dt.datetime.combine(previous_working_day(morning), OFFICE_CLOSES, tzinfo=LONDON)
    end = dt.datetime.combine(morning, OFFICE_OPENS, tzinfo=LONDON)
    return start, end


def handover_morning(moment: dt.datetime) -> dt.date:
    """The working morning whose handover lists a call taken at `moment`: that day if it is a working day
    before 09:00, otherwise the next working day. (A call in office hours is the team's own that day: it
    falls in no handover window, and its tasks are due the next working day.)"""
    local = moment.astimezone(LONDON)
    if is_working_day(local.date()) and local.time() < OFFICE_OPENS:
        return local.date()
    return next_working_day(local.date())


def on_call_now(shifts: Iterable[ShiftT], now: dt.datetime) -> list[ShiftT]:
    """The shifts covering `now` (a shift includes its start and excludes its end)."""
    return [shift for shift in shifts if shift.starts_at <= now < shift.ends_at]


def shift_problems(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> dict[str, list[str]]:
    """What is wrong with a shift's times, by field."""
    if ends_at <= starts_at:
        return {"ends_at": ["The shift must end after it starts."]}
    if ends_at - starts_at > dt.timedelta(hours=MAX_SHIFT_HOURS):
        return {"ends_at": [f"A shift can be at most {MAX_SHIFT_HOURS} hours long; add another for the rest."]}
    if ends_at <= now:
        return {"ends_at": ["This shift would already be over."]}
    return {}
