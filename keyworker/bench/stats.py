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


GROWTH_LIMIT = 1.5  # issue 9: p95 at national scale at most 1.5 x p95 at charity scale, both on PostgreSQL


def growth(smaller: dict, larger: dict, *, limit: float = GROWTH_LIMIT) -> list[dict]:
    """Each key request measured in both runs (two `keyworker bench` JSON results, e.g. charity and national
    on PostgreSQL): p95 in each, their ratio against `limit`, and whether its query count stayed the same (the
    budget is "constant in data size"). Requests missing from either run are left out."""
    before = {r["key"]: r for r in smaller.get("requests", []) if r.get("status") == "measured"}
    rows = []
    for row in larger.get("requests", []):
        base = before.get(row["key"])
        if row.get("status") != "measured" or base is None or row["key"] == "floor":
            continue
        ratio = row["p95_ms"] / base["p95_ms"] if base["p95_ms"] else math.inf
        same_queries = (row["queries_p50"], row["queries_max"]) == (base["queries_p50"], base["queries_max"])
        rows.append(
            {
                "key": row["key"],
                "label": row["label"],
                "p95_smaller_ms": base["p95_ms"],
                "p95_larger_ms": row["p95_ms"],
                "ratio": round(ratio, 2),
                "pass": ratio <= limit,
                "queries_smaller": base["queries_max"],
                "queries_larger": row["queries_max"],
                "queries_constant": same_queries,
            }
        )
    return rows


def growth_table(rows: list[dict], smaller: str, larger: str) -> str:
    """The growth rows as a Markdown table."""
    lines = [
        f"| Request | p95 {smaller} (ms) | p95 {larger} (ms) | ratio | target <= {GROWTH_LIMIT} | queries |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        verdict = "PASS" if r["pass"] else f"MISS ({r['ratio']:.2f}x)"
        queries = (
            f"{r['queries_larger']} (same)"
            if r["queries_constant"]
            else f"{r['queries_smaller']} -> {r['queries_larger']}"
        )
        lines.append(
            f"| {r['label']} | {r['p95_smaller_ms']:.1f} | {r['p95_larger_ms']:.1f} | {r['ratio']:.2f} | {verdict} "
            f"| {queries} |"
        )
    return "\n".join(lines)
