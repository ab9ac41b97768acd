"""The kinds of record Keyworker removes when their time is up: how each is found as of a date, described on
the review queue, and removed. Periods and actions here are the defaults; a RetentionPolicy row (the data
protection officer's) overrides them. docs/decisions/0034-retention.md."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from keyworker.privacy.models import RetentionAction, RetentionPolicy
from keyworker.privacy.retention import erase

LONDON = zoneinfo.ZoneInfo("Europe/London")
SLACK = dt.timedelta(days=4)  # the database narrows by a cutoff a few days wide; calendar months are exact in Python


@dataclass(frozen=True)
class Rule:
    """What applies to a kind now: the policy row's values, or the code's defaults when there is no row."""

    kind: str
    period_months: int
    action: str
    needs_review: bool
    from_row: bool
    version: int | None = None


@dataclass(frozen=True)
class RetentionKind:
    key: str
    label: str
    model_label: str
    period_months: int
    action: str
    needs_review: bool
    # (today, rule, ids or None) -> {record id: the day its period ran out}, only those run out by `today`
    find: Callable[[dt.date, Rule, Iterable[uuid.UUID] | None], dict[uuid.UUID, dt.date]]
    # (record id, action) -> rows removed or changed
    remove: Callable[[uuid.UUID, str], int]
    # ids -> {id: (what it is, more detail)} read live from the records (for the queue page)
    describe: Callable[[list[uuid.UUID]], dict[uuid.UUID, tuple[str, str]]]
    actions: tuple[str, ...] = (RetentionAction.DELETE,)
    period_days: int | None = None  # a fixed period in days (not the policy's months), e.g. import previews
    why: str = ""

    def expires(self, base: dt.date, rule: Rule) -> dt.date:
        if self.period_days is not None:
            return base + dt.timedelta(days=self.period_days)
        return base + relativedelta(months=rule.period_months)

    def cutoff(self, today: dt.date, rule: Rule) -> dt.date:
        """A day on or after the last base date that can have run out by `today` (a few days' slack)."""
        if self.period_days is not None:
            return today - dt.timedelta(days=self.period_days) + SLACK
        return today - relativedelta(months=rule.period_months) + SLACK


def london_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value, LONDON).date()


def london_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


def _only(qs: QuerySet, ids: Iterable[uuid.UUID] | None) -> QuerySet:
    return qs if ids is None else qs.filter(pk__in=list(ids))


def _run_out(
    kind: RetentionKind, today: dt.date, rule: Rule, rows: Iterable[tuple[uuid.UUID, dt.date | dt.datetime | None]]
) -> dict[uuid.UUID, dt.date]:
    found = {}
    for pk, base in rows:
        if base is None:
            continue
        day = london_date(base) if isinstance(base, dt.datetime) else base
        expired_on = kind.expires(day, rule)
        if expired_on <= today:
            found[pk] = expired_on
    return found


def _delete(model_label: str) -> Callable[[uuid.UUID, str], int]:
    def remove(pk: uuid.UUID, action: str) -> int:
        from django.apps import apps

        return erase.erase(apps.get_model(model_label), [pk])

    return remove


# --- closed_client ----------------------------------------------------------------------------------------------


def _closed_clients(today: dt.date, rule: Rule, ids: Iterable[uuid.UUID] | None) -> dict[uuid.UUID, dt.date]:
    from keyworker.casework.models import CaseStatus
    from keyworker.people.models import Client

    qs = (
        Client._base_manager.filter(cases__isnull=False)
        .exclude(cases__status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD])
        .annotate(last_closed=Max("cases__closed_on"))
        .filter(last_closed__lte=CLOSED_CLIENT.cutoff(today, rule))
    )
    return _run_out(CLOSED_CLIENT, today, rule, _only(qs, ids).values_list("pk", "last_closed"))


