"""The dashboard in Streamlit's AppTest: every page, two audiences, meeting mode, empty state.

Pages run against the session's demo database (``LANTERN_DB``), through the real release
layer. The meeting-mode tests walk everything a page shows — map layer data and tooltips,
metrics, tables and sentences — and check that each count of people or events is 0 or a
multiple of 5 no smaller than 5 (the partnership policy), that no hexagon is finer than
resolution 8, and that the marking and the disclosure statement are at the top and bottom.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import h3
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_page

from profiles.store import database as store
from profiles.release.audiences import get_policy
from profiles.release.api import disclosure_statement

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
PAGES = {
    "overview": ("overview.py", "Overview"),
    "map": ("map.py", "Map"),
    "premises": ("premises.py", "Off-street"),
    "outreach": ("outreach.py", "Outreach and need"),
    "status": ("status.py", "Data status"),
}
AUDIENCES = ("partnership", "analyst")
#: Metric labels that count hexagons, files, feeds or weeks — not people or events.
NOT_PEOPLE = ("Hexagons", "Feeds", "Files", "Weeks", "Last file",
              # a share of two released figures, and released advertiser-weeks per week:
              # ratios of released figures, not counts
              "Share with an indicator", "Advertisers seen per week")
#: A count of people or events in a sentence: "175 events", "2,450 contacts".
COUNT_IN_TEXT = re.compile(r"(?<![\w.])(\d[\d,]*) (?:events?|reports?|contacts?|"
                           r"assessments?|need events)\b")
#: What a metric shows instead of a number (not loaded, no data, too few).
FIGURE_STATES = ("Not loaded", "No data for this period", "Too few to show")
#: Layers of reference data (sites, environment features) that are not counts of people.
REFERENCE_LAYERS = {"outreach-sites", "environment", "land", "area-outlines", "area-labels"}


def run_page(name: str, *, audience: str = "partnership", meeting: bool = False) -> AppTest:
    return open_page(PAGES[name][0], audience=audience, meeting_mode=meeting)


def deck_specs(at: AppTest) -> list[dict]:
    return [json.loads(e.proto.json) for e in at.get("deck_gl_json_chart")]


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def marking_bars(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("<div class='lantern-marking'")]


def _number(text: str) -> int:
    return int(text.replace(",", "").replace("+", "").replace("−", "-"))


# ---- every page, two audiences ---------------------------------------------------------------

@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_runs_with_marking_and_statement(demo_env, name, audience):
    at = run_page(name, audience=audience)
    assert at.title[0].value == PAGES[name][1]
    bars = marking_bars(at)
    policy = get_policy(audience)
    assert len(bars) == 2 and all(f"{policy.marking} — {policy.label}" in b for b in bars)
    assert any(c.value == disclosure_statement(policy) for c in at.caption)
    assert "SYNTHETIC DEMONSTRATION DATA" in at.warning[0].value
    assert at.selectbox(key="w_audience").value == audience


@pytest.mark.parametrize("audience", AUDIENCES)
def test_overview_headlines_trends_and_summary(demo_env, audience):
    at = run_page("overview", audience=audience)
    labels = [m.label for m in at.metric]
    assert labels == ["On-street activity", "Off-street premises", "Harm reports",
                      "Community concerns", "Outreach contacts", "Online adverts"]
    assert at.subheader[0].value == "October 2026 against September 2026"
    summary = markdown_text(at)
    assert "On-street activity:" in summary and ("events in October 2026" in summary or
                                                  "none shown in October 2026" in summary)
    charts = len(at.get("vega_lite_chart"))
    empty = [c.value for c in at.caption if c.value.startswith(("Released total 0 in every",
                                                                 "Too few to show in any"))]
    listed = [f for line in empty
              for f in re.split(r", | and ", line.rsplit(": ", 1)[1].rstrip("."))]
    assert charts >= 1 and charts + len(listed) == 6  # a chart, or a line saying none
    longer = [m for m in at.metric if m.value == "Too few to show"]
    assert all(m.delta == "shown only over longer periods" for m in longer)
    if audience == "partnership":   # the month's harm reports are shown, not withheld
        harm = [m for m in at.metric if m.label == "Harm reports"]
        assert harm and harm[0].value != "Too few to show"
    values = [_number(m.value) for m in at.metric if m.value != "Too few to show"]
    if audience == "partnership":
        assert values[0] > 0 and all(v == 0 or v >= 5 for v in values)


def test_overview_period_choice_changes_the_comparison(demo_env):
    at = run_page("overview")
    at.radio(key="w_period_label").set_value("Quarter").run()
    assert not at.exception
    assert at.subheader[0].value == "Q3 2026 against Q2 2026"
    assert "Q4 2026 is not complete yet" in markdown_text(at)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_map_draws_released_hexagons_at_the_audience_floor(demo_env, audience):
    at = run_page("map", audience=audience)
    floor = get_policy(audience).resolution_floor
    (spec,) = deck_specs(at)
    assert spec["mapStyle"] == "__MAP_STYLE__"  # no basemap tiles to fetch
    layers = {layer["id"]: layer for layer in spec["layers"]}
    shade = layers["shade-on_street"]["data"]
    assert shade and {h3.get_resolution(r["h3_id"]) for r in shade} == {floor}
    assert all(r["tip_body"] == f"{r['count']:,} events" for r in shade)
    assert {"land", "area-outlines", "area-labels", "outreach-sites"} <= set(layers)
    assert layers["outreach-sites"]["data"][0]["tip_title"].startswith("Outreach site: ")
    assert any("On-street activity" in m.value for m in at.markdown)  # the legend
    assert at.metric[0].label == "On-street activity shown"


def test_map_says_when_a_wide_view_is_drawn_at_a_coarser_level(demo_env, monkeypatch):
    """The demo force fits the budget, so its map is at the finest level and says nothing;
    with a budget smaller than the force (as a national store is) the hexagons are sums at a
    coarser level and the legend says so, with their number and size."""
    import profiles.release

    at = run_page("map")
    assert "coarser level" not in markdown_text(at)
    finest = {layer["id"]: layer for layer in deck_specs(at)[0]["layers"]}["shade-on_street"]
    fine = {h3.get_resolution(r["h3_id"]) for r in finest["data"]}
    budget = len(finest["data"]) // 3
    monkeypatch.setattr(profiles.release, "MAP_CELL_BUDGET", budget)
    at = run_page("map")
    layers = {layer["id"]: layer for layer in deck_specs(at)[0]["layers"]}
    drawn = layers["shade-on_street"]["data"]
    (res,) = {h3.get_resolution(r["h3_id"]) for r in drawn}
    assert res < min(fine)
    hexagons = len(drawn) + len((layers.get("rollup-on_street") or {"data": []})["data"]) // 2
    assert 0 < hexagons <= budget
    km2 = h3.average_hexagon_area(res, unit="km^2")
    size = f"{km2:,.1f}" if km2 < 10 else f"{km2:,.0f}"
    assert (f"Drawn at a coarser level: {hexagons:,} hexagons of about {size} km² each, sums "
            f"of released counts; choose a smaller area for the finest level.") in \
        markdown_text(at)


def test_outreach_map_compares_larger_hexagons_in_a_wide_view_and_says_so(demo_env,
                                                                          monkeypatch):
    """Reach against need on the map: per released hexagon for the demo; with fewer hexagons
    allowed than the force shows, per larger hexagon (sums of released need and contacts),
    the legend saying so, while the headline figures stay those of the full release."""
    import dashboard.data

    at = run_page("outreach", audience="analyst")
    assert "coarser level" not in markdown_text(at)
    fine = {layer["id"]: layer for layer in deck_specs(at)[0]["layers"]}["reach-status"]
    metrics = [(m.label, m.value) for m in at.metric]
    budget = len(fine["data"]) // 3
    monkeypatch.setattr(dashboard.data, "STATUS_MAP_CELLS", budget)
    at = run_page("outreach", audience="analyst")
    drawn = {layer["id"]: layer for layer in deck_specs(at)[0]["layers"]}["reach-status"]
    cells = {r["h3_id"] for r in drawn["data"]}
    assert 0 < len(cells) <= budget
    assert max(h3.get_resolution(c) for c in cells) < get_policy("analyst").resolution_floor
    assert [(m.label, m.value) for m in at.metric] == metrics
    assert f"Drawn at a coarser level: {len(cells):,} hexagons" in markdown_text(at)


@pytest.mark.parametrize("meeting", [False, True], ids=["default", "meeting-mode"])
def test_outreach_area_names_are_clear_of_the_status_letters(demo_env, meeting):
    """No ward's name is written over a hexagon's status letter at the zoom the map opens at
    (a name as wide as its letters at the text size, a letter as tall): names move off the
    letters, and every hexagon keeps its letter."""
    import math

    at = run_page("outreach", audience="analyst", meeting=meeting)
    spec = deck_specs(at)[0]
    layers = {layer["id"]: layer for layer in spec["layers"]}
    view = spec["initialViewState"]
    names, letters = layers["area-labels"]["data"], layers["status-marks"]["data"]
    size = layers["status-marks"]["getSize"]
    assert names and len(letters) == len(layers["reach-status"]["data"])
    mpp = 40_075_016.686 * math.cos(math.radians(view["latitude"])) / 512 / 2 ** view["zoom"]
    for name in {r["name"] for r in names}:     # the name's letters (ci 1): their extent
        points = [pt for r in names if r["name"] == name and r["ci"] == 1
                  for ring in r["polygon"] for pt in ring]
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        half_lon = size / 2 * mpp / (111_320 * math.cos(math.radians(lats[0])))
        half_lat = size / 2 * mpp / 110_540
        touching = [r["mark"] for r in letters
                    if min(lons) - half_lon < r["lon"] < max(lons) + half_lon
                    and min(lats) - half_lat < r["lat"] < max(lats) + half_lat]
        assert not touching, f"{touching} drawn on {name!r}"


def test_map_layers_toggle_on_and_off(demo_env):
    at = run_page("map", audience="analyst")
    at.multiselect(key="w_map_overlays").set_value(
        ["premises_by_category", "harm_reports", "environment", "hotspots"]).run()
    assert not at.exception
    by_id = {layer["id"]: layer for layer in deck_specs(at)[0]["layers"]}
    ids = set(by_id)
    assert {"circles-harm_reports", "environment", "hotspots"} <= ids
    assert "outreach-sites" not in ids
    legend = markdown_text(at)
    assert "Environment features" in legend and "Hotspots (Gi*)" in legend
    assert "Off-street premises" in legend and "risk" in legend
    assert "HR</b>reports, circle area by count" in legend
    at.selectbox(key="w_map_shade").set_value("none").run()
    ids = {layer["id"] for layer in deck_specs(at)[0]["layers"]}
    assert not any(i.startswith("shade-") for i in ids) and "hotspots" not in ids


def test_map_circles_say_their_feed_in_letters_not_colour_alone(demo_env):
    """Two feeds as circles differ by colour and by letters above the circles (S, OC)."""
    at = run_page("map", audience="analyst")
    at.selectbox(key="w_map_shade").set_value("none").run()
    at.multiselect(key="w_map_overlays").set_value(["on_street", "outreach_contacts"]).run()
    assert not at.exception
    by_id = {layer["id"]: layer for layer in deck_specs(at)[0]["layers"]}
    for feed, letters in (("on_street", "S"), ("outreach_contacts", "OC")):
        circles = {r["h3_id"] for r in by_id[f"circles-{feed}"]["data"]}
        marks = by_id[f"feed-marks-{feed}"]["data"]
        assert circles and {r["h3_id"] for r in marks} == circles
        assert {r["mark"] for r in marks} == {letters}
        assert f"{letters}</b>" in markdown_text(at)


def test_map_first_paint_uses_only_polygon_layers(demo_env):
    """Software WebGL compiles one program per layer kind, a second or so each: the default
    map draws hexagons, rings, boundaries and its labels' letters as polygons, nothing else."""
    at = run_page("map", audience="analyst")
    layers = deck_specs(at)[0]["layers"]
    assert {layer["@@type"] for layer in layers} == {"PolygonLayer"}
    assert not any(layer.get("stroked") or layer.get("background") for layer in layers)
    by_id = {layer["id"]: layer for layer in layers}
    for row in by_id["shade-on_street"]["data"]:   # an inset hexagon inside its own cell
        edge = [[round(lo, 6), round(la, 6)] for la, lo in h3.cell_to_boundary(row["h3_id"])]
        (ring,) = row["polygon"]
        assert len(ring) == 6 and ring != edge
        assert all(h3.latlng_to_cell(la, lo, h3.get_resolution(row["h3_id"])) == row["h3_id"]
                   for lo, la in ring)
    rings = [r["polygon"] for r in by_id["rollup-on_street"]["data"]]
    assert {len(r) for r in rings} == {1, 2}   # the faint inside, and the ring with a hole
    sites = by_id["outreach-sites"]["data"]   # halos (ci 0) under letters (ci 1), one tip
    assert {r["ci"] for r in sites} == {0, 1}
    assert all(r["tip_title"].startswith("Outreach site: ") for r in sites)
    # Streamlit escapes tooltip values: the markup is in the template, the rows are plain words
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)["html"] == \
        "<b>{tip_title}</b><br>{tip_body}"
    shaded = by_id["shade-on_street"]["data"][0]
    assert (shaded["tip_title"], shaded["tip_body"]) == (
        "On-street activity", f"{shaded['count']:,} events")
    tipped = [r for layer in layers for r in layer["data"] if "tip_title" in r]
    assert tipped and not any("<" in r["tip_title"] + r["tip_body"] for r in tipped)
    assert not any("tip" in r for layer in layers for r in layer["data"])


