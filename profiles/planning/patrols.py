"""Sensitive patrol planning: where and when visible safety patrols could help, and where not.

:func:`plan_patrols` ranks candidate hexagons × (day of week × time band) for *visible safety
patrols* — to build trust with sex workers and communities, not to enforce — from **released**
harm reports, community concerns and on-street activity, with weights the commander sets and
sees. The brief is police-internal: it needs the day-of-week and time-band breakdowns, which
only the ``command`` and ``analyst`` audiences may see.

Model
-----
* For each feed, the released count of a (hexagon, day, band) is divided by the largest such
  count in the plan, giving a component in 0..1. Community concerns (and the odd harm report)
  carry a date but no time of day: their released count is spread evenly over the four bands.
* ``score = sum(weight[f] * component[f]) / sum(weight)``, so scores lie in 0..1.
  Default weights (:data:`DEFAULT_WEIGHTS`): harm reports 0.5, on-street activity 0.3,
  community concerns 0.2 — safety first, then presence, then concern.
* **Exclusion zones** — never proposed: hexagons whose centre lies within ``exclusion_km`` of
  an outreach site's hexagon centre during any time band that overlaps its opening hours
  (bands: night 00–06, morning 06–12, afternoon 12–18, evening 18–24; a site that closes
  before it opens is open past midnight into the next day), and within ``exclusion_km`` of a
  *confidential* site at all times. Confidential sites are never drawn, located or listed.
  Around a confidential site Lantern withholds a **coarse zone** that does not centre on it:
  the site's resolution-8 parent hexagon (about 0.7 km2) with enough rings of its neighbours
  to hold every hexagon within ``exclusion_km`` of anywhere in that parent
  (:func:`confidential_zone`). Any two sites in the same parent withhold the same zone, so no
  number of plans, at any distance or length, narrows the site down further than that
  parent; the plan says only that some candidates were withheld, never how many or which.
* **Displacement risk** of each proposal: *high* when its hexagon's on-street activity is in
  the top quarter of the plan's hexagons **and** fewer than :data:`FEW_ALTERNATIVES` safer
  hexagons (lit, not isolated, within outreach reach) lie within :data:`ALTERNATIVES_KM`;
  *medium* when one of the two holds; *low* otherwise. The reason says which.

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> plan = plan_patrols(con, "command")
>>> plan.proposals.empty, plan.weights == DEFAULT_WEIGHTS
(True, True)
>>> try:
...     plan_patrols(con, "partnership")
... except PatrolError as err:
...     print(str(err)[:60])
the patrol brief is police-internal: audience 'partnership' 
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import h3
import numpy as np
import pandas as pd

from data_contracts.feeds import feed_entry
from profiles.release import PlainWordsError
from profiles.release import Policy, ReleasedForAudience, get_policy
from profiles.planning.inputs import (_SLOT, BANDS, DAYS, distance_km,
                                      environment_flags, open_slots, opening_words,
                                      outreach_points, outreach_reach, released_activity,
                                      released_slots)
from profiles.release import (is_synthetic, release_area_cells, release_areas,
                              sites_for_exclusions)

ANY_DAY = "any day"
#: Feeds that score a candidate, with their default weights.
DEFAULT_WEIGHTS = {"harm_reports": 0.5, "on_street": 0.3, "community_concerns": 0.2}
FEED_WORDS = {feed: feed_entry(feed).label.lower() for feed in DEFAULT_WEIGHTS}
#: Safer alternatives are counted within this distance of a proposed hexagon.
ALTERNATIVES_KM = 1.0
#: Fewer safer alternatives than this counts as "few".
FEW_ALTERNATIVES = 3
CONFIDENTIAL_REASON = "near a confidential support site"

PURPOSE = (
    "Visible patrols for the safety of sex workers and to build trust with sex workers and "
    "communities — not enforcement. Consult local outreach projects before any patrol runs, "
    "and share the notice below through them so sex workers know the purpose. Patrols must not "
    "deter anyone from outreach: officers keep away from people engaging with outreach, from "
    "drop-ins and from support premises while they are open, and from confidential support "
    "sites at all times. Avoid displacing on-street sex work into less safe places.")


class PatrolError(PlainWordsError):
    """A patrol plan was asked for an audience, weight or setting that is not allowed."""


@dataclass
class PatrolPlan(ReleasedForAudience):
    """A ranked patrol plan with its exclusions, weights, purpose and shareable notice.

    Attributes
    ----------
    proposals : DataFrame
        ``rank, h3_id, dow, day, band, score, components`` (``dow`` -1, ``day`` "any day"
        when the released figures give the same score on all seven days), (dict feed -> the feed's
        released count as a share 0..1 of its largest), ``displacement_risk``
        (high/medium/low) and ``reason``.
    excluded : DataFrame
        ``h3_id, day, band, reason`` for candidates removed by an exclusion zone. Candidates
        near confidential sites appear as one row with ``h3_id`` "withheld".
    weights : dict
        The weights used (defaults filled in), echoed so the commander sees them.
    zones : DataFrame
        ``h3_id, site_type, open`` — public outreach sites' exclusion hexagons (for maps).
    """

    proposals: pd.DataFrame
    excluded: pd.DataFrame
    weights: dict
    purpose: str
    notice: str
    policy: Policy
    exclusion_km: float
    zones: pd.DataFrame
    study_cells: list = field(default_factory=list)
    area: str | None = None
    start: object = None
    end: object = None
    synthetic: bool = False
    notes: list = field(default_factory=list)

    @property
    def marking(self) -> str:
        """The protective marking of the plan's audience."""
        return self.policy.marking


