from __future__ import annotations

from django.db import transaction
from django.db.models import F

from keyworker.core.models import Sequence


@transaction.atomic
def next_value(name: str) -> int:
    """The next number of a named counter; safe under concurrent writers on both databases."""
    Sequence.objects.get_or_create(name=name)
    Sequence.objects.filter(name=name).update(value=F("value") + 1)
    return Sequence.objects.select_for_update().get(name=name).value
