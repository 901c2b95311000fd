"""Checking a release request: may this audience see this feed, period, breakdown and place?

Examples
--------
>>> from profiles.release.audiences import get_policy
>>> check_request(get_policy("partnership"), "on_street", "month", ("category",), None)
>>> check_request(get_policy("partnership"), "on_street", "day", (), None)
Traceback (most recent call last):
...
profiles.release.areas.ReleaseError: period= must be one of week, month, quarter, year, all, not 'day'
"""
from __future__ import annotations

from data_contracts.feeds import EVENT_FEEDS
from data_contracts.periods import PERIODS
from profiles.release.areas import ReleaseError
from profiles.release.audiences import BREAKDOWNS, Policy

#: Kinds of layer a request may ask for (None lets the release choose).
PLACES = ("area", "hexagon")


def check_request(policy: Policy, feed: str, period: str, by: tuple, place) -> None:
    """Refuse a request the audience may not make, naming what is allowed.

    Raises
    ------
    ReleaseError
        For a feed, period, breakdown or place the audience may not see or that is unknown.
    """
    if not policy.may_see(feed):
        raise ReleaseError(f"audience {policy.name!r} may not see feed {feed!r}; it may see: "
                           f"{', '.join(policy.feeds)}",
                           words=f"The {policy.label.lower()} audience may not see these "
                                 f"figures. Choose another audience if your role allows it.")
    if feed not in EVENT_FEEDS:
        raise ReleaseError(f"feed {feed!r} is reference data, not counted events; "
                           f"release_counts takes one of {', '.join(EVENT_FEEDS)}")
    if period not in PERIODS:
        raise ReleaseError(f"period= must be one of {', '.join(PERIODS)}, not {period!r}")
    if place is not None and place not in PLACES:
        raise ReleaseError(f"place= must be one of {', '.join(PLACES)} or None, not {place!r}")
    for b in by:
        if b not in BREAKDOWNS:
            raise ReleaseError(f"by= takes {', '.join(BREAKDOWNS)}, not {b!r}")
        if b not in policy.breakdowns:
            raise ReleaseError(f"audience {policy.name!r} may not see the {b!r} breakdown; "
                               f"it may see: {', '.join(policy.breakdowns) or 'none'}")
        if b not in policy.breakdowns_for(feed):
            raise ReleaseError(f"feed {feed!r} is counted by week and place only; it may be "
                               f"broken down by: {', '.join(policy.breakdowns_for(feed)) or 'nothing'}")
    if len(set(by)) != len(by):
        raise ReleaseError(f"by= names a breakdown twice: {by!r}")


__all__ = ["EVENT_FEEDS", "PERIODS", "PLACES", "check_request"]
