"""Events to facts: H3 cells, period buckets and integer codes, aggregated in DuckDB.

:func:`insert_events` is the one writer every event feed's loader uses
(:mod:`profiles.store.loaders`, :mod:`profiles.store.adverts`): rows are turned into integer
codes (cell, week, day of week, time band, category, detail, subject) and grouped in DuckDB;
labels are put back only on the grouped rows. Subject references are stored only as keyed
hashes (:func:`profiles.store.keys.keyed_hashes`), each hashed once.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.cells import points_to_cells
from profiles.store import database as store
from profiles.store.database import TIME_BANDS
from profiles.store.keys import keyed_hashes

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


def insert_events(con, rows: pd.DataFrame, ingest_id, key, base, *, feed, category,
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
