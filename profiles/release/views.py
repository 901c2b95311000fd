"""View arithmetic: one view is the sum of whole released units of one layer.

:func:`hex_view` sums a hexagon layer's units into hexagon rows (any period at least the
layer's grain, any subset of its breakdowns, an area's units by their anchor cell, a date range
by whole units); :func:`place_view` sums a places layer's units of one place (the force or an
area) into period rows. Neither reads the store: the same units always give the same figures,
so asking again, or asking a different union of the same units, reveals nothing new.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.cells import resolution_of
from profiles.release.disclosure import Protected
from data_contracts.periods import PERIODS, period_starts

SHOWN_BASE = "base"
WHY_SPACE = "under threshold at finer resolution"
WHY_TIME = "under threshold over a shorter period"
WHY_BREAKDOWN = "under threshold by {}"
_ORDER = {g: i for i, g in enumerate(PERIODS)}
_EPOCH = dt.date(1970, 1, 1)


def _in_range(arr, start, end, span):
    """Per unit, True when its whole period (within the loaded weeks) lies in [start, end]."""
    inside = np.ones(len(arr["count"]), dtype=bool)
    if start is None and end is None:
        return inside
    first, last = _unit_mondays(arr["period_start"], arr["period_end"], span)
    if start is not None:
        inside &= first >= _days(start)
    if end is not None:
        inside &= last <= _days(end)
    return inside


def hex_view(prot: Protected, *, period: str, by: tuple, anchors=None, start=None, end=None,
         span=(0, 0), floor: int = 9) -> pd.DataFrame:
    """Sum a protected table's units into one view (see :func:`release_counts`).

    ``anchors`` is an array of base cells (an area): units whose anchor is not in it are
    left out. ``span`` is the first and last loaded Monday (days since 1970-01-01). Rows come
    sorted by period start, period grain, resolution, cell and breakdowns.
    """
    arr = prot.arrays()
    keep = None
    if anchors is not None:
        keep = np.isin(arr["anchor"], anchors)
    if start is not None or end is not None:
        first, last = _unit_mondays(arr["period_start"], arr["period_end"], span)
        inside = np.ones(len(first), dtype=bool)
        if start is not None:
            inside &= first >= _days(start)
        if end is not None:
            inside &= last <= _days(end)
        keep = inside if keep is None else keep & inside
    pick = slice(None) if keep is None else np.flatnonzero(keep)
    want = _ORDER[period]
    row_code = np.maximum(arr["grain"][pick], want)
    starts = arr["period_start"][pick]
    if want > 0:
        starts = starts.copy()
        for code in np.unique(row_code):
            at = row_code == code
            starts[at] = period_starts(starts[at], PERIODS[code])
    # one int64 per row whose numeric order is the row order: period start, grain, cell, by
    key = (starts * len(PERIODS) + row_code) * len(arr["cells"]) + arr["cell_rank"][pick]
    widths = [len(prot.labels[b]) + 1 for b in by]
    for b, width in zip(by, widths):
        key = key * width + arr[b][pick] + 1
    rows, inverse = np.unique(key, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=arr["count"][pick],
                         minlength=len(rows)).astype(np.int64)
    codes = []
    for width in reversed(widths):
        codes.append(rows % width - 1)
        rows = rows // width
    codes.reverse()
    rank = rows % len(arr["cells"]) if len(arr["cells"]) else rows
    rows = rows // max(1, len(arr["cells"]))
    code, starts = rows % len(PERIODS), rows // len(PERIODS)
    cells = arr["cells"][rank]
    res = resolution_of(cells)
    out = pd.DataFrame({"h3_id": pd.Series(arr["h3_ids"][rank], dtype=object), "cell": cells,
                        "resolution": res,
                        "period_start": pd.Series(_dates(starts), dtype=object),
                        "period_grain": pd.Series(np.asarray(PERIODS, dtype=object)[code],
                                                  dtype=object)})
    combined = np.zeros(len(cells), dtype=np.int64)
    for bit, (b, c) in enumerate(zip(by, codes)):
        values = prot.values(b, c)
        out[b] = values if b == "dow" else pd.Series(values, dtype=object)
        combined |= (c < 0).astype(np.int64) << bit
    out["count"] = counts
    out["shown_as"] = pd.Series(_shown_as(res < floor, code > want, combined, by),
                                dtype=object)
    return out


def _shown_as(coarser, longer, combined, by) -> np.ndarray:
    """The ``shown_as`` text per row, from whether it is coarser, longer or combined."""
    key = coarser.astype(np.int64) | (longer.astype(np.int64) << 1) | (combined << 2)
    out = np.empty(len(key), dtype=object)
    for k in np.unique(key):
        why = [WHY_SPACE] if k & 1 else []
        why += [WHY_TIME] if k & 2 else []
        why += [WHY_BREAKDOWN.format(b) for i, b in enumerate(by) if (k >> 2) & (1 << i)]
        out[key == k] = f"rolled up ({'; '.join(why)})" if why else SHOWN_BASE
    return out


def _dates(days) -> np.ndarray:
    codes, uniques = pd.factorize(days)
    objects = np.array([_EPOCH + dt.timedelta(days=int(d)) for d in uniques], dtype=object)
    return objects[codes] if len(days) else np.zeros(0, dtype=object)


def _days(value) -> int:
    return (pd.Timestamp(value).date() - _EPOCH).days


def _unit_mondays(start, end, span) -> tuple[np.ndarray, np.ndarray]:
    """First and last Monday of each unit's period, within the loaded weeks ``span``."""
    first = start + (4 - start) % 7        # day 4 (1970-01-05) is a Monday
    last = end - (end - 4) % 7
    return np.maximum(first, span[0]), np.minimum(last, span[1])


