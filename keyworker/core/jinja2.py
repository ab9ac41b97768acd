"""The Jinja2 environment for Keyworker's pages: our templates plus govuk-frontend-jinja's macros."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def querystring(request: Any, **changes: Any) -> str:
    """The current query string with some parameters changed (None removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(list(params.lists()), doseq=True) if params else "?"


def local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else value


def date(value: dt.date | dt.datetime | None, fmt: str = "%-d %b %Y") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return value.strftime(fmt)


def time(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M") if value else ""


def navigation(request: Any, section: str) -> list[dict[str, Any]]:
    """The main navigation for the signed-in user's role: only pages they can use."""
    from keyworker.accounts.models import Role
    from keyworker.core import policy
    from keyworker.core.notifications import unread_count_for

    user = request.user
    if not user.is_authenticated:
        return []
    items = [{"href": url("diary:my_week"), "text": "My week", "current": section == "week"}]
    if policy.can_use_casework(user):
        items += [
            {"href": url("casework:caseload"), "text": "Caseload", "current": section == "caseload"},
            {"href": url("people:search"), "text": "Search", "current": section == "search"},
            {"href": url("intake:referral_list"), "text": "Referrals", "current": section == "referrals"},
            {"href": url("custody:release_board"), "text": "Releases", "current": section == "releases"},
            {"href": url("diary:lone_working"), "text": "Lone working", "current": section == "lone_working"},
            {"href": url("funding:stream_list"), "text": "Funding", "current": section == "funding"},
            {"href": url("custody:directory_list"), "text": "Prisons and courts", "current": section == "directory"},
            {"href": url("services:course_list"), "text": "Courses", "current": section == "courses"},
        ]
    if policy.can_use_services_directory(user):
        items.append({"href": url("services:service_list"), "text": "Services", "current": section == "services"})
    if policy.can_see_signposting_pages(user):
        items.append(
            {"href": url("services:signposting_list"), "text": "Signposting", "current": section == "signposting"}
        )
    if policy.can_see_team_week(user):
        items.insert(1, {"href": url("diary:team_week"), "text": "Team week", "current": section == "team_week"})
    if policy.can_see_rota(user):
        # Second in the list: on a phone, "Menu" then "On call" reaches the crisis line in two taps.
        items.insert(1, {"href": url("safeguarding:on_call"), "text": "On call", "current": section == "on_call"})
    if policy.can_break_glass(user):
        items.append({"href": url("safeguarding:break_glass"), "text": "Break-glass", "current": section == "break"})
    if policy.can_use_area_concerns(user):
        items.append({"href": url("safeguarding:area_concerns"), "text": "Area concerns", "current": section == "area"})
    if policy.is_safeguarding_lead(user):
        items.append(
            {"href": url("safeguarding:concern_queue"), "text": "Safeguarding", "current": section == "safeguarding"}
        )
    if user.role == Role.PEER_MENTOR:
        items.append({"href": url("outcomes:my_mentees"), "text": "My mentees", "current": section == "mentees"})
    if policy.can_export_justice_data_lab(user):
        # The data protection officer's pages: subject access, retention, sharing agreements, the JDL export.
        items.append(
            {
                "href": url("privacy:home"),
                "text": "Data protection",
                "current": section == "data_protection",
            }
        )
    if policy.can_see_funder_reports(user):
        items.append({"href": url("outcomes:reports"), "text": "Reports", "current": section == "reports"})
    unread = unread_count_for(user)
    items.append(
        {
            "href": url("core:notifications"),
            "text": f"Notifications ({unread} new)" if unread else "Notifications",
            "current": section == "notifications",
        }
    )
    return items


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader(
        [options["loader"], PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    )
    options.setdefault("extensions", [])
    env = Environment(**options)  # noqa: S701 - Django's backend turns autoescape on
    env.globals.update(
        url=url, static=static, querystring=querystring, get_messages=get_messages, navigation=navigation
    )
    env.filters.update(local=local, date=date, time=time)
    return env


def templates_compile_all() -> int:
    """Compile every page template into the environment's cache (it holds 400; we have about 190, the GOV.UK
    macros included). A web worker calls this as it starts (keyworker/wsgi.py) so the first request for each
    page in each worker is not the one that pays for compiling it: 100 to 300 ms, which with four workers put
    one caseload request in ten at 200 ms and more in the bench. Returns how many were compiled."""
    env = page_environment()
    names = page_template_names()
    for name in names:
        env.get_template(name)
    return len(names)


def page_environment() -> Environment:
    """The Jinja2 environment Django renders our pages with."""
    from django.template import engines

    return engines["jinja2"].env  # type: ignore[attr-defined]


def page_template_names() -> list[str]:
    """Every page template and macro file the environment can load, ours and GOV.UK's."""
    return page_environment().list_templates(filter_func=lambda name: name.endswith(".html"))
