"""Emerging hot spots: the categories of ArcGIS Pro's Emerging Hot Spot Analysis on H3 cubes.

A *space-time cube* here is counts indexed by H3 cell (every cell of the study area, zero
cells included) with one column per time step in time order. :func:`hotspot_emerging` runs
Getis-Ord Gi* at every time step (neighbours within ``k`` H3 rings, and optionally the same
cells in the previous ``time_steps`` steps, as ArcGIS's *neighbourhood time step*), corrects
each step's p for the false discovery rate as :mod:`profiles.analyses.hotspots` does, runs the
Mann-Kendall trend test (:mod:`profiles.analyses.mann_kendall`) on each cell's series of Gi*
z-scores, and gives each cell one category. :func:`series_to_categories` does the last two
steps on z and p series you already have.

The rules (ArcGIS's, for hot spots; cold spots mirror them, hot for cold)
------------------------------------------------------------------------
A step is *hot* where its Gi* is significant (``p_adjusted < alpha``) with z above 0, *cold*
where significant with z below 0. "90 %" means at least 90 % of all time steps. The trend is
*significant* where the Mann-Kendall p is below ``alpha``; a hot spot's trend *intensifies*
when z rises (a cold spot's when z falls).

* **new** (:func:`is_new`): hot at the final time step and never hot before.
* **consecutive** (:func:`is_consecutive`): hot in one uninterrupted run of at least two steps
  that ends at the final step, never hot before that run, and hot in under 90 % of steps.
* **intensifying** (:func:`is_intensifying`): hot in at least 90 % of steps including the
  final one, with a significant trend towards hotter.
* **persistent** (:func:`is_persistent`): hot in at least 90 % of steps with no significant
  trend.
* **diminishing** (:func:`is_diminishing`): hot in at least 90 % of steps including the final
  one, with a significant trend towards cooler.
* **sporadic** (:func:`is_sporadic`): hot at the final step, hot on and off before it, hot in
  under 90 % of steps and never cold.
* **oscillating** (:func:`is_oscillating`): hot at the final step, cold at some earlier step,
  and hot in under 90 % of steps.
* **historical** (:func:`is_historical`): not hot at the final step but hot in at least 90 %
  of steps.
* **no pattern detected**: none of the above, hot or cold.

ArcGIS states the rules but not what happens where two of them fit one cell; Lantern settles
the overlaps so that every cell gets exactly one category (:func:`series_to_categories`):

1. The final step decides the side: hot there gives a hot category, cold a cold one; only a
   cell significant in neither at the final step can be historical (or have no pattern). So
   a cell hot in 90 % of steps but cold at the last is oscillating cold, not historical hot.
2. Oscillating comes before new and consecutive: a cell cold before and hot only now is
   oscillating (it has "never been a hot spot before", but the cold history is the news).
3. Persistent needs the final step hot; a cell hot in 90 % of steps but not at the final step
   is historical, whatever its trend.

With fewer than 10 steps, 90 % of the steps is all of them (9 of 9 is 100 %).

Where sfdep (and pyehsa, its Python port) differ — Lantern follows ArcGIS
-------------------------------------------------------------------------
R's ``sfdep::emerging_hotspot_analysis`` (``R/emerging-hostpot-classifications.R``) and
``pyehsa`` 0.1.2 (``ehsa_classification.py``) differ from the rules above in these ways; the
bench ``bench/bench_emerging.py`` runs pyehsa beside this module and traces every disagreement
to one of them:

S1. **Significance.** sfdep calls a step significant where its permutation pseudo p is at most
    0.01 (``threshold = 0.01``; pyehsa's default of 49 permutations cannot go below 0.02), with
    no false-discovery-rate correction. Lantern uses the analytic Gi* p (equal to esda's
    ``G_Local(..., permutations=0)`` z), Benjamini-Hochberg corrected within each step, below
    ``alpha`` (0.05), as ArcGIS corrects with FDR.
S2. **Trend significance.** sfdep tests the Mann-Kendall p against the same 0.01 (with ``<``
    for intensifying hot, ``<=`` elsewhere); Lantern against ``alpha``.
S3. **Order.** sfdep takes the first of new, consecutive, intensifying, persistent,
    diminishing, oscillating, historical, sporadic that fits (hot before cold at each); its
    rules overlap, so the order changes answers. Lantern's order is the one above.
S4. **New** in sfdep needs exactly one significant step in all (hot *or* cold), so a cell
    cold earlier is never new there; Lantern reaches the same answer by rule 2 (oscillating).
S5. **Consecutive** in sfdep needs no significant step of either kind before the final run of
    significant steps, and checks the run's sign only at its final step; ArcGIS's run is of hot
    steps, of at least two.
S6. **Intensifying hot** in sfdep counts 90 % of *significant* steps of either sign, not of hot
    steps.
S7. **Persistent** in sfdep needs neither the final step nor the trend direction and comes
    before historical, so a cell hot in 90 % of steps but not at the last, with no trend, is
    persistent there and historical here.
S8. **Historical** in sfdep needs the final z below 0 (above 0 for cold), not merely "not hot";
    a cell hot in 90 % of steps whose last z is positive but not significant, with a trend,
    has no pattern there and is historical here.
S9. **Sporadic** in sfdep does not need the final step to be hot: any cell ever hot (under
    90 %) and never cold is sporadic there, but has no pattern here unless hot at the end.
S10. **Oscillating hot** in sfdep allows exactly 90 % (``<= 0.9``); cold uses ``< 0.9``.
S11. **Neighbours.** sfdep and pyehsa use queen contiguity with the cell itself, row
     standardised, with one earlier time step by default; Lantern uses binary weights over
     ``k`` H3 rings (ring 1 is the queen neighbourhood of a hexagon), and ``time_steps=0`` by
     default. sfdep's mean and variance come from the current step alone even when earlier
     steps are neighbours; Lantern's Gi* with ``time_steps=m`` is Gi* on the bins of the
     window of steps ``t-m .. t`` (see :func:`space_time_gistar`).

Examples
--------
>>> import h3, pandas as pd
>>> centre = "891942c58b7ffff"
>>> cube = pd.DataFrame(1, index=h3.grid_disk(centre, 5), columns=range(12))
>>> cube.loc[list(h3.grid_disk(centre, 1)), [9, 10, 11]] = 20
>>> hotspot_emerging(cube).loc[centre, "category"]
'consecutive hot spot'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_contracts.words import plural
from profiles.analyses.hotspots import (_benjamini_hochberg, _check_counts, _check_parameters,
                                        _neighbours, _two_sided_p)
from profiles.analyses.mann_kendall import mann_kendall

#: The kinds of pattern, in Lantern's order of precedence after the side is known.
KINDS = ("oscillating", "new", "consecutive", "intensifying", "persistent", "diminishing",
         "sporadic", "historical")

#: Every category :func:`series_to_categories` gives: eight hot, eight cold, and no pattern.
CATEGORIES = tuple(f"{kind} {side} spot" for side in ("hot", "cold")
                   for kind in ("new", "consecutive", "intensifying", "persistent",
                                "diminishing", "sporadic", "oscillating", "historical")) \
    + ("no pattern detected",)

NO_PATTERN = "no pattern detected"


@dataclass(frozen=True)
class SideHistory:
    """One side's significant steps per cell, what the other side did, and the trend.

    The rule functions (:func:`is_new` ... :func:`is_historical`) read only this.

    Attributes
    ----------
    side : numpy.ndarray of bool, (cells, steps)
        Significant on this side (hot, or cold for the cold rules) at each step.
    other : numpy.ndarray of bool, (cells, steps)
        Significant on the other side at each step.
    trend : numpy.ndarray of int, (cells,)
        +1 where the Mann-Kendall trend is significant towards this side (hotter for hot,
        colder for cold), -1 where significant away from it, 0 where not significant.
    """

    side: np.ndarray
    other: np.ndarray
    trend: np.ndarray

    @property
    def final(self) -> np.ndarray:
        """This side at the final step."""
        return self.side[:, -1]

    @property
    def at_least_90(self) -> np.ndarray:
        """This side in at least 90 % of steps (exact: 10 x count >= 9 x steps)."""
        return 10 * self.side.sum(axis=1) >= 9 * self.side.shape[1]

    @property
    def final_run(self) -> np.ndarray:
        """Length of the run of this side that ends at the final step (0 if not final)."""
        flipped = self.side[:, ::-1]
        run = np.argmin(flipped, axis=1)
        return np.where(flipped.all(axis=1), flipped.shape[1], run)

    @property
    def before_final_run(self) -> np.ndarray:
        """This side at some step before the run that ends at the final step."""
        steps = self.side.shape[1]
        before = np.arange(steps)[None, :] < (steps - self.final_run)[:, None]
        return (self.side & before).any(axis=1)


def is_new(h: SideHistory) -> np.ndarray:
    """New: significant at the final time step and never significant on this side before."""
    return h.final & ~h.side[:, :-1].any(axis=1)


def is_consecutive(h: SideHistory) -> np.ndarray:
    """Consecutive: one unbroken run of at least two steps ending at the final step, never
    this side before the run, in under 90 % of steps."""
    return (h.final_run >= 2) & ~h.before_final_run & ~h.at_least_90


def is_intensifying(h: SideHistory) -> np.ndarray:
    """Intensifying: this side in at least 90 % of steps including the final one, with a
    significant trend towards this side."""
    return h.at_least_90 & h.final & (h.trend > 0)


def is_persistent(h: SideHistory) -> np.ndarray:
    """Persistent: this side in at least 90 % of steps with no significant trend (Lantern:
    the final step included, see rule 3)."""
    return h.at_least_90 & h.final & (h.trend == 0)


def is_diminishing(h: SideHistory) -> np.ndarray:
    """Diminishing: this side in at least 90 % of steps including the final one, with a
    significant trend away from this side."""
    return h.at_least_90 & h.final & (h.trend < 0)


def is_sporadic(h: SideHistory) -> np.ndarray:
    """Sporadic: this side at the final step and on and off before it, in under 90 % of
    steps, and never the other side."""
    return h.final & h.before_final_run & ~h.at_least_90 & ~h.other.any(axis=1)


def is_oscillating(h: SideHistory) -> np.ndarray:
    """Oscillating: this side at the final step, the other side at some earlier step, and
    this side in under 90 % of steps."""
    return h.final & h.other[:, :-1].any(axis=1) & ~h.at_least_90


def is_historical(h: SideHistory) -> np.ndarray:
    """Historical: not this side at the final step, but this side in at least 90 % of
    steps."""
    return ~h.final & h.at_least_90


_RULES = {"oscillating": is_oscillating, "new": is_new, "consecutive": is_consecutive,
          "intensifying": is_intensifying, "persistent": is_persistent,
          "diminishing": is_diminishing, "sporadic": is_sporadic, "historical": is_historical}


def series_to_categories(z, p, *, alpha: float = 0.05, trend_alpha: float | None = None
                         ) -> pd.DataFrame:
    """Return each cell's emerging hot spot category from its Gi* z and p series.

    Parameters
    ----------
    z, p : pandas.DataFrame
        Gi* z-scores and (already corrected) p-values, one row per cell and one column per
        time step in time order, with the same index and columns. NaN (an undefined Gi*)
        counts as not significant and takes no part in the trend.
    alpha : float, default 0.05
        A step is significant where ``p < alpha``.
    trend_alpha : float, optional
        The trend is significant where its Mann-Kendall p is below this; default ``alpha``.

    Returns
    -------
    pandas.DataFrame
        Indexed as ``z``: ``category`` (one of :data:`CATEGORIES`), ``trend_z``, ``trend_p``
        (Mann-Kendall on the z series; p NaN with fewer than 3 defined steps), ``hot_steps``,
        ``cold_steps``, ``steps``.

    Raises
    ------
    ValueError
        If ``z`` and ``p`` are not DataFrames of one shape and labels with at least 2 steps,
        or ``alpha`` / ``trend_alpha`` is not between 0 and 1.

    Examples
    --------
    >>> import pandas as pd
    >>> z = pd.DataFrame([[0.1, 0.2, 3.0], [3.0, 3.1, 3.2]], index=["a", "b"])
    >>> p = pd.DataFrame([[0.9, 0.8, 0.001], [0.001, 0.001, 0.001]], index=["a", "b"])
    >>> series_to_categories(z, p)["category"].tolist()
    ['new hot spot', 'persistent hot spot']
    """
    for name, value in (("alpha", alpha), ("trend_alpha", trend_alpha)):
        if value is None and name == "trend_alpha":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ValueError(f"{name}= must be a number between 0 and 1, e.g. 0.05, not "
                             f"{value!r}")
    trend_alpha = alpha if trend_alpha is None else trend_alpha
    if not isinstance(z, pd.DataFrame) or not isinstance(p, pd.DataFrame):
        raise ValueError("z= and p= must be pandas DataFrames, one row per cell and one "
                         "column per time step")
    if z.shape != p.shape or not z.index.equals(p.index) or not z.columns.equals(p.columns):
        raise ValueError(f"z= and p= must have the same cells and time steps; z is "
                         f"{z.shape[0]} x {z.shape[1]}, p is {p.shape[0]} x {p.shape[1]}")
    if z.shape[1] < 2:
        raise ValueError(f"z= has {plural(z.shape[1], 'time step')}; emerging hot spots need at "
                         "least 2 (and 10 or more to tell persistent from the rest)")
    zv, pv = z.to_numpy(dtype=float), p.to_numpy(dtype=float)
    significant = np.nan_to_num(pv, nan=1.0) < alpha
    hot = significant & (np.nan_to_num(zv) > 0)
    cold = significant & (np.nan_to_num(zv) < 0)
    mk = mann_kendall(zv, alpha=trend_alpha)
    trend_sig = np.nan_to_num(mk.p, nan=1.0) < trend_alpha
    up = np.where(trend_sig, np.sign(mk.z), 0).astype(int)
    category = np.full(len(z), NO_PATTERN, dtype=object)
    decided = np.zeros(len(z), dtype=bool)
    for side, flags, others, toward in (("hot", hot, cold, up), ("cold", cold, hot, -up)):
        history = SideHistory(side=flags, other=others, trend=toward)
        for kind in KINDS:
            if kind == "historical":
                continue
            match = _RULES[kind](history) & ~decided
            category[match] = f"{kind} {side} spot"
            decided |= match
    for side, flags, others, toward in (("hot", hot, cold, up), ("cold", cold, hot, -up)):
        history = SideHistory(side=flags, other=others, trend=toward)
        match = is_historical(history) & ~hot[:, -1] & ~cold[:, -1] & ~decided
        category[match] = f"historical {side} spot"
        decided |= match
    return pd.DataFrame({"category": category, "trend_z": mk.z, "trend_p": mk.p,
                         "hot_steps": hot.sum(axis=1), "cold_steps": cold.sum(axis=1),
                         "steps": np.full(len(z), z.shape[1])}, index=z.index)


def space_time_gistar(counts_by_step, *, k: int = 1, time_steps: int = 0,
                      fdr: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return Gi* (z, p, p_adjusted) for every cell and time step of a space-time cube.

    The neighbourhood of cell ``i`` at step ``t`` is every study-area cell within ``k`` H3
    rings of ``i`` (``i`` included), at steps ``t - time_steps`` to ``t`` (fewer at the start
    of the cube). Gi* compares the neighbourhood's sum with the mean and variance of all the
    bins of those steps (binary weights), so with ``time_steps=0`` it is exactly
    :func:`profiles.analyses.hotspots.hotspot_gistar` at each step. Benjamini-Hochberg runs
    over the cells of one step, as :func:`~profiles.analyses.hotspots.hotspot_classify` does.
    Where the window's counts have no variance (e.g. all zero), or a neighbourhood covers the
    whole window, z and p are NaN.

    Parameters
    ----------
    counts_by_step : pandas.DataFrame
        Non-negative counts indexed by H3 cell id (every study-area cell, zero-filled), one
        column per time step in time order.
    k : int, default 1
        Neighbour rings.
    time_steps : int, default 0
        Earlier steps in the neighbourhood (ArcGIS's neighbourhood time step).
    fdr : bool, default True

    Returns
    -------
    tuple of pandas.DataFrame
        ``(z, p, p_adjusted)``, each indexed and labelled as ``counts_by_step``.

    Raises
    ------
    ValueError
        As for :func:`profiles.analyses.hotspots.hotspot_classify`, or if ``time_steps`` is
        not a whole number from 0 to one fewer than the steps.
    """
    _check_parameters(k, 0.05, fdr)
    if not isinstance(counts_by_step, pd.DataFrame):
        raise ValueError("counts_by_step= must be a pandas DataFrame indexed by H3 cell id "
                         f"with one column per time step, not {type(counts_by_step).__name__}")
    steps = counts_by_step.shape[1]
    if isinstance(time_steps, bool) or not isinstance(time_steps, (int, np.integer)) \
            or not 0 <= time_steps < max(steps, 1):
        raise ValueError(f"time_steps= must be a whole number from 0 to {max(steps - 1, 0)} "
                         f"(earlier steps in the neighbourhood), not {time_steps!r}")
    from scipy.sparse import csr_matrix

    cells, y = _check_counts(counts_by_step, name="counts_by_step")
    cols, starts, n_neighbours = _neighbours(cells, k)
    n = y.shape[0]
    # one sparse product for every step's spatial sums (no (neighbours x T) copy), and time
    # along the rows so that each step's bins are contiguous in memory
    links = csr_matrix((np.ones(len(cols)), cols, np.append(starts, len(cols))), shape=(n, n))
    y_t = np.ascontiguousarray(y.T)                              # (T, n)
    local_t = np.ascontiguousarray((links @ y).T)                # (T, n) spatial sums
    z_t = np.full(y_t.shape, np.nan)
    for t in range(steps):
        lo = max(0, t - time_steps)
        window = y_t[lo:t + 1]
        width = t + 1 - lo
        if np.ptp(window) == 0:
            continue
        big_n = n * width
        w = n_neighbours.astype(float) * width
        mean, sd = window.mean(), window.std()
        with np.errstate(divide="ignore", invalid="ignore"):
            zt = (local_t[lo:t + 1].sum(axis=0) - mean * w) / (
                sd * np.sqrt((big_n * w - w * w) / (big_n - 1)))
        zt[w >= big_n] = np.nan
        z_t[t] = zt
    p_t = _two_sided_p(z_t)
    p_adj_t = np.vstack([_benjamini_hochberg(p_t[t]) if fdr else p_t[t]
                         for t in range(steps)]) if steps else p_t
    z, p, p_adj = z_t.T, p_t.T, p_adj_t.T
    frame = lambda values: pd.DataFrame(values, index=counts_by_step.index,  # noqa: E731
                                        columns=counts_by_step.columns)
    return frame(z), frame(p), frame(p_adj)


