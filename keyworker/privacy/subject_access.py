"""Subject access: everything Keyworker holds about a client, as one JSON-serialisable dict.

This is the foundation of issue 10's subject access export (the request workflow, the deadlines, the PDF and
the data protection officer's page build on it). It is a system read, not a caseworker's: it goes round the
access policy on purpose, because the person is entitled to everything held about them, whoever may see it.

What goes in is decided per model in SUBJECT_ACCESS, keyed by model label. Every model with a foreign key or
one-to-one to Client must have an entry (tests/test_subject_access.py fails otherwise, so a new model cannot be
forgotten). Each entry is one of three treatments:

- INCLUDE: the rows, field by field, under a readable section name. `only` narrows which rows (the `rest`
  treatment says what happens to the others); `drop` leaves named fields out and says so under
  "withheld_fields"; `nested` lists each row's own child records (models with no foreign key to Client).
- WITHHOLD: third-party information. Listed under "withheld" with the reason and a count; the content is left
  out. The person learns it exists; the data protection officer decides case by case what can be released.
- EXCLUDE: never even listed. For victims' records only: a concern about someone else raised in this client's
  casework (often he is the alleged abuser) belongs to that person's restricted record. Saying "a safeguarding
  concern about someone else was withheld" would itself tell an alleged abuser that someone disclosed, which
  can put her at risk. The exemptions are DPA 2018 Sch 2 para 2 (prevention of crime) and para 16 (information
  about other people); where saying that an exemption was used would itself prejudice its purpose, the ICO's
  guidance lets the controller say nothing (DESIGN principle 3; docs/decisions/0025). Everything that hangs off
  such a concern (its DASH, MARAC referral,
  NRM referral, actions, sharing decisions, the disclosure log lines it wrote, and any audit event pointing at
  it) is left out with it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotAllowed
from keyworker.people.models import Client, ThirdParty
from keyworker.safeguarding.models import (
    Concern,
    ConcernAbout,
    ConcernAction,
    DashAssessment,
    MaracReferral,
    NrmReferral,
    SharingDecision,
)

FORMAT_VERSION = 1
ANOTHER_PERSON = "another person (withheld)"
SYSTEM_ACTOR = "Keyworker (automatic)"
# Internal bookkeeping, not information about the person.
ALWAYS_LEFT_OUT = frozenset({"version"})


class Kind(StrEnum):
    INCLUDE = "include"
    WITHHOLD = "withhold"
    EXCLUDE = "exclude"


@dataclass(frozen=True)
class Treatment:
    kind: Kind
    section: str = ""  # the heading the rows (INCLUDE) or the withheld note (WITHHOLD) appear under
    why: str = ""  # WITHHOLD: told to the person. EXCLUDE: for maintainers (never output). INCLUDE: optional.
    only: Callable[[Client], Q] | None = None  # INCLUDE: which rows; the others get `rest`
    rest: Treatment | None = None  # what happens to the rows `only` leaves out (WITHHOLD or EXCLUDE)
    drop: tuple[str, ...] = ()  # INCLUDE: fields left out, listed under "withheld_fields" with drop_why
    drop_why: str = ""
    # INCLUDE: fields that can never hold anything about this person for the rows included (e.g. a concern's
    # third party, always empty on a concern about them): left out silently, since even their names would hint.
    omit: tuple[str, ...] = ()
    nested: dict[str, Treatment] = field(default_factory=dict)  # child model label -> treatment, per row


def include(
    section: str,
    *,
    why: str = "",
    only: Callable[[Client], Q] | None = None,
    rest: Treatment | None = None,
    drop: tuple[str, ...] = (),
    drop_why: str = "",
    omit: tuple[str, ...] = (),
    nested: dict[str, Treatment] | None = None,
) -> Treatment:
    if (only is None) != (rest is None):
        raise ValueError("`only` and `rest` go together: say what happens to the rows left out.")
    if rest is not None and rest.kind == Kind.INCLUDE:
        raise ValueError("The rest of the rows are withheld or excluded.")
    if drop and not drop_why:
        raise ValueError("Say why the fields are left out.")
    return Treatment(
        Kind.INCLUDE,
        section,
        why,
        only=only,
        rest=rest,
        drop=drop,
        drop_why=drop_why,
        omit=omit,
        nested=nested or {},
    )


def withhold(section: str, why: str) -> Treatment:
    return Treatment(Kind.WITHHOLD, section, why)


def exclude(why: str) -> Treatment:
    return Treatment(Kind.EXCLUDE, "", why)


def _about_the_client(client: Client) -> Q:
    return Q(about=ConcernAbout.CLIENT)


def _not_from_a_victims_record(client: Client) -> Q:
    """Disclosure log lines written by sharing from a victim's record (a MARAC or NRM referral, a sharing
    decision on a concern about someone else) are part of that record, not this client's log."""
    left_out = Q()
    for label, ids in victims_records(client).items():
        if ids and label != "people.thirdparty":
            left_out |= Q(source_type=label, source_id__in=ids)
    return ~left_out if left_out else Q()


