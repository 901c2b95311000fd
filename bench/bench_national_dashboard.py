"""Benchmark: the dashboard on the national database (issue 16), in a real server and browser.

Usage::

    python bench/bench_national_dashboard.py --db PATH      # an existing national store
    python bench/bench_national_dashboard.py --points 10000000   # build one first (minutes)

Figures, each against its target (2-core machine, headless Chromium with software WebGL):

* **Overview first paint** (≤ 4 s): ``lantern serve`` started, one browser opens ``/`` and
  waits until the script has finished and both protective-marking bars are drawn. Measured
  twice: *cold* (no protected tables kept beside the store: everything is built) and *warm*
  (a restarted server reading the tables kept on disk, :mod:`profiles.release.table_files`,
  after every served audience's tables were kept as ``lantern ingest`` keeps them after a
  load; ``tables_kept_s`` is how long that took).
* **Page after a menu click** (p95 ≤ 2 s over 20 clicks): Map, Off-street, Outreach and need,
  Data status and Overview, four rounds, each timed from the click until the script has
  finished (and, for the Map, its canvas is there).
* **Filter change** (p95 ≤ 2 s over 20): the Overview's period choice, switched back and forth.
* **Polygons in one map view** (≤ 30,000): rows of the Map's polygon layers for the whole
  force, counted in the deck spec (AppTest, in process).
* **Resident memory with 10 sessions** (≤ 1.5 GiB): ``bench_dashboard_memory``'s sessions
  (Overview, Map, Outreach each) against this store, server and children sampled every 0.2 s.

Ends with ``RESULT {json}`` lines for ``bench/run_all.py``. Request loops are bounded in count
and time and go to 127.0.0.1 only; the server is always stopped.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboard_memory import _sessions, tree_rss_mib  # noqa: E402
from load_sessions import CANVAS, CHROMIUM, CHROMIUM_ARGS, _stop, free_port, start_server  # noqa: E402,E501

RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MARKINGS = ".lantern-marking >> nth=1"
PAGES = ("Map", "Off-street", "Outreach and need", "Data status", "Overview")
TARGETS = {"overview_first_paint_s": 4.0, "page_click_p95_s": 2.0, "filter_change_p95_s": 2.0,
           "polygons": 30_000, "memory_gib": 1.5}


def p95(values) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def settle(page, timeout_ms: int = 120_000) -> None:
    """Wait for a rerun to start (briefly) and then to finish."""
    try:
        page.wait_for_selector(RUNNING, timeout=1_500)
    except Exception:  # noqa: BLE001 - a fast rerun can finish before we look
        pass
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def browser_figures(db: Path, home: Path, tmp: Path) -> dict:
    """First paint (cold, then warm), page clicks and filter changes in headless Chromium."""
    from playwright.sync_api import sync_playwright

    out = {}
    for label in ("cold", "warm"):
        if label == "cold":
            from profiles.release.table_files import folder_for
            shutil.rmtree(folder_for(db), ignore_errors=True)
        else:
            out["tables_kept_s"] = keep_tables_as_ingest_does(db)
        port = free_port()
        server = start_server(db, port, home, tmp / f"server-{label}.log", timeout=120)
        url = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             env={**os.environ, "HOME": str(home)})
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                t = time.perf_counter()
                page.goto(f"{url}/", timeout=300_000)
                page.wait_for_selector(MARKINGS, timeout=300_000)
                page.wait_for_selector(IDLE, timeout=300_000)
                out[f"overview_first_paint_{label}_s"] = round(time.perf_counter() - t, 2)
                if label == "warm":
                    clicks, by_page = [], {name: [] for name in PAGES}
                    for _ in range(4):
                        for name in PAGES:
                            t = time.perf_counter()
                            page.get_by_role("link", name=name, exact=True).first.click()
                            settle(page)
                            if name == "Map":
                                page.wait_for_selector(CANVAS, timeout=120_000)
                            clicks.append(time.perf_counter() - t)
                            by_page[name].append(round(clicks[-1], 2))
                    out["page_click_p95_s"] = round(p95(clicks), 2)
                    out["page_click_median_s"] = round(statistics.median(clicks), 2)
                    out["page_clicks_s"] = by_page      # which page, which round
                    changes = []
                    for i in range(20):
                        t = time.perf_counter()
                        page.get_by_text(("Quarter", "Month")[i % 2], exact=True).first.click()
                        settle(page)
                        changes.append(time.perf_counter() - t)
                    out["filter_change_p95_s"] = round(p95(changes), 2)
                    out["filter_change_median_s"] = round(statistics.median(changes), 2)
                browser.close()
        finally:
            _stop(server)
    return out


def keep_tables_as_ingest_does(db: Path) -> float:
    """Keep every served audience's protected tables beside the store, as ``lantern ingest``
    does after a load (the cold server may have been stopped before its warm-up finished);
    return the seconds it took."""
    from profiles.governance import load_access
    from profiles.release import keep_tables

    t = time.perf_counter()
    keep_tables(db, load_access().served)
    return round(time.perf_counter() - t, 2)


def polygons_in_map_view(db: Path) -> int:
    """Rows of the Map page's polygon layers for the whole force (what the browser gets)."""
    os.environ["LANTERN_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" /
                               "map.py"), default_timeout=300)
    at.run()
    if at.exception:
        raise SystemExit(f"the map page failed: {at.exception[0].value}")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return sum(len(layer.get("data") or []) for layer in spec["layers"]
               if layer["@@type"] == "PolygonLayer")


def memory_with_sessions(db: Path, home: Path, tmp: Path, sessions: int) -> tuple[float, int]:
    """Peak resident memory (GiB) of the server while ``sessions`` browsers use it."""
    port = free_port()
    server = start_server(db, port, home, tmp / "server-memory.log", timeout=120)
    peak, stop = [0.0], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_mib(server.pid))
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        ok = asyncio.run(asyncio.wait_for(_sessions(f"http://127.0.0.1:{port}", sessions, home,
                                                    600_000), timeout=900))
    finally:
        stop.set()
        thread.join(timeout=2)
        _stop(server)
    return peak[0] / 1024, ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing national store")
    parser.add_argument("--points", type=int, default=10_000_000,
                        help="points of the national set to build when no --db is given")
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lantern-national-") as tmp:
        tmp = Path(tmp)
        home = tmp / "home"
        home.mkdir()
        db = args.db
        if db is None:
            from bench_national import build_store
            db = build_store(tmp, args.points)
        print(f"store: {db} ({db.stat().st_size / 2**20:,.0f} MiB); 1-minute load "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        figures = browser_figures(db, home, tmp)
        figures["polygons"] = polygons_in_map_view(db)
        gib, ok = memory_with_sessions(db, home, tmp, args.sessions)
        figures["memory_gib"] = round(gib, 2)
        figures["memory_sessions_completed"] = ok
    figures["overview_first_paint_s"] = figures["overview_first_paint_warm_s"]
    for name, target in TARGETS.items():
        value = figures[name]
        print(f"{name:<26} {value:>10,} (target <= {target:,}: "
              f"{'met' if value <= target else 'NOT met'})")
        print("RESULT " + json.dumps({"name": f"national_{name}", "value": value,
                                      "target": target, "load": round(os.getloadavg()[0], 2),
                                      **({"cold_s": figures["overview_first_paint_cold_s"]}
                                         if name.startswith("overview") else {})}))
    print("figures: " + json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
