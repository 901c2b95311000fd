"""Second cues: nothing on a map is told apart by colour alone.

Hot and cold spots, displacement risk, premises categories, exclusion zones, reach against
need and displacement targets each carry a **letter or sign** drawn on the hexagon (haloed
text, the one text program every map already compiles; see :func:`dashboard.maps.label_layers`)
as well as their colour, and the legend (:func:`key_html`) shows colour, letter and words
together. Outreach sites are already words on the map (the site type in capitals).

The colours are Okabe–Ito and viridis; ``tests/test_accessible.py`` checks with a
deuteranopia simulation (Machado, Oliveira and Fernandes 2009) that every legend's colours
stay apart.
"""
from __future__ import annotations

import html

import pandas as pd

from dashboard.map_geometry import positions
from dashboard.analysis_layers import STATUS_COLOURS
from dashboard.maps import HOT, COLD, OKABE_ITO, PREMISES_COLOURS, _chip, label_layers

#: hot / cold spot -> (colour, sign drawn in the hexagon)
HOTSPOT_MARKS = {"hot": (HOT, "+"), "cold": (COLD, "−")}
#: a feed drawn as proportional circles -> the letters above its circles, so two feeds'
#: circles differ by more than colour
FEED_LETTERS = {"on_street": "S", "harm_reports": "HR", "community_concerns": "CC",
                "outreach_contacts": "OC", "premises": "P"}
#: where each feed's letters sit, in pixels from the hexagon's centre (above the circles,
#: side by side, clear of the premises letters below)
_FEED_OFFSETS = {"on_street": [-30, -20], "harm_reports": [-10, -20],
                 "community_concerns": [10, -20], "outreach_contacts": [30, -20],
                 "premises": [0, -34]}
#: displacement risk of a patrol proposal -> (colour, letter)
RISK_COLOURS = {"high": OKABE_ITO["vermillion"], "medium": OKABE_ITO["orange"],
                "low": OKABE_ITO["bluish green"]}
RISK_LETTERS = {"high": "H", "medium": "M", "low": "L"}
#: exclusion zones: grey, and a letter
ZONE_COLOUR, ZONE_LETTER = (120, 120, 120), "X"
#: premises category -> letter under the hexagon's circles
PREMISES_LETTERS = {"non-nuisance": "N", "nuisance": "NU", "risk": "R"}
#: where each category's letter sits, in pixels from the hexagon's centre (below the circles)
_PREMISES_OFFSETS = {"non-nuisance": [-22, 20], "nuisance": [0, 20], "risk": [22, 20]}
#: reach against need -> letter
STATUS_LETTERS = {"unmet need": "U", "low reach": "L", "reached": "R",
                  "reach without recorded need": "W"}
#: emerging hot spot kind -> its letter; the side adds ``+`` (hot) or ``−`` (cold): ``I+``
EMERGING_LETTERS = {"new": "N", "consecutive": "C", "intensifying": "I", "persistent": "P",
                    "diminishing": "D", "sporadic": "S", "oscillating": "O", "historical": "H"}
TARGET_LETTER = "T"
#: An evaluation's zones: target, buffer (where displacement would show) and control.
ZONE_LETTERS = {"target": "T", "buffer": "B", "control": "C"}


def _marks(cells: pd.DataFrame, text, *, layer_id: str, size: int, offsets=None,
           tips=None) -> list:
    if cells.empty:
        return []
    data = pd.DataFrame({"h3_id": cells["h3_id"].to_numpy(), "mark": list(text)})
    data["lat"], data["lon"] = positions(data["h3_id"])
    if offsets is not None:
        data["offset"] = list(offsets)
    if tips is not None:
        data["tip_title"], data["tip_body"] = zip(*tips) if len(tips) else ((), ())
    return label_layers(data, layer_id=layer_id, text="mark", size=size,
                        pickable=tips is not None)


def hotspot_marks(table: pd.DataFrame, *, size: int = 16) -> list:
    """A ``+`` in each hot spot and a ``−`` in each cold spot (the rings' colours aside)."""
    shown = table[table["hotspot"].isin(list(HOTSPOT_MARKS))]
    return _marks(shown, [HOTSPOT_MARKS[h][1] for h in shown["hotspot"]],
                  layer_id="hotspot-marks", size=size)


def emerging_mark(category: str) -> str:
    """The letter and sign drawn in an emerging hot spot's hexagon (``""`` for no pattern).

    >>> emerging_mark("intensifying hot spot"), emerging_mark("new cold spot")
    ('I+', 'N−')
    """
    parts = category.split(" ")
    if len(parts) != 3 or parts[0] not in EMERGING_LETTERS:
        return ""
    return EMERGING_LETTERS[parts[0]] + HOTSPOT_MARKS[parts[1]][1]


