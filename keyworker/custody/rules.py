"""The through-the-gate release plan, as plain functions (no database, no HTTP).

A release plan is one need per catalogue entry, each due a set number of days before the release date, so
the plan counts down with it: move the release date and the due dates move too. A need is *settled* when it
is met, declined or not needed; an open need past its due date is *behind*. A settled need is never behind.

The catalogue is spread over the seven resettlement pathways. The day-one practicalities of the gate
(clothes, a charged phone, travel, the probation appointment on the day) sit under "attitudes, thinking and
behaviour", the pathway of the release-day plan itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from keyworker.casework.models import Pathway
from keyworker.custody.models import SETTLED_NEED_STATUSES

OTHER_NEED = "other"  # the key of a need written for one person rather than taken from the catalogue


@dataclass(frozen=True)
class NeedTemplate:
    key: str
    pathway: str
    title: str
    days_before: int  # settled by this many days before release (0: on the day)


CATALOGUE: tuple[NeedTemplate, ...] = (
    NeedTemplate("first_night", Pathway.ACCOMMODATION, "Somewhere to stay the first night", 14),
    NeedTemplate("housing", Pathway.ACCOMMODATION, "Longer-term housing applied for", 28),
    NeedTemplate("course_start", Pathway.ETE, "Course or training start arranged", 7),
    NeedTemplate("prescription", Pathway.HEALTH, "Prescription ready on the day of release", 3),
    NeedTemplate("gp", Pathway.HEALTH, "Registered with a GP", 7),
    NeedTemplate(
        "drug_service", Pathway.DRUGS_ALCOHOL, "Drug and alcohol service appointment for the week after release", 7
    ),
    NeedTemplate("id_documents", Pathway.FINANCE, "ID documents (birth certificate, photo ID)", 21),
    NeedTemplate("bank_account", Pathway.FINANCE, "Bank account open", 14),
    NeedTemplate("benefits", Pathway.FINANCE, "Universal Credit claim ready, with an advance", 7),
    NeedTemplate("debts", Pathway.FINANCE, "Debts and fines: arrangements in place", 14),
    NeedTemplate("family", Pathway.FAMILY, "Family contact and children: arrangements agreed", 14),
    NeedTemplate("probation", Pathway.ATTITUDES, "Probation appointment on the day of release", 7),
    NeedTemplate("gate_kit", Pathway.ATTITUDES, "Clothes and a charged phone for the gate", 2),
    NeedTemplate("gate_travel", Pathway.ATTITUDES, "Travel from the gate arranged", 2),
)
CATALOGUE_BY_KEY = {template.key: template for template in CATALOGUE}


def due_on(release_on: dt.date | None, days_before: int) -> dt.date | None:
    """When a need is due: `days_before` the release (never after it); no release date, no due date."""
    if release_on is None:
        return None
    return release_on - dt.timedelta(days=max(days_before, 0))


@dataclass(frozen=True)
class PlannedNeed:
    key: str
    pathway: str
    title: str
    due_on: dt.date | None


def plan_for(release_on: dt.date | None) -> list[PlannedNeed]:
    """A new release plan: every catalogue need, not started, dated back from the release."""
    return [PlannedNeed(t.key, t.pathway, t.title, due_on(release_on, t.days_before)) for t in CATALOGUE]


def redated(
    key: str, current_due: dt.date | None, old_release: dt.date | None, new_release: dt.date | None
) -> dt.date | None:
    """A need's due date after the release date moves. Catalogue needs take their place before the new
    date; a need written for the person keeps its distance from the release (or its date, if there was no
    release date to measure from), and is never due after the new release."""
    template = CATALOGUE_BY_KEY.get(key)
    if template is not None:
        return due_on(new_release, template.days_before)
    if current_due is None:
        return None
    if old_release is not None and new_release is not None:
        current_due += new_release - old_release
    if new_release is not None and current_due > new_release:
        return new_release
    return current_due


class NeedLike(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def due_on(self) -> dt.date | None: ...
    @property
    def pathway(self) -> str: ...


def is_settled(status: str) -> bool:
    return status in SETTLED_NEED_STATUSES


def is_behind(need: NeedLike, today: dt.date) -> bool:
    """Open and past its due date."""
    return not is_settled(need.status) and need.due_on is not None and need.due_on < today


@dataclass(frozen=True)
class PathwayProgress:
    pathway: str
    label: str
    open: int
    total: int


@dataclass(frozen=True)
class Countdown:
    days_to_go: int | None  # None: no release date; negative: the date has passed
    weeks_to_go: int | None  # whole weeks
    open: int
    total: int
    behind: list[NeedLike]
    by_pathway: list[PathwayProgress]  # the seven pathways in their usual order, with the counts of each

    @property
    def words(self) -> str:
        return countdown_words(self.days_to_go)


# How long after release the release plan stays on the client's custody page, still open to updates.
PLAN_AFTER_RELEASE_DAYS = 84


def countdown_words(days_to_go: int | None) -> str:
    if days_to_go is None:
        return "No release date recorded"
    if days_to_go == 0:
        return "Release is today"
    if days_to_go == 1:
        return "1 day to release"
    if days_to_go > 1:
        return f"{days_to_go} days to release"
    return f"Release date passed {-days_to_go} day{'s' if days_to_go < -1 else ''} ago"


def countdown(release_on: dt.date | None, today: dt.date, needs: Iterable[NeedLike]) -> Countdown:
    needs = list(needs)
    days = (release_on - today).days if release_on is not None else None
    counts = {value: [0, 0] for value in Pathway.values}
    for need in needs:
        tally = counts.setdefault(need.pathway, [0, 0])
        tally[1] += 1
        if not is_settled(need.status):
            tally[0] += 1
    labels = dict(Pathway.choices)
    return Countdown(
        days_to_go=days,
        weeks_to_go=None if days is None else days // 7,
        open=sum(1 for n in needs if not is_settled(n.status)),
        total=len(needs),
        behind=sorted((n for n in needs if is_behind(n, today)), key=lambda n: n.due_on or today),
        by_pathway=[
            PathwayProgress(pathway=key, label=labels.get(key, key), open=tally[0], total=tally[1])
            for key, tally in counts.items()
        ],
    )
