"""The online picture: released advert counts, by period and area, and indicator figures.

Adverts seen on adult services websites are part of the hidden off-street picture (NPCC
guidance, section 4.3). A monitoring team records each advert's coarse place, week, platform
type, an optional advertiser key and six indicator flags that support services name as signs
an advertiser *may* be exploited. :func:`online_picture` returns only **released** figures:

* adverts per period, and advertisers seen per week (every figure has at least the audience's threshold of distinct
  advertisers behind it, never finer than H3 resolution 7) and by platform type;
* each indicator as its own figure (``advert_indicators``, same threshold, same secondary
  suppression; indicators are never combined with one another), and adverts carrying at
  least one indicator;
* adverts by area (each loaded area of one type, over the whole range);
* the share of adverts carrying an indicator, only where both of its parts are released
  figures.

Indicators are prompts for safeguarding with support services, not evidence: :data:`CAUTION`
says so wherever they are shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_contracts.feeds import ADVERT_INDICATORS
from profiles.analyses.periods import released_series
from profiles.release import ReleasedForAudience, get_policy, release_areas

ANY_INDICATOR = "any_indicator"
INDICATOR_WORDS = {
    "changing_locations": "Changing locations",
    "frequent_changes": "Frequent changes to the advert",
    "linked_adverts": "Linked adverts (shared number, wording or images)",
    "generic_photos": "Generic or unrealistic photos",
    "third_party_language": "Third-party language",
    "possible_under_18": "Possibly under 18",
    ANY_INDICATOR: "Any indicator",
}
PLATFORM_WORDS = {"escort_directory": "Escort directory", "classifieds": "Classifieds",
                  "social_media": "Social media", "other": "Other"}
CAUTION = ("Indicators are prompts for safeguarding with support services, not evidence of "
           "exploitation: an independent sex worker's advert can carry one, and an exploited "
           "person's advert can carry none. Most adverts carry no indicator. Act on them with "
           "specialist support services, never as grounds for enforcement on their own.")


@dataclass
class OnlinePicture(ReleasedForAudience):
    """Released figures on online adverts for one audience, area and range.

    Attributes
    ----------
    trend : pandas.DataFrame
        ``period_start``, ``count``: released adverts per period (0 = none shown), every
        period of the range; ``label`` (the period in words); ``advertisers_per_week``:
        released advertiser-weeks (one per advertiser seen in a hexagon in a week) over the
        period's loaded weeks, None where none is shown or the period is only partly in the
        range (a longer unit spanning its edge would be missing); ``part_period``.
    platforms : pandas.DataFrame
        ``platform``, ``count``: released adverts by platform type over the range (adverts
        shown only with platform types combined are ``Combined``).
    indicators : pandas.DataFrame
        ``indicator`` (in :data:`INDICATOR_WORDS` order, words), ``key``, ``count``: each
        indicator's released adverts over the range; 0 means none shown (none, or too few
        advertisers to show).
    by_area : pandas.DataFrame
        ``area``, ``adverts``, ``advertisers_per_week``, ``with_indicator``, ``share`` (None
        unless both parts are released) for each loaded area of ``area_type``.
    adverts, with_indicator : int
        Released adverts over the range, and those carrying at least one indicator.
    advertisers_per_week : float or None
        Advertisers seen per week on average over the range (released advertiser-weeks over
        loaded weeks).
    longer : int
        Adverts shown only over periods longer than ``period`` (in no period's bar).
    """

    policy: object
    period: str
    area: str | None
    trend: pd.DataFrame
    platforms: pd.DataFrame
    indicators: pd.DataFrame
    by_area: pd.DataFrame
    adverts: int = 0
    with_indicator: int = 0
    advertisers_per_week: float | None = None
    longer: int = 0
    caution: str = CAUTION
    notes: list = field(default_factory=list)

    @property
    def share(self) -> float | None:
        """Share of adverts carrying an indicator, or None unless both parts are released."""
        return share_of(self.with_indicator, self.adverts)

    @property
    def summary(self) -> str:
        """The online picture in plain words (built only from released values)."""
        where = self.area or "the whole force"
        if not self.adverts:
            return (f"No online adverts can be shown for {where} to the "
                    f"{self.policy.label.lower()} audience: none are loaded, or too few "
                    f"advertisers lie behind any figure, even pooled.")
        text = (f"{self.adverts:,} adverts shown for {where}, each figure with at least "
                f"{self.policy.threshold} advertisers behind it.")
        if self.share is not None:
            text += (f" {self.with_indicator:,} of them ({self.share:.0%}) carry at least one "
                     f"indicator; most carry none.")
        else:
            text += " Too few adverts with an indicator can be shown to give a share."
        if self.advertisers_per_week is not None:
            text += (f" On average about {self.advertisers_per_week:,.0f} advertisers were "
                     f"seen each week.")
        if self.longer and self.period != "all":
            text += (f" {self.longer:,} can be shown only over periods longer than a "
                     f"{self.period} and are not in the {self.period}-by-{self.period} trend.")
        return text


def share_of(part: int, whole: int) -> float | None:
    """Return ``part / whole`` only when both are released (non-zero) figures, else None.

    Examples
    --------
    >>> share_of(15, 60), share_of(0, 60), share_of(5, 0)
    (0.25, None, None)
    """
    if part <= 0 or whole <= 0:
        return None
    return min(1.0, part / whole)


def online_picture(con, audience, *, period: str | None = None, area=None, start=None,
                   end=None, area_type: str = "ward") -> OnlinePicture:
    """Return the released online picture for ``audience``.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
    period : {"week", "month", "quarter", "year", "all"}, optional
        The trend's period. None chooses for you: the shortest of month, quarter and year at
        which most released adverts can be shown (adverts are few per place and week); the
        result's ``period`` and ``notes`` say which.
    area : str or int, optional
        An area name or id; default the whole force.
    start, end : date, optional
        Only weeks whose Monday is in [start, end].
    area_type : str, default "ward"
        The kind of loaded area listed in :attr:`OnlinePicture.by_area`.

    Returns
    -------
    OnlinePicture

    Raises
    ------
    profiles.release.api.ReleaseError
        If the audience may not see online adverts, or for an unknown period or area.

    Examples
    --------
    >>> from profiles import store
    >>> pic = online_picture(store.connect(":memory:"), "partnership")
    >>> pic.adverts, pic.share, list(pic.indicators["key"])[:2]
    (0, None, ['changing_locations', 'frequent_changes'])
    """

    policy = get_policy(audience)
    if period is None:
        for choice in ("month", "quarter", "year"):
            picture = online_picture(con, policy, period=choice, area=area, start=start,
                                     end=end, area_type=area_type)
            if picture.longer * 2 <= picture.adverts:
                break
        picture.notes.append(f"Shown by {picture.period}: the shortest period at which most "
                             f"advert figures have enough advertisers behind them.")
        return picture
    adverts = released_series(con, policy, "online_adverts", period=period, by=("category",),
                              area=area, start=start, end=end)
    rel, starts = adverts.released.frame, adverts.starts
    sums = adverts.frame.groupby("period_start")["count"].sum()
    weeks = _weeks_by_period(con, period, start, end)
    advertisers = released_series(con, policy, "advertisers", period=period, area=area,
                                  start=start, end=end)
    adv = advertisers.released.frame
    adv_sums = advertisers.frame.groupby("period_start")["count"].sum()
    whole = _whole_periods(starts, period, weeks)
    trend = pd.DataFrame({"period_start": starts,
                          "label": [period_words(s, period) for s in starts],
                          "count": [int(sums.get(s, 0)) for s in starts],
                          "advertisers_per_week": [per_week(adv_sums.get(s, 0), weeks.get(s))
                                                   if w else None
                                                   for s, w in zip(starts, whole)],
                          "part_period": [not w for w in whole]})
    platforms = (rel.assign(platform=rel["category"].map(PLATFORM_WORDS).fillna("Combined"))
                 .groupby("platform", as_index=False)["count"].sum())
    ind = released_series(con, policy, "advert_indicators", period="all", by=("category",),
                          area=area, start=start, end=end).released.frame
    totals = ind.groupby("category")["count"].sum() if len(ind) else pd.Series(dtype=np.int64)
    keys = [*ADVERT_INDICATORS, ANY_INDICATOR]
    indicators = pd.DataFrame({"indicator": [INDICATOR_WORDS[k] for k in keys], "key": keys,
                               "count": [int(totals.get(k, 0)) for k in keys]})
    return OnlinePicture(
        policy=policy, period=period, area=None if area is None else str(area), trend=trend,
        platforms=platforms, indicators=indicators,
        by_area=_by_area(con, policy, area_type, start, end, sum(weeks.values())),
        adverts=int(rel["count"].sum()), with_indicator=int(totals.get(ANY_INDICATOR, 0)),
        advertisers_per_week=per_week(int(adv["count"].sum()), sum(weeks.values())),
        longer=adverts.longer)


def per_week(advertiser_weeks: int, weeks: int | None) -> float | None:
    """Advertisers seen per week on average: released advertiser-weeks over loaded weeks.

    None when nothing is released (too few to show, or none) or no week is loaded.

    Examples
    --------
    >>> per_week(130, 13), per_week(0, 13), per_week(20, 0)
    (10.0, None, None)
    """
    if not advertiser_weeks or not weeks:
        return None
    return round(float(advertiser_weeks) / weeks, 1)


def period_words(start, period: str) -> str:
    """A period in words for a chart axis.

    Examples
    --------
    >>> import datetime as dt
    >>> [period_words(dt.date(2026, 4, 1), p) for p in ("week", "month", "quarter", "year")]
    ['1 Apr 2026', 'Apr 2026', 'Q2 2026', '2026']
    """
    if period == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if period == "month":
        return f"{start:%b %Y}"
    if period == "year":
        return str(start.year)
    if period == "all":
        return "all weeks"
    return f"{start.day} {start:%b %Y}"


def _whole_periods(starts, period: str, weeks: dict) -> list:
    """Per period start, True when every Monday of the period is a loaded week in range."""
    if period in ("week", "all"):
        return [True] * len(starts)
    step = {"month": 1, "quarter": 3, "year": 12}[period]
    out = []
    for first in starts:
        last = (pd.Timestamp(first) + pd.DateOffset(months=step) - pd.Timedelta(days=1))
        mondays = len(pd.date_range(pd.Timestamp(first), last, freq="W-MON"))
        out.append(weeks.get(first, 0) >= mondays)
    return out


def _weeks_by_period(con, period: str, start, end) -> dict:
    """Loaded weeks (a count of weeks, not of people) per period start, within the range."""
    from profiles.analyses.periods import loaded_period_starts
    from profiles.release import release_periods

    out: dict = {}
    firsts = loaded_period_starts(con, period, start=start, end=end)
    for week in release_periods(con):
        if (start is not None and week < start) or (end is not None and week > end):
            continue
        holder = max((p for p in firsts if p <= week), default=None)
        if holder is not None:
            out[holder] = out.get(holder, 0) + 1
    return out


def _by_area(con, policy, area_type: str, start, end, weeks: int) -> pd.DataFrame:
    """Released adverts, advertisers per week and adverts with an indicator per loaded area
    of ``area_type``."""
    def released(feed: str, area: str, by=()):
        return released_series(con, policy, feed, period="all", by=by, area=area, start=start,
                               end=end).released

    areas = release_areas(con)
    rows = []
    for name in areas.loc[areas["area_type"] == area_type, "name"]:
        adverts = released("online_adverts", name).total
        seen = released("advertisers", name).total
        flagged = released("advert_indicators", name, ("category",)).frame
        with_ind = int(flagged.loc[flagged["category"] == ANY_INDICATOR, "count"].sum())
        rows.append({"area": name, "adverts": adverts,
                     "advertisers_per_week": per_week(seen, weeks),
                     "with_indicator": with_ind, "share": share_of(with_ind, adverts)})
    return pd.DataFrame(rows, columns=["area", "adverts", "advertisers_per_week",
                                       "with_indicator", "share"])


__all__ = ["ANY_INDICATOR", "CAUTION", "INDICATOR_WORDS", "OnlinePicture", "PLATFORM_WORDS",
           "online_picture", "per_week", "period_words", "share_of"]
