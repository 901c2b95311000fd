"""Tests for profiles.analyses.coverage: outreach reach against need from released counts."""
from __future__ import annotations

import h3
import pandas as pd
import pytest

# known answers of the arithmetic on released figures: exact figures (see conftest)
pytestmark = pytest.mark.usefixtures("exact_release")

from profiles.release.audiences import get_policy
from profiles.analyses.change import NOTE_SMALL
from profiles.analyses.coverage import (NOTE_MAY_DIFFER, STATUSES, CoverageError, coverage_cells,
                               reach_against_need)
from profiles.release.api import ReleaseError

# Cells in the open sea north of the synthetic town (never a real place), 33 km apart, so the
# release's roll-up never pools two of them into one larger hexagon.
UNMET, LOW, REACHED, WITHOUT, NEITHER, PART, TINY = (
    h3.latlng_to_cell(54.5 + i * 0.3, 1.0, 9) for i in range(1, 8))


def put(con, feed, cell, n, week="2025-02-03"):
    """Insert one aggregated fact (no subject keys, so the release counts n as people)."""
    con.execute("INSERT INTO facts VALUES (?, CAST(? AS UBIGINT), ?, 0, 'night', 'x', 'x', "
                "?, 0, 1)", [feed, h3.str_to_int(cell), week, n])


@pytest.fixture
def con(empty_db):
    con, _, _ = empty_db
    # analyst: threshold 3 (counts 1-2 not shown), resolution 9, no rounding
    put(con, "on_street", UNMET, 20)                   # need, no outreach at all
    put(con, "on_street", LOW, 20)
    put(con, "harm_reports", LOW, 10)
    put(con, "outreach_contacts", LOW, 4)              # 4 / 30 < 0.25
    put(con, "on_street", REACHED, 10)
    put(con, "outreach_contacts", REACHED, 8)          # 0.8
    put(con, "on_street", WITHOUT, 2)                  # need too small to show
    put(con, "outreach_contacts", WITHOUT, 6)
    put(con, "on_street", NEITHER, 2)                  # nothing shown at all
    put(con, "outreach_contacts", NEITHER, 2)
    put(con, "on_street", PART, 12)                    # harm 2 not shown; outreach 2 not shown
    put(con, "harm_reports", PART, 2)
    put(con, "outreach_contacts", PART, 2)
    put(con, "on_street", TINY, 4)                     # need shown but small
    return con


def test_every_status_from_a_constructed_store(con):
    result = reach_against_need(con, "analyst")
    cells = result.cells.set_index("h3_id")
    assert set(cells.index) == {UNMET, LOW, REACHED, WITHOUT, PART, TINY}
    assert cells.loc[UNMET, "status"] == "unmet need"
    assert cells.loc[LOW, "status"] == "low reach"
    assert cells.loc[REACHED, "status"] == "reached"
    assert cells.loc[WITHOUT, "status"] == "reach without recorded need"
    assert set(cells["status"]) == set(STATUSES)
    assert cells.loc[LOW, ["on_street", "harm_reports", "need", "reach"]].tolist() == \
        [20, 10, 30, 4]
    assert cells.loc[LOW, "ratio"] == pytest.approx(0.133)
    assert cells.loc[REACHED, "ratio"] == pytest.approx(0.8)
    assert (result.total_need, result.total_reach) == (20 + 30 + 10 + 12 + 4, 4 + 8 + 6)


def test_absent_is_not_zero(con):
    cells = reach_against_need(con, "analyst").cells.set_index("h3_id")
    # no outreach shown: reach is missing (not 0) and there is no ratio
    assert pd.isna(cells.loc[UNMET, "reach"]) and pd.isna(cells.loc[UNMET, "ratio"])
    # outreach shown where need is not: need is missing, not 0
    assert pd.isna(cells.loc[WITHOUT, "need"]) and pd.isna(cells.loc[WITHOUT, "on_street"])
    # a need feed not shown adds nothing but is itself missing; the cell still has need
    assert pd.isna(cells.loc[PART, "harm_reports"]) and cells.loc[PART, "need"] == 12
    assert cells.loc[PART, "status"] == "unmet need"


