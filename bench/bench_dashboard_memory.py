"""Benchmark: resident memory of one dashboard server with 10 sessions on force-sized data.

Target (issue 8): <= 1 GiB resident. Builds a demo database at ``--scale`` (default 10: about
60,000 on-street events, the volume of a force's year and more), starts ``lantern serve`` on a
free loopback port, opens ``--sessions`` headless Chromium sessions (Debian's chromium) that
each visit the Overview, Map and Outreach pages, and samples the server's resident memory
(``VmRSS`` of the server process and its children) every 0.2 s. Bounded in count and time;
the server is always stopped. Prints a final ``RESULT {json}`` line.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_sessions import CANVAS, CHROMIUM, CHROMIUM_ARGS, _stop, free_port, start_server  # noqa: E402,E501

PAGES = ("overview", "map", "outreach")


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MiB (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                todo += [int(k) for k in kids]
        except OSError:
            continue
    return total / 1024


async def _sessions(base: str, n: int, home: Path, timeout_ms: int) -> int:
    from playwright.async_api import async_playwright

    ok = 0
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                           env={**os.environ, "HOME": str(home)})
        try:
            async def one(i):
                ctx = await browser.new_context(viewport={"width": 1280, "height": 800})
                page = await ctx.new_page()
                try:
                    for name in PAGES:
                        await page.goto(f"{base}/{name}", timeout=timeout_ms)
                        await page.wait_for_selector(
                            '[data-testid="stApp"][data-test-script-state="notRunning"]',
                            timeout=timeout_ms)
                        if name == "map":
                            await page.wait_for_selector(CANVAS, timeout=timeout_ms)
                    return 1
                finally:
                    await ctx.close()
            results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
            ok = sum(1 for r in results if r == 1)
        finally:
            await browser.close()
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=600.0, help="overall seconds")
    args = parser.parse_args(argv)
    from profiles.store.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "force.duckdb"
        build_demo(db, seed=7, scale=args.scale)
        home = tmp / "home"
        home.mkdir()
        port = free_port()
        server = start_server(db, port, home, tmp / "server.log")
        peak, samples, stop = [0.0], [], threading.Event()

        def sample():
            while not stop.is_set():
                rss = tree_rss_mib(server.pid)
                samples.append(rss)
                peak[0] = max(peak[0], rss)
                time.sleep(0.2)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        idle = tree_rss_mib(server.pid)
        t0 = time.perf_counter()
        try:
            ok = asyncio.run(asyncio.wait_for(
                _sessions(f"http://127.0.0.1:{port}", args.sessions, home,
                          int(args.timeout * 1000)), timeout=args.timeout))
        finally:
            stop.set()
            thread.join(timeout=2)
            _stop(server)
        seconds = time.perf_counter() - t0
    gib = peak[0] / 1024
    print(f"{args.sessions} sessions ({ok} completed Overview, Map, Outreach) in {seconds:.0f} s; "
          f"server resident memory idle {idle:.0f} MiB, peak {peak[0]:.0f} MiB ({gib:.2f} GiB); "
          f"target <= 1 GiB -> {'met' if gib <= 1 else 'NOT met'}")
    print("RESULT " + json.dumps({"name": "dashboard_memory_10_sessions", "value": round(gib, 3),
                                  "unit": "GiB", "target": 1.0, "sessions": args.sessions,
                                  "completed": ok, "idle_mib": round(idle)}))
    return 0 if ok == args.sessions else 1


if __name__ == "__main__":
    sys.exit(main())
