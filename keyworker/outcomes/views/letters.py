"""Letters pages: a client's letters (and drafting a character reference), a letter's page (the draft in a
large box beside the facts it was drawn from; Save, and Save as PDF; once final, the PDF to download and a
record of who it went to), the PDF itself, and the managers' letter templates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from keyworker.accounts.models import User
from keyworker.audit.services import client_viewed
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotFound, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view, staff_view
from keyworker.outcomes import services
from keyworker.outcomes.models import Letter, LetterKind, LetterStatus, LetterTemplate
from keyworker.outcomes.rules.letters import PLACEHOLDERS, missing_marks
from keyworker.outcomes.selectors.letters import (
    letter_facts_for,
    letter_get_for,
    letter_template_get_for,
    letter_templates_for,
    letters_for,
)
from keyworker.outcomes.views.letters_forms import LetterForm, LetterSentForm, LetterTemplateForm
from keyworker.people.selectors import client_get_for

CONFLICT = (
    "Someone else changed this letter while you were editing it, so your changes were not saved. Your wording "
    "is still in the box: check it against theirs, then save again to replace theirs with yours."
)


@casework_view
def client_letters(request: HttpRequest, client_id: str) -> HttpResponse:
    """The client's letters, newest first, and a button to draft a character reference from their records
    (one per template in use; the default wording when none is set up)."""
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    templates = list(LetterTemplate.objects.filter(is_active=True).order_by("kind", "name"))
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("template", "")
        template = next((t for t in templates if str(t.pk) == chosen), None)
        if chosen and template is None:
            error = "That letter template is no longer in use: choose another."
        else:
            try:
                letter = services.letter_draft(actor=user, client=client, template=template)
            except ValidationFailed as exc:
                error = exc.message
            else:
                gaps = len(missing_marks(letter.body))
                messages.success(
                    request,
                    "Letter drafted from the records."
                    + (f" It has {gaps} gaps marked [missing: …] to fill or delete." if gaps else ""),
                )
                return redirect("outcomes:letter_edit", letter.pk)
    letters = list(letters_for(user, client))
    client_viewed(actor=user, client_id=client.pk, obj=client, what="letters")
    has_reference = any(t.kind == LetterKind.CHARACTER_REFERENCE for t in templates)
    return render_page(
        request,
        "outcomes/letters/client_letters.html",
        {
            "client": client,
            "letters": letters,
            "templates": templates,
            "offer_default": not has_reference,
            "error": error,
            "can_edit_templates": policy.can_edit_letter_templates(user),
            "section": "caseload",
        },
        status=422 if error else 200,
    )


def _letter_form(letter: Letter) -> LetterForm:
    return LetterForm(initial={"version": letter.version, "addressee": letter.addressee, "body": letter.body})


@casework_view
def letter_edit(request: HttpRequest, letter_id: str) -> HttpResponse:
    """A letter: while a draft, its wording in a large box (Save; Save as PDF, which saves first), beside the
    facts it was drawn from. Once final, the letter as saved, the PDF, and a form to record who it went to."""
    user: User = request.user  # type: ignore[assignment]
    letter = letter_get_for(user, letter_id)
    client = letter.client
    form = _letter_form(letter)
    sent_form = LetterSentForm()
    status = 200
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in ("save", "finalise"):
        form = LetterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if letter.addressee != data["addressee"].strip() or letter.body != data["body"].strip():
                    services.letter_update(
                        actor=user,
                        letter=letter,
                        expected_version=data["version"],
                        addressee=data["addressee"],
                        body=data["body"],
                    )
                    version = letter.version
                else:
                    version = data["version"]
                if action == "finalise":
                    services.letter_finalise(actor=user, letter=letter, expected_version=version)
            except ConcurrentEdit as exc:
                # Their saved letter beside this wording, which stays in the box with the saved version.
                letter = letter_get_for(user, letter_id)
                show_service_errors(form, ConcurrentEdit(CONFLICT, current=exc.current or letter))
                status = 409
            except ValidationFailed as exc:
                # A save that went through before finalising was refused has a new version: carry it.
                typed = request.POST.copy()
                typed["version"] = str(letter.version)
                form = LetterForm(typed)
                form.is_valid()
                show_service_errors(form, exc)
                status = 422
            else:
                if action == "finalise":
                    messages.success(request, "Saved as a PDF. It is on the client's timeline.")
                else:
                    messages.success(request, "Letter saved.")
                return redirect("outcomes:letter_edit", letter.pk)
        else:
            status = 422
    elif action == "sent":
        sent_form = LetterSentForm(request.POST)
        if sent_form.is_valid():
            try:
                services.letter_mark_sent(
                    actor=user,
                    letter=letter,
                    sent_to=sent_form.cleaned_data["sent_to"],
                    basis=sent_form.cleaned_data["basis"],
                )
            except ValidationFailed as exc:
                show_service_errors(sent_form, exc, field_names={"recipient": "sent_to"})
                status = 422
            else:
                messages.success(request, "Recorded in the client's disclosure log.")
                return redirect("outcomes:letter_edit", letter.pk)
        else:
            status = 422
    elif request.method == "POST":
        raise Http404()
    facts = letter_facts_for(user, client, writer=letter.written_by) if letter.status == LetterStatus.DRAFT else None
    client_viewed(actor=user, client_id=client.pk, obj=letter, what="letter")
    return render_page(
        request,
        "outcomes/letters/letter_edit.html",
        {
            "client": client,
            "letter": letter,
            "form": form,
            "sent_form": sent_form,
            "facts": facts,
            "gaps": missing_marks(letter.body) if letter.status == LetterStatus.DRAFT else [],
            "section": "caseload",
        },
        status=status,
    )


@casework_view
def letter_pdf(request: HttpRequest, letter_id: str) -> HttpResponse:
    """The final letter's PDF, as a download. A draft has none (404)."""
    user: User = request.user  # type: ignore[assignment]
    letter = letter_get_for(user, letter_id, with_pdf=True)
    if letter.status != LetterStatus.FINAL or not letter.pdf:
        raise NotFound()
    client_viewed(actor=user, client_id=letter.client_id, obj=letter, what="letter pdf")
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.letter_filename(letter)}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_view
def letter_templates(request: HttpRequest) -> HttpResponse:
    """The letter templates, for the managers who keep them (anyone else: 404)."""
    user: User = request.user  # type: ignore[assignment]
    templates = list(letter_templates_for(user))
    return render_page(request, "outcomes/letters/templates.html", {"templates": templates, "section": "caseload"})


