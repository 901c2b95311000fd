"""A second synthetic force for the utility benchmark: Marrowby (synthetic), two years.

SYNTHETIC, FOR DEMONSTRATION AND BENCHMARKING ONLY. Everything here is made up; it describes
no one. Marrowby is placed in the open North Sea (centre 55.60°N, 3.20°E, on the Dogger Bank,
far from any coast and from the demo town Lanternford at 54.50°N, 1.00°E), so no real street,
premises or person can ever be shown as a place of sex work.

It is shaped like a real partnership's two years of files, and deliberately *not* tuned to the
demo town: different geography (nine wards, a 3x3 block of irregular quadrilaterals, about
2.6 km a side, ``area_type`` "ward", no force polygon), different volumes, months instead of
weeks, seasonal and trend variation, and a population of pseudonymous people seen repeatedly.

Data run from 1 October 2024 to 30 September 2026 (24 months). Approximate rates (seed 11):

=====================  ==========================================================================
feed                   rate and shape
=====================  ==========================================================================
``areas``              9 wards, "Marrowby North West (synthetic)" … "Marrowby South East
                       (synthetic)"; they share borders exactly
``on_street``          ~350 rows a month (a little higher in the dark months, drifting down
                       ~10 % over the two years); ~300 distinct people (``subject_key``
                       ``MB-P0001`` …) with repeat sightings, each with a home ward, an active
                       spell and an uneven propensity to be seen; Central and East wards busy
                       (East growing in year two as Central falls), the outer wards quiet;
                       evening/night hours, busiest Thursday–Saturday
``harm_reports``       ~25 a month (a winter peak); about half keyed to the same people;
                       ~18 % survival_sex, ~7 % sex_for_rent; mostly at night
``outreach_contacts``  ~215 rows a month, ``contacts`` mostly 1 (some 2–4), so ~255 contacts a
                       month, rising ~20 % over the two years; ~60 % keyed; a weekday daytime
                       drop-in in Central, two evening van stops, some street outreach
``community_concerns`` ~70 a month (a summer peak), no keys; residential edges near the busy
                       wards; daytime and evening, about 40 % with a date only
``premises``           60 assessments each quarter (8 quarters) of ~100 premises that open
                       and close over time, with ``premises_ref`` (``MB-R001`` …) so
                       re-assessments dedupe; supplied categories agree with the rubric
=====================  ==========================================================================

Examples
--------
>>> frames = generate_shire(seed=11)
>>> sorted(frames)
['areas', 'community_concerns', 'harm_reports', 'on_street', 'outreach_contacts', 'premises']
>>> bool(frames["on_street"]["lat"].between(55.5, 55.7).all())
True
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from data_contracts.feeds import (ACTIVITY_TYPES, CONCERN_TYPES, HARM_CATEGORIES,
                                  OUTREACH_SERVICES, PREMISES_INDICATORS, PREMISES_TYPES,
                                  SOURCE_AGENCIES)
from sample_data.ward_points import WardPoints

NAME = "Marrowby (synthetic)"
CENTRE = (55.60, 3.20)                    # lat, lon: open North Sea
START = pd.Timestamp("2024-10-01")
END = pd.Timestamp("2026-09-30")          # the last day of data
MONTHS = 24
QUARTERS = 8
PREMISES_PER_QUARTER = 60

#: The order feeds are loaded in (areas first: they set the force area).
LOAD_ORDER = ("areas", "on_street", "premises", "outreach_contacts", "harm_reports",
              "community_concerns")

_KM_LAT = 1 / 111.0
_KM_LON = 1 / (111.0 * np.cos(np.radians(CENTRE[0])))
_SPACING_KM = 2.6
_ROWS = ("North", "", "South")
_COLS = ("West", "", "East")
#: Ward names, north-west to south-east, row by row.
WARDS = tuple(f"Marrowby {' '.join(p for p in (r, c) if p) or 'Central'} (synthetic)"
              for r in _ROWS for c in _COLS)
_W = {name.split("Marrowby ")[1].split(" (")[0]: i for i, name in enumerate(WARDS)}

#: Share of on-street rows by ward at the start, and how it moves by the end.
_STREET_SHARE = np.array([0.05, 0.12, 0.06, 0.07, 0.30, 0.20, 0.04, 0.10, 0.06])
_STREET_DRIFT = np.zeros(9)
_STREET_DRIFT[_W["Central"]], _STREET_DRIFT[_W["East"]] = -0.06, 0.06

_NIGHT = np.array([7, 5, 3.5, 2, 1, 0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.5, 0.6, 0.7,
                   0.9, 1.2, 2.5, 4.5, 7, 9, 10, 9])
_DAYTIME = np.array([0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.4, 1, 2, 3, 3.2, 3.2, 3, 3, 3.1, 3.2,
                     3, 2.8, 2.4, 2, 1.5, 1, 0.5, 0.2])
_DROP_IN_HOURS = np.array([0] * 10 + [3, 4, 3, 3, 4, 3] + [0] * 8, dtype=float)   # 10–16 h
_VAN_HOURS = np.array([1] + [0] * 19 + [2, 4, 4, 3], dtype=float)                  # 20–01 h
_NIGHTLIFE_DOW = np.array([0.8, 0.8, 0.9, 1.2, 1.5, 1.5, 0.9])   # Mon..Sun
_EVEN_DOW = np.ones(7)
_WEEKDAY_DOW = np.array([1, 1, 1, 1, 1, 0, 0], dtype=float)


# --- places -------------------------------------------------------------------------------

def _to_latlon(east_km, north_km):
    return (CENTRE[0] + np.asarray(north_km) * _KM_LAT,
            CENTRE[1] + np.asarray(east_km) * _KM_LON)


def _ward_shapes(rng) -> list:
    """Nine irregular quadrilaterals (shapely, km) tiling a 3x3 block; shared corners are
    jittered once, so neighbouring wards share borders exactly."""
    from shapely.geometry import Polygon

    half = 1.5 * _SPACING_KM
    grid = np.linspace(-half, half, 4)
    vx, vy = np.meshgrid(grid, grid, indexing="ij")           # [ix west->east, iy south->north]
    jitter = 0.22 * _SPACING_KM
    vx = vx + rng.uniform(-jitter, jitter, vx.shape)
    vy = vy + rng.uniform(-jitter, jitter, vy.shape)
    shapes = []
    for r in range(3):                                          # north to south
        y0, y1 = 2 - r, 3 - r
        for c in range(3):                                      # west to east
            ring = [(vx[c, y0], vy[c, y0]), (vx[c + 1, y0], vy[c + 1, y0]),
                    (vx[c + 1, y1], vy[c + 1, y1]), (vx[c, y1], vy[c, y1])]
            shapes.append(Polygon(ring))
    return shapes


def _areas(shapes) -> dict:
    features = []
    for name, shape_km in zip(WARDS, shapes):
        east, north = np.asarray(shape_km.exterior.coords).T
        lat, lon = _to_latlon(east, north)
        ring = [[round(float(x), 6), round(float(y), 6)] for x, y in zip(lon, lat)]
        features.append({"type": "Feature", "properties": {"name": name, "area_type": "ward"},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": features}


def _latlon_columns(pts_km) -> dict:
    lat, lon = _to_latlon(pts_km[:, 0], pts_km[:, 1])
    return {"lat": np.round(lat, 6), "lon": np.round(lon, 6)}


# --- time ---------------------------------------------------------------------------------

_MONTH_STARTS = pd.date_range(START, periods=MONTHS, freq="MS")


def _monthly_counts(rng, base: float, *, amp: float, peak: int, trend: float) -> np.ndarray:
    """Poisson counts for each month: ``base`` with a seasonal swing (``amp``, peaking in
    calendar month ``peak``) and a linear ``trend`` (fractional change across two years)."""
    t = np.arange(MONTHS)
    month = _MONTH_STARTS.month.to_numpy()
    lam = (base * (1 + amp * np.cos(2 * np.pi * (month - peak) / 12))
           * (1 + trend * (t / (MONTHS - 1) - 0.5)))
    return rng.poisson(lam)


def _times(rng, months: np.ndarray, hour_w, dow_w) -> np.ndarray:
    """A timestamp for each row in its month index, with hour-of-day and day-of-week
    profiles (a late-night hour falls on the day it is drawn for)."""
    n = len(months)
    out = np.empty(n, dtype="datetime64[m]")
    hp = np.asarray(hour_w, dtype=float)
    hp = hp / hp.sum()
    for m in np.unique(months):
        idx = np.flatnonzero(months == m)
        start = _MONTH_STARTS[m]
        days = pd.date_range(start, start + pd.offsets.MonthEnd(0), freq="D")
        dp = np.asarray(dow_w, dtype=float)[days.dayofweek]
        day = rng.choice(len(days), len(idx), p=dp / dp.sum())
        hour = rng.choice(24, len(idx), p=hp)
        minute = rng.integers(0, 60, len(idx))
        out[idx] = (days.values[day].astype("datetime64[m]")
                    + hour.astype("timedelta64[h]") + minute.astype("timedelta64[m]"))
    return np.minimum(out, np.datetime64(END + pd.Timedelta(hours=23, minutes=59), "m"))


def _fmt(ts, with_time=True) -> np.ndarray:
    idx = pd.DatetimeIndex(ts)
    return np.asarray(idx.strftime("%Y-%m-%dT%H:%M" if with_time else "%Y-%m-%d"), dtype=object)


def _month_index(counts) -> np.ndarray:
    return np.repeat(np.arange(MONTHS), counts)


# --- people -------------------------------------------------------------------------------

class _People:
    """Pseudonymous people on the street: a home ward, an active spell, a propensity."""

    def __init__(self, rng, n: int = 380):
        self.rng = rng
        self.keys = np.array([f"MB-P{i + 1:04d}" for i in range(n)], dtype=object)
        self.home = rng.choice(9, n, p=_STREET_SHARE / _STREET_SHARE.sum())
        self.start = rng.integers(-8, MONTHS, n)
        self.length = np.clip(np.round(rng.lognormal(np.log(7), 0.8, n)), 1, 30).astype(int)
        self.weight = rng.lognormal(0, 1.0, n)

    def pick(self, months: np.ndarray, wards: np.ndarray | None, p_other_ward: float = 0.0):
        """A key for each row, from people active that month (in its ward, mostly); ''
        where nobody fits."""
        out = np.full(len(months), "", dtype=object)
        active = ((self.start[None, :] <= np.arange(MONTHS)[:, None])
                  & (np.arange(MONTHS)[:, None] < (self.start + self.length)[None, :]))
        anywhere = (np.ones(len(months), dtype=bool) if wards is None
                    else self.rng.random(len(months)) < p_other_ward)
        groups = (np.zeros(len(months), dtype=int) - 1 if wards is None
                  else np.where(anywhere, -1, wards))
        for m in np.unique(months):
            for g in np.unique(groups[months == m]):
                idx = np.flatnonzero((months == m) & (groups == g))
                ok = active[m] if g < 0 else active[m] & (self.home == g)
                if not ok.any():
                    ok = active[m]
                if not ok.any():
                    continue
                w = self.weight * ok
                out[idx] = self.keys[self.rng.choice(len(w), len(idx), p=w / w.sum())]
        return out


# --- feeds --------------------------------------------------------------------------------

def _street_wards(rng, months: np.ndarray) -> np.ndarray:
    wards = np.empty(len(months), dtype=int)
    for m in np.unique(months):
        idx = np.flatnonzero(months == m)
        p = np.clip(_STREET_SHARE + _STREET_DRIFT * m / (MONTHS - 1), 0.01, None)
        wards[idx] = rng.choice(9, len(idx), p=p / p.sum())
    return wards


def _on_street(rng, places, people) -> pd.DataFrame:
    months = _month_index(_monthly_counts(rng, 350, amp=0.12, peak=12, trend=-0.10))
    n = len(months)
    wards = _street_wards(rng, months)
    busy = np.isin(wards, [_W["Central"], _W["East"]])
    pts = places.mixed(wards, rng.random(n) < np.where(busy, 0.8, 0.5),
                       np.where(np.isin(np.arange(9), [_W["Central"], _W["East"]]), 0.3, 0.5))
    activity = rng.choice(ACTIVITY_TYPES, n, p=[0.5, 0.15, 0.2, 0.15])
    source = rng.choice(SOURCE_AGENCIES, n, p=[0.5, 0.28, 0.1, 0.04, 0.05, 0.03])
    keyed = (activity != "kerb_crawling") & (rng.random(n) < 0.75)
    subject = np.where(keyed, people.pick(months, wards, p_other_ward=0.15), "")
    frame = pd.DataFrame({**_latlon_columns(pts),
                          "datetime": _fmt(_times(rng, months, _NIGHT, _NIGHTLIFE_DOW)),
                          "activity_type": activity, "source_agency": source,
                          "subject_key": subject})
    return frame.sort_values("datetime", kind="stable").reset_index(drop=True)


def _harm(rng, places, people) -> pd.DataFrame:
    months = _month_index(_monthly_counts(rng, 25, amp=0.2, peak=1, trend=0.0))
    n = len(months)
    share = 0.6 * _STREET_SHARE + 0.4 / 9                       # flatter than the street
    wards = rng.choice(9, n, p=share / share.sum())
    pts = places.mixed(wards, rng.random(n) < 0.6, 0.45)
    p = np.array([0.22, 0.13, 0.1, 0.15, 0.08, 0.12, 0.15, 0.05])
    keyed = rng.random(n) < 0.5
    frame = pd.DataFrame({
        **_latlon_columns(pts), "datetime": _fmt(_times(rng, months, _NIGHT, _NIGHTLIFE_DOW)),
        "harm_category": rng.choice(HARM_CATEGORIES, n, p=p / p.sum()),
        "reporting_route": rng.choice(["police", "third_party", "outreach"], n,
                                      p=[0.45, 0.3, 0.25]),
        "survival_sex": np.where(rng.random(n) < 0.18, "yes", "no"),
        "sex_for_rent": np.where(rng.random(n) < 0.07, "yes", "no"),
        "subject_key": np.where(keyed, people.pick(months, wards, p_other_ward=0.3), "")})
    return frame.sort_values("datetime", kind="stable").reset_index(drop=True)


def _contacts(rng, places, people) -> pd.DataFrame:
    months = _month_index(_monthly_counts(rng, 215, amp=0.08, peak=6, trend=0.20))
    n = len(months)
    # 0 drop-in (Central, weekdays 10–16), 1 van stop (Central hotspot, evenings),
    # 2 van stop (East, evenings), 3 street outreach in the busier wards (evenings)
    mode = rng.choice(4, n, p=[0.35, 0.3, 0.2, 0.15])
    central, east = _W["Central"], _W["East"]
    drop_in = places.hotspots[central] + np.array([-0.5, 0.3])
    street_wards = np.array([central, east, _W["North"], _W["South"]])
    wards = np.where(mode == 2, east, np.where(mode == 3, rng.choice(street_wards, n), central))
    pts = np.empty((n, 2))
    for k, (ward, centre, sd) in {0: (central, drop_in, 0.05), 1: (central, None, 0.1),
                                  2: (east, None, 0.1)}.items():
        idx = np.flatnonzero(mode == k)
        pts[idx] = places.around(ward, len(idx), sd, centre)
    idx = np.flatnonzero(mode == 3)
    pts[idx] = places.mixed(wards[idx], np.ones(len(idx), dtype=bool), 0.4)
    ts = np.empty(n, dtype="datetime64[m]")
    for k, (hours, dow) in {0: (_DROP_IN_HOURS, _WEEKDAY_DOW),
                            1: (_VAN_HOURS, np.array([0, 1, 0, 1, 0, 1, 0], dtype=float)),
                            2: (_VAN_HOURS, np.array([0, 0, 1, 0, 1, 0, 0], dtype=float)),
                            3: (_NIGHT, _NIGHTLIFE_DOW)}.items():
        idx = np.flatnonzero(mode == k)
        ts[idx] = _times(rng, months[idx], hours, dow)
    keyed = rng.random(n) < 0.6
    frame = pd.DataFrame({
        **_latlon_columns(pts), "datetime": _fmt(ts),
        "service": rng.choice(OUTREACH_SERVICES, n, p=[0.35, 0.2, 0.15, 0.1, 0.08, 0.12]),
        "contacts": rng.choice([1, 2, 3, 4], n, p=[0.88, 0.07, 0.03, 0.02]),
        "subject_key": np.where(keyed, people.pick(months, wards, p_other_ward=0.5), "")})
    return frame.sort_values("datetime", kind="stable").reset_index(drop=True)


def _concerns(rng, places) -> pd.DataFrame:
    months = _month_index(_monthly_counts(rng, 70, amp=0.2, peak=7, trend=0.05))
    n = len(months)
    share = 0.7 * _STREET_SHARE + 0.3 / 9
    wards = rng.choice(9, n, p=share / share.sum())
    edges = {w: places.hotspots[w] + np.array([0.6, 0.5]) for w in range(9)}
    pts = np.empty((n, 2))
    near = rng.random(n) < 0.65
    for w in range(9):
        idx = np.flatnonzero((wards == w) & near)
        pts[idx] = places.around(w, len(idx), 0.35, edges[w])
        idx = np.flatnonzero((wards == w) & ~near)
        pts[idx] = places.uniform(w, len(idx))
    ts = _times(rng, months, _DAYTIME, _EVEN_DOW)
    with_time = rng.random(n) < 0.6
    when = np.where(with_time, _fmt(ts), _fmt(ts, with_time=False))
    p = np.array([0.22, 0.2, 0.16, 0.12, 0.1, 0.05, 0.07, 0.03, 0.05])
    frame = pd.DataFrame({**_latlon_columns(pts), "datetime": when,
                          "concern_type": rng.choice(CONCERN_TYPES, n, p=p / p.sum())})
    return frame.sort_values("datetime", kind="stable").reset_index(drop=True)


def _premises(rng, places) -> pd.DataFrame:
    """60 assessments a quarter of premises that open and close: a premises keeps its
    place, type and profile; its indicators are drawn afresh at each assessment."""
    clusters = [_W["Central"], _W["East"], _W["North"]]
    premises = []                                   # dicts: ref, xy, type, profile, open

    def open_one():
        i = len(premises)
        if rng.random() < 0.7:
            ward = int(rng.choice(clusters, p=[0.45, 0.35, 0.2]))
            xy = places.around(ward, 1, 0.4)[0]
        else:
            xy = places.uniform(int(rng.integers(0, 9)), 1)[0]
        premises.append({"ref": f"MB-R{i + 1:03d}", "xy": xy,
                         "type": rng.choice(PREMISES_TYPES, p=[0.5, 0.15, 0.08, 0.1, 0.12, 0.05]),
                         "profile": int(rng.choice(3, p=[0.6, 0.27, 0.13])), "open": True})

    for _ in range(72):
        open_one()
    rows = []
    for q in range(QUARTERS):
        if q:
            for p in premises:                      # some close, a few new ones open
                if p["open"] and rng.random() < 0.06:
                    p["open"] = False
            for _ in range(int(rng.poisson(4))):
                open_one()
        while sum(p["open"] for p in premises) < PREMISES_PER_QUARTER:
            open_one()
        live = [p for p in premises if p["open"]]
        chosen = rng.choice(len(live), PREMISES_PER_QUARTER, replace=False)
        q_start = START + pd.DateOffset(months=3 * q)
        for j in chosen:
            p = live[j]
            # day 7..80 of the quarter: the assessment's Monday week stays in the quarter
            day = q_start + pd.Timedelta(days=int(rng.integers(7, 81)))
            risk, nuisance = p["profile"] == 2, p["profile"] == 1
            ind = {"community_impact": (nuisance and rng.random() < 0.85)
                   or (risk and rng.random() < 0.3),
                   "exploitation": risk and rng.random() < 0.55,
                   "coercion": risk and rng.random() < 0.4,
                   "under_18": risk and rng.random() < 0.03,
                   "trafficking": risk and rng.random() < 0.2,
                   "violence": risk and rng.random() < 0.15,
                   "drugs": (nuisance or risk) and rng.random() < 0.3}
            if risk and not any(ind[k] for k in ("exploitation", "coercion", "under_18",
                                                 "trafficking", "violence")):
                ind["exploitation"] = True
            if nuisance and not (ind["community_impact"] or ind["drugs"]):
                ind["community_impact"] = True
            lat, lon = _to_latlon(p["xy"][0], p["xy"][1])
            rows.append({"lat": round(float(lat), 6), "lon": round(float(lon), 6),
                         "assessment_date": day.strftime("%Y-%m-%d"),
                         "premises_type": p["type"],
                         **{k: "yes" if ind[k] else "no" for k in PREMISES_INDICATORS},
                         "category": ["non-nuisance", "nuisance", "risk"][p["profile"]],
                         "premises_ref": p["ref"]})
    frame = pd.DataFrame(rows)
    return frame.sort_values("assessment_date", kind="stable").reset_index(drop=True)


def generate_shire(seed: int = 11) -> dict:
    """Return every feed of Marrowby as DataFrames (``areas`` as a GeoJSON dict).

    Deterministic for ``seed`` (numpy Generator only; no global random state).
    """
    rng = np.random.default_rng(seed)
    shapes = _ward_shapes(rng)
    places = WardPoints(rng, shapes)
    people = _People(rng)
    return {"areas": _areas(shapes), "on_street": _on_street(rng, places, people),
            "premises": _premises(rng, places),
            "outreach_contacts": _contacts(rng, places, people),
            "harm_reports": _harm(rng, places, people),
            "community_concerns": _concerns(rng, places)}


def write_shire(folder, *, seed: int = 11) -> dict:
    """Write every feed of Marrowby to ``folder`` (CSV; areas as ``areas.geojson``).

    Returns
    -------
    dict
        feed name -> Path, in :data:`LOAD_ORDER`.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = generate_shire(seed=seed)
    paths = {}
    for feed in LOAD_ORDER:
        if feed == "areas":
            path = folder / "areas.geojson"
            path.write_text(json.dumps(frames[feed], indent=1))
        else:
            path = folder / f"{feed}.csv"
            frames[feed].to_csv(path, index=False)
        paths[feed] = path
    return paths


