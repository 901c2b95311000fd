"""Where a file's points and areas are: the coordinate system, converted to WGS84, never misread.

Points come as ``lat``/``lon`` (WGS84 degrees), ``easting``/``northing`` (British National
Grid unless a CRS is given) or ``x``/``y`` (British National Grid when the values are plainly
grid metres, longitude/latitude when they are degrees; the summary says which). A CRS from a
recipe or ``--crs`` wins over all of these; a CRS the file declares (GeoJSON ``crs`` member,
GeoPackage, Shapefile ``.prj``) wins over guessing.

Then the whole file is checked: when most of its points land outside the force area (or the
UK), it is refused with the likely cause (latitude and longitude swapped, metres read as
degrees, degrees read as metres, another CRS), rather than quarantining every row.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data_contracts.values import to_float
from data_contracts.errors import ContractError
from geo.crs import (BNG, CRSError, crs_name, geometries_to_wgs84, is_wgs84,
                     looks_like_degrees, looks_like_grid_metres, points_to_wgs84)
from geo.extent import UK_EXTENT, Extent

#: Coordinate column pairs, (x, y), in the order they are looked for.
PAIRS = (("lon", "lat"), ("easting", "northing"), ("x", "y"))
#: Column names read as a coordinate of a pair (normalised source name -> pair member).
COORDINATE_NAMES = {"easting": "easting", "eastings": "easting", "northing": "northing",
                    "northings": "northing", "x": "x", "y": "y"}
#: A file is refused when more than this share of its points is outside the extent ...
MOSTLY = 0.5
#: ... and at least this many points are outside (fewer are quarantined row by row).
MIN_OUTSIDE = 10


@dataclass
class Placement:
    """How a file's coordinates were read, for the summary."""

    crs: str
    notes: list


def locate_points(path, columns: dict, report, *, crs: str | None, crs_origin: str,
                  declared: str | None, extent: Extent, required: bool = True
                  ) -> Placement | None:
    """Turn a file's coordinate columns into WGS84 ``lat``/``lon`` (in place), or refuse it.

    Parameters
    ----------
    path : Path
        For messages.
    columns : dict
        Column name -> pyarrow text array, after the recipe's renaming. On return, a
        projected pair (``easting``/``northing``, ``x``/``y``, or ``lon``/``lat`` under a
        projected CRS) is replaced by float ``lat``/``lon`` (null where blank, NaN where it
        could not be read or converted: those rows are reported here).
    report : callable
        ``report(column, mask, reason)`` quarantines rows.
    crs : str, optional
        The CRS a recipe or ``--crs`` gives; ``crs_origin`` says where it was given.
    declared : str, optional
        The CRS the file declares.
    extent : Extent
        The force area (or the UK).
    required : bool
        Whether every row needs a point (False where a row may give an H3 cell instead).

    Returns
    -------
    Placement or None
        None when the file has no coordinate pair.

    Raises
    ------
    ContractError
        Unknown CRS, ``x``/``y`` that are neither degrees nor grid metres, or points that
        mostly land outside ``extent`` (with the likely cause).
    """
    pair = next(((x, y) for x, y in PAIRS if x in columns and y in columns), None)
    if pair is None:
        return None
    xname, yname = pair
    x, x_blank = to_float(columns[xname])
    y, y_blank = to_float(columns[yname])
    system, notes = _choose_crs(path, pair, x, y, crs, crs_origin, declared)
    if is_wgs84(system) and pair == ("lon", "lat"):
        _check_plausible(path, y, x, extent, system, pair)
        return Placement(system, notes)
    for name, values, blank in ((xname, x, x_blank), (yname, y, y_blank)):
        report(name, blank if required else blank & ~(x_blank & y_blank), f"{name} is missing")
        report(name, ~blank & np.isnan(values), f"{name} is not a number")
    lat, lon = points_to_wgs84(x, y, system)
    failed = np.isfinite(x) & np.isfinite(y) & np.isnan(lat)
    report(xname, failed, f"{xname} and {yname} cannot be converted from {system}")
    _check_plausible(path, lat, lon, extent, system, pair, source=(x, y))
    both_blank = x_blank & y_blank
    for name, values in (("lat", lat), ("lon", lon)):
        columns[name] = pa.array(values, mask=both_blank, type=pa.float64())
    for name in pair:
        if name not in ("lat", "lon"):
            del columns[name]
    return Placement(system, notes)


def _choose_crs(path, pair, x, y, crs, crs_origin, declared) -> tuple[str, list]:
    if crs:
        try:
            system = crs_name(crs)
        except CRSError as exc:
            raise ContractError(path, f"{crs_origin}: {exc}.", fix="correct the CRS.") from None
        return system, ([f"coordinates read as {system} ({crs_origin})"]
                        if not is_wgs84(system) else [])
    if declared:
        system = _declared_name(path, declared)
        return system, ([f"coordinates read as {system}, as the file declares"]
                        if not is_wgs84(system) else [])
    if pair == ("easting", "northing"):
        return BNG, [f"easting/northing read as British National Grid ({BNG})"]
    if pair == ("x", "y"):
        if looks_like_grid_metres(x, y) > MOSTLY:
            return BNG, [f"x/y hold grid metres, so they were read as British National Grid "
                         f"({BNG}); if they are in another system, give it with --crs"]
        if looks_like_degrees(x, y) > MOSTLY or _located(x, y) < MIN_OUTSIDE:
            return "EPSG:4326", ["x/y hold degrees, so they were read as longitude (x) and "
                                 "latitude (y) in WGS84; if not, give the system with --crs"]
        raise ContractError(path, "the x/y columns hold neither degrees nor British National "
                                  "Grid metres, so Lantern cannot tell where the points are.",
                            column="x", fix="give their coordinate system with --crs "
                                            "EPSG:NNNN (or crs = in the recipe).")
    return "EPSG:4326", []