VICTIMS_RECORD_WHY = (
    "A concern about someone else raised in this client's casework belongs to that person's restricted record. "
    "Even saying one was withheld would tell an alleged abuser that someone disclosed (DPA 2018 Sch 2 paras 2 "
    "and 16; DESIGN principle 3; docs/decisions/0025)."
)

SHARING_DECISION = include("Information-sharing decisions")
CONCERN_CHILDREN: dict[str, Treatment] = {
    "safeguarding.concernaction": include("Actions taken"),
    "safeguarding.sharingdecision": SHARING_DECISION,
    "safeguarding.nrmreferral": include("National Referral Mechanism referrals"),
    # The person at risk is the client: their own answers.
    "safeguarding.dashassessment": include("Domestic abuse risk checklists (DASH)"),
    "safeguarding.maracreferral": withhold(
        "MARAC referrals",
        "A MARAC referral describes other people (the person said to cause harm, children, family) and holds "
        "other agencies' information; the data protection officer reviews it with them before any is released.",
    ),
}

SUBJECT_ACCESS: dict[str, Treatment] = {
    "casework.case": include(
        "Cases (episodes of support)",
        nested={
            "funding.streamallocation": include("Funding of the support"),
            "funding.unfundedwork": include("Support given without funding"),
        },
    ),
    "casework.contact": include(
        "Contacts and notes", nested={"casework.contactamendment": include("Amendments to the note")}
    ),
    "casework.task": include("Tasks"),
    "custody.custodyepisode": include(
        "Time in custody",
        nested={
            "custody.custodytransfer": include("Transfers between prisons"),
            "custody.releaseneed": include(
                "Resettlement plan for release",
                nested={"custody.releaseneedupdate": include("Progress on the plan")},
            ),
        },
    ),
    "custody.charge": include("Charges and allegations"),
    "custody.hearing": include("Court hearings"),
    "diary.appointment": include("Appointments"),
    "diary.loneworkingvisit": include(
        "Lone-working visits",
        drop=("with_whom",),
        drop_why="Who else was present at a visit is information about other people.",
        nested={"diary.loneworkingescalation": include("Escalations when a visit overran")},
    ),
    # Restrictions and exclusions protect the person (a high-profile case) or keep a member of staff away
    # (a conflict of interest, a risk). That one exists, and when, is processing of their data and they may be
    # told; which staff are named, and why, is information about those staff (and sometimes about the risk
    # itself), so it is left out and the data protection officer decides.
    "safeguarding.accessrule": include(
        "Restrictions on who may open the record",
        drop=("staff", "reason", "message"),
        drop_why="The staff named in a restriction and the reasons for it are information about other people "
        "and about how they are kept safe.",
    ),
    # Who opened the record out of hours by break-glass, when and why: exactly what principle 5 says a person
    # can be told.
    "safeguarding.breakglassgrant": include("Out-of-hours access to the record (break-glass)"),
    "safeguarding.unsafearea": include("Areas that are unsafe for you"),
    # The other person in a keep-apart pair is another client, and the reason is often about them.
    "safeguarding.keepapart": withhold(
        "People you should not be booked together with",
        "Each record names another person and the reason is often about them: information about other people.",
    ),
    "safeguarding.concern": include(
        "Safeguarding concerns about you",
        only=_about_the_client,
        rest=exclude(VICTIMS_RECORD_WHY),
        omit=("about", "third_party"),
        nested=CONCERN_CHILDREN,
    ),
    "safeguarding.riskreview": include("Risk reviews"),
    "safeguarding.safetyplan": include("Safety plan"),
    "safeguarding.crisiscall": include(
        "Calls to the on-call line", nested={"safeguarding.sharingdecision": SHARING_DECISION}
    ),
    # Peer mentoring they received: the mentor is named like any member of staff acting in their role (the person
    # knows them; the mentor's own path to mentoring is in the mentor's file, never here); the session notes are
    # about this person, in a mentor's words.
    "outcomes.mentoring": include(
        "Peer mentoring you received", nested={"outcomes.mentoringsession": include("Mentoring sessions")}
    ),
    # Their own path to becoming a mentor: interest, training, DBS check (its date and number are their own data),
    # supervisor. Supervision notes talk about the people they mentor, so those are left out for the data
    # protection officer to review; that supervision happened, when and with whom, is theirs. The sessions they
    # held as a mentor are about their mentees and belong to the mentees' records.
    "outcomes.mentorpathway": include(
        "Becoming a peer mentor",
        nested={
            "outcomes.mentorsupervision": include(
                "Supervision",
                drop=("note",),
                drop_why="Supervision notes discuss the people you mentor: information about other people. The "
                "data protection officer decides what can be released.",
            )
        },
    ),
    # Their own view and the worker's view of how things stand: both are about them.
    "outcomes.outcomereading": include(
        "Outcome readings (your view and your worker's)", nested={"outcomes.readingscore": include("Scores")}
    ),
    "outcomes.milestone": include("Milestones"),
    "outcomes.spell": include(
        "Work and accommodation", nested={"outcomes.spellcheck": include("Checks that it was still going")}
    ),
    "outcomes.provenoffence": include("Proven offences"),
    # Letters about them (a character reference for court): the wording, who it was to, its status and dates.
    # The PDF is the same words laid out for printing: its bytes cannot go in a JSON record, so they are left
    # out and a copy is given on request. Letter templates hold no client data and have no entry.
    "outcomes.letter": include(
        "Letters about you",
        drop=("pdf",),
        drop_why="The PDF of a final letter holds the same words as its body, laid out for printing; ask for a "
        "copy of the PDF itself and the data protection officer will send it.",
    ),
    "intake.referral": include(
        "Referrals to this service",
        drop=("referrer_name", "referrer_contact"),
        drop_why="Who referred you, if a private person, is information about them; the data protection "
        "officer decides whether it can be released.",
        nested={"intake.referralstep": include("Progress of the referral")},
    ),
    "intake.consentrecord": include("Consent and lawful basis"),
    "funding.waitinglistentry": include("Waiting lists"),
    "services.outboundreferral": include(
        "Referrals to other services", nested={"services.outboundreferralupdate": include("Progress")}
    ),
    "services.enrolment": include("Courses", nested={"services.sessionattendance": include("Attendance")}),
    "privacy.disclosure": include(
        "Disclosure log: what about you was shared, with whom and why",
        only=_not_from_a_victims_record,
        rest=exclude(VICTIMS_RECORD_WHY),
    ),
    # The requests themselves: when each came in, its deadline and when it was answered; the exports they built
    # are earlier copies of this very record, so they are left out rather than nested.
    "privacy.subjectaccessrequest": include(
        "Your requests to see your record",
        omit=("export_json", "export_pdf", "withheld", "error", "step", "progress"),
    ),
}

