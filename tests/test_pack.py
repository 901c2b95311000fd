"""The meeting pack: sections, marking on every page, self-contained HTML, released figures only.

Each audience's pack is built once from the demo database (module fixture) and rendered to HTML
and PDF; the tests then read the model, the HTML and the PDF text page by page.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
import shlex
import subprocess
from html.parser import HTMLParser

import pytest

from profiles.store import database as store
from profiles.release.audiences import get_policy
from profiles.cli import main
from profiles.pack import (EvaluationSpec, PackError, build_pack, pack_file_name, render_html,
                           render_pack, render_pdf)
from profiles.release.api import release_counts, release_periods

AUDIENCES = ("partnership", "command", "analyst")
NOW = dt.datetime(2026, 11, 2, 9, 30)
SECTIONS = ("terms", "summary", "scanning", "scanning-on-street", "scanning-off-street",
            "scanning-concerns", "analysis", "victim", "offender", "location", "outreach",
            "response", "response-welfare", "response-environment", "response-exploiters",
            "response-premises", "response-enforcement", "assessment", "data-quality")
EVALUATION = EvaluationSpec("Lighting repairs", target="Town Centre Beat (synthetic)",
                            control="Dunwray Ward (synthetic)",
                            before=("2025-01-06", "2025-12-29"),
                            after=("2026-01-05", "2026-10-26"))
GENERATED = re.compile(r"Generated \d\d \w{3} \d{4} \d\d:\d\d")


@pytest.fixture(scope="module")
def packs(demo_db, tmp_path_factory):
    """{audience: (pack, html, pdf path)} built once; the analyst pack carries an evaluation."""
    out = {}
    folder = tmp_path_factory.mktemp("packs")
    con = store.connect(demo_db, read_only=True)
    for audience in AUDIENCES:
        evaluations = (EVALUATION,) if audience == "analyst" else ()
        pack = build_pack(con, audience, now=NOW, evaluations=evaluations)
        pdf = folder / f"{audience}.pdf"
        pdf.write_bytes(render_pdf(pack))
        out[audience] = (pack, render_html(pack), pdf)
    con.close()
    return out


def pdf_pages(path) -> list[str]:
    """The text of each page of a PDF, from poppler's pdftotext."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    n = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
            for i in range(1, n + 1)]


