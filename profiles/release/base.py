"""The store SQL of the release layer: a feed's facts summed to a layer's base grain.

:func:`load_base_table` reads ``facts`` and ``subjects`` for one feed at one H3 resolution and
breakdown set and returns a :class:`~profiles.release.disclosure.BaseTable` of *atoms* (cell x
week x breakdown values): events, events without a subject key, the distinct keyed subjects,
and each atom's *record key sum* (:mod:`profiles.release.perturb`), the secret fingerprint of
exactly which store rows lie behind it. Breakdown values come back from DuckDB as codes into
sorted label lists and rows are summed with numpy, so no Python object is made per fact.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from profiles import store
from profiles.release.disclosure import BaseTable, distinct_pairs
from profiles.release.perturb import RECORD_KEY_SQL, release_salt


def load_base_table(con, feed: str, *, resolution: int, dims=(), labels=None,
                    weeks=None) -> BaseTable:
    """Return ``feed``'s atoms at H3 ``resolution`` x week x the breakdowns ``dims``.

    Parameters
    ----------
    con : connection to the store
    feed : str
    resolution : int
        Cells are summed to their parent at this resolution (the store holds 9).
    dims : sequence of {"category", "detail", "band", "dow"}
    labels : dict, optional
        The breakdowns' label lists (:func:`breakdown_labels`), when already read.
    weeks : (first, after) dates, optional
        Only the weeks ``first <= week < after`` (one quarter: :func:`feed_quarters`).

    Returns
    -------
    BaseTable
        With ``fingerprint`` (uint64 per atom): the sum of the secret record keys of the
        store rows behind it, so that two units holding the same rows share one key.
    """
    floor = int(resolution)
    dims = tuple(dims)
    if labels is None:
        labels = breakdown_labels(con, feed, dims)
    where, span = "feed = ?", []
    if weeks is not None:
        where, span = "feed = ? AND week >= ? AND week < ?", list(weeks)
    coded = "".join(f", list_position(?, {d}) - 1 AS {d}" for d in dims)
    lists = [labels[d].tolist() for d in dims]
    head = (f"CAST(h3_parent(cell, {floor}) AS BIGINT) AS cell, "
            f"datediff('day', DATE '1970-01-01', week) AS day{coded}")
    salt = release_salt(con)
    facts = con.execute(f"SELECT {head}, n, n - n_keyed AS anon, {RECORD_KEY_SQL} AS rkey "
                        f"FROM facts WHERE {where}", lists + [salt, feed] + span).fetchnumpy()
    subs = con.execute(f"SELECT {head}, CAST(hash(subject) >> 1 AS BIGINT) AS subject, "
                       f"ingest_id FROM subjects WHERE {where}", lists + [feed] + span
                       ).fetchnumpy()
    rotations = key_rotations(con)
    sizes = [len(labels[d]) for d in dims]
    cell_code, cells = pd.factorize(np.asarray(facts["cell"], dtype=np.int64))

    def pack(frame, codes):
        return _atom_key(codes, frame["day"], [frame[d] for d in dims], sizes)

    atom, keys = pd.factorize(pack(facts, cell_code))
    count = len(keys)
    first = _first_of(atom, count)
    fingerprint = np.zeros(count, dtype=np.uint64)
    np.add.at(fingerprint, atom, np.asarray(facts["rkey"], dtype=np.uint64))
    sub_atom = np.zeros(0, dtype=np.int64)
    subject = np.zeros(0, dtype=np.int64)
    epoch_of_code = np.zeros(0, dtype=np.int64)
    complete = not len(subs["subject"])      # every subject row lies in an atom
    if len(subs["subject"]) and count:
        sub_cells = pd.Index(cells).get_indexer(np.asarray(subs["cell"], dtype=np.int64))
        found = sub_cells >= 0
        sub_atom = pd.Index(keys).get_indexer(pack(subs, sub_cells))
        found &= sub_atom >= 0
        complete = bool(found.all())
        subject, uniques = pd.factorize(np.asarray(subs["subject"], dtype=np.int64)[found])
        if rotations:   # the key each hash was made with: after how many rotations
            row_epoch = np.searchsorted(np.asarray(rotations, dtype=np.int64),
                                        np.asarray(subs["ingest_id"], dtype=np.int64)[found],
                                        side="left")
            epoch_of_code = np.zeros(len(uniques), dtype=np.int64)
            epoch_of_code[subject] = row_epoch
        sub_atom, subject = distinct_pairs(sub_atom[found], subject)
    base = BaseTable(
        cell=np.asarray(facts["cell"], dtype=np.int64)[first].astype(np.uint64),
        day=np.asarray(facts["day"], dtype=np.int64)[first],
        dims={d: np.asarray(facts[d], dtype=np.int64)[first] for d in dims},
        n=np.bincount(atom, weights=facts["n"], minlength=count).astype(np.int64),
        anon=np.bincount(atom, weights=facts["anon"], minlength=count).astype(np.int64),
        subject_atom=sub_atom.astype(np.int64), subject=subject.astype(np.int64),
        labels=labels, subject_epoch=epoch_of_code)
    base.fingerprint = fingerprint
    base.first_row, base.subjects_complete = first, complete
    return base


def _atom_key(cell_code, day, codes, sizes) -> np.ndarray:
    """One int64 per row naming its atom: its cell's code, its week's day and its breakdown
    ``codes`` (each of ``sizes`` values), packed."""
    key = np.asarray(cell_code, dtype=np.int64) * 100_000 + np.asarray(day, dtype=np.int64)
    for values, k in zip(codes, sizes):
        key = key * k + np.asarray(values, dtype=np.int64)
    return key


def _first_of(codes: np.ndarray, count: int) -> np.ndarray:
    """For each of ``count`` codes, the first position in ``codes`` that holds it."""
    first = np.zeros(count, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return first


def cell_parents(cells: np.ndarray, resolution: int) -> np.ndarray:
    """Each H3 cell's parent at ``resolution`` (no coarser than the cell), as uint64.

    Bit arithmetic on the index (its resolution field, and the digits below ``resolution``
    set to 7, unused), as ``h3.cell_to_parent`` does, for a whole array at once.

    Examples
    --------
    >>> import h3
    >>> cell = h3.latlng_to_cell(54.57, -1.23, 9)
    >>> parent = cell_parents(np.array([h3.str_to_int(cell)], np.uint64), 7)[0]
    >>> h3.int_to_str(int(parent)) == h3.cell_to_parent(cell, 7)
    True
    """
    r = int(resolution)
    h = (np.asarray(cells, dtype=np.uint64) & ~np.uint64(0xF << 52)) | np.uint64(r << 52)
    return h | np.uint64((1 << ((15 - r) * 3)) - 1)


def coarser(base: BaseTable, resolution: int) -> BaseTable | None:
    """The base table :func:`load_base_table` returns for the same feed, breakdowns and
    weeks at the coarser H3 ``resolution``, summed from ``base`` (a table it loaded) with no
    second pass over the store; None when that cannot be exact (a subject row of ``base``'s
    store lay in no atom of it, so the coarser table might hold it): load it instead.

    Identical to the loaded table, array for array and in the same order: an atom of the
    coarser table is the fine atoms of its cell's children with its week and breakdown
    values, listed where its first store row lies (the least of theirs); its events,
    unkeyed events and record-key sum are theirs summed; its (atom, subject) pairs are
    theirs, repeats dropped, in the order of their first rows; subject codes and their key
    epochs are the fine table's, which read the same subject rows.
    """
    if not getattr(base, "subjects_complete", False) or \
            not (np.diff(base.first_row) > 0).all():    # atoms not by first row: read it
        return None
    size = len(base)
    parent = cell_parents(base.cell, resolution)
    dims = tuple(base.dims)
    sizes = [len(base.labels[d]) for d in dims]
    cell_code = pd.factorize(parent.view(np.int64))[0]
    key = _atom_key(cell_code, base.day, [base.dims[d] for d in dims], sizes)
    # The fine atoms are listed by their first store rows, so coarse atoms numbered as they
    # first appear among them are listed by theirs; each one's first fine atom leads it.
    atom = pd.factorize(key)[0].astype(np.int64)
    count = int(atom.max()) + 1 if size else 0
    lead = _first_of(atom, count)
    fingerprint = np.zeros(count, dtype=np.uint64)
    np.add.at(fingerprint, atom, base.fingerprint)
    sub_atom, subject = base.subject_atom, base.subject
    if len(subject):
        sub_atom, subject = distinct_pairs(atom[sub_atom], subject)
    out = BaseTable(
        cell=parent[lead], day=base.day[lead], dims={d: base.dims[d][lead] for d in dims},
        n=np.bincount(atom, weights=base.n, minlength=count).astype(np.int64),
        anon=np.bincount(atom, weights=base.anon, minlength=count).astype(np.int64),
        subject_atom=sub_atom.astype(np.int64), subject=subject.astype(np.int64),
        labels=base.labels, subject_epoch=base.subject_epoch)
    out.fingerprint = fingerprint
    out.first_row, out.subjects_complete = base.first_row[lead], True
    return out


def breakdown_labels(con, feed: str, dims) -> dict:
    """Each breakdown's values in ``feed`` (sorted): the code tables of its base tables, read
    from the whole feed so that every quarter's tables share them."""
    if not dims:
        return {}
    lists = store.fetch_row(con, "SELECT " + ", ".join(
        f"list(DISTINCT {d} ORDER BY {d})" for d in dims) + " FROM facts WHERE feed = ?",
        [feed])
    return {d: np.array(values or [], dtype=np.int64 if d == "dow" else object)
            for d, values in zip(dims, lists)}