# --------------------------------------------------------------------------------------------
# Reference reads (outreach sites, environment, outreach reach) — audience-checked
# --------------------------------------------------------------------------------------------

def _sites(con, policy: Policy) -> pd.DataFrame:
    """Every outreach site, confidential ones included, for exclusion zones only.

    Read through :func:`profiles.release.sites_for_exclusions` (police-internal audiences,
    checked there); confidential rows never leave this module: exclusions they cause are
    reported only as a count. Public callers use :func:`profiles.release.release_sites`.
    """
    frame = sites_for_exclusions(con, policy)
    frame["open"] = [opening_words(d, o, c) for d, o, c in
                     zip(frame["days"], frame["opens"], frame["closes"])]
    return frame


# --------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------

def check_weights(weights) -> dict:
    """Return the full weights (defaults filled in), refusing unknown or negative ones.

    Examples
    --------
    >>> check_weights({"harm_reports": 1})["harm_reports"]
    1.0
    """
    full = dict(DEFAULT_WEIGHTS)
    for key, value in dict(weights or {}).items():
        if key not in DEFAULT_WEIGHTS:
            raise PatrolError(f"weights= takes {', '.join(DEFAULT_WEIGHTS)}, not {key!r}")
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise PatrolError(f"weights[{key!r}] must be a number 0 or more, not {value!r}")
        if not np.isfinite(value) or value < 0:
            raise PatrolError(f"weights[{key!r}] must be a number 0 or more, not {value!r}")
        full[key] = value
    if sum(full.values()) <= 0:
        raise PatrolError("weights= are all zero; give at least one feed a positive weight, "
                          f"e.g. {DEFAULT_WEIGHTS}")
    return {k: float(v) for k, v in full.items()}


