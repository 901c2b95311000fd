"""The release layer: THE ONLY WAY numbers leave the store, for an audience.

Every figure the dashboard, the CLI or an export shows comes from :func:`release_counts` (or
the small reference-data releases below it), which applies the audience's policy from
:mod:`profiles.release.audiences` through the engine in :mod:`profiles.release.disclosure`:

* one *protected base table* per audience and feed (floor cell x ISO week x the audience's
  breakdowns), built by adaptive H3 roll-up: a group with too few people or premises behind it
  is pooled into its parent hexagon, a longer period or a combined breakdown until it is big
  enough, and hidden only if it never is;
* every view - any period, breakdown, area or date range - is a sum of whole released units of
  that table, so no combination of views can be subtracted down to a hidden value
  (see :mod:`profiles.release.disclosure` for the method and the argument);
* counts are rounded to the audience's base before anything is summed.

Each released row says at which ``resolution`` and ``period_grain`` it is shown and, in
``shown_as``, why: ``"base"`` or ``"rolled up (...)"``.

The protected table is cached in-process per database file, audience policy, feed and store
version (the ``ingests`` table and the feed's facts), so a second view costs only the summing.

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> release_counts(con, "partnership", "on_street", by=["category"]).frame.columns.tolist()
['h3_id', 'cell', 'resolution', 'period_start', 'period_grain', 'category', 'count', 'shown_as']
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from profiles.release.errors import PlainWordsError
from geo.cells import cells_to_parents, cells_to_str, resolution_of
from profiles import store
from profiles.release.audiences import (BREAKDOWNS, GRAINS, Policy, PolicyError,
                                        ReleasedForAudience, disclosure_statement, get_policy)
from profiles.release.disclosure import (BaseTable, Protected, cells_to_center_children,
                                         period_starts, policy_ladder, protect, round_counts)

PERIODS = ("week", "month", "quarter", "year", "all")
#: The event feeds held in ``facts`` (the other releasable feeds are reference data).
EVENT_FEEDS = ("on_street", "premises", "outreach_contacts", "harm_reports", "harm_context",
               "community_concerns", "online_adverts", "advert_indicators", "advertisers")
SHOWN_BASE = "base"
WHY_SPACE = "under threshold at finer resolution"
WHY_TIME = "under threshold over a shorter period"
WHY_BREAKDOWN = "under threshold by {}"
_ORDER = {g: i for i, g in enumerate(PERIODS)}
_EPOCH = dt.date(1970, 1, 1)
_CACHE: OrderedDict = OrderedDict()
#: Released units kept in the in-process cache (about 100 bytes each), oldest dropped first.
CACHE_UNITS = 3_000_000
#: Protected tables kept in the cache at most (audiences x feeds x databases).
CACHE_TABLES = 48
_LOCK = threading.Lock()
#: Keys whose protected table is being built, each with an event set when the build ends.
_BUILDING: dict = {}


class ReleaseError(PlainWordsError):
    """A release was asked for something the audience may not see, or that does not exist."""


@dataclass
class ReleasedTable(ReleasedForAudience):
    """Released counts for one audience and feed.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per released hexagon, period and breakdown value: ``h3_id`` (string),
        ``cell`` (uint64), ``resolution``, ``period_start`` (date; 1970-01-01 for ``all``),
        ``period_grain`` (``week`` ... ``year``, ``all``), the requested breakdown columns
        (``(combined)`` - or -1 for ``dow`` - where the roll-up combined them), ``count`` and
        ``shown_as`` (``base`` or ``rolled up (<why>)``).
    policy : Policy
    feed, period : str
    by : tuple of str
    area : str or None
    notes : list of str
    weeks : tuple of date or None
        The first Monday and the last Sunday of the loaded weeks the release covers (within
        ``start`` and ``end``); None when nothing is loaded. Exports of ``period="all"`` show
        these instead of the internal 1970-01-01 start.
    """

    frame: pd.DataFrame
    policy: Policy
    feed: str
    period: str
    by: tuple = ()
    area: str | None = None
    notes: list = field(default_factory=list)
    weeks: tuple | None = None

    @property
    def total(self) -> int:
        """Sum of the released counts (itself built only from released values)."""
        return int(self.frame["count"].sum()) if len(self.frame) else 0


def _policy(audience) -> Policy:
    return audience if isinstance(audience, Policy) else get_policy(audience)


def release_counts(con, audience, feed: str, *, period: str = "week", by=(), area=None,
                   start: dt.date | None = None, end: dt.date | None = None) -> ReleasedTable:
    """Return the counts of ``feed`` that ``audience`` may see.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
        ``partnership``, ``command`` or ``analyst`` (or a Policy).
    feed : str
        An event feed the audience may see (see :data:`EVENT_FEEDS`).
    period : {"week", "month", "quarter", "year", "all"}
        Weeks belong to the month, quarter and year their Monday falls in. A unit the roll-up
        could only show over a longer period keeps that period (``period_grain`` says which).
    by : sequence of {"category", "detail", "band", "dow"}
        Breakdowns; each must be allowed for the audience.
    area : str or int, optional
        An area name or id from the ``areas`` feed; default everything loaded. A hexagon belongs
        to the area holding its centre cell.
    start, end : date, optional
        Only units whose whole period (within the loaded weeks) has its Mondays in
        [start, end].

    Returns
    -------
    ReleasedTable

    Raises
    ------
    ReleaseError
        For a feed, breakdown, period or area the audience may not see or that is unknown.
    PolicyError
        For an unknown audience.
    """
    policy = _policy(audience)
    by = tuple(by)
    if not policy.may_see(feed):
        raise ReleaseError(f"audience {policy.name!r} may not see feed {feed!r}; it may see: "
                           f"{', '.join(policy.feeds)}",
                           words=f"The {policy.label.lower()} audience may not see these "
                                 f"figures. Choose another audience if your role allows it.")
    if feed not in EVENT_FEEDS:
        raise ReleaseError(f"feed {feed!r} is reference data, not counted events; "
                           f"release_counts takes one of {', '.join(EVENT_FEEDS)}")
    if period not in PERIODS:
        raise ReleaseError(f"period= must be one of {', '.join(PERIODS)}, not {period!r}")
    for b in by:
        if b not in BREAKDOWNS:
            raise ReleaseError(f"by= takes {', '.join(BREAKDOWNS)}, not {b!r}")
        if b not in policy.breakdowns:
            raise ReleaseError(f"audience {policy.name!r} may not see the {b!r} breakdown; "
                               f"it may see: {', '.join(policy.breakdowns) or 'none'}")
        if b not in policy.breakdowns_for(feed):
            raise ReleaseError(f"feed {feed!r} is counted by week and place only; it may be "
                               f"broken down by: {', '.join(policy.breakdowns_for(feed)) or 'nothing'}")
    if len(set(by)) != len(by):
        raise ReleaseError(f"by= names a breakdown twice: {by!r}")
    anchors = _area_anchors(con, resolve_area(con, area)) if area is not None else None
    prot, span = protected_table(con, policy, feed)
    frame = view(prot, period=period, by=by, anchors=anchors, start=start, end=end,
                 span=span, floor=policy.floor_for(feed))
    notes = []
    if (frame["shown_as"] != SHOWN_BASE).any():
        notes.append("Some figures are shown for a larger hexagon, a longer period or with "
                     "breakdowns combined, because too few people lay behind them at the "
                     "finer grain; each such figure counts only what is not shown inside it.")
    return ReleasedTable(frame, policy, feed, period, by,
                         area=str(area) if area is not None else None, notes=notes,
                         weeks=_covered_weeks(span, start, end))


def _covered_weeks(span, start, end) -> tuple | None:
    """First Monday and last Sunday of the loaded weeks ``span``, within ``start``/``end``."""
    if span == (0, 0):
        return None
    first = _EPOCH + dt.timedelta(days=int(span[0]))
    last = _EPOCH + dt.timedelta(days=int(span[1]) + 6)
    if start is not None:
        first = max(first, pd.Timestamp(start).date())
    if end is not None:
        last = min(last, pd.Timestamp(end).date())
    return (first, last) if first <= last else None


def view(prot: Protected, *, period: str, by: tuple, anchors=None, start=None, end=None,
         span=(0, 0), floor: int = 9) -> pd.DataFrame:
    """Sum a protected table's units into one view (see :func:`release_counts`).

    ``anchors`` is an array of base cells (an area): units whose anchor is not in it are
    left out. ``span`` is the first and last loaded Monday (days since 1970-01-01). Rows come
    sorted by period start, period grain, resolution, cell and breakdowns.
    """
    arr = prot.arrays()
    keep = None
    if anchors is not None:
        keep = np.isin(arr["anchor"], anchors)
    if start is not None or end is not None:
        first, last = _unit_mondays(arr["period_start"], arr["period_end"], span)
        inside = np.ones(len(first), dtype=bool)
        if start is not None:
            inside &= first >= _days(start)
        if end is not None:
            inside &= last <= _days(end)
        keep = inside if keep is None else keep & inside
    pick = slice(None) if keep is None else np.flatnonzero(keep)
    want = _ORDER[period]
    row_code = np.maximum(arr["grain"][pick], want)
    starts = arr["period_start"][pick]
    if want > 0:
        starts = starts.copy()
        for code in np.unique(row_code):
            at = row_code == code
            starts[at] = period_starts(starts[at], PERIODS[code])
    # one int64 per row whose numeric order is the row order: period start, grain, cell, by
    key = (starts * len(PERIODS) + row_code) * len(arr["cells"]) + arr["cell_rank"][pick]
    widths = [len(prot.labels[b]) + 1 for b in by]
    for b, width in zip(by, widths):
        key = key * width + arr[b][pick] + 1
    rows, inverse = np.unique(key, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=arr["count"][pick],
                         minlength=len(rows)).astype(np.int64)
    codes = []
    for width in reversed(widths):
        codes.append(rows % width - 1)
        rows = rows // width
    codes.reverse()
    rank = rows % len(arr["cells"]) if len(arr["cells"]) else rows
    rows = rows // max(1, len(arr["cells"]))
    code, starts = rows % len(PERIODS), rows // len(PERIODS)
    cells = arr["cells"][rank]
    res = resolution_of(cells)
    out = pd.DataFrame({"h3_id": pd.Series(arr["h3_ids"][rank], dtype=object), "cell": cells,
                        "resolution": res,
                        "period_start": pd.Series(_dates(starts), dtype=object),
                        "period_grain": pd.Series(np.asarray(PERIODS, dtype=object)[code],
                                                  dtype=object)})
    combined = np.zeros(len(cells), dtype=np.int64)
    for bit, (b, c) in enumerate(zip(by, codes)):
        values = prot.values(b, c)
        out[b] = values if b == "dow" else pd.Series(values, dtype=object)
        combined |= (c < 0).astype(np.int64) << bit
    out["count"] = counts
    out["shown_as"] = pd.Series(_shown_as(res < floor, code > want, combined, by),
                                dtype=object)
    return out


def _shown_as(coarser, longer, combined, by) -> np.ndarray:
    """The ``shown_as`` text per row, from whether it is coarser, longer or combined."""
    key = coarser.astype(np.int64) | (longer.astype(np.int64) << 1) | (combined << 2)
    out = np.empty(len(key), dtype=object)
    for k in np.unique(key):
        why = [WHY_SPACE] if k & 1 else []
        why += [WHY_TIME] if k & 2 else []
        why += [WHY_BREAKDOWN.format(b) for i, b in enumerate(by) if (k >> 2) & (1 << i)]
        out[key == k] = f"rolled up ({'; '.join(why)})" if why else SHOWN_BASE
    return out


def _dates(days) -> np.ndarray:
    codes, uniques = pd.factorize(days)
    objects = np.array([_EPOCH + dt.timedelta(days=int(d)) for d in uniques], dtype=object)
    return objects[codes] if len(days) else np.zeros(0, dtype=object)


def _days(value) -> int:
    return (pd.Timestamp(value).date() - _EPOCH).days


def _unit_mondays(start, end, span) -> tuple[np.ndarray, np.ndarray]:
    """First and last Monday of each unit's period, within the loaded weeks ``span``."""
    first = start + (4 - start) % 7        # day 4 (1970-01-05) is a Monday
    last = end - (end - 4) % 7
    return np.maximum(first, span[0]), np.minimum(last, span[1])


