"""WCAG 2.2 AA in a real browser: axe-core on every page, for every audience and in meeting
mode, and on the HTML meeting pack; a keyboard walk; the page at 200 % zoom.

axe-core comes inside the ``axe-playwright-python`` wheel (nothing is fetched at run time). A
test fails on any violation of the WCAG 2.0/2.1/2.2 A and AA rules, naming the page, the rule,
the element and axe's message. Each "Show as a table" view is opened before axe runs, so the
tables are checked too. Screenshots land in ``tests/artifacts/`` for a person to look at.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_browser import ARGS, ARTIFACTS, CHROMIUM, _settle, server  # noqa: F401 (fixture)

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


def _browser(pw, tmp_path, **context):
    return pw.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
        args=ARGS, env=dict(os.environ, HOME=str(tmp_path)), **context)


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


def _goto(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    page.wait_for_function(f"() => document.querySelector('h1')?.innerText.length > 0 && "
                           f"location.pathname.length > 0", timeout=30_000)
    page.wait_for_timeout(600)
    _settle(page)


def _choose_audience(page, audience: str) -> None:
    label = get_policy(audience).label
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']",
                       has_text="Audience")
    box.click()
    page.get_by_role("option", name=label, exact=True).click()
    page.wait_for_function(
        "(l) => [...document.querySelectorAll('.lantern-marking')].every("
        "b => b.innerText.includes(l))", arg=label, timeout=30_000)
    _settle(page)


VIEWS = [("partnership", False), ("command", False), ("analyst", False), ("partnership", True)]


@pytest.mark.parametrize("audience,meeting", VIEWS,
                         ids=["partnership", "command", "analyst", "meeting-mode"])
def test_every_page_passes_axe(server, tmp_path, audience, meeting):  # noqa: F811
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium"
    view = "meeting mode" if meeting else audience
    problems, checked, tables = [], [], 0
    with sync_playwright() as pw:
        context = _browser(pw, tmp_path, viewport={"width": 1500, "height": 2600})
        try:
            context.set_default_timeout(60_000)
            page = context.pages[0] if context.pages else context.new_page()
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
                _goto(page, title)
                tables += _open_table_views(page)
                problems += axe_violations(page, f"{title} [{view}]")
                checked.append(title)
        finally:
            context.close()
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
