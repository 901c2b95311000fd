"""Crash safety: ``SIGKILL`` during ``lantern ingest`` leaves the database as it was, or done.

A real ``lantern ingest`` subprocess loads a 300,000-row on-street file into a copy of the demo
database and is killed at several moments: right after start, when its private copy appears,
and at fractions of the measured load time. Afterwards every table's row count and a checksum
of ``facts`` and ``subjects`` equal the state before the file, or the state after a complete
load of it (only if the kill came after the swap) — never anything in between; and the next
ingest works and clears the dead process's copy.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from profiles.store import database as store
from profiles.cli import main
from sample_data.generate import generate_town

TABLES = ("facts", "subjects", "environment", "outreach_sites", "areas", "area_cells",
          "ingests", "quarantine", "meta")
ROOT = Path(__file__).resolve().parents[1]


def fingerprint(db: Path) -> dict:
    """Row counts of every table and order-independent checksums of facts and subjects."""
    con = store.connect(db, read_only=True)
    try:
        out = {t: store.fetch_row(con, f"SELECT count(*) FROM {t}")[0] for t in TABLES}
        # retention writes its settings in a swap of its own after the load's: a kill between
        # the two leaves the file loaded with retention still to run (the next load runs it)
        out["meta"] = store.fetch_row(con, "SELECT count(*) FROM meta "
                                           "WHERE key NOT LIKE 'retention%'")[0]
        out["facts_sum"] = store.fetch_row(con, """
            SELECT coalesce(sum(n), 0), coalesce(sum(n_keyed), 0),
                   coalesce(bit_xor(hash(feed, cell, week, dow, band, category, detail, n,
                                         n_keyed, ingest_id)), 0) FROM facts""")
        out["subjects_sum"] = store.fetch_row(con, """
            SELECT coalesce(bit_xor(hash(feed, cell, week, dow, band, category, detail,
                                         subject, ingest_id)), 0) FROM subjects""")
        out["ingest_files"] = tuple(r[0] for r in con.execute(
            "SELECT file_sha256 FROM ingests ORDER BY ingest_id").fetchall())
        return out
    finally:
        con.close()


def copies(db: Path) -> list:
    return sorted(db.parent.glob(f"{db.name}.updating-*"))


def start_ingest(db: Path, path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "profiles.cli", "ingest", "on_street",
                             str(path), "--db", str(db)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(proc: subprocess.Popen, what, timeout: float = 60.0) -> bool:
    """Poll (every 2 ms) until ``what()`` is true; False if the ingest exited first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return True
        if proc.poll() is not None:
            return bool(what())
        time.sleep(0.002)
    raise AssertionError("timed out waiting for the ingest")


class Stages:
    """What can be seen of an ingest in progress from outside, in the order it happens."""

    def __init__(self, db: Path):
        self.db, self.inode, self.size = db, os.stat(db).st_ino, os.stat(db).st_size

    def copy_made(self) -> bool:
        """The private copy exists and is complete (as big as the original)."""
        return any(p.stat().st_size >= self.size for p in self._copies())

    def writing(self) -> bool:
        """DuckDB is writing the file's blocks into the copy (before the commit)."""
        return any(p.stat().st_size > self.size for p in self._copies())

    def committed(self) -> bool:
        """The load transaction committed: the copy has a write-ahead log."""
        return any(p.name.endswith(".wal") for p in self._copies(wal=True))

    def checkpointed(self) -> bool:
        """The copy's log was folded in (about to be swapped in)."""
        return not self.committed()

    def swapped(self) -> bool:
        """The database path now names the copy."""
        return os.stat(self.db).st_ino != self.inode

    def _copies(self, wal: bool = False) -> list:
        try:
            return [p for p in copies(self.db) if wal or not p.name.endswith(".wal")]
        except FileNotFoundError:  # the copy vanished while we looked (swapped in)
            return []


