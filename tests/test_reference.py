"""profiles.release.reference: outreach sites, environment features and area outlines for maps."""
from __future__ import annotations

import dataclasses

import h3
import pytest

from profiles.release.audiences import get_policy
from profiles.release.reference import (days_to_words, minutes_to_clock, release_area_outlines,
                                release_environment, release_sites)


@pytest.mark.parametrize("mask, words", [
    (0b1111111, "daily"), (0b0011111, "Mon–Fri"), (0b1100000, "Sat, Sun"),
    (0b0010100, "Wed, Fri"), (0b0000001, "Mon"), (0, "no days"), (0b0011100, "Wed–Fri"),
], ids=["daily", "weekdays", "weekend", "two", "one", "none", "run-of-three"])
def test_days_to_words(mask, words):
    assert days_to_words(mask) == words


def test_minutes_to_clock_wraps_past_midnight():
    assert [minutes_to_clock(m) for m in (0, 75, 1439, 1500)] == ["00:00", "01:15", "23:59",
                                                                   "01:00"]


@pytest.mark.parametrize("audience, resolution", [("partnership", 8), ("analyst", 9)])
def test_sites_are_non_confidential_and_at_the_audience_floor(demo_con, audience, resolution):
    sites = release_sites(demo_con, audience)
    stored = demo_con.execute("SELECT count(*) FILTER (WHERE NOT confidential), "
                              "count(*) FILTER (WHERE confidential) FROM outreach_sites"
                              ).fetchall()[0]
    assert stored[1] >= 1, "the demo should hold a confidential site to leave out"
    assert int(sites["sites"].sum()) == stored[0]
    assert "clinic" not in set(sites["site_type"])  # the demo's only clinic is confidential
    assert {h3.get_resolution(c) for c in sites["h3_id"]} == {resolution}
    van = sites[sites["hours"] == "21:00–01:00"]
    assert van["days"].tolist() == ["Tue, Thu, Sat"]


@pytest.mark.parametrize("audience, resolution", [("partnership", 8), ("command", 9)])
def test_environment_counts_every_standing_feature_at_the_floor(demo_con, audience, resolution):
    env = release_environment(demo_con, audience)
    total = demo_con.execute("SELECT sum(n) FROM environment").fetchall()[0][0]
    assert int(env["features"].sum()) == int(total)
    assert {h3.get_resolution(c) for c in env["h3_id"]} == {resolution}
    assert "lighting fault" in set(env["feature_type"])


def test_environment_range_keeps_standing_features_and_drops_dated_ones(demo_con):
    standing = demo_con.execute("SELECT sum(n) FROM environment WHERE week IS NULL"
                                ).fetchall()[0][0]
    env = release_environment(demo_con, "analyst", start="2030-01-01")
    assert int(env["features"].sum()) == int(standing)
    assert "lighting fault" not in set(env["feature_type"])


def test_environment_in_an_area_is_a_part_of_the_whole(demo_con):
    whole = release_environment(demo_con, "analyst")["features"].sum()
    ward = release_environment(demo_con, "analyst", area="Ashcombe Ward (synthetic)")
    assert 0 < ward["features"].sum() < whole


def test_an_audience_without_the_feed_gets_nothing(demo_con):
    blind = dataclasses.replace(get_policy("partnership"), name="blind", feeds=("on_street",))
    assert release_sites(demo_con, blind).empty
    assert release_environment(demo_con, blind).empty


def test_area_outlines_are_closed_rings_with_a_label_inside(demo_con):
    outlines = release_area_outlines(demo_con, "partnership")
    names = demo_con.execute("SELECT name FROM areas ORDER BY area_id").fetchall()
    assert outlines["name"].tolist() == [n for (n,) in names]
    for row in outlines.itertuples():
        assert row.paths and all(ring[0] == ring[-1] and len(ring) > 6 for ring in row.paths)
        lons = [p[0] for ring in row.paths for p in ring]
        lats = [p[1] for ring in row.paths for p in ring]
        assert min(lats) < row.label_lat < max(lats) and min(lons) < row.label_lon < max(lons)
    wards = release_area_outlines(demo_con, "partnership", area_type="ward")
    assert set(wards["area_type"]) == {"ward"} and len(wards) == 4
