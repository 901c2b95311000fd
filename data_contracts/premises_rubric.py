"""Off-street premises: the category rubric and the response each category calls for.

The rubric (applied at ingest when a category is not supplied, and used to check one that is):

* **risk** — any exploitation, coercion, under-18 or trafficking indicator, or violence;
* **nuisance** — none of those, but community impact (or drugs, which counts as community
  impact);
* **non-nuisance** — none of the above.

A supplied category that disagrees with the rubric is *flagged* in the ingest report, and the
more serious of the two is stored, so a premises is never under-categorised by a typing slip.
The trend of released counts by category is an analysis: :mod:`profiles.analyses.premises`.

Examples
--------
>>> categorise({"exploitation": True})
'risk'
>>> categorise({"community_impact": True})
'nuisance'
>>> categorise({})
'non-nuisance'
"""
from __future__ import annotations

import numpy as np

CATEGORIES = ("non-nuisance", "nuisance", "risk")
RISK_INDICATORS = ("exploitation", "coercion", "under_18", "trafficking", "violence")
NUISANCE_INDICATORS = ("community_impact", "drugs")

#: What each category calls for, in the seeds' terms (welfare first; enforcement last).
RESPONSES: dict[str, str] = {
    "non-nuisance": ("Welfare and safety: no police action on the premises itself. Share "
                     "outreach and National Ugly Mugs information; build trust so workers "
                     "report crimes against them."),
    "nuisance": ("Problem-solve with partners: address the community impact (noise, litter, "
                 "anti-social behaviour) through the neighbourhood team and council, with "
                 "outreach offered; enforcement only as a last resort."),
    "risk": ("Safeguard and investigate: exploitation, coercion, trafficking or under-18 "
             "indicators call for a safeguarding response with specialist support, and "
             "investigation targeting exploiters, not sex workers."),
}


def categorise(indicators: dict) -> str:
    """Return the rubric category for one assessment's indicators (missing = False)."""
    if any(bool(indicators.get(k)) for k in RISK_INDICATORS):
        return "risk"
    if any(bool(indicators.get(k)) for k in NUISANCE_INDICATORS):
        return "nuisance"
    return "non-nuisance"


def categorise_frame(frame) -> np.ndarray:
    """Return the rubric category for every row of a frame of boolean indicator columns."""
    n = len(frame)

    def any_of(names):
        acc = np.zeros(n, dtype=bool)
        for name in names:
            if name in frame:
                acc |= frame[name].to_numpy(dtype=bool)
        return acc

    return np.where(any_of(RISK_INDICATORS), "risk",
                    np.where(any_of(NUISANCE_INDICATORS), "nuisance", "non-nuisance"))


def more_serious(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return, element-wise, the more serious of two category arrays."""
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    ra = np.array([rank[x] for x in a], dtype=int)
    rb = np.array([rank[x] for x in b], dtype=int)
    return np.array(CATEGORIES, dtype=object)[np.maximum(ra, rb)]
