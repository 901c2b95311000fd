"""The one write path for partner files: dry run, or load with copy-and-swap and an audit record.

``lantern ingest`` and the dashboard's Data status page (for analysts) both call
:func:`load_files`, so a file is checked against the same contract and recipe, loaded by the
same code, and recorded the same way whichever door it came through.

The audit log belongs to :mod:`profiles.governance`, above the store; the caller hands in its
recorder (``record=``, :func:`profiles.governance.audit.record` bound to the database and the
user), and :func:`load_files` calls it just before each swap — write-ahead, as the audit module
describes — and for each refused file.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from data_contracts import ContractError, Recipe
from profiles.store import database as store
from profiles.store.ingest import IngestOptions, IngestResult, ingest_file
from profiles.store.keys import load_key
from profiles.store.retention import set_first_policy
from profiles.store.swap import leftover_kind, remove_leftovers, updating


@dataclass
class FileLoad:
    """What became of one file: its result, or why the whole file was refused.

    ``result`` is None exactly when ``refusal`` (the plain-words reason, naming the file and
    the fix) is set.
    """

    path: str
    result: IngestResult | None = None
    refusal: str | None = None

    @property
    def refused(self) -> bool:
        """True when nothing of the file was (or would be) loaded because it was refused."""
        return self.refusal is not None


def default_quarantine_dir(db) -> Path:
    """Where quarantine reports go unless told otherwise: ``lantern-quarantine`` beside the
    database.

    Examples
    --------
    >>> default_quarantine_dir("/srv/lantern/force.duckdb").name
    'lantern-quarantine'
    """
    return Path(db).resolve().parent / "lantern-quarantine"


def load_files(db, feed: str, paths: Iterable, *, recipe: Recipe | None = None,
               dry_run: bool = False, strict: bool = False, quarantine_dir=None,
               record: Callable | None = None,
               progress: Callable[[str], None] | None = None,
               done: Callable[[FileLoad], None] | None = None,
               read_ahead=None) -> list[FileLoad]:
    """Check, and unless ``dry_run`` load, each file into the store at ``db``.

    Each file is loaded into a copy of the database that is swapped in only when the file has
    loaded completely (:func:`profiles.store.updating`): readers are never blocked and a crash
    changes nothing. A dry run reads the store read-only and creates nothing beside it (no key
    file: references are hashed with a throwaway key, which changes no count); it still writes
    the quarantine report, as a load would.

    Parameters
    ----------
    db : path of the database (created by the first load when absent)
    feed : str
        The feed's name (see :data:`data_contracts.FEEDS`).
    paths : iterable of paths
        The files, loaded one by one in this order.
    recipe : Recipe, optional
        Checked against the feed before any file is read.
    dry_run : bool
        Run every check and the whole summary, write nothing to the store.
    strict : bool
        Refuse a whole file if any row would be quarantined.
    quarantine_dir : path, optional
        Default :func:`default_quarantine_dir`.
    record : callable, optional
        Called as ``record(action=..., feed=..., **facts)`` for each load (``"ingest"``, just
        before its swap), each refused file (``"refused"``) and each full copy of the store
        that a killed process left behind and this load removed first (``"cleanup"``,
        :func:`profiles.store.remove_leftovers`); not called in a dry run.
    progress : callable, optional
        Called with each path before it is read.
    done : callable, optional
        Called with each file's FileLoad as soon as it is finished (before the next is read).
    read_ahead : ReadAhead, optional
        One file's bytes, being read since the command began
        (:class:`data_contracts.read_ahead.ReadAhead`): its file takes them when read whole
        and gives them back when read in blocks; whoever made it drops what is left.

    Returns
    -------
    list of FileLoad, one per path.

    Raises
    ------
    ContractError
        The recipe does not fit the feed (before any file is read; nothing is written).
    """
    db = Path(db)
    if recipe is not None and not recipe.is_empty:
        recipe.check(feed)
    qdir = Path(quarantine_dir) if quarantine_dir else default_quarantine_dir(db)
    if dry_run:
        return _dry_run(db, feed, list(paths), recipe=recipe, strict=strict, quarantine_dir=qdir,
                        progress=progress, done=done, read_ahead=read_ahead)
    for leftover in remove_leftovers(db):
        if record is not None:
            record(action="cleanup", file_name=leftover.name[:200],
                   copy=leftover_kind(leftover))
    key = load_key(db)
    options = IngestOptions(strict=strict, quarantine_dir=qdir, recipe=recipe, private_copy=True,
                            read_ahead=read_ahead)
    loads = []
    for path in paths:
        if progress is not None:
            progress(str(path))
        name = Path(path).name[:200]
        try:
            with updating(db) as con:
                result = ingest_file(con, feed, path, options, key=key)
                if result.status == "loaded":
                    set_first_policy(con)    # a new store's, in this copy, not another one
                if result.status == "loaded" and record is not None:
                    # Written ahead of the swap: a crash in between leaves a record of a load
                    # that did not land (its file hash is not in `ingests`; `lantern audit`
                    # names it), never a load with no record of who made it.
                    record(action="ingest", feed=feed, file_name=name,
                           ingest_id=result.ingest_id, file_sha256=result.file_sha256,
                           rows_read=result.read, rows_loaded=result.loaded,
                           rows_quarantined=result.quarantined, rows_excluded=result.excluded)
        except ContractError as exc:
            if record is not None:
                record(action="refused", feed=feed, file_name=name)
            _finished(loads, FileLoad(str(path), refusal=str(exc)), done)
            continue
        _finished(loads, FileLoad(str(path), result=result), done)
    return loads


def _finished(loads: list, load: FileLoad, done) -> None:
    loads.append(load)
    if done is not None:
        done(load)


def _dry_run(db: Path, feed: str, paths: list, *, recipe, strict: bool, quarantine_dir: Path,
             progress, done, read_ahead=None) -> list[FileLoad]:
    exists = db.exists()
    con = store.connect(db if exists else ":memory:", read_only=exists)
    has_key = bool(os.environ.get("LANTERN_KEY")) or Path(f"{db}.key").exists()
    key = load_key(db) if has_key else secrets.token_bytes(32)
    options = IngestOptions(strict=strict, quarantine_dir=quarantine_dir, recipe=recipe,
                            dry_run=True, read_ahead=read_ahead)
    loads = []
    try:
        for path in paths:
            if progress is not None:
                progress(str(path))
            try:
                result = ingest_file(con, feed, path, options, key=key)
            except ContractError as exc:
                _finished(loads, FileLoad(str(path), refusal=str(exc)), done)
                continue
            _finished(loads, FileLoad(str(path), result=result), done)
    finally:
        con.close()
    return loads