def build_shire(db_path, *, seed: int = 11, data_dir=None) -> list:
    """Write Marrowby's files and load them (areas first) into a fresh store at ``db_path``,
    through the real ingest, as :func:`profiles.store.demo.build_demo` does for the demo.

    An existing database at ``db_path`` is replaced only if it is itself synthetic.

    Returns
    -------
    list of IngestResult, one per feed file, in :data:`LOAD_ORDER`.

    Raises
    ------
    FileExistsError
        If ``db_path`` holds a database that is not synthetic.
    """
    from profiles.store import database as store
    from profiles.store.ingest import ingest_file
    from profiles.store.keys import load_key

    db_path = Path(db_path)
    store.remove_synthetic(db_path, "holds real (non-synthetic) data; choose another path "
                                    "for the synthetic shire")
    data_dir = Path(data_dir or db_path.parent / "lantern-shire-data")
    paths = write_shire(data_dir, seed=seed)
    con = store.connect(db_path)
    try:
        store.set_meta(con, "synthetic", "true")
        # synthetic figures are the same on every machine (a real store's salt is random)
        store.set_meta(con, "release_salt", f"synthetic-shire-{seed}")
        key = load_key(db_path)
        return [ingest_file(con, feed, paths[feed], key=key) for feed in LOAD_ORDER]
    finally:
        con.close()
