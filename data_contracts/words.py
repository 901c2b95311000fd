"""Counts in words: "1 hexagon", "3 hexagons" (never "hexagon(s)").

Examples
--------
>>> plural(1, "hexagon"), plural(1200, "hexagon"), plural(2, "day"), plural(3, "is", "are")
('1 hexagon', '1,200 hexagons', '2 days', '3 are')
>>> agrees(1, "shows", "show"), agrees(0, "shows", "show")
('shows', 'show')
"""
from __future__ import annotations

from data_contracts.feeds import Unit


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` with ``one`` or ``many`` (default ``one`` + "s") as it needs."""
    return Unit(one, many or f"{one}s").of(int(n))


def agrees(n: int, one: str, many: str) -> str:
    """The word (a verb, say) that agrees with ``n``: ``one`` for 1, else ``many``."""
    return one if int(n) == 1 else many


__all__ = ["agrees", "plural"]
