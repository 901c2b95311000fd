"""Hexagons drawn on a map: the released hexagons an analyst may click, and what a click adds.

The *Evaluate a response* page lets an analyst set a zone's hexagons by clicking them on a map
(``st.pydeck_chart(..., on_select=..., selection_mode="multi-object")``). Streamlit hands back
every object selected on the chart; :func:`selection_to_cells` turns that into the zone's
hexagons, and :func:`draw_layer` builds the one layer that may be clicked. Both are plain
functions of their arguments, so they are tested without a browser.

Only released hexagons are drawn, and only they can be added: the selection comes from the
browser, so it is checked against the released hexagons again here, never trusted.
"""
from __future__ import annotations

import pandas as pd

from dashboard.maps import cell_shapes

#: the id of the one layer whose hexagons can be clicked into a zone
DRAW_LAYER = "ev-draw"
#: a released hexagon in no zone: a light grey fill inside a mid-grey ring (legible on sand)
FREE_FILL, FREE_RING = [150, 150, 150, 70], [90, 90, 90, 200]
#: that fill as it looks on the sand land colour, for the legend's chip
FREE_CHIP = (222, 219, 211)


def selection_to_cells(selection, chosen, *, allowed, seen=(), layer_id: str = DRAW_LAYER
                       ) -> tuple[list, list]:
    """Return a zone's hexagons after a map selection, and the hexagons now selected.

    Each hexagon newly selected on the map (selected now, not in ``seen``) is added to the
    end of ``chosen``, in the order selected; a hexagon already chosen is not added twice.
    Hexagons are taken from ``layer_id`` only, and only if in ``allowed`` (the released
    hexagons offered): anything else in the selection is ignored. Nothing is removed, so a
    hexagon taken out of the list stays out until it is selected on the map again.

    Parameters
    ----------
    selection : mapping or None
        The chart's selection, ``{"indices": {...}, "objects": {layer id: [row, ...]}}``
        (Streamlit's ``PydeckSelectionState``); each row carries ``h3_id``.
    chosen : sequence of str
        The zone's hexagons before the selection.
    allowed : collection of str
        The released hexagons that may be chosen.
    seen : sequence of str, optional
        The hexagons selected on the map the last time (already added, or taken out since).
    layer_id : str, optional
        The layer whose objects count.

    Returns
    -------
    tuple of (list of str, list of str)
        The zone's hexagons, and the allowed hexagons selected now (the next ``seen``).

    Examples
    --------
    >>> sel = {"objects": {"ev-draw": [{"h3_id": "b"}, {"h3_id": "b"}, {"h3_id": "x"}],
    ...                    "land": [{"h3_id": "c"}]}}
    >>> selection_to_cells(sel, ["a"], allowed={"a", "b", "c"})
    (['a', 'b'], ['b'])
    >>> selection_to_cells(sel, [], allowed={"a", "b", "c"}, seen=["b"])
    ([], ['b'])
    >>> selection_to_cells(None, ["a"], allowed={"a"})
    (['a'], [])
    """
    rows = ((selection or {}).get("objects") or {}).get(layer_id) or []
    allowed = set(allowed)
    selected = list(dict.fromkeys(r.get("h3_id") for r in rows
                                  if isinstance(r, dict) and r.get("h3_id") in allowed))
    before = set(seen)
    cells = list(dict.fromkeys([*chosen, *(c for c in selected if c not in before)]))
    return cells, selected


def draw_layer(hexes: dict, zones: dict, *, words: dict, colours: dict, unit: str,
               adding_to: str):
    """The released hexagons as one clickable layer, each zone's hexagons in its colour.

    Parameters
    ----------
    hexes : dict
        Released hexagon -> released count, for the audience and weeks chosen.
    zones : dict
        Zone name -> the hexagons chosen for it (only zones picked as hexagons).
    words : dict
        Zone name -> what the zone is for, in words (for the tooltip).
    colours : dict
        Zone name -> RGB colour.
    unit : str
        What the counts count, in words ("on-street events").
    adding_to : str
        The zone a click adds to.

    Returns
    -------
    pydeck.Layer or None
        A polygon layer with id :data:`DRAW_LAYER`; None with no released hexagons.

    Examples
    --------
    >>> layer = draw_layer({"881f1d4a91fffff": 12}, {"target": ["881f1d4a91fffff"]},
    ...                    words={"target": "where the response ran"},
    ...                    colours={"target": (0, 114, 178)}, unit="events",
    ...                    adding_to="target")
    >>> layer.id, layer.data[0]["tip_title"]
    ('ev-draw', 'Target: where the response ran')
    """
    zone_of = {c: z for z, cells in zones.items() for c in cells}
    frame = pd.DataFrame({"h3_id": list(hexes)})
    if frame.empty:
        return None
    frame["tip_title"] = [f"{zone_of[c].capitalize()}: {words[zone_of[c]]}" if c in zone_of
                          else "Not in a zone" for c in frame["h3_id"]]
    frame["tip_body"] = [f"Hexagon {c}\n{hexes[c]:,} {unit} released"
                         + ("" if c in zone_of else f"\nClick to add it to the {adding_to}")
                         for c in frame["h3_id"]]
    frame["fill"] = [[*colours[zone_of[c]], 150] if c in zone_of else FREE_FILL
                     for c in frame["h3_id"]]
    frame["ring"] = [[*colours[zone_of[c]], 255] if c in zone_of else FREE_RING
                     for c in frame["h3_id"]]
    return cell_shapes(frame, layer_id=DRAW_LAYER, fill="fill", ring="ring", ring_share=0.08)
