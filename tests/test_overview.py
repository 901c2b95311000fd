"""profiles.analyses.overview: headline figures, change on the previous period, trends, plain summary."""
from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

# known answers of the arithmetic on released figures: exact figures (see conftest)
pytestmark = pytest.mark.usefixtures("exact_release")

from profiles import store
from profiles.release.audiences import get_policy
from data_contracts.periods import (next_start, period_ends, period_label, period_start,
                                    period_starts, previous_start)
from profiles.analyses.overview import Headline, OverviewError, overview
from profiles.release.api import ReleaseError, release_counts

D = dt.date


@pytest.mark.parametrize("day, period, start, before, after, label", [
    (D(2026, 10, 28), "week", D(2026, 10, 26), D(2026, 10, 19), D(2026, 11, 2),
     "week of 26 Oct 2026"),
    (D(2026, 1, 15), "month", D(2026, 1, 1), D(2025, 12, 1), D(2026, 2, 1), "January 2026"),
    (D(2026, 12, 31), "quarter", D(2026, 10, 1), D(2026, 7, 1), D(2027, 1, 1), "Q4 2026"),
    (D(2026, 2, 9), "week", D(2026, 2, 9), D(2026, 2, 2), D(2026, 2, 16), "week of 9 Feb 2026"),
], ids=["week", "month-over-year-end", "quarter-over-year-end", "monday-single-digit"])
def test_period_arithmetic(day, period, start, before, after, label):
    assert period_start(day, period) == start
    assert previous_start(start, period) == before
    assert next_start(start, period) == after
    assert period_label(start, period) == label


def test_unknown_period_is_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match=r"period= must be one of week, month, quarter, year, "
                                         r"all, not 'fortnight'"):
        period_start(D(2026, 1, 1), "fortnight")
    with pytest.raises(OverviewError, match=r"period= must be one of week, month, quarter, "
                                            r"not 'year'"):
        overview(store.connect(":memory:"), "partnership", period="year")


@pytest.mark.parametrize("period", ["week", "month", "quarter", "year"])
def test_one_calendar_for_dates_and_arrays_of_days(period):
    """The scalar steps agree with the release layer's array arithmetic on every Monday of
    three years, and a year and short labels read as charts want them."""
    mondays = [D(2025, 1, 6) + dt.timedelta(days=7 * i) for i in range(156)]
    days = np.array([(m - D(1970, 1, 1)).days for m in mondays])
    starts = period_starts(days, period)
    assert [period_start(m, period) for m in mondays] == \
        [D(1970, 1, 1) + dt.timedelta(days=int(s)) for s in starts]
    ends = period_ends(starts, period)
    assert [next_start(m, period) for m in mondays] == \
        [D(1970, 1, 1) + dt.timedelta(days=int(e) + 1) for e in ends]
    assert period_label(D(2026, 1, 1), "year") == "2026"
    assert period_label(D(2026, 10, 5), "week", short=True) == "05 Oct 2026"
    assert period_label(D(2026, 10, 1), "month", short=True) == "Oct 2026"


@pytest.mark.parametrize("current, previous, steady, words", [
    (120, 80, False, "X: 120 events in Oct, up 40 (+50%) on Sep."),
    (20, 15, True, "X: 20 events in Oct, up 5 (+33%) on Sep — a change this small is within "
                   "normal variation."),
    (0, 0, True, "X: 0 events in Oct, as in Sep."),
    (10, 0, False, "X: 10 events in Oct, against none shown in Sep."),
    (35, 35, True, "X: 35 events in Oct, the same as in Sep."),
    (50, 100, False, "X: 50 events in Oct, down 50 (-50%) on Sep."),
], ids=["rise", "noise", "zeros", "from-none", "same", "fall"])
def test_headline_words_and_noise_rule(current, previous, steady, words):
    h = Headline("on_street", "X", "events", current, previous)
    assert h.steady is steady
    assert h.words("Oct", "Sep") == words


def test_a_headline_shown_only_over_longer_periods_does_not_say_zero():
    h = Headline("harm_reports", "Harm reports", "reports", 0, 0, shown_longer=True)
    words = h.words("Oct", "Sep")
    assert "0 reports" not in words and words.startswith("Harm reports: none shown in Oct")
    assert "only over longer periods" in words


def test_headline_names_unequal_weeks():
    h = Headline("on_street", "X", "events", 50, 40, current_weeks=5, previous_weeks=4)
    assert h.words("Oct", "Sep").endswith("(five weeks of data against four).")


