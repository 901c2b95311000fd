"""Coordinates in any CRS: British National Grid points, declared-CRS boundaries, and files
refused whole when their points would land in the wrong place."""
from __future__ import annotations

import datetime as dt
import json

import h3
import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box, mapping

from data_contracts import ContractError, read_feed
from data_contracts.recipes import recipe_from_flags
from geo import UK_EXTENT, Extent, points_to_cells
from geo.crs import (BNG, CRSError, crs_name, geometries_to_wgs84, looks_like_grid_metres,
                     points_to_wgs84)

TODAY = dt.date(2026, 11, 2)
TO_BNG = pyproj.Transformer.from_crs("EPSG:4326", BNG, always_xy=True)
TOWN = (54.5, 1.0)


def bng(lat, lon):
    """Known WGS84 positions in British National Grid metres (pyproj's forward transform)."""
    e, n = TO_BNG.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.atleast_1d(e), np.atleast_1d(n)


def town_points(n=30, seed=0):
    rng = np.random.default_rng(seed)
    return TOWN[0] + rng.uniform(-0.03, 0.03, n), TOWN[1] + rng.uniform(-0.05, 0.05, n)


def csv_bytes(header, rows) -> bytes:
    return (header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode()


def on_street(xname, yname, xs, ys) -> bytes:
    return csv_bytes(f"{xname},{yname},datetime,activity_type,source_agency",
                     [(f"{x:.3f}", f"{y:.3f}", "2025-03-01T21:30", "observation", "police")
                      for x, y in zip(xs, ys)])


def read(data, name="f.csv", feed="on_street", **flags):
    return read_feed(feed, name, data=data, today=TODAY,
                     recipe=recipe_from_flags(**flags) if flags else None)


# ------------------------------------------------------------------------------ geo.crs

def test_bng_of_a_known_position_converts_back_to_it():
    e, n = bng(*TOWN)
    lat, lon = points_to_wgs84(e, n, BNG)
    assert abs(lat[0] - TOWN[0]) < 1e-7 and abs(lon[0] - TOWN[1]) < 1e-7


def test_unknown_crs_is_refused_with_the_form_to_write():
    with pytest.raises(CRSError, match=r"'EPSG:999999' is not a coordinate reference system "
                                       r"Lantern knows; write it as EPSG:NNNN"):
        crs_name("EPSG:999999")


def test_nan_and_unconvertible_points_become_nan():
    lat, lon = points_to_wgs84(np.array([np.nan, 1e30]), np.array([5e5, 1e30]), BNG)
    assert np.isnan(lat).all() and np.isnan(lon).all()


def test_grid_metres_are_told_from_degrees():
    e, n = bng(*town_points())
    assert looks_like_grid_metres(e, n) == 1.0
    assert looks_like_grid_metres(np.array([1.0, -2.0]), np.array([54.5, 53.0])) == 0.0
    assert looks_like_grid_metres(np.array([1.0]), np.array([95.0])) == 0.0  # a bad latitude


def test_polygons_are_reprojected_holes_and_all():
    e, n = bng(*TOWN)
    square = box(e[0] - 500, n[0] - 500, e[0] + 500, n[0] + 500).difference(
        box(e[0] - 100, n[0] - 100, e[0] + 100, n[0] + 100))
    (moved,) = geometries_to_wgs84([square], BNG)
    assert len(moved.interiors) == 1
    assert moved.contains(box(TOWN[1] + 0.002, TOWN[0] - 0.001, TOWN[1] + 0.003, TOWN[0]))
    assert not moved.contains(box(TOWN[1] - 0.0002, TOWN[0] - 0.0002, TOWN[1] + 0.0002,
                                  TOWN[0] + 0.0002))   # the hole


# ------------------------------------------------------------------------ points, by column

@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(50.0, 58.6), st.floats(-5.5, 1.7)), min_size=1,
                max_size=40))
def test_bng_points_land_in_the_same_res9_cell_as_their_wgs84_position(points):
    """Known WGS84 positions in Great Britain, written as BNG eastings/northings (to the
    millimetre) and read through Lantern's contract, land in their own H3 resolution-9 cell."""
    lat, lon = np.array(points).T
    e, n = bng(lat, lon)
    v = read(on_street("easting", "northing", e, n))
    assert len(v.rows) == len(points) and not v.problems
    got = points_to_cells(v.rows["lat"].to_numpy(), v.rows["lon"].to_numpy(), 9)
    want = [h3.str_to_int(h3.latlng_to_cell(a, b, 9)) for a, b in zip(lat, lon)]
    assert got.tolist() == want


