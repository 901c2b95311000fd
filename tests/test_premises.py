"""Tests for profiles.analyses.premises: the category rubric, responses, and the released trend."""
from __future__ import annotations

import datetime as dt

import h3
import pandas as pd
import pytest

# known answers of the arithmetic on released figures: exact figures (see conftest)
pytestmark = pytest.mark.usefixtures("exact_release")

from data_contracts.premises_rubric import CATEGORIES, RESPONSES, categorise
from profiles.analyses.premises import premises_trend
from profiles.release.api import ReleaseError

# Cells in the open sea north of the synthetic town (never a real place), 33 km apart, so the
# release's roll-up never pools two of them into one larger hexagon.
X, Y, Z = (h3.latlng_to_cell(54.5 + i * 0.3, 1.0, 9) for i in range(1, 4))
Q1, Q2 = dt.date(2025, 1, 1), dt.date(2025, 4, 1)


@pytest.mark.parametrize("indicators, expected", [
    ({"under_18": True, "community_impact": True}, "risk"),
    ({"trafficking": True}, "risk"),
    ({"coercion": True}, "risk"),
    ({"drugs": True}, "nuisance"),
    ({"community_impact": True}, "nuisance"),
    ({"community_impact": False}, "non-nuisance"),
], ids=["under-18-beats-impact", "trafficking", "coercion", "drugs", "impact", "none"])
def test_rubric(indicators, expected):
    assert categorise(indicators) == expected


def put(con, cell, week, n, category):
    """Insert premises assessments (no premises keys: each counts as one premises)."""
    con.execute("INSERT INTO facts VALUES ('premises', CAST(? AS UBIGINT), ?, 0, 'unknown', ?, "
                "'flat', ?, 0, 1)", [h3.str_to_int(cell), week, category, n])


@pytest.fixture
def con(empty_db):
    con, _, _ = empty_db
    put(con, X, "2025-01-06", 4, "non-nuisance")
    put(con, Y, "2025-02-03", 3, "risk")
    put(con, Z, "2025-03-03", 2, "nuisance")        # below every threshold: never shown
    put(con, X, "2025-04-07", 5, "non-nuisance")
    put(con, Y, "2025-05-05", 6, "risk")
    put(con, Z, "2025-05-05", 2, "risk")            # a second risk cell, too small to show
    return con


def test_trend_by_category_for_the_analyst(con):
    trend = premises_trend(con, "analyst")
    table = trend.table.set_index(["period_start", "category"])["count"]
    assert trend.table.columns.tolist() == ["period_start", "category", "count"]
    assert table.to_dict() == {(Q1, "non-nuisance"): 4, (Q1, "nuisance"): 0, (Q1, "risk"): 3,
                               (Q2, "non-nuisance"): 5, (Q2, "nuisance"): 0, (Q2, "risk"): 8}
    # the force's May holds both risk cells: 6 + 2 = 8 premises, 8 people (the 2 alone, in
    # its own hexagon, is never shown)
    assert trend.totals == {"non-nuisance": 9, "nuisance": 0, "risk": 11}
    assert trend.responses == RESPONSES and set(trend.responses) == set(CATEGORIES)
    assert "Risk premises: 3 in the quarter from 2025-01-01 and 8 in the quarter from " \
           "2025-04-01" in trend.summary


def test_trend_for_the_partnership_is_rounded_and_thresholded(con):
    trend = premises_trend(con, "partnership", period="month")
    counts = trend.table["count"]
    assert ((counts == 0) | ((counts >= 5) & (counts % 5 == 0))).all()
    by = trend.table.set_index(["period_start", "category"])["count"]
    assert by[(dt.date(2025, 4, 1), "non-nuisance")] == 5
    assert by[(dt.date(2025, 5, 1), "risk")] == 10             # 6 + 2 = 8 rounds to 10
    assert by[(dt.date(2025, 1, 1), "non-nuisance")] == 0      # 4 is not shown
    assert len(trend.table) == 5 * len(CATEGORIES)             # Jan..May, every category


def test_trend_never_lists_premises_or_cells(con):
    trend = premises_trend(con, "analyst", period="all")
    assert not {"h3_id", "cell", "detail"} & set(trend.table.columns)
    assert trend.table["count"].tolist() == [9, 0, 9]   # hexagons: the lone 2 is hidden


def test_trend_says_when_nothing_can_be_shown(empty_db):
    con, _, _ = empty_db
    put(con, X, "2025-01-06", 2, "risk")
    trend = premises_trend(con, "partnership")
    assert trend.table["count"].sum() == 0
    assert "No premises assessments can be shown" in trend.summary


def test_trend_refuses_an_unknown_period(con):
    with pytest.raises(ReleaseError, match="period= must be one of"):
        premises_trend(con, "analyst", period="fortnight")


def test_trend_dates_filter(con):
    trend = premises_trend(con, "analyst", start="2025-04-01")
    assert trend.table["period_start"].unique().tolist() == [Q2]
    assert isinstance(trend.table, pd.DataFrame)
