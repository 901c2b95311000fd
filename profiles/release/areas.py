"""Areas for releases: resolving a name, its cells, and the loaded weeks (public reference).

Area boundaries and which hexagons belong to an area are public reference data, not counts;
nothing here reads ``facts`` except the list of loaded weeks.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.cells import cells_to_parents, cells_to_str
from profiles import store
from profiles.release.audiences import get_policy
from profiles.release.errors import PlainWordsError
from profiles.release.nesting import cells_to_center_children


class ReleaseError(PlainWordsError):
    """A release was asked for something the audience may not see, or that does not exist."""



def area_name(con, area_id: int) -> str:
    """Return the name of the area ``area_id``."""
    row = store.fetch_row(store.cursor(con), "SELECT name FROM areas WHERE area_id = ?",
                          [area_id])
    return row[0] if row else str(area_id)


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


def study_areas(con, refuse: type) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the loaded areas (:func:`release_areas`) and the force areas among them.

    Raises
    ------
    refuse
        An error class taking ``words=`` (a plain-words error), raised when no area is
        loaded, so that there is no study area.
    """
    areas = release_areas(con)
    if areas.empty:
        raise refuse("no areas are loaded, so there is no study area; load the areas feed "
                     "first (lantern ingest areas FILE)",
                     words="No areas are loaded yet, so there is no study area. Load the "
                           "force's boundaries (Data status) first.")
    return areas, areas[areas["area_type"] == "force"]


def release_area_cells(con, area, audience, *, touching: bool = False) -> list[str]:
    """Return the string ids of the area's cells at the audience's resolution floor.

    A floor cell belongs to the area when its centre cell does (the rule that places released
    hexagons in areas). With ``touching``, every floor cell that holds part of the area is
    returned instead (what can be offered for an area smaller than one such cell); area
    membership is public reference data, not a count.
    """
    policy = get_policy(audience)
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


__all__ = ["ReleaseError", "area_name", "release_area_cells", "release_areas",
           "release_periods", "resolve_area", "study_areas"]
