"""Bar charts of a funder report's tables, drawn as inline SVG by plain Python (as the reading chart in
keyworker/outcomes/charts.py is): nothing fetched, no script, and only SVG presentation attributes, never a
style attribute, so the Content-Security-Policy stays strict and WeasyPrint draws the same SVG in the PDF.

One horizontal bar per row, its label above it (labels are long: census groups, measures). A hidden count is
drawn as no bar and labelled "suppressed", never as a zero. The SVG is an image with a <title> and a <desc>
that says every figure in words; the table beside it shows the same numbers.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from keyworker.outcomes.charts import WORKER_COLOUR as BAR_COLOUR  # GOV.UK link blue
from keyworker.outcomes.reports.shape import SUPPRESSED, ReportTable

__all__ = ["bar_chart_svg"]

WIDTH = 600
LEFT, RIGHT = 4, WIDTH - 70  # room after the longest bar for its number
ROW = 42  # label line, then the bar
BAR = 16
TOP = 6
TEXT_COLOUR = "#0b0c0c"  # GOV.UK text black
AXIS_COLOUR = "#b1b4b6"  # GOV.UK mid grey


def _describe(table: ReportTable) -> str:
    parts = []
    for row in table.rows:
        value = row[1]
        parts.append(f"{row[0]}: {value if value == SUPPRESSED else f'{value:,}' if isinstance(value, int) else value}")
    measure = table.header[1].lower() if len(table.header) > 1 else "count"
    return f"Bar chart of {measure} by {table.header[0].lower()}. " + "; ".join(parts) + "."


def bar_chart_svg(table: ReportTable) -> Markup:
    """An accessible bar chart of column 1 (the count) by column 0 (the label) of `table`."""
    chart_id = escape(f"chart-{table.key}")
    counts = [row[1] for row in table.rows]
    largest = max((n for n in counts if isinstance(n, int)), default=0)
    height = TOP + ROW * len(table.rows) + 6
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kw-chart kw-bar-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" font-family="system-ui, sans-serif" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(table.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(table))}</desc>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{height - 4}" stroke="{AXIS_COLOUR}" stroke-width="1"/>',
    ]
    for index, row in enumerate(table.rows):
        top = TOP + index * ROW
        label, value = str(row[0]), row[1]
        out.append(f'<text x="{LEFT + 6}" y="{top + 13}" font-size="13" fill="{TEXT_COLOUR}">{escape(label)}</text>')
        bar_top = top + 19
        if isinstance(value, int) and largest > 0:
            length = max(value / largest * (RIGHT - LEFT), 1.0)
            out.append(
                f'<rect class="kw-bar" data-label="{escape(label)}" data-value="{value}" x="{LEFT}" y="{bar_top}" '
                f'width="{length:.1f}" height="{BAR}" fill="{BAR_COLOUR}"/>'
            )
            out.append(
                f'<text x="{LEFT + length + 6:.1f}" y="{bar_top + 12}" font-size="13" font-weight="bold" '
                f'fill="{TEXT_COLOUR}">{value:,}</text>'
            )
        else:
            # No bar: a hidden count must not look like a zero or a size.
            out.append(
                f'<text class="kw-bar-suppressed" data-label="{escape(label)}" x="{LEFT + 6}" y="{bar_top + 12}" '
                f'font-size="13" font-style="italic" fill="{TEXT_COLOUR}">{escape(str(value))}</text>'
            )
    out.append("</svg>")
    # Every piece of text in it went through html.escape above; the rest is our own markup.
    return Markup("".join(out))  # noqa: S704
