"""Real boundaries: area outlines kept (simplified to suit their size) and drawn as they are.

Membership for disclosure stays by H3 cell; the outline is public reference data for drawing
and labelling in the dashboard, the pack's maps and GeoJSON exports. A wide view never draws
more than a budget of hexagons: released units are summed into larger ones.
"""
from __future__ import annotations

import json

import h3
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, shape

from geo.outlines import outline_tolerance_m, simplify_outline
from profiles.release import (MAP_CELL_BUDGET, release_area_outlines, release_counts,
                              release_to_geojson, released_to_parents)


def _loaded(town_files) -> dict:
    return {f["properties"]["name"]: shape(f["geometry"])
            for f in json.loads(town_files["areas"].read_text())["features"]}


def test_outlines_are_the_loaded_shapes_simplified_to_suit_their_size(demo_con, town_files):
    loaded = _loaded(town_files)
    rows = demo_con.execute("SELECT a.name, a.area_type, s.outline, s.tolerance_m FROM areas a "
                            "JOIN area_shapes s USING (area_id)").fetchall()
    assert {r[0] for r in rows} == set(loaded)
    tolerance = {}
    for name, kind, outline, tol in rows:
        stored = shape(json.loads(outline))
        assert stored.is_valid and stored.geom_type in ("Polygon", "MultiPolygon")
        # never further from the loaded boundary than the tolerance (in degrees, ~1e-5 / m)
        assert stored.hausdorff_distance(loaded[name]) < (tol + 1) / 60_000
        assert len(stored.exterior.coords) > 20          # a real shape, not a box of cells
        tolerance[kind] = tol
    assert tolerance["force"] >= tolerance["ward"] >= 2   # larger areas, coarser detail


def test_tolerance_grows_with_size_within_bounds():
    from shapely.geometry import box
    small, ward, force = (box(1, 54.5, 1 + d, 54.5 + d) for d in (0.005, 0.05, 0.5))
    assert outline_tolerance_m(small) == 2.0
    assert 2.0 < outline_tolerance_m(ward) < outline_tolerance_m(force) <= 150.0
    simple, tol = simplify_outline(force.buffer(0.01, quad_segs=64))
    assert tol == round(outline_tolerance_m(force.buffer(0.01)), 1)
    assert len(simple.exterior.coords) < 260      # curves lose points, corners stay


def test_released_outlines_follow_the_boundary_with_a_label_inside(demo_con, town_files):
    loaded = _loaded(town_files)
    outlines = release_area_outlines(demo_con, "partnership")
    assert not outlines["traced"].any()
    for r in outlines.itertuples():
        poly = shape({"type": "Polygon", "coordinates": r.polygons[0]})
        assert poly.hausdorff_distance(loaded[r.name]) < 0.001
        assert poly.contains(Point(r.label_lon, r.label_lat))
        w, s, e, n = r.bounds
        assert loaded[r.name].bounds == pytest.approx((w, s, e, n), abs=1e-4)


def test_a_store_without_outlines_falls_back_to_traced_hexagons(demo_copy):
    from profiles.store import connect
    con = connect(demo_copy)
    con.execute("DELETE FROM area_shapes")
    outlines = release_area_outlines(con, "partnership")
    con.close()
    assert outlines["traced"].all() and all(len(r[0]) > 6 for r in outlines["paths"])


def test_geojson_export_carries_the_true_outline(demo_con, town_files):
    loaded = _loaded(town_files)
    ward = "Ashcombe Ward (synthetic)"
    released = release_counts(demo_con, "partnership", "on_street", period="all", area=ward)
    outlines = release_area_outlines(demo_con, "partnership")
    doc = json.loads(release_to_geojson(released, outlines[outlines["name"] == ward]))
    areas = [f for f in doc["features"] if f["properties"].get("layer") == "area outline"]
    hexes = [f for f in doc["features"] if "h3_id" in f["properties"]]
    assert len(areas) == 1 and areas[0]["properties"]["area"] == ward
    assert shape(areas[0]["geometry"]).hausdorff_distance(loaded[ward]) < 0.001
    assert len(hexes) == len(released.frame)


def test_a_wide_view_sums_released_units_into_parents_within_the_budget():
    """Sixty thousand released hexagons (a national picture): the view holds at most the
    budget, every count is the sum of the released units inside it, nothing is lost."""
    rng = np.random.default_rng(3)
    bases = [h3.latlng_to_cell(50 + 5 * a, -4 + 6 * b, 4) for a, b in rng.random((40, 2))]
    cells = sorted({c for b in bases for c in h3.cell_to_children(b, 8)})[:60_000]
    frame = pd.DataFrame({"h3_id": cells, "resolution": 8,
                          "count": rng.integers(1, 20, len(cells)) * 5})
    roll_up = h3.cell_to_children(bases[0], 5)[0]           # a unit the release rolled up
    frame = pd.concat([frame, pd.DataFrame({"h3_id": [roll_up], "resolution": [5],
                                            "count": [35]})], ignore_index=True)
    view = released_to_parents(frame)
    assert len(view) <= MAP_CELL_BUDGET < len(frame)
    assert int(view["count"].sum()) == int(frame["count"].sum())
    res = view.attrs["view_resolution"]
    assert res < 8 and set(view["resolution"]) <= {res, 5}
    for row in view.sample(50, random_state=1).itertuples():
        inside = [c for c, r in zip(frame["h3_id"], frame["resolution"])
                  if r > res and h3.cell_to_parent(c, res) == row.h3_id]
        if row.resolution == res:
            assert row.count == int(frame.set_index("h3_id").loc[inside, "count"].sum())
    assert (view["count"] % 5 == 0).all()        # sums of rounded units stay rounded


def test_the_map_opens_on_the_chosen_area_and_draws_its_true_outline(demo_db, monkeypatch,
                                                                     town_files):
    from apptest_pages import open_page

    monkeypatch.setenv("LANTERN_DB", str(demo_db))
    ward = "Brindlemoor Ward (synthetic)"
    at = open_page("map.py", audience="partnership", meeting_mode=False, area=ward)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    view = spec["initialViewState"]
    w, s, e, n = _loaded(town_files)[ward].bounds
    assert w < view["longitude"] < e and s < view["latitude"] < n
    bands = next(layer for layer in spec["layers"] if layer["id"] == "area-outlines")
    vertices = max(len(ring) for row in bands["data"] for ring in row["polygon"])
    assert vertices > 100     # the wandering boundary, not six-sided hexagon steps
