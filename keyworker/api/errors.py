"""How the API reports errors. Every error body has a `detail` message; input problems add `errors` by field.

NotFound 404 · NotAllowed 403 (only ever about a record the user can see) · ConcurrentEdit 409 ·
ValidationFailed and malformed input 422 · not signed in 401.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

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


def install_error_handlers(api: NinjaAPI) -> None:
    # Handlers take `exc: Any`: ninja's stubs type the argument as "the exception or its class".
    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        access_denied(_caller(request), "path", request.path)
        return api.create_response(request, {"detail": NotFound().message}, status=404)

    def not_allowed(request: HttpRequest, exc: Any) -> HttpResponse:
        access_denied(_caller(request), "path", request.path)
        return api.create_response(request, {"detail": exc.message}, status=403)

    def concurrent_edit(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": exc.message}, status=409)

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
