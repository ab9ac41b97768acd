"""Where the current request comes from, so audit events can say "from where" without threading it through."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    ip: str | None = None
    user_agent: str = ""


_NOWHERE = Source()
_current: ContextVar[Source | None] = ContextVar("keyworker_audit_source", default=None)


def current_source() -> Source:
    return _current.get() or _NOWHERE


def set_source(source: Source) -> object:
    return _current.set(source)


def reset_source(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
