"""Letters about a client: drafting one from recorded facts, editing the draft (optimistic locking), saving it
as a PDF (after which it never changes), and logging its handing over (a disclosure). Managers keep the
templates. Writing a letter is not a disclosure; giving it to the court is."""

from __future__ import annotations

import re

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.validation import create_checked
from keyworker.core.versioning import save_if_unchanged
from keyworker.outcomes.letter_default import DEFAULT_CHARACTER_REFERENCE, organisation_name
from keyworker.outcomes.models import Letter, LetterKind, LetterStatus, LetterTemplate
from keyworker.outcomes.rules.letters import (
    PLACEHOLDERS,
    HearingFact,
    fill_template,
    missing_marks,
    placeholders_in,
)
from keyworker.outcomes.selectors.letters import letter_facts_for
from keyworker.people.models import Client
from keyworker.privacy.models import Disclosure
from keyworker.privacy.services import disclosure_record

__all__ = [
    "LETTER_BODY_MAX_CHARS",
    "PDF_LIBRARY_MISSING",
    "addressee_for",
    "letter_draft",
    "letter_filename",
    "letter_finalise",
    "letter_html",
    "letter_mark_sent",
    "letter_template_update",
    "letter_update",
]

LETTER_BODY_MAX_CHARS = 20_000
ADDRESSEE_MAX_CHARS = 200
TEMPLATE_NAME_MAX_CHARS = 120
PDF_LIBRARY_MISSING = (
    "The PDF could not be made: saving letters as PDFs needs the pango library on the server. "
    "Your letter is safe as a draft; please tell your administrator."
)
FINAL_IS_FINAL = (
    "This letter has been saved as a PDF, so it can no longer be changed. Draft a new letter if it needs to say "
    "something different."
)


def addressee_for(hearing: HearingFact | None) -> str:
    """Who a character reference is addressed to: the judge at a Crown Court, the magistrates at a
    magistrates' or youth court. With no hearing recorded, a visible gap."""
    if hearing is None:
        return "[missing: court]"
    if hearing.court_kind == "crown":
        return f"The presiding Judge, {hearing.court}"
    if hearing.court_kind in ("magistrates", "youth"):
        return f"The presiding Magistrates, {hearing.court}"
    return hearing.court


def _check_can_write(actor: User, client: Client) -> None:
    if not policy.can_record_on(actor, client):
        raise NotFound()


@transaction.atomic
def letter_draft(*, actor: User, client: Client, template: LetterTemplate | None = None) -> Letter:
    """A new draft letter about the client, its body the template filled from recorded facts (the default
    character reference when no template is given) and addressed to the court of the next hearing. Gaps are
    left marked [missing: …]. `letter.facts` holds the facts it was drawn from."""
    _check_can_write(actor, client)
    if template is not None and not template.is_active:
        raise ValidationFailed(
            "That letter template is no longer in use.", {"template": ["Choose a template that is in use."]}
        )
    facts = letter_facts_for(actor, client, writer=actor)
    letter = create_checked(
        Letter,
        client=client,
        template=template,
        kind=template.kind if template else LetterKind.CHARACTER_REFERENCE,
        addressee=addressee_for(facts.hearing),
        body=fill_template(template.body if template else DEFAULT_CHARACTER_REFERENCE, facts).strip(),
        status=LetterStatus.DRAFT,
        written_by=actor,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=letter,
        client_id=client.pk,
        detail={"kind": letter.kind, "template": str(template.pk) if template else None},
    )
    letter.facts = facts  # type: ignore[attr-defined]
    return letter


def _check_draft(letter: Letter) -> None:
    if letter.status != LetterStatus.DRAFT:
        raise ValidationFailed(FINAL_IS_FINAL)


