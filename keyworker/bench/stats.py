"""Pure figures for the bench: percentiles and the summary of one key request's samples."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) of `values` by the nearest-rank method: always one of the values measured
    (never an interpolation between two), so "p95 = 48 ms" means a real request took 48 ms."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    ordered = sorted(values)
    # p * n / 100, not p / 100 * n: 7 / 100 * 100 is 7.000000000000001, whose ceiling would be one rank too far.
    rank = max(1, math.ceil(p * len(ordered) / 100 - 1e-9))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    samples: int
    p50: float
    p95: float
    max: float

    def as_dict(self, suffix: str = "_ms") -> dict[str, float | int]:
        return {
            "samples": self.samples,
            f"p50{suffix}": round(self.p50, 3),
            f"p95{suffix}": round(self.p95, 3),
            f"max{suffix}": round(self.max, 3),
        }


def summarise(values: Sequence[float]) -> Summary:
    return Summary(len(values), percentile(values, 50), percentile(values, 95), max(values))


def miss_by(value: float, limit: float, *, at_least: bool = False) -> str:
    """How far a figure is from its target, for the PASS/MISS column: '' when it meets it."""
    if (value >= limit) if at_least else (value <= limit):
        return ""
    if limit == 0:
        return "over"
    ratio = value / limit
    if at_least:
        return f"{(1 - ratio) * 100:.0f}% short"
    return f"+{value - limit:.1f} ({ratio:.1f}x)"