def plan_patrols(con, audience="command", *, area=None, start=None, end=None, weights=None,
                 exclusion_km: float = 0.5, top: int = 10,
                 notice_period: str = "this month") -> PatrolPlan:
    """Rank hexagon × day × time-band candidates for visible safety patrols.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
        ``command`` (default) or ``analyst``; ``partnership`` is refused (police-internal).
    area : str, optional
        An area name (e.g. a ward); default the whole force.
    start, end : date, optional
        Only weeks whose Monday is in [start, end].
    weights : dict, optional
        Feed -> weight (0 or more) for ``harm_reports``, ``on_street``,
        ``community_concerns``; missing feeds keep :data:`DEFAULT_WEIGHTS`.
    exclusion_km : float
        Exclusion radius around outreach sites (hexagon centre to centre), 0 or more.
    top : int
        How many proposals to keep (1 or more).
    notice_period : str
        The coarse time the shareable notice names, e.g. ``"this month"``.

    Returns
    -------
    PatrolPlan

    Raises
    ------
    PatrolError
        For an audience without day/band breakdowns, bad weights, ``exclusion_km`` or ``top``.
    """
    policy = get_policy(audience)
    if not {"dow", "band"} <= set(policy.breakdowns):
        raise PatrolError(
            f"the patrol brief is police-internal: audience {policy.name!r} may not see "
            f"day-of-week and time-band figures; use audience='command'",
            words="The patrol brief is police-internal and needs day-of-week and time-band "
                  "figures, which this audience may not see.")
    weights = check_weights(weights)
    if not isinstance(exclusion_km, (int, float)) or not 0 <= exclusion_km <= 10:
        raise PatrolError(f"exclusion_km= must be a distance 0–10 km, not {exclusion_km!r}")
    if not isinstance(top, (int, np.integer)) or isinstance(top, bool) or top < 1:
        raise PatrolError(f"top= must be a whole number 1 or more, not {top!r}")
    counts = pd.DataFrame({f: released_slots(con, policy, f, area=area, start=start, end=end)
                           for f in DEFAULT_WEIGHTS}).fillna(0.0)
    if counts.empty:
        counts = pd.DataFrame(columns=list(DEFAULT_WEIGHTS), dtype=float,
                              index=pd.MultiIndex.from_tuples([], names=_SLOT))
    counts.index = counts.index.set_names(_SLOT)
    notes = ["Where the release pooled figures (a coarser hexagon, or no day or time band — "
             "community concerns carry no time of day at all), they are shared out by the "
             "area's released day × band profile; scores are built from released values only."]
    study = (release_area_cells(con, area, policy) if area is not None else
             sorted({c for c, _, _ in counts.index}))
    sites = _sites(con, policy)
    zones = _zones(sites, study, exclusion_km)
    cand = counts.reset_index()
    excluded_rows, keep = _apply_exclusions(cand, sites, exclusion_km)
    cand = cand[keep].reset_index(drop=True)
    scale = counts.max().replace(0, 1.0)
    comp = cand[list(DEFAULT_WEIGHTS)] / scale
    total_w = sum(weights.values())
    cand["score"] = sum(weights[f] * comp[f] for f in DEFAULT_WEIGHTS) / total_w
    cand["components"] = [{f: round(float(v), 4) for f, v in row.items()}
                          for row in comp.to_dict("records")]
    cand = cand[cand["score"] > 0].sort_values(["score", "h3_id", "dow", "band"],
                                                ascending=[False, True, True, True])
    cand = _any_day(cand)
    proposals = cand.head(int(top)).drop(columns=list(DEFAULT_WEIGHTS)).reset_index(drop=True)
    proposals.insert(0, "rank", range(1, len(proposals) + 1))
    proposals.insert(3, "day", [DAYS[d] if d >= 0 else ANY_DAY for d in proposals["dow"]])
    proposals = _risk(con, policy, proposals, counts)
    excluded = pd.DataFrame(excluded_rows, columns=["h3_id", "day", "band", "reason"])
    notice = _notice(con, policy, proposals, notice_period)
    return PatrolPlan(proposals, excluded, weights, PURPOSE, notice, policy, float(exclusion_km),
                      zones, study, None if area is None else str(area), start, end,
                      is_synthetic(con), notes)


def _any_day(cand: pd.DataFrame) -> pd.DataFrame:
    """Merge a hexagon-band whose score is the same on all seven days into one "any day" row
    (``dow`` -1): the released figures say nothing about the day there."""
    if cand.empty:
        return cand
    key = cand["score"].round(9)
    days = cand.groupby([cand["h3_id"], cand["band"], key])["dow"].transform("nunique")
    full = (days == 7).to_numpy()
    merged = cand[full].assign(_k=key[full]).drop_duplicates(["h3_id", "band", "_k"])
    merged = merged.drop(columns="_k").assign(dow=-1)
    return pd.concat([cand[~full], merged]).sort_values(
        ["score", "h3_id", "dow", "band"], ascending=[False, True, True, True])


def _zones(sites, study, km) -> pd.DataFrame:
    public = sites[~sites["confidential"]]
    rows = []
    if len(public) and study:
        near = distance_km(study, public["h3_id"].tolist()) <= km + 1e-9
        for j, site in enumerate(public.itertuples()):
            rows += [(study[i], site.site_type, site.open) for i in np.flatnonzero(near[:, j])]
    return pd.DataFrame(rows, columns=["h3_id", "site_type", "open"])


