"""Area outlines as public reference data: simplified to a tolerance that suits their size.

Boundaries (wards, neighbourhoods, LSOAs, the force) are published public geography. Lantern
keeps each one simplified, so a map can draw the place people recognise rather than the
hexagons that stand for it in the figures — membership for disclosure stays by H3 cell.

The tolerance grows with the area: a thousandth of the width of a square of the same area,
between 2 m and 150 m. An LSOA of 0.4 km² keeps detail to 2 m; a ward of 10 km² to about
3 m; a force of 2,000 km² to about 45 m. Topology is preserved (no ring crosses itself), and
coordinates are rounded to six decimals (about 0.1 m).

Examples
--------
>>> from shapely.geometry import Polygon
>>> square = Polygon([(1.0, 54.5), (1.01, 54.5), (1.01, 54.51), (1.0, 54.51)])
>>> round(outline_tolerance_m(square), 1)
2.0
>>> shape, tol = simplify_outline(square)
>>> shape.geom_type, len(shape.exterior.coords), tol
('Polygon', 5, 2.0)
"""
from __future__ import annotations

import json
import math

#: Metres in one degree of latitude.
DEGREE_M = 111_195.08
#: The tolerance as a share of the width of a square of the outline's area, and its bounds.
TOLERANCE_SHARE, TOLERANCE_MIN_M, TOLERANCE_MAX_M = 0.001, 2.0, 150.0


def _scales(geometry) -> tuple[float, float]:
    """Metres per degree of longitude and latitude at the outline's centre."""
    lat = geometry.centroid.y
    return DEGREE_M * math.cos(math.radians(lat)), DEGREE_M


def outline_tolerance_m(geometry) -> float:
    """Return the simplification tolerance in metres that suits the outline's size."""
    kx, ky = _scales(geometry)
    area_m2 = geometry.area * kx * ky
    return min(TOLERANCE_MAX_M, max(TOLERANCE_MIN_M, TOLERANCE_SHARE * math.sqrt(area_m2)))


def simplify_outline(geometry):
    """Return ``(simplified geometry, tolerance in metres)`` for a (Multi)Polygon in WGS84.

    The outline is simplified in metres (a local flat projection at its centre), keeps its
    topology, and has coordinates rounded to six decimals. A polygon that simplification
    would empty is returned unsimplified.
    """
    import shapely
    from shapely import affinity

    tol = outline_tolerance_m(geometry)
    kx, ky = _scales(geometry)
    flat = affinity.scale(geometry, xfact=kx, yfact=ky, origin=(0, 0))
    simple = flat.simplify(tol, preserve_topology=True)
    if simple.is_empty:
        simple = flat
    back = affinity.scale(simple, xfact=1 / kx, yfact=1 / ky, origin=(0, 0))
    return shapely.set_precision(back, 1e-6), round(tol, 1)


def outline_to_geojson(geometry) -> str:
    """Return an outline as compact GeoJSON geometry text (for storing)."""
    from shapely.geometry import mapping

    return json.dumps(mapping(geometry), separators=(",", ":"))


def geojson_to_outline(text: str):
    """Return the shapely geometry of stored GeoJSON geometry text."""
    from shapely.geometry import shape

    return shape(json.loads(text))


def outline_rings(geometry) -> list[list[list[float]]]:
    """Return every ring (outer and holes) of a (Multi)Polygon as closed ``[lon, lat]`` paths."""
    polys = list(getattr(geometry, "geoms", [geometry]))
    rings = []
    for p in polys:
        for ring in (p.exterior, *p.interiors):
            rings.append([[round(x, 6), round(y, 6)] for x, y in ring.coords])
    return rings


def outline_polygons(geometry) -> list[list[list[list[float]]]]:
    """Return each polygon of a (Multi)Polygon as a list of rings (outer first, then holes)."""
    return [[[[round(x, 6), round(y, 6)] for x, y in ring.coords]
             for ring in (p.exterior, *p.interiors)]
            for p in getattr(geometry, "geoms", [geometry])]


__all__ = ["geojson_to_outline", "outline_polygons", "outline_rings", "outline_to_geojson",
           "outline_tolerance_m", "simplify_outline"]
