"""The audit log (DPA 2018 s.62): who collected, altered, consulted, disclosed, combined or
erased what, and when.

Append-only JSON lines beside the database (``<db>.audit.jsonl``). Each record carries the
date and time (UTC, to the second), the identity of the user and the SHA-256 of the line
before it, so a deleted or edited line breaks the chain and :func:`verify_chain` says where.
Records hold *who did what*, never the data itself: audience, marking, feed, area, period,
file type, file hash and row counts of a load — no cell, no count of a cell, no subject key,
no value from a file (:func:`record` refuses detail names that would carry them).

Each action belongs to one of the kinds of processing that s.62 asks to be logged
(:data:`CATEGORIES`):

==============  ==============================================================
category        actions
==============  ==============================================================
collection      ``ingest`` (CLI and dashboard upload), ``refused``
alteration      ``alter`` (a recipe re-loaded with new content), ``retain``,
                ``key-rotate``
consultation    ``view`` (a dashboard page or a command's printed output)
disclosure      ``export`` (a file or pack, with its audience and marking)
combination     ``combine`` (Evaluate, and patrol plans across feeds)
erasure         ``erase``, ``cleanup`` (a full copy of the store that a killed process
                left behind, found and removed at the next ingest or server start)
log upkeep      ``checkpoint``, ``prune``
==============  ==============================================================

A load is recorded just before its database copy is swapped in (write-ahead), so a crash
between the two leaves an ``ingest`` record whose ``file_sha256`` is not in the ``ingests``
table — a load that did not land, which ``lantern audit`` names — and never a landed load with
no record of who made it. (Its ``ingest_id`` may be given again to the next load.)

Each write also signs the hash of the last line into ``<db>.audit.head`` with the log's own
key (``<db>.audit.key``, mode 0600), so lines cut from the end are found as well. The
signatures stop whoever can change the log but cannot read the key, not the account that runs
Lantern.

Old entries are kept for ``keep_months`` (:func:`load_settings`, ``audit.toml``) and then
removed by :func:`prune`, which puts a *checkpoint* at the head of the log: it carries the
hash of the last removed line, so the chain that follows still verifies, and an HMAC made with
the same key, so a forged checkpoint is detected.

Examples
--------
>>> import tempfile, pathlib
>>> db = pathlib.Path(tempfile.mkdtemp()) / "x.duckdb"
>>> _ = record(db, user="pc1", action="view", audience="partnership", page="Overview")
>>> verify_chain(db)
(True, 'ok')
>>> try:
...     record(db, user="pc1", action="view", subject_key="AB12")
... except ValueError as exc:
...     print(str(exc)[:47])
audit detail subject_key= is refused: the audit
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from data_contracts.private_files import private_parents
from profiles.governance.settings_file import read_settings

#: Each action and the kind of processing (DPA 2018 s.62) it is.
CATEGORIES = {"ingest": "collection", "refused": "collection",
              "alter": "alteration", "retain": "alteration", "key-rotate": "alteration",
              "view": "consultation", "export": "disclosure", "combine": "combination",
              "erase": "erasure", "cleanup": "erasure",
              "checkpoint": "log upkeep", "prune": "log upkeep"}
ACTIONS = tuple(CATEGORIES)
#: Detail names refused: they would put a person, a cell or a small count in the log.
REFUSED_DETAILS = frozenset({"subject", "subject_key", "subject_hash", "key", "h3_id", "cell",
                             "cells", "hexagon", "hexagons", "count", "counts", "n", "value",
                             "values", "name", "email", "phone", "lat", "lon", "latitude",
                             "longitude", "easting", "northing", "address", "postcode"})
_GENESIS = "0" * 64
#: The shipped setting; ``$LANTERN_AUDIT_CONFIG`` may point at a replacement.
SETTINGS_PATH = Path(__file__).with_name("audit.toml")
#: Kept six years unless configured: see ``audit.toml`` for where that number comes from.
DEFAULT_KEEP_MONTHS = 72


class AuditError(ValueError):
    """The audit settings are invalid, or the log cannot be pruned safely."""


@dataclass(frozen=True)
class AuditSettings:
    """How long audit entries are kept (``keep_months``) and where that was set."""

    keep_months: int
    source: str


def load_settings(path=None) -> AuditSettings:
    """Return the audit log settings (``[audit] keep_months``).

    Raises
    ------
    AuditError
        For an unreadable file or a ``keep_months`` that is not a whole number of at least 1.
    """
    path = Path(path or os.environ.get("LANTERN_AUDIT_CONFIG") or SETTINGS_PATH)
    raw = read_settings(path, what="audit settings", env="LANTERN_AUDIT_CONFIG",
                        error=AuditError)
    months = raw.get("audit", {}).get("keep_months", DEFAULT_KEEP_MONTHS)
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise AuditError(f"{path}: [audit] keep_months must be a whole number of months, at "
                         f"least 1, not {months!r}")
    return AuditSettings(months, str(path))


def audit_path(db_path) -> Path:
    """Return the audit log's path for a database."""
    return Path(f"{db_path}.audit.jsonl")