@pytest.mark.parametrize("audience", AUDIENCES)
def test_premises_page_shows_categories_and_responses_never_a_list(demo_env, audience):
    from profiles.analyses.premises import RESPONSES

    at = run_page("premises", audience=audience)
    assert [m.label for m in at.metric][:4] == ["Non-nuisance premises assessments",
                                                "Nuisance premises assessments",
                                                "Risk premises assessments",
                                                "Assessments, categories combined"]
    assert sum(_number(m.value) for m in at.metric[:4]) > 0
    text = markdown_text(at)
    assert all(response in text for response in RESPONSES.values())
    # never a premises-level table: the chart tables (premises by period, adverts by
    # period) and the online picture's, by area and by indicator
    firsts = [list(d.value.columns)[0] for d in at.dataframe]
    charts = [list(d.value.columns) for d in at.dataframe
              if list(d.value.columns)[0] not in ("Area", "Indicator")]
    assert [f for f in firsts if f in ("Area", "Indicator")] == ["Area", "Indicator"]
    assert firsts[-2:] == ["Area", "Indicator"]
    premises = [c for c in charts if c[0].endswith(" starting")]
    assert premises in ([], [["quarter starting", "category", "released total"]],
                        [["month starting", "category", "released total"]])
    online = [c for c in charts if not c[0].endswith(" starting")]
    assert all(c[1:] == ["adverts (released total)", "advertisers seen per week",
                         "part period"] for c in online) and len(online) <= 1


