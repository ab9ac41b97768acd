"""Reading letters, letter templates and the facts a letter is drawn from, through the access policy. Letters
follow the client's file (policy.letters_visible_to); templates hold no client data and are kept by managers
(policy.can_edit_letter_templates). Anything out of reach is NotFound."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import Contact, ContactKind
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.custody.models import Charge, Hearing
from keyworker.outcomes.letter_default import organisation_name
from keyworker.outcomes.models import (
    EvidenceKind,
    Letter,
    LetterKind,
    LetterTemplate,
    Mentoring,
    MentorPathway,
    MilestoneKind,
)
from keyworker.outcomes.rules.letters import (
    ContactFact,
    CourseFact,
    HearingFact,
    LetterFacts,
    MentoringFact,
    MilestoneFact,
    letter_facts,
)
from keyworker.people.models import Client
from keyworker.people.selectors import client_check_for as _check_client
from keyworker.services.models import Enrolment, EnrolmentStatus

__all__ = [
    "active_template_for",
    "letter_facts_for",
    "letter_get_for",
    "letter_template_get_for",
    "letter_templates_for",
    "letters_for",
    "next_hearing_for",
]


def letters_for(user: User, client: Client) -> QuerySet[Letter]:
    """The client's letters, newest first, without their PDF bytes (a list never needs them)."""
    _check_client(user, client)
    return (
        policy.letters_visible_to(user)
        .filter(client=client)
        .select_related("client", "written_by", "template")
        .defer("pdf")
        .order_by("-created_at")
    )


def letter_get_for(user: User, letter_id: uuid.UUID | str, *, with_pdf: bool = False) -> Letter:
    """One letter in the user's reach (with its client), else NotFound. The PDF bytes only when asked for."""
    letters = policy.letters_visible_to(user).select_related("client", "written_by", "template")
    if not with_pdf:
        letters = letters.defer("pdf")
    return one_or_not_found(letters, pk=letter_id)


def letter_templates_for(user: User) -> QuerySet[LetterTemplate]:
    """Every template, for the managers who keep them; nobody else has the page."""
    if not policy.can_edit_letter_templates(user):
        raise NotFound()
    return LetterTemplate.objects.select_related("updated_by").order_by("kind", "name")


def letter_template_get_for(user: User, template_id: uuid.UUID | str) -> LetterTemplate:
    return one_or_not_found(letter_templates_for(user), pk=template_id)


def active_template_for(kind: str = LetterKind.CHARACTER_REFERENCE) -> LetterTemplate | None:
    """The template a new letter of `kind` is drafted from (the first active one by name), or None: then the
    default wording is used (outcomes/letter_default.py). Templates hold no client data."""
    return LetterTemplate.objects.filter(kind=kind, is_active=True).order_by("name", "created_at").first()


def next_hearing_for(client: Client, *, today: dt.date | None = None) -> Hearing | None:
    """The client's next hearing with no outcome yet, from the start of today (a hearing this morning is still
    the one a letter is for until its outcome is recorded), with its court and charges. The caller checks
    access."""
    today = today or timezone.localdate()
    start = dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_current_timezone())
    return (
        Hearing.objects.filter(client=client, outcome="", starts_at__gte=start)
        .select_related("court")
        .prefetch_related("charges")
        .order_by("starts_at")
        .first()
    )


def _hearing_fact(hearing: Hearing | None) -> HearingFact | None:
    if hearing is None:
        return None
    return HearingFact(
        court=hearing.court.name,
        court_kind=hearing.court.kind,
        starts_on=timezone.localdate(hearing.starts_at),
        charges=tuple(c.offence for c in hearing.charges.all()),
    )


def _mentoring_facts(client: Client) -> tuple[list[MentoringFact], dt.date | None]:
    """The relationships in which the client is the mentor (through their mentor account), with session
    counts; and when they started mentoring, per their pathway. Whether each mentee is younger is worked out
    here and only the yes or no leaves: the mentees themselves are never named in a letter."""
    pathway = MentorPathway.objects.filter(client=client).first()
    if pathway is None:
        return [], None
    facts: list[MentoringFact] = []
    if pathway.mentor_account_id is not None:
        rows = (
            Mentoring.objects.filter(mentor_id=pathway.mentor_account_id)
            .annotate(session_count=Count("sessions"))
            .values_list("started_on", "session_count", "mentee__date_of_birth")
        )
        for started_on, sessions, mentee_born in rows:
            younger = None
            if mentee_born is not None and client.date_of_birth is not None:
                younger = mentee_born > client.date_of_birth
            facts.append(MentoringFact(started_on=started_on, sessions=sessions, mentee_is_younger=younger))
    return facts, pathway.started_mentoring_on


def letter_facts_for(user: User, client: Client, *, writer: User, today: dt.date | None = None) -> LetterFacts:
    """The recorded facts a letter about the client may draw on (outcomes.rules.letters.letter_facts): when
    support began, contacts by kind since, courses completed, qualifications and milestones, the client's own
    mentoring, and the next hearing's court and charges. A fixed number of queries."""
    _check_client(user, client)
    today = today or timezone.localdate()
    kinds = dict(ContactKind.choices)
    contacts = [
        ContactFact(kind=kind, label=str(kinds.get(kind, kind)), on=timezone.localdate(at))
        for kind, at in Contact.objects.filter(client=client).values_list("kind", "occurred_at")
    ]
    courses = [
        CourseFact(title=title, completed_on=completed_on, qualification=qualification)
        for title, completed_on, qualification in Enrolment.objects.filter(
            client=client, status=EnrolmentStatus.COMPLETED
        ).values_list("cohort__course__title", "completed_on", "qualification_gained")
    ]
    labels = dict(MilestoneKind.choices)
    milestones = [
        MilestoneFact(
            kind=kind,
            label=str(labels.get(kind, kind)),
            achieved_on=achieved_on,
            detail=detail,
            self_reported=evidence_kind == EvidenceKind.SELF_REPORT,
        )
        for kind, achieved_on, detail, evidence_kind in policy.milestones_visible_to(user)
        .filter(client=client)
        .values_list("kind", "achieved_on", "detail", "evidence_kind")
    ]
    mentoring, mentoring_started_on = _mentoring_facts(client)
    hearing = next_hearing_for(client, today=today)
    cases = list(policy.cases_visible_to(user).filter(client=client).values_list("opened_on", "keyworker_id"))
    # With no hearing to hand, the charges no court has yet decided.
    undecided = (
        []
        if hearing is not None
        else list(
            Charge.objects.filter(client=client)
            .exclude(Q(hearings__outcome__gt=""))
            .values_list("offence", flat=True)
            .distinct()
        )
    )
    return letter_facts(
        client_name=client.full_name,  # the name the court knows
        first_name=client.first_name,
        writer_is_keyworker=any(keyworker_id == writer.pk for _, keyworker_id in cases),
        writer_name=writer.display_name,
        writer_role=writer.get_role_display(),
        organisation=organisation_name(),
        today=today,
        cases_opened_on=[opened_on for opened_on, _ in cases],
        contacts=contacts,
        courses=courses,
        milestones=milestones,
        mentoring=mentoring,
        mentoring_started_on=mentoring_started_on,
        hearing=_hearing_fact(hearing),
        other_charges=undecided,
    )
