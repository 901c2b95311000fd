"""Tests for profiles.analyses.hotspot_release: Gi* and patterns over time on released counts."""
from __future__ import annotations

import datetime as dt
import math

import h3
import pytest

# known answers of the arithmetic on released figures: exact figures (see conftest)
pytestmark = pytest.mark.usefixtures("exact_release")

from profiles.analyses.hotspot_release import HotspotRunError, classify_for, hotspots_for
from profiles.release.api import release_area_cells

_KM_LON = 1 / (111 * math.cos(math.radians(54.5)))
# The synthetic town's on-street area: year 1, and where it drifts in year 2.
STREET_Y1 = (54.5 + 0.8 / 111, 1.0 + 1.2 * _KM_LON)
STREET_Y2 = (54.5 + 1.5 / 111, 1.0 + 1.8 * _KM_LON)
YEAR1_END = dt.date(2025, 10, 31)
YEAR2_START = dt.date(2025, 11, 3)


def test_partnership_finds_the_year_one_on_street_area_hot(demo_con):
    run = hotspots_for(demo_con, "partnership", "on_street", end=YEAR1_END)
    street = h3.latlng_to_cell(*STREET_Y1, 8)
    assert street in run.hot_cells
    assert run.hot_cells[0] == run.table["h3_id"].iloc[0]          # hottest first
    assert run.table.columns.tolist() == ["h3_id", "count", "n_neighbours", "z", "p",
                                          "p_adjusted", "hotspot"]
    assert run.chosen["area"] == "Lanternford (synthetic)"
    assert run.chosen["start"] == dt.date(2024, 11, 4) and run.chosen["end"] == YEAR1_END
    assert run.chosen["resolution"] == 8 and run.chosen["study_cells"] == len(run.table)
    assert any(n.startswith("No area chosen: the force area") for n in run.notes)
    assert any(n.startswith("No first week chosen") for n in run.notes)
    assert not any(n.startswith("No last week chosen") for n in run.notes)
    counts = run.table["count"]
    assert ((counts == 0) | ((counts >= 5) & (counts % 5 == 0))).all()
    assert "hot and 0 cold" in run.summary


def test_analyst_sees_the_area_move_in_year_two(demo_con):
    run = hotspots_for(demo_con, "analyst", "on_street", start=YEAR2_START)
    table = run.table.set_index("h3_id")
    assert table.loc[h3.latlng_to_cell(*STREET_Y2, 9), "hotspot"] == "hot"
    assert table.loc[h3.latlng_to_cell(*STREET_Y1, 9), "hotspot"] == "none"
    assert ((table["count"] == 0) | (table["count"] >= 3)).all()


def test_patterns_over_months_show_displacement(demo_con):
    table = classify_for(demo_con, "analyst", "on_street", period="month", recent=12)
    patterns = table.set_index("h3_id")["pattern"]
    res = table.attrs["chosen"]["resolution"]   # months: hexagons one size larger than 9
    assert res == 8
    assert patterns[h3.latlng_to_cell(*STREET_Y1, res)] == "former hot"
    assert patterns[h3.latlng_to_cell(*STREET_Y2, res)] == "emerging hot"
    assert table.attrs["recent"] == 12 and len(table.attrs["period_starts"]) == 24
    assert table.attrs["chosen"]["area"] == "Lanternford (synthetic)"
    assert {"h3_id", "pattern", "hot_periods", "cold_periods", "periods", "total"} <= \
        set(table.columns)


def put(con, cell, n, week="2025-02-03"):
    con.execute("INSERT INTO facts VALUES ('on_street', CAST(? AS UBIGINT), ?, 0, 'night', 'x', "
                "'x', ?, 0, 1)", [h3.str_to_int(cell), week, n])


@pytest.fixture
def area_con(empty_db):
    """A store with one area of 19 cells (two rings round a sea cell) and a few counts."""
    con, _, _ = empty_db
    centre = h3.latlng_to_cell(54.5, 1.0, 9)
    con.execute("INSERT INTO areas VALUES (1, 'Test Beat (synthetic)', 'beat', 1)")
    for cell in h3.grid_disk(centre, 2):
        con.execute("INSERT INTO area_cells VALUES (1, CAST(? AS UBIGINT))",
                    [h3.str_to_int(cell)])
    ring = sorted(h3.grid_ring(centre, 2))
    put(con, centre, 60)
    for cell in h3.grid_ring(centre, 1):
        put(con, cell, 20)
    put(con, ring[0], 2)                   # below the analyst threshold: not shown
    put(con, ring[1], 4)
    return con, centre, ring


def test_counts_are_zero_filled_over_the_named_area(area_con):
    con, centre, ring = area_con
    run = hotspots_for(con, "analyst", "on_street", area="Test Beat (synthetic)")
    assert sorted(run.counts.index) == release_area_cells(con, "Test Beat (synthetic)",
                                                          "analyst")
    assert len(run.counts) == 19 and run.counts.sum() == 60 + 6 * 20 + 4
    assert run.counts[ring[0]] == 0 and run.counts[ring[1]] == 4
    assert run.hot_cells[0] == centre
    assert run.chosen["area"] == "Test Beat (synthetic)"
    assert not any(n.startswith("area=") for n in run.notes)
    # no areas named and only a beat loaded: every loaded area together
    run = hotspots_for(con, "analyst", "on_street")
    assert run.chosen["area"] == "all loaded areas"


def test_refuses_without_areas(empty_db):
    con, _, _ = empty_db
    put(con, h3.latlng_to_cell(54.5, 1.0, 9), 10)
    with pytest.raises(HotspotRunError, match="no areas are loaded"):
        hotspots_for(con, "analyst", "on_street")


@pytest.mark.parametrize("call, match", [
    (lambda con: hotspots_for(con, "analyst", "on_street", area="Test Beat (synthetic)",
                              start="2026-01-01"),
     r"no on-street activity reports can be shown to the analyst audience in Test Beat"),
    (lambda con: hotspots_for(con, "analyst", "on_street", k=0),
     r"the neighbour rings must be a whole number, 1 or more, not 0"),
    (lambda con: classify_for(con, "analyst", "on_street", period="all"),
     r"patterns over time need a period of week, month, quarter, year, not 'all'"),
    (lambda con: classify_for(con, "analyst", "on_street", period="month", recent=3),
     r"hot-spot patterns cannot be found .* \(1 months\): the recent window must be"),
], ids=["nothing-shown", "bad-k", "all-period", "too-few-periods"])
def test_clear_refusals(area_con, call, match):
    con, _, _ = area_con
    with pytest.raises(HotspotRunError, match=match):
        call(con)
