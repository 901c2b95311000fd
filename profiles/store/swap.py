"""Update the store without disturbing readers: write a copy, then swap it in atomically.

The dashboard holds a read-only DuckDB connection, and DuckDB lets no process write a file that
another process has open. So a change is made on a private copy (``<db>.updating-<pid>``) and
``os.replace``-d over the original only when it is complete and checkpointed:

* readers keep reading the old file until they reconnect (the dashboard reconnects when the
  file's identity changes — :func:`file_version`);
* a crash or ``SIGKILL`` part-way leaves the original untouched (the copy is removed at the
  next ingest or server start, see below);
* writers are serialised by an advisory lock on ``<db>.lock``, so two updates never race.

Every copy is a full copy of the store, so none outlives the process that made it. Each is
0600, and named for that process (``<db>.updating-<pid>``, ``.<db>.snap-<inode>-<pid>``). A
process removes its own when it ends normally, on ``SIGTERM`` (the command line turns it into
an ordinary exit; the server removes them as it shuts down) and when it is done with them
(:func:`remove_own_copies`). A copy left by a process that was killed outright (``SIGKILL``, a
power cut) is found and removed at the next ingest or server start
(:func:`remove_leftovers`), which the caller records in the audit log.
"""
from __future__ import annotations

import atexit
import fcntl
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from data_contracts.private_files import make_private, open_private
from profiles.store import database as store

#: The store copies this process made and has not removed yet (removed at exit).
_OWN: set = set()
_OWN_LOCK = threading.Lock()
_REGISTERED: list = []     # the pid that registered the exit handler (a forked child did not)


def _own(path: Path) -> None:
    with _OWN_LOCK:
        if not _REGISTERED:
            atexit.register(remove_own_copies)
            _REGISTERED.append(os.getpid())
        _OWN.add(Path(path))


def _disown(*paths) -> None:
    with _OWN_LOCK:
        for path in paths:
            _OWN.discard(Path(path))


def file_version(db_path) -> tuple:
    """Return an identity for the database file's current content (inode, size, mtime)."""
    st = os.stat(db_path)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@contextmanager
