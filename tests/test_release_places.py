"""The places layers' people counts: distinct keyed people per unit, the most of one key
epoch, checked against the plain pandas statement of the rule."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from profiles.release.places import _keyed_people


def _by_pandas(base, group, atom, units):
    """The rule as the places layers first wrote it: join, drop repeats, count, most."""
    key = pd.DataFrame({"unit": group, "atom": atom})
    subjects = pd.DataFrame({"atom": base.subject_atom, "subject": base.subject})
    sub = key.merge(subjects, on="atom").drop_duplicates(["unit", "subject"])
    epoch = np.asarray(base.subject_epoch, dtype=np.int64)
    sub["epoch"] = epoch[sub["subject"].to_numpy()] if len(epoch) else 0
    keyed = sub.groupby(["unit", "epoch"]).size().groupby(level=0).max()
    return keyed.reindex(range(units), fill_value=0).to_numpy(np.int64)


@pytest.mark.parametrize("seed, rotated, places, people",
                         [(1, False, 1, 80), (2, True, 1, 80), (3, False, 4, 80),
                          (4, True, 3, 80), (5, True, 6, 80), (6, False, 3, 1500),
                          (7, True, 4, 1500)],
                         ids=["force", "rotated-key", "areas", "areas-rotated", "many-areas",
                              "most-people-once", "most-people-once-rotated"])
def test_keyed_people_match_the_plain_rule(seed, rotated, places, people):
    """With few people nearly every code lies in several atoms; with many, most in one (the
    shortcut that never looks those up twice), the rest in several."""
    rng = np.random.default_rng(seed)
    atoms, rows = 300, 900
    pairs = np.unique(np.column_stack([rng.integers(0, atoms, rows),
                                       rng.integers(0, people, rows)]), axis=0)
    base = SimpleNamespace(subject_atom=pairs[:, 0], subject=pairs[:, 1],
                           subject_epoch=rng.integers(0, 3, people) if rotated else
                           np.zeros(0, dtype=np.int64))
    # each atom lies in the force and in up to ``places - 1`` areas; some atoms in none
    link_atom, link_unit = [], []
    for a in range(atoms - 20):
        for p in sorted(set(rng.integers(0, places, rng.integers(1, places + 1)).tolist())):
            link_atom.append(a)
            link_unit.append(p * 10 + a % 10)
    units = places * 10
    shuffled = rng.permutation(len(link_atom))       # links come in no order of atom
    link_atom = np.asarray(link_atom)[shuffled]
    link_unit = np.asarray(link_unit)[shuffled]
    lone = np.bincount(base.subject)[base.subject] == 1
    assert lone.any() if people > rows else not lone.all()
    got = _keyed_people(_Sized(base, atoms), np.asarray(link_unit), np.asarray(link_atom),
                        units)
    want = _by_pandas(base, np.asarray(link_unit), np.asarray(link_atom), units)
    assert got.dtype == np.int64 and got.tolist() == want.tolist()
    assert got.sum() > 0


def test_keyed_people_of_units_without_subjects_are_zero():
    base = _Sized(SimpleNamespace(subject_atom=np.array([5]), subject=np.array([0]),
                                  subject_epoch=np.zeros(0, dtype=np.int64)), 6)
    assert _keyed_people(base, np.array([0, 1]), np.array([0, 1]), 3).tolist() == [0, 0, 0]


class _Sized(SimpleNamespace):
    """A base table stand-in: its subjects, and its number of atoms as ``len``."""

    def __init__(self, base, atoms):
        super().__init__(**vars(base))
        self._atoms = atoms

    def __len__(self):
        return self._atoms
