"""The synthetic town: deterministic, clearly fictional, out at sea, and loadable as it stands."""
from __future__ import annotations

import filecmp
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, shape

from geo.cells import points_to_cells, polygon_to_cells
from sample_data.generate import LOAD_ORDER, TOWN, generate_town, write_town

COMMITTED = Path(__file__).resolve().parents[1] / "sample_data" / "town"
POINT_FEEDS = [f for f in LOAD_ORDER if f not in ("areas", "online_adverts")]


@pytest.fixture(scope="module")
def town():
    return generate_town(seed=7, scale=1.0)


def test_the_same_seed_gives_identical_files(tmp_path):
    a = write_town(tmp_path / "a", seed=11, scale=0.1)
    b = write_town(tmp_path / "b", seed=11, scale=0.1)
    assert list(a) == list(b) == list(LOAD_ORDER)
    for feed in LOAD_ORDER:
        assert a[feed].read_bytes() == b[feed].read_bytes(), feed


def test_a_different_seed_gives_different_events():
    a, b = generate_town(seed=1, scale=0.1), generate_town(seed=2, scale=0.1)
    for feed in ("on_street", "premises", "outreach_contacts", "harm_reports",
                 "community_concerns"):
        assert not a[feed].equals(b[feed]), feed
    assert a["areas"] == b["areas"]              # the town itself does not move


def test_committed_sample_equals_the_generator_byte_for_byte(tmp_path):
    paths = write_town(tmp_path, seed=7, scale=1.0)
    committed = sorted(p.name for p in COMMITTED.iterdir())
    assert committed == sorted(p.name for p in paths.values())
    for feed, path in paths.items():
        assert filecmp.cmp(path, COMMITTED / path.name, shallow=False), (
            f"sample_data/town/{path.name} drifted from write_town(seed=7, scale=1); "
            f"regenerate it (see sample_data/README.md)")


def test_every_point_is_inside_the_town_and_far_out_at_sea(town):
    force = next(shape(f["geometry"]) for f in town["areas"]["features"]
                 if f["properties"]["area_type"] == "force")
    force_cells = set(polygon_to_cells(force, 9).tolist())
    for feed in POINT_FEEDS:
        frame = town[feed]
        assert (frame["lon"] > 0.3).all(), feed   # the English coast is west of 0.3°E here
        outside = [(la, lo) for la, lo in zip(frame["lat"], frame["lon"])
                   if not force.covers(Point(lo, la))]
        assert outside == [], f"{feed}: {len(outside)} points outside the town"
        cells = set(points_to_cells(frame["lat"], frame["lon"], 9).tolist())
        assert cells <= force_cells, f"{feed}: events in cells outside the force area"
    for f in town["areas"]["features"]:
        assert "(synthetic)" in f["properties"]["name"]
        assert shape(f["geometry"]).bounds[0] > 0.3


def test_synthetic_adverts_are_in_town_marked_synthetic_and_mostly_without_indicators(town):
    from data_contracts.feeds import ADVERT_INDICATORS

    ads = town["online_adverts"]
    force = next(shape(f["geometry"]) for f in town["areas"]["features"]
                 if f["properties"]["area_type"] == "force")
    points = ads[ads["lat"] != ""]
    assert len(points) > 500
    assert all(force.covers(Point(float(lo), float(la)))
               for la, lo in zip(points["lat"], points["lon"]))
    named = ads.loc[ads["area"] != "", "area"]
    assert len(named) > 100 and named.str.endswith("(synthetic)").all()
    keys = ads.loc[ads["advertiser_key"] != "", "advertiser_key"]
    assert keys.str.startswith("SYN-ADV-").all()
    flags = ads[list(ADVERT_INDICATORS)] == "yes"
    assert 0.1 < flags.any(axis=1).mean() < 0.4           # most adverts carry none
    assert flags["possible_under_18"].mean() < 0.02       # rare
    linked = ads.loc[flags["linked_adverts"], "advertiser_key"]
    assert 3 * 3 <= linked[linked != ""].nunique() <= 4 + 3 + 3   # three small clusters


def test_a_large_scale_still_keeps_every_event_in_town():
    big = generate_town(seed=3, scale=8)
    for feed in ("on_street", "harm_reports", "outreach_contacts", "community_concerns"):
        east = (big[feed]["lon"] - TOWN.lon) * 111.0 * np.cos(np.radians(TOWN.lat))
        north = (big[feed]["lat"] - TOWN.lat) * 111.0
        assert east.abs().max() < 3.7 and north.abs().max() < 3.7, feed


def test_scale_multiplies_event_volumes():
    small, large = generate_town(seed=5, scale=0.1), generate_town(seed=5, scale=0.5)
    assert (len(small["on_street"]), len(large["on_street"])) == (600, 3000)
    assert small["premises"]["premises_ref"].nunique() == 220    # premises do not scale
    assert large["premises"]["premises_ref"].nunique() == 220


def test_scale_must_be_positive():
    with pytest.raises(ValueError, match=r"scale= must be positive, not 0"):
        generate_town(seed=1, scale=0)


def test_the_town_has_the_structure_the_demo_needs(town):
    street = town["on_street"]
    hours = pd.to_datetime(street["datetime"]).dt.hour
    assert ((hours >= 18) | (hours < 6)).mean() > 0.7           # evening and night pattern
    weeks = pd.to_datetime(street["datetime"]).dt.to_period("W").nunique()
    assert weeks == TOWN.weeks                                   # two years of weeks
    assert set(town["premises"]["category"]) == {"non-nuisance", "nuisance", "risk"}
    sites = town["outreach_sites"]
    assert {"drop_in", "van_stop"} <= set(sites["site_type"])
    assert (sites["confidential"] == "yes").sum() == 1
    assert {"lighting_fault", "transport_route", "residential"} <= set(
        town["environment"]["feature_type"])
    assert set(town["areas"]["features"][0]["properties"]) == {"name", "area_type"}


def test_every_committed_file_loads_with_no_quarantine(demo_con):
    rows = demo_con.execute("SELECT feed, rows_read, rows_loaded, rows_quarantined, "
                            "rows_excluded FROM ingests ORDER BY ingest_id").fetchall()
    assert [r[0] for r in rows] == list(LOAD_ORDER)
    for feed, read, loaded, quarantined, excluded in rows:
        assert (quarantined, excluded) == (0, 0), feed
        assert read == loaded > 0, feed
    assert demo_con.execute("SELECT count(*) FROM quarantine").fetchall() == [(0,)]
    # the demo builds from the same generator as the committed files
    counts = {f: len(pd.read_csv(COMMITTED / f"{f}.csv")) for f in POINT_FEEDS}
    loaded = {r[0]: r[2] for r in rows}
    assert {f: loaded[f] for f in POINT_FEEDS} == counts
    areas = json.loads((COMMITTED / "areas.geojson").read_text())["features"]
    assert loaded["areas"] == len(areas)


def test_the_readme_says_synthetic():
    text = (COMMITTED.parent / "README.md").read_text()
    assert "SYNTHETIC" in text and "seed=7" in text
