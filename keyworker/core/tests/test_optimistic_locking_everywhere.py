"""Optimistic locking on every edit page and every update operation of the API (issue 10, deliverable 6).

For each one: the editor reads the record (version v); someone else saves it underneath; the editor's change,
sent with v, is refused (a page: 409 with the message, the other person's saved values beside the editor's own,
and the form carrying the new version; the API: 409 with `current` in the GET shape and its `version`) and the
database still holds the other person's values. A second, deliberate submit with the new version succeeds.

Which routes count as edits (the rule the inventory tests enforce, decisions/0039):
- pages: every URL name whose last part ends in `_edit`, `_update`, `_status` or `_reschedule` (the project's
  naming for a page that changes an existing record), plus the pages listed in PAGE_EXTRAS that edit a record
  under another name;
- API: every PATCH or PUT operation, and every operation whose request body has a `version` field (a POST that
  changes the state of an existing record: a status change, a completion, sending).
A new route of either kind that is not in PAGE_CASES / API_CASES below fails test_every_edit_page_is_covered or
test_every_update_operation_is_covered.

"Someone else saves underneath" is a direct versioned UPDATE of the row (what any other save through
save_if_unchanged does to it): one mechanism for every kind of record, and the case with the other person's
change made through the service itself is tested separately for a client (test_page_..._through_the_service).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db.models import F, Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from keyworker.core.errors import ConcurrentEdit
from keyworker.core.forms import VERSION_FIELDS
from keyworker.core.testing import (
    AppointmentFactory,
    CourseFactory,
    CustodyEpisodeFactory,
    EstablishmentFactory,
    LetterFactory,
    OrganisationFactory,
    Personas,
    ServiceFactory,
    VenueFactory,
    signed_in,
)

pytestmark = pytest.mark.django_db

MESSAGE = ConcurrentEdit().message
THEIRS = "Saved by someone else"


# ---------------------------------------------------------------------------------------------------------------
# Reading a form back from its page, as a browser would submit it


class _FormReader(HTMLParser):
    """The fields of every <form method="post"> on a page, with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {"_action": a.get("action", ""), "_fields": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["_fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    fields.setdefault(name, []).append(a.get("value", "on"))
                else:
                    fields.setdefault(name, [])
            elif kind not in {"submit", "button", "file"}:
                fields[name] = [a.get("value", "")]
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = [""]
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
            fields[name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                fields[self._select] = [value]
                self._select_chosen = True

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["_fields"][self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and self._select_first is not None:
                self._form["_fields"][self._select] = [self._select_first]
            self._select = None
        elif tag == "form":
            self._form = None


def versioned_form(html: str, action: str | None = None) -> dict[str, Any]:
    """The post form on the page that carries a `version` field (the one posting to `action`, when the page has
    several): {name: [values]} plus its action."""
    reader = _FormReader()
    reader.feed(html)
    forms = [form for form in reader.forms if set(VERSION_FIELDS) & set(form["_fields"])]
    chosen = [form for form in forms if action and form["_action"] == action] or forms
    assert chosen, "No form with a version field on the page."
    return chosen[0]


def version_in(form: dict[str, Any]) -> list[str]:
    return next(form["_fields"][name] for name in VERSION_FIELDS if name in form["_fields"])


def post_data(form: dict[str, Any], changes: dict[str, str]) -> dict[str, Any]:
    data = {name: values for name, values in form["_fields"].items() if name != "csrfmiddlewaretoken"}
    data = {name: values for name, values in data.items() if values}
    for name, value in changes.items():
        data[name] = [value]
    return data


def someone_else_saves(record: Model, **values: Any) -> None:
    """Another person's save of `record`: the row changes and its version moves on (as save_if_unchanged does)."""
    rows = type(record)._default_manager.filter(pk=record.pk)
    updated = rows.update(version=F("version") + 1, updated_at=timezone.now(), **values)
    assert updated == 1


def fresh(record: Model) -> Any:
    return type(record)._default_manager.get(pk=record.pk)


# ---------------------------------------------------------------------------------------------------------------
# The inventory: pages


@dataclass
class PageCase:
    """make(p) -> (the editor, the record the page edits, the page's URL); `theirs`: model fields someone else
    saves; `mine`: form fields the editor changes (the rest as the page filled them in)."""

    make: Callable[[Personas], tuple[Any, Model, str]]
    theirs: dict[str, Any]
    mine: dict[str, str] = field(default_factory=dict)
    shown: str | None = None  # text of the other person's value that the conflict panel must show
    form_on: str | None = None  # the page holding the form, when the edit URL only takes a POST (same record id)


def _letter(p: Personas) -> tuple[Any, Model, str]:
    letter = LetterFactory(client=p.client_of(p.you), written_by=p.you)
    return p.you, letter, reverse("outcomes:letter_edit", args=[letter.pk])


def _letter_template(p: Personas) -> tuple[Any, Model, str]:
    from keyworker.outcomes.models import LetterTemplate

    template = LetterTemplate.objects.order_by("name").first()
    assert template is not None
    return p.manager, template, reverse("outcomes:letter_template_edit", args=[template.pk])


def _scale(p: Personas) -> tuple[Any, Model, str]:
    from keyworker.outcomes.models import OutcomeScale

    scale = OutcomeScale.objects.order_by("name").first()
    assert scale is not None
    return p.manager, scale, reverse("outcomes:scale_edit", args=[scale.pk])


def _establishment(p: Personas) -> tuple[Any, Model, str]:
    establishment = EstablishmentFactory()
    return p.you, establishment, reverse("custody:directory_edit", args=[establishment.pk])


def _episode(p: Personas) -> tuple[Any, Model, str]:
    episode = CustodyEpisodeFactory(client=p.client_of(p.you), recorded_by=p.you)
    return p.you, episode, reverse("custody:episode_edit", args=[episode.pk])


def _need(p: Personas) -> tuple[Any, Model, str]:
    from keyworker.custody.models import ReleaseNeed

    episode = CustodyEpisodeFactory(client=p.client_of(p.you), recorded_by=p.you)
    need = ReleaseNeed.objects.create(episode=episode, need="other", pathway="accommodation", title="Find a room")
    return p.you, need, reverse("custody:need_update", args=[need.pk])


def _service(p: Personas) -> tuple[Any, Model, str]:
    service = ServiceFactory()
    return p.you, service, reverse("services:service_edit", args=[service.pk])


def _organisation(p: Personas) -> tuple[Any, Model, str]:
    organisation = OrganisationFactory()
    return p.you, organisation, reverse("services:organisation_edit", args=[organisation.pk])


def _draft_referral(p: Personas) -> Model:
    from keyworker.services.services.referrals import outbound_referral_create

    return outbound_referral_create(
        actor=p.you,
        client=p.client_of(p.you),
        service=ServiceFactory(),
        reason="Cutting down on cannabis.",
        shared="Name, phone number, what he uses and how often.",
    )


def _sent_referral(p: Personas) -> Model:
    from keyworker.intake.models import AgencyKind
    from keyworker.intake.services import consent_record
    from keyworker.services.services.referrals import outbound_referral_send

    referral = _draft_referral(p)
    consent_record(
        actor=p.you,
        client=referral.client,
        agency_kinds=[AgencyKind.DRUG_AND_ALCOHOL],
        method="verbal",
        given_on=timezone.localdate(),
    )
    return outbound_referral_send(actor=p.you, referral=referral, expected_version=referral.version)


def _referral_edit(p: Personas) -> tuple[Any, Model, str]:
    referral = _draft_referral(p)
    return p.you, referral, reverse("services:referral_edit", args=[referral.pk])


def _referral_update(p: Personas) -> tuple[Any, Model, str]:
    referral = _sent_referral(p)
    return p.you, referral, reverse("services:referral_update", args=[referral.pk])


def _venue(p: Personas) -> tuple[Any, Model, str]:
    venue = VenueFactory()
    return p.you, venue, reverse("services:venue_edit", args=[venue.pk])


def _course(p: Personas) -> tuple[Any, Model, str]:
    course = CourseFactory()
    return p.you, course, reverse("services:course_edit", args=[course.pk])


def _intake_referral(p: Personas) -> Model:
    from keyworker.intake.services import referral_receive

    return referral_receive(
        actor=p.you,
        source="self",
        reason="Wants out.",
        first_name="Kayla",
        last_name="Zindabad",
        date_of_birth=dt.date(2007, 5, 1),
    )


def _intake_status(p: Personas) -> tuple[Any, Model, str]:
    referral = _intake_referral(p)
    return p.you, referral, reverse("intake:referral_status", args=[referral.pk])


def _appointment(p: Personas) -> Model:
    client = p.client_of(p.you)
    return AppointmentFactory(client=client, staff=p.you, starts_at=timezone.now() + dt.timedelta(days=2))


def _appointment_status(p: Personas) -> tuple[Any, Model, str]:
    appointment = _appointment(p)
    return p.you, appointment, reverse("diary:appointment_status", args=[appointment.pk])


def _appointment_reschedule(p: Personas) -> tuple[Any, Model, str]:
    appointment = _appointment(p)
    return p.you, appointment, reverse("diary:appointment_reschedule", args=[appointment.pk])


def _case(p: Personas) -> tuple[Any, Model, str]:
    client = p.client_of(p.you)
    case = client.cases.get()
    return p.you, case, reverse("casework:case_status", args=[case.pk])


def _client_about(p: Personas) -> tuple[Any, Model, str]:
    client = p.client_of(p.you)
    return p.you, client, reverse("people:client_about", args=[client.pk])


def _agreement(p: Personas) -> tuple[Any, Model, str]:
    from keyworker.privacy.models import SharingAgreement

    agreement = SharingAgreement.objects.create(
        partner="Example Borough Council",
        title="Youth safety",
        purpose="Keeping young people safe.",
        lawful_basis="Article 6(1)(e) public task",
        data_shared="Names, risks, referrals.",
        starts_on=timezone.localdate() - dt.timedelta(days=100),
        review_on=timezone.localdate() + dt.timedelta(days=200),
        recorded_by=p.data_protection_officer,
    )
    return p.data_protection_officer, agreement, reverse("privacy:agreement_edit", args=[agreement.pk])


def _retention_policy(p: Personas) -> tuple[Any, Model, str]:
    from keyworker.privacy.models import RetentionPolicy

    policy = RetentionPolicy.objects.create(kind="area_concern", period_months=12, note="Reviewed yearly.")
    return p.data_protection_officer, policy, reverse("privacy:retention_policy_edit", args=["area_concern"])


def _safety_plan(p: Personas) -> tuple[Any, Model, str]:
    from keyworker.core.testing import SafetyPlanFactory

    plan = SafetyPlanFactory(client=p.client_of(p.you), updated_by=p.you)
    return p.you, plan, reverse("safeguarding:client_safety_plan", args=[plan.client_id])


def _nrm_page(p: Personas) -> tuple[Any, Model, str]:
    actor, referral, _path, _body = _api_nrm(p)
    return actor, referral, reverse("safeguarding:nrm_detail", args=[referral.pk])


def _release(p: Personas) -> tuple[Any, Model, str]:
    episode = CustodyEpisodeFactory(client=p.client_of(p.you), recorded_by=p.you)
    return p.you, episode, reverse("custody:release_record", args=[episode.pk])


def _hearing_outcome(p: Personas) -> tuple[Any, Model, str]:
    actor, hearing, _path, _body = _api_hearing(p)
    return actor, hearing, reverse("custody:hearing_outcome", args=[hearing.pk])


PAGE_CASES: dict[str, PageCase] = {
    "safeguarding:client_safety_plan": PageCase(_safety_plan, {"safe_areas": "Their areas."}, shown="Their areas."),
    "safeguarding:nrm_detail": PageCase(
        _nrm_page, {"notes": "Their notes."}, {"notes": "My notes."}, shown="Their notes."
    ),
    "custody:release_record": PageCase(
        _release, {"prison_number": "Z9999ZZ"}, {"released_on": timezone.localdate().isoformat()}
    ),
    "custody:hearing_outcome": PageCase(
        _hearing_outcome, {"kind": "trial"}, {"outcome": "community_order", "action": "record"}
    ),
    "privacy:retention_policy_edit": PageCase(_retention_policy, {"note": "Their note."}, shown="Their note."),
    "privacy:agreement_edit": PageCase(_agreement, {"purpose": "Their purpose."}, shown="Their purpose."),
    "outcomes:letter_edit": PageCase(
        _letter,
        {"body": "Their wording of the letter."},
        {"body": "My wording.", "action": "save"},
        shown="Their wording of the letter.",
    ),
    "outcomes:letter_template_edit": PageCase(_letter_template, {"body": "Their template."}, shown="Their template."),
    "outcomes:scale_edit": PageCase(_scale, {"description": "Their description."}),
    "custody:directory_edit": PageCase(_establishment, {"phone": "020 7946 0999"}, shown="020 7946 0999"),
    "custody:episode_edit": PageCase(_episode, {"prison_number": "Z9999ZZ"}, shown="Z9999ZZ"),
    "custody:need_update": PageCase(_need, {"status": "met"}),
    "services:service_edit": PageCase(_service, {"phone": "020 7946 0777"}, shown="020 7946 0777"),
    "services:organisation_edit": PageCase(_organisation, {"name": "Their Trust"}, shown="Their Trust"),
    "services:referral_edit": PageCase(_referral_edit, {"reason": "Their reason."}, shown="Their reason."),
    "services:referral_update": PageCase(
        _referral_update,
        {"shared": "Their list."},
        {"status": "accepted", "occurred_on": timezone.localdate().isoformat()},
        form_on="services:referral_detail",
    ),
    "services:venue_edit": PageCase(_venue, {"address": "2 Their Road"}, shown="2 Their Road"),
    "services:course_edit": PageCase(_course, {"title": "Their course title"}, shown="Their course title"),
    "intake:referral_status": PageCase(_intake_status, {"reason": "Their reason."}, form_on="intake:referral_detail"),
    "diary:appointment_status": PageCase(
        _appointment_status, {"location": "Their room"}, {"status": "cancelled"}, form_on="diary:appointment_detail"
    ),
    "diary:appointment_reschedule": PageCase(
        _appointment_reschedule, {"location": "Their room"}, form_on="diary:appointment_detail"
    ),
    "casework:case_status": PageCase(
        _case, {"opened_on": timezone.localdate() - dt.timedelta(days=80)}, {"status": "on_hold"}
    ),
    "people:client_about": PageCase(_client_about, {"pronouns": "they/them"}, shown="they/them"),
}

# Pages that edit an existing record under a name the rule above does not catch.
PAGE_EXTRAS = {
    "people:client_about",
    "safeguarding:client_safety_plan",
    "safeguarding:nrm_detail",
    "custody:release_record",
    "custody:hearing_outcome",
}
PAGE_EDIT_SUFFIXES = ("_edit", "_update", "_status", "_reschedule")
THIRD_PARTY_NAMESPACES = ("admin", "account_", "mfa_", "usersessions", "api")


def _url_names(patterns: list[Any], namespace: str = "") -> list[str]:
    names: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else (pattern.namespace or namespace)
            )
            names += _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def edit_pages() -> set[str]:
    found = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if not name.startswith(THIRD_PARTY_NAMESPACES) and name.split(":")[-1].endswith(PAGE_EDIT_SUFFIXES)
    }
    return found | PAGE_EXTRAS


def test_every_edit_page_is_covered():
    missing = edit_pages() - set(PAGE_CASES)
    assert not missing, f"Edit pages with no optimistic-locking case here: {sorted(missing)}"
    gone = set(PAGE_CASES) - edit_pages()
    assert not gone, f"Cases for pages that no longer exist (or were renamed): {sorted(gone)}"


@pytest.mark.parametrize("name", sorted(PAGE_CASES))
def test_page_refuses_a_stale_save_and_shows_both_versions(personas, name):
    case = PAGE_CASES[name]
    actor, record, url = case.make(personas)
    http = signed_in(actor)
    page = http.get(reverse(case.form_on, args=[record.pk]) if case.form_on else url)
    assert page.status_code == 200, (name, page.status_code)
    form = versioned_form(page.content.decode(), url)
    read_version = fresh(record).version
    assert version_in(form) == [str(read_version)]

    someone_else_saves(record, **case.theirs)
    theirs_now = fresh(record)
    response = http.post(form["_action"] or url, post_data(form, case.mine))

    assert response.status_code == 409, (name, response.status_code)
    html = response.content.decode()
    assert "Someone else changed this" in html
    stored = fresh(record)
    assert stored.version == read_version + 1
    for model_field, value in case.theirs.items():
        assert getattr(stored, model_field) == getattr(theirs_now, model_field) == value
    assert stored.updated_at == theirs_now.updated_at  # nothing of the refused save was written

    # Both versions: the other person's saved values in the panel, the editor's own still in the form, and the
    # form now carries the saved version.
    assert 'id="conflict"' in html, name
    assert THEIRS in html
    if case.shown:
        assert case.shown in html
    again = versioned_form(html, url)
    assert version_in(again) == [str(read_version + 1)]
    for form_field, value in case.mine.items():
        if form_field in again["_fields"]:  # (a submit button's name is not a field)
            assert again["_fields"][form_field] == [value]

    # Having read theirs, the editor saves over it on purpose.
    saved = http.post(again["_action"] or url, post_data(again, case.mine))
    assert saved.status_code in {200, 302, 303}, (name, saved.status_code)
    assert fresh(record).version == read_version + 2


def test_page_conflict_made_through_the_service_shows_their_values_field_by_field(personas):
    """The other person's change made by the real service, and the panel showing each field by its label."""
    from keyworker.people.services import client_update

    p = personas
    client = p.client_of(p.you)
    http = signed_in(p.you)
    url = reverse("people:client_about", args=[client.pk])
    form = versioned_form(http.get(url).content.decode())
    client_update(actor=p.teammate, client=client, expected_version=client.version, pronouns="she/her")

    response = http.post(url, post_data(form, {"pronouns": "he/him"}))

    assert response.status_code == 409
    html = response.content.decode()
    panel = html[html.index('id="conflict"') :]
    assert re.search(r"Pronouns.*?Saved by someone else:.*?she/her.*?Yours, not saved:.*?he/him", panel, re.S)
    assert fresh(client).pronouns == "she/her"


# ---------------------------------------------------------------------------------------------------------------
# The inventory: the API


@dataclass
class ApiCase:
    """make(p) -> (the caller, the record, the path, a valid body without `version`); `theirs` as for pages."""

    make: Callable[[Personas], tuple[Any, Model, str, dict[str, Any]]]
    theirs: dict[str, Any]
    method: str = "post"


def _api_client(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    client = p.client_of(p.you)
    return p.you, client, f"/api/v1/clients/{client.pk}", {"pronouns": "he/him"}


def _api_case(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    case = p.client_of(p.you).cases.get()
    return p.you, case, f"/api/v1/cases/{case.pk}/status", {"status": "on_hold"}


def _api_task(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.core.testing import TaskFactory

    task = TaskFactory(owner=p.you, created_by=p.you)
    return p.you, task, f"/api/v1/tasks/{task.pk}/complete", {}


def _api_intake_status(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    referral = _intake_referral(p)
    return p.you, referral, f"/api/v1/referrals/{referral.pk}/status", {"status": "contact_attempted"}


def _api_need(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    actor, need, _url = _need(p)
    return actor, need, f"/api/v1/release-needs/{need.pk}", {"status": "in_progress", "note": "Rang the council."}


def _api_hearing(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.core.testing import HearingFactory

    hearing = HearingFactory(
        client=p.client_of(p.you), recorded_by=p.you, starts_at=timezone.now() - dt.timedelta(days=1)
    )
    return p.you, hearing, f"/api/v1/hearings/{hearing.pk}/outcome", {"outcome": "community_order"}


def _api_appointment_status(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    appointment = _appointment(p)
    return p.you, appointment, f"/api/v1/appointments/{appointment.pk}/status", {"status": "cancelled"}


def _api_reschedule(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    appointment = _appointment(p)
    starts = (timezone.now() + dt.timedelta(days=5)).replace(hour=11, minute=0, second=0, microsecond=0)
    body = {"starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=1)).isoformat()}
    return p.you, appointment, f"/api/v1/appointments/{appointment.pk}/reschedule", body


def _api_send(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.intake.models import AgencyKind
    from keyworker.intake.services import consent_record

    referral = _draft_referral(p)
    consent_record(
        actor=p.you,
        client=referral.client,
        agency_kinds=[AgencyKind.DRUG_AND_ALCOHOL],
        method="verbal",
        given_on=timezone.localdate(),
    )
    return p.you, referral, f"/api/v1/outbound-referrals/{referral.pk}/send", {}


def _api_outbound_status(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    referral = _sent_referral(p)
    body = {"status": "accepted", "occurred_on": timezone.localdate().isoformat()}
    return p.you, referral, f"/api/v1/outbound-referrals/{referral.pk}/status", body


def _api_letter(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    letter = LetterFactory(client=p.client_of(p.you), written_by=p.you)
    return p.you, letter, f"/api/v1/letters/{letter.pk}", {"addressee": "The Court", "body": "My wording."}


def _api_finalise(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    letter = LetterFactory(client=p.client_of(p.you), written_by=p.you)
    return p.you, letter, f"/api/v1/letters/{letter.pk}/finalise", {}


def _api_concern_status(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.core.testing import ConcernFactory

    concern = ConcernFactory(client=p.client_of(p.you), recorded_by=p.you)
    return (
        p.safeguarding_lead,
        concern,
        f"/api/v1/concerns/{concern.pk}/status",
        {"status": "with_lead", "note": "Needs the lead."},
    )


def _api_safety_plan(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.core.testing import SafetyPlanFactory

    plan = SafetyPlanFactory(client=p.client_of(p.you), updated_by=p.you)
    return p.you, plan, f"/api/v1/clients/{plan.client_id}/safety-plan", {"emergency_plan": "Call the duty line."}


def _api_spell(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.core.testing import SpellFactory

    spell = SpellFactory(client=p.client_of(p.you), recorded_by=p.you)
    return p.you, spell, f"/api/v1/spells/{spell.pk}/end", {"ended_on": timezone.localdate().isoformat()}


def _api_mentoring_end(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.core.testing import MentoringFactory

    mentoring = MentoringFactory(mentee=p.client_of(p.you), mentor=p.peer_mentor)
    return p.you, mentoring, f"/api/v1/mentoring/{mentoring.pk}/end", {}


def _enrolment(p: Personas) -> Model:
    from keyworker.core.testing import CohortFactory
    from keyworker.services.services.courses import enrol

    today = timezone.localdate()
    cohort = CohortFactory(starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=12))
    return enrol(actor=p.you, cohort=cohort, client=p.client_of(p.you))


def _api_complete_enrolment(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    enrolment = _enrolment(p)
    body = {"completed_on": timezone.localdate().isoformat()}
    return p.you, enrolment, f"/api/v1/enrolments/{enrolment.pk}/complete", body


def _api_attendance(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.core.testing import CourseSessionFactory
    from keyworker.services.services.courses import attendance_record

    enrolment = _enrolment(p)
    starts = timezone.now() - dt.timedelta(days=2)
    session = CourseSessionFactory(cohort=enrolment.cohort, starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    attendance = attendance_record(actor=p.you, session=session, enrolment=enrolment, status="attended")
    body = {"session_id": str(session.pk), "status": "late"}
    return p.you, attendance, f"/api/v1/enrolments/{enrolment.pk}/attendance", body


def _api_nrm(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.core.testing import ConcernFactory
    from keyworker.safeguarding.services.assessments import nrm_referral_record

    concern = ConcernFactory(client=p.client_of(p.you), recorded_by=p.you, category="cce")
    referral = nrm_referral_record(
        actor=p.safeguarding_lead,
        concern=concern,
        first_responder="Example Council",
        referred_on=timezone.localdate(),
        is_adult=False,
        consent_given=None,
        duty_to_notify_on=None,
    )
    body = {
        "reasonable_grounds": "positive",
        "reasonable_grounds_on": timezone.localdate().isoformat(),
        "conclusive_grounds": "pending",
        "notes": "RG positive.",
    }
    return p.safeguarding_lead, referral, f"/api/v1/nrm-referrals/{referral.pk}", body


def _api_pathway(p: Personas) -> tuple[Any, Model, str, dict[str, Any]]:
    from keyworker.outcomes.services.mentoring import mentor_pathway_start

    client = p.client_of(p.you)
    pathway = mentor_pathway_start(actor=p.you, client=client, interest_on=timezone.localdate() - dt.timedelta(days=9))
    body = {"interest_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat()}
    return p.you, pathway, f"/api/v1/clients/{client.pk}/mentoring/pathway", body


API_CASES: dict[str, ApiCase] = {
    "courses_complete_enrolment": ApiCase(_api_complete_enrolment, {"safety_override_reason": "Theirs."}),
    "courses_record_attendance": ApiCase(_api_attendance, {"status": "absent"}),
    "assessments_update_nrm_referral": ApiCase(_api_nrm, {"notes": "Their notes."}),
    "mentoring_put_pathway": ApiCase(_api_pathway, {"dbs_certificate": "001234567890"}, method="put"),
    "patch_client": ApiCase(_api_client, {"pronouns": "she/her"}, method="patch"),
    "change_case_status": ApiCase(_api_case, {"opened_on": timezone.localdate() - dt.timedelta(days=80)}),
    "complete_task": ApiCase(_api_task, {"title": "Their title"}),
    "change_referral_status": ApiCase(_api_intake_status, {"reason": "Their reason."}),
    "update_need": ApiCase(_api_need, {"title": "Their title"}),
    "record_outcome": ApiCase(_api_hearing, {"kind": "trial"}),
    "record_appointment_status": ApiCase(_api_appointment_status, {"location": "Their room"}),
    "reschedule_appointment": ApiCase(_api_reschedule, {"location": "Their room"}),
    "send_outbound_referral": ApiCase(_api_send, {"reason": "Their reason."}),
    "update_outbound_referral": ApiCase(_api_outbound_status, {"shared": "Their list."}),
    "letters_update_letter": ApiCase(_api_letter, {"body": "Their wording."}, method="put"),
    "letters_finalise_letter": ApiCase(_api_finalise, {"body": "Their wording."}),
    "concerns_change_concern_status": ApiCase(_api_concern_status, {"what_was_disclosed": "Their account."}),
    "risk_put_safety_plan": ApiCase(_api_safety_plan, {"safe_areas": "Their areas."}, method="put"),
    "milestones_end_spell": ApiCase(_api_spell, {"description": "Their description"}),
    "mentoring_end_relationship": ApiCase(
        _api_mentoring_end, {"started_on": timezone.localdate() - dt.timedelta(days=30)}
    ),
}
# Operations whose conflict is tested elsewhere, with where: kept short and honest.
API_ELSEWHERE: dict[str, str] = {}


def _update_operations() -> set[str]:
    from keyworker.api.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    found: set[str] = set()
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            properties = components[body["$ref"].split("/")[-1]].get("properties", {}) if "$ref" in body else {}
            if method in {"patch", "put"} or "version" in properties:
                # "keyworker_<app>_api[_<part>]_<name>": what follows "_api_" names it within the API.
                found.add(operation["operationId"].split("_api_", 1)[1])
                if method in {"patch", "put"}:
                    assert "version" in properties, f"{operation['operationId']} changes a record without a version"
    return found


def test_every_update_operation_is_covered():
    operations = _update_operations()
    missing = operations - set(API_CASES) - set(API_ELSEWHERE)
    assert not missing, f"Update operations with no optimistic-locking case here: {sorted(missing)}"
    gone = (set(API_CASES) | set(API_ELSEWHERE)) - operations
    assert not gone, f"Cases for operations that no longer exist: {sorted(gone)}"


def _call(http: Any, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(http, method)(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("operation", sorted(API_CASES))
def test_api_refuses_a_stale_update_and_returns_the_current_record(personas, operation):
    case = API_CASES[operation]
    actor, record, path, body = case.make(personas)
    http = signed_in(actor)
    read_version = fresh(record).version

    someone_else_saves(record, **case.theirs)
    theirs_now = fresh(record)
    response = _call(http, case.method, path, {**body, "version": read_version})

    assert response.status_code == 409, (operation, response.status_code, response.content[:300])
    answer = response.json()
    assert answer["detail"] == MESSAGE
    stored = fresh(record)
    assert stored.version == read_version + 1
    assert stored.updated_at == theirs_now.updated_at
    for model_field, value in case.theirs.items():
        assert getattr(stored, model_field) == value
    assert answer["version"] == read_version + 1
    assert answer["current"]["id"] == str(record.pk)
    assert answer["current"]["version"] == read_version + 1

    # Sent again with the version from the 409, on purpose, it is saved.
    again = _call(http, case.method, path, {**body, "version": answer["version"]})
    assert again.status_code in {200, 201}, (operation, again.status_code, again.content[:300])


def test_api_current_is_the_same_shape_as_get(personas):
    p = personas
    client = p.client_of(p.you)
    http = signed_in(p.you)
    read = http.get(f"/api/v1/clients/{client.pk}").json()
    someone_else_saves(client, pronouns="she/her")

    response = _call(http, "patch", f"/api/v1/clients/{client.pk}", {"version": read["version"], "pronouns": "he/him"})

    assert response.status_code == 409
    current = response.json()["current"]
    assert set(current) == set(read)
    assert current["pronouns"] == "she/her"
    assert fresh(client).pronouns == "she/her"


def test_the_409_is_described_in_the_openapi_schema():
    from keyworker.api.api import api

    schema = api.get_openapi_schema()
    conflict = schema["paths"]["/api/v1/letters/{letter_id}"]["put"]["responses"][409]
    ref = conflict["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert {"detail", "current", "version"} <= set(schema["components"]["schemas"][ref]["properties"])
