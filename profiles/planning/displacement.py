"""Displacement: a forward "what if" scenario before a response, and evaluation after it.

Forward scenario — :func:`simulate`
-----------------------------------
An intervention in the *target* hexagons is expected to reduce the activity there by
``reduction`` (a share of the released count). Of that reduced activity, a *displaced share*
moves to other hexagons of the **study area**; the rest ceases. The scenario is run at three
displaced shares (low, central, high) because displacement cannot be known in advance: a range,
not one number.

Distance-decay model. The displaced activity of target ``i`` goes to every other study-area
hexagon ``j`` whose centre lies within ``max_km`` of the target's centre, in proportion to::

    weight[i, j] = suitability[j] * exp(-d[i, j] / decay_km)   (0 when d[i, j] > max_km)

    suitability[j] = 0.1                                    (any hexagon can receive some)
                   + 1.0 * activity[j] / max(activity)      (released existing activity)
                   + 0.5 * transport route present
                   + 0.5 * street-lighting fault present
                   + 0.5 * isolated space or lorry park present
                   + 0.25 * min(1, distance to outreach / max_km)

(:data:`SUITABILITY_WEIGHTS`; override with ``suitability_weights=``). Distances are between
hexagon centres. Environment features enter only as presence; outreach is the non-confidential
sites and the hexagons with released outreach contacts. Every input is a *released* figure for
the audience: a figure the release rolled up to a coarser hexagon is spread evenly over the
hexagons it covers, and hexagons with no released figure count as 0.

Conservation: for every target and share, the activity moved equals ``share × reduced``
exactly (the weights are normalised per target). Activity never leaves the study area: when a
target has no receiving hexagon within ``max_km`` inside the area, its displaced activity is
reported as **unplaced**, not dropped.

Defaults per intervention (:data:`INTERVENTIONS`) are planning assumptions for the analyst to
change, ordered as the evidence suggests — enforcement displaces most, environmental
improvement least (Guerette & Bowers 2009 found displacement in about a quarter of situational
prevention studies, usually smaller than the benefit; the seeds warn that crackdowns push
street sex work into less safe, less visible places).

Evaluation after the fact (WDQ and WDD for target, buffer and control areas, from released
counts) is in :mod:`profiles.planning.response`.

Examples
--------
>>> sorted(INTERVENTIONS)
['enforcement', 'environmental_improvement', 'patrol', 'premises_closure']
>>> INTERVENTIONS["enforcement"].shares[2] > INTERVENTIONS["environmental_improvement"].shares[2]
True
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import h3
import numpy as np
import pandas as pd

from data_contracts.words import agrees, plural
from data_contracts.feeds import feed_entry
from profiles.release import PlainWordsError
from profiles.planning.inputs import (distance_km, environment_flags, outreach_points,
                                      outreach_reach, released_activity)
from profiles.release import (ReleaseError, disclosure_statement, get_policy, is_synthetic,
                              release_area_cells, study_areas)

LEVELS = ("low", "central", "high")


@dataclass(frozen=True)
class Intervention:
    """Default expected reduction and displaced shares (low, central, high) of a response."""

    words: str
    reduction: float
    shares: tuple


#: Planning defaults per intervention (change them: they are assumptions, not findings).
INTERVENTIONS = {
    "patrol": Intervention("visible patrol", 0.2, (0.1, 0.25, 0.5)),
    "enforcement": Intervention("enforcement", 0.5, (0.3, 0.5, 0.8)),
    "premises_closure": Intervention("premises closure", 0.6, (0.2, 0.4, 0.7)),
    "environmental_improvement": Intervention("environmental improvement (e.g. lighting)",
                                              0.15, (0.0, 0.05, 0.15)),
}

#: Suitability of a receiving hexagon: a base plus weighted inputs (see the module text).
SUITABILITY_WEIGHTS = {"base": 0.1, "activity": 1.0, "transport_route": 0.5,
                       "lighting_fault": 0.5, "isolated": 0.5, "far_from_outreach": 0.25}

#: The displaced feeds in words, for summaries.
_FEED_WORDS = {feed: feed_entry(feed).label.lower() for feed in ("on_street", "premises")}

FLAG_WORDS = {"no_outreach_reach": "hexagons with no outreach reach",
              "poorly_lit_or_isolated": "poorly lit or isolated places",
              "residential_concern": "residential areas with community concerns"}


class DisplacementError(PlainWordsError):
    """A scenario was asked with targets, shares or settings that cannot be used."""


@dataclass
class DisplacementScenario:
    """One forward displacement scenario: its parameters and its released results.

    Attributes
    ----------
    params : dict
        Everything needed to run it again (audience, targets, intervention, reduction,
        shares, max_km, decay_km, area, start, end, feed, suitability weights).
    cells : DataFrame
        One row per target and receiving hexagon: ``h3_id, role`` (target/recipient),
        ``baseline`` (released activity attributed to the hexagon; see the module text),
        ``suitability, distance_km`` (to the nearest target),
        ``change_low, change_central, change_high`` (expected change, model estimate), and
        the harm flags ``no_outreach_reach, poorly_lit_or_isolated, residential_concern``.
    totals : DataFrame
        Indexed by level (low/central/high): ``share, reduced, displaced, moved, unplaced,
        ceased, net_change`` and moved into each harm flag (``moved_<flag>``).
    flags : list of str
        The harm flags in words.
    """

    params: dict
    cells: pd.DataFrame
    totals: pd.DataFrame
    flags: list
    marking: str
    statement: str
    synthetic: bool = False
    notes: list = field(default_factory=list)
    name: str | None = None
    created: str | None = None

    @property
    def audience(self) -> str:
        """The audience the scenario was released for."""
        return self.params["audience"]

    def summary(self) -> str:
        """Return the scenario in plain words (for the CLI and exports)."""
        p, t = self.params, self.totals
        base = self.cells.loc[self.cells.role == "target", "baseline"].sum()
        lines = [self.marking, f"Displacement scenario{': ' + self.name if self.name else ''}"
                 f" — {INTERVENTIONS[p['intervention']].words} in "
                 f"{plural(len(p['targets']), 'hexagon')}, expected reduction "
                 f"{p['reduction']:.0%} of "
                 f"{_FEED_WORDS.get(p['feed'], p['feed'])}.",
                 f"Reduced activity in the targets: {t.loc['central', 'reduced']:.1f} "
                 f"(released baseline {base:g})."]
        for lvl in LEVELS:
            r = t.loc[lvl]
            lines.append(f"  {lvl:<7} displaced share {r.share:.0%}: moved {r.moved:.1f}, "
                         f"unplaced {r.unplaced:.1f}, ceased {r.ceased:.1f}, net change in "
                         f"the study area {r.net_change:+.1f}")
        lines += [f"Harm flag: {f}" for f in self.flags] or ["No harm flags."]
        lines += self.notes + [self.statement]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Return a JSON-ready dict (parameters and released results only)."""
        return {"lantern_scenario": 1, "name": self.name, "created": self.created,
                "marking": self.marking, "statement": self.statement,
                "synthetic": self.synthetic, "params": self.params,
                "cells": self.cells.to_dict("records"),
                "totals": self.totals.reset_index().to_dict("records"),
                "flags": list(self.flags), "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, doc: dict) -> "DisplacementScenario":
        """Rebuild a scenario from :meth:`to_dict` output."""
        cells = pd.DataFrame(doc["cells"], columns=_CELL_COLUMNS)
        totals = pd.DataFrame(doc["totals"]).set_index("level")
        return cls(doc["params"], cells, totals, list(doc["flags"]), doc["marking"],
                   doc["statement"], bool(doc.get("synthetic")), list(doc.get("notes", [])),
                   doc.get("name"), doc.get("created"))


_CELL_COLUMNS = ["h3_id", "role", "baseline", "suitability", "distance_km", "change_low",
                 "change_central", "change_high", *FLAG_WORDS]



def _no_targets_words(con, policy, area) -> str:
    """The sentence a page shows when no target hexagon is left: say why, offer what can be."""
    if area is None:
        return "No target is chosen yet. Pick at least one hexagon, or choose an area."
    holding = release_area_cells(con, area, policy, touching=True)
    which = "the hexagon that holds" if len(holding) == 1 else \
        f"the {len(holding)} hexagons that hold"
    offer = f" Or choose “By hexagon” and pick {which} it." if holding else ""
    return (f"{area} is smaller than one hexagon the {policy.label.lower()} audience may see, "
            f"so no hexagon lies within it. Choose a larger area, such as a ward or "
            f"neighbourhood.{offer}")


def study_cells(con, audience, area=None) -> list[str]:
    """Return the study area's hexagons at the audience's floor (default: the force area)."""
    if area is None:
        areas, force = study_areas(con, DisplacementError)
        area = (force if len(force) else areas)["name"].iloc[0]
    return release_area_cells(con, area, audience)


def _targets(con, policy, targets, study) -> list[str]:
    area = targets if isinstance(targets, str) else None
    if area is not None:
        try:
            cells = release_area_cells(con, area, policy)
        except ReleaseError as exc:
            raise DisplacementError(f"the target is neither a list of hexagon ids nor a known "
                                    f"area: {exc}",
                                    words=f"There is no area called {area!r} loaded. "
                                          f"Choose one from the list.") from None
    else:
        cells = []
        for t in targets or ():
            if not isinstance(t, str) or not h3.is_valid_cell(t):
                raise DisplacementError(f"a target must be an H3 hexagon id, not {t!r}")
            if h3.get_resolution(t) != policy.resolution_floor:
                raise DisplacementError(
                    f"target {t} is at H3 resolution {h3.get_resolution(t)}; audience "
                    f"{policy.name!r} works at resolution {policy.resolution_floor}")
            cells.append(t)
    cells = sorted(set(cells))
    if not cells:
        raise DisplacementError("no target is chosen; pick at least one hexagon or an area",
                                words=_no_targets_words(con, policy, area))
    outside = [c for c in cells if c not in set(study)]
    if outside:
        raise DisplacementError(f"target {outside[0]} is outside the study area; pick targets "
                                f"inside it or widen the study area",
                                words="The targets lie outside the area chosen in the sidebar. "
                                      "Choose targets inside it, or the whole force there.")
    return cells


def _check(intervention, reduction, shares, max_km, decay_km):
    if intervention not in INTERVENTIONS:
        raise DisplacementError(f"the intervention must be one of "
                                f"{', '.join(repr(k) for k in INTERVENTIONS)}, not "
                                f"{intervention!r}")
    d = INTERVENTIONS[intervention]
    reduction = d.reduction if reduction is None else reduction
    if isinstance(reduction, bool) or not isinstance(reduction, (int, float)) \
            or not 0 < reduction <= 1:
        raise DisplacementError(f"the expected reduction must be a share above 0 and at most 1 "
                                f"(0.2 = 20%), not {reduction!r}")
    shares = d.shares if shares is None else tuple(shares)
    if len(shares) != 3 or not all(isinstance(s, (int, float)) and 0 <= s <= 1 for s in shares) \
            or list(shares) != sorted(shares):
        raise DisplacementError(f"the displaced shares must be three shares 0–1 in order (low, "
                                f"central, high), e.g. 0.1, 0.25, 0.5, not {shares!r}")
    for words, v in (("furthest move", max_km), ("distance decay", decay_km)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 20:
            raise DisplacementError(f"the {words} must be a distance above 0 and at most "
                                    f"20 km, not {v!r}")
    return float(reduction), tuple(float(s) for s in shares)


@dataclass(frozen=True)
class ScenarioOptions:
    """What a displacement scenario is asked: where, which response, and the model's settings.

    Each attribute is described under :func:`simulate`, which takes them as keywords too.

    Examples
    --------
    >>> ScenarioOptions(targets="Corridor Beat", intervention="patrol").max_km
    1.5
    """

    targets: list | str
    intervention: str
    reduction: float | None = None
    displaced_shares: tuple | None = None
    max_km: float = 1.5
    decay_km: float = 0.5
    area: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    feed: str = "on_street"
    suitability_weights: dict | None = None


def simulate(con, audience, options: ScenarioOptions | None = None,
             **settings) -> DisplacementScenario:
    """Run a forward displacement scenario (see the module text for the model).

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
    options : ScenarioOptions, optional
        The scenario; or give its attributes as keywords (``targets=``, ``intervention=``
        and any below), which also override those of ``options``.
    targets : list of str or str
        Hexagon ids at the audience's resolution floor, or an area name.
    intervention : {"patrol", "enforcement", "premises_closure", "environmental_improvement"}
    reduction : float, optional
        Expected reduction in the targets (0–1); default per :data:`INTERVENTIONS`.
    displaced_shares : three floats, optional
        Low, central, high displaced share of the reduced activity; default per intervention
        (patrol: 0.1, 0.25, 0.5).
    max_km, decay_km : float
        Furthest a share can move, and the distance-decay length.
    area : str, optional
        The study area (default the force area). Activity never moves outside it.
    start, end : date, optional
        Weeks whose Monday is in [start, end] make the baseline.
    feed : str
        The activity feed displaced (``on_street``; ``premises`` for off-street).
    suitability_weights : dict, optional
        Overrides for :data:`SUITABILITY_WEIGHTS`.

    Returns
    -------
    DisplacementScenario

    Raises
    ------
    DisplacementError
        For unknown interventions, bad shares or distances, or targets outside the area.
    """
    o = ScenarioOptions(**settings) if options is None else replace(options, **settings)
    targets, intervention, area, start, end, feed = (o.targets, o.intervention, o.area,
                                                     o.start, o.end, o.feed)
    max_km, decay_km = o.max_km, o.decay_km
    policy = get_policy(audience)
    reduction, shares = _check(intervention, o.reduction, o.displaced_shares, max_km, decay_km)
    sw = dict(SUITABILITY_WEIGHTS)
    for k, v in dict(o.suitability_weights or {}).items():
        if k not in sw or not isinstance(v, (int, float)) or v < 0:
            raise DisplacementError(f"the suitability weights are "
                                    f"{', '.join(repr(k) for k in sw)}, each 0 or more, "
                                    f"not {k!r}: {v!r}")
        sw[k] = float(v)
    study = study_cells(con, policy, area)
    tcells = _targets(con, policy, targets, study)
    activity = released_activity(con, policy, feed, area=area, start=start, end=end)
    tset = set(tcells)
    recips = [c for c in study if c not in tset]
    base_t = np.array([activity.get(c, 0.0) for c in tcells])
    reduced_t = reduction * base_t
    D = distance_km(tcells, recips) if recips else np.zeros((len(tcells), 0))
    env = environment_flags(con, policy, recips, start=start, end=end)
    reach = outreach_reach(con, policy, recips)
    points = outreach_points(con, policy)
    far = (np.minimum(1.0, distance_km(recips, points).min(axis=1) / max_km)
           if points and recips else np.ones(len(recips)))
    act_r = np.array([activity.get(c, 0.0) for c in recips])
    top = activity.max() if len(activity) and activity.max() > 0 else 1.0
    suit = (sw["base"] + sw["activity"] * act_r / top
            + sw["transport_route"] * env["transport_route"].to_numpy()
            + sw["lighting_fault"] * env["lighting_fault"].to_numpy()
            + sw["isolated"] * (env["isolated_space"] | env["lorry_park"]).to_numpy()
            + sw["far_from_outreach"] * far)
    W = suit[None, :] * np.exp(-D / decay_km) * (D <= max_km + 1e-9)
    rows = W.sum(axis=1)
    placed = rows > 0
    share_of = np.divide(W, rows[:, None], out=np.zeros_like(W), where=placed[:, None])
    concerns = released_activity(con, policy, "community_concerns", area=area, start=start,
                                 end=end)
    flags = pd.DataFrame({
        "no_outreach_reach": ~reach.to_numpy(),
        "poorly_lit_or_isolated": (env["lighting_fault"] | env["isolated_space"]
                                   | env["lorry_park"]).to_numpy(),
        "residential_concern": (env["residential"].to_numpy()
                                & np.array([concerns.get(c, 0.0) > 0 for c in recips],
                                           dtype=bool))},
        index=recips)
    totals, moved = [], {}
    for lvl, s in zip(LEVELS, shares):
        displaced_t = s * reduced_t
        moved[lvl] = displaced_t @ share_of
        unplaced = float(displaced_t[~placed].sum())
        row = {"level": lvl, "share": s, "reduced": float(reduced_t.sum()),
               "displaced": float(displaced_t.sum()), "moved": float(moved[lvl].sum()),
               "unplaced": unplaced, "ceased": float(reduced_t.sum() - displaced_t.sum())}
        row["net_change"] = -row["reduced"] + row["moved"]
        for f in FLAG_WORDS:
            row[f"moved_{f}"] = float(moved[lvl][flags[f].to_numpy()].sum()) if recips else 0.0
        totals.append(row)
    totals = pd.DataFrame(totals).set_index("level")
    receiving = np.flatnonzero(W.sum(axis=0) > 0)
    dmin = D.min(axis=0) if len(tcells) and recips else np.zeros(len(recips))
    target_rows = pd.DataFrame({"h3_id": tcells, "role": "target", "baseline": base_t,
                                "suitability": np.nan, "distance_km": 0.0,
                                **{f"change_{lvl}": -reduced_t for lvl in LEVELS},
                                **{f: False for f in FLAG_WORDS}})
    recip_rows = pd.DataFrame({"h3_id": [recips[j] for j in receiving], "role": "recipient",
                               "baseline": act_r[receiving], "suitability": suit[receiving],
                               "distance_km": dmin[receiving],
                               **{f"change_{lvl}": moved[lvl][receiving] for lvl in LEVELS},
                               **{f: flags[f].to_numpy()[receiving] for f in FLAG_WORDS}})
    cells = pd.concat([target_rows, recip_rows], ignore_index=True)[_CELL_COLUMNS]
    notes = ["Expected changes are model estimates from released figures, not counts of "
             "people; pooled figures are spread over the hexagons they cover and hexagons "
             "with no released figure count as 0."]
    if not base_t.sum():
        notes.append("No released activity in the targets: the scenario moves nothing.")
    if (~placed & (reduced_t > 0)).any():
        unplaced = int((~placed & (reduced_t > 0)).sum())
        notes.append(f"{plural(unplaced, 'target')} {agrees(unplaced, 'has', 'have')} no "
                     f"receiving hexagon within {max_km:g} km inside the study area: their displaced "
                     f"activity is reported as unplaced (it may leave the area).")
    params = {"audience": policy.name, "targets": tcells,
              "target_area": targets if isinstance(targets, str) else None,
              "intervention": intervention, "reduction": reduction, "shares": list(shares),
              "max_km": float(max_km), "decay_km": float(decay_km),
              "area": None if area is None else str(area),
              "start": None if start is None else str(start),
              "end": None if end is None else str(end), "feed": feed,
              "suitability_weights": sw}
    return DisplacementScenario(params, cells, totals, _flag_words(totals, cells),
                                policy.marking, disclosure_statement(policy),
                                is_synthetic(con), notes,
                                created=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))


def _flag_words(totals, cells) -> list[str]:
    out = []
    c = totals.loc["central"]
    for f, words in FLAG_WORDS.items():
        n = int((cells[f] & (cells["change_central"] > 0)).sum())
        if n and c[f"moved_{f}"] > 0:
            out.append(f"{c[f'moved_{f}']:.1f} of {c.displaced:.1f} displaced (central) moves "
                       f"into {words} ({n} hexagon{'s' if n != 1 else ''}; range "
                       f"{totals.loc['low', f'moved_{f}']:.1f}–"
                       f"{totals.loc['high', f'moved_{f}']:.1f}).")
    return out


__all__ = ["DisplacementError", "DisplacementScenario", "FLAG_WORDS", "INTERVENTIONS",
           "Intervention", "LEVELS", "SUITABILITY_WEIGHTS", "ScenarioOptions", "simulate",
           "study_cells"]
