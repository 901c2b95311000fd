"""Inputs to patrol planning and displacement scenarios, from released figures only.

Released activity per hexagon (:func:`released_activity`) and per hexagon x day of week x time
band (:func:`released_slots`), with rolled-up figures spread evenly over the floor hexagons they
cover; where outreach works (:func:`outreach_points`, :func:`outreach_reach`); environment
features present (:func:`environment_flags`); distances between hexagon centres
(:func:`distance_km`); and opening hours as time slots (:func:`open_slots`).

Every read goes through :mod:`profiles.release.api` or :mod:`profiles.release.reference` for the audience,
so nothing here can hold a figure the audience could not see.

Examples
--------
>>> sorted(open_slots(0b0000001, 10 * 60, 12 * 60))
[(0, 'morning')]
"""
from __future__ import annotations

import h3
import numpy as np
import pandas as pd

from profiles.release import get_policy
from profiles.release import release_counts

#: Time bands with their hours [start, end).
BANDS = {"night": (0, 6), "morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24)}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: A hexagon is within outreach reach within this distance of a site or of released contacts.
REACH_KM = 0.5
_EARTH_KM = 6371.0088
_SLOT = ["h3_id", "dow", "band"]



def environment_flags(con, audience, cells, *, start=None, end=None) -> pd.DataFrame:
    """Return, per hexagon in ``cells``, whether each environment feature is present.

    Built on :func:`profiles.release.reference.release_environment` (the audience-checked release);
    only presence is used, never how many features.

    Returns
    -------
    DataFrame
        Indexed by ``h3_id`` (``cells``), one boolean column per feature type
        (``lighting_fault``, ``cctv``, ``transport_route``, ``lorry_park``,
        ``isolated_space``, ``residential``).
    """
    from data_contracts.feeds import ENVIRONMENT_FEATURES
    from profiles.release import release_environment

    env = release_environment(con, audience, start=start, end=end)
    frame = pd.DataFrame(False, index=pd.Index(list(cells), name="h3_id"),
                         columns=list(ENVIRONMENT_FEATURES))
    for cid, kind in zip(env["h3_id"], env["feature_type"].str.replace(" ", "_")):
        if cid in frame.index and kind in frame.columns:
            frame.loc[cid, kind] = True
    return frame


def outreach_points(con, audience) -> list[str]:
    """Return the hexagons outreach is known to work in, at the audience's floor.

    Non-confidential outreach sites and hexagons with released outreach contacts (any time;
    contacts the release pooled more than one resolution above the floor are too vague to
    count and are left out).
    """
    from profiles.release import release_sites

    policy = get_policy(audience)
    floor = int(policy.resolution_floor)
    points = set(release_sites(con, policy)["h3_id"])
    if policy.may_see("outreach_contacts"):
        frame = release_counts(con, policy, "outreach_contacts", period="all").frame
        points |= set(_to_floor(frame[frame["resolution"] >= floor - 1], floor)["h3_id"])
    return sorted(points)


def outreach_reach(con, audience, cells, *, reach_km: float = REACH_KM) -> pd.Series:
    """Return, per hexagon, whether its centre lies within ``reach_km`` of
    :func:`outreach_points`."""
    points = outreach_points(con, audience)
    cells = list(cells)
    if not cells or not points:
        return pd.Series(False, index=pd.Index(cells, name="h3_id"))
    near = distance_km(cells, points).min(axis=1) <= reach_km + 1e-9
    return pd.Series(near, index=pd.Index(cells, name="h3_id"))


# --------------------------------------------------------------------------------------------
# Geometry and time helpers
# --------------------------------------------------------------------------------------------

def distance_km(a, b) -> np.ndarray:
    """Return the great-circle distance (km) between the centres of hexagons ``a`` × ``b``.

    Examples
    --------
    >>> round(float(distance_km(["891942c58b7ffff"], ["891942c58b7ffff"])[0, 0]), 6)
    0.0
    """
    pa = np.radians(np.array([h3.cell_to_latlng(c) for c in a], dtype=float).reshape(-1, 2))
    pb = np.radians(np.array([h3.cell_to_latlng(c) for c in b], dtype=float).reshape(-1, 2))
    dlat = pa[:, None, 0] - pb[None, :, 0]
    dlon = pa[:, None, 1] - pb[None, :, 1]
    s = (np.sin(dlat / 2) ** 2
         + np.cos(pa[:, None, 0]) * np.cos(pb[None, :, 0]) * np.sin(dlon / 2) ** 2)
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(s, 0, 1)))


def open_slots(days: int, opens: int, closes: int) -> set:
    """Return the (dow, band) slots that overlap a site's opening hours.

    ``days`` is a 7-bit mask (bit 0 = Monday); ``opens``/``closes`` are minutes after
    midnight; ``closes < opens`` means open past midnight into the next day, ``closes ==
    opens`` means open all day.

    Examples
    --------
    >>> sorted(open_slots(0b0000010, 21 * 60, 60))   # Tuesday 21:00 to 01:00
    [(1, 'evening'), (2, 'night')]
    >>> sorted(open_slots(1, 10 * 60, 12 * 60))      # Monday 10:00 to 12:00 (12:00 excluded)
    [(0, 'morning')]
    """
    week = 7 * 1440
    slots = set()
    for d in range(7):
        if not (int(days) >> d) & 1:
            continue
        start = d * 1440 + int(opens)
        length = (int(closes) - int(opens)) % 1440 or 1440
        for dow in range(7):
            for band, (h0, h1) in BANDS.items():
                b0, b1 = dow * 1440 + h0 * 60, dow * 1440 + h1 * 60
                for shift in (-week, 0, week):
                    if max(b0, start + shift) < min(b1, start + shift + length):
                        slots.add((dow, band))
    return slots