def protected_table(con, audience, feed: str, *, atoms: bool = False
                    ) -> tuple[Protected, tuple]:
    """Return the audience's protected base table for ``feed`` and the loaded weeks' span.

    Cached in-process per database file, policy, feed and store version, within a budget of
    :data:`CACHE_UNITS` released units and :data:`CACHE_TABLES` tables; a store in memory is
    protected afresh on each call.
    Call :func:`clear_release_cache` after writing to ``facts`` other than by ingest.

    Parameters
    ----------
    atoms : bool
        Also keep, per atom, where it went and its events (``atom_unit``, ``atom_n``): for the
        policy owner's utility report only. Such a table is built afresh and not cached.
    """
    policy = _policy(audience)
    cur = store.cursor(con)
    cur.execute("SET enable_progress_bar = false")
    sig = _store_version(cur, feed)
    span = ((sig[-2] - _EPOCH).days, (sig[-1] - _EPOCH).days) if sig[-2] else (0, 0)
    key = (sig, policy, feed)
    if not sig[0] or atoms:
        return _build(cur, policy, feed, atoms=atoms), span
    while True:   # single flight: one build per key, later callers wait for it
        with _LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key], span
            pending = _BUILDING.get(key)
            if pending is None:
                pending = _BUILDING[key] = threading.Event()
                break
        pending.wait()
    try:
        prot = _from_disk_or_build(cur, policy, feed, sig)
        with _LOCK:
            _CACHE[key] = prot
            while len(_CACHE) > CACHE_TABLES or (len(_CACHE) > 1 and sum(
                    len(p.units) for p in _CACHE.values()) > CACHE_UNITS):
                _CACHE.popitem(last=False)
    finally:
        with _LOCK:
            _BUILDING.pop(key).set()
    return prot, span