@pytest.mark.parametrize("audience, period, current, previous", [
    ("partnership", "month", D(2026, 10, 1), D(2026, 9, 1)),
    ("analyst", "quarter", D(2026, 7, 1), D(2026, 4, 1)),
], ids=["partnership-month", "analyst-quarter"])
def test_headlines_are_sums_of_released_counts(demo_con, audience, period, current, previous):
    ov = overview(demo_con, audience, period=period)
    assert (ov.current_start, ov.previous_start) == (current, previous)
    for h in ov.headlines:
        frame = release_counts(demo_con, audience, h.feed, period=period,
                               start=previous, end=None).frame
        frame = frame[frame["period_grain"] == period]  # longer-period figures fit no period
        by_period = frame.groupby("period_start")["count"].sum()
        assert h.current == int(by_period.get(current, 0))
        assert h.previous == int(by_period.get(previous, 0))
    assert ov.headline("on_street").previous > 0
    if audience == "partnership":
        numbers = [v for h in ov.headlines for v in (h.current, h.previous, h.change)]
        assert all(v % 5 == 0 for v in numbers)


def test_weekly_figures_for_the_partnership_are_shown_by_the_week(demo_con):
    """The picture over time: the force's weeks are their own units, so a week's headline is
    a week's figure (0.3 pooled them into quarters and showed nothing), never pooled over a
    longer period."""
    ov = overview(demo_con, "partnership", period="week")
    assert not ov.mostly_pooled and not ov.pooled
    for feed in ("on_street", "outreach_contacts", "community_concerns"):
        h = ov.headline(feed)
        assert h.current >= 5 and h.previous >= 5 and not h.shown_longer
    assert not any(line.startswith("Most of the figures for ") for line in ov.summary)


def test_trend_covers_whole_periods_of_the_range_and_matches_the_headlines(demo_con):
    ov = overview(demo_con, "partnership", period="month", start=D(2026, 5, 11),
                  end=D(2026, 10, 26))
    on_street = ov.trends[ov.trends["feed"] == "on_street"].set_index("period_start")["count"]
    assert list(on_street.index) == [D(2026, m, 1) for m in range(5, 11)]
    assert on_street[D(2026, 10, 1)] == ov.headline("on_street").current
    assert on_street[D(2026, 9, 1)] == ov.headline("on_street").previous


def test_an_incomplete_last_period_is_left_out_of_the_comparison(demo_con):
    ov = overview(demo_con, "partnership", period="quarter")
    assert (ov.current_label, ov.previous_label) == ("Q3 2026", "Q2 2026")
    assert ov.partial_start == D(2026, 10, 1) and ov.partial_weeks == 4
    assert any(line.startswith("Q4 2026 is not complete yet (four weeks of data)")
               for line in ov.summary)
    assert D(2026, 10, 1) in set(ov.trends["period_start"])


def test_summary_is_plain_words_one_line_per_feed(demo_con):
    ov = overview(demo_con, "partnership", period="month")
    assert ov.summary[0].startswith("On-street activity: ")
    assert len([s for s in ov.summary if " in October 2026" in s]) == len(ov.headlines)
    assert ov.summary[-1].startswith("These are released totals")
    assert ov.statement.startswith("OFFICIAL-SENSITIVE.")


def test_only_feeds_the_audience_may_see_are_shown(demo_con):
    narrow = dataclasses.replace(get_policy("partnership"), name="narrow",
                                 feeds=("on_street", "outreach_contacts"))
    ov = overview(demo_con, narrow, period="month")
    assert [h.feed for h in ov.headlines] == ["on_street", "outreach_contacts"]
    with pytest.raises(KeyError, match="no headline for feed 'harm_reports'; shown: on_street, "
                                       "outreach_contacts"):
        ov.headline("harm_reports")


def test_an_area_narrows_the_figures(demo_con):
    whole = overview(demo_con, "analyst", period="quarter")
    ward = overview(demo_con, "analyst", period="quarter", area="Ashcombe Ward (synthetic)")
    assert 0 < ward.headline("on_street").previous < whole.headline("on_street").previous
    with pytest.raises(ReleaseError, match="unknown area 'Atlantis'"):
        overview(demo_con, "analyst", area="Atlantis")


def test_empty_store_says_nothing_is_loaded(empty_db):
    con, _, _ = empty_db
    ov = overview(con, "partnership", period="week")
    assert ov.empty and ov.headlines == [] and ov.trends.empty
    assert ov.summary == ["Nothing has been loaded for this area and range yet."]
