"""How the API reports errors. Every error body has a `detail` message; input problems add `errors` by field.

NotFound 404 · NotAllowed 403 (only ever about a record the user can see) · ConcurrentEdit 409 ·
ValidationFailed and malformed input 422 · not signed in 401.

A 409 also carries `current` (the record as it is saved now, in the operation's own response schema, which is the
one its GET answers with) and its `version`, so a client can show both versions and send the change again on
purpose (decisions/0039).
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation, PathView, ResponseObject
from pydantic import ValidationError as PydanticValidationError

from keyworker.audit.services import access_denied
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, SafetyCheckFailed, ValidationFailed

BAD_REQUEST_MESSAGE = "There is a problem with the request."
UNAUTHENTICATED_MESSAGE = "Sign in to use the API."


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "payload", "note") -> "note"; ("query", "page") -> "page"; ("body", "payload") -> ""."""
    parts = list(loc)
    if parts and parts[0] in {"body", "form", "file"}:
        parts = parts[2:]  # the location and the name of the endpoint's body parameter
    elif parts and parts[0] in {"query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


def _ninja_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = defaultdict(list)
    for error in errors:
        message = str(error.get("msg", "Invalid value."))
        # pydantic prefixes messages raised by validators with "Value error, "; people need only the rest.
        message = message.removeprefix("Value error, ")
        by_field[_field_name(error.get("loc", ())) or "non_field"].append(message)
    return dict(by_field)


def _caller(request: HttpRequest) -> Any:
    """Who asked: the signed-in user, or the owner of the token (the token auth sets request.user)."""
    return request.user


def _operation(request: HttpRequest) -> Operation | None:
    """The ninja operation answering `request`: the resolved view is a PathView's wrapper around `self`."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    try:
        path_view = inspect.getclosurevars(match.func).nonlocals.get("self")
    except (TypeError, ValueError):
        return None
    if not isinstance(path_view, PathView):
        return None
    for operation in path_view.operations:
        if request.method in operation.methods:
            return operation
    return None


@contextmanager
def conflict_shows(build: Callable[[], Any]) -> Iterator[None]:
    """For an endpoint whose answer is built rather than the record itself (a dict with worked-out parts): a
    ConcurrentEdit inside carries `build()` (called after the refusal, so it reads the saved record) as the
    `current` of its 409."""
    try:
        yield
    except ConcurrentEdit as exc:
        exc.api_current = build()  # type: ignore[attr-defined]
        raise


def current_record(request: HttpRequest, exc: ConcurrentEdit) -> Any:
    """`exc.current` as the operation's success response shows it (the same fields, so no more than the caller
    could already read: it passed the selector's policy check before the service refused), else None."""
    operation = _operation(request)
    shown = getattr(exc, "api_current", None) or exc.current
    if shown is None or operation is None:
        return None
    for status in (200, 201):
        response_model = operation.response_models.get(status)
        if response_model:
            try:
                validated = response_model.model_validate(
                    ResponseObject(shown),  # type: ignore[arg-type]  # ninja's stub: any result
                    context={"request": request, "response_status": status},
                )
            except PydanticValidationError:
                # The success response is built from more than the bare record (a spell's milestones reached,
                # say), unless the endpoint says how (conflict_shows): without it, the 409 says only that it
                # changed (found by fuzzing, decisions/0036).
                return None
            return validated.model_dump(by_alias=operation.by_alias, mode="json")["response"]
    return None


def install_error_handlers(api: NinjaAPI) -> None:
    # Handlers take `exc: Any`: ninja's stubs type the argument as "the exception or its class".
    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        access_denied(_caller(request), "path", request.path)
        return api.create_response(request, {"detail": NotFound().message}, status=404)

    def not_allowed(request: HttpRequest, exc: Any) -> HttpResponse:
        access_denied(_caller(request), "path", request.path)
        return api.create_response(request, {"detail": exc.message}, status=403)

    def concurrent_edit(request: HttpRequest, exc: Any) -> HttpResponse:
        current = current_record(request, exc)
        version = current.get("version", exc.version) if isinstance(current, dict) else None
        body = {"detail": exc.message, "current": current, "version": version}
        return api.create_response(request, body, status=409)

    def validation_failed(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": exc.message, "errors": exc.field_errors}, status=422)

    def safety_check_failed(request: HttpRequest, exc: Any) -> HttpResponse:
        body = {"detail": exc.message, "errors": exc.field_errors, "warnings": exc.warnings}
        return api.create_response(request, body, status=422)

    def bad_input(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = _ninja_errors(exc.errors)
        detail = BAD_REQUEST_MESSAGE
        if len(errors) == 1:
            ((field, messages),) = errors.items()
            detail = f"{messages[0]}" if field == "non_field" else f"{field}: {messages[0]}"
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": UNAUTHENTICATED_MESSAGE}, status=401)

    api.add_exception_handler(NotFound, not_found)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(NotAllowed, not_allowed)
    api.add_exception_handler(ConcurrentEdit, concurrent_edit)
    api.add_exception_handler(ValidationFailed, validation_failed)
    api.add_exception_handler(SafetyCheckFailed, safety_check_failed)
    api.add_exception_handler(NinjaValidationError, bad_input)
    api.add_exception_handler(AuthenticationError, unauthenticated)
