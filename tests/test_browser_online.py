"""The online picture in a real browser: the Off-street page under ``lantern serve``, and the
meeting pack's online part as HTML (in Chromium) and as PDF (through pdftoppm).

Screenshots land in ``tests/artifacts/`` (git-ignored) for a person to look at:
``off-street.png``, ``pack-online-html.png``, ``pack-online-scanning-html.png`` and
``pack-online-pdf-*.png``.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from profiles.analyses import CAUTION
from profiles.pack import build_pack, render_html, render_pdf
from profiles.store import database as store
from serving import ARGS, CHROMIUM
from tests.test_browser import ARTIFACTS, _settle, _shot, server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _browser(pw, tmp_path, height: int = 1600):
    return pw.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
        args=ARGS, viewport={"width": 1400, "height": height},
        env=dict(os.environ, HOME=str(tmp_path)))


def test_off_street_page_in_chromium(server, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = _browser(pw, tmp_path, height=3000)   # the whole page, unscrolled
        try:
            context.set_default_timeout(60_000)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(server, wait_until="domcontentloaded")
            _settle(page)
            page.locator("[data-testid='stSidebarNav'] a", has_text="Off-street").first.click()
            page.wait_for_selector("h1:has-text('Off-street')", timeout=30_000)
            page.wait_for_selector("text=The online picture", timeout=30_000)
            _settle(page)
            body = page.inner_text("body")
            for text in ("Premises assessments", "The online picture", "Adverts shown",
                         "Advertisers seen per week", "Indicator picture", CAUTION,
                         "OFFICIAL-SENSITIVE", "SYNTHETIC"):
                assert text in body, text
            _shot(page, "off-street")
        finally:
            context.close()


def test_pack_online_part_as_html_and_pdf(demo_db, tmp_path):
    from playwright.sync_api import sync_playwright

    con = store.connect(demo_db, read_only=True)
    pack = build_pack(con, "partnership", now=dt.datetime(2026, 11, 2, 9, 30))
    con.close()
    html_path = tmp_path / "pack.html"
    html_path.write_text(render_html(pack), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        context = _browser(pw, tmp_path)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(html_path.as_uri())
            part = page.locator('[data-section="analysis-online"]').first
            assert CAUTION in part.inner_text()
            part.screenshot(path=str(ARTIFACTS / "pack-online-html.png"))
            scan = page.locator('[data-section="scanning-online"]').first
            scan.screenshot(path=str(ARTIFACTS / "pack-online-scanning-html.png"))
            response = page.locator('[data-section="response-online"]').first
            assert "support services" in response.inner_text()
        finally:
            context.close()
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(render_pdf(pack))
    if not shutil.which("pdftoppm") or not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\f")
    hits = [n for n, text in enumerate(pages, 1)
            if "Online: signs an advertiser may be exploited" in text]
    assert hits, "the PDF has no online analysis part"
    for old in ARTIFACTS.glob("pack-online-pdf-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(hits[0]), "-l", str(hits[0]),
                    str(pdf), str(ARTIFACTS / "pack-online-pdf")], check=True)
    shots = list(ARTIFACTS.glob("pack-online-pdf-*.png"))
    assert shots and all(p.stat().st_size > 10_000 for p in shots)
