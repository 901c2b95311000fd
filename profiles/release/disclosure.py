"""The disclosure-control engine: one protected base table per audience and feed.

Method
------
**1. One base table.** A feed's facts are summed to the audience's *base grain*: H3 cell at the
audience's resolution floor x ISO week x every breakdown value the audience may see. Each row
of it is an *atom*. An atom's size in *units* is the number of people or premises behind it:
distinct keyed subjects plus events without a key (each taken as a different person), so ten
sightings of one person are one unit. The figure shown is the number of events.

**2. Adaptive roll-up (primary protection).** An atom of at least ``threshold`` units is released
as it is. The others (the residue) climb the policy's roll-up *ladder* one rung at a time: to
the H3 parent (space), to the month, quarter and year the week's Monday falls in (time), or
with the least important breakdown combined. At each rung the residue atoms sharing the rung's
key are pooled, distinct subjects counted across the pool; a pool of at least ``threshold``
units is released as one *unit* at that rung (a coarser hexagon, a longer period, or a
breakdown shown as ``(combined)``), and the rest climb on. What is still under the threshold at
the top rung is hidden. Rungs nest (a key at one rung fixes the key at the next), so the units
are disjoint, and units plus hidden remainder partition the atoms. A unit's figure is what its
hexagon, period and breakdown hold *beyond* the finer units shown inside them.

**3. No pinning.** The parts of a pool (the groups of the rung below whose residue it pools)
are each known to hold fewer than ``threshold`` units. A reader who knows which parts are
*possible* - the hexagons, periods or breakdown values where this feed holds data at all, less
those shown at the rung below - could pin every part if all of them were present and each held
exactly ``threshold - 1`` events (two parts, threshold 3: a figure of 4 means 2 and 2). Such a
pool is shown one lower (so it could equally be a pool with one part one smaller), or hidden if
that would take it under the threshold. A reader may still tell that a hidden part holds
between 1 and ``threshold - 1`` (as with any published table that suppresses small cells),
never its value.

**4. Secondary suppression, by construction.** Nothing is computed from raw facts after the
roll-up. Every figure any view shows - a hexagon in a week or a month, an area total, a
category sum, the force total - is the sum of whole released units, each unit going to exactly
one bucket of the view by a rule that reads only the unit's own cell, period and breakdown
values, never the data behind it:

* a period view puts a unit in the period holding its own period (a unit longer than the view's
  period keeps its own, longer period and says so);
* an area holds a unit when the unit hexagon's *centre cell* at the store's base resolution lies
  in the area (a hexagon straddling a boundary goes wholly to one side, as best-fit does for
  census geographies), never by where its events were;
* a date range holds a unit when the unit's whole period (within the loaded weeks) lies inside
  it.

Hidden atoms enter no figure. So every combination of figures the audience can see - totals
less parts, a month less its weeks, one area less another that differs by one cell, a parent
less its children - is a combination of released units, which the finest view (``period="week"``
with every allowed breakdown) already lists one by one. The difference of two nested figures is
a sum of whole units: zero, or at least the threshold. No combination can split a unit into its
atoms or reach a hidden atom: the release does not change when their values do.

**5. Rounding.** Where the policy asks, each unit's figure is rounded (half up) to the base, and
every derived figure adds rounded units, so totals cannot betray unrounded values. With the
threshold at least the base, a shown unit never rounds below the base.

Examples
--------
>>> import numpy as np
>>> base = BaseTable(cell=np.array([0x8928308280fffff] * 2, dtype=np.uint64),
...                  day=np.array([19723, 19730]), dims={}, n=np.array([4, 2]),
...                  anon=np.array([4, 2]))
>>> from profiles.release.ladder import make_ladder
>>> ladder = make_ladder(9, (), ("time",))
>>> prot = protect(base, ladder, threshold=3)
>>> [(u.resolution, GRAINS[u.grain], u.count) for u in prot.units.itertuples()]
[(9, 'week', 4)]
>>> prot.atom_unit.tolist()   # the second week's 2 units stay hidden even for the month
[0, -1]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.cells import BASE_RESOLUTION, cells_to_parents
from profiles.release.audiences import GRAINS
from profiles.release.ladder import Rung
from data_contracts.periods import period_ends, period_starts
from profiles.release.nesting import cells_to_center_children

#: The breakdown value of a unit whose breakdown was combined by the roll-up.
COMBINED = "(combined)"
#: Day-of-week value of a unit whose day of week was combined (``dow`` stays an integer).
COMBINED_DOW = -1


@dataclass
class BaseTable:
    """The base table before protection: one atom per floor cell x week x breakdown values.

    Attributes
    ----------
    cell : uint64 array, cells at the audience's resolution floor
    day : int array, the week's Monday as days since 1970-01-01
    dims : dict of breakdown name -> int array of codes into ``labels[name]``
    labels : dict of breakdown name -> array of the values (``dow`` as integers 0-6)
    n : int array, events
    anon : int array, events without a subject key (each one unit)
    subject_atom, subject : int arrays, one row per distinct (atom, keyed subject)
    subject_epoch : int array, per subject code, the key it was hashed with (0 before the
        first key rotation, 1 after it, ...; empty when the key was never rotated). One
        person hashed with two keys is two codes, so where a group holds codes of several
        epochs its people are counted as the most of any one epoch: a lower bound, never a
        person counted twice.
    """

    cell: np.ndarray
    day: np.ndarray
    dims: dict
    n: np.ndarray
    anon: np.ndarray
    subject_atom: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    subject: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    labels: dict = field(default_factory=dict)
    subject_epoch: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.n)

    @classmethod
    def from_values(cls, cell, day, values: dict, n, anon, subject_atom=(), subject=()):
        """Return a base table from breakdown *values* (coded here, sorted).

        Examples
        --------
        >>> t = BaseTable.from_values([1, 1], [0, 7], {"category": ["b", "a"]}, [1, 2], [1, 2])
        >>> t.dims["category"].tolist(), t.labels["category"].tolist()
        ([1, 0], ['a', 'b'])
        """
        dims, labels = {}, {}
        for name, column in values.items():
            codes, uniques = pd.factorize(np.asarray(column), sort=True)
            dims[name] = codes.astype(np.int64)
            labels[name] = np.asarray(uniques)
        return cls(np.asarray(cell, dtype=np.uint64), np.asarray(day, dtype=np.int64), dims,
                   np.asarray(n, dtype=np.int64), np.asarray(anon, dtype=np.int64),
                   np.asarray(subject_atom, dtype=np.int64),
                   pd.factorize(np.asarray(subject))[0].astype(np.int64) if len(subject)
                   else np.zeros(0, np.int64), labels)


@dataclass
class Protected:
    """A protected base table: the released units, and where each atom went.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per released unit: ``rung``, ``cell`` (uint64), ``resolution``, ``grain``
        (index into :data:`~profiles.release.audiences.GRAINS`), ``period_start`` / ``period_end``
        (days since 1970-01-01, first and last day of the unit's period), one column per
        breakdown (a code into ``labels``, -1 where combined), ``count`` (rounded events) and
        ``anchor`` (the centre cell at the base resolution that places the unit in areas).
        Every released figure is a sum of these counts.
    labels : dict
        Breakdown name -> array of its values; see :meth:`values`.
    atom_unit : int array
        Per atom, the row of ``units`` it went to, or -1 when hidden (empty in the tables the
        release layer caches; see :func:`profiles.release.api.protected_table`).
    atom_n : int array
        Per atom, its events: for the policy owner's utility report, never released (empty
        in cached tables).
    ladder : tuple of Rung
    lowered : bool array
        Per unit, True when its figure was shown one lower so as not to pin its parts. Never
        released: knowing it would pin them.
    """

    units: pd.DataFrame
    atom_unit: np.ndarray
    atom_n: np.ndarray
    ladder: tuple
    threshold: int
    rounding_base: int
    dims: tuple
    lowered: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    labels: dict = field(default_factory=dict)

    def arrays(self) -> dict:
        """The units as plain arrays for fast views, computed once: ``cell_rank`` (rank of the
        unit's cell among the sorted released cells), ``cells`` (those cells), ``h3_ids``
        (their string ids), and ``grain``, ``period_start``, ``period_end``, ``count``,
        ``anchor`` and each breakdown's codes."""
        cached = getattr(self, "_arrays", None)
        if cached is None:
            from geo.cells import cells_to_str

            units = self.units
            rank, cells = pd.factorize(units["cell"].to_numpy(np.uint64), sort=True)
            cached = {"cell_rank": rank.astype(np.int64), "cells": np.asarray(cells, np.uint64),
                      "h3_ids": np.asarray(cells_to_str(cells), dtype=object),
                      "count": units["count"].to_numpy(np.float64),
                      "anchor": units["anchor"].to_numpy(np.uint64),
                      **{c: units[c].to_numpy(np.int64) for c in
                         ("grain", "period_start", "period_end", *self.dims)}}
            self._arrays = cached
        return cached

    def values(self, name: str, codes) -> np.ndarray:
        """Return the breakdown values of ``codes`` (:data:`COMBINED` or -1 for combined)."""
        combined = COMBINED_DOW if name == "dow" else COMBINED
        table = np.append(np.asarray(self.labels[name], dtype=object), combined)
        out = table[np.asarray(codes, dtype=np.int64)]
        return out.astype(np.int64) if name == "dow" else out


def round_counts(values, base: int) -> np.ndarray:
    """Round counts to the nearest multiple of ``base`` (halves up); base 1 leaves them.

    Examples
    --------
    >>> round_counts([5, 7, 8, 12, 13], 5).tolist()
    [5, 5, 10, 10, 15]
    """
    values = np.asarray(values, dtype=np.int64)
    if base <= 1:
        return values
    return (2 * values + base) // (2 * base) * base


def protect(base: BaseTable, ladder, *, threshold: int, rounding_base: int = 1,
            base_resolution: int = BASE_RESOLUTION, everywhere=None) -> Protected:
    """Release the base table's atoms as units by adaptive roll-up along ``ladder``.

    Parameters
    ----------
    base : BaseTable
    ladder : sequence of Rung
        From :func:`make_ladder`; the first rung is the base grain.
    threshold : int
        Smallest number of units (people or premises) in a released unit.
    rounding_base : int
        Released counts are rounded to this base.
    base_resolution : int
        The store's resolution (for the units' area anchors).
    everywhere : (cells, present), optional
        When ``base`` is part of a feed (one quarter), what the *whole* feed holds, for the
        parts a pool could hold (step 3): its distinct floor cells, and per breakdown the
        number of values present. By default, ``base``'s own.

    Returns
    -------
    Protected
    """
    grid = _Grid(base, everywhere)
    size = len(base)
    n, anon = base.n.astype(np.int64), base.anon.astype(np.int64)
    subjects = _Subjects(base, size)
    atom_unit = np.full(size, -1, dtype=np.int64)
    active = np.arange(size)
    previous = None                      # per active atom, its group at the rung below
    before = np.zeros(0, dtype=np.int64)  # an atom of each unit released at the rung below
    parts = {k: [] for k in ("rung", "atom", "count", "lowered")}
    released = 0
    for index, rung in enumerate(ladder):
        if not len(active):
            break
        key = grid.key(rung, active)
        if len(key) > 1 and (key[1:] < key[:-1]).any():   # keep atoms sorted by the key
            order = np.argsort(key, kind="stable")
            active, key = active[order], key[order]
            previous = previous[order] if previous is not None else None
        edge = np.ones(len(key), dtype=bool)
        edge[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(edge)          # a group is a run of equal keys
        gid = np.cumsum(edge) - 1
        groups = len(starts)
        gid_before = _find(key[starts], grid.key(rung, before))
        events = np.bincount(gid, weights=n[active], minlength=groups).astype(np.int64)
        units = np.bincount(gid, weights=anon[active], minlength=groups).astype(np.int64)
        units += subjects.distinct(gid, groups, active, units, threshold)
        ok = units >= threshold
        first = active[starts]
        lower = np.zeros(groups, dtype=np.int64)
        hide = np.zeros(groups, dtype=bool)
        if previous is not None:
            room = grid.room(ladder[index - 1], rung, first) - \
                np.bincount(gid_before, minlength=groups)
            sel = ok[gid]                     # only a pool that would be shown can pin
            pinned = ok & _pinned(gid[sel], groups, previous[sel], n[active][sel], threshold,
                                  room)
            lower[pinned] = 1
            hide = pinned & (events - 1 < threshold)
            ok &= ~hide
        chosen = np.flatnonzero(ok)
        number = np.full(groups, -1, dtype=np.int64)
        number[chosen] = released + np.arange(len(chosen))
        shown = ok[gid]
        atom_unit[active[shown]] = number[gid[shown]]
        before = first[chosen]
        parts["rung"].append(np.full(len(chosen), index, dtype=np.int64))
        parts["atom"].append(before)
        parts["count"].append(round_counts(events[chosen] - lower[chosen], rounding_base))
        parts["lowered"].append(lower[chosen] > 0)
        released += len(chosen)
        stay = ~(ok | hide)[gid]        # a pool too small to lower is hidden, not passed up
        active, previous = active[stay], gid[stay]
    joined = {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64)
              for k, v in parts.items()}
    units = _units_frame(base, ladder, joined["rung"], joined["atom"], joined["count"],
                         base_resolution)
    return Protected(units, atom_unit, n, tuple(ladder), int(threshold), int(rounding_base),
                     tuple(base.dims), joined["lowered"].astype(bool), dict(base.labels))


def _find(sorted_keys, keys) -> np.ndarray:
    """Positions in ``sorted_keys`` of those ``keys`` that occur there."""
    pos = np.searchsorted(sorted_keys, keys)
    hit = pos < len(sorted_keys)
    hit[hit] = sorted_keys[pos[hit]] == keys[hit]
    return pos[hit]


class _Grid:
    """Compact codes of every atom's cell and period at each resolution and grain."""

    def __init__(self, base: BaseTable, everywhere=None):
        self.base = base
        self.everywhere = everywhere
        self.cell_code, self.cells = pd.factorize(np.asarray(base.cell, dtype=np.uint64),
                                                  sort=True)
        self.day_code, self.days = pd.factorize(np.asarray(base.day, dtype=np.int64),
                                                sort=True)
        self.sizes = {d: max(1, len(base.labels.get(d, ())) or
                             int(np.max(base.dims[d], initial=0)) + 1) for d in base.dims}
        self._cells, self._periods = {}, {}

    def cells_at(self, resolution: int):
        """(code of each floor cell's parent at ``resolution``, the parents)."""
        if resolution not in self._cells:
            parents = cells_to_parents(self.cells.astype(np.uint64), resolution)
            self._cells[resolution] = pd.factorize(parents, sort=True)
        return self._cells[resolution]

    def periods_at(self, grain: str):
        """(code of each week's period of ``grain``, the periods' first days)."""
        if grain not in self._periods:
            self._periods[grain] = pd.factorize(period_starts(self.days, grain), sort=True)
        return self._periods[grain]

    def key(self, rung: Rung, atoms) -> np.ndarray:
        """One int64 per atom, equal exactly when two atoms share the rung's key."""
        codes, parents = self.cells_at(rung.resolution)
        pcodes, periods = self.periods_at(rung.grain)
        key = codes[self.cell_code[atoms]].astype(np.int64) * len(periods) + \
            pcodes[self.day_code[atoms]]
        for d in rung.kept:
            key = key * self.sizes[d] + self.base.dims[d][atoms]
        return key

    def room(self, lower: Rung, upper: Rung, first) -> np.ndarray:
        """Per pool (given by one of its atoms), the parts of ``lower`` it could hold."""
        if upper.resolution != lower.resolution and self.everywhere is not None:
            every = np.asarray(self.everywhere[0], dtype=np.uint64)
            small = pd.factorize(cells_to_parents(every, lower.resolution))[0]
            big, parents = pd.factorize(cells_to_parents(every, upper.resolution))
            count = _children(big, small)
            mine = self.cells_at(upper.resolution)
            return count[pd.Index(parents).get_indexer(mine[1][mine[0][self.cell_code[first]]])]
        if upper.resolution != lower.resolution:
            small = self.cells_at(lower.resolution)[0]
            big = self.cells_at(upper.resolution)[0]
            count = _children(big, small)
            return count[big[self.cell_code[first]]]
        if upper.grain != lower.grain:
            small = self.periods_at(lower.grain)[0]
            big = self.periods_at(upper.grain)[0]
            count = _children(big, small)
            return count[big[self.day_code[first]]]
        dropped = lower.kept[len(upper.kept)]
        present = (self.everywhere[1][dropped] if self.everywhere is not None
                   else len(np.unique(self.base.dims[dropped])))
        return np.full(len(first), present, dtype=np.int64)


def distinct_pairs(first, second) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (first, second) pairs of two arrays of codes (non-negative integers), as
    two int64 arrays, in the order each pair first appears: one int64 key per pair (``first``
    in blocks of every ``second`` code), hashed once.

    >>> [a.tolist() for a in distinct_pairs(np.array([2, 0, 2, 2]), np.array([1, 5, 1, 0]))]
    [[2, 0, 2], [1, 5, 0]]
    """
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    width = int(second.max()) + 1 if len(second) else 1
    pairs = pd.unique(first * width + second)
    return pairs // width, pairs % width


def _children(big, small) -> np.ndarray:
    """Per code of ``big``, the number of distinct codes of ``small`` within it."""
    return np.bincount(distinct_pairs(big, small)[0],
                       minlength=int(big.max()) + 1 if len(big) else 0)


def people_per_group(group, code, epoch, groups: int) -> np.ndarray:
    """Distinct keyed people per group from distinct (group, subject code) pairs: the count
    of codes, or - where codes of several key epochs meet (``epoch`` per code, see
    :class:`BaseTable`) - the most of any one epoch.

    >>> people_per_group(np.array([0, 0, 0, 1]), np.array([0, 1, 2, 2]),
    ...                  np.array([0, 0, 1]), 2).tolist()
    [2, 1]
    """
    group = np.asarray(group, dtype=np.int64)
    if not len(epoch) or int(np.max(epoch)) == 0:
        return np.bincount(group, minlength=groups).astype(np.int64)
    n_epochs = int(np.max(epoch)) + 1
    e = np.asarray(epoch, dtype=np.int64)[np.asarray(code, dtype=np.int64)]
    per = np.bincount(group * n_epochs + e, minlength=groups * n_epochs)
    return per.reshape(groups, n_epochs).max(axis=1).astype(np.int64)


class _Subjects:
    """Distinct keyed subjects per group, across the atoms of the group."""

    def __init__(self, base: BaseTable, size: int):
        self.atom = np.asarray(base.subject_atom, dtype=np.int64)
        self.code = np.asarray(base.subject, dtype=np.int64)
        self.width = int(self.code.max()) + 1 if len(self.code) else 0
        self.size = size
        self.epoch = np.asarray(getattr(base, "subject_epoch", ()), dtype=np.int64)

    def distinct(self, gid, groups, active, anon, threshold) -> np.ndarray:
        """Per group, its distinct subjects - counted only where they can decide the
        threshold (``anon`` units already short of it, and enough keyed rows to reach it)."""
        out = np.zeros(groups, dtype=np.int64)
        if not self.width:
            return out
        position = np.full(self.size, -1, dtype=np.int64)
        position[active] = np.arange(len(active))
        where = position[self.atom]
        live = where >= 0
        self.atom, self.code = self.atom[live], self.code[live]   # atoms never come back
        g = gid[where[live]]
        rows = np.bincount(g, minlength=groups)
        need = (anon < threshold) & (anon + rows >= threshold)
        keep = need[g]
        counted = people_per_group(*distinct_pairs(g[keep], self.code[keep]), self.epoch,
                                   groups)
        out[need] = counted[need]
        out[~need] = rows[~need]   # an upper bound: decides nothing, never shown
        return out


def _units_frame(base, ladder, rungs, atoms, counts, base_resolution) -> pd.DataFrame:
    """The released units as a frame, each described through one of its atoms."""
    cells = np.zeros(len(atoms), dtype=np.uint64)
    starts = np.zeros(len(atoms), dtype=np.int64)
    ends = np.zeros(len(atoms), dtype=np.int64)
    res = np.zeros(len(atoms), dtype=np.int64)
    grain = np.zeros(len(atoms), dtype=np.int64)
    dims = {d: np.full(len(atoms), -1, dtype=np.int64) for d in base.dims}
    for index in np.unique(rungs):
        rung = ladder[int(index)]
        pick = rungs == index
        at = atoms[pick]
        cells[pick] = cells_to_parents(base.cell[at], rung.resolution)
        starts[pick] = period_starts(base.day[at], rung.grain)
        ends[pick] = period_ends(starts[pick], rung.grain)
        res[pick] = rung.resolution
        grain[pick] = GRAINS.index(rung.grain)
        for d in rung.kept:
            dims[d][pick] = base.dims[d][at]
    frame = pd.DataFrame({"rung": rungs.astype(np.int64), "cell": cells, "resolution": res,
                          "grain": grain, "period_start": starts, "period_end": ends, **dims,
                          "count": counts.astype(np.int64)})
    frame["anchor"] = cells_to_center_children(cells, base_resolution)
    return frame


def _pinned(gid, groups, previous, events, threshold, room) -> np.ndarray:
    """Per pool, True when its figure would pin each of its parts to one value.

    The parts of a pool are the groups of the rung below whose residue it pools (groups nest,
    so each part lies in one pool); each is known to hold fewer than ``threshold`` units. A
    reader who knows which parts are *possible* (``room``: the hexagons, periods or breakdown
    values that hold this feed's data anywhere, less those shown at the rung below) can pin
    every part only when all of them are present and each holds exactly ``threshold - 1``
    events.
    """
    width = int(previous.max()) + 1 if len(previous) else 0
    pool_of = np.zeros(width, dtype=np.int64)
    pool_of[previous] = gid
    part_events = np.bincount(previous, weights=events, minlength=width)
    present = np.flatnonzero(np.bincount(previous, minlength=width))
    pools = pool_of[present]
    count = np.bincount(pools, minlength=groups)
    off = np.bincount(pools, weights=part_events[present] != threshold - 1, minlength=groups)
    return (off == 0) & (count >= room)


__all__ = ["COMBINED", "COMBINED_DOW", "BaseTable", "Protected", "cells_to_center_children",
           "distinct_pairs", "period_ends", "period_starts", "protect", "round_counts"]
