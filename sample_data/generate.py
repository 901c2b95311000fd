"""Generate the synthetic town: every feed, two years of weeks, deterministic for a seed.

Examples
--------
>>> town = generate_town(seed=1, scale=0.1)
>>> sorted(town)[:3]
['areas', 'community_concerns', 'environment']
>>> bool((town["on_street"]["lat"] > 54).all())
True
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data_contracts.feeds import (ACTIVITY_TYPES, HARM_CATEGORIES, OUTREACH_SERVICES,
                                  SOURCE_AGENCIES)
from data_contracts.private_files import open_private, private_dir, write_private


@dataclass(frozen=True)
class Town:
    """Where the fictional town sits and when its data ends."""

    name: str = "Lanternford (synthetic)"
    lat: float = 54.50
    lon: float = 1.00
    end: dt.date = dt.date(2026, 11, 1)   # a Sunday: the last day of data
    weeks: int = 104


TOWN = Town()
_KM_LAT = 1 / 111.0
_KM_LON = 1 / (111.0 * np.cos(np.radians(TOWN.lat)))

# Places in the town, as (east km, north km) from the centre.
_CORRIDOR = ((-3.0, -3.0), (3.0, 3.0))        # railway and ring road, SW -> NE
_STREET_AREA = (1.2, 0.8)                      # on-street area beside the corridor (year 1)
_STREET_AREA_MOVED = (1.8, 1.5)                # where it drifts in year 2
_RESIDENTIAL_EDGE = ((0.5, 1.6), (2.4, 0.2))   # housing edges around the on-street area
_DROP_IN = (-0.3, 0.2)
_VANS = ((1.4, 1.1), (-1.5, -0.8))
_CLINIC_CONFIDENTIAL = (0.2, -0.9)
_LORRY_PARK = (2.6, 2.2)
_ISOLATED = ((2.3, 2.8), (-2.5, -2.0))

WARDS = {  # fictional names; quadrants of the town
    "Ashcombe Ward (synthetic)": (0, 4, 0, 4),
    "Brindlemoor Ward (synthetic)": (-4, 0, 0, 4),
    "Cinderhythe Ward (synthetic)": (-4, 0, -4, 0),
    "Dunwray Ward (synthetic)": (0, 4, -4, 0),
}
BEATS = {
    "Corridor Beat (synthetic)": (0, 3, 0, 3),
    "Town Centre Beat (synthetic)": (-1.5, 1.0, -1.5, 1.0),
}


def _to_latlon(east_km, north_km):
    return TOWN.lat + np.asarray(north_km) * _KM_LAT, TOWN.lon + np.asarray(east_km) * _KM_LON


def _week_starts() -> pd.DatetimeIndex:
    last_monday = pd.Timestamp(TOWN.end) - pd.Timedelta(days=6)
    return pd.date_range(end=last_monday, periods=TOWN.weeks, freq="7D")


def _times(rng, n, hour_weights) -> np.ndarray:
    """Random timestamps over the two years, with an hour-of-day profile."""
    weeks = _week_starts()
    w = rng.integers(0, len(weeks), n)
    day = rng.integers(0, 7, n)
    p = np.asarray(hour_weights, dtype=float)
    hour = rng.choice(24, size=n, p=p / p.sum())
    minute = rng.integers(0, 60, n)
    ts = (weeks.values[w] + pd.to_timedelta(day, "D").values + pd.to_timedelta(hour, "h").values
          + pd.to_timedelta(minute, "min").values)
    return ts


def _fmt(ts, with_time=True) -> np.ndarray:
    idx = pd.DatetimeIndex(ts)
    return np.asarray(idx.strftime("%Y-%m-%dT%H:%M" if with_time else "%Y-%m-%d"), dtype=object)


#: Events stay this far (km) from the centre, inside the 8 km force-area square with a margin
#: of about one resolution-9 cell, so every event falls in a cell of the force area.
_TOWN_HALF_KM = 3.6


def _in_town(km) -> np.ndarray:
    """Reflect scatter that would fall beyond the town's edge back inside (no extra draws)."""
    km = np.asarray(km, dtype=float)
    edge = _TOWN_HALF_KM
    km = np.where(km > edge, 2 * edge - km, np.where(km < -edge, -2 * edge - km, km))
    return np.clip(km, -edge, edge)


