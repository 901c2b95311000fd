"""Text alternatives and second cues, in Streamlit's AppTest against the demo database.

* every map's "Show as a table" view holds exactly the released figures the map draws (read
  back from the deck spec the browser receives), each hexagon placed in its ward;
* every chart's figures are in a table that equals the chart's own data;
* each map's one-sentence summary comes before the map;
* hot and cold spots, premises categories, displacement risk, exclusion zones, reach against
  need and targets each carry a letter or sign as well as a colour;
* every legend's colours stay apart for a viewer with deuteranopia (Machado et al. 2009).
"""
from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_page

from profiles.release import release_area_cells, release_areas
from profiles.release.audiences import get_policy

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
OVERLAYS = ["premises_by_category", "on_street", "harm_reports", "environment", "hotspots",
            "outreach_sites"]


def run_page(file: str, *, audience: str, meeting: bool = False, overlays=None) -> AppTest:
    # on-street then drawn as circles
    shown = {} if overlays is None else dict(map_shade="outreach_contacts",
                                              map_overlays=overlays)
    return open_page(file, audience=audience, timeout=90, meeting_mode=meeting, **shown)


def layers(at: AppTest) -> dict:
    (deck,) = at.get("deck_gl_json_chart")
    return {layer["id"]: layer for layer in json.loads(deck.proto.json)["layers"]}


def table_view(at: AppTest) -> pd.DataFrame:
    """The map's table view (the first table with a ``hexagon`` and a ``drawn as`` column)."""
    return next(d.value for d in at.dataframe if {"hexagon", "drawn as"} <= set(d.value.columns))


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def wards(demo_con, audience: str) -> dict:
    areas = release_areas(demo_con)
    return {c: n.removesuffix(" (synthetic)") for n in areas.loc[areas["area_type"] == "ward",
                                                                  "name"]
            for c in release_area_cells(demo_con, n, audience)}


@pytest.mark.parametrize("audience", ["partnership", "analyst"])
def test_map_table_holds_exactly_the_released_figures_drawn(demo_env, demo_con, audience):
    policy = get_policy(audience)
    allowed = [k for k in OVERLAYS if k in ("environment", "hotspots", "outreach_sites")
               or policy.may_see("premises" if k == "premises_by_category" else k)]
    at = run_page("map.py", audience=audience, overlays=allowed)
    by_id, table = layers(at), table_view(at)
    # every figure drawn (hexagons, larger hexagons, circles), once per layer and hexagon
    drawn = {(lid, r["h3_id"], r["count"]) for lid, layer in by_id.items()
             for r in layer["data"] or [] if "count" in r}
    counted = table[table["figure"].notna() & (table["unit"] != "features")]
    assert drawn and Counter((h, c) for _, h, c in drawn) == Counter(
        zip(counted["hexagon"], counted["figure"].astype(int)))
    env = by_id["environment"]["data"]
    features = table[table["unit"] == "features"]
    assert Counter((r["h3_id"], r["features"]) for r in env) == Counter(
        zip(features["hexagon"], features["figure"].astype(int)))
    sites = table[table["drawn as"] == "Outreach sites, labels"]
    assert set(sites["hexagon"]) == {r["h3_id"] for r in by_id["outreach-sites"]["data"]}
    # the table's ward is the one whose cells hold the hexagon's centre cell
    lookup, floor = wards(demo_con, audience), policy.resolution_floor
    for hexagon, area in zip(table["hexagon"], table["area"]):
        cell = hexagon if h3.get_resolution(hexagon) >= floor else \
            h3.cell_to_center_child(hexagon, floor)
        assert area == lookup.get(cell, "outside the wards")
    assert table["period"].nunique() == 1 and table["period"].iloc[0].startswith("weeks of ")


def test_map_hotspots_carry_a_sign_and_the_table_names_them(demo_env):
    at = run_page("map.py", audience="analyst", overlays=["hotspots"])
    at.selectbox(key="w_map_shade").set_value("on_street").run()
    by_id, table = layers(at), table_view(at)
    rings = {r["h3_id"]: r["fill"][:3] for r in by_id["hotspots"]["data"]}
    signs = {r["h3_id"]: r["mark"] for r in by_id["hotspot-marks"]["data"]}
    assert rings and set(rings) == set(signs)
    hot, cold = [213, 94, 0], [0, 114, 178]
    assert all(signs[c] == ("+" if colour == hot else "−") for c, colour in rings.items())
    assert {colour for colour in map(tuple, rings.values())} <= {tuple(hot), tuple(cold)}
    spots = table[table["drawn as"].str.startswith("Hotspots")]
    assert dict(zip(spots["hexagon"], spots["note"])) == {
        c: ("hot spot" if s == "+" else "cold spot") for c, s in signs.items()}
    legend = "\n".join(m.value for m in at.markdown)
    assert "hot spot (ring and plus sign)" in legend and "cold spot (ring and minus sign)" in legend


