"""Back up and restore the store: a consistent copy while the server runs, never half an ingest.

Every change to the store is a copy swapped in under the advisory lock ``<db>.lock``
(:func:`profiles.store.swap.updating`). A backup takes the same lock, so it copies the file
between two ingests: it holds all of an ingest or none of it. The server only reads, so it
keeps serving while the copy is made. When an ingest holds the lock longer than ``wait``
seconds, the backup stops with a plain message and writes nothing.

A backup is a folder: the database (``lantern.duckdb``), the audit log (``audit.jsonl``)
and ``manifest.json`` (the SHA-256 of each file, the Lantern version, when it was made). The
hashing **key is never put in it**: whoever holds both the store and its key can hash a known
reference (a premises reference, a subject key) and find its record, so the key is written
separately (``key_out``), to be kept apart. The release cache and quarantine reports are not
backed up: the first is rebuilt from the store, the second from the partner's files.

A restore checks every file against the manifest, opens the database to be sure it is one,
and swaps it in under the same lock (readers keep their old file until they reconnect).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

DB_FILE = "lantern.duckdb"
AUDIT_FILE = "audit.jsonl"
MANIFEST = "manifest.json"
#: What is said whenever the key is written out.
KEY_WARNING = ("Keep the key apart from the backup (another place, other people): whoever "
               "holds both the store and its key can hash a reference they know and find its "
               "records, so together they undo the pseudonyms.")


class BackupError(Exception):
    """A backup or restore could not be made; nothing was written or changed."""


@contextmanager
def store_lock(db_path, wait: float):
    """Hold the store's update lock (``<db>.lock``), waiting at most ``wait`` seconds.

    Raises
    ------
    BackupError
        When an ingest still holds the lock after ``wait`` seconds.
    """
    db_path = Path(db_path)
    lock_path = Path(f"{db_path}.lock")
    with open(lock_path, "a+") as lock:
        deadline = time.monotonic() + max(wait, 0)
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BackupError(
                        f"the store {db_path} is being updated (an ingest holds {lock_path}) "
                        f"and was still busy after {wait:g} s. Nothing was copied. Try again "
                        f"when the ingest has finished, or wait longer with --wait.") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while piece := fh.read(1 << 20):
            h.update(piece)
    return h.hexdigest()


def _private_copy(src: Path, dest: Path, *, whole_lines: bool = False) -> None:
    """Copy ``src`` to a new file ``dest`` readable by its owner only, synced to disk. With
    ``whole_lines``, a last line still being written is left out (the audit log is appended
    to without the lock)."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, src.open("rb") as fh:
        if whole_lines:
            data = fh.read()
            out.write(data[:data.rfind(b"\n") + 1])
        else:
            shutil.copyfileobj(fh, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())


def key_hex(db_path) -> str | None:
    """The store's hashing key as hex (``$LANTERN_KEY``, else ``<db>.key``), or None."""
    env = os.environ.get("LANTERN_KEY")
    if env:
        return env.strip()
    path = Path(f"{db_path}.key")
    return path.read_text().strip() if path.exists() else None


