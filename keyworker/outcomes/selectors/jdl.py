"""Reading for the Justice Data Lab export: the streams to choose from, past exports and the cohort itself.
Only the data protection officer reaches any of it (policy.can_export_justice_data_lab); for anyone else it
does not exist (NotFound).

The cohort is clients of cases a stream funded (never victims or other third parties: they have no case), read
whatever team they belong to: the file is the organisation's, sent under its data sharing agreement."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.custody.models import CustodyEpisode
from keyworker.funding.models import FundingStream, StreamAllocation
from keyworker.outcomes.models import JusticeDataLabExport
from keyworker.outcomes.rules.jdl import (
    CustodySpell,
    JdlRow,
    index_date,
    intervention_dates,
    jdl_gender,
    latest_prison_number,
)
from keyworker.people.models import Client

__all__ = [
    "JdlPerson",
    "jdl_cohort_for",
    "jdl_exports_for",
    "jdl_stream_get_for",
    "jdl_streams_for",
]


def _require(user: User) -> None:
    if not policy.can_export_justice_data_lab(user):
        raise NotFound()


def jdl_streams_for(user: User) -> QuerySet[FundingStream]:
    """Every stream (active or not: a past programme is what the Data Lab usually evaluates)."""
    _require(user)
    return FundingStream.objects.select_related("funder").order_by("funder__name", "name")


def jdl_stream_get_for(user: User, stream_id: uuid.UUID | str) -> FundingStream:
    return one_or_not_found(jdl_streams_for(user), pk=stream_id)


def jdl_exports_for(user: User) -> QuerySet[JusticeDataLabExport]:
    """Past exports, newest first, with who made them and for which stream."""
    _require(user)
    return JusticeDataLabExport.objects.select_related("stream", "stream__funder", "exported_by").order_by(
        "-created_at"
    )


@dataclass(frozen=True)
class JdlPerson:
    client: Client
    row: JdlRow


def jdl_cohort_for(user: User, *, stream: FundingStream, since: dt.date, until: dt.date) -> list[JdlPerson]:
    """The cohort's lines, by surname then forename: a fixed number of queries whatever its size."""
    _require(user)
    in_period = Q(starts_on__lte=until) & (Q(ends_on__isnull=True) | Q(ends_on__gte=since))
    client_ids = set(
        StreamAllocation.objects.filter(in_period, stream=stream).values_list("case__client_id", flat=True)
    )
    if not client_ids:
        return []
    spans: dict[uuid.UUID, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for client_id, starts_on, ends_on in StreamAllocation.objects.filter(
        stream=stream, case__client_id__in=client_ids
    ).values_list("case__client_id", "starts_on", "ends_on"):
        spans[client_id].append((starts_on, ends_on))
    spells: dict[uuid.UUID, list[CustodySpell]] = defaultdict(list)
    numbers: dict[uuid.UUID, list[tuple[dt.date, str]]] = defaultdict(list)
    episodes = (
        CustodyEpisode.objects.filter(client_id__in=client_ids)
        .prefetch_related("transfers")
        .order_by("received_on", "created_at")
    )
    for episode in episodes:
        spells[episode.client_id].append(CustodySpell(episode.received_on, episode.released_on))
        numbers[episode.client_id].append((episode.received_on, episode.prison_number))
        numbers[episode.client_id] += [(t.transferred_on, t.prison_number) for t in episode.transfers.all()]
    people = []
    for client in Client.objects.filter(pk__in=client_ids).order_by("last_name", "first_name", "pk"):
        start, end = intervention_dates(spans[client.pk])
        row = JdlRow(
            surname=client.last_name,
            forename=client.first_name,
            date_of_birth=client.date_of_birth,
            gender=jdl_gender(client.gender),
            prison_number=latest_prison_number(numbers[client.pk]),
            index_date=index_date(start, spells[client.pk]),
            intervention_start=start,
            intervention_end=end,
        )
        people.append(JdlPerson(client=client, row=row))
    return people
