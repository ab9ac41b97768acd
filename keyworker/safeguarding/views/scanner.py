"""The disclosure scanner's pages: live prompts while a note is typed (any casework role, for a client they record
on) and the safeguarding lead's lists with a "Try a note" box. A note sent here is scanned and forgotten: it is not
saved, logged or audited anywhere (docs/decisions/0026)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.people.selectors import client_get_for
from keyworker.safeguarding import services
from keyworker.safeguarding.scanner import CATEGORY_LABELS, RULE_CATEGORIES, Finding, scan
from keyworker.safeguarding.selectors import scanner_phrase_get_for, scanner_phrases_for, scanner_rules

# A note longer than this is scanned up to here only: prompts are a help while typing, not an audit of essays.
MAX_NOTE_CHARS = 20_000


def distinct_findings(findings: list[Finding]) -> list[Finding]:
    """One prompt per category and phrase (the same words twice in a note need one link)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for finding in findings:
        key = (finding.category, finding.phrase.lower())
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


@casework_view
@require_POST
def note_scan(request: HttpRequest) -> HttpResponse:
    """The prompts for a note being typed on a client's record (an htmx fragment)."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, request.POST.get("client_id", ""))
    if not policy.can_record_on(user, client):
        raise Http404()
    note = request.POST.get("note", "")[:MAX_NOTE_CHARS]
    findings = distinct_findings(scan(note, scanner_rules())) if note.strip() else []
    return render(
        request, "safeguarding/scanner/prompts.html", {"client": client, "findings": findings}, using="jinja2"
    )


class ScannerPhraseForm(forms.Form):
    category = forms.ChoiceField(
        label="Category",
        choices=[(c, CATEGORY_LABELS[c]) for c in RULE_CATEGORIES],
        error_messages={"required": "Choose a category.", "invalid_choice": "Choose a category."},
    )
    phrase = forms.CharField(
        label="Phrase or pattern",
        max_length=200,
        help_text="A phrase matches as whole words in any case. A pattern is a Python regular expression.",
        error_messages={"required": "Enter a phrase or a pattern."},
    )
    is_pattern = forms.BooleanField(label="This is a regular expression (a pattern)", required=False)


class TryNoteForm(forms.Form):
    note = forms.CharField(
        label="Try a note",
        widget=forms.Textarea,
        max_length=MAX_NOTE_CHARS,
        help_text="It is scanned with the lists as they are now, and not saved anywhere.",
        error_messages={"required": "Type or paste a note to try."},
    )


@staff_view
def scanner_phrases(request: HttpRequest) -> HttpResponse:
    """The safeguarding lead's page: the lists by category, switch entries off and on, add one, try a note."""
    user: User = request.user  # type: ignore[assignment]
    entries = list(scanner_phrases_for(user))
    action = request.POST.get("action") if request.method == "POST" else None
    form = ScannerPhraseForm(request.POST if action == "add" else None)
    try_form = TryNoteForm(request.POST if action == "try" else None)
    findings: list[Finding] | None = None
    status = 200
    if action == "add":
        if form.is_valid():
            try:
                services.scanner_phrase_add(
                    actor=user,
                    category=form.cleaned_data["category"],
                    phrase=form.cleaned_data["phrase"],
                    is_pattern=form.cleaned_data["is_pattern"],
                )
            except ValidationFailed as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, "Added. It applies to the next note scanned.")
                return redirect("safeguarding:scanner_phrases")
        status = 422
    elif action == "try":
        if try_form.is_valid():
            findings = scan(try_form.cleaned_data["note"], scanner_rules())
        else:
            status = 422
    grouped = {category: [e for e in entries if e.category == category] for category in RULE_CATEGORIES}
    return render_page(
        request,
        "safeguarding/scanner/phrases.html",
        {
            "grouped": grouped,
            "labels": CATEGORY_LABELS,
            "form": form,
            "try_form": try_form,
            "findings": findings,
            "total": len(entries),
            "enabled": sum(1 for e in entries if e.enabled),
        },
        status=status,
    )


@staff_view
@require_POST
def scanner_phrase_enabled(request: HttpRequest, phrase_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    entry = scanner_phrase_get_for(user, phrase_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    enabled = request.POST.get("enabled") == "on"
    try:
        services.scanner_phrase_set_enabled(actor=user, entry=entry, enabled=enabled, expected_version=version)
    except (ConcurrentEdit, NotAllowed, ValidationFailed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{'Switched on' if enabled else 'Switched off'}: {entry.phrase}")
    return redirect("safeguarding:scanner_phrases")
