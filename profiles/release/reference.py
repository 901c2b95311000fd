"""Reference layers for maps: outreach sites, environment features and area outlines.

None of these are counts of people, but they still leave the store only through this module,
for an audience, at that audience's resolution floor:

* :func:`release_sites` — outreach sites that are **not confidential** (drop-ins, clinics and
  van stops that are advertised anyway), placed at the audience's floor cell, with their days
  and hours in words. Confidential sites shape patrol exclusion zones but are never released.
* :func:`release_environment` — environment features (lighting faults, CCTV, transport routes,
  lorry parks, isolated spaces, residential frontage) counted per floor cell and type.
* :func:`release_area_outlines` — the outline of each loaded area as loaded (simplified to
  suit its size, :mod:`geo.outlines`), with a label point inside it, so a map shows the places
  people know and is legible with no basemap tiles.

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> release_sites(con, "partnership").empty
True
>>> list(release_environment(con, "partnership").columns)
['h3_id', 'feature_type', 'features']
>>> days_to_words(0b0011111)
'Mon–Fri'
>>> minutes_to_clock(1260), minutes_to_clock(60)
('21:00', '01:00')
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.cells import cells_to_str
from profiles import store
from profiles.release.audiences import Policy, get_policy

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SITE_COLUMNS = ["h3_id", "site_type", "days", "hours", "sites"]
ENVIRONMENT_COLUMNS = ["h3_id", "feature_type", "features"]
OUTLINE_COLUMNS = ["name", "area_type", "paths", "polygons", "label_lat", "label_lon", "bounds",
                   "traced"]



def days_to_words(mask: int) -> str:
    """Return a 7-bit day mask (bit 0 = Monday) in words: ``Mon–Fri``, ``Tue, Thu``, ``daily``.

    Examples
    --------
    >>> days_to_words(127), days_to_words(0b0101010), days_to_words(0)
    ('daily', 'Tue, Thu, Sat', 'no days')
    """
    days = [i for i in range(7) if int(mask) >> i & 1]
    if not days:
        return "no days"
    if len(days) == 7:
        return "daily"
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}–{DAY_NAMES[days[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in days)


def minutes_to_clock(minutes: int) -> str:
    """Return minutes after midnight as ``HH:MM``."""
    minutes = int(minutes) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def release_sites(con, audience) -> pd.DataFrame:
    """Return the non-confidential outreach sites the audience may see, at its floor cell.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy

    Returns
    -------
    pandas.DataFrame
        ``h3_id`` (cell at the audience's resolution floor), ``site_type``, ``days`` and
        ``hours`` in words (``18:00–01:00`` runs past midnight), ``sites`` (how many sites of
        that type and time share the cell). Empty when the audience may not see
        ``outreach_sites``. Confidential sites are never included.
    """
    policy = get_policy(audience)
    if not policy.may_see("outreach_sites"):
        return pd.DataFrame(columns=SITE_COLUMNS)
    floor = int(policy.resolution_floor)
    frame = store.cursor(con).execute(
        f"""SELECT CAST(h3_parent(cell, {floor}) AS BIGINT) AS cell, site_type,
                   CAST(days AS INTEGER) AS days, CAST(opens AS INTEGER) AS opens,
                   CAST(closes AS INTEGER) AS closes, CAST(count(*) AS INTEGER) AS sites
            FROM outreach_sites WHERE NOT confidential
            GROUP BY ALL ORDER BY site_type, cell, opens""").df()
    if frame.empty:
        return pd.DataFrame(columns=SITE_COLUMNS)
    return pd.DataFrame({
        "h3_id": cells_to_str(frame["cell"].astype("uint64")),
        "site_type": frame["site_type"].str.replace("_", " "),
        "days": [days_to_words(d) for d in frame["days"]],
        "hours": [f"{minutes_to_clock(a)}–{minutes_to_clock(b)}"
                  for a, b in zip(frame["opens"], frame["closes"])],
        "sites": frame["sites"].astype(int),
    })[SITE_COLUMNS]


def release_environment(con, audience, *, area=None, start: dt.date | None = None,
                        end: dt.date | None = None) -> pd.DataFrame:
    """Return environment features counted per cell (at the audience's floor) and type.

    Standing features (CCTV, transport routes, …) are always included; dated ones (lighting
    faults) only when their week lies in ``[start, end]``.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
    area : str or int, optional
        An area name or id; default the whole force.
    start, end : date, optional

    Returns
    -------
    pandas.DataFrame
        ``h3_id``, ``feature_type`` (underscores as spaces), ``features``. Empty when the
        audience may not see ``environment``.

    Raises
    ------
    profiles.release.api.ReleaseError
        For an unknown area.
    """
    from profiles.release.api import resolve_area

    policy = get_policy(audience)
    if not policy.may_see("environment"):
        return pd.DataFrame(columns=ENVIRONMENT_COLUMNS)
    floor = int(policy.resolution_floor)
    where, params = ["TRUE"], []
    if area is not None:
        where.append("cell IN (SELECT cell FROM area_cells WHERE area_id = ?)")
        params.append(resolve_area(con, area))
    if start is not None:
        where.append("(week IS NULL OR week >= ?)")
        params.append(pd.Timestamp(start).date())
    if end is not None:
        where.append("(week IS NULL OR week <= ?)")
        params.append(pd.Timestamp(end).date())
    frame = store.cursor(con).execute(
        f"""SELECT CAST(h3_parent(cell, {floor}) AS BIGINT) AS cell, feature_type,
                   CAST(sum(n) AS INTEGER) AS features
            FROM environment WHERE {' AND '.join(where)}
            GROUP BY ALL ORDER BY feature_type, cell""", params).df()
    if frame.empty:
        return pd.DataFrame(columns=ENVIRONMENT_COLUMNS)
    return pd.DataFrame({
        "h3_id": cells_to_str(frame["cell"].astype("uint64")),
        "feature_type": frame["feature_type"].str.replace("_", " "),
        "features": frame["features"].astype(int),
    })[ENVIRONMENT_COLUMNS]


def release_area_outlines(con, audience, *, area_type: str | None = None) -> pd.DataFrame:
    """Return each area's true outline (as loaded, simplified), with a label point.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
    area_type : str, optional
        Only areas of this type (``force``, ``ward``, ``neighbourhood``, ``beat``).

    Returns
    -------
    pandas.DataFrame
        ``name``, ``area_type``, ``paths`` (closed rings of ``[lon, lat]``: outer rings and
        holes), ``polygons`` (each polygon as its rings, outer first, for filling),
        ``label_lat``/``label_lon`` (a point inside the outline), ``bounds`` (``[west, south,
        east, north]``) and ``traced`` (True where no outline was stored — a store loaded
        before 0.3 — and the outline is traced around the area's cells at the audience's
        floor instead). Boundaries are public reference data; membership for disclosure stays
        by H3 cell.
    """
    import h3
    from geo.outlines import geojson_to_outline, outline_polygons, outline_rings

    policy = get_policy(audience)
    floor = int(policy.resolution_floor)
    where, params = "", []
    if area_type is not None:
        where, params = "WHERE a.area_type = ?", [area_type]
    cur = store.cursor(con)
    shapes = "s.outline" if "area_shapes" in store.table_names(con) else "NULL"
    join = "LEFT JOIN area_shapes s USING (area_id)" if shapes != "NULL" else ""
    rows = cur.execute(
        f"""SELECT a.area_id, a.name, a.area_type, any_value({shapes}) AS outline,
                   list(DISTINCT CAST(h3_parent(c.cell, {floor}) AS BIGINT)) AS cells
            FROM areas a JOIN area_cells c USING (area_id) {join} {where}
            GROUP BY a.area_id, a.name, a.area_type ORDER BY a.area_id""", params).fetchall()
    out = []
    for _, name, kind, outline, cells in rows:
        if outline:
            geom = geojson_to_outline(outline)
            point = geom.representative_point()
            out.append({"name": name, "area_type": kind, "paths": outline_rings(geom),
                        "polygons": outline_polygons(geom), "label_lat": point.y,
                        "label_lon": point.x, "bounds": list(geom.bounds), "traced": False})
            continue
        ids = cells_to_str(int(c) & 0xFFFFFFFFFFFFFFFF for c in cells)
        shape = h3.cells_to_h3shape(ids)
        polys = getattr(shape, "polys", [shape])
        polygons = [[[[lon, lat] for lat, lon in (*ring, ring[0])]
                     for ring in (p.outer, *p.holes)] for p in polys]
        centres = [h3.cell_to_latlng(c) for c in ids]
        lons = [pt[0] for poly in polygons for pt in poly[0]]
        lats = [pt[1] for poly in polygons for pt in poly[0]]
        out.append({"name": name, "area_type": kind,
                    "paths": [ring for poly in polygons for ring in poly],
                    "polygons": polygons,
                    "label_lat": sum(c[0] for c in centres) / len(centres),
                    "label_lon": sum(c[1] for c in centres) / len(centres),
                    "bounds": [min(lons), min(lats), max(lons), max(lats)], "traced": True})
    return pd.DataFrame(out, columns=OUTLINE_COLUMNS)


__all__ = ["days_to_words", "minutes_to_clock", "release_area_outlines", "release_environment",
           "release_sites"]


def sites_for_exclusions(con, policy: Policy) -> pd.DataFrame:
    """Return every outreach site, confidential ones included, for patrol exclusion zones only.

    The one read of confidential sites. Its only caller is patrol planning, which reports the
    exclusions they cause as a count and never draws them; public callers use
    :func:`release_sites`.

    Returns
    -------
    pandas.DataFrame
        ``h3_id`` (at the audience's floor), ``site_type``, ``days``, ``opens``, ``closes``,
        ``confidential``.

    Raises
    ------
    ReleaseError
        When the audience may not see outreach sites.
    """
    import h3
    from profiles.release.api import ReleaseError
    if not policy.may_see("outreach_sites"):
        raise ReleaseError(f"audience {policy.name!r} may not see feed 'outreach_sites'")
    floor = int(policy.resolution_floor)
    frame = store.cursor(con).execute(
        f"SELECT CAST(h3_parent(cell, {floor}) AS BIGINT) AS cell, site_type, "
        f"CAST(days AS INTEGER) AS days, CAST(opens AS INTEGER) AS opens, "
        f"CAST(closes AS INTEGER) AS closes, confidential FROM outreach_sites "
        f"ORDER BY site_type, days, opens").df()
    frame.insert(0, "h3_id", [h3.int_to_str(int(c) & (2**64 - 1)) for c in frame["cell"]])
    return frame.drop(columns="cell")
