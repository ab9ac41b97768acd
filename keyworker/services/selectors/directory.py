"""Reading the services directory (no personal data): anyone who may use it sees all of it."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.services.models import Organisation, Service

MAX_WORDS = 6


def service_list_for(user: User) -> QuerySet[Service]:
    if not policy.can_use_services_directory(user):
        return Service.objects.none()
    return Service.objects.select_related("organisation")


def service_search_for(
    user: User, *, words: str = "", category: str = "", area: str = "", include_inactive: bool = False
) -> QuerySet[Service]:
    """Services matching every word (in the service's name, its organisation's name or its description), of
    `category`, covering `area` (a national service covers everywhere). Helplines first, then by name."""
    services = service_list_for(user)
    if not include_inactive:
        services = services.filter(is_active=True)
    for word in words.split()[:MAX_WORDS]:
        services = services.filter(
            Q(name__icontains=word) | Q(organisation__name__icontains=word) | Q(description__icontains=word)
        )
    if category:
        services = services.filter(category=category)
    if area.strip():
        services = services.filter(Q(is_national=True) | Q(area_covered__icontains=area.strip()))
    return services.order_by("-is_helpline", "name", "organisation__name")


def service_get_for(user: User, service_id: uuid.UUID | str) -> Service:
    return one_or_not_found(service_list_for(user), pk=service_id)


def organisation_list_for(user: User) -> QuerySet[Organisation]:
    if not policy.can_use_services_directory(user):
        return Organisation.objects.none()
    return Organisation.objects.all()


def organisation_get_for(user: User, organisation_id: uuid.UUID | str) -> Organisation:
    return one_or_not_found(organisation_list_for(user), pk=organisation_id)
