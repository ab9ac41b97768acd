"""The JSON API, /api/v1/. Each app contributes a router from its api.py.

Signed-in staff use it with their session (CSRF token required on every unsafe method); integrations use a
personal API token (keyworker/api/auth.py). Either way the request is its user's, under the same access
policy and audit. Errors are described in keyworker/api/errors.py; records carry a `version` for
optimistic locking.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.security import SessionAuth as NinjaSessionAuth

from keyworker.api.auth import INVALID_TOKEN_MESSAGE, ApiTokenAuth, InvalidToken
from keyworker.api.errors import install_error_handlers
from keyworker.casework.api import router as casework_router
from keyworker.people.api import router as people_router


class SessionAuth(NinjaSessionAuth):
    """django-ninja's session auth (CSRF checked on unsafe methods), described in the spec."""

    openapi_description = (
        "The session of a member of staff signed in through the web pages. Send the CSRF token "
        "(X-CSRFToken header, from the csrftoken cookie) with every POST."
    )


api = NinjaAPI(
    title="Keyworker API",
    version="1",
    description=(
        "Case management for caseworkers. Either sign in and send the CSRF token (X-CSRFToken) with every "
        "POST, or send a personal API token (`Authorization: Bearer kw_…`, made at /staff/tokens/; no CSRF "
        "token needed). A token acts as its owner, with no more access than they have; a read-only token "
        "gets 403 on a POST; an unknown, expired or revoked one gets 401. A record outside your reach is "
        "reported as not found (404). Send a record's `version` back with a change: if someone changed it "
        "since you read it, you get 409 and nothing is saved."
    ),
    urls_namespace="api",
    # A bearer token if the request has one, otherwise the session (which checks CSRF).
    auth=[ApiTokenAuth(), SessionAuth()],
    docs_url="/docs",
    # Swagger UI from ninja's own static files; no call to the online spec validator.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)


def _invalid_token(request: HttpRequest, exc: Any) -> HttpResponse:
    response = api.create_response(request, {"detail": INVALID_TOKEN_MESSAGE}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


api.add_exception_handler(InvalidToken, _invalid_token)

api.add_router("", people_router)
api.add_router("", casework_router)
api.add_router("", "keyworker.people.api_search.router")
api.add_router("", "keyworker.funding.api.router")
api.add_router("", "keyworker.intake.api.router")
api.add_router("", "keyworker.custody.api.router")
api.add_router("", "keyworker.diary.api.router")
api.add_router("", "keyworker.diary.api_lone_working.router")
api.add_router("", "keyworker.services.api.router")
api.add_router("", "keyworker.services.api_courses.router")
api.add_router("", "keyworker.safeguarding.api_on_call.router")
api.add_router("", "keyworker.safeguarding.api_concerns.router")
api.add_router("", "keyworker.safeguarding.api_risk.router")
api.add_router("", "keyworker.safeguarding.api_assessments.router")
api.add_router("", "keyworker.safeguarding.api_scanner.router")
api.add_router("", "keyworker.outcomes.api_milestones.router")
api.add_router("", "keyworker.outcomes.api_mentoring.router")
api.add_router("", "keyworker.outcomes.api_readings.router")
api.add_router("", "keyworker.outcomes.api_letters.router")
api.add_router("", "keyworker.outcomes.api_funder_reports.router")
api.add_router("", "keyworker.privacy.api_agreements.router")