def opening_words(days: int, opens: int, closes: int) -> str:
    """Return opening hours in words, e.g. ``'Tue, Thu 21:00–01:00'``."""
    names = [DAYS[d] for d in range(7) if (int(days) >> d) & 1]
    return f"{', '.join(names) or 'never'} {opens // 60:02d}:{opens % 60:02d}–" \
           f"{closes // 60:02d}:{closes % 60:02d}"


def _to_floor(frame: pd.DataFrame, floor: int) -> pd.DataFrame:
    """Spread rolled-up rows (coarser than ``floor``) evenly over their floor hexagons."""
    fine = frame[frame["resolution"] >= floor]
    coarse = frame[frame["resolution"] < floor]
    parts = [fine.drop(columns=["cell"], errors="ignore")]
    for row in coarse.to_dict("records"):
        kids = h3.cell_to_children(row["h3_id"], floor)
        parts.append(pd.DataFrame({**{k: v for k, v in row.items() if k != "cell"},
                                   "h3_id": kids, "count": row["count"] / len(kids)}))
    return pd.concat(parts, ignore_index=True) if parts else frame


def released_activity(con, audience, feed, *, area=None, start=None, end=None) -> pd.Series:
    """Return a feed's released figures per hexagon at the audience's floor, all weeks summed.

    A figure the release rolled up to a coarser hexagon is spread evenly over the floor
    hexagons it covers, so the result is an estimate made from released values only (never a
    count the audience could not see). Empty when the audience may not see ``feed``.

    Returns
    -------
    Series
        Indexed by ``h3_id``, float.
    """
    policy = get_policy(audience)
    if not policy.may_see(feed):
        return pd.Series(dtype=float, index=pd.Index([], name="h3_id"))
    frame = release_counts(con, policy, feed, period="all", area=area, start=start,
                           end=end).frame
    if frame.empty:
        return pd.Series(dtype=float, index=pd.Index([], name="h3_id"))
    frame = _to_floor(frame, int(policy.resolution_floor))
    return frame.groupby("h3_id")["count"].sum().astype(float)


def released_slots(con, audience, feed, *, area=None, start=None, end=None) -> pd.Series:
    """Return a feed's released figures per (hexagon, day of week, time band).

    The release pools small groups, so some figures come without a day, a band (or with band
    ``unknown``) or at a coarser hexagon. Each is attributed, using released values only:
    coarser hexagons spread evenly over their floor hexagons; a figure without day or band
    shared out in proportion to the area's released day × band profile (or, when no figure has
    both, the product of its released day and band profiles; evenly when there is neither).

    Returns
    -------
    Series
        Indexed by ``h3_id, dow, band`` (float), only non-zero entries.
    """
    policy = get_policy(audience)
    empty = pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=_SLOT))
    if not policy.may_see(feed):
        return empty
    frame = release_counts(con, policy, feed, period="all", by=("dow", "band"), area=area,
                           start=start, end=end).frame
    if frame.empty:
        return empty
    frame = _to_floor(frame, int(policy.resolution_floor))
    cells = sorted(set(frame["h3_id"]))
    ci = frame["h3_id"].map({c: i for i, c in enumerate(cells)}).to_numpy()
    d = frame["dow"].astype(int).to_numpy()
    b = frame["band"].map({k: i for i, k in enumerate(BANDS)}).fillna(-1).astype(int).to_numpy()
    c = frame["count"].to_numpy(dtype=float)
    grid = np.zeros((len(cells), 7, len(BANDS)))
    both = (d >= 0) & (b >= 0)
    np.add.at(grid, (ci[both], d[both], b[both]), c[both])
    prof = grid.sum(axis=0)
    if prof.sum() <= 0:   # no joint day × band figure: use the two margins that exist
        dm, bm = np.zeros(7), np.zeros(len(BANDS))
        np.add.at(dm, d[d >= 0], c[d >= 0])
        np.add.at(bm, b[b >= 0], c[b >= 0])
        prof = np.outer(dm if dm.sum() > 0 else np.ones(7),
                        bm if bm.sum() > 0 else np.ones(len(BANDS)))
    for i, dd, bb, cc in zip(ci[~both], d[~both], b[~both], c[~both]):
        share = np.zeros_like(prof)
        rows = slice(dd, dd + 1) if dd >= 0 else slice(None)
        cols = slice(bb, bb + 1) if bb >= 0 else slice(None)
        share[rows, cols] = prof[rows, cols]
        if share.sum() <= 0:
            share[rows, cols] = 1.0
        grid[i] += cc * share / share.sum()
    idx = np.nonzero(grid)
    return pd.Series(grid[idx], index=pd.MultiIndex.from_arrays(
        [[cells[i] for i in idx[0]], idx[1], [list(BANDS)[k] for k in idx[2]]], names=_SLOT))


__all__ = ["BANDS", "DAYS", "REACH_KM", "distance_km", "environment_flags", "open_slots",
           "opening_words", "outreach_points", "outreach_reach", "released_activity",
           "released_slots"]
