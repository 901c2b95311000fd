"""Drawing helpers: pydeck layers for released tables, legible with no basemap tiles.

Design rules (the map must read on a projector with no street map underneath):

* counts shade hexagons with **viridis** (light = few, dark = many); a second or third feed is
  drawn as proportional **circles** in **Okabe–Ito** colours, so layers never hide each other;
* reference layers are drawn as text: outreach sites as labels, environment features as
  letters (L, C, T, P, I, R) with a legend, area outlines as dark bands with names;
* the force area is filled a light sand colour so the town stands out from the sea;
* every pickable row carries a plain ``tip_title`` and ``tip_body`` built, where its layer is
  made, from released values only; the deck's tooltip shows nothing else.

First paint on machines with no GPU (software WebGL) is dominated by compiling one shader
program per *kind* of deck.gl layer, not by the data (a few hundred hexagons are nothing). So
every page draws with as few kinds as it can: every hexagon, ring and boundary line is a
filled polygon computed here (:func:`cell_shapes`, :func:`outline_layers`: one polygon
program), and area names and outreach sites are haloed letters drawn as polygons too
(:mod:`dashboard.map_text`); only the smaller marks (letters, cues) are ``TextLayer`` text.
``H3HexagonLayer`` strokes, ``PathLayer`` lines and the text program each cost a further
second or so on such machines.
Proportional circles (:func:`circle_layer`) appear only when a second feed is chosen.

Nothing here computes a figure: values arrive released, and are only coloured and placed.
"""
from __future__ import annotations

import html
import json
import math

import h3
import pandas as pd
import pydeck as pdk

from data_contracts.feeds import feed_entry
from data_contracts.words import class_ranges, plural
from geo.basemap import STYLE_PATH
from pydeck.bindings.json_tools import default_serialize

from dashboard.map_geometry import (HEX_COVERAGE, RING_SHARE, hex_ring, labels_clear_of,
                                    line_band, metres_per_pixel, positions, rounded, view_for,
                                    view_for_bounds)
from dashboard.map_text import label_rows

# Colour-blind-safe sequential palette (viridis, 6 steps), light to dark for "more".
VIRIDIS = [(253, 231, 37), (122, 209, 81), (34, 168, 132), (42, 120, 142), (65, 68, 135),
           (68, 1, 84)]
#: Okabe–Ito qualitative palette (colour-blind safe).
OKABE_ITO = {"orange": (230, 159, 0), "sky blue": (86, 180, 233), "bluish green": (0, 158, 115),
             "yellow": (240, 228, 66), "blue": (0, 114, 178), "vermillion": (213, 94, 0),
             "reddish purple": (204, 121, 167), "black": (0, 0, 0)}

#: feed -> Okabe–Ito colour when drawn as circles: the feeds the maps draw, in this order.
FEED_COLOURS = {"on_street": OKABE_ITO["sky blue"], "harm_reports": OKABE_ITO["reddish purple"],
                "community_concerns": OKABE_ITO["yellow"],
                "outreach_contacts": OKABE_ITO["bluish green"], "premises": OKABE_ITO["blue"]}
#: feed -> (label, unit, colour): the label and unit are the feed catalogue's.
FEEDS = {feed: (feed_entry(feed).label, feed_entry(feed).unit.many, colour)
         for feed, colour in FEED_COLOURS.items()}
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
    for i, words in enumerate(class_ranges(breaks)):
        c = palette[_palette_index(i, len(breaks), len(palette))]
        rows.append(f"{_chip(c)}{words}")
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


def coarser_words(hexagons: int, resolution: int) -> str:
    """The legend's words for a wide view drawn as sums into larger hexagons than the
    audience's finest (:func:`profiles.release.released_to_parents`).

    >>> coarser_words(4210, 6)
    'Drawn at a coarser level: 4,210 hexagons of about 36 km² each, sums of released counts; choose a smaller area for the finest level.'
    """
    km2 = h3.average_hexagon_area(int(resolution), unit="km^2")
    size = f"{km2:,.1f}" if km2 < 10 else f"{km2:,.0f}"
    return (f"Drawn at a coarser level: {hexagons:,} hexagons of about {size} km² each, sums "
            f"of released counts; choose a smaller area for the finest level.")


