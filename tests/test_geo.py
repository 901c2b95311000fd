"""geo: vectorised H3 work must give exactly the cells h3-py gives, in Python and in SQL."""
from __future__ import annotations

import h3
import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Point, box

from geo import (UK_EXTENT, Extent, cell_to_str, cells_to_center, cells_to_parents,
                 cells_to_polygons, cells_to_str, cells_within_rings, is_in_extent,
                 points_to_cells, polygon_to_cells, resolution_of, str_to_cell)
from profiles.store import database as store
N = 10_000


@pytest.fixture(scope="module")
def points():
    """10,000 random points: worldwide (poles and antimeridian included) and around the UK."""
    rng = np.random.default_rng(20261122)
    lat = np.concatenate([rng.uniform(-90, 90, N // 2), rng.uniform(49.8, 60.9, N // 2)])
    lon = np.concatenate([rng.uniform(-180, 180, N // 2), rng.uniform(-8.7, 1.8, N // 2)])
    lat[:4], lon[:4] = [90, -90, 0, 54.5], [180, -180, -180, 1.0]
    return lat, lon


@pytest.mark.parametrize("res", [7, 9, 11])
def test_points_to_cells_equals_h3(points, res):
    lat, lon = points
    got = points_to_cells(lat, lon, res)
    want = np.array([h3.str_to_int(h3.latlng_to_cell(a, b, res)) for a, b in zip(lat, lon)],
                    dtype=np.uint64)
    assert got.dtype == np.uint64 and got.shape == (N,)
    np.testing.assert_array_equal(got, want)
    assert (resolution_of(got) == res).all()


def test_points_to_cells_in_parallel_chunks_keeps_order(points, monkeypatch):
    import geo.cells

    lat, lon = points
    whole = points_to_cells(lat, lon, 9)
    monkeypatch.setattr(geo.cells, "_PARALLEL_CHUNK", 1_000)   # force several threads
    np.testing.assert_array_equal(points_to_cells(lat, lon, 9), whole)


@pytest.fixture(scope="module")
def res11_cells(points):
    return points_to_cells(*points, 11)


@pytest.mark.parametrize("res", [0, 5, 8, 9, 10])
def test_cells_to_parents_and_sql_macro_equal_h3(res11_cells, res, tmp_path_factory):
    want = np.array([h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), res))
                     for c in res11_cells], dtype=np.uint64)
    np.testing.assert_array_equal(cells_to_parents(res11_cells, res), want)
    con = store.connect(":memory:")
    import pandas as pd

    con.register("c", pd.DataFrame({"cell": res11_cells.astype(np.int64)}))
    sql = np.array([r[0] for r in con.execute(
        f"SELECT CAST(h3_parent(CAST(cell AS UBIGINT), {res}) AS UBIGINT) FROM c").fetchall()],
        dtype=np.uint64)
    np.testing.assert_array_equal(sql, want)
    assert {r[0] for r in con.execute(
        f"SELECT DISTINCT h3_res(h3_parent(CAST(cell AS UBIGINT), {res})) FROM c").fetchall()
    } == {res}
    con.close()


def test_parent_of_a_coarser_cell_is_itself(res11_cells):
    coarse = cells_to_parents(res11_cells[:50], 6)
    np.testing.assert_array_equal(cells_to_parents(coarse, 9), coarse)
    con = store.connect(":memory:")
    c = int(coarse[0])
    assert con.execute(f"SELECT h3_parent(CAST({c} AS UBIGINT), 9)").fetchall()[0][0] == c
    con.close()


def test_store_cursor_has_the_macros(tmp_path):
    con = store.connect(tmp_path / "s.duckdb")
    cur = store.cursor(con)
    c = h3.str_to_int("891f1d48177ffff")
    assert cur.execute(f"SELECT h3_res(CAST({c} AS UBIGINT))").fetchall() == [(9,)]
    con.close()


@pytest.mark.parametrize("k,size", [(0, 1), (1, 7), (2, 19), (3, 37)])
def test_rings_around_a_cell(k, size):
    cell = h3.latlng_to_cell(54.5, 1.0, 9)
    ring_str = cells_within_rings(cell, k)
    ring_int = cells_within_rings(h3.str_to_int(cell), k)
    assert len(ring_str) == len(ring_int) == size
    assert set(ring_str) == set(h3.grid_disk(cell, k)) == set(cells_to_str(ring_int))
    assert cell in ring_str


def test_polygon_to_cells_covers_a_box_by_cell_centres():
    square = box(0.98, 54.49, 1.02, 54.51)
    cells = polygon_to_cells(square, 9)
    assert cells.dtype == np.uint64 and len(cells) > 40
    assert (np.diff(cells.astype(np.float64)) > 0).all()                 # sorted, unique
    centres = [h3.cell_to_latlng(c) for c in cells_to_str(cells)]
    assert all(square.covers(Point(lon, lat)) for lat, lon in centres)
    outside = [c for c in h3.grid_ring(cells_to_str(cells)[0], 1)
               if c not in set(cells_to_str(cells))]
    assert outside and not any(square.covers(Point(*h3.cell_to_latlng(c)[::-1]))
                               for c in outside)
    # about the box's area divided by the area of a resolution-9 cell there
    area_km2 = 0.04 * 111.32 * np.cos(np.radians(54.5)) * 0.02 * 111.0
    expected = area_km2 / h3.cell_area(h3.latlng_to_cell(54.5, 1.0, 9), "km^2")
    assert abs(len(cells) - expected) / expected < 0.15
    two = MultiPolygon([square, box(1.10, 54.49, 1.14, 54.51)])
    assert len(polygon_to_cells(two, 9)) == pytest.approx(2 * len(cells), rel=0.05)


def test_a_polygon_smaller_than_a_cell_has_no_cells():
    assert len(polygon_to_cells(box(1.0, 54.5, 1.0001, 54.5001), 9)) == 0


def test_cells_to_polygons_are_the_h3_boundaries():
    cell = h3.latlng_to_cell(54.5, 1.0, 9)
    (poly,) = cells_to_polygons([cell])
    (same,) = cells_to_polygons([h3.str_to_int(cell)])
    assert poly.equals(same) and poly.is_valid and len(poly.exterior.coords) == 7
    lat, lon = h3.cell_to_latlng(cell)
    assert poly.centroid.distance(Point(lon, lat)) < 1e-4


def test_string_ids_round_trip_and_centres():
    cell = h3.latlng_to_cell(54.5, 1.0, 9)
    assert cell_to_str(str_to_cell(cell)) == cell
    lat, lon = cells_to_center([cell, str_to_cell(cell)])
    assert (lat, lon) == pytest.approx(h3.cell_to_latlng(cell))


def test_is_in_extent():
    inside = is_in_extent([54.5, 40.0, 54.5], [1.0, 1.0, 2.0], UK_EXTENT)
    assert inside.tolist() == [True, False, False]


ERRORS = [
    (lambda: points_to_cells([54.5], [1.0], 16), r"resolution= must be an integer 0–15, not 16"),
    (lambda: points_to_cells([54.5], [1.0], 9.0), r"resolution= must be an integer 0–15, not 9.0"),
    (lambda: points_to_cells([54.5, 54.6], [1.0], 9), r"lat has 2 values but lon has 1"),
    (lambda: points_to_cells([54.5, np.nan], [1.0, 1.0], 9),
     r"point 1 is not a valid coordinate: lat=nan, lon=1.0"),
    (lambda: points_to_cells([95.0], [1.0], 9), r"point 0 is not a valid coordinate: lat=95.0"),
    (lambda: cells_to_parents([1], -1), r"resolution= must be an integer 0–15, not -1"),
    (lambda: cells_within_rings("891f1d48177ffff", -1), r"k= must be 0 or more, not -1"),
    (lambda: str_to_cell("not-a-cell"), r"'not-a-cell' is not a valid H3 cell id"),
    (lambda: str_to_cell("891f1d48177fffe"), r"is not a valid H3 cell id"),
    (lambda: cells_to_center([]), r"cells= is empty; there is nothing to centre on"),
    (lambda: polygon_to_cells(box(0, 0, 1, 1), 99), r"resolution= must be an integer 0–15"),
    (lambda: Extent("bad", 10, 5, 0, 1), r"extent 'bad': need -90 <= min_lat < max_lat <= 90"),
    (lambda: Extent("bad", 0, 1, 0, 200), r"extent 'bad': need -180 <= min_lon < max_lon"),
]


@pytest.mark.parametrize("call,message", ERRORS, ids=[m[:30] for _, m in ERRORS])
def test_errors_name_the_argument_and_the_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_empty_input_gives_empty_cells():
    assert points_to_cells([], [], 9).dtype == np.uint64
    assert len(points_to_cells(np.array([]), np.array([]), 9)) == 0
