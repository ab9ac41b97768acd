"""Synthetic rows for `keyworker synth`: pure and deterministic (same seed, same day, same reference rows:
the same rows, byte for byte). No database access here; `load.py` writes what this yields.

Rows are plain dicts keyed by field attname (a field left out gets its model default when loaded). Small
tables are planned up front and kept in memory as compact tuples (staff, clients, cases); the big ones
(contacts, appointments, referrals, audit events) are generated as streams, so national scale never holds
millions of rows at once. Each table draws from its own RNG (seeded with the seed and the table's name), so
changing how one table is generated never shifts another's rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import models

from keyworker.accounts.models import Role, Team, User
from keyworker.audit import chain
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Case, CaseStatus, ClosureReason, Contact, ContactKind, Pathway, Programme, Task
from keyworker.custody.models import CustodyEpisode, LegalStatus, ReleaseType
from keyworker.diary.models import Appointment, AppointmentKind, AppointmentStatus
from keyworker.funding.models import Funder, FundingStream, StreamAllocation
from keyworker.intake.models import Referral, ReferralSource, ReferralStatus, ReferralStep, Urgency
from keyworker.outcomes.models import EvidenceKind, Milestone, MilestoneKind, OutcomeReading, ReadingScore
from keyworker.people.models import Client, Ethnicity, Gender
from keyworker.synth import names

Row = dict[str, Any]
HISTORY_DAYS = 6 * 365 + 1
SYNTH_DOMAIN = "synth.keyworker.test"
DEFAULT_PASSWORD = "synthetic-data-only"  # noqa: S105 - synthetic accounts only, documented in decisions/0029


@dataclass(frozen=True)
class Scale:
    name: str
    clients: int
    staff: int
    contacts: int
    appointments: int
    referrals: int
    audit_events: int

    def scaled(self, fraction: float) -> Scale:
        """A smaller (or larger) copy with the same proportions, e.g. national at 0.05 to time a sample."""
        if fraction == 1:
            return self

        def part(n: int, least: int) -> int:
            return max(least, round(n * fraction))

        return Scale(
            f"{self.name}x{fraction:g}",
            part(self.clients, 10),
            part(self.staff, 6),
            part(self.contacts, 10),
            part(self.appointments, 1),
            part(self.referrals, 1),
            part(self.audit_events, 1),
        )


def _proportional(name: str, clients: int, staff: int, contacts: int) -> Scale:
    # National's ratios: 600k appointments and 2M audit events per 5M contacts, 1.6 referrals per client.
    return Scale(name, clients, staff, contacts, contacts * 12 // 100, clients * 8 // 5, contacts * 2 // 5)


SCALES: dict[str, Scale] = {
    "tiny": _proportional("tiny", 200, 8, 3_000),
    "charity": _proportional("charity", 5_000, 60, 150_000),
    "national": Scale("national", 250_000, 3_000, 5_000_000, 600_000, 400_000, 2_000_000),
}


@dataclass(frozen=True)
class Reference:
    """Rows the migrations seed that synthetic rows point at (their ids differ per database)."""

    prisons: tuple[uuid.UUID, ...]
    courts: tuple[uuid.UUID, ...]
    scale_id: uuid.UUID | None = None
    # (domain id, highest step value) of the default outcome scale, in order.
    domains: tuple[tuple[uuid.UUID, int], ...] = ()
    first_case_number: int = 1
    audit_head: tuple[int, str] = (0, chain.GENESIS_HASH)


@dataclass
class _Staff:
    id: uuid.UUID
    role: str
    team: int
    email: str
    first_name: str
    last_name: str


@dataclass
class _Case:
    id: uuid.UUID
    client: int
    team: int
    keyworker: int
    status: str
    opened: dt.date
    closed: dt.date | None
    programme: str


@dataclass
class _Client:
    id: uuid.UUID
    team: int
    first_name: str
    cases: list[int] = field(default_factory=list)


def api_token_for(email: str, seed: int = 1) -> str:
    """The API token `keyworker synth` gives a synthetic account (the bench recomputes it from the e-mail)."""
    digest = hashlib.sha256(f"keyworker-synth-token:{seed}:{email}".encode()).digest()
    return "kw_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _spread(total: int, weights: list[float]) -> list[int]:
    """Integers in proportion to `weights` that add up to exactly `total` (largest remainder)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    short = total - sum(counts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[:short]:
        counts[i] += 1
    return counts


class Synth:
    """Plans the organisation, then yields each table's rows in dependency order (`tables()`)."""

    def __init__(self, scale: Scale, *, seed: int, today: dt.date, reference: Reference, password_hash: str):
        self.scale, self.seed, self.today, self.ref = scale, seed, today, reference
        self.password_hash = password_hash
        self.now = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
        self.start = today - dt.timedelta(days=HISTORY_DAYS)
        self.teams: list[tuple[uuid.UUID, str, str]] = []
        self.staff: list[_Staff] = []
        self.clients: list[_Client] = []
        self.cases: list[_Case] = []
        self.caseworkers_by_team: dict[int, list[int]] = {}
        self.managers: dict[int, int] = {}
        self.contacts_per_client: list[int] = []
        self._plan()

    # --- helpers -----------------------------------------------------------------------------------------

    def rng(self, table: str) -> random.Random:
        return random.Random(f"{self.seed}:{table}")

    @staticmethod
    def uuid(rng: random.Random) -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def base(self, rng: random.Random, when: dt.datetime) -> Row:
        """BaseModel's fields as a service would have written them, `when` the record was made."""
        return {"id": self.uuid(rng), "created_at": when, "updated_at": when, "version": 1}

    def at(self, day: dt.date, rng: random.Random, first: int = 9, last: int = 17) -> dt.datetime:
        minute = rng.choice((0, 0, 15, 30, 45))
        return dt.datetime(day.year, day.month, day.day, rng.randint(first, last), minute, tzinfo=dt.UTC)

    def day_between(self, rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))

    # --- the plan: teams, staff, clients, cases ----------------------------------------------------------

    def _plan(self) -> None:
        rng = self.rng("plan")
        size = self.scale.staff
        n_teams = max(1, round(size / 11))
        for t in range(n_teams):
            area = names.HOME_AREAS[t % len(names.HOME_AREAS)][0]
            self.teams.append((self.uuid(rng), f"{area} team {t // len(names.HOME_AREAS) + 1}", area))
        # Organisation-wide roles, each placed in a team; everyone else in a team is a caseworker.
        extra = [Role.REPORT_VIEWER] * max(1, size // 50) + [Role.DATA_PROTECTION_OFFICER] * (1 + size // 1000)
        extra += [Role.ON_CALL] * max(1, size // 40)
        if size >= 20:
            extra += [Role.SAFEGUARDING_LEAD] * max(1, size // 100)
        roles: list[tuple[str, int]] = [(Role.MANAGER, t) for t in range(n_teams)]
        roles += [(r, i % n_teams) for i, r in enumerate(extra)]
        roles += [(Role.CASEWORKER, i % n_teams) for i in range(size - len(roles))]
        for i, (role, team) in enumerate(roles[:size]):
            first = rng.choice(names.FIRST_NAMES_FEMALE + names.FIRST_NAMES_MALE + names.FIRST_NAMES_NEUTRAL)
            last = rng.choice(names.SURNAMES)
            email = f"{first.lower()}.{last.lower()}.{i + 1}@{SYNTH_DOMAIN}"
            self.staff.append(_Staff(self.uuid(rng), str(role), team, email, first, last))
            if role == Role.CASEWORKER:
                self.caseworkers_by_team.setdefault(team, []).append(i)
            elif role == Role.MANAGER:
                self.managers[team] = i
        for t in range(n_teams):  # a team with no caseworker: its manager holds the cases
            self.caseworkers_by_team.setdefault(t, [self.managers[t]])

        # Open-case slots: 15 to 40 per caseworker (fewer if there are not enough clients).
        slots = [
            s
            for t, workers in sorted(self.caseworkers_by_team.items())
            for s in workers
            for _ in range(rng.randint(15, 40))
        ]
        rng.shuffle(slots)
        slots = slots[: self.scale.clients * 9 // 10]
        gender_first = {
            Gender.MALE: names.FIRST_NAMES_MALE,
            Gender.FEMALE: names.FIRST_NAMES_FEMALE,
        }
        for c in range(self.scale.clients):
            keyworker = slots[c] if c < len(slots) else None
            team = self.staff[keyworker].team if keyworker is not None else rng.randrange(n_teams)
            gender = rng.choices((Gender.MALE, Gender.FEMALE, Gender.NON_BINARY), (78, 20, 2))[0]
            first = rng.choice(gender_first.get(gender, names.FIRST_NAMES_NEUTRAL))
            client = _Client(self.uuid(rng), team, first)
            self.clients.append(client)
            n_cases = rng.choices((1, 2, 3), (75, 20, 5))[0]
            workers = self.caseworkers_by_team[team]
            programme = rng.choices(
                (Programme.GANG_EXIT, Programme.RESETTLEMENT, Programme.YOUNG_PEOPLE, Programme.WOMEN_AND_GIRLS),
                (40, 30, 20, 10 if gender == Gender.FEMALE else 0),
            )[0]
            plan: list[tuple[dt.date, dt.date | None, str, int]]
            end: dt.date
            if keyworker is not None:
                opened = self.today - dt.timedelta(days=rng.randint(7, 700))
                on_hold = rng.random() < 0.04
                plan = [(opened, None, CaseStatus.ON_HOLD if on_hold else CaseStatus.OPEN, keyworker)]
                end = opened
            else:
                end = self.today - dt.timedelta(days=rng.randint(1, HISTORY_DAYS - 60))
                opened = max(self.start, end - dt.timedelta(days=rng.randint(60, 540)))
                plan = [(opened, end, CaseStatus.CLOSED, rng.choice(workers))]
                end = opened
            for _ in range(n_cases - 1):  # earlier episodes, going back in time
                closed = end - dt.timedelta(days=rng.randint(30, 400))
                opened = closed - dt.timedelta(days=rng.randint(60, 540))
                if opened < self.start:
                    break
                plan.append((opened, closed, CaseStatus.CLOSED, rng.choice(workers)))
                end = opened
            for opened, closed_on, status, worker in reversed(plan):
                client.cases.append(len(self.cases))
                self.cases.append(
                    _Case(self.uuid(rng), c, team, worker, str(status), opened, closed_on, str(programme))
                )

        # Contacts per client: heavy-tailed, and a few clients with 2,000 or more.
        crng = self.rng("contact-counts")
        n = self.scale.clients
        whales = max(n // 2000, 2 if n >= 5000 else 0)
        open_clients = [i for i in range(min(len(slots), n))]
        whale_ids = set(crng.sample(open_clients, min(whales, len(open_clients))))
        whale_counts = {i: crng.randint(2000, 2600) for i in sorted(whale_ids)}
        rest = max(0, self.scale.contacts - sum(whale_counts.values()))
        weights = [
            0.0 if i in whale_ids else crng.paretovariate(1.6) * (1 + len(self.clients[i].cases)) for i in range(n)
        ]
        self.contacts_per_client = _spread(rest, weights)
        for i, count in whale_counts.items():
            self.contacts_per_client[i] = count

    def case_window(self, case: _Case) -> tuple[dt.date, dt.date]:
        return case.opened, case.closed or self.today - dt.timedelta(days=1)

    # --- the tables, in the order they must be loaded ----------------------------------------------------

    def tables(self) -> Iterator[tuple[type[models.Model], Iterator[Row]]]:
        yield Team, self.team_rows()
        yield User, self.user_rows()
        yield Client, self.client_rows()
        yield Case, self.case_rows()
        yield Contact, self.contact_rows()
        yield Task, self.task_rows()
        yield Appointment, self.appointment_rows()
        yield Referral, self.referral_rows()
        yield ReferralStep, self.referral_step_rows()
        yield CustodyEpisode, self.custody_rows()
        yield Milestone, self.milestone_rows()
        yield OutcomeReading, self.reading_rows()
        yield ReadingScore, self.score_rows()
        yield Funder, self.funder_rows()
        yield FundingStream, self.stream_rows()
        yield StreamAllocation, self.allocation_rows()
        yield AuditEvent, self.audit_rows()

    def team_rows(self) -> Iterator[Row]:
        rng = self.rng("teams")
        made = dt.datetime.combine(self.start, dt.time(9), tzinfo=dt.UTC)
        for team_id, name, area in self.teams:
            yield {**self.base(rng, made), "id": team_id, "name": name, "area": area}

    def user_rows(self) -> Iterator[Row]:
        joined = dt.datetime.combine(self.start, dt.time(9), tzinfo=dt.UTC)
        for s in self.staff:
            yield {
                "id": s.id,
                "password": self.password_hash,
                "last_login": None,
                "is_superuser": False,
                "username": s.email,
                "first_name": s.first_name,
                "last_name": s.last_name,
                "email": s.email,
                "is_staff": False,
                "is_active": True,
                "date_joined": joined,
                "role": s.role,
                "team_id": self.teams[s.team][0],
            }

    def client_rows(self) -> Iterator[Row]:
        rng = self.rng("clients")
        ethnicities = [e for e in Ethnicity.values]
        eth_weights = [6, 2, 4, 5, 3, 14, 10, 3, 2, 2, 7, 3, 18, 2, 1, 1, 6, 2, 3, 6]
        for i, c in enumerate(self.clients):
            first_case = self.cases[c.cases[0]]
            made = self.at(first_case.opened, rng)
            area, districts = names.HOME_AREAS[(c.team + rng.choice((0, 0, 0, 1))) % len(names.HOME_AREAS)]
            gender = (
                Gender.FEMALE
                if c.first_name in names.FIRST_NAMES_FEMALE
                else Gender.MALE
                if c.first_name in names.FIRST_NAMES_MALE
                else Gender.NON_BINARY
            )
            if rng.random() < 0.05:
                gender = Gender.NOT_SAID
            age_days = rng.randint(14 * 365, 40 * 365)
            yield {
                **self.base(rng, made),
                "id": c.id,
                "first_name": c.first_name,
                "last_name": rng.choice(names.SURNAMES),
                "preferred_name": rng.choice(("", "", "", "", c.first_name[:3], "Jay", "Dee", "Mo", "Bee")),
                "date_of_birth": first_case.opened - dt.timedelta(days=age_days),
                "gender": gender,
                "pronouns": {Gender.MALE: "he/him", Gender.FEMALE: "she/her", Gender.NON_BINARY: "they/them"}.get(
                    gender, ""
                ),
                "ethnicity": rng.choices(ethnicities, eth_weights)[0] if rng.random() < 0.9 else "",
                "phone": f"07700 9{i % 100000:05d}",  # Ofcom's drama range: never a real number
                "email": "",
                "address": f"{rng.randint(1, 180)} {rng.choice(names.STREETS)}, London",
                "postcode": f"{rng.choice(districts)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                "home_area": area,
                "may_phone": True,
                "may_text": rng.random() < 0.85,
                "may_leave_voicemail": rng.random() < 0.3,
                "may_write": rng.random() < 0.2,
                "code_word": rng.choice(("", "", "", "pineapple", "blue door", "Saturday")),
                "safe_contact_note": rng.choice(("", "", "", "Only after 6pm.", "Mum reads his post: no letters.")),
            }

    def case_rows(self) -> Iterator[Row]:
        rng = self.rng("cases")
        reasons = [r for r in ClosureReason.values if r != ClosureReason.DIED]
        for n, case in enumerate(self.cases):
            made = self.at(case.opened, rng)
            last_change = self.at(case.closed, rng) if case.closed else made
            row = {
                **self.base(rng, made),
                "id": case.id,
                "updated_at": last_change,
                "version": 2 if case.closed else 1,
                "client_id": self.clients[case.client].id,
                "reference": f"KW-{self.ref.first_case_number + n:06d}",
                "programme": case.programme,
                "status": case.status,
                "opened_on": case.opened,
                "closed_on": case.closed,
                "keyworker_id": self.staff[case.keyworker].id,
                "team_id": self.teams[case.team][0],
            }
            if case.closed:
                reason = rng.choices(reasons, (30, 25, 10, 12, 8, 15))[0]
                row["closure_reason"] = reason
                row["closure_note"] = "See the last contact." if reason == ClosureReason.OTHER else ""
            yield row

    def contact_rows(self) -> Iterator[Row]:
        # The hottest loop at national scale (5M rows): weighted picks are lookups in pre-built pools and
        # times are offsets from the case's first day, rather than rng.choices()/randint() per field.
        rng = self.rng("contacts")
        random_ = rng.random
        kind_pool = [
            k for k, w in zip(ContactKind.values, (30, 25, 15, 10, 5, 3, 1, 2, 2, 7), strict=True) for _ in range(w)
        ]
        pathways = Pathway.values
        pathway_pool: list[list[str]] = [[], [], *([p] for p in pathways), *([p] for p in pathways)]
        pathway_pool += [[a, b] for a in pathways for b in pathways if a < b][:10]
        durations = (10, 20, 30, 45, 60, 90)
        places = {"office": "Office", "home_visit": "Home", "prison_visit": "Prison"}
        middles, closings = names.NOTE_MIDDLES, names.NOTE_CLOSINGS
        text = ContactKind.TEXT.value
        for c, client in enumerate(self.clients):
            count = self.contacts_per_client[c]
            if not count:
                continue
            openings = [o.format(name=client.first_name) for o in names.NOTE_OPENINGS]
            cases = [self.cases[i] for i in client.cases]
            spans = [max(1, (self.case_window(k)[1] - k.opened).days) for k in cases]
            for case, k in zip(cases, _spread(count, [float(s) for s in spans]), strict=True):
                first, last = self.case_window(case)
                origin = dt.datetime.combine(first, dt.time(8), tzinfo=dt.UTC)
                days = (last - first).days + 1
                recorder = self.staff[case.keyworker].id
                for _ in range(k):
                    kind = kind_pool[int(random_() * len(kind_pool))]
                    # A day in the case's window, between 08:00 and 19:45 on the quarter hour.
                    when = origin + dt.timedelta(days=int(random_() * days), minutes=15 * int(random_() * 48))
                    made = min(when + dt.timedelta(minutes=5 + int(random_() * 600)), self.now)
                    note = (
                        f"{openings[int(random_() * len(openings))]} {middles[int(random_() * len(middles))]} "
                        f"{closings[int(random_() * len(closings))]}"
                    )
                    yield {
                        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "created_at": made,
                        "updated_at": made,
                        "version": 1,
                        "client_id": client.id,
                        "case_id": case.id,
                        "kind": kind,
                        "occurred_at": when,
                        "duration_minutes": None if kind == text else durations[int(random_() * 6)],
                        "location": places.get(kind, ""),
                        "note": note,
                        "pathways": pathway_pool[int(random_() * len(pathway_pool))],
                        "is_sensitive": random_() < 0.03,
                        "recorded_by_id": recorder,
                    }

    def task_rows(self) -> Iterator[Row]:
        rng = self.rng("tasks")
        for case in self.cases:
            owner = self.staff[case.keyworker].id
            creator = rng.choice((owner, owner, self.staff[self.managers[case.team]].id))
            first, last = self.case_window(case)
            for _ in range(rng.choice((0, 1, 1, 2)) if case.closed else rng.choice((0, 1, 2, 3))):
                set_on = self.day_between(rng, first, last)
                due = set_on + dt.timedelta(days=rng.randint(1, 21))
                done = case.closed is not None or rng.random() < 0.3
                done_at = self.at(min(due, last), rng) if done else None
                yield {
                    **self.base(rng, self.at(set_on, rng)),
                    "updated_at": done_at or self.at(set_on, rng),
                    "client_id": self.clients[case.client].id,
                    "case_id": case.id,
                    "title": rng.choice(names.TASK_TITLES),
                    "due_on": due,
                    "owner_id": owner,
                    "created_by_id": creator,
                    "completed_at": done_at,
                    "completed_by_id": owner if done else None,
                }

    def appointment_rows(self) -> Iterator[Row]:
        rng = self.rng("appointments")
        open_cases = [k for k in self.cases if k.status == CaseStatus.OPEN]
        upcoming = min(self.scale.appointments // 3, len(open_cases) * 2)
        past = self.scale.appointments - upcoming
        kinds = [k for k in AppointmentKind.values if k != AppointmentKind.COURSE]
        weights = [40, 15, 6, 6, 5, 3, 25]
        spans = [float(max(1, (self.case_window(k)[1] - k.opened).days)) for k in self.cases]
        ahead = _spread(upcoming, [1.0] * len(open_cases))
        plan = [(k, n, False) for k, n in zip(self.cases, _spread(past, spans), strict=True)]
        plan += [(k, n, True) for k, n in zip(open_cases, ahead, strict=True)]
        for case, count, future in plan:
            first, last = self.case_window(case)
            if future:  # from the start of this week to four weeks ahead: My week has something to show
                first = self.today - dt.timedelta(days=self.today.weekday())
                last = self.today + dt.timedelta(days=28)
            for _ in range(count):
                kind = rng.choices(kinds, weights)[0]
                day = self.day_between(rng, first, last)
                if day.weekday() >= 5:
                    day -= dt.timedelta(days=day.weekday() - 4)
                starts = self.at(day, rng, 9, 16)
                if starts < self.now:
                    status = rng.choices(
                        (
                            AppointmentStatus.ATTENDED,
                            AppointmentStatus.LATE,
                            AppointmentStatus.DID_NOT_ATTEND,
                            AppointmentStatus.CANCELLED,
                        ),
                        (72, 6, 13, 9),
                    )[0]
                else:
                    status = AppointmentStatus.BOOKED
                prison = kind in (AppointmentKind.PRISON_VISIT_SOCIAL, AppointmentKind.PRISON_VISIT_LEGAL, "gate")
                place = (
                    rng.choice(self.ref.prisons)
                    if prison and self.ref.prisons
                    else rng.choice(self.ref.courts)
                    if kind == AppointmentKind.COURT and self.ref.courts
                    else None
                )
                made = starts - dt.timedelta(days=rng.randint(1, 20))
                yield {
                    **self.base(rng, made),
                    "updated_at": max(made, min(starts, self.now)),
                    "client_id": self.clients[case.client].id,
                    "staff_id": self.staff[case.keyworker].id,
                    "kind": kind,
                    "starts_at": starts,
                    "ends_at": starts + dt.timedelta(minutes=rng.choice((30, 45, 60, 90))),
                    "location": "" if place else {"office": "Office", "home_visit": "Home"}.get(kind, ""),
                    "status": status,
                    "establishment_id": place,
                }

    def _referrals(self) -> Iterator[tuple[Row, str, int]]:
        """Each referral with its status and team: one accepted per case, the rest never became a case."""
        rng = self.rng("referrals")
        sources = ReferralSource.values
        source_weights = [10, 8, 8, 15, 20, 10, 8, 4, 12, 5]
        accepted = min(len(self.cases), self.scale.referrals)
        others = self.scale.referrals - accepted
        people = self.rng("referral-people")
        for n in range(accepted + others):
            if n < accepted:
                case = self.cases[n]
                client = self.clients[case.client]
                received = self.at(case.opened - dt.timedelta(days=rng.randint(1, 30)), rng)
                status, team = ReferralStatus.ACCEPTED, case.team
                person = {"first_name": client.first_name, "client_id": client.id, "case_id": case.id}
            else:
                team = rng.randrange(len(self.teams))
                received = self.at(self.day_between(rng, self.start, self.today - dt.timedelta(days=1)), rng)
                recent = (self.today - received.date()).days < 60
                status = rng.choice(
                    (
                        ReferralStatus.RECEIVED,
                        ReferralStatus.CONTACT_ATTEMPTED,
                        ReferralStatus.ASSESSED,
                        ReferralStatus.WAITING_LIST,
                    )
                    if recent
                    else (ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN, ReferralStatus.WAITING_LIST)
                )
                person = {"first_name": people.choice(names.FIRST_NAMES_MALE + names.FIRST_NAMES_FEMALE)}
            row = {
                **self.base(rng, received),
                **person,
                "last_name": people.choice(names.SURNAMES),
                "source": rng.choices(sources, source_weights)[0],
                "referrer_name": ""
                if n % 10 == 0
                else f"{people.choice(names.FIRST_NAMES_FEMALE)} {people.choice(names.SURNAMES)}",
                "referrer_organisation": rng.choice(names.REFERRER_ORGANISATIONS),
                "received_at": received,
                "reason": rng.choice(names.REFERRAL_REASONS),
                "urgency": rng.choices(Urgency.values, (70, 25, 5))[0],
                "home_area": self.teams[team][2],
                "team_id": self.teams[team][0],
                "status": status,
                "status_reason": "Did not meet the criteria."
                if status == ReferralStatus.DECLINED
                else "Did not want support."
                if status == ReferralStatus.WITHDRAWN
                else "",
                "first_contact_at": received + dt.timedelta(hours=rng.randint(2, 72))
                if status != ReferralStatus.RECEIVED
                else None,
                "received_by_id": self.staff[self.managers[team]].id,
            }
            yield row, status, team

    def referral_rows(self) -> Iterator[Row]:
        for row, _status, _team in self._referrals():
            yield row

    def referral_step_rows(self) -> Iterator[Row]:
        rng = self.rng("referral-steps")
        path = {
            ReferralStatus.RECEIVED: (),
            ReferralStatus.CONTACT_ATTEMPTED: (ReferralStatus.CONTACT_ATTEMPTED,),
            ReferralStatus.ASSESSED: (ReferralStatus.CONTACT_ATTEMPTED, ReferralStatus.ASSESSED),
            ReferralStatus.WAITING_LIST: (ReferralStatus.ASSESSED, ReferralStatus.WAITING_LIST),
            ReferralStatus.ACCEPTED: (
                ReferralStatus.CONTACT_ATTEMPTED,
                ReferralStatus.ASSESSED,
                ReferralStatus.ACCEPTED,
            ),
            ReferralStatus.DECLINED: (ReferralStatus.ASSESSED, ReferralStatus.DECLINED),
            ReferralStatus.WITHDRAWN: (ReferralStatus.CONTACT_ATTEMPTED, ReferralStatus.WITHDRAWN),
        }
        for row, status, team in self._referrals():
            by = self.staff[self.managers[team]].id
            when = row["received_at"]
            for step in (ReferralStatus.RECEIVED, *path[ReferralStatus(status)]):
                yield {
                    **self.base(rng, when),
                    "referral_id": row["id"],
                    "status": step,
                    "occurred_at": when,
                    "recorded_by_id": by,
                }
                when = when + dt.timedelta(hours=rng.randint(1, 24 * 6))

    def custody_rows(self) -> Iterator[Row]:
        if not self.ref.prisons:
            return
        rng = self.rng("custody")
        for client in self.clients:
            if rng.random() >= 0.15:
                continue
            case = self.cases[client.cases[-1]]
            first, last = self.case_window(case)
            in_custody = case.status == CaseStatus.OPEN and rng.random() < 0.3
            received = self.day_between(rng, max(self.start, first - dt.timedelta(days=400)), last)
            if in_custody:
                release = self.today + dt.timedelta(days=rng.randint(1, 300))
                released = None
            else:
                release = received + dt.timedelta(days=rng.randint(30, 700))
                released = min(release, self.today - dt.timedelta(days=1))
                release = max(release, received)
                released = max(released, received)
            sentenced = rng.random() < 0.8
            yield {
                **self.base(rng, self.at(received, rng)),
                "client_id": client.id,
                "case_id": case.id,
                "establishment_id": rng.choice(self.ref.prisons),
                "prison_number": f"{rng.choice('ABG')}{rng.randint(1000, 9999)}{rng.choice('CDEF')}"
                f"{rng.choice('HJKLMN')}",
                "received_on": received,
                "legal_status": LegalStatus.SENTENCED if sentenced else LegalStatus.REMANDED,
                "sentenced_on": received if sentenced else None,
                "sentence_length": rng.choice(("8 months", "18 months", "2 years", "4 years")) if sentenced else "",
                "release_on": release,
                "release_type": rng.choice(
                    (ReleaseType.CONDITIONAL, ReleaseType.AUTOMATIC, ReleaseType.HOME_DETENTION_CURFEW)
                )
                if sentenced
                else ReleaseType.FROM_REMAND,
                "released_on": released,
                "recorded_by_id": self.staff[case.keyworker].id,
            }

    def milestone_rows(self) -> Iterator[Row]:
        rng = self.rng("milestones")
        kinds = (
            MilestoneKind.ENTERED_ETE,
            MilestoneKind.COMPLETED_COURSE,
            MilestoneKind.QUALIFICATION,
            MilestoneKind.DRUG_FREE,
            MilestoneKind.LEFT_GROUP,
        )
        for case in self.cases:
            first, last = self.case_window(case)
            for _ in range(rng.choice((0, 0, 0, 1, 1))):
                kind = rng.choice(kinds)
                on = self.day_between(rng, first, last)
                course = kind in (MilestoneKind.COMPLETED_COURSE, MilestoneKind.QUALIFICATION)
                yield {
                    **self.base(rng, self.at(on, rng)),
                    "client_id": self.clients[case.client].id,
                    "kind": kind,
                    "achieved_on": on,
                    "evidence_kind": EvidenceKind.DOCUMENT if course else EvidenceKind.SELF_REPORT,
                    "evidence": "Certificate seen." if course else "Told me at our meeting.",
                    "detail": rng.choice(names.COURSES) if course else "",
                    "recorded_by_id": self.staff[case.keyworker].id,
                }

    def _readings(self) -> Iterator[tuple[Row, random.Random]]:
        if self.ref.scale_id is None:
            return
        rng = self.rng("readings")
        for case in self.cases:
            first, last = self.case_window(case)
            on = first + dt.timedelta(days=rng.randint(3, 20))
            for _ in range(3):
                if on > last:
                    break
                yield (
                    {
                        **self.base(rng, self.at(on, rng)),
                        "client_id": self.clients[case.client].id,
                        "scale_id": self.ref.scale_id,
                        "taken_on": on,
                        "taken_by_id": self.staff[case.keyworker].id,
                    },
                    rng,
                )
                on += dt.timedelta(days=rng.randint(80, 120))

    def reading_rows(self) -> Iterator[Row]:
        for row, _rng in self._readings():
            yield row

    def score_rows(self) -> Iterator[Row]:
        rng = self.rng("scores")
        for reading, _ in self._readings():
            for domain_id, top in self.ref.domains:
                yield {
                    **self.base(rng, reading["created_at"]),
                    "reading_id": reading["id"],
                    "domain_id": domain_id,
                    "client_value": rng.randint(1, top) if rng.random() < 0.9 else None,
                    "worker_value": rng.randint(1, top),
                }

    def _funding(self) -> tuple[list[Row], list[Row]]:
        rng = self.rng("funding")
        made = dt.datetime.combine(self.start, dt.time(9), tzinfo=dt.UTC)
        funders: list[Row] = []
        streams: list[Row] = []
        n = max(1, min(len(self.teams), self.scale.clients // 1500))
        for f in range(n):
            word = names.FUNDER_WORDS[f % len(names.FUNDER_WORDS)]
            name = f"{word} {names.FUNDER_KINDS[(f // len(names.FUNDER_WORDS)) % len(names.FUNDER_KINDS)]}"
            if f >= len(names.FUNDER_WORDS) * len(names.FUNDER_KINDS):
                name += f" {f}"
            funder = {**self.base(rng, made), "name": name}
            funders.append(funder)
            # A core grant running the whole period, and a fixed-term one.
            streams.append(
                {
                    **self.base(rng, made),
                    "funder_id": funder["id"],
                    "name": names.STREAM_NAMES[f % 6],
                    "starts_on": self.start,
                    "ends_on": None,
                    "places": rng.randint(40, 400),
                    "targets": "Engage the people referred; report quarterly.",
                    "active": True,
                }
            )
            starts = self.day_between(rng, self.start, self.today - dt.timedelta(days=400))
            streams.append(
                {
                    **self.base(rng, made),
                    "funder_id": funder["id"],
                    "name": names.STREAM_NAMES[(f + 1) % 6] + " (fixed term)",
                    "starts_on": starts,
                    "ends_on": starts + dt.timedelta(days=3 * 365),
                    "places": rng.randint(20, 120),
                    "targets": "",
                    "active": True,
                }
            )
        return funders, streams

    def funder_rows(self) -> Iterator[Row]:
        yield from self._funding()[0]

    def stream_rows(self) -> Iterator[Row]:
        yield from self._funding()[1]

    def allocation_rows(self) -> Iterator[Row]:
        rng = self.rng("allocations")
        streams = self._funding()[1]
        for case in self.cases:
            if rng.random() >= 0.6:
                continue
            stream = rng.choice(streams)
            ends = stream["ends_on"]
            if case.opened < stream["starts_on"] or (ends is not None and case.opened > ends):
                continue
            closed = case.closed if ends is None or case.closed is None else min(case.closed, ends)
            if closed is None and ends is not None:
                closed = ends
            yield {
                **self.base(rng, self.at(case.opened, rng)),
                "case_id": case.id,
                "stream_id": stream["id"],
                "starts_on": case.opened,
                "ends_on": closed,
                "allocated_by_id": self.staff[self.managers[case.team]].id,
            }

    def audit_rows(self) -> Iterator[Row]:
        """Events in time order, linked into the hash chain after the database's head with chain.link()."""
        rng = self.rng("audit")
        total = self.scale.audit_events
        if not total or not self.cases:
            return
        start = dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)
        step = (self.now - start).total_seconds() / (total + 1)
        when = start
        head = self.ref.audit_head
        batch: list[_Event] = []
        for n in range(total):
            when += dt.timedelta(microseconds=max(1, int(rng.expovariate(1 / step) * 1_000_000)))
            when = min(when, self.now - dt.timedelta(microseconds=total - n))
            case = self.cases[rng.randrange(len(self.cases))]
            actor = self.staff[case.keyworker]
            client_id = self.clients[case.client].id
            kind = rng.random()
            if kind < 0.72:
                event = _Event(AuditAction.VIEW, "people.client", str(client_id), client_id, {"what": "client"})
            elif kind < 0.84:
                event = _Event(AuditAction.SIGN_IN, "accounts.user", str(actor.id), None, {})
            elif kind < 0.92:
                event = _Event(AuditAction.VIEW, "casework.case", str(case.id), client_id, {"what": "case"})
            else:
                event = _Event(AuditAction.UPDATE, "casework.case", str(case.id), client_id, {"fields": ["status"]})
            event.id = self.uuid(rng)
            event.occurred_at = when
            event.actor_id = actor.id
            event.actor_role = actor.role
            event.source_ip = f"10.{rng.randint(0, 40)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            event.user_agent = rng.choice(_AGENTS)
            batch.append(event)
            if len(batch) == 5000 or n == total - 1:
                head = chain.link(cast(Any, batch), head)
                for e in batch:
                    yield e.row()
                batch = []


_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36",
)


class _Event:
    """An audit event before it is written: the attributes chain.canonical() reads."""

    __slots__ = (
        "action",
        "actor_id",
        "actor_role",
        "break_glass",
        "client_id",
        "detail",
        "hash",
        "id",
        "object_id",
        "object_type",
        "occurred_at",
        "previous_hash",
        "sequence",
        "source_ip",
        "user_agent",
    )

    def __init__(self, action: str, object_type: str, object_id: str, client_id: uuid.UUID | None, detail: dict):
        self.action, self.object_type, self.object_id = str(action), object_type, object_id
        self.client_id, self.detail, self.break_glass = client_id, detail, False
        self.id: uuid.UUID
        self.occurred_at: dt.datetime
        self.actor_id: uuid.UUID
        self.actor_role = ""
        self.source_ip: str | None = None
        self.user_agent = ""
        self.sequence = 0
        self.previous_hash = ""
        self.hash = ""

    def row(self) -> Row:
        return {name: getattr(self, name) for name in self.__slots__}
