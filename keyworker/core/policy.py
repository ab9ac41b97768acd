"""The access policy: the one place that decides who may see and do what.

Every selector and service asks this module; pages, the API, search and exports never decide access
themselves. A record outside a user's reach is reported as "not found", never "forbidden", so its
existence is not revealed. docs/access-policy.md describes the rules in words.

Rules today:
- a caseworker (and an on-call worker, who is a caseworker on the rota) sees clients with a case in their
  team, or a case they are keyworker for; a manager sees clients with a case in their team;
- an on-call worker also sees a client they opened by break-glass, until the grant expires;
- an exclusion naming the user hides the client from them, whatever else is true;
- a restriction hides the client from everyone it does not name (it narrows, never widens, access);
- a peer mentor sees only their current mentees, and only a mentor's fields (mentees_visible_to), never
  their full records;
- every other role sees no client records (later issues add theirs here).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import Role

if TYPE_CHECKING:
    from keyworker.accounts.models import User
    from keyworker.casework.models import Case
    from keyworker.diary.models import LoneWorkingVisit
    from keyworker.people.models import Client

CASEWORK_ROLES = frozenset({Role.CASEWORKER, Role.MANAGER, Role.ON_CALL})
BREAK_GLASS_ROLES = frozenset({Role.ON_CALL})


def _is_active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _case_scope(user: User) -> Q:
    """Which cases put their client within the user's reach."""
    if not _is_active_staff(user):
        return Q(pk__in=[])
    if user.role == Role.MANAGER:
        return Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    if user.role in (Role.CASEWORKER, Role.ON_CALL):
        scope = Q(keyworker_id=user.pk)
        if user.team_id:
            scope |= Q(team_id=user.team_id)
        return scope
    return Q(pk__in=[])


