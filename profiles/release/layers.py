"""Fixed release units, in layers: what each view is a sum of.

One partition of the data cannot serve time views and space views at once (fine hexagons
force long periods, short periods force coarse hexagons), so a feed's released units come in
a few **layers**, each a partition of the feed's events into units that are protected once:

=================  =====================================================================
layer              units
=================  =====================================================================
``places-week``    the force x ISO week (never an area by week: an area less the others
                   of its type, week by week, would be too many chances to single out one)
``places-month``   the force and each loaded area (of every type) x month (a week belongs
                   to its Monday's month)
``places-week-c``  as ``places-week``, by category (audiences that may see categories)
``places-month-c`` as ``places-month``, by category
``hex-quarter``    hexagon x quarter x the audience's breakdowns, *adaptive in space only*:
                   a group too small at the floor is pooled, breakdowns combined first and
                   then into parent hexagons, until it is big enough (or it stays hidden)
``hex-month``      the same, by month, from one resolution coarser than the floor
                   (hotspot patterns, date ranges that cut quarters)
=================  =====================================================================

Every view is the sum of one layer's units (:mod:`profiles.release.views`); a union - an
Evaluate hexagon set, a date range, a map's coarser level - is a sum of fixed units and never
a fresh query of the store. A unit is shown only when at least the threshold of *people* lie
behind it, and then with its cell-key perturbation (:mod:`profiles.release.perturb`), which
protects the links between layers: a force-week less its areas, a quarter less its months or
one layer against another differ only by noise, never by a small group's true value.

Audiences whose policies protect alike (:class:`Protection`: threshold, floor, rounding,
breakdowns as a set, how far hexagons may pool) share the very same units, so the command
and analyst audiences cannot be subtracted from one another: their difference is 0.

Examples
--------
>>> from profiles.release.audiences import get_policy
>>> protection_of(get_policy("command"), "harm_reports") == \\
...     protection_of(get_policy("analyst"), "harm_reports")
True
>>> [layer.name for layer in layers_for(protection_of(get_policy("partnership"), "on_street"))]
['places-week', 'places-month', 'places-week-c', 'places-month-c', 'hex-quarter', 'hex-month']
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from profiles.release.audiences import Policy
from profiles.release.disclosure import Protected, protect
from profiles.release.ladder import Rung
from profiles.release.perturb import perturb_counts

#: Place code of the whole force (everything loaded) in a places layer.
FORCE = -1
#: Breakdowns in order of importance for the shared hexagon layers (combined last first).
HEX_ORDER = ("category", "band", "dow", "detail")


@dataclass(frozen=True)
class Protection:
    """What decides a feed's released units for an audience (shared by alike audiences)."""

    threshold: int
    floor: int
    rounding_base: int
    breakdowns: tuple          # in HEX_ORDER
    space_moves: int           # how many parents a hexagon group may pool into
    perturb: bool = True       # cell-key perturbation of every unit

    @property
    def name(self) -> str:
        """A short stable name, e.g. ``t3_r9_b1_category.band_s3``."""
        return (f"t{self.threshold}_r{self.floor}_b{self.rounding_base}_"
                f"{'.'.join(self.breakdowns) or 'none'}_s{self.space_moves}"
                + ("" if self.perturb else "_exact"))

    @property
    def ptables(self) -> tuple:
        """The p-tables of the force's (and hexagons') and the areas' units."""
        return ("narrow", "wide") if self.perturb else (None, None)


@dataclass(frozen=True)
class Layer:
    """One layer of fixed units: ``place`` is ``"places"`` (force and areas) or ``"hex"``."""

    name: str
    place: str
    grain: str
    by: tuple


