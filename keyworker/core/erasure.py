"""Deleting rows together with every row that refers to them, in any app: the demo's purge and retention's
removal of a person both need "these rows and everything hanging off them, really gone".

The referring rows are found from the models' own relations (hidden ones too), so a model added later cannot
be forgotten. Deletes are raw (no Django collector): most keys are PROTECT, which is right for the app and would
make the collector refuse. Foreign keys are DEFERRABLE INITIALLY DEFERRED on SQLite and PostgreSQL alike, so
the order inside the transaction does not matter to the database; referring rows go first anyway, for readers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.db import models, router

CHUNK = 500

# A relation whose referring rows lose the link (SET_NULL) instead of being deleted with the row.
Unlinks = Callable[[models.ForeignObjectRel], bool]


def chunks(ids: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for one in ids:
        batch.append(one)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def referring_closure(
    roots: Mapping[type[models.Model], Iterable[Any]], *, unlinks: Unlinks | None = None
) -> tuple[dict[type[models.Model], set[Any]], list[tuple[models.ForeignObject, set[Any]]]]:
    """({model: ids to delete}, [(key to set null, the ids it may point at)]): the roots and every row that
    refers to one of them, directly or through other such rows. A relation `unlinks` says yes to is not
    followed: its rows lose the link instead."""
    found: dict[type[models.Model], set[Any]] = {}
    nulls: list[tuple[models.ForeignObject, set[Any]]] = []
    frontier: list[tuple[type[models.Model], set[Any]]] = []

    def add(model: type[models.Model], ids: Iterable[Any]) -> None:
        known = found.setdefault(model, set())
        new = set(ids) - known
        if new:
            known.update(new)
            frontier.append((model, new))

    for model, ids in roots.items():
        add(model, ids)
    while frontier:
        parent, parent_ids = frontier.pop(0)
        for rel in parent._meta.get_fields(include_hidden=True):
            if not isinstance(rel, models.ForeignObjectRel) or rel.many_to_many:
                continue  # a many-to-many's rows are reached through its table's own keys (auto-created models)
            if unlinks is not None and unlinks(rel):
                nulls.append((rel.field, parent_ids))
                continue
            child, key = rel.related_model, rel.field.name
            for batch in chunks(parent_ids):
                add(child, child._base_manager.filter(**{f"{key}__in": batch}).values_list("pk", flat=True))
    return found, nulls


def delete_closure(
    found: Mapping[type[models.Model], set[Any]], nulls: Iterable[tuple[models.ForeignObject, set[Any]]] = ()
) -> int:
    """Unlink the `nulls`, then delete the `found` rows, referring rows first; the number of rows deleted. Call
    inside a transaction."""
    for key, target_ids in nulls:
        doomed = found.get(key.model, set())
        for batch in chunks(target_ids):
            key.model._base_manager.filter(**{f"{key.name}__in": batch}).exclude(pk__in=doomed).update(
                **{key.name: None}
            )
    removed = 0
    for model in reversed(list(found)):  # discovery order reversed: referring rows before what they refer to
        for batch in chunks(found[model]):
            removed += model._base_manager.filter(pk__in=batch)._raw_delete(router.db_for_write(model))
    return removed