def audit_key_path(db_path) -> Path:
    """Return the path of the key that signs the log's checkpoints (``<db>.audit.key``)."""
    return Path(f"{db_path}.audit.key")


def category_of(action: str) -> str:
    """Return the kind of processing (s.62) an action is, e.g. ``"disclosure"``.

    >>> category_of("export"), category_of("combine")
    ('disclosure', 'combination')
    """
    return CATEGORIES.get(action, "other")


def record(db_path, *, user: str, action: str, audience: str | None = None, **details) -> dict:
    """Append one record and return it.

    Parameters
    ----------
    db_path : path of the database the action concerns
    user : str
        Who (from sign-on, the proxy header, or ``local:<os user>`` for the CLI).
    action : str
        One of :data:`ACTIONS`.
    audience : str, optional
    **details
        Small scalar facts: ``feed``, ``area``, ``period``, ``format``, ``marking``,
        ``file_sha256``, ``rows_read``... Lists, dicts and long text are refused, and so are
        the names in :data:`REFUSED_DETAILS`.

    Raises
    ------
    ValueError
        For an unknown action, a refused detail name, or a detail that is not a short scalar.
    """
    if action not in ACTIONS:
        raise ValueError(f"action= must be one of {', '.join(ACTIONS)}, not {action!r}")
    _check_details(details)
    path = audit_path(db_path)
    private_parents(path)
    entry = {"at": _now(), "user": str(user), "action": action, "audience": audience,
             **details}
    return _append(db_path, path, entry)


def _check_details(details: dict) -> None:
    for key, value in details.items():
        if not isinstance(value, (str, int, float, bool, type(None))) or \
                (isinstance(value, str) and len(value) > 200):
            raise ValueError(f"audit detail {key}= must be a short scalar, not "
                             f"{type(value).__name__}")
        if key.lower() in REFUSED_DETAILS:
            raise ValueError(f"audit detail {key}= is refused: the audit log records who did "
                             f"what, never a subject, a cell or a count of one")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _append(db_path, path: Path, entry: dict) -> dict:
    import fcntl

    while True:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # a prune replaces the file: if it did while we waited, append to the new one
            if os.fstat(fd).st_ino != os.stat(path).st_ino:
                continue
            entry = {**entry, "prev": _last_hash(path)}
            line = json.dumps(entry, sort_keys=True, ensure_ascii=True)
            os.write(fd, (line + "\n").encode("ascii"))
            os.fsync(fd)
            _write_head(db_path, hashlib.sha256(line.encode("ascii")).hexdigest())
            return entry
        except FileNotFoundError:
            continue
        finally:
            os.close(fd)


def read_log(db_path) -> list[dict]:
    """Return every record, oldest first (an empty list when there is no log).

    A line that is not JSON (an edited log) is skipped here; :func:`verify_chain` names it.
    """
    path = audit_path(db_path)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def filter_log(records, *, user=None, action=None, since=None, until=None) -> list[dict]:
    """Return the records by ``user``, of ``action`` (an action or a s.62 category), from
    ``since`` to ``until`` (dates, inclusive, UTC).

    >>> log = [{"at": "2026-01-02T10:00:00Z", "user": "a", "action": "view"},
    ...        {"at": "2026-02-02T10:00:00Z", "user": "b", "action": "export"}]
    >>> [r["user"] for r in filter_log(log, since=dt.date(2026, 2, 1))]
    ['b']
    >>> [r["user"] for r in filter_log(log, action="disclosure")]
    ['b']
    """
    lo = since.isoformat() if since else None
    hi = (until + dt.timedelta(days=1)).isoformat() if until else None
    return [r for r in records
            if (user is None or r.get("user") == user)
            and (action is None or action in (r.get("action"), category_of(r.get("action"))))
            and (lo is None or str(r.get("at", "")) >= lo)
            and (hi is None or str(r.get("at", "")) < hi)]


def verify_chain(db_path) -> tuple[bool, str]:
    """Return (True, "ok") if the chain is whole, else (False, where it breaks).

    A checkpoint left by :func:`prune` may open the log: its signature is checked with the
    log's key, and the chain then continues from the hash it carries.
    """
    path = audit_path(db_path)
    if not path.exists():
        return True, "no audit log yet"
    prev = _GENESIS
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for n, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("ascii")
            entry = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return False, f"line {n}: not a record (the line was edited)"
        if entry.get("prev") != prev:
            return False, (f"line {n}: the chain is broken (line {n - 1} was changed, or a "
                           f"line before line {n} was removed)" if n > 1 else
                           "line 1: the chain is broken (the first lines were removed "
                           "without a checkpoint)")
        if entry.get("action") == "checkpoint":
            if n != 1:
                return False, f"line {n}: a checkpoint can only open the log"
            if not _signature_ok(db_path, entry):
                return False, "line 1: the checkpoint's signature does not match the log's key"
            prev = entry["head"]
            continue
        prev = hashlib.sha256(raw).hexdigest()
    return _check_head(db_path, prev, len(lines))


def head_path(db_path) -> Path:
    """Return the path of the log's signed head (``<db>.audit.head``): the hash of its last
    line, so that lines cut from the end are found too."""
    return Path(f"{db_path}.audit.head")


