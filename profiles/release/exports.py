"""Exports of released tables: CSV and GeoJSON, each carrying the audience's marking.

Every export starts from a :class:`~profiles.release.api.ReleasedTable`; nothing here reads the
store. Text cells that a spreadsheet could run as a formula are neutralised.
"""
from __future__ import annotations

import csv
import io
import json

from data_contracts.cell_safety import safe_cell, safe_comment
from geo.cells import cells_to_polygons
from profiles.release.api import ReleasedTable

def _shown_frame(released: ReleasedTable):
    """The released rows as written: whole-range rows carry the real first and last week.

    Internally a figure over the whole range starts on 1970-01-01; an export says instead
    which weeks it covers, in ``period_start`` and a ``period_end`` column after it.
    """
    frame = released.frame
    if (released.layer or "").startswith("places"):   # force and area rows: no hexagon
        frame = frame[[c for c in frame.columns if c not in ("h3_id", "cell", "resolution")]]
        frame = frame[["area", *[c for c in frame.columns if c != "area"]]]
    whole = frame["period_grain"] == "all" if "period_grain" in frame else None
    if whole is None or not whole.any() or released.weeks is None:
        return frame
    frame = frame.copy()
    first, last = released.weeks
    frame.loc[whole, "period_start"] = first
    at = frame.columns.get_loc("period_start") + 1
    frame.insert(at, "period_end", [last if w else "" for w in whole])
    return frame


def _header_lines(released: ReleasedTable) -> list[str]:
    p = released.policy
    return [f"# {p.marking}", f"# Lantern release: feed={released.feed} "
            f"audience={p.name} period={released.period}"
            + (f" area={released.area}" if released.area else ""),
            f"# {released.statement}"]


def release_to_csv(released: ReleasedTable) -> str:
    """Return the release as CSV: marking and disclosure statement as ``#`` lines, then rows.

    Columns: ``h3_id, resolution, period_start``, any breakdowns, ``count`` (for a release
    from the places layers: ``area, period_start``, any breakdowns, ``count``).
    Read back with ``pandas.read_csv(path, comment="#")``.
    """
    buf = io.StringIO()
    for line in _header_lines(released):
        buf.write(safe_comment(line) + "\n")
    frame = _shown_frame(released)
    cols = [c for c in frame.columns if c != "cell"]
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in frame[cols].itertuples(index=False):
        writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


def area_outline_features(outlines) -> list[dict]:
    """Return area outlines (from :func:`profiles.release.reference.release_area_outlines`)
    as GeoJSON features: ``{"area": name, "area_type": type, "layer": "area outline"}`` with
    the outline as a (Multi)Polygon. Boundaries are public reference data.
    """
    if outlines is None or len(outlines) == 0:
        return []
    out = []
    for r in outlines.itertuples():
        polys = list(r.polygons)
        geometry = ({"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1 else
                    {"type": "MultiPolygon", "coordinates": polys})
        out.append({"type": "Feature", "geometry": geometry,
                    "properties": {"area": r.name, "area_type": r.area_type,
                                   "layer": "area outline",
                                   "label_point": [round(r.label_lon, 6),
                                                   round(r.label_lat, 6)]}})
    return out


def release_to_geojson(released: ReleasedTable, outlines=None) -> str:
    """Return the release as a GeoJSON FeatureCollection of hexagons (WGS84).

    The collection carries ``marking`` and ``disclosure`` members; each feature's properties
    are the released row (``h3_id``, ``resolution``, ``period_start``, breakdowns, ``count``).
    With ``outlines`` (a frame of :func:`profiles.release.reference.release_area_outlines`),
    the areas' true outlines follow the hexagons as features whose ``layer`` is
    ``"area outline"``.
    """
    frame = _shown_frame(released)
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
           "features": features + area_outline_features(outlines)}
    return json.dumps(doc, indent=None, default=str)


def frame_to_csv(frame, policy, title: str, notes=()) -> str:
    """Return an analysis table as CSV, headed by the marking, title, statement and notes.

    For tables built from released values (hotspots, change, coverage, trends). The header
    lines start with ``#`` (read back with ``pandas.read_csv(path, comment="#")``); a ``cell``
    column is left out, missing values are written empty, and text is made spreadsheet-safe.

    Examples
    --------
    >>> import pandas as pd
    >>> from profiles.release.audiences import get_policy
    >>> text = frame_to_csv(pd.DataFrame({"h3_id": ["881942c58bfffff"], "change": [-5]}),
    ...                     get_policy("partnership"), "Change")
    >>> text.splitlines()[0], text.splitlines()[-1]
    ('# OFFICIAL-SENSITIVE', '881942c58bfffff,-5')
    """
    from profiles.release.api import disclosure_statement

    buf = io.StringIO()
    for line in [policy.marking, title, disclosure_statement(policy), *notes]:
        buf.write(safe_comment("# " + safe_cell(line)) + "\n")
    cols = [c for c in frame.columns if c != "cell"]
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in frame[cols].itertuples(index=False):
        writer.writerow([safe_cell(_plain(v)) for v in row])
    return buf.getvalue()


def frame_to_geojson(frame, policy, title: str, notes=(), outlines=None) -> str:
    """Return an analysis table with an ``h3_id`` column as GeoJSON hexagons (WGS84).

    The collection carries ``marking``, ``title``, ``disclosure`` and ``notes`` members; each
    feature's properties are the row (without ``cell``), missing values as null. With
    ``outlines``, the areas' true outlines follow as ``"area outline"`` features.

    Examples
    --------
    >>> import json, pandas as pd
    >>> from profiles.release.audiences import get_policy
    >>> doc = json.loads(frame_to_geojson(pd.DataFrame({"h3_id": ["881942c58bfffff"],
    ...                                                 "z": [2.5]}),
    ...                                   get_policy("analyst"), "Hotspots"))
    >>> doc["marking"], doc["features"][0]["properties"]
    ('OFFICIAL-SENSITIVE', {'h3_id': '881942c58bfffff', 'z': 2.5})
    """
    from profiles.release.api import disclosure_statement

    if "h3_id" not in frame.columns:
        raise ValueError("frame= needs an h3_id column to draw hexagons; export it as CSV "
                         "(frame_to_csv) instead")
    cols = [c for c in frame.columns if c != "cell"]
    polys = cells_to_polygons(frame["h3_id"]) if len(frame) else []
    features = []
    for poly, row in zip(polys, frame[cols].itertuples(index=False)):
        props = {c: _json_value(v) for c, v in zip(cols, row)}
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Polygon",
                                      "coordinates": [[[round(x, 6), round(y, 6)]
                                                       for x, y in poly.exterior.coords]]}})
    doc = {"type": "FeatureCollection", "marking": policy.marking, "title": title,
           "disclosure": disclosure_statement(policy), "audience": policy.name,
           "notes": list(notes), "features": features + area_outline_features(outlines)}
    return json.dumps(doc, default=str)


def _plain(value):
    """Return a numpy/pandas scalar as a plain Python value; missing values as None."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _json_value(value):
    value = _plain(value)
    return value.isoformat() if hasattr(value, "isoformat") else value
