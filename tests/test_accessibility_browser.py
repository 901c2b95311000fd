"""WCAG 2.2 AA in a real browser: axe-core on every page, for every audience and in meeting
mode, and on the HTML meeting pack; a keyboard walk; the page at 200 % zoom.

axe-core comes inside the ``axe-playwright-python`` wheel (nothing is fetched at run time). A
test fails on any violation of the WCAG 2.0/2.1/2.2 A and AA rules, naming the page, the rule,
the element and axe's message. Each "Show as a table" view is opened before axe runs, so the
tables are checked too. Screenshots land in ``tests/artifacts/`` for a person to look at.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pytest

from serving import ARGS, CHROMIUM, chromium_page, choose_option
from test_browser import _goto, _map_canvas, _settle, _shot, server  # noqa: F401 (fixture)

from profiles.release.audiences import get_policy

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
TABLE_VIEWS = ("Show as a table", "Show the chart's figures as a table")


def axe_violations(page, where: str) -> list[str]:
    """Run axe-core on the page; return one line per failing element: page, rule, element."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    lines = []
    for v in found:
        for node in v["nodes"]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            message = checks[0]["message"] if checks else v["help"]
            lines.append(f"{where}: {v['id']} ({v['impact']}) at {' '.join(node['target'])}: "
                         f"{node['html'][:140]!r} - {message}")
    return lines


def _open_table_views(page) -> int:
    """Open every "Show as a table" expander on the page (client-side, no rerun)."""
    opened = 0
    for label in TABLE_VIEWS:
        for summary in page.locator("summary", has_text=label).all():
            summary.click()
            opened += 1
    if opened:
        page.wait_for_timeout(800)
    return opened


def _nav_titles(page) -> list[str]:
    return [a.inner_text().strip().split("\n")[-1]
            for a in page.locator("[data-testid='stSidebarNav'] a").all()]


def _choose_audience(page, audience: str) -> None:
    label = get_policy(audience).label
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']",
                       has_text="Audience")
    choose_option(page, box, label)
    page.wait_for_function(
        "(l) => [...document.querySelectorAll('.lantern-marking')].every("
        "b => b.innerText.includes(l))", arg=label, timeout=30_000)
    _settle(page)


VIEWS = [("partnership", False), ("command", False), ("analyst", False), ("partnership", True)]


@pytest.mark.parametrize("audience,meeting", VIEWS,
                         ids=["partnership", "command", "analyst", "meeting-mode"])
def test_every_page_passes_axe(server, tmp_path, audience, meeting):  # noqa: F811
    view = "meeting mode" if meeting else audience
    problems, checked, tables = [], [], 0
    with chromium_page(tmp_path, width=1500, height=2600) as page:
        page.goto(server, wait_until="domcontentloaded")
        _settle(page)
        if meeting:
            page.get_by_text("Meeting mode", exact=True).click()
            page.wait_for_selector("text=MEETING MODE", timeout=30_000)
            _settle(page)
        elif audience != "partnership":
            _choose_audience(page, audience)
        titles = _nav_titles(page)
        assert "Overview" in titles and "Data status" in titles
        for title in titles:
            _goto(page, title, {})
            tables += _open_table_views(page)
            problems += axe_violations(page, f"{title} [{view}]")
            checked.append(title)
    assert not problems, "axe-core found WCAG 2.2 AA violations:\n" + "\n".join(problems)
    assert len(checked) >= 6 and tables >= 3, (checked, tables)
    if audience == "command" and not meeting:
        assert "Patrol planning" in checked


@pytest.mark.parametrize("audience", ["partnership", "analyst"])
def test_html_meeting_pack_passes_axe(demo_con, tmp_path, audience):
    from playwright.sync_api import sync_playwright

    from profiles.pack import render_pack

    src = tmp_path / f"pack-{audience}.html"
    src.write_bytes(render_pack(demo_con, audience, fmt="html"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS,
                                     env=dict(os.environ, HOME=str(tmp_path)))
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.goto(src.as_uri(), wait_until="load")
            for details in page.locator("details").all():   # the figures behind each chart
                details.evaluate("d => d.open = true")
            problems = axe_violations(page, f"HTML meeting pack [{audience}]")
            assert page.locator("img").count() > 0
            alts = page.eval_on_selector_all("img", "els => els.map(e => e.alt)")
        finally:
            browser.close()
    assert not problems, "axe-core found WCAG 2.2 AA violations:\n" + "\n".join(problems)
    assert all(a.strip() for a in alts)


_FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const c = e.closest('[data-testid=stElementContainer], .stElementContainer');
  const wl = c && c.querySelector('[data-testid=stWidgetLabel]');
  const w = e.closest('[data-testid]');
  return {tag: e.tagName, testid: w ? w.getAttribute('data-testid') : '',
          label: (wl ? wl.innerText : (e.getAttribute('aria-label') || '')).trim(),
          text: (e.innerText || '').trim().slice(0, 80)}; }"""


def _tab_until(page, wanted, limit: int = 40) -> list[dict]:
    """Press Tab until ``wanted(focused)`` holds; return every element focused on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(_FOCUSED) or {})
        if wanted(seen[-1]):
            return seen
    raise AssertionError(f"not reached with {limit} presses of Tab; focus went: "
                         + " > ".join(f"{s.get('label') or s.get('text') or s.get('tag')}"
                                      for s in seen))