def test_unmet_list_is_need_with_little_or_no_reach_by_need(con):
    result = reach_against_need(con, "analyst")
    assert result.unmet["h3_id"].tolist() == [LOW, UNMET, PART, TINY]
    assert result.unmet["need"].tolist() == [30, 20, 12, 4]
    assert result.unmet.loc[3, "note"] == NOTE_SMALL        # need 4 < 2 x threshold
    assert result.unmet["note"].tolist()[:3] == [None, None, None]
    text = result.summary
    assert "3 hexagons with need have no outreach contacts shown (unmet need)" in text
    assert "1 has low reach" in text and "fewer than 3" in text


def test_partnership_rounds_and_lists_at_its_resolution(con):
    result = reach_against_need(con, "partnership")
    assert (result.cells["resolution"] == 8).all()
    assert all(h.startswith("88") for h in result.cells["h3_id"])
    shown = pd.concat([result.cells[c].dropna() for c in ("on_street", "harm_reports", "reach")])
    assert ((shown >= 5) & (shown % 5 == 0)).all()
    assert h3.cell_to_parent(UNMET, 8) in result.unmet["h3_id"].tolist()


def test_low_reach_threshold_is_a_parameter(con):
    cells = reach_against_need(con, "analyst", low_reach=0.9).cells.set_index("h3_id")
    assert cells.loc[REACHED, "status"] == "low reach"


def _frame(cells, counts):
    return pd.DataFrame({"cell": [h3.str_to_int(c) for c in cells], "count": counts})


def test_pooled_reach_is_never_guessed_into_a_cell(empty_db):
    con, _, _ = empty_db
    parent = h3.cell_to_parent(UNMET, 8)
    k1, k2, k3 = [c for c in sorted(h3.cell_to_children(parent, 9)) if c != UNMET][:3]
    put(con, "on_street", UNMET, 20)
    for cell, n in ((k1, 2), (k2, 2), (k3, 1)):       # 5 contacts, shown only for the parent
        put(con, "outreach_contacts", cell, n)
    cells = reach_against_need(con, "analyst").cells.set_index("h3_id")
    assert set(cells.index) == {UNMET, parent}
    # no contacts shown for the cell: unmet need, but 5 around it could be here (5 / 20 >= 0.25)
    assert cells.loc[UNMET, "status"] == "unmet need"
    assert pd.isna(cells.loc[UNMET, "reach"]) and cells.loc[UNMET, "reach_in_larger"] == 5
    assert cells.loc[UNMET, "note"] == NOTE_MAY_DIFFER
    # the parent's contacts are its own row, at its own resolution
    assert cells.loc[parent, ["resolution", "reach"]].tolist() == [8, 5]
    assert cells.loc[parent, "status"] == "reach without recorded need"
    assert cells.loc[parent, "note"] == NOTE_MAY_DIFFER       # the cell's need lies inside it


def _frame(cells, counts):
    return pd.DataFrame({"cell": [h3.str_to_int(c) for c in cells], "count": counts})


@pytest.mark.parametrize("reach_around, status, note", [
    (0, "unmet need", None),
    (4, "unmet need", None),                 # at most 4 / 20 < 0.25: the reading holds
    (6, "unmet need", NOTE_MAY_DIFFER),      # up to 6 / 20: it could be reached
], ids=["none-around", "little-around", "enough-around"])
def test_bounds_decide_the_note_not_the_status(reach_around, status, note):
    parent = h3.cell_to_parent(UNMET, 7)
    reach = _frame([parent], [reach_around]) if reach_around else _frame([], [])
    frames = {"on_street": _frame([UNMET], [20]), "outreach_contacts": reach}
    cells = coverage_cells(frames, get_policy("analyst"), need_feeds=("on_street",),
                           reach_feed="outreach_contacts").set_index("h3_id")
    assert cells.loc[UNMET, "status"] == status
    assert cells.loc[UNMET, "note"] == note


def test_a_larger_hexagon_reads_its_own_figures():
    parent = h3.cell_to_parent(LOW, 7)
    frames = {"on_street": _frame([parent, REACHED], [40, 10]),
              "outreach_contacts": _frame([parent, REACHED], [30, 8])}
    cells = coverage_cells(frames, get_policy("analyst"), need_feeds=("on_street",),
                           reach_feed="outreach_contacts").set_index("h3_id")
    # 30 contacts and 40 need events somewhere in the same larger hexagon: reached, but the
    # contacts that certainly meet that need are none, so the reading may differ
    assert cells.loc[parent, ["resolution", "status", "ratio"]].tolist() == [7, "reached", 0.75]
    assert cells.loc[parent, "note"] == NOTE_MAY_DIFFER
    assert cells.loc[REACHED, "note"] is None


