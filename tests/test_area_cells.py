"""Areas as real boundary files come: many features, holes, multipolygons, and areas smaller
than one hexagon, which still get the cell that holds their representative point."""
from __future__ import annotations

from pathlib import Path

import h3
import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box

from data_contracts import read_feed
from data_contracts.recipes import load_recipe
from geo import area_to_cells, cells_to_str, polygon_to_cells

PARTNER = Path(__file__).resolve().parents[1] / "sample_data" / "partner_files"
LON, LAT = 1.0, 54.5


def centre(cell) -> Point:
    lat, lon = h3.cell_to_latlng(h3.int_to_str(int(cell)))
    return Point(lon, lat)


def test_a_hole_keeps_its_cells_out():
    outer = box(LON - 0.03, LAT - 0.02, LON + 0.03, LAT + 0.02)
    hole = box(LON - 0.01, LAT - 0.007, LON + 0.01, LAT + 0.007)
    cells, tiny = area_to_cells(Polygon(outer.exterior.coords, [hole.exterior.coords]), 9)
    full, _ = area_to_cells(outer, 9)
    assert not tiny and 0 < len(cells) < len(full)
    assert not any(hole.contains(centre(c)) for c in cells)
    assert any(hole.contains(centre(c)) for c in full)


def test_a_multipolygon_covers_both_parts():
    west = box(LON - 0.03, LAT, LON - 0.01, LAT + 0.02)
    east = box(LON + 0.01, LAT, LON + 0.03, LAT + 0.02)
    cells, _ = area_to_cells(MultiPolygon([west, east]), 9)
    assert any(west.contains(centre(c)) for c in cells)
    assert any(east.contains(centre(c)) for c in cells)
    assert not any(box(LON - 0.009, LAT, LON + 0.009, LAT + 0.02).contains(centre(c))
                   for c in cells)
    assert set(cells.tolist()) == set(polygon_to_cells(west, 9).tolist()) | set(
        polygon_to_cells(east, 9).tolist())


def test_an_area_smaller_than_a_hexagon_gets_its_representative_points_cell():
    tiny = box(LON + 0.0001, LAT + 0.0001, LON + 0.0004, LAT + 0.0003)   # about 20 x 20 m
    assert len(polygon_to_cells(tiny, 9)) == 0
    cells, used_point = area_to_cells(tiny, 9)
    assert used_point and len(cells) == 1
    p = tiny.representative_point()
    assert cells_to_str(cells) == [h3.latlng_to_cell(p.y, p.x, 9)]


def test_an_area_holding_cell_centres_does_not_use_the_point():
    cells, used_point = area_to_cells(box(LON, LAT, LON + 0.02, LAT + 0.02), 9)
    assert not used_point and len(cells) > 1


@pytest.mark.parametrize("name", ["lsoa_boundaries_27700.geojson", "lsoa_boundaries.gpkg",
                                  "lsoa_boundaries_shp.zip"])
def test_the_shipped_boundaries_read_alike_in_every_format(name):
    v = read_feed("areas", PARTNER / name, recipe=load_recipe(PARTNER / "recipes/lsoa.toml"))
    assert len(v.rows) == 17 and not v.problems
    parts = [list(getattr(g, "geoms", [g])) for g in v.rows["geometry"]]   # GPKG: all Multi
    assert [len(p) for p in parts].count(2) == 1
    assert sum(len(p.interiors) for ps in parts for p in ps) == 1
    names = list(v.rows["name"])
    assert names[0] == "Lanternford 001A (synthetic)" and len(set(names)) == 17
    tiny = [area_to_cells(g, 9)[1] for g in v.rows["geometry"]]
    assert tiny == [False] * 16 + [True]
    bounds = np.array([g.bounds for g in v.rows["geometry"]])
    assert 0.93 < bounds[:, 0].min() and bounds[:, 2].max() < 1.07
    assert 54.46 < bounds[:, 1].min() and bounds[:, 3].max() < 54.54
