"""Concurrent use: 20 dashboard sessions render without errors while an ingest runs.

Drives ``bench/load_sessions.py``: ``lantern serve`` on a free loopback port over a writable
copy of the demo database, 20 headless-Chromium sessions on the map page at once, and a
``lantern ingest`` of a fresh on-street file against the same database meanwhile (it writes a
copy and swaps it in). Two more sessions open after the swap. Bounded: 22 sessions, 300 s per
session, 720 s overall; the server is stopped by process group whatever happens. On an idle
2-core machine it takes about a minute; a busy one (other test workers) can triple that.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from profiles.store import database as store
ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("load_sessions",
                                               ROOT / "bench" / "load_sessions.py")
load_sessions = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("load_sessions", load_sessions)  # dataclasses look their module up
_spec.loader.exec_module(load_sessions)


def ingest_count(db) -> int:
    con = store.connect(db, read_only=True)
    try:
        return store.fetch_row(con, "SELECT count(*) FROM ingests")[0]
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.browser
def test_twenty_sessions_render_while_an_ingest_swaps_the_database(demo_copy, tmp_path):
    fresh = load_sessions.fresh_feed_file(tmp_path, seed=99, scale=2.0)
    before = ingest_count(demo_copy)
    shot = tmp_path / "session-0.png"
    report = load_sessions.run_load(demo_copy, ingest_path=fresh, sessions=20, after=2,
                                    session_timeout=300, overall_timeout=720,
                                    screenshot=shot, workdir=tmp_path / "load")
    # The ingest completed against the database the server was reading.
    assert report.ingest_returncode == 0, report.ingest_output[-500:]
    assert f"{fresh}: loaded" in report.ingest_output
    assert ingest_count(demo_copy) == before + 1
    assert report.overlapping >= 1, "no session was open while the ingest ran"
    # Every session rendered the map and showed no Streamlit exception.
    assert len(report.sessions) == 22
    problems = [(s.index, s.phase, s.exceptions, s.error) for s in report.with_exceptions]
    assert problems == [], report.server_log[-1500:]
    assert report.rendered == 22
    assert "Traceback" not in report.server_log
    assert shot.stat().st_size > 20_000
    # The server is gone.
    with pytest.raises(ProcessLookupError):
        os.kill(report.server_pid, 0)
