"""The release plan's rules: the catalogue, due dates, the countdown (examples and properties, no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from keyworker.casework.models import Pathway
from keyworker.custody.models import SETTLED_NEED_STATUSES, NeedStatus
from keyworker.custody.rules import (
    CATALOGUE,
    OTHER_NEED,
    countdown,
    countdown_words,
    due_on,
    is_behind,
    plan_for,
    redated,
)

TODAY = dt.date(2026, 11, 27)


@dataclass(frozen=True)
class Need:
    status: str
    due_on: dt.date | None
    pathway: str


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31))
needs = st.builds(
    Need,
    status=st.sampled_from(NeedStatus.values),
    due_on=st.none() | dates,
    pathway=st.sampled_from(Pathway.values),
)


# ----------------------------------------------------------------------------------------------- examples


def test_the_catalogue_covers_the_seven_pathways_once_per_key():
    assert {t.pathway for t in CATALOGUE} == set(Pathway.values)
    keys = [t.key for t in CATALOGUE]
    assert len(keys) == len(set(keys)) and OTHER_NEED not in keys
    assert all(len(t.key) <= 40 and len(t.title) <= 200 and t.days_before >= 0 for t in CATALOGUE)
    titles = " ".join(t.title for t in CATALOGUE)
    for words in ("first night", "Prescription", "GP", "ID documents", "Bank account", "Universal Credit", "Probation"):
        assert words in titles


def test_a_plan_counts_back_from_the_release():
    release = dt.date(2026, 12, 18)
    plan = {p.key: p for p in plan_for(release)}
    assert plan["first_night"].due_on == dt.date(2026, 12, 4)  # two weeks before
    assert plan["prescription"].due_on == dt.date(2026, 12, 15)
    assert plan["housing"].due_on == dt.date(2026, 11, 20)
    assert all(p.due_on is None for p in plan_for(None))


def test_countdown_in_words():
    assert countdown_words(None) == "No release date recorded"
    assert countdown_words(0) == "Release is today"
    assert countdown_words(1) == "1 day to release"
    assert countdown_words(21) == "21 days to release"
    assert countdown_words(-1) == "Release date passed 1 day ago"
    assert countdown_words(-3) == "Release date passed 3 days ago"


def test_countdown_marks_open_needs_past_their_date_as_behind():
    late = Need(NeedStatus.IN_PROGRESS, TODAY - dt.timedelta(days=1), Pathway.HEALTH)
    due_today = Need(NeedStatus.NOT_STARTED, TODAY, Pathway.HEALTH)
    met_late = Need(NeedStatus.MET, TODAY - dt.timedelta(days=9), Pathway.FINANCE)
    result = countdown(TODAY + dt.timedelta(days=15), TODAY, [late, due_today, met_late])
    assert result.days_to_go == 15 and result.weeks_to_go == 2 and result.words == "15 days to release"
    assert result.behind == [late]
    assert (result.open, result.total) == (2, 3)
    progress = {p.pathway: (p.open, p.total) for p in result.by_pathway}
    assert progress[Pathway.HEALTH] == (2, 2) and progress[Pathway.FINANCE] == (0, 1)
    assert progress[Pathway.FAMILY] == (0, 0)
    assert result.by_pathway[0].label == "Accommodation"


def test_moving_the_release_redates_needs():
    old, new = dt.date(2026, 12, 18), dt.date(2027, 1, 8)
    assert redated("first_night", dt.date(2026, 12, 4), old, new) == dt.date(2026, 12, 25)
    assert redated("gp", dt.date(2026, 12, 11), old, None) is None
    # a need written for the person keeps its distance from the release
    assert redated(OTHER_NEED, dt.date(2026, 12, 1), old, new) == dt.date(2026, 12, 22)
    assert redated(OTHER_NEED, None, old, new) is None
    # and is never left due after an earlier release
    assert redated(OTHER_NEED, dt.date(2026, 12, 10), None, dt.date(2026, 12, 5)) == dt.date(2026, 12, 5)


# --------------------------------------------------------------------------------------------- properties


@given(release=dates)
def test_due_dates_are_never_after_release(release):
    assert all(p.due_on is not None and p.due_on <= release for p in plan_for(release))


@given(
    key=st.sampled_from([*(t.key for t in CATALOGUE), OTHER_NEED]),
    current=st.none() | dates,
    old=st.none() | dates,
    new=dates,
)
def test_redated_needs_are_never_due_after_the_new_release(key, current, old, new):
    result = redated(key, current, old, new)
    assert result is None or result <= new


@given(release=st.none() | dates, today=dates, items=st.lists(needs, max_size=30))
def test_countdown_counts_add_up(release, today, items):
    result = countdown(release, today, items)
    assert result.total == len(items) == sum(p.total for p in result.by_pathway)
    assert result.open == sum(p.open for p in result.by_pathway)
    assert result.open == sum(1 for n in items if n.status not in SETTLED_NEED_STATUSES)
    assert [p.pathway for p in result.by_pathway] == list(Pathway.values)
    assert all(0 <= p.open <= p.total for p in result.by_pathway)
    if release is None:
        assert result.days_to_go is None and result.weeks_to_go is None
    else:
        assert result.days_to_go == (release - today).days
        assert result.weeks_to_go * 7 <= result.days_to_go < (result.weeks_to_go + 1) * 7


@given(today=dates, items=st.lists(needs, max_size=30))
def test_a_settled_need_is_never_behind(today, items):
    result = countdown(None, today, items)
    assert all(n.status not in SETTLED_NEED_STATUSES for n in result.behind)
    assert len(result.behind) <= result.open
    for need in items:
        if need.status in SETTLED_NEED_STATUSES:
            assert not is_behind(need, today)
        else:
            assert is_behind(need, today) == (need.due_on is not None and need.due_on < today)


@given(release=dates, days_before=st.integers(min_value=-10, max_value=400))
def test_due_on_never_after_release(release, days_before):
    try:
        result = due_on(release, days_before)
    except OverflowError:
        return  # before year 1: no such date
    assert result is not None and result <= release
