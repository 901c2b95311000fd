"""AppTest of the Evaluate a response page: police audiences only; its figures are the pinned
WDQ and WDD on the same released counts; a saved scenario is checked against what happened.

The page runs against a private copy of the demo database (scenarios are saved beside it).
"""
from __future__ import annotations

import json
from pathlib import Path

import h3
import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_page

from profiles.planning import check_scenario, simulate
from profiles.planning.evaluation import wdd, wdq
from profiles.planning.response import ring_buffer
from profiles.planning.scenarios import load_scenario, save_scenario, scenario_dir
from profiles.release import open_read_only, release_area_cells, release_counts

PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "evaluate.py"
PACK = PAGE.with_name("pack.py")
TARGET, CONTROL = "Corridor Beat (synthetic)", "Dunwray Ward (synthetic)"
PLACED = {"inside the range", "above the range", "below the range",
          "above the range, but within chance", "below the range, but within chance"}


@pytest.fixture
def db(demo_copy, monkeypatch):
    monkeypatch.setenv("LANTERN_DB", str(demo_copy))
    return demo_copy


def run(audience: str, page=PAGE, **state) -> AppTest:
    return open_page(page, audience=audience, **state)


def released_sum(con, cells, span) -> int:
    """Released on-street events in ``cells`` over ``span``, summed here independently."""
    frame = release_counts(con, "analyst", "on_street", period="all", start=span[0],
                           end=span[1]).frame
    home = [h3.cell_to_center_child(c, 9) if h3.get_resolution(c) < 9 else c
            for c in frame["h3_id"]]
    return int(frame["count"][[h in set(cells) for h in home]].sum())


def test_partnership_is_refused(db):
    at = run("partnership")
    assert "police-internal" in at.error[0].value
    assert not at.get("deck_gl_json_chart") and not at.dataframe and not at.metric


