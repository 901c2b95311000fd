"""Cell-key perturbation: every released unit's figure moved once, the same way every time.

This is the Cell Key Method of the ONS 2021 Census and ABS TableBuilder, fitted to a store
that holds aggregated rows rather than records:

* **Record keys.** Each row of ``facts`` has a secret *record key*: a 64-bit hash of the
  store's release salt (``meta.release_salt``, random per store, never shown) and the row's
  own grain and count (:data:`RECORD_KEY_SQL`).
* **Cell key.** A unit's cell key is the sum (mod 2**64) of the record keys of the rows behind
  it. Two units that hold exactly the same rows - a ward-week that is the whole force's
  week, a hexagon-quarter that is its own area's quarter - have the same key and so the same
  noise; asking for a unit again gives the same figure, so averaging repeats gains nothing.
* **p-table.** The noise is drawn from the cell key and the count through
  :data:`PTABLE` for the force's and the hexagons' units: 0 half the time, +-1 a fifth each,
  +-2 a twentieth each (mean 0, mean absolute change 0.6); and through the wider
  :data:`WIDE_PTABLE` for an area's units (up to +-3, mean absolute change 1.0), because an
  area less the others of its type is how a hidden area would be singled out. Both are cut
  symmetrically near the threshold, so they stay unbiased and never go under it.
* **Never a small figure.** Only units with at least the threshold of people are perturbed
  and shown (the others are hidden), and the cut p-table never takes them under it. Then the audience's rounding is applied. So no released figure, and no sum of
  them, is ever 1 ... threshold - 1.

A new load changes only the keys of the units holding the new rows, and it redraws their
noise: the change a reader sees is the true change plus the difference of two draws, so one
new report cannot be read off as "+1".

Examples
--------
>>> import numpy as np
>>> perturb_counts(np.array([3, 10, 50]), np.array([1, 2, 3], dtype=np.uint64), threshold=3)
array([ 3,  9, 51])
>>> perturb_counts(np.array([3, 10, 50]), np.array([1, 2, 3], dtype=np.uint64), threshold=3)
array([ 3,  9, 51])
"""
from __future__ import annotations

import numpy as np

#: The noise a unit's count can take and its probability (a symmetric p-table, mean 0): the
#: force's units and the hexagons' units.
PTABLE = ((-2, 0.05), (-1, 0.20), (0, 0.50), (1, 0.20), (2, 0.05))
#: The wider p-table of an area's units: an area's figure less the others of its type is the
#: one way to single out a hidden area, so its noise is what that difference is made of.
WIDE_PTABLE = ((-3, 0.04), (-2, 0.09), (-1, 0.22), (0, 0.30), (1, 0.22), (2, 0.09),
               (3, 0.04))
PTABLES = {"narrow": PTABLE, "wide": WIDE_PTABLE}
#: The largest change perturbation makes to a unit's figure (before rounding).
MAX_CHANGE = max(abs(v) for table in PTABLES.values() for v, _ in table)
#: SQL for one ``facts`` row's record key; its one parameter is the store's release salt.
RECORD_KEY_SQL = ("CAST(hash(?, feed, cell, week, dow, band, category, detail, n, n_keyed) "
                  "AS UBIGINT)")
_FALLBACK_SALT = "lantern-release-salt-v1"


def release_salt(con) -> str:
    """Return the store's secret release salt (``meta.release_salt``).

    A store written by a version without one uses a fixed fallback until it is next written
    to (then :func:`profiles.store.connect` adds a random salt). Never shown anywhere.
    """
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'release_salt'").fetchone()
    except Exception:  # noqa: BLE001 - a store without meta (an empty test connection)
        row = None
    return row[0] if row else _FALLBACK_SALT


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a well-spread uint64 of each uint64 (wrapping arithmetic)."""
    z = np.asarray(values, dtype=np.uint64).copy()
    with np.errstate(over="ignore"):
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return z


def noise(fingerprints, counts, *, floor=None, table: str = "narrow") -> np.ndarray:
    """Return each unit's noise from its cell key and true count, through :data:`PTABLE`.

    With ``floor`` (per unit, the smallest figure it may show), the p-table is cut
    symmetrically to changes no larger than ``count - floor`` and renormalised, so it stays
    unbiased: a unit of exactly the threshold is shown as it is, one above it moves by at most
    one.
    """
    fp = np.asarray(fingerprints, dtype=np.uint64)
    counts = np.asarray(counts, dtype=np.int64)
    with np.errstate(over="ignore"):
        key = _mix(fp ^ (counts.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)))
    u = (key >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    values = np.array([v for v, _ in PTABLES[table]], dtype=np.int64)
    probs = np.array([p for _, p in PTABLES[table]])
    widest = int(values.max())
    room = np.full(len(counts), widest, dtype=np.int64) if floor is None else \
        np.clip(counts - np.asarray(floor, dtype=np.int64), 0, widest)
    out = np.zeros(len(counts), dtype=np.int64)
    for r in np.unique(room):
        at = room == r
        allowed = np.abs(values) <= r
        cuts = np.cumsum(np.where(allowed, probs, 0.0))
        cuts /= cuts[-1]
        pick = np.minimum(np.searchsorted(cuts, u[at], side="right"), len(values) - 1)
        out[at] = values[pick]
    return out


def perturb_counts(counts, fingerprints, *, threshold: int, rounding_base: int = 1,
                   table="narrow") -> np.ndarray:
    """Return the released figures of units of ``counts`` events with these cell keys.

    Every unit given must hold at least ``threshold`` people (the caller hides the rest).
    The figure is ``count + noise``, at least ``threshold``, then rounded (halves up) to
    ``rounding_base``. ``table`` names the p-table (:data:`PTABLES`), per unit or for all;
    None leaves the counts exact.
    """
    counts = np.asarray(counts, dtype=np.int64)
    if table is None:
        moved = np.zeros(len(counts), dtype=np.int64)
    elif isinstance(table, str):
        moved = noise(fingerprints, counts, floor=np.full(len(counts), threshold), table=table)
    else:   # per unit, the name of its p-table
        table = np.asarray(table, dtype=object)
        moved = np.zeros(len(counts), dtype=np.int64)
        for name in {t for t in table.tolist() if t is not None}:
            at = table == name
            moved[at] = noise(np.asarray(fingerprints)[at], counts[at],
                              floor=np.full(int(at.sum()), threshold), table=str(name))
    shown = np.maximum(counts + moved, threshold)
    if rounding_base > 1:
        shown = (2 * shown + rounding_base) // (2 * rounding_base) * rounding_base
    return shown.astype(np.int64)


__all__ = ["MAX_CHANGE", "PTABLE", "PTABLES", "WIDE_PTABLE", "RECORD_KEY_SQL", "noise", "perturb_counts",
           "release_salt"]
