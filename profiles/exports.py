"""Exports of released tables: CSV and GeoJSON, each carrying the audience's marking.

Every export starts from a :class:`~profiles.release.ReleasedTable`; nothing here reads the
store. Text cells that a spreadsheet could run as a formula are neutralised.
"""
from __future__ import annotations

import csv
import io
import json

from geo.cells import cells_to_polygons
from profiles.release import ReleasedTable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Return ``value`` as text a spreadsheet will not execute (prefix ``'`` to formulas).

    Numbers are left alone; only text starting with = + - @ tab or CR is changed.

    Examples
    --------
    >>> safe_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell(-5)
    '-5'
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _header_lines(released: ReleasedTable) -> list[str]:
    p = released.policy
    return [f"# {p.marking}", f"# Lantern release: feed={released.feed} "
            f"audience={p.name} period={released.period}"
            + (f" area={released.area}" if released.area else ""),
            f"# {released.statement}"]


def release_to_csv(released: ReleasedTable) -> str:
    """Return the release as CSV: marking and disclosure statement as ``#`` lines, then rows.

    Columns: ``h3_id, resolution, period_start``, any breakdowns, ``count``.
    Read back with ``pandas.read_csv(path, comment="#")``.
    """
    buf = io.StringIO()
    for line in _header_lines(released):
        buf.write(safe_cell(line) + "\n")
    cols = [c for c in released.frame.columns if c != "cell"]
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in released.frame[cols].itertuples(index=False):
        writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


def release_to_geojson(released: ReleasedTable) -> str:
    """Return the release as a GeoJSON FeatureCollection of hexagons (WGS84).

    The collection carries ``marking`` and ``disclosure`` members; each feature's properties
    are the released row (``h3_id``, ``resolution``, ``period_start``, breakdowns, ``count``).
    """
    frame = released.frame
    polys = cells_to_polygons(frame["h3_id"]) if len(frame) else []
    cols = [c for c in frame.columns if c != "cell"]
    features = []
    for poly, row in zip(polys, frame[cols].itertuples(index=False)):
        props = {c: (v.isoformat() if hasattr(v, "isoformat") else
                     (int(v) if hasattr(v, "item") and float(v).is_integer() else v))
                 for c, v in zip(cols, row)}
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Polygon",
                                      "coordinates": [[list(map(lambda x: round(x, 6), xy))
                                                       for xy in poly.exterior.coords]]}})
    doc = {"type": "FeatureCollection", "marking": released.policy.marking,
           "disclosure": released.statement, "feed": released.feed,
           "audience": released.policy.name, "period": released.period,
           "features": features}
    return json.dumps(doc, indent=None, default=str)
