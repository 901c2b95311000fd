"""Synthetic online adverts for Lanternford (synthetic): advertisers, weeks and indicators.

Made up, describing no one. Each synthetic advertiser (key ``SYN-ADV-###``) advertises for a
stretch of weeks from a home place in town, on one platform type; a few move about
(changing locations). Indicators come at low rates, as a monitoring team would record them:
most adverts carry none. Three small *linked clusters* (advertisers whose adverts share a
number, wording or images) carry ``linked_adverts`` and often ``third_party_language``. One
advertiser is flagged ``possible_under_18`` in a few weeks. About a fifth of adverts have no
advertiser key (each then counts as its own advertiser).

Places come three ways, as real extracts do: a point (coarsened to resolution 7 at ingest), an
H3 cell at resolution 8, or a ward's name.

The generator has its own random stream (``seed`` and 17), so adding it changed no other feed.

Examples
--------
>>> frame = synthetic_adverts(seed=7)
>>> bool(frame["advertiser_key"].str.startswith("SYN-ADV-").sum() > 0.7 * len(frame))
True
>>> bool((frame["changing_locations"] == "yes").mean() < 0.15)
True
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from data_contracts.feeds import ADVERT_INDICATORS
from geo.cells import cell_to_str, points_to_cells

#: Rates of the indicators among advertisers outside the linked clusters.
RATES = {"changing_locations": 0.05, "frequent_changes": 0.08, "generic_photos": 0.05,
         "third_party_language": 0.02}
PLATFORMS = (("escort_directory", 0.55), ("classifieds", 0.25), ("social_media", 0.15),
             ("other", 0.05))


def synthetic_adverts(*, seed: int = 7, scale: float = 1.0, weeks=None, to_latlon=None,
                      wards=None) -> pd.DataFrame:
    """Return the synthetic adverts feed as a DataFrame of the ``online_adverts`` contract.

    Parameters
    ----------
    seed : int
        Seed (combined with 17 for this feed's own random stream).
    scale : float
        Multiplies the number of advertisers (100 at scale 1, at least 20).
    weeks : DatetimeIndex, optional
        The Mondays of the town's weeks; default those of :mod:`sample_data.generate`.
    to_latlon : callable, optional
        (east km, north km) -> (lat, lon); default the town's.
    wards : dict, optional
        Ward name -> (west, east, south, north) km; default the town's.

    Returns
    -------
    pandas.DataFrame
        lat, lon, h3_cell, area, seen_on, platform_type, the six indicators (yes/no) and
        advertiser_key.
    """
    from sample_data import generate as town

    weeks = town._week_starts() if weeks is None else weeks
    to_latlon = to_latlon or town._to_latlon
    wards = wards or town.WARDS
    rng = np.random.default_rng([seed, 17])
    n_adv = max(20, int(100 * scale))
    centres = np.array([(-0.6, 0.1), (1.5, 1.2), (0.5, -1.5)])
    clustered = rng.random(n_adv) < 0.6
    which = rng.integers(0, len(centres), n_adv)
    home = np.where(clustered[:, None], rng.normal(centres[which], 0.8),
                    rng.uniform(-3.5, 3.5, (n_adv, 2)))
    home = np.clip(home, -3.8, 3.8)
    platform = rng.choice([p for p, _ in PLATFORMS], n_adv, p=[w for _, w in PLATFORMS])
    flags = {f: rng.random(n_adv) < r for f, r in RATES.items()}
    flags["linked_adverts"] = np.zeros(n_adv, dtype=bool)
    flags["possible_under_18"] = np.zeros(n_adv, dtype=bool)
    # three linked clusters of 3-5 advertisers, sharing a platform and a part of town
    order = rng.permutation(n_adv)
    at = 0
    for size in (4, 3, 3):
        members = order[at:at + size]
        at += size
        flags["linked_adverts"][members] = True
        flags["third_party_language"][members] |= rng.random(size) < 0.4
        flags["generic_photos"][members] |= rng.random(size) < 0.3
        platform[members] = platform[members[0]]
        home[members] = rng.normal(home[members[0]], 0.3, (size, 2))
    young = order[at]
    flags["possible_under_18"][young] = True
    rows = []
    ward_names = list(wards)
    for a in range(n_adv):
        length = int(rng.integers(4, 60))
        first = int(rng.integers(1 - length, len(weeks)))     # spans may run off either end
        for w in range(max(0, first), min(len(weeks), first + length)):
            if rng.random() > 0.7:
                continue
            for _ in range(1 + int(rng.random() < 0.3)):
                east, north = home[a]
                if flags["changing_locations"][a]:
                    east, north = rng.uniform(-3.8, 3.8, 2)
                day = weeks[w] + pd.Timedelta(days=int(rng.integers(0, 7)))
                row = {"east": east, "north": north, "seen_on": day.strftime("%Y-%m-%d"),
                       "platform_type": platform[a],
                       "advertiser_key": f"SYN-ADV-{a:03d}" if rng.random() < 0.8 else ""}
                for f in ADVERT_INDICATORS:
                    on = bool(flags[f][a])
                    if f in ("frequent_changes", "generic_photos") and on:
                        on = rng.random() < 0.7           # not recorded every time
                    if f == "possible_under_18" and on:
                        on = rng.random() < 0.5
                    row[f] = "yes" if on else "no"
                rows.append(row)
    frame = pd.DataFrame(rows)
    lat, lon = to_latlon(frame["east"].to_numpy(), frame["north"].to_numpy())
    how = rng.choice(3, len(frame), p=[0.5, 0.3, 0.2])   # point, cell, area name
    cells = points_to_cells(lat, lon, 8)
    frame["lat"] = np.where(how == 0, np.round(lat, 4).astype(str), "")
    frame["lon"] = np.where(how == 0, np.round(lon, 4).astype(str), "")
    frame["h3_cell"] = np.where(how == 1, [cell_to_str(int(c)) for c in cells], "")
    frame["area"] = np.where(how == 2, [_ward(e, n, wards, ward_names) for e, n in
                                        zip(frame["east"], frame["north"])], "")
    columns = ["lat", "lon", "h3_cell", "area", "seen_on", "platform_type",
               *ADVERT_INDICATORS, "advertiser_key"]
    return frame[columns]


def _ward(east, north, wards, names) -> str:
    for name in names:
        w, e, s, n = wards[name]
        if w <= east < e and s <= north < n:
            return name
    return names[0]
