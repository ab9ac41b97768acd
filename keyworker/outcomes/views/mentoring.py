"""A client's mentoring page: their path to becoming a peer mentor (readiness and what is missing, DBS check,
training, supervisor, supervisions), the relationships in which they mentor and in which they are mentored,
and the forms to change each. Every form posts to the page with an `action`; a refusal re-shows the page with
the form's errors and what was typed."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from keyworker.accounts.models import Role, User
from keyworker.audit.services import client_viewed, clients_viewed
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, KeyworkerError, NotFound, ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import casework_view
from keyworker.outcomes import services
from keyworker.outcomes.models import Mentoring
from keyworker.outcomes.selectors.mentoring import (
    ClientMentoring,
    mentor_account_choices,
    mentor_choices_for,
    mentoring_for_client,
    recent_sessions_of,
    supervisor_choices_for,
)
from keyworker.outcomes.views.mentoring_forms import (
    LinkAccountForm,
    PathwayForm,
    SessionForm,
    StartMentoringForm,
    SupervisionForm,
)
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for

TEMPLATE = "outcomes/mentoring/client_mentoring.html"


class _Page:
    """The page's data and its forms (unbound, until one is posted)."""

    def __init__(self, user: User, client: Client) -> None:
        self.user = user
        self.client = client
        self.data: ClientMentoring = mentoring_for_client(user, client)
        pathway = self.data.pathway
        self.supervisors = supervisor_choices_for(user, pathway.supervisor if pathway else None)
        self.current = [m for m in (*self.data.as_mentee, *self.data.as_mentor) if m.ended_on is None]
        self.can_link = bool(
            pathway is not None
            and pathway.mentor_account_id is None
            and self.data.readiness is not None
            and self.data.readiness.ready
            and policy.can_link_mentor_account(user, client)
        )
        self.accounts = mentor_account_choices() if self.can_link else []
        self.mentors = mentor_choices_for(user, client)
        self.forms: dict[str, forms.Form] = {
            "pathway": PathwayForm(prefix="pathway", supervisors=self.supervisors, initial=self._pathway_initial()),
            "supervision": SupervisionForm(prefix="supervision"),
            "link": LinkAccountForm(
                prefix="link", accounts=self.accounts, initial={"version": pathway.version if pathway else None}
            ),
            "start": StartMentoringForm(prefix="start", mentors=self.mentors),
            "session": SessionForm(prefix="session", relationships=self.relationships()),
        }

    def _pathway_initial(self) -> dict[str, Any]:
        pathway = self.data.pathway
        if pathway is None:
            return {}
        return {
            "version": pathway.version,
            "interest_on": pathway.interest_on,
            "training_completed_on": pathway.training_completed_on,
            "dbs_checked_on": pathway.dbs_checked_on,
            "dbs_certificate": pathway.dbs_certificate,
            "supervisor": str(pathway.supervisor_id) if pathway.supervisor_id else "",
        }

    def relationships(self) -> list[tuple[str, str]]:
        """The current relationships a session can be recorded in, named for the person recording."""
        name = self.client.display_name
        choices = [
            (str(m.pk), f"{m.mentor.display_name} mentoring {name}") for m in self.data.as_mentee if not m.ended_on
        ]
        choices += [
            (str(m.pk), f"{name} mentoring {m.mentee.display_name}") for m in self.data.as_mentor if not m.ended_on
        ]
        return choices

    def mentoring(self, mentoring_id: str) -> Mentoring:
        """A relationship shown on this page, else NotFound (one of another client is not this page's)."""
        for m in (*self.data.as_mentee, *self.data.as_mentor):
            if str(m.pk) == mentoring_id:
                return m
        raise NotFound()


def _person(people: list[User], chosen: str, field: str) -> User | None:
    if not chosen:
        return None
    for person in people:
        if str(person.pk) == chosen:
            return person
    raise ValidationFailed("Choose from the list.", {field: ["Choose from the list."]})


def _save_pathway(page: _Page, form: forms.Form) -> str:
    data = form.cleaned_data
    supervisor = _person(page.supervisors, data["supervisor"], "supervisor")
    values = {
        "interest_on": data["interest_on"],
        "training_completed_on": data["training_completed_on"],
        "dbs_checked_on": data["dbs_checked_on"],
        "dbs_certificate": data["dbs_certificate"],
        "supervisor": supervisor,
    }
    if page.data.pathway is None:
        services.mentor_pathway_start(actor=page.user, client=page.client, **values)
        return "They are on the path to mentoring."
    if data["version"] is None:
        raise ConcurrentEdit()
    services.mentor_pathway_update(
        actor=page.user, pathway=page.data.pathway, expected_version=data["version"], **values
    )
    return "Path to mentoring saved."


