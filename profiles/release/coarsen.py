"""Fewer, larger hexagons for a wide view: sums of released units into their H3 parents.

A force-wide or national map of resolution-8 hexagons can hold hundreds of thousands of them,
more than a browser should draw. :func:`released_to_parents` adds released units up into their
parents at the finest resolution that keeps the view within a budget of hexagons. The sums are
of **released** units only (each unit goes whole to one parent by its own cell), the same way
every derived figure in Lantern is made, so they reveal nothing the units did not. Units
already coarser than the chosen resolution (roll-ups) are kept as they are.

Examples
--------
>>> import h3, pandas as pd
>>> kids = sorted(h3.cell_to_children("861f1d4a7ffffff", 8))       # 49 cells at resolution 8
>>> frame = pd.DataFrame({"h3_id": kids, "resolution": 8, "count": 5})
>>> out = released_to_parents(frame, max_cells=10)
>>> len(out), int(out["count"].sum()), out.attrs["view_resolution"]
(7, 245, 7)
>>> released_to_parents(frame, max_cells=100) is frame
True
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo.cells import cells_to_parents, resolution_of

#: Hexagons a map view draws at most (each is one or two polygons on the page).
MAP_CELL_BUDGET = 20_000
SHOWN_SUMMED = "summed into a larger hexagon for this wide view"


def released_to_parents(frame: pd.DataFrame, *, max_cells: int = MAP_CELL_BUDGET
                        ) -> pd.DataFrame:
    """Return ``frame`` with its units summed into parents until at most ``max_cells`` remain.

    Parameters
    ----------
    frame : pandas.DataFrame
        A released table (``h3_id``, ``resolution``, ``count`` and any breakdown columns) for
        one period.
    max_cells : int
        The most hexagons the result may hold.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when it is within the budget; otherwise one row per hexagon and
        breakdown value, ``count`` the sum of the released units inside it, ``shown_as``
        :data:`SHOWN_SUMMED` for a summed row. ``attrs["view_resolution"]`` is the
        resolution the units were summed to (absent when nothing was summed).
    """
    if len(frame) <= max_cells or frame.empty:
        return frame    # unchanged (and not written to: a cached frame is shared)
    import h3
    keys = [c for c in frame.columns if c not in
            ("h3_id", "cell", "resolution", "count", "shown_as")]
    finest = int(frame["resolution"].max())
    for res in range(finest - 1, -1, -1):
        parents = [h if r <= res else h3.cell_to_parent(h, res)
                   for h, r in zip(frame["h3_id"], frame["resolution"])]
        summed = frame.assign(h3_id=parents,
                              resolution=[min(int(r), res) for r in frame["resolution"]])
        out = (summed.groupby(["h3_id", "resolution", *keys], as_index=False, dropna=False)
               ["count"].sum())
        if len(out) <= max_cells or res == 0:
            out["shown_as"] = SHOWN_SUMMED
            out.attrs["view_resolution"] = res
            return out
    return frame  # pragma: no cover - the loop always returns


def view_resolution(frames, *, max_cells: int = MAP_CELL_BUDGET) -> int | None:
    """Return the finest resolution at which the hexagons of all ``frames`` together number at
    most ``max_cells`` (units coarser than it kept as they are), or None when they already do.

    Several released tables drawn on one map (need and outreach, say) are summed to this one
    resolution by :func:`released_to_resolution`, so their hexagons match.

    >>> import h3, pandas as pd
    >>> kids = [h3.str_to_int(c) for c in h3.cell_to_children("861f1d4a7ffffff", 8)]
    >>> frames = [pd.DataFrame({"cell": kids[:30]}), pd.DataFrame({"cell": kids[20:]})]
    >>> view_resolution(frames, max_cells=49) is None, view_resolution(frames, max_cells=10)
    (True, 7)
    """
    cells = np.unique(np.concatenate([np.asarray(f["cell"], dtype=np.uint64) for f in frames]
                                     or [np.zeros(0, dtype=np.uint64)]))
    if len(cells) <= max_cells:
        return None
    for res in range(int(resolution_of(cells).max()) - 1, 0, -1):
        if len(np.unique(cells_to_parents(cells, res))) <= max_cells:
            return res
    return 0


def released_to_resolution(frame: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """Return released units (``cell``, ``count``) summed into their parents at
    ``resolution``; units already at it or coarser are kept as they are. Each unit goes whole
    to one parent, so the sums are of released figures only.

    >>> import h3, pandas as pd
    >>> kids = [h3.str_to_int(c) for c in h3.cell_to_children("861f1d4a7ffffff", 8)]
    >>> out = released_to_resolution(pd.DataFrame({"cell": kids, "count": 5}), 6)
    >>> h3.int_to_str(int(out["cell"].iloc[0])), out["count"].tolist()
    ('861f1d4a7ffffff', [245])
    """
    cells = cells_to_parents(np.asarray(frame["cell"], dtype=np.uint64), int(resolution))
    counts = pd.Series(np.asarray(frame["count"]), dtype="int64")
    summed = counts.groupby(cells, sort=True).sum()
    return pd.DataFrame({"cell": summed.index.to_numpy(dtype=np.uint64),
                         "count": summed.to_numpy()})


__all__ = ["MAP_CELL_BUDGET", "SHOWN_SUMMED", "released_to_parents", "released_to_resolution",
           "view_resolution"]