def _from_disk_or_build(cur, policy: Policy, feed: str, sig: tuple) -> Protected:
    """The protected table kept beside the store (:mod:`profiles.release.table_files`), or a
    new build, which is then kept there for every later process."""
    from profiles.release import table_files

    folder = table_files.folder_for(sig[0])
    key = table_files.table_key(sig[1:], policy, feed, store.base_resolution(cur))
    prot = table_files.read_table(folder, key, policy_ladder(policy, feed))
    if prot is None:
        prot = _build(cur, policy, feed)
        table_files.write_table(folder, key, prot)
    return prot


def _build(cur, policy: Policy, feed: str, *, atoms: bool = False) -> Protected:
    prot = protect(load_base_table(cur, policy, feed), policy_ladder(policy, feed),
                   threshold=policy.threshold, rounding_base=policy.rounding_base,
                   base_resolution=store.base_resolution(cur))
    if not atoms:
        prot.atom_unit = prot.atom_n = np.zeros(0, dtype=np.int64)   # views need only units
    return prot


def warm_release_cache(con, audiences, feeds=EVENT_FEEDS, *, hold: bool = True
                       ) -> list[tuple[str, str, float]]:
    """Build the protected tables of ``audiences`` x ``feeds`` now, so first views are fast.

    The dashboard calls this in a background thread when it opens a database (``lantern
    serve``), so the first person to open a page after a load does not wait for the roll-up.
    A view asked for while its table is being built waits for that build (no second build).
    Feeds an audience may not see are skipped. Returns (audience, feed, seconds) per table.

    With ``hold=False`` a table is only made sure of on disk (:mod:`profiles.release.
    table_files`: built and kept there if missing, not even read if present) and not held in
    this process's memory: for audiences fewer people view, whose first view then reads the
    kept file (well under a second) instead of building it.

    Examples
    --------
    >>> from profiles import store
    >>> [(a, f) for a, f, _ in warm_release_cache(store.connect(":memory:"), ["partnership"],
    ...                                           feeds=["on_street"])]
    [('partnership', 'on_street')]
    """
    import time

    timings = []
    for audience in audiences:
        policy = _policy(audience)
        for feed in feeds:
            if policy.may_see(feed):
                t0 = time.perf_counter()
                if hold:
                    protected_table(con, policy, feed)
                else:
                    _keep_on_disk(con, policy, feed)
                timings.append((policy.name, feed, time.perf_counter() - t0))
    return timings


