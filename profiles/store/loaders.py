"""Per feed, how its validated rows are written to the store (``LOADERS``).

Each loader takes ``(con, checked, ingest_id, key, base, result)`` and returns how many rows
it flagged. Event feeds aggregate through :func:`profiles.store.events.insert_events`; the
online adverts feed has its own module (:mod:`profiles.store.adverts`).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa

from data_contracts import contract_for, premises_rubric
from geo.cells import area_to_cells
from geo.outlines import outline_to_geojson, simplify_outline
from profiles.store import adverts
from profiles.store import database as store
from profiles.store.events import _cells, _codes, _periods, insert_events

def _load_on_street(con, checked, ingest_id, key, base, result) -> int:
    insert_events(con, checked.rows, ingest_id, key, base, feed="on_street",
                   category="activity_type", detail="source_agency", subject="subject_key")
    return 0


def _load_harm(con, checked, ingest_id, key, base, result) -> int:
    insert_events(con, checked.rows, ingest_id, key, base, feed="harm_reports",
                   category="harm_category", detail="reporting_route", subject="subject_key")
    rows = checked.rows
    for flag in ("survival_sex", "sex_for_rent"):
        if flag in rows and rows[flag].any():
            sub = rows[rows[flag].to_numpy(dtype=bool)].reset_index(drop=True)
            # the same people as the reports: repeat reports of one person are one person
            insert_events(con, sub, ingest_id, key, base, feed="harm_context",
                           category=np.full(len(sub), flag, dtype=object),
                           subject="subject_key")
    return 0


def _load_premises(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    if not len(rows):
        return 0
    rubric = premises_rubric.categorise_frame(rows)
    supplied = rows["category"].to_numpy(dtype=object) if "category" in rows else \
        np.full(len(rows), None, dtype=object)
    has = np.array([s is not None and s == s for s in supplied], dtype=bool)
    clash = has & (supplied != rubric)
    final = rubric.astype(object).copy()
    if has.any():
        final[has] = premises_rubric.more_serious(supplied[has], rubric[has])
    for r, s, c in zip(rows["row"].to_numpy()[clash], supplied[clash], rubric[clash]):
        result.messages.append(f"flagged row {r}: supplied category {s!r} contradicts the "
                               f"indicators (rubric: {str(c)!r}); stored the more serious")
    insert_events(con, rows, ingest_id, key, base, feed="premises", category=final,
                   detail="premises_type", subject="premises_ref")
    return int(clash.sum())


def _load_outreach_contacts(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    weights = rows["contacts"].to_numpy() if "contacts" in rows else None
    insert_events(con, rows.assign(__person=_people_of_rows(rows, ingest_id)), ingest_id,
                   key, base, feed="outreach_contacts", category="service", weights=weights,
                   subject="__person")
    return 0


def _people_of_rows(rows: pd.DataFrame, ingest_id) -> pd.Series:
    """Each row's person for thresholds: its subject key, or for a row without one a key of
    the row itself, so an anonymous row of several contacts counts as one person (as a keyed
    one does), never as one person per contact. Row keys are hashed like subject keys and link
    to nothing."""
    given = rows["subject_key"] if "subject_key" in rows else pd.Series(None, index=rows.index)
    people = pd.Series(given, dtype=object).replace("", None)
    anon = people.isna().to_numpy()
    if anon.any():
        people = people.copy()
        people[anon] = [f"\x00row:{ingest_id}:{r}" for r in rows["row"].to_numpy()[anon]]
    return people


def _load_community(con, checked, ingest_id, key, base, result) -> int:
    insert_events(con, checked.rows, ingest_id, key, base, feed="community_concerns",
                   category="concern_type")
    return 0


def load_counted(con, checked, ingest_id, key, base, result) -> int:
    """Count a feed's rows by its contract's category, detail and subject columns: the load of
    every counted feed without a loader of its own in :data:`LOADERS`."""
    c = contract_for(checked.feed)
    insert_events(con, checked.rows, ingest_id, key, base, feed=c.feed, category=c.category,
                  detail=c.detail, subject=c.subject)
    return 0


def _load_environment(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    if not len(rows):
        return 0
    when = rows["when"].to_numpy() if "when" in rows else np.full(len(rows), np.datetime64("NaT"))
    codes, features = _codes(rows["feature_type"])
    con.register("env", pa.table({"cell": pa.array(_cells(rows, base), type=pa.uint64()),
                                  "f": pa.array(codes), "week": _periods(when)["week"]}))
    con.execute(f"""INSERT INTO environment SELECT cell, $features[f + 1],
                    DATE '1970-01-01' + week, count(*), {int(ingest_id)}
                    FROM env GROUP BY cell, f, week""", {"features": features})
    con.unregister("env")
    return 0


def _load_sites(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    if not len(rows):
        return 0
    confidential = rows["confidential"].to_numpy(dtype=bool) if "confidential" in rows \
        else np.zeros(len(rows), dtype=bool)
    con.register("sites", pa.table({
        "cell": pa.array(_cells(rows, base), type=pa.uint64()),
        "site_type": pa.array(rows["site_type"].astype(str).to_numpy(dtype=object),
                              type=pa.string()),
        "days": pa.array(rows["days"].to_numpy(dtype=np.int8)),
        "opens": pa.array(rows["opens"].to_numpy(dtype=np.int16)),
        "closes": pa.array(rows["closes"].to_numpy(dtype=np.int16)),
        "confidential": pa.array(confidential)}))
    con.execute(f"INSERT INTO outreach_sites SELECT *, {int(ingest_id)} FROM sites")
    con.unregister("sites")
    return 0


def _load_areas(con, checked, ingest_id, key, base, result) -> int:
    rows = checked.rows
    start = store.fetch_row(con, "SELECT coalesce(max(area_id), 0) FROM areas")[0]
    for i, (name, kind, geom) in enumerate(zip(rows["name"], rows["area_type"],
                                               rows["geometry"]), start=start + 1):
        cells, tiny = area_to_cells(geom, base)
        if tiny:
            result.messages.append(f"area {name!r} is smaller than one hexagon at resolution "
                                   f"{base}: it gets the one cell that holds its "
                                   "representative point")
        con.execute("INSERT INTO areas VALUES (?, ?, ?, ?)", [i, str(name), str(kind), ingest_id])
        # the outline itself is public reference data: kept, simplified to suit its size
        outline, tolerance = simplify_outline(geom)
        con.execute("INSERT INTO area_shapes VALUES (?, ?, ?)",
                    [i, outline_to_geojson(outline), math.ceil(tolerance)])
        con.register("ac", pd.DataFrame({"area_id": i, "cell": cells}))
        con.execute("INSERT INTO area_cells SELECT area_id, cell FROM ac")
        con.unregister("ac")
    return 0


LOADERS = {
    "on_street": _load_on_street, "harm_reports": _load_harm, "premises": _load_premises,
    "outreach_contacts": _load_outreach_contacts, "community_concerns": _load_community,
    "environment": _load_environment, "outreach_sites": _load_sites, "areas": _load_areas,
}


def _as_read(con, checked):
    return checked


LOADERS["online_adverts"] = adverts.load_adverts
#: Feeds whose loaders aggregate events, so a large file of theirs can load in blocks
#: (:mod:`profiles.store.staging`); areas and outreach sites are always read whole.
AGGREGATED = frozenset(LOADERS) - {"areas", "outreach_sites"}
#: Per feed, a step between validation and loading that may quarantine more rows (it needs
#: the store, e.g. to match area names): ``(con, checked) -> checked``.
PREPARE = {"online_adverts": adverts.quarantine_unplaced_adverts}


def prepare(con, checked):
    """Return ``checked`` after its feed's step before loading (:data:`PREPARE`), if any."""
    return PREPARE.get(checked.feed, _as_read)(con, checked)
