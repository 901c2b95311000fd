"""Plain words on every page: no parameter names, exception text or code identifiers.

Walks every dashboard page in AppTest with the selections that used to break them — an area
smaller than one hexagon the audience may see, and a store where most feeds have no file — for
two audiences, and fails on any error, exception, warning or note on a page that holds an
identifier-like token (``targets=``, ``snake_case``, ``SomethingError``, a hexagon id).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_page

from profiles.store import connect, ingest_file, load_key, set_meta

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
PAGES = ("overview.py", "map.py", "premises.py", "outreach.py", "patrols.py",
         "displacement.py", "pack.py", "status.py")
#: A square about 120 m across inside the synthetic town's Town Centre Beat (in the open sea),
#: far smaller than one resolution-8 hexagon (about 0.7 km²).
TINY = "Harbour Steps (synthetic)"
TINY_RING = [[0.9950, 54.4980], [0.9968, 54.4980], [0.9968, 54.4991], [0.9950, 54.4991],
             [0.9950, 54.4980]]
IDENTIFIER = re.compile(
    r"\b\w+=|"                                # a parameter: targets=, area=
    r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|"         # snake_case: reach_feed, on_street
    r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\b|"    # CamelCase: DisplacementError, NoneType
    r"\b8[0-9a-f]{14}\b|"                     # an H3 hexagon id
    r"Traceback|`")


def _with_tiny_area(areas_path: Path, dest: Path) -> Path:
    doc = json.loads(areas_path.read_text())
    doc["features"].append({"type": "Feature",
                            "properties": {"name": TINY, "area_type": "neighbourhood"},
                            "geometry": {"type": "Polygon", "coordinates": [TINY_RING]}})
    dest.write_text(json.dumps(doc))
    return dest


def _build(path: Path, town_files: dict, feeds) -> Path:
    con = connect(path)
    set_meta(con, "synthetic", "true")
    key = load_key(path)
    areas = _with_tiny_area(town_files["areas"], path.parent / "areas-tiny.geojson")
    ingest_file(con, "areas", areas, key=key, quarantine_dir=path.parent / "q")
    for feed in feeds:
        ingest_file(con, feed, town_files[feed], key=key, quarantine_dir=path.parent / "q")
    con.close()
    return path


@pytest.fixture(scope="module")
def stores(town_files, tmp_path_factory):
    """Two synthetic stores: every feed, and community concerns only (others not loaded)."""
    base = tmp_path_factory.mktemp("plain")
    everything = [f for f in town_files if f != "areas"]
    (base / "all").mkdir()
    (base / "few").mkdir()
    return {"all feeds": _build(base / "all" / "all.duckdb", town_files, everything),
            "concerns only": _build(base / "few" / "few.duckdb", town_files,
                                    ["community_concerns"])}


def _messages(at: AppTest) -> list[str]:
    found = [e.value for e in at.exception]
    for kind in ("error", "warning", "info"):
        found += [e.value for e in getattr(at, kind)]
    return [str(m) for m in found]


def _run(page: str, audience: str, area: str, extra: dict) -> AppTest:
    return open_page(page, audience=audience, timeout=90, check=False, meeting_mode=False,
                     area=area, **extra)


SELECTIONS = {
    "tiny area": (TINY, {}),
    "whole force": ("Whole force", {}),
    "displacement: tiny target area": ("Whole force", {"dsp_how": "By area",
                                                       "dsp_target_area": TINY}),
    "displacement: no target hexagon": ("Whole force", {"dsp_how": "By hexagon",
                                                        "dsp_target_cells": []}),
}


@pytest.mark.parametrize("store", ["all feeds", "concerns only"])
@pytest.mark.parametrize("audience", ["partnership", "command"])
def test_no_page_shows_an_identifier(stores, store, audience, monkeypatch):
    monkeypatch.setenv("LANTERN_DB", str(stores[store]))
    bad = []
    for page in PAGES:
        for what, (area, extra) in SELECTIONS.items():
            if what.startswith("displacement") and page != "displacement.py":
                continue
            at = _run(page, audience, area, extra)
            for message in _messages(at):
                hits = IDENTIFIER.findall(message)
                if hits:
                    bad.append(f"{page} [{what}]: {hits} in {message[:300]!r}")
    assert not bad, "\n".join(bad)


def test_a_tiny_target_area_is_explained_in_a_sentence(stores, monkeypatch):
    monkeypatch.setenv("LANTERN_DB", str(stores["all feeds"]))
    area, extra = SELECTIONS["displacement: tiny target area"]
    at = _run("displacement.py", "partnership", area, extra)
    errors = [e.value for e in at.error]
    assert errors and errors[0].startswith(f"{TINY} is smaller than one hexagon the "
                                           f"partnership meeting audience may see")
    assert "Choose a larger area" in errors[0]
    assert errors[0].endswith("choose “By hexagon” and pick the hexagon that holds it.")


def test_not_loaded_feeds_say_so_on_the_pages(stores, monkeypatch):
    """Only community concerns loaded: no page shows a 0 for a feed with no file."""
    monkeypatch.setenv("LANTERN_DB", str(stores["concerns only"]))
    at = _run("overview.py", "command", "Whole force", {})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["On-street activity"] == "Not loaded"
    assert metrics["Harm reports"] == "Not loaded"
    assert metrics["Community concerns"] not in ("Not loaded", "No data for this period")
    at = _run("map.py", "command", "Whole force", {})
    assert at.selectbox(key="w_map_shade").value == "community_concerns"
    assert "not loaded" in at.selectbox(key="w_map_shade").format_func("on_street")
    at = _run("outreach.py", "command", "Whole force", {})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Need shown"] == "Not loaded"
    assert metrics["Hexagons with unmet need"] == "Cannot be judged"
    assert any("cannot be judged" in m.value for m in at.markdown)
    at = _run("premises.py", "command", "Whole force", {})
    assert {m.value for m in at.metric} == {"Not loaded"}
