"""The server keeps serving while an analyst uploads the four hostile files (issue 28).

``lantern serve`` on a demo copy; one Chromium tab (a Streamlit session) has the Map open, another uploads the
four files of :mod:`test_hostile_files` on Data status and checks them. Each is refused in
plain words naming it; the server process is still the same one, its peak memory stayed
bounded, and the first session's Map still runs.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from serving import chromium_page, choose_option, free_port, start_serve, stop_serve, \
    wait_healthy
from test_browser import _map_canvas, _settle
from test_hostile_files import far_cell_workbook, many_strings_workbook, wide_csv, zip_bomb

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FILES = {"far_cell.xlsx": far_cell_workbook, "many_strings.xlsx": many_strings_workbook,
         "boundaries.zip": zip_bomb, "on_street.csv": wide_csv}
#: The server's peak resident memory (VmHWM) allowed: the demo's pages take a few hundred MB;
#: unpacking the zip alone would take a gibibyte more.
MAX_SERVER_MB = 1000


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_the_server_refuses_each_hostile_upload_and_keeps_serving(demo_copy, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    paths = []
    for name, build in FILES.items():
        (folder / name).write_bytes(build())
        paths.append(str(folder / name))
    port = free_port()
    proc = start_serve(demo_copy, port, tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, timeout=60)
        with chromium_page(tmp_path) as viewer:
            analyst = viewer.context.new_page()      # a tab of its own: a session of its own
            viewer.goto(f"{url}/map", wait_until="domcontentloaded")
            _settle(viewer)
            _map_canvas(viewer)

            analyst.goto(f"{url}/status", wait_until="domcontentloaded")
            _settle(analyst)
            choose_option(analyst, analyst.locator(
                "[data-testid='stSidebar'] [data-testid='stSelectbox']").first,
                "Analyst (police only)")
            analyst.get_by_text("Load files", exact=True).wait_for()
            analyst.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(paths)
            analyst.get_by_role("button", name="Check the files").click()
            errors = analyst.locator("[data-testid='stAlertContentError']")
            analyst.wait_for_function(
                "() => document.querySelectorAll(\"[data-testid='stAlertContentError']\")"
                ".length >= 4", timeout=120_000)
            texts = errors.all_inner_texts()
            assert proc.poll() is None, "the server died"
            for name in FILES:
                [text] = [t for t in texts if t.startswith(name)]
                assert "Fix:" in text or "Nothing was unpacked" in text, text
            assert any("16,384" in t for t in texts if t.startswith("far_cell"))
            assert any("4,294,967,295 shared strings" in t for t in texts)
            assert any("header line is over 256 KB" in t for t in texts)
            assert any("lsoa.dbf" in t for t in texts if t.startswith("boundaries"))

            # the other session still works: the same server answers its next run
            viewer.reload(wait_until="domcontentloaded")
            _settle(viewer)
            _map_canvas(viewer)
        assert proc.poll() is None
        peak = _peak_mb(proc.pid)
        print(f"server peak memory: {peak:.0f} MB")
        assert peak < MAX_SERVER_MB
        wait_healthy(url, proc, timeout=10)
        # nothing left behind beside the store
        left = {p.name for p in demo_copy.parent.iterdir()}
        assert not [n for n in left if "updating" in n or n == "lantern-quarantine"], left
    finally:
        stop_serve(proc)
