"""Reading courses through the access policy. Courses, cohorts, venues and sessions hold no personal data and
are read by casework staff; enrolments are part of a client's record and are named only to someone who can
see that client. Everyone else on a cohort is a count ("2 other people"), never a name."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.people.models import Client
from keyworker.services import course_rules as rules
from keyworker.services.models import (
    PLACE_HOLDING_STATUSES,
    Cohort,
    Course,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    Organisation,
    SessionAttendance,
    Venue,
)

__all__ = [
    "CohortView",
    "cohort_get_for",
    "cohort_list_open_for",
    "cohort_view_for",
    "course_get_for",
    "course_list_for",
    "enrolment_get_for",
    "enrolment_list_for",
    "enrolments_of_client_for",
    "provider_list_for",
    "session_get_for",
    "venue_get_for",
    "venue_list_for",
]


def _holding_count() -> Count:
    return Count("enrolments", filter=Q(enrolments__status__in=PLACE_HOLDING_STATUSES), distinct=True)


def _waiting_count() -> Count:
    return Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING), distinct=True)


def _cohorts(user: User) -> QuerySet[Cohort]:
    if not policy.can_manage_courses(user):
        return Cohort.objects.none()
    return Cohort.objects.select_related("course__provider", "venue").annotate(
        holding=_holding_count(), waiting=_waiting_count()
    )


def course_list_for(user: User, *, today: dt.date | None = None) -> QuerySet[Course]:
    """Active courses, the charity's own and partners', each with its cohorts still to finish (soonest first)
    and their places taken and waiting (`cohort.holding`, `cohort.waiting`)."""
    if not policy.can_manage_courses(user):
        return Course.objects.none()
    today = today or timezone.localdate()
    upcoming = _cohorts(user).filter(ends_on__gte=today).order_by("starts_on", "name")
    return (
        Course.objects.filter(is_active=True)
        .select_related("provider")
        .prefetch_related(Prefetch("cohorts", queryset=upcoming, to_attr="upcoming"))
        .order_by("title")
    )


def course_get_for(user: User, course_id: uuid.UUID | str) -> Course:
    if not policy.can_manage_courses(user):
        return one_or_not_found(Course.objects.none(), pk=course_id)
    return one_or_not_found(Course.objects.select_related("provider"), pk=course_id)


def cohort_list_for(user: User, course: Course) -> QuerySet[Cohort]:
    return _cohorts(user).filter(course=course).order_by("-starts_on", "name")


def cohort_get_for(user: User, cohort_id: uuid.UUID | str) -> Cohort:
    return one_or_not_found(_cohorts(user), pk=cohort_id)


def cohort_list_open_for(user: User, *, today: dt.date | None = None) -> QuerySet[Cohort]:
    """Cohorts one can still enrol on (not finished), soonest first."""
    today = today or timezone.localdate()
    return _cohorts(user).filter(ends_on__gte=today, course__is_active=True).order_by("starts_on", "course__title")


def session_get_for(user: User, session_id: uuid.UUID | str) -> CourseSession:
    if not policy.can_manage_courses(user):
        return one_or_not_found(CourseSession.objects.none(), pk=session_id)
    return one_or_not_found(CourseSession.objects.select_related("cohort", "venue"), pk=session_id)


def venue_list_for(user: User) -> QuerySet[Venue]:
    if not policy.can_manage_courses(user):
        return Venue.objects.none()
    return Venue.objects.order_by("name")


def venue_get_for(user: User, venue_id: uuid.UUID | str) -> Venue:
    return one_or_not_found(venue_list_for(user), pk=venue_id)


def provider_list_for(user: User) -> QuerySet[Organisation]:
    """Partner organisations a course can be run by."""
    if not policy.can_manage_courses(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(is_active=True).order_by("name")


def enrolment_list_for(user: User) -> QuerySet[Enrolment]:
    """Enrolments of clients in the user's reach (a client's course record is theirs)."""
    if not policy.can_manage_courses(user):
        return Enrolment.objects.none()
    return Enrolment.objects.filter(client__in=policy.clients_visible_to(user)).select_related(
        "client", "cohort__course", "cohort__venue"
    )


def enrolment_get_for(user: User, enrolment_id: uuid.UUID | str) -> Enrolment:
    return one_or_not_found(enrolment_list_for(user), pk=enrolment_id)


def enrolments_of_client_for(user: User, client: Client) -> list[Enrolment]:
    """A client's courses, newest cohort first (the caller has fetched the client through the policy)."""
    return list(
        enrolment_list_for(user).filter(client=client).select_related("cohort__course__provider").order_by(
            "-cohort__starts_on", "-created_at"
        )
    )


