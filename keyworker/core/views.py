from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from keyworker.accounts.models import User
from keyworker.core.htmx import render_page
from keyworker.core.notifications import notification_list_for, notifications_mark_read
from keyworker.core.views_helpers import staff_view


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, without sign-in and without any personal data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable", "error": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


@staff_view
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own notifications, newest first; opening the page marks them read."""
    user: User = request.user  # type: ignore[assignment]
    items = list(notification_list_for(user)[:100])
    notifications_mark_read(actor=user)
    return render_page(request, "core/notifications.html", {"items": items, "section": "notifications"})