def place_view(prot: Protected, *, period: str, by: tuple, place: int, place_name: str,
               start=None, end=None, span=(0, 0)) -> pd.DataFrame:
    """Sum a places layer's units of one ``place`` into rows per period (and breakdown).

    Rows carry ``area`` (the place's name) and no hexagon: ``h3_id`` None, ``cell`` 0 and
    ``resolution`` -1. A period longer than the layer's grain sums whole units (a quarter is
    its three months).
    """
    units = prot.units
    arr = {c: units[c].to_numpy() for c in ("period_start", "period_end", "grain", "count",
                                            "place", "rung", *prot.dims)}
    want = _ORDER[period]
    # a rest of a longer period (rung 1) counts only in views of that period or longer
    keep = (arr["place"] == place) & _in_range(arr, start, end, span) & \
        ((arr["rung"] == 0) | (arr["grain"] <= want))
    grain = arr["grain"][keep]
    code = np.maximum(grain, want)
    starts = arr["period_start"][keep].copy()
    for c in np.unique(code):
        at = code == c
        starts[at] = period_starts(starts[at], PERIODS[int(c)])
    columns = {"period_start": starts, "code": code,
               **{b: arr[b][keep] for b in by}, "count": arr["count"][keep]}
    frame = pd.DataFrame(columns)
    if len(frame):
        frame = frame.groupby(["period_start", "code", *by], as_index=False, sort=True)[
            "count"].sum()
    out = pd.DataFrame({"h3_id": pd.Series([None] * len(frame), dtype=object),
                        "cell": np.zeros(len(frame), dtype=np.uint64),
                        "resolution": np.full(len(frame), -1, dtype=np.int64),
                        "period_start": pd.Series(_dates(frame["period_start"].to_numpy(
                            np.int64)) if len(frame) else [], dtype=object),
                        "period_grain": pd.Series(np.asarray(PERIODS, dtype=object)[
                            frame["code"].to_numpy(np.int64)] if len(frame) else [],
                            dtype=object)})
    for b in by:
        out[b] = pd.Series(prot.values(b, frame[b].to_numpy(np.int64)) if len(frame) else [],
                           dtype=object)
    out["count"] = frame["count"].to_numpy(np.int64) if len(frame) else \
        np.zeros(0, dtype=np.int64)
    out["shown_as"] = pd.Series([SHOWN_BASE] * len(frame), dtype=object)
    out["area"] = pd.Series([place_name] * len(frame), dtype=object)
    return out


__all__ = ["PERIODS", "SHOWN_BASE", "hex_view", "place_view"]
