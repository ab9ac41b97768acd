"""The data protection officer's pages and the register of sharing agreements, under /data-protection/."""

from __future__ import annotations

from django.urls import path  # noqa: F401 - each part adds its routes below

app_name = "privacy"
urlpatterns: list = [
    # each part of issue 10 adds its own routes here (subject access, retention, sharing agreements)
]