@pytest.mark.parametrize("audience", AUDIENCES)
def test_outreach_page_shows_reach_against_need(demo_env, audience):
    at = run_page("outreach", audience=audience)
    assert [m.label for m in at.metric][:2] == ["Need shown", "Outreach contacts shown"]
    (spec,) = deck_specs(at)
    status = next(layer for layer in spec["layers"] if layer["id"] == "reach-status")
    floor = get_policy(audience).resolution_floor
    assert status["data"] and all(h3.get_resolution(r["h3_id"]) <= floor
                                  for r in status["data"])
    table = at.dataframe[-1].value   # the first is the map's "Show as a table" view
    assert list(table.columns) == ["hexagon", "need shown", "outreach contacts shown",
                                   "status", "note"]
    assert set(table["status"]) <= {"unmet need", "low reach"}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_status_page_masks_file_counts_for_the_audience(demo_env, audience):
    at = run_page("status", audience=audience)
    feeds = at.dataframe[0].value
    # feeds by their catalogue labels, weeks and days as the pages write them
    assert set(feeds["feed"]) >= {"On-street activity", "Off-street premises", "Harm reports",
                                  "Area boundaries"}
    assert not feeds["feed"].str.contains("_").any()
    assert feeds["first week"].str.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}|reference data").all()
    files = at.dataframe[1].value
    assert not files["feed"].str.contains("_").any()
    sites = files.loc[files["feed"] == "Outreach sites", "rows loaded"].iloc[0]
    if audience == "partnership":
        assert sites == "fewer than 5"  # three non-confidential sites and one confidential
    else:
        assert sites == "4"
    assert "No row has been quarantined" in at.success[0].value


