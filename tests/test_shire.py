"""The second synthetic force (Marrowby) loads cleanly through the real ingest, at the
documented rates, and leaves no coordinates in the store."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from profiles.store import database as store
from sample_data.shire import LOAD_ORDER, MONTHS, build_shire

MONTHLY = {"harm_reports": (15, 35), "outreach_contacts": (200, 300),
           "community_concerns": (50, 90)}


@pytest.fixture(scope="module")
def shire(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shire")
    db = tmp / "shire.duckdb"
    results = build_shire(db, seed=11, data_dir=tmp / "data")
    con = store.connect(db, read_only=True)
    yield results, con, tmp / "data"
    con.close()


def test_every_file_loads_with_nothing_quarantined(shire):
    results, con, _ = shire
    assert [r.feed for r in results] == list(LOAD_ORDER)
    for r in results:
        assert r.status == "loaded", r.summary()
        assert (r.quarantined, r.excluded, r.flagged) == (0, 0, 0), r.summary()
        assert r.read == r.loaded > 0, r.summary()
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    assert store.is_synthetic(con)
    assert store.get_meta(con, "release_salt") == "synthetic-shire-11"


def test_nine_wards_and_every_point_inside_one(shire):
    _, con, data = shire
    assert con.execute("SELECT count(*), count(DISTINCT name) FROM areas "
                       "WHERE area_type = 'ward'").fetchone() == (9, 9)
    wards = [shape(f["geometry"]) for f in
             json.loads((data / "areas.geojson").read_text())["features"]]
    union = shapely.union_all(wards)
    for feed in LOAD_ORDER[1:]:
        frame = pd.read_csv(data / f"{feed}.csv")
        assert shapely.contains_xy(union, frame["lon"], frame["lat"]).all(), feed


def test_rates_are_about_right(shire):
    _, con, data = shire
    n = dict(con.execute("SELECT feed, sum(n) FROM facts GROUP BY feed").fetchall())
    for feed, (lo, hi) in MONTHLY.items():
        assert lo <= n[feed] / MONTHS <= hi, (feed, n[feed] / MONTHS)
    assert 300 <= n["on_street"] / MONTHS <= 400
    per_quarter = con.execute(
        "SELECT date_trunc('quarter', week) q, sum(n) FROM facts WHERE feed = 'premises' "
        "GROUP BY q ORDER BY q").fetchall()
    assert [c for _, c in per_quarter] == [60] * 8
    people = con.execute("SELECT count(DISTINCT subject) FROM subjects "
                         "WHERE feed = 'on_street'").fetchone()[0]
    assert 150 <= people <= 600
    street = pd.read_csv(data / "on_street.csv", keep_default_na=False)
    assert 150 <= street.loc[street["subject_key"] != "", "subject_key"].nunique() <= 600
    premises = pd.read_csv(data / "premises.csv")
    assert premises["premises_ref"].nunique() < len(premises)      # re-assessments


def test_nothing_in_the_store_has_coordinates(shire):
    _, con, data = shire
    coordinate = re.compile(r"-?\d{1,3}\.\d{3,}")
    raw_keys = set(pd.read_csv(data / "on_street.csv", keep_default_na=False)["subject_key"])
    columns = con.execute("SELECT table_name, column_name, data_type FROM "
                          "information_schema.columns WHERE table_schema = 'main'").fetchall()
    for table, column, dtype in columns:
        assert not dtype.startswith(("FLOAT", "DOUBLE", "REAL", "DECIMAL", "NUMERIC")), \
            f"{table}.{column} is {dtype}"
        assert not dtype.startswith(("TIMESTAMP", "TIME", "INTERVAL")), f"{table}.{column}"
        if dtype != "VARCHAR" or (table, column) == ("area_shapes", "outline"):
            continue   # an outline is the public ward boundary, simplified
        values = [v for (v,) in con.execute(
            f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()]
        assert not [v for v in values if coordinate.search(v)], f"{table}.{column}"
        assert not (set(values) & (raw_keys - {""})), f"{table}.{column} holds a raw key"
