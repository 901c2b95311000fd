"""Audience policies (disclosure control settings) loaded from a TOML file and validated.

The shipped defaults are ``profiles/release/audiences.toml``; ``$LANTERN_AUDIENCES`` points at a
replacement. The whole file is validated when it is first read: an unknown setting, a bad value
or a missing audience refuses to start, with a :class:`PolicyError` naming the file, the
audience, the setting and the fix.

A policy says *who sees what, at which grain, with which disclosure control*:

``threshold``
    Smallest number of people or premises behind a shown figure (distinct keyed subjects, plus
    events without a key, each taken as a different person). ``5`` suppresses 1-4.
``resolution_floor``
    Finest H3 resolution shown (the store holds resolution 9).
``rounding_base``
    Shown figures are rounded to this base (1 = no rounding).
``feeds`` / ``breakdowns``
    What the audience may see. The order of ``breakdowns`` is their importance: the roll-up
    combines the last one first.
``rollup``
    The adaptive roll-up ladder, as moves from the base grain (floor cell x ISO week x every
    allowed breakdown): ``"space"`` (to the H3 parent), ``"time"`` (week -> month -> quarter ->
    year) and ``"breakdown"`` (combine the last remaining breakdown). Defaults to
    :func:`default_rollup`.
``rollup_by_feed``
    Optional per-feed ladders (a table of feed = [moves]) that replace ``rollup`` for
    those feeds.
``marking``, ``label``, ``note``
    Protective marking carried by every screen and export; plain-words name; a note.
``perturbation``
    ``"cell-key"`` (default): every released unit is moved once by its cell key
    (:mod:`profiles.release.perturb`); ``"none"``: exact figures (weaker: see
    :data:`PERTURBATIONS`).

Examples
--------
>>> p = load_policies()["partnership"]
>>> (p.threshold, p.resolution_floor, p.rounding_base)
(5, 8, 1)
>>> p.rollup[:4]
('time', 'breakdown', 'time', 'space')
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from data_contracts.feeds import CONTRACTS, DERIVED_FEEDS, FEEDS, feed_entry
from data_contracts.words import agrees, plural

DEFAULT_PATH = Path(__file__).with_name("audiences.toml")
AUDIENCES = ("partnership", "command", "analyst")
BREAKDOWNS = ("category", "detail", "band", "dow")
RELEASABLE_FEEDS = tuple(f for f in FEEDS if CONTRACTS[f].kind != "boundary") + DERIVED_FEEDS
#: Roll-up moves, from the finest grain towards coarser ones.
MOVES = ("space", "time", "breakdown")
#: Period grains a roll-up passes through, finest first (weeks nest in the month, quarter and
#: year their Monday falls in).
GRAINS = ("week", "month", "quarter", "year")
SETTINGS = ("label", "threshold", "resolution_floor", "rounding_base", "feeds", "breakdowns",
            "rollup", "rollup_by_feed", "marking", "note", "perturbation")
#: How released units are moved: ``cell-key`` (the default, :mod:`profiles.release.perturb`)
#: or ``none`` (exact figures: hidden groups can then be bounded by subtraction, so only for
#: a policy owner who accepts that, and the statement says so).
PERTURBATIONS = ("cell-key", "none")
_REQUIRED = ("threshold", "resolution_floor", "rounding_base", "feeds", "marking")


class PolicyError(ValueError):
    """The audience policy file is invalid, or an audience is unknown; Lantern refuses."""


def _entry(feed):
    """Return the catalogue entry of ``feed``, or None for None or a name it does not hold."""
    try:
        return feed_entry(feed)
    except ValueError:
        return None


@dataclass(frozen=True)
class Policy:
    """One audience's disclosure policy (see the module docstring for each setting)."""

    name: str
    label: str
    threshold: int
    resolution_floor: int
    rounding_base: int
    feeds: tuple
    breakdowns: tuple
    marking: str
    note: str = ""
    rollup: tuple = ()
    rollup_by_feed: tuple = ()   # ((feed, moves), ...): ladders that differ from ``rollup``
    perturbation: str = "cell-key"

    def may_see(self, feed: str) -> bool:
        """Return True when this audience may see ``feed``."""
        return feed in self.feeds

    def rollup_for(self, feed: str | None) -> tuple:
        """Return the roll-up moves used for ``feed`` (its own ladder, else ``rollup``).

        For a feed with fewer breakdowns than the audience (its catalogue entry's
        ``breakdowns``), the breakdown moves beyond what it has to combine are left out.
        """
        moves = dict(self.rollup_by_feed).get(feed, self.rollup)
        entry = _entry(feed)
        if entry is None or entry.breakdowns is None:
            return moves
        return _at_most(moves, "breakdown",
                        len(self.breakdowns_for(feed)) if entry.combined else 0)

    def floor_for(self, feed: str | None) -> int:
        """Return the finest H3 resolution ``feed`` is released at for this audience.

        Examples
        --------
        >>> p = get_policy("command")
        >>> p.floor_for("on_street"), p.floor_for("online_adverts")
        (9, 7)
        """
        entry = _entry(feed)
        finest = entry.finest_resolution if entry is not None else None
        return min(self.resolution_floor, 15 if finest is None else finest)

    def breakdowns_for(self, feed: str | None) -> tuple:
        """Return the breakdowns ``feed`` is released by for this audience, in its order.

        Examples
        --------
        >>> get_policy("command").breakdowns_for("online_adverts")
        ('category',)
        """
        entry = _entry(feed)
        if entry is None or entry.breakdowns is None:
            return self.breakdowns
        return tuple(b for b in self.breakdowns if b in entry.breakdowns)

    @property
    def small(self) -> int:
        """Counts below this are too small to read anything into: twice the threshold.

        Examples
        --------
        >>> get_policy("partnership").small, get_policy("command").small
        (10, 6)
        """
        return 2 * self.threshold

    @property
    def coarsest_resolution(self) -> int:
        """The coarsest H3 resolution any roll-up ladder reaches before a group is hidden."""
        ladders = [self.rollup, *(m for _, m in self.rollup_by_feed)]
        return self.resolution_floor - max(m.count("space") for m in ladders)

    @property
    def longest_period(self) -> str:
        """The longest period grain any roll-up ladder reaches before a group is hidden."""
        ladders = [self.rollup, *(m for _, m in self.rollup_by_feed)]
        return GRAINS[max(m.count("time") for m in ladders)]


