"""Reading staff records."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from keyworker.accounts.models import User


def assignable_staff_for(user: User) -> QuerySet[User]:
    """Who the user may give a task or appointment to: themselves and active members of their team."""
    scope = Q(pk=user.pk)
    if user.team_id:
        scope |= Q(team_id=user.team_id)
    return User.objects.filter(scope, is_active=True).order_by("first_name", "last_name")


def assignable_staff_get_for(user: User, staff_id: uuid.UUID | str) -> User | None:
    """One of assignable_staff_for, or None (someone unknown and someone outside the team look the same)."""
    try:
        return assignable_staff_for(user).filter(pk=staff_id).first()
    except (ValueError, TypeError):
        return None