#: Resolution of the hexagon a confidential site's zone is built around (about 0.7 km2).
ZONE_RESOLUTION = 8


def confidential_zone(site: str, km: float) -> set:
    """The resolution-8 hexagons withheld around a confidential site at ``site``.

    The site's parent at :data:`ZONE_RESOLUTION` and ``k`` rings of its neighbours, with
    ``k`` the fewest rings (at least one) whose outer edge lies more than ``km`` (plus a
    tenth) from every point of the parent: the zone depends on the parent only, never on
    where in it the site is.

    >>> len(confidential_zone("8919441598fffff", 0.5))
    7
    """
    parent = h3.cell_to_parent(site, ZONE_RESOLUTION) \
        if h3.get_resolution(site) > ZONE_RESOLUTION else site
    edge = h3.average_hexagon_edge_length(ZONE_RESOLUTION, "km")
    k = 1
    while (np.sqrt(3) * k - 0.134) * edge < 1.1 * float(km) + 1e-9:
        k += 1
    return set(h3.grid_disk(parent, k))


def _in_zones(cells, zones: set) -> np.ndarray:
    """Per cell, True when it lies in (or, coarser, holds part of) a withheld zone."""
    out = np.zeros(len(cells), dtype=bool)
    if not zones:
        return out
    for i, cell in enumerate(cells):
        r = h3.get_resolution(cell)
        if r >= ZONE_RESOLUTION:
            out[i] = h3.cell_to_parent(cell, ZONE_RESOLUTION) in zones
        else:
            out[i] = any(h3.cell_to_parent(z, r) == cell for z in zones)
    return out


def _apply_exclusions(cand, sites, km):
    keep = np.ones(len(cand), dtype=bool)
    rows = []
    if not len(cand) or not len(sites):
        return rows, keep
    cells = sorted(set(cand["h3_id"]))
    where = {c: i for i, c in enumerate(cells)}
    near = (distance_km(cells, sites["h3_id"].tolist()) <= km + 1e-9)[
        [where[c] for c in cand["h3_id"]]]
    confidential = sites["confidential"].to_numpy(dtype=bool)
    slots = [open_slots(s.days, s.opens, s.closes) for s in sites.itertuples()]
    is_open = np.array([[(d, b) in sl for sl in slots]
                        for d, b in zip(cand["dow"], cand["band"])], dtype=bool)
    zones = set().union(*[confidential_zone(c, km) for c in
                          sites.loc[sites["confidential"].to_numpy(bool), "h3_id"]]) \
        if confidential.any() else set()
    in_zone = _in_zones(cells, zones)[[where[c] for c in cand["h3_id"]]]
    withheld = in_zone | (near & confidential).any(axis=1)
    public = near & is_open & ~confidential
    for i in np.flatnonzero(public.any(axis=1) & ~withheld):
        why = [f"within {km:g} km of a {sites['site_type'].iloc[j].replace('_', '-')} open "
               f"{sites['open'].iloc[j]}" for j in np.flatnonzero(public[i])]
        rows.append((cand["h3_id"].iloc[i], DAYS[int(cand["dow"].iloc[i])],
                     cand["band"].iloc[i], "; ".join(why)))
    keep = ~(withheld | public.any(axis=1))
    if confidential.any():   # said whenever there is one, whether or not it withheld any
        rows.append(("withheld", "all", "all", f"{CONFIDENTIAL_REASON}: candidates in a "
                     f"wide zone around it were not proposed (the zone is not shown)"))
    return rows, keep


