"""An attacker of the release, with every path the product offers to a small group.

Targets are the release's hidden units: the force or an area, in a week or a month (and by
category), whose truth holds 1 ... threshold - 1 people. For each, the attacker forms every
estimate of its true events that released figures allow, and averages them:

* **differencing across places**: the force's figure less the shown areas of one area type
  that partitions it (valid when the target is the only hidden area of that type then);
* **differencing across time**: the target area's month less its shown weeks (when the
  target is the only hidden week of that month);
* **differencing across categories**: the target's place-period total less its shown
  categories (when the target is the only hidden category there);
* **repeated and nested requests** give nothing new: they are sums of the same fixed units
  (checked separately in the tests).

The attacker *recovers* a target when the rounded average of its estimates equals the true
count of events. The baseline is guessing: the share of targets holding the commonest true
count. Exact suppression with no links recovers 0 %; a noise method passes only if averaging
its paths does not pin the truth.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from profiles import store
from profiles.release import release_counts
from profiles.release.perturb import PTABLE, WIDE_PTABLE

FORCE = -1


@dataclass
class Recovery:
    """The outcome of one attack: targets, estimated, recovered, and the guessing baseline."""

    targets: int
    estimated: int
    recovered: int
    baseline: float

    @property
    def rate(self) -> float:
        """Recovered share of the targets the attacker could estimate."""
        return self.recovered / self.estimated if self.estimated else 0.0

    @classmethod
    def pooled(cls, outcomes) -> "Recovery":
        """Several attacks' outcomes as one: counts added, the guessing baseline weighted by
        the targets each attacker could estimate."""
        outcomes = list(outcomes)
        estimated = sum(o.estimated for o in outcomes)
        guessed = sum(o.baseline * o.estimated for o in outcomes)
        return cls(sum(o.targets for o in outcomes), estimated,
                   sum(o.recovered for o in outcomes), guessed / estimated if estimated else 0.0)


def place_truth(con, feed: str, grain: str, by_category: bool = False, *,
                areas: bool = True) -> pd.DataFrame:
    """True events and people of every place unit (force = -1, areas by id) of a grain."""
    period = "week" if grain == "week" else "CAST(date_trunc('month', week) AS DATE)"
    cat = ", category" if by_category else ""
    out = []
    places = [("-1", "")] + ([("a.area_id", "JOIN area_cells a ON a.cell = f.cell")]
                             if areas else [])
    for place, join in places:
        sql = f"""
            WITH e AS (SELECT {place} AS place, {period} AS period{cat}, sum(n) AS events,
                              sum(n - n_keyed) AS anon FROM facts f {join}
                       WHERE feed = ? GROUP BY ALL),
                 s AS (SELECT {place} AS place, {period} AS period{cat},
                              count(DISTINCT subject) AS keyed FROM subjects f {join}
                       WHERE feed = ? GROUP BY ALL)
            SELECT e.*, e.anon + coalesce(s.keyed, 0) AS people
            FROM e LEFT JOIN s USING (place, period{cat})"""
        out.append(store.cursor(con).execute(sql, [feed, feed]).df())
    frame = pd.concat(out, ignore_index=True)
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame


def released_places(con, audience, feed: str, grain: str, by_category: bool = False, *,
                    areas: bool = True) -> dict:
    """{(place, period[, category]): shown} for the force and (month) every area."""
    named = store.cursor(con).execute("SELECT area_id, name FROM areas").fetchall() \
        if areas else []
    by = ("category",) if by_category else ()
    shown = {}
    for place, name in [(FORCE, None), *named]:
        frame = release_counts(con, audience, feed, period=grain, area=name, by=by).frame
        frame = frame[frame["period_grain"] == grain]
        for row in frame.itertuples(index=False):
            key = (place, row.period_start) + ((row.category,) if by_category else ())
            shown[key] = int(row.count)
    return shown


def partitions(con) -> list[list[int]]:
    """Area types whose areas' cells are disjoint (each a list of area ids)."""
    rows = store.cursor(con).execute(
        "SELECT a.area_type, a.area_id, count(c.cell) AS n FROM areas a "
        "JOIN area_cells c USING (area_id) GROUP BY ALL").df()
    distinct = dict(store.cursor(con).execute(
        "SELECT a.area_type, count(DISTINCT c.cell) FROM areas a "
        "JOIN area_cells c USING (area_id) GROUP BY ALL").fetchall())
    rows["d"] = rows["area_type"].map(distinct)
    out = []
    for _, group in rows.groupby("area_type"):
        if group["n"].sum() == group["d"].iloc[0] and len(group) > 1:
            out.append(group["area_id"].astype(int).tolist())
    return out


