"""Coordinate reference systems: any CRS to WGS84 latitude/longitude, vectorised.

Lantern works in WGS84 degrees (EPSG:4326) from the contracts onwards. Partners' files come in
other systems (police exports in British National Grid, EPSG:27700); this module converts them
with pyproj, always in (x, y) = (easting or longitude, northing or latitude) order, whatever
axis order the CRS declares.

Examples
--------
>>> import numpy as np
>>> lat, lon = points_to_wgs84(np.array([594359.36]), np.array([515771.97]), BNG)
>>> round(float(lat[0]), 5), round(float(lon[0]), 5)
(54.5, 1.0)
>>> crs_name("urn:ogc:def:crs:EPSG::27700")
'EPSG:27700'
"""
from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np

#: British National Grid, the system of police and Ordnance Survey eastings and northings.
BNG = "EPSG:27700"
#: WGS84 latitude/longitude, Lantern's own system.
WGS84 = "EPSG:4326"

#: A generous box of plausible BNG eastings/northings (metres), Shetland and the sea included.
BNG_BOUNDS = (-100_000.0, -100_000.0, 900_000.0, 1_300_000.0)


class CRSError(ValueError):
    """A coordinate reference system that pyproj does not know."""


@lru_cache(maxsize=32)
def _crs(text: str):
    import pyproj

    try:
        return pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        raise CRSError(f"{text!r} is not a coordinate reference system Lantern knows; "
                       f"write it as EPSG:NNNN (e.g. {BNG} for British National Grid)") from None


def crs_name(crs) -> str:
    """Return a CRS as ``EPSG:NNNN`` when it has an EPSG code, else its name.

    Raises
    ------
    CRSError
        If ``crs`` is not a CRS pyproj can read.
    """
    parsed = _crs(crs) if isinstance(crs, str) else crs
    code = parsed.to_epsg()
    return f"EPSG:{code}" if code else parsed.name


def is_wgs84(crs) -> bool:
    """Return True when ``crs`` is WGS84 longitude/latitude (EPSG:4326 or OGC CRS84)."""
    if crs is None or crs == WGS84:    # said as Lantern says it: no need to load pyproj
        return True
    name = crs_name(crs)
    return name in (WGS84, "WGS 84") or "CRS84" in str(crs).upper()


#: Points per thread from which a conversion is split across threads (pyproj releases the
#: GIL while it converts; a Transformer is not shared between threads).
_PARALLEL_CHUNK = 250_000
_local = threading.local()


def _transformer(source: str):
    """This thread's transformer from ``source`` to WGS84 (x, y) = (lon, lat)."""
    import pyproj

    cache = _local.__dict__.setdefault("transformers", {})
    if source not in cache:
        cache[source] = pyproj.Transformer.from_crs(_crs(source), _crs(WGS84), always_xy=True)
    return cache[source]


def _transform(source: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (lon, lat); large inputs are split across threads (same result, a test checks)."""
    workers = min(os.cpu_count() or 1, 4, max(1, x.size // _PARALLEL_CHUNK))
    if workers == 1:
        return _transformer(source).transform(x, y)
    from concurrent.futures import ThreadPoolExecutor

    bounds = np.linspace(0, x.size, workers + 1).astype(int)
    parts = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
    with ThreadPoolExecutor(workers) as pool:
        done = list(pool.map(lambda p: _transformer(source).transform(x[p], y[p]), parts))
    return (np.concatenate([np.asarray(d[0]) for d in done]),
            np.concatenate([np.asarray(d[1]) for d in done]))


def points_to_wgs84(x, y, crs) -> tuple[np.ndarray, np.ndarray]:
    """Return (lat, lon) in WGS84 degrees for points given as ``x``/``y`` in ``crs``.

    Parameters
    ----------
    x, y : array-like of float
        Eastings and northings (or longitudes and latitudes) in ``crs``; NaN where unknown.
    crs : str
        Any CRS pyproj reads, e.g. ``EPSG:27700``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Latitudes and longitudes; NaN where the input was NaN or could not be converted.

    Raises
    ------
    CRSError
        If ``crs`` is unknown.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if is_wgs84(crs):
        return y.copy(), x.copy()
    lon, lat = _transform(crs_name(crs), x, y)
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    lat[bad] = np.nan
    lon[bad] = np.nan
    return lat, lon


def geometries_to_wgs84(geometries, crs) -> list:
    """Return shapely geometries reprojected from ``crs`` to WGS84 (lon, lat); None stays None.

    Raises
    ------
    CRSError
        If ``crs`` is unknown.
    """
    import shapely

    if is_wgs84(crs):
        return list(geometries)
    transformer = _transformer(crs_name(crs))

    def move(coords: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return [None if g is None else shapely.transform(g, move) for g in geometries]


def looks_like_grid_metres(x, y, bounds=BNG_BOUNDS) -> float:
    """Return the share of finite points that are plainly metres inside British National Grid.

    A point counts when it is inside ``bounds`` and both coordinates are at least 1,000
    (metres), far beyond any degree value; no land in Great Britain is nearer the grid's
    origin than that.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return 0.0
    x, y = x[finite], y[finite]
    inside = (x >= bounds[0]) & (y >= bounds[1]) & (x <= bounds[2]) & (y <= bounds[3])
    metres = inside & (np.abs(x) >= 1000) & (np.abs(y) >= 1000)
    return float(metres.mean())


def looks_like_degrees(x, y) -> float:
    """Return the share of finite points whose x is a longitude and y a latitude."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return 0.0
    return float(((np.abs(x[finite]) <= 180) & (np.abs(y[finite]) <= 90)).mean())
