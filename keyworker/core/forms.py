"""What every form page shares."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from keyworker.core.errors import KeyworkerError


def show_service_errors(form: forms.Form, exc: KeyworkerError, *, field_names: Mapping[str, str] | None = None) -> None:
    """Put a service's refusal on the form: each message beside its field (services name fields after the
    model; `field_names` maps those to the form's where they differ), or at the top when it names none."""
    field_errors: Mapping[str, list[str]] = getattr(exc, "field_errors", {})
    for field, errors in field_errors.items():
        name = (field_names or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)
    if not field_errors:
        form.add_error(None, exc.message)
