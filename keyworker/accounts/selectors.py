"""Reading staff records and their API tokens."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from keyworker.accounts.models import API_TOKEN_MARK, ApiToken, User, api_token_hash
from keyworker.core.errors import one_or_not_found

# Longer than any token we make; anything longer is not worth hashing.
MAX_BEARER_LENGTH = 200


def active_staff() -> QuerySet[User]:
    """Everyone who can sign in: the people a restriction or exclusion may name."""
    return User.objects.filter(is_active=True)


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


def token_list_for(user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first: nobody sees anyone else's."""
    return ApiToken.objects.filter(owner=user).order_by("-created_at")


def token_get_for(user: User, token_id: uuid.UUID | str) -> ApiToken:
    """One of the user's own tokens; someone else's, like an unknown one, is not found."""
    return one_or_not_found(token_list_for(user), pk=token_id)


def token_for_bearer(plain: str) -> ApiToken | None:
    """The token a request presented, with its owner, or None if it is not one of ours.

    Found by the hash of what was presented; whether it is still usable is for the caller to decide."""
    if not plain.startswith(API_TOKEN_MARK) or len(plain) > MAX_BEARER_LENGTH:
        return None
    return ApiToken.objects.select_related("owner").filter(token_hash=api_token_hash(plain)).first()
