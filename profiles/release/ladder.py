"""Roll-up ladders: the rungs a disclosure roll-up climbs, from an audience's policy.

A ladder starts at the base grain (the audience's finest hexagon, the week, every breakdown it
may see) and takes one move per rung: ``space`` (the H3 parent), ``time`` (the month, quarter
or year) or ``breakdown`` (the least important breakdown combined). See
:mod:`profiles.release.disclosure` for how residue climbs it.
"""
from __future__ import annotations

from dataclasses import dataclass

from profiles.release.audiences import GRAINS, Policy


@dataclass(frozen=True)
class Rung:
    """One rung of a roll-up ladder: the grain at which residue atoms are pooled."""

    resolution: int
    grain: str
    kept: tuple

    @property
    def label(self) -> str:
        """Plain words, e.g. ``'H3 res 8, month, by category'``."""
        text = f"H3 res {self.resolution}, {self.grain}"
        return text + (f", by {', '.join(self.kept)}" if self.kept else "")


def make_ladder(resolution_floor: int, breakdowns, moves) -> tuple:
    """Return the rungs from the base grain through each roll-up move.

    Examples
    --------
    >>> [r.label for r in make_ladder(8, ("category",), ("breakdown", "time", "space"))]
    ['H3 res 8, week, by category', 'H3 res 8, week', 'H3 res 8, month', 'H3 res 7, month']
    """
    rungs = [Rung(int(resolution_floor), "week", tuple(breakdowns))]
    for move in moves:
        last = rungs[-1]
        if move == "space":
            rungs.append(Rung(last.resolution - 1, last.grain, last.kept))
        elif move == "time":
            rungs.append(Rung(last.resolution, GRAINS[GRAINS.index(last.grain) + 1], last.kept))
        elif move == "breakdown":
            rungs.append(Rung(last.resolution, last.grain, last.kept[:-1]))
        else:
            raise ValueError(f"roll-up move {move!r} is not one of space, time, breakdown")
    return tuple(rungs)


def policy_ladder(policy: Policy, feed: str | None = None) -> tuple:
    """Return the roll-up ladder of an audience's policy (for ``feed``, if it has its own)."""
    return make_ladder(policy.floor_for(feed), policy.breakdowns_for(feed),
                       policy.rollup_for(feed))


__all__ = ["Rung", "make_ladder", "policy_ladder"]