def test_easting_northing_are_read_as_bng_without_asking():
    lat, lon = town_points()
    v = read(on_street("Easting", "Northing", *bng(lat, lon)))
    assert len(v.rows) == 30
    assert np.allclose(v.rows["lat"], lat, atol=1e-6) and np.allclose(v.rows["lon"], lon,
                                                                       atol=1e-6)
    assert v.notes == ["easting/northing read as British National Grid (EPSG:27700)"]


def test_x_y_in_grid_metres_are_read_as_bng_and_the_summary_says_so():
    lat, lon = town_points()
    v = read(on_street("x", "y", *bng(lat, lon)))
    assert len(v.rows) == 30 and np.allclose(v.rows["lat"], lat, atol=1e-6)
    assert v.notes[0].startswith("x/y hold grid metres, so they were read as British "
                                 "National Grid (EPSG:27700)")


def test_x_y_in_degrees_are_read_as_lon_lat_and_the_summary_says_so():
    lat, lon = town_points()
    v = read(on_street("x", "y", lon, lat))
    assert np.allclose(v.rows["lat"], lat, atol=1e-3)
    assert v.notes[0].startswith("x/y hold degrees, so they were read as longitude (x) and "
                                 "latitude (y)")


def test_x_y_that_are_neither_are_refused():
    with pytest.raises(ContractError, match=r"x/y columns hold neither degrees nor British "
                                            r"National Grid metres.*--crs EPSG:NNNN"):
        read(on_street("x", "y", [5e6] * 12, [9e6] * 12))


def test_crs_flag_converts_lat_lon_columns_holding_another_system():
    lat, lon = town_points()
    e, n = bng(lat, lon)
    v = read(on_street("lon", "lat", e, n), crs="EPSG:27700")
    assert np.allclose(v.rows["lat"], lat, atol=1e-6)
    assert v.notes == ["coordinates read as EPSG:27700 (--crs EPSG:27700)"]


def test_blank_and_unreadable_eastings_are_quarantined_by_source_column():
    e, n = bng(*town_points(3))
    data = on_street("easting", "northing", e, n).decode().splitlines()
    data[2] = data[2].replace(f"{e[1]:.3f}", "")
    data[3] = data[3].replace(f"{n[2]:.3f}", "grid")
    v = read("\n".join(data).encode())
    assert [(p.row, p.column, p.value, p.reason) for p in v.problems] == [
        (2, "easting", "", "easting is missing"),
        (3, "northing", "grid", "northing is not a number")]
    assert len(v.rows) == 1


# ----------------------------------------------------------------- refused in the wrong place

def test_swapped_lat_lon_refuse_the_file_naming_the_cause():
    lat, lon = town_points()
    with pytest.raises(ContractError, match=r"30 of 30 points \(100%\) would fall outside the "
                                            r"UK .*the lat and lon columns look swapped.*never "
                                            r"loaded in the wrong place.* Fix: swap them"):
        read(on_street("lon", "lat", lat, lon))


def test_bng_metres_in_lat_lon_columns_refuse_the_file_with_the_crs_to_give():
    e, n = bng(*town_points())
    with pytest.raises(ContractError, match=r"the coordinates are metres, not degrees: they "
                                            r"look like British National Grid.*Fix: load the "
                                            r"file with --crs EPSG:27700"):
        read(on_street("lon", "lat", e, n))


def test_degrees_read_under_a_grid_crs_refuse_the_file():
    lat, lon = town_points()
    with pytest.raises(ContractError, match=r"read as EPSG:27700, but its coordinates look "
                                            r"like degrees.*Fix: remove --crs"):
        read(on_street("lon", "lat", lon, lat), crs="EPSG:27700")


def test_swapped_eastings_and_northings_refuse_the_file_against_the_force_area():
    """Swapped, the town's grid reference is still in the UK (E 516 km, N 594 km is in
    Northumberland): only the force area, from the loaded boundaries, can tell."""
    e, n = bng(*town_points())
    force = Extent("the force area", 54.4, 54.6, 0.8, 1.2)
    with pytest.raises(ContractError, match=r"outside the force area.*the easting and "
                                            r"northing columns look swapped"):
        read_feed("on_street", "f.csv", data=on_street("easting", "northing", n, e),
                  today=TODAY, extent=force)


