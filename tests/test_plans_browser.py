"""The patrol brief and a scenario comparison, rendered by headless Chromium from their files.

Both pages must draw offline: the only requests are the file itself and embedded images.
Screenshots go to ``tests/artifacts/`` (git-ignored) for a person to look at.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from profiles.planning.displacement import simulate
from profiles.planning.patrols import patrol_brief_html, plan_patrols
from profiles.planning.scenarios import load_scenario, save_scenario, scenarios_to_html

pytestmark = [pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def render(html_text: str, name: str, tmp_path) -> dict:
    """Open the page from a file, screenshot it, and return what the browser saw."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium"
    src = tmp_path / f"{name}.html"
    src.write_text(html_text, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS,
                                     env=dict(os.environ, HOME=str(tmp_path)))
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(src.as_uri(), wait_until="load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth])")
            seen = {"text": page.inner_text("body"), "images": images,
                    "requests": requests, "marks": page.locator(".mark").all_inner_texts()}
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 20_000, f"{shot} looks empty"
    return seen


def offline(seen) -> bool:
    return all(u.startswith(("file://", "data:")) for u in seen["requests"])


def test_patrol_brief_renders(demo_con, tmp_path):
    plan = plan_patrols(demo_con, "command")
    seen = render(patrol_brief_html(plan), "patrol-brief", tmp_path)
    assert offline(seen), seen["requests"]
    assert len(seen["marks"]) == 2 and all("OFFICIAL-SENSITIVE" in m for m in seen["marks"])
    assert seen["images"] and all(ok and width > 300 for ok, width in seen["images"])
    for words in ("Purpose", "not enforcement", "Proposals", "Excluded",
                  "near a confidential support site", "Notice to share", "SYNTHETIC"):
        assert words in seen["text"]
    assert plan.proposals.h3_id.iloc[0] in seen["text"]


def test_scenario_comparison_renders(demo_con, tmp_path):
    folder = tmp_path / "lantern-scenarios"
    for name, kind in (("Enforcement sweep", "enforcement"),
                       ("Better lighting", "environmental_improvement")):
        sc = simulate(demo_con, "analyst", targets="Town Centre Beat (synthetic)",
                      intervention=kind)
        save_scenario(sc, name, folder)
    scs = [load_scenario(n, folder, audience="analyst")
           for n in ("Enforcement sweep", "Better lighting")]
    seen = render(scenarios_to_html(scs), "scenario-comparison", tmp_path)
    assert offline(seen), seen["requests"]
    assert len(seen["marks"]) == 2
    assert len(seen["images"]) == 2 and all(ok and w > 300 for ok, w in seen["images"])
    for words in ("Enforcement sweep", "Better lighting", "moved (low–central–high)",
                  "moved into poorly lit or isolated places"):
        assert words in seen["text"]