class Cells(HTMLParser):
    """Collects every table cell and figure value: (tag, attributes, text)."""

    def __init__(self):
        super().__init__()
        self.cells, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" or (tag == "div" and attrs.get("class") == "v"):
            self._open = [tag, attrs, ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if self._open is not None and tag == self._open[0]:
            self.cells.append(tuple(self._open))
            self._open = None


_FRAMES: dict = {}


def released_value(con, audience, src) -> int:
    """Recompute a figure from release_counts, independently of the pack's own code."""
    key = (audience, src.feed, src.period, src.by, src.area, src.start, src.end)
    if key not in _FRAMES:
        _FRAMES[key] = release_counts(con, audience, src.feed, period=src.period, by=src.by,
                                      area=src.area, start=src.start, end=src.end).frame
    frame = _FRAMES[key]
    for column, value in src.where:
        frame = frame[frame[column].isin(value)] if isinstance(value, tuple) \
            else frame[frame[column] == value]
    return int(frame["count"].sum())


def check_figure(con, audience, pack, fig) -> None:
    """Assert one figure equals what the release layer gives its source."""
    if fig.kind == "count" and fig.parts:
        assert fig.value == sum(p.value for p in fig.parts), fig
        for p in fig.parts:
            check_figure(con, audience, pack, p)
    elif fig.kind == "count":
        assert fig.value == released_value(con, audience, fig.source), fig
    elif fig.kind == "percent":
        recent, earlier = fig.parts
        check_figure(con, audience, pack, recent)
        check_figure(con, audience, pack, earlier)
        if fig.value is None:
            assert earlier.value == 0 or fig.blank == "not comparable", fig
        else:
            assert fig.value == round(100 * (recent.value - earlier.value) / earlier.value), fig
    elif fig.kind == "weeks":
        frame = release_counts(con, audience, fig.source.feed, period="week",
                               area=fig.source.area).frame
        shown = set(frame.loc[frame["period_grain"] == "week", "period_start"])
        weeks = [w for w in release_periods(con) if pack.start <= w <= pack.end]
        assert fig.value == sum(1 for w in weeks if w not in shown), fig
    elif fig.kind == "features":
        from profiles.release.reference import release_environment

        frame = release_environment(con, audience, area=fig.source.area)
        for column, value in fig.source.where:
            frame = frame[frame[column].isin(value)] if isinstance(value, tuple) \
                else frame[frame[column] == value]
        assert fig.value == int(frame["features"].sum()), fig
    else:
        assert fig.kind in ("cells", "statistic"), fig
        assert fig.value is not None and fig.value == fig.value, fig  # a number, not NaN


# ---- structure ------------------------------------------------------------------------------
@pytest.mark.parametrize("audience", AUDIENCES, ids=AUDIENCES)
def test_pack_has_every_section_in_model_html_and_pdf(packs, audience):
    pack, page, pdf = packs[audience]
    keys = [s.key for top in pack.sections for s in top.walk()]
    assert [s.key for s in pack.sections] == ["terms", "summary", "scanning", "analysis",
                                              "response", "assessment", "data-quality"]
    for key in SECTIONS:
        assert key in keys
        assert f'data-section="{key}"' in page
    text = "\n".join(pdf_pages(pdf))
    for title in ("Terms of reference", "Summary", "Scanning", "Victim:", "Offender:",
                  "Location:", "Outreach: reach against need", "Response options",
                  "Enforcement: a last resort", "Assessment", "Data quality notes"):
        assert title in text, title
    assert pack.section("summary").figures and pack.section("summary").bullets
    assert pack.section("location").charts, "hotspot and change maps"
    assert pack.version and f"Lantern {pack.version}" in page
    assert pack.generated == "02 Nov 2026 09:30" and "Generated 02 Nov 2026 09:30" in page


@pytest.mark.parametrize("audience", AUDIENCES, ids=AUDIENCES)
def test_marking_and_synthetic_label_on_every_pdf_page(packs, audience):
    pack, _, pdf = packs[audience]
    policy = get_policy(audience)
    pages = pdf_pages(pdf)
    assert len(pages) >= 5
    for n, text in enumerate(pages, 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        marking = f"{policy.marking} — {policy.label}"
        assert lines[0] == marking, (n, lines[:2])
        assert lines[-1] == marking, (n, lines[-2:])
        assert "SYNTHETIC DATA" in text, n
        assert f"page {n} of {len(pages)}" in text
    assert pack.statement.split(".")[0] in pages[0]


@pytest.mark.parametrize("audience", AUDIENCES, ids=AUDIENCES)
def test_html_is_self_contained_and_marked(packs, audience):
    pack, page, _ = packs[audience]
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower() and "<link" not in page.lower()
    images = re.findall(r'<img src="([^"]*)"', page)
    assert len(images) >= 3
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert "default-src 'none'" in page
    assert page.count('data-role="marking"') == 2
    assert page.count(pack.marking) >= 3
    assert 'data-role="synthetic"' in page and pack.statement in page


# ---- numbers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("audience", AUDIENCES, ids=AUDIENCES)
def test_every_figure_is_the_released_value(packs, demo_db, audience):
    pack, _, _ = packs[audience]
    figures = pack.all_figures()
    assert len(figures) > 100
    con = store.connect(demo_db, read_only=True)
    for fig in figures:
        check_figure(con, audience, pack, fig)
    con.close()
    kinds = {f.kind for f in figures}
    assert {"count", "percent", "cells", "weeks"} <= kinds


def test_hotspot_and_evaluation_figures_match_their_analyses(packs, demo_db):
    from profiles.planning.response import evaluate_areas
    from profiles.analyses.hotspot_release import hotspots_for

    pack, page, _ = packs["analyst"]
    con = store.connect(demo_db, read_only=True)
    run = hotspots_for(con, "analyst", "on_street")
    hot = [f for f in pack.section("location").figures if f.label.endswith("hotspot hexagons")]
    assert hot and hot[0].value == len(run.hot_cells)
    res = evaluate_areas(con, "analyst", target=EVALUATION.target, control=EVALUATION.control,
                         before=EVALUATION.before, after=EVALUATION.after)
    con.close()
    evaluation = next(s for s in pack.section("assessment").sections
                      if s.title == "Evaluation: Lighting repairs")
    stats = {f.label: f.value for f in evaluation.figures}
    assert stats["Weighted Displacement Quotient"] == res.wdq.wdq
    assert stats["Weighted Displacement Difference"] == res.wdd.wdd
    assert html.escape(res.wdq.reading) in page


def test_partnership_pack_shows_no_count_from_1_to_4(packs):
    pack, page, _ = packs["partnership"]
    counts = [f for f in pack.all_figures() if f.kind == "count" and f.value is not None]
    assert counts
    assert all(f.value == 0 or f.value >= 5 for f in counts)
    parser = Cells()
    parser.feed(page)
    numbers = 0
    for tag, attrs, text in parser.cells:
        if attrs.get("data-kind") in ("cells", "weeks", "features", "statistic", "percent"):
            continue  # hexagons, weeks, map features, statistics: not counts of people
        value = text.strip().replace(",", "")
        if value.isdigit():
            numbers += 1
            assert int(value) == 0 or int(value) >= 5, (tag, attrs, text)
    assert numbers > 50


def test_counts_for_police_audiences_are_not_rounded(packs):
    pack, _, _ = packs["analyst"]
    assert any(f.kind == "count" and f.value % 5 for f in pack.all_figures())


# ---- CLI, escaping, dashboard ------------------------------------------------------------------
WARD, FROM, TO = "Ashcombe Ward (synthetic)", dt.date(2026, 1, 5), dt.date(2026, 10, 26)
WARD_ARGS = ["--audience", "partnership", "--area", WARD, "--from", str(FROM), "--to", str(TO)]


@pytest.fixture(scope="module")
def ward_cli(demo_db, tmp_path_factory):
    """`lantern profile` run once per format for a ward and a range of weeks."""
    folder = tmp_path_factory.mktemp("cli")
    paths = {"html": folder / "pack.html", "pdf": folder / "pack.pdf"}
    codes = {fmt: main(["profile", "--db", str(demo_db), *WARD_ARGS, "--out", str(path)])
             for fmt, path in paths.items()}
    return codes, paths


def test_cli_profile_writes_html_and_pdf(ward_cli, demo_db):
    codes, paths = ward_cli
    assert codes == {"html": 0, "pdf": 0}
    con = store.connect(demo_db, read_only=True)
    expected = render_pack(con, "partnership", fmt="html", area=WARD, start=FROM, end=TO,
                           now=NOW)
    con.close()
    written = paths["html"].read_text(encoding="utf-8")
    assert GENERATED.sub("G", written) == GENERATED.sub("G", expected.decode("utf-8"))
    assert "Problem profile: Ashcombe Ward (synthetic)" in written
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-"
    pages = pdf_pages(paths["pdf"])
    assert all(p.strip().startswith("OFFICIAL-SENSITIVE") for p in pages)
    assert "weeks starting 05 Jan 2026 to 26 Oct 2026" in pages[0]


@pytest.mark.parametrize("args, message", [
    (["--area", "Nowhere"], r"unknown area 'Nowhere'; areas are: 'Lanternford"),
    (["--from", "5/1/2026"], r"--from must be a date as YYYY-MM-DD"),
    (["--from", "2026-02-02", "--to", "2026-01-05"], r"starts \(2026-02-02\) after it ends"),
    (["--audience", "press"], r"unknown audience 'press'; audiences are: partnership"),
], ids=["unknown-area", "bad-date", "reversed-dates", "unknown-audience"])
def test_cli_profile_refuses_bad_arguments(demo_db, tmp_path, capsys, args, message):
    out = tmp_path / "pack.html"
    assert main(["profile", "--db", str(demo_db), "--out", str(out), *args]) == 1
    assert re.search(message, capsys.readouterr().err)
    assert not out.exists()


def test_render_pack_refuses_unknown_format(demo_con):
    with pytest.raises(PackError, match=r"format must be one of html, pdf, not 'docx'"):
        render_pack(demo_con, "partnership", fmt="docx")


def test_html_escapes_a_malicious_area_name(demo_copy, tmp_path):
    from profiles.store.ingest import ingest_file
    from profiles.store.keys import load_key

    evil = "<script>alert(1)</script>"
    ring = [[0.96, 54.48], [1.04, 54.48], [1.04, 54.52], [0.96, 54.52], [0.96, 54.48]]
    path = tmp_path / "evil.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": evil, "area_type": "beat"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    con = store.connect(demo_copy)
    ingest_file(con, "areas", path, key=load_key(demo_copy))
    pack = build_pack(con, "partnership", area=evil, now=NOW)
    page = render_html(pack)
    pdf = render_pdf(pack)
    con.close()
    assert pack.area == evil and pack.section("scanning-on-street").figures[0].value > 0
    assert evil not in page and "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert pdf[:5] == b"%PDF-"
    assert pack_file_name(evil, "partnership", "pdf") == \
        "problem-profile-script-alert-1-script-partnership.pdf"


def test_dashboard_page_offers_the_cli_file(ward_cli, demo_db, monkeypatch):
    from apptest_pages import open_page

    monkeypatch.setenv("LANTERN_DB", str(demo_db))
    at = open_page("pack.py", audience="partnership", area=WARD, weeks=(FROM, TO))
    assert [t.value for t in at.title] == ["Meeting pack"]
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download the pack (HTML)",
                                                "Download the pack (PDF)"]
    assert all(b.proto.deferred_file_id for b in buttons)  # built only when pressed
    markings = [m.value for m in at.markdown if "lantern-marking" in m.value]
    assert len(markings) == 2 and all("OFFICIAL-SENSITIVE" in m for m in markings)
    # the page's buttons call render_pack with the filters its command line shows, and that
    # command line is the one the CLI test ran: the same file
    assert shlex.split(at.code[0].value) == ["lantern", "profile", *WARD_ARGS,
                                             "--out", "pack.pdf"]
    assert ward_cli[0] == {"html": 0, "pdf": 0}


def test_dashboard_page_warns_before_a_police_only_pack(demo_db, monkeypatch):
    from apptest_pages import open_page

    monkeypatch.setenv("LANTERN_DB", str(demo_db))
    at = open_page("pack.py", audience="command")
    assert any("For partners, choose the partnership audience" in w.value for w in at.warning)
    assert shlex.split(at.code[0].value)[:4] == ["lantern", "profile", "--audience", "command"]
    at = open_page("pack.py", audience="analyst", meeting_mode=True)  # partnership figures only
    assert shlex.split(at.code[0].value)[:4] == ["lantern", "profile", "--audience",
                                                 "partnership"]
    assert not any("For partners" in w.value for w in at.warning)


@pytest.mark.parametrize("module", ["profiles.analyses.hotspot_release", "profiles.analyses.coverage",
                                    "profiles.analyses.change"], ids=["hotspots", "coverage", "change"])
def test_a_missing_analysis_leaves_a_note_not_a_failure(demo_con, monkeypatch, module):
    import sys

    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    pack = build_pack(demo_con, "partnership", now=NOW)
    notes = [n for s in pack.sections for sub in s.walk() for n in sub.notes]
    assert any(n.startswith(f"analysis not available: {module}.") for n in notes), notes
    assert f"analysis not available: {module}." in render_html(pack)


def test_pdf_without_dejavu_falls_back_to_latin1_helvetica(monkeypatch, tmp_path):
    import profiles.pack.pdf as pdf_module

    monkeypatch.setattr(pdf_module, "FONT_DIR", tmp_path)  # no fonts here
    pack = build_pack(store.connect(":memory:"), "partnership", now=NOW)
    path = tmp_path / "empty.pdf"
    path.write_bytes(render_pdf(pack))
    pages = pdf_pages(path)
    assert all(p.strip().startswith("OFFICIAL-SENSITIVE - Partnership meeting") for p in pages)
    assert "No weekly data is loaded" in "\n".join(pages)
    assert "Helvetica" in subprocess.run(["pdffonts", str(path)], capture_output=True,
                                         text=True, check=True).stdout


def test_the_pack_names_its_analyses_in_words_not_code_paths(demo_con):
    """Every figure's source says which analysis it came through, for a reader: no module
    path of Lantern's code appears in the pack (HTML or its sources)."""
    from profiles.pack.model import ANALYSIS_WORDS

    pack = build_pack(demo_con, "analyst", now=NOW)
    html = render_html(pack)
    assert "profiles." not in html
    assert any(words in html for words in ANALYSIS_WORDS.values())