def test_map_summary_comes_first_and_names_the_busiest_ward(demo_env, demo_con):
    at = run_page("map.py", audience="partnership")
    order = [n for n in walk(at.main) if getattr(n, "type", "") in ("markdown",
                                                                     "deck_gl_json_chart")]
    kinds = ["summary" if n.type == "markdown" and "in one sentence" in n.value else n.type
             for n in order]
    assert "summary" in kinds and kinds.index("summary") < kinds.index("deck_gl_json_chart")
    summary = next(n.value for n in order if getattr(n, "value", "").startswith("**The map"))
    by_id = layers(at)
    lookup = wards(demo_con, "partnership")
    sums = Counter()
    for lid in ("shade-on_street", "rollup-on_street"):
        for r in {(r["h3_id"], r["count"]) for r in by_id[lid]["data"]}:
            cell = r[0] if h3.get_resolution(r[0]) >= 8 else h3.cell_to_center_child(r[0], 8)
            if cell in lookup:
                sums[lookup[cell]] += r[1]
    top = sums.most_common(1)[0][0]
    rolled = len({r["h3_id"] for r in by_id["rollup-on_street"]["data"]})
    assert f"The busiest place for on-street activity is {top};" in summary
    assert f"{rolled:,} larger hexagons combine places" in summary
    assert not re.search(r"\b[1-4] (events|people)\b", summary)


@pytest.mark.parametrize("audience", ["partnership", "analyst"])
def test_outreach_table_equals_the_status_layer(demo_env, audience):
    at = run_page("outreach.py", audience=audience)
    by_id, table = layers(at), table_view(at)
    status = {}
    for r in by_id["reach-status"]["data"]:
        need, reach = re.findall(r"(not shown|[\d,]+)", r["tip_body"])[:2]
        status[r["h3_id"]] = (r["tip_title"], need, reach)
    cells = table[table["drawn as"].str.startswith("Reach against need")]

    def shown(v) -> str:
        return "not shown" if pd.isna(v) else f"{int(v):,}"

    assert status and {h: (d.split(": ", 1)[1], shown(n), shown(c)) for h, d, n, c in zip(
        cells["hexagon"], cells["drawn as"], cells["figure"], cells["outreach contacts"])} \
        == status
    letters = {r["h3_id"]: r["mark"] for r in by_id["status-marks"]["data"]}
    assert {h: "ULRW"[["unmet need", "low reach", "reached",
                       "reach without recorded need"].index(s)] for h, (s, _, _) in
            status.items()} == letters
    assert any("in one sentence:** Of " in m.value for m in at.markdown)


def test_patrol_map_marks_risk_and_zones_and_lists_them(demo_env):
    at = run_page("patrols.py", audience="command")
    by_id, table = layers(at), table_view(at)
    proposals = {r["h3_id"] for r in by_id["patrol-proposals"]["data"]}
    zones = {r["h3_id"] for r in by_id.get("patrol-zones", {"data": []})["data"]}
    risk = {r["h3_id"]: r["mark"] for r in by_id["risk-marks"]["data"]}
    assert proposals and set(risk) == proposals and set(risk.values()) <= set("HML")
    if zones:
        marks = {r["h3_id"]: r["offset"] for r in by_id["zone-marks"]["data"]}
        assert set(marks) == zones
        offsets = {r["h3_id"]: r["offset"] for r in by_id["risk-marks"]["data"]}
        for cell in zones & proposals:   # both letters in one hexagon: side by side
            assert marks[cell] != offsets[cell]
    assert set(table.loc[table["drawn as"] == "Patrol proposal", "hexagon"]) == proposals
    assert set(table.loc[table["drawn as"] == "Exclusion zone", "hexagon"]) == zones
    listed = table[table["drawn as"] == "Patrol proposal"]
    for hexagon, note in zip(listed["hexagon"], listed["note"]):
        if hexagon in risk:
            word = {"H": "high", "M": "medium", "L": "low"}[risk[hexagon]]
            assert note.endswith(f"displacement risk {word}")


def test_displacement_table_equals_the_hexagons_drawn(demo_env):
    at = run_page("displacement.py", audience="analyst")
    by_id, table = layers(at), table_view(at)
    moved = {r["h3_id"] for r in by_id["dsp-moved"]["data"]}
    targets = {r["h3_id"] for r in by_id["dsp-targets"]["data"]}
    assert targets == {r["h3_id"] for r in by_id["target-marks"]["data"]}
    assert set(table.loc[table["drawn as"] == "Target hexagon", "hexagon"]) == targets
    assert set(table.loc[table["drawn as"] == "Expected increase", "hexagon"]) == moved


