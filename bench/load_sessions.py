"""Load test: many dashboard sessions at once while ``lantern ingest`` updates the database.

Starts ``lantern serve`` on a free loopback port, opens ``sessions`` browser contexts in one
headless Chromium (each loads the map page and waits for the deck canvas and for the script to
finish), and meanwhile runs ``lantern ingest`` of a fresh file against the same database. Every
step is bounded: the number of sessions, a per-session timeout and an overall deadline; the
server and the ingest are always stopped (by process group) when the run ends.

Usage (also importable: :func:`run_load` returns a :class:`LoadReport`)::

    .venv/bin/python bench/load_sessions.py --db lantern.duckdb --sessions 20
    .venv/bin/python bench/load_sessions.py            # builds a demo database in a temp dir

The database should be a copy you may write to: the ingest adds a file to it.
Prints ``RESULT {json}`` lines (the convention of ``bench/run_all.py``).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
CANVAS = '[data-testid="stDeckGlJsonChart"] canvas'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'


@dataclass
class SessionResult:
    """One browser session: did the map render, and did Streamlit show an exception."""

    index: int
    phase: str                       # "during" (opened with the ingest) or "after" the swap
    rendered: bool = False
    exceptions: int = 0
    seconds: float = 0.0
    error: str = ""
    stage: str = "not started"        # how far it got: page, canvas, finished
    started: float = 0.0              # monotonic seconds
    ended: float = 0.0
    page_errors: list = field(default_factory=list)


@dataclass
class LoadReport:
    """The outcome of one load run. ``ok`` is True when every session rendered cleanly and the
    ingest succeeded."""

    sessions: list
    ingest_returncode: int | None
    ingest_seconds: float
    ingest_output: str
    elapsed: float
    screenshot: str | None = None
    server_log: str = ""
    server_pid: int | None = None
    ingest_window: tuple = (0.0, 0.0)  # monotonic start and end of the ingest

    @property
    def overlapping(self) -> int:
        """Sessions that were loading or rendering while the ingest ran."""
        a, b = self.ingest_window
        return sum(s.started < b and s.ended > a for s in self.sessions)

    @property
    def rendered(self) -> int:
        """Sessions whose map canvas appeared and whose script finished."""
        return sum(s.rendered for s in self.sessions)

    @property
    def with_exceptions(self) -> list:
        """Sessions that showed a Streamlit exception element or failed to load."""
        return [s for s in self.sessions if s.exceptions or s.error]

    @property
    def ok(self) -> bool:
        """True when all sessions rendered, none showed an exception, and the ingest worked."""
        return (self.rendered == len(self.sessions) and not self.with_exceptions
                and self.ingest_returncode == 0)

    def summary(self) -> dict:
        """Figures for a ``RESULT`` line."""
        secs = [s.seconds for s in self.sessions if s.rendered] or [0.0]
        return {"name": "load_sessions", "seconds": round(self.elapsed, 2),
                "sessions": len(self.sessions), "rendered": self.rendered,
                "with_exceptions": len(self.with_exceptions),
                "session_median_s": round(statistics.median(secs), 2),
                "session_max_s": round(max(secs), 2),
                "ingest_returncode": self.ingest_returncode,
                "ingest_seconds": round(self.ingest_seconds, 2),
                "sessions_during_ingest": self.overlapping,
                "page_errors": sum(len(s.page_errors) for s in self.sessions)}


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen | None, grace: float = 5.0) -> None:
    """Stop a process started in its own session, and its children (by its group id)."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, grace)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def start_server(db_path, port: int, home: Path, log_path: Path,
                 timeout: float = 60.0) -> subprocess.Popen:
    """Start ``lantern serve`` on ``127.0.0.1:port`` and wait until it answers its health check."""
    from profiles.cli.serve import server_command

    cmd, env = server_command(db_path, port, "127.0.0.1")
    env = dict(env, HOME=str(home))
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, cwd=ROOT)
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.close()
            raise RuntimeError(f"lantern serve exited with {proc.returncode}: "
                               f"{log_path.read_text(errors='replace')[-500:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    log.close()
                    return proc
        except OSError:
            pass
        time.sleep(0.2)
    log.close()
    _stop(proc)
    raise RuntimeError(f"lantern serve did not become healthy within {timeout:.0f} s")


def start_ingest(db_path, feed: str, path, home: Path) -> subprocess.Popen:
    """Start ``lantern ingest FEED PATH --db DB`` as a subprocess (its own process group)."""
    env = dict(os.environ, HOME=str(home))
    return subprocess.Popen([sys.executable, "-m", "profiles.cli", "ingest", feed, str(path),
                             "--db", str(db_path)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)


async def _session(browser, url: str, result: SessionResult, timeout_ms: int,
                   screenshot: Path | None) -> None:
    start = result.started = time.monotonic()
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        page.on("pageerror", lambda exc: result.page_errors.append(str(exc)[:200]))
        result.stage = "loading page"
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
        result.stage = "waiting for the map canvas"
        await page.wait_for_selector(CANVAS, state="attached", timeout=timeout_ms)
        result.stage = "waiting for the script to finish"
        await page.wait_for_selector(IDLE, state="attached", timeout=timeout_ms)
        result.exceptions = await page.locator(EXCEPTION).count()
        result.stage = "finished"
        result.rendered = True
        result.seconds = time.monotonic() - start
        if screenshot is not None:
            await page.wait_for_timeout(1500)   # let the software-WebGL canvas paint
            await page.screenshot(path=str(screenshot), full_page=False, timeout=timeout_ms)
    except Exception as exc:  # a timeout or a crashed page: recorded, never raised
        result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        result.seconds = time.monotonic() - start
    finally:
        result.ended = time.monotonic()
        await context.close()


async def _drive(url: str, sessions: int, after: int, timeout_ms: int, home: Path,
                 on_started, screenshot: Path | None, wait_ingest) -> list:
    from playwright.async_api import async_playwright

    results = [SessionResult(i, "during") for i in range(sessions)]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                           env=dict(os.environ, HOME=str(home)))
        try:
            tasks = [asyncio.create_task(_session(browser, url, r, timeout_ms,
                                                  screenshot if r.index == 0 else None))
                     for r in results]
            on_started()
            await asyncio.gather(*tasks)
            await asyncio.get_running_loop().run_in_executor(None, wait_ingest)
            later = [SessionResult(sessions + i, "after") for i in range(after)]
            await asyncio.gather(*(_session(browser, url, r, timeout_ms, None) for r in later))
            results += later
        finally:
            await browser.close()
    return results


def run_load(db_path, *, ingest_path, feed: str = "on_street", sessions: int = 20,
             after: int = 2, page: str = "map", session_timeout: float = 300.0,
             overall_timeout: float = 600.0, screenshot=None, workdir=None) -> LoadReport:
    """Serve ``db_path``, open ``sessions`` browser sessions while ingesting ``ingest_path``.

    Parameters
    ----------
    db_path : path
        A database you may write to (the ingest adds ``ingest_path`` to it).
    ingest_path : path
        A feed file not yet loaded into ``db_path``.
    feed : str
        The feed of ``ingest_path``.
    sessions : int
        Browser sessions opened at once (1 to 50).
    after : int
        Sessions opened once the ingest has finished (0 to 10), to see the swapped file.
    page : str
        The dashboard page's URL path (default ``map``: the page with the deck canvas).
    session_timeout, overall_timeout : float
        Seconds one session may take to render, and the whole run (server included).
    screenshot : path, optional
        Where to save a screenshot of the first session.

    Returns
    -------
    LoadReport
    """
    if not 1 <= sessions <= 50:
        raise ValueError(f"sessions= must be from 1 to 50, not {sessions!r}")
    if not 0 <= after <= 10:
        raise ValueError(f"after= must be from 0 to 10, not {after!r}")
    work = Path(workdir or tempfile.mkdtemp(prefix="lantern-load-"))
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    start = time.monotonic()
    server = ingest = None
    ingest_info = {"start": None, "end": None, "output": ""}

    def begin_ingest():
        nonlocal ingest
        ingest = start_ingest(db_path, feed, ingest_path, home)
        ingest_info["start"] = time.monotonic()

    def wait_ingest():
        left = max(1.0, overall_timeout - (time.monotonic() - start))
        try:
            out, _ = ingest.communicate(timeout=left)
            ingest_info["output"] = out.decode(errors="replace")
        except subprocess.TimeoutExpired:
            _stop(ingest)
            ingest_info["output"] = "ingest timed out"
        ingest_info["end"] = time.monotonic()

    log_path = work / "server.log"
    try:
        server = start_server(db_path, port, home, log_path)
        url = f"http://127.0.0.1:{port}/{page}"
        left = overall_timeout - (time.monotonic() - start)
        results = asyncio.run(asyncio.wait_for(
            _drive(url, sessions, after, int(session_timeout * 1000), home, begin_ingest,
                   Path(screenshot) if screenshot else None, wait_ingest), timeout=left))
    finally:
        _stop(ingest)
        _stop(server)
    return LoadReport(results, ingest.returncode if ingest else None,
                      (ingest_info["end"] or time.monotonic()) - (ingest_info["start"] or 0),
                      ingest_info["output"], time.monotonic() - start,
                      str(screenshot) if screenshot else None,
                      log_path.read_text(errors="replace")[-4000:], server.pid,
                      (ingest_info["start"] or 0.0, ingest_info["end"] or 0.0))


def fresh_feed_file(directory, *, seed: int = 99, scale: float = 5.0) -> Path:
    """Write a synthetic on-street file (not part of the demo) for the ingest to load."""
    from sample_data.generate import generate_town

    path = Path(directory) / f"on_street-fresh-{seed}.csv"
    generate_town(seed=seed, scale=scale)["on_street"].to_csv(path, index=False)
    return path


def main(argv=None) -> int:
    """Command-line entry point; exit 0 when the run is clean."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="a writable database (default: build the "
                                                   "demo in a temp dir)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--after", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600.0, help="overall seconds")
    parser.add_argument("--screenshot", default=None, help="PNG of the first session")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="lantern-load-"))
    db = Path(args.db) if args.db else None
    if db is None:
        from profiles.store.demo import build_demo

        db = work / "demo.duckdb"
        build_demo(db, seed=7, scale=1.0)
    report = run_load(db, ingest_path=fresh_feed_file(work), sessions=args.sessions,
                      after=args.after, overall_timeout=args.timeout,
                      screenshot=args.screenshot, workdir=work)
    for s in report.with_exceptions:
        print(f"session {s.index} ({s.phase}): exceptions={s.exceptions}, stopped "
              f"{s.stage} after {s.seconds:.0f} s: {s.error}", file=sys.stderr)
    print("RESULT " + json.dumps(report.summary()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["LoadReport", "SessionResult", "fresh_feed_file", "free_port", "run_load",
           "start_ingest", "start_server"]