# Per HTTP request (PolicyMemoMiddleware): the policy's querysets, built once per user and cloned on each use.
_request_memo: ContextVar[dict[tuple, Any] | None] = ContextVar("kw_policy_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[None]:
    """While one request is served, clients_visible_to(user) builds its queryset once and hands out clones.

    A page asks it eight or ten times (each of its queries holds the policy), and building it, with its
    access-rule subqueries, cost about 1.2 ms of Python each time. Only the building is shared: the SQL is
    run afresh by every query, so a case or a rule written earlier in the request counts at once. The one
    thing fixed for the request is "now" in the access rules' time windows: a rule that starts during the
    request binds from the next one (a restriction is written by a POST that redirects anyway)."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def clients_visible_to(user: User) -> QuerySet[Client]:
    memo = _request_memo.get()
    if memo is None:
        return _clients_visible_to(user)
    key = ("clients_visible_to", user.pk, getattr(user, "role", None), getattr(user, "team_id", None), user.is_active)
    if key not in memo:
        memo[key] = _clients_visible_precompiled(user)
    return memo[key].all()  # a clone: the memo's own queryset is never evaluated, so never holds rows


def _clients_visible_precompiled(user: User) -> QuerySet[Client]:
    """The visible clients as `id IN (<their SQL, compiled once>)`. Every query of a page holds the policy as
    a subquery, and Django compiled its access-rule subqueries afresh in each: 2 to 3 ms of Python per query,
    20 to 30 ms on My week. The SQL is the same text the queryset would give, for the default database (a
    replica is the same vendor); it is run afresh by each query, as before."""
    from django.db.models.expressions import RawSQL

    from keyworker.people.models import Client

    visible = _clients_visible_to(user)
    if visible.query.is_empty():
        return visible
    sql, params = visible.order_by().values("pk").query.sql_with_params()
    return Client.objects.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - Django compiled it; params kept apart


def client_is_visible(user: User, client_id: uuid.UUID) -> bool:
    """Whether the client is within the user's reach. Within a request, once a client has been read through
    the policy (client_seen_visible) or checked here, the answer is not asked of the database again: a page
    of several sections each checking its client asked the same question four times."""
    memo = _request_memo.get()
    key = ("client_visible", user.pk, client_id)
    if memo is not None and key in memo:
        return True
    visible = clients_visible_to(user).filter(pk=client_id).exists()
    if visible and memo is not None:
        memo[key] = True
    return visible


def client_seen_visible(user: User, client_id: uuid.UUID) -> None:
    """The client was just read through clients_visible_to(user) in this request (client_get_for)."""
    memo = _request_memo.get()
    if memo is not None:
        memo[("client_visible", user.pk, client_id)] = True


def _clients_visible_to(user: User) -> QuerySet[Client]:
    from keyworker.casework.models import Case
    from keyworker.people.models import Client

    if not _is_active_staff(user) or user.role not in CASEWORK_ROLES:
        return Client.objects.none()
    # "id IN (the cases in scope)" rather than a correlated EXISTS per client: the database starts from the
    # team's and the keyworker's cases (by index) instead of visiting every client in the country (SQLite
    # cannot turn the EXISTS round; measured 15 ms against 6 ms at charity scale, and it grows with all clients).
    reach = Q(pk__in=Case.objects.filter(_case_scope(user)).values("client_id"))
    if user.role in BREAK_GLASS_ROLES:
        reach |= Q(pk__in=_active_break_glass(user).values("client_id"))
    return Client.objects.filter(reach).filter(_not_barred(user))


def _active_rules(kind: str) -> QuerySet:
    """Access rules of one kind in force now (changes take effect on the very next request)."""
    from keyworker.safeguarding.models import AccessRule

    now = timezone.now()
    return AccessRule.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        kind=kind,
        starts_at__lte=now,
        lifted_at__isnull=True,
        client_id=OuterRef("pk"),
    )


def _active_break_glass(user: User) -> QuerySet:
    from keyworker.safeguarding.models import BreakGlassGrant

    return BreakGlassGrant.objects.filter(user_id=user.pk, expires_at__gt=timezone.now())


def _not_barred(user: User) -> Q:
    """Clients no exclusion bars the user from and no restriction keeps from them."""
    from keyworker.safeguarding.models import AccessRuleKind

    excluded = Exists(_active_rules(AccessRuleKind.EXCLUSION).filter(staff=user.pk))
    restricted = Exists(_active_rules(AccessRuleKind.RESTRICTION))
    named = Exists(_active_rules(AccessRuleKind.RESTRICTION).filter(staff=user.pk))
    return ~Q(excluded) & (~Q(restricted) | Q(named))


def mentees_visible_to(user: User) -> QuerySet[Client]:
    """A peer mentor's current mentees (never anyone barred to them). The caller shows only what a mentor
    needs: first name, contact rules and the next session; never notes, risk, offending or safeguarding."""
    from keyworker.outcomes.models import Mentoring
    from keyworker.people.models import Client

    if not _is_active_staff(user) or user.role != Role.PEER_MENTOR:
        return Client.objects.none()
    current = Mentoring.objects.filter(mentor_id=user.pk, ended_on__isnull=True)
    return Client.objects.filter(pk__in=current.values("mentee_id")).filter(_not_barred(user))


def break_glass_candidates(user: User) -> QuerySet[Client]:
    """The clients an on-call worker could open by break-glass: anyone not barred to them. Empty for
    everyone else. Whether it is out of hours is checked by the service that grants access."""
    from keyworker.people.models import Client

    if not _is_active_staff(user) or user.role not in BREAK_GLASS_ROLES:
        return Client.objects.none()
    return Client.objects.filter(_not_barred(user))


def can_break_glass(user: User) -> bool:
    return _is_active_staff(user) and user.role in BREAK_GLASS_ROLES


def can_set_access_rules(user: User, client: Client) -> bool:
    """Restrictions and exclusions are set by a manager of a team supporting the client."""
    return _is_active_staff(user) and user.role == Role.MANAGER and client_is_visible(user, client.pk)


def seen_by_break_glass(user: User, client: Client | uuid.UUID) -> bool:
    """Whether the user's access to this client (or client id) comes only from a break-glass grant (for the
    audit). No query for anyone who cannot break glass."""
    from keyworker.casework.models import Case

    if getattr(user, "role", None) not in BREAK_GLASS_ROLES:
        return False
    client_id = client if isinstance(client, uuid.UUID) else client.pk
    return not Case.objects.filter(_case_scope(user), client_id=client_id).exists()


def managers_of(client: Client) -> list[User]:
    """The managers of the teams whose open (or on-hold) cases support the client: whom a client-level alert
    (break-glass, a rise in risk) goes to."""
    from keyworker.accounts.models import User as UserModel
    from keyworker.casework.models import CaseStatus

    teams = client.cases.filter(status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD]).values("team_id")
    return list(UserModel.objects.filter(role=Role.MANAGER, is_active=True, team_id__in=teams).order_by("pk"))


def cases_visible_to(user: User) -> QuerySet:
    """Cases whose client the user may see (a client's other episodes included, for continuity)."""
    from keyworker.casework.models import Case

    return Case.objects.filter(client__in=clients_visible_to(user))


def can_use_casework(user: User) -> bool:
    """Whether the user has any casework pages (My week, caseload, search) at all."""
    return _is_active_staff(user) and user.role in CASEWORK_ROLES


def can_record_on(user: User, client: Client) -> bool:
    """Recording contacts, tasks and notes: anyone who may see the client and does casework."""
    return can_use_casework(user) and client_is_visible(user, client.pk)


def can_see_who_viewed(user: User, client: Client) -> bool:
    """'Who viewed this record' is a manager's oversight tool."""
    return _is_active_staff(user) and user.role == Role.MANAGER and client_is_visible(user, client.pk)


def own_records_scope(user: User, owner_field: str) -> Q:
    """Records that name no client but belong to the user (their own tasks, their own appointments)."""
    if not can_use_casework(user):
        return Q(pk__in=[])
    return Q(client__isnull=True, **{owner_field: user.pk})


def about_reach_or_own(model: type[Model], user: User, owner_field: str, narrow: Q | None = None) -> Q:
    """Records about a client in the user's reach, or the user's own that name no client (tasks, appointments).

    Written as one id set (UNION ALL of the two: a record names a client or it does not) rather than
    `client in reach OR own`: with the OR, PostgreSQL cannot start from the team's clients and scanned every
    appointment in the country (600,000: 750 ms at national scale); the union is two index lookups (34 ms)."""
    narrow = narrow or Q()  # e.g. one week: inside both halves, so each uses its (client|owner, date) index
    about_clients = model._default_manager.filter(narrow, client__in=clients_visible_to(user)).order_by().values("pk")
    own = model._default_manager.filter(narrow, own_records_scope(user, owner_field)).order_by().values("pk")
    return Q(pk__in=about_clients.union(own, all=True))


def can_manage_case(user: User, case: Case) -> bool:
    """Changing a case's status is for its own team (or its keyworker), not for another team that also
    supports the client."""
    return can_use_casework(user) and (case.team_id == user.team_id or case.keyworker_id == user.pk)


def can_assign_to(user: User, assignee: User) -> bool:
    """Tasks and cases may be given to oneself or to a member of one's own team."""
    return assignee.pk == user.pk or (user.team_id is not None and assignee.team_id == user.team_id)


def can_see_staff_activity(viewer: User, subject: User) -> bool:
    """Everything a member of staff did: the data protection officer for anyone, a manager for the members of
    their own team (themselves included); nobody else."""
    if not _is_active_staff(viewer):
        return False
    if viewer.role == Role.DATA_PROTECTION_OFFICER:
        return True
    return viewer.role == Role.MANAGER and viewer.team_id is not None and subject.team_id == viewer.team_id


def can_see_record_trail(viewer: User, client_id: uuid.UUID) -> bool:
    """A client's full audit trail: the data protection officer for any client (even one since erased: the
    trail outlives the record), a manager for a client they may see "who viewed" for."""
    from keyworker.audit.models import AuditEvent
    from keyworker.people.models import Client

    if not _is_active_staff(viewer):
        return False
    if viewer.role == Role.DATA_PROTECTION_OFFICER:
        return Client.objects.filter(pk=client_id).exists() or AuditEvent.objects.filter(client_id=client_id).exists()
    client = Client.objects.filter(pk=client_id).first()
    return client is not None and can_see_who_viewed(viewer, client)


def can_use_area_concerns(user: User) -> bool:
    """Area concerns name nobody; everyone who works with clients or safeguarding reads and adds them."""
    return _is_active_staff(user) and (user.role in CASEWORK_ROLES or user.role == Role.SAFEGUARDING_LEAD)


def can_review_area_concerns(user: User) -> bool:
    return _is_active_staff(user) and user.role in (Role.MANAGER, Role.SAFEGUARDING_LEAD)


# --- funding (issue 4) --------------------------------------------------------------------------------------


def can_see_funding(user: User) -> bool:
    """Funding streams and their rules (no personal data) are read by everyone who does casework."""
    return can_use_casework(user)


def can_manage_funding(user: User) -> bool:
    """Funders, streams and eligibility rules are data kept by managers."""
    return _is_active_staff(user) and user.role == Role.MANAGER


def can_fund_case(user: User, case: Case) -> bool:
    """Allocating a case to a stream, asking for unfunded work or adding to the waiting list: whoever may
    manage the case (its team, or its keyworker) and can see its client."""
    return can_manage_case(user, case) and client_is_visible(user, case.client_id)


def can_approve_unfunded(user: User, case: Case) -> bool:
    """Unfunded work, and funding a case despite a "no" from the eligibility check, need a manager of the
    case's own team who can see its client."""
    return (
        _is_active_staff(user)
        and user.role == Role.MANAGER
        and user.team_id is not None
        and case.team_id == user.team_id
        and client_is_visible(user, case.client_id)
    )


# --- intake: inbound referrals (issue 4) ---------------------------------------------------------------------


def referrals_visible_to(user: User) -> QuerySet:
    """Referrals are seen by the casework staff (caseworkers, managers, on-call workers) of the team that
    received them, whoever in the team is handling them; nobody else. Once accepted, the client record is
    reached as any other, through their case."""
    from keyworker.intake.models import Referral

    if not can_use_casework(user) or user.team_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(team_id=user.team_id)


def can_receive_referral(user: User, team_id: uuid.UUID | None) -> bool:
    """Recording a referral into a team: casework staff of that team."""
    return can_use_casework(user) and team_id is not None and user.team_id == team_id


def can_accept_referral(user: User, referral: object) -> bool:
    """Moving a referral on (contact, assessment, waiting list, decline, accept): casework staff of the
    receiving team, who are the ones a case can be opened by (casework.services.case_open)."""
    return can_receive_referral(user, getattr(referral, "team_id", None))


# --- funding: capacity and unfunded demand (issue 4) ---------------------------------------------------------


def can_see_capacity(user: User) -> bool:
    """The capacity and unfunded-demand report of a team (aggregates only, small numbers suppressed): the
    managers of that team. Anyone else, and a manager with no team, finds no such page."""
    return _is_active_staff(user) and user.role == Role.MANAGER and user.team_id is not None


# --- custody, court and the diary (issue 5) ------------------------------------------------------------------


def can_use_directory(user: User) -> bool:
    """The prisons and courts directory holds no personal data: everyone who does casework reads it."""
    return can_use_casework(user)


def can_edit_directory(user: User) -> bool:
    """Visiting arrangements and phone numbers change; the caseworkers who ring them keep them current
    (every change is audited)."""
    return can_use_casework(user)


def can_see_team_week(user: User) -> bool:
    """The team's week (everyone's appointments and key dates): its manager. (The release board is a casework
    page: it lists only clients in the viewer's reach.)"""
    return _is_active_staff(user) and user.role == Role.MANAGER and user.team_id is not None


def team_members_of(user: User) -> QuerySet[User]:
    """The active staff of the user's own team (for a manager's team week); nobody for a user with no team."""
    from keyworker.accounts.models import User as UserModel

    if not _is_active_staff(user) or user.team_id is None:
        return UserModel.objects.none()
    return UserModel.objects.filter(team_id=user.team_id, is_active=True)


def lone_working_visits_visible_to(user: User) -> QuerySet:
    """A lone-working visit is seen by the worker on it, their buddy, and the managers of the worker's team:
    the people the escalation ladder calls. Nobody else."""
    from keyworker.diary.models import LoneWorkingVisit

    if not _is_active_staff(user):
        return LoneWorkingVisit.objects.none()
    scope = Q(staff_id=user.pk) | Q(buddy_id=user.pk)
    if user.role == Role.MANAGER and user.team_id is not None:
        scope |= Q(staff__team_id=user.team_id)
    return LoneWorkingVisit.objects.filter(scope)


def can_start_lone_working(user: User) -> bool:
    """Anyone who visits clients: caseworkers, on-call workers and managers."""
    return can_use_casework(user)


def can_be_buddy(user: User, buddy: User) -> bool:
    """A buddy is another active member of the worker's own team who does casework (and so has the alerts
    page the ladder sends them to)."""
    return (
        _is_active_staff(buddy)
        and buddy.role in CASEWORK_ROLES
        and buddy.pk != user.pk
        and user.team_id is not None
        and buddy.team_id == user.team_id
    )


def can_stand_down(user: User, visit: LoneWorkingVisit) -> bool:
    """Standing a lone-working alert down is for the people the ladder calls: the buddy and the managers of the
    worker's team (the worker checks out instead)."""
    if not _is_active_staff(user) or user.pk == visit.staff_id:
        return False
    if user.pk == visit.buddy_id:
        return True
    return user.role == Role.MANAGER and user.team_id is not None and user.team_id == visit.staff.team_id


def can_use_calendar_feed(user: User) -> bool:
    """A private calendar feed of one's own diary: anyone with a diary."""
    return can_use_casework(user)


# --- services, referrals out, signposting, courses, the safety profile (issue 6) -------------------------------


def can_use_services_directory(user: User) -> bool:
    """Partner services hold no personal data: casework staff and the safeguarding lead read them."""
    return can_use_casework(user) or (_is_active_staff(user) and user.role == Role.SAFEGUARDING_LEAD)


def can_edit_services_directory(user: User) -> bool:
    """Casework staff keep the directory current (audited), as with the prisons and courts."""
    return can_use_casework(user)


def outbound_referrals_visible_to(user: User) -> QuerySet:
    """A referral out is part of its client's record: in reach exactly when the client is."""
    from keyworker.services.models import OutboundReferral

    return OutboundReferral.objects.filter(client__in=clients_visible_to(user))


def signpostings_visible_to(user: User) -> QuerySet:
    """Signposting someone who is not a client is seen by the worker who gave it and by the safeguarding lead;
    never by anyone else, and it is linked to no client's file."""
    from keyworker.services.models import Signposting

    if not _is_active_staff(user):
        return Signposting.objects.none()
    if user.role == Role.SAFEGUARDING_LEAD:
        return Signposting.objects.all()
    if user.role in CASEWORK_ROLES:
        return Signposting.objects.filter(given_by_id=user.pk)
    return Signposting.objects.none()


def can_signpost(user: User) -> bool:
    return can_use_casework(user)


def can_see_signposting_pages(user: User) -> bool:
    """The signposting pages: casework staff (their own records) and the safeguarding lead (everyone's)."""
    return can_signpost(user) or (_is_active_staff(user) and user.role == Role.SAFEGUARDING_LEAD)


def can_manage_courses(user: User) -> bool:
    """Courses, cohorts, venues and sessions (no personal data) are set up by casework staff; enrolling a
    client needs can_record_on for that client."""
    return can_use_casework(user)


def keep_apart_visible_to(user: User) -> QuerySet:
    """A keep-apart pair names two people: only staff who can see both see the pair. Anyone else learns at
    most, from a booking warning, that someone on the session must be kept apart from their client."""
    from keyworker.safeguarding.models import KeepApart

    visible = clients_visible_to(user)
    return KeepApart.objects.filter(client_a__in=visible, client_b__in=visible)


# --- safeguarding and crisis (issue 7) --------------------------------------------------------------------------


def is_safeguarding_lead(user: User) -> bool:
    """The safeguarding lead: the queue of open concerns, third-party records, DASH, MARAC and NRM for everyone,
    and the disclosure scanner's phrase lists."""
    return _is_active_staff(user) and user.role == Role.SAFEGUARDING_LEAD


def concerns_visible_to(user: User) -> QuerySet:
    """Concerns in full (docs/decisions/0025):
    - the safeguarding lead: every concern, except on a client barred to them by a restriction or exclusion;
    - casework staff: concerns *about a client* they can see (part of that client's file), and concerns about
      someone else that they recorded themselves;
    - nobody else. A concern about someone else is never in reach through its client: staff who can see the
      client learn only that a concern exists (selectors.concern_flag_for)."""
    from keyworker.people.models import Client
    from keyworker.safeguarding.models import Concern, ConcernAbout

    if not _is_active_staff(user):
        return Concern.objects.none()
    if user.role == Role.SAFEGUARDING_LEAD:
        return Concern.objects.filter(client__in=Client.objects.filter(_not_barred(user)))
    if user.role in CASEWORK_ROLES:
        about_client = Q(about=ConcernAbout.CLIENT, client__in=clients_visible_to(user))
        own = ~Q(about=ConcernAbout.CLIENT) & Q(
            recorded_by_id=user.pk, client__in=Client.objects.filter(_not_barred(user))
        )
        return Concern.objects.filter(about_client | own)
    return Concern.objects.none()


def can_record_concern(user: User, client: Client) -> bool:
    """Anyone who records on a client may raise a concern from that casework (about them or someone else)."""
    return can_record_on(user, client)


def can_act_on_concern(user: User, concern: object) -> bool:
    """Adding actions, sharing decisions, DASH, MARAC and NRM records, changing status: the safeguarding lead,
    or the member of staff who recorded the concern (while it is in their reach)."""
    if is_safeguarding_lead(user):
        return True
    return can_use_casework(user) and getattr(concern, "recorded_by_id", None) == user.pk


def can_edit_scanner(user: User) -> bool:
    return is_safeguarding_lead(user)


def risk_reviews_visible_to(user: User) -> QuerySet:
    """Risk reviews are part of the client's file: in reach exactly when the client is."""
    from keyworker.safeguarding.models import RiskReview

    return RiskReview.objects.filter(client__in=clients_visible_to(user))


def can_manage_rota(user: User) -> bool:
    """The on-call rota is kept by managers."""
    return _is_active_staff(user) and user.role == Role.MANAGER


def can_see_rota(user: User) -> bool:
    """Who is on call tonight: everyone who does casework, and the safeguarding lead."""
    return can_use_casework(user) or is_safeguarding_lead(user)


def crisis_calls_visible_to(user: User) -> QuerySet:
    """A crisis call is part of its client's record (in reach when the client is); the worker who took it also
    keeps it in reach after their break-glass grant expires, for the handover."""
    from keyworker.people.models import Client
    from keyworker.safeguarding.models import CrisisCall

    if not can_use_casework(user):
        return CrisisCall.objects.none()
    return CrisisCall.objects.filter(
        Q(client__in=clients_visible_to(user))
        | Q(taken_by_id=user.pk, client__in=Client.objects.filter(_not_barred(user)))
    )


def can_log_crisis_call(user: User, client: Client) -> bool:
    """Anyone who records on the client, which for an on-call worker includes a client opened by break-glass."""
    return can_record_on(user, client)


def can_export_subject_access(user: User) -> bool:
    """A subject access record (everything held about a person, issue 10) is exported by the data protection
    officer only; `keyworker sar export` run without --actor is the system, on the operator's authority."""
    return _is_active_staff(user) and user.role == Role.DATA_PROTECTION_OFFICER


# --- outcomes, mentoring and letters (issue 8) ------------------------------------------------------------------


def outcome_readings_visible_to(user: User) -> QuerySet:
    """Outcome readings are part of the client's file: in reach exactly when the client is."""
    from keyworker.outcomes.models import OutcomeReading

    return OutcomeReading.objects.filter(client__in=clients_visible_to(user))


def milestones_visible_to(user: User) -> QuerySet:
    """Milestones (and the spells and proven offences they are worked out from) follow the client's file."""
    from keyworker.outcomes.models import Milestone

    return Milestone.objects.filter(client__in=clients_visible_to(user))


def letters_visible_to(user: User) -> QuerySet:
    """Letters about a client follow the client's file."""
    from keyworker.outcomes.models import Letter

    return Letter.objects.filter(client__in=clients_visible_to(user))


def can_manage_outcome_scales(user: User) -> bool:
    """Scales (domains, steps, how often to read) and letter templates are set by managers."""
    return _is_active_staff(user) and user.role == Role.MANAGER


def can_edit_letter_templates(user: User) -> bool:
    return can_manage_outcome_scales(user)


def mentoring_visible_to(user: User) -> QuerySet:
    """A mentoring relationship: casework staff who can see the mentee; the mentor themselves while it is
    current (and the mentee is not barred to them). A mentor sees only a mentor's fields (the views' job)."""
    from keyworker.outcomes.models import Mentoring
    from keyworker.people.models import Client

    if not _is_active_staff(user):
        return Mentoring.objects.none()
    if user.role == Role.PEER_MENTOR:
        return Mentoring.objects.filter(
            mentor_id=user.pk, ended_on__isnull=True, mentee__in=Client.objects.filter(_not_barred(user))
        )
    return Mentoring.objects.filter(mentee__in=clients_visible_to(user))


def can_record_mentoring_session(user: User, mentoring: object) -> bool:
    """The mentor (while the relationship is current) or casework staff who record on the mentee."""
    if getattr(mentoring, "mentor_id", None) == user.pk and getattr(mentoring, "ended_on", None) is None:
        return _is_active_staff(user) and user.role == Role.PEER_MENTOR
    mentee = getattr(mentoring, "mentee", None)
    return mentee is not None and can_record_on(user, mentee)


def can_link_mentor_account(user: User, client: Client) -> bool:
    """Linking a client's path to mentoring to the staff account they will mentor from (they become staff with
    the peer mentor role) is a manager's decision, for a client in the manager's reach."""
    return _is_active_staff(user) and user.role == Role.MANAGER and client_is_visible(user, client.pk)


def can_mentor(mentor: User, mentee: Client) -> bool:
    """Whether a peer mentor may be matched with a client: an active peer mentor whom no exclusion or restriction
    keeps from the client (the same bar that would hide the mentee from them once matched)."""
    from keyworker.people.models import Client

    return (
        _is_active_staff(mentor)
        and mentor.role == Role.PEER_MENTOR
        and Client.objects.filter(_not_barred(mentor), pk=mentee.pk).exists()
    )


def can_see_cohort_outcomes(user: User) -> bool:
    """Distance travelled across a cohort (the change between first and latest outcome reading, averaged per
    domain) is a manager's view of their own team's clients; nobody else has the page."""
    return _is_active_staff(user) and user.role == Role.MANAGER and user.team_id is not None


def can_see_funder_reports(user: User) -> bool:
    """Funder reports (a funding stream's figures over a period: aggregates only, counts under 5 suppressed)
    are asked for and read by managers and report viewers, for every stream: streams are the organisation's,
    not a team's. Nobody else finds the pages."""
    return _is_active_staff(user) and user.role in (Role.MANAGER, Role.REPORT_VIEWER)


def funder_report_runs_visible_to(user: User) -> QuerySet:
    """Every report run, to whoever may see funder reports (they hold no personal data); nothing to anyone else."""
    from keyworker.outcomes.models import FunderReportRun

    if not can_see_funder_reports(user):
        return FunderReportRun.objects.none()
    return FunderReportRun.objects.all()


def can_set_stream_targets(user: User) -> bool:
    """A stream's targets are funding data kept by managers, like its eligibility rules."""
    return can_manage_funding(user)


def can_export_justice_data_lab(user: User) -> bool:
    """A Justice Data Lab cohort file holds names, dates of birth and prison numbers: the data protection
    officer alone makes one (and each is audited and logged as a disclosure of every person in it)."""
    return _is_active_staff(user) and user.role == Role.DATA_PROTECTION_OFFICER


# --- sharing agreements (issue 10) -------------------------------------------------------------------------------


def can_see_sharing_agreements(user: User) -> bool:
    """The register holds no personal data: everyone who does casework reads it (they choose an agreement when
    sharing), and the data protection officer who keeps it."""
    return can_use_casework(user) or (_is_active_staff(user) and user.role == Role.DATA_PROTECTION_OFFICER)


def can_manage_sharing_agreements(user: User) -> bool:
    """The data protection officer and managers add and change agreements (audited)."""
    return _is_active_staff(user) and user.role in (Role.DATA_PROTECTION_OFFICER, Role.MANAGER)


def can_see_all_disclosures(user: User) -> bool:
    """Totals across every client (how much went out under an agreement) are the data protection officer's."""
    return _is_active_staff(user) and user.role == Role.DATA_PROTECTION_OFFICER


def can_import_clients(user: User) -> bool:
    """Importing a caseload from a spreadsheet is a manager's job, for their own team (issue 10)."""
    return _is_active_staff(user) and user.role == Role.MANAGER and user.team_id is not None


def client_imports_visible_to(user: User) -> QuerySet:
    """A spreadsheet import (its text holds personal data until it is imported or discarded): the managers of
    the team it was uploaded for; nobody else."""
    from keyworker.people.models import ClientImport

    if not can_import_clients(user) or user.team_id is None:
        return ClientImport.objects.none()
    return ClientImport.objects.filter(team_id=user.team_id)


def can_manage_retention(user: User) -> bool:
    """The retention review queue, the retention policies and the history of removals (issue 10) are the data
    protection officer's alone: what is kept, for how long, and each removal of a person's whole record."""
    return _is_active_staff(user) and user.role == Role.DATA_PROTECTION_OFFICER
