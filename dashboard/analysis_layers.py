"""Layers for analysis results: reach against need, hot spot patterns and emerging hot spots
as coloured rings, and the time player's frames, drawn as :mod:`dashboard.maps` draws cells
(filled polygons only) from released values only.
"""
from __future__ import annotations

import pandas as pd
import pydeck as pdk

from dashboard import data as door
from dashboard.maps import (COLD, HOT, OKABE_ITO, VIRIDIS, _palette_index, cell_shapes,
                            rollup_layer)

#: reach-against-need status -> Okabe–Ito colour
STATUS_COLOURS = {"unmet need": OKABE_ITO["vermillion"], "low reach": OKABE_ITO["yellow"],
                  "reached": OKABE_ITO["bluish green"],
                  "reach without recorded need": OKABE_ITO["sky blue"]}


def status_layer(cells: pd.DataFrame, *, floor: int,
                 need_unit: str = "need events") -> pdk.Layer | None:
    """Reach against need per released cell, coloured by status (Okabe–Ito).

    The audience's own hexagons are filled in their status colour; larger (rolled-up) ones are
    drawn first as rings in their colour, not filled, so overlaps never mix colours.
    """
    if "resolution" in cells:
        cells = cells.sort_values("resolution", kind="stable")
        coarse = (cells["resolution"] < floor).to_numpy()
    else:
        coarse = [False] * len(cells)
    data = pd.DataFrame({"h3_id": cells["h3_id"].to_numpy()})
    colours = [STATUS_COLOURS.get(s, OKABE_ITO["black"]) for s in cells["status"]]
    data["fill"] = [None if big else [*c, 215] for c, big in zip(colours, coarse)]
    data["ring"] = [[*c, 255] if big else None for c, big in zip(colours, coarse)]

    def shown(v) -> str:
        return "not shown" if pd.isna(v) else f"{int(v):,}"

    data["tip_title"] = cells["status"].to_numpy()
    data["tip_body"] = [f"need: {shown(n)} {need_unit}\noutreach contacts: {shown(r)}"
                        + ("\na larger area: places with too few to show one by one"
                           if c else "")
                        for n, r, c in zip(cells["need"], cells["reach"], coarse)]
    return cell_shapes(data, layer_id="reach-status", fill="fill", ring="ring",
                       ring_share=0.12, ring_res=floor)


#: hot/cold-spot pattern -> ring colour: Okabe–Ito warm for hot, cool for cold, greys for
#: places that were hot or cold and are no longer, black for mixed (none is a viridis fill's)
PATTERN_COLOURS = {"persistent hot": OKABE_ITO["vermillion"],
                   "emerging hot": OKABE_ITO["orange"],
                   "intermittent hot": OKABE_ITO["reddish purple"],
                   "former hot": (110, 110, 110),
                   "persistent cold": OKABE_ITO["blue"],
                   "emerging cold": OKABE_ITO["sky blue"],
                   "intermittent cold": OKABE_ITO["bluish green"],
                   "former cold": (200, 200, 200), "mixed": OKABE_ITO["black"]}


def pattern_layer(table: pd.DataFrame, key: pd.DataFrame, *,
                  label: str) -> pdk.Layer | None:
    """Hot/cold-spot patterns over time as thick rings, one colour per pattern.

    ``table`` is :func:`profiles.analyses.classify_for`'s; ``key`` its
    :func:`profiles.analyses.pattern_key`, whose meanings go into the tooltips. Cells with no
    pattern are not drawn.
    """
    shown = table[table["pattern"].isin(list(PATTERN_COLOURS))]
    if shown.empty:
        return None
    meaning = dict(zip(key["pattern"], key["meaning"]))
    data = pd.DataFrame({"h3_id": shown["h3_id"].to_numpy()})
    data["ring"] = [[*PATTERN_COLOURS[p], 255] for p in shown["pattern"]]
    data["tip_title"] = [f"{p.capitalize()} spot of {label.lower()}" for p in shown["pattern"]]
    data["tip_body"] = [f"{meaning.get(p, p)}\nhot in {h} and cold in {c} of {n} periods"
                        for p, h, c, n in zip(shown["pattern"], shown["hot_periods"],
                                              shown["cold_periods"], shown["periods"])]
    return cell_shapes(data, layer_id="hotspot-patterns", ring="ring", ring_share=0.22)



def emerging_layer(table: pd.DataFrame, *, label: str, period: str = "month") -> pdk.Layer | None:
    """Emerging hot spots (ArcGIS's categories) as thick rings: the hot side's colour or the
    cold side's, the kind told by the letter drawn inside (:func:`dashboard.cues.emerging_marks`)
    and by the tooltip's words. Hexagons with no pattern are not drawn."""
    shown = table[table["category"] != "no pattern detected"]
    if shown.empty:
        return None
    data = pd.DataFrame({"h3_id": shown["h3_id"].to_numpy()})
    data["ring"] = [[*(HOT if " hot " in c else COLD), 255] for c in shown["category"]]
    data["tip_title"] = [f"{c.capitalize()} of {label.lower()}" for c in shown["category"]]
    data["tip_body"] = [f"{door.category_meaning(c, period)}\nsignificant as hot in {h} and as "
                        f"cold in {k} of {n} {period}s; trend z {z:+.1f}"
                        for c, h, k, n, z in zip(shown["category"], shown["hot_steps"],
                                                 shown["cold_steps"], shown["steps"],
                                                 shown["trend_z"].fillna(0.0))]
    return cell_shapes(data, layer_id="emerging-hotspots", ring="ring", ring_share=0.24)


def frame_layer(frame: pd.DataFrame, breaks: list, *, floor: int, layer_id: str, label: str,
                unit: str, when: str) -> list:
    """One period of the time player: the finest hexagons shaded on the fixed scale
    ``breaks`` (the same for every frame), larger pooled hexagons as grey rings off the scale.
    Returns the layers (none for an empty frame)."""
    fine = frame[frame["resolution"] >= floor]
    coarse = frame[frame["resolution"] < floor]
    layers = []
    if len(fine):
        data = fine[["h3_id", "count"]].copy()
        data["fill"] = [list(VIRIDIS[_palette_index(door.class_of(v, breaks), len(breaks),
                                                    len(VIRIDIS))]) for v in data["count"]]
        data["tip_title"] = f"{label}, {when}"
        data["tip_body"] = [f"{c:,} {unit}" for c in data["count"]]
        layers.append(cell_shapes(data, layer_id=layer_id, fill="fill", opacity=0.85))
    if len(coarse):
        layers.append(rollup_layer(coarse[["h3_id", "count"]], layer_id=f"{layer_id}-rollup",
                                   label=f"{label}, {when}", unit=unit))
    return layers