def attack_places(con, audience, feed: str, threshold: int) -> Recovery:
    """Attack every hidden unit of the places layers: the force by week, the force and every
    area by month, each in total and by category."""
    estimates = defaultdict(list)
    truth_of = {}
    parts = partitions(con)
    for by_category in (False, True):
        cat = (lambda r: (r.category,)) if by_category else (lambda r: ())
        weeks = place_truth(con, feed, "week", by_category, areas=False)
        months = place_truth(con, feed, "month", by_category)
        shown_w = released_places(con, audience, feed, "week", by_category, areas=False)
        shown_m = released_places(con, audience, feed, "month", by_category)
        for grain, truth in (("week", weeks), ("month", months)):
            hidden = truth[(truth["people"] >= 1) & (truth["people"] < threshold)]
            for r in hidden.itertuples(index=False):
                truth_of[(by_category, grain, r.place, r.period, *cat(r))] = int(r.events)
        present_m = {(r.place, r.period, *cat(r)) for r in months.itertuples(index=False)}
        present_w = {(r.place, r.period, *cat(r)) for r in weeks.itertuples(index=False)}
        # across places: the force's month less the shown areas of a partition
        for ids in parts:
            for r in months[months["place"] == FORCE].itertuples(index=False):
                key = (FORCE, r.period, *cat(r))
                if key not in shown_m:
                    continue
                missing = [a for a in ids if (a, r.period, *cat(r)) in present_m
                           and (a, r.period, *cat(r)) not in shown_m]
                if len(missing) == 1:
                    rest = sum(shown_m.get((a, r.period, *cat(r)), 0) for a in ids)
                    terms = (1, sum((a, r.period, *cat(r)) in shown_m for a in ids))
                    estimates[(by_category, "month", missing[0], r.period, *cat(r))].append(
                        (shown_m[key] - rest, terms))
        # across time: the force's month less its shown weeks
        for r in weeks.itertuples(index=False):
            if (FORCE, r.period, *cat(r)) in shown_w:
                continue
            mkey = (FORCE, r.period.replace(day=1), *cat(r))
            siblings = [k for k in present_w if k[1].replace(day=1) == mkey[1]
                        and k[2:] == cat(r)]
            if mkey in shown_m and sum(k not in shown_w for k in siblings) == 1:
                estimates[(by_category, "week", FORCE, r.period, *cat(r))].append(
                    (shown_m[mkey] - sum(shown_w.get(k, 0) for k in siblings),
                     (1 + sum(k in shown_w for k in siblings), 0)))
    # across categories: a unit's total less its shown categories
    for grain, areas in (("week", False), ("month", True)):
        totals = released_places(con, audience, feed, grain, False, areas=areas)
        cats = released_places(con, audience, feed, grain, True, areas=areas)
        truth = place_truth(con, feed, grain, True, areas=areas)
        present = defaultdict(list)
        for r in truth.itertuples(index=False):
            present[(r.place, r.period)].append((r.place, r.period, r.category))
        for tkey, keys in present.items():
            hidden = [k for k in keys if k not in cats]
            if tkey in totals and len(hidden) == 1:
                n = 1 + sum(k in cats for k in keys)
                estimates[(True, grain, *hidden[0])].append(
                    (totals[tkey] - sum(cats.get(k, 0) for k in keys),
                     (n, 0) if tkey[0] == FORCE else (0, n)))
    return _judge(estimates, truth_of)


