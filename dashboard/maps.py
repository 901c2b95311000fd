"""Drawing helpers: pydeck layers for released tables, legible with no basemap tiles."""
from __future__ import annotations

import pydeck as pdk

# Colour-blind-safe sequential palette (viridis, 6 steps), light to dark for "more".
VIRIDIS = [(253, 231, 37), (122, 209, 81), (34, 168, 132), (42, 120, 142), (65, 68, 135),
           (68, 1, 84)]


def color_steps(values, palette=VIRIDIS) -> tuple[list, list]:
    """Return a colour per value (by equal-count class breaks) and the legend breaks."""
    values = list(values)
    if not values:
        return [], []
    ordered = sorted(values)
    k = min(len(palette), len(set(ordered)))
    breaks = [ordered[min(len(ordered) - 1, int(len(ordered) * i / k))] for i in range(k)]
    breaks = sorted(set(breaks))
    colours = []
    for v in values:
        idx = max(i for i, b in enumerate(breaks) if v >= b)
        colours.append(list(palette[round(idx * (len(palette) - 1) / max(1, len(breaks) - 1))]))
    return colours, breaks


def legend_html(title: str, breaks: list, unit: str, palette=VIRIDIS) -> str:
    """Return an HTML legend: coloured chips with the lower bound of each class."""
    if not breaks:
        return ""
    chips = []
    for i, b in enumerate(breaks):
        c = palette[round(i * (len(palette) - 1) / max(1, len(breaks) - 1))]
        chips.append(f"<span style='display:inline-block;width:1.2em;height:1.2em;"
                     f"background:rgb{c};border:1px solid #333;vertical-align:middle'></span>"
                     f"&nbsp;{b:,}+ &nbsp;")
    return (f"<div style='font-size:1.05em'><b>{title}</b> ({unit})<br>{''.join(chips)}</div>")


def hex_layer(frame, *, layer_id: str, tooltip_label: str, opacity: float = 0.75):
    """An H3 hexagon layer from a released frame (``h3_id``, ``count``)."""
    data = frame[["h3_id", "count"]].copy()
    colours, _ = color_steps(data["count"].tolist())
    data["fill"] = colours
    data["label"] = tooltip_label
    return pdk.Layer("H3HexagonLayer", data, id=layer_id, get_hexagon="h3_id",
                     get_fill_color="fill", get_line_color=[40, 40, 40], line_width_min_pixels=1,
                     stroked=True, filled=True, extruded=False, opacity=opacity, pickable=True)


def outline_layer(cells: list[str], *, layer_id: str = "area-outline"):
    """An outline of an area (its cells drawn unfilled, with a dark edge)."""
    import pandas as pd

    return pdk.Layer("H3HexagonLayer", pd.DataFrame({"h3_id": cells}), id=layer_id,
                     get_hexagon="h3_id", filled=True, get_fill_color=[230, 230, 230, 60],
                     stroked=True, get_line_color=[120, 120, 120], line_width_min_pixels=1,
                     extruded=False, pickable=False)


def deck(layers, *, lat: float, lon: float, zoom: float = 12.0):
    """A deck with no basemap (tiles cannot load offline) and a released-values tooltip."""
    return pdk.Deck(layers=layers, map_style=None, map_provider=None,
                    initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom),
                    tooltip={"html": "<b>{label}</b>: {count}",
                             "style": {"fontSize": "16px"}})
