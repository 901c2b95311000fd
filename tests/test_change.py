"""Tests for profiles.analyses.change: before/after change per cell and area, trends, common cells."""
from __future__ import annotations

import datetime as dt

import h3
import numpy as np
import pandas as pd
import pytest

# known answers of the arithmetic on released figures: exact figures (see conftest)
pytestmark = pytest.mark.usefixtures("exact_release")

from profiles.analyses.change import (NOTE_NONE_AFTER, NOTE_NONE_BEFORE, NOTE_NOT_COMPARABLE, NOTE_PART,
                             NOTE_SMALL, ChangeError, change_by_cell, change_periods,
                             hexagons_side_by_side)
from profiles.release.api import ReleaseError

# Cells in the open sea north of the synthetic town (never a real place), 33 km apart, so the
# release's roll-up never pools two of them into one larger hexagon.
CENTRE = h3.latlng_to_cell(54.5, 1.0, 9)
A, B, C, D, E = (h3.latlng_to_cell(54.5 + i * 0.3, 1.0, 9) for i in range(1, 6))
BEFORE = ("2025-01-06", "2025-03-31")
AFTER = ("2025-04-07", "2025-06-30")


def put(con, feed, cell, week, n, category="x"):
    """Insert one aggregated fact (no subject keys, so the release counts n as people)."""
    con.execute("INSERT INTO facts VALUES (?, CAST(? AS UBIGINT), ?, 0, 'night', ?, 'x', ?, 0, 1)",
                [feed, h3.str_to_int(cell), week, category, n])


@pytest.fixture
def con(empty_db):
    con, _, _ = empty_db
    # analyst: threshold 3, resolution 9, no rounding; "small" is below 6.
    for cell, before, after in ((A, 10, 30),   # readable rise
                                (B, 0, 12),    # nothing before
                                (C, 4, 5),     # both small
                                (D, 2, 2),     # suppressed both sides
                                (E, 8, 2)):    # suppressed after
        if before:
            put(con, "on_street", cell, "2025-02-03", before)
        if after:
            put(con, "on_street", cell, "2025-05-05", after)
    return con


def test_change_by_cell_known_answer(con):
    result = change_by_cell(con, "analyst", "on_street", before=BEFORE, after=AFTER)
    cells = result.cells.set_index("h3_id")
    assert set(cells.index) == {A, B, C, E}            # D is shown on neither side
    assert cells.loc[A, ["before", "after", "change"]].tolist() == [10, 30, 20]
    assert cells.loc[A, "pct_change"] == 200.0 and cells.loc[A, "note"] is None
    assert cells.loc[B, ["before", "after", "change"]].tolist() == [0, 12, 12]
    assert cells.loc[B, "pct_change"] is None and cells.loc[B, "note"] == NOTE_NONE_BEFORE
    assert cells.loc[C, "note"] == NOTE_SMALL and cells.loc[C, "pct_change"] == 25.0
    assert cells.loc[E, ["before", "after"]].tolist() == [8, 0]
    assert cells.loc[E, "note"] == NOTE_NONE_AFTER
    # area totals are sums of released values only (D's 2s and E's after-2 are not in them)
    assert (result.area_before, result.area_after, result.area_change) == (22, 47, 25)
    assert result.area_pct_change == pytest.approx(113.6)
    assert result.area_note is None and result.small_below == 6
    # largest change first
    assert cells.index[0] == A
    assert "22 in 2025-01-06 to 2025-03-31 and 47" in result.summary
    assert "a rise of 25 (+114%)" in result.summary


def test_small_note_uses_twice_the_partnership_threshold(empty_db):
    con, _, _ = empty_db
    put(con, "on_street", A, "2025-02-03", 6)    # rounds to 5: small (< 10)
    put(con, "on_street", A, "2025-05-05", 8)    # rounds to 10: not small
    put(con, "on_street", B, "2025-02-03", 7)    # 5 before, 5 after: both small
    put(con, "on_street", B, "2025-05-05", 6)
    result = change_by_cell(con, "partnership", "on_street", before=BEFORE, after=AFTER)
    cells = result.cells.set_index("h3_id")
    parent_a, parent_b = h3.cell_to_parent(A, 8), h3.cell_to_parent(B, 8)
    assert cells.loc[parent_a, ["before", "after"]].tolist() == [5, 10]
    assert cells.loc[parent_a, "note"] is None
    assert cells.loc[parent_b, "note"] == NOTE_SMALL
    assert result.small_below == 10
    assert (cells["resolution"] == 8).all()