def cell_shapes(frame: pd.DataFrame, *, layer_id: str, fill=None, ring=None,
                ring_share: float = 0.06, ring_res: int | None = None,
                opacity: float = 1.0) -> pdk.Layer | None:
    """Hexagons as filled polygons, each optionally edged by a ring: how every cell is drawn.

    ``frame`` has ``h3_id``, ``tip_title`` and ``tip_body``. ``fill`` and ``ring`` are each an
    RGBA list for every row, the name of a column holding one per row (None in a row: not
    drawn), or None. The fill covers :data:`HEX_COVERAGE` of the cell; the ring is a polygon
    with a hole, ``ring_share`` of the radius thick for a cell at resolution ``ring_res``
    (default: the finest in ``frame``) and as thick on the ground for larger cells, so a big
    rolled-up hexagon never carries a heavier line than a small one. One polygon program draws
    it all, so software WebGL compiles no line or H3 program for it.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"h3_id": ["881f1d4a91fffff"], "tip_title": ["t"], "tip_body": ["b"]})
    >>> len(cell_shapes(f, layer_id="x", fill=[1, 2, 3, 255], ring=[0, 0, 0, 255]).data)
    2
    """
    if frame.empty:
        return None
    rows = []
    if ring_res is None:
        ring_res = max(h3.get_resolution(c) for c in frame["h3_id"])
    for rec in frame.to_dict("records"):
        cell = rec["h3_id"]
        share = min(0.5, ring_share / math.sqrt(7) ** (ring_res - h3.get_resolution(cell)))
        tip = {"h3_id": cell, "tip_title": rec.get("tip_title", ""),
               "tip_body": rec.get("tip_body", "")}
        if "count" in rec:
            tip["count"] = rec["count"]
        colour = rec.get(fill) if isinstance(fill, str) else fill
        if colour is not None:
            rows.append({**tip, "polygon": [hex_ring(cell, HEX_COVERAGE)], "fill": list(colour)})
        colour = rec.get(ring) if isinstance(ring, str) else ring
        if colour is not None:
            rows.append({**tip, "polygon": [hex_ring(cell), hex_ring(cell, 1 - share)],
                         "fill": list(colour)})
    return pdk.Layer("PolygonLayer", rows, id=layer_id, get_polygon="polygon",
                     get_fill_color="fill", stroked=False, filled=True, extruded=False,
                     opacity=opacity, pickable=True)


def hex_layer(frame: pd.DataFrame, *, layer_id: str, label: str, unit: str,
              opacity: float = 0.85) -> tuple[pdk.Layer, list]:
    """Shade released cells by count (viridis); return (layer, legend breaks).

    Hexagons are filled polygons covering :data:`HEX_COVERAGE` of each cell, so neighbours of
    the same shade stay apart without an outline layer.
    """
    data = frame[["h3_id", "count"]].copy()
    colours, breaks = color_steps(data["count"].tolist())
    data["fill"] = colours
    data["tip_title"] = label
    data["tip_body"] = [f"{c:,} {unit}" for c in data["count"]]
    return cell_shapes(data, layer_id=layer_id, fill="fill", opacity=opacity), breaks


def rollup_layer(frame: pd.DataFrame, *, layer_id: str, label: str,
                 unit: str) -> pdk.Layer | None:
    """Rolled-up rows (larger hexagons) as grey rings on a faint fill: a count spread over a
    wide area is not shaded on the same scale as one hexagon's."""
    if frame.empty:
        return None
    data = frame[["h3_id", "count"]].copy()
    data["tip_title"] = label
    data["tip_body"] = [f"{n:,} {unit} across this larger area (places with too few to show "
                        f"one by one, combined)" for n in data["count"]]
    finest = max(h3.get_resolution(c) for c in data["h3_id"])
    return cell_shapes(data, layer_id=layer_id, fill=[120, 120, 120, 20],
                       ring=[170, 170, 170, 255], ring_share=RING_SHARE, ring_res=finest + 1)


def circle_layer(frame: pd.DataFrame, *, layer_id: str, label: str, unit: str, colour,
                 max_radius: float = 22.0, scale_max: int | None = None) -> pdk.Layer:
    """Released counts as circles at cell centres; circle *area* is proportional to count."""
    data = frame[["h3_id", "count"]].copy().sort_values("count", ascending=False)
    top = max(1, int(scale_max or (data["count"].max() if len(data) else 1)))
    data["lat"], data["lon"] = positions(data["h3_id"])
    data["r"] = [3 + max_radius * math.sqrt(c / top) for c in data["count"]]
    data["tip_title"] = label
    data["tip_body"] = [f"{c:,} {unit}" for c in data["count"]]
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


