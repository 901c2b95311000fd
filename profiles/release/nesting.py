"""How roll-up keys nest: periods inside longer periods, hexagons by their centre cell.

Weeks (Mondays) nest in the month, quarter and year their Monday falls in; a hexagon is placed
in an area by its *centre child* at the store's base resolution. Both are pure functions of the
key, never of the data, which is what lets :mod:`profiles.release.disclosure` build every view from
whole released units.

Examples
--------
>>> [str(np.datetime64(int(d), "D")) for d in period_starts([20157], "quarter")]
['2025-01-01']
"""
from __future__ import annotations

import numpy as np

from geo.cells import resolution_of

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_starts(days, grain: str) -> np.ndarray:
    """Return the first day (days since 1970-01-01) of the period of ``grain`` holding each day.

    ``grain`` is ``week`` (the day itself: store weeks are Mondays), ``month``, ``quarter``,
    ``year`` or ``all`` (day 0).

    Examples
    --------
    >>> d = np.array([20094])   # Monday 2025-01-06
    >>> [str(np.datetime64(int(period_starts(d, g)[0]), "D"))
    ...  for g in ("week", "month", "quarter", "year")]
    ['2025-01-06', '2025-01-01', '2025-01-01', '2025-01-01']
    """
    days = np.asarray(days, dtype=np.int64)
    if grain == "week":
        return days
    if grain == "all":
        return np.zeros(len(days), dtype=np.int64)
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    step = _MONTHS[grain]
    months = months // step * step
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def period_ends(starts, grain: str) -> np.ndarray:
    """Return the last day of each period of ``grain`` that starts on ``starts``."""
    starts = np.asarray(starts, dtype=np.int64)
    if grain == "week":
        return starts + 6
    months = starts.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    nxt = (months + _MONTHS[grain]).astype("datetime64[M]").astype("datetime64[D]")
    return nxt.astype(np.int64) - 1


def cells_to_center_children(cells, resolution: int) -> np.ndarray:
    """Return each cell's centre child at ``resolution`` (cells already that fine unchanged).

    The centre child of a hexagon is the cell at its centre; a rolled-up hexagon belongs to the
    area that holds its centre child.

    Examples
    --------
    >>> import h3
    >>> c = h3.str_to_int("862830827ffffff")
    >>> h3.int_to_str(int(cells_to_center_children([c], 9)[0])) == h3.cell_to_center_child(
    ...     "862830827ffffff", 9)
    True
    """
    cells = np.asarray(cells, dtype=np.uint64)
    out = cells.copy()
    res = resolution_of(cells)
    for r in np.unique(res):
        r = int(r)
        if r >= resolution:
            continue
        mask = 0
        for k in range(r + 1, resolution + 1):
            mask |= 7 << (3 * (15 - k))
        pick = res == r
        cleared = cells[pick] & ~np.uint64((15 << 52) | mask)
        out[pick] = cleared | np.uint64(resolution << 52)
    return out


__all__ = ["cells_to_center_children", "period_ends", "period_starts"]