# --------------------------------------------------------------------------------------------- discovery


def client_relations() -> dict[str, list[models.ForeignObjectRel]]:
    """{model label: [its relations to Client]}: every foreign key and one-to-one to Client, hidden ones too
    (a related_name of "+" must not hide a model from subject access)."""
    found: dict[str, list[models.ForeignObjectRel]] = defaultdict(list)
    for rel in Client._meta.get_fields(include_hidden=True):
        if isinstance(rel, models.ForeignObjectRel) and not rel.many_to_many:
            found[rel.related_model._meta.label_lower].append(rel)
    return dict(found)


def _has_client_key(model: type[models.Model]) -> bool:
    return any(
        f.is_relation and f.concrete and f.related_model is Client and not f.many_to_many
        for f in model._meta.get_fields()
    )


def _child_key(parent: type[models.Model], child: type[models.Model]) -> models.ForeignKey:
    """The child's one foreign key to the parent (it must be exactly one, so nesting is unambiguous)."""
    keys = [f for f in child._meta.concrete_fields if isinstance(f, models.ForeignKey) and f.related_model is parent]
    if len(keys) != 1:
        raise LookupError(f"{child._meta.label_lower} needs exactly one foreign key to {parent._meta.label_lower}")
    return keys[0]


# ------------------------------------------------------------------------------------- victims' records


def victims_records(client: Client) -> dict[str, set[Any]]:
    """{model label: ids} of the records raised in this client's casework that belong to someone else: concerns
    not about him, their third parties, DASH, MARAC and NRM referrals, actions and sharing decisions."""
    concerns = Concern.objects.filter(client=client).exclude(about=ConcernAbout.CLIENT)
    concern_ids = set(concerns.values_list("pk", flat=True))
    third_party_ids = set(concerns.exclude(third_party=None).values_list("third_party_id", flat=True))
    found: dict[str, set[Any]] = {
        "safeguarding.concern": concern_ids,
        "people.thirdparty": third_party_ids,
    }
    for model in (ConcernAction, SharingDecision, DashAssessment, MaracReferral, NrmReferral):
        found[model._meta.label_lower] = set(
            model.objects.filter(concern_id__in=concern_ids).values_list("pk", flat=True)
        )
    return found


