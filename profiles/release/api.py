"""The release layer: THE ONLY WAY numbers leave the store, for an audience.

Every figure the dashboard, the CLI or an export shows comes from :func:`release_counts` (or
the small reference-data releases beside it). A request is checked
(:mod:`profiles.release.request`), answered from **one layer of fixed release units**
(:mod:`profiles.release.layers`): the force and each area by week and month for time views,
hexagons by quarter (or month) for maps; each unit is shown only when at least the threshold
of people lie behind it, perturbed once by its cell key (:mod:`profiles.release.perturb`);
and the view is the sum of that layer's whole units (:mod:`profiles.release.views`). Tables
of units are cached in-process and on disk (:mod:`profiles.release.cache`).

Which layer answers (``place=None`` chooses, and the frame says what it chose):

* ``period`` week, month, quarter or year, broken down by nothing or by category: the
  **places** layers. Rows have ``area`` (the area asked for, or the whole force) and no
  hexagon (``h3_id`` None, ``resolution`` -1). Weeks are released for the force only: an
  area's week view shows its months (``period_grain`` says so).
* ``period="all"``, any other breakdown, or ``place="hexagon"``: the **hexagon** layers:
  hexagon x quarter from the audience's floor (a date range holds the quarters wholly inside
  it), and for month or week views hexagon x month from one resolution coarser
  (``resolution`` says which).

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> release_counts(con, "partnership", "on_street", by=["category"]).frame.columns.tolist()
['h3_id', 'cell', 'resolution', 'period_start', 'period_grain', 'category', 'count', 'shown_as', 'area']
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from profiles import store
from profiles.release.areas import (ReleaseError, _area_anchors, area_name,
                                    release_area_cells, release_areas, release_periods,
                                    resolve_area)
from profiles.release.audiences import (Policy, ReleasedForAudience, disclosure_statement,
                                        get_policy)
from profiles.release.cache import (clear_release_cache, keep_tables, layer_table,
                                    protected_table, store_span, warm_release_cache)
from profiles.release.layers import FORCE, Layer, hex_floor, layer_named, protection_of
from profiles.release.request import EVENT_FEEDS, PERIODS, PLACES, check_request
from profiles.release.views import SHOWN_BASE, hex_view, place_view

_EPOCH = dt.date(1970, 1, 1)
#: The name a places view gives the whole force (everything loaded).
FORCE_NAME = "all loaded areas"


@dataclass
class ReleasedTable(ReleasedForAudience):
    """Released counts for one audience and feed.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per released hexagon, period and breakdown value: ``h3_id`` (string),
        ``cell`` (uint64), ``resolution``, ``period_start`` (date; 1970-01-01 for ``all``),
        ``period_grain`` (``week`` ... ``year``, ``all``), the requested breakdown columns
        (``(combined)`` - or -1 for ``dow`` - where the roll-up combined them), ``count`` and
        ``shown_as`` (``base`` or ``rolled up (<why>)``).
    policy : Policy
    feed, period : str
    by : tuple of str
    area : str or None
    notes : list of str
    layer : str
        The layer of fixed units that answered (:mod:`profiles.release.layers`).
    resolution : int or None
        The finest H3 resolution of that layer's hexagons (None for a places layer).
    weeks : tuple of date or None
        The first Monday and the last Sunday of the loaded weeks the release covers (within
        ``start`` and ``end``); None when nothing is loaded. Exports of ``period="all"`` show
        these instead of the internal 1970-01-01 start.
    """

    frame: pd.DataFrame
    policy: Policy
    feed: str
    period: str
    by: tuple = ()
    area: str | None = None
    notes: list = field(default_factory=list)
    weeks: tuple | None = None
    layer: str | None = None
    resolution: int | None = None

    @property
    def total(self) -> int:
        """Sum of the released counts (itself built only from released values)."""
        return int(self.frame["count"].sum()) if len(self.frame) else 0


def release_counts(con, audience, feed: str, *, period: str = "week", by=(), area=None,
                   start: dt.date | None = None, end: dt.date | None = None,
                   place: str | None = None) -> ReleasedTable:
    """Return the counts of ``feed`` that ``audience`` may see.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
        ``partnership``, ``command`` or ``analyst`` (or a Policy).
    feed : str
        An event feed the audience may see (see :data:`EVENT_FEEDS`).
    period : {"week", "month", "quarter", "year", "all"}
        Weeks belong to the month, quarter and year their Monday falls in. A unit longer than
        the period asked for keeps its own period (``period_grain`` says which).
    by : sequence of {"category", "detail", "band", "dow"}
        Breakdowns; each must be allowed for the audience.
    area : str or int, optional
        An area name or id from the ``areas`` feed; default everything loaded. In the
        hexagon layers a hexagon belongs to the area holding its centre cell; in the places
        layers the area's own units answer.
    start, end : date, optional
        Only units whose whole period (within the loaded weeks) has its Mondays in
        [start, end].
    place : {None, "area", "hexagon"}
        Which kind of layer answers; None chooses (see the module docstring).

    Returns
    -------
    ReleasedTable

    Raises
    ------
    ReleaseError
        For a feed, breakdown, period, place or area the audience may not see or that is
        unknown.
    PolicyError
        For an unknown audience.
    """
    policy = get_policy(audience)
    by = tuple(by)
    check_request(policy, feed, period, by, place)
    area_id = resolve_area(con, area) if area is not None else None
    protection = protection_of(policy, feed)
    layer = choose_layer(protection, period, by, place, start, end, store_span(con),
                         area_id=area_id)
    prot, span = layer_table(con, protection, feed, layer)
    if layer.place == "places":
        frame = place_view(prot, period=period, by=by,
                           place=FORCE if area_id is None else area_id,
                           place_name=FORCE_NAME if area_id is None else area_name(con, area_id),
                           start=start, end=end, span=span)
    else:
        anchors = _area_anchors(con, area_id) if area_id is not None else None
        frame = hex_view(prot, period=period, by=by, anchors=anchors, start=start, end=end,
                         span=span, floor=protection.floor)
    notes = []
    if (frame["shown_as"] != SHOWN_BASE).any():
        notes.append("Some figures are shown for a larger hexagon or with breakdowns "
                     "combined, because too few people lay behind them at the finer grain; "
                     "each such figure counts only what is not shown inside it.")
    return ReleasedTable(frame, policy, feed, period, by,
                         area=str(area) if area is not None else None, notes=notes,
                         weeks=_covered_weeks(span, start, end), layer=layer.name,
                         resolution=None if layer.place == "places"
                         else hex_floor(protection, layer.grain))


def choose_layer(protection, period: str, by: tuple, place, start, end, span, *,
                 area_id=None) -> Layer:
    """Return the layer that answers a request (see the module docstring)."""
    if place is None:
        place = "area" if (period != "all" and set(by) <= {"category"}) else "hexagon"
    if place == "area":
        if "category" in by and "category" not in protection.breakdowns:
            raise ReleaseError("feed is not broken down by category for this audience")
        if set(by) - {"category"}:
            raise ReleaseError(f"area figures are broken down by category only, not "
                               f"{', '.join(sorted(set(by) - {'category'}))}; ask with "
                               f"place='hexagon'")
        grain = "week" if period == "week" and area_id is None else "month"
        return layer_named(protection, f"places-{grain}" + ("-c" if by else ""))
    if period in ("week", "month"):
        return layer_named(protection, "hex-month")
    return layer_named(protection, "hex-quarter")


def _covered_weeks(span, start, end) -> tuple | None:
    """First Monday and last Sunday of the loaded weeks ``span``, within ``start``/``end``."""
    if span == (0, 0):
        return None
    first = _EPOCH + dt.timedelta(days=int(span[0]))
    last = _EPOCH + dt.timedelta(days=int(span[1]) + 6)
    if start is not None:
        first = max(first, pd.Timestamp(start).date())
    if end is not None:
        last = min(last, pd.Timestamp(end).date())
    return (first, last) if first <= last else None


__all__ = ["EVENT_FEEDS", "PERIODS", "PLACES", "Policy", "ReleaseError", "ReleasedTable",
           "SHOWN_BASE", "choose_layer", "clear_release_cache", "disclosure_statement",
           "keep_tables", "protected_table", "release_area_cells", "release_areas",
           "release_counts", "release_periods", "resolve_area", "warm_release_cache"]
