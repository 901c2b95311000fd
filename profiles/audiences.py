"""Audience policies (disclosure control settings) loaded from a TOML file and validated.

The shipped defaults are ``profiles/audiences.toml``; ``$LANTERN_AUDIENCES`` points at a
replacement. An invalid file refuses to start with a message naming the audience, the key and
the fix.

Examples
--------
>>> p = load_policies()["partnership"]
>>> (p.threshold, p.resolution_floor, p.rounding_base)
(5, 8, 5)
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from data_contracts.feeds import FEEDS

DEFAULT_PATH = Path(__file__).with_name("audiences.toml")
AUDIENCES = ("partnership", "command", "analyst")
BREAKDOWNS = ("category", "detail", "band", "dow")
RELEASABLE_FEEDS = tuple(f for f in FEEDS if f != "areas") + ("harm_context",)


class PolicyError(ValueError):
    """The audience policy file is invalid; Lantern refuses to start."""


@dataclass(frozen=True)
class Policy:
    """One audience's disclosure policy."""

    name: str
    label: str
    threshold: int
    resolution_floor: int
    rounding_base: int
    feeds: tuple
    breakdowns: tuple
    marking: str
    note: str = ""

    def may_see(self, feed: str) -> bool:
        """Return True when this audience may see ``feed``."""
        return feed in self.feeds


def load_policies(path=None) -> dict[str, Policy]:
    """Return the validated policies, by audience name.

    Raises
    ------
    PolicyError
        If the file cannot be read or any policy is invalid.
    """
    path = Path(path or os.environ.get("LANTERN_AUDIENCES") or DEFAULT_PATH)
    return _load(str(path.resolve()))


@lru_cache(maxsize=8)
def _load(path: str) -> dict[str, Policy]:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: audience policy file not found; set LANTERN_AUDIENCES "
                          f"to a valid file or unset it to use the defaults") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML ({exc})") from None
    missing = [a for a in AUDIENCES if a not in raw]
    if missing:
        raise PolicyError(f"{path}: audience {missing[0]!r} is not defined; every policy file "
                          f"defines {', '.join(AUDIENCES)}")
    return {name: _policy(path, name, body) for name, body in raw.items()}


def _policy(path: str, name: str, body) -> Policy:
    def fail(key, why):
        raise PolicyError(f"{path}: audience [{name}] {key}: {why}")

    if not isinstance(body, dict):
        fail("(table)", "must be a table of settings")
    known = {"label", "threshold", "resolution_floor", "rounding_base", "feeds", "breakdowns",
             "marking", "note"}
    for key in body:
        if key not in known:
            fail(key, f"unknown setting; settings are {', '.join(sorted(known))}")
    for key in ("threshold", "resolution_floor", "rounding_base", "feeds", "marking"):
        if key not in body:
            fail(key, "is required")
    threshold = body["threshold"]
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        fail("threshold", f"must be a whole number >= 1, not {threshold!r}")
    floor = body["resolution_floor"]
    if not isinstance(floor, int) or isinstance(floor, bool) or not 0 <= floor <= 9:
        fail("resolution_floor", f"must be a whole number 0-9 (the store's base is 9), "
                                 f"not {floor!r}")
    base = body["rounding_base"]
    if not isinstance(base, int) or isinstance(base, bool) or base < 1:
        fail("rounding_base", f"must be a whole number >= 1 (1 = no rounding), not {base!r}")
    if base > 1 and base > threshold:
        fail("rounding_base", f"{base} is larger than the threshold {threshold}; a rounded "
                              f"value could then hide the threshold")
    feeds = body["feeds"]
    if not isinstance(feeds, list) or not all(f in RELEASABLE_FEEDS for f in feeds):
        fail("feeds", f"must list feeds from: {', '.join(RELEASABLE_FEEDS)}")
    breakdowns = body.get("breakdowns", [])
    if not isinstance(breakdowns, list) or not all(b in BREAKDOWNS for b in breakdowns):
        fail("breakdowns", f"must list breakdowns from: {', '.join(BREAKDOWNS)}")
    marking = body["marking"]
    if not isinstance(marking, str) or not marking.strip():
        fail("marking", "must be a non-empty protective marking, e.g. OFFICIAL-SENSITIVE")
    return Policy(name, str(body.get("label", name)), threshold, floor, base, tuple(feeds),
                  tuple(breakdowns), marking.strip(), str(body.get("note", "")))


def get_policy(audience: str) -> Policy:
    """Return the policy of ``audience``; refuse an unknown one, naming the known ones."""
    policies = load_policies()
    try:
        return policies[audience]
    except KeyError:
        raise PolicyError(f"unknown audience {audience!r}; audiences are: "
                          f"{', '.join(policies)}") from None
