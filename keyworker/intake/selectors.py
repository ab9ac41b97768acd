"""Reading referrals, always through the access policy."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.intake.models import ConsentRecord, LawfulBasis, Referral, ReferralStep
from keyworker.intake.rules import OPEN_STATUSES, ConsentFact, PersonKey, is_possible_duplicate, sharing_permitted
from keyworker.people.models import Client


def referral_list_for(user: User, *, open_only: bool = True) -> QuerySet[Referral]:
    """The user's team's referrals (open ones by default), most urgent first, then oldest first."""
    referrals = policy.referrals_visible_to(user).select_related("team", "received_by")
    if open_only:
        referrals = referrals.filter(status__in=OPEN_STATUSES)
    return _by_urgency(referrals)


def _by_urgency(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    rank = Case(
        When(urgency="urgent", then=Value(0)),
        When(urgency="week", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return referrals.annotate(urgency_rank=rank).order_by("urgency_rank", "received_at")


def referral_get_for(user: User, referral_id: uuid.UUID | str) -> Referral:
    """The referral, or NotFound if it does not exist or is outside the user's reach."""
    return one_or_not_found(policy.referrals_visible_to(user).select_related("team", "client", "case"), pk=referral_id)


def referral_steps(referral: Referral) -> QuerySet[ReferralStep]:
    return referral.steps.select_related("recorded_by").order_by("occurred_at", "created_at")


def _person_key(record: Referral | Client) -> PersonKey:
    return PersonKey(
        first_name=record.first_name,
        last_name=record.last_name,
        preferred_name=record.preferred_name,
        date_of_birth=record.date_of_birth,
    )


def possible_duplicates_of(referral: Referral) -> list[Client]:
    """Every client (across all teams, whoever can see them) who may be the referred person. Not for
    showing: callers show the user only the matches they may see (referral_duplicates_for)."""
    names = {n for n in (referral.first_name, referral.preferred_name) if n.strip()}
    exact = Q(last_name__iexact=referral.last_name) & (
        Q(first_name__in=[]) if not names else _any_iexact(("first_name", "preferred_name"), names)
    )
    near = exact
    dob = referral.date_of_birth
    if dob is not None:
        dates = {dob}
        if dob.day <= 12:  # day and month swapped (a day of 1-12 is valid in every month)
            dates.add(dob.replace(month=dob.day, day=dob.month))
        near = Q(date_of_birth__in=dates) | exact
    key = _person_key(referral)
    candidates = Client.objects.filter(near).order_by("last_name", "first_name")
    return [client for client in candidates if is_possible_duplicate(key, _person_key(client))]


def _any_iexact(fields: tuple[str, ...], values: set[str]) -> Q:
    q = Q(pk__in=[])
    for field in fields:
        for value in values:
            q |= Q(**{f"{field}__iexact": value.strip()})
    return q


def referral_duplicates_for(user: User, referral: Referral) -> tuple[list[Client], bool]:
    """The possible duplicates the user may see, and whether there are others they may not (never who)."""
    return visible_part(user, possible_duplicates_of(referral))


def visible_part(user: User, matches: list[Client]) -> tuple[list[Client], bool]:
    visible_ids = set(
        policy.clients_visible_to(user).filter(pk__in=[c.pk for c in matches]).values_list("pk", flat=True)
    )
    visible = [c for c in matches if c.pk in visible_ids]
    return visible, len(visible) < len(matches)


# --- consent and lawful basis ------------------------------------------------------------------------------


def consent_list_for(user: User, client: Client) -> QuerySet[ConsentRecord]:
    """A client's consent records, newest first, withdrawn ones included (the history); none if the client
    is outside the user's reach."""
    return ConsentRecord.objects.filter(client__in=policy.clients_visible_to(user), client=client).select_related(
        "recorded_by", "withdrawn_by"
    )


def consent_get_for(user: User, consent_id: uuid.UUID | str) -> ConsentRecord:
    return one_or_not_found(
        ConsentRecord.objects.select_related("client"), pk=consent_id, client__in=policy.clients_visible_to(user)
    )


def consent_fact(record: ConsentRecord) -> ConsentFact:
    if record.basis == LawfulBasis.CONSENT:
        how = f" {record.get_method_display().lower()}" if record.method else ""
        label = f"Consent given{how} on {record.given_on:%-d %b %Y}"
    else:
        label = (
            f"{record.get_basis_display()} with {record.get_schedule1_condition_display()}, "
            f"recorded from {record.given_on:%-d %b %Y}"
        )
    return ConsentFact(
        basis=record.basis,
        agency_kinds=frozenset(record.agency_kinds),
        given_on=record.given_on,
        schedule1_condition=record.schedule1_condition,
        withdrawn_on=record.withdrawn_on,
        label=label,
    )


def client_sharing_permitted(client: Client, agency_kind: str, on_date: dt.date | None = None) -> tuple[bool, str]:
    """What sharing features (referrals out, issue 6) call before sending a client's information to an agency
    of `agency_kind`: rules.sharing_permitted over every consent record the client has. The caller has
    already reached the client through the access policy."""
    records = ConsentRecord.objects.filter(client=client)
    return sharing_permitted([consent_fact(r) for r in records], agency_kind, on_date or timezone.localdate())
