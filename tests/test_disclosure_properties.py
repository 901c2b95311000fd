"""Property tests of disclosure control: random stores, every audience, attackers that try.

Each example writes random event counts (resolution-9 cells under two resolution-7 parents,
weeks across month, quarter and year boundaries, several breakdown values) straight into the
``facts`` table of a real DuckDB file, releases them for every audience through
:func:`profiles.release.api.release_counts`, and checks the layered release
(:mod:`profiles.release.layers`) against

* a slow, plain-Python *reference* of the documented method, written with ``h3`` and
  ``datetime`` rather than the engine's bit arithmetic: the hexagon layers (hexagon x quarter
  from the floor, hexagon x month one resolution coarser; breakdowns combined, then parent
  hexagons; distinct subjects; the pinning guard) unit for unit, and the places layers (the
  force by week, the force and each area by month, in total and by category: primary and
  secondary suppression, a month as its weeks plus a rest, a quarter as its months plus a
  rest) figure for figure. The reference is exact, so it is compared with the audience's
  policy set to ``perturbation = "none"``; the audience's own release must show the very
  same units, each moved by no more than its p-table allows
  (:data:`profiles.release.perturb.PTABLE`, :data:`~profiles.release.perturb.WIDE_PTABLE`);
* the invariants: no figure under the threshold, none finer than the floor, people (not
  sightings) decide what is shown, every view the sum of its layer's released units under
  the documented rules;
* a differencing attacker that subtracts nested figures (areas differing by one cell, weeks,
  months, quarters and years of the force, parents less children, categories, date ranges):
  within the hexagon layer a difference is whole units (0 or at least the threshold); across
  layers it may land on a hidden group's count by noise or a fixed estimate, but must never
  follow that count when only the hidden group changes (a twin store); and an interval
  attacker that bounds the parts of each rolled-up figure.
A fixed example shows the differencing attacker does recover values from a naive release.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import tempfile
import uuid
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles.store import database as store
from profiles.release.audiences import GRAINS, get_policy
from profiles.release.disclosure import COMBINED, COMBINED_DOW, round_counts
from profiles.release.ladder import Rung, make_ladder
from profiles.release.api import PERIODS, release_counts
from profiles.release.layers import HEX_ORDER
from profiles.release.perturb import PTABLE, WIDE_PTABLE
from profiles.release.places import imputed_rest

AUDIENCES = ("partnership", "command", "analyst")
FEED = "on_street"
#: How far perturbation moves a unit: the force's units and hexagon-quarters (narrow
#: p-table), an area's units and hexagon-months (wide p-table).
NARROW = max(abs(v) for v, _ in PTABLE)
WIDE = max(abs(v) for v, _ in WIDE_PTABLE)
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- the layout: 12 resolution-9 cells under two neighbouring resolution-7 parents ---------
_P7 = h3.latlng_to_cell(54.50, 1.00, 7)
_PARENTS7 = [_P7, sorted(set(h3.grid_disk(_P7, 1)) - {_P7})[0]]
CELLS = []
for _p7 in _PARENTS7:
    _c8s = sorted(h3.cell_to_children(_p7, 8))
    _mid = h3.cell_to_center_child(_p7, 8)
    for _p8 in (_mid, next(c for c in _c8s if c != _mid)):
        _c9s = sorted(h3.cell_to_children(_p8, 9))
        _centre = h3.cell_to_center_child(_p8, 9)
        CELLS += [_centre] + [c for c in _c9s if c != _centre][:2]
#: cells an area may hold: the event cells and the centre cells that anchor rolled-up hexagons
AREA_POOL = sorted(set(CELLS) | {h3.cell_to_center_child(h3.cell_to_parent(c, r), 9)
                                 for c in CELLS for r in range(5, 9)})
WEEKS = [dt.date(2024, 12, 30)] + [dt.date(2025, 3, 10) + dt.timedelta(weeks=i)
                                   for i in range(8)]
VALUES = {"category": ("incident", "kerb_crawling", "observation"),
          "detail": ("outreach", "police"), "band": ("evening", "night"), "dow": (4, 5)}

record = st.tuples(st.integers(0, len(CELLS) - 1), st.integers(0, len(WEEKS) - 1),
                   st.integers(0, 2), st.integers(0, 1), st.integers(0, 1), st.integers(0, 1),
                   st.integers(1, 6))
records_st = st.lists(record, min_size=1, max_size=45)
keyed_st = st.lists(st.tuples(record, st.sampled_from([None, None, "s1", "s2", "s3", "s4"])),
                    min_size=1, max_size=40)


# --- truth: the records as atoms at resolution 9 --------------------------------------------
def truth(records, subjects=None) -> pd.DataFrame:
    """One row per event record: cell (str), week (date), the four breakdowns, n, subject."""
    rows = []
    for i, (c, w, cat, det, band, dow, n) in enumerate(records):
        rows.append({"cell": CELLS[c], "week": WEEKS[w], "category": VALUES["category"][cat],
                     "detail": VALUES["detail"][det], "band": VALUES["band"][band],
                     "dow": VALUES["dow"][dow], "n": n,
                     "subject": subjects[i] if subjects else None})
    frame = pd.DataFrame(rows)
    frame["subject"] = pd.Series([r["subject"] for r in rows], dtype=object)
    return frame


@contextlib.contextmanager
def stored(events: pd.DataFrame):
    """A fresh DuckDB file holding ``events`` in facts (and subjects), as ingest would; it is
    deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="lantern-prop-") as tmp:
        path = Path(tmp) / f"{uuid.uuid4().hex}.duckdb"
        con = store.connect(path)
        frame = events.assign(cell=[h3.str_to_int(c) for c in events["cell"]],
                              week=pd.to_datetime(events["week"]),
                              keyed=events["subject"].notna().astype(int) * events["n"])
        con.register("ev", frame)
        con.execute("""INSERT INTO facts SELECT 'on_street', CAST(cell AS UBIGINT),
                       CAST(week AS DATE), dow, band, category, detail, sum(n), sum(keyed), 1
                       FROM ev GROUP BY ALL""")
        con.execute("""INSERT INTO subjects SELECT DISTINCT 'on_street', CAST(cell AS UBIGINT),
                       CAST(week AS DATE), dow, band, category, detail, hash(subject), 1
                       FROM ev WHERE subject IS NOT NULL""")   # a 64-bit stand-in hash
        con.close()
        yield path


