"""H3 cell work on integer cell ids, vectorised where it matters.

Examples
--------
>>> import numpy as np
>>> cells = points_to_cells(np.array([53.80]), np.array([-1.55]), resolution=9)
>>> cell_to_str(int(cells[0]))
'891942c58b7ffff'
>>> int(resolution_of(cells)[0])
9
>>> cell_to_str(int(cells_to_parents(cells, 7)[0]))
'871942c58ffffff'
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

import numpy as np

from geo.extent import Extent

#: Default base resolution of the store (about 0.1 km² a cell).
BASE_RESOLUTION = 9

_PARALLEL_CHUNK = 100_000   # points per thread below which one thread is used
_RES_SHIFT = np.uint64(52)
_RES_MASK = np.uint64(0xF) << _RES_SHIFT


def points_to_cells(lat, lon, resolution: int = BASE_RESOLUTION) -> np.ndarray:
    """Return the H3 cell (uint64) of every point.

    Vectorised through h3ronpy (cells identical to ``h3.latlng_to_cell``; a test checks),
    split across threads for large inputs.

    Parameters
    ----------
    lat, lon : array-like of float
        WGS84 degrees. Must already be valid (finite, in range): validation is the contracts' job.
    resolution : int
        H3 resolution 0–15.

    Returns
    -------
    numpy.ndarray of uint64

    Raises
    ------
    ValueError
        If any coordinate is not finite or out of range, or the resolution is not 0–15.
    """
    _check_resolution(resolution)
    lat = np.ascontiguousarray(lat, dtype=np.float64)
    lon = np.ascontiguousarray(lon, dtype=np.float64)
    if lat.shape != lon.shape:
        raise ValueError(f"lat has {lat.shape[0]} values but lon has {lon.shape[0]}")
    if lat.size == 0:
        return np.empty(0, dtype=np.uint64)
    bad = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"point {i} is not a valid coordinate: lat={float(lat[i])!r}, "
                         f"lon={float(lon[i])!r}; validate points first (data_contracts)")
    import pyarrow as pa
    from h3ronpy.vector import coordinates_to_cells

    def run(part: slice) -> np.ndarray:
        cells = coordinates_to_cells(lat[part], lon[part], int(resolution))
        return pa.array(cells).to_numpy(zero_copy_only=False).astype(np.uint64, copy=False)

    workers = min(os.cpu_count() or 1, 8, max(1, lat.size // _PARALLEL_CHUNK))
    if workers == 1:
        return run(slice(None))
    # h3ronpy releases the GIL, so threads split the work across cores.
    bounds = np.linspace(0, lat.size, workers + 1).astype(int)
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(run, [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]))
    return np.concatenate(parts)


def is_in_extent(lat, lon, extent: Extent) -> np.ndarray:
    """Return a boolean array: True where the point lies inside ``extent``."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    return ((lat >= extent.min_lat) & (lat <= extent.max_lat)
            & (lon >= extent.min_lon) & (lon <= extent.max_lon))


def resolution_of(cells) -> np.ndarray:
    """Return the resolution (int) of each integer cell id."""
    cells = np.asarray(cells, dtype=np.uint64)
    return ((cells & _RES_MASK) >> _RES_SHIFT).astype(np.int64)


def cells_to_parents(cells, resolution: int) -> np.ndarray:
    """Return each cell's parent at ``resolution`` by bit arithmetic (no Python loop).

    Cells already at or coarser than ``resolution`` are returned unchanged.
    The same arithmetic is used in SQL by :mod:`profiles.store.database` (``h3_parent`` macro).
    """
    _check_resolution(resolution)
    cells = np.asarray(cells, dtype=np.uint64)
    res = resolution_of(cells)
    unused = np.uint64((1 << (3 * (15 - resolution))) - 1)
    parents = (cells & ~_RES_MASK) | (np.uint64(resolution) << _RES_SHIFT) | unused
    return np.where(res > resolution, parents, cells)


def cells_within_rings(cell, k: int = 1) -> list:
    """Return the cells within ``k`` rings of ``cell`` (the cell itself included).

    Accepts and returns the same id type (int or str).
    """
    import h3   # loaded when needed: an ingest of points never needs it

    if k < 0:
        raise ValueError(f"k= must be 0 or more, not {k}")
    if isinstance(cell, str):
        return list(h3.grid_disk(cell, k))
    return list(h3.api.basic_int.grid_disk(int(cell), k))


def polygon_to_cells(geometry, resolution: int = BASE_RESOLUTION) -> np.ndarray:
    """Return the integer cells whose centres fall inside a shapely (Multi)Polygon in WGS84."""
    import h3

    _check_resolution(resolution)
    shape = h3.geo_to_h3shape(geometry.__geo_interface__)
    cells = h3.h3shape_to_cells(shape, resolution)
    return np.array(sorted(h3.str_to_int(c) for c in cells), dtype=np.uint64)


def area_to_cells(geometry, resolution: int = BASE_RESOLUTION) -> tuple[np.ndarray, bool]:
    """Return an area's cells, and whether it was too small to hold a cell centre.

    An area (Polygon or MultiPolygon, holes allowed, WGS84) covers the cells whose centres it
    contains. An area smaller than one hexagon contains none: it is then given the one cell
    that holds its representative point (a point always inside the area), so a page that
    selects it still has somewhere to look.

    Returns
    -------
    (numpy.ndarray of uint64, bool)
        The sorted cells, and True when the representative-point cell was used.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> cells, tiny = area_to_cells(box(1.0, 54.5, 1.0001, 54.5001), 9)
    >>> len(cells), tiny
    (1, True)
    """
    cells = polygon_to_cells(geometry, resolution)
    if len(cells) or geometry.is_empty:
        return cells, False
    point = geometry.representative_point()
    return points_to_cells(np.array([point.y]), np.array([point.x]), resolution), True


def cells_to_polygons(cells) -> list:
    """Return a shapely Polygon (lon/lat, WGS84) for each cell, in order."""
    import h3

    from shapely.geometry import Polygon

    out = []
    for c in cells:
        s = c if isinstance(c, str) else h3.int_to_str(int(c))
        out.append(Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(s)]))
    return out


def cell_to_str(cell: int) -> str:
    """Return the hexadecimal string id of an integer cell."""
    import h3

    return h3.int_to_str(int(cell))


def cells_to_str(cells: Iterable) -> list[str]:
    """Return the string ids of integer cells."""
    import h3

    return [h3.int_to_str(int(c)) for c in cells]


def str_to_cell(cell: str) -> int:
    """Return the integer id of a string cell, refusing anything that is not a valid cell."""
    import h3

    try:
        value = h3.str_to_int(cell)
    except Exception:
        value = None
    if value is None or not h3.is_valid_cell(cell):
        raise ValueError(f"{cell!r} is not a valid H3 cell id")
    return value


def _check_resolution(resolution: int) -> None:
    if not isinstance(resolution, (int, np.integer)) or not 0 <= int(resolution) <= 15:
        raise ValueError(f"resolution= must be an integer 0–15, not {resolution!r}")


def cells_to_center(cells) -> tuple[float, float]:
    """Return the mean (lat, lon) of the cells' centres, e.g. to centre a map view."""
    import h3

    pts = [h3.cell_to_latlng(c if isinstance(c, str) else h3.int_to_str(int(c))) for c in cells]
    if not pts:
        raise ValueError("cells= is empty; there is nothing to centre on")
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
