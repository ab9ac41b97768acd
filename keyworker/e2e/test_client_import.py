"""A manager moves the team's caseload from a spreadsheet: one bad row, its message, the fixed file, the
import, and the new clients on the caseload. axe-core on every page; the preview also on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from keyworker.core.testing import make_personas
from keyworker.e2e.conftest import AxeChecked, sign_in
from keyworker.people.models import Client

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "First name,Last name,Date of birth,Programme,Keyworker,Opened on,May voicemail"
GOOD = [
    "Tariq,Holloway,14/03/2001,Gang exit,you@keyworker.test,02/11/2026,no",
    "Chantelle,Okafor,2003-07-09,Women and girls,teammate@keyworker.test,,no",
]
BAD = "Devon,Marsh,31/02/2000,Resettlement (through the gate),you@keyworker.test,,no"
FIXED = BAD.replace("31/02/2000", "28/02/2000")


def _file(rows: list[str]) -> dict[str, Any]:
    return {"name": "caseload.csv", "mimeType": "text/csv", "buffer": ("\r\n".join([HEADER, *rows]) + "\r\n").encode()}


def _fits(page: Any, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than a 390px screen"


def _upload(page: Any, axe: AxeChecked, rows: list[str]) -> None:
    page.goto("/clients/import/")
    axe.check()
    page.get_by_label("Spreadsheet (CSV file)").set_input_files(_file(rows))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/clients/import/[0-9a-f-]{36}/"))
    axe.check()


def test_manager_imports_a_caseload(browser: Any, live_server: Any) -> None:
    personas = make_personas()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    axe = AxeChecked(page)
    sign_in(page, personas.manager, axe)

    _upload(page, axe, [*GOOD, BAD])
    assert page.get_by_text("Row 4, date of birth: enter a real date, like 31/01/1990").is_visible()
    assert page.get_by_role("button", name=re.compile("^Import")).count() == 0
    assert not Client.objects.exists()

    _upload(page, axe, [*GOOD, FIXED])
    assert page.get_by_role("table", name="Rows to import").is_visible()
    assert page.get_by_text("Devon Marsh").is_visible()
    _fits(page, "the preview")  # its wide table scrolls inside its own region
    page.get_by_role("button", name="Import 3 clients").click()
    page.wait_for_url(re.compile(r"/caseload/"))
    axe.check()
    assert page.get_by_text("3 clients imported").is_visible()
    for name in ("Tariq Holloway", "Chantelle Okafor", "Devon Marsh"):
        assert page.get_by_text(name).first.is_visible(), name
    assert Client.objects.count() == 3
    context.close()