def by_index(colours) -> tuple[list[int], str]:
    """Colours by index: each row's place in a palette (its ``ci``), and the accessor that
    holds the palette once, so a spec carries one small number per row, not four.

    >>> by_index([[1, 2, 3, 255], [9, 9, 9, 255], [1, 2, 3, 255]])
    ([0, 1, 0], 'ci==0?[1,2,3,255]:[9,9,9,255]')
    """
    palette = list(dict.fromkeys(tuple(c) for c in colours))
    place = {c: i for i, c in enumerate(palette)}
    # deck.gl's JSON expressions index no array literal: a chain of conditions instead
    chain = json.dumps(list(palette[-1]), separators=(",", ":"))
    for i in range(len(palette) - 2, -1, -1):
        chain = f"ci=={i}?{json.dumps(list(palette[i]), separators=(',', ':'))}:{chain}"
    return [place[tuple(c)] for c in colours], chain


#: Pixel offsets of the halo copies drawn behind a label (a 2-pixel ring around each letter).
HALO = [[dx, dy] for dx in (-2, 0, 2) for dy in (-2, 0, 2) if dx or dy]


def label_layers(data: pd.DataFrame, *, layer_id: str, text: str, size: int,
                 colour=(20, 20, 20), halo=(255, 255, 255), pickable: bool = False,
                 metres_per_px: float | None = None) -> list[pdk.Layer]:
    """Bold labels with a halo in ``halo`` under letters in ``colour``: legible over any shade.

    With ``metres_per_px`` (the map's opening zoom, :func:`metres_per_pixel`) the labels are
    filled polygons (:mod:`dashboard.map_text`): one ``PolygonLayer``, halos under letters,
    drawn by the polygon program every map compiles anyway, so software WebGL compiles no
    text program and draws no font atlas for them. Without it, deck.gl text: each label drawn
    eight times in ``halo``, shifted two pixels round, then once on top (one text program; a
    ``background`` box would compile a second one).

    ``data`` needs ``lat``, ``lon`` and the ``text`` column, and may have an ``offset`` (pixels)
    per row; with ``pickable`` its ``tip_title`` and ``tip_body`` answer hovering.
    """
    if metres_per_px is not None:
        rows = label_rows(data, text=text, size=size, metres_per_px=metres_per_px,
                          pickable=pickable)
        if not rows:
            return []
        return [pdk.Layer("PolygonLayer", pd.DataFrame(rows), id=layer_id,
                          get_polygon="polygon",
                          get_fill_color=by_index([[*halo, 255], [*colour, 255]])[1],
                          stroked=False, filled=True, extruded=False, pickable=pickable)]
    # colour and offset per row in both layers: the same vertex layout, so software WebGL
    # builds one pipeline for them (a constant accessor is a different layout)
    _, get_color = by_index([[*halo, 255], [*colour, 255]])
    common = dict(get_position=["lon", "lat"], get_text=text, get_size=size,
                  size_units=PIXELS, font_weight=700, font_family=FONT, character_set=AUTO,
                  get_color=get_color, get_pixel_offset="offset", pickable=pickable)
    base = (data["offset"].tolist() if "offset" in data else [[0, 0]] * len(data))
    ring = data.loc[data.index.repeat(len(HALO))].reset_index(drop=True)
    ring["offset"] = [[x + dx, y + dy] for x, y in base for dx, dy in HALO]
    ring["ci"] = 0
    top = data.copy()
    top["offset"] = base
    top["ci"] = 1
    return [pdk.Layer("TextLayer", ring, id=f"{layer_id}-halo", **common),
            pdk.Layer("TextLayer", top, id=layer_id, **common)]


def site_labels(sites: pd.DataFrame) -> pd.DataFrame:
    """Outreach sites' labels: the site type in capitals (``name``) at its hexagon's centre."""
    data = sites.copy()
    data["lat"], data["lon"] = positions(data["h3_id"]) if len(data) else ([], [])
    data["name"] = data["site_type"].str.upper()
    return data


