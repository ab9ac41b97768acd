"""`keyworker synth`'s work: check the database is empty, read the reference rows, generate and load, then
the small extras (e-mail addresses, authenticator apps, API tokens, the case sequence)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from keyworker.accounts.models import API_TOKEN_PREFIX_LENGTH, ApiToken, Role, api_token_hash
from keyworker.audit import chain

# Synthetic accounts share the demo's documented authenticator key (decisions/0029): the bench signs in with it.
from keyworker.core.demo import DEMO_TOTP_SECRET
from keyworker.core.models import Sequence
from keyworker.custody.models import COURT_KINDS, PRISON_KINDS, Establishment
from keyworker.outcomes.models import OutcomeDomain, OutcomeScale, OutcomeStep
from keyworker.outcomes.scale_default import DEFAULT_SCALE_NAME
from keyworker.people.models import Client
from keyworker.synth.generate import SYNTH_DOMAIN, Reference, Scale, Synth, api_token_for
from keyworker.synth.load import Loaded, load_all

CASE_SEQUENCE = "case"

# Roles that get an API token (read and write) for the bench: the first two accounts of each.
TOKEN_ROLES = (Role.CASEWORKER, Role.MANAGER, Role.REPORT_VIEWER)


class NotEmpty(Exception):
    pass


@dataclass(frozen=True)
class SignInRow:
    email: str
    role: str
    team: str
    api_token: str


@dataclass(frozen=True)
class SynthResult:
    loaded: list[Loaded]
    seconds: float
    sign_ins: list[SignInRow]


def reference_rows(using: str) -> Reference:
    establishments = Establishment.objects.using(using).order_by("kind", "name").values_list("id", "kind")
    scale = OutcomeScale.objects.using(using).filter(name=DEFAULT_SCALE_NAME).first()
    domains: tuple = ()
    if scale is not None:
        top = {
            d: v
            for d, v in OutcomeStep.objects.using(using)
            .filter(domain__scale=scale)
            .order_by("domain_id", "value")
            .values_list("domain_id", "value")
        }
        domains = tuple(
            (d, top[d])
            for d in OutcomeDomain.objects.using(using)
            .filter(scale=scale)
            .order_by("order", "key")
            .values_list("id", flat=True)
            if d in top
        )
    sequence = Sequence.objects.using(using).filter(name=CASE_SEQUENCE).values_list("value", flat=True).first() or 0
    head = chain.AuditEvent._base_manager.using(using).order_by("-sequence").values_list(
        "sequence", "hash"
    ).first() or (0, chain.GENESIS_HASH)
    return Reference(
        prisons=tuple(i for i, k in establishments if k in PRISON_KINDS),
        courts=tuple(i for i, k in establishments if k in COURT_KINDS),
        scale_id=scale.pk if scale else None,
        domains=domains,
        first_case_number=sequence + 1,
        audit_head=(int(head[0]), str(head[1])),
    )


def synth_password_hash(password: str, seed: int) -> str:
    # A fixed salt keeps the rows identical from run to run (it is one shared, published password anyway).
    return make_password(password, salt=f"keyworkersynth{seed}")


def synth_run(
    scale: Scale,
    *,
    seed: int,
    password: str,
    using: str,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> SynthResult:
    if Client.objects.using(using).exists():
        raise NotEmpty(
            "This database already holds clients. Synthetic data is only loaded into an empty, migrated "
            "database (it never mixes with the demo or real records); nothing was changed."
        )
    started = time.monotonic()
    synth = Synth(
        scale,
        seed=seed,
        today=today or dt.datetime.now(dt.UTC).date(),
        reference=reference_rows(using),
        password_hash=synth_password_hash(password, seed),
    )
    progress(f"Planned {len(synth.staff):,} staff, {len(synth.clients):,} clients, {len(synth.cases):,} cases.")
    with transaction.atomic(using=using):
        chain.lock_chain(using)
        loaded = load_all(synth.tables(), using=using, progress=progress)
        sign_ins = _extras(synth, using=using, seed=seed)
        loaded.append(Loaded("account.EmailAddress, mfa.Authenticator (each)", len(synth.staff), 0.0))
        # The app's next case reference carries on after the last synthetic one.
        last = synth.ref.first_case_number + len(synth.cases) - 1
        Sequence.objects.using(using).update_or_create(name=CASE_SEQUENCE, defaults={"value": last})
    return SynthResult(loaded, time.monotonic() - started, sign_ins)


def _extras(synth: Synth, *, using: str, seed: int) -> list[SignInRow]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    ids = [s.id for s in synth.staff]
    EmailAddress.objects.using(using).bulk_create(
        EmailAddress(user_id=s.id, email=s.email, verified=True, primary=True) for s in synth.staff
    )
    Authenticator.objects.using(using).bulk_create(
        Authenticator(user_id=i, type=Authenticator.Type.TOTP, data={"secret": encrypt(DEMO_TOTP_SECRET)}) for i in ids
    )
    rows: list[SignInRow] = []
    teams = {t[0]: t[1] for t in synth.teams}
    tokens = []
    for role in (
        Role.CASEWORKER,
        Role.MANAGER,
        Role.ON_CALL,
        Role.SAFEGUARDING_LEAD,
        Role.REPORT_VIEWER,
        Role.DATA_PROTECTION_OFFICER,
    ):
        for s in [s for s in synth.staff if s.role == role][:3]:
            plain = api_token_for(s.email, seed) if role in TOKEN_ROLES else ""
            rows.append(SignInRow(s.email, Role(role).label, teams[synth.teams[s.team][0]], plain))
            if plain:
                tokens.append(
                    ApiToken(
                        id=synth.uuid(synth.rng(f"token:{s.email}")),
                        created_at=synth.now,
                        updated_at=synth.now,
                        owner_id=s.id,
                        name="keyworker bench (synthetic data)",
                        prefix=plain[:API_TOKEN_PREFIX_LENGTH],
                        token_hash=api_token_hash(plain),
                        can_read=True,
                        can_write=True,
                        # From the real now: created_at is stamped by the database layer (auto_now_add).
                        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=365),
                    )
                )
    ApiToken.objects.using(using).bulk_create(tokens)
    return rows


__all__ = ["SYNTH_DOMAIN", "NotEmpty", "SignInRow", "SynthResult", "reference_rows", "synth_run"]
