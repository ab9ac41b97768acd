"""The readable copy of a subject access record: a cover page (who, when they asked, the deadline, what was
withheld and why), then each section as headings and definition lists, the audit trail as a table, dates in
words. Made with WeasyPrint from the same JSON record, so the two never say different things."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from keyworker.outcomes.letter_default import organisation_name
from keyworker.outcomes.services.letters import pdf_of
from keyworker.privacy.models import SubjectAccessRequest
from keyworker.privacy.sar.build import withheld_list

__all__ = ["Item", "as_items", "in_words", "sar_pdf", "sar_pdf_html"]

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Keys for the machine (ids, raw choice codes) that mean nothing to a reader; the JSON keeps them.
SKIPPED = frozenset({"id"})
LABELS = {"created_at": "Recorded", "updated_at": "Last changed"}


def in_words(value: str) -> str:
    """An ISO date or date-time (as the JSON record holds them) in words, e.g. "3 March 2026 at 14:05"."""
    if DATE.match(value):
        return f"{dt.date.fromisoformat(value):%-d %B %Y}"
    if DATETIME.match(value):
        moment = dt.datetime.fromisoformat(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{moment:%-d %B %Y at %H:%M}"
    return value


def _label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, str):
        return in_words(value)
    if isinstance(value, dict):
        return "; ".join(f"{_label(str(k))}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


@dataclass
class Item:
    """One record: its fields as (label, text) pairs, and its own child records by heading."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    children: list[tuple[str, list[Item]]] = field(default_factory=list)


def as_items(rows: list[dict[str, Any]]) -> list[Item]:
    """Rows of the JSON record as readable items: a choice shows its words (not its code), empty fields are
    left out, lists of records become child items."""
    items = []
    for row in rows:
        item = Item()
        for key, value in row.items():
            if key in SKIPPED or key.endswith("_display"):
                continue
            if f"{key}_display" in row and row[f"{key}_display"] not in (None, ""):
                value = row[f"{key}_display"]
            if value in (None, "", [], {}):
                continue
            if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                item.children.append((_label(key), as_items(value)))
            else:
                item.fields.append((_label(key), _text(value)))
        items.append(item)
    return items


def sar_pdf_html(request: SubjectAccessRequest, record: dict[str, Any]) -> str:
    withheld = [{**w, "fields": [_label(f) for f in w["fields"]]} for w in withheld_list(record)]
    client = record["client"]
    return render_to_string(
        "privacy/sar/record_print.html",
        {
            "organisation": organisation_name(),
            "request": request,
            "name": " ".join(p for p in (client.get("first_name"), client.get("last_name")) if p),
            "date_of_birth": in_words(client["date_of_birth"]) if client.get("date_of_birth") else "",
            "generated_at": in_words(record["subject_access_record"]["generated_at"]),
            "about_you": as_items([client])[0],
            "sections": [(title, as_items(rows)) for title, rows in record["sections"].items()],
            "withheld": withheld,
            "trail": [{**e, "when": in_words(e["when"])} for e in record["audit_trail"]],
        },
        using="jinja2",
    )


def sar_pdf(request: SubjectAccessRequest, record: dict[str, Any]) -> bytes:
    return pdf_of(sar_pdf_html(request, record))