def default_rollup(resolution_floor: int, breakdowns=()) -> tuple:
    """Return the default roll-up moves: combine breakdowns, then time and space.

    Breakdowns are combined first (least important first), so maps without a breakdown keep
    their detail; then week -> month -> quarter at the floor, the parent hexagon, the year,
    and two more parents (never below resolution 0). On the synthetic town this keeps more of
    the map at the floor than alternating time and space, and far more than space first (the
    utility report, ``lantern release --report``, shows the cost of any ladder).

    Examples
    --------
    >>> default_rollup(8, ("category",))
    ('breakdown', 'time', 'time', 'space', 'time', 'space', 'space')
    >>> default_rollup(1)
    ('time', 'time', 'space', 'time')
    """
    return ("breakdown",) * len(breakdowns) + _at_most(
        ("time", "time", "space", "time", "space", "space"), "space", resolution_floor)


def _at_most(moves, kind: str, n: int) -> tuple:
    """Return ``moves`` keeping only the first ``n`` moves of ``kind``.

    >>> _at_most(("time", "space", "time", "space"), "space", 1)
    ('time', 'space', 'time')
    """
    kept = 0
    out = []
    for move in moves:
        if move == kind:
            if kept == n:
                continue
            kept += 1
        out.append(move)
    return tuple(out)


def load_policies(path=None) -> dict[str, Policy]:
    """Return the validated policies, by audience name.

    Parameters
    ----------
    path : str or Path, optional
        Default ``$LANTERN_AUDIENCES``, else the shipped ``profiles/release/audiences.toml``.

    Raises
    ------
    PolicyError
        If the file cannot be read or any policy is invalid (file, audience, setting, fix).
    """
    path = Path(path or os.environ.get("LANTERN_AUDIENCES") or DEFAULT_PATH)
    return _load(str(path.resolve()))


@lru_cache(maxsize=8)
def _load(path: str) -> dict[str, Policy]:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: audience policy file not found. Fix: set "
                          f"LANTERN_AUDIENCES to a valid file, or unset it to use the "
                          f"defaults") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML ({exc}). Fix: correct the syntax at the "
                          f"line shown") from None
    missing = [a for a in AUDIENCES if a not in raw]
    if missing:
        raise PolicyError(f"{path}: audience [{missing[0]}] is not defined. Fix: add a "
                          f"[{missing[0]}] table; every policy file defines "
                          f"{', '.join(AUDIENCES)}")
    return {name: policy_from_dict(body, name=name, path=path) for name, body in raw.items()}


