"""Drawing helpers: pydeck layers for released tables, legible with no basemap tiles.

Design rules (the map must read on a projector with no street map underneath):

* counts shade hexagons with **viridis** (light = few, dark = many); a second or third feed is
  drawn as proportional **circles** in **Okabe–Ito** colours, so layers never hide each other;
* reference layers are drawn as text: outreach sites as labelled markers, environment features
  as letters (L, C, T, P, I, R) with a legend, area outlines as dark lines with names;
* the force area is filled a light sand colour so the town stands out from the sea;
* every pickable object carries a ready-made ``tip`` built from released values only, and the
  deck's tooltip shows nothing else.

First paint on machines with no GPU (software WebGL) is dominated by compiling one shader
program per *kind* of deck.gl layer, not by the data (a few hundred hexagons are nothing). So
the map page draws with as few kinds as it can: every hexagon, ring and boundary line is a
filled polygon computed here (one ``SolidPolygonLayer`` program), and outreach sites are
labels (the ``TextLayer`` program the area names need anyway). ``H3HexagonLayer`` strokes and
``PathLayer`` lines each cost a further second or more on such machines.

Nothing here computes a figure: values arrive released, and are only coloured and placed.
"""
from __future__ import annotations

import html
import math
import re

import h3
import pandas as pd
import pydeck as pdk

# Colour-blind-safe sequential palette (viridis, 6 steps), light to dark for "more".
VIRIDIS = [(253, 231, 37), (122, 209, 81), (34, 168, 132), (42, 120, 142), (65, 68, 135),
           (68, 1, 84)]
#: Okabe–Ito qualitative palette (colour-blind safe).
OKABE_ITO = {"orange": (230, 159, 0), "sky blue": (86, 180, 233), "bluish green": (0, 158, 115),
             "yellow": (240, 228, 66), "blue": (0, 114, 178), "vermillion": (213, 94, 0),
             "reddish purple": (204, 121, 167), "black": (0, 0, 0)}

#: feed -> (label, unit, Okabe–Ito colour when drawn as circles)
FEEDS = {
    "on_street": ("On-street activity", "events", OKABE_ITO["sky blue"]),
    "harm_reports": ("Harm reports", "reports", OKABE_ITO["reddish purple"]),
    "community_concerns": ("Community concerns", "reports", OKABE_ITO["yellow"]),
    "outreach_contacts": ("Outreach contacts", "contacts", OKABE_ITO["bluish green"]),
    "premises": ("Off-street premises", "assessments", OKABE_ITO["blue"]),
}
#: premises category -> Okabe–Ito colour (blue, orange, vermillion: rising concern)
PREMISES_COLOURS = {"non-nuisance": OKABE_ITO["blue"], "nuisance": OKABE_ITO["orange"],
                    "risk": OKABE_ITO["vermillion"]}
#: environment feature -> letter drawn on the map
ENVIRONMENT_LETTERS = {"lighting fault": "L", "cctv": "C", "transport route": "T",
                       "lorry park": "P", "isolated space": "I", "residential": "R"}
HOT, COLD = OKABE_ITO["vermillion"], OKABE_ITO["blue"]
#: pydeck's "no style given" value: Streamlit then draws no basemap at all (a missing style
#: would make it fetch Carto tiles, which fail offline and leave the map black).
NO_BASEMAP = "__MAP_STYLE__"
#: A literal string for pydeck: unquoted strings become data accessors ("@@=pixels").
PIXELS = '"pixels"'
#: Text layers build their font atlas from the characters their labels use, not all ASCII.
AUTO = '"auto"'
#: Label font: the sans-serif the rest of the page uses, not deck.gl's default monospace.
FONT = '"Helvetica, Arial, sans-serif"'
LAND = (247, 243, 232)


def positions(h3_ids) -> tuple[list, list]:
    """Return (lats, lons) of the cells' centres, for placing symbols."""
    pts = [h3.cell_to_latlng(c) for c in h3_ids]
    return [p[0] for p in pts], [p[1] for p in pts]


#: Share of a hexagon's size its fill covers: the thin gap left between neighbours shows the
#: layer underneath and separates them without a line layer.
HEX_COVERAGE = 0.9
#: Thickness of a rolled-up hexagon's ring, as a share of the hexagon's radius.
RING_SHARE = 0.02
_WORLD_M = 40_075_016.686   # the equator in metres; deck.gl's world is 512 px wide at zoom 0
_DEGREE_M = 111_195.08      # metres in one degree of latitude


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


