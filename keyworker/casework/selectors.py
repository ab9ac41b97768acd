"""Reading cases, contacts and tasks, always through the access policy."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import Case, CaseStatus, Contact, ContactAmendment, Task
from keyworker.core import policy
from keyworker.core.errors import id_or_not_found, one_or_not_found
from keyworker.people.models import Client

if TYPE_CHECKING:
    from keyworker.outcomes.models import Letter

CASELOAD_SORTS = {
    "name": ("client__last_name", "client__first_name"),
    "-name": ("-client__last_name", "-client__first_name"),
    "opened": ("opened_on",),
    "-opened": ("-opened_on",),
    "reference": ("reference",),
    "-reference": ("-reference",),
}


def case_list_for(user: User) -> QuerySet[Case]:
    return policy.cases_visible_to(user).select_related("client", "keyworker", "team")


def caseload_for(
    user: User,
    *,
    status: str | None = CaseStatus.OPEN,
    programme: str | None = None,
    keyworker: Literal["me", "team"] = "team",
    sort: str = "name",
) -> QuerySet[Case]:
    """Cases in the user's reach, filtered: their own ("me") or the whole team's."""
    cases = case_list_for(user)
    if keyworker == "me":
        cases = cases.filter(keyworker=user)
    elif user.team_id:
        cases = cases.filter(team_id=user.team_id)
    if status:
        cases = cases.filter(status=status)
    if programme:
        cases = cases.filter(programme=programme)
    return cases.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"]), "id")


def case_get_for(user: User, case_id: uuid.UUID | str) -> Case:
    return one_or_not_found(case_list_for(user), pk=case_id)


def cases_of_client(client: Client, user: User) -> QuerySet[Case]:
    """The client's episodes of support, if the client is within the user's reach (else none)."""
    return case_list_for(user).filter(client=client).order_by("-opened_on")


def contact_list_for(user: User, client: Client | None = None) -> QuerySet[Contact]:
    contacts = Contact.objects.filter(client__in=policy.clients_visible_to(user))
    if client is not None:
        contacts = contacts.filter(client=client)
    return (
        contacts.select_related("recorded_by", "case")
        .prefetch_related(Prefetch("amendments", queryset=ContactAmendment.objects.select_related("recorded_by")))
        .order_by("-occurred_at", "-created_at")
    )


def contact_get_for(user: User, contact_id: uuid.UUID | str) -> Contact:
    return one_or_not_found(contact_list_for(user).select_related("client"), pk=contact_id)


@dataclass(frozen=True)
class TimelineEntry:
    when: dt.datetime | dt.date
    kind: Literal["contact", "case_opened", "case_closed", "letter"]
    contact: Contact | None = None
    case: Case | None = None
    letter: Letter | None = None

    @property
    def sort_key(self) -> dt.date:
        """The day in London, where the work happens (a contact at 00:30 BST is that day, not the one before)."""
        return timezone.localdate(self.when) if isinstance(self.when, dt.datetime) else self.when


TIMELINE_PAGE_SIZE = 20


def timeline_for(
    client: Client,
    user: User,
    *,
    page: int = 1,
    cases: Sequence[Case] | None = None,
    size: int | None = None,
) -> tuple[list[TimelineEntry], Page]:
    """Contacts newest first, one page at a time, with case openings and closings placed among them.

    The client page passes the client's cases it has already read (`cases_of_client`) and the number of
    contacts it counted with the client (`size`), so neither is read twice."""
    contacts = contact_list_for(user, client)
    paginator = Paginator(contacts, TIMELINE_PAGE_SIZE)
    if size is not None:
        paginator.count = size  # a cached_property: set here, it is not counted again
    paged = paginator.get_page(page)
    entries = [TimelineEntry(when=c.occurred_at, kind="contact", contact=c) for c in paged.object_list]
    # Case events belong on this page if they fall between its first and last contact
    # (the first page also takes newer ones, the last page older ones).
    newest = None if not paged.has_previous() or not entries else entries[0].sort_key
    oldest = None if not paged.has_next() or not entries else entries[-1].sort_key
    for case in cases_of_client(client, user) if cases is None else cases:
        for when, kind in ((case.opened_on, "case_opened"), (case.closed_on, "case_closed")):
            if when is None:
                continue
            if (newest is None or when <= newest) and (oldest is None or when > oldest):
                entries.append(TimelineEntry(when=when, kind=kind, case=case))  # type: ignore[arg-type]
    # Letters saved as a PDF (issue 8) likewise, in one query whatever their number (never their PDF bytes).
    letters = (
        policy.letters_visible_to(user)
        .filter(client=client, status="final", finalised_at__isnull=False)
        .select_related("written_by")
        .defer("pdf")
    )
    for letter in letters:
        entry = TimelineEntry(when=letter.finalised_at or letter.created_at, kind="letter", letter=letter)
        if (newest is None or entry.sort_key <= newest) and (oldest is None or entry.sort_key > oldest):
            entries.append(entry)
    entries.sort(key=lambda e: (e.sort_key, e.kind == "contact"), reverse=True)
    return entries, paged


def task_list_for(
    user: User, *, client: Client | None = None, include_done: bool = False, narrow: Q | None = None
) -> QuerySet[Task]:
    """Tasks on clients in the user's reach, plus their own tasks that name no client (`narrow`, e.g. one
    person's tasks due this week, is applied where the database can use it best)."""
    narrow = narrow or Q()
    if client is not None:
        narrow &= Q(client=client)
    if not include_done:
        narrow &= Q(completed_at__isnull=True)
    tasks = Task.objects.filter(policy.about_reach_or_own(Task, user, "owner", narrow))
    return tasks.select_related("client", "owner").order_by("due_on", "created_at")


def task_get_for(user: User, task_id: uuid.UUID | str) -> Task:
    task_id = id_or_not_found(task_id)
    return one_or_not_found(task_list_for(user, include_done=True, narrow=Q(pk=task_id)), pk=task_id)