def test_area_note_when_both_totals_small(empty_db):
    con, _, _ = empty_db
    put(con, "on_street", A, "2025-02-03", 3)
    put(con, "on_street", A, "2025-05-05", 4)
    result = change_by_cell(con, "analyst", "on_street", before=BEFORE, after=AFTER)
    assert (result.area_before, result.area_after) == (3, 4)
    assert result.area_note == NOTE_SMALL
    assert NOTE_SMALL in result.summary


def test_zero_before_area_has_no_percentage(empty_db):
    con, _, _ = empty_db
    put(con, "on_street", A, "2025-05-05", 40)
    result = change_by_cell(con, "analyst", "on_street", before=BEFORE, after=AFTER)
    assert result.area_pct_change is None
    assert "from none shown before" in result.summary


def test_area_filter_and_unequal_ranges_note(con):
    con.execute("INSERT INTO areas VALUES (1, 'Test Ward (synthetic)', 'ward', 1)")
    con.execute("INSERT INTO area_cells VALUES (1, CAST(? AS UBIGINT))", [h3.str_to_int(A)])
    result = change_by_cell(con, "analyst", "on_street", before=("2025-01-06", "2025-01-31"),
                            after=AFTER, area="Test Ward (synthetic)")
    assert result.cells["h3_id"].tolist() == [A]
    assert result.area == "Test Ward (synthetic)"
    assert any("differ in length" in n for n in result.notes)


@pytest.mark.parametrize("before, after, match", [
    (("2025-03-01", "2025-01-01"), AFTER, r"before= starts on 2025-03-01, after its end"),
    ("2025-01-01", AFTER, r"before= must be a \(start, end\) pair of dates"),
    (("2025-01-01", "soon"), AFTER, r"before= holds something that is not a date"),
    (BEFORE, ("2025-03-01", "2025-06-30"), r"overlap; give two separate ranges"),
], ids=["reversed", "not-a-pair", "not-a-date", "overlap"])
def test_change_refuses_bad_ranges(con, before, after, match):
    with pytest.raises(ChangeError, match=match):
        change_by_cell(con, "analyst", "on_street", before=before, after=after)


def test_change_refuses_unknown_area(con):
    with pytest.raises(ReleaseError, match="unknown area 'Nowhere'"):
        change_by_cell(con, "analyst", "on_street", before=BEFORE, after=AFTER, area="Nowhere")


def test_change_periods_trend(empty_db):
    con, _, _ = empty_db
    # January: 4 Mondays loaded of 4; February: all 4; March: 2 of 5 (part period).
    for week, n in (("2025-01-06", 5), ("2025-01-13", 5), ("2025-01-20", 5), ("2025-01-27", 5),
                    ("2025-02-03", 10), ("2025-02-10", 10), ("2025-02-17", 10),
                    ("2025-02-24", 10), ("2025-03-03", 3), ("2025-03-10", 1)):
        put(con, "on_street", A, week, n)
    trend = change_periods(con, "analyst", "on_street", period="month")
    assert trend["period_start"].tolist() == [dt.date(2025, 1, 1), dt.date(2025, 2, 1),
                                              dt.date(2025, 3, 1)]
    # March: its week of 3, and its week of 1 (too small to show) counted as the fixed
    # estimate 1 (the same whatever that week holds); the 1 itself is never shown
    assert trend["count"].tolist() == [20, 40, 4]
    assert trend["change"].isna().tolist() == [True, False, False]
    assert trend["change"].tolist()[1:] == [20, -36]
    assert trend["pct_change"].tolist() == [None, 100.0, -90.0]
    assert trend["note"].tolist() == [None, None, NOTE_PART]
    assert trend.attrs["longer"] == 0
    weekly = change_periods(con, "analyst", "on_street", period="week")
    assert len(weekly) == 10
    assert weekly["count"].tolist()[-2:] == [3, 0]  # the week of 1 is not shown
    assert weekly["note"].tolist()[-1] == NOTE_SMALL


def test_change_periods_refuses_all(con):
    with pytest.raises(ChangeError, match="period= must be one of week, month, quarter, year "
                                          "for a trend"):
        change_periods(con, "analyst", "on_street", period="all")


