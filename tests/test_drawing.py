"""Hexagons drawn on a map (dashboard.drawing): what a map selection adds to a zone, and the
one clickable layer. The browser half is in tests/test_analyst_browser.py."""
from __future__ import annotations

import pytest

from dashboard.drawing import DRAW_LAYER, FREE_FILL, draw_layer, selection_to_cells

A, B, C, HIDDEN = "89194415993ffff", "89194415d2bffff", "89194415d67ffff", "89194415d63ffff"
RELEASED = {A: 40, B: 12, C: 5}


def picked(*cells, layer=DRAW_LAYER) -> dict:
    """A selection as Streamlit hands it back: every selected row of each layer."""
    return {"indices": {layer: list(range(len(cells)))},
            "objects": {layer: [{"h3_id": c, "tip_title": "t", "fill": [1, 2, 3, 4]}
                                for c in cells]}}


@pytest.mark.parametrize("selection, chosen, seen, cells, now", [
    (picked(B), [A], [], [A, B], [B]),
    (picked(B, C), [], [], [B, C], [B, C]),
    (picked(B, C), [A], [B], [A, C], [B, C]),          # B was added before (or taken out)
    (picked(A), [A], [], [A], [A]),                    # already chosen: not twice
    (picked(B, B), [], [], [B], [B]),                  # fill and ring rows of one hexagon
    (picked(HIDDEN, B), [], [], [B], [B]),             # not released: never added
    (picked(B, layer="zone-letters"), [A], [], [A], []),   # another layer: ignored
    ({"indices": {}, "objects": {}}, [A], [B], [A], []),   # cleared: nothing taken out
    (None, [A], [], [A], []),
], ids=["adds", "adds-in-order", "only-new", "no-duplicate", "rows-of-one-cell",
        "released-only", "other-layer", "cleared", "no-selection"])
def test_selection_to_cells(selection, chosen, seen, cells, now):
    assert selection_to_cells(selection, chosen, allowed=RELEASED, seen=seen) == (cells, now)


def test_selection_from_the_browser_is_not_trusted():
    odd = {"objects": {DRAW_LAYER: [{"h3_id": HIDDEN}, "junk", {"other": 1}, {"h3_id": C}]}}
    assert selection_to_cells(odd, [], allowed=RELEASED) == ([C], [C])


def test_draw_layer_draws_released_hexagons_only_with_zones_coloured():
    layer = draw_layer(RELEASED, {"target": [A], "control": [C]},
                       words={"target": "where the response ran",
                              "control": "how things changed anyway"},
                       colours={"target": (0, 114, 178), "control": (0, 158, 115)},
                       unit="on-street events", adding_to="control zone")
    assert layer.id == DRAW_LAYER and layer.pickable
    rows = layer.data
    assert {r["h3_id"] for r in rows} == set(RELEASED)          # fill and ring of each
    by_cell = {r["h3_id"]: r for r in rows}
    assert by_cell[A]["tip_title"] == "Target: where the response ran"
    assert by_cell[C]["fill"][:3] == [0, 158, 115]
    assert by_cell[B]["tip_title"] == "Not in a zone"
    assert "Click to add it to the control zone" in by_cell[B]["tip_body"]
    assert "12 on-street events released" in by_cell[B]["tip_body"]
    assert FREE_FILL in [r["fill"] for r in rows]
    assert draw_layer({}, {}, words={}, colours={}, unit="", adding_to="target") is None
