"""Reading signposting records: only the worker who gave the information, and the safeguarding lead
(policy.signpostings_visible_to). Anyone else finds nothing, not even that a record exists."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.services.models import Signposting


def signposting_list_for(user: User) -> QuerySet[Signposting]:
    return policy.signpostings_visible_to(user).select_related("service", "service__organisation", "given_by")


def signposting_get_for(user: User, signposting_id: uuid.UUID | str) -> Signposting:
    return one_or_not_found(signposting_list_for(user), pk=signposting_id)