# ---- meeting mode ------------------------------------------------------------------------------

def partnership_violations(at: AppTest) -> tuple[list[str], int]:
    """Walk everything a page shows; return (what the partnership may not see, figures checked).

    Counts of people or events must be 0 or at least 5 (the partnership's figures are moved
    by their cell key, not rounded), and no hexagon may be finer than resolution 8. A change
    between two shown figures is their difference and may take any value.
    """
    bad, checked = [], 0

    def check(value: int, where: str) -> None:
        nonlocal checked
        checked += 1
        value = abs(int(value))
        if not (value == 0 or value >= 5):
            bad.append(f"{value} in {where}")

    for spec in deck_specs(at):
        for layer in spec["layers"]:
            for row in layer.get("data") or []:
                if "h3_id" in row and h3.get_resolution(row["h3_id"]) > 8:
                    bad.append(f"resolution {h3.get_resolution(row['h3_id'])} hexagon in "
                               f"{layer['id']}")
                if layer["id"] in REFERENCE_LAYERS:
                    continue
                for key in ("count", "need", "reach"):
                    if isinstance(row.get(key), int):
                        check(row[key], f"{layer['id']}.{key}")
                tip = f"{row.get('tip_title', '')}\n{row.get('tip_body', '')}"
                for n in COUNT_IN_TEXT.findall(tip):
                    check(_number(n), f"{layer['id']} tooltip")
    for metric in at.metric:
        if metric.label.startswith(NOT_PEOPLE):
            continue
        if metric.value in FIGURE_STATES:   # not a number: nothing to check
            continue
        check(_number(metric.value), f"metric {metric.label}")
    for frame in (d.value for d in at.dataframe):
        for col in frame.columns:
            # "figure" and "released total": the map and chart table views (text alternatives)
            if not col.startswith(("rows", "need", "outreach", "count", "figure",
                                   "released total", "Adverts", "adverts", "With any")):
                continue
            for v in frame[col]:
                if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "not shown":
                    continue
                if isinstance(v, str) and v.startswith("fewer than"):
                    if v != "fewer than 5":
                        bad.append(f"{v!r} in table column {col}")
                    continue
                check(_number(str(v)), f"table column {col}")
    for text in [m.value for m in at.markdown] + [c.value for c in at.caption]:
        for n in COUNT_IN_TEXT.findall(text):
            check(_number(n), f"text {text[:40]!r}")
    return bad, checked


