"""The JSON API, /api/v1/. Each app contributes a router from its api.py.

Signed-in staff use it with their session (CSRF token required on every unsafe method). Errors are
described in keyworker/api/errors.py; records carry a `version` for optimistic locking.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger
from ninja.security import django_auth

from keyworker.api.errors import install_error_handlers
from keyworker.casework.api import router as casework_router
from keyworker.people.api import router as people_router

api = NinjaAPI(
    title="Keyworker API",
    version="1",
    description=(
        "Case management for caseworkers. Sign in first; send the CSRF token (X-CSRFToken) with every "
        "POST. A record outside your reach is reported as not found (404). Send a record's `version` "
        "back with a change: if someone changed it since you read it, you get 409 and nothing is saved."
    ),
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
    # Swagger UI from ninja's own static files; no call to the online spec validator.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)

api.add_router("", people_router)
api.add_router("", casework_router)