def test_map_page_by_keyboard_alone(server, demo_copy, tmp_path):  # noqa: F811
    """Tab reaches every control in reading order; the focused map zooms and pans; the table
    view opens, sorts and downloads (an audited CSV of released figures) and the shading
    changes, all from the keyboard."""
    with chromium_page(tmp_path, width=1500, height=1400, accept_downloads=True) as page:
        page.goto(f"{server}/map", wait_until="domcontentloaded")
        _settle(page)
        _map_canvas(page)
        walk = _tab_until(page, lambda f: f.get("testid") == "stDeckGlJsonChart")
        canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
        before = canvas.screenshot()
        for key in ("Equal", "Equal", "ArrowLeft"):        # zoom in twice, pan: keys only
            page.keyboard.press(key)
        for _ in range(30):
            page.wait_for_timeout(500)
            if canvas.screenshot() != before:
                break
        assert canvas.screenshot() != before, "the focused map did not zoom from the keyboard"
        walk += _tab_until(page, lambda f: f.get("tag") == "SUMMARY"
                           and "Show as a table" in f.get("text", ""), limit=6)
        labels = [f.get("label") for f in walk]
        order = ["Meeting mode", "Audience", "Area", "Period", "Weeks",
                 "Shade hexagons by", "Also show"]
        assert all(x in labels for x in order), labels
        assert [labels.index(x) for x in order] == sorted(labels.index(x) for x in order)
        assert walk[0]["text"] == "Skip to main content"
        assert any(f.get("testid") == "stSidebarNavLink" for f in walk[:labels.index(
            "Meeting mode")])
        assert labels.index("Also show") < [f.get("testid") for f in walk].index(
            "stDeckGlJsonChart") < len(walk) - 1
        page.keyboard.press("Enter")                      # open the table view
        page.wait_for_selector("details[open] [data-testid='stDataFrame']")
        _tab_until(page, lambda f: f.get("label") == "Sort the table by", limit=5)
        page.keyboard.type("area")
        page.keyboard.press("Enter")
        _settle(page)
        page.locator("details[open] [data-testid='stDataFrame']").wait_for()
        inside = _tab_until(page, lambda f: "Download this table" in f.get("text", ""),
                            limit=30)
        # the grid's own CSV button would skip the audit log: only the audited one is there
        assert "Download as CSV" not in [f.get("label") for f in inside]
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        csv = Path(download.value.path()).read_text(encoding="utf-8")
        # the shading, changed from the keyboard: the summary follows
        page.locator("[data-testid='stSelectbox']", has_text="Shade hexagons by") \
            .locator("input").focus()
        page.keyboard.type("Harm")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.body.innerText.includes("
                               "'The busiest place for harm reports is')", timeout=30_000)
        _shot(page, "keyboard-map-harm-reports")
    assert csv.startswith("# OFFICIAL-SENSITIVE")
    table = pd.read_csv(io.StringIO(csv), comment="#")
    assert list(table.columns) == ["hexagon", "area", "period", "drawn as", "figure", "unit",
                                   "note"]
    assert list(table["area"]) == sorted(table["area"])               # sorted as chosen
    figures = table["figure"].dropna().astype(int)
    assert len(figures) and all(v >= 5 for v in figures)  # partnership's
    audit = Path(f"{demo_copy}.audit.jsonl").read_text(encoding="utf-8")
    assert '"what": "Map: released figures drawn"' in audit and '"format": "csv"' in audit


_CUT_OFF = """() => {
    const w = document.documentElement.clientWidth;
    const out = [];
    for (const sel of ['.lantern-marking', 'h1', '[data-testid=stExpander] summary',
                       '[data-testid=stMarkdown] p', '[data-testid=stCaptionContainer] p']) {
        for (const e of document.querySelectorAll('[data-testid=stMain] ' + sel)) {
            const r = e.getBoundingClientRect();
            if (r.width && (r.left < -1 || r.right > w + 1)) out.push(sel + ': ' +
                e.innerText.slice(0, 60) + ' (' + Math.round(r.left) + '-' +
                Math.round(r.right) + ' of ' + w + ')');
        }
    }
    return {cut: out, scroll: document.scrollingElement.scrollWidth, width: w};
}"""


