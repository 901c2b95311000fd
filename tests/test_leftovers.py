"""No full copy of the store outlives the process that made it (issue 25, "File permissions and
leftovers").

An ingest works on a copy (``<db>.updating-<pid>``) and a server reads through a snapshot link
(``.<db>.snap-<inode>-<pid>``). Here real ``lantern ingest`` and ``lantern serve`` processes
are stopped with SIGTERM (they remove their copies) and killed with SIGKILL (they cannot), and
the next ingest or server start finds what a killed one left, removes it and says so in the
audit log. The server is given a session over Streamlit's own websocket, as a browser would
open one, so it opens its snapshot without a browser being started.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from profiles.governance import audit
from profiles.store import remove_leftovers, snapshot_path
from serving import free_port, start_serve, wait_healthy

LANTERN = Path(sys.executable).with_name("lantern")


@pytest.fixture
def db(demo_db, tmp_path) -> Path:
    """A writable copy of the demo in a folder of its own (the copies are looked for there)."""
    dest = tmp_path / "force" / "store.duckdb"
    dest.parent.mkdir()
    shutil.copy(demo_db, dest)
    shutil.copy(f"{demo_db}.key", f"{dest}.key")
    return dest


def copies(db: Path) -> list[str]:
    """The full copies of the store beside it (update copies and snapshot links)."""
    return sorted(p.name for p in db.parent.iterdir()
                  if ".updating-" in p.name or ".snap-" in p.name)


def cleanups(db: Path) -> list[dict]:
    return [e for e in audit.read_log(db) if e["action"] == "cleanup"]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"{what} within {timeout:.0f} s")


def big_extract(town_file: Path, folder: Path, rows: int = 200_000) -> Path:
    """An on-street extract long enough that an ingest is still loading when it is stopped."""
    town = pd.read_csv(town_file)
    big = town.sample(rows, replace=True, random_state=3).reset_index(drop=True)
    big["subject_key"] = [f"K{i % 4000}" for i in range(rows)]
    path = folder / "big-extract.csv"
    big.to_csv(path, index=False)
    return path


def start_ingest(db: Path, path: Path, home: Path) -> subprocess.Popen:
    return subprocess.Popen([str(LANTERN), "ingest", "on_street", str(path), "--db", str(db),
                             "--no-warm"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, HOME=str(home)), start_new_session=True)


def ingests(db: Path) -> int:
    from profiles import store

    con = store.connect(db, read_only=True)
    try:
        return store.fetch_row(con, "SELECT count(*) FROM ingests")[0]
    finally:
        con.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_an_ingest_stopped_part_way_leaves_no_copy_for_long(db, town_files, tmp_path, sig):
    before = ingests(db)
    proc = start_ingest(db, big_extract(town_files["on_street"], tmp_path), tmp_path)
    try:
        copy = db.with_name(f"{db.name}.updating-{proc.pid}")
        wait_for(copy.exists, 60, "the ingest did not start its copy of the store")
        assert os.stat(copy).st_mode & 0o077 == 0       # private while it exists
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    assert ingests(db) == before                       # the store itself is untouched
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM, proc.stderr.read()[-2000:]
        assert copies(db) == []                         # it removed its own copy
        return
    assert copies(db) == [copy.name]                   # SIGKILL: nothing could remove it
    # the next ingest finds it, removes it and writes it in the audit log
    small = tmp_path / "small.csv"
    small.write_text("lat,lon,datetime,activity_type,source_agency,subject_key\n"
                     "54.518692,1.024283,2026-09-25T14:37,observation,police,S049\n",
                     encoding="utf-8")
    done = subprocess.run([str(LANTERN), "ingest", "on_street", str(small), "--db", str(db),
                           "--no-warm"], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, HOME=str(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert copies(db) == []
    logged = cleanups(db)
    assert [(e["file_name"], e["copy"]) for e in logged] == [(copy.name, "update")]
    assert logged[0]["user"].startswith("local:")
    assert audit.verify_chain(db) == (True, "ok")


def open_session(port: int, timeout: float = 90.0) -> None:
    """Run the dashboard's first page once, over Streamlit's websocket, as a browser would."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                 open_timeout=10) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        ws.send(msg.SerializeToString())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            forward = ForwardMsg()
            forward.ParseFromString(ws.recv(timeout=timeout))
            if forward.WhichOneof("type") == "script_finished":
                return
    pytest.fail("the dashboard's first page did not finish")


def serve_with_a_session(db: Path, home: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = start_serve(db, port, home)
    wait_healthy(f"http://127.0.0.1:{port}", proc, timeout=60)
    open_session(port)
    snap = wait_for(lambda: [n for n in copies(db) if ".snap-" in n], 30,
                    "the server did not open its snapshot")
    assert snap == [f".{db.name}.snap-{os.stat(db).st_ino}-{proc.pid}"]
    return proc, snap[0]


def stop(proc: subprocess.Popen, sig) -> None:
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.mark.slow
def test_a_server_stopped_with_sigterm_removes_its_snapshot(db, tmp_path):
    proc, _ = serve_with_a_session(db, tmp_path)
    stop(proc, signal.SIGTERM)
    assert copies(db) == []
    assert cleanups(db) == []


@pytest.mark.slow
def test_a_snapshot_left_by_a_killed_server_is_removed_at_the_next_start(db, tmp_path):
    proc, snap = serve_with_a_session(db, tmp_path)
    stop(proc, signal.SIGKILL)
    assert copies(db) == [snap]                         # SIGKILL: nothing could remove it
    assert os.stat(db.parent / snap).st_mode & 0o077 == 0
    port = free_port()
    again = start_serve(db, port, tmp_path)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", again, timeout=60)
        assert copies(db) == []                         # removed before the server started
        logged = cleanups(db)
        assert [(e["file_name"], e["copy"], e["via"]) for e in logged] == \
            [(snap, "snapshot", "serve")]
    finally:
        stop(again, signal.SIGTERM)
    assert copies(db) == []


def test_only_copies_of_ended_processes_are_leftovers(db, tmp_path):
    ours = snapshot_path(db)                            # this process's, still in use
    ended = _ended_pid()
    theirs = db.with_name(f".{db.name}.snap-{os.stat(db).st_ino}-{ended}")
    os.link(db, theirs)
    older = db.with_name(f".{db.name}.snap-{os.stat(db).st_ino}")   # before 0.4: no pid
    os.link(db, older)
    update = db.with_name(f"{db.name}.updating-{ended}")
    update.write_bytes(b"a copy")
    removed = remove_leftovers(db)
    assert sorted(p.name for p in removed) == sorted([theirs.name, older.name, update.name])
    assert copies(db) == [ours.name]
    ours.unlink()


def _ended_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_lantern_audit_lists_cleanup_lines(tmp_path, capsys):
    from profiles.cli import main

    db = tmp_path / "x.duckdb"
    audit.record(db, user="local:test", action="view", audience="partnership")
    audit.record(db, user="local:test", action="cleanup", file_name="x.duckdb.updating-1",
                 copy="update")
    assert json.loads((tmp_path / "x.duckdb.audit.jsonl").read_text().splitlines()[1])[
        "action"] == "cleanup"
    assert main(["audit", "--db", str(db), "--action", "cleanup"]) == 0
    out = capsys.readouterr()
    assert "file_name=x.duckdb.updating-1" in out.out and "view" not in out.out
    assert "1 record; chain intact" in out.err