def chart_data(at: AppTest) -> list[pd.DataFrame]:
    out = []
    for chart in at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"):
        for d in chart.proto.datasets:
            out.append(pa.ipc.open_stream(d.data.data).read_all().to_pandas())
    return out


def test_overview_charts_figures_are_in_a_table(demo_env):
    at = run_page("overview.py", audience="partnership")
    charts = pd.concat(chart_data(at), ignore_index=True)
    table = next(d.value for d in at.dataframe if "chart" in d.value.columns)
    assert len(charts) and sorted(zip(charts["label"], charts["when"], charts["count"])) == \
        sorted(zip(table["chart"], table["month"], table["released total"]))


def test_premises_chart_figures_are_in_a_table(demo_env):
    # by quarter: by month, too few premises to chart
    at = open_page("premises.py", audience="analyst", timeout=90, period_label="Quarter")
    # the Off-street page also charts the online picture: the premises chart is the one by
    # category
    (chart,) = [c for c in chart_data(at) if "category" in c.columns]
    table = next(d.value for d in at.dataframe if "category" in d.value.columns)
    assert len(chart) and Counter(zip(chart["category"], chart["count"])) == Counter(
        zip(table["category"], table["released total"]))
    # the adverts chart's figures are in their own table (a blank where the bar is empty)
    adverts = next(c for c in chart_data(at) if "part_period" in c.columns)
    online = next(d.value for d in at.dataframe
                  if "adverts (released total)" in d.value.columns)
    assert list(adverts["label"]) == list(online.iloc[:, 0])
    assert [int(v) if v else None for v in adverts["count"]] == [
        None if pd.isna(v) else int(v) for v in online["adverts (released total)"]]


def test_meeting_mode_table_view_shows_only_partnership_figures(demo_env):
    at = run_page("map.py", audience="analyst", meeting=True, overlays=OVERLAYS[:3])
    table = table_view(at)
    figures = table.loc[table["figure"].notna() & (table["unit"] != "features"), "figure"]
    assert len(figures) and all(v >= 5 for v in figures.astype(int))
    assert all(h3.get_resolution(h) <= 8 for h in table["hexagon"])


# ---- colour vision ---------------------------------------------------------------------------

#: Machado, Oliveira & Fernandes (2009), deuteranopia at severity 1.0, on linear RGB.
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
#: Smallest CIELAB distance (ΔE*76) between two colours of one legend, as seen with
#: deuteranopia. Matplotlib's default red and green ("tab:red", "tab:green") are 7.3 apart.
MIN_DELTA_E = 15.0


def _linear(rgb) -> np.ndarray:
    c = np.asarray(rgb, dtype=float) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear) -> np.ndarray:
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ linear
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def deuteranope_distance(a, b) -> float:
    """ΔE*76 between two sRGB colours after simulating deuteranopia."""
    sim = [_lab(np.clip(DEUTERANOPIA @ _linear(c), 0, 1)) for c in (a, b)]
    return float(np.linalg.norm(sim[0] - sim[1]))


def palettes() -> dict:
    from dashboard import cues, maps

    return {**cues.PALETTES, "viridis shading": maps.VIRIDIS,
            "feed circles": [colour for _, _, colour in maps.FEEDS.values()]}


@pytest.mark.parametrize("name", list(palettes()))
def test_legend_colours_stay_apart_with_deuteranopia(name):
    colours = palettes()[name]
    close = [(a, b, round(deuteranope_distance(a, b), 1))
             for a, b in itertools.combinations(colours, 2)
             if deuteranope_distance(a, b) < MIN_DELTA_E]
    assert len(colours) >= 2 and not close, f"{name}: too close for deuteranopia: {close}"


def test_the_colour_check_catches_a_red_green_pair():
    assert deuteranope_distance((214, 39, 40), (44, 160, 44)) < MIN_DELTA_E  # tab:red, green
    assert deuteranope_distance((0, 0, 0), (255, 255, 255)) > 90


# ---- the PDF meeting pack ----------------------------------------------------------------------

def test_pdf_pack_is_tagged_text_with_title_language_and_alt_text(demo_con, tmp_path):
    import subprocess

    from profiles.pack import build_pack, render_pdf

    pack = build_pack(demo_con, "partnership")

    def charts(sections):
        for s in sections:
            yield from s.charts
            yield from charts(s.sections)

    drawn = list(charts(pack.sections))
    path = tmp_path / "pack.pdf"
    path.write_bytes(render_pdf(pack))
    raw = path.read_bytes()
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert "Tagged:          yes" in info and f"Title:           {pack.marking}" in info
    assert b"/Lang (en-GB)" in raw and b"/DisplayDocTitle true" in raw
    assert drawn and raw.count(b"/Alt ") == len(drawn)       # one text alternative a chart
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    words = " ".join(text.split())
    assert pack.title in words and drawn[0].title in words   # real text, not pictures of it
