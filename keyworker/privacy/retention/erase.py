"""Removing records so that they are really gone: every row that hangs off them, in every app (core/erasure.py
finds them from the models' own relations, so a model added later cannot be forgotten), and the search
indexes with them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from keyworker.core.erasure import chunks, delete_closure, referring_closure
from keyworker.core.models import Notification
from keyworker.people.models import Client
from keyworker.privacy.subject_access import client_relations  # subject access and retention discover alike


def client_keys() -> list[models.ForeignObject]:
    """Every foreign key (and one-to-one) to Client, hidden ones too: each row at the end of one is about the
    person, whatever its on_delete says (a subject access request's SET_NULL is for the SAR page, not us)."""
    return [rel.field for rels in client_relations().values() for rel in rels]


def _unlinks(rel: models.ForeignObjectRel) -> bool:
    """A row pointing at a doomed row by a SET_NULL key loses the link instead (unless it points at the person:
    then it is about them and goes)."""
    return bool(rel.field.null) and rel.on_delete is models.SET_NULL and rel.model is not Client


def collect(
    model: type[models.Model], ids: Iterable[Any]
) -> tuple[dict[type[models.Model], set[Any]], list[tuple[models.ForeignObject, set[Any]]]]:
    """({model: ids to delete}, [(nullable SET_NULL key, ids it may point at)]): the rows and everything that
    points at them, transitively."""
    return referring_closure({model: ids}, unlinks=_unlinks)


def erase(model: type[models.Model], ids: Iterable[Any]) -> int:
    """Delete the rows and everything hanging off them; the number of rows deleted. Call inside a transaction."""
    return delete_closure(*collect(model, ids))


def erase_client(client_id: uuid.UUID) -> int:
    """The whole person: every row about them in every app, third-party (victim) records attached only to
    their concerns, and notifications linking to their record or cases. Audit events stay (ids only)."""
    from keyworker.safeguarding.models import Concern

    third_parties = set(
        Concern.objects.filter(client_id=client_id).exclude(third_party=None).values_list("third_party_id", flat=True)
    )
    case_ids = list(Client._base_manager.get(pk=client_id).cases.values_list("pk", flat=True))
    found, _ = collect(Client, [client_id])
    _refuse_other_peoples_rows(client_id, found)
    removed = erase(Client, [client_id])
    if third_parties:
        from keyworker.people.models import ThirdParty

        still_used = _still_referenced(ThirdParty, third_parties)
        removed += erase(ThirdParty, third_parties - still_used)
    links = models.Q()
    for one in [client_id, *case_ids]:
        links |= models.Q(link__contains=str(one))
    removed += Notification.objects.filter(links)._raw_delete(connection.alias)
    return removed


class OtherPersonsRecord(Exception):
    """The walk reached a row about someone else (another client's appointment pointing at one of this
    person's, say): nothing is removed, and the run reports it for a person to untangle."""


def _refuse_other_peoples_rows(client_id: uuid.UUID, found: dict[type[models.Model], set[Any]]) -> None:
    for model, ids in found.items():
        keys = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is Client]
        if model is Client or not keys:
            continue
        ours = models.Q()
        named = models.Q()
        for key in keys:
            ours |= models.Q(**{key.attname: client_id})
            named |= models.Q(**{f"{key.attname}__isnull": False})
        for batch in chunks(ids):
            if model._base_manager.filter(pk__in=batch).filter(named).exclude(ours).exists():
                raise OtherPersonsRecord(f"{model._meta.label_lower} about another client points at this record")


def _still_referenced(model: type[models.Model], ids: set[Any]) -> set[Any]:
    used: set[Any] = set()
    for rel in model._meta.get_fields(include_hidden=True):
        if isinstance(rel, models.ForeignObjectRel) and not rel.many_to_many:
            used.update(
                rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": ids}).values_list(
                    rel.field.attname, flat=True
                )
            )
    return used


def fts_tables() -> list[str]:
    """SQLite's FTS5 search tables (PostgreSQL's indexes go with their rows)."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'")
        return [row[0] for row in cursor.fetchall()]


def fts_compact() -> None:
    """The delete triggers take a removed row out of each FTS5 table, but FTS5 keeps a deleted entry's terms in
    its segment b-trees (the *_data shadow table) until segments are merged: 'optimize' merges them, so the
    words are gone from the file as well as from search results."""
    with connection.cursor() as cursor:
        for table in fts_tables():
            name = connection.ops.quote_name(table)  # a table name read from sqlite_master, not input
            cursor.execute(f"INSERT INTO {name}({name}) VALUES ('optimize')")  # noqa: S608