def hotspot_emerging(counts_by_step, *, k: int = 1, time_steps: int = 0, alpha: float = 0.05,
                     fdr: bool = True) -> pd.DataFrame:
    """Return each cell's emerging hot spot category over the time steps of a cube.

    Gi* per step (:func:`space_time_gistar`), then the rules of :func:`series_to_categories`
    with ``alpha`` for the steps and for the trend.

    Parameters
    ----------
    counts_by_step : pandas.DataFrame
        Counts indexed by H3 cell id, one column per time step in time order, zero-filled.
    k, time_steps, fdr
        As for :func:`space_time_gistar`.
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        As :func:`series_to_categories`; ``attrs`` holds ``k``, ``time_steps``, ``alpha``,
        ``fdr``, ``undefined_steps`` (labels of steps whose Gi* is undefined) and the Gi*
        tables ``z`` and ``p_adjusted``.

    Raises
    ------
    ValueError
        As for :func:`space_time_gistar` and :func:`series_to_categories`.

    Examples
    --------
    >>> import h3, pandas as pd
    >>> centre = "891942c58b7ffff"
    >>> cube = pd.DataFrame(1, index=h3.grid_disk(centre, 5), columns=range(10))
    >>> cube.loc[list(h3.grid_disk(centre, 1)), 9] = 20
    >>> hotspot_emerging(cube).loc[centre, "category"]
    'new hot spot'
    """
    _check_parameters(k, alpha, fdr)
    z, _, p_adj = space_time_gistar(counts_by_step, k=k, time_steps=time_steps, fdr=fdr)
    table = series_to_categories(z, p_adj, alpha=alpha)
    table.attrs.update(k=k, time_steps=time_steps, alpha=alpha, fdr=fdr,
                       undefined_steps=z.columns[z.isna().all(axis=0)].tolist(),
                       z=z, p_adjusted=p_adj)
    return table


__all__ = ["CATEGORIES", "KINDS", "NO_PATTERN", "SideHistory", "hotspot_emerging",
           "is_consecutive", "is_diminishing", "is_historical", "is_intensifying", "is_new",
           "is_oscillating", "is_persistent", "is_sporadic", "series_to_categories",
           "space_time_gistar"]