def test_points_mostly_outside_in_an_unexplained_way_refuse_the_file():
    rng = np.random.default_rng(1)
    lat, lon = 48.85 + rng.uniform(0, .01, 20), 2.35 + rng.uniform(0, .01, 20)   # Paris
    with pytest.raises(ContractError, match=r"20 of 20 points \(100%\) would fall outside the "
                                            r"UK.*probably not in EPSG:4326, or the file is for "
                                            r"another area"):
        read(on_street("lon", "lat", lon, lat))


def test_a_few_stray_points_are_quarantined_not_refused():
    lat, lon = town_points(10)
    lat[:3] = 48.85      # three strays, a minority
    v = read(on_street("lon", "lat", lon, lat))
    assert v.n_quarantined == 3 and len(v.rows) == 7
    assert v.problems[0].reason.startswith("point is outside the UK")


def test_a_handful_of_misplaced_points_is_quarantined_row_by_row():
    """Below ten points outside, the file is not refused: each row says why it is set aside."""
    lat, lon = town_points(9)
    v = read(on_street("lon", "lat", lat, lon))       # swapped, but only nine
    assert v.n_quarantined == 9 and not len(v.rows)
    assert {p.reason for p in v.problems} == {"point is outside the UK (lat 49.8..60.95, "
                                              "lon -8.7..1.8)"}


# ------------------------------------------------------------------------ areas with a CRS

def lsoa_geojson(crs_member: bool, *, scale=1.0) -> bytes:
    e, n = bng(*TOWN)
    features = [{"type": "Feature", "properties": {"LSOA11CD": f"X0100000{i}",
                                                   "LSOA11NM": f"Area {i} (synthetic)"},
                 "geometry": mapping(box(e[0] + i * 1000, n[0], e[0] + (i + 1) * 1000,
                                         n[0] + 1000 * scale))} for i in range(3)]
    doc = {"type": "FeatureCollection", "features": features}
    if crs_member:
        doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    return json.dumps(doc).encode()


AREA_FLAGS = dict(name_field="LSOA11NM", area_type="lsoa")


def test_a_declared_crs_geojson_is_reprojected_not_loaded_in_the_wrong_place():
    v = read(lsoa_geojson(True), "lsoa.geojson", feed="areas", **AREA_FLAGS)
    assert len(v.rows) == 3 and not v.problems
    for geom in v.rows["geometry"]:
        minx, miny, maxx, maxy = geom.bounds
        assert UK_EXTENT.min_lon < minx < maxx < UK_EXTENT.max_lon
        assert 54.49 < miny < maxy < 54.52
    assert v.notes == ["boundaries reprojected from EPSG:27700 to WGS84"]
    assert list(v.rows["name"]) == [f"Area {i} (synthetic)" for i in range(3)]
    assert set(v.rows["area_type"]) == {"lsoa"}


def test_metre_boundaries_that_declare_no_crs_are_refused():
    with pytest.raises(ContractError, match=r"metres, not degrees, and the file does not say "
                                            r"which coordinate system.*--crs EPSG:27700"):
        read(lsoa_geojson(False), "lsoa.geojson", feed="areas", **AREA_FLAGS)


def test_metre_boundaries_load_with_the_crs_flag():
    v = read(lsoa_geojson(False), "lsoa.geojson", feed="areas", crs="EPSG:27700", **AREA_FLAGS)
    assert len(v.rows) == 3 and 54.49 < v.rows["geometry"][0].bounds[1] < 54.52


def test_an_unknown_declared_crs_is_refused():
    doc = json.loads(lsoa_geojson(True))
    doc["crs"]["properties"]["name"] = "urn:ogc:def:crs:EPSG::999999"
    with pytest.raises(ContractError, match=r"declares the coordinate system "
                                            r"'urn:ogc:def:crs:EPSG::999999', which Lantern "
                                            r"does not know"):
        read(json.dumps(doc).encode(), "x.geojson", feed="areas", **AREA_FLAGS)


def test_a_large_conversion_split_across_threads_equals_one_pass():
    import geo.crs as crs

    rng = np.random.default_rng(3)
    e, n = rng.uniform(4e5, 6e5, 600_001), rng.uniform(3e5, 6e5, 600_001)
    lat, lon = points_to_wgs84(e, n, BNG)
    one_lon, one_lat = pyproj.Transformer.from_crs(BNG, "EPSG:4326", always_xy=True).transform(
        e, n)
    assert e.size // crs._PARALLEL_CHUNK >= 2          # the split path ran
    assert np.array_equal(lat, one_lat) and np.array_equal(lon, one_lon)
