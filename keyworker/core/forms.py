"""What every form page shares."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms

from keyworker.core.errors import ConcurrentEdit, KeyworkerError, ValidationFailed


def show_service_errors(form: forms.Form, exc: KeyworkerError, *, field_names: Mapping[str, str] | None = None) -> None:
    """Put a service's refusal on the form: each message beside its field (services name fields after the
    model; `field_names` maps those to the form's where they differ), or at the top when it names none."""
    field_errors: Mapping[str, list[str]] = getattr(exc, "field_errors", {})
    for field, errors in field_errors.items():
        name = (field_names or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)
    if not field_errors:
        form.add_error(None, exc.message)


def form_saved(form: forms.Form, save: Callable[[dict[str, Any]], object]) -> int | None:
    """Hand a bound form's cleaned data to `save` (a service call). None when it was saved; otherwise the status
    for the page shown again: 422 for bad input or a service's refusal (put on the form), 409 for a concurrent
    edit. "Not found" and "not allowed" are left to rise, so they stay a 404 or a 403."""
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
