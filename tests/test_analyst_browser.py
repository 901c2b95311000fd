"""The analyst's bench in a real browser: ``lantern serve`` on a demo copy, headless Chromium.

Picks the analyst audience in the sidebar, opens *Evaluate a response* (both tabs, with a
scenario saved before the run) and the Map with the hotspot-pattern overlay, waits for each
map's WebGL canvas, and saves a screenshot of each to ``tests/artifacts/`` (git-ignored) for a
person to look at. A second test picks the target as hexagons and clicks one on the drawing
map (``evaluate-draw-hexagons.png``).
"""
from __future__ import annotations

import time

import pytest

from profiles.planning import save_scenario, scenario_dir, simulate
from profiles.release import open_read_only
from serving import chromium_page, choose_option
from test_accessibility_browser import axe_violations
from test_browser import _goto, _map_canvas, _settle, _shot, server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo_copy(demo_copy):
    """The demo copy with a scenario whose baseline is the first loaded year."""
    con = open_read_only(demo_copy)
    sc = simulate(con, "analyst", targets="Corridor Beat (synthetic)",
                  intervention="enforcement", start="2024-11-04", end="2025-10-27")
    con.close()
    save_scenario(sc, "Corridor sweep", scenario_dir(demo_copy))
    return demo_copy


PATTERNS = ("Hotspot patterns of the shaded layer over the weeks chosen "
            "(sfhotspot-style classes)")


def _choose(page, widget, option: str) -> None:
    """Choose one option of a Streamlit select or multiselect, and wait for the run."""
    choose_option(page, widget, option)
    _settle(page)


def _evaluate_as_analyst(page, server: str, timings: dict) -> None:
    """Open the dashboard, choose the analyst audience in the sidebar, open the page."""
    page.goto(server, wait_until="domcontentloaded")
    _settle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    _choose(page, sidebar.locator("[data-testid='stSelectbox']").first, "Analyst (police only)")
    _goto(page, "Evaluate a response", timings)


def test_analyst_bench_in_chromium(server, tmp_path):
    with chromium_page(tmp_path, height=2700) as page:
        timings = {}
        _evaluate_as_analyst(page, server, timings)
        _map_canvas(page)
        body = page.inner_text("body")
        for words in ("Before and after", "Weighted Displacement Difference", "Verdict",
                      "Map of the three zones", "OFFICIAL-SENSITIVE", "SYNTHETIC"):
            assert words in body
        _shot(page, "evaluate-a-response")

        page.get_by_role("tab", name="Check a saved scenario").click()
        page.get_by_text("Observed beside the scenario's range").wait_for()
        _settle(page)
        assert "Activity moving into the receiving hexagons" in page.inner_text("body")
        _shot(page, "evaluate-check-a-scenario")

        # Hotspot patterns on the Map (this step timed out in full runs only, while another
        # browser test ran on the other worker: see tests/test_xdist_groups.py)
        _goto(page, "Map", timings)
        overlays = page.locator("[data-testid='stMultiSelect']", has_text="Also show")
        _choose(page, overlays, PATTERNS)
        page.keyboard.press("Escape")
        assert PATTERNS in overlays.inner_text()          # the choice is kept
        legend = page.locator(".lantern-legend", has_text="Hotspot patterns").first
        legend.wait_for(timeout=120_000)
        _settle(page)
        _map_canvas(page)
        # the legend, not a "None to draw" note with its reason
        assert "Hotspot patterns over time" in legend.inner_text(), legend.inner_text()
        assert "the recent window is the last 3" in page.inner_text("body")
        _shot(page, "map-hotspot-patterns")


_TOOLTIP = """() => { const t = document.querySelector('.deck-tooltip');
    return t && getComputedStyle(t).display !== 'none' ? t.innerText : ''; }"""


def _tip_at(page, x: float, y: float) -> str:
    page.mouse.move(x, y)
    page.wait_for_timeout(100)
    return page.evaluate(_TOOLTIP)


def _hover_for(page, chart, words: str, *, seconds: float = 90) -> tuple[float, float, str]:
    """Hover the map from its centre outwards until the tooltip holds ``words``; return the
    point and the tooltip. The hexagons to click fill the middle of the map; the sweep is
    repeated (bounded) while software WebGL is still drawing them."""
    deadline = time.monotonic() + seconds
    while True:
        chart.locator("canvas").first.wait_for()
        box = chart.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        for dx, dy in sorted(((dx, dy) for dx in range(-200, 201, 20)
                              for dy in range(-160, 161, 20)),
                             key=lambda d: d[0] ** 2 + d[1] ** 2):
            tip = _tip_at(page, cx + dx, cy + dy)
            # well inside one hexagon, not on an edge: the same tooltip 8 pixels each way
            if words in tip and all(_tip_at(page, cx + dx + ex, cy + dy + ey) == tip
                                    for ex, ey in ((8, 0), (-8, 0), (0, 8), (0, -8))):
                page.mouse.move(cx + dx, cy + dy)
                return cx + dx, cy + dy, tip
        assert time.monotonic() < deadline, f"no hexagon on the map says {words!r}"


def test_hexagons_clicked_on_the_map_join_the_zone(server, tmp_path):
    """The analyst picks the target as hexagons, clicks a released hexagon on the drawing map,
    and finds it in the target's list (the keyboard way to see and change the choice)."""
    with chromium_page(tmp_path, height=2200) as page:
        _evaluate_as_analyst(page, server, {})
        page.get_by_role("radiogroup", name="Target").get_by_text("Hexagons",
                                                                  exact=True).click()
        page.get_by_text("Draw hexagons on the map").wait_for()
        _settle(page)
        chart = page.locator("[data-testid='stDeckGlJsonChart']").first   # the drawing map
        listed = page.locator("[data-testid='stMultiSelect']", has_text="Target hexagons")
        before = listed.inner_text()
        x, y, tip = _hover_for(page, chart, "Click to add it to the target zone")
        cell = tip.split("Hexagon ")[1].split()[0]
        assert cell not in before
        page.mouse.click(x, y)
        page.wait_for_function(
            "([cell]) => [...document.querySelectorAll('[data-testid=stMultiSelect]')]"
            ".some(m => m.innerText.includes('Target hexagons') && m.innerText.includes(cell))",
            arg=[cell], timeout=60_000)
        _settle(page)
        _map_canvas(page)
        assert cell in listed.inner_text()
        assert "the target zone has 4" in page.inner_text("body")
        # the drawing map now draws it as a target hexagon
        page.mouse.move(x, y)
        page.wait_for_function(f"() => ({_TOOLTIP})().includes('Target: where the response')",
                               timeout=30_000)
        _shot(page, "evaluate-draw-hexagons")
        assert axe_violations(page, "Evaluate a response, hexagons drawn") == []
