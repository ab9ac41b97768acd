"""The private calendar feed: the worker's own page to make and stop it, and the secret .ics address itself."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_safe

from keyworker.accounts.models import User
from keyworker.audit.services import access_denied, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view
from keyworker.diary.calendar import calendar_build
from keyworker.diary.models import CalendarFeed
from keyworker.diary.selectors.calendar_feeds import (
    calendar_entries_for,
    calendar_feed_current_for,
    calendar_feed_get_for,
    calendar_feed_list_for,
    calendar_feed_lookup,
    calendar_feed_usable,
)
from keyworker.diary.services import calendar_feeds as services


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feed_page(request: HttpRequest) -> HttpResponse:
    """The worker's own calendar feed: its status, and the buttons to make a new address or stop it. The page
    answering "make" is the only place the address is ever shown: it is not stored, nor put in the session
    or a redirect."""
    user: User = request.user  # type: ignore[assignment]
    if not policy.can_use_calendar_feed(user):
        raise NotFound()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "create":
            feed, secret = services.calendar_feed_create(actor=user)
            address = request.build_absolute_uri(reverse("diary:calendar_feed_ics", args=[secret]))
            response = render_page(
                request,
                "diary/calendar_feed_created.html",
                {"feed": feed, "address": address, "webcal": "webcal://" + address.split("://", 1)[1],
                 "section": "week"},
            )
            add_never_cache_headers(response)
            return response
        if action == "revoke":
            feed = calendar_feed_get_for(user, request.POST.get("feed", ""))
            try:
                services.calendar_feed_revoke(actor=user, feed=feed)
            except ValidationFailed as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Your calendar feed has been stopped. Calendars using it get nothing more.")
            return redirect("diary:calendar_feed")
        messages.error(request, "Choose to make a new calendar address or to stop the one you have.")
        return redirect("diary:calendar_feed")
    current = calendar_feed_current_for(user)
    latest: CalendarFeed | None = current or calendar_feed_list_for(user).first()
    response = render_page(
        request, "diary/calendar_feed.html", {"current": current, "latest": latest, "section": "week"}
    )
    add_never_cache_headers(response)
    return response


@require_safe
def calendar_feed_ics(request: HttpRequest, secret: str) -> HttpResponse:
    """The feed itself, for a calendar app: no sign-in, the secret in the address stands for its owner. It
    answers exactly as the owner's own diary would (their reach today), and the read is audited as theirs.
    An unknown or stopped address is a plain 404 whoever asks, signed in or not."""
    feed = calendar_feed_lookup(secret)
    if feed is None or not calendar_feed_usable(feed):
        # On the record like a refused API token: the feed's id when it is one of ours, never the secret.
        access_denied(None, CalendarFeed._meta.label_lower, str(feed.pk) if feed is not None else "")
        return HttpResponseNotFound("Not found.", content_type="text/plain; charset=utf-8")
    owner = feed.owner
    now = timezone.now()
    entries = calendar_entries_for(owner, now=now)
    body = calendar_build(entries, now=now)
    with transaction.atomic():
        shown = [(record.client_id, record) for record in entries.records]
        clients_viewed(owner, shown, what="calendar feed")
        if services.calendar_feed_use_is_due(feed, now):
            services.calendar_feed_mark_used(feed=feed, at=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="keyworker.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response