def policy_from_dict(body, *, name: str, path: str = "<policy>") -> Policy:
    """Return the validated :class:`Policy` for one audience's table of settings.

    Raises
    ------
    PolicyError
        Naming ``path``, the audience, the setting, what is wrong and the fix.

    Examples
    --------
    >>> policy_from_dict({"threshold": 3, "resolution_floor": 9, "rounding_base": 1,
    ...                   "feeds": ["on_street"], "marking": "OFFICIAL"}, name="t").rollup
    ('time', 'time', 'space', 'time', 'space', 'space')
    >>> policy_from_dict({"threshold": 1, "resolution_floor": 9, "rounding_base": 1,
    ...                   "feeds": ["on_street"], "marking": "OFFICIAL"},
    ...                  name="t")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    profiles.release.audiences.PolicyError: <policy>: audience [t], setting 'threshold': 1 would ...
    """
    def fail(key, why, fix):
        raise PolicyError(f"{path}: audience [{name}], setting {key!r}: {why}. Fix: {fix}")

    if not isinstance(body, dict):
        fail("(table)", "is not a table of settings", f"write it as [{name}] followed by "
                                                      f"key = value lines")
    for key in body:
        if key not in SETTINGS:
            fail(key, "is not a known setting", f"remove it or use one of "
                                                f"{', '.join(SETTINGS)}")
    for key in _REQUIRED:
        if key not in body:
            fail(key, "is missing", "add it (see profiles/release/audiences.toml for an example)")
    threshold = body["threshold"]
    if not _whole(threshold) or threshold < 2:
        fail("threshold", f"{threshold!r} would show single people or premises"
             if _whole(threshold) else f"{threshold!r} is not a whole number",
             "set a whole number of 2 or more (5 suppresses 1-4)")
    floor = body["resolution_floor"]
    if not _whole(floor) or not 0 <= floor <= 9:
        fail("resolution_floor", f"{floor!r} is not an H3 resolution the store holds",
             "set a whole number 0-9 (9 is the store's base; 8 is about 0.7 km2)")
    base = body["rounding_base"]
    if not _whole(base) or base < 1:
        fail("rounding_base", f"{base!r} is not a rounding base",
             "set a whole number 1 or more (1 = no rounding)")
    if base > threshold:
        fail("rounding_base", f"{base} is larger than the threshold {threshold}, so a "
                              f"rounded figure could hide how close it is to the threshold",
             f"set rounding_base to {threshold} or less")
    feeds = body["feeds"]
    if not isinstance(feeds, list) or not feeds or \
            not all(f in RELEASABLE_FEEDS for f in feeds) or len(set(feeds)) != len(feeds):
        fail("feeds", f"{feeds!r} is not a list of distinct feeds",
             f"list one or more of {', '.join(RELEASABLE_FEEDS)}")
    breakdowns = body.get("breakdowns", [])
    if not isinstance(breakdowns, list) or not all(b in BREAKDOWNS for b in breakdowns) \
            or len(set(breakdowns)) != len(breakdowns):
        fail("breakdowns", f"{breakdowns!r} is not a list of distinct breakdowns",
             f"list some of {', '.join(BREAKDOWNS)} (most important first), or []")
    rollup = body.get("rollup")
    rollup = default_rollup(floor, breakdowns) if rollup is None else rollup
    _check_rollup(rollup, floor, breakdowns, fail)
    by_feed = body.get("rollup_by_feed", {})
    if not isinstance(by_feed, dict):
        fail("rollup_by_feed", f"{by_feed!r} is not a table of feed = [moves]",
             'write e.g. rollup_by_feed = { premises = ["time", "space", "breakdown"] }')
    for feed_name, moves in by_feed.items():
        if feed_name not in feeds:
            fail("rollup_by_feed", f"{feed_name!r} is not one of this audience's feeds",
                 f"use feeds from: {', '.join(feeds)}")
        _check_rollup(moves, floor, breakdowns, fail)
    marking = body["marking"]
    if not isinstance(marking, str) or not marking.strip():
        fail("marking", f"{marking!r} is not a protective marking",
             'set a non-empty marking, e.g. "OFFICIAL-SENSITIVE"')
    for key in ("label", "note"):
        if key in body and not isinstance(body[key], str):
            fail(key, f"{body[key]!r} is not text", "write it in double quotes")
    perturbation = body.get("perturbation", "cell-key")
    if perturbation not in PERTURBATIONS:
        fail("perturbation", f"{perturbation!r} is not a perturbation method",
             f"use one of {', '.join(PERTURBATIONS)}")
    return Policy(name, str(body.get("label", name)), threshold, floor, base, tuple(feeds),
                  tuple(breakdowns), marking.strip(), str(body.get("note", "")),
                  tuple(rollup), tuple((f, tuple(m)) for f, m in sorted(by_feed.items())),
                  perturbation)


