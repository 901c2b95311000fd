"""Hotspots: Getis–Ord Gi* on H3 cell counts, and hot/cold-spot patterns over time.

The family follows sfhotspot's shape of call: :func:`hotspot_gistar` for one period,
:func:`hotspot_classify` for a sequence of periods; both take counts indexed by H3 cell id
(zero cells inside the study area included) and the same ``k=``, ``alpha=`` and ``fdr=``.

Gi* here is the analytic statistic of Getis & Ord (1992), with binary weights over the cells
within ``k`` rings of each cell (the cell itself included), restricted to the cells of the
study area. Its z is identical to PySAL's
``esda.G_Local(y, w, transform="B", star=True, permutations=0).Zs`` for the same neighbour
lists; the tests check this.

Examples
--------
>>> import h3, pandas as pd
>>> centre = "891942c58b7ffff"
>>> counts = pd.Series(0, index=h3.grid_disk(centre, 4))
>>> counts[centre] = 20
>>> table = hotspot_gistar(counts)
>>> table.loc[centre, "hotspot"], int(table.loc[centre, "n_neighbours"])
('hot', 7)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_contracts.words import plural

#: The labels :func:`hotspot_gistar` puts in its ``hotspot`` column.
HOTSPOT_LABELS = ("hot", "cold", "none")

#: The patterns :func:`hotspot_classify` puts in its ``pattern`` column.
PATTERNS = ("persistent hot", "emerging hot", "former hot", "intermittent hot",
            "persistent cold", "emerging cold", "former cold", "intermittent cold",
            "mixed", "no pattern")

_HEX_CELL = r"[0-9a-fA-F]{15,16}"
_EXAMPLE_CELL = "'891942c58b7ffff'"


@dataclass(frozen=True, eq=False)
class HotspotResult:
    """One Gi* analysis: its input counts, its parameters and its table.

    Build one with :meth:`from_counts`; ``table`` is what :func:`hotspot_gistar` returns.

    Examples
    --------
    >>> import h3, pandas as pd
    >>> counts = pd.Series(0, index=h3.grid_disk("891942c58b7ffff", 4))
    >>> counts["891942c58b7ffff"] = 30
    >>> result = HotspotResult.from_counts(counts, k=1)
    >>> "891942c58b7ffff" in result.hot_cells, result.k, result.alpha
    (True, 1, 0.05)
    """

    counts: pd.Series
    table: pd.DataFrame
    k: int
    alpha: float
    fdr: bool

    @classmethod
    def from_counts(cls, counts, *, k=1, alpha=0.05, fdr=True) -> "HotspotResult":
        """Run :func:`hotspot_gistar` and keep its inputs and parameters with the table."""
        table = hotspot_gistar(counts, k=k, alpha=alpha, fdr=fdr)
        return cls(counts=counts, table=table, k=k, alpha=alpha, fdr=fdr)

    @property
    def hot_cells(self) -> list:
        """Cells labelled ``'hot'``."""
        return self.table.index[self.table["hotspot"] == "hot"].tolist()

    @property
    def cold_cells(self) -> list:
        """Cells labelled ``'cold'``."""
        return self.table.index[self.table["hotspot"] == "cold"].tolist()


def hotspot_gistar(counts, *, k=1, alpha=0.05, fdr=True) -> pd.DataFrame:
    """Return the Getis–Ord Gi* z, p and hot/cold label of every cell.

    Parameters
    ----------
    counts : pandas.Series
        Non-negative counts indexed by H3 cell id (hex string such as ``'891942c58b7ffff'``),
        all cells of one resolution. Every cell of the study area must be present, zero cells
        included: cells missing from the index are outside the study area.
    k : int, default 1
        Neighbourhood radius in H3 rings (``h3.grid_disk(cell, k)``). Weights are binary and
        include the cell itself (Gi*); neighbours outside the study area are dropped, so a
        cell on the edge has fewer neighbours and its own weight sum in the formula.
    alpha : float, default 0.05
        Significance level applied to ``p_adjusted``.
    fdr : bool, default True
        Adjust p over all cells with the Benjamini–Hochberg false discovery rate procedure.
        With ``False`` ``p_adjusted`` equals ``p``.

    Returns
    -------
    pandas.DataFrame
        Indexed by cell, in the order of ``counts``, with columns ``count``,
        ``n_neighbours`` (cells in the neighbourhood, itself included), ``z``, ``p``
        (two-sided normal), ``p_adjusted`` and ``hotspot`` (``'hot'`` when
        ``p_adjusted < alpha`` and ``z > 0``, ``'cold'`` when ``p_adjusted < alpha`` and
        ``z < 0``, else ``'none'``). ``attrs`` holds ``k``, ``alpha`` and ``fdr``.
        A cell whose neighbourhood is the whole study area has no variance under the
        null, so its ``z``, ``p`` and ``p_adjusted`` are NaN and its label ``'none'``;
        it is left out of the Benjamini–Hochberg family.

    Raises
    ------
    ValueError
        If ``counts`` is not a Series of finite non-negative numbers indexed by unique valid
        H3 cells of one resolution, has fewer than 3 cells, or has zero variance (every cell
        the same count, e.g. all zero), or if ``k``, ``alpha`` or ``fdr`` is out of range.

    Notes
    -----
    With :math:`w_i = \\sum_j w_{ij}` (binary, self included), :math:`n` cells, mean
    :math:`\\bar x` and population standard deviation :math:`S`,

    .. math:: z_i = \\frac{\\sum_j w_{ij} x_j - \\bar x w_i}
                         {S \\sqrt{(n w_i - w_i^2)/(n - 1)}}

    Examples
    --------
    >>> import h3, pandas as pd
    >>> counts = pd.Series(1, index=h3.grid_disk("891942c58b7ffff", 5))
    >>> counts["891942c58b7ffff"] = 30
    >>> hotspot_gistar(counts, k=1)["hotspot"].value_counts().to_dict()
    {'none': 84, 'hot': 7}
    """
    _check_parameters(k, alpha, fdr)
    cells, y = _check_counts(counts)
    if np.ptp(y) == 0:
        raise ValueError(_zero_variance_message(y))
    cols, starts, n_neighbours = _neighbours(cells, k)
    z = _gistar_z(y[:, None], cols, starts, n_neighbours)[:, 0]
    p = _two_sided_p(z)
    p_adjusted = _benjamini_hochberg(p) if fdr else p.copy()
    table = pd.DataFrame({
        "count": counts.to_numpy(),
        "n_neighbours": n_neighbours,
        "z": z,
        "p": p,
        "p_adjusted": p_adjusted,
        "hotspot": _labels(z, p_adjusted, alpha),
    }, index=counts.index)
    table.attrs.update(k=k, alpha=alpha, fdr=fdr)
    return table


def hotspot_classify(counts_by_period, *, k=1, alpha=0.05, fdr=True, recent=4,
                     persistent_share=0.8) -> pd.DataFrame:
    """Return the hot/cold-spot pattern of every cell over a sequence of periods.

    Gi* (:func:`hotspot_gistar`, same ``k``, ``alpha``, ``fdr``; the Benjamini–Hochberg
    family is the cells of one period) labels each cell ``hot``, ``cold`` or ``none`` in
    every period. A period whose Gi* is undefined because its counts have zero variance
    (for example all zero) counts as not significant for every cell; so does a cell whose
    neighbourhood is the whole study area. Let ``T`` be the number of periods, the *recent
    window* the last ``recent`` periods and *earlier* the periods before it. Each cell gets
    the first pattern that applies:

    1. ``'mixed'``: significantly hot in at least one period and cold in at least one other.
    2. ``'no pattern'``: significant in no period.
    3. Otherwise the cell is significant on one side only (hot or cold, written ``X``):

       * ``'persistent X'``: ``X`` in at least ``ceil(persistent_share * T)`` periods;
       * ``'emerging X'``: ``X`` in the recent window and in no earlier period;
       * ``'former X'``: ``X`` in an earlier period and in no period of the recent window;
       * ``'intermittent X'``: otherwise, that is ``X`` both earlier and in the recent
         window but in fewer than ``ceil(persistent_share * T)`` periods.

    Parameters
    ----------
    counts_by_period : pandas.DataFrame
        Non-negative counts indexed by H3 cell id (as for :func:`hotspot_gistar`), one column
        per period in time order, zero-filled.
    k, alpha, fdr
        As for :func:`hotspot_gistar`.
    recent : int, default 4
        Length of the recent window in periods; at least 1 and fewer than the periods.
    persistent_share : float, default 0.8
        Share of periods, in (0, 1], a cell must be significant in to be persistent.

    Returns
    -------
    pandas.DataFrame
        Indexed by cell, with columns ``pattern`` (one of :data:`PATTERNS`), ``hot_periods``
        and ``cold_periods`` (how many periods the cell was significantly hot or cold in) and
        ``periods`` (``T``). ``attrs`` holds the parameters and ``undefined_periods``, the
        labels of periods whose Gi* was undefined.

    Raises
    ------
    ValueError
        As for :func:`hotspot_gistar` (except zero variance, see above), or if ``recent`` or
        ``persistent_share`` is out of range.

    Examples
    --------
    >>> import h3, pandas as pd
    >>> centre = "891942c58b7ffff"
    >>> frame = pd.DataFrame(0, index=h3.grid_disk(centre, 4), columns=range(8))
    >>> frame.loc[centre, [5, 6, 7]] = 20
    >>> hotspot_classify(frame).loc[centre, "pattern"]
    'emerging hot'
    """
    _check_parameters(k, alpha, fdr)
    if not isinstance(counts_by_period, pd.DataFrame):
        raise ValueError("counts_by_period= must be a pandas DataFrame indexed by H3 cell id "
                         f"with one column per period, not {type(counts_by_period).__name__}")
    n_periods = counts_by_period.shape[1]
    if isinstance(recent, bool) or not isinstance(recent, (int, np.integer)) \
            or not 1 <= recent < n_periods:
        raise ValueError(f"recent= must be an integer from 1 to {n_periods - 1} (fewer than "
                         f"the {n_periods} periods of counts_by_period), not {recent!r}")
    if isinstance(persistent_share, bool) or not isinstance(persistent_share, (int, float)) \
            or not 0 < persistent_share <= 1:
        raise ValueError("persistent_share= must be a number in (0, 1], "
                         f"not {persistent_share!r}")
    cells, y = _check_counts(counts_by_period, name="counts_by_period")
    cols, starts, n_neighbours = _neighbours(cells, k)
    z = _gistar_z(y, cols, starts, n_neighbours)
    hot = np.zeros(z.shape, dtype=bool)
    cold = np.zeros(z.shape, dtype=bool)
    for t in range(n_periods):
        p = _two_sided_p(z[:, t])
        p_adj = _benjamini_hochberg(p) if fdr else p
        significant = p_adj < alpha
        hot[:, t] = significant & (z[:, t] > 0)
        cold[:, t] = significant & (z[:, t] < 0)
    table = pd.DataFrame({
        "pattern": _patterns(hot, cold, recent, persistent_share),
        "hot_periods": hot.sum(axis=1),
        "cold_periods": cold.sum(axis=1),
        "periods": np.full(len(cells), n_periods),
    }, index=counts_by_period.index)
    undefined = np.ptp(y, axis=0) == 0
    table.attrs.update(k=k, alpha=alpha, fdr=fdr, recent=recent,
                       persistent_share=persistent_share,
                       undefined_periods=counts_by_period.columns[undefined].tolist())
    return table


def _patterns(hot, cold, recent, persistent_share) -> np.ndarray:
    """Apply the rules of :func:`hotspot_classify` to boolean (cell, period) arrays."""
    n_periods = hot.shape[1]
    need = int(np.ceil(persistent_share * n_periods - 1e-9))
    out = np.full(hot.shape[0], "no pattern", dtype=object)
    for flags, side in ((hot, "hot"), (cold, "cold")):
        total = flags.sum(axis=1)
        in_recent = flags[:, -recent:].any(axis=1)
        earlier = flags[:, :-recent].any(axis=1)
        out[total > 0] = f"intermittent {side}"
        out[earlier & ~in_recent] = f"former {side}"
        out[in_recent & ~earlier] = f"emerging {side}"
        out[total >= need] = f"persistent {side}"
    out[hot.any(axis=1) & cold.any(axis=1)] = "mixed"
    return out


def _check_parameters(k, alpha, fdr) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k= must be an integer >= 1 (rings of neighbours), not {k!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha= must be a number between 0 and 1, e.g. 0.05, not {alpha!r}")
    if not isinstance(fdr, (bool, np.bool_)):
        raise ValueError(f"fdr= must be True or False, not {fdr!r}")


def _check_counts(counts, name="counts"):
    """Validate counts once; return (uint64 cell ids, float counts as an (n,) or (n, T) array)."""
    if name == "counts" and not isinstance(counts, pd.Series):
        raise ValueError(f"counts= must be a pandas Series indexed by H3 cell id (e.g. "
                         f"{_EXAMPLE_CELL}), not {type(counts).__name__}")
    n = len(counts)
    if n < 3:
        raise ValueError(f"{name}= has {plural(n, 'cell')} but Gi* needs at least 3; pass every cell "
                         "of the study area, zero-count cells included")
    dtypes = [counts.dtype] if isinstance(counts, pd.Series) else list(counts.dtypes)
    if not dtypes or any(pd.api.types.is_bool_dtype(d) or not pd.api.types.is_numeric_dtype(d)
                         for d in dtypes):
        shown = ", ".join(map(str, dtypes)) or "no columns"
        raise ValueError(f"{name}= must hold numeric counts, not {shown}")
    y = counts.to_numpy(dtype=float)
    bad = ~np.isfinite(y)
    if bad.any():
        cell = counts.index[np.nonzero(bad)[0][0]]
        raise ValueError(f"{name}= has missing or infinite counts (e.g. cell {cell!r}); give "
                         "zero cells 0 (fillna(0)) and drop cells outside the study area")
    if (y < 0).any():
        cell = counts.index[np.nonzero(y < 0)[0][0]]
        raise ValueError(f"{name}= has negative counts (e.g. cell {cell!r}); counts must be >= 0")
    return _parse_cells(counts.index, name), y


def _parse_cells(index, name) -> np.ndarray:
    import h3ronpy

    try:
        hex_like = pd.Series(index).str.fullmatch(_HEX_CELL)
        hex_like = hex_like.fillna(False).to_numpy(dtype=bool)
    except (AttributeError, TypeError):  # not an index of strings at all
        hex_like = np.zeros(len(index), dtype=bool)
    if not hex_like.all():
        cell = index[np.nonzero(~hex_like)[0][0]]
        cell = cell.item() if isinstance(cell, np.generic) else cell
        raise ValueError(f"{name}= index holds an invalid H3 cell id: {cell!r}; cell ids "
                         f"must be H3 hex strings such as {_EXAMPLE_CELL}")
    ids = np.array([int(cell, 16) for cell in index.tolist()], dtype=np.uint64)
    valid = np.asarray(h3ronpy.cells_valid(ids, booleanarray=True))
    if not valid.all():
        cell = index[np.nonzero(~valid)[0][0]]
        raise ValueError(f"{name}= index holds an invalid H3 cell id: {cell!r}; cell ids must "
                         f"be H3 hex strings such as {_EXAMPLE_CELL}")
    resolutions = np.unique((ids >> np.uint64(52)) & np.uint64(0xF))
    if len(resolutions) > 1:
        raise ValueError(f"{name}= index mixes H3 resolutions {resolutions.tolist()}; pass "
                         "cells of one resolution (h3.cell_to_parent to coarsen)")
    unique, first, seen = np.unique(ids, return_index=True, return_counts=True)
    if (seen > 1).any():
        cell = index[first[np.nonzero(seen > 1)[0][0]]]
        raise ValueError(f"{name}= index repeats cell {cell!r}; give each cell one count "
                         "(groupby(level=0).sum())")
    return ids


def _neighbours(ids, k):
    """Return (cols, starts, n_neighbours): the k-ring neighbour lists restricted to ``ids``.

    ``cols`` holds neighbour positions grouped by cell in cell order; ``starts[i]`` is where
    cell ``i``'s neighbours begin. Every cell has at least itself, so no group is empty.
    """
    import arro3.core as ac
    import h3ronpy

    disks = h3ronpy.grid_disk(ids, int(k), flatten=False)
    offsets = np.asarray(ac.list_offsets(disks))
    found = np.asarray(ac.list_flatten(disks))
    rows = np.repeat(np.arange(len(ids)), np.diff(offsets))
    order = np.argsort(ids)
    sorted_ids = ids[order]
    pos = np.minimum(np.searchsorted(sorted_ids, found), len(ids) - 1)
    inside = sorted_ids[pos] == found
    rows, cols = rows[inside], order[pos[inside]]
    per_row = np.bincount(rows, minlength=len(ids))
    starts = np.concatenate(([0], np.cumsum(per_row)[:-1]))
    return cols, starts, per_row


def _gistar_z(y, cols, starts, n_neighbours) -> np.ndarray:
    """Return Gi* z for each column of ``y`` (n, T); NaN columns where variance is zero."""
    n = y.shape[0]
    local_sum = np.add.reduceat(y[cols], starts, axis=0)
    mean = y.mean(axis=0)
    sd = y.std(axis=0)
    w = n_neighbours.astype(float)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (local_sum - mean * w) / (sd * np.sqrt((n * w - w * w) / (n - 1)))
    z[:, np.ptp(y, axis=0) == 0] = np.nan
    z[n_neighbours == n, :] = np.nan
    return z


def _two_sided_p(z) -> np.ndarray:
    from scipy.special import ndtr

    return 2.0 * ndtr(-np.abs(z))


def _benjamini_hochberg(p) -> np.ndarray:
    """Return Benjamini–Hochberg adjusted p; NaN stays NaN and is not counted in the family."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.nonzero(~np.isnan(p))[0]
    m = len(finite)
    if m == 0:
        return out
    order = finite[np.argsort(p[finite], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return out


def _labels(z, p_adjusted, alpha) -> np.ndarray:
    significant = p_adjusted < alpha
    return np.where(significant & (z > 0), "hot",
                    np.where(significant & (z < 0), "cold", "none")).astype(object)


def _zero_variance_message(y) -> str:
    return (f"counts= has zero variance (every cell has count {y[0]:g}), so Gi* is undefined; "
            "check the period and area hold some events, or use hotspot_classify, which "
            "counts such periods as not significant")