@pytest.mark.parametrize("kwargs, match", [
    ({"need_feeds": ()}, r"need_feeds= is empty"),
    ({"need_feeds": ("outreach_contacts",)}, r"need_feeds= holds the reach feed"),
    ({"low_reach": 0}, r"low_reach= must be a positive number"),
], ids=["no-need-feeds", "reach-in-need", "bad-low-reach"])
def test_refusals(con, kwargs, match):
    with pytest.raises(CoverageError, match=match):
        reach_against_need(con, "analyst", **kwargs)


def test_unknown_feed_is_refused_by_the_release(con):
    with pytest.raises(ReleaseError, match="may not see feed 'nonsense'"):
        reach_against_need(con, "analyst", need_feeds=("nonsense",))


def test_demo_unmet_need_sits_in_the_on_street_area(demo_con):
    import math

    result = reach_against_need(demo_con, "partnership")
    assert result.unmet["need"].is_monotonic_decreasing
    assert (result.cells["need"].dropna() >= 5).all()
    # the synthetic town's on-street area (year 1), 1.2 km east and 0.8 km north of centre
    street = h3.latlng_to_cell(54.5 + 0.8 / 111, 1.0 + 1.2 / (111 * math.cos(math.radians(54.5))),
                               8)
    assert h3.grid_distance(result.unmet["h3_id"].iloc[0], street) <= 2


def _hexagon_counts(con) -> tuple:
    result = reach_against_need(con, "analyst")
    return (result.cells["status"].value_counts().sort_index().to_dict(), result.summary,
            result.unmet["h3_id"].tolist())


def test_hexagon_counts_are_selected_by_released_figures_only(con):
    """Policy: hexagons may be counted at any value, but never *selected by* a people-count
    under the threshold. A hidden 1-2 contacts and a true 0 must give the same counts."""
    before = _hexagon_counts(con)
    assert before[0]["unmet need"] == 3            # UNMET (0 contacts), PART (2), TINY (0)
    con.execute("DELETE FROM facts WHERE feed = 'outreach_contacts' AND cell = ?",
                [h3.str_to_int(PART)])             # PART: 2 hidden contacts -> none at all
    put(con, "outreach_contacts", UNMET, 2)        # UNMET: none -> 2 hidden contacts
    assert _hexagon_counts(con) == before
    # the control: a count that reaches the threshold does change what is counted
    put(con, "outreach_contacts", PART, 3)
    assert _hexagon_counts(con)[0]["unmet need"] == 2


def test_a_wide_view_compares_need_and_reach_per_larger_hexagon(empty_db):
    """``max_cells``: released units of every feed summed into one common, larger resolution;
    the statuses then read those sums, and the totals do not change."""
    con, _, _ = empty_db
    parent = h3.latlng_to_cell(55.1, 1.0, 8)
    need_here, reach_here = sorted(h3.cell_to_children(parent, 9))[:2]
    put(con, "on_street", need_here, 20)
    put(con, "outreach_contacts", reach_here, 10)
    put(con, "on_street", FAR := h3.latlng_to_cell(56.0, 1.0, 9), 15)
    full = reach_against_need(con, "analyst")
    assert full.view_resolution is None
    assert dict(zip(full.cells["h3_id"], full.cells["status"])) == {
        need_here: "unmet need", reach_here: "reach without recorded need", FAR: "unmet need"}
    assert reach_against_need(con, "analyst", max_cells=3).view_resolution is None
    wide = reach_against_need(con, "analyst", max_cells=2)
    assert wide.view_resolution == 8
    cells = wide.cells.set_index("h3_id")
    assert cells.loc[parent, ["need", "reach", "status"]].tolist() == [20, 10, "reached"]
    assert cells.loc[h3.cell_to_parent(FAR, 8), "status"] == "unmet need"
    assert (wide.total_need, wide.total_reach) == (full.total_need, full.total_reach) == (35, 10)
