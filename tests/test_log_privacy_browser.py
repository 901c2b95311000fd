"""The server's logs carry no personal data (issue 28), after a full session in Chromium.

``lantern serve`` runs with header sign-on (from this machine, loopback, as behind the proxy).
A signed-on analyst opens every page, then loads a partner's police export on Data status (a
dry run, then the load). Afterwards the server's whole output (what systemd's journal would
hold) is searched for the viewer's identity and for every reference, date, time and
coordinate in the file. Who viewed what belongs in the audit log, never in the logs.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from serving import chromium_page, choose_option, free_port, start_serve, stop_serve, \
    wait_healthy
from test_browser import _settle
from test_deploy_proxy import ACCESS, _menu

from profiles.governance import audit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PARTNER = Path(__file__).resolve().parents[1] / "sample_data" / "partner_files"
VIEWER = {"X-Forwarded-User": "jo.analyst@example.police.uk", "X-Forwarded-Role": "analyst"}


def _personal_values() -> set[str]:
    """Everything in the partner file that could point at a person, place or moment."""
    values = set(VIEWER.values()) - {"analyst"}
    with (PARTNER / "police_export_bng.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            values |= {row["INCIDENT_NO"], row["DATE_COMMITTED"], row["EASTING"],
                       row["NORTHING"], row["DATE_COMMITTED"].split()[0]}
    return {v for v in values if len(v) >= 5}


def test_no_personal_data_in_the_server_output_after_a_full_session(demo_copy, tmp_path):
    access = tmp_path / "access.toml"
    access.write_text(ACCESS)
    port = free_port()
    env = dict(os.environ, LANTERN_ACCESS=str(access),
               LANTERN_RECIPES=str(PARTNER / "recipes"))
    proc = start_serve(demo_copy, port, tmp_path, env=env)
    url = f"http://127.0.0.1:{port}"
    output = ""
    try:
        wait_healthy(url, proc, timeout=60)
        with chromium_page(tmp_path, extra_http_headers=VIEWER) as page:
            page.goto(url, wait_until="domcontentloaded")
            _settle(page)
            choose_option(page, page.locator(
                "[data-testid='stSidebar'] [data-testid='stSelectbox']").first,
                "Analyst (police only)")
            _settle(page)
            titles = _menu(page)
            assert "Patrol planning" in titles and "Data status" in titles
            for title in titles:
                page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
                page.wait_for_function("(t) => document.querySelector('h1')?.innerText === t",
                                       arg=title, timeout=60_000)
                _settle(page)
            # Data status: a partner's file, checked and then loaded
            page.get_by_text("Load files", exact=True).wait_for()
            page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
                str(PARTNER / "police_export_bng.csv"))
            choose_option(page, page.locator("[data-testid='stSelectbox']").filter(
                has_text="Recipe").first, "police_bng.toml")
            page.get_by_role("button", name="Check the files").click()
            page.get_by_text("dry run, nothing written to the store").first.wait_for(
                timeout=120_000)
            page.get_by_role("button", name="Load these files").click()
            page.get_by_text("police_export_bng.csv: loaded").first.wait_for(timeout=120_000)
    finally:
        stop_serve(proc)
        output = proc.stdout.read().decode(errors="replace")
    # the session happened, as the audit log (not the logs) records
    log = audit.read_log(demo_copy)
    assert {r["user"] for r in log} == {VIEWER["X-Forwarded-User"]}
    assert any(r["action"] == "ingest" and r.get("file_name") == "police_export_bng.csv"
               for r in log)
    assert "Lantern dashboard: http://127.0.0.1" in output       # the output was captured
    found = sorted(v for v in _personal_values() if v in output)
    assert not found, f"the server's output holds {found[:5]}"
