"""The DPIA annex's HTML, drawn by headless Chromium: it renders offline (no request leaves the
page), shows the marking at the top, and a screenshot is kept for a person to look at."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from profiles.cli import main

SHOTS = Path(os.environ.get("LANTERN_SHOTS", "")) if os.environ.get("LANTERN_SHOTS") else None


def test_annex_html_renders_offline_with_its_marking(demo_copy, tmp_path, monkeypatch):
    playwright = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("HOME", str(tmp_path))        # Chromium writes ~/.config
    (demo_copy.parent / "lantern-dpia.toml").write_text(
        '[legal_basis]\ncontroller = "Shire Constabulary <script>alert(1)</script>"\n')
    out = tmp_path / "annex"
    assert main(["describe", "--db", str(demo_copy), "--out", str(out)]) == 0
    page_file = out / "dpia-annex.html"
    requests = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--enable-unsafe-swiftshader"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(page_file.as_uri())
            page.wait_for_selector("h1")
            assert page.locator(".marking").first.inner_text() == "OFFICIAL-SENSITIVE"
            assert page.locator("h2").count() == 10
            assert "Shire Constabulary <script>alert(1)</script>" in page.inner_text("body")
            assert not dialogs
            shot = (SHOTS or tmp_path) / "dpia-annex.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
    assert requests == [page_file.as_uri()], requests    # nothing fetched but the page itself
