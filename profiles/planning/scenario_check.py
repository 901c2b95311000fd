"""Close the loop: check a saved forward scenario against what was observed after the response.

A forward scenario (:func:`profiles.planning.simulate`) predicts, from its baseline weeks, how
much activity leaves its target hexagons and how much of it arrives in the hexagons around
them, as a low – central – high range over displaced shares. :func:`check_scenario` takes the
same hexagons after the response and evaluates them (:func:`profiles.planning.evaluate_areas`):

* **target** — the scenario's target hexagons;
* **buffer** — its predicted-receiving hexagons (every recipient the model moved activity to);
* **control** — by default the rest of the study area, outside the targets and recipients
  (the scenario's own model sends nothing there), or an area or hexagons the analyst picks;
* **before** — the scenario's baseline weeks (or weeks the analyst picks);
* **after** — the weeks the analyst picks, after the before period.

Observed change is put on the scenario's scale: the after count is scaled by the control's
change from before to after (``after × control before / control after``), so a general rise or
fall and a different number of weeks are not counted as the response's doing; then the before
count is subtracted. Without a control that has events in both periods, the after count is
scaled by the number of weeks instead, and the check says so. Each observed change carries an
approximate 95% interval (Poisson counts), so "outside the range" is only called when chance
alone could not explain it.

The rows (:attr:`ScenarioCheck.table`): change in the targets (against the assumed reduction),
change in the receiving hexagons (against the moved range), both together (against the net
change range), and the implied displaced share (receiving increase over target decrease,
against the scenario's shares).

Examples
--------
>>> placed(5.0, 4.0, 1.0, 2.0, 6.0)
'inside the range'
>>> placed(9.0, 0.5, 1.0, 2.0, 6.0)
'above the range'
>>> placed(8.0, 3.0, 1.0, 2.0, 6.0)
'above the range, but within chance'
"""
from __future__ import annotations

from dataclasses import dataclass, field

import math

import pandas as pd

from profiles.planning.displacement import LEVELS, DisplacementError, DisplacementScenario
from profiles.planning.evaluation import Z_95
from profiles.planning.response import AreaEvaluation, evaluate_areas, to_date


@dataclass
class ScenarioCheck:
    """A saved scenario beside what was observed after the response.

    Attributes
    ----------
    scenario : DisplacementScenario
    evaluation : AreaEvaluation
        Target, receiving hexagons (as the buffer) and control, before and after.
    table : DataFrame
        One row per measure: ``measure, low, central, high`` (the scenario's range),
        ``observed``, ``interval_low, interval_high`` (approximate 95%), ``placed`` (inside
        the range, above, below, ... in words).
    scaled_by : str
        How the after counts were put on the scenario's scale, in words.
    notes : list of str
    """

    scenario: DisplacementScenario
    evaluation: AreaEvaluation
    table: pd.DataFrame
    scaled_by: str
    notes: list = field(default_factory=list)

    @property
    def summary(self) -> str:
        """Whether the scenario's displacement assumptions held, in plain words."""
        rows = self.table.set_index("measure")
        moved = rows.loc["moved into the receiving hexagons"]
        share = rows.loc["displaced share"]
        out = [f"Activity moving into the receiving hexagons: observed {moved.observed:+.1f} "
               f"against a predicted {moved.low:.1f} to {moved.high:.1f} — "
               f"{moved.placed}."]
        if pd.notna(share.observed):
            out.append(f"The observed change implies a displaced share of "
                       f"{share.observed:.0%}, against the scenario's {share.low:.0%} to "
                       f"{share.high:.0%} — {share.placed}.")
        else:
            out.append("The target did not fall, so no displaced share can be worked out.")
        out.append("Observed changes are from released counts and carry chance variation; "
                   "a single check is one piece of evidence about the assumptions, not proof.")
        return " ".join(out)


def placed(observed: float, se: float, low: float, central: float, high: float) -> str:
    """Say where ``observed`` (with standard error ``se``) falls against ``low``–``high``."""
    if pd.isna(observed):
        return "cannot tell"
    if low - 1e-9 <= observed <= high + 1e-9:
        return "inside the range"
    side = "above" if observed > high else "below"
    edge = high if observed > high else low
    if abs(observed - edge) <= Z_95 * se:
        return f"{side} the range, but within chance"
    return f"{side} the range"


