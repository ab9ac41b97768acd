"""A subject access request in Chromium (issue 10). The data protection officer records the request of a client
who is on nobody's list of hers (she finds him among all clients, by name, with his date of birth), builds his
record (the progress bar shows while the job waits; the test runs the queued job as `keyworker db_worker` would
and the page updates by itself), downloads the readable PDF, and marks the request as sent. His caseworker then
finds the sending in his disclosure log. Every page visited passes axe-core; the request's page fits a phone.
Names are fictional."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from keyworker.core.testing import ContactFactory, make_personas, run_tasks
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.privacy.models import SarStatus, SubjectAccessRequest
from keyworker.privacy.sar.services import SAR_RECIPIENT

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_officer_answers_a_subject_access_request(page: Any, axe: AxeChecked) -> None:
    personas = make_personas()
    client = personas.client_of(
        personas.you, first_name="Ellison", last_name="Fictional-Marsh", date_of_birth=dt.date(2002, 6, 14)
    )
    ContactFactory(client=client, recorded_by=personas.you, note="Talked about the college course.")
    today = timezone.localdate()

    sign_in(page, personas.data_protection_officer, axe)
    # the menu's "Data protection" is the officer's home, with the way to each of their pages
    page.get_by_role("link", name="Data protection").first.click()
    page.get_by_role("heading", name="Data protection", level=1).wait_for()
    assert "No open requests." in page.locator("#sar-summary").inner_text()
    axe.check()
    page.get_by_role("link", name="Subject access requests").click()
    page.get_by_role("heading", name="Subject access requests", level=1).wait_for()
    axe.check()
    page.get_by_role("button", name="Record a new request").click()
    page.get_by_role("heading", name="Record a subject access request", level=1).wait_for()
    axe.check()

    page.get_by_label("Name or case reference").fill("ellison marsh")
    page.get_by_role("button", name="Search").click()
    results = page.locator("[data-table=results]")
    results.wait_for()
    assert "14 Jun 2002" in results.inner_text()
    axe.check()
    results.get_by_role("link", name="Record a request for Ellison Fictional-Marsh").click()
    page.locator("[data-chosen]").wait_for()
    axe.check()
    page.get_by_label("Date the request was received").fill((today - dt.timedelta(days=2)).isoformat())
    page.get_by_label("How it came in").fill("By letter to the office")
    page.get_by_label("How you checked who they are").fill("Known to his caseworker; photo ID seen")
    page.get_by_role("button", name="Record the request").click()
    page.get_by_role("heading", name="Ellison Fictional-Marsh", level=1).wait_for()
    sar = SubjectAccessRequest.objects.get(client=client)
    assert f"{sar.due_on:%-d %B %Y}" in page.locator("[data-deadline]").inner_text()
    axe.check()

    # Build: the progress bar shows while the job waits; the worker runs it; the page notices by itself.
    page.get_by_role("button", name="Build the record").click()
    progress = page.get_by_label("Building the record")
    progress.wait_for()
    assert progress.evaluate("el => el.tagName") == "PROGRESS"
    axe.check()
    run_tasks()
    sar.refresh_from_db()
    assert sar.status == SarStatus.READY, sar.error
    page.locator("[data-downloads]").wait_for(timeout=20000)
    assert page.locator("progress").count() == 0
    axe.check()

    with page.expect_download() as download:
        page.get_by_role("link", name="Readable copy (PDF) of this subject access record").click()
    assert "Ellison" not in download.value.suggested_filename
    pdf = download.value.path().read_bytes()
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Your subject access record" in text and "Ellison" in text and "college course" in text

    # Sent: the request is closed, and the sending goes in his disclosure log.
    page.get_by_label("Date sent").fill(today.isoformat())
    page.get_by_label("How it was sent").fill("By secure e-mail")
    page.get_by_role("button", name="Mark as sent").click()
    page.locator("[data-sent]").wait_for()
    assert "By secure e-mail" in page.locator("[data-sent]").inner_text()
    axe.check()

    # On a phone the request's page fits the screen's width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator("[data-sent]").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    axe.check()
    page.goto("/data-protection/subject-access/")
    assert re.search(r"Sent to the person", page.locator("[data-table=done]").inner_text())
    axe.check()

    # His caseworker finds the sending in his disclosure log.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()
    sign_in(page, personas.you, axe)
    page.goto(f"/data-protection/clients/{client.pk}/disclosures/")
    page.get_by_role("heading", name="Shared outside Keyworker", level=1).wait_for()
    assert SAR_RECIPIENT in page.locator("table").inner_text()
    axe.check()