@pytest.mark.parametrize("title", ["Map", "Outreach and need"])
def test_pages_at_200_percent_zoom(server, tmp_path, title):  # noqa: F811
    """A 1280 x 900 window at 200 % zoom is 640 x 450 CSS pixels drawn at twice the density:
    nothing needed may be cut off or need sideways scrolling; the sidebar stays one click
    away. The screenshots are for a person to look at."""
    with chromium_page(tmp_path, width=640, height=450, device_scale_factor=2) as page:
        slug = {"Map": "map", "Outreach and need": "outreach"}[title]
        page.goto(f"{server}/{slug}", wait_until="domcontentloaded")
        _settle(page)
        _map_canvas(page)
        shots = _scroll_shots(page, f"zoom200-{slug}")
        _open_table_views(page)
        page.wait_for_timeout(500)
        seen = page.evaluate(_CUT_OFF)
        opener = page.locator("[data-testid='stExpandSidebarButton'], "
                              "[data-testid='stSidebarCollapsedControl'] button")
        reachable = opener.count() > 0 and opener.first.is_visible()
        shots.append(_shot(page, f"zoom200-{slug}-table"))
    assert not seen["cut"], seen["cut"]
    assert seen["scroll"] <= seen["width"] + 1, seen
    assert reachable, "at 200 % the sidebar must stay one click away"
    assert len(shots) >= 3


_SCROLL_MAIN = """(y) => {
    const m = [...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]')]
        .find(e => e.scrollHeight > e.clientHeight + 10) || document.scrollingElement;
    m.scrollTop = y;
    return [m.scrollTop, m.scrollHeight, m.clientHeight];
}"""


def _scroll_shots(page, name: str, most: int = 8) -> list[Path]:
    """Screenshots down the page (Streamlit scrolls its main block, not the document)."""
    shots, y = [], 0
    for n in range(1, most + 1):
        top, height, view = page.evaluate(_SCROLL_MAIN, y)
        page.wait_for_timeout(300)
        shots.append(_shot(page, f"{name}-{n}"))
        if top + view >= height - 2:
            break
        y = top + int(view * 0.85)
    return shots


def test_map_over_time_by_keyboard_and_axe(server, tmp_path):  # noqa: F811
    """The emerging hot spot overlay and the time player, for the analyst: the player's
    buttons and slider are reached and worked from the keyboard, a step changes the month
    shown and the map drawn, and axe-core finds nothing on the page."""
    with chromium_page(tmp_path, width=1500, height=2600) as page:
        page.goto(server, wait_until="domcontentloaded")
        _settle(page)
        _choose_audience(page, "analyst")
        _goto(page, "Map", {})
        _map_canvas(page)
        choose_option(page, page.locator("[data-testid='stMultiSelect']", has_text="Also show"),
                      "Emerging hot spots of the shaded layer (ArcGIS categories, by month)")
        page.keyboard.press("Escape")
        page.wait_for_selector("text=ArcGIS's categories from Gi*", timeout=60_000)
        _settle(page)
        toggle = page.locator("[data-testid='stCheckbox']",
                              has_text="Step through on-street activity").locator("input")
        toggle.focus()
        page.keyboard.press("Space")                       # switched on from the keyboard
        page.wait_for_function("document.querySelectorAll('canvas').length >= 2",
                               timeout=90_000)
        _settle(page)
        slider = page.get_by_role("slider", name="Month shown").first
        first = slider.get_attribute("aria-valuetext")
        # the player's buttons are drawn before the walk starts (a busy machine's rerun can
        # lag the map's canvases)
        page.get_by_role("button", name="Next month").wait_for(timeout=60_000)
        walk = _tab_until(page, lambda f: "Next month" in f.get("text", ""), limit=25)
        assert any("Play" in f.get("text", "") for f in walk)
        caption = page.get_by_text("hexagons shown (1 of")
        assert caption.count() == 1
        page.keyboard.press("Enter")                       # Next month, by keyboard
        page.wait_for_function("() => document.body.innerText.includes('(2 of')",
                               timeout=30_000)
        slider.focus()
        page.keyboard.press("ArrowRight")                  # the slider's arrow keys step too
        page.wait_for_function("() => document.body.innerText.includes('(3 of')",
                               timeout=30_000)
        assert slider.get_attribute("aria-valuetext") != first
        assert page.get_by_text("one scale for all").count() == 1
        _shot(page, "map-over-time-analyst")
        _open_table_views(page)
        problems = axe_violations(page, "Map over time [analyst]")
    assert not problems, "axe-core found WCAG 2.2 AA violations:\n" + "\n".join(problems)
