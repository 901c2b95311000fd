"""Off-street premises: released assessment counts by category and period.

:func:`premises_trend` gives released assessment counts by category and period (never a
premises-level list), with :data:`RESPONSES` beside them. The category rubric applied at
ingest lives with the contracts, in :mod:`data_contracts.premises_rubric`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_contracts.premises_rubric import CATEGORIES, RESPONSES
from profiles.release import NO_DATA, NOT_LOADED, RELEASED, Figure, ReleasedForAudience


@dataclass
class PremisesTrend(ReleasedForAudience):
    """Released premises assessments by category and period, with the response each calls for.

    Attributes
    ----------
    figure : profiles.release.Figure
        The total over the range and what it is (not loaded, no data for these weeks, a
        released figure).
    table : pandas.DataFrame
        ``period_start``, ``category`` (in :data:`CATEGORIES` order), ``count``: the sum of the
        released figures for that category shown at the period asked for. Every period from
        the first to the last loaded week and every category appears; 0 means none shown.
        Never a premises list, never a place.
    other : pandas.DataFrame
        What the release could show only with the categories combined (``category`` is
        ``(combined)``) or only over a longer period (``period_grain``): ``period_start``,
        ``period_grain``, ``category``, ``count``. Not in :attr:`table`.
    responses : dict
        :data:`RESPONSES`, the response each category calls for.
    """

    policy: object
    period: str
    area: str | None
    start: object
    end: object
    table: pd.DataFrame
    other: pd.DataFrame
    responses: dict = field(default_factory=lambda: dict(RESPONSES))
    #: What the premises total over the range is: released, not loaded or no data.
    figure: Figure = field(default_factory=lambda: Figure(RELEASED))

    @property
    def totals(self) -> dict:
        """Category -> assessments shown with that category over the whole range, any period."""
        both = pd.concat([self.table, self.other[self.other["category"].isin(CATEGORIES)]])
        sums = both.groupby("category")["count"].sum()
        return {c: int(sums.get(c, 0)) for c in CATEGORIES}

    @property
    def combined_total(self) -> int:
        """Assessments shown only with their categories combined."""
        return int(self.other.loc[~self.other["category"].isin(CATEGORIES), "count"].sum())

    @property
    def summary(self) -> str:
        """The trend in plain words (built only from released values)."""
        where = self.area or "the whole force"
        totals, combined = self.totals, self.combined_total
        if self.figure.state == NOT_LOADED:
            return ("Off-street premises: not loaded — no premises assessment file has been "
                    "loaded, so nothing can be said about premises here.")
        if self.figure.state == NO_DATA:
            return (f"Off-street premises: no data for these weeks — the assessment files "
                    f"loaded cover other weeks. Choose other weeks to see {where}.")
        if not sum(totals.values()) and not combined:
            return (f"No premises assessments can be shown for {where} to the "
                    f"{self.policy.label.lower()} audience: too few premises lie behind any "
                    f"figure, even pooled, so no count is safe to show.")
        parts = ", ".join(f"{totals[c]:,} {c}" for c in CATEGORIES)
        text = f"Premises assessments shown for {where}: {parts}"
        text += (f", and {combined:,} shown only with categories combined (too few premises "
                 f"of one category to show apart)." if combined else ".")
        periods = sorted(self.table["period_start"].unique())
        if len(periods) >= 2 and sum(totals.values()):
            first = self.table[self.table["period_start"] == periods[0]]
            last = self.table[self.table["period_start"] == periods[-1]]
            risk = (int(first.loc[first["category"] == "risk", "count"].sum()),
                    int(last.loc[last["category"] == "risk", "count"].sum()))
            text += (f" Risk premises: {risk[0]:,} in the {self.period} from {periods[0]} and "
                     f"{risk[1]:,} in the {self.period} from {periods[-1]}.")
        longer = int(self.other.loc[self.other["period_grain"] != self.period, "count"].sum())
        if longer and self.period != "all":
            text += (f" {longer:,} can be shown only over periods longer than a {self.period} "
                     f"and are not in the {self.period}-by-{self.period} figures.")
        text += (" Figures are pooled over larger areas or longer periods where too few "
                 "premises lie behind them; groups still too small are not shown.")
        return text


def premises_trend(con, audience, *, period: str = "quarter", area=None, start=None,
                   end=None) -> PremisesTrend:
    """Return released premises assessments by category and period.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
        Whose release the figures come from; the audience must be allowed the ``category``
        breakdown.
    period : {"week", "month", "quarter", "year", "all"}, default "quarter"
    area : str or int, optional
        An area name or id; default the whole force.
    start, end : date, optional
        Only weeks whose Monday is in [start, end]; default all loaded weeks.

    Returns
    -------
    PremisesTrend

    Raises
    ------
    profiles.release.api.ReleaseError
        If the audience may not see premises or their category, or for an unknown period or
        area.

    Examples
    --------
    >>> from profiles import store
    >>> con = store.connect(":memory:")
    >>> trend = premises_trend(con, "partnership")
    >>> trend.table.columns.tolist(), sorted(trend.responses) == sorted(CATEGORIES)
    (['period_start', 'category', 'count'], True)
    """
    from profiles.analyses.periods import loaded_period_starts, released_series

    series = released_series(con, audience, "premises", period=period, by=("category",),
                             area=area, start=start, end=end)
    policy, frame = series.policy, series.released.frame
    grain = frame["period_grain"] if "period_grain" in frame.columns else \
        pd.Series(period, index=frame.index)
    at_period = ((grain == period) | (period == "all")) & frame["category"].isin(CATEGORIES)
    sums = frame[at_period].groupby(["period_start", "category"])["count"].sum()
    starts = sorted(set(loaded_period_starts(con, period, start=start, end=end))
                    | set(frame.loc[at_period, "period_start"]))
    index = pd.MultiIndex.from_product([starts, CATEGORIES],
                                       names=["period_start", "category"])
    table = sums.reindex(index, fill_value=0).astype(np.int64).rename("count").reset_index()
    table["category"] = table["category"].astype(object)
    other = frame[~at_period].assign(period_grain=grain[~at_period])
    other = (other.groupby(["period_start", "period_grain", "category"], as_index=False)
             ["count"].sum())
    other = other.astype({"category": object, "period_grain": object})
    from profiles.release import feed_coverage

    total = int(table["count"].sum() + other["count"].sum())
    figure = feed_coverage(con).figure_over_weeks("premises", start, end, total)
    if not figure.shown:   # no bars of zeros for weeks with no file
        table = table.iloc[0:0]
    return PremisesTrend(policy=policy, period=period,
                         area=str(area) if area is not None else None, start=start, end=end,
                         table=table, other=other, figure=figure)