def check_scenario(con, audience, scenario: DisplacementScenario, *, after, before=None,
                   control=None) -> ScenarioCheck:
    """Evaluate a saved scenario's hexagons after the response and set them beside its range.

    Parameters
    ----------
    con : connection handed back to :mod:`profiles.release`
    audience : str
        Must be the audience the scenario was released for.
    scenario : DisplacementScenario
    after : (date, date)
        First and last Monday after the response.
    before : (date, date), optional
        Default: the scenario's baseline weeks.
    control : str or list of str, optional
        An area name or hexagons; default the rest of the study area.

    Returns
    -------
    ScenarioCheck

    Raises
    ------
    DisplacementError
        In plain words: another audience's scenario, no baseline weeks to compare with, no
        receiving hexagons, or no control left.
    """
    from profiles.planning.displacement import study_cells

    name = getattr(audience, "name", audience)
    if scenario.audience != name:
        raise DisplacementError(f"this scenario was made for the {scenario.audience} "
                                f"audience, not {name}; check it as {scenario.audience} or "
                                f"run it again")
    p, cells = scenario.params, scenario.cells
    if before is None:
        if not (p.get("start") and p.get("end")):
            raise DisplacementError("this scenario was run on every loaded week, so its "
                                    "baseline has no end; choose the before period yourself")
        before = (p["start"], p["end"])
    before = tuple(to_date(d, "before period") for d in before)
    targets = cells.loc[cells["role"] == "target", "h3_id"].tolist()
    receiving = cells.loc[(cells["role"] == "recipient") & (cells["change_high"] > 0),
                          "h3_id"].tolist()
    if not receiving:
        raise DisplacementError("this scenario moves nothing into other hexagons, so there is "
                                "no displacement to check")
    if control is None:
        taken = set(targets) | set(receiving)
        control = [c for c in study_cells(con, name, p.get("area")) if c not in taken]
        if not control:
            raise DisplacementError("the study area has no hexagons outside the targets and "
                                    "the receiving hexagons; choose a control area")
    ev = evaluate_areas(con, name, target=targets, buffer=receiving, control=control,
                        before=before, after=after, feed=p.get("feed", "on_street"))
    k, notes = ev.counts, []
    if k["control_before"] and k["control_after"]:
        ratio = k["control_before"] / k["control_after"]
        scaled_by = (f"after counts scaled by the control's change ({k['control_before']:,} "
                     f"events before, {k['control_after']:,} after)")
    else:
        ratio = ev.weeks["before"] / max(1, ev.weeks["after"])
        scaled_by = (f"after counts scaled by the number of weeks ({ev.weeks['before']} "
                     f"before, {ev.weeks['after']} after), as the control has no events in "
                     f"one of the periods")
        notes.append("The control has no events in one of the periods, so the general trend "
                     "cannot be allowed for: a town-wide rise or fall would show as the "
                     "response's doing.")

    def observed(zone):
        change = k[f"{zone}_after"] * ratio - k[f"{zone}_before"]
        return change, math.sqrt(k[f"{zone}_after"] * ratio ** 2 + k[f"{zone}_before"])

    t, t_se = observed("target")
    m, m_se = observed("buffer")
    totals = scenario.totals
    reduced = float(totals.loc["central", "reduced"])
    rows = [_row("change in the target hexagons", [-reduced] * 3, t, t_se,
                 "assumed reduction"),
            _row("moved into the receiving hexagons",
                 [float(totals.loc[lv, "moved"]) for lv in LEVELS], m, m_se),
            _row("target and receiving hexagons together",
                 [-reduced + float(totals.loc[lv, "moved"]) for lv in LEVELS], t + m,
                 math.sqrt(t_se ** 2 + m_se ** 2))]
    shares = [float(totals.loc[lv, "share"]) for lv in LEVELS]
    if t < 0:
        share = max(m, 0.0) / -t
        share_se = math.sqrt(m_se ** 2 + (share * t_se) ** 2) / -t
        rows.append(_row("displaced share", shares, share, share_se))
    else:
        rows.append({"measure": "displaced share", **dict(zip(LEVELS, shares)),
                     "observed": math.nan, "interval_low": math.nan,
                     "interval_high": math.nan, "placed": "cannot tell (the target did not "
                                                            "fall)"})
    notes.append(f"Predicted figures are the scenario's model estimates over its baseline "
                 f"weeks; observed figures are released counts, {scaled_by}.")
    return ScenarioCheck(scenario, ev, pd.DataFrame(rows), scaled_by, notes + ev.problems)


def _row(measure, levels, observed, se, fixed=None) -> dict:
    low, central, high = levels
    if not fixed:
        where = placed(observed, se, low, central, high)
    elif abs(observed - low) <= Z_95 * se:
        where = f"close to the {fixed} (within chance)"
    elif observed > 0:
        where = f"a rise, not the {fixed}"
    else:
        where = f"a {'larger' if observed < low else 'smaller'} fall than the {fixed}"
    return {"measure": measure, "low": low, "central": central, "high": high,
            "observed": observed, "interval_low": observed - Z_95 * se,
            "interval_high": observed + Z_95 * se, "placed": where}


__all__ = ["ScenarioCheck", "check_scenario", "placed"]
