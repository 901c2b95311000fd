"""Where things go on a map: cell centres and outlines, line bands, views that fit.

Pure geometry for :mod:`dashboard.maps`; nothing here knows about figures.
"""
from __future__ import annotations

import math

import h3

def positions(h3_ids) -> tuple[list, list]:
    """Return (lats, lons) of the cells' centres, for placing symbols."""
    pts = [h3.cell_to_latlng(c) for c in h3_ids]
    return [p[0] for p in pts], [p[1] for p in pts]


#: Share of a hexagon's size its fill covers: the thin gap left between neighbours shows the
#: layer underneath and separates them without a line layer.
HEX_COVERAGE = 0.9
#: Thickness of a rolled-up hexagon's ring, as a share of the radius of a hexagon one
#: resolution finer than the finest rolled-up one (as thick on the ground for larger ones).
RING_SHARE = 0.1
_WORLD_M = 40_075_016.686   # the equator in metres; deck.gl's world is 512 px wide at zoom 0
DEGREE_M = 111_195.08       # metres in one degree of latitude


def metres_per_pixel(lat: float, zoom: float) -> float:
    """Return how many metres one screen pixel covers at ``lat`` and deck.gl ``zoom``.

    >>> round(metres_per_pixel(0.0, 0.0))
    78272
    >>> round(metres_per_pixel(60.0, 1.0))
    19568
    """
    return _WORLD_M * math.cos(math.radians(lat)) / 512 / 2 ** zoom


def hex_ring(h3_id: str, scale: float = 1.0) -> list[list[float]]:
    """Return a cell's boundary as ``[lon, lat]`` pairs, shrunk towards its centre by ``scale``.

    >>> ring = hex_ring("881f1d4a91fffff")
    >>> len(ring), len(hex_ring("881f1d4a91fffff", 0.5))
    (6, 6)
    """
    lat0, lon0 = h3.cell_to_latlng(h3_id)
    return [[round(lon0 + scale * (lon - lon0), 6), round(lat0 + scale * (lat - lat0), 6)]
            for lat, lon in h3.cell_to_boundary(h3_id)]


#: Decimals of degrees in drawn outlines: 5 places is about a metre on the ground, far below
#: a pixel at any zoom the maps open at, and a deck spec a fifth smaller than with 6.
PLACES = 5


def rounded(rings, places: int = PLACES) -> list:
    """Return polygon rings (lists of ``[lon, lat]``) to ``places`` decimals.

    >>> rounded([[[1.0000049, 54.1234567], [1.2, 54.3]]])
    [[[1.0, 54.12346], [1.2, 54.3]]]
    """
    return [[[round(x, places), round(y, places)] for x, y in ring] for ring in rings]


def line_band(path, width_m: float) -> list[list]:
    """Return a path as filled polygons ``width_m`` metres wide (each a list of rings).

    A closed path (first point = last) gives one polygon with a hole: the outline itself.

    >>> square = [[1.0, 54.5], [1.01, 54.5], [1.01, 54.51], [1.0, 54.51], [1.0, 54.5]]
    >>> [len(rings) for rings in line_band(square, 30.0)]
    [2]
    """
    import shapely

    lat0 = sum(p[1] for p in path) / len(path)
    kx, ky = DEGREE_M * math.cos(math.radians(lat0)), DEGREE_M
    pts = [(lon * kx, lat * ky) for lon, lat in path]
    closed = len(pts) > 3 and pts[0] == pts[-1]
    line = shapely.LinearRing(pts) if closed else shapely.LineString(pts)
    band = line.buffer(width_m / 2, cap_style="flat", join_style="mitre", mitre_limit=3.0)
    polys = [band] if band.geom_type == "Polygon" else list(getattr(band, "geoms", []))

    def ring(coords) -> list:
        out = []
        for x, y in coords:     # to :data:`PLACES` decimals, repeats dropped: a smaller spec
            point = [round(x / kx, PLACES), round(y / ky, PLACES)]
            if not out or point != out[-1]:
                out.append(point)
        return out

    return [[ring(p.exterior.coords), *(ring(h.coords) for h in p.interiors)]
            for p in polys if not p.is_empty]


