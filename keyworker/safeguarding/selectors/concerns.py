"""Reading safeguarding concerns, always through core.policy.concerns_visible_to.

A concern about someone else is never reached through its client: staff who can see the client learn only
that one exists (concern_flag_for), never what it says or who it is about."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.people.models import Client
from keyworker.safeguarding.models import Concern, ConcernAbout, ConcernStatus

__all__ = [
    "concern_flag_for",
    "concern_get_for",
    "concern_queue_for",
    "concerns_about_client_for",
    "concerns_raised_by",
    "open_concerns_about_others",
]

OPEN_STATUSES = (ConcernStatus.OPEN, ConcernStatus.WITH_LEAD)


def _listed(queryset: QuerySet[Concern]) -> QuerySet[Concern]:
    return queryset.select_related("client", "third_party", "recorded_by")


def concern_get_for(user: User, concern_id: uuid.UUID | str) -> Concern:
    """One concern in full, with its actions and sharing decisions; not found for anyone out of reach."""
    return one_or_not_found(
        _listed(policy.concerns_visible_to(user)).prefetch_related(
            "actions__taken_by", "sharing_decisions__decided_by"
        ),
        pk=concern_id,
    )


def concern_queue_for(user: User) -> QuerySet[Concern]:
    """The safeguarding lead's queue: concerns not yet closed, the most overdue review first. Empty for
    everyone else (their list is concerns_raised_by)."""
    if not policy.is_safeguarding_lead(user):
        return Concern.objects.none()
    return _listed(policy.concerns_visible_to(user).filter(status__in=OPEN_STATUSES)).order_by(
        "review_on", "created_at"
    )


def concerns_raised_by(user: User) -> QuerySet[Concern]:
    """Concerns the user recorded and can still reach, newest first."""
    return _listed(policy.concerns_visible_to(user).filter(recorded_by_id=user.pk)).order_by("-created_at")


def concerns_about_client_for(user: User, client: Client) -> QuerySet[Concern]:
    """Concerns about the client themselves: part of their file. Never those about someone else."""
    return (
        policy.concerns_visible_to(user)
        .filter(client_id=client.pk, about=ConcernAbout.CLIENT)
        .select_related("recorded_by")
        .order_by("-disclosed_on", "-created_at")
    )


def concern_flag_for(user: User, client: Client) -> bool:
    """Whether a concern about someone else, not yet closed, arose in this client's casework: shown as
    "a safeguarding concern exists — see the safeguarding lead" to anyone who can see the client, revealing
    nothing else. False for anyone who cannot see the client."""
    return open_concerns_about_others().filter(client__in=policy.clients_visible_to(user).filter(pk=client.pk)).exists()


def open_concerns_about_others() -> QuerySet[Concern]:
    """Concerns about someone other than the client, not yet closed: what raises the client page's flag. The
    caller applies the policy (concern_flag_for, or an annotation on a client fetched through it)."""
    return Concern.objects.filter(status__in=OPEN_STATUSES).exclude(about=ConcernAbout.CLIENT)
