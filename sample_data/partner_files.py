"""Generate synthetic partner files, shaped like those a force and its partners hold.

They describe the same fictional town as :mod:`sample_data.generate` (Lanternford, in the open
North Sea), so nothing in them is a real place, person or premises. Each comes with the
recipe that loads it (``recipes/``). Run::

    python -m sample_data.partner_files sample_data/partner_files

Examples
--------
>>> files = partner_frames(seed=14)
>>> sorted(files)
['outreach', 'police_bng', 'police_uk', 'police_xy']
>>> bool(files["police_bng"]["EASTING"].between(590_000, 600_000).all())
True
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sample_data.generate import TOWN

#: The police export's own offence words, and how many of each (weights).
OFFENCES = {"Soliciting": 5, "Loitering for prostitution": 3, "Kerb crawler": 3,
            "Sex work related incident": 2, "Outreach referral": 1, "Begging": 1}
#: The outreach project's own service words.
SERVICES = {"Sexual health": 5, "Drug & alcohol": 3, "Housing advice": 2,
            "Ugly Mugs sign-up": 1, "Exit support": 1, "Rape crisis referral": 1}
#: police.uk crime types in the download (only some are community concerns).
CRIME_TYPES = {"Anti-social behaviour": 6, "Public order": 2, "Drugs": 2,
               "Criminal damage and arson": 1, "Violence and sexual offences": 3,
               "Vehicle crime": 1}
_KM_LAT = 1 / 111.0
_KM_LON = 1 / (111.0 * np.cos(np.radians(TOWN.lat)))
#: LSOA-style grid (km from the centre): 4 x 4 squares of 2 km, inside the force square.
_LSOA_KM = 2.0


def _latlon(rng, n: int, sd_km: float = 1.2) -> tuple[np.ndarray, np.ndarray]:
    east = np.clip(rng.normal(0.8, sd_km, n), -3.5, 3.5)
    north = np.clip(rng.normal(0.5, sd_km, n), -3.5, 3.5)
    return TOWN.lat + north * _KM_LAT, TOWN.lon + east * _KM_LON


def _to_bng(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    import pyproj

    fwd = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    east, north = fwd.transform(np.asarray(lon), np.asarray(lat))
    return np.round(east).astype(int), np.round(north).astype(int)


def _pick(rng, weights: dict, n: int) -> np.ndarray:
    words = list(weights)
    p = np.array([weights[w] for w in words], dtype=float)
    return rng.choice(words, size=n, p=p / p.sum())


def _times(rng, n: int, start="2026-05-01", days=150, evening=True) -> pd.DatetimeIndex:
    day = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    hour = rng.choice([19, 20, 21, 22, 23, 0, 1], n) if evening else rng.integers(9, 18, n)
    return day + pd.to_timedelta(hour, unit="h") + pd.to_timedelta(rng.integers(0, 60, n),
                                                                    unit="m")


def partner_frames(seed: int = 14) -> dict:
    """Return the tabular partner files as DataFrames (the boundaries: see :func:`lsoa_frame`)."""
    rng = np.random.default_rng(seed)
    n = 400
    lat, lon = _latlon(rng, n)
    east, north = _to_bng(lat, lon)
    when = _times(rng, n)
    police = pd.DataFrame({
        "INCIDENT_NO": [f"SYN/{i:05d}/26" for i in range(n)],
        "DATE_COMMITTED": when.strftime("%d/%m/%Y %H:%M"),
        "OFFENCE_DESC": _pick(rng, OFFENCES, n),
        "EASTING": east, "NORTHING": north,
        "BEAT_CODE": rng.choice(["LF01", "LF02", "LF03"], n)})
    xy = police[["DATE_COMMITTED", "OFFENCE_DESC"]].assign(x=east, y=north).head(120)
    m = 150
    lat, lon = _latlon(rng, m, sd_km=0.6)
    outreach = pd.DataFrame({
        "Contact date": _times(rng, m).normalize().date,
        "Service given": _pick(rng, SERVICES, m),
        "Number of contacts": rng.integers(1, 4, m),
        "Client ref": [f"C{k:03d}" for k in rng.integers(1, 60, m)],
        "Latitude": np.round(lat, 5), "Longitude": np.round(lon, 5)})
    k = 200
    lat, lon = _latlon(rng, k, sd_km=1.5)
    crimes = _pick(rng, CRIME_TYPES, k)
    police_uk = pd.DataFrame({
        "Crime ID": [f"{h:064x}" if t != "Anti-social behaviour" else ""
                     for h, t in zip(rng.integers(1, 2**62, k), crimes)],
        "Month": rng.choice(["2026-07", "2026-08", "2026-09"], k),
        "Reported by": "Lanternford Constabulary (synthetic)",
        "Falls within": "Lanternford Constabulary (synthetic)",
        "Longitude": np.round(lon, 6), "Latitude": np.round(lat, 6),
        "Location": "On or near Synthetic Street",
        "LSOA code": "X01000001", "LSOA name": "Lanternford 001A (synthetic)",
        "Crime type": crimes,
        "Last outcome category": "", "Context": ""})
    return {"police_bng": police, "police_xy": xy, "outreach": outreach,
            "police_uk": police_uk}


def lsoa_frame():
    """Return synthetic LSOA-style boundaries in EPSG:27700 as a GeoDataFrame.

    Sixteen 2 km squares over the town (one with a hole, one in two parts), plus one area
    smaller than an H3 resolution-9 hexagon. Codes start ``X01`` so they can never be real.
    """
    import geopandas as gpd
    from shapely.geometry import MultiPolygon, Polygon, box

    names, codes, shapes = [], [], []
    for i, (ex, ny) in enumerate([(ex, ny) for ny in range(4) for ex in range(4)]):
        west, south = -4 + ex * _LSOA_KM, -4 + ny * _LSOA_KM
        shape = box(west, south, west + _LSOA_KM, south + _LSOA_KM)
        if i == 5:       # a park inside: a hole
            shape = Polygon(shape.exterior.coords, [box(west + 0.6, south + 0.6, west + 1.4,
                                                        south + 1.4).exterior.coords])
        if i == 10:      # two parts either side of a railway
            shape = MultiPolygon([box(west, south, west + 0.9, south + _LSOA_KM),
                                  box(west + 1.1, south, west + _LSOA_KM, south + _LSOA_KM)])
        shapes.append(shape)
        codes.append(f"X0100{i + 1:04d}")
        names.append(f"Lanternford {i + 1:03d}{'ABCD'[i % 4]} (synthetic)")
    shapes.append(box(0.10, 0.10, 0.15, 0.15))      # 50 m square: smaller than one hexagon
    codes.append("X01000017")
    names.append("Lanternford 017A (synthetic)")
    import shapely

    east0, north0 = _to_bng([TOWN.lat], [TOWN.lon])
    origin = np.array([east0[0], north0[0]], dtype=float)
    metres = [shapely.transform(s, lambda c: c * 1000.0 + origin) for s in shapes]
    return gpd.GeoDataFrame({"LSOA11CD": codes, "LSOA11NM": names}, geometry=metres,
                            crs="EPSG:27700")


def write_partner_files(folder, seed: int = 14) -> list[Path]:
    """Write every synthetic partner file into ``folder``; return their paths.

    Needs openpyxl (the test extras) for the workbook.
    """
    import zipfile

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = partner_frames(seed)
    out = [folder / "police_export_bng.csv", folder / "police_export_xy.csv",
           folder / "outreach_contacts.xlsx", folder / "police_uk_street.csv",
           folder / "lsoa_boundaries_27700.geojson", folder / "lsoa_boundaries.gpkg",
           folder / "lsoa_boundaries_shp.zip"]
    frames["police_bng"].to_csv(out[0], index=False)
    frames["police_xy"].to_csv(out[1], index=False)
    with pd.ExcelWriter(out[2], engine="openpyxl") as book:
        frames["outreach"].to_excel(book, sheet_name="Contacts", index=False)
        pd.DataFrame({"Service given": list(SERVICES)}).to_excel(book, sheet_name="Lookups",
                                                                  index=False)
    frames["police_uk"].to_csv(out[3], index=False)
    lsoa = lsoa_frame()
    lsoa.to_file(out[4], driver="GeoJSON")   # GDAL writes the crs member for EPSG:27700
    out[5].unlink(missing_ok=True)
    lsoa.to_file(out[5], driver="GPKG", layer="lsoa_2011")
    shp = folder / "_shp"
    shp.mkdir(exist_ok=True)
    lsoa.to_file(shp / "lsoa_2011.shp")
    with zipfile.ZipFile(out[6], "w", zipfile.ZIP_DEFLATED) as z:
        for part in sorted(shp.iterdir()):
            z.write(part, f"lsoa_2011/{part.name}")
            part.unlink()
    shp.rmdir()
    return out


if __name__ == "__main__":  # pragma: no cover
    for path in write_partner_files(sys.argv[1] if len(sys.argv) > 1 else "."):
        print(path)