def _risk(con, policy, proposals, counts) -> pd.DataFrame:
    if proposals.empty:
        return proposals.assign(displacement_risk=[], reason=[])
    activity = counts["on_street"].groupby(level=0).sum()
    busy = activity[activity > 0]
    high_cut = float(busy.quantile(0.75)) if len(busy) else np.inf
    cells = sorted(set(proposals["h3_id"]))
    ring = sorted({n for c in cells for n in h3.grid_disk(c, _rings(c, ALTERNATIVES_KM))})
    env = environment_flags(con, policy, ring)
    reach = outreach_reach(con, policy, ring)
    safer = reach & ~(env["lighting_fault"] | env["isolated_space"] | env["lorry_park"])
    dist = pd.DataFrame(distance_km(cells, ring), index=cells, columns=ring)
    risks, reasons = [], []
    for cell in proposals["h3_id"]:
        near = dist.loc[cell]
        alts = int(sum(bool(safer[c]) for c in ring if c != cell and near[c] <= ALTERNATIVES_KM))
        act = float(activity.get(cell, 0.0))
        high, few = act >= high_cut and act > 0, alts < FEW_ALTERNATIVES
        risks.append("high" if high and few else "medium" if high or few else "low")
        parts = [f"on-street activity {'in the top quarter of hexagons' if high else 'not high'}"
                 f" (about {act:.0f} from released figures)",
                 f"{alts} safer hexagon{'s' if alts != 1 else ''} (lit, not isolated, within "
                 f"outreach reach) within {ALTERNATIVES_KM:g} km"]
        reasons.append("; ".join(parts))
    return proposals.assign(displacement_risk=risks, reason=reasons)


def _rings(cell: str, km: float) -> int:
    spacing = h3.average_hexagon_edge_length(h3.get_resolution(cell), "km") * np.sqrt(3)
    return int(np.ceil(km / spacing)) + 1


def _notice(con, policy, proposals, period: str) -> str:
    if proposals.empty:
        return "No visible safety patrols are planned."
    areas = release_areas(con)
    wards = areas[areas["area_type"] == "ward"]["name"].tolist()
    where = []
    for name in wards:
        cells = set(release_area_cells(con, name, policy))
        hits = int(proposals["h3_id"].isin(cells).sum())
        if hits:
            where.append((-hits, name))
    names = [n for _, n in sorted(where)][:3]
    place = " and ".join(names) if names else "parts of the area"
    bands = [b for b in BANDS if b in set(proposals["band"])]
    plural = {"night": "nights", "morning": "mornings", "afternoon": "afternoons",
              "evening": "evenings"}
    words = [plural[b] for b in bands]
    when = ("at any time of day" if len(words) == len(BANDS) else "in the " + (
        words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]))
    return (f"Police will carry out visible safety patrols in {place}, {when}, "
            f"{period}. The patrols are for your safety and to build trust — they are not "
            f"there to enforce or move anyone on. Officers will keep away from drop-ins, "
            f"outreach vans and support services while they are open. If you have been hurt "
            f"or threatened, you can report it to the police, through your outreach project, "
            f"or anonymously through National Ugly Mugs.")


def patrol_brief_html(plan: PatrolPlan) -> str:
    """Return the patrol brief as one self-contained HTML page (no external links).

    Marking at top and bottom, purpose, weights, map (embedded image), proposals,
    exclusions and the shareable notice. All text is escaped.
    """
    from profiles.planning.scenarios import hex_map_png

    e = html.escape
    mark = (f"<div class='mark'>{e(plan.marking)} — {e(plan.policy.label)}</div>")
    synth = ("<p class='synth'>SYNTHETIC DEMONSTRATION DATA — a fictional town. No real "
             "person, premises or street is shown.</p>" if plan.synthetic else "")
    weights = "".join(f"<tr><td>{e(FEED_WORDS[k])}</td><td>{v:g}</td></tr>"
                      for k, v in plan.weights.items())
    p = plan.proposals
    rows = "".join(
        f"<tr><td>{r.rank}</td><td>{e(r.h3_id)}</td><td>{e(r.day)}</td><td>{e(r.band)}</td>"
        f"<td>{r.score:.2f}</td><td>{e(_components_words(r.components))}</td>"
        f"<td class='risk-{e(r.displacement_risk)}'>{e(r.displacement_risk)}</td>"
        f"<td>{e(r.reason)}</td></tr>" for r in p.itertuples())
    ex = "".join(f"<tr><td>{e(why)}</td><td>{e(when)}</td><td>{e(where)}</td></tr>"
                 for why, when, where in _excluded_summary(plan.excluded))
    labels = {}
    for r in p.itertuples():
        labels.setdefault(r.h3_id, []).append(str(r.rank))
    risk = dict(zip(p["h3_id"][::-1], p["displacement_risk"][::-1]))
    png = hex_map_png(values={c: 1.0 for c in labels},
                      labels={c: ",".join(v) if len(v) < 4 else f"{v[0]}–{v[-1]}"
                              for c, v in labels.items()},
                      colours={c: RISK_RGB[risk[c]] for c in labels},
                      outline=plan.study_cells, zones=plan.zones["h3_id"].tolist(),
                      focus=list(labels) + plan.zones["h3_id"].tolist(),
                      title="Proposed patrol hexagons (numbers are ranks; colour is "
                            "displacement risk)")
    img = (f"<img alt='Map of proposed patrol hexagons' src='data:image/png;base64,{png}'>"
           if png else "<p>No hexagons to map.</p>")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Patrol brief — {e(plan.marking)}</title><style>