def _check_rollup(rollup, floor, breakdowns, fail) -> None:
    if not isinstance(rollup, (list, tuple)) or not all(m in MOVES for m in rollup):
        fail("rollup", f"{rollup!r} is not a list of roll-up moves",
             f"list moves from {', '.join(MOVES)}, e.g. {list(default_rollup(floor))}")
    limits = {"space": (floor, f"resolution {floor} has only {floor} coarser resolutions"),
              "time": (len(GRAINS) - 1, "periods go no further than week -> month -> "
                                        "quarter -> year"),
              "breakdown": (len(breakdowns), f"only {plural(len(breakdowns), 'breakdown')} "
                                             f"{agrees(len(breakdowns), 'is', 'are')} allowed "
                                             f"to combine")}
    for move, (limit, why) in limits.items():
        if rollup.count(move) > limit:
            fail("rollup", f"{rollup.count(move)} {move!r} moves: {why}",
                 f"use at most {plural(limit, repr(move) + ' move')}")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def get_policy(audience: str | Policy) -> Policy:
    """Return the policy of ``audience``; refuse an unknown one, naming the known ones.

    A Policy is returned as it is, so a function may take either.

    Examples
    --------
    >>> get_policy("command").threshold
    3
    >>> get_policy(get_policy("command")).name
    'command'
    >>> get_policy("public")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    profiles.release.audiences.PolicyError: unknown audience 'public'; audiences are: partnership, ...
    """
    if isinstance(audience, Policy):
        return audience
    policies = load_policies()
    try:
        return policies[audience]
    except (KeyError, TypeError):
        raise PolicyError(f"unknown audience {audience!r}; audiences are: "
                          f"{', '.join(policies)}") from None


def disclosure_statement(policy: Policy, feed: str | None = None) -> str:
    """Return the plain-words statement of the disclosure control applied for ``policy``.

    With a ``feed`` whose places are approximate (online adverts), the statement says how
    coarse its places are and that its thresholds count advertisers.

    Examples
    --------
    >>> print(disclosure_statement(get_policy("partnership")))  # doctest: +ELLIPSIS
    OFFICIAL-SENSITIVE. Figures are for the partnership meeting audience. A figure is shown...
    """
    parts = [f"{policy.marking}. Figures are for the {policy.label.lower()} audience."]
    parts.append(f"A figure is shown only where at least {policy.threshold} people or premises "
                 f"lie behind it (ten sightings of one person count as one).")
    parts.append(f"Trends are counted for the whole force by week and month, and for each area "
                 f"by month; maps show hexagons no smaller than H3 resolution "
                 f"{policy.resolution_floor} by quarter (by month, hexagons one size larger). "
                 f"Where too few lie behind a hexagon, it is added to a larger one "
                 f"(down to resolution {policy.coarsest_resolution}) or its categories are "
                 f"combined; groups still too small are not shown at all, and where one hidden "
                 f"category could be worked out from its total a second one is hidden too.")
    entry = _entry(feed)
    if entry is not None and entry.finest_resolution is not None:
        floor = policy.floor_for(feed)
        parts.append(f"Online adverts are placed no finer than H3 resolution {floor} (about "
                     f"5 km²) and counted by week only; their figures are shown only where at "
                     f"least {policy.threshold} advertisers lie behind them.")
    if policy.perturbation == "none":
        parts.append("Figures are exact counts; totals are the sums of the figures shown.")
    else:
        parts.append("Each figure is moved a little, once, the same way every time it is shown, "
                     "so that no hidden figure can be worked out by subtracting or averaging "
                     "others: by at most 2 for a week of the whole force or a hexagon by quarter, "
                     "and at most 3 for an area or a hexagon by month (most are exact or 1 "
                     "out). Totals are the sums of the figures shown, so a month or a quarter "
                     "of the whole force, which adds up its weeks or months, may be a few more "
                     "out.")
    parts.append(f"For the whole force, a month is the sum of its weeks and a quarter the sum "
                 f"of its months; periods too small to show are counted together, or, when "
                 f"still too few, as an estimate of {policy.threshold // 2}.")
    if policy.rounding_base > 1:
        parts.append(f"Each figure is rounded to the nearest {policy.rounding_base} before "
                     f"totals are added up.")
    parts.append("Nothing here identifies a person or a premises.")
    return " ".join(parts)


class ReleasedForAudience:
    """Mixin for results released for an audience (a ``policy`` attribute): ``statement``."""

    @property
    def statement(self) -> str:
        """The plain-words disclosure statement of the audience these figures are for."""
        return disclosure_statement(self.policy, getattr(self, "feed", None))
