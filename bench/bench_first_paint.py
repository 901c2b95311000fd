"""Benchmark: first paint of the Map page in headless Chromium, beside a blank Streamlit page.

Run from the repository root::

    python bench/bench_first_paint.py [--db PATH] [--rounds 7] [--screenshot map.png]

It builds the synthetic demo database (seed 7, scale 1) in a temporary folder unless ``--db``
is given, starts ``lantern serve`` on it and, beside it, ``streamlit run`` of a blank page (one
title, nothing else): Streamlit's own floor for a page on this machine. One headless Chromium
opens each once (the server warms up as a first session would), then opens them in turn,
``--rounds`` times each, alternating, each time in a new tab (a new Streamlit session):

* Map: from ``goto /map`` to the map drawn on its canvas (a canvas screenshot holding more
  than an empty canvas does), with when the deck spec arrived over the websocket and its size;
* baseline: from ``goto /`` to the blank page's title on screen.

Prints the medians and ranges, and ``RESULT {json}`` for ``bench/run_all.py``: the Map's median
against the target of 3 s, with the baseline's median beside it. Figures move with the
machine's load (printed): compare only figures from the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_dashboard import CHROMIUM, machine  # noqa: E402

TARGET_S = 3.0
ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"]
BLANK = 'import streamlit as st\n\nst.title("Blank page")\n'


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def _start(cmd: list, home: str) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, cwd=ROOT, env=dict(os.environ, HOME=home))


def _map_once(browser, url: str, shot: Path | None = None) -> dict:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    spec, errors = {}, []

    def on_frame(payload) -> None:
        if isinstance(payload, bytes) and b"initialViewState" in payload and not spec:
            spec.update(s=time.perf_counter() - t, kb=len(payload) / 1024)

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    page.on("console", lambda m: errors.append(m.text) if m.text.startswith("deck:") else None)
    t = time.perf_counter()
    page.goto(f"{url}/map")
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for(timeout=60_000)
    shown = time.perf_counter() - t
    while len(canvas.screenshot()) < 20_000 and time.perf_counter() - t < 60:
        page.wait_for_timeout(50)
    seconds = time.perf_counter() - t
    if shot is not None:
        page.wait_for_timeout(1500)
        page.screenshot(path=str(shot), full_page=False)
    page.close()
    if errors:
        raise SystemExit(f"the map drew with a deck.gl error: {errors[0][:300]}")
    return {"s": seconds, "spec_s": spec.get("s", float("nan")), "canvas_s": shown,
            "spec_kb": spec.get("kb", float("nan"))}


def _blank_once(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    t = time.perf_counter()
    page.goto(f"{url}/")
    page.get_by_text("Blank page").first.wait_for(timeout=60_000)
    seconds = time.perf_counter() - t
    page.close()
    return seconds


def first_paints(db: Path, rounds: int, shot: Path | None = None) -> dict:
    """Alternate ``rounds`` Map first paints with as many blank-page paints; return figures."""
    from playwright.sync_api import sync_playwright

    home = tempfile.mkdtemp(prefix="lantern-bench-home-")
    blank = Path(home) / "blank.py"
    blank.write_text(BLANK)
    mport, bport = _port(), _port()
    lantern = _start([sys.executable, "-m", "profiles.cli", "serve", "--db", str(db),
                      "--port", str(mport)], home)
    base = _start([sys.executable, "-m", "streamlit", "run", str(blank), "--server.headless",
                   "true", "--server.port", str(bport), "--browser.gatherUsageStats", "false"],
                  home)
    murl, burl = f"http://127.0.0.1:{mport}", f"http://127.0.0.1:{bport}"
    try:
        _healthy(murl)
        _healthy(burl)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS,
                                         env=dict(os.environ, HOME=home))
            # one visit each first: the server warms up as for a first session, and the
            # browser holds Streamlit's and deck.gl's code as a returning viewer's would
            _map_once(browser, murl)
            _blank_once(browser, burl)
            maps, blanks = [], []
            for i in range(rounds):
                maps.append(_map_once(browser, murl, shot if i == rounds - 1 else None))
                blanks.append(_blank_once(browser, burl))
            browser.close()
    finally:
        for proc in (lantern, base):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
    secs = sorted(m["s"] for m in maps)
    return {"map_s": round(statistics.median(secs), 2), "map_range": [round(secs[0], 2),
                                                                      round(secs[-1], 2)],
            "spec_s": round(statistics.median(m["spec_s"] for m in maps), 2),
            "canvas_s": round(statistics.median(m["canvas_s"] for m in maps), 2),
            "spec_kb": round(maps[-1]["spec_kb"], 1),
            "baseline_s": round(statistics.median(blanks), 2),
            "baseline_range": [round(min(blanks), 2), round(max(blanks), 2)],
            "rounds": rounds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None,
                        help="a Lantern database (default: build the demo in a temp dir)")
    parser.add_argument("--rounds", type=int, default=7, help="paints of each page")
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="save the last Map paint as a PNG")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"No Chromium at {CHROMIUM}; nothing measured")
        return 0
    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="lantern-bench-") as tmp:
        db = args.db
        if db is None:
            from profiles.store.demo import build_demo

            db = Path(tmp) / "demo.duckdb"
            build_demo(db, seed=7, scale=1.0)
        r = first_paints(db, args.rounds, args.screenshot)
    load = round(os.getloadavg()[0], 2)
    print(f"Map page first paint: median {r['map_s']:.2f} s ({r['map_range'][0]:.2f}–"
          f"{r['map_range'][1]:.2f} s, {r['rounds']} paints; deck spec {r['spec_kb']:.0f} KB, "
          f"arrived after {r['spec_s']:.2f} s); blank Streamlit page: median "
          f"{r['baseline_s']:.2f} s ({r['baseline_range'][0]:.2f}–{r['baseline_range'][1]:.2f} s)"
          f"; target {TARGET_S} s: {'met' if r['map_s'] <= TARGET_S else 'NOT met'}; load {load}")
    print("RESULT " + json.dumps({"name": "dashboard_map_first_paint", "seconds": r["map_s"],
                                  "target": TARGET_S, **{k: v for k, v in r.items()
                                                         if k != "map_s"}, "load": load}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