def sites_layers(sites: pd.DataFrame, *, text_size: int = 14,
                 metres_per_px: float | None = None) -> list[pdk.Layer]:
    """Outreach sites (released, non-confidential) as labels: the site type in white capitals
    edged black, centred on its hexagon and carrying the tooltip (with ``metres_per_px``,
    drawn as polygons: :func:`label_layers`)."""
    if sites.empty:
        return []
    data = site_labels(sites)
    data["tip_title"] = [f"Outreach site: {t}" for t in data["site_type"]]
    data["tip_body"] = [f"{d}, {h}" for d, h in zip(data["days"], data["hours"])]
    return label_layers(data, layer_id="outreach-sites", text="name", size=text_size,
                        colour=(255, 255, 255), halo=(0, 0, 0), pickable=True,
                        metres_per_px=metres_per_px)


def environment_layers(env: pd.DataFrame, *, text_size: int = 14) -> list[pdk.Layer]:
    """Environment features as haloed letters around each cell's centre (one slot per type)."""
    if env.empty:
        return []
    data = env.copy()
    data["lat"], data["lon"] = positions(data["h3_id"])
    data["letter"] = data["feature_type"].map(ENVIRONMENT_LETTERS).fillna("?")
    slots = {t: i for i, t in enumerate(ENVIRONMENT_LETTERS)}
    data["offset"] = [[int(14 * math.cos(2 * math.pi * slots.get(t, 0) / 6)),
                       int(14 * math.sin(2 * math.pi * slots.get(t, 0) / 6))]
                      for t in data["feature_type"]]
    data["tip_title"] = [f"Environment: {t}" for t in data["feature_type"]]
    data["tip_body"] = [plural(n, "feature") for n in data["features"]]
    return label_layers(data, layer_id="environment", text="letter", size=text_size,
                        pickable=True)


def hotspot_layer(table: pd.DataFrame, *, label: str) -> pdk.Layer | None:
    """Gi* hot and cold cells as thick rings (vermillion hot, blue cold)."""
    shown = table[table["hotspot"].isin(["hot", "cold"])]
    if shown.empty:
        return None
    data = pd.DataFrame({"h3_id": shown["h3_id"].to_numpy()})
    data["ring"] = [[*(HOT if h == "hot" else COLD), 255] for h in shown["hotspot"]]
    data["tip_title"] = [f"{'Hot' if h == 'hot' else 'Cold'} spot of {label.lower()}"
                         for h in shown["hotspot"]]
    data["tip_body"] = "Getis-Ord Gi*, false discovery rate controlled"
    return cell_shapes(data, layer_id="hotspots", ring="ring", ring_share=0.16)


def land_layer(outlines: pd.DataFrame) -> pdk.Layer | None:
    """The force area filled a light sand colour (the town, against the sea)."""
    force = outlines[outlines["area_type"] == "force"]
    if force.empty:
        force = outlines
    # the colour per row, like every other polygon layer: one vertex layout, one pipeline
    polys = [{"polygon": rounded(p), "ci": 0} for polygons in force["polygons"]
             for p in polygons]
    if not polys:
        return None
    return pdk.Layer("PolygonLayer", pd.DataFrame(polys), id="land", get_polygon="polygon",
                     get_fill_color=by_index([[*LAND, 255]])[1], stroked=False,
                     pickable=False)