def test_a_months_small_weeks_count_as_a_fixed_estimate_never_their_value(empty_db):
    con, _, _ = empty_db
    put(con, "on_street", A, "2025-01-06", 10)
    for week in ("2025-01-13", "2025-02-10", "2025-03-10"):   # 1 a month: never shown
        put(con, "on_street", B, week, 1)
    trend = change_periods(con, "analyst", "on_street", period="month")
    # January is its week of 10 plus 1 for its small week; February and March hold only
    # one person each, so they are not shown
    assert trend["count"].tolist() == [11, 0, 0]
    con.execute("UPDATE facts SET n = 2 WHERE week = DATE '2025-01-13'")
    from profiles.release import clear_release_cache
    clear_release_cache()
    again = change_periods(con, "analyst", "on_street", period="month")
    assert again["count"].tolist() == [11, 0, 0]   # the small week's value changes nothing


def test_a_rolled_up_hexagon_is_compared_only_like_for_like(empty_db):
    con, _, _ = empty_db
    parent = h3.cell_to_parent(A, 8)
    k1, k2 = sorted(h3.cell_to_children(parent, 9))[:2]
    put(con, "on_street", k1, "2025-02-03", 2)      # 2 + 1: shown only as the res-8 parent
    put(con, "on_street", k2, "2025-02-10", 1)
    put(con, "on_street", k1, "2025-05-05", 10)     # after: shown at the cell itself
    put(con, "on_street", B, "2025-02-03", 9)
    put(con, "on_street", B, "2025-05-05", 12)
    result = change_by_cell(con, "analyst", "on_street", before=BEFORE, after=AFTER)
    cells = result.cells.set_index("h3_id")
    # the parent's 3 before cannot be set against the 10 shown inside it after
    assert cells.loc[parent, "resolution"] == 8 and cells.loc[parent, "before"] == 3
    assert cells.loc[parent, "note"] == NOTE_NOT_COMPARABLE
    assert pd.isna(cells.loc[parent, "change"]) and pd.isna(cells.loc[parent, "after"])
    # the cell's 10 after is more than all its ground showed before: the rise is certain
    assert cells.loc[k1, ["before", "after", "change"]].tolist() == [0, 10, 10]
    assert cells.loc[k1, "note"] == NOTE_NONE_BEFORE
    # totals add every figure once
    assert (result.area_before, result.area_after) == (3 + 9, 10 + 12)
    assert "1 cannot be compared" in result.summary


def _frame(cells, counts):
    return pd.DataFrame({"cell": [h3.str_to_int(c) for c in cells], "count": counts})


def test_hexagons_side_by_side_keeps_each_hexagon_and_its_surroundings():
    parent8 = h3.cell_to_parent(CENTRE, 8)
    p7 = h3.cell_to_parent(CENTRE, 7)
    kids = sorted(h3.cell_to_children(parent8, 9))
    before = _frame([p7, parent8, kids[0]], [20, 6, 9])
    after = _frame([kids[0], kids[1], kids[1]], [3, 4, 1])     # two rows of one cell add up
    wide = hexagons_side_by_side({"before": before, "after": after}).set_index("h3_id")
    assert list(wide.index) == sorted([p7, parent8, kids[0], kids[1]])
    assert wide.loc[kids[1], ["resolution", "after", "before_in_larger"]].tolist() == \
        [9, 5.0, 26.0]
    assert np.isnan(wide.loc[kids[1], "before"])
    assert wide.loc[parent8, ["before", "before_in_larger", "before_in_smaller",
                              "after_in_smaller"]].tolist() == [6.0, 20.0, 9.0, 8.0]
    assert wide.loc[p7, ["before_in_smaller", "after_in_smaller", "after_in_larger"]] \
        .tolist() == [15.0, 8.0, 0.0]


def test_hexagons_side_by_side_keeps_absent_as_missing():
    wide = hexagons_side_by_side({"a": _frame([A], [5]), "b": _frame([B], [7])})
    wide = wide.set_index("h3_id")
    assert np.isnan(wide.loc[A, "b"]) and np.isnan(wide.loc[B, "a"])
    assert wide[["a_in_larger", "b_in_larger", "a_in_smaller", "b_in_smaller"]].sum().sum() == 0


@pytest.mark.parametrize("period", ["month", "quarter"])
def test_released_series_splits_the_release_into_its_periods_and_the_longer_rest(demo_con,
                                                                                 period):
    from profiles.analyses.periods import loaded_period_starts, released_series

    series = released_series(demo_con, "partnership", "harm_reports", period=period)
    whole = series.released.frame
    assert series.policy.name == "partnership" and series.released.period == period
    assert (series.frame["period_grain"] == period).all()
    assert int(series.frame["count"].sum()) + series.longer == int(whole["count"].sum())
    assert set(series.frame["period_start"]) <= set(series.starts)
    assert series.starts == sorted(series.starts)
    assert set(loaded_period_starts(demo_con, period)) <= set(series.starts)