@pytest.fixture(scope="module")
def crash_setup(tmp_path_factory, demo_db):
    """The big file, a pristine base database, and the fingerprints before and after it."""
    root = tmp_path_factory.mktemp("crash")
    big = root / "on_street-big.csv"
    generate_town(seed=11, scale=50)["on_street"].to_csv(big, index=False)
    small = root / "on_street-small.csv"
    generate_town(seed=12, scale=0.2)["on_street"].to_csv(small, index=False)
    base = root / "base.duckdb"
    shutil.copy(demo_db, base)
    shutil.copy(f"{demo_db}.key", f"{base}.key")
    reference = fresh_copy(base, root / "reference")
    stages = Stages(reference)
    proc = start_ingest(reference, big)
    try:
        assert wait_for(proc, stages.copy_made)
        assert wait_for(proc, stages.writing)
        assert proc.wait(timeout=120) == 0, proc.stderr.read().decode(errors="replace")
    finally:
        proc.kill()
        proc.wait()
    before, after = fingerprint(base), fingerprint(reference)
    assert after["facts"] > before["facts"] and after["ingests"] == before["ingests"] + 1
    return {"root": root, "big": big, "small": small, "base": base, "before": before,
            "after": after}


def fresh_copy(base: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "lantern.duckdb"
    shutil.copy(base, db)
    shutil.copy(f"{base}.key", f"{db}.key")
    return db


#: (id, stages to wait for in order, then a pause in seconds, and whether the kill must land
#: before the swap). Checking 300,000 rows takes well over 0.15 s, so "checking-rows" lands
#: while the file is being read and validated. The last two may land either side of the swap
#: on a busy machine; the database must then be complete.
MOMENTS = [
    ("right-after-start", (), None, True),
    ("copy-made", ("copy_made",), 0.0, True),
    ("checking-rows", ("copy_made",), 0.15, True),
    ("writing-blocks", ("writing",), 0.0, True),
    ("committed-not-checkpointed", ("committed",), 0.0, True),
    ("checkpointed-not-swapped", ("committed", "checkpointed"), 0.0, False),
    ("just-after-swap", ("swapped",), 0.0, False),
]


def kill_at(s: dict, db: Path, stages, waits, pause) -> bool:
    """Start the big ingest, SIGKILL it at the moment given; return True if it was mid-file."""
    proc = start_ingest(db, s["big"])
    try:
        if not waits:
            time.sleep(0.05)
        for stage in waits:
            wait_for(proc, getattr(stages, stage))
        time.sleep(pause or 0.0)
        mid_file = proc.poll() is None and bool(stages._copies())
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    return mid_file


@pytest.mark.slow
@pytest.mark.parametrize("waits, pause, before_swap", [m[1:] for m in MOMENTS],
                         ids=[m[0] for m in MOMENTS])
def test_sigkill_during_ingest_leaves_database_before_or_after(crash_setup, tmp_path, waits,
                                                               pause, before_swap):
    s = crash_setup
    db = fresh_copy(s["base"], tmp_path)
    stages = Stages(db)
    mid_file = kill_at(s, db, stages, waits, pause)
    swapped = stages.swapped()
    state = fingerprint(db)
    assert state == (s["after"] if swapped else s["before"]), (
        "the database is neither as before the file nor fully loaded with it")
    if before_swap and waits:
        assert mid_file and not swapped, "the kill did not land mid-file"
    if waits == ("swapped",):
        assert swapped

    # The next ingest works, and removes the dead process's copy (and its WAL).
    assert main(["ingest", "on_street", str(s["small"]), "--db", str(db)]) == 0
    assert copies(db) == []
    later = fingerprint(db)
    assert later["ingests"] == state["ingests"] + 1
    assert later["facts_sum"][0] > state["facts_sum"][0]


@pytest.mark.slow
def test_file_killed_after_commit_loads_completely_next_time(crash_setup, tmp_path):
    s = crash_setup
    db = fresh_copy(s["base"], tmp_path)
    stages = Stages(db)
    assert kill_at(s, db, stages, ("committed",), 0.0), "the ingest finished before the kill"
    assert copies(db), "a killed ingest leaves its copy behind (cleared by the next one)"
    assert fingerprint(db) == s["before"]
    assert main(["ingest", "on_street", str(s["big"]), "--db", str(db)]) == 0
    assert copies(db) == []
    assert fingerprint(db) == s["after"]