def _write_head(db_path, head: str) -> None:
    body = {"head": head}
    body["signature"] = _sign(db_path, body, create=True)
    path = head_path(db_path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps(body, sort_keys=True))
    os.replace(tmp, path)


def _check_head(db_path, last: str, n: int) -> tuple[bool, str]:
    path = head_path(db_path)
    if not path.exists():
        if audit_key_path(db_path).exists():
            return False, (f"line {n}: the log's signed head ({path.name}) is missing, so "
                           f"lines cut from the end cannot be ruled out")
        return True, "ok"           # a log from before the head was kept
    try:
        body = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        body = {}
    if not _signature_ok(db_path, body):
        return False, f"the log's signed head ({path.name}) does not match the log's key"
    if body.get("head") != last:
        return False, (f"line {n}: the log ends before its last recorded entry (lines were "
                       f"removed from the end, or the last line was changed)")
    return True, "ok"


def prune(db_path, *, user: str, before: dt.date | None = None,
          settings: AuditSettings | None = None, today: dt.date | None = None) -> int:
    """Remove the entries older than ``before`` (default: ``keep_months`` before ``today``)
    and return how many were removed.

    The removed lines are replaced by one signed checkpoint at the head of the log, carrying
    the hash of the last removed line, so the chain still verifies; and a ``prune`` record is
    appended saying who removed how many, up to when.

    Raises
    ------
    AuditError
        If the chain is already broken (pruning must not hide that).
    """
    path = audit_path(db_path)
    if not path.exists():
        return 0
    if before is None:
        settings = settings or load_settings()
        before = _months_before(today or dt.datetime.now(dt.timezone.utc).date(),
                                settings.keep_months)
    import fcntl

    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        ok, where = verify_chain(db_path)
        if not ok:
            raise AuditError(f"the audit log {path} is broken ({where}); it was not pruned")
        lines = [ln for ln in path.read_bytes().split(b"\n") if ln]
        entries = [json.loads(ln) for ln in lines]
        cut = before.isoformat()
        old = [i for i, e in enumerate(entries) if e.get("action") == "checkpoint"
               or str(e.get("at", "")) < cut]
        # only a leading run can go: the chain is a line
        drop = 0
        while drop < len(entries) and drop in old:
            drop += 1
        removed = sum(1 for e in entries[:drop] if e.get("action") != "checkpoint")
        removed += sum(int(e.get("removed", 0)) for e in entries[:drop]
                       if e.get("action") == "checkpoint")
        if drop == 0 or (drop == 1 and entries[0].get("action") == "checkpoint"):
            return 0
        head = (entries[drop - 1]["head"] if entries[drop - 1].get("action") == "checkpoint"
                else hashlib.sha256(lines[drop - 1]).hexdigest())
        kept_from = next((e["at"] for e in entries[:drop] if e.get("action") != "checkpoint"),
                         None)
        first = entries[0].get("removed_from") if entries[0].get("action") == "checkpoint" \
            else kept_from
        checkpoint = {"at": _now(), "user": str(user), "action": "checkpoint",
                      "audience": None, "removed": removed, "removed_from": first,
                      "removed_before": cut, "head": head, "prev": _GENESIS}
        checkpoint["signature"] = _sign(db_path, checkpoint, create=True)
        text = json.dumps(checkpoint, sort_keys=True, ensure_ascii=True).encode("ascii")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(tfd, "wb") as fh:
            fh.write(b"\n".join([text, *lines[drop:]]) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        if drop == len(lines):        # only the checkpoint is left: the chain goes on from it
            _write_head(db_path, head)
    finally:
        os.close(fd)
    record(db_path, user=user, action="prune", removed=removed, removed_before=cut)
    return removed


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, 28))


def _payload(entry: dict) -> bytes:
    body = {k: v for k, v in entry.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=True).encode("ascii")


def _sign(db_path, entry: dict, *, create: bool = False) -> str | None:
    key = _audit_key(db_path, create=create)
    return hmac.new(key, _payload(entry), hashlib.sha256).hexdigest() if key else None


def _signature_ok(db_path, entry: dict) -> bool:
    expected = _sign(db_path, entry)
    return bool(expected) and hmac.compare_digest(expected, str(entry.get("signature")))


def _audit_key(db_path, *, create: bool) -> bytes | None:
    path = audit_key_path(db_path)
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    if not create:
        return None
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    return key


def _last_hash(path: Path) -> str:
    if not path.exists() or path.stat().st_size == 0:
        return _GENESIS
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = fh.read().splitlines()
    last = tail[-1] if tail else b""
    if not last:
        return _GENESIS
    try:
        entry = json.loads(last)
    except json.JSONDecodeError:
        entry = {}
    if entry.get("action") == "checkpoint":   # a log pruned to its checkpoint alone
        return entry["head"]
    return hashlib.sha256(last).hexdigest()


def local_user() -> str:
    """Return ``local:<login>`` for actions taken at the command line."""
    import getpass

    try:
        return f"local:{getpass.getuser()}"
    except Exception:
        return "local:unknown"