def line_band(path, width_m: float) -> list[list]:
    """Return a path as filled polygons ``width_m`` metres wide (each a list of rings).

    A closed path (first point = last) gives one polygon with a hole: the outline itself.

    >>> square = [[1.0, 54.5], [1.01, 54.5], [1.01, 54.51], [1.0, 54.51], [1.0, 54.5]]
    >>> [len(rings) for rings in line_band(square, 30.0)]
    [2]
    """
    import shapely

    lat0 = sum(p[1] for p in path) / len(path)
    kx, ky = _DEGREE_M * math.cos(math.radians(lat0)), _DEGREE_M
    pts = [(lon * kx, lat * ky) for lon, lat in path]
    closed = len(pts) > 3 and pts[0] == pts[-1]
    line = shapely.LinearRing(pts) if closed else shapely.LineString(pts)
    band = line.buffer(width_m / 2, cap_style="flat", join_style="mitre", mitre_limit=3.0)
    polys = [band] if band.geom_type == "Polygon" else list(getattr(band, "geoms", []))

    def ring(coords) -> list:
        return [[round(x / kx, 6), round(y / ky, 6)] for x, y in coords]

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
    lat, lon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    span_lon = max(max(lons) - min(lons), 1e-4)
    span_lat = max(max(lats) - min(lats), 1e-4) / math.cos(math.radians(lat))
    # deck.gl's world is 512 px wide at zoom 0
    zoom = min(math.log2(width * 360 / (512 * span_lon)),
               math.log2(height * 360 / (512 * span_lat)))
    return lat, lon, round(zoom - 0.4, 2)


def color_steps(values, palette=VIRIDIS) -> tuple[list, list]:
    """Return a colour per value (equal-count class breaks) and the classes' lower bounds."""
    values = list(values)
    if not values:
        return [], []
    ordered = sorted(values)
    k = min(len(palette), len(set(ordered)))
    breaks = sorted({ordered[min(len(ordered) - 1, int(len(ordered) * i / k))]
                     for i in range(k)})
    colours = []
    for v in values:
        idx = max(i for i, b in enumerate(breaks) if v >= b)
        colours.append(list(palette[_palette_index(idx, len(breaks), len(palette))]))
    return colours, breaks


def _palette_index(i: int, n: int, size: int) -> int:
    return round(i * (size - 1) / max(1, n - 1))


def _chip(colour, *, round_: bool = False, border: str = "#333") -> str:
    radius = "50%" if round_ else "2px"
    return (f"<span style='display:inline-block;width:1.1em;height:1.1em;"
            f"background:rgb{tuple(colour)};border:1px solid {border};border-radius:{radius};"
            f"vertical-align:middle;margin-right:0.3em'></span>")


def legend_html(title: str, breaks: list, unit: str, palette=VIRIDIS) -> str:
    """Return an HTML legend for a shaded layer: a chip and the class range per colour."""
    if not breaks:
        return ""
    rows = []
    for i, b in enumerate(breaks):
        c = palette[_palette_index(i, len(breaks), len(palette))]
        upper = f"–{breaks[i + 1]:,}" if i + 1 < len(breaks) else "+"
        rows.append(f"{_chip(c)}{b:,}{upper}")
    return (f"<div class='lantern-legend'><b>{html.escape(title)}</b><br>"
            f"<small>{html.escape(unit)}</small><br>{'<br>'.join(rows)}</div>")


def key_html(title: str, items: list[tuple], *, round_: bool = True, note: str = "") -> str:
    """Return an HTML key of (colour or letter, words) pairs for circles, letters or lines."""
    rows = []
    for mark, words in items:
        if isinstance(mark, str):
            lead = (f"<b style='display:inline-block;width:1.2em;text-align:center'>"
                    f"{html.escape(mark)}</b>")
        else:
            lead = _chip(mark, round_=round_)
        rows.append(f"{lead}{html.escape(words)}")
    small = f"<br><small>{html.escape(note)}</small>" if note else ""
    return (f"<div class='lantern-legend'><b>{html.escape(title)}</b>{small}<br>"
            f"{'<br>'.join(rows)}</div>")