def test_figures_are_the_pinned_statistics_on_released_counts(db):
    at = run("analyst")
    assert [s.value for s in at.subheader][:4] == [
        "Before and after", "Displacement: WDQ, success measure and total net effect",
        "Weighted Displacement Difference", "Verdict"]
    before, after = at.session_state["ev_before"], at.session_state["ev_after"]
    con = open_read_only(db)
    target = release_area_cells(con, TARGET, "analyst")
    buffer = ring_buffer(target)
    control = [c for c in release_area_cells(con, CONTROL, "analyst")
               if c not in set(target) | set(buffer)]
    k = {f"{z}_{w}": released_sum(con, cells, span)
         for z, cells in (("target", target), ("buffer", buffer), ("control", control))
         for w, span in (("before", before), ("after", after))}
    table = at.dataframe[0].value
    assert table["Before"].tolist() == [k["target_before"], k["buffer_before"],
                                        k["control_before"]]
    assert table["After"].tolist() == [k["target_after"], k["buffer_after"],
                                       k["control_after"]]
    q = wdq(k["target_before"], k["target_after"], k["buffer_before"], k["buffer_after"],
            k["control_before"], k["control_after"])
    d = wdd(k["target_before"], k["target_after"], k["control_before"], k["control_after"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["WDQ"] == f"{q.wdq:.2f}"
    assert metrics["Success measure"] == f"{q.success_measure:+.3f}"
    assert metrics["Total net effect"] == f"{q.tne:+.1f} events"
    assert metrics["WDD"] == f"{d.wdd:+d} events"
    assert metrics["Standard error"] == f"{d.se:.1f}"
    assert metrics["95% interval"] == f"{d.ci_low:.0f} to {d.ci_high:.0f}"
    readings = at.dataframe[1].value
    assert q.reading in readings["reading"].tolist()
    assert d.reading in [c.value for c in at.caption]
    # every released figure shown is 0 or at least the analyst threshold
    assert all(v == 0 or v >= 3 for v in [*table["Before"], *table["After"]])
    # the default control shares hexagons with the ring around the target: said in words
    assert any("choose a control farther away" in w.value for w in at.warning)
    verdict = at.info[0].value
    assert "chance" in verdict or "unlikely" in verdict


def test_map_shows_the_three_zones_with_their_counts(db):
    at = run("command")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    ids = {layer["id"] for layer in spec["layers"]}
    assert {"ev-target", "ev-buffer", "ev-control"} <= ids
    tips = {row["tip_title"].split(":")[0]: row["tip_body"] for layer in spec["layers"]
            if layer["id"].startswith("ev-") for row in layer["data"]}
    table = at.dataframe[0].value
    assert f"{table['Before'][0]:,} events before" in tips["Target"]
    # the map's table view lists exactly the hexagons drawn, by zone; a summary comes first
    view = next(d.value for d in at.dataframe if "drawn as" in d.value.columns)
    zones = ("target", "buffer", "control")
    listed = {z: {h for d, h in zip(view["drawn as"], view["hexagon"])
                  if d.split()[0].lower() == z} for z in zones}
    assert all(listed[z] for z in zones) and len(view) == sum(map(len, listed.values()))
    assert all(f"{len(listed[z]):,} hexagons" in tips[z.capitalize()] for z in zones)
    assert any("hexagons in the target zone" in m.value for m in at.markdown)
    # not by colour alone: each zone's hexagons carry its letter, and the legend names it
    letters = next(layer for layer in spec["layers"] if layer["id"] == "zone-letters")["data"]
    by_letter = {m: {r["h3_id"] for r in letters if r["mark"] == m} for m in "TBC"}
    assert by_letter == {"T": listed["target"], "B": listed["buffer"], "C": listed["control"]}
    assert any("T</b>target" in m.value for m in at.markdown)


def test_hexagon_zones_and_ring_width(db):
    at = run("analyst")
    at.radio(key="ev_target_how").set_value("Hexagons")
    at.run()
    chosen = at.multiselect(key="ev_target_cells").value
    assert len(chosen) == 3
    at.slider(key="ev_rings").set_value(2)
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Hexagons"].tolist()[:2] == [3, len(ring_buffer(chosen, 2))]


def test_hexagons_drawn_on_the_map_are_the_zone_picked(db):
    """A map click's callback sets the zone's list (AppTest cannot click a map): with the list
    set as a click would leave it, the hexagon is in the zone everywhere the page shows it."""
    at = run("analyst", ev_target_how="Hexagons")
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    drawable = next(layer for layer in deck["layers"] if layer["id"] == "ev-draw")["data"]
    offered = at.multiselect(key="ev_target_cells").options
    cells = {row["h3_id"] for row in drawable}
    # only the released hexagons offered in the list can be clicked, with released counts
    assert cells == {o.split(" — ")[0] for o in offered}
    shown = [int(row["tip_body"].split("\n")[1].split()[0].replace(",", "")) for row in drawable]
    assert all(v >= 3 for v in shown)                      # the analyst threshold
    assert at.radio(key="ev_draw_zone").options == ["the target zone"]   # zones as hexagons
    chosen = at.multiselect(key="ev_target_cells").value
    cell = next(c for c in sorted(cells) if c not in chosen)
    at = run("analyst", ev_target_how="Hexagons", ev_draw_zone="target",
             ev_target_cells=[*chosen, cell], ev_target_seen=[cell])
    assert at.multiselect(key="ev_target_cells").value == [*chosen, cell]
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    rows = {r["h3_id"]: r for layer in deck["layers"] if layer["id"] == "ev-draw"
            for r in layer["data"]}
    assert rows[cell]["tip_title"] == "Target: where the response ran"
    assert all(r["tip_title"] == "Not in a zone" for c, r in rows.items()
               if c not in {*chosen, cell})
    letters = next(layer for layer in deck["layers"] if layer["id"] == "zone-letters")["data"]
    assert {r["h3_id"] for r in letters if r["mark"] == "T"} == {*chosen, cell}
    assert any("the target zone has 4" in m.value for m in at.markdown)
    assert at.dataframe[0].value["Hexagons"].tolist()[0] == 4   # the evaluation's target
    zones = json.loads(at.get("deck_gl_json_chart")[1].proto.json)
    target = next(layer for layer in zones["layers"] if layer["id"] == "ev-target")["data"]
    assert {r["h3_id"] for r in target} == {*chosen, cell}


def test_empty_target_is_refused_in_words(db):
    at = run("analyst")
    at.radio(key="ev_target_how").set_value("Hexagons")
    at.run()
    at.multiselect(key="ev_target_cells").set_value([])
    at.run()
    assert "no target is chosen; pick an area or some hexagons" in at.error[0].value


def test_add_to_the_meeting_pack_for_the_same_audience_only(db):
    at = run("analyst")
    at.text_input(key="ev_name").input("Corridor lighting")
    at.button(key="ev_add").click()
    at.run()
    assert any("Added 'Corridor lighting'" in s.value for s in at.success)
    specs = at.session_state["pack_evaluations"]
    assert [s.name for s in specs] == ["Corridor lighting"]
    assert specs[0].audience == "analyst" and specs[0].target == TARGET
    pack = run("analyst", PACK, pack_evaluations=specs)
    assert any("Corridor lighting" in m.value for m in pack.markdown)
    partnership = run("partnership", PACK, pack_evaluations=specs)
    assert not any("Corridor lighting" in m.value for m in partnership.markdown)


def saved(db, name: str, intervention: str, start: str, end: str):
    """Run a scenario on the Corridor Beat over ``start``–``end`` and save it as ``name``."""
    con = open_read_only(db)
    sc = simulate(con, "analyst", targets=TARGET, intervention=intervention, start=start,
                  end=end)
    save_scenario(sc, name, scenario_dir(db))
    return con, sc


def test_a_saved_scenario_is_checked_against_what_happened(db):
    con, sc = saved(db, "Corridor sweep", "enforcement", "2024-11-04", "2025-10-27")
    at = run("analyst")
    assert at.selectbox(key="ev_scenario").value == "Corridor sweep"
    table = next(df.value for df in at.dataframe if "Against the range" in df.value.columns)
    table = table.rename(columns={"Measure": "measure", "Observed": "observed", "Low": "low",
                                  "Central": "central", "High": "high",
                                  "Against the range": "placed"})
    assert table["measure"].tolist() == [
        "change in the target hexagons", "moved into the receiving hexagons",
        "target and receiving hexagons together", "displaced share"]
    moved = table.set_index("measure").loc["moved into the receiving hexagons"]
    assert moved["placed"] in PLACED
    assert moved["low"] <= moved["central"] <= moved["high"]
    reloaded = load_scenario("Corridor sweep", scenario_dir(db), audience="analyst")
    check = check_scenario(con, "analyst", reloaded,
                           after=at.session_state["ev_check_after"])
    expected = check.table.set_index("measure").loc["moved into the receiving hexagons"]
    assert moved["observed"] == pytest.approx(round(expected["observed"], 2))
    assert moved["high"] == pytest.approx(round(sc.totals.loc["high", "moved"], 2))
    assert any("Activity moving into the receiving hexagons" in i.value for i in at.info)


def test_a_scenario_with_no_later_weeks_says_so(db):
    saved(db, "Latest", "patrol", "2025-11-03", "2026-10-26")
    at = run("analyst")
    assert any("No weeks are loaded after this scenario's baseline" in w.value
               for w in at.warning)


def test_the_page_is_offered_to_police_audiences_only(db):
    from dashboard.pages import visible_pages

    titles = {a: [t for _, t, _ in visible_pages(a)] for a in ("partnership", "command",
                                                                "analyst")}
    assert "Evaluate a response" not in titles["partnership"]
    assert "Evaluate a response" in titles["command"] and "Evaluate a response" in \
        titles["analyst"]
    assert titles["analyst"].index("Evaluate a response") == \
        titles["analyst"].index("Displacement scenarios") + 1