# ---------------------------------------------------------------------------------------------- a cohort


@dataclass
class CohortView:
    """A cohort as one viewer may see it: the people they can see named, everyone else counted."""

    cohort: Cohort
    sessions: list[CourseSession]
    on_course: list[Enrolment]  # enrolled or completed, visible to the viewer
    on_course_hidden: int
    waiting: list[tuple[int, Enrolment]]  # (place on the list, enrolment), visible to the viewer
    waiting_hidden: int
    ended: list[Enrolment]  # withdrawn or left, visible to the viewer
    places_left: int
    top_of_waiting_list: Enrolment | None  # the first on the list, if the viewer can see them
    top_is_hidden: bool  # the first on the list is someone the viewer cannot see
    attendance: dict[tuple[uuid.UUID, uuid.UUID], SessionAttendance] = field(default_factory=dict)
    attendance_rows: list[Enrolment] = field(default_factory=list)  # who has a row in the grid

    @property
    def shown(self) -> list[Enrolment]:
        """Every enrolment whose client this view names (for the view audit)."""
        return [*self.on_course, *(e for _, e in self.waiting), *self.ended]

    @property
    def place_free_for_waiting(self) -> bool:
        return self.places_left > 0 and (self.top_of_waiting_list is not None or self.top_is_hidden)


def cohort_view_for(user: User, cohort: Cohort) -> CohortView:
    """The cohort page's content for `user`. Four queries whatever the cohort's size."""
    visible = set(
        policy.clients_visible_to(user)
        .filter(enrolments__cohort=cohort)
        .values_list("pk", flat=True)
    )
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort).select_related("client").order_by("created_at")
    )
    sessions = list(cohort.sessions.select_related("venue").order_by("starts_at"))
    holding = [e for e in enrolments if e.status in PLACE_HOLDING_STATUSES]
    waiting_order = rules.waiting_order(
        (e.waiting_since or e.created_at, e) for e in enrolments if e.status == EnrolmentStatus.WAITING
    )
    top = waiting_order[0] if waiting_order else None
    attendance_rows = [e for e in enrolments if e.status in rules.ATTENDING and e.client_id in visible]
    marks = SessionAttendance.objects.filter(
        session__cohort=cohort, enrolment__in=[e.pk for e in attendance_rows]
    )
    return CohortView(
        cohort=cohort,
        sessions=sessions,
        on_course=[e for e in holding if e.client_id in visible],
        on_course_hidden=sum(1 for e in holding if e.client_id not in visible),
        waiting=[(place, e) for place, e in enumerate(waiting_order, start=1) if e.client_id in visible],
        waiting_hidden=sum(1 for e in waiting_order if e.client_id not in visible),
        ended=[e for e in enrolments if e.status in rules.ENDED and e.client_id in visible],
        places_left=rules.places_left(cohort.capacity, len(holding)),
        top_of_waiting_list=top if top is not None and top.client_id in visible else None,
        top_is_hidden=top is not None and top.client_id not in visible,
        attendance={(m.session_id, m.enrolment_id): m for m in marks},
        attendance_rows=attendance_rows,
    )
