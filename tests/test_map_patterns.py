"""The Map's hotspot-pattern overlay: space-time classes of the shaded feed over the weeks
chosen, from the audience's released counts, with a legend that says what each class means
and how many periods it takes."""
from __future__ import annotations

import json
from pathlib import Path

import h3
import pytest

# known answers of the arithmetic on released figures: exact figures (see conftest)
pytestmark = pytest.mark.usefixtures("exact_release")
from streamlit.testing.v1 import AppTest

from apptest_pages import open_page

from profiles.analyses import classify_for, pattern_key
from profiles.release import open_read_only

PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "map.py"


def run(audience: str, period: str = "Month") -> AppTest:
    return open_page(PAGE, audience=audience, period_label=period,
                     map_overlays=["hotspot_patterns"])


def pattern_rows(at) -> list[dict]:
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return [row for layer in spec["layers"] if layer["id"] == "hotspot-patterns"
            for row in layer["data"]]


@pytest.mark.parametrize("audience, floor", [("analyst", 8), ("partnership", 7)])
def test_patterns_are_those_of_the_released_counts(demo_env, audience, floor):
    at = run(audience)
    start, end = at.session_state["weeks"]
    table = classify_for(open_read_only(demo_env), audience, "on_street", period="month",
                         start=start, end=end, recent=None)
    drawn = {row["h3_id"]: row["tip_title"] for row in pattern_rows(at)}
    expected = table[table["pattern"] != "no pattern"].set_index("h3_id")["pattern"]
    assert set(drawn) == set(expected.index)
    # monthly hexagons are one size larger than the floor; the partnership's (res 7) are too
    # few in the synthetic town to show a pattern, and the map draws exactly what is found
    assert bool(drawn) == (audience == "analyst")
    assert {h3.get_resolution(c) for c in drawn} <= {floor}
    for cell, title in drawn.items():
        assert title.lower().startswith(expected[cell])
    if not drawn:
        return
    legend = next(m.value for m in at.markdown if "Hotspot patterns over time" in m.value)
    n = len(table.attrs["period_starts"])
    assert f"({n} months); the recent window is the last 3" in legend
    for row in pattern_key(table).itertuples():
        if row.pattern != "no pattern":
            assert f"{row.pattern}: {row.meaning} ({row.hexagons:,} hexagons)" in legend


def test_legend_says_how_many_periods_each_class_takes(demo_env):
    at = run("analyst", period="Quarter")
    legend = next(m.value for m in at.markdown if "Hotspot patterns over time" in m.value)
    assert "in each quarter (5 quarters); the recent window is the last 3" in legend
    assert "persistent hot: a hot spot in at least 4 of the 5 quarters" in legend
