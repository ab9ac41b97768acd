"""Reading clients, always through the access policy."""

from __future__ import annotations

import uuid

from django.db import connection
from django.db.models import Case as DbCase
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from keyworker.accounts.models import User
from keyworker.casework.models import Case
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.people import search
from keyworker.people.models import Client


def client_list_for(user: User) -> QuerySet[Client]:
    return policy.clients_visible_to(user)


def client_get_for(user: User, client_id: uuid.UUID | str) -> Client:
    """The client, or NotFound if it does not exist or is outside the user's reach."""
    client = one_or_not_found(client_list_for(user), pk=client_id)
    policy.client_seen_visible(user, client.pk)
    return client


def client_check_for(user: User, client: Client) -> None:
    """NotFound unless the client is within the user's reach: for selectors handed a client, which the caller
    fetched through the policy already, so that each is safe alone (asked of the database once a request)."""
    if not policy.client_is_visible(user, client.pk):
        raise NotFound()


def client_page_get_for(user: User, client_id: uuid.UUID | str) -> Client:
    """client_get_for, with what the client page needs counted in the same query (the page is the busiest in
    the product and has a budget of queries): `timeline_size` (the contacts its timeline pages through),
    `concern_flag` (an open concern about someone else arose in this client's casework) and
    `restriction_names_you` (a restriction in force names the user: the page then reads its message),
    `disclosure_count`, `last_disclosed_at` and `last_disclosed_to` (the "shared outside Keyworker" panel); and
    its safety plan, if it has one."""
    from django.db.models import Count
    from django.db.models.functions import Coalesce

    from keyworker.casework.models import Contact
    from keyworker.privacy.models import Disclosure
    from keyworker.safeguarding.selectors.access import restrictions_naming
    from keyworker.safeguarding.selectors.concerns import open_concerns_about_others

    contacts = Contact.objects.filter(client=OuterRef("pk")).order_by().values("client").annotate(n=Count("pk"))
    disclosures = Disclosure.objects.filter(client=OuterRef("pk"))
    disclosure_count = disclosures.order_by().values("client").annotate(n=Count("pk")).values("n")
    latest = disclosures.order_by("-disclosed_at")
    client = one_or_not_found(
        client_list_for(user)
        .select_related("safety_plan__updated_by")
        .annotate(
            timeline_size=Coalesce(Subquery(contacts.values("n")), 0),
            concern_flag=Exists(open_concerns_about_others().filter(client=OuterRef("pk"))),
            restriction_names_you=Exists(restrictions_naming(user).filter(client=OuterRef("pk"))),
            disclosure_count=Coalesce(Subquery(disclosure_count), 0),
            last_disclosed_at=Subquery(latest.values("disclosed_at")[:1]),
            last_disclosed_to=Subquery(latest.values("recipient")[:1]),
        ),
        pk=client_id,
    )
    policy.client_seen_visible(user, client.pk)
    return client


def client_search(user: User, query: str, *, limit: int = 50) -> list[Client]:
    """Clients in the user's reach whose names (typos forgiven) or case reference match every word of the
    query, best first. At most CANDIDATES are considered, found by the database with the access policy inside
    the query (people/search.py); nothing outside the user's reach is read, counted or ranked."""
    if search.query_problem(query) or not query.strip():
        return []
    words = search.query_words(query)
    references = [word.upper() for word in words]
    candidates = client_list_for(user).annotate(
        matched_reference=Subquery(
            Case.objects.filter(client_id=OuterRef("pk"), reference__in=references).values("reference")[:1]
        )
    )
    by_reference = Q(Exists(Case.objects.filter(client_id=OuterRef("pk"), reference__in=references)))
    if connection.vendor == "postgresql":
        where, where_params, order, order_params = search.postgres_candidates_sql(words)
        names = candidates.extra(where=[where], params=where_params)  # noqa: S610
        ranked = names.extra(select={"search_rank": order}, select_params=order_params, order_by=["-search_rank"])  # noqa: S610
    else:
        match = search.sqlite_match(words)
        names = candidates.extra(
            tables=["people_client_names"],
            where=['people_client_names.client_id = "people_client"."id"', "people_client_names MATCH %s"],
            params=[match],
        )
        ranked = names.extra(select={"search_rank": "people_client_names.rank"}, order_by=["search_rank"])
    found: dict[object, Client] = {c.pk: c for c in ranked[: search.CANDIDATES]}
    # A case reference (it has digits: KW-000123) is exact, so it is looked up apart from the names, by the
    # unique index.
    if any(ch.isdigit() for ch in "".join(words)):
        for extra in candidates.filter(by_reference).exclude(pk__in=list(found))[: search.CANDIDATES]:
            found[extra.pk] = extra
    scored = []
    for person in found.values():
        reference = getattr(person, "matched_reference", None)
        own_names = (person.first_name, person.last_name, person.preferred_name)
        score = search.name_score(words, own_names, [reference] if reference else [])
        if score > 0:
            scored.append((-score, person.last_name.lower(), person.first_name.lower(), str(person.pk), person))
    scored.sort(key=lambda row: row[:4])
    return [row[4] for row in scored[:limit]]


def client_search_for(user: User, query: str, *, limit: int = 50) -> QuerySet[Client]:
    """client_search as a queryset (for callers that page, count or ask .exists()), in the same order."""
    ids = [c.pk for c in client_search(user, query, limit=limit)]
    if not ids:
        return Client.objects.none()
    order = DbCase(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField())
    return client_list_for(user).filter(pk__in=ids).order_by(order)
