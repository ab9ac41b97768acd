"""The JSON API, /api/v1/. Each app contributes a router from its api.py."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="Keyworker API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
)
