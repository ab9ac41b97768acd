"""The safety check a booking asks before it saves: is the venue in an area unsafe for the client, and is
anyone else on the booking someone they must be kept apart from?

Booking services (diary appointments, course enrolments) call `booking_safety_warnings`; if it returns
warnings and no `safety_override_reason` was given they raise core.errors.SafetyCheckFailed(warnings).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.people.models import Client
from keyworker.safeguarding.models import KeepApart, UnsafeArea
from keyworker.safeguarding.rules import AreaRecord, PairRecord, booking_warnings


def booking_safety_warnings(
    actor: User, client: Client, *, postcode: str = "", borough: str = "", others: Iterable[Client] = ()
) -> list[str]:
    """Warning sentences safe to show to `actor` about booking `client` at a venue (its postcode and/or
    borough) alongside `others`. Empty when nothing warns.

    Every active keep-apart pair counts, including pairs the actor cannot see on the client's page: the
    warning then names nobody."""
    active = Q(ended_on__isnull=True) | Q(ended_on__gt=timezone.localdate())
    areas: list[AreaRecord] = []
    if postcode.strip() or borough.strip():
        areas = [
            AreaRecord(kind=kind, area=area, reason=reason)
            for kind, area, reason in UnsafeArea.objects.filter(active, client=client).values_list(
                "kind", "area", "reason"
            )
        ]
    others_by_id = {other.pk: other for other in others if other.pk != client.pk}
    pairs: list[PairRecord[uuid.UUID]] = []
    visible_ids: set[uuid.UUID] = set()
    if others_by_id:
        pairs = [
            PairRecord(a=a, b=b, reason=reason)
            for a, b, reason in KeepApart.objects.filter(active)
            .filter(
                Q(client_a_id=client.pk, client_b_id__in=list(others_by_id))
                | Q(client_b_id=client.pk, client_a_id__in=list(others_by_id))
            )
            .values_list("client_a_id", "client_b_id", "reason")
        ]
        partners = {pair.a if pair.b == client.pk else pair.b for pair in pairs}
        if partners:
            visible_ids = set(
                policy.clients_visible_to(actor).filter(pk__in=list(partners)).values_list("pk", flat=True)
            )
    return booking_warnings(
        client.pk,
        client.display_name,
        areas=areas,
        postcode=postcode,
        borough=borough,
        pairs=pairs,
        others={pk: other.display_name for pk, other in others_by_id.items()},
        visible_ids=visible_ids,
    )
