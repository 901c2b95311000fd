"""How roll-up keys nest: periods inside longer periods, hexagons by their centre cell.

Weeks (Mondays) nest in the month, quarter and year their Monday falls in; a hexagon is placed
in an area by its *centre child* at the store's base resolution. Both are pure functions of the
key, never of the data, which is what lets :mod:`profiles.release.disclosure` build every view from
whole released units.

Which period holds a week is :func:`data_contracts.periods.period_starts`.
"""
from __future__ import annotations

import numpy as np

from geo.cells import resolution_of


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


__all__ = ["cells_to_center_children"]