def emerging_marks(table: pd.DataFrame, *, size: int = 14) -> list:
    """The category's letter and sign in each emerging hot or cold spot (``I+``, ``D−``)."""
    marks = [emerging_mark(c) for c in table["category"]]
    keep = [bool(m) for m in marks]
    return _marks(table[keep], [m for m in marks if m], layer_id="emerging-marks", size=size)


def _beside(cells, shared, dx: int) -> list:
    return [[dx, 0] if c in shared else [0, 0] for c in cells]


def risk_marks(proposals: pd.DataFrame, *, size: int = 14, zones=()) -> list:
    """The displacement-risk letter (H, M, L) in each proposed hexagon (column ``risk``).

    In a hexagon that is also an exclusion zone (at other times, ``zones``) the letter moves
    right and the zone's ``X`` left, so neither hides the other.
    """
    return _marks(proposals, [RISK_LETTERS.get(r, "?") for r in proposals["risk"]],
                  layer_id="risk-marks", size=size,
                  offsets=_beside(proposals["h3_id"], set(zones), size // 2 + 2))


def zone_marks(zones: pd.DataFrame, *, size: int = 14, proposals=()) -> list:
    """An ``X`` in each exclusion-zone hexagon (moved left where a proposal shares it)."""
    return _marks(zones, [ZONE_LETTER] * len(zones), layer_id="zone-marks", size=size,
                  offsets=_beside(zones["h3_id"], set(proposals), -(size // 2 + 2)))


def premises_marks(frame: pd.DataFrame, *, size: int = 12) -> list:
    """The category letters (N, NU, R) under each hexagon's premises circles."""
    shown = frame[frame["category"].isin(list(PREMISES_LETTERS))]
    return _marks(shown, [PREMISES_LETTERS[c] for c in shown["category"]],
                  layer_id="premises-marks", size=size,
                  offsets=[_PREMISES_OFFSETS[c] for c in shown["category"]])


def feed_marks(cells: pd.DataFrame, feed: str, *, size: int = 11) -> list:
    """The feed's letters (S, HR, CC, OC, P) above each of its circles."""
    return _marks(cells, [FEED_LETTERS[feed]] * len(cells), layer_id=f"feed-marks-{feed}",
                  size=size, offsets=[_FEED_OFFSETS[feed]] * len(cells))


def status_marks(cells: pd.DataFrame, *, size: int = 13) -> list:
    """The reach-against-need letter (U, L, R, W) in each hexagon."""
    return _marks(cells, [STATUS_LETTERS.get(s, "?") for s in cells["status"]],
                  layer_id="status-marks", size=size)


def target_marks(cells: pd.DataFrame, *, size: int = 14) -> list:
    """A ``T`` in each target hexagon of a displacement scenario."""
    return _marks(cells, [TARGET_LETTER] * len(cells), layer_id="target-marks", size=size)


def evaluation_zone_marks(cells_by_zone: dict, *, size: int = 14) -> list:
    """A ``T``, ``B`` or ``C`` in each hexagon of an evaluation's target, buffer and control."""
    zones = [z for z in ZONE_LETTERS for _ in cells_by_zone.get(z, ())]
    cells = pd.DataFrame({"h3_id": [c for z in ZONE_LETTERS for c in cells_by_zone.get(z, ())]})
    return _marks(cells, [ZONE_LETTERS[z] for z in zones], layer_id="zone-letters", size=size)


def key_html(title: str, items, *, note: str = "", round_: bool = False) -> str:
    """Return a legend of (colour, letter, words): the chip, the letter drawn, the words.

    >>> "<b" in key_html("Hotspots", [((213, 94, 0), "+", "hot spot")])
    True
    """
    rows = []
    for colour, letter, words in items:
        chip = _chip(colour, round_=round_) if colour is not None else ""
        mark = (f"<b style='display:inline-block;min-width:1.6em;text-align:center'>"
                f"{html.escape(letter)}</b>" if letter else "")
        rows.append(f"{chip}{mark}{html.escape(words)}")
    small = f"<br><small>{html.escape(note)}</small>" if note else ""
    return (f"<div class='lantern-legend'><b>{html.escape(title)}</b>{small}<br>"
            f"{'<br>'.join(rows)}</div>")


#: every legend's colours, for the colour-vision check (name -> list of RGB)
PALETTES = {
    "hot and cold spots": [c for c, _ in HOTSPOT_MARKS.values()],
    "premises category": list(PREMISES_COLOURS.values()),
    "displacement risk": list(RISK_COLOURS.values()),
    "reach against need": list(STATUS_COLOURS.values()),
}
