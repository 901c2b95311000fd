"""The Map's picture over time: the emerging hot spot overlay (ArcGIS's categories, with a
letter and sign as the second cue) and the time player (one frame per month or quarter, one
colour scale for every frame), both drawn from the audience's released counts only."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from apptest_pages import open_page

from profiles.analyses import emerging_for
from profiles.analyses.frames import class_of, fixed_breaks, frames_for
from profiles.release import open_read_only, release_counts

pytestmark = pytest.mark.usefixtures("exact_release")
PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "map.py"


def layers(at, deck: int = 0) -> dict:
    spec = json.loads(at.get("deck_gl_json_chart")[deck].proto.json)
    return {layer["id"]: layer["data"] for layer in spec["layers"]}


# ---- frames: the released hexagons period by period ----------------------------------------

def test_fixed_breaks_span_every_frame_and_classes_follow_them():
    assert fixed_breaks([3, 3, 3]) == [3]
    breaks = fixed_breaks(range(5, 105), k=4)
    assert breaks == [5, 30, 55, 80]
    assert [class_of(v, breaks) for v in (5, 29, 30, 104)] == [0, 0, 1, 3]


@pytest.mark.parametrize("audience", ["partnership", "analyst"])
def test_every_frame_figure_is_a_released_monthly_figure(demo_env, audience):
    con = open_read_only(demo_env)
    frames = frames_for(con, audience, "on_street", period="month")
    released = release_counts(con, audience, "on_street", period="month",
                              place="hexagon").frame
    released = released[released["period_grain"] == "month"]
    truth = {(str(p)[:10], c): int(n) for p, c, n in
             zip(released["period_start"], released["h3_id"], released["count"])}
    got = {(str(p), c): int(n) for p, c, n in
           zip(frames.table["period_start"], frames.table["h3_id"], frames.table["count"])}
    assert got == truth and got                        # nothing added, nothing left out
    assert frames.periods == sorted(frames.periods) and len(frames.periods) >= 12
    threshold = frames.policy.threshold
    assert frames.table["count"].min() >= threshold    # never a small figure, never a 0
    finest = frames.table[frames.table["resolution"] == frames.resolution]["count"]
    assert frames.breaks == fixed_breaks(finest)       # one scale, from every frame at once


def test_a_frame_is_one_period_and_labels_say_which(demo_env):
    frames = frames_for(open_read_only(demo_env), "analyst", "on_street", period="quarter")
    first = frames.periods[0]
    frame = frames.frame(first)
    assert set(frame.columns) == {"h3_id", "resolution", "count"}
    assert len(frame) == int((frames.table["period_start"] == first).sum())
    assert "–" in frames.label(first) and str(first.year) in frames.label(first)


# ---- the emerging hot spot overlay ----------------------------------------------------------

def test_emerging_overlay_draws_the_released_categories_with_letters(demo_env):
    at = open_page(PAGE, audience="analyst", period_label="Month",
                   map_overlays=["emerging_hotspots"])
    start, end = at.session_state["weeks"]
    run = emerging_for(open_read_only(demo_env), "analyst", "on_street", period="month",
                       start=start, end=end)
    expected = run.table[run.table["category"] != "no pattern detected"]
    drawn = layers(at)
    rings = {row["h3_id"]: row["tip_title"] for row in drawn.get("emerging-hotspots", [])}
    assert set(rings) == set(expected["h3_id"]) and rings
    for cell, category in zip(expected["h3_id"], expected["category"]):
        assert rings[cell].lower().startswith(category)
    marks = [row["mark"] for key, rows in drawn.items() if key.startswith("emerging-marks")
             for row in rows]
    assert marks and all(m[0] in "NCIPDSOH" and m[1] in "+−" for m in marks)
    legend = next(m.value for m in at.markdown if "Emerging hot spots" in m.value)
    for category, n in expected["category"].value_counts().items():
        assert f"{category}: " in legend and f"({n:,} hexagons)" in legend


def test_sfhotspot_classes_stay_available_named_as_such():
    from dashboard.map_overlays import OVERLAYS

    assert "(sfhotspot-style classes)" in OVERLAYS["hotspot_patterns"].words
    assert "(ArcGIS categories, by month)" in OVERLAYS["emerging_hotspots"].words


# ---- the time player -------------------------------------------------------------------------

def _player(audience="analyst", **state):
    return open_page(PAGE, audience=audience, period_label="Month", player_on=True, **state)


def test_the_player_draws_one_month_on_the_fixed_scale(demo_env):
    at = _player()
    frames = frames_for(open_read_only(demo_env), "analyst", "on_street", period="month",
                        start=at.session_state["weeks"][0], end=at.session_state["weeks"][1])
    labels = [frames.label(p) for p in frames.periods]
    assert at.session_state["player_frame"] == labels[0]
    assert len(at.get("deck_gl_json_chart")) == 2          # the main map and the player's
    shaded = layers(at, 1)["frame-on_street"]
    frame = frames.frame(frames.periods[0])
    fine = frame[frame["resolution"] == frames.resolution]
    got = {row["h3_id"]: row for row in shaded}
    assert set(got) == set(fine["h3_id"])
    palette = {class_of(n, frames.breaks) for n in fine["count"]}
    assert len({tuple(row["fill"][:3]) for row in shaded}) == len(palette)
    legend = next(m.value for m in at.markdown if "one scale for all" in m.value)
    assert f"one scale for all {len(labels)} months" in legend
    for b in frames.breaks:
        assert f"{b:,}" in legend


def test_next_previous_and_the_slider_step_through_the_months(demo_env):
    at = _player()
    first = at.session_state["player_frame"]
    at.button(key="player_next").click().run()
    second = at.session_state["player_frame"]
    assert second != first
    at.button(key="player_prev").click().run()
    assert at.session_state["player_frame"] == first
    options = list(at.select_slider(key="w_player_frame").options)
    at.select_slider(key="w_player_frame").set_value(options[-1]).run()
    assert at.session_state["player_frame"] == options[-1]
    at.button(key="player_next").click().run()                  # the last stays the last
    assert at.session_state["player_frame"] == options[-1]
    assert not at.exception


def test_play_starts_from_the_beginning_at_the_end_and_can_be_paused(demo_env):
    at = _player()
    options = list(at.select_slider(key="w_player_frame").options)
    at.session_state["player_frame"] = options[-1]
    at.run()
    at.button(key="player_play").click().run()
    assert at.session_state["player_playing"] is True
    assert at.session_state["player_frame"] in options[:2]
    at.button(key="player_play").click().run()
    assert at.session_state["player_playing"] is False
    assert not at.exception


def test_quarters_and_a_feed_the_audience_cannot_step_through(demo_env):
    at = _player(player_period="quarter")
    options = list(at.select_slider(key="w_player_frame").options)
    assert options and all("–" in o for o in options)
    at = open_page(PAGE, audience="partnership", period_label="Month", player_on=True,
                   map_shade="harm_reports")
    # the partnership sees harm reports, and its frames are its own release's
    frames = frames_for(open_read_only(demo_env), "partnership", "harm_reports", period="month",
                        start=at.session_state["weeks"][0], end=at.session_state["weeks"][1])
    shaded = layers(at, 1).get("frame-harm_reports", [])
    frame = frames.frame(frames.periods[0])
    assert {r["h3_id"] for r in shaded} == set(frame[frame["resolution"] ==
                                                     frames.resolution]["h3_id"])


def test_every_month_side_by_side_on_the_players_scale(demo_env):
    from profiles.pack.overtime import frames_multiples

    at = _player(player_grid=True)
    assert len(at.get("image")) == 1                          # the grid, drawn
    frames = frames_for(open_read_only(demo_env), "analyst", "on_street", period="month",
                        start=at.session_state["weeks"][0], end=at.session_state["weeks"][1])
    grid = frames_multiples(frames, "On-street activity", "events")
    assert grid.breaks == tuple(frames.breaks)                 # the player's one scale
    assert [label for label, _ in grid.panels] == [frames.label(p)
                                                   for p in frames.periods[-12:]]
    finest = frames.table[frames.table["resolution"] == frames.resolution]
    for (label, values), start in zip(grid.panels, frames.periods[-12:]):
        month = dict(zip(finest.loc[finest["period_start"] == start, "h3_id"],
                         finest.loc[finest["period_start"] == start, "count"]))
        drawn = {c: v for c, v in zip(grid.cells, values) if v}
        assert drawn == month                                  # released figures, no others
    assert not at.exception