def backup_store(db_path, dest, *, wait: float = 60.0, key_out=None) -> dict:
    """Copy the store at ``db_path`` into the new folder ``dest``; return the manifest.

    Parameters
    ----------
    db_path : path of the database
    dest : path of a folder that does not exist yet (or is empty); made with mode 0700
    wait : float
        Seconds to wait for an ingest in progress to finish.
    key_out : path, optional
        Where to write the hashing key (mode 0600), outside ``dest``.

    Raises
    ------
    BackupError
        No database; ``dest`` not empty; ``key_out`` inside ``dest`` or existing; no key to
        write; the store still busy after ``wait`` seconds. Nothing is left behind.
    """
    from profiles import __version__

    db_path, dest = Path(db_path), Path(dest)
    if not db_path.is_file():
        raise BackupError(f"there is no database at {db_path}; name it with --db.")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists and is not an empty folder; name a new "
                          f"folder for the backup.")
    key = None
    if key_out is not None:
        key_out = Path(key_out)
        if key_out.resolve().is_relative_to(dest.resolve()):
            raise BackupError(f"the key must not be written into the backup ({key_out}). "
                              + KEY_WARNING)
        if key_out.exists():
            raise BackupError(f"{key_out} already exists; name a new file for the key.")
        key = key_hex(db_path)
        if key is None:
            raise BackupError(f"the store {db_path} has no key yet (no {db_path}.key and no "
                              f"$LANTERN_KEY): nothing has been loaded with one.")
    from profiles.store.swap import checkpointed_copy

    made = not dest.exists()
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        with store_lock(db_path, wait):   # the store between ingests, a crash's WAL folded in
            checkpointed_copy(db_path, dest / DB_FILE, copy=_private_copy)
            audit = Path(f"{db_path}.audit.jsonl")
            if audit.exists():
                _private_copy(audit, dest / AUDIT_FILE, whole_lines=True)
        files = {p.name: _sha256(p) for p in sorted(dest.iterdir())}
        manifest = {"lantern_version": __version__, "source": str(db_path.resolve()),
                    "made_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "files": files, "key_included": False}
        (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        os.chmod(dest / MANIFEST, 0o600)
        if key is not None:
            fd = os.open(key_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(key + "\n")
    except BaseException:
        for p in dest.iterdir():
            p.unlink()
        if made:
            dest.rmdir()
        raise
    return manifest


def check_backup(src) -> dict:
    """Return the manifest of the backup folder ``src`` once every file matches it.

    Raises
    ------
    BackupError
        No manifest, a file missing or changed, or a database that does not open.
    """
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(f"{src} is not a Lantern backup (no readable {MANIFEST}); name the "
                          f"folder `lantern backup` made.") from None
    if DB_FILE not in files:
        raise BackupError(f"{src} holds no database ({DB_FILE}); it is not a whole backup.")
    for name, digest in files.items():
        path = src / Path(name).name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{path} is missing or differs from the backup's manifest: the "
                              f"backup is damaged. Nothing was restored; use another backup.")
    return manifest


def restore_store(src, db_path, *, key_file=None, replace: bool = False,
                  wait: float = 60.0) -> dict:
    """Bring the store at ``db_path`` back from the backup folder ``src``; return its manifest.

    The backup is checked first (:func:`check_backup`) and the database opened; it then
    replaces ``db_path`` in one step, under the store's lock. The audit log is restored only
    where the store has none (an existing log is the record of what happened since, and is
    kept). ``key_file`` (from ``lantern backup --key-out``) becomes ``<db>.key`` (mode 0600).

    Raises
    ------
    BackupError
        A damaged backup; ``db_path`` exists and ``replace`` is False; a key that differs
        from the one beside ``db_path`` (unless ``replace``); the store busy after ``wait``.
    """
    from profiles.store import database as store

    src, db_path = Path(src), Path(db_path)
    manifest = check_backup(src)
    if db_path.exists() and not replace:
        raise BackupError(f"{db_path} already exists; restoring would replace it. Give "
                          f"--replace to do that (a backup of it first is wise).")
    key = None
    if key_file is not None:
        try:
            key = Path(key_file).read_text().strip()
            bytes.fromhex(key)
        except (OSError, ValueError):
            raise BackupError(f"{key_file} is not a Lantern key file (hexadecimal, as "
                              f"`lantern backup --key-out` writes it).") from None
        current = Path(f"{db_path}.key")
        if current.exists() and current.read_text().strip() != key and not replace:
            raise BackupError(f"{current} holds a different key; give --replace to replace "
                              f"it with {key_file}.")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    staged = db_path.with_name(f"{db_path.name}.restoring-{os.getpid()}")
    try:
        _private_copy(src / DB_FILE, staged)
        try:
            # opens, whatever its layout (a backup made before `lantern migrate` is restored
            # as it was, then migrated)
            store.connect(staged, read_only=True, migrating=True).close()
        except Exception as exc:  # noqa: BLE001 - DuckDB's own error types
            raise BackupError(f"the database in {src} does not open ({type(exc).__name__}); "
                              f"nothing was restored.") from None
        with store_lock(db_path, wait):
            os.replace(staged, db_path)
            if key is not None:
                tmp = Path(f"{db_path}.key.restoring")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(key + "\n")
                os.replace(tmp, f"{db_path}.key")
            audit = Path(f"{db_path}.audit.jsonl")
            if (src / AUDIT_FILE).exists() and not audit.exists():
                _private_copy(src / AUDIT_FILE, audit)
            fd = os.open(db_path.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        staged.unlink(missing_ok=True)
    return manifest