body{{font-family:DejaVu Sans,Arial,sans-serif;margin:1.5em;color:#111}}
.mark{{background:#111;color:#fff;font-weight:700;padding:4px 10px;letter-spacing:.05em}}
.synth{{background:#fff3cd;border:1px solid #c90;padding:6px}}
.purpose,.notice{{border-left:6px solid #2a788e;padding:6px 12px;background:#eef6f8}}
table{{border-collapse:collapse;margin:.5em 0}} td,th{{border:1px solid #999;padding:3px 6px;
font-size:.9em;text-align:left}} .risk-high{{background:#f4c7c3;font-weight:700}}
.risk-medium{{background:#fce8b2}} img{{max-width:100%;border:1px solid #ccc}}
</style></head><body>{mark}{synth}
<h1>Patrol brief: visible safety patrols</h1>
<p>Area: {e(plan.area or 'whole force')}. Weeks: {e(str(plan.start or 'all'))} to
{e(str(plan.end or 'latest'))}. Exclusion radius: {plan.exclusion_km:g} km.</p>
<h2>Purpose</h2><p class="purpose">{e(plan.purpose)}</p>
<h2>Weights (set by the commander)</h2><table><tr><th>feed</th><th>weight</th></tr>{weights}
</table><h2>Map</h2>{img}
<p>Proposals coloured by displacement risk: <b style="color:#d55e00">high</b>,
<b style="color:#e69f00">medium</b>, <b style="color:#009e73">low</b>. Grey hatched hexagons:
exclusion zones around outreach sites (avoid while open). Confidential sites are never
shown.</p>
<h2>Proposals</h2><table><tr><th>rank</th><th>hexagon</th><th>day</th><th>band</th>
<th>score</th><th>components</th><th>displacement risk</th><th>reason</th></tr>{rows}</table>
<h2>Excluded</h2><table><tr><th>why</th><th>when</th><th>hexagons</th></tr>{ex}
</table><h2>Notice to share through outreach projects</h2><p class="notice">{e(plan.notice)}</p>
<p><small>{e(' '.join(plan.notes))} {e(plan.statement)}</small></p>{mark}</body></html>"""


RISK_RGB = {"high": "#d55e00", "medium": "#e69f00", "low": "#009e73"}


def _excluded_summary(excluded: pd.DataFrame) -> list[tuple]:
    """Group exclusions as (why, when, hexagons) rows for the brief."""
    out = []
    for why, part in excluded.groupby("reason", sort=False):
        times = sorted(set(zip(part["day"], part["band"])),
                       key=lambda t: (DAYS.index(t[0]) if t[0] in DAYS else 9,
                                      list(BANDS).index(t[1]) if t[1] in BANDS else 9))
        when = ", ".join(f"{d} {b}" for d, b in times)
        cells = sorted(set(part["h3_id"]) - {"withheld"})
        out.append((why, "all times" if when == "all all" else when,
                    ", ".join(cells) if cells else "not shown"))
    return out


def _components_words(components: dict) -> str:
    return ", ".join(f"{FEED_WORDS[k]} {v:.2f}" for k, v in components.items())


__all__ = ["BANDS", "DAYS", "DEFAULT_WEIGHTS", "PURPOSE", "PatrolError", "PatrolPlan",
           "check_weights", "distance_km", "environment_flags", "open_slots", "opening_words",
           "outreach_points", "outreach_reach", "patrol_brief_html", "plan_patrols",
           "released_activity",
           "released_slots"]