def _describe_clients(ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    from keyworker.casework.models import Case
    from keyworker.people.models import Client

    cases: dict[uuid.UUID, list[tuple[str, dt.date | None]]] = {}
    for client_id, reference, closed_on in Case.objects.filter(client_id__in=ids).values_list(
        "client_id", "reference", "closed_on"
    ):
        cases.setdefault(client_id, []).append((reference, closed_on))
    described = {}
    for client in Client._base_manager.filter(pk__in=ids):
        own = sorted(cases.get(client.pk, []))
        closed = [c for _, c in own if c is not None]
        last = f", last closed {max(closed):%-d %b %Y}" if closed else ""
        described[client.pk] = (
            f"{client.first_name} {client.last_name}",
            f"Cases {', '.join(r for r, _ in own)}{last}",
        )
    return described


def _remove_client(pk: uuid.UUID, action: str) -> int:
    return erase.erase_client(pk)


CLOSED_CLIENT = RetentionKind(
    key="closed_client",
    label="Clients whose support ended",
    model_label="people.client",
    period_months=72,
    action=RetentionAction.DELETE,
    needs_review=True,
    find=_closed_clients,
    remove=_remove_client,
    describe=_describe_clients,
    why="Six years after the last case closed (the limitation period for claims): the whole person goes.",
)


# --- area_concern -----------------------------------------------------------------------------------------------


def _area_concerns(today: dt.date, rule: Rule, ids: Iterable[uuid.UUID] | None) -> dict[uuid.UUID, dt.date]:
    from keyworker.safeguarding.models import AreaConcern

    qs = AreaConcern.objects.annotate(base=Greatest("expires_on", "reported_on")).filter(
        base__lte=AREA_CONCERN.cutoff(today, rule)
    )
    return _run_out(AREA_CONCERN, today, rule, _only(qs, ids).values_list("pk", "base"))


def _describe_area_concerns(ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    from keyworker.safeguarding.models import AreaConcern

    return {
        c.pk: (f"Area concern: {c.area}", f"Reported {c.reported_on:%-d %b %Y}, expired {c.expires_on:%-d %b %Y}")
        for c in AreaConcern.objects.filter(pk__in=ids)
    }


AREA_CONCERN = RetentionKind(
    key="area_concern",
    label="Area concerns",
    model_label="safeguarding.areaconcern",
    period_months=12,
    action=RetentionAction.DELETE,
    needs_review=True,
    find=_area_concerns,
    remove=_delete("safeguarding.areaconcern"),
    describe=_describe_area_concerns,
    why="Area intelligence a year after it expired.",
)


# --- signposting ------------------------------------------------------------------------------------------------


def _signpostings(today: dt.date, rule: Rule, ids: Iterable[uuid.UUID] | None) -> dict[uuid.UUID, dt.date]:
    from keyworker.services.models import Signposting

    qs = Signposting.objects.filter(given_on__lte=SIGNPOSTING.cutoff(today, rule))
    return _run_out(SIGNPOSTING, today, rule, _only(qs, ids).values_list("pk", "given_on"))


def _describe_signpostings(ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    from keyworker.services.models import Signposting

    return {
        s.pk: (f"Signposting to {s.service}", f"Given {s.given_on:%-d %b %Y}{f' to {s.who}' if s.who else ''}")
        for s in Signposting.objects.select_related("service").filter(pk__in=ids)
    }


SIGNPOSTING = RetentionKind(
    key="signposting",
    label="Signposting of people who are not clients",
    model_label="services.signposting",
    period_months=12,
    action=RetentionAction.DELETE,
    needs_review=True,
    find=_signpostings,
    remove=_delete("services.signposting"),
    describe=_describe_signpostings,
)


# --- declined_referral ------------------------------------------------------------------------------------------


def _declined_referrals(today: dt.date, rule: Rule, ids: Iterable[uuid.UUID] | None) -> dict[uuid.UUID, dt.date]:
    from keyworker.intake.models import Referral, ReferralStatus

    # Never accepted: declined or withdrawn, and not linked to a client (a client's referral is part of their
    # file and goes with it under closed_client). The last step is when it was declined or withdrawn.
    qs = (
        Referral.objects.filter(status__in=[ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN], client__isnull=True)
        .annotate(last_step=Coalesce(Max("steps__occurred_at"), "received_at"))
        .filter(last_step__lt=london_midnight(DECLINED_REFERRAL.cutoff(today, rule) + dt.timedelta(days=1)))
    )
    return _run_out(DECLINED_REFERRAL, today, rule, _only(qs, ids).values_list("pk", "last_step"))


def _describe_referrals(ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    from keyworker.intake.models import Referral

    return {
        r.pk: (
            f"Referral of {r.first_name} {r.last_name}",
            f"{r.get_status_display()}, received {london_date(r.received_at):%-d %b %Y}",
        )
        for r in Referral.objects.filter(pk__in=ids)
    }


DECLINED_REFERRAL = RetentionKind(
    key="declined_referral",
    label="Referrals never accepted",
    model_label="intake.referral",
    period_months=12,
    action=RetentionAction.DELETE,
    needs_review=True,
    find=_declined_referrals,
    remove=_delete("intake.referral"),
    describe=_describe_referrals,
)


# --- subject_access_export --------------------------------------------------------------------------------------


def _sar_exports(today: dt.date, rule: Rule, ids: Iterable[uuid.UUID] | None) -> dict[uuid.UUID, dt.date]:
    from keyworker.privacy.models import SarStatus, SubjectAccessRequest

    cutoff = SUBJECT_ACCESS_EXPORT.cutoff(today, rule)
    qs = SubjectAccessRequest.objects.filter(Q(export_json__isnull=False) | Q(export_pdf__isnull=False)).filter(
        Q(status=SarStatus.SENT, sent_on__lte=cutoff)
        | Q(status=SarStatus.WITHDRAWN, updated_at__lt=london_midnight(cutoff + dt.timedelta(days=1)))
    )
    rows: list[tuple[uuid.UUID, dt.date | dt.datetime | None]] = [
        (pk, sent_on if status == SarStatus.SENT else updated_at)
        for pk, status, sent_on, updated_at in _only(qs, ids).values_list("pk", "status", "sent_on", "updated_at")
    ]
    return _run_out(SUBJECT_ACCESS_EXPORT, today, rule, rows)


def _describe_sars(ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    from keyworker.privacy.models import SubjectAccessRequest

    return {
        s.pk: (
            f"Subject access export{f' for {s.client.first_name} {s.client.last_name}' if s.client else ''}",
            f"Received {s.received_on:%-d %b %Y}, {s.get_status_display().lower()}",
        )
        for s in SubjectAccessRequest.objects.select_related("client").filter(pk__in=ids)
    }


def _blank_sar_export(pk: uuid.UUID, action: str) -> int:
    from keyworker.privacy.models import SubjectAccessRequest

    if action == RetentionAction.DELETE:
        return erase.erase(SubjectAccessRequest, [pk])
    # The request row stays (when, how, the deadline and who sent it); the copy of the record goes.
    return SubjectAccessRequest.objects.filter(pk=pk).update(
        export_json=None, export_pdf=None, updated_at=timezone.now()
    )


SUBJECT_ACCESS_EXPORT = RetentionKind(
    key="subject_access_export",
    label="Subject access exports",
    model_label="privacy.subjectaccessrequest",
    period_months=3,
    action=RetentionAction.ANONYMISE,
    needs_review=True,
    find=_sar_exports,
    remove=_blank_sar_export,
    describe=_describe_sars,
    actions=(RetentionAction.ANONYMISE, RetentionAction.DELETE),
    why="The built record (JSON and PDF) is blanked; the request itself stays.",
)


# --- client_import ----------------------------------------------------------------------------------------------


def _client_imports(today: dt.date, rule: Rule, ids: Iterable[uuid.UUID] | None) -> dict[uuid.UUID, dt.date]:
    from keyworker.people.models import ClientImport, ClientImportStatus

    # Previews left behind: an import finished or discarded has had its file's text emptied already.
    qs = ClientImport.objects.filter(
        status=ClientImportStatus.PREVIEWED,
        created_at__lt=london_midnight(CLIENT_IMPORT.cutoff(today, rule) + dt.timedelta(days=1)),
    )
    return _run_out(CLIENT_IMPORT, today, rule, _only(qs, ids).values_list("pk", "created_at"))


def _describe_imports(ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    from keyworker.people.models import ClientImport

    return {
        i.pk: (f"Client import {i.filename or ''}".strip(), f"{i.row_count} rows, {i.get_status_display().lower()}")
        for i in ClientImport.objects.filter(pk__in=ids)
    }


CLIENT_IMPORT = RetentionKind(
    key="client_import",
    label="Uploaded client spreadsheets",
    model_label="people.clientimport",
    period_months=0,
    period_days=7,
    action=RetentionAction.DELETE,
    needs_review=False,
    find=_client_imports,
    remove=_delete("people.clientimport"),
    describe=_describe_imports,
    why="A preview never imported or discarded holds a copy of people's details: gone a week after upload.",
)


# --- notification -----------------------------------------------------------------------------------------------


def _notifications(today: dt.date, rule: Rule, ids: Iterable[uuid.UUID] | None) -> dict[uuid.UUID, dt.date]:
    from keyworker.core.models import Notification

    qs = Notification.objects.filter(
        read_at__lt=london_midnight(NOTIFICATION.cutoff(today, rule) + dt.timedelta(days=1))
    )
    return _run_out(NOTIFICATION, today, rule, _only(qs, ids).values_list("pk", "read_at"))


def _describe_notifications(ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    from keyworker.core.models import Notification

    return {n.pk: (n.subject, "Read") for n in Notification.objects.filter(pk__in=ids)}


NOTIFICATION = RetentionKind(
    key="notification",
    label="Read notifications",
    model_label="core.notification",
    period_months=6,
    action=RetentionAction.DELETE,
    needs_review=False,
    find=_notifications,
    remove=_delete("core.notification"),
    describe=_describe_notifications,
)


KINDS: dict[str, RetentionKind] = {
    k.key: k
    for k in (
        CLOSED_CLIENT,
        AREA_CONCERN,
        SIGNPOSTING,
        DECLINED_REFERRAL,
        SUBJECT_ACCESS_EXPORT,
        CLIENT_IMPORT,
        NOTIFICATION,
    )
}


def policy_for(kind: str) -> Rule:
    """The policy row for the kind, or the code's default (a migrated install with no rows works)."""
    return rules().get(kind) or _default(KINDS[kind])


def _default(k: RetentionKind) -> Rule:
    return Rule(k.key, k.period_months, k.action, k.needs_review, from_row=False)


def rules() -> dict[str, Rule]:
    """Every kind's rule, in one query."""
    rows = {p.kind: p for p in RetentionPolicy.objects.filter(kind__in=list(KINDS))}
    found = {}
    for key, k in KINDS.items():
        row = rows.get(key)
        if row is None:
            found[key] = _default(k)
        else:
            action = row.action if row.action in k.actions else k.action
            found[key] = Rule(key, row.period_months, action, row.needs_review, from_row=True, version=row.version)
    return found