# -------------------------------------------------------------------------------------------- rendering


def _plain(value: Any) -> Any:
    """A JSON-ready value: UUIDs, dates and decimals as strings, datetimes in UK time."""
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _related_text(target: models.Model | None) -> str | None:
    if target is None:
        return None
    if isinstance(target, User):
        return target.display_name
    return str(target)


def _forward_relations(model: type[models.Model], drop: Iterable[str]) -> tuple[list[str], list[str]]:
    """(foreign keys to load with the rows, many-to-many fields to prefetch): never another person's record."""
    dropped = set(drop)
    joins: list[str] = []
    many: list[str] = []
    for f in model._meta.get_fields():
        if not f.concrete or not f.is_relation or f.name in dropped or f.related_model in (Client, ThirdParty):
            continue
        (many if f.many_to_many else joins).append(f.name)
    return joins, many


def _row(obj: models.Model, client: Client, drop: Iterable[str]) -> dict[str, Any]:
    left_out = ALWAYS_LEFT_OUT | set(drop)
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in left_out:
            continue
        if f.is_relation:
            target_id = getattr(obj, f.attname)
            if f.related_model is Client and target_id == client.pk:
                continue  # the person themself: the whole record is about them
            if f.related_model in (Client, ThirdParty):
                # Another person: never named (and never loaded).
                row[f.name] = ANOTHER_PERSON if target_id is not None else None
                continue
            row[f.name] = _related_text(getattr(obj, f.name))
            continue
        row[f.name] = _plain(f.value_from_object(obj))
        if f.choices:
            display = getattr(obj, f"get_{f.name}_display")()
            row[f"{f.name}_display"] = str(display) if display is not None else None
    for f in obj._meta.many_to_many:
        if f.name in left_out:
            continue
        if f.related_model in (Client, ThirdParty):
            row[f.name] = [ANOTHER_PERSON for _ in getattr(obj, f.name).all()]
        else:
            row[f.name] = [_related_text(target) for target in getattr(obj, f.name).all()]
    return row


class _Builder:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.withheld: dict[tuple[str, str], int] = defaultdict(int)
        self.withheld_fields: dict[tuple[str, str], tuple[str, ...]] = {}

    def rows(
        self, model: type[models.Model], queryset: models.QuerySet, treatment: Treatment
    ) -> tuple[list[models.Model], list[dict[str, Any]]]:
        """The rows of an INCLUDE treatment (with their nested children), and the objects they came from;
        withheld counts are noted on the way."""
        if treatment.only is not None:
            kept = queryset.filter(treatment.only(self.client))
            assert treatment.rest is not None
            if treatment.rest.kind == Kind.WITHHOLD:
                left = queryset.exclude(pk__in=kept.values("pk")).count()
                if left:
                    self.withheld[(treatment.rest.section or treatment.section, treatment.rest.why)] += left
            queryset = kept
        left_out = (*treatment.drop, *treatment.omit)
        joins, many = _forward_relations(model, left_out)
        objs = list(
            queryset.select_related(*joins).prefetch_related(*many).order_by(*(model._meta.ordering or []), "pk")
        )
        if objs and treatment.drop:
            self.withheld_fields[(treatment.section, treatment.drop_why)] = treatment.drop
        rows = [_row(obj, self.client, left_out) for obj in objs]
        for label, child_treatment in treatment.nested.items():
            self.nest(model, objs, rows, label, child_treatment)
        return objs, rows

    def nest(
        self,
        parent: type[models.Model],
        objs: list[models.Model],
        rows: list[dict[str, Any]],
        label: str,
        treatment: Treatment,
    ) -> None:
        """Each parent row's children of one kind, under the parent's name for them (e.g. "actions")."""
        if not objs or treatment.kind == Kind.EXCLUDE:
            return
        child = apps.get_model(label)
        key = _child_key(parent, child)
        children = child._default_manager.filter(**{f"{key.name}__in": [o.pk for o in objs]})
        if treatment.kind == Kind.WITHHOLD:
            count = children.count()
            if count:
                self.withheld[(treatment.section, treatment.why)] += count
            return
        child_objs, child_rows = self.rows(child, children, treatment)
        by_parent: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for child_obj, child_row in zip(child_objs, child_rows, strict=True):
            by_parent[getattr(child_obj, key.attname)].append(child_row)
        name = _children_name(key, child)
        for obj, row in zip(objs, rows, strict=True):
            row[name] = by_parent.get(obj.pk, [])