def updating(db_path, *, migrating: bool = False):
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
    lock_path = Path(f"{db_path}.lock")
    with open_private(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # holding the lock, no other update is running: every copy here is a leftover
        for stale in _updating_copies(db_path):
            stale.unlink(missing_ok=True)
        tmp = db_path.with_name(f"{db_path.name}.updating-{os.getpid()}")
        wal = Path(f"{tmp}.wal")
        _own(tmp)
        _own(wal)
        try:
            if db_path.exists():
                checkpointed_copy(db_path, tmp)
            con = store.connect(tmp, migrating=migrating)
        except BaseException:
            _remove(tmp, wal)
            raise
        try:
            yield con
            con.execute("CHECKPOINT")
            con.close()
        except BaseException:
            con.close()
            _remove(tmp, wal)
            raise
        make_private(tmp)
        os.replace(tmp, db_path)
        _disown(tmp)
        _remove(wal)
        _fsync_dir(db_path.parent)


def checkpointed_copy(src: Path, dest: Path, copy=None) -> None:
    """Copy ``src`` to ``dest`` with ``copy(src, dest)`` (default: a private copy); fold any
    leftover WAL (from a crash) in first, so the copy is complete."""
    copy = copy or _private_copy
    wal = Path(f"{src}.wal")
    if wal.exists():
        try:
            con = store.connect(src, migrating=True)   # a checkpoint only
            con.execute("CHECKPOINT")
            con.close()
        except Exception:  # noqa: BLE001 - a reader holds it: copy the WAL along with it
            copy(wal, Path(f"{dest}.wal"))
    copy(src, dest)


def _private_copy(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest``, which is 0600 before the first byte is written."""
    with open(src, "rb") as fin, open_private(dest, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)


def _remove(*paths) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)
    _disown(*paths)


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
    A hard link named after the current inode and this process
    (``.<db>.snap-<inode>-<pid>``) gives the new file a path of its own; this process's links
    to older files are removed (open connections keep them alive), and so are all of them
    when the process ends (:func:`remove_own_copies`). Where no link can be made (a read-only
    folder), the database path itself is returned.
    """
    db_path = Path(db_path)
    ino = os.stat(db_path).st_ino
    pid = os.getpid()
    snap = db_path.with_name(f".{db_path.name}.snap-{ino}-{pid}")
    try:
        if not snap.exists():
            os.link(db_path, snap)
    except FileExistsError:
        pass
    except OSError:
        return db_path
    _own(snap)
    for old, _, owner in _snapshot_links(db_path):
        if owner == pid and old != snap:
            _remove(old)
    return snap


_SNAP = re.compile(r"\.snap-(\d+)-(\d+)$")
_UPDATING = re.compile(r"\.updating-(\d+)(\.wal)?$")


def _snapshot_links(db_path: Path) -> list:
    """(path, inode, pid) of every snapshot link of ``db_path``."""
    links = []
    for path in db_path.parent.glob(f".{db_path.name}.snap-*"):
        match = _SNAP.search(path.name)
        if match:
            links.append((path, int(match[1]), int(match[2])))
        else:     # the older form, .<db>.snap-<inode>, named for no process
            links.append((path, 0, 0))
    return links


def _updating_copies(db_path: Path) -> list:
    return [p for p in db_path.parent.glob(f"{db_path.name}.updating-*")
            if _UPDATING.search(p.name)]


def _is_running(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:      # another account's process
        return True
    return True


def remove_leftovers(db_path) -> list[Path]:
    """Remove the copies of the store left by processes that ended without removing them.

    An update copy (``<db>.updating-<pid>`` and its ``.wal``) is a leftover when no update
    holds the lock (one running would); a snapshot link, when the process it names is no
    longer running. Called at the start of an ingest and of ``lantern serve``; the caller
    writes one audit line per file removed.

    Returns
    -------
    list of Path
        The files removed (empty when there were none).

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); db = os.path.join(d, "x.duckdb")
    >>> store.connect(db).close()
    >>> _ = open(db + ".updating-999999999", "wb").write(b"a full copy")
    >>> [p.name for p in remove_leftovers(db)]
    ['x.duckdb.updating-999999999']
    >>> remove_leftovers(db)
    []
    """
    db_path = Path(db_path)
    if not db_path.parent.is_dir():
        return []
    removed = []
    copies = _updating_copies(db_path)
    if copies:
        with open_private(f"{db_path}.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:      # an update is running: its copy is not left over
                copies = []
            for path in copies:
                if int(_UPDATING.search(path.name)[1]) != os.getpid() and path.exists():
                    path.unlink(missing_ok=True)
                    removed.append(path)
    for path, _, pid in _snapshot_links(db_path):
        if not _is_running(pid):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def leftover_kind(path) -> str:
    """``"snapshot"`` or ``"update"``: which kind of store copy ``path`` is (for the audit log).

    >>> leftover_kind(".force.duckdb.snap-42-7"), leftover_kind("force.duckdb.updating-7.wal")
    ('snapshot', 'update')
    """
    return "snapshot" if ".snap-" in Path(path).name else "update"


def remove_own_copies() -> list[Path]:
    """Remove every copy of the store this process made and still has (snapshot links, an
    unfinished update copy); return them. Run at exit, and by the server as it shuts down.

    An open connection keeps reading a removed link's file until it is closed.
    """
    with _OWN_LOCK:
        if _REGISTERED and _REGISTERED[0] != os.getpid():
            return []         # a forked child: its parent's copies are not its own
        own = sorted(_OWN)
        _OWN.clear()
    removed = []
    for path in own:
        try:
            path.unlink()
        except OSError:       # gone already, or its folder is no longer writable
            continue
        removed.append(path)
    return removed


def connect_snapshot(db_path):
    """Open the database's current file read-only (see :func:`snapshot_path`)."""
    return store.connect(snapshot_path(db_path), read_only=True)
