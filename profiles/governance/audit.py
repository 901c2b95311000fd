"""The audit log: who viewed which audience, who exported what, who ingested which file.

Append-only JSON lines beside the database (``<db>.audit.jsonl``, mode 0600). Each record carries the
SHA-256 of the one before it, so a deleted or edited line breaks the chain and
:func:`verify_chain` says where. Records hold *who did what*, never the data itself: audience,
feed, area, period, file type, file hash and row counts of a load — no cell, no count of a
cell, no value from a file.

A load is recorded just before its database copy is swapped in (write-ahead), so a crash
between the two leaves an ``ingest`` record whose ``file_sha256`` is not in the ``ingests``
table — a load that did not land, which ``lantern audit`` names — and never a landed load with
no record of who made it. (Its ``ingest_id`` may be given again to the next load.)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from data_contracts.private_files import private_parents

ACTIONS = ("view", "export", "ingest", "refused", "cleanup")
_GENESIS = "0" * 64


def audit_path(db_path) -> Path:
    """Return the audit log's path for a database."""
    return Path(f"{db_path}.audit.jsonl")


def record(db_path, *, user: str, action: str, audience: str | None = None, **details) -> dict:
    """Append one record and return it.

    Parameters
    ----------
    db_path : path of the database the action concerns
    user : str
        Who (from sign-on, the proxy header, or ``local:<os user>`` for the CLI).
    action : {"view", "export", "ingest", "refused", "cleanup"}
        ``"cleanup"``: a full copy of the store, left by a process that was killed, was
        found and removed (``file_name=``, ``left_by=``).
    audience : str, optional
    **details
        Small scalar facts: ``feed``, ``area``, ``period``, ``format``, ``file_sha256``,
        ``rows_read``... Lists, dicts and long text are refused.

    Raises
    ------
    ValueError
        For an unknown action or a detail that is not a short scalar.
    """
    if action not in ACTIONS:
        raise ValueError(f"action= must be one of {', '.join(ACTIONS)}, not {action!r}")
    for key, value in details.items():
        if not isinstance(value, (str, int, float, bool, type(None))) or \
                (isinstance(value, str) and len(value) > 200):
            raise ValueError(f"audit detail {key}= must be a short scalar, not "
                             f"{type(value).__name__}")
    path = audit_path(db_path)
    private_parents(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_EX)
        prev = _last_hash(path)
        entry = {"at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "user": str(user), "action": action, "audience": audience, **details,
                 "prev": prev}
        line = json.dumps(entry, sort_keys=True, ensure_ascii=True)
        os.write(fd, (line + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


def read_log(db_path) -> list[dict]:
    """Return every record, oldest first (an empty list when there is no log)."""
    path = audit_path(db_path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="ascii").splitlines()
            if line.strip()]


def verify_chain(db_path) -> tuple[bool, str]:
    """Return (True, "ok") if the chain is whole, else (False, where it breaks)."""
    path = audit_path(db_path)
    if not path.exists():
        return True, "no audit log yet"
    prev = _GENESIS
    for n, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        entry = json.loads(line)
        if entry.get("prev") != prev:
            return False, f"line {n}: the chain is broken (a line before it was changed or removed)"
        prev = hashlib.sha256(line.encode("ascii")).hexdigest()
    return True, "ok"


def _last_hash(path: Path) -> str:
    if not path.exists() or path.stat().st_size == 0:
        return _GENESIS
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = fh.read().splitlines()
    last = tail[-1] if tail else b""
    return hashlib.sha256(last).hexdigest() if last else _GENESIS


def local_user() -> str:
    """Return ``local:<login>`` for actions taken at the command line."""
    import getpass

    try:
        return f"local:{getpass.getuser()}"
    except Exception:
        return "local:unknown"
