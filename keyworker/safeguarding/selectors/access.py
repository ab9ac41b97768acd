"""Reading restrictions, exclusions and break-glass grants, through the access policy."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.people.models import Client
from keyworker.people.selectors import client_check_for, client_search_for
from keyworker.safeguarding.models import (
    AccessRule,
    AccessRuleKind,
    AreaConcern,
    BreakGlassGrant,
    KeepApart,
    UnsafeArea,
)


def access_rules_for(user: User, client: Client) -> QuerySet[AccessRule]:
    """Every restriction and exclusion on the client, newest first: managers of the client's team only."""
    if not policy.can_set_access_rules(user, client):
        raise NotFound()
    return AccessRule.objects.filter(client=client).select_related("set_by", "lifted_by").prefetch_related("staff")


def access_rule_get_for(user: User, rule_id: uuid.UUID | str) -> AccessRule:
    rule = one_or_not_found(AccessRule.objects.select_related("client"), pk=rule_id)
    if not policy.can_set_access_rules(user, rule.client):
        raise NotFound()
    return rule


def restrictions_naming(user: User) -> QuerySet[AccessRule]:
    """Restrictions in force that name the user (only they, and others named, can open those records)."""
    now = timezone.now()
    return AccessRule.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        kind=AccessRuleKind.RESTRICTION,
        starts_at__lte=now,
        lifted_at__isnull=True,
        staff=user.pk,
    )


def restriction_messages_for(user: User, client: Client) -> list[str]:
    """The messages of restrictions in force that name the user (only they can open the record)."""
    return [rule.message for rule in restrictions_naming(user).filter(client=client) if rule.message]


def break_glass_grant_for(user: User, client: Client) -> BreakGlassGrant | None:
    """The user's break-glass grant on this client in force now, if their access depends on one."""
    if not policy.seen_by_break_glass(user, client):
        return None
    return (
        BreakGlassGrant.objects.filter(user=user, client=client, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def break_glass_search(user: User, query: str, *, limit: int = 20) -> list[Client]:
    """Clients an on-call worker may open by break-glass, by name or case reference. The caller shows
    only what is needed to pick the right person (name, year of birth, area)."""
    words = query.split()
    if not words:
        return []
    found = policy.break_glass_candidates(user)
    for word in words[:4]:
        found = found.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(cases__reference__iexact=word)
        )
    return list(found.distinct().order_by("last_name", "first_name")[:limit])


def area_concerns_for(user: User, *, include_expired: bool = False) -> QuerySet[AreaConcern]:
    """Area concerns in force (or all, for a look back); empty for roles that do not use them."""
    if not policy.can_use_area_concerns(user):
        return AreaConcern.objects.none()
    concerns = AreaConcern.objects.select_related("reported_by", "last_reviewed_by")
    if not include_expired:
        concerns = concerns.filter(expires_on__gt=timezone.localdate())
    return concerns.order_by("-reported_on", "-created_at")


def area_concern_get_for(user: User, concern_id: uuid.UUID | str) -> AreaConcern:
    return one_or_not_found(area_concerns_for(user), pk=concern_id)


# --- the safety profile (issue 6) -------------------------------------------------------------------------------


def unsafe_areas_for(user: User, client: Client) -> QuerySet[UnsafeArea]:
    """The client's unsafe areas, current and ended, for someone who can see the client."""
    client_check_for(user, client)
    return UnsafeArea.objects.filter(client=client).order_by("kind", "area", "-created_at")


def unsafe_area_get_for(user: User, area_id: uuid.UUID | str) -> UnsafeArea:
    return one_or_not_found(
        UnsafeArea.objects.filter(client__in=policy.clients_visible_to(user)).select_related("client"), pk=area_id
    )


def keep_apart_pairs_for(user: User, client: Client) -> QuerySet[KeepApart]:
    """The client's keep-apart pairs that the user may see: those with someone the user cannot see are not
    listed at all (they still make booking warnings, which name nobody)."""
    client_check_for(user, client)
    return (
        policy.keep_apart_visible_to(user)
        .filter(Q(client_a=client) | Q(client_b=client))
        .select_related("client_a", "client_b", "recorded_by")
        .order_by("ended_on", "-created_at")
    )


def keep_apart_get_for(user: User, pair_id: uuid.UUID | str) -> KeepApart:
    return one_or_not_found(policy.keep_apart_visible_to(user).select_related("client_a", "client_b"), pk=pair_id)


def keep_apart_candidates(user: User, client: Client, query: str, *, limit: int = 20) -> list[Client]:
    """People the user could record as someone to keep apart from the client: clients they can see, found
    by name or case reference."""
    return [person for person in client_search_for(user, query, limit=limit + 1) if person.pk != client.pk][:limit]


def keep_apart_candidate_get(user: User, client_id: uuid.UUID | str) -> Client | None:
    """The chosen person, if the user can see them (None otherwise: the form says to choose from the list)."""
    return policy.clients_visible_to(user).filter(pk=client_id).first()
