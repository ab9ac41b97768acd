"""What every form page shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import timezone

from keyworker.core.errors import ConcurrentEdit, KeyworkerError, ValidationFailed

NOT_GIVEN = "Not given"
# What forms call the hidden field carrying the version the editor read.
VERSION_FIELDS = ("version", "expected_version")


@dataclass(frozen=True)
class ConflictField:
    """One field of a refused edit: its label, the value someone else saved, and the editor's own."""

    label: str
    theirs: str | None  # None: the record has no such field (a note kept elsewhere); only the editor's is shown
    yours: str

    @property
    def differs(self) -> bool:
        return self.theirs is not None and self.theirs != self.yours


@dataclass(frozen=True)
class Conflict:
    """Both versions of a record whose save was refused (core/_conflict.html shows it above the form)."""

    version: int
    fields: list[ConflictField]


def _shown(value: Any) -> str:
    """A value as a person reads it, the same for the saved record and the form."""
    if value is None or value == "" or value == []:
        return NOT_GIVEN
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%-d %B %Y %H:%M")
            if timezone.is_aware(value)
            else (value.strftime("%-d %B %Y %H:%M"))
        )
    if isinstance(value, dt.date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, list | tuple | set):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def _choice_text(field: forms.Field, value: Any) -> Any:
    """The label of a choice (a status's words, not its code); other values as they are."""
    choices = getattr(field, "choices", None)
    if choices is None or isinstance(field, forms.ModelChoiceField):
        return value
    labels = {str(code): label for code, label in choices if not isinstance(label, list | tuple)}
    if isinstance(value, list | tuple):
        return [labels.get(str(v), v) for v in value]
    return labels.get(str(value), value)


def _saved_value(current: Model, name: str) -> tuple[bool, Any]:
    """(found, value) of model field or attribute `name` on the saved record; choices by their label."""
    try:
        model_field = current._meta.get_field(name)
    except FieldDoesNotExist:  # not a model field: maybe a plain attribute, else not shown
        model_field = None
    if model_field is not None and getattr(model_field, "choices", None):
        return True, getattr(current, f"get_{name}_display")()
    if model_field is not None and getattr(model_field, "many_to_many", False):
        return True, [str(o) for o in getattr(current, name).all()]
    if model_field is None and not hasattr(type(current), name) and name not in current.__dict__:
        return False, None
    return True, getattr(current, name, None)


def conflict_for(form: forms.Form, current: Model, *, field_names: Mapping[str, str] | None = None) -> Conflict:
    """Both versions, field by field, for the fields this form shows (never more: the form is what the editor
    may change, so it bounds what they are shown). A field the record does not have (a note that goes on the
    timeline, say) is listed with the editor's value alone, when they typed one, so nothing typed is lost from
    sight even if the form itself is no longer offered."""
    model_name = {form_name: model_name for model_name, form_name in (field_names or {}).items()}
    rows: list[ConflictField] = []
    cleaned = getattr(form, "cleaned_data", {}) or {}
    for bound in form:
        if bound.is_hidden or bound.name in VERSION_FIELDS:
            continue
        found, theirs = _saved_value(current, model_name.get(bound.name, bound.name))
        yours = cleaned[bound.name] if bound.name in cleaned else bound.value()
        if not found:
            if _shown(yours) != NOT_GIVEN:
                rows.append(ConflictField(label=str(bound.label), theirs=None, yours=_shown(yours)))
            continue
        rows.append(
            ConflictField(
                label=str(bound.label),
                theirs=_shown(_choice_text(bound.field, theirs) if not isinstance(theirs, Model) else theirs),
                yours=_shown(_choice_text(bound.field, yours)),
            )
        )
    return Conflict(version=int(getattr(current, "version", 0)), fields=rows)


def show_conflict(form: forms.Form, exc: ConcurrentEdit, *, field_names: Mapping[str, str] | None = None) -> None:
    """Keep the editor's values in the form, set its `version` to the saved one (so a second submit, made after
    reading, saves over the other change on purpose), and hang both versions on `form.conflict`."""
    if exc.current is None or exc.version is None:
        return
    names = [name for name in VERSION_FIELDS if name in form.fields]
    if form.is_bound and names:
        data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict, or a dict in tests
        data[form.add_prefix(names[0])] = str(exc.version)
        form.data = data
    form.conflict = conflict_for(form, exc.current, field_names=field_names)  # type: ignore[attr-defined]


def show_service_errors(form: forms.Form, exc: KeyworkerError, *, field_names: Mapping[str, str] | None = None) -> None:
    """Put a service's refusal on the form: each message beside its field (services name fields after the
    model; `field_names` maps those to the form's where they differ), or at the top when it names none. A
    concurrent edit also shows what the other person saved (show_conflict)."""
    field_errors: Mapping[str, list[str]] = getattr(exc, "field_errors", {})
    for field, errors in field_errors.items():
        name = (field_names or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)
    if not field_errors:
        form.add_error(None, exc.message)
    if isinstance(exc, ConcurrentEdit):
        form.refused_as_stale = True  # type: ignore[attr-defined]
        show_conflict(form, exc, field_names=field_names)


def form_saved(form: forms.Form, save: Callable[[dict[str, Any]], object]) -> int | None:
    """Hand a bound form's cleaned data to `save` (a service call). None when it was saved; otherwise the status
    for the page shown again: 422 for bad input or a service's refusal (put on the form), 409 for a concurrent
    edit (with both versions on the form). "Not found" and "not allowed" are left to rise, so they stay a 404 or
    a 403."""
    if not form.is_valid():
        return 422
    try:
        save(form.cleaned_data)
    except ConcurrentEdit as exc:
        show_service_errors(form, exc)
        return 409
    except ValidationFailed as exc:
        show_service_errors(form, exc)
        return 422
    return None


def conflict_status(form: forms.Form, default: int = 200) -> int:
    """409 when the form shows a refused concurrent edit, else `default`: for views that render the page again
    themselves after show_service_errors."""
    return 409 if getattr(form, "refused_as_stale", False) else default