def _declared_name(path, declared: str) -> str:
    try:
        return crs_name(declared)
    except CRSError:
        raise ContractError(path, f"the file declares the coordinate system {declared!r}, "
                                  f"which Lantern does not know.",
                            fix="export it reprojected to EPSG:4326, or give --crs.") from None


def _located(x, y) -> int:
    return int((np.isfinite(x) & np.isfinite(y)).sum())


def _inside(lat, lon, extent: Extent) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return ((lat >= extent.min_lat) & (lat <= extent.max_lat)
                & (lon >= extent.min_lon) & (lon <= extent.max_lon))


def _check_plausible(path, lat, lon, extent, system, pair, source=None) -> None:
    """Refuse the file when most located points are outside ``extent``, naming the cause."""
    located = np.isfinite(lat) & np.isfinite(lon)
    if source is not None:
        located |= np.isfinite(source[0]) & np.isfinite(source[1])
    n = int(located.sum())
    if not n:
        return
    n_out = n - int((_inside(lat, lon, extent) & located).sum())
    if n_out <= MOSTLY * n:
        return
    if n_out < MIN_OUTSIDE:
        return   # a handful of points: quarantined row by row, each with its reason
    cause, fix = _likely_cause(lat, lon, located, extent, system, pair, source)
    where = extent.describe()
    text = f"{n_out:,} of {n:,} points ({n_out / n:.0%}) would fall outside {where}"
    cause = cause or f"the coordinates are probably not in {system}, or the file is for " \
                     "another area"
    raise ContractError(path, f"{text}: {cause}. A file is never loaded in the wrong place, so "
                              "none of it was loaded.",
                        column=pair[1], fix=fix or "give the file's coordinate system with "
                                                   "--crs EPSG:NNNN (or crs = in the recipe), "
                                                   "or load the force area's boundaries first.")


def _likely_cause(lat, lon, located, extent, system, pair, source):
    """Return (cause, fix) when a known mistake explains the points, else (None, None)."""
    x, y = (lon, lat) if source is None else source
    xs, ys = x[located], y[located]
    if is_wgs84(system):
        if _inside(xs, ys, extent).mean() > MOSTLY:
            return (f"the {pair[1]} and {pair[0]} columns look swapped ({pair[1]} holds values "
                    f"like {np.median(ys):.2f}, {pair[0]} like {np.median(xs):.2f})",
                    f"swap them: in a recipe, map lat to the column now read as {pair[0]} and "
                    f"lon to the one read as {pair[1]}.")
        if looks_like_grid_metres(xs, ys) > MOSTLY:
            return ("the coordinates are metres, not degrees: they look like British National "
                    "Grid eastings and northings",
                    f"load the file with --crs {BNG} (or crs = \"{BNG}\" in the recipe).")
        return None, None
    if looks_like_degrees(xs, ys) > MOSTLY:
        return (f"the file was read as {system}, but its coordinates look like degrees "
                "(latitude and longitude)",
                "remove --crs (or crs = from the recipe), or map the columns to lat and lon.")
    lat2, lon2 = points_to_wgs84(ys, xs, system)
    if _inside(lat2, lon2, extent).mean() > MOSTLY:
        return (f"the {pair[0]} and {pair[1]} columns look swapped",
                f"swap them: map {pair[0]} to the column now read as {pair[1]}, and back.")
    return None, None


def locate_areas(path, geometries: list, *, crs: str | None, crs_origin: str,
                 declared: str | None) -> tuple[list, list]:
    """Return area geometries in WGS84 and notes for the summary, or refuse the file.

    The CRS given by a recipe or ``--crs`` wins, then the one the file declares; with neither,
    the file must be in degrees.

    Raises
    ------
    ContractError
        Unknown CRS; metres with no CRS declared; areas that mostly lie outside the UK.
    """
    notes: list = []
    if crs:
        system, _ = _choose_crs(path, ("lon", "lat"), None, None, crs, crs_origin, None)
        if declared and crs_name(system) != _declared_name(path, declared):
            notes.append(f"the file declares {_declared_name(path, declared)}, but "
                         f"{crs_origin} says {system}: read as {system}")
    elif declared:
        system = _declared_name(path, declared)
    else:
        system = "EPSG:4326"
    points = [g.representative_point() for g in geometries if g is not None and not g.is_empty]
    x = np.array([p.x for p in points], dtype=np.float64)
    y = np.array([p.y for p in points], dtype=np.float64)
    if is_wgs84(system) and len(x) and looks_like_grid_metres(x, y) > MOSTLY:
        raise ContractError(path, "the boundaries' coordinates are metres, not degrees, and "
                                  "the file does not say which coordinate system they are in "
                                  "(they look like British National Grid).",
                            column="geometry",
                            fix=f"load it with --crs {BNG} (or crs = \"{BNG}\" in the recipe).")
    if not is_wgs84(system):
        geometries = geometries_to_wgs84(geometries, system)
        notes.append(f"boundaries reprojected from {system} to WGS84")
        lat, lon = points_to_wgs84(x, y, system)
    else:
        lat, lon = y, x
    _check_plausible(path, lat, lon, UK_EXTENT, system, ("lon", "lat"),
                     source=(x, y) if not is_wgs84(system) else None)
    return geometries, notes


def float_blank(values) -> np.ndarray:
    """Blank mask of a coordinate column: null floats, or blank text."""
    if pa.types.is_floating(values.type):
        return values.is_null().to_numpy(zero_copy_only=False)
    return pc.equal(pc.utf8_trim_whitespace(values), "").to_numpy(zero_copy_only=False)
