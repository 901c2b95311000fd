"""Synthetic points inside synthetic ward shapes (km), for the sample forces.

SYNTHETIC ONLY: the shapes are made up (see :mod:`sample_data.shire`).

Examples
--------
>>> import numpy as np
>>> from shapely.geometry import box
>>> points = WardPoints(np.random.default_rng(1), [box(0, 0, 2, 2), box(2, 0, 4, 2)])
>>> pts = points.mixed(np.array([0, 1, 1]), np.array([True, False, True]), 0.3)
>>> bool((pts[:, 0] < 2).tolist() == [True, False, False])
True
"""
from __future__ import annotations

import numpy as np


class WardPoints:
    """Draws points (km) inside ward shapes: uniform, or around each ward's hotspot."""

    def __init__(self, rng, shapes):
        self.rng = rng
        # a margin inside each ward, so a point rounded to 6 decimals stays inside it
        self.inner = [s.buffer(-0.08) for s in shapes]
        self.hotspots = []
        for s in self.inner:
            c = np.asarray(s.centroid.coords[0])
            spot = c + rng.normal(0, 0.3, 2)
            self.hotspots.append(spot if s.contains(_point(spot)) else c)

    def uniform(self, ward: int, n: int) -> np.ndarray:
        import shapely

        poly = self.inner[ward]
        w, s, e, nth = poly.bounds
        out = np.empty((0, 2))
        while len(out) < n:
            pts = np.column_stack([self.rng.uniform(w, e, 2 * n + 8),
                                   self.rng.uniform(s, nth, 2 * n + 8)])
            out = np.vstack([out, pts[shapely.contains_xy(poly, pts[:, 0], pts[:, 1])]])
        return out[:n]

    def around(self, ward: int, n: int, sd_km: float, centre=None) -> np.ndarray:
        import shapely

        centre = self.hotspots[ward] if centre is None else np.asarray(centre)
        pts = centre + self.rng.normal(0, sd_km, (n, 2))
        outside = ~shapely.contains_xy(self.inner[ward], pts[:, 0], pts[:, 1])
        if outside.any():
            pts[outside] = self.uniform(ward, int(outside.sum()))
        return pts

    def mixed(self, wards: np.ndarray, clustered: np.ndarray, sd_km) -> np.ndarray:
        """One point per row: around its ward's hotspot where ``clustered``, else uniform."""
        pts = np.empty((len(wards), 2))
        sd = np.broadcast_to(np.asarray(sd_km, dtype=float), (len(self.inner),))
        for w in range(len(self.inner)):
            for flag in (True, False):
                idx = np.flatnonzero((wards == w) & (clustered == flag))
                if len(idx):
                    pts[idx] = (self.around(w, len(idx), sd[w]) if flag
                                else self.uniform(w, len(idx)))
        return pts


def _point(xy):
    from shapely.geometry import Point

    return Point(float(xy[0]), float(xy[1]))


__all__ = ["WardPoints"]
