"""``lantern backup`` / ``lantern restore``: every audience's released figures identical after
the round trip; a backup during an update holds all of it or none; the key kept apart."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from profiles.cli import main
from profiles.release import AUDIENCES, EVENT_FEEDS, open_read_only, release_counts
from profiles.store import database as store

ROOT = Path(__file__).resolve().parents[1]


def released(db: Path) -> dict:
    """Every audience's released counts of every event feed (or the refusal's type)."""
    con = open_read_only(db)
    out = {}
    try:
        for audience in AUDIENCES:
            for feed in EVENT_FEEDS:
                for period in ("week", "all"):
                    try:
                        frame = release_counts(con, audience, feed, period=period).frame
                        out[(audience, feed, period)] = frame.reset_index(drop=True)
                    except Exception as exc:  # noqa: BLE001 - a feed the audience may not see
                        out[(audience, feed, period)] = type(exc).__name__
    finally:
        con.close()
    return out


def test_round_trip_gives_every_audience_identical_figures(demo_copy, tmp_path, capsys):
    from profiles.governance import audit

    audit.record(demo_copy, user="local:test", action="view", audience="partnership")
    dest, key = tmp_path / "backup", tmp_path / "keys" / "lantern.key"
    key.parent.mkdir()
    assert main(["backup", str(dest), "--db", str(demo_copy), "--key-out", str(key)]) == 0
    err = capsys.readouterr().err
    assert "Keep the key apart from the backup" in err
    # the key is not in the backup, and is readable by its owner only
    manifest = json.loads((dest / "manifest.json").read_text())
    assert sorted(manifest["files"]) == ["audit.jsonl", "lantern.duckdb"]
    assert not [p for p in dest.iterdir() if "key" in p.name]
    assert key.read_text().strip() == Path(f"{demo_copy}.key").read_text().strip()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(dest.stat().st_mode) == 0o700

    restored = tmp_path / "restored" / "lantern.duckdb"
    assert main(["restore", str(dest), "--db", str(restored), "--key", str(key)]) == 0
    assert stat.S_IMODE(Path(f"{restored}.key").stat().st_mode) == 0o600
    before, after = released(demo_copy), released(restored)
    assert before.keys() == after.keys()
    compared = 0
    for k, value in before.items():
        if isinstance(value, str):
            assert after[k] == value, k
        else:
            assert value.equals(after[k]), k
            compared += len(value)
    assert compared > 1000, "the round trip compared almost nothing"
    assert Path(f"{restored}.audit.jsonl").read_text() == \
        Path(f"{demo_copy}.audit.jsonl").read_text()


def test_without_key_out_the_backup_says_how_to_keep_the_key(demo_copy, tmp_path, capsys):
    assert main(["backup", str(tmp_path / "b"), "--db", str(demo_copy)]) == 0
    assert "the hashing key was not copied" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["inside", "exists"])
def test_the_key_is_never_written_into_the_backup(demo_copy, tmp_path, capsys, where):
    dest = tmp_path / "b"
    key = dest / "k.key" if where == "inside" else tmp_path / "k.key"
    if where == "exists":
        key.write_text("00")
    assert main(["backup", str(dest), "--db", str(demo_copy), "--key-out", str(key)]) == 1
    err = capsys.readouterr().err
    assert ("must not be written into the backup" if where == "inside" else
            "already exists") in err
    assert not dest.exists()                                          # nothing left behind


# ---- while an update runs: wait for it, or fail plainly ---------------------------------------

_UPDATE = textwrap.dedent("""
    import sys, time
    from profiles.store import database as store
    from profiles.store.swap import updating
    with updating(sys.argv[1]) as con:          # what every ingest does
        print("locked", flush=True)
        store.set_meta(con, "backup_test_marker", "loaded")
        time.sleep(float(sys.argv[2]))
    print("swapped", flush=True)
""")


def _start_update(db: Path, hold: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _UPDATE, str(db), str(hold)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def _marker(db: Path) -> str | None:
    con = store.connect(db, read_only=True)
    try:
        return store.get_meta(con, "backup_test_marker")
    finally:
        con.close()


def test_a_backup_during_an_update_fails_plainly_if_it_cannot_wait(demo_copy, tmp_path,
                                                                    capsys):
    proc = _start_update(demo_copy, 10)
    try:
        t0 = time.monotonic()
        code = main(["backup", str(tmp_path / "b"), "--db", str(demo_copy), "--wait", "1"])
        assert code == 1 and time.monotonic() - t0 < 8
        err = capsys.readouterr().err
        assert "is being updated (an ingest holds" in err and "Nothing was copied" in err
        assert not (tmp_path / "b").exists()
    finally:
        proc.kill()
        proc.wait()


def test_a_backup_during_an_update_holds_all_of_it_or_none(demo_copy, tmp_path):
    assert main(["backup", str(tmp_path / "before"), "--db", str(demo_copy)]) == 0
    proc = _start_update(demo_copy, 2)
    try:
        assert main(["backup", str(tmp_path / "during"), "--db", str(demo_copy),
                     "--wait", "60"]) == 0
        assert proc.stdout.readline().strip() == "swapped"   # it waited for the swap
    finally:
        proc.wait(timeout=30)
    assert _marker(tmp_path / "before" / "lantern.duckdb") is None             # none
    assert _marker(tmp_path / "during" / "lantern.duckdb") == "loaded"          # all


# ---- restore refuses what it should -----------------------------------------------------------

def test_restore_refuses_a_damaged_backup_and_an_existing_store(demo_copy, tmp_path, capsys):
    dest = tmp_path / "b"
    assert main(["backup", str(dest), "--db", str(demo_copy)]) == 0
    target = tmp_path / "t" / "lantern.duckdb"
    target.parent.mkdir()
    target.write_bytes(b"an existing store")
    assert main(["restore", str(dest), "--db", str(target)]) == 1
    assert "already exists; restoring would replace it" in capsys.readouterr().err
    assert target.read_bytes() == b"an existing store"
    assert main(["restore", str(dest), "--db", str(target), "--replace"]) == 0
    assert _marker(target) is None and target.stat().st_size > 1000
    with (dest / "lantern.duckdb").open("r+b") as fh:                # one byte changed
        fh.seek(5000)
        byte = fh.read(1)
        fh.seek(5000)
        fh.write(bytes([byte[0] ^ 1]))
    fresh = tmp_path / "fresh.duckdb"
    assert main(["restore", str(dest), "--db", str(fresh)]) == 1
    assert "the backup is damaged" in capsys.readouterr().err
    assert not fresh.exists() and not list(tmp_path.glob("fresh.duckdb.*"))
