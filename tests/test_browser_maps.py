"""In a real browser: real-shaped outlines, a "not loaded" state, and local tiles under the map.

``lantern serve`` on synthetic stores, driven by Debian's Chromium through Playwright (as in
``tests/test_browser.py``). Screenshots go to ``tests/artifacts/`` for a person to look at:
``outlines-map.png`` (the synthetic town's wandering boundaries, drawn as they are),
``not-loaded-overview.png`` (a store with community concerns only) and
``basemap-local-tiles.png`` (a synthetic MBTiles file served by Lantern under the hexagons).
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from serving import chromium_page, free_port, start_serve, stop_serve, wait_healthy
from test_browser import ARTIFACTS, _goto, _map_canvas, _settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def serve(tmp_path):
    """Start ``lantern serve`` on a database (with extra arguments); stop it afterwards."""
    procs = []

    def start(db, *extra):
        port = free_port()
        proc = start_serve(db, port, tmp_path, *extra)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, proc)
        return url

    yield start
    for proc in procs:
        stop_serve(proc)


@pytest.fixture
def browser_page(tmp_path):
    """A Chromium page that records the address of every request it makes."""
    with chromium_page(tmp_path, height=1400) as page:
        page.requests = []
        page.on("request", lambda r: page.requests.append(r.url))
        yield page


@pytest.fixture
def concerns_store(town_files, tmp_path):
    """A synthetic store with the areas and community concerns only (nothing else loaded)."""
    from profiles.store import connect, ingest_file, load_key, set_meta

    path = tmp_path / "few.duckdb"
    con = connect(path)
    set_meta(con, "synthetic", "true")
    for feed in ("areas", "community_concerns"):
        ingest_file(con, feed, town_files[feed], key=load_key(path),
                    quarantine_dir=tmp_path / "q")
    con.close()
    return path


def _shot(page, name: str, element=None) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    (element or page).screenshot(path=str(path), **({} if element else {"full_page": True}))
    return path


def test_not_loaded_state_and_real_outlines(serve, browser_page, concerns_store):
    page = browser_page
    url = serve(concerns_store)
    page.goto(url, wait_until="domcontentloaded")
    _settle(page)
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    # on-street, premises, harm, outreach and online adverts: every feed but concerns
    assert values.count("Not loaded") == 5, values
    assert "Not loaded (no file for these feeds)" in page.inner_text("body")
    _shot(page, "not-loaded-overview")
    _goto(page, "Map", {})
    _map_canvas(page)
    # the map opens shading a loaded feed, not one with no file
    assert "Community concerns shown" in page.inner_text("body")
    _shot(page, "outlines-map", page.locator("[data-testid='stDeckGlJsonChart']").first)


def test_local_tiles_are_drawn_under_the_hexagons(serve, browser_page, demo_copy, tmp_path):
    from PIL import Image

    from sample_data.tiles import write_tile_set

    tiles = write_tile_set(tmp_path / "town.mbtiles", zooms=range(9, 14))
    config = tmp_path / "basemap.toml"
    config.write_text(f'[basemap]\nfile = {json.dumps(str(tiles))}\n'
                      f'attribution = "Synthetic test tiles"\n')
    page = browser_page
    url = serve(demo_copy, "--basemap", str(config))
    page.goto(url, wait_until="domcontentloaded")
    _settle(page)
    _goto(page, "Map", {})
    _map_canvas(page)
    page.wait_for_function("() => !!document.querySelector('.mapboxgl-canvas')")
    chart = page.locator("[data-testid='stDeckGlJsonChart']").first
    # let the tiles arrive and fade in: a bounded wait until a corner away from the town is no
    # longer the page's plain white (slow under load on a shared machine)
    for _ in range(60):
        shot = _shot(page, "basemap-local-tiles", chart)
        img = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
        if min(img.getpixel((12, 60))) < 250:
            break
        page.wait_for_timeout(500)
    page.wait_for_timeout(1000)
    shot = _shot(page, "basemap-local-tiles", chart)
    tile_requests = [u for u in page.requests if "/lantern/basemap/tiles/" in u]
    assert tile_requests, "the map asked Lantern for no tiles"
    assert all(u.startswith((url, "data:", "blob:")) for u in page.requests), \
        [u for u in page.requests if not u.startswith((url, "data:", "blob:"))][:5]
    assert "Synthetic test tiles" in chart.inner_text()   # the attribution is on the map
    img = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    w, h = img.size
    # a corner away from the town: with no basemap it is the page's white; here it is tiles
    corner = [img.getpixel((x, y)) for x in range(8, w // 8, 3) for y in range(40, h // 6, 3)]
    white = sum(1 for p in corner if min(p) >= 250)
    assert white < 0.2 * len(corner), f"{white} of {len(corner)} corner pixels are white"
    assert len(set(corner)) >= 3                          # grid lines on water, not one fill
    # the hexagons are drawn on top: strongly coloured pixels that the greyed tiles lack
    vivid = sum(1 for x in range(0, w, 4) for y in range(0, h, 4)
                if max(img.getpixel((x, y))) - min(img.getpixel((x, y))) > 90)
    assert vivid > 200, f"only {vivid} strongly coloured pixels: hexagons not drawn over tiles"
