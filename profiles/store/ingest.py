"""Ingest: a validated feed file -> H3 cells and period buckets -> aggregated facts, atomically.

One file loads in one transaction. A file whose SHA-256 is already recorded is not loaded
again ("already loaded"). Bad rows go to a quarantine report (CSV beside the database, for the
data owner) and their counts by column and reason go to the ``quarantine`` table.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from data_contracts import ContractError, Recipe, read_feed, read_source
from data_contracts import blocks
from data_contracts.blocks import NotPlain
from data_contracts.read_ahead import ReadAhead
from data_contracts.validate import block_plan, iter_feed
from data_contracts.words import plural
from geo.extent import UK_EXTENT, Extent
from profiles.store import database as store
from profiles.store.loaders import AGGREGATED, LOADERS, load_counted, prepare
from profiles.store.quarantine import QuarantineReport, write_quarantine_report  # noqa: F401
from profiles.store.staging import FileWrite


@dataclass
class IngestResult:
    """What happened to one file. ``read == loaded + quarantined + excluded`` always holds."""

    feed: str
    path: str
    status: str                      # "loaded", "already loaded", "refused", "dry run"
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    excluded: int = 0
    flagged: int = 0
    ingest_id: int | None = None
    quarantine_report: str | None = None
    messages: list = field(default_factory=list)
    file_sha256: str | None = None

    def summary(self) -> str:
        """Return a one-line plain-words summary."""
        if self.status == "already loaded":
            return f"{self.path}: already loaded (same content as an earlier file); nothing added."
        if self.status == "dry run":
            text = (f"{self.path}: dry run, nothing written to the store — read {self.read:,}, "
                    f"would load {self.loaded:,}, quarantined {self.quarantined:,}")
        else:
            text = (f"{self.path}: {self.status} — read {self.read:,}, "
                    f"loaded {self.loaded:,}, quarantined {self.quarantined:,}")
        if self.excluded:
            text += f", excluded {self.excluded:,} (out of scope)"
        if self.flagged:
            text += f", flagged {self.flagged:,}"
        if self.quarantine_report:
            text += f". Quarantine report: {self.quarantine_report}"
        return text


@dataclass(frozen=True)
class IngestOptions:
    """How a file is loaded: where, how strictly, with which recipe, into what.

    Each attribute is described under :func:`ingest_file`, which takes them as keywords too.

    Examples
    --------
    >>> IngestOptions(strict=True).dry_run
    False
    """

    extent: Extent | None = None
    strict: bool = False
    quarantine_dir: Path | str | None = None
    today: dt.date | None = None
    recipe: Recipe | None = None
    dry_run: bool = False
    block_bytes: int | None = None
    private_copy: bool = False
    read_ahead: ReadAhead | None = None


def ingest_file(con, feed: str, path, options: IngestOptions | None = None, *, key: bytes,
                **settings) -> IngestResult:
    """Validate one file and load its aggregates in one transaction.

    A large CSV or Parquet file of an event feed is read, validated, turned into cells and
    aggregated a block at a time (:mod:`data_contracts.blocks`), so memory stays bounded
    whatever the file's size; the blocks' partial sums are summed once at the end, inside the
    same transaction, so the store holds exactly what a whole-file load would.

    Parameters
    ----------
    con : duckdb connection (writable), from :func:`profiles.store.database.connect`.
    feed : str
        The feed's name (see :data:`data_contracts.FEEDS`).
    path : str or Path
    options : IngestOptions, optional
        How to load it; or give its attributes as keywords (``strict=``, ``recipe=`` and any
        below), which also override those of ``options``.
    key : bytes
        Hashing key for subject/premises references (:func:`profiles.store.keys.load_key`).
    extent : Extent, optional
        Force area; default: derived from loaded areas, else the UK.
    strict : bool
        Refuse the whole file if any row would be quarantined.
    quarantine_dir : path, optional
        Where quarantine reports go; default ``lantern-quarantine`` beside the database.
    recipe : Recipe, optional
        How the partner's file maps onto the feed (:func:`data_contracts.build_recipe`).
    dry_run : bool
        Run every check and every loader, and write the quarantine report, but write nothing
        to the store: ``con`` is only read (it may be read-only), and the loaders run into a
        throwaway in-memory store. The result's status is ``"dry run"``.
    block_bytes : int, optional
        Files larger than twice this are read in blocks of about this size (default
        :data:`data_contracts.blocks.BLOCK_BYTES`), larger for a file of which only some
        columns are read (:func:`data_contracts.validate.block_plan`, which decides too whether
        the file is read in blocks at all).
    private_copy : bool
        ``con`` is a private copy of the store, discarded if the load fails (as
        :func:`profiles.store.load_files` makes): a file read in blocks then commits block by
        block, which keeps memory bounded (:class:`profiles.store.staging.FileWrite`).
        Otherwise the file loads in one transaction.
    read_ahead : ReadAhead, optional
        The file's bytes, being read on a thread since the command began
        (:class:`data_contracts.read_ahead.ReadAhead`): taken when the file is read whole,
        given back unused when it is read in blocks.

    Returns
    -------
    IngestResult

    Raises
    ------
    ContractError
        The file is refused (missing, unreadable, a bad recipe, a missing or identifying
        column, coordinates that would land in the wrong place, strict with bad rows), by
        whichever block shows it. Nothing is written to the database.
    TypeError
        For a keyword that is not an attribute of :class:`IngestOptions`.
    """
    o = replace(options, **settings) if options is not None else IngestOptions(**settings)
    extent, strict, quarantine_dir, today = o.extent, o.strict, o.quarantine_dir, o.today
    recipe, dry_run, block_bytes, private_copy = o.recipe, o.dry_run, o.block_bytes, \
        o.private_copy
    path = Path(path)
    if recipe is not None and not recipe.is_empty:
        recipe.check(feed)       # before the file is even read
    # in blocks or whole, decided once (a loader that aggregates events can take blocks)
    block_bytes = block_plan(feed, path, recipe=recipe,
                             block_bytes=block_bytes or blocks.BLOCK_BYTES)
    blocked = feed in AGGREGATED and block_bytes is not None
    ahead = o.read_ahead
    if ahead is not None and blocked:
        ahead.drop()          # read a block at a time: the whole file's bytes are not kept
    extent = extent or force_extent(con)
    run = partial(_ingest, con, feed, path, key=key, strict=strict, dry_run=dry_run,
                  quarantine_dir=quarantine_dir or _default_quarantine_dir(con),
                  per_block=private_copy)
    sha = None
    if blocked:
        if _named_before(con, feed, path):
            # the likely case of a file loaded again: one quick pass to hash it first, so
            # it is found out before it is read, validated and loaded
            with path.open("rb") as fh:
                sha = hashlib.file_digest(fh, "sha256").hexdigest()
            if _loaded_already(con, sha):
                return IngestResult(feed, str(path), "already loaded", file_sha256=sha)
        # Otherwise hashed as its blocks are read (no extra pass over a large file); "already
        # loaded" is then known at the end, and the load is undone as a failed one would be.
        digest = None if sha else hashlib.sha256()
        try:
            return run(iter_feed(feed, path, extent=extent, today=today, recipe=recipe,
                                 block_bytes=block_bytes, hasher=digest), sha=sha,
                       digest=digest, staged=True)
        except NotPlain:   # the file must be read whole (not UTF-8, NUL bytes, lone CRs)
            pass
    data = (ahead.take(path) if ahead is not None else None) or read_source(path)
    checked = None
    if sha is None and not _named_before(con, feed, path):
        # A file not seen by this name is likely new: hashed in a thread (hashlib lets go of
        # the GIL) while it is validated; "already loaded" is then known afterwards, and wins
        # over a refusal, as it does when the hash comes first.
        hashed = _hashing(data)
        try:
            checked = read_feed(feed, path, extent=extent, data=data, today=today,
                                recipe=recipe)
        except ContractError:
            if _loaded_already(con, hashed()):
                return IngestResult(feed, str(path), "already loaded", file_sha256=hashed())
            raise
        sha = hashed()
    # a file seen by this name before is hashed first, and not validated if loaded already
    sha = sha or hashlib.sha256(data).hexdigest()
    if _loaded_already(con, sha):
        return IngestResult(feed, str(path), "already loaded", file_sha256=sha)
    if checked is None:
        checked = read_feed(feed, path, extent=extent, data=data, today=today, recipe=recipe)
    return run(iter([checked]), sha=sha, staged=False)


def _hashing(data: bytes):
    """Start hashing ``data`` (SHA-256) in a thread; return a function that waits for the
    hex digest."""
    import threading

    digest: list = []
    thread = threading.Thread(target=lambda: digest.append(hashlib.sha256(data).hexdigest()),
                              name="lantern-file-hash", daemon=True)
    thread.start()

    def hexdigest() -> str:
        thread.join()
        return digest[0] if digest else hashlib.sha256(data).hexdigest()
    return hexdigest


class _AlreadyLoaded(Exception):
    """A file hashed as it was read turned out to be loaded already."""


def _loaded_already(con, sha: str) -> bool:
    return bool(store.fetch_row(con, "SELECT 1 FROM ingests WHERE file_sha256 = ?", [sha]))


def _named_before(con, feed: str, path: Path) -> bool:
    """True when a file of this name was loaded into ``feed`` before."""
    return bool(store.fetch_row(con, "SELECT 1 FROM ingests WHERE feed = ? AND file_name = ?",
                                [feed, path.name]))


def _ingest(con, feed: str, path: Path, validated, *, key: bytes, strict: bool,
            dry_run: bool, quarantine_dir, staged: bool, per_block: bool,
            sha: str | None = None, digest=None) -> IngestResult:
    """Load validated blocks all or nothing (or, in a dry run, into a scratch store).

    ``sha`` is the file's hash, or None when ``digest`` is fed the file as it is read.
    """
    result = IngestResult(feed, str(path), "dry run" if dry_run else "loaded", file_sha256=sha)
    report = QuarantineReport(quarantine_dir, feed, path, sha)
    base = store.base_resolution(con)
    target = store.connect(":memory:") if dry_run else con
    excluded: dict = {}
    heading: list = []
    file_format = ignored = ingest_id = None
    write = FileWrite(target, blocks=staged, per_block=per_block, scratch=dry_run)
    try:
        ingest_id = 1 if dry_run else store.fetch_row(con, "SELECT nextval('ingest_seq')")[0]
        result.ingest_id = None if dry_run else int(ingest_id)
        for i, checked in enumerate(validated):
            checked = prepare(con, checked)
            result.read += checked.n_read
            result.loaded += len(checked.rows)
            result.quarantined += checked.n_quarantined
            for reason, count in checked.excluded.items():
                excluded[reason] = excluded.get(reason, 0) + count
            report.add(checked.problems, checked.n_quarantined)
            if not i:
                file_format, heading = checked.file_format, list(checked.notes)
                if checked.ignored_columns:
                    ignored = f"columns not read: {_names(checked.ignored_columns)}"
            if strict and report.rows:
                continue        # finish the report; nothing more is loaded
            result.flagged += LOADERS.get(checked.feed, load_counted)(
                target, checked, ingest_id, key, base, result)
            write.block_done()
        if sha is None:
            sha = result.file_sha256 = digest.hexdigest()
            if _loaded_already(con, sha):
                raise _AlreadyLoaded
        result.excluded = sum(excluded.values())
        result.quarantine_report = report.close(sha)
        if strict and report.rows:
            first = report.first
            raise ContractError(
                path, f"{plural(report.rows, 'row')} failed validation and --strict "
                      f"refuses the whole file; first: row {first.row}, column {first.column!r}, value "
                      f"{first.value!r}: {first.reason}.", column=first.column,
                fix=f"correct the rows listed in {result.quarantine_report} (no row was "
                    f"loaded).")
        heading += [f"excluded {count:,}: {reason}" for reason, count in excluded.items()]
        heading += [ignored] if ignored else []
        if dry_run:
            heading += report.lines()
        result.messages[:0] = heading       # before what the loaders said
        write.finish(ingest_id)
        if not dry_run:
            _record_ingest(con, ingest_id, feed, path, sha, file_format, result, report)
        write.commit()
    except _AlreadyLoaded:
        report.discard()
        write.fail(ingest_id)
        return IngestResult(feed, str(path), "already loaded", file_sha256=sha)
    except BaseException:
        if result.quarantine_report is None:   # kept only once complete (--strict's refusal)
            report.discard()
        write.fail(ingest_id)
        raise
    finally:
        if dry_run:
            target.close()
    return result


def _record_ingest(con, ingest_id, feed, path, sha, file_format, result, report) -> None:
    con.execute(
        "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, current_date, ?, ?, ?, ?, ?)",
        [ingest_id, feed, path.name, sha, file_format, result.read, result.loaded,
         result.quarantined, result.excluded, result.flagged])
    counts = report.by_count()
    if counts:
        con.executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?)",
                        [(ingest_id, column, reason, n) for column, reason, n in counts])


def _names(names, limit: int = 12) -> str:
    shown = [repr(str(n)[:40]) for n in names[:limit]]
    return ", ".join(shown) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def force_extent(con) -> Extent:
    """Return the force area: loaded areas' cells, bounded with a ~5 km margin, else the UK."""
    import h3

    rows = store.fetch_row(con, "SELECT min(cell), max(cell), count(*) FROM area_cells")
    if not rows or not rows[2]:
        return UK_EXTENT
    cells = con.execute("SELECT DISTINCT h3_parent(cell, 6) FROM area_cells").fetchall()
    pts = [h3.cell_to_latlng(h3.int_to_str(int(c[0]))) for c in cells]
    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
    margin = 0.15  # a resolution-6 cell is ~3.7 km across, plus ~5 km
    return Extent("the force area (from the loaded areas)", max(-90, min(lats) - margin),
                  min(90, max(lats) + margin), max(-180, min(lons) - margin),
                  min(180, max(lons) + margin))


def _default_quarantine_dir(con) -> Path:
    row = store.fetch_row(con, "SELECT path FROM duckdb_databases() WHERE database_name = "
                      "current_database()")
    db = row[0] if row and row[0] else None
    return (Path(db).parent if db else Path.cwd()) / "lantern-quarantine"
