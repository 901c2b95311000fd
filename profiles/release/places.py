"""The places layers, built together: the force by week, the force and every area by month,
each in total and by category, with their links protected.

Units and their sizes
---------------------
A *place* is the force (everything loaded) or a loaded area (a public boundary, its base
cells from ``area_cells``). A unit is a place x period (x category) and holds every atom whose
base cell lies in the place. Its size is its people (distinct keyed subjects plus events
without a key); its figure is its events. A unit of fewer than the threshold of people is
hidden (*primary* suppression).

Links, and how they are protected
---------------------------------
Some units add up to others, and a reader knows which (boundaries and calendars are public):

* **places**: a parent place (the force, or an area) is its children of one area type that
  lie within it (wards in the force, LSOAs in a ward) plus what no child covers. A parent
  less its shown children is a hidden child plus the cell-key noise of every figure in the
  subtraction, and areas' units are moved by the *wide* p-table (up to 3) for this reason.
  Measured, that noise is enough: with these paths open, the attacker of
  ``tests/attacks.py`` pins a hidden area-month no more often than guessing would, on the
  demo, on Marrowby and on a store of lonely people (``tests/test_release_attacks.py``), so
  no sibling is hidden to protect it. (Secondary suppression here cost an area's monthly
  trend a quarter of its figures for the smallest feeds, as tau-Argus-style linked
  suppression does at this grain.)
* **time**: the force's month is its weeks (a week belongs to its Monday's month), and its
  quarter is its months. Both links are protected by construction: a shown force month is
  the sum of its shown weeks' figures plus one *rest of the month* unit, its hidden weeks
  pooled, shown (perturbed) only when at least the threshold of people lie behind it, and
  otherwise counted as the fixed estimate :func:`imputed_rest` (the same whatever it holds);
  a quarter likewise adds a *rest of the quarter* (:func:`_force_quarter_rests`). So a
  period less its parts is a released figure or a constant, never a hidden part's value.
* **categories**: a place-period total is its categories. Where exactly one category that
  needs protecting is hidden, the shown category with the fewest events is hidden too
  (*secondary* suppression), until no total holds a lone hidden category: a category is
  read beside its total on the same chart, so this link is kept exact.

No figure shown, and no sum of them, is ever 1 ... threshold - 1 (:mod:`profiles.release.perturb`).
The attack tests measure how often the best estimate from every path pins a hidden unit,
against guessing.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from profiles.release.audiences import GRAINS
from profiles.release.disclosure import (Protected, distinct_pairs, people_per_group,
                                         round_counts)
from data_contracts.periods import period_ends, period_starts
from profiles.release.perturb import perturb_counts

#: Place code of the whole force (everything loaded).
FORCE = -1
#: A month's rest of too few people but at least this many events is joined by the month's
#: smallest shown week (hidden), so the month keeps it; a smaller rest is left out of the
#: month (it costs the month less than the week would cost the weeks).
REST_WORTH_A_WEEK = 3
#: Category code of a unit's total (all categories).
TOTAL = -1


def build_places(base, protection, areas) -> dict:
    """Return the places layers' released units, by layer name.

    Parameters
    ----------
    base : BaseTable at the store's base resolution, by category where the audience may see
        it (else by nothing)
    protection : Protection
    areas : (area ids, base cells) of every loaded area
    """
    area_ids, area_cells = areas
    size = len(base)
    # every atom's places: the force and each area holding its cell
    cell_index = pd.Index(pd.unique(base.cell))
    atom_cell = cell_index.get_indexer(base.cell)
    member = defaultdict(list)          # place -> cell codes
    for a, c in zip(area_ids.tolist(), cell_index.get_indexer(area_cells).tolist()):
        if c >= 0:
            member[a].append(c)
    pair_place, pair_cell = [FORCE] * len(cell_index), list(range(len(cell_index)))
    for place, cells in member.items():
        pair_place += [place] * len(cells)
        pair_cell += cells
    pairs = pd.DataFrame({"place": np.asarray(pair_place, np.int64),
                          "cell": np.asarray(pair_cell, np.int64)}).drop_duplicates()
    atoms = pd.DataFrame({"atom": np.arange(size), "cell": atom_cell})
    links = atoms.merge(pairs, on="cell")[["atom", "place"]]
    has_cat = "category" in base.dims
    cat = base.dims["category"] if has_cat else np.full(size, TOTAL, dtype=np.int64)
    frames = []
    for grain in ("week", "month"):
        at = links if grain == "month" else links[links["place"] == FORCE]
        start = period_starts(base.day, grain)
        for with_cat in ((False, True) if has_cat else (False,)):
            a = at["atom"].to_numpy()
            unit, group = _units_of(at["place"].to_numpy(np.int64), start[a],
                                    cat[a] if with_cat else np.full(len(a), TOTAL, np.int64))
            count = len(unit["place"])
            unit["events"] = np.bincount(group, weights=base.n[a],
                                         minlength=count).astype(np.int64)
            unit["anon"] = np.bincount(group, weights=base.anon[a],
                                       minlength=count).astype(np.int64)
            fp = np.zeros(count, dtype=np.uint64)   # cell keys: sums of record keys
            np.add.at(fp, group, base.fingerprint[a])
            unit = pd.DataFrame(unit)
            unit["fp"] = fp
            if len(base.subject):
                unit["keyed"] = _keyed_people(base, group, a, len(unit))
            else:
                unit["keyed"] = 0
            unit["people"] = unit["anon"] + unit["keyed"]
            unit["grain"] = grain
            frames.append(unit)
    units = pd.concat(frames, ignore_index=True)
    units["rest"] = units["place"] < FORCE
    index = {k: i for i, k in enumerate(zip(units["grain"], units["place"], units["start"],
                                            units["cat"]))}
    people = units["people"].to_numpy(np.int64)
    events = units["events"].to_numpy(np.int64)
    rest = units["rest"].to_numpy(bool)
    threshold = protection.threshold
    shown = (people >= threshold) & ~rest
    groups = _category_relations(index, has_cat)
    _suppress_secondary(groups, shown, people, events, rest, threshold)
    place = units["place"].to_numpy(np.int64)
    released = np.zeros(len(units), dtype=np.int64)
    idx = np.flatnonzero(shown)
    released[idx] = perturb_counts(events[idx], units["fp"].to_numpy(np.uint64)[idx],
                                   threshold=threshold, rounding_base=protection.rounding_base,
                                   table=_tables(protection, place[idx]))
    unrounded = np.zeros(len(units), dtype=np.int64)
    unrounded[idx] = perturb_counts(events[idx], units["fp"].to_numpy(np.uint64)[idx],
                                    threshold=threshold,
                                    table=_tables(protection, place[idx]))
    _force_months_from_weeks(units, index, shown, released, unrounded, base, protection)
    rests = _force_quarter_rests(units, shown, base, protection)
    out = {}
    for grain in ("week", "month"):
        for with_cat in ((False, True) if has_cat else (False,)):
            pick = shown & (units["grain"].to_numpy() == grain) & \
                ((units["cat"].to_numpy() >= 0) == with_cat)
            idx = np.flatnonzero(pick)
            starts = units["start"].to_numpy(np.int64)[idx]
            frame = {"rung": np.zeros(len(idx), dtype=np.int64),
                     "cell": np.zeros(len(idx), dtype=np.uint64),
                     "resolution": np.full(len(idx), -1, dtype=np.int64),
                     "grain": np.full(len(idx), GRAINS.index(grain), dtype=np.int64),
                     "period_start": starts, "period_end": period_ends(starts, grain)}
            dims = ("category",) if with_cat else ()
            if with_cat:
                frame["category"] = units["cat"].to_numpy(np.int64)[idx]
            frame["count"] = released[idx]
            frame["anchor"] = np.zeros(len(idx), dtype=np.uint64)
            frame["place"] = place[idx]
            frame = pd.DataFrame(frame)
            if grain == "month":
                frame = pd.concat([frame, _rest_rows(rests, with_cat)], ignore_index=True)
            name = f"places-{grain}" + ("-c" if with_cat else "")
            out[name] = Protected(frame, np.zeros(0, np.int64),
                                  np.zeros(0, np.int64), (), threshold,
                                  protection.rounding_base, dims,
                                  np.zeros(len(frame), dtype=bool),
                                  {d: base.labels[d] for d in dims})
    return out


def _units_of(place: np.ndarray, start: np.ndarray, cat: np.ndarray) -> tuple[dict, np.ndarray]:
    """The units (place x period start x category) that rows fall in, sorted by those three,
    as columns; and each row's unit. Integer codes only: no table is grouped.

    The three are small integers, so one key orders them as the sort would: each offset from
    its least value, the place counted in blocks of every start and category, the start in
    blocks of every category.

    Examples
    --------
    >>> units, group = _units_of(np.array([-1, 4, -1]), np.array([7, 0, 0]),
    ...                          np.array([-1, -1, -1]))
    >>> units["place"].tolist(), units["start"].tolist(), group.tolist()
    ([-1, -1, 4], [0, 7, 0], [1, 2, 0])
    """
    columns = [np.asarray(c, dtype=np.int64) for c in (place, start, cat)]
    if not len(columns[0]):
        return {k: np.zeros(0, np.int64) for k in ("place", "start", "cat")}, \
            np.zeros(0, np.int64)
    low = [int(c.min()) for c in columns]
    span = [int(c.max()) - lo + 1 for c, lo in zip(columns, low)]
    if span[0] * span[1] * span[2] >= 1 << 62:     # never for places, weeks and categories
        raise ValueError("places, periods and categories too far apart to key in 64 bits")
    key = ((columns[0] - low[0]) * span[1] + (columns[1] - low[1])) * span[2] \
        + (columns[2] - low[2])
    group, keys = pd.factorize(key, sort=True)
    keys = np.asarray(keys, dtype=np.int64)
    units = {"place": keys // (span[1] * span[2]) + low[0],
             "start": keys // span[2] % span[1] + low[1],
             "cat": keys % span[2] + low[2]}
    return units, group.astype(np.int64)


#: ``rung`` of a places unit that is a *rest of the quarter* (shown only in a quarter, a year
#: or the whole period, never as a row of its own).
REST_RUNG = 1


def _force_quarter_rests(units, shown, base, protection) -> list[tuple]:
    """The force's *rest of each quarter*: the months hidden in it pooled into one unit, so
    that a quarter (and a year) counts what its hidden months hold without showing any of
    them. Returns ``(quarter start, category, figure)`` rows.

    A rest is shown (perturbed by its own cell key) when at least the threshold of people lie
    behind it *and* it pools two hidden months or more; a rest of one month, or of too few
    people, adds a fixed :func:`imputed_rest` when it holds any event (the same whatever it
    holds) and the quarter shows a month of its own (so that an estimate is never shown
    alone as a small figure). A quarter less its months is then a released figure of many
    people or that fixed estimate, never one hidden month.
    """
    grain = units["grain"].to_numpy()
    place = units["place"].to_numpy(np.int64)
    month_rows = np.flatnonzero((grain == "month") & (place == FORCE) & ~shown)
    if not len(month_rows):
        return []
    start = units["start"].to_numpy(np.int64)
    cat = units["cat"].to_numpy(np.int64)
    hidden = {(int(start[i]), int(cat[i])) for i in month_rows}
    has_cat = "category" in base.dims
    atom_cat = base.dims["category"] if has_cat else np.full(len(base), TOTAL)
    months = period_starts(base.day, "month")
    quarters = period_starts(base.day, "quarter")
    sub_of = defaultdict(list)
    for a, subj in zip(base.subject_atom.tolist(), base.subject.tolist()):
        sub_of[a].append(subj)
    pools = defaultdict(lambda: [0, 0, 0, set(), set()])   # events, anon, key, people, months
    for a in range(len(base)):
        for c in ((TOTAL, int(atom_cat[a])) if has_cat else (TOTAL,)):
            if (int(months[a]), c) in hidden:
                pool = pools[(int(quarters[a]), c)]
                pool[0] += int(base.n[a])
                pool[1] += int(base.anon[a])
                pool[2] = (pool[2] + int(base.fingerprint[a])) % (1 << 64)
                pool[3].update(sub_of.get(a, ()))
                pool[4].add(int(months[a]))
    shown_rows = np.flatnonzero((grain == "month") & (place == FORCE) & shown)
    with_shown = {(int(q), int(c)) for q, c in
                  zip(period_starts(start[shown_rows], "quarter"), cat[shown_rows])}
    out = []
    for (q, c), (events, anon, key, people, held) in sorted(pools.items()):
        if events <= 0:
            continue
        if anon + _people(base, people) >= protection.threshold and len(held) >= 2:
            figure = int(perturb_counts(np.array([events]), np.array([key], dtype=np.uint64),
                                        threshold=protection.threshold,
                                        rounding_base=protection.rounding_base,
                                        table=protection.ptables[0])[0])
        elif (q, c) in with_shown:   # an estimate only beside a shown month, never alone
            figure = int(round_counts([imputed_rest(protection.threshold)],
                                      protection.rounding_base)[0])
        else:
            figure = 0
        if figure:
            out.append((q, c, figure))
    return out


def _keyed_people(base, group: np.ndarray, atom: np.ndarray, units: int) -> np.ndarray:
    """Distinct keyed people of each unit: the most of any one key epoch (one person hashed
    with two keys is two codes).

    ``group[j]`` is the unit of link row ``j``, which holds atom ``atom[j]``; an atom may lie
    in several units (the force and its areas). Each (unit, subject) pair is counted once,
    with integer arrays only (no table of every subject of every unit is built).
    """
    atom = np.asarray(atom, dtype=np.int64)
    group_by_atom = np.asarray(group, dtype=np.int64)[np.argsort(atom, kind="stable")]
    links = np.bincount(atom, minlength=len(base))
    first = np.cumsum(links) - links
    sub_atom = np.asarray(base.subject_atom, dtype=np.int64)
    subject = np.asarray(base.subject, dtype=np.int64)
    if not len(subject):
        return np.zeros(units, dtype=np.int64)
    sub_links, sub_first = links[sub_atom], first[sub_atom]
    # a code held by one subject row makes one pair per unit of its atom, each distinct; only
    # codes held by several rows (one person in several atoms) are looked for twice
    several = np.bincount(subject)[subject] > 1
    unit_parts, row_parts = [], []           # each subject row once per unit its atom lies in
    for k in range(int(sub_links.max(initial=0))):   # the k-th unit of each row's atom
        rows = np.flatnonzero(sub_links > k)
        unit_parts.append(group_by_atom[sub_first[rows] + k])
        row_parts.append(rows)
    if not unit_parts:
        return np.zeros(units, dtype=np.int64)
    unit_of, row = np.concatenate(unit_parts), np.concatenate(row_parts)
    code, many = subject[row], several[row]
    twice = distinct_pairs(unit_of[many], code[many])
    return people_per_group(np.concatenate([unit_of[~many], twice[0]]),
                            np.concatenate([code[~many], twice[1]]),
                            np.asarray(getattr(base, "subject_epoch", ()), dtype=np.int64),
                            units)


def _epochs(base, codes) -> np.ndarray:
    """The key epoch of each subject code (0 when the key was never rotated)."""
    epoch = np.asarray(getattr(base, "subject_epoch", ()), dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    return epoch[codes] if len(epoch) else np.zeros(len(codes), dtype=np.int64)


def _people(base, codes: set) -> int:
    """Distinct keyed people among subject ``codes``: the most of any one key epoch."""
    if not codes:
        return 0
    return int(np.bincount(_epochs(base, sorted(codes))).max())


def _rest_rows(rests: list, with_cat: bool) -> pd.DataFrame:
    """The quarter rests of one places-month table (by category, or the totals)."""
    rows = [(q, c, f) for q, c, f in rests if (c >= 0) == with_cat]
    starts = np.array([q for q, _, _ in rows], dtype=np.int64)
    frame = {"rung": np.full(len(rows), REST_RUNG, dtype=np.int64),
             "cell": np.zeros(len(rows), dtype=np.uint64),
             "resolution": np.full(len(rows), -1, dtype=np.int64),
             "grain": np.full(len(rows), GRAINS.index("quarter"), dtype=np.int64),
             "period_start": starts, "period_end": period_ends(starts, "quarter")}
    if with_cat:
        frame["category"] = np.array([c for _, c, _ in rows], dtype=np.int64)
    frame["count"] = np.array([f for _, _, f in rows], dtype=np.int64)
    frame["anchor"] = np.zeros(len(rows), dtype=np.uint64)
    frame["place"] = np.full(len(rows), FORCE, dtype=np.int64)
    return pd.DataFrame(frame)


def _tables(protection, places) -> np.ndarray:
    """Per unit, its p-table's name: narrow for the force, wide for an area (or None)."""
    narrow, wide = protection.ptables
    return np.where(places == FORCE, narrow, wide).astype(object)