def view_for(h3_ids, *, width: int = 900, height: int = 620) -> tuple[float, float, float]:
    """Return (lat, lon, zoom) that fits the cells in a map of about ``width`` x ``height``."""
    if not len(h3_ids):
        return 54.5, 1.0, 11.0
    lats, lons = [], []
    for c in h3_ids:
        for la, lo in h3.cell_to_boundary(c):
            lats.append(la)
            lons.append(lo)
    return view_for_bounds([min(lons), min(lats), max(lons), max(lats)], width=width,
                           height=height)


def view_for_bounds(bounds, *, width: int = 900, height: int = 620
                    ) -> tuple[float, float, float]:
    """Return (lat, lon, zoom) that fits ``[west, south, east, north]`` in a map of about
    ``width`` x ``height`` pixels, with a small margin.

    >>> lat, lon, zoom = view_for_bounds([0.94, 54.46, 1.06, 54.54])
    >>> round(lat, 2), round(lon, 2), 11 < zoom < 13
    (54.5, 1.0, True)
    """
    west, south, east, north = (float(v) for v in bounds)
    lat, lon = (south + north) / 2, (west + east) / 2
    span_lon = max(east - west, 1e-4)
    # latitude spans grow towards the poles on a Web Mercator map
    span_lat = max(north - south, 1e-4) / math.cos(math.radians(lat))
    # deck.gl's world is 512 px wide at zoom 0
    zoom = min(math.log2(width * 360 / (512 * span_lon)),
               math.log2(height * 360 / (512 * span_lat)))
    return lat, lon, round(zoom - 0.4, 2)


#: Pixel offsets tried, nearest first, for a name that would sit on a hexagon's letter.
NUDGES = sorted(([dx, dy] for dx in range(-160, 161, 16) for dy in range(-96, 97, 12)),
                key=lambda o: (o[0] ** 2 + (2 * o[1]) ** 2, o))


def labels_clear_of(labels, h3_ids, *, metres_per_px: float, text_size: int,
                    size: int, within=None):
    """Give each name in ``labels`` (a frame: ``name`` written ``text_size`` pixels high at
    ``lat``/``lon``) the nearest pixel ``offset`` (:data:`NUDGES`) at which it touches none
    of the ``size``-pixel letters drawn at the centres of ``h3_ids``, at the zoom the map
    opens at:
    names and letters both stay legible, and every hexagon keeps its letter. With
    ``within`` (a shapely area per name) a name stays inside its own area.

    >>> import h3
    >>> import pandas as pd
    >>> cell = "891f1d4a903ffff"
    >>> lat, lon = h3.cell_to_latlng(cell)
    >>> names = pd.DataFrame({"name": ["Ashcombe Ward"], "lat": [lat], "lon": [lon]})
    >>> labels_clear_of(names, [cell], metres_per_px=5.0, text_size=14, size=13)["offset"][0]
    [0, -24]
    """
    import shapely

    out = labels.copy()
    lat, lon = positions(list(h3_ids)) if len(h3_ids) else ([], [])
    offsets = []
    for i, (name, la, lo) in enumerate(zip(out["name"], out["lat"], out["lon"])):
        kx = 111_320 * math.cos(math.radians(la)) / metres_per_px   # pixels per degree
        ky = 110_540 / metres_per_px
        half_w = len(str(name)) * text_size * 0.32 + size * 0.6 + 2   # bold sans, with halo
        half_h = text_size * 0.6 + size * 0.6 + 2
        points = [((x - lo) * kx, (la - y) * ky) for x, y in zip(lon, lat)]   # y down

        def fits(o) -> bool:
            inside = within is None or within[i].contains(
                shapely.Point(lo + o[0] / kx, la - o[1] / ky))
            return inside and not any(abs(px - o[0]) < half_w and abs(py - o[1]) < half_h
                                      for px, py in points)
        offsets.append(next((o for o in NUDGES if fits(o)), [0, 0]))
    out["offset"] = offsets
    return out
