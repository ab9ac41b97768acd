"""Reading lone-working visits, through the access policy: the worker, their buddy, the team's managers."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.core import policy
from keyworker.core.errors import NotFound, id_or_not_found, one_or_not_found
from keyworker.diary import rules
from keyworker.diary.models import Appointment, LoneWorkingStatus, LoneWorkingVisit

# A visit someone is still watching over: not checked out, not stood down.
OPEN_STATUSES = (LoneWorkingStatus.ON_VISIT, LoneWorkingStatus.ESCALATED)
# Area concerns in force are few; the summary carries the newest that match.
AREA_CONCERNS_READ = 500
AREA_CONCERNS_SHOWN = 3


def lone_working_visit_list_for(user: User) -> QuerySet[LoneWorkingVisit]:
    return (
        policy.lone_working_visits_visible_to(user)
        .select_related("staff", "buddy", "client", "appointment", "resolved_by")
        .prefetch_related("escalations")
    )


def lone_working_visit_get_for(user: User, visit_id: uuid.UUID | str) -> LoneWorkingVisit:
    """The visit, or NotFound if it does not exist or the user is not its worker, buddy or manager."""
    return one_or_not_found(lone_working_visit_list_for(user), pk=visit_id)


def lone_working_current_for(user: User) -> LoneWorkingVisit | None:
    """The user's own visit in progress, if any (a worker is on one visit at a time)."""
    return lone_working_visit_list_for(user).filter(staff_id=user.pk, status__in=OPEN_STATUSES).first()


def lone_working_alerts_for(user: User) -> tuple[list[LoneWorkingVisit], list[LoneWorkingVisit]]:
    """Other workers' open visits the user watches over (as their buddy, or their team's manager): those
    that need attention now (overdue or escalated), and the rest in progress."""
    now = timezone.now()
    watched = (
        lone_working_visit_list_for(user)
        .filter(status__in=OPEN_STATUSES)
        .exclude(staff_id=user.pk)
        .order_by("expected_end")
    )
    attention: list[LoneWorkingVisit] = []
    in_progress: list[LoneWorkingVisit] = []
    for visit in watched:
        overdue = visit.status == LoneWorkingStatus.ESCALATED or visit.expected_end < now
        (attention if overdue else in_progress).append(visit)
    return attention, in_progress


def buddy_candidates_for(user: User) -> QuerySet[User]:
    """Who the user may pick as a buddy: colleagues in their own team (policy.can_be_buddy) who do casework,
    so that they have the alerts page to answer from."""
    return (
        policy.team_members_of(user)
        .exclude(pk=user.pk)
        .filter(role__in=policy.CASEWORK_ROLES)
        .order_by("first_name", "last_name")
    )


def staff_member(staff_id: uuid.UUID | str) -> User | None:
    """A member of staff named by id in a form or request (a buddy): who may be chosen is the service's
    decision through the policy; an unknown or malformed id is simply None."""
    try:
        return User.objects.get(pk=staff_id)
    except (User.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        return None


def appointment_for_visit(user: User, appointment_id: uuid.UUID | str) -> Appointment:
    """An appointment the user may start a visit from: one of their own, or one about a client in reach."""
    from keyworker.diary.selectors.appointments import appointment_list_for

    appointment_id = id_or_not_found(appointment_id)
    appointment = one_or_not_found(appointment_list_for(user, narrow=Q(pk=appointment_id)), pk=appointment_id)
    if appointment.staff_id != user.pk and appointment.client_id is None:
        raise NotFound()
    return appointment


def managers_watching(visit: LoneWorkingVisit) -> list[User]:
    """The managers of the worker's team: the second rung of the ladder (the policy lets them see the visit)."""
    if visit.staff.team_id is None:
        return []
    return list(
        User.objects.filter(team_id=visit.staff.team_id, role=Role.MANAGER, is_active=True).exclude(pk=visit.staff_id)
    )


def risk_facts_for(visit: LoneWorkingVisit) -> rules.RiskFacts:
    """What the record holds about the risks of this visit, for the escalation to staff (not through a user's
    reach: the people alerted need it whatever their own access, docs/decisions/0022)."""
    from keyworker.safeguarding.models import AccessRule, AccessRuleKind, AreaConcern, RiskReview

    today = timezone.localdate()
    now = timezone.now()
    safe_contact_note = ""
    restriction_messages: list[str] = []
    home_area = ""
    latest_risk: RiskReview | None = None
    if visit.client is not None:
        client = visit.client
        latest_risk = RiskReview.objects.filter(client_id=client.pk).order_by("-reviewed_on", "-created_at").first()
        safe_contact_note = client.safe_contact_note
        home_area = client.home_area.strip().lower()
        restriction_messages = list(
            AccessRule.objects.filter(
                Q(ends_at__isnull=True) | Q(ends_at__gt=now),
                client_id=client.pk,
                kind=AccessRuleKind.RESTRICTION,
                starts_at__lte=now,
                lifted_at__isnull=True,
            )
            .exclude(message="")
            .values_list("message", flat=True)
        )
    # Area concerns name nobody; those about the client's area or the visit's address, newest first.
    place = visit.place.lower()
    concerns = [
        f"{concern.area}: {concern.summary} ({concern.get_source_display()}, {concern.reported_on:%-d %b %Y})"
        for concern in AreaConcern.objects.filter(expires_on__gte=today).order_by("-reported_on")[:AREA_CONCERNS_READ]
        if (area := concern.area.strip().lower()) and (area == home_area or area in place)
    ][:AREA_CONCERNS_SHOWN]
    return rules.RiskFacts(
        with_whom=visit.with_whom,
        safe_contact_note=safe_contact_note,
        restriction_messages=restriction_messages,
        area_concerns=concerns,
        risk_levels=(
            (
                latest_risk.get_risk_to_self_display().lower(),
                latest_risk.get_risk_to_others_display().lower(),
                latest_risk.get_risk_from_others_display().lower(),
            )
            if latest_risk
            else None
        ),
        risk_reviewed_on=latest_risk.reviewed_on if latest_risk else None,
    )
