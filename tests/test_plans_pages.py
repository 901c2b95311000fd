"""AppTest for the Patrol planning and Displacement scenarios pages, for two audiences each.

The pages run against a private copy of the demo database (scenarios are saved beside it).
"""
from __future__ import annotations

import json
from pathlib import Path

import h3
import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_page

from profiles.store import database as store
PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"


@pytest.fixture
def db(demo_copy, monkeypatch):
    monkeypatch.setenv("LANTERN_DB", str(demo_copy))
    return demo_copy


def run(page: str, audience: str) -> AppTest:
    return open_page(PAGES / page, audience=audience)


def deck_spec(at) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def confidential_cells(path) -> set:
    con = store.connect(path, read_only=True)
    rows = con.execute("SELECT CAST(cell AS BIGINT) FROM outreach_sites WHERE confidential"
                       ).fetchall()
    con.close()
    cells = {h3.int_to_str(r[0]) for r in rows}
    return cells | {h3.cell_to_parent(c, 8) for c in cells}


def markings(at) -> list[str]:
    return [m.value for m in at.markdown if "lantern-marking" in m.value]


def test_patrols_page_for_command(db):
    at = run("patrols.py", "command")
    assert [t.value for t in at.title] == ["Patrol planning"]
    assert len(markings(at)) == 2 and all("OFFICIAL-SENSITIVE" in m for m in markings(at))
    assert [s.value for s in at.subheader] == ["Proposals", "Excluded",
                                               "Notice to share through outreach projects"]
    assert "not enforcement" in at.info[0].value
    spec = json.dumps(deck_spec(at))
    assert "patrol-proposals" in spec
    for cell in confidential_cells(db):
        assert cell not in spec
        assert all(cell not in str(df.value.to_dict()) for df in at.dataframe)
    assert "not there to enforce" in at.success[0].value


def proposals(at):
    """The proposals table (the map's "Show as a table" view comes before it)."""
    return next(d.value for d in at.dataframe if "rank" in d.value.columns)


def test_patrol_weights_are_the_commanders(db):
    at = run("patrols.py", "command")
    first = proposals(at)["h3_id"].tolist()
    at.slider(key="patrol_w_harm_reports").set_value(0.0)
    at.slider(key="patrol_w_on_street").set_value(0.0)
    at.slider(key="patrol_w_community_concerns").set_value(1.0)
    at.run()
    assert not at.exception
    assert proposals(at)["h3_id"].tolist() != first
    assert "community concerns 1" in " ".join(c.value for c in at.caption)


def test_patrols_page_refuses_partnership(db):
    at = run("patrols.py", "partnership")
    assert "police-internal" in at.error[0].value
    assert not at.get("deck_gl_json_chart") and not at.dataframe


def test_displacement_page_for_analyst_saves_and_compares(db):
    at = run("displacement.py", "analyst")
    assert [s.value for s in at.subheader] == ["Range over displaced shares"]
    totals = at.dataframe[0].value
    assert list(totals.index) == ["low", "central", "high"]
    assert totals["moved"].is_monotonic_increasing
    assert any("Harm flag" in w.value for w in at.warning)
    assert "dsp-targets" in json.dumps(deck_spec(at))
    at.text_input(key="dsp_name").input("Town centre patrol")
    at.button(key="dsp_save").click()
    at.run()
    assert not at.exception
    assert any("Saved as 'Town centre patrol'" in s.value for s in at.success)
    assert (Path(db).parent / "lantern-scenarios" / "town-centre-patrol.json").exists()
    compare = at.dataframe[-1].value
    assert "Town centre patrol" in compare.columns
    assert any("Check a saved scenario" in c.value for c in at.caption)


def test_displacement_page_for_partnership_stays_coarse(db):
    at = run("displacement.py", "partnership")
    spec = deck_spec(at)
    cells = [row["h3_id"] for layer in spec["layers"] if layer["id"] in ("dsp-moved",
                                                                         "dsp-targets")
             for row in layer["data"]]
    assert cells and {h3.get_resolution(c) for c in cells} == {8}
    assert len(markings(at)) == 2
    at.radio(key="dsp_how").set_value("By hexagon")
    at.run()
    assert not at.exception
    options = at.multiselect(key="dsp_target_cells").options
    counts = [int(o.split("— ")[1].split(" ")[0].replace(",", "")) for o in options]
    assert counts and all(c >= 5 for c in counts)   # moved by cell key, never 1-4


#: The one drawing mode (dashboard.maps): polygons for every hexagon, ring and boundary, and
#: for area names and outreach sites (their letters and halos); text for the smaller marks.
DRAWN_AS = {"PolygonLayer", "TextLayer"}


@pytest.mark.parametrize("page,audience", [("patrols.py", "command"),
                                           ("displacement.py", "analyst"),
                                           ("outreach.py", "partnership"),
                                           ("map.py", "analyst"),
                                           ("evaluate.py", "analyst")])
def test_every_map_uses_the_one_drawing_mode_and_plain_tooltips(db, page, audience):
    layers = deck_spec(run(page, audience))["layers"]
    kinds = {layer["@@type"] for layer in layers}
    assert kinds <= DRAWN_AS, f"{page} draws {kinds - DRAWN_AS}"
    assert not any(layer.get("stroked") or layer.get("background") for layer in layers)
    picked = [layer for layer in layers if layer.get("pickable")]
    assert picked, f"{page} has nothing to hover"
    for layer in picked:
        for row in layer["data"]:
            assert row["tip_title"] and "tip" not in row, (page, layer["id"], row)
            assert "<" not in row["tip_title"] + row["tip_body"], (page, layer["id"], row)