def split_rollup(frame: pd.DataFrame, floor: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (rows at the audience's floor, rows the release rolled up to larger hexagons)."""
    if "resolution" not in frame or frame.empty:
        return frame, frame.iloc[0:0]
    coarse = frame["resolution"].to_numpy() < floor
    return frame[~coarse], frame[coarse]


def hex_layer(frame: pd.DataFrame, *, layer_id: str, label: str, unit: str,
              opacity: float = 0.85) -> tuple[pdk.Layer, list]:
    """Shade released cells by count (viridis); return (layer, legend breaks).

    Hexagons are filled polygons covering :data:`HEX_COVERAGE` of each cell, so neighbours of
    the same shade stay apart without an outline layer.
    """
    data = frame[["h3_id", "count"]].copy()
    colours, breaks = color_steps(data["count"].tolist())
    data["fill"] = colours
    data["tip"] = [f"<b>{html.escape(label)}</b><br>{c:,} {unit}" for c in data["count"]]
    data["polygon"] = [hex_ring(c, HEX_COVERAGE) for c in data["h3_id"]]
    layer = pdk.Layer("PolygonLayer", data, id=layer_id, get_polygon="polygon",
                      get_fill_color="fill", stroked=False, filled=True, extruded=False,
                      opacity=opacity, pickable=True)
    return layer, breaks


def rollup_layer(frame: pd.DataFrame, *, layer_id: str, label: str,
                 unit: str) -> pdk.Layer | None:
    """Rolled-up rows (larger hexagons) as grey rings on a faint fill: a count spread over a
    wide area is not shaded on the same scale as one hexagon's.

    Two rows per hexagon, both carrying the tooltip: the faint inside, and the ring around
    it (a polygon with the inside as its hole), so no line layer is needed.
    """
    if frame.empty:
        return None
    rows = []
    for c, n in zip(frame["h3_id"], frame["count"]):
        outer, inner = hex_ring(c), hex_ring(c, 1 - RING_SHARE)
        tip = (f"<b>{html.escape(label)}</b><br>{n:,} {unit} across this larger area "
               f"(places with too few to show one by one, combined)")
        rows.append({"h3_id": c, "count": n, "tip": tip, "polygon": [inner],
                     "fill": [120, 120, 120, 20]})
        rows.append({"h3_id": c, "count": n, "tip": tip, "polygon": [outer, inner],
                     "fill": [170, 170, 170, 255]})
    return pdk.Layer("PolygonLayer", pd.DataFrame(rows), id=layer_id, get_polygon="polygon",
                     get_fill_color="fill", stroked=False, filled=True, extruded=False,
                     pickable=True)


def circle_layer(frame: pd.DataFrame, *, layer_id: str, label: str, unit: str, colour,
                 max_radius: float = 22.0, scale_max: int | None = None) -> pdk.Layer:
    """Released counts as circles at cell centres; circle *area* is proportional to count."""
    data = frame[["h3_id", "count"]].copy().sort_values("count", ascending=False)
    top = max(1, int(scale_max or (data["count"].max() if len(data) else 1)))
    data["lat"], data["lon"] = positions(data["h3_id"])
    data["r"] = [3 + max_radius * math.sqrt(c / top) for c in data["count"]]
    data["tip"] = [f"<b>{html.escape(label)}</b><br>{c:,} {unit}" for c in data["count"]]
    return pdk.Layer("ScatterplotLayer", data, id=layer_id, get_position=["lon", "lat"],
                     get_radius="r", radius_units=PIXELS, get_fill_color=[*colour, 150],
                     get_line_color=[*[int(v * 0.6) for v in colour], 255], stroked=True,
                     line_width_min_pixels=2, pickable=True)


def premises_layers(frame: pd.DataFrame, *, max_radius: float = 20.0) -> list[pdk.Layer]:
    """Released premises assessments by category as circles (one layer per category)."""
    layers = []
    top = int(frame["count"].max()) if len(frame) else 1
    for cat, colour in PREMISES_COLOURS.items():
        part = frame[frame["category"] == cat]
        if len(part):
            layers.append(circle_layer(part, layer_id=f"premises-{cat}",
                                       label=f"Premises: {cat}", unit="assessments",
                                       colour=colour, max_radius=max_radius, scale_max=top))
    return layers


#: Pixel offsets of the halo copies drawn behind a label (a 2-pixel ring around each letter).
HALO = [[dx, dy] for dx in (-2, 0, 2) for dy in (-2, 0, 2) if dx or dy]


def label_layers(data: pd.DataFrame, *, layer_id: str, text: str, size: int,
                 colour=(20, 20, 20), halo=(255, 255, 255), pickable: bool = False
                 ) -> list[pdk.Layer]:
    """Bold labels with a halo: each label drawn eight times in ``halo``, shifted two pixels
    round, then once on top in ``colour`` — legible over any shade, and one text program
    (a ``background`` box would compile a second one).

    ``data`` needs ``lat``, ``lon`` and the ``text`` column; its other columns (a ``tip``)
    ride along, so with ``pickable`` the halo answers hovering too.
    """
    # colour and offset per row in both layers: the same vertex layout, so software WebGL
    # builds one pipeline for them (a constant accessor is a different layout)
    common = dict(get_position=["lon", "lat"], get_text=text, get_size=size,
                  size_units=PIXELS, font_weight=700, font_family=FONT, character_set=AUTO,
                  get_color="colour", get_pixel_offset="offset", pickable=pickable)
    ring = data.loc[data.index.repeat(len(HALO))].reset_index(drop=True)
    ring["offset"] = HALO * len(data)
    ring["colour"] = [[*halo, 255]] * len(ring)
    top = data.copy()
    top["offset"] = [[0, 0]] * len(top)
    top["colour"] = [[*colour, 255]] * len(top)
    return [pdk.Layer("TextLayer", ring, id=f"{layer_id}-halo", **common),
            pdk.Layer("TextLayer", top, id=layer_id, **common)]


def sites_layers(sites: pd.DataFrame, *, text_size: int = 14,
                 labels_only: bool = False) -> list[pdk.Layer]:
    """Outreach sites (released, non-confidential) as white markers with a type label.

    With ``labels_only`` each site is one label, white with a black halo, centred on its
    hexagon and carrying the tooltip: no circle or text-box program to compile (faster first
    paint in software WebGL).
    """
    if sites.empty:
        return []
    data = sites.copy()
    data["lat"], data["lon"] = positions(data["h3_id"])
    data["name"] = data["site_type"].str.upper()
    data["tip"] = [f"<b>Outreach site: {html.escape(t)}</b><br>{html.escape(d)}, "
                   f"{html.escape(h)}" for t, d, h in
                   zip(data["site_type"], data["days"], data["hours"])]
    if labels_only:
        return label_layers(data, layer_id="outreach-sites", text="name", size=text_size,
                            colour=(255, 255, 255), halo=(0, 0, 0), pickable=True)
    marker = pdk.Layer("ScatterplotLayer", data, id="outreach-sites", get_position=["lon", "lat"],
                       get_radius=9, radius_units=PIXELS, get_fill_color=[255, 255, 255],
                       get_line_color=[0, 0, 0], stroked=True, line_width_min_pixels=3,
                       pickable=True)
    label = pdk.Layer("TextLayer", data, id="outreach-site-labels", get_position=["lon", "lat"],
                      get_text="name", get_size=text_size, size_units=PIXELS,
                      get_color=[0, 0, 0], get_pixel_offset=[0, -20], font_weight=700,
                      font_family=FONT, background=True, get_background_color=[255, 255, 255, 220],
                      background_padding=[3, 1], pickable=False)
    return [marker, label]


def environment_layer(env: pd.DataFrame, *, text_size: int = 14) -> pdk.Layer | None:
    """Environment features as letters around each cell's centre (one slot per type)."""
    if env.empty:
        return None
    data = env.copy()
    data["lat"], data["lon"] = positions(data["h3_id"])
    data["letter"] = data["feature_type"].map(ENVIRONMENT_LETTERS).fillna("?")
    slots = {t: i for i, t in enumerate(ENVIRONMENT_LETTERS)}
    data["offset"] = [[int(14 * math.cos(2 * math.pi * slots.get(t, 0) / 6)),
                       int(14 * math.sin(2 * math.pi * slots.get(t, 0) / 6))]
                      for t in data["feature_type"]]
    data["tip"] = [f"<b>Environment: {html.escape(t)}</b><br>{n:,} feature(s)"
                   for t, n in zip(data["feature_type"], data["features"])]
    return pdk.Layer("TextLayer", data, id="environment", get_position=["lon", "lat"],
                     get_text="letter", get_size=text_size, size_units=PIXELS,
                     get_color=[30, 30, 30], get_pixel_offset="offset", font_weight=700,
                     font_family=FONT, background=True, get_background_color=[255, 255, 255, 200],
                     background_padding=[2, 0], pickable=True)


def hotspot_layer(table: pd.DataFrame, *, label: str) -> pdk.Layer | None:
    """Gi* hot and cold cells as thick outlines (vermillion hot, blue cold)."""
    shown = table[table["hotspot"].isin(["hot", "cold"])]
    if shown.empty:
        return None
    data = pd.DataFrame({"h3_id": shown["h3_id"].to_numpy()})
    data["line"] = [list(HOT if h == "hot" else COLD) for h in shown["hotspot"]]
    data["tip"] = [f"<b>{'Hot' if h == 'hot' else 'Cold'} spot of {html.escape(label.lower())}"
                   f"</b><br>Getis-Ord Gi*, false discovery rate controlled"
                   for h in shown["hotspot"]]
    return pdk.Layer("H3HexagonLayer", data, id="hotspots", get_hexagon="h3_id",
                     filled=False, stroked=True, get_line_color="line",
                     line_width_min_pixels=4, extruded=False, pickable=True)


def land_layer(outlines: pd.DataFrame) -> pdk.Layer | None:
    """The force area filled a light sand colour (the town, against the sea)."""
    force = outlines[outlines["area_type"] == "force"]
    if force.empty:
        force = outlines
    # the colour per row, like every other polygon layer: one vertex layout, one pipeline
    polys = [{"polygon": p, "fill": [*LAND, 255]} for paths in force["paths"] for p in paths]
    if not polys:
        return None
    return pdk.Layer("PolygonLayer", pd.DataFrame(polys), id="land", get_polygon="polygon",
                     get_fill_color="fill", stroked=False, pickable=False)


def outline_layers(outlines: pd.DataFrame, *, selected: str | None, text_size: int = 15,
                   metres_per_px: float | None = None) -> list[pdk.Layer]:
    """Area outlines as dark lines (the selected area thicker) and area names as labels.

    With no area selected, wards and neighbourhoods are outlined and named; with one
    selected, it is drawn thick and named, and the others thin. Lines are pixels wide
    (``PathLayer``) and names sit on white boxes unless ``metres_per_px`` is given (see
    :func:`metres_per_pixel`): then lines are filled bands as wide on the ground as they
    would be on screen at the opening zoom (they widen as one zooms in) and names have a
    halo (:func:`label_layers`) — only the polygon and text programs to compile.
    """
    if outlines.empty:
        return []
    rows, labels = [], []
    for r in outlines.itertuples():
        chosen = r.name == selected
        if r.area_type == "force":
            width, colour = 3, [40, 40, 40]
        elif chosen:
            width, colour = 5, [0, 0, 0]
        elif r.area_type in ("ward", "neighbourhood"):
            width, colour = 2.5, [30, 30, 30]
        else:
            continue
        rows += [{"path": p, "width": width, "colour": colour} for p in r.paths]
        if chosen or (selected is None and r.area_type in ("ward", "neighbourhood")):
            labels.append({"name": short_name(r.name), "lat": r.label_lat,
                           "lon": r.label_lon})
    if metres_per_px:
        bands = [{"polygon": rings, "colour": r["colour"]} for r in rows
                 for rings in line_band(r["path"], r["width"] * metres_per_px)]
        layers = [pdk.Layer("PolygonLayer", pd.DataFrame(bands), id="area-outlines",
                            get_polygon="polygon", get_fill_color="colour", stroked=False,
                            filled=True, extruded=False, pickable=False)]
    else:
        layers = [pdk.Layer("PathLayer", pd.DataFrame(rows), id="area-outlines",
                            get_path="path", get_width="width", width_units=PIXELS,
                            get_color="colour", pickable=False)]
    if labels and metres_per_px:
        layers += label_layers(pd.DataFrame(labels), layer_id="area-labels", text="name",
                               size=text_size)
    elif labels:
        layers.append(pdk.Layer("TextLayer", pd.DataFrame(labels), id="area-labels",
                                get_position=["lon", "lat"], get_text="name",
                                get_size=text_size, size_units=PIXELS,
                                get_color=[20, 20, 20], font_weight=700, font_family=FONT,
                                background=True, get_background_color=[255, 255, 255, 200],
                                background_padding=[4, 2], pickable=False))
    return layers


def short_name(name: str) -> str:
    """An area's name for a map label: without the "(synthetic)" tag the banner already
    carries, so labels of neighbouring areas do not run into each other."""
    return name.removesuffix(" (synthetic)")


def tip_parts(tip: str) -> tuple[str, str]:
    """Split a ``tip`` (``<b>title</b><br>line<br>line``) into plain (title, lines).

    Streamlit escapes every value it puts into a tooltip template, so tags inside ``tip``
    would show as text: the deck's template holds the markup, the rows plain words.

    >>> tip_parts("<b>Harm reports</b><br>15 reports<br><i>a larger area</i>")
    ('Harm reports', '15 reports\\na larger area')
    >>> tip_parts("no title &amp; no tags")
    ('', 'no title & no tags')
    """
    head, sep, rest = tip.partition("</b>")
    title, body = (head.removeprefix("<b>"), rest.removeprefix("<br>")) if sep else ("", tip)
    body = re.sub(r"<[^>]+>", "", body.replace("<br>", "\n"))
    return html.unescape(title), html.unescape(body)


def deck(layers, *, lat: float, lon: float, zoom: float = 12.0) -> pdk.Deck:
    """A deck with no basemap (tiles cannot load offline) and a released-values tooltip.

    Each row's ``tip`` is also split into ``tip_title`` and ``tip_body`` (:func:`tip_parts`),
    which the tooltip shows: a bold title over the lines.
    """
    layers = [layer for layer in layers if layer is not None]
    for layer in layers:
        rows = layer.data if isinstance(layer.data, list) else []
        for row in rows:
            if isinstance(row, dict) and "tip" in row:
                row["tip_title"], row["tip_body"] = tip_parts(row["tip"])
    return pdk.Deck(layers=layers, map_style=NO_BASEMAP, map_provider=None,
                    initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom),
                    tooltip={"html": "<b>{tip_title}</b><br>{tip_body}",
                             "style": {"fontSize": "16px", "backgroundColor": "#fff",
                                       "color": "#111", "border": "1px solid #333",
                                       "whiteSpace": "pre-line", "maxWidth": "360px"}})


#: reach-against-need status -> Okabe–Ito colour
STATUS_COLOURS = {"unmet need": OKABE_ITO["vermillion"], "low reach": OKABE_ITO["yellow"],
                  "reached": OKABE_ITO["bluish green"],
                  "reach without recorded need": OKABE_ITO["sky blue"]}


def status_layer(cells: pd.DataFrame, *, floor: int,
                 need_unit: str = "need events") -> pdk.Layer:
    """Reach against need per released cell, coloured by status (Okabe–Ito).

    Larger (rolled-up) hexagons are drawn first and paler, so the audience's own hexagons
    read on top of them.
    """
    if "resolution" in cells:
        cells = cells.sort_values("resolution", kind="stable")
        coarse = (cells["resolution"] < floor).to_numpy()
    else:
        coarse = [False] * len(cells)
    data = pd.DataFrame({"h3_id": cells["h3_id"].to_numpy()})
    colours = [STATUS_COLOURS.get(s, OKABE_ITO["black"]) for s in cells["status"]]
    # larger hexagons: outlined in their colour, not filled, so overlaps never mix colours
    data["fill"] = [[*c, 0 if big else 215] for c, big in zip(colours, coarse)]
    data["line"] = [[*c, 255] if big else [60, 60, 60, 255] for c, big in zip(colours, coarse)]
    data["width"] = [3 if big else 1 for big in coarse]

    def shown(v) -> str:
        return "not shown" if pd.isna(v) else f"{int(v):,}"

    data["tip"] = [f"<b>{html.escape(s)}</b><br>need: {shown(n)} {need_unit}<br>"
                   f"outreach contacts: {shown(r)}"
                   + ("<br><i>a larger area: places with too few to show one by one</i>"
                      if c else "")
                   for s, n, r, c in zip(cells["status"], cells["need"], cells["reach"],
                                         coarse)]
    return pdk.Layer("H3HexagonLayer", data, id="reach-status", get_hexagon="h3_id",
                     get_fill_color="fill", get_line_color="line", get_line_width="width",
                     line_width_units=PIXELS, stroked=True, filled=True, extruded=False,
                     pickable=True)