def _record_supervision(page: _Page, form: forms.Form) -> str:
    if page.data.pathway is None:
        raise ValidationFailed("Record their interest in mentoring first.")
    services.mentor_supervision_record(
        actor=page.user, pathway=page.data.pathway, held_on=form.cleaned_data["held_on"], note=form.cleaned_data["note"]
    )
    return "Supervision recorded."


def _link_account(page: _Page, form: forms.Form) -> str:
    if page.data.pathway is None or not page.can_link:
        raise ValidationFailed("They cannot be made a peer mentor yet.")
    account = _person(page.accounts, form.cleaned_data["account"], "account")
    assert account is not None  # the field is required
    services.mentor_account_link(
        actor=page.user,
        pathway=page.data.pathway,
        account=account,
        expected_version=form.cleaned_data["version"],
        started_on=form.cleaned_data["started_on"],
    )
    return f"{page.client.display_name} is now a peer mentor."


def _start(page: _Page, form: forms.Form) -> str:
    mentor = _person(page.mentors, form.cleaned_data["mentor"], "mentor")
    assert mentor is not None  # the field is required
    services.mentoring_start(
        actor=page.user, mentor=mentor, mentee=page.client, started_on=form.cleaned_data["started_on"]
    )
    return f"Mentoring with {mentor.display_name} started."


def _session(page: _Page, form: forms.Form) -> str:
    data = form.cleaned_data
    services.mentoring_session_record(
        actor=page.user,
        mentoring=page.mentoring(data["mentoring"]),
        held_on=data["held_on"],
        duration_minutes=data["duration_minutes"],
        note=data["note"],
    )
    return "Session recorded. It is on the mentee's contact log too."


HANDLERS = {
    "pathway": _save_pathway,
    "supervision": _record_supervision,
    "link": _link_account,
    "start": _start,
    "session": _session,
}


def _end(page: _Page, request: HttpRequest) -> str:
    mentoring = page.mentoring(request.POST.get("mentoring", ""))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError as exc:
        raise ConcurrentEdit() from exc
    services.mentoring_end(actor=page.user, mentoring=mentoring, expected_version=version)
    return "Mentoring ended. The mentor no longer sees this person."


@casework_view
def client_mentoring(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = client_get_for(user, client_id)
    page = _Page(user, client)
    status = 200
    problem = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        status = 422
        try:
            if action == "end":
                message = _end(page, request)
            elif action in HANDLERS:
                form = page.forms[action]
                bound = type(form)(request.POST, prefix=action, **_choices(page, action))
                page.forms[action] = bound
                if not bound.is_valid():
                    raise ValidationFailed("")
                message = HANDLERS[action](page, bound)
            else:
                raise ValidationFailed("Choose what to do.")
        except ConcurrentEdit as exc:
            status = 409
            problem = exc.message
        except ValidationFailed as exc:
            if action in page.forms and exc.message:
                show_service_errors(page.forms[action], exc)
            elif exc.message:
                problem = exc.message
        except NotFound:
            raise  # a record out of reach, or not this page's: 404
        except KeyworkerError as exc:  # NotAllowed: a form offered to someone it is not for
            status = 403
            problem = exc.message
        else:
            messages.success(request, message)
            return redirect("outcomes:client_mentoring", client.pk)
    data = page.data
    client_viewed(actor=user, client_id=client.pk, obj=client, what="mentoring")
    # The people this client mentors are named on the page: each is a read of their record too.
    clients_viewed(user, ((m.mentee_id, m.mentee) for m in data.as_mentor), what="mentoring")
    return render_page(
        request,
        TEMPLATE,
        {
            "client": client,
            "data": data,
            "readiness": data.readiness,
            "forms": page.forms,
            "can_link": page.can_link,
            "has_accounts": bool(page.accounts),
            "has_mentors": bool(page.mentors),
            "current": page.current,
            "sessions": recent_sessions_of(user, [*data.as_mentee, *data.as_mentor]),
            "problem": problem,
            "is_manager": user.role == Role.MANAGER,
            "section": "caseload",
        },
        status=status,
    )


def _choices(page: _Page, action: str) -> dict[str, Any]:
    choices: dict[str, dict[str, Any]] = {
        "pathway": {"supervisors": page.supervisors},
        "supervision": {},
        "link": {"accounts": page.accounts},
        "start": {"mentors": page.mentors},
        "session": {"relationships": page.relationships()},
    }
    return choices[action]