@pytest.mark.parametrize("name", list(PAGES))
def test_meeting_mode_shows_nothing_the_partnership_may_not_see(demo_env, name):
    at = run_page(name, audience="analyst", meeting=True)  # the lock overrides the audience
    statement = disclosure_statement(get_policy("partnership"))
    bars = marking_bars(at)
    assert len(bars) == 2 and all("OFFICIAL-SENSITIVE" in b and "MEETING MODE" in b
                                  for b in bars)
    assert at.info[0].value == statement and at.main.caption[-1].value == statement
    assert "font-size: 21px" in markdown_text(at)  # larger text for the back of the room
    assert "Audience" not in [s.label for s in at.selectbox]
    bad, checked = partnership_violations(at)
    assert not bad
    assert checked > 0, "nothing was checked: the page showed no figures at all"


@pytest.mark.parametrize("name", ["map", "outreach"])
def test_the_meeting_mode_check_catches_analyst_figures(demo_env, name):
    """The walk above is not vacuous: outside meeting mode, analyst pages fail it (their
    hexagons are finer than the partnership's floor, and some figures are 3 or 4). The
    Overview's headline figures are no longer a test of it: with released units in layers,
    the analyst's force-wide monthly figures on the demo are all 5 or more."""
    bad, _ = partnership_violations(run_page(name, audience="analyst"))
    assert bad