def _event_latlon(east_km, north_km):
    return _to_latlon(_in_town(east_km), _in_town(north_km))


def _scatter(rng, n, centre, sd_km):
    east = rng.normal(centre[0], sd_km, n)
    north = rng.normal(centre[1], sd_km, n)
    return _event_latlon(east, north)


_NIGHT = [6, 4, 3, 2, 1, 0.5, 0.3, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6, 0.6, 0.6, 0.7, 0.8, 1, 2, 4,
          6, 8, 9, 8]
_DAY = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 2.5, 2, 1.5, 1, 0.8,
        0.5, 0.3]


def generate_town(seed: int = 7, scale: float = 1.0) -> dict:
    """Return every feed of the synthetic town as DataFrames (areas as a GeoJSON dict).

    Parameters
    ----------
    seed : int
        Seed for the random generator; the same seed and scale give the same data.
    scale : float
        Multiplies event counts (on-street, harm, concerns, contacts). ``scale=170`` gives
        about a million on-street points.

    Returns
    -------
    dict
        feed name -> pandas.DataFrame (``areas`` -> GeoJSON FeatureCollection dict).
    """
    if scale <= 0:
        raise ValueError(f"scale= must be positive, not {scale!r}")
    rng = np.random.default_rng(seed)
    out = {"areas": _areas()}
    out["on_street"] = _on_street(rng, max(1, int(6000 * scale)))
    out["premises"] = _premises(rng)
    out["outreach_sites"] = _sites()
    out["outreach_contacts"] = _contacts(rng, max(1, int(2500 * scale)))
    out["harm_reports"] = _harm(rng, max(1, int(700 * scale)))
    out["community_concerns"] = _concerns(rng, max(1, int(1500 * scale)))
    out["environment"] = _environment(rng)
    from sample_data.adverts import synthetic_adverts   # its own random stream

    out["online_adverts"] = synthetic_adverts(seed=seed, scale=scale)
    return out


def on_street_events(n: int, *, seed: int = 7) -> pd.DataFrame:
    """Return ``n`` synthetic on-street events alone (for benchmarks), same columns as the town.

    Examples
    --------
    >>> list(on_street_events(3, seed=1).columns)
    ['lat', 'lon', 'datetime', 'activity_type', 'source_agency', 'subject_key']
    """
    if int(n) < 1:
        raise ValueError(f"n= must be at least 1, not {n!r}")
    return _on_street(np.random.default_rng(seed), int(n))


#: How far (km) a synthetic boundary wanders either side of its straight line, like a road or
#: stream followed by a real ward boundary.
_WANDER_KM = 0.3


