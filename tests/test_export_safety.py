"""Exports are safe to open: no live spreadsheet formula, no markup, no external request.

Hostile area names are loaded through the areas feed (the one place partner text reaches an
export) into a copy of the demo database; then every CSV and HTML producer is run with them.
A CSV is checked the way spreadsheets read it — split on commas, semicolons and tabs (locales
differ) — so a name like ``x,=HYPERLINK(...)`` inside a ``#`` header line is caught too.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from html.parser import HTMLParser

import pandas as pd
import pytest

from profiles.store import database as store
from profiles.release.audiences import get_policy
from profiles.release.exports import frame_to_csv, release_to_csv, safe_cell, safe_comment
from profiles.store.ingest import ingest_file, write_quarantine_report
from profiles.store.keys import load_key
from profiles.release.api import release_counts
from sample_data.generate import generate_town

EVIL_AREA = '<img src=x onerror=alert(1)>=HYPERLINK("http://evil")'
HOSTILE_NAMES = [
    EVIL_AREA,
    '=HYPERLINK("http://evil","click")',
    "Ward,=1+1;@SUM(A1) ,\"-2+3",
    "+cmd|' /C calc'!A0",
    "<script src='https://evil.example/x.js'></script>",
]
#: Names that must not be loaded at all (control or bidi characters can break a header line
#: or disguise text); they go to quarantine instead.
REFUSED_NAMES = ["Ward\n=1+1", "Ward\r@SUM(1)", "Ward\t=1+1", "Ward\u202egnp.exe"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$")


def live_formulas(text: str) -> list:
    """Cells a spreadsheet would run as a formula, splitting ``text`` on commas or semicolons
    (the list separator of many European locales)."""
    bad = []
    for delimiter in (",", ";"):
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            for cell in row:
                if cell.startswith(FORMULA_START) and not NUMBER.match(cell):
                    bad.append(cell)
    return bad


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def html_problems(page: str) -> list:
    """Unescaped markup, script, event handlers or external references in an HTML page."""
    parser = _Tags()
    parser.feed(page)
    problems = []
    for tag, attrs in parser.tags:
        if tag == "script" and (attrs.get("src") or "") != "":
            problems.append(f"<script src={attrs['src']!r}>")
        for name, value in attrs.items():
            value = value or ""
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=...> event handler")
            if name in ("src", "href", "action", "srcset", "poster", "data") and \
                    not value.startswith(("data:", "#")) and value:
                problems.append(f"<{tag} {name}={value[:60]!r}> external reference")
        if tag in ("iframe", "frame", "object", "embed", "base", "link"):
            problems.append(f"<{tag}> element")
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
    for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", page):
        if not url.startswith("data:"):
            problems.append(f"url({url[:60]})")
    if "@import" in page:
        problems.append("CSS @import")
    for marker in ("<img src=x", "<script src='https"):
        if marker in page:
            problems.append(f"raw {marker!r}")
    return problems


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, demo_db):
    """A copy of the demo with extra areas (covering the town) named with hostile text."""
    root = tmp_path_factory.mktemp("exports")
    db = root / "hostile.duckdb"
    shutil.copy(demo_db, db)
    shutil.copy(f"{demo_db}.key", f"{db}.key")
    force = generate_town(seed=7, scale=0.1)["areas"]["features"][0]
    features = [dict(force, properties={"name": n, "area_type": "ward"})
                for n in HOSTILE_NAMES + REFUSED_NAMES]
    path = root / "hostile-areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    con = store.connect(db)
    result = ingest_file(con, "areas", path, key=load_key(db),
                         quarantine_dir=root / "quarantine")
    con.close()
    return {"db": db, "result": result, "root": root}


@pytest.fixture
def hostile_con(hostile_db):
    con = store.connect(hostile_db["db"], read_only=True)
    yield con
    con.close()


def test_hostile_names_load_and_control_characters_are_quarantined(hostile_db, hostile_con):
    result = hostile_db["result"]
    assert (result.loaded, result.quarantined) == (len(HOSTILE_NAMES), len(REFUSED_NAMES))
    names = {r[0] for r in hostile_con.execute("SELECT name FROM areas").fetchall()}
    assert set(HOSTILE_NAMES) <= names
    assert not names & set(REFUSED_NAMES)
    report = open(result.quarantine_report, encoding="utf-8").read()
    assert live_formulas(report) == []


@pytest.mark.parametrize("audience", ["partnership", "command", "analyst"])
@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[f"name{i}" for i in range(len(HOSTILE_NAMES))])
def test_release_csv_has_no_live_formula(hostile_con, audience, name):
    released = release_counts(hostile_con, audience, "on_street", period="month", area=name,
                              by=("category",))
    assert len(released.frame) > 0
    text = release_to_csv(released)
    assert live_formulas(text) == []
    lines = text.splitlines()
    assert lines[0] == f"# {released.policy.marking}"              # the marking comes first
    assert safe_comment(released.statement) in lines[:3]           # then the statement
    frame = pd.read_csv(io.StringIO(text), comment="#")
    # an area's monthly release comes from the places layers: rows name the area, no hexagon
    assert released.layer.startswith("places")
    assert list(frame.columns)[:2] == ["area", "period_start"]
    assert "h3_id" not in frame.columns and "cell" not in frame.columns
    assert len(frame) == len(released.frame)
    assert (frame["area"] == safe_cell(name)).all()                # the hostile name, defused


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[f"name{i}" for i in range(len(HOSTILE_NAMES))])
def test_analysis_csv_has_no_live_formula(name):
    frame = pd.DataFrame({"h3_id": ["881942c58bfffff"] * 3, "area": [name, "-5", name],
                          "change": [-5, 3, 0]})
    text = frame_to_csv(frame, get_policy("analyst"), f"Change in {name}",
                        notes=[f"area: {name}", "line one\nline two"])
    assert live_formulas(text) == []
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert back["change"].tolist() == [-5, 3, 0]


CLI_EXPORTS = [
    ("release", ["release", "--feed", "on_street", "--period", "month", "--by", "category"]),
    ("hotspots", ["hotspots"]),
    ("change-trend", ["change", "--feed", "on_street", "--trend", "month"]),
    ("coverage", ["coverage"]),
    ("premises", ["premises"]),
]


@pytest.mark.parametrize("name", [EVIL_AREA, HOSTILE_NAMES[2]], ids=["markup", "separators"])
@pytest.mark.parametrize("argv", [c[1] for c in CLI_EXPORTS], ids=[c[0] for c in CLI_EXPORTS])
def test_cli_csv_exports_have_no_live_formula(hostile_db, tmp_path, argv, name):
    import contextlib

    from profiles.cli import main

    out = tmp_path / "export.csv"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main([*argv, "--db", str(hostile_db["db"]), "--audience", "analyst",
                     "--area", name, "--out", str(out)])
    assert code == 0, err.getvalue()
    assert "Traceback" not in err.getvalue()
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# OFFICIAL-SENSITIVE")
    assert live_formulas(text) == []


@pytest.mark.parametrize("value", ['=1+1', '+1+1', '-1+1', '@SUM(1)', '\t=1', '\r=1',
                                   '=HYPERLINK("http://x","y")'])
def test_safe_cell_defuses_every_formula_start(value):
    assert safe_cell(value).startswith("'") and safe_cell(value).replace("'", "") == value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(["x", safe_cell(value), 3])
    assert live_formulas(buf.getvalue()) == []


def test_quarantine_report_defuses_every_column(tmp_path):
    from data_contracts.errors import Problem
    from data_contracts.validate import ValidatedFeed

    problems = [Problem('=HYPERLINK("http://x").csv', 1, "activity_type",
                        "@SUM(1)", "activity_type is not one of: observation")]
    checked = ValidatedFeed("on_street", '=HYPERLINK("http://x").csv', "csv", "utf-8", 1,
                            pd.DataFrame(), problems)
    report = write_quarantine_report(checked, tmp_path, "0" * 64)
    assert live_formulas(report.read_text(encoding="utf-8")) == []


# --------------------------------------------------------------------------- HTML


def _patrol_brief(con, name):
    from profiles.planning.patrols import patrol_brief_html, plan_patrols

    return patrol_brief_html(plan_patrols(con, "command", area=name))


def _meeting_pack(con, name):
    from profiles.pack import render_pack

    return render_pack(con, "partnership", fmt="html", area=name).decode("utf-8")


def _scenarios(con, name):
    from profiles.planning.displacement import simulate, study_cells
    from profiles.planning.scenarios import scenarios_to_html

    cells = study_cells(con, "analyst", area=name)
    scenario = simulate(con, "analyst", targets=cells[:3], intervention="enforcement",
                        area=name)
    scenario.name = name
    return scenarios_to_html([scenario], title=name)


HTML_PRODUCERS = [("patrol-brief", _patrol_brief), ("meeting-pack", _meeting_pack),
                  ("displacement-scenarios", _scenarios)]


@pytest.mark.parametrize("produce", [p[1] for p in HTML_PRODUCERS],
                         ids=[p[0] for p in HTML_PRODUCERS])
def test_html_exports_escape_hostile_area_names(hostile_con, produce):
    page = produce(hostile_con, EVIL_AREA)
    assert html_problems(page) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in page, "the area name is not shown escaped"
    assert not re.search(r"(src|href)\s*=\s*['\"]?https?://", page)
    assert "<script src" not in page.lower()
