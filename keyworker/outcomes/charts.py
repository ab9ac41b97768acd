"""Charts drawn as inline SVG by plain Python: no JavaScript library, nothing fetched, and the Content-Security-
Policy stays strict (only SVG presentation attributes, never a style attribute).

A reading chart has one line for the client's view and one for the worker's view. They differ without colour:
the client's is solid with round markers, the worker's dashed with hollow square markers, and the legend says
so. The SVG is an image (role="img") with a <title> and a <desc> that summarises it in words; the page shows
the same numbers as a table too, for anyone who cannot see the chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

__all__ = ["Point", "reading_chart_svg"]

Point = tuple[dt.date, int | None, int | None]  # (taken on, client's step, worker's step)

WIDTH, HEIGHT = 320, 190
LEFT, RIGHT, TOP, BOTTOM = 34, WIDTH - 14, 34, HEIGHT - 30
INSET = 10  # keeps the first and last markers off the axes
CLIENT_COLOUR = "#0b0c0c"  # GOV.UK text black
WORKER_COLOUR = "#1d70b8"  # GOV.UK link blue (the dashes and squares carry the meaning, not the colour)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _short(day: dt.date) -> str:
    return f"{day.day} {day:%b %y}"


def _summary(view: str, values: list[tuple[dt.date, int]]) -> str:
    if not values:
        return f"{view}: not recorded."
    (first_on, first), (latest_on, latest) = values[0], values[-1]
    if len(values) == 1:
        return f"{view}: {first} on {_day(first_on)} (one reading)."
    moved = latest - first
    how = "no change" if moved == 0 else (f"up {moved}" if moved > 0 else f"down {-moved}")
    return f"{view}: {first} on {_day(first_on)} to {latest} on {_day(latest_on)}, {how} ({len(values)} readings)."


def _path(coords: Sequence[tuple[float, float] | None]) -> str:
    """An SVG path through the points, broken where a reading left this view blank."""
    parts: list[str] = []
    pen_down = False
    for coord in coords:
        if coord is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{coord[0]:.1f} {coord[1]:.1f}")
        pen_down = True
    return " ".join(parts)


def reading_chart_svg(*, chart_id: str, title: str, points: Sequence[Point], max_step: int = 5) -> Markup:
    """One domain's readings over time as an accessible SVG line chart. `points` are oldest first; steps run
    1..max_step. Each reading's value is a marker carrying data-date and data-value (what the table shows)."""
    max_step = max(max_step, 2)
    chart_id = escape(chart_id)
    client_values = [(day, c) for day, c, _ in points if c is not None]
    worker_values = [(day, w) for day, _, w in points if w is not None]
    desc = " ".join(
        [
            f"Steps from 1 (lowest) to {max_step}, {len(points)} reading{'s' if len(points) != 1 else ''}.",
            _summary("Client\u2019s view", client_values),
            _summary("Worker\u2019s view", worker_values),
        ]
    )
    days = [p[0] for p in points]
    first, last = (min(days), max(days)) if days else (None, None)
    span = (last - first).days if first and last else 0

    def x(day: dt.date) -> float:
        if not span or first is None:
            return (LEFT + RIGHT) / 2
        return LEFT + INSET + (day - first).days / span * (RIGHT - LEFT - 2 * INSET)

    def y(value: int) -> float:
        return BOTTOM - (min(value, max_step) - 1) / (max_step - 1) * (BOTTOM - TOP)

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kw-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        # legend: solid with circles, dashed with hollow squares
        f'<line x1="{LEFT}" y1="12" x2="{LEFT + 22}" y2="12" stroke="{CLIENT_COLOUR}" stroke-width="2"/>',
        f'<circle cx="{LEFT + 11}" cy="12" r="3.5" fill="{CLIENT_COLOUR}"/>',
        f'<text x="{LEFT + 28}" y="16" font-size="11" fill="#0b0c0c">Client\u2019s view</text>',
        f'<line x1="{LEFT + 130}" y1="12" x2="{LEFT + 152}" y2="12" stroke="{WORKER_COLOUR}" stroke-width="2" '
        'stroke-dasharray="5 3"/>',
        f'<rect x="{LEFT + 137.5}" y="8.5" width="7" height="7" fill="#ffffff" stroke="{WORKER_COLOUR}" '
        'stroke-width="2"/>',
        f'<text x="{LEFT + 158}" y="16" font-size="11" fill="#0b0c0c">Worker\u2019s view</text>',
    ]
    for step in range(1, max_step + 1):
        out.append(
            f'<line x1="{LEFT}" y1="{y(step):.1f}" x2="{RIGHT}" y2="{y(step):.1f}" stroke="#b1b4b6" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 8}" y="{y(step) + 4:.1f}" font-size="11" text-anchor="end" fill="#0b0c0c">{step}</text>'
        )
    if first is not None and last is not None:
        out.append(
            f'<text x="{x(first):.1f}" y="{HEIGHT - 10}" font-size="11" text-anchor="{"start" if span else "middle"}" '
            f'fill="#0b0c0c">{escape(_short(first))}</text>'
        )
        if span:
            out.append(
                f'<text x="{x(last):.1f}" y="{HEIGHT - 10}" font-size="11" text-anchor="end" fill="#0b0c0c">'
                f"{escape(_short(last))}</text>"
            )
    client_path = _path([(x(d), y(c)) if c is not None else None for d, c, _ in points])
    worker_path = _path([(x(d), y(w)) if w is not None else None for d, _, w in points])
    if worker_path:
        out.append(
            f'<path class="kw-chart-line kw-chart-line--worker" d="{worker_path}" fill="none" '
            f'stroke="{WORKER_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>'
        )
    if client_path:
        out.append(
            f'<path class="kw-chart-line kw-chart-line--client" d="{client_path}" fill="none" '
            f'stroke="{CLIENT_COLOUR}" stroke-width="2"/>'
        )
    for day, value in worker_values:
        out.append(
            f'<rect class="kw-chart-point kw-chart-point--worker" data-date="{day.isoformat()}" data-value="{value}" '
            f'x="{x(day) - 4:.1f}" y="{y(value) - 4:.1f}" width="8" height="8" fill="#ffffff" '
            f'stroke="{WORKER_COLOUR}" stroke-width="2"/>'
        )
    for day, value in client_values:
        out.append(
            f'<circle class="kw-chart-point kw-chart-point--client" data-date="{day.isoformat()}" '
            f'data-value="{value}" cx="{x(day):.1f}" cy="{y(value):.1f}" r="3.5" fill="{CLIENT_COLOUR}"/>'
        )
    out.append("</svg>")
    # Every piece of text in it went through html.escape above; the rest is our own markup.
    return Markup("".join(out))  # noqa: S704