def _keep_on_disk(con, policy: Policy, feed: str) -> None:
    """Build ``policy``'s protected table of ``feed`` and keep it on disk, unless it is kept
    there already or the store is in memory (then there is no disk to keep it on)."""
    from profiles.release import table_files

    cur = store.cursor(con)
    cur.execute("SET enable_progress_bar = false")
    sig = _store_version(cur, feed)
    if not sig[0]:
        return
    folder = table_files.folder_for(sig[0])
    key = table_files.table_key(sig[1:], policy, feed, store.base_resolution(cur))
    if not (folder / f"{key}{table_files.SUFFIX}").exists():
        table_files.write_table(folder, key, _build(cur, policy, feed))


def keep_tables(db_path, audiences) -> list[tuple[str, str, float]]:
    """Build the protected tables of ``audiences`` for the store at ``db_path`` and keep them
    on disk beside it, so the first server start (or view) after a load reads them instead of
    building them. Tables already kept are left as they are. Returns (audience, feed, seconds) per
    table, as :func:`warm_release_cache` does.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from profiles import store
    >>> db = pathlib.Path(tempfile.mkdtemp()) / "empty.duckdb"
    >>> store.connect(db).close()
    >>> [(a, f) for a, f, _ in keep_tables(db, ["partnership"])][:2]
    [('partnership', 'on_street'), ('partnership', 'premises')]
    """
    from profiles.release.source import open_read_only

    con = open_read_only(db_path)
    try:
        return warm_release_cache(con, audiences, hold=False)
    finally:
        con.close()


