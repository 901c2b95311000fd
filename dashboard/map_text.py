"""Map labels as filled shapes: a name's letters drawn by the polygon program, with a halo.

With no GPU (software WebGL), deck.gl's ``TextLayer`` costs about a second of a map's first
paint: its font atlas is drawn on a canvas, and its program, which samples a texture, is
compiled for the first frame. Every map already compiles the polygon program for its
hexagons and boundaries, so a label drawn as polygons costs nothing more to compile
(``bench/README.md``, "the Map's first paint").

Each label is the outline of its letters (DejaVu Sans Bold, the font matplotlib ships, so
every machine draws the same shapes) and a halo: the letters widened by two pixels, drawn
first in a contrasting colour. Both are sized on the ground for the zoom the map opens at, as
the boundary bands are (:func:`dashboard.map_geometry.line_band`): at that zoom a 14-pixel
label is 14 pixels tall, and it grows as one zooms in.

Nothing here knows about figures: it draws the words it is given where it is told.
"""
from __future__ import annotations

import math
import threading
from functools import lru_cache

import shapely
from shapely import affinity

from dashboard.map_geometry import PLACES, DEGREE_M

#: Width of a label's halo, in pixels at the opening zoom.
HALO_PX = 2.0
#: The font of map labels: bold, and shipped with matplotlib (the same shapes everywhere).
FONT_FILE = "DejaVuSans-Bold.ttf"
#: One FreeType face serves every session's thread; it keeps state while it lays out glyphs.
_FONT_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _font():
    from matplotlib import get_data_path
    from matplotlib.font_manager import get_font
    from matplotlib.textpath import TextToPath

    font = get_font(f"{get_data_path()}/fonts/ttf/{FONT_FILE}")
    font.set_size(TextToPath.FONT_SCALE, TextToPath.DPI)
    return font


@lru_cache(maxsize=4096)
def text_shapes(text: str, size: float) -> tuple:
    """Return (letters, halo) of ``text`` as shapely shapes in pixels, y up, centred on (0, 0)
    as deck.gl centres a label (middle of the text, middle of its ink).

    Each glyph is filled by the even-odd rule (its counters are holes), and glyphs are joined,
    so letters that kerning brings together stay solid.

    >>> letters, halo = text_shapes("VAN STOP", 14)
    >>> round(letters.bounds[2] - letters.bounds[0]), halo.contains(letters)
    (78, True)
    """
    from matplotlib.path import Path
    from matplotlib.textpath import TextToPath, text_to_path

    with _FONT_LOCK:
        glyphs, shapes = text_to_path.get_glyphs_with_font(_font(), text)[:2], []
    for glyph_id, x, y, scale in glyphs[0]:
        verts, codes = glyphs[1][glyph_id]
        glyph = shapely.Polygon()
        for ring in Path(verts * scale + (x, y), codes).to_polygons():
            if len(ring) >= 3:
                glyph = glyph.symmetric_difference(shapely.Polygon(ring).buffer(0))
        shapes.append(glyph)
    letters = shapely.union_all(shapes)
    if letters.is_empty:
        return letters, letters
    letters = affinity.scale(letters, size / TextToPath.FONT_SCALE, size / TextToPath.FONT_SCALE,
                             origin=(0, 0))
    x0, y0, x1, y1 = letters.bounds
    letters = affinity.translate(letters, -(x0 + x1) / 2, -(y0 + y1) / 2).simplify(0.15)
    halo = letters.buffer(HALO_PX, join_style="round", quad_segs=2).simplify(0.3)
    return letters, halo


def _polygons(shape) -> list:
    return [p for p in getattr(shape, "geoms", [shape]) if not p.is_empty]


def placed(shape, lat: float, lon: float, *, metres_per_px: float, offset=(0, 0)) -> list:
    """Return ``shape`` (pixels, y up) as deck.gl polygons (rings of ``[lon, lat]``) centred
    at ``lat``, ``lon``, moved by ``offset`` pixels (x right, y down, as deck.gl's
    ``getPixelOffset``); a pixel is ``metres_per_px`` on the ground.

    >>> from shapely import box
    >>> placed(box(-1, -1, 1, 1), 0.0, 0.0, metres_per_px=111_195.08)[0][0][:2]
    [[1.0, -1.0], [1.0, 1.0]]
    """
    per_lat = metres_per_px / DEGREE_M
    per_lon = per_lat / max(0.01, math.cos(math.radians(lat)))
    dx, dy = offset
    out = []
    for poly in _polygons(shape):
        out.append([[[round(lon + (x + dx) * per_lon, PLACES),
                      round(lat + (y - dy) * per_lat, PLACES)] for x, y in ring.coords]
                    for ring in (poly.exterior, *poly.interiors)])
    return out


def label_rows(data, *, text: str, size: float, metres_per_px: float,
               pickable: bool = False) -> list[dict]:
    """Rows of one ``PolygonLayer`` drawing ``data``'s labels: every halo first (``ci`` 0),
    then every label's letters on top (``ci`` 1).

    ``data`` has ``lat``, ``lon``, the ``text`` column and optionally ``offset`` (pixels) and
    ``h3_id``; each row carries its label's words (under ``text``) and hexagon, and with
    ``pickable`` its ``tip_title`` and ``tip_body``.
    """
    halos, tops = [], []
    for rec in data.to_dict("records"):
        letters, halo = text_shapes(str(rec[text]), float(size))
        where = dict(metres_per_px=metres_per_px, offset=rec.get("offset") or (0, 0))
        tip = {text: rec[text], **({"h3_id": rec["h3_id"]} if "h3_id" in rec else {}),
               **({"tip_title": rec.get("tip_title", ""), "tip_body": rec.get("tip_body", "")}
                  if pickable else {})}
        halos += [{"polygon": p, "ci": 0, **tip}
                  for p in placed(halo, rec["lat"], rec["lon"], **where)]
        tops += [{"polygon": p, "ci": 1, **tip}
                 for p in placed(letters, rec["lat"], rec["lon"], **where)]
    return halos + tops