def test_meeting_mode_switch_needs_a_deliberate_second_action_to_leave(demo_env):
    at = AppTest.from_file(str(DASHBOARD / "app.py"), default_timeout=60)
    at.session_state["audience"] = "command"
    at.run()
    at.toggle(key="meeting_switch").set_value(True).run()
    assert at.session_state["meeting_mode"] and at.session_state["audience"] == "partnership"
    assert "Audience" not in [s.label for s in at.selectbox]
    at.toggle(key="meeting_switch").set_value(False).run()
    assert at.session_state["meeting_mode"], "one click must not leave meeting mode"
    assert "Stop sharing the screen first" in at.sidebar.warning[0].value
    at.button(key="stay_meeting_btn").click().run()
    assert at.session_state["meeting_mode"] and not at.session_state["confirm_leave"]
    at.toggle(key="meeting_switch").set_value(False).run()
    at.button(key="confirm_leave_btn").click().run()
    assert not at.session_state["meeting_mode"]
    assert at.selectbox(key="w_audience").value == "partnership"  # not back to command


def test_meeting_mode_hides_pages_the_partnership_may_not_see(demo_env, monkeypatch):
    from dashboard import pages

    monkeypatch.setattr(pages, "PAGES", pages.PAGES + (
        ("status.py", "Police only", ":material/lock:", ("command", "analyst")),))
    titles = [t for _, t, _ in pages.visible_pages("partnership")]
    assert "Police only" not in titles and "Map" in titles
    assert "Police only" in [t for _, t, _ in pages.visible_pages("command")]


def test_a_page_whose_file_is_missing_is_not_offered(monkeypatch):
    from dashboard import pages

    monkeypatch.setattr(pages, "PAGES", (
        ("map.py", "Map", ":material/map:"),
        ("no_such_page.py", "No file", ":material/help:")))
    assert [t for _, t, _ in pages.visible_pages()] == ["Map"]


# ---- choices kept across pages, and the empty state --------------------------------------------

def test_sidebar_choices_are_kept_across_pages(demo_env):
    at = AppTest.from_file(str(DASHBOARD / "app.py"), default_timeout=60)
    at.run()
    at.selectbox(key="w_area").set_value("Ashcombe Ward (synthetic)").run()
    at.radio(key="w_period_label").set_value("Week").run()
    at.switch_page("pages/map.py").run()
    assert not at.exception
    assert at.title[0].value == "Map"
    assert at.selectbox(key="w_area").value == "Ashcombe Ward (synthetic)"
    assert at.radio(key="w_period_label").value == "Week"
    labels = [layer for layer in deck_specs(at)[0]["layers"] if layer["id"] == "area-labels"]
    assert {r["name"] for r in labels[0]["data"]} == {"Ashcombe Ward"}


@pytest.mark.parametrize("name", list(PAGES))
def test_empty_database_shows_how_to_load_data(tmp_path, monkeypatch, name):
    path = tmp_path / "empty.duckdb"
    store.connect(path).close()
    monkeypatch.setenv("LANTERN_DB", str(path))
    at = run_page(name)
    assert at.header[0].value == "No data loaded yet"
    text = markdown_text(at)
    assert "lantern demo" in text and "lantern ingest areas" in text
    assert not deck_specs(at) and not at.metric


def pack_page(*, meeting: bool) -> AppTest:
    at = AppTest.from_file(str(DASHBOARD / "pages" / "pack.py"), default_timeout=60)
    at.session_state["audience"] = "analyst"
    at.session_state["meeting_mode"] = meeting
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_meeting_mode_pack_page_offers_only_the_partnership_pack(demo_env):
    at = pack_page(meeting=True)   # the lock overrides the analyst audience
    policy = get_policy("partnership")
    (table,) = at.table
    shown = dict(zip(table.value.index, table.value.iloc[:, 0]))
    assert shown["Audience"] == policy.label and shown["Protective marking"] == policy.marking
    police_warning = [w for w in at.warning if "For partners, choose" in w.value]
    assert not police_warning, "meeting mode is the partnership: no police-audience warning"
    assert all("MEETING MODE" in b for b in marking_bars(at)) and len(marking_bars(at)) == 2
    assert "--audience partnership" in at.code[0].value
    outside = pack_page(meeting=False)   # the same viewer outside meeting mode
    assert "--audience analyst" in outside.code[0].value
    assert any("For partners, choose" in w.value for w in outside.warning)
