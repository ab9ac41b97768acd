"""Letters drafted from recorded facts: gathering the facts (letter_facts) and filling a template's
{placeholders} with them (fill_template). Pure: the selector reads the records and passes plain values in.

Two rules a person relies on: nothing is invented (every sentence is built only from the facts passed in, and
a placeholder with no fact behind it is left visible as [missing: name]), and every placeholder is either
filled or marked, so a gap cannot slip into a letter to a court unnoticed (finalising refuses a letter that
still has one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "IN_PERSON_KINDS",
    "PLACEHOLDERS",
    "ContactFact",
    "CourseFact",
    "HearingFact",
    "LetterFacts",
    "MentoringFact",
    "MilestoneFact",
    "fill_template",
    "letter_facts",
    "long_date",
    "missing_mark",
    "missing_marks",
    "placeholder_values",
    "placeholders_in",
]

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
MISSING = re.compile(r"\[missing: [a-z_]+\]")


def missing_mark(name: str) -> str:
    return f"[missing: {name}]"


PLACEHOLDERS: dict[str, str] = {
    "salutation": "How the letter opens: Your Honour (a Crown Court) or Dear Sir or Madam.",
    "court": "The court of the client's next hearing.",
    "hearing_date": "The date of that hearing.",
    "charges": "The charges before the court at that hearing.",
    "client_name": "The client's full name.",
    "first_name": "The client's first name, for later mentions.",
    "writer_name": "Your name.",
    "writer_role": "Your role, e.g. caseworker.",
    "organisation": "The charity.",
    "relationship": "How you know the client: as their keyworker, or through the charity's work with them.",
    "engaged_since": "When the client's first episode of support with us began.",
    "engagement": "How often we have been in contact and met, since then.",
    "courses": "Courses completed with us, with dates, and qualifications gained.",
    "milestones": "Milestones recorded (work, housing, drug-free, and so on), with dates.",
    "mentoring": "The client's own peer mentoring: since when, how many sessions.",
    "today": "The date of the letter.",
}
# Contacts that are a meeting in person (the rest are calls, texts and other).
IN_PERSON_KINDS = ("office", "home_visit", "prison_visit", "court", "gate", "mentoring")


@dataclass(frozen=True)
class ContactFact:
    kind: str  # casework.ContactKind value
    label: str  # its display label, e.g. "Office meeting"
    on: dt.date


@dataclass(frozen=True)
class CourseFact:
    title: str
    completed_on: dt.date | None
    qualification: str = ""


@dataclass(frozen=True)
class MilestoneFact:
    kind: str  # outcomes.MilestoneKind value
    label: str  # its display label
    achieved_on: dt.date
    detail: str = ""
    self_reported: bool = False


@dataclass(frozen=True)
class MentoringFact:
    """One relationship in which the client is the mentor."""

    started_on: dt.date
    sessions: int
    mentee_is_younger: bool | None = None  # None when either date of birth is unknown


@dataclass(frozen=True)
class HearingFact:
    court: str
    court_kind: str  # custody.EstablishmentKind value
    starts_on: dt.date
    charges: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterFacts:
    """Everything a letter may say, each from a record. Empty where nothing is recorded."""

    client_name: str
    writer_name: str
    writer_role: str
    organisation: str
    today: dt.date
    engaged_since: dt.date | None = None
    contacts_total: int = 0
    contacts_in_person: int = 0
    contacts_by_kind: tuple[tuple[str, int], ...] = ()  # (label, count), most first
    courses: tuple[CourseFact, ...] = ()
    qualifications: tuple[str, ...] = ()
    milestones: tuple[MilestoneFact, ...] = ()
    mentoring_since: dt.date | None = None
    mentoring_sessions: int = 0
    mentees: int = 0
    mentees_all_younger: bool = False
    hearing: HearingFact | None = None
    charges: tuple[str, ...] = field(default=())
    first_name: str = ""
    writer_is_keyworker: bool = False

    @property
    def called(self) -> str:
        """How later sentences name the client: their first name, else their full name."""
        return self.first_name or self.client_name

    @property
    def court(self) -> str:
        return self.hearing.court if self.hearing else ""


# Milestones that a course list already says (a completed course, a qualification) are told with the courses.
COURSE_MILESTONES = ("completed_course", "qualification")


def letter_facts(
    *,
    client_name: str,
    writer_name: str,
    writer_role: str,
    organisation: str,
    today: dt.date,
    first_name: str = "",
    writer_is_keyworker: bool = False,
    cases_opened_on: Iterable[dt.date] = (),
    contacts: Iterable[ContactFact] = (),
    courses: Iterable[CourseFact] = (),
    milestones: Iterable[MilestoneFact] = (),
    mentoring: Iterable[MentoringFact] = (),
    mentoring_started_on: dt.date | None = None,
    hearing: HearingFact | None = None,
    other_charges: Sequence[str] = (),
) -> LetterFacts:
    """The facts of a letter, from plain values. Nothing after `today` counts (a letter speaks of what has
    happened). Courses recorded both as an enrolment and as a milestone are told once."""
    opened = sorted(d for d in cases_opened_on if d <= today)
    engaged_since = opened[0] if opened else None
    in_period = [c for c in contacts if c.on <= today and (engaged_since is None or c.on >= engaged_since)]
    by_kind = Counter(c.label for c in in_period)
    in_person = sum(1 for c in in_period if c.kind in IN_PERSON_KINDS)

    course_list: list[CourseFact] = []
    seen_titles: set[str] = set()
    for course in sorted(courses, key=lambda c: (c.completed_on or dt.date.max, c.title)):
        if course.completed_on is not None and course.completed_on > today:
            continue
        key = course.title.strip().casefold()
        if key and key not in seen_titles:
            seen_titles.add(key)
            course_list.append(course)
    qualifications: list[str] = [c.qualification.strip() for c in course_list if c.qualification.strip()]
    other_milestones: list[MilestoneFact] = []
    for m in sorted(milestones, key=lambda m: (m.achieved_on, m.label)):
        if m.achieved_on > today:
            continue
        detail = m.detail.strip()
        if m.kind == "completed_course":
            if detail and detail.casefold() not in seen_titles:
                seen_titles.add(detail.casefold())
                course_list.append(CourseFact(title=detail, completed_on=m.achieved_on))
            continue
        if m.kind == "qualification":
            if detail and detail.casefold() not in {q.casefold() for q in qualifications}:
                qualifications.append(detail)
            continue
        other_milestones.append(m)

    relationships = [r for r in mentoring if r.started_on <= today]
    starts = [r.started_on for r in relationships]
    if mentoring_started_on is not None and mentoring_started_on <= today:
        starts.append(mentoring_started_on)
    charges = hearing.charges if hearing and hearing.charges else tuple(other_charges)
    return LetterFacts(
        client_name=client_name,
        first_name=first_name.strip(),
        writer_is_keyworker=writer_is_keyworker,
        writer_name=writer_name,
        writer_role=writer_role,
        organisation=organisation,
        today=today,
        engaged_since=engaged_since,
        contacts_total=len(in_period),
        contacts_in_person=in_person,
        contacts_by_kind=tuple(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
        courses=tuple(course_list),
        qualifications=tuple(qualifications),
        milestones=tuple(other_milestones),
        mentoring_since=min(starts) if starts else None,
        mentoring_sessions=sum(r.sessions for r in relationships),
        mentees=len(relationships),
        mentees_all_younger=bool(relationships) and all(r.mentee_is_younger for r in relationships),
        hearing=hearing,
        charges=tuple(c for c in charges if c.strip()),
    )


# ------------------------------------------------------------------------------------------------ wording


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _month(day: dt.date) -> str:
    return f"{day:%B %Y}"


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _and(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _engagement(f: LetterFacts) -> str | None:
    if f.engaged_since is None or f.contacts_total == 0:
        return None
    parts = [_plural(n, label.lower()) for label, n in f.contacts_by_kind]
    since = long_date(f.engaged_since)
    sentence = f"Since {since} we have been in contact with {f.called} {_times(f.contacts_total)}"
    if f.contacts_in_person == f.contacts_total > 1:
        sentence += ", every time in person"
    elif f.contacts_in_person:
        sentence += f", {_times(f.contacts_in_person)} in person"
    return sentence + f" ({_and(parts)})."


def _courses(f: LetterFacts) -> str | None:
    if not f.courses and not f.qualifications:
        return None
    sentences = []
    with_courses = {c.qualification.strip().casefold() for c in f.courses if c.qualification.strip()}
    if f.courses:
        done = []
        for c in f.courses:
            text = c.title + (f" on {long_date(c.completed_on)}" if c.completed_on else "")
            if c.qualification.strip():
                text += f", gaining {c.qualification.strip()}"
            done.append(text)
        sentences.append(f"{f.called} has completed {_and(done)}.")
    others = [q for q in f.qualifications if q.casefold() not in with_courses]
    if others:
        sentences.append(f"{f.called} has {'also ' if f.courses else ''}gained {_and(others)}.")
    return " ".join(sentences)


def _milestones(f: LetterFacts) -> str | None:
    if not f.milestones:
        return None
    told = []
    for m in f.milestones:
        text = m.label[0].lower() + m.label[1:] if m.label else m.kind
        if m.detail.strip():
            text += f" ({m.detail.strip()})"
        text += f", on {long_date(m.achieved_on)}"
        if m.self_reported:
            text += ", as told to us"
        told.append(text)
    return f"We have recorded these steps forward: {'; '.join(told)}."


def _mentoring(f: LetterFacts) -> str | None:
    if f.mentoring_since is None:
        return None
    sentence = f"Since {_month(f.mentoring_since)}, {f.called} has been a peer mentor with us"
    if f.mentees:
        who = "younger people" if f.mentees_all_younger else "people"
        if f.mentees == 1:
            who = "a younger person" if f.mentees_all_younger else "one person"
        sentence += f", supporting {who}"
    sentence += "."
    if f.mentoring_sessions:
        sentence += f" We have recorded {_plural(f.mentoring_sessions, 'mentoring session')}."
    return sentence


def _relationship(f: LetterFacts) -> str | None:
    if not f.called:
        return None
    return f"I am {f.called}'s keyworker" if f.writer_is_keyworker else f"I know {f.called} through that work"


def _in_sentence(offence: str) -> str:
    """An offence as it reads mid-sentence: "Robbery" becomes "robbery", but "ABH" stays as it is."""
    if len(offence) > 1 and offence[0].isupper() and offence[1].islower():
        return offence[0].lower() + offence[1:]
    return offence


def _salutation(f: LetterFacts) -> str | None:
    if f.hearing is None:
        return None
    return "Your Honour" if f.hearing.court_kind == "crown" else "Dear Sir or Madam"


def placeholder_values(f: LetterFacts) -> dict[str, str | None]:
    """Each placeholder's text, or None where nothing is recorded."""
    return {
        "salutation": _salutation(f),
        "court": f.hearing.court if f.hearing and f.hearing.court else None,
        "hearing_date": f"{f.hearing.starts_on:%A} {long_date(f.hearing.starts_on)}" if f.hearing else None,
        "charges": _and([_in_sentence(c.strip()) for c in f.charges]) or None,
        "client_name": f.client_name or None,
        "first_name": f.called or None,
        "writer_name": f.writer_name or None,
        "writer_role": f.writer_role.lower() or None,
        "organisation": f.organisation or None,
        "relationship": _relationship(f),
        "engaged_since": long_date(f.engaged_since) if f.engaged_since else None,
        "engagement": _engagement(f),
        "courses": _courses(f),
        "milestones": _milestones(f),
        "mentoring": _mentoring(f),
        "today": long_date(f.today),
    }


def placeholders_in(body: str) -> list[str]:
    return PLACEHOLDER.findall(body)


def fill_template(body: str, facts: LetterFacts) -> str:
    """`body` with every {placeholder} replaced by its fact, in one pass (a fact that happens to hold braces
    is never read as a placeholder). Unknown placeholders, and known ones with nothing recorded, are left
    visible as [missing: name] so a person notices."""
    values = placeholder_values(facts)

    def one(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return value if value else missing_mark(match.group(1))

    return PLACEHOLDER.sub(one, body)


def missing_marks(text: str) -> list[str]:
    """The [missing: name] marks still in a letter."""
    return MISSING.findall(text)