@contextlib.contextmanager
def opened(events: pd.DataFrame, *, read_only: bool = False):
    """(path, connection) of a store holding ``events``; closed and deleted afterwards."""
    with stored(events) as path:
        con = store.connect(path, read_only=read_only)
        try:
            yield path, con
        finally:
            con.close()


# --- the reference: the documented method, slowly ---------------------------------------------
def bucket(week: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return week
    if grain == "month":
        return week.replace(day=1)
    if grain == "quarter":
        return dt.date(week.year, 3 * ((week.month - 1) // 3) + 1, 1)
    if grain == "year":
        return dt.date(week.year, 1, 1)
    return dt.date(1970, 1, 1)


def bucket_end(start: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return start + dt.timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    m = start.month - 1 + months
    return dt.date(start.year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def parent(cell: str, res: int) -> str:
    return cell if h3.get_resolution(cell) <= res else h3.cell_to_parent(cell, res)


def exact(policy):
    """The audience's policy with ``perturbation = "none"``: the same units, exact figures."""
    return replace(policy, perturbation="none")


def hex_dims(policy) -> tuple:
    """The hexagon layers' breakdowns: the audience's, in order of importance (HEX_ORDER)."""
    allowed = policy.breakdowns_for(FEED)
    return tuple(b for b in HEX_ORDER if b in allowed)


def hex_ladder_of(policy, grain: str) -> list:
    """The documented hexagon ladder, written out: the floor (one resolution coarser for
    months) x ``grain`` x every breakdown; breakdowns combined least important first; then
    parent hexagons, as many as the policy's ``space`` moves (never past resolution 0)."""
    dims = hex_dims(policy)
    res = policy.floor_for(FEED) - (1 if grain == "month" else 0)
    rungs = [Rung(res, grain, dims)]
    for kept in range(len(dims) - 1, -1, -1):
        rungs.append(Rung(res, grain, dims[:kept]))
    for _ in range(min(policy.rollup_for(FEED).count("space"), res)):
        rungs.append(Rung(rungs[-1].resolution - 1, grain, rungs[-1].kept))
    return rungs


def hex_reference(events: pd.DataFrame, policy, grain: str) -> list[dict]:
    """A hexagon layer's units (``grain`` quarter or month) by the documented method, with
    exact figures (``perturbation = "none"``)."""
    return rollup(events, hex_ladder_of(policy, grain), hex_dims(policy), policy.threshold,
                  policy.rounding_base)


def reference(events: pd.DataFrame, policy) -> list[dict]:
    """Units of the policy's own roll-up ladder from floor x week (the interval attacker's
    model of a pooled figure)."""
    return rollup(events, make_ladder(policy.resolution_floor, policy.breakdowns,
                                      policy.rollup),
                  policy.breakdowns, policy.threshold, policy.rounding_base)


def rollup(events: pd.DataFrame, ladder, dims, T: int, rounding_base: int) -> list[dict]:
    """Released units by adaptive roll-up along ``ladder`` (distinct subjects, the pinning
    guard, rounding), in plain Python."""
    floor = ladder[0].resolution
    atoms = {}
    for r in events.itertuples():
        key = (parent(r.cell, floor), r.week, tuple(getattr(r, d) for d in dims))
        a = atoms.setdefault(key, {"n": 0, "anon": 0, "subjects": set(), "rows": []})
        a["n"] += r.n
        a["rows"].append(r.Index)
        if r.subject is None:
            a["anon"] += r.n
        else:
            a["subjects"].add(r.subject)

    def key_at(atom, rung):
        cell, week, values = atom
        return (parent(cell, rung.resolution), bucket(week, rung.grain),
                tuple(v if d in rung.kept else None for d, v in zip(dims, values)))

    def possible(lower, upper, pool_key):
        """How many parts of ``lower`` the feed makes possible inside ``pool_key``."""
        if upper.resolution != lower.resolution:
            return len({parent(a[0], lower.resolution) for a in atoms
                        if parent(a[0], upper.resolution) == pool_key[0]})
        if upper.grain != lower.grain:
            return len({bucket(a[1], lower.grain) for a in atoms
                        if bucket(a[1], upper.grain) == pool_key[1]})
        d = dims.index(lower.kept[len(upper.kept)])
        return len({a[2][d] for a in atoms})

    residue, units, released_before = set(atoms), [], []
    for index, rung in enumerate(ladder):
        pools = defaultdict(list)
        for a in residue:
            pools[key_at(a, rung)].append(a)
        released_now, gone = [], set()
        for key, members in pools.items():
            n = sum(atoms[a]["n"] for a in members)
            people = sum(atoms[a]["anon"] for a in members) + len(
                set().union(*(atoms[a]["subjects"] for a in members)))
            if people < T:
                continue
            lowered = 0
            if index:
                lower = ladder[index - 1]
                parts = defaultdict(int)
                for a in members:
                    parts[key_at(a, lower)] += atoms[a]["n"]
                room = possible(lower, rung, key) - sum(
                    1 for k in released_before if key_at_key(k, rung, dims) == key)
                if len(parts) >= room and all(v == T - 1 for v in parts.values()):
                    lowered = 1
                    if n - 1 < T:
                        gone.update(members)
                        continue
            units.append({"rung": index, "key": key, "grain": rung.grain,
                          "resolution": rung.resolution, "atoms": set(members), "n": n,
                          "people": people, "lowered": bool(lowered),
                          "count": int(round_counts([n - lowered], rounding_base)[0]),
                          "rows": sorted(i for a in members for i in atoms[a]["rows"])})
            released_now.append(key)
            gone.update(members)
        residue -= gone
        released_before = released_now
    return units


def key_at_key(key, upper, dims):
    """The key at rung ``upper`` of a key at the rung below (keys nest)."""
    cell, start, values = key
    return (parent(cell, upper.resolution), bucket(start, upper.grain),
            tuple(v if d in upper.kept else None for d, v in zip(dims, values)))


def _shown(d, v):
    return (COMBINED_DOW if d == "dow" else COMBINED) if v is None else v


def unit_key(u, dims) -> tuple:
    """A unit as the key of its row in the finest view of its layer (without the count)."""
    cell, start, values = u["key"]
    return (cell, u["resolution"], start, u["grain"],
            *(_shown(d, v) for d, v in zip(dims, values)))


def unit_rows(units, dims) -> list[tuple]:
    """The reference units as rows of their layer's finest view (every breakdown)."""
    return sorted(((*unit_key(u, dims), u["count"]) for u in units), key=repr)


def frame_rows(frame, by) -> list[tuple]:
    def plain(v):
        return v.item() if hasattr(v, "item") else v

    return sorted(((r["h3_id"], int(r["resolution"]), r["period_start"], r["period_grain"],
                    *(plain(r[b]) for b in by), int(r["count"])) for _, r in frame.iterrows()),
                  key=repr)


def expected_view(units, dims, *, period, by, area=None, start=None, end=None, span=None):
    """A hexagon view by the documented rules, from its layer's units."""
    want = PERIODS.index(period)
    out = defaultdict(int)
    for u in units:
        cell, ustart, values = u["key"]
        if area is not None and h3.cell_to_center_child(cell, 9) not in area:
            continue
        if start is not None or end is not None:
            first = max(_next_monday(ustart), span[0])
            last = min(_prev_monday(bucket_end(ustart, u["grain"])), span[1])
            if (start is not None and first < start) or (end is not None and last > end):
                continue
        grain = PERIODS[max(GRAINS.index(u["grain"]), want)]
        shown = {d: _shown(d, v) for d, v in zip(dims, values)}
        out[(cell, u["resolution"], bucket(ustart, grain), grain,
             *(shown[b] for b in by))] += u["count"]
    return sorted(((*k, v) for k, v in out.items()), key=repr)


def _next_monday(d: dt.date) -> dt.date:
    return d + dt.timedelta(days=(7 - d.weekday()) % 7)


def _prev_monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def check_hex_layers(con, events, policy) -> dict:
    """Each hexagon layer's finest view: with exact figures, exactly the reference's units;
    with the audience's perturbation, the same units, each at least the threshold and within
    its p-table's reach of the exact figure. Returns {(grain, exact?): units with figures}."""
    dims, T = hex_dims(policy), policy.threshold
    out = {}
    for grain, reach in (("quarter", NARROW), ("month", WIDE)):
        units = hex_reference(events, policy, grain)
        for u in units:   # each released unit has enough people behind it
            assert u["people"] >= T
        known = release_counts(con, exact(policy), FEED, period=grain, by=dims,
                               place="hexagon").frame
        assert frame_rows(known, dims) == unit_rows(units, dims), grain
        moved = release_counts(con, policy, FEED, period=grain, by=dims, place="hexagon").frame
        rows = {r[:-1]: r[-1] for r in frame_rows(moved, dims)}
        assert sorted(rows, key=repr) == sorted((unit_key(u, dims) for u in units), key=repr)
        for frame in (known, moved):
            assert (frame["count"] >= T).all()
            assert (frame["count"] % policy.rounding_base == 0).all()
            assert (frame["resolution"] <= policy.resolution_floor).all()
            assert all(h3.get_resolution(h) == r
                       for h, r in zip(frame["h3_id"], frame["resolution"]))
        for u in units:
            assert abs(rows[unit_key(u, dims)] - u["count"]) <= reach, (grain, u["key"])
        out[(grain, True)] = units
        out[(grain, False)] = [dict(u, count=rows[unit_key(u, dims)]) for u in units]
    return out


# --- the places layers: the force by week, the force and each area by month -----------------
def place_truth(events, cells, grain, by_cat) -> dict:
    """{(period start, category or None): (events, people)} of one place (``cells`` None:
    the force), people being distinct keyed subjects plus events without a key."""
    acc = defaultdict(lambda: [0, 0, set()])
    for r in events.itertuples():
        if cells is not None and r.cell not in cells:
            continue
        a = acc[(bucket(r.week, grain), r.category if by_cat else None)]
        a[0] += r.n
        if r.subject is None:
            a[1] += r.n
        else:
            a[2].add(r.subject)
    return {k: (n, anon + len(s)) for k, (n, anon, s) in acc.items()}


def _pooled(events, cells, keys, grain, by_cat) -> tuple:
    """(events, people, periods held) of the atoms of a place in the period units ``keys``."""
    n, anon, subjects, held = 0, 0, set(), set()
    for r in events.itertuples():
        if cells is not None and r.cell not in cells:
            continue
        k = (bucket(r.week, grain), r.category if by_cat else None)
        if k in keys:
            n += r.n
            held.add(k[0])
            if r.subject is None:
                anon += r.n
            else:
                subjects.add(r.subject)
    return n, anon + len(subjects), held


def place_rows(con, policy, period, area, by_cat) -> dict:
    """{(period start, category or None): count} of a places view of one place."""
    frame = release_counts(con, policy, FEED, period=period, area=area,
                           by=("category",) if by_cat else (), place="area").frame
    assert (frame["period_grain"] == period).all() and frame["h3_id"].isna().all()
    return {(r["period_start"], r["category"] if by_cat else None): int(r["count"])
            for _, r in frame.iterrows()}


def check_places(con, events, policy, areas=()) -> None:
    """The places layers by the documented method, with exact figures and with the audience's
    perturbation: only units of at least the threshold of *people* are shown (and every
    smaller one is hidden); a shown unit is its true events (exactly, or within its p-table's
    reach); no total-and-categories relation holds a lone hidden member; the force's month
    is its shown weeks plus its rest (the hidden weeks pooled: their events when enough people
    lie behind them, else the fixed estimate); a quarter is its months plus, for the force,
    the rest of its hidden months (the same: their events when two or more months and enough
    people, else the estimate beside a shown month); a year is its quarters. ``areas`` are
    (name, cells)."""
    T = policy.threshold
    cats = (False, True) if "category" in policy.breakdowns_for(FEED) else (False,)
    imputed = int(round_counts([imputed_rest(T)], policy.rounding_base)[0])
    shown = {}
    for known in (True, False):
        pol = exact(policy) if known else policy
        for by_cat in cats:
            for name, cells in [(None, None), *areas]:
                for grain in (("week", "month") if name is None else ("month",)):
                    rows = place_rows(con, pol, grain, name, by_cat)
                    real = place_truth(events, cells, grain, by_cat)
                    assert set(rows) <= set(real), (grain, name)
                    for k, (n, people) in real.items():
                        if people < T:   # primary suppression, by distinct people
                            assert k not in rows, (grain, name, k, n, people)
                    for k, v in rows.items():
                        assert real[k][1] >= T and v >= T, (grain, name, k)
                        if known and not (grain == "month" and name is None):
                            assert v == real[k][0], (grain, name, k)
                    shown[(known, by_cat, name, grain)] = rows
    for by_cat in cats:
        for name, cells in [(None, None), *areas]:
            for grain in (("week", "month") if name is None else ("month",)):
                e, p = shown[(True, by_cat, name, grain)], shown[(False, by_cat, name, grain)]
                assert set(e) == set(p)   # perturbation never decides what is hidden
                reach = NARROW if name is None else WIDE
                if not (grain == "month" and name is None):
                    assert all(abs(p[k] - e[k]) <= reach for k in e), (name, grain)
    if len(cats) == 2:   # categories: never one hidden member in a total and its categories
        for known in (True, False):
            for name, cells in [(None, None), *areas]:
                for grain in (("week", "month") if name is None else ("month",)):
                    total = shown[(known, False, name, grain)]
                    by_cat = shown[(known, True, name, grain)]
                    real = place_truth(events, cells, grain, True)
                    for start in {k[0] for k in real}:
                        members = [(start, None) in total] + [
                            k in by_cat for k in real if k[0] == start]
                        assert members.count(False) != 1, (known, name, grain, start)
    for by_cat in cats:
        rests = {}
        for known in (True, False):
            pol = exact(policy) if known else policy
            weeks = shown[(known, by_cat, None, "week")]
            months = shown[(known, by_cat, None, "month")]
            real_w = place_truth(events, None, "week", by_cat)
            for (m, c), figure in months.items():   # the force's month: weeks plus a rest
                mine = [k for k in real_w if bucket(k[0], "month") == m and k[1] == c]
                hidden = {k for k in mine if k not in weeks}
                n, people, _ = _pooled(events, None, hidden, "week", by_cat)
                rest = figure - sum(weeks[k] for k in mine if k in weeks)
                if known:
                    want = n if people >= T else (imputed if n and len(hidden) < len(mine)
                                                  else 0)
                    assert rest == want, (m, c, rest, n, people)
                    rests[(m, c)] = (rest, people >= T)
                else:
                    e, moved = rests[(m, c)]
                    assert rest == e or (moved and abs(rest - e) <= NARROW and rest >= T)
            for name, cells in [(None, None), *areas]:   # a quarter: its months (+ a rest)
                months = shown[(known, by_cat, name, "month")]
                quarters = place_rows(con, pol, "quarter", name, by_cat)
                years = place_rows(con, pol, "year", name, by_cat)
                real_m = place_truth(events, cells, "month", by_cat)
                for q in {(bucket(k[0], "quarter"), k[1]) for k in real_m} | set(quarters):
                    mine = [k for k in real_m if (bucket(k[0], "quarter"), k[1]) == q]
                    got = quarters.get(q, 0) - sum(months.get(k, 0) for k in mine)
                    if name is not None:
                        assert got == 0, (name, q)
                        continue
                    hidden = {k for k in mine if k not in months}
                    n, people, held = _pooled(events, None, hidden, "month", by_cat)
                    big = people >= T and len(held) >= 2
                    if known:   # an estimate only beside a shown month, never alone
                        want = n if big else (imputed if n and len(hidden) < len(mine)
                                              else 0)
                        assert got == want, (q, got, n, people, held)
                        rests[("q", q)] = got
                    else:
                        e = rests[("q", q)]
                        assert got == e or (big and abs(got - e) <= NARROW and got >= T)
                for y in {(bucket(k[0], "year"), k[1]) for k in quarters} | set(years):
                    assert years.get(y, 0) == sum(v for k, v in quarters.items()
                                                  if (bucket(k[0], "year"), k[1]) == y)


# --- the properties -----------------------------------------------------------------------------
@SETTINGS
@given(records=records_st, data=st.data())
def test_release_matches_reference_and_every_view_sums_released_units(records, data):
    events = truth(records)
    with opened(events) as (path, con):
        span = (min(events["week"]), max(events["week"]))
        areas = []
        for _ in range(2):   # areas loaded as the public loads them (one type: may overlap)
            cells = frozenset(data.draw(st.sets(st.sampled_from(AREA_POOL), min_size=1),
                                        label="area"))
            areas.append((_add_area(con, cells), cells))
        for audience in AUDIENCES:
            policy = get_policy(audience)
            dims = hex_dims(policy)
            layers = check_hex_layers(con, events, policy)
            check_places(con, events, policy, areas)
            for _ in range(3):   # any hexagon view is the sum of its layer's units
                period = data.draw(st.sampled_from(PERIODS), label="period")
                by = tuple(data.draw(st.lists(st.sampled_from(dims), unique=True,
                                              max_size=2), label="by"))
                area = data.draw(st.none() | st.sampled_from(areas), label="area")
                start = data.draw(st.none() | st.sampled_from(WEEKS), label="start")
                end = data.draw(st.none() | st.sampled_from(WEEKS), label="end")
                grain = "month" if period in ("week", "month") else "quarter"
                for known in (True, False):
                    got = release_counts(con, exact(policy) if known else policy, FEED,
                                         period=period, by=by, area=area and area[0],
                                         start=start, end=end, place="hexagon")
                    assert frame_rows(got.frame, by) == expected_view(
                        layers[(grain, known)], dims, period=period, by=by,
                        area=area and area[1], start=start, end=end, span=span)
                    assert (got.frame["count"] >= policy.threshold).all()
                    assert got.total == sum(got.frame["count"])


def _add_area(con, cells) -> str:
    """Load ``cells`` (a set of resolution-9 cells) as a new area; return its name."""
    name = f"area-{uuid.uuid4().hex[:8]}"
    area_id = store.fetch_row(con, "SELECT coalesce(max(area_id), 0) + 1 FROM areas")[0]
    con.execute("INSERT INTO areas VALUES (?, ?, 'beat', 1)", [area_id, name])
    con.executemany("INSERT INTO area_cells VALUES (?, ?)",
                    [[area_id, h3.str_to_int(c)] for c in sorted(cells)])
    return name


def _release(con, path, policy, period, by, area, start, end):
    """Release through the public API (``con`` writable); an area is loaded as a new area."""
    name = _add_area(con, area) if area is not None else None
    return release_counts(con, policy, FEED, period=period, by=by, area=name,
                          start=start, end=end)


@SETTINGS
@given(records=keyed_st)
def test_thresholds_count_distinct_people_not_sightings(records):
    events = truth([r for r, _ in records], [s for _, s in records])
    with opened(events, read_only=True) as (path, con):
        for audience in ("partnership", "command"):
            policy = get_policy(audience)
            layers = check_hex_layers(con, events, policy)   # the reference counts people
            for grain in ("quarter", "month"):
                for u in layers[(grain, True)]:
                    people = events.loc[u["rows"]]
                    distinct = people["subject"].dropna().nunique() + people.loc[
                        people["subject"].isna(), "n"].sum()
                    assert distinct == u["people"] >= policy.threshold
            check_places(con, events, policy)   # shown exactly when people >= threshold


# --- attackers -----------------------------------------------------------------------------
# A figure is (family, selector, value, rows it claims to cover). Within a family, and against
# the whole-store total, a figure *inside* another selects a subset of it by the documented
# rules (a sub-area, a hexagon inside a hexagon, a week inside its month, a date range inside
# another, a category inside everything), which is what lets an attacker subtract one from the
# other. Figures of different families (an area against a hexagon) are assigned by different
# rules; that every one of them is a sum of released units is checked above.
def figures(events, release, policy, areas, *, kinds=("area", "period", "category", "hex",
                                                       "range")) -> list[tuple]:
    rows = {i: r for i, r in events.iterrows()}

    def scope(pred):
        return frozenset(i for i, r in rows.items() if pred(r))

    out = [("whole", None, release("all", (), None, None, None).total, scope(lambda r: True))]
    if "area" in kinds:
        for area in areas:
            out.append(("area", area, release("all", (), area, None, None).total,
                        scope(lambda r, a=area: r["cell"] in a)))
    if "period" in kinds:
        for grain in ("week", "month", "quarter", "year"):
            frame = release(grain, (), None, None, None).frame
            for start, grp in frame[frame["period_grain"] == grain].groupby("period_start"):
                out.append(("period", (GRAINS.index(grain), start), int(grp["count"].sum()),
                            scope(lambda r, s=start, g=grain: bucket(r["week"], g) == s)))
    if "category" in kinds and "category" in policy.breakdowns:
        frame = release("all", ("category",), None, None, None).frame
        for cat, grp in frame[frame["category"] != COMBINED].groupby("category"):
            out.append(("category", cat, int(grp["count"].sum()),
                        scope(lambda r, c=cat: r["category"] == c)))
    if "hex" in kinds:
        frame = release("all", (), None, None, None).frame
        hexes = {parent(h, k) for h in frame["h3_id"] for k in range(5, h3.get_resolution(h) + 1)}
        for hexagon in sorted(hexes):
            res = h3.get_resolution(hexagon)
            inside = [parent(h, res) == hexagon for h in frame["h3_id"]]
            out.append(("hex", hexagon, int(frame.loc[inside, "count"].sum()),
                        scope(lambda r, x=hexagon, k=res: parent(r["cell"], k) == x)))
    if "range" in kinds:
        for s, e in itertools.combinations(WEEKS[::2], 2):
            out.append(("range", (s, e), release("all", (), None, s, e).total,
                        scope(lambda r, s=s, e=e: s <= r["week"] <= e)))
    return out


def inside(f1, f2) -> bool:
    """True when figure ``f1`` selects a strict subset of what ``f2`` selects."""
    (fam1, sel1), (fam2, sel2) = f1[:2], f2[:2]
    if fam2 == "whole":
        return fam1 != "whole"
    if fam1 != fam2 or sel1 == sel2:
        return False
    if fam1 == "area":
        return sel1 < sel2
    if fam1 == "hex":
        return h3.get_resolution(sel1) > h3.get_resolution(sel2) and \
            h3.cell_to_parent(sel1, h3.get_resolution(sel2)) == sel2
    if fam1 == "period":
        return sel1[0] < sel2[0] and bucket(sel1[1], GRAINS[sel2[0]]) == sel2[1]
    if fam1 == "range":
        return sel2[0] <= sel1[0] and sel1[1] <= sel2[1]
    return False


def disjoint(f1, f2) -> bool:
    """True when two figures of one family select disjoint parts."""
    if f1[0] != f2[0] or f1[0] == "whole" or f1[1] == f2[1] or inside(f1, f2) or \
            inside(f2, f1):
        return False
    if f1[0] == "area":
        return not f1[1] & f2[1]
    if f1[0] == "range":
        return f1[1][1] < f2[1][0] or f2[1][1] < f1[1][0]
    return True


def paths(events, figs, threshold) -> list[tuple]:
    """Every difference of nested figures - a figure less one inside it, or less two disjoint
    figures inside it - whose rows left over hold an under-threshold group of events:
    ``(figures subtracted (whole first), target rows, its true count, the difference)``."""
    n = events["n"].to_dict()
    found = []

    def hidden_value(rows):
        value = sum(n[i] for i in rows)
        return value if 1 <= value < threshold else None

    for f1, f2 in itertools.permutations(figs, 2):
        if inside(f1, f2):
            target = hidden_value(f2[3] - f1[3])
            if target is not None:
                found.append(((f2, f1), f2[3] - f1[3], target, f2[2] - f1[2]))
    for f3 in figs:
        within = [f for f in figs if inside(f, f3)]
        for f1, f2 in itertools.combinations(within, 2):
            if disjoint(f1, f2):
                target = hidden_value(f3[3] - f1[3] - f2[3])
                if target is not None:
                    found.append(((f3, f1, f2), f3[3] - f1[3] - f2[3], target,
                                  f3[2] - f1[2] - f2[2]))
    return found


def attack(events, figs, threshold) -> list[tuple]:
    """Differences of nested figures that equal the true count of an under-threshold group of
    events: each is a recovery (of exact figures; with noise, see :func:`pinned`)."""
    return [(("pair", path[1][2], path[0][2]) if len(path) == 2 else
             ("triple", path[1][2], path[2][2], path[0][2])) + (target,)
            for path, _, target, diff in paths(events, figs, threshold) if diff == target]


def twin(events, rows, threshold) -> tuple[pd.DataFrame, int]:
    """The same store with only the target group changed, still under the threshold: one
    more event when there is room, else one fewer. Returns (events, its new true count)."""
    rows = sorted(rows)
    value = int(events.loc[rows, "n"].sum())
    out = events.copy()
    if value + 1 < threshold:
        out.loc[rows[0], "n"] += 1
        return out, value + 1
    bigger = [i for i in rows if out.loc[i, "n"] > 1]
    if bigger:
        out.loc[bigger[0], "n"] -= 1
    else:
        out = out.drop(index=rows[0])
    return out, value - 1


def pinned(events, figs, threshold, again) -> list[tuple]:
    """Paths whose difference equals the hidden group's true count *and still does* when
    only that group changes (``again(twin events)`` gives the twin store's figures, keyed by
    (family, selector)): a difference that follows the hidden value pins it; one that equals
    it by chance (noise, a fixed estimate) does not."""
    hits = [p for p in paths(events, figs, threshold) if p[3] == p[2]]
    found, twins = [], {}
    for path, rows, target, diff in hits:
        if rows not in twins:
            changed, value = twin(events, rows, threshold)
            twins[rows] = (again(changed), value)
        other, value = twins[rows]
        if not all(f[:2] in other for f in path):
            continue   # the twin shows no such figure: nothing to follow
        moved = other[path[0][:2]] - sum(other[f[:2]] for f in path[1:])
        if moved == value:
            found.append((tuple(f[:2] for f in path), target, diff, value, moved))
    return found


@settings(SETTINGS, max_examples=8)
@given(records=records_st, data=st.data())
def test_differencing_attacker_recovers_no_hidden_value(records, data):
    """Every difference of nested figures an attacker can form, for every audience, with
    exact figures and with the audience's perturbation: within the hexagon layer (areas,
    hexagons, date ranges, categories, the whole) it is a sum of whole released units (0 or
    at least the threshold); across layers (the force's weeks, months, quarters and years
    against each other and the whole) it may land on a hidden group's count, by noise or a
    fixed estimate, but never follows it when only that group changes."""
    events = truth(records)
    areas = []
    for _ in range(3):   # random areas and the same areas plus or minus one cell
        area = frozenset(data.draw(st.sets(st.sampled_from(AREA_POOL), min_size=1)))
        extra = data.draw(st.sampled_from(AREA_POOL))
        areas += [area, area | {extra}, area - {extra}]
    areas = [a for a in dict.fromkeys(areas) if a]

    def figures_of(evs, policy):
        with opened(evs) as (path, con):
            def release(period, by, area, start, end):
                return _release(con, path, policy, period, by, area, start, end)

            return figures(evs, release, policy, areas)

    tried = 0
    for audience in AUDIENCES:
        for policy in (exact(get_policy(audience)), get_policy(audience)):
            T = policy.threshold
            figs = figures_of(events, policy)

            def again(evs, policy=policy):
                return {f[:2]: f[2] for f in figures_of(evs, policy)}

            assert pinned(events, figs, T, again) == []
            for f1, f2 in itertools.permutations(figs, 2):
                if inside(f1, f2) and "period" not in (f1[0], f2[0]):
                    tried += 1   # one layer's units: a nested difference is whole units
                    assert f2[2] - f1[2] == 0 or f2[2] - f1[2] >= T, (f1[:3], f2[:3])
    assert tried > 0


def test_differencing_attacker_does_recover_values_from_a_naive_release():
    """The attacker has teeth: against per-view suppression it finds the hidden cell."""
    records = [(0, 1, 0, 0, 0, 0, 2), (3, 1, 0, 0, 0, 0, 6), (3, 2, 0, 0, 0, 0, 4)]
    events = truth(records)
    policy = get_policy("command")
    small, big = CELLS[0], CELLS[3]

    class Naive:   # each view computed afresh from raw events; cells under 3 not listed
        def __init__(self, ev):
            frame = ev.groupby("cell", as_index=False)["n"].sum()
            self.frame = frame[frame["n"] >= policy.threshold]
            self.total = int(ev["n"].sum())   # the total, from raw: the flaw

    def naive_of(evs):
        def naive(period, by, area, start, end):
            return Naive(evs if area is None else evs[evs["cell"].isin(area)])
        return naive

    areas = [frozenset({big}), frozenset({big, small})]
    figs = figures(events, naive_of(events), policy, areas, kinds=("area",))
    found = attack(events, figs, policy.threshold)
    assert ("pair", 10, 12, 2) in found

    def again(evs):   # the same release of a twin store: the difference follows the cell
        return {f[:2]: f[2] for f in figures(evs, naive_of(evs), policy, areas,
                                             kinds=("area",))}

    assert (((("area", areas[1]), ("area", areas[0])), 2, 2, 1, 1)
            in pinned(events, figs, policy.threshold, again))
    with opened(events) as (path, con):

        def release(period, by, area, start, end):
            return _release(con, path, policy, period, by, area, start, end)

        assert attack(events, figures(events, release, policy, areas), policy.threshold) == []


@SETTINGS
@given(records=records_st)
def test_interval_attacker_cannot_pin_the_parts_of_a_rolled_up_figure(records):
    """Each part of a pooled figure is known to be under the threshold; with the shown value
    (and what rounding and lowering allow) no part is ever narrowed to a single value."""
    events = truth(records)
    checked = 0
    for audience in AUDIENCES:
        policy = get_policy(audience)
        T, base = policy.threshold, policy.rounding_base
        ladder = make_ladder(policy.resolution_floor, policy.breakdowns, policy.rollup)
        units = reference(events, policy)
        for u in units:
            if not u["rung"]:
                continue
            lower, upper = ladder[u["rung"] - 1], ladder[u["rung"]]
            room = _room(events, policy, units, u, lower, upper)
            shown = u["count"]
            totals = [r for r in range(T, room * (T - 1) + 1)
                      if round_counts([r], base)[0] == shown
                      or (r == room * (T - 1) and round_counts([r - 1], base)[0] == shown)]
            assert u["n"] in totals or u["n"] > room * (T - 1)
            if u["n"] > room * (T - 1):
                continue   # parts hold more events than people (keyed): no bound to use
            low = max(0, min(totals) - (room - 1) * (T - 1))
            high = min(T - 1, max(totals))
            assert low < high, (audience, u["key"], shown, room)
            checked += 1
    assert checked or not any(u["rung"] for a in AUDIENCES
                              for u in reference(events, get_policy(a)))


def _room(events, policy, units, unit, lower, upper) -> int:
    """Parts of ``lower`` the feed makes possible inside ``unit``, less those released."""
    dims = policy.breakdowns
    key = unit["key"]
    if upper.resolution != lower.resolution:
        possible = {parent(c, lower.resolution) for c in events["cell"]
                    if parent(c, upper.resolution) == key[0]}
    elif upper.grain != lower.grain:
        possible = {bucket(w, lower.grain) for w in events["week"]
                    if bucket(w, upper.grain) == key[1]}
    else:
        possible = set(events[lower.kept[len(upper.kept)]])
    shown_below = sum(1 for u in units if u["rung"] == unit["rung"] - 1
                      and key_at_key(u["key"], upper, dims) == key)
    return len(possible) - shown_below


def test_pinning_guard_shows_a_pinned_pool_one_lower():
    """Two days of 2 events each (threshold 3): a pooled 4 would give both away; it shows 3,
    the same as a pool of 2 + 1 would."""
    pinned = [(0, 1, 0, 0, 0, 0, 2), (0, 1, 0, 0, 0, 1, 2)]
    natural = [(0, 1, 0, 0, 0, 0, 2), (0, 1, 0, 0, 0, 1, 1)]
    shown = []
    for records in (pinned, natural):
        with opened(truth(records), read_only=True) as (path, con):
            frame = release_counts(con, "command", "on_street", period="week",
                                   by=("category", "detail", "band", "dow")).frame
        assert len(frame) == 1 and frame["dow"].iloc[0] == COMBINED_DOW
        shown.append(int(frame["count"].iloc[0]))
    assert shown == [3, 3]


@pytest.mark.parametrize("audience", AUDIENCES, ids=AUDIENCES)
def test_reference_layout_spans_boundaries(audience):
    """The generated layout really exercises every rung (guards the generators above)."""
    policy = get_policy(audience)
    assert len({parent(c, policy.resolution_floor) for c in CELLS}) > 1
    assert len({h3.cell_to_parent(c, 7) for c in CELLS}) == 2
    assert {bucket(w, "quarter") for w in WEEKS} == {dt.date(2024, 10, 1), dt.date(2025, 1, 1),
                                                     dt.date(2025, 4, 1)}
    assert np.isin([h3.cell_to_center_child(h3.cell_to_parent(CELLS[0], 7), 9)],
                   AREA_POOL).all()