def _children_name(key: models.ForeignKey, child: type[models.Model]) -> str:
    related_name = key.remote_field.related_name
    if related_name and not related_name.endswith("+"):
        return related_name
    return str(child._meta.verbose_name_plural).replace(" ", "_")


def _queryset_for(
    model: type[models.Model], relations: list[models.ForeignObjectRel], client: Client
) -> models.QuerySet:
    about_client = Q()
    for rel in relations:
        about_client |= Q(**{rel.field.name: client})
    return model._default_manager.filter(about_client)


def _audit_trail(client: Client) -> list[dict[str, Any]]:
    """Who viewed and changed the client's records: who, in which role, what, when. Not the event's detail, the
    address it came from or its hash-chain fields (internals). Events about a victim's record never carry the
    client's id (the services' rule); should one ever slip through, it is still left out here."""
    left_out = Q()
    for label, ids in victims_records(client).items():
        if ids:
            left_out |= Q(object_type=label, object_id__in=[str(i) for i in ids])
    events = AuditEvent.objects.filter(client_id=client.pk)
    if left_out:
        events = events.exclude(left_out)
    roles = dict(Role.choices)
    actions = dict(AuditAction.choices)
    trail = []
    for event in events.select_related("actor").order_by("occurred_at", "sequence"):
        trail.append(
            {
                "when": _plain(event.occurred_at),
                "who": event.actor.display_name if event.actor is not None else SYSTEM_ACTOR,
                "role": str(roles.get(event.actor_role, event.actor_role)),
                "action": event.action,
                "action_display": str(actions.get(event.action, event.action)),
                "record": _record_kind(event.object_type),
                "break_glass": event.break_glass,
            }
        )
    return trail


def _record_kind(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def subject_access_record(client: Client, *, progress: Callable[[int, str], None] | None = None) -> dict[str, Any]:
    """Everything held about `client`, JSON-serialisable: their own fields, a section per related model (as
    SUBJECT_ACCESS says), what was withheld and why, and the audit trail of who viewed or changed it.
    `progress(done, step)` is told, section by section, how many of the SUBJECT_ACCESS entries are done (of
    len(SUBJECT_ACCESS) + 1, the audit trail last): a request's build job shows it as a progress bar."""
    relations = client_relations()
    unclassified = set(relations) - set(SUBJECT_ACCESS)
    if unclassified:
        # Never export a record with a kind of data nobody has decided about.
        raise LookupError(f"Not classified for subject access: {sorted(unclassified)}")
    builder = _Builder(client)
    sections: dict[str, list[dict[str, Any]]] = {}
    for done, (label, treatment) in enumerate(SUBJECT_ACCESS.items()):
        if progress is not None:
            progress(done, treatment.section or "Other records")
        model = apps.get_model(label)
        queryset = _queryset_for(model, relations[label], client)
        if treatment.kind == Kind.INCLUDE:
            sections[treatment.section] = builder.rows(model, queryset, treatment)[1]
        elif treatment.kind == Kind.WITHHOLD:
            count = queryset.count()
            if count:
                builder.withheld[(treatment.section, treatment.why)] += count
    if progress is not None:
        progress(len(SUBJECT_ACCESS), "Who viewed or changed the record")
    return {
        "subject_access_record": {
            "format": FORMAT_VERSION,
            "generated_at": _plain(timezone.now()),
            "client_id": str(client.pk),
        },
        "client": _row(client, client, ()),
        "sections": sections,
        "withheld": [
            {"section": section, "count": count, "reason": why} for (section, why), count in builder.withheld.items()
        ],
        "withheld_fields": [
            {"section": section, "fields": list(fields), "reason": why}
            for (section, why), fields in builder.withheld_fields.items()
        ],
        "audit_trail": _audit_trail(client),
    }


@transaction.atomic
def subject_access_export(*, actor: User | None, client: Client) -> dict[str, Any]:
    """The subject access record of `client`, audited as an export on the client's own trail (so the person
    can later be told it was made, and by whom). `actor` None is the system (an operator at the command line);
    a member of staff must be allowed to export it (the data protection officer)."""
    if actor is not None and not policy.can_export_subject_access(actor):
        raise NotAllowed("Only the data protection officer can export a subject access record.")
    record = subject_access_record(client)
    audit_event_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=client,
        client_id=client.pk,
        detail={"what": "subject access record"},
    )
    return record
