"""Reading a client's milestones, the spells (jobs and homes) with their checks and what each has reached, the
proven offences and the reoffending measure. All part of the client's file: in reach exactly when the client is
(policy.milestones_visible_to, policy.clients_visible_to); anything else is NotFound."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.outcomes.models import Milestone, MilestoneKind, ProvenOffence, Spell
from keyworker.outcomes.rules import milestones as rules
from keyworker.outcomes.services.milestones import case_started_on
from keyworker.people.models import Client
from keyworker.people.selectors import client_check_for as _check_client

__all__ = [
    "ReoffendingMeasure",
    "SpellView",
    "milestones_for",
    "proven_offences_for",
    "reoffending_for",
    "spell_get_for",
    "spells_for",
]


def milestones_for(user: User, client: Client) -> QuerySet[Milestone]:
    """The client's milestones, newest first, with who recorded each."""
    _check_client(user, client)
    return (
        policy.milestones_visible_to(user)
        .filter(client=client)
        .select_related("recorded_by")
        .order_by("-achieved_on", "-created_at")
    )


@dataclass(frozen=True)
class SpellView:
    """A job or home with its checks (oldest first) and the milestones it has reached (kind label, date)."""

    spell: Spell
    checks: list
    reached: list[tuple[str, dt.date]]
    next_target: tuple[str, dt.date] | None  # the next milestone it could reach, and when, if it keeps going


def _spells(client: Client) -> QuerySet[Spell]:
    return (
        Spell.objects.filter(client=client)
        .select_related("client")
        .prefetch_related("checks__checked_by")
        .order_by("-started_on", "-created_at")
    )


def spells_for(user: User, client: Client, *, today: dt.date | None = None) -> list[SpellView]:
    """The client's jobs and homes, newest first, each with its checks and what it has reached by today."""
    _check_client(user, client)
    today = today or timezone.localdate()
    labels = dict(MilestoneKind.choices)
    views = []
    for spell in _spells(client):
        checks = sorted(spell.checks.all(), key=lambda c: (c.checked_on, c.created_at))
        facts = rules.SpellFacts(
            kind=spell.kind,
            description=spell.description,
            started_on=spell.started_on,
            ended_on=spell.ended_on,
            checks=tuple(rules.CheckFacts(c.checked_on, c.still_going) for c in checks),
        )
        reached = rules.spell_reached(facts, today)
        done = {kind for kind, _ in reached}
        upcoming = [
            (labels[kind], period.after(spell.started_on))
            for kind, period in rules.SPELL_TARGETS.get(spell.kind, ())
            if kind not in done
        ]
        views.append(
            SpellView(
                spell=spell,
                checks=checks,
                reached=[(labels[kind], on) for kind, on in reached],
                next_target=upcoming[0] if upcoming and spell.ended_on is None else None,
            )
        )
    return views


def spell_get_for(user: User, spell_id: uuid.UUID | str) -> Spell:
    """One spell, in reach exactly when its client is."""
    return one_or_not_found(
        Spell.objects.filter(client__in=policy.clients_visible_to(user)).select_related("client"), pk=spell_id
    )


def proven_offences_for(user: User, client: Client) -> QuerySet[ProvenOffence]:
    """The client's proven offences, most recently committed first."""
    _check_client(user, client)
    return (
        ProvenOffence.objects.filter(client=client).select_related("recorded_by").order_by("-offence_on", "-proven_on")
    )


@dataclass(frozen=True)
class ReoffendingMeasure:
    """The one-year proven reoffending measure, for display: status, its date, and a sentence saying it."""

    status: str  # rules.NOT_YET_MEASURABLE, NO_PROVEN_REOFFENDING, REOFFENDED, or "no_start"
    on: dt.date | None
    started_on: dt.date | None
    text: str


def reoffending_for(user: User, client: Client, *, today: dt.date | None = None) -> ReoffendingMeasure:
    """Where the client stands on the reoffending measure today."""
    _check_client(user, client)
    today = today or timezone.localdate()
    start = case_started_on(client)
    if start is None:
        return ReoffendingMeasure("no_start", None, None, "Not measurable: there is no start of support on record.")
    status, on = rules.reoffending_status(start, ProvenOffence.objects.filter(client=client), today)
    text = {
        rules.NOT_YET_MEASURABLE: f"Not yet measurable until {rules.long_date(on)}",
        rules.NO_PROVEN_REOFFENDING: f"No proven reoffending in the 12 months from {rules.long_date(start)} "
        f"(measured on {rules.long_date(on)})",
        rules.REOFFENDED: f"Reoffended: an offence committed on {rules.long_date(on)}, within 12 months of the start "
        f"on {rules.long_date(start)}, was proven",
    }[status]
    return ReoffendingMeasure(status, on, start, text)
