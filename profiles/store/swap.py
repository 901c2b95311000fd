"""Update the store without disturbing readers: write a copy, then swap it in atomically.

The dashboard holds a read-only DuckDB connection, and DuckDB lets no process write a file that
another process has open. So a change is made on a private copy (``<db>.updating-<pid>``) and
``os.replace``-d over the original only when it is complete and checkpointed:

* readers keep reading the old file until they reconnect (the dashboard reconnects when the
  file's identity changes — :func:`file_version`);
* a crash or ``SIGKILL`` part-way leaves the original untouched (the copy is discarded on the
  next update);
* writers are serialised by an advisory lock on ``<db>.lock``, so two updates never race.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from profiles.store import database as store
def file_version(db_path) -> tuple:
    """Return an identity for the database file's current content (inode, size, mtime)."""
    st = os.stat(db_path)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@contextmanager
def updating(db_path):
    """Yield a writable connection to a copy of ``db_path``; swap it in on success.

    If the block raises (or the process dies), the original database is unchanged.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); db = os.path.join(d, "x.duckdb")
    >>> with updating(db) as con:
    ...     store.set_meta(con, "example", "1")
    >>> store.get_meta(store.connect(db, read_only=True), "example")
    '1'
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = Path(f"{db_path}.lock")
    with open(lock_path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in db_path.parent.glob(f"{db_path.name}.updating-*"):
            stale.unlink(missing_ok=True)
        tmp = db_path.with_name(f"{db_path.name}.updating-{os.getpid()}")
        if db_path.exists():
            _checkpointed_copy(db_path, tmp)
        con = store.connect(tmp)
        try:
            yield con
            con.execute("CHECKPOINT")
            con.close()
        except BaseException:
            con.close()
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
            raise
        os.replace(tmp, db_path)
        _fsync_dir(db_path.parent)


def _checkpointed_copy(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest``; fold any leftover WAL in first so the copy is complete."""
    wal = Path(f"{src}.wal")
    if wal.exists():
        try:
            con = store.connect(src)
            con.execute("CHECKPOINT")
            con.close()
        except Exception:  # a reader holds it: copy the WAL along with the file
            shutil.copyfile(wal, f"{dest}.wal")
    shutil.copyfile(src, dest)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def snapshot_path(db_path) -> Path:
    """Return a path of its own for the database's *current* file (for read-only opening).

    DuckDB keeps one instance per path inside a process, so after a swap a plain
    ``connect(db_path)`` would hand back the old file while any connection to it is open.
    A hard link named after the current inode (``.<db>.snap-<inode>``) gives the new file a
    path of its own; links to older files are removed (open connections keep them alive).
    Where no link can be made (a read-only folder), the database path itself is returned.
    """
    db_path = Path(db_path)
    ino = os.stat(db_path).st_ino
    snap = db_path.with_name(f".{db_path.name}.snap-{ino}")
    try:
        if not snap.exists():
            os.link(db_path, snap)
    except FileExistsError:
        pass
    except OSError:
        return db_path
    for old in db_path.parent.glob(f".{db_path.name}.snap-*"):
        if old != snap:
            old.unlink(missing_ok=True)
    return snap


def connect_snapshot(db_path):
    """Open the database's current file read-only (see :func:`snapshot_path`)."""
    return store.connect(snapshot_path(db_path), read_only=True)
