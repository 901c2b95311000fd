"""Ingest: a validated feed file -> H3 cells and period buckets -> aggregated facts, atomically.

One file loads in one transaction. A file whose SHA-256 is already recorded is not loaded
again ("already loaded"). Bad rows go to a quarantine report (CSV beside the database, for the
data owner) and their counts by column and reason go to the ``quarantine`` table.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from data_contracts import ContractError, Recipe, contract_for, read_feed, read_source
from data_contracts import blocks
from data_contracts.blocks import NotPlain, is_blocked
from data_contracts.validate import iter_feed
from geo.cells import area_to_cells, points_to_cells
from geo.outlines import outline_to_geojson, simplify_outline
from geo.extent import UK_EXTENT, Extent
from data_contracts import premises_rubric
from profiles.store import database as store
from profiles.store.keys import keyed_hashes
from profiles.store.quarantine import QuarantineReport, write_quarantine_report  # noqa: F401
from profiles.store.staging import FileWrite
from profiles.store.database import TIME_BANDS


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


def ingest_file(con, feed: str, path, *, key: bytes, extent: Extent | None = None,
                strict: bool = False, quarantine_dir=None, today: dt.date | None = None,
                recipe: Recipe | None = None, dry_run: bool = False,
                block_bytes: int | None = None, private_copy: bool = False) -> IngestResult:
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
        Files larger than this are read in blocks of about this size (default
        :data:`data_contracts.blocks.BLOCK_BYTES`).
    private_copy : bool
        ``con`` is a private copy of the store, discarded if the load fails (as
        :func:`profiles.store.load_files` makes): a file read in blocks then commits block by
        block, which keeps memory bounded (:class:`profiles.store.staging.FileWrite`).
        Otherwise the file loads in one transaction.

    Returns
    -------
    IngestResult

    Raises
    ------
    ContractError
        The file is refused (missing, unreadable, a bad recipe, a missing or identifying
        column, coordinates that would land in the wrong place, strict with bad rows), by
        whichever block shows it. Nothing is written to the database.
    """
    path = Path(path)
    if recipe is not None and not recipe.is_empty:
        recipe.check(feed)       # before the file is even read
    block_bytes = block_bytes or blocks.BLOCK_BYTES
    blocked = feed in _AGGREGATED and is_blocked(path, block_bytes)
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
    data = read_source(path)
    sha = sha or hashlib.sha256(data).hexdigest()
    if _loaded_already(con, sha):
        return IngestResult(feed, str(path), "already loaded", file_sha256=sha)
    return run(iter([read_feed(feed, path, extent=extent, data=data, today=today,
                               recipe=recipe)]), sha=sha, staged=False)


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
            checked = _PREPARE.get(checked.feed, _as_read)(con, checked)
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
            result.flagged += _LOADERS.get(checked.feed, _load_counted)(
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
                path, f"{report.rows:,} row(s) failed validation and --strict refuses the "
                      f"whole file; first: row {first.row}, column {first.column!r}, value "
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


_DAY = 86_400


def _periods(when, has_time=None) -> dict:
    """Return week (days since 1970-01-01 of its Monday), dow (0 = Monday) and band code.

    Band codes index :data:`profiles.store.database.TIME_BANDS` (night 0–6 h, morning 6–12 h,
    afternoon 12–18 h, evening 18–24 h; ``unknown`` where the row gave no time of day).
    A missing time (NaT) gives a null week.

    Examples
    --------
    >>> p = _periods(np.array(["2025-03-02T21:30"], dtype="datetime64[s]"), [True])
    >>> str(np.datetime64(int(p["week"][0]), "D")), int(p["dow"][0]), TIME_BANDS[p["band"][0]]
    ('2025-02-24', 6, 'evening')
    """
    ts = np.asarray(when).astype("datetime64[s]")
    missing = np.isnat(ts)
    seconds = ts.astype(np.int64)
    days = np.floor_divide(seconds, _DAY)
    dow = (days + 3) % 7                   # 1970-01-01 was a Thursday
    band = (seconds % _DAY) // (6 * 3600)
    if has_time is not None:
        band = np.where(np.asarray(has_time, dtype=bool), band, TIME_BANDS.index("unknown"))
    return {"week": pa.array((days - dow).astype(np.int32), mask=missing),
            "dow": pa.array(dow.astype(np.int8), mask=missing),
            "band": pa.array(band.astype(np.int8), mask=missing)}


def _cells(rows: pd.DataFrame, base: int) -> np.ndarray:
    if "__has_point" in rows:
        cells = np.zeros(len(rows), dtype=np.uint64)
        pt = rows["__has_point"].to_numpy(dtype=bool)
        if pt.any():
            cells[pt] = points_to_cells(rows["lat"].to_numpy()[pt], rows["lon"].to_numpy()[pt],
                                        base)
        if (~pt).any():
            from geo.cells import cells_to_parents
            given = rows["h3_cell"].to_numpy(dtype=np.uint64)[~pt]
            cells[~pt] = cells_to_parents(given, base)
        return cells
    return points_to_cells(rows["lat"].to_numpy(), rows["lon"].to_numpy(), base)


def _codes(values) -> tuple[np.ndarray, list]:
    """Return (int16 codes, labels) for a categorical column or an array of labels."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(dtype=np.int16), [str(c) for c in
                                                           values.cat.categories]
    codes, labels = pd.factorize(np.asarray(values, dtype=object))
    return codes.astype(np.int16), [str(x) for x in labels]


def _subject_codes(values, key: bytes) -> tuple[pa.Array, list]:
    """Return (int32 codes, null = no reference; keyed hashes as 64-bit ints), hashing each
    reference once."""
    cat = values.array if isinstance(values, pd.Series) else values
    if not isinstance(cat, pd.Categorical):
        cat = pd.Categorical(pd.Series(values, dtype=object).replace("", None))
    codes = np.asarray(cat.codes, dtype=np.int32)
    hashes = [int(h, 16) for h in keyed_hashes(np.asarray(cat.categories, dtype=object), key)]
    return pa.array(codes, mask=codes < 0), hashes


def _insert_events(con, rows: pd.DataFrame, ingest_id, key, base, *, feed, category,
                   detail=None, weights=None, subject=None) -> None:
    """Aggregate events to the facts grain (and distinct subjects) and insert them.

    Grouping runs in DuckDB on integer codes (cell, week, dow, band, category, detail,
    subject); labels are put back only on the grouped rows.
    """
    if not len(rows):
        return
    cat_codes, cats = _codes(category if isinstance(category, np.ndarray) else rows[category])
    det_codes, dets = _codes(rows[detail]) if detail else (np.zeros(len(rows), np.int16), [""])
    cols = {"cell": pa.array(_cells(rows, base), type=pa.uint64()),
            **_periods(rows["when"].to_numpy(), rows["has_time"].to_numpy(dtype=bool)),
            "c": pa.array(cat_codes), "d": pa.array(det_codes)}
    if weights is not None:
        cols["w"] = pa.array(np.asarray(weights, dtype=np.int64))
    keyed = subject is not None and subject in rows
    subjects: list = []
    if keyed:
        cols["s"], subjects = _subject_codes(rows[subject], key)
    con.register("ev", pa.table(cols))
    labels = f"""'{feed}', cell, DATE '1970-01-01' + week, dow, $bands[band + 1],
                 $cats[c + 1], $dets[d + 1]"""
    params = {"bands": list(store.TIME_BANDS), "cats": cats, "dets": dets}
    nk = ("0" if not keyed else "count(s)" if weights is None
          else "sum(CASE WHEN s IS NULL THEN 0 ELSE w END)")
    con.execute(f"""INSERT INTO facts SELECT {labels}, CAST(n AS INTEGER),
                    CAST(nk AS INTEGER),
                    {int(ingest_id)} FROM (SELECT cell, week, dow, band, c, d,
                    {'count(*)' if weights is None else 'sum(w)'} AS n,
                    {nk} AS nk FROM ev GROUP BY ALL)""", params)
    if keyed:
        # Hashes join in from a table: a list parameter of 100,000+ hashes binds very slowly.
        con.register("ev_subjects", pa.table({
            "code": pa.array(np.arange(len(subjects), dtype=np.int32)),
            "subject": pa.array(subjects, type=pa.uint64())}))
        con.execute(f"""INSERT INTO subjects SELECT {labels}, ev_subjects.subject,
                        {int(ingest_id)} FROM (SELECT DISTINCT cell, week, dow, band, c, d, s
                                               FROM ev WHERE s IS NOT NULL) AS e
                        JOIN ev_subjects ON e.s = ev_subjects.code""", params)
        con.unregister("ev_subjects")
    con.unregister("ev")


def _load_on_street(con, checked, ingest_id, key, base, result) -> int:
    _insert_events(con, checked.rows, ingest_id, key, base, feed="on_street",
                   category="activity_type", detail="source_agency", subject="subject_key")
    return 0


def _load_harm(con, checked, ingest_id, key, base, result) -> int:
    _insert_events(con, checked.rows, ingest_id, key, base, feed="harm_reports",
                   category="harm_category", detail="reporting_route", subject="subject_key")
    rows = checked.rows
    for flag in ("survival_sex", "sex_for_rent"):
        if flag in rows and rows[flag].any():
            sub = rows[rows[flag].to_numpy(dtype=bool)].reset_index(drop=True)
            # the same people as the reports: repeat reports of one person are one person
            _insert_events(con, sub, ingest_id, key, base, feed="harm_context",
                           category=np.full(len(sub), flag, dtype=object),
                           subject="subject_key")
    return 0


def _load_premises(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    if not len(rows):
        return 0
    rubric = premises_rubric.categorise_frame(rows)
    supplied = rows["category"].to_numpy(dtype=object) if "category" in rows else \
        np.full(len(rows), None, dtype=object)
    has = np.array([s is not None and s == s for s in supplied], dtype=bool)
    clash = has & (supplied != rubric)
    final = rubric.astype(object).copy()
    if has.any():
        final[has] = premises_rubric.more_serious(supplied[has], rubric[has])
    for r, s, c in zip(rows["row"].to_numpy()[clash], supplied[clash], rubric[clash]):
        result.messages.append(f"flagged row {r}: supplied category {s!r} contradicts the "
                               f"indicators (rubric: {str(c)!r}); stored the more serious")
    _insert_events(con, rows, ingest_id, key, base, feed="premises", category=final,
                   detail="premises_type", subject="premises_ref")
    return int(clash.sum())


def _load_outreach_contacts(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    weights = rows["contacts"].to_numpy() if "contacts" in rows else None
    _insert_events(con, rows.assign(__person=_people_of_rows(rows, ingest_id)), ingest_id,
                   key, base, feed="outreach_contacts", category="service", weights=weights,
                   subject="__person")
    return 0


def _people_of_rows(rows: pd.DataFrame, ingest_id) -> pd.Series:
    """Each row's person for thresholds: its subject key, or for a row without one a key of
    the row itself, so an anonymous row of several contacts counts as one person (as a keyed
    one does), never as one person per contact. Row keys are hashed like subject keys and link
    to nothing."""
    given = rows["subject_key"] if "subject_key" in rows else pd.Series(None, index=rows.index)
    people = pd.Series(given, dtype=object).replace("", None)
    anon = people.isna().to_numpy()
    if anon.any():
        people = people.copy()
        people[anon] = [f"\x00row:{ingest_id}:{r}" for r in rows["row"].to_numpy()[anon]]
    return people


def _load_community(con, checked, ingest_id, key, base, result) -> int:
    _insert_events(con, checked.rows, ingest_id, key, base, feed="community_concerns",
                   category="concern_type")
    return 0


def _load_counted(con, checked, ingest_id, key, base, result) -> int:
    """Count a feed's rows by its contract's category, detail and subject columns: the load of
    every counted feed without a loader of its own above."""
    c = contract_for(checked.feed)
    _insert_events(con, checked.rows, ingest_id, key, base, feed=c.feed, category=c.category,
                   detail=c.detail, subject=c.subject)
    return 0


def _load_environment(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    if not len(rows):
        return 0
    when = rows["when"].to_numpy() if "when" in rows else np.full(len(rows), np.datetime64("NaT"))
    codes, features = _codes(rows["feature_type"])
    con.register("env", pa.table({"cell": pa.array(_cells(rows, base), type=pa.uint64()),
                                  "f": pa.array(codes), "week": _periods(when)["week"]}))
    con.execute(f"""INSERT INTO environment SELECT cell, $features[f + 1],
                    DATE '1970-01-01' + week, count(*), {int(ingest_id)}
                    FROM env GROUP BY cell, f, week""", {"features": features})
    con.unregister("env")
    return 0


def _load_sites(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    if not len(rows):
        return 0
    confidential = rows["confidential"].to_numpy(dtype=bool) if "confidential" in rows \
        else np.zeros(len(rows), dtype=bool)
    con.register("sites", pa.table({
        "cell": pa.array(_cells(rows, base), type=pa.uint64()),
        "site_type": pa.array(rows["site_type"].astype(str).to_numpy(dtype=object),
                              type=pa.string()),
        "days": pa.array(rows["days"].to_numpy(dtype=np.int8)),
        "opens": pa.array(rows["opens"].to_numpy(dtype=np.int16)),
        "closes": pa.array(rows["closes"].to_numpy(dtype=np.int16)),
        "confidential": pa.array(confidential)}))
    con.execute(f"INSERT INTO outreach_sites SELECT *, {int(ingest_id)} FROM sites")
    con.unregister("sites")
    return 0


def _load_areas(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    start = store.fetch_row(con, "SELECT coalesce(max(area_id), 0) FROM areas")[0]
    for i, (name, kind, geom) in enumerate(zip(rows["name"], rows["area_type"],
                                               rows["geometry"]), start=start + 1):
        cells, tiny = area_to_cells(geom, base)
        if tiny:
            result.messages.append(f"area {name!r} is smaller than one hexagon at resolution "
                                   f"{base}: it gets the one cell that holds its "
                                   "representative point")
        con.execute("INSERT INTO areas VALUES (?, ?, ?, ?)", [i, str(name), str(kind), ingest_id])
        # the outline itself is public reference data: kept, simplified to suit its size
        outline, tolerance = simplify_outline(geom)
        con.execute("INSERT INTO area_shapes VALUES (?, ?, ?)",
                    [i, outline_to_geojson(outline), math.ceil(tolerance)])
        con.register("ac", pd.DataFrame({"area_id": i, "cell": cells}))
        con.execute("INSERT INTO area_cells SELECT area_id, cell FROM ac")
        con.unregister("ac")
    return 0


_LOADERS = {
    "on_street": _load_on_street, "harm_reports": _load_harm, "premises": _load_premises,
    "outreach_contacts": _load_outreach_contacts, "community_concerns": _load_community,
    "environment": _load_environment, "outreach_sites": _load_sites, "areas": _load_areas,
}


def _as_read(con, checked):
    return checked


# The online adverts feed has its own module, handed the aggregating writer above.
from profiles.store import adverts as _adverts  # noqa: E402

_LOADERS["online_adverts"] = partial(_adverts.load_adverts, insert_events=_insert_events)
#: Feeds whose loaders aggregate events, so a large file of theirs can load in blocks
#: (:mod:`profiles.store.staging`); areas and outreach sites are always read whole.
_AGGREGATED = frozenset(_LOADERS) - {"areas", "outreach_sites"}
#: Per feed, a step between validation and loading that may quarantine more rows (it needs
#: the store, e.g. to match area names): ``(con, checked) -> checked``.
_PREPARE = {"online_adverts": _adverts.quarantine_unplaced_adverts}