def _store_version(cur, feed: str) -> tuple:
    """The database file (None in memory), and what changes whenever the feed's data does."""
    rows = [store.fetch_row(cur, sql, params) for sql, params in (
        ("SELECT path FROM duckdb_databases() WHERE database_name = current_database()", []),
        ("SELECT count(*), coalesce(max(ingest_id), 0), "
         "coalesce(string_agg(file_sha256, ',' ORDER BY ingest_id), '') FROM ingests", []),
        ("SELECT count(*), coalesce(sum(n), 0), coalesce(sum(n_keyed), 0) FROM facts "
         "WHERE feed = ?", [feed]),
        ("SELECT count(*) FROM subjects WHERE feed = ?", [feed]),
        ("SELECT min(week), max(week) FROM facts", []))]
    return tuple(v for row in rows for v in row)


def clear_release_cache() -> None:
    """Forget every cached protected table (after writing to the store directly)."""
    with _LOCK:
        _CACHE.clear()


def load_base_table(con, policy: Policy, feed: str) -> BaseTable:
    """Return the audience's base table for ``feed``: floor cell x week x its breakdowns.

    Breakdown values come back from DuckDB as codes into sorted label lists, and rows are
    summed to the base grain with numpy, so no Python object is made per fact.
    """
    floor = int(policy.floor_for(feed))
    dims = tuple(policy.breakdowns_for(feed))
    labels = {}
    if dims:
        lists = store.fetch_row(con, "SELECT " + ", ".join(
            f"list(DISTINCT {d} ORDER BY {d})" for d in dims) + " FROM facts WHERE feed = ?",
            [feed])
        labels = {d: np.array(values or [], dtype=np.int64 if d == "dow" else object)
                  for d, values in zip(dims, lists)}
    coded = "".join(f", list_position(?, {d}) - 1 AS {d}" for d in dims)
    lists = [labels[d].tolist() for d in dims]
    head = (f"CAST(h3_parent(cell, {floor}) AS BIGINT) AS cell, "
            f"datediff('day', DATE '1970-01-01', week) AS day{coded}")
    facts = con.execute(f"SELECT {head}, n, n - n_keyed AS anon FROM facts WHERE feed = ?",
                        lists + [feed]).fetchnumpy()
    subs = con.execute(f"SELECT {head}, CAST(hash(subject) >> 1 AS BIGINT) AS subject "
                       f"FROM subjects WHERE feed = ?", lists + [feed]).fetchnumpy()
    sizes = [len(labels[d]) for d in dims]
    cell_code, cells = pd.factorize(np.asarray(facts["cell"], dtype=np.int64))

    def pack(frame, codes):
        key = codes.astype(np.int64) * 100_000 + np.asarray(frame["day"], dtype=np.int64)
        for d, k in zip(dims, sizes):
            key = key * k + np.asarray(frame[d], dtype=np.int64)
        return key

    atom, keys = pd.factorize(pack(facts, cell_code))
    count = len(keys)
    first = np.zeros(count, dtype=np.int64)
    first[atom[::-1]] = np.arange(len(atom))[::-1]
    sub_atom = np.zeros(0, dtype=np.int64)
    subject = np.zeros(0, dtype=np.int64)
    if len(subs["subject"]) and count:
        sub_cells = pd.Index(cells).get_indexer(np.asarray(subs["cell"], dtype=np.int64))
        found = sub_cells >= 0
        sub_atom = pd.Index(keys).get_indexer(pack(subs, sub_cells))
        found &= sub_atom >= 0
        subject = pd.factorize(np.asarray(subs["subject"], dtype=np.int64)[found])[0]
        width = int(subject.max()) + 1 if len(subject) else 1
        pairs = pd.unique(sub_atom[found].astype(np.int64) * width + subject)
        sub_atom, subject = pairs // width, pairs % width
    return BaseTable(
        cell=np.asarray(facts["cell"], dtype=np.int64)[first].astype(np.uint64),
        day=np.asarray(facts["day"], dtype=np.int64)[first],
        dims={d: np.asarray(facts[d], dtype=np.int64)[first] for d in dims},
        n=np.bincount(atom, weights=facts["n"], minlength=count).astype(np.int64),
        anon=np.bincount(atom, weights=facts["anon"], minlength=count).astype(np.int64),
        subject_atom=sub_atom.astype(np.int64), subject=subject.astype(np.int64),
        labels=labels)