def outline_layers(outlines: pd.DataFrame, *, selected: str | None, metres_per_px: float,
                   text_size: int = 15, clear_of=None) -> list[pdk.Layer]:
    """Area outlines as dark bands (the selected area thicker) and area names as labels.

    With no area selected, wards and neighbourhoods are outlined and named; with one
    selected, it is drawn thick and named, and the others thin. Lines are filled bands as wide
    on the ground as they would be on screen at the opening zoom (``metres_per_px``, see
    :func:`metres_per_pixel`; they widen as one zooms in), and names are haloed letters
    drawn as polygons sized the same way (:func:`label_layers`): only the polygon program to
    compile. With ``clear_of``
    (hexagons lettered at their centres, and the letters' size) each name is moved off the
    letters (:func:`labels_clear_of`).
    """
    if outlines.empty:
        return []
    bands = []
    for r in outlines.itertuples():
        chosen = r.name == selected
        if r.area_type == "force":
            width, colour = 3, [40, 40, 40, 255]
        elif chosen:
            width, colour = 5, [0, 0, 0, 255]
        elif r.area_type in ("ward", "neighbourhood"):
            width, colour = 2.5, [30, 30, 30, 255]
        else:
            continue
        bands += [{"polygon": rings, "colour": tuple(colour)} for p in r.paths
                  for rings in line_band(p, width * metres_per_px)]
    labels = area_labels(outlines, selected)
    if clear_of is not None:   # (hexagons lettered in their centres, the letters' size)
        import shapely

        shapes = {r.name: shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in
                                                r.polygons]) for r in outlines.itertuples()}
        labels = labels_clear_of(labels, clear_of[0], metres_per_px=metres_per_px,
                                 text_size=text_size, size=clear_of[1],
                                 within=[shapes[a] for a in labels["area"]])
    labels = labels.drop(columns="area")
    index, get_fill = by_index([b.pop("colour") for b in bands])
    for band, i in zip(bands, index):
        band["ci"] = i
    layers = [pdk.Layer("PolygonLayer", pd.DataFrame(bands), id="area-outlines",
                        get_polygon="polygon", get_fill_color=get_fill, stroked=False,
                        filled=True, extruded=False, pickable=False)] if bands else []
    if len(labels):
        layers += label_layers(labels, layer_id="area-labels", text="name", size=text_size,
                               metres_per_px=metres_per_px)
    return layers


def area_labels(outlines: pd.DataFrame, selected: str | None) -> pd.DataFrame:
    """The area names a map writes (``name``, ``lat``, ``lon``, and the ``area`` named):
    with no area selected every ward and neighbourhood, else the selected area's alone."""
    rows = [{"name": short_name(r.name), "lat": r.label_lat, "lon": r.label_lon,
             "area": r.name}
            for r in outlines.itertuples()
            if r.name == selected or (selected is None and r.area_type in ("ward",
                                                                           "neighbourhood"))]
    return pd.DataFrame(rows, columns=["name", "lat", "lon", "area"])


def view_for_area(outlines: pd.DataFrame, area: str | None, cells=(), *,
                  width: int = 900, height: int = 620) -> tuple[float, float, float]:
    """Return (lat, lon, zoom) fitting ``area``'s outline, or with no area every force outline
    (else every area); the cells when no outline is loaded."""
    if not outlines.empty:
        if area is not None:
            chosen = outlines[outlines["name"] == area]
        else:
            chosen = outlines[outlines["area_type"] == "force"]
            chosen = chosen if len(chosen) else outlines
        if len(chosen):
            b = list(zip(*chosen["bounds"]))
            return view_for_bounds([min(b[0]), min(b[1]), max(b[2]), max(b[3])], width=width,
                                   height=height)
    return view_for(list(cells), width=width, height=height)


def short_name(name: str) -> str:
    """An area's name for a map label: without the "(synthetic)" tag the banner already
    carries, so labels of neighbouring areas do not run into each other."""
    return name.removesuffix(" (synthetic)")


class CompactDeck(pdk.Deck):
    """A deck whose spec is sent as compact JSON (pydeck indents it: three times the bytes)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize,
                          separators=(",", ":"))


def deck(layers, *, lat: float, lon: float, zoom: float = 12.0, basemap=None) -> pdk.Deck:
    """A deck with a released-values tooltip, and no basemap unless one is configured.

    With ``basemap`` (a :class:`geo.basemap.Basemap` from configuration), its style is served
    by Lantern (:mod:`dashboard.server`) and drawn faded under the layers; the sand fill of
    the force area is left out so the streets show. Without one nothing is fetched.

    Every pickable row carries plain ``tip_title`` and ``tip_body`` text, made where its layer
    is made; the tooltip shows a bold title over the body's lines (Streamlit escapes values).
    """
    layers = [layer for layer in layers if layer is not None]
    style = NO_BASEMAP
    if basemap is not None:   # streets under the hexagons: no sand fill hiding them
        style = STYLE_PATH
        layers = [layer for layer in layers if getattr(layer, "id", None) != "land"]
    return CompactDeck(layers=layers, map_style=style, map_provider=None,
                    initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom),
                    tooltip={"html": "<b>{tip_title}</b><br>{tip_body}",
                             "style": {"fontSize": "16px", "backgroundColor": "#fff",
                                       "color": "#111", "border": "1px solid #333",
                                       "whiteSpace": "pre-line", "maxWidth": "360px"}})