def protection_of(policy: Policy, feed: str) -> Protection:
    """Return the protection ``policy`` gives ``feed`` (audiences alike here share units)."""
    allowed = set(policy.breakdowns_for(feed))
    moves = policy.rollup_for(feed)
    floor = policy.floor_for(feed)
    return Protection(int(policy.threshold), int(floor), int(policy.rounding_base),
                      tuple(b for b in HEX_ORDER if b in allowed),
                      min(int(moves.count("space")), floor),
                      policy.perturbation != "none")


def layers_for(protection: Protection) -> tuple:
    """Return the layers a feed is released in under ``protection``."""
    out = [Layer("places-week", "places", "week", ()),
           Layer("places-month", "places", "month", ())]
    if "category" in protection.breakdowns:
        out += [Layer("places-week-c", "places", "week", ("category",)),
                Layer("places-month-c", "places", "month", ("category",))]
    out += [Layer("hex-quarter", "hex", "quarter", protection.breakdowns),
            Layer("hex-month", "hex", "month", protection.breakdowns)]
    return tuple(out)


def layer_named(protection: Protection, name: str) -> Layer:
    """Return the layer called ``name`` (see :func:`layers_for`)."""
    for layer in layers_for(protection):
        if layer.name == name:
            return layer
    raise KeyError(name)


#: How much coarser than the floor the hexagon-month layer starts: one parent, so that a
#: floor hexagon's quarter less its months cannot single out a hidden hexagon-month.
MONTH_COARSER = 1


def hex_floor(protection: Protection, grain: str) -> int:
    """The finest resolution of a hexagon layer of ``grain``."""
    return max(0, protection.floor - (MONTH_COARSER if grain == "month" else 0))


def hex_ladder(protection: Protection, grain: str) -> tuple:
    """The hexagon layer's pooling ladder: breakdowns combined (least important first), then
    parent hexagons, all within ``grain``."""
    rungs = [Rung(hex_floor(protection, grain), grain, protection.breakdowns)]
    for _ in protection.breakdowns:
        last = rungs[-1]
        rungs.append(Rung(last.resolution, grain, last.kept[:-1]))
    for _ in range(min(protection.space_moves, rungs[-1].resolution)):
        last = rungs[-1]
        rungs.append(Rung(last.resolution - 1, grain, last.kept))
    return tuple(rungs)


def build_hex_layer(base, protection: Protection, layer: Layer, *, base_resolution: int,
                    atoms: bool = False, everywhere=None) -> Protected:
    """Protect the base table (floor cell x week x breakdowns) as ``layer``'s hexagon units.

    Groups are formed at ``layer.grain`` from the start (weeks are never shown here); each
    released unit's figure is then perturbed by its cell key. With ``atoms``, the table also
    keeps where each atom went (``atom_unit``, ``atom_n``): for the policy owner only.
    ``everywhere`` as :func:`~profiles.release.disclosure.protect` takes it (``base`` is one
    quarter of the feed).
    """
    ladder = hex_ladder(protection, layer.grain)
    prot = protect(base, ladder, threshold=protection.threshold, rounding_base=1,
                   base_resolution=base_resolution, everywhere=everywhere)
    keys = np.zeros(len(prot.units), dtype=np.uint64)
    shown = prot.atom_unit >= 0
    np.add.at(keys, prot.atom_unit[shown], base.fingerprint[shown])
    units = prot.units
    units["count"] = perturb_counts(units["count"].to_numpy(np.int64), keys,
                                    threshold=protection.threshold,
                                    rounding_base=protection.rounding_base,
                                    table=protection.ptables[1 if layer.grain == "month"
                                                              else 0])
    units["place"] = np.full(len(units), FORCE - 1, dtype=np.int64)
    if not atoms:   # where each atom went is for the policy owner's report only
        prot.atom_unit = prot.atom_n = np.zeros(0, dtype=np.int64)
    prot.rounding_base = protection.rounding_base
    return prot


__all__ = ["FORCE", "HEX_ORDER", "Layer", "Protection", "build_hex_layer",
           "hex_ladder", "layer_named", "layers_for", "protection_of"]