def attack_hexagons(con, audience, feed: str, threshold: int) -> Recovery:
    """Attack every hexagon-month hidden at the hexagon-month layer's finest resolution
    through the hexagon-quarter layer: the hexagon's quarter (every quarter unit inside it)
    less its other two months (when those are shown there and the target month is not)."""
    from geo.cells import cells_to_parents
    from profiles.release.audiences import get_policy
    from profiles.release.layers import hex_floor, protection_of

    policy = get_policy(audience) if isinstance(audience, str) else audience
    res = hex_floor(protection_of(policy, feed), "month")
    truth = store.cursor(con).execute(f"""
        WITH e AS (SELECT CAST(h3_parent(cell, {res}) AS UBIGINT) AS c,
                          CAST(date_trunc('month', week) AS DATE) AS m, sum(n) AS events,
                          sum(n - n_keyed) AS anon FROM facts WHERE feed = ? GROUP BY ALL),
             s AS (SELECT CAST(h3_parent(cell, {res}) AS UBIGINT) AS c,
                          CAST(date_trunc('month', week) AS DATE) AS m,
                          count(DISTINCT subject) AS keyed FROM subjects WHERE feed = ?
                          GROUP BY ALL)
        SELECT e.c, e.m, e.events, e.anon + coalesce(s.keyed, 0) AS people
        FROM e LEFT JOIN s USING (c, m)""", [feed, feed]).df()
    truth["m"] = pd.to_datetime(truth["m"]).dt.date
    month = release_counts(con, audience, feed, period="month", place="hexagon").frame
    quarter = release_counts(con, audience, feed, period="quarter", place="hexagon").frame
    month = month[(month["resolution"] == res) & (month["period_grain"] == "month")]
    quarter = quarter[(quarter["resolution"] >= res) & (quarter["period_grain"] == "quarter")]
    quarter = quarter.assign(cell=cells_to_parents(quarter["cell"].to_numpy(np.uint64), res))
    m_sum = month.groupby(["cell", "period_start"])["count"].agg(["sum", "size"])
    q_sum = quarter.groupby(["cell", "period_start"])["count"].agg(["sum", "size"])
    estimates, truth_of = defaultdict(list), {}
    truth["q"] = [dt_quarter(m) for m in truth["m"]]
    for (c, q), group in truth.groupby(["c", "q"]):
        months = [q.replace(month=q.month + i) for i in range(3)]
        shown = [(int(c), m) in m_sum.index for m in months]
        if (int(c), q) not in q_sum.index or sum(not s for s in shown) != 1:
            continue
        target = months[shown.index(False)]
        row = group[group["m"] == target]
        if row.empty or not 1 <= int(row["people"].iloc[0]) < threshold:
            continue
        others = sum(int(m_sum.loc[(int(c), m), "sum"]) for m, s in zip(months, shown) if s)
        terms = (int(q_sum.loc[(int(c), q), "size"]), sum(
            int(m_sum.loc[(int(c), m), "size"]) for m, s in zip(months, shown) if s))
        key = (int(c), target)
        truth_of[key] = int(row["events"].iloc[0])
        estimates[key].append((int(q_sum.loc[(int(c), q), "sum"]) - others, terms))
    return _judge(estimates, truth_of)


def dt_quarter(day):
    """The first day of the quarter holding ``day``."""
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _noise_of_sum(terms: tuple) -> dict:
    """Distribution of the sum of independent draws: ``terms`` is (draws of the narrow
    p-table, draws of the wide one), as the published method lets anyone know."""
    dist = {0: 1.0}
    for table, n in zip((PTABLE, WIDE_PTABLE), terms):
        for _ in range(n):
            nxt = defaultdict(float)
            for v, p in dist.items():
                for change, q in table:
                    nxt[v + change] += p * q
            dist = dict(nxt)
    return dist


def _judge(estimates: dict, truth_of: dict) -> Recovery:
    """The strongest attacker we know here: for each target, the posterior mode of its true
    events given every path's estimate (each a true value plus the sum of that path's
    p-table draws, which the published method lets anyone know) and the prior (the true
    distribution of the targets' counts, generously given to the attacker). Also the mean of
    the estimates, rounded. The better of the two attackers is reported."""
    keys = [k for k in estimates if k in truth_of]
    counts = pd.Series([truth_of[k] for k in keys]).value_counts(normalize=True)
    prior = counts.to_dict()
    baseline = float(counts.iloc[0]) if len(counts) else 0.0
    cache = {}
    bayes = means = 0
    for key in keys:
        values = estimates[key]
        best, best_p = None, -1.0
        for v, p0 in prior.items():
            p = p0
            for est, terms in values:
                dist = cache.setdefault(terms, _noise_of_sum(terms))
                p *= dist.get(est - v, 0.0)
            if p > best_p:
                best, best_p = v, p
        mean = max(1, int(np.floor(np.mean([e for e, _ in values]) + 0.5)))
        bayes += best == truth_of[key]
        means += mean == truth_of[key]
    return Recovery(len(truth_of), len(keys), max(bayes, means), baseline)