def _wander(a, b, phase: float, *, step_km: float = 0.06, outward: bool = False,
            km: float = _WANDER_KM) -> np.ndarray:
    """Return a boundary from ``a`` to ``b`` (km) that wanders either side of the straight
    line by up to ``km`` (only to its left with ``outward``: outside a box drawn
    anticlockwise), fixed at both ends; deterministic for ``phase``."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    length = float(np.hypot(*(b - a)))
    t = np.linspace(0.0, 1.0, max(2, int(length / step_km)) + 1)
    wave = (0.55 * np.sin(2 * np.pi * (1.3 * t + phase)) + 0.3 * np.sin(2 * np.pi * (4.1 * t
            + 2.7 * phase)) + 0.15 * np.sin(2 * np.pi * (11.3 * t + 5.1 * phase)))
    if outward:
        wave = 0.5 * (wave + 1.0)
    offset = km * wave * np.sin(np.pi * t)   # 0 at both ends: corners stay put
    normal = np.array([-(b - a)[1], (b - a)[0]]) / length
    return a + np.outer(t, b - a) + np.outer(offset, normal)


def _wandering_box(w, e, s, n, phase: float, *, outward: bool = False,
                   km: float = _WANDER_KM):
    """A rectangle (km) whose four sides wander: a shapely Polygon in km. With ``outward`` it
    never comes inside the rectangle (the force area must hold every synthetic event)."""
    from shapely.geometry import Polygon

    corners = [(w, s), (w, n), (e, n), (e, s), (w, s)]   # clockwise: left of a side is out
    sides = [_wander(corners[i], corners[i + 1], phase + 0.37 * i, outward=outward,
                     km=km)[:-1] for i in range(4)]
    return Polygon(np.vstack(sides))


def _areas() -> dict:
    """The force, four wards and two beats: real-shaped (wandering) synthetic outlines.

    The wards partition the force exactly (they are cut from it along two wandering lines);
    the beats overlap the wards, as police beats do.
    """
    from shapely.geometry import LineString
    from shapely.ops import split

    def feature(name, kind, shape_km):
        rings = []
        for ring in (shape_km.exterior,):
            east, north = np.asarray(ring.coords).T
            lat, lon = _to_latlon(east, north)
            rings.append([[round(float(x), 6), round(float(y), 6)] for x, y in zip(lon, lat)])
        return {"type": "Feature", "properties": {"name": name, "area_type": kind},
                "geometry": {"type": "Polygon", "coordinates": rings}}

    force = _wandering_box(-4, 4, -4, 4, 0.11, outward=True, km=0.9)
    north_south = LineString(_wander((0.0, -6.0), (0.0, 6.0), 0.53))
    east_west = LineString(_wander((-6.0, 0.0), (6.0, 0.0), 0.79))
    pieces = [q for half in split(force, north_south).geoms for q in split(half, east_west).geoms]
    features = [feature(TOWN.name, "force", force)]
    for name, (w, e, s, n) in WARDS.items():
        cx, cy = (w + e) / 2, (s + n) / 2
        ward = next(q for q in pieces if (q.centroid.x > 0) == (cx > 0)
                    and (q.centroid.y > 0) == (cy > 0))
        features.append(feature(name, "ward", ward))
    for i, (name, b) in enumerate(BEATS.items()):
        features.append(feature(name, "beat", _wandering_box(*b, 0.23 + 0.31 * i)))
    return {"type": "FeatureCollection", "features": features}


def _on_street(rng, n) -> pd.DataFrame:
    ts = _times(rng, n, _NIGHT)
    second_year = ts >= _week_starts()[52].to_datetime64()
    centre = np.where(second_year[:, None], _STREET_AREA_MOVED, _STREET_AREA)
    core = rng.random(n) < 0.8
    sd = np.where(core, 0.35, 1.6)
    lat, lon = _event_latlon(rng.normal(centre[:, 0], sd), rng.normal(centre[:, 1], sd))
    pool = [f"S{i:03d}" for i in range(60)]
    subj = np.where(rng.random(n) < 0.5, rng.choice(pool, n), "")
    return pd.DataFrame({
        "lat": lat.round(6), "lon": lon.round(6), "datetime": _fmt(ts),
        "activity_type": rng.choice(ACTIVITY_TYPES, n, p=[0.45, 0.2, 0.2, 0.15]),
        "source_agency": rng.choice(SOURCE_AGENCIES, n, p=[0.45, 0.3, 0.1, 0.05, 0.05, 0.05]),
        "subject_key": subj})


def _premises(rng) -> pd.DataFrame:
    # A force area holds a few hundred off-street premises, most in a few clusters of flats
    # and parlours (town centre, the corridor, a residential edge), the rest scattered.
    n_prem = 220
    clusters = np.array([(-0.6, 0.1), (1.5, 1.2), (-1.8, -1.5)])
    which = rng.integers(0, len(clusters), n_prem)
    scattered = rng.random(n_prem) < 0.3
    east = np.where(scattered, rng.uniform(-3.5, 3.5, n_prem),
                    rng.normal(clusters[which, 0], 0.5))
    north = np.where(scattered, rng.uniform(-3.5, 3.5, n_prem),
                     rng.normal(clusters[which, 1], 0.5))
    ptype = rng.choice(["flat", "massage_parlour", "sauna", "hotel", "pop_up", "other"], n_prem,
                       p=[0.45, 0.15, 0.1, 0.1, 0.15, 0.05])
    profile = rng.choice(3, n_prem, p=[0.6, 0.25, 0.15])   # 0 non-nuisance, 1 nuisance, 2 risk
    weeks = _week_starts()
    rows = []
    for i in range(n_prem):
        for _ in range(rng.integers(1, 4)):
            lat, lon = _to_latlon(east[i], north[i])
            day = weeks[rng.integers(0, len(weeks))] + pd.Timedelta(days=int(rng.integers(0, 5)))
            risk = profile[i] == 2
            row = {"lat": round(float(lat), 6), "lon": round(float(lon), 6),
                   "assessment_date": day.strftime("%Y-%m-%d"), "premises_type": ptype[i],
                   "community_impact": profile[i] >= 1 and rng.random() < 0.8,
                   "exploitation": risk and rng.random() < 0.6,
                   "coercion": risk and rng.random() < 0.4,
                   "under_18": False, "trafficking": risk and rng.random() < 0.2,
                   "violence": False, "drugs": profile[i] == 1 and rng.random() < 0.3,
                   "premises_ref": f"P{i:03d}"}
            if risk and not (row["exploitation"] or row["coercion"] or row["trafficking"]):
                row["coercion"] = True
            if profile[i] == 1 and not (row["community_impact"] or row["drugs"]):
                row["community_impact"] = True
            row["category"] = ["non-nuisance", "nuisance", "risk"][profile[i]]
            rows.append(row)
    frame = pd.DataFrame(rows)
    # a couple of supplied categories that contradict the indicators, to show the flag
    frame.loc[frame.index[:2], "category"] = "non-nuisance"
    frame.loc[frame.index[:2], "coercion"] = True
    for col in ("community_impact", "exploitation", "coercion", "under_18", "trafficking",
                "violence", "drugs"):
        frame[col] = frame[col].map({True: "yes", False: "no"})
    return frame


def _sites() -> pd.DataFrame:
    places = [(_DROP_IN, "drop_in", "Mon-Fri", "10:00", "16:00", "no"),
              (_VANS[0], "van_stop", "Tue,Thu,Sat", "21:00", "01:00", "no"),
              (_VANS[1], "van_stop", "Wed,Fri", "20:00", "23:30", "no"),
              (_CLINIC_CONFIDENTIAL, "clinic", "Mon,Wed", "13:00", "17:00", "yes")]
    rows = []
    for (e, nth), kind, days, opens, closes, conf in places:
        lat, lon = _to_latlon(e, nth)
        rows.append({"lat": round(float(lat), 6), "lon": round(float(lon), 6),
                     "site_type": kind, "days": days, "opens": opens, "closes": closes,
                     "confidential": conf})
    return pd.DataFrame(rows)


def _contacts(rng, n) -> pd.DataFrame:
    ts = _times(rng, n, _NIGHT)
    where = rng.choice(3, n, p=[0.35, 0.45, 0.2])
    centres = np.array([_DROP_IN, _VANS[0], _VANS[1]])[where]
    lat, lon = _event_latlon(rng.normal(centres[:, 0], 0.3), rng.normal(centres[:, 1], 0.3))
    return pd.DataFrame({
        "lat": lat.round(6), "lon": lon.round(6), "datetime": _fmt(ts),
        "service": rng.choice(OUTREACH_SERVICES, n, p=[0.35, 0.2, 0.15, 0.1, 0.1, 0.1]),
        "contacts": rng.integers(1, 4, n),
        "subject_key": np.where(rng.random(n) < 0.6, rng.choice(
            [f"S{i:03d}" for i in range(60)], n), "")})


def _harm(rng, n) -> pd.DataFrame:
    ts = _times(rng, n, _NIGHT)
    near = rng.random(n) < 0.7
    lat_a, lon_a = _scatter(rng, n, _STREET_AREA, 0.6)
    lat_b, lon_b = _to_latlon(rng.uniform(-3.5, 3.5, n), rng.uniform(-3.5, 3.5, n))
    p = np.array([0.22, 0.13, 0.1, 0.15, 0.08, 0.12, 0.15, 0.05])
    return pd.DataFrame({
        "lat": np.where(near, lat_a, lat_b).round(6), "lon": np.where(near, lon_a, lon_b).round(6),
        "datetime": _fmt(ts), "harm_category": rng.choice(HARM_CATEGORIES, n, p=p / p.sum()),
        "reporting_route": rng.choice(["police", "third_party", "outreach"], n, p=[0.4, 0.3, 0.3]),
        "survival_sex": np.where(rng.random(n) < 0.15, "yes", "no"),
        "sex_for_rent": np.where(rng.random(n) < 0.08, "yes", "no"),
        "subject_key": np.where(rng.random(n) < 0.5, rng.choice(
            [f"S{i:03d}" for i in range(60)], n), "")})


def _concerns(rng, n) -> pd.DataFrame:
    ts = _times(rng, n, _DAY)
    edge = rng.integers(0, 2, n)
    centres = np.array(_RESIDENTIAL_EDGE)[edge]
    lat, lon = _event_latlon(rng.normal(centres[:, 0], 0.4), rng.normal(centres[:, 1], 0.4))
    kinds = ["complaint", "anti_social_behaviour", "litter_needles", "noise", "kerb_crawling",
             "other"]
    return pd.DataFrame({
        "lat": lat.round(6), "lon": lon.round(6), "datetime": _fmt(ts, with_time=False),
        "concern_type": rng.choice(kinds, n, p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05])})


def _environment(rng) -> pd.DataFrame:
    rows = []
    (e0, n0), (e1, n1) = _CORRIDOR
    for t in np.linspace(0, 1, 40):
        lat, lon = _to_latlon(e0 + (e1 - e0) * t, n0 + (n1 - n0) * t)
        rows.append((lat, lon, "transport_route", ""))
    lat, lon = _scatter(rng, 45, _STREET_AREA_MOVED, 0.8)
    weeks = _week_starts()
    for la, lo in zip(lat, lon):
        rows.append((la, lo, "lighting_fault",
                     (weeks[rng.integers(0, len(weeks))]).strftime("%Y-%m-%d")))
    lat, lon = _scatter(rng, 15, (-0.5, 0.0), 0.5)
    rows += [(la, lo, "cctv", "") for la, lo in zip(lat, lon)]
    lat, lon = _to_latlon(*_LORRY_PARK)
    rows.append((lat, lon, "lorry_park", ""))
    for place in _ISOLATED:
        lat, lon = _scatter(rng, 4, place, 0.2)
        rows += [(la, lo, "isolated_space", "") for la, lo in zip(lat, lon)]
    for place in _RESIDENTIAL_EDGE:
        lat, lon = _scatter(rng, 25, place, 0.35)
        rows += [(la, lo, "residential", "") for la, lo in zip(lat, lon)]
    frame = pd.DataFrame(rows, columns=["lat", "lon", "feature_type", "date"])
    frame["lat"] = frame["lat"].astype(float).round(6)
    frame["lon"] = frame["lon"].astype(float).round(6)
    return frame


#: The order feeds are loaded in (areas first: they set the force area).
LOAD_ORDER = ("areas", "outreach_sites", "environment", "on_street", "premises",
              "outreach_contacts", "harm_reports", "community_concerns", "online_adverts")


def write_town(out_dir, *, seed: int = 7, scale: float = 1.0) -> dict:
    """Write every feed of the town to ``out_dir`` (CSV, areas as GeoJSON).

    Returns
    -------
    dict
        feed name -> Path, in :data:`LOAD_ORDER`.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():      # a folder made here is 0700, its files 0600
        private_dir(out_dir)
    town = generate_town(seed=seed, scale=scale)
    paths = {}
    for feed in LOAD_ORDER:
        data = town[feed]
        if feed == "areas":
            path = out_dir / "areas.geojson"
            write_private(path, json.dumps(data, indent=1))
        else:
            path = out_dir / f"{feed}.csv"
            with open_private(path, "w", newline="", encoding="utf-8") as fh:
                data.to_csv(fh, index=False)
        paths[feed] = path
    return paths
