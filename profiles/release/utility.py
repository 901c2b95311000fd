"""Utility report: how much of the picture each audience policy keeps, so its cost is visible.

For each audience and event feed it gives the share of events released

* ``full_detail`` - at the base grain itself (floor hexagon, week, every breakdown);
* ``floor_resolution`` - in a hexagon at the audience's resolution floor (any period);
* ``coarser_resolution`` - only in a larger hexagon (rolled up in space);
* ``longer_period`` - only over a month, quarter or year (rolled up in time);
* ``breakdown_combined`` - with at least one breakdown combined;
* ``hidden`` - not at all (still under the threshold at the top of the roll-up ladder).

``floor_resolution + coarser_resolution + hidden`` is 100 %.

Who may read it: the report is computed from the *unprotected* base table, so it is a tool for
the policy owner (the data controller or an analyst), not for the audience. To keep it from
leaking small counts even so, it shows only whole percentages (``<1%`` for a share that would
round to 0), never counts, places or periods; and ``lantern release --report`` marks it as
not for circulation.

Examples
--------
>>> from profiles import store
>>> report = utility_report(store.connect(":memory:"), audiences=["partnership"])
>>> report.frame.columns.tolist()[:4]
['audience', 'feed', 'full_detail', 'floor_resolution']
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from profiles.release.audiences import get_policy, load_policies
from profiles.release.ladder import policy_ladder
from profiles.release.cache import _cursor, build_layer
from profiles.release.layers import layer_named, protection_of
from profiles.release.request import EVENT_FEEDS

SHARES = ("full_detail", "floor_resolution", "coarser_resolution", "longer_period",
          "breakdown_combined", "hidden")
HEADER = ("POLICY-OWNER TOOL - not for circulation to the audience. Shares of events by how "
          "each audience's policy shows them, as whole percentages of the loaded events "
          "(no counts).")


@dataclass
class UtilityReport:
    """Shares of events per audience and feed (whole percentages, as strings like ``37%``).

    Attributes
    ----------
    frame : pandas.DataFrame
        ``audience``, ``feed``, then one column per share in :data:`SHARES`.
    ladders : dict
        Audience -> the roll-up ladder in words (finest rung first).
    """

    frame: pd.DataFrame
    ladders: dict

    def as_text(self) -> str:
        """Return the report as plain text (for ``lantern release --report``)."""
        lines = [HEADER, ""]
        for audience, rungs in self.ladders.items():
            lines.append(f"{audience}: roll-up ladder " + " -> ".join(rungs))
        lines.append("")
        if self.frame.empty:
            lines.append("No event feeds are loaded.")
            return "\n".join(lines)
        widths = {c: max(len(c), *(len(str(v)) for v in self.frame[c])) for c in self.frame}
        lines.append("  ".join(c.ljust(widths[c]) for c in self.frame))
        for row in self.frame.itertuples(index=False):
            lines.append("  ".join(str(v).ljust(widths[c]) for c, v in zip(self.frame, row)))
        return "\n".join(lines)


def percent(share: float) -> str:
    """Return a share (0-1) as a whole percentage; ``<1%`` when it would round to 0.

    Examples
    --------
    >>> percent(0.374), percent(0.001), percent(0.0), percent(0.999)
    ('37%', '<1%', '0%', '>99%')
    """
    if share <= 0:
        return "0%"
    if share >= 1:
        return "100%"
    value = int(np.floor(share * 100 + 0.5))
    if value == 0:
        return "<1%"
    if value == 100:
        return ">99%"
    return f"{value}%"


def utility_report(con, *, audiences=None, feeds=None) -> UtilityReport:
    """Return how much of each event feed each audience's policy shows, and how.

    Parameters
    ----------
    con : duckdb connection to the store
    audiences : list of str, optional
        Default every audience in the policy file.
    feeds : list of str, optional
        Default every event feed each audience may see.

    Returns
    -------
    UtilityReport
    """
    names = list(audiences) if audiences is not None else list(load_policies())
    rows, ladders = [], {}
    for name in names:
        policy = get_policy(name)
        ladders[name] = [r.label for r in policy_ladder(policy)]
        for feed, _ in policy.rollup_by_feed:
            ladders[f"{name} ({feed})"] = [r.label for r in policy_ladder(policy, feed)]
        for feed in feeds or EVENT_FEEDS:
            if not policy.may_see(feed):
                continue
            protection = protection_of(policy, feed)
            prot = build_layer(_cursor(con), protection, feed,
                               layer_named(protection, "hex-quarter"), atoms=True)
            shares = _shares(prot, policy.floor_for(feed))
            if shares is not None:
                rows.append({"audience": name, "feed": feed,
                             **{k: percent(v) for k, v in shares.items()}})
    frame = pd.DataFrame(rows, columns=["audience", "feed", *SHARES])
    return UtilityReport(frame, ladders)


def _shares(prot, floor: int) -> dict | None:
    """Event shares of one protected table, or None when it has no events."""
    n = prot.atom_n.astype(np.float64)
    total = n.sum()
    if total <= 0:
        return None
    unit = prot.atom_unit
    shown = unit >= 0
    rungs = prot.units["rung"].to_numpy(np.int64)
    rung = np.full(len(unit), -1, dtype=np.int64)
    rung[shown] = rungs[unit[shown]]
    ladder = prot.ladder
    res = np.array([r.resolution for r in ladder])
    longer = np.array([r.grain != "week" for r in ladder])
    combined = np.array([len(r.kept) < len(ladder[0].kept) for r in ladder])

    def share(mask) -> float:
        return float(n[mask].sum() / total)

    return {"full_detail": share(rung == 0),
            "floor_resolution": share(shown & (res[rung] == floor)),
            "coarser_resolution": share(shown & (res[rung] < floor)),
            "longer_period": share(shown & longer[rung]),
            "breakdown_combined": share(shown & combined[rung]),
            "hidden": share(~shown)}


__all__ = ["SHARES", "UtilityReport", "percent", "utility_report"]
