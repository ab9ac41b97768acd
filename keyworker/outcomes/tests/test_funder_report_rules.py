"""The pure rules that keep a funder report from identifying anyone: suppression, percentages, relative rates."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from keyworker.funding.reports import suppress
from keyworker.outcomes.reports.charts import bar_chart_svg
from keyworker.outcomes.reports.funder import (
    NOT_SHOWN,
    FunderFigures,
    GroupFigure,
    TargetFigure,
    funder_report_from,
    hidden_cells,
    percent_text,
    relative_rate,
    shown_counts,
)
from keyworker.outcomes.reports.shape import SUPPRESSED, FunderReport, ReportTable

counts = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=9)


@given(counts, st.booleans())
def test_nothing_under_5_survives(values: list[int], partition: bool) -> None:
    for n, shown in zip(values, shown_counts(values, partition=partition), strict=True):
        assert shown == SUPPRESSED or (isinstance(shown, int) and shown >= 5 and shown == n)


@given(counts)
def test_a_partition_never_has_exactly_one_hidden_cell(values: list[int]) -> None:
    hidden = hidden_cells(values, partition=True)
    assert sum(hidden) != 1 or len(values) == 1


@given(counts, st.sets(st.integers(min_value=0, max_value=8)))
def test_forced_cells_are_hidden_and_still_never_alone(values: list[int], forced: set[int]) -> None:
    forced = {i for i in forced if i < len(values)}
    hidden = hidden_cells(values, partition=True, forced=forced)
    assert all(hidden[i] for i in forced)
    assert sum(hidden) != 1 or len(values) == 1


@given(counts)
def test_the_partner_cell_is_the_next_smallest(values: list[int]) -> None:
    hidden = hidden_cells(values, partition=True)
    small = [i for i, n in enumerate(values) if n < 5]
    if len(small) == 1 and len(values) > 1:
        partner = [i for i, h in enumerate(hidden) if h and i not in small]
        assert len(partner) == 1
        assert values[partner[0]] == min(n for i, n in enumerate(values) if i not in small)


@given(st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=8))
def test_the_capacity_report_still_shows_zeros(values: list[int]) -> None:
    # Generalising suppress kept the capacity report's behaviour: zero shows, 1 to 4 is hidden.
    cells = suppress([(str(i), n) for i, n in enumerate(values)], partition=False)
    for n, (_, cell) in zip(values, cells, strict=True):
        assert cell.suppressed == (0 < n < 5)


@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60))
def test_a_relative_rate_shows_only_when_every_count_is_5_or_more(a: int, n: int, b: int, m: int) -> None:
    rate = relative_rate(a, n, b, m)
    if min(a, n, b, m) < 5:
        assert rate is None
    else:
        assert rate == round((a / n) / (b / m), 2)


def test_relative_rate_examples() -> None:
    assert relative_rate(10, 20, 30, 60) == 1.0
    assert relative_rate(5, 20, 30, 60) == 0.5
    assert relative_rate(4, 20, 30, 60) is None


@given(st.integers(0, 60), st.integers(0, 60), st.booleans())
def test_a_percentage_needs_both_counts_5_or_more(num: int, den: int, hidden: bool) -> None:
    text = percent_text(num, min(num, den) if den else num, hidden=hidden)
    if hidden or num < 5:
        assert text == NOT_SHOWN


group = st.builds(
    lambda label, people, engaged, achieved: GroupFigure(label, people, min(engaged, people), min(achieved, people)),
    st.sampled_from(["White", "Black", "Asian", "Mixed", "Other", "Not recorded", "Prefers not to say"]),
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 30),
)


def _figures(groups: list[GroupFigure], pairs: list[int]) -> FunderFigures:
    labelled = [(f"Group {i}", n) for i, n in enumerate(pairs)]
    people = sum(g.people for g in groups)
    return FunderFigures(
        funder="Example Trust",
        stream="Young Londoners",
        since=dt.date(2026, 1, 1),
        until=dt.date(2026, 3, 31),
        people=people,
        referred=pairs[0],
        newly_funded=pairs[-1],
        engaged=sum(g.engaged for g in groups),
        active_at_end=pairs[0],
        closed=sum(pairs),
        closures=labelled,
        contacts=[(label, n, n * 30) for label, n in labelled],
        targets=[TargetFigure("engaged", "People engaged", 20, pairs[0], pairs[-1])],
        unfunded_people=pairs[0],
        unfunded_contacts=pairs[-1],
        unfunded_minutes=90,
        age=labelled,
        gender=labelled,
        ethnicity=labelled,
        area=labelled,
        by_ethnicity=[GroupFigure(f"{g.label} {i}", g.people, g.engaged, g.achieved) for i, g in enumerate(groups)],
        by_gender=groups[:1],
    )


def _check_rates(table: ReportTable) -> None:
    """A rate beside a hidden count, or a count under 5, would give it away."""
    for row in table.rows:
        people, engaged, achieved = row[1], row[2], row[4]
        if SUPPRESSED in (people, engaged):
            assert row[3] == NOT_SHOWN and row[6] == NOT_SHOWN
        if SUPPRESSED in (people, achieved):
            assert row[5] == NOT_SHOWN and row[7] == NOT_SHOWN
        # Nor may a shown count leave 1 to 4 people of its group over (16 people, 15 engaged: one did not).
        for outcome in (engaged, achieved):
            if isinstance(people, int) and isinstance(outcome, int):
                assert people - outcome == 0 or people - outcome >= 5, row


@given(st.lists(group, min_size=1, max_size=7), st.lists(st.integers(0, 30), min_size=1, max_size=6))
def test_every_count_cell_of_every_table_is_5_or_more_or_hidden(groups: list[GroupFigure], pairs: list[int]) -> None:
    report = funder_report_from(_figures(groups, pairs), generated_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    for table in report.tables:
        for row in table.rows:
            for column in table.count_columns:
                assert row[column] == SUPPRESSED or (isinstance(row[column], int) and row[column] >= 5)
        if table.key.startswith("disproportionality"):
            _check_rates(table)
        if table.chart:
            svg = str(bar_chart_svg(table))
            assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and " style=" not in svg
    assert FunderReport.from_json(report.to_json()) == report