def imputed_rest(threshold: int) -> int:
    """What a month adds for a rest of too few people to show: a fixed estimate, the same
    whatever the rest holds, so the month less its weeks tells nothing of it.

    >>> imputed_rest(5), imputed_rest(3)
    (2, 1)
    """
    return threshold // 2


def _force_months_from_weeks(units, index, shown, released, unrounded, base, protection
                             ) -> None:
    """Make each shown force month the sum of its shown weeks' figures plus one *rest of the
    month* unit - its hidden weeks pooled, shown (perturbed) only when at least the threshold
    of people lie behind it. A month less its weeks is then that rest, a released figure or 0,
    never a hidden week (in place on ``released``). Where the audience's figures are rounded,
    the month rounds the sum of its parts' perturbed figures once (``unrounded``), so a
    month's error is not the sum of its weeks' roundings."""
    grain = units["grain"].to_numpy()
    place = units["place"].to_numpy(np.int64)
    start = units["start"].to_numpy(np.int64)
    cat = units["cat"].to_numpy(np.int64)
    weeks = np.flatnonzero((grain == "week") & (place == FORCE))
    month_of = period_starts(start[weeks], "month")
    hidden_weeks = {(int(m), int(c), int(w)) for m, c, w, ok in
                    zip(month_of, cat[weeks], start[weeks], shown[weeks]) if not ok}
    sums = defaultdict(int)
    for m, c, i in zip(month_of, cat[weeks], weeks):
        if shown[i]:
            sums[(int(m), int(c))] += int(unrounded[i])
    # the rest of each month: atoms of its hidden weeks
    has_cat = "category" in base.dims
    atom_cat = base.dims["category"] if has_cat else np.full(len(base), TOTAL)
    rests = defaultdict(lambda: [0, 0, np.uint64(0), set()])
    sub_of = defaultdict(list)
    if hidden_weeks:
        months = period_starts(base.day, "month")
        # only atoms of a hidden week are walked (found with arrays, not one by one)
        hidden = pd.MultiIndex.from_tuples(sorted(hidden_weeks))
        day = np.asarray(base.day, dtype=np.int64)
        candidate = np.zeros(len(base), dtype=bool)
        for c in ((np.full(len(base), TOTAL), atom_cat) if has_cat else
                  (np.full(len(base), TOTAL),)):
            candidate |= hidden.get_indexer(pd.MultiIndex.from_arrays(
                [np.asarray(months, dtype=np.int64), np.asarray(c, dtype=np.int64),
                 day])) >= 0
        keep = candidate[np.asarray(base.subject_atom, dtype=np.int64)]
        for a, subj in zip(np.asarray(base.subject_atom)[keep].tolist(),
                           np.asarray(base.subject)[keep].tolist()):
            sub_of[a].append(subj)
        for a in np.flatnonzero(candidate).tolist():
            for c in ((TOTAL, int(atom_cat[a])) if has_cat else (TOTAL,)):
                if (int(months[a]), c, int(base.day[a])) in hidden_weeks:
                    r = rests[(int(months[a]), c)]
                    r[0] += int(base.n[a])
                    r[1] += int(base.anon[a])
                    r[2] = np.uint64((int(r[2]) + int(base.fingerprint[a])) % (1 << 64))
                    r[3].update(sub_of.get(a, ()))
    for key, (n, anon, fp, subs) in rests.items():
        if anon + _people(base, subs) >= protection.threshold:
            sums[key] += int(perturb_counts(np.array([n]), np.array([fp], dtype=np.uint64),
                                            threshold=protection.threshold,
                                            table=protection.ptables[0])[0])
        elif n > 0 and key in sums:
            sums[key] += imputed_rest(protection.threshold)
    for (m, c), total in sums.items():
        i = index.get(("month", FORCE, m, c))
        if i is not None and shown[i]:
            released[i] = int(round_counts([total], protection.rounding_base)[0])
    for (m, c), (n, anon, fp, subs) in rests.items():
        i = index.get(("month", FORCE, m, c))
        if i is not None and shown[i] and (m, c) not in sums:
            released[i] = 0