@transaction.atomic
def letter_update(*, actor: User, letter: Letter, expected_version: int, addressee: str, body: str) -> Letter:
    """Change a draft's addressee and wording. Only drafts change; someone else's save in between is a
    ConcurrentEdit and nothing is saved."""
    _check_can_write(actor, letter.client)
    _check_draft(letter)
    problems: dict[str, list[str]] = {}
    addressee, body = addressee.strip(), body.strip()
    if not addressee:
        problems["addressee"] = ["Say who the letter is to, for example the court."]
    elif len(addressee) > ADDRESSEE_MAX_CHARS:
        problems["addressee"] = [f"Keep who it is to within {ADDRESSEE_MAX_CHARS} characters."]
    if not body:
        problems["body"] = ["The letter is empty: write what it should say."]
    elif len(body) > LETTER_BODY_MAX_CHARS:
        problems["body"] = [f"Keep the letter within {LETTER_BODY_MAX_CHARS:,} characters."]
    if problems:
        raise ValidationFailed("There is a problem with this letter.", problems)
    changed = [name for name, value in (("addressee", addressee), ("body", body)) if getattr(letter, name) != value]
    letter.addressee, letter.body = addressee, body
    save_if_unchanged(letter, expected_version=expected_version, fields=["addressee", "body"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=letter,
        client_id=letter.client_id,
        detail={"fields": changed},
    )
    return letter


def letter_filename(letter: Letter) -> str:
    """A download's file name: the kind, the client's surname and the date, in plain letters."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{letter.get_kind_display()} {letter.client.last_name}").strip("-")
    day = timezone.localdate(letter.finalised_at) if letter.finalised_at else timezone.localdate()
    return f"{name.lower()}-{day:%Y-%m-%d}.pdf"


def _paragraphs(body: str) -> list[list[str]]:
    """The body as paragraphs (split on blank lines), each a list of its lines."""
    blocks = [block.strip() for block in body.replace("\r\n", "\n").split("\n\n")]
    return [[line.rstrip() for line in block.split("\n")] for block in blocks if block]


def letter_html(letter: Letter, *, on: object | None = None) -> str:
    """The letter as a printable HTML page: the charity's letterhead, the date, who it is to, the paragraphs
    and the writer's name and role. Everything is escaped: the body is text, never markup."""
    writer = letter.written_by
    return render_to_string(
        "outcomes/letters/letter_print.html",
        {
            "organisation": organisation_name(),
            "letter": letter,
            "dated": on or timezone.localdate(),
            "paragraphs": _paragraphs(letter.body),
            "writer_name": writer.display_name,
            "writer_role": writer.get_role_display(),
            "team": writer.team.name if writer.team is not None else "",
        },
        using="jinja2",
    )


def pdf_of(html: str) -> bytes:
    try:
        # Imported here: WeasyPrint loads system libraries (pango) that only PDFs need.
        import weasyprint
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        raise ValidationFailed(PDF_LIBRARY_MISSING) from exc
    # The letter is self-contained: nothing it holds may make the server fetch a file or an address.
    nothing = URLFetcher(allowed_protocols=())
    pdf = weasyprint.HTML(string=html, url_fetcher=nothing).write_pdf()
    if not pdf:  # pragma: no cover - write_pdf with no target always returns the bytes
        raise ValidationFailed(PDF_LIBRARY_MISSING)
    return bytes(pdf)


@transaction.atomic
def letter_finalise(*, actor: User, letter: Letter, expected_version: int) -> Letter:
    """Save the draft as a PDF, kept with the letter: from now on it never changes, and it shows on the client's
    timeline. Refused while the letter still has a [missing: …] gap, or if someone changed it meanwhile."""
    _check_can_write(actor, letter.client)
    _check_draft(letter)
    gaps = missing_marks(letter.body)
    problems: dict[str, list[str]] = {}
    if gaps:
        names = ", ".join(sorted({g[len("[missing: ") : -1] for g in gaps}))
        problems["body"] = [f"Fill in or delete the gaps marked [missing: …] before saving as a PDF ({names})."]
    if missing_marks(letter.addressee):
        problems["addressee"] = ["Say which court the letter is to."]
    if problems:
        raise ValidationFailed("This letter is not ready to be saved as a PDF.", problems)
    now = timezone.now()
    letter.pdf = pdf_of(letter_html(letter, on=timezone.localdate(now)))
    letter.status = LetterStatus.FINAL
    letter.finalised_at = now
    save_if_unchanged(letter, expected_version=expected_version, fields=["pdf", "status", "finalised_at"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=letter,
        client_id=letter.client_id,
        detail={"status": LetterStatus.FINAL, "pdf_bytes": len(letter.pdf)},
    )
    return letter


@transaction.atomic
def letter_mark_sent(*, actor: User, letter: Letter, sent_to: str, basis: str) -> Disclosure:
    """Log that the final letter was handed to `sent_to` (the court, the defence solicitor) on `basis` (the
    client's consent, usually): a line in the client's disclosure log."""
    _check_can_write(actor, letter.client)
    if letter.status != LetterStatus.FINAL:
        raise ValidationFailed("Save the letter as a PDF before recording that it was sent.")
    dated = timezone.localdate(letter.finalised_at) if letter.finalised_at else timezone.localdate()
    return disclosure_record(
        actor=actor,
        client=letter.client,
        what=f"{letter.get_kind_display()} dated {dated:%-d %B %Y}, written by {letter.written_by.display_name}",
        recipient=sent_to,
        basis=basis,
        source=letter,
    )


@transaction.atomic
def letter_template_update(
    *,
    actor: User,
    template: LetterTemplate,
    expected_version: int,
    name: str,
    body: str,
    is_active: bool,
) -> LetterTemplate:
    """A manager changes a template's name, wording or whether it is in use. Placeholders must be ones
    Keyworker can fill (a typo would otherwise reach every letter as a gap)."""
    if not policy.can_edit_letter_templates(actor):
        raise NotFound()
    problems: dict[str, list[str]] = {}
    name, body = name.strip(), body.strip()
    if not name:
        problems["name"] = ["Give the template a name."]
    elif len(name) > TEMPLATE_NAME_MAX_CHARS:
        problems["name"] = [f"Keep the name within {TEMPLATE_NAME_MAX_CHARS} characters."]
    if not body:
        problems["body"] = ["Write the template's wording."]
    elif len(body) > LETTER_BODY_MAX_CHARS:
        problems["body"] = [f"Keep the wording within {LETTER_BODY_MAX_CHARS:,} characters."]
    else:
        unknown = sorted({p for p in placeholders_in(body) if p not in PLACEHOLDERS})
        if unknown:
            problems["body"] = [
                "Keyworker cannot fill "
                + ", ".join("{" + p + "}" for p in unknown)
                + ". Use only the placeholders listed beside the wording."
            ]
    if problems:
        raise ValidationFailed("There is a problem with this template.", problems)
    changed = [
        field
        for field, value in (("name", name), ("body", body), ("is_active", is_active))
        if getattr(template, field) != value
    ]
    template.name, template.body, template.is_active, template.updated_by = name, body, is_active, actor
    save_if_unchanged(template, expected_version=expected_version, fields=["name", "body", "is_active", "updated_by"])
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=template, detail={"fields": changed})
    return template
