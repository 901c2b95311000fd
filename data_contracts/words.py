"""Counts in words: "1 hexagon", "3 hexagons" (never "hexagon(s)").

Examples
--------
>>> plural(1, "hexagon"), plural(1200, "hexagon"), plural(2, "day"), plural(3, "is", "are")
('1 hexagon', '1,200 hexagons', '2 days', '3 are')
>>> agrees(1, "shows", "show"), agrees(0, "shows", "show")
('shows', 'show')
"""
from __future__ import annotations

import numbers

from data_contracts.feeds import Unit


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` with ``one`` or ``many`` (default ``one`` + "s") as it needs."""
    return Unit(one, many or f"{one}s").of(int(n))


def agrees(n: int, one: str, many: str) -> str:
    """The word (a verb, say) that agrees with ``n``: ``one`` for 1, else ``many``."""
    return one if int(n) == 1 else many


def class_ranges(breaks: list) -> list[str]:
    """The range of each class whose lower bounds are ``breaks`` (a class holds its bound and
    what lies below the next): whole counts as ``5``, ``6–15``, ``96+``, never two classes
    naming one count; other values as ``0.5–1.2`` (up to the next bound).

    >>> class_ranges([5, 6, 16, 96]), class_ranges([0.5, 1.2])
    (['5', '6–15', '16–95', '96+'], ['0.5–1.2', '1.2+'])
    """
    whole = all(isinstance(b, numbers.Integral) for b in breaks)
    out = []
    for b, after in zip(breaks, [*breaks[1:], None]):
        if after is None:
            out.append(f"{b:,}+")
        elif whole:
            out.append(f"{b:,}" if after - 1 == b else f"{b:,}–{after - 1:,}")
        else:
            out.append(f"{b:,}–{after:,}")
    return out


__all__ = ["agrees", "class_ranges", "plural"]