def _category_relations(index, has_cat) -> list[list[int]]:
    """Every place-period total with its categories, as lists of unit rows (total first)."""
    out = []
    if has_cat:
        by_total = defaultdict(list)
        for (g, p, s, c), i in index.items():
            if c >= 0:
                by_total[(g, p, s)].append(i)
        for (g, p, s), members in by_total.items():
            parent = index.get((g, p, s, TOTAL))
            out.append(([parent] if parent is not None else []) + members)
    return [r for r in out if len(r) > 1]


def _suppress_secondary(groups, shown, people, events, rest, threshold) -> None:
    """Hide shown members until no relation holds exactly one hidden member that needs
    protecting (in place on ``shown``)."""
    secondary = np.zeros(len(shown), dtype=bool)
    changed = True
    while changed:
        changed = False
        for members in groups:
            needs = [m for m in members if not shown[m] and (people[m] < threshold
                                                              or secondary[m])
                     and people[m] > 0]
            if len(needs) != 1:
                continue
            candidates = [m for m in members[1:] if shown[m]] or \
                [m for m in members if shown[m]]
            if not candidates:
                continue
            pick = min(candidates, key=lambda m: (events[m], m))
            shown[pick] = False
            secondary[pick] = True
            changed = True


__all__ = ["FORCE", "TOTAL", "build_places"]
