"""End to end in a real browser: ``lantern serve`` on a demo database, driven by headless
Chromium (Debian's /usr/bin/chromium through Playwright).

Visits every page through the sidebar menu (one session, so the sidebar's choices and meeting
mode are kept), waits for the map's WebGL canvas, switches meeting mode on, and saves a
screenshot of each view to ``tests/artifacts/`` (git-ignored) for a person to look at.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from profiles.release.audiences import get_policy
from profiles.release.api import disclosure_statement
from serving import chromium_page, choose_option, free_port, start_serve, stop_serve, \
    wait_healthy

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).parent / "artifacts"
MARKING = "OFFICIAL-SENSITIVE"


@pytest.fixture
def server(demo_copy, tmp_path):
    """``lantern serve`` on a copy of the demo database; the whole process group is killed."""
    port = free_port()
    proc = start_serve(demo_copy, port, tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        stop_serve(proc)


# Streamlit's own end-to-end tests read the run state from ``stApp``: its "Running..." widget
# appears only half a second into a run, so a click just after a menu link could land on a
# page still being drawn, and be lost when the widget was drawn again.
_SETTLED = """() => document.querySelector('[data-testid="stApp"]')
        ?.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && document.querySelectorAll('.lantern-marking').length === 2
    && !!document.querySelector('h1')"""


#: the page's title is the one asked for (the old page stays on screen until the new run draws)
_TITLED = "(title) => document.querySelector('h1')?.innerText === title"


_MEETING_BARS = """() => {
    const bars = [...document.querySelectorAll('.lantern-marking')];
    return bars.length === 2 && bars.every(b => b.innerText.includes('MEETING MODE'));
}"""


def _settle(page) -> None:
    """Wait until Streamlit has finished the run: no spinner, nothing stale, both markings,
    and every table drawn on its canvas."""
    page.wait_for_function(_SETTLED, timeout=45_000)
    height = page.viewport_size["height"]
    for table in page.locator("[data-testid='stDataFrame']").all():
        try:   # a rerun may replace the table between listing and measuring it
            box = table.bounding_box(timeout=5_000)
        except PlaywrightTimeout:
            continue
        # others draw when scrolled to; tables in a closed "Show as a table" view never draw
        if box and box["y"] + box["height"] < height and table.is_visible():
            table.locator("canvas").first.wait_for(timeout=30_000)
    page.wait_for_function(_SETTLED, timeout=45_000)
    page.wait_for_timeout(500)


def _goto(page, title: str, timings: dict) -> None:
    t0 = time.monotonic()
    link = page.locator("[data-testid='stSidebarNav'] a", has_text=title).first
    href = link.get_attribute("href") or ""
    link.click()
    page.wait_for_url(f"**{href.rsplit('/', 1)[-1]}", timeout=30_000)
    page.wait_for_function(_TITLED, arg=title, timeout=30_000)   # the new page's run has begun
    _settle(page)
    timings[title] = round(time.monotonic() - t0, 2)


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"{path} looks empty"
    return path


def _map_canvas(page) -> None:
    """Wait for the deck canvas, then until software WebGL has drawn the layers on it."""
    page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=30_000)
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    # deck.gl creates the canvas at the browser's default 300 x 150, then sizes it to the chart.
    page.wait_for_function("""() => {
        const c = document.querySelector("[data-testid='stDeckGlJsonChart'] canvas");
        return c && c.clientWidth > 300 && c.clientHeight > 300;
    }""", timeout=30_000)
    box = canvas.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    deadline, size = time.monotonic() + 45, 0
    while time.monotonic() < deadline:
        size = len(canvas.screenshot())  # a blank canvas compresses to almost nothing
        if size > 20_000:
            break
        page.wait_for_timeout(500)
    assert size > 20_000, f"the map canvas stayed blank ({size} bytes as PNG)"


def test_every_page_in_chromium_and_meeting_mode(server, tmp_path):
    statement = disclosure_statement(get_policy("partnership"))
    with chromium_page(tmp_path, height=1800) as page:
        timings = {}
        t0 = time.monotonic()
        page.goto(server, wait_until="domcontentloaded")
        _settle(page)
        timings["first paint (Overview)"] = round(time.monotonic() - t0, 2)
        assert page.inner_text("h1") == "Overview"
        titles = [a.inner_text().strip().split("\n")[-1] for a in
                  page.locator("[data-testid='stSidebarNav'] a").all()]
        assert titles[:2] == ["Overview", "Map"] and "Data status" in titles
        for title in titles:
            _goto(page, title, timings)
            if title == "Map":
                _map_canvas(page)
            body = page.inner_text("body")
            assert MARKING in body and "SYNTHETIC" in body
            _shot(page, f"page-{title.lower().replace(' ', '-')}")

        # Meeting mode: one switch; the marking and statement top and bottom.
        page.get_by_text("Meeting mode", exact=True).click()
        page.wait_for_selector("text=MEETING MODE", timeout=30_000)
        _settle(page)
        meeting = {}
        for title in ("Overview", "Map", "Outreach and need"):
            if title not in titles:
                continue
            _goto(page, title, meeting)
            if title == "Map":
                _map_canvas(page)
            # A rerun may still be replacing the page: wait (bounded) for both bars.
            page.wait_for_function(_MEETING_BARS, timeout=30_000)
            markings = page.locator(".lantern-marking").all_inner_texts()
            assert len(markings) == 2 and all(MARKING in m and "MEETING MODE" in m
                                              for m in markings)
            body = page.inner_text("body")
            assert body.count(statement) >= 2  # top and bottom
            assert "Audience" not in page.inner_text("[data-testid='stSidebar']")
            _shot(page, f"meeting-{title.lower().replace(' ', '-')}")

        # Leaving needs a second, deliberate click.
        page.get_by_text("Meeting mode", exact=True).click()
        page.wait_for_selector("text=Yes, leave meeting mode", timeout=30_000)
        assert "MEETING MODE" in page.locator(".lantern-marking").first.inner_text()
        _shot(page, "meeting-leave-confirm")
        timings.update({f"meeting mode: {k}": v for k, v in meeting.items()})
        (ARTIFACTS / "browser-timings.json").write_text(json.dumps(timings, indent=1))


#: Metric tiles' labels and values that are narrower on screen than their text: cut short
#: with an ellipsis ("Off-street pr…", "Too f…").
_CUT_TILES = """() => [...document.querySelectorAll(
        '[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],'
        + ' [data-testid="stMetricValue"] > div, [data-testid="stMetricDelta"] div')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.innerText} (${e.scrollWidth} px of text in ${e.clientWidth} px)`)"""


@pytest.mark.parametrize("ward", [None, "Brindlemoor Ward (synthetic)"], ids=["force", "ward"])
def test_overview_tiles_show_their_labels_whole(server, tmp_path, ward):
    """Six tiles at a laptop's width, the force's figures and a ward's weeks (where "Too few
    to show" takes a number's place): every label, value and the line under it is shown
    whole, on two lines if need be."""
    with chromium_page(tmp_path, width=1280, height=900) as page:
        page.goto(server, wait_until="domcontentloaded")
        _settle(page)
        if ward:
            choose_option(page, page.locator("[data-testid='stSidebar'] "
                                             "[data-testid='stSelectbox']", has_text="Area"),
                          ward)
            _settle(page)
            page.get_by_text("Week", exact=True).click()
            page.wait_for_function("() => [...document.querySelectorAll("
                                   "'[data-testid=\"stMetricValue\"]')].some("
                                   "v => v.innerText.includes('Too few'))", timeout=30_000)
            _settle(page)
        assert page.locator("[data-testid='stMetricLabel']").count() >= 4
        assert page.evaluate(_CUT_TILES) == []
        _shot(page, f"overview-tiles-{'ward' if ward else 'force'}")