def _area_anchors(con, area_id: int) -> np.ndarray:
    rows = store.cursor(con).execute("SELECT CAST(cell AS BIGINT) AS cell FROM area_cells "
                                     "WHERE area_id = ?", [area_id]).fetchnumpy()
    return np.asarray(rows["cell"]).astype(np.uint64)


def resolve_area(con, area) -> int:
    """Return the id of an area given by name or id; refuse an unknown one."""
    rows = store.cursor(con).execute("SELECT area_id, name FROM areas ORDER BY area_id") \
        .fetchall()
    for area_id, name in rows:
        if str(area) == name or str(area) == str(area_id):
            return int(area_id)
    known = ", ".join(repr(n) for _, n in rows) or "none loaded"
    raise ReleaseError(f"unknown area {area!r}; areas are: {known}",
                       words=f"There is no area called {area!r} loaded. Choose one from the "
                             f"list.")


def release_areas(con) -> pd.DataFrame:
    """Return the loaded areas (id, name, type, number of base cells). Areas are public."""
    return store.cursor(con).execute(
        """SELECT a.area_id, a.name, a.area_type, count(c.cell) AS cells
           FROM areas a LEFT JOIN area_cells c USING (area_id)
           GROUP BY ALL ORDER BY a.area_type, a.name""").df()


def release_area_cells(con, area, audience, *, touching: bool = False) -> list[str]:
    """Return the string ids of the area's cells at the audience's resolution floor.

    A floor cell belongs to the area when its centre cell does (the rule that places released
    hexagons in areas). With ``touching``, every floor cell that holds part of the area is
    returned instead (what can be offered for an area smaller than one such cell); area
    membership is public reference data, not a count.
    """
    policy = _policy(audience)
    anchors = _area_anchors(con, resolve_area(con, area))
    floor_cells = np.unique(cells_to_parents(anchors, policy.resolution_floor))
    if touching:
        return cells_to_str(floor_cells)
    res = store.base_resolution(con)
    inside = np.isin(cells_to_center_children(floor_cells, res), anchors)
    return cells_to_str(floor_cells[inside])


def release_periods(con) -> list[dt.date]:
    """Return the weeks (Mondays) that hold any data, oldest first."""
    rows = store.cursor(con).execute("SELECT DISTINCT week FROM facts ORDER BY week").fetchall()
    return [r[0] for r in rows]


__all__ = ["EVENT_FEEDS", "GRAINS", "PERIODS", "PolicyError", "ReleaseError", "ReleasedTable",
           "SHOWN_BASE", "clear_release_cache", "disclosure_statement", "keep_tables",
           "protected_table",
           "warm_release_cache",
           "release_area_cells", "release_areas", "release_counts", "release_periods",
           "resolve_area", "round_counts", "view"]
