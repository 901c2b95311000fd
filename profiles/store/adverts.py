"""Ingest of the online adverts feed: coarse places, weeks, advertisers and indicator flags.

A monitoring team sees adverts on adult services websites and records, per advert, a coarse
place (a loaded area's name, an H3 cell, or a point), the day it was seen, the platform type,
an optional advertiser key and six exploitation-indicator flags. What is stored:

* ``facts`` rows of feed ``online_adverts`` (category = platform type), and of feed
  ``advert_indicators`` (category = the indicator, plus ``any_indicator`` for adverts with at
  least one), each counted by week only: the day seen is coarsened to its week's Monday
  (``dow`` 0, band ``unknown``), and the place to its resolution-7 hexagon, stored as that
  hexagon's centre cell at the base resolution, which says nothing finer;
* ``facts`` rows of feed ``advertisers``: one per advertiser seen in a hexagon in a week (an
  advert without a key is its own advertiser), not counted again when a later file shows the
  same keyed advertiser there that week, so released sums are advertiser-weeks;
* ``subjects`` rows with the keyed hash of each advertiser key, so that thresholds count
  advertisers, not adverts.

Never stored: the point, the cell given, the area name, the exact day, the advertiser key.
A row naming an area that is not loaded, or an H3 cell coarser than resolution 7, goes to
quarantine.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from data_contracts.errors import Problem
from data_contracts.feeds import ADVERT_INDICATORS, ADVERT_RESOLUTION
from geo.cells import cells_to_parents, points_to_cells, resolution_of
from profiles.store.events import insert_events

#: The indicator category of an advert carrying at least one indicator.
ANY_INDICATOR = "any_indicator"
INDICATOR_FEED = "advert_indicators"
#: One event per advertiser seen in a hexagon in a week (an advert without a key is its own
#: advertiser): released sums are advertiser-weeks, which give advertisers seen per week.
ADVERTISER_FEED = "advertisers"


def quarantine_unplaced_adverts(con, checked):
    """Return ``checked`` with rows that cannot be placed moved to its problems.

    A row placed only by an area name must name a loaded area (exactly, as ``lantern status``
    lists it); a row placed only by an H3 cell must give a cell of resolution 7 or finer.

    Parameters
    ----------
    con : duckdb connection to the store (the areas are read from it)
    checked : ValidatedFeed
        The validated ``online_adverts`` file.

    Returns
    -------
    ValidatedFeed
        The same file with those rows quarantined (``read = loaded + quarantined`` holds).
    """
    rows = checked.rows
    if not len(rows):
        return checked
    has_point = rows["__has_point"].to_numpy(dtype=bool)
    has_cell = rows["__has_cell"].to_numpy(dtype=bool) if "__has_cell" in rows \
        else np.zeros(len(rows), dtype=bool)
    problems = list(checked.problems)
    bad = np.zeros(len(rows), dtype=bool)
    if has_cell.any():
        cells = rows["h3_cell"].to_numpy(dtype=np.uint64)
        coarse = ~has_point & has_cell & (resolution_of(cells) < ADVERT_RESOLUTION)
        for i in np.flatnonzero(coarse):
            problems.append(Problem(checked.path, int(rows["row"].iat[i]), "h3_cell",
                                    _hex(cells[i]), f"h3_cell is coarser than resolution "
                                    f"{ADVERT_RESOLUTION}; give an area name instead"))
        bad |= coarse
    by_area = ~has_point & ~has_cell
    if by_area.any():
        known = {name for (name,) in con.execute(
            "SELECT DISTINCT name FROM areas JOIN area_cells USING (area_id)").fetchall()}
        shown = ", ".join(sorted(known)) or "none are loaded yet: load the areas first"
        for i in np.flatnonzero(by_area):
            name = str(rows["area"].iat[i])
            if name not in known:
                problems.append(Problem(checked.path, int(rows["row"].iat[i]), "area",
                                        name[:80], f"area is not a loaded area ({shown})"))
                bad[i] = True
    if not bad.any():
        return checked
    problems.sort(key=lambda p: (p.row, p.column))
    return dataclasses.replace(checked, rows=rows.loc[~bad].reset_index(drop=True),
                               problems=problems)


def _hex(cell) -> str:
    return format(int(cell), "x")


def advert_cells(con, rows: pd.DataFrame, base: int, messages: list) -> np.ndarray:
    """Return each advert's stored cell: its resolution-7 hexagon's centre cell at ``base``.

    A point is coarsened to its resolution-7 hexagon; a cell to its resolution-7 parent; an
    area name to the resolution-7 hexagon holding most of the area among those whose centre
    lies in the area (so released figures count it in that area). An area smaller than any
    such hexagon goes to the hexagon holding most of it, and ``messages`` says so.
    """
    import h3.api.basic_int as h3i

    n = len(rows)
    coarse = np.zeros(n, dtype=np.uint64)
    has_point = rows["__has_point"].to_numpy(dtype=bool)
    has_cell = rows["__has_cell"].to_numpy(dtype=bool) if "__has_cell" in rows \
        else np.zeros(n, dtype=bool)
    if has_point.any():
        coarse[has_point] = points_to_cells(rows["lat"].to_numpy()[has_point],
                                            rows["lon"].to_numpy()[has_point],
                                            ADVERT_RESOLUTION)
    by_cell = ~has_point & has_cell
    if by_cell.any():
        coarse[by_cell] = cells_to_parents(rows["h3_cell"].to_numpy(dtype=np.uint64)[by_cell],
                                           ADVERT_RESOLUTION)
    by_area = ~has_point & ~has_cell
    if by_area.any():
        names = rows["area"].to_numpy(dtype=object)
        for name in pd.unique(names[by_area]):
            coarse[by_area & (names == name)] = _area_hexagon(con, str(name), base, messages)
    unique, inverse = np.unique(coarse, return_inverse=True)
    centres = np.array([h3i.cell_to_center_child(int(c), base) for c in unique],
                       dtype=np.uint64)
    return centres[inverse.ravel()]


def _area_hexagon(con, name: str, base: int, messages: list) -> int:
    import h3.api.basic_int as h3i

    cells = np.asarray([c for (c,) in con.execute(
        "SELECT CAST(cell AS BIGINT) FROM area_cells JOIN areas USING (area_id) "
        "WHERE name = ?", [name]).fetchall()], dtype=np.int64).astype(np.uint64)
    parents, counts = np.unique(cells_to_parents(cells, ADVERT_RESOLUTION), return_counts=True)
    inside = np.isin([h3i.cell_to_center_child(int(p), base) for p in parents], cells)
    if inside.any():
        return int(parents[inside][np.argmax(counts[inside])])
    messages.append(f"area {name!r} is smaller than one resolution-{ADVERT_RESOLUTION} "
                    f"hexagon; its adverts are placed in the hexagon holding most of it, which "
                    f"is counted in a neighbouring area")
    return int(parents[np.argmax(counts)])


def load_adverts(con, checked, ingest_id, key, base, result) -> int:
    """Insert the adverts' aggregates (see the module docstring) with the aggregating writer
    every event feed uses (:func:`profiles.store.events.insert_events`); return 0 (nothing
    flagged)."""
    rows = checked.rows
    if not len(rows):
        return 0
    cells = advert_cells(con, rows, base, result.messages)
    when = rows["when"].to_numpy().astype("datetime64[D]")
    monday = when - ((when.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
    coarse = pd.DataFrame({
        "__has_point": np.zeros(len(rows), dtype=bool), "h3_cell": cells,
        "when": monday.astype("datetime64[s]"), "has_time": np.zeros(len(rows), dtype=bool),
        "platform_type": rows["platform_type"]})
    if "advertiser_key" in rows:
        coarse["advertiser_key"] = rows["advertiser_key"]
    insert_events(con, coarse, ingest_id, key, base, feed="online_adverts",
                  category="platform_type", subject="advertiser_key")
    _insert_advertiser_weeks(con, coarse, ingest_id, key, base)
    flags = {f: rows[f].to_numpy(dtype=bool) for f in ADVERT_INDICATORS if f in rows}
    if flags:
        flags[ANY_INDICATOR] = np.logical_or.reduce(list(flags.values()))
    for flag, mask in flags.items():
        if mask.any():
            sub = coarse.loc[mask].reset_index(drop=True)
            insert_events(con, sub, ingest_id, key, base, feed=INDICATOR_FEED,
                          category=np.full(len(sub), flag, dtype=object),
                          subject="advertiser_key")
    return 0


def _insert_advertiser_weeks(con, coarse: pd.DataFrame, ingest_id, key, base) -> None:
    """Insert one ``advertisers`` event per advertiser, hexagon and week not already stored.

    Keyed advertisers already stored for that hexagon and week (from an earlier file) are
    not counted again; the keyed hashes are compared in the store, never the keys.
    """
    from profiles.store.keys import keyed_hashes

    keyed = coarse["advertiser_key"].astype(object).where(
        coarse["advertiser_key"].notna(), "") if "advertiser_key" in coarse \
        else pd.Series("", index=coarse.index, dtype=object)
    has_key = (keyed != "").to_numpy()
    first = ~pd.DataFrame({"c": coarse["h3_cell"], "w": coarse["when"], "k": keyed}) \
        .duplicated().to_numpy()
    pick = ~has_key | first
    if has_key.any():
        hashes = np.zeros(len(coarse), dtype=np.uint64)
        hashes[has_key] = [int(h, 16) for h in keyed_hashes(
            keyed[has_key].to_numpy(dtype=object), key)]
        seen = con.execute("SELECT DISTINCT cell, datediff('day', DATE '1970-01-01', week), "
                           "subject FROM subjects WHERE feed = ?", [ADVERTISER_FEED]).fetchall()
        if seen:
            days = coarse["when"].to_numpy().astype("datetime64[D]").astype(np.int64)
            stored = set((int(c), int(d), int(h)) for c, d, h in seen)
            again = np.array([k and (int(c), int(d), int(h)) in stored for c, d, h, k in
                              zip(coarse["h3_cell"], days, hashes, has_key)], dtype=bool)
            pick &= ~again
    sub = coarse.loc[pick].reset_index(drop=True)
    insert_events(con, sub, ingest_id, key, base, feed=ADVERTISER_FEED,
                  category=np.full(len(sub), "advertiser", dtype=object),
                  subject="advertiser_key")


__all__ = ["ADVERTISER_FEED", "ANY_INDICATOR", "INDICATOR_FEED", "advert_cells", "load_adverts",
           "quarantine_unplaced_adverts"]