def units_seen(con, audience, feed: str) -> list[int]:
    """Every figure the finest views of every layer show (each area, each grain)."""
    areas = [None] + [r[0] for r in store.cursor(con).execute(
        "SELECT name FROM areas").fetchall()]
    values = []
    for area in areas:
        for period in ("week", "month", "quarter", "year"):
            values += release_counts(con, audience, feed, period=period, area=area
                                     ).frame["count"].tolist()
    for period in ("month", "quarter", "all"):
        values += release_counts(con, audience, feed, period=period, place="hexagon"
                                 ).frame["count"].tolist()
    return values


def attack_audiences(con, feed: str, *, fine: str = "command", coarse: str = "partnership"
                     ) -> Recovery:
    """One audience against another that the same role may open (the commander opens
    partnership and command): in every floor hexagon of the coarser audience and every
    quarter, the coarser audience's figure less every figure the finer audience shows inside
    that hexagon leaves what the finer audience hid or pooled out of it. Targets are those
    residues of 1 ... (finer threshold - 1) people; their truth comes from where each atom
    of the finer audience's hexagon-quarter layer went (for the policy owner only)."""
    from geo.cells import cells_to_parents
    from profiles.release.audiences import get_policy
    from profiles.release.base import load_base_table
    from profiles.release.cache import _cursor
    from profiles.release.layers import build_hex_layer, hex_floor, layer_named, protection_of
    from data_contracts.periods import period_starts

    fine_p, coarse_p = get_policy(fine), get_policy(coarse)
    prot = protection_of(fine_p, feed)
    coarse_floor = coarse_p.floor_for(feed)
    cur = _cursor(con)
    base = load_base_table(cur, feed, resolution=hex_floor(prot, "quarter"),
                           dims=prot.breakdowns)
    if not len(base):
        return Recovery(0, 0, 0, 0.0)
    built = build_hex_layer(base, prot, layer_named(prot, "hex-quarter"),
                            base_resolution=store.base_resolution(cur), atoms=True)
    unit_res = built.units["resolution"].to_numpy(np.int64)
    went = built.atom_unit
    residue = (went < 0) | (unit_res[np.maximum(went, 0)] < coarse_floor)
    parent = cells_to_parents(np.asarray(base.cell, dtype=np.uint64), coarse_floor)
    quarter = period_starts(np.asarray(base.day), "quarter")
    groups = defaultdict(lambda: [0, 0, set()])
    subjects = defaultdict(list)
    for a, s in zip(base.subject_atom.tolist(), base.subject.tolist()):
        subjects[a].append(s)
    for a in np.flatnonzero(residue):
        g = groups[(int(parent[a]), int(quarter[a]))]
        g[0] += int(base.n[a])
        g[1] += int(base.anon[a])
        g[2].update(subjects.get(int(a), ()))
    truth_of = {k: e for k, (e, anon, subs) in groups.items()
                if 1 <= anon + len(subs) < fine_p.threshold}
    hi = release_counts(con, coarse, feed, period="quarter", place="hexagon").frame
    lo = release_counts(con, fine, feed, period="quarter", place="hexagon").frame
    hi = hi[(hi["resolution"] == coarse_floor) & (hi["period_grain"] == "quarter")]
    lo = lo[(lo["resolution"] >= coarse_floor) & (lo["period_grain"] == "quarter")]
    lo = lo.assign(cell=cells_to_parents(lo["cell"].to_numpy(np.uint64), coarse_floor))
    day = lambda d: (pd.Timestamp(d).date() - pd.Timestamp("1970-01-01").date()).days  # noqa: E731
    hi_sum = hi.groupby(["cell", "period_start"])["count"].agg(["sum", "size"])
    lo_sum = lo.groupby(["cell", "period_start"])["count"].agg(["sum", "size"])
    lo_of = {(int(c), day(p)): (int(r["sum"]), int(r["size"])) for (c, p), r in
             lo_sum.iterrows()}
    estimates = defaultdict(list)
    for (c, p), r in hi_sum.iterrows():
        key = (int(c), day(p))
        if key not in truth_of:
            continue
        got, n = lo_of.get(key, (0, 0))
        estimates[key].append((int(r["sum"]) - got, (int(r["size"]) + n, 0)))
    return _judge(estimates, truth_of)
