"""The readable copy of a subject access record (issue 10): a cover page saying who, when they asked, the
deadline and what was withheld and why; each section with its records; dates in words; withheld items listed,
never their content. And THE PROOF for subject access requests on the demo: the client whose partner disclosed
abuse asks for his record, and neither the JSON nor the PDF holds anything of her record."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from keyworker.core.testing import ContactFactory, LoneWorkingVisitFactory, run_tasks
from keyworker.privacy.models import SarStatus, SubjectAccessRequest
from keyworker.privacy.sar import services
from keyworker.privacy.sar.pdf import in_words
from keyworker.privacy.subject_access import SUBJECT_ACCESS
from keyworker.safeguarding.models import Concern, ConcernAbout, KeepApart

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def _build(dpo: Any, client: Any, received_on: dt.date) -> SubjectAccessRequest:
    sar = services.sar_request_start(
        actor=dpo, client=client, received_on=received_on, how_received="By letter", identity_checked="Photo ID seen"
    )
    services.sar_request_build(actor=dpo, request=sar)
    run_tasks()
    sar.refresh_from_db()
    assert sar.status == SarStatus.READY, sar.error
    return sar


def test_in_words() -> None:
    assert in_words("2026-01-31") == "31 January 2026"
    assert in_words("2026-07-04T09:05:00+01:00") == "4 July 2026 at 09:05"
    assert in_words("Talked about 2026") == "Talked about 2026"


def test_the_pdf_has_a_cover_the_sections_and_what_was_withheld(personas: Any) -> None:
    p = personas
    client = p.client_of(p.you, first_name="Dwayne", last_name="Example", date_of_birth=dt.date(2003, 3, 9))
    rival = p.client_of(p.you, first_name="Tyrese", last_name="Fictional-Rival")
    first, second = sorted([client, rival], key=lambda c: c.pk)
    KeepApart.objects.create(
        client_a=first, client_b=second, reason="Tyrese threatened him", source="police", recorded_by=p.you
    )
    LoneWorkingVisitFactory(client=client, staff=p.you, buddy=p.teammate, with_whom="his cousin Shanice")
    ContactFactory(
        client=client,
        recorded_by=p.you,
        note="Talked about college.",
        occurred_at=timezone.now() - dt.timedelta(days=2),
    )
    received = timezone.localdate() - dt.timedelta(days=2)
    sar = _build(p.data_protection_officer, client, received)
    text = _text(bytes(sar.export_pdf))
    # The cover: who, when they asked, the deadline, in words.
    assert "Your subject access record" in text and "Dwayne Example" in text and "9 March 2003" in text
    assert f"{received:%-d %B %Y}" in text and f"{sar.deadline:%-d %B %Y}" in text
    # Every section is there, with its records (a choice in words, not its code).
    for treatment in SUBJECT_ACCESS.values():
        if treatment.section and treatment.kind == "include":
            assert treatment.section in text, treatment.section
    assert "Talked about college." in text and "Phone" in text
    assert "Who looked at or changed your records" in text
    # What was withheld and why, listed on the cover; never its content.
    assert "What has been withheld, and why" in text
    assert "People you should not be booked together with" in text
    assert "information about other people" in text
    assert "With whom" in text  # the field left out of the lone-working visits, named
    for secret in ("Tyrese", "Fictional-Rival", "threatened", "Shanice"):
        assert secret not in text, secret
    sections = {w["section"] for w in sar.withheld}
    assert {"People you should not be booked together with", "Lone-working visits"} <= sections


def test_the_demo_client_whose_partner_disclosed_abuse(personas: Any) -> None:
    """His request: the JSON and the PDF hold nothing of her record (her name, her phone, what she disclosed, the
    MARAC referral); what is withheld is listed. The request is built as the officer would, by the job."""
    call_command("demo", clients=30, stdout=StringIO())
    concern = Concern.objects.select_related("client", "third_party").get(third_party__name="Toni Example-Partner")
    assert concern.about != ConcernAbout.CLIENT
    him = concern.client
    # Something of his own is withheld too (a keep-apart pair with another client), so the list is not empty.
    other = Concern.objects.exclude(client=him).values_list("client", flat=True).first()
    assert other is not None
    first, second = sorted([him.pk, other])
    KeepApart.objects.create(
        client_a_id=first,
        client_b_id=second,
        reason="A fight at the gym",
        source="worker",
        recorded_by=personas.data_protection_officer,
    )
    sar = _build(personas.data_protection_officer, him, timezone.localdate() - dt.timedelta(days=1))
    record_text = bytes(sar.export_json).decode()
    pdf_text = _text(bytes(sar.export_pdf))
    record = json.loads(record_text)
    assert record["sections"]["Contacts and notes"], "the demo gives him a file"
    secrets = [
        "Toni",
        "Example-Partner",
        "07700 900417",
        "07700900417",
        "pushed her down",
        "stairs",
        "takes her phone",
        "refuge",
        "MARAC (Southwark)",
        "Southwark MARAC",
        "DASH score 15",
        "A fight at the gym",
        concern.what_was_disclosed[:40],
    ]
    for where, text in (("JSON", record_text), ("PDF", pdf_text)):
        for secret in secrets:
            assert secret not in text, (where, secret)
    # What was withheld is listed, in the PDF and on the request.
    assert sar.withheld
    for item in sar.withheld:
        assert item["section"] in pdf_text
    assert "People you should not be booked together with" in pdf_text