@staff_view
def letter_template_edit(request: HttpRequest, template_id: str) -> HttpResponse:
    """A manager changes a template's name, wording and whether it is in use, with the placeholders listed."""
    user: User = request.user  # type: ignore[assignment]
    template = letter_template_get_for(user, template_id)
    status = 200
    if request.method == "POST":
        form = LetterTemplateForm(request.POST)
        if form.is_valid():
            data: dict[str, Any] = form.cleaned_data
            try:
                services.letter_template_update(
                    actor=user,
                    template=template,
                    expected_version=data["version"],
                    name=data["name"],
                    body=data["body"],
                    is_active=data["is_active"],
                )
            except ConcurrentEdit as exc:
                template = letter_template_get_for(user, template_id)
                show_service_errors(form, ConcurrentEdit(CONFLICT.replace("letter", "template"),
                                                         current=exc.current or template))
                status = 409
            except ValidationFailed as exc:
                show_service_errors(form, exc)
                status = 422
            else:
                messages.success(request, "Template saved.")
                return redirect("outcomes:letter_templates")
        else:
            status = 422
    else:
        form = LetterTemplateForm(
            initial={
                "version": template.version,
                "name": template.name,
                "body": template.body,
                "is_active": template.is_active,
            }
        )
    return render_page(
        request,
        "outcomes/letters/template_edit.html",
        {"template": template, "form": form, "placeholders": PLACEHOLDERS, "section": "caseload"},
        status=status,
    )