def feed_quarters(con, feed: str, most_rows: int) -> list:
    """Spans of whole quarters of ``feed``'s weeks, as (first day, first day after) dates,
    each of at most ``most_rows`` facts rows where a quarter allows (a quarter of more is a
    span of its own); ``[None]`` (everything at once) when the feed holds no more than that.
    A week is in its Monday's quarter, as in :func:`~data_contracts.periods.period_starts`,
    and no released unit spans two quarters, so a span's units are the feed's own there."""
    rows = con.execute("SELECT CAST(date_trunc('quarter', week) AS DATE) AS q, count(*) "
                       "FROM facts WHERE feed = ? GROUP BY q ORDER BY q", [feed]).fetchall()
    if sum(n for _, n in rows) <= most_rows:
        return [None]
    spans, held = [], most_rows + 1
    for q, n in rows:
        after = (pd.Timestamp(q) + pd.DateOffset(months=3)).date()
        if held + n > most_rows:
            spans.append([q, after])
            held = 0
        spans[-1][1] = after
        held += n
    return [tuple(s) for s in spans]


def floor_cells(con, feed: str, resolution: int) -> np.ndarray:
    """The distinct cells at ``resolution`` that hold ``feed``'s facts anywhere, sorted."""
    rows = con.execute(f"SELECT DISTINCT CAST(h3_parent(cell, {int(resolution)}) AS BIGINT) "
                       "AS cell FROM facts WHERE feed = ?", [feed]).fetchnumpy()
    return np.sort(np.asarray(rows["cell"], dtype=np.int64).astype(np.uint64))


def key_rotations(con) -> list[int]:
    """The last ingest id loaded under each retired key, oldest first (``meta.key_rotations``):
    a subject row of ingest ``i`` was hashed with key ``k`` = how many of these are < ``i``."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'key_rotations'").fetchone()
    except Exception:  # noqa: BLE001 - a store without meta (an empty test connection)
        row = None
    return [int(v) for v in row[0].split(",") if v] if row and row[0] else []


def area_memberships(con) -> tuple[np.ndarray, np.ndarray]:
    """Return (area id, base cell) for every cell of every loaded area (public reference)."""
    rows = store.cursor(con).execute("SELECT area_id, CAST(cell AS BIGINT) AS cell "
                                     "FROM area_cells").fetchnumpy()
    return (np.asarray(rows["area_id"], dtype=np.int64),
            np.asarray(rows["cell"], dtype=np.int64).astype(np.uint64))


__all__ = ["area_memberships", "breakdown_labels", "cell_parents", "coarser", "feed_quarters",
           "floor_cells", "key_rotations", "load_base_table"]
