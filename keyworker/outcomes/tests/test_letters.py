"""Letters: drafting a character reference from recorded facts, editing it (drafts only, optimistic locking),
saving it as a PDF (final letters never change), the timeline, the pages and the API by persona, and the
managers' templates. Names are fictional."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import ContactKind
from keyworker.casework.selectors import timeline_for
from keyworker.core.errors import ConcurrentEdit, NotFound, ValidationFailed
from keyworker.core.testing import (
    ChargeFactory,
    CohortFactory,
    ContactFactory,
    CourseFactory,
    EstablishmentFactory,
    HearingFactory,
    LetterFactory,
    MilestoneFactory,
    Personas,
    UserFactory,
    signed_in,
)
from keyworker.custody.models import EstablishmentKind
from keyworker.outcomes.letter_default import DEFAULT_CHARACTER_REFERENCE, DEFAULT_CHARACTER_REFERENCE_NAME
from keyworker.outcomes.models import (
    EvidenceKind,
    Letter,
    LetterKind,
    LetterStatus,
    LetterTemplate,
    Mentoring,
    MentoringSession,
    MentorPathway,
    MilestoneKind,
)
from keyworker.outcomes.services import letters as letter_services
from keyworker.people.models import Client
from keyworker.privacy.models import Disclosure
from keyworker.services.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db

COURT = "Inner London Crown Court"
OFFENCE = "Possession with intent to supply a controlled drug of class A"
AS_CHARGED = "possession with intent to supply a controlled drug of class A"  # as it reads mid-sentence


def _seed_template() -> None:
    module = importlib.import_module("keyworker.outcomes.migrations.0004_seed_letter_templates")
    module.seed(django_apps, None)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def marcus_with_a_record(p: Personas) -> Client:
    """A client supported for a year: contacts, a course with a qualification, a milestone, his own peer
    mentoring of a younger person, and a sentencing hearing at the Crown Court in three days."""
    today = timezone.localdate()
    marcus = p.client_of(p.you, first_name="Marcus", last_name="Bennett-Fictional", date_of_birth=dt.date(1999, 5, 1))
    case = marcus.cases.get()
    case.opened_on = today - dt.timedelta(days=400)
    case.save()
    for days_ago, kind in ((300, ContactKind.OFFICE), (200, ContactKind.HOME_VISIT), (100, ContactKind.PHONE)):
        ContactFactory(
            client=marcus,
            case=case,
            kind=kind,
            occurred_at=_at(today - dt.timedelta(days=days_ago), 11),
            recorded_by=p.you,
            note="Met.",
        )
    course = CourseFactory(title="Construction skills (CSCS)")
    cohort = CohortFactory(
        course=course, starts_on=today - dt.timedelta(days=250), ends_on=today - dt.timedelta(days=200)
    )
    Enrolment.objects.create(
        cohort=cohort,
        client=marcus,
        status=EnrolmentStatus.COMPLETED,
        completed_on=today - dt.timedelta(days=200),
        qualification_gained="CSCS green card",
        enrolled_by=p.you,
    )
    MilestoneFactory(
        client=marcus,
        kind=MilestoneKind.WORK_13_WEEKS,
        achieved_on=today - dt.timedelta(days=60),
        detail="Warehouse operative",
        evidence_kind=EvidenceKind.COMPUTED,
        recorded_by=p.you,
    )
    account = UserFactory(email="marcus.mentor@keyworker.test", role=Role.PEER_MENTOR, team=None)
    MentorPathway.objects.create(
        client=marcus,
        interest_on=today - dt.timedelta(days=180),
        mentor_account=account,
        started_mentoring_on=today - dt.timedelta(days=120),
    )
    younger = p.client_of(p.teammate, first_name="Tyrell", date_of_birth=dt.date(2009, 1, 1))
    mentoring = Mentoring.objects.create(mentor=account, mentee=younger, started_on=today - dt.timedelta(days=100))
    for n in range(5):
        MentoringSession.objects.create(
            mentoring=mentoring, held_on=today - dt.timedelta(days=90 - n * 7), recorded_by=account
        )
    court = EstablishmentFactory(kind=EstablishmentKind.CROWN_COURT, name=COURT)
    charge = ChargeFactory(client=marcus, offence=OFFENCE, recorded_by=p.you)
    hearing = HearingFactory(
        client=marcus, court=court, starts_at=_at(today + dt.timedelta(days=3), 10), recorded_by=p.you
    )
    hearing.charges.add(charge)
    return marcus


@pytest.fixture
def marcus(personas: Personas) -> Client:
    return marcus_with_a_record(personas)


def _draft(p: Personas, client: Client) -> Letter:
    return letter_services.letter_draft(actor=p.you, client=client)


# ----------------------------------------------------------------------------------------- drafting


def test_the_draft_is_drawn_from_the_records(personas: Personas, marcus: Client):
    letter = _draft(personas, marcus)
    body = letter.body
    assert letter.status == LetterStatus.DRAFT and letter.kind == LetterKind.CHARACTER_REFERENCE
    assert letter.addressee == f"The presiding Judge, {COURT}"
    assert body.startswith("Your Honour,")
    assert f"Marcus is before the court charged with {AS_CHARGED}." in body
    assert "My name is Jo Caseworker. I am a caseworker at" in body
    assert ", and I am Marcus's keyworker." in body
    opened = timezone.localdate() - dt.timedelta(days=400)
    assert f"since {opened.day} {opened:%B %Y}" in body
    assert "3 times, twice in person (1 home visit, 1 office meeting and 1 phone call)" in body
    assert "Marcus has completed Construction skills (CSCS) on " in body and ", gaining CSCS green card." in body
    assert "in work, sustained 13 weeks (Warehouse operative)" in body
    assert "has been a peer mentor with us, supporting a younger person" in body
    assert "5 mentoring sessions" in body
    assert "[missing:" not in body
    assert "Tyrell" not in body  # a mentee is never named
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(letter.pk))
    assert event.client_id == marcus.pk and event.actor == personas.you


def test_gaps_are_marked_not_invented(personas: Personas):
    newcomer = personas.client_of(personas.you, first_name="Dee")
    letter = _draft(personas, newcomer)
    for gap in ("salutation", "charges", "courses", "milestones", "mentoring", "engagement"):
        assert f"[missing: {gap}]" in letter.body, gap
    assert letter.addressee == "[missing: court]"


def test_a_seeded_template_is_used_and_managers_edit_it(personas: Personas, marcus: Client):
    _seed_template()
    _seed_template()  # idempotent
    template = LetterTemplate.objects.get(name=DEFAULT_CHARACTER_REFERENCE_NAME)
    assert template.body == DEFAULT_CHARACTER_REFERENCE and template.is_active
    letter_services.letter_template_update(
        actor=personas.manager,
        template=template,
        expected_version=template.version,
        name=template.name,
        body="{salutation},\n\nI write about {client_name} before {court}.",
        is_active=True,
    )
    letter = letter_services.letter_draft(actor=personas.you, client=marcus, template=template)
    assert letter.body == f"Your Honour,\n\nI write about Marcus Bennett-Fictional before {COURT}."
    assert letter.template == template


def test_a_template_with_an_unknown_placeholder_is_refused(personas: Personas):
    _seed_template()
    template = LetterTemplate.objects.get()
    with pytest.raises(ValidationFailed) as exc:
        letter_services.letter_template_update(
            actor=personas.manager,
            template=template,
            expected_version=template.version,
            name="Ref",
            body="Dear {judge_name}",
            is_active=True,
        )
    assert "{judge_name}" in exc.value.field_errors["body"][0]
    template.refresh_from_db()
    assert template.body == DEFAULT_CHARACTER_REFERENCE and template.version == 1


def test_only_managers_edit_templates(personas: Personas):
    _seed_template()
    template = LetterTemplate.objects.get()
    for user in (personas.you, personas.report_viewer, personas.safeguarding_lead, personas.on_call):
        with pytest.raises(NotFound):
            letter_services.letter_template_update(
                actor=user, template=template, expected_version=1, name="X", body="Y", is_active=True
            )
    assert LetterTemplate.objects.get().name == DEFAULT_CHARACTER_REFERENCE_NAME


def test_nobody_out_of_reach_drafts(personas: Personas, marcus: Client):
    for user in (personas.other_caseworker, personas.other_manager, personas.report_viewer, personas.on_call):
        with pytest.raises(NotFound):
            letter_services.letter_draft(actor=user, client=marcus)
    assert not Letter.objects.exists()


# ------------------------------------------------------------------------------------------ editing


def test_a_draft_is_edited_under_optimistic_locking(personas: Personas, marcus: Client):
    letter = _draft(personas, marcus)
    version = letter.version
    letter_services.letter_update(
        actor=personas.you,
        letter=letter,
        expected_version=version,
        addressee=letter.addressee,
        body=letter.body + "\n\nHe has never missed an appointment with me.",
    )
    assert letter.version == version + 1
    stale = Letter.objects.get(pk=letter.pk)
    with pytest.raises(ConcurrentEdit):
        letter_services.letter_update(
            actor=personas.teammate, letter=stale, expected_version=version, addressee="X", body="Overwritten."
        )
    letter.refresh_from_db()
    assert letter.body.endswith("never missed an appointment with me.") and letter.addressee != "X"


def test_bad_input_changes_nothing(personas: Personas, marcus: Client):
    letter = _draft(personas, marcus)
    before = Letter.objects.values().get(pk=letter.pk)
    for addressee, body, field in (
        ("", "Text", "addressee"),
        ("Court", "   ", "body"),
        ("C" * 201, "T", "addressee"),
        ("Court", "x" * 20_001, "body"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            letter_services.letter_update(
                actor=personas.you,
                letter=Letter.objects.get(pk=letter.pk),
                expected_version=letter.version,
                addressee=addressee,
                body=body,
            )
        assert field in exc.value.field_errors
    assert Letter.objects.values().get(pk=letter.pk) == before


# --------------------------------------------------------------------------------------- finalising


def test_saving_as_a_pdf_makes_it_final_and_it_never_changes(personas: Personas, marcus: Client):
    letter = _draft(personas, marcus)
    edited = letter.body.replace("I am happy to be contacted", "I would gladly speak to the court")
    letter_services.letter_update(
        actor=personas.you, letter=letter, expected_version=letter.version, addressee=letter.addressee, body=edited
    )
    html = letter_services.letter_html(letter)
    assert "I would gladly speak to the court" in html and COURT in html and "Jo Caseworker" in html
    assert "Caseworker, Team North" in html
    letter_services.letter_finalise(actor=personas.you, letter=letter, expected_version=letter.version)
    saved = Letter.objects.get(pk=letter.pk)
    assert saved.status == LetterStatus.FINAL and saved.finalised_at is not None
    pdf = bytes(saved.pdf)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    for attempt in (
        lambda: letter_services.letter_update(
            actor=personas.you, letter=saved, expected_version=saved.version, addressee="X", body="Changed"
        ),
        lambda: letter_services.letter_finalise(actor=personas.you, letter=saved, expected_version=saved.version),
    ):
        with pytest.raises(ValidationFailed) as exc:
            attempt()
        assert "can no longer be changed" in exc.value.message
    again = Letter.objects.get(pk=letter.pk)
    assert (again.body, bytes(again.pdf), again.version) == (edited, pdf, saved.version)


def test_the_printed_letter_escapes_what_was_typed(personas: Personas, marcus: Client):
    letter = _draft(personas, marcus)
    letter.body = "Para one <script>alert(1)</script>\nline two\n\nPara <img src=file:///etc/passwd> two"
    html = letter_services.letter_html(letter)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<img" not in html
    assert "line two" in html and html.count("<p>") >= 2


def test_a_letter_with_gaps_is_not_saved_as_a_pdf(personas: Personas):
    newcomer = personas.client_of(personas.you, first_name="Dee")
    letter = _draft(personas, newcomer)
    with pytest.raises(ValidationFailed) as exc:
        letter_services.letter_finalise(actor=personas.you, letter=letter, expected_version=letter.version)
    assert "courses" in exc.value.field_errors["body"][0] and "addressee" in exc.value.field_errors
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and letter.pdf is None


def test_finalising_a_stale_version_is_refused(personas: Personas, marcus: Client):
    letter = _draft(personas, marcus)
    with pytest.raises(ConcurrentEdit):
        letter_services.letter_finalise(actor=personas.you, letter=letter, expected_version=letter.version + 1)
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


def test_pdfs_need_pango_and_say_so(personas: Personas, marcus: Client, monkeypatch: Any):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    letter = _draft(personas, marcus)
    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    with pytest.raises(ValidationFailed) as exc:
        letter_services.letter_finalise(actor=personas.you, letter=letter, expected_version=letter.version)
    monkeypatch.undo()
    assert "pango" in exc.value.message
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


def test_handing_it_over_is_a_disclosure(personas: Personas, marcus: Client):
    letter = _draft(personas, marcus)
    with pytest.raises(ValidationFailed):
        letter_services.letter_mark_sent(actor=personas.you, letter=letter, sent_to="The court", basis="Consent")
    letter_services.letter_finalise(actor=personas.you, letter=letter, expected_version=letter.version)
    assert not Disclosure.objects.exists()  # writing it shared nothing
    with pytest.raises(ValidationFailed):
        letter_services.letter_mark_sent(actor=personas.you, letter=letter, sent_to="", basis="Consent")
    disclosure = letter_services.letter_mark_sent(
        actor=personas.you, letter=letter, sent_to=COURT, basis="Marcus's consent, given 20 November"
    )
    assert (disclosure.client, disclosure.recipient, disclosure.source_type, disclosure.source_id) == (
        marcus,
        COURT,
        "outcomes.letter",
        letter.pk,
    )
    assert "Character reference for court" in disclosure.what


# ------------------------------------------------------------------------------------------ timeline


def test_a_final_letter_is_on_the_timeline_and_a_draft_is_not(personas: Personas, marcus: Client):
    draft = _draft(personas, marcus)
    final = _draft(personas, marcus)
    letter_services.letter_finalise(actor=personas.you, letter=final, expected_version=final.version)
    entries, _ = timeline_for(marcus, personas.you)
    letters = [e.letter for e in entries if e.kind == "letter"]
    assert letters == [final] and draft not in letters
    assert entries[0].kind == "letter"  # today's: the newest entry
    response = signed_in(personas.you).get(reverse("people:client_detail", args=[marcus.pk]))
    page = response.content.decode()
    assert "Character reference for court saved as a PDF" in page
    assert reverse("outcomes:letter_pdf", args=[final.pk]) in page
    assert reverse("outcomes:client_letters", args=[marcus.pk]) in page


def test_the_timeline_query_count_does_not_grow_with_letters(
    personas: Personas, marcus: Client, django_assert_max_num_queries: Any
):
    for _ in range(4):
        LetterFactory(client=marcus, written_by=personas.you, status=LetterStatus.FINAL, finalised_at=timezone.now())
    with django_assert_max_num_queries(5):  # count, contacts, amendments, cases, letters
        entries, _ = timeline_for(marcus, personas.you)
        assert all(e.letter.written_by.display_name for e in entries if e.kind == "letter")
    assert sum(e.kind == "letter" for e in entries) == 4


# --------------------------------------------------------------------------------------------- pages


def _viewed(user: User, client: Client) -> int:
    return AuditEvent.objects.filter(actor=user, client_id=client.pk, action=AuditAction.VIEW).count()


def test_letters_pages_by_persona(personas: Personas, marcus: Client):
    letter = _draft(personas, marcus)
    final = _draft(personas, marcus)
    letter_services.letter_finalise(actor=personas.you, letter=final, expected_version=final.version)
    urls = [
        reverse("outcomes:client_letters", args=[marcus.pk]),
        reverse("outcomes:letter_edit", args=[letter.pk]),
        reverse("outcomes:letter_edit", args=[final.pk]),
        reverse("outcomes:letter_pdf", args=[final.pk]),
    ]
    for user in (personas.you, personas.teammate, personas.manager):
        for url in urls:
            before = _viewed(user, marcus)
            response = signed_in(user).get(url)
            assert response.status_code == 200, (user, url)
            assert _viewed(user, marcus) == before + 1, (user, url)
    mentor = UserFactory(email="pm@letters.test", role=Role.PEER_MENTOR, team=personas.team)
    others = [
        personas.other_caseworker,
        personas.other_manager,
        personas.report_viewer,
        personas.safeguarding_lead,
        personas.on_call,
        mentor,
    ]
    for user in others:
        for url in urls:
            response = signed_in(user).get(url)
            assert response.status_code == 404, (user, url)
            assert "Bennett" not in response.content.decode()
        assert signed_in(user).post(urls[0], {"template": ""}).status_code == 404
        assert (
            signed_in(user).post(urls[1], {"action": "save", "version": "1", "addressee": "X", "body": "Y"}).status_code
            == 404
        )
    assert Letter.objects.count() == 2
    assert Letter.objects.get(pk=letter.pk).addressee != "X"


def test_list_page_query_count_is_bounded(personas: Personas, marcus: Client, django_assert_max_num_queries: Any):
    http = signed_in(personas.you)
    url = reverse("outcomes:client_letters", args=[marcus.pk])
    http.get(url)
    for _ in range(6):
        LetterFactory(client=marcus, written_by=personas.teammate)
    with django_assert_max_num_queries(20):
        assert http.get(url).status_code == 200


def test_drafting_editing_and_saving_as_a_pdf_on_the_pages(personas: Personas, marcus: Client):
    _seed_template()
    http = signed_in(personas.you)
    list_url = reverse("outcomes:client_letters", args=[marcus.pk])
    page = http.get(list_url).content.decode()
    assert "Draft a character reference" in page
    template = LetterTemplate.objects.get()
    response = http.post(list_url, {"template": str(template.pk)})
    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:letter_edit", args=[letter.pk])
    edit_url = response["Location"]
    page = http.get(edit_url).content.decode()
    assert "What the records say" in page and COURT in page and "Construction skills (CSCS)" in page
    body = letter.body.replace("I am happy to be contacted", "I am glad to be contacted")
    # bad input: a clear message, nothing saved
    response = http.post(edit_url, {"action": "save", "version": letter.version, "addressee": "", "body": body})
    assert response.status_code == 422 and "Say who the letter is to" in response.content.decode()
    assert Letter.objects.get().body == letter.body
    # someone else saved first: refused, the typed words kept
    response = http.post(
        edit_url, {"action": "save", "version": letter.version + 5, "addressee": "Court", "body": body}
    )
    assert response.status_code == 409 and "I am glad to be contacted" in response.content.decode()
    response = http.post(
        edit_url, {"action": "finalise", "version": letter.version, "addressee": letter.addressee, "body": body}
    )
    assert response.status_code == 302
    saved = Letter.objects.get()
    assert saved.status == LetterStatus.FINAL and "I am glad to be contacted" in saved.body
    pdf = http.get(reverse("outcomes:letter_pdf", args=[saved.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith(
        'attachment; filename="character-reference-for-court-bennett-fictional-'
    )
    assert pdf.content.startswith(b"%PDF")
    page = http.get(edit_url).content.decode()
    assert "Download the PDF" in page and 'name="body"' not in page
    response = http.post(edit_url, {"action": "sent", "sent_to": COURT, "basis": "His consent"})
    assert response.status_code == 302 and Disclosure.objects.get().recipient == COURT


def test_a_draft_has_no_pdf(personas: Personas, marcus: Client):
    letter = _draft(personas, marcus)
    assert signed_in(personas.you).get(reverse("outcomes:letter_pdf", args=[letter.pk])).status_code == 404


def test_template_pages_are_for_managers(personas: Personas):
    _seed_template()
    template = LetterTemplate.objects.get()
    urls = [reverse("outcomes:letter_templates"), reverse("outcomes:letter_template_edit", args=[template.pk])]
    for url in urls:
        assert signed_in(personas.manager).get(url).status_code == 200
        for user in (personas.you, personas.report_viewer, personas.safeguarding_lead, personas.on_call):
            assert signed_in(user).get(url).status_code == 404, (user, url)
    http = signed_in(personas.manager)
    response = http.post(urls[1], {"version": 1, "name": "", "body": "x"})
    assert response.status_code == 422 and LetterTemplate.objects.get().name == DEFAULT_CHARACTER_REFERENCE_NAME
    response = http.post(
        urls[1], {"version": 1, "name": "Court reference", "body": "{salutation},\n\nText.", "is_active": "on"}
    )
    assert response.status_code == 302
    saved = LetterTemplate.objects.get()
    assert (saved.name, saved.updated_by, saved.version) == ("Court reference", personas.manager, 2)
    assert signed_in(personas.you).post(urls[1], {"version": 2, "name": "Mine", "body": "x"}).status_code == 404


# ----------------------------------------------------------------------------------------------- API


def _api(http: Any, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return http.generic(method, url, json.dumps(body or {}), content_type="application/json")


def test_the_api_drafts_edits_and_finalises(personas: Personas, marcus: Client):
    http = signed_in(personas.you)
    response = _api(http, "POST", f"/api/v1/clients/{marcus.pk}/letters", {})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft" and f"charged with {AS_CHARGED}" in data["body"] and data["pdf_url"] is None
    letter_url = f"/api/v1/letters/{data['id']}"
    changed = data["body"] + "\n\nA sentence of my own."
    response = _api(
        http, "PUT", letter_url, {"version": data["version"], "addressee": data["addressee"], "body": changed}
    )
    assert response.status_code == 200 and response.json()["version"] == data["version"] + 1
    response = _api(http, "PUT", letter_url, {"version": data["version"], "addressee": "X", "body": "stale"})
    assert response.status_code == 409
    response = _api(http, "POST", f"{letter_url}/finalise", {"version": data["version"] + 1})
    assert response.status_code == 200 and response.json()["status"] == "final"
    pdf = http.get(response.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    response = _api(http, "PUT", letter_url, {"version": data["version"] + 2, "addressee": "X", "body": "late"})
    assert response.status_code == 422
    listed = http.get(f"/api/v1/clients/{marcus.pk}/letters").json()
    assert [item["id"] for item in listed] == [data["id"]] and listed[0]["body"] == changed
    response = _api(
        http, "POST", f"/api/v1/clients/{marcus.pk}/letters", {"template_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert response.status_code == 422 and Letter.objects.count() == 1


def test_letter_api_by_persona(personas: Personas, marcus: Client):
    """The operations addressed by a letter follow its client: in reach for the client's team (and audited),
    404 for everyone else, and a refused write changes nothing."""
    draft = _draft(personas, marcus)
    final = _draft(personas, marcus)
    letter_services.letter_finalise(actor=personas.you, letter=final, expected_version=final.version)
    mentor = UserFactory(email="pm2@letters.test", role=Role.PEER_MENTOR, team=personas.team)
    for user in (personas.you, personas.teammate, personas.manager):
        http = signed_in(user)
        before = _viewed(user, marcus)
        assert http.get(f"/api/v1/letters/{final.pk}/pdf").status_code == 200
        assert _viewed(user, marcus) == before + 1
        assert http.get(f"/api/v1/clients/{marcus.pk}/letters").status_code == 200
    for user in (
        personas.other_caseworker,
        personas.other_manager,
        personas.report_viewer,
        personas.safeguarding_lead,
        personas.on_call,
        mentor,
    ):
        http = signed_in(user)
        assert http.get(f"/api/v1/letters/{final.pk}/pdf").status_code == 404
        assert http.get(f"/api/v1/clients/{marcus.pk}/letters").status_code == 404
        response = _api(
            http, "PUT", f"/api/v1/letters/{draft.pk}", {"version": draft.version, "addressee": "X", "body": "Y"}
        )
        assert response.status_code == 404 and "Bennett" not in response.content.decode()
        response = _api(http, "POST", f"/api/v1/letters/{draft.pk}/finalise", {"version": draft.version})
        assert response.status_code == 404
        assert _api(http, "POST", f"/api/v1/clients/{marcus.pk}/letters", {}).status_code == 404
    assert Letter.objects.get(pk=draft.pk).status == LetterStatus.DRAFT and Letter.objects.count() == 2
    anonymous = signed_in(personas.you)
    anonymous.logout()
    assert anonymous.get(f"/api/v1/letters/{final.pk}/pdf").status_code == 401


def test_the_api_list_query_count_is_bounded(personas: Personas, marcus: Client, django_assert_max_num_queries: Any):
    http = signed_in(personas.you)
    url = f"/api/v1/clients/{marcus.pk}/letters"
    http.get(url)
    for _ in range(8):
        LetterFactory(client=marcus, written_by=personas.teammate)
    with django_assert_max_num_queries(12):
        response = http.get(url)
    assert response.status_code == 200 and len(response.json()) == 8
