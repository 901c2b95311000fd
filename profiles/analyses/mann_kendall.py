"""Mann-Kendall trend test, one series or many at once.

The test asks whether a series tends to rise or fall over time, without assuming a straight
line or a distribution. Emerging hot spot analysis (:mod:`profiles.analyses.emerging`) runs it
on each hexagon's series of Gi* z-scores.

For a series :math:`x_1 \\dots x_n` (missing values dropped):

* :math:`S = \\sum_{i<j} \\operatorname{sign}(x_j - x_i)`;
* with ties, groups of :math:`t_p` equal values,
  :math:`\\operatorname{Var}(S) = [n(n-1)(2n+5) - \\sum_p t_p(t_p-1)(2t_p+5)] / 18`;
* :math:`z = (S - 1)/\\sqrt{\\operatorname{Var}(S)}` when :math:`S > 0`,
  :math:`(S + 1)/\\sqrt{\\operatorname{Var}(S)}` when :math:`S < 0`, else 0 (continuity
  correction);
* :math:`p = 2\\,(1 - \\Phi(|z|))`, two-sided; Kendall's :math:`\\tau = S / (n(n-1)/2)`.

These are the formulas of ``pymannkendall.original_test`` (Hussain & Mahmud 2019), which the
tests check against.

Examples
--------
>>> result = mann_kendall([1, 2, 3, 4, 5, 6, 7, 8])
>>> int(result.s), round(float(result.z), 3), bool(result.p < 0.01)
(28, 3.34, True)
>>> mann_kendall([3, 1, 3, 1, 3, 1]).trend
'no trend'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MannKendall:
    """Mann-Kendall results, one value per series (scalars for one series, arrays for many).

    Attributes
    ----------
    s : S, the sum of signs of all later-minus-earlier differences.
    var_s : the variance of S under no trend, corrected for ties.
    z : the standard normal score of S (continuity corrected); 0 when S is 0.
    p : two-sided p of ``z``; NaN where fewer than 3 values are present.
    tau : Kendall's tau, S over the number of pairs.
    n : how many values were present (missing values are dropped).
    alpha : the significance level ``trend`` uses.
    """

    s: object
    var_s: object
    z: object
    p: object
    tau: object
    n: object
    alpha: float = 0.05

    @property
    def trend(self):
        """``'increasing'``, ``'decreasing'`` or ``'no trend'`` (p below ``alpha``)."""
        words = np.where(np.asarray(self.p) < self.alpha,
                         np.where(np.asarray(self.z) > 0, "increasing", "decreasing"),
                         "no trend")
        return str(words) if words.ndim == 0 else words.astype(object)


def mann_kendall(series, *, alpha: float = 0.05) -> MannKendall:
    """Return the Mann-Kendall trend test of one series, or of each row of a 2-D array.

    Parameters
    ----------
    series : array-like
        A 1-D series in time order, or a 2-D array with one series per row (time along the
        columns). NaN marks a missing value; it takes no part in any pair or tie.
    alpha : float, default 0.05
        The significance level :attr:`MannKendall.trend` uses.

    Returns
    -------
    MannKendall
        Scalars for a 1-D series, arrays (one per row) for a 2-D one. A series with fewer than
        3 values present has S 0, z 0 and p NaN (no test).

    Raises
    ------
    ValueError
        If ``series`` is not 1-D or 2-D numbers, or ``alpha`` is not between 0 and 1.

    Examples
    --------
    >>> import numpy as np
    >>> rows = mann_kendall(np.array([[1, 2, 3, 4], [4, 3, 2, 1], [1, np.nan, 1, 1]]))
    >>> rows.s.tolist(), rows.n.tolist()
    ([6.0, -6.0, 0.0], [4, 4, 3])
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha= must be a number between 0 and 1, e.g. 0.05, not {alpha!r}")
    try:
        x = np.asarray(series, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("series= must hold numbers (NaN for a missing value)") from None
    if x.ndim not in (1, 2):
        raise ValueError(f"series= must be one series (1-D) or one series per row (2-D), not "
                         f"{x.ndim}-D")
    one = x.ndim == 1
    x = np.atleast_2d(x)
    s, var_s, n = _s_and_variance(x)
    from scipy.special import ndtr

    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var_s),
                     np.where(s < 0, (s + 1) / np.sqrt(var_s), 0.0))
        tau = s / (n * (n - 1) / 2)
    z = np.where(var_s > 0, z, 0.0)
    p = np.where(n >= 3, 2.0 * ndtr(-np.abs(z)), np.nan)
    tau = np.where(n >= 2, tau, np.nan)
    if one:
        return MannKendall(s=s[0], var_s=var_s[0], z=z[0], p=p[0], tau=tau[0], n=int(n[0]),
                           alpha=alpha)
    return MannKendall(s=s, var_s=var_s, z=z, p=p, tau=tau, n=n, alpha=alpha)


#: Rows of a 2-D input taken together in the pairwise sums (about 4 MB of differences).
_BLOCK = 4096


def _s_and_variance(x):
    """Return (S, tie-corrected Var(S), n present) for each row of ``x`` (NaN = missing)."""
    rows, steps = x.shape
    present = ~np.isnan(x)
    n = present.sum(axis=1)
    s = np.zeros(rows)
    for first in range(0, rows, _BLOCK):      # blocks of rows small enough to stay in cache
        block = x[first:first + _BLOCK]
        missing = bool(np.isnan(block).any())
        for lag in range(1, steps):
            signs = np.sign(block[:, lag:] - block[:, :-lag])
            if missing:       # a pair with a missing value adds nothing
                np.nan_to_num(signs, copy=False, nan=0.0)
            s[first:first + _BLOCK] += signs.sum(axis=1)
    var_s = n * (n - 1) * (2 * n + 5) / 18.0
    # ties: sort each row (NaN last), find runs of equal present values
    ordered = np.sort(x, axis=1)
    ties = np.zeros(rows)
    if steps > 1:
        same = ordered[:, 1:] == ordered[:, :-1]        # NaN == NaN is False
        for r in np.nonzero(same.any(axis=1))[0]:
            run = 1
            for equal in same[r]:
                if equal:
                    run += 1
                else:
                    ties[r] += run * (run - 1) * (2 * run + 5)
                    run = 1
            ties[r] += run * (run - 1) * (2 * run + 5)
    var_s = var_s - ties / 18.0
    return s, var_s, n


__all__ = ["MannKendall", "mann_kendall"]
