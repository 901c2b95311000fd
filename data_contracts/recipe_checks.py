"""Check a recipe against a feed's contract before any row is read.

Every error names the recipe line (or the flag) and says what to write instead.
"""
from __future__ import annotations

import datetime as dt
import re

from data_contracts.values import CLOCK, FALSE_WORDS, TRUE_WORDS, days_mask, norm, whole
from data_contracts.errors import ContractError
from data_contracts.feeds import FEEDS, Contract, contract_for, normalise_name

#: Recipe targets for projected coordinates, and the Lantern column whose place they take.
COORDINATE_TARGETS = {"easting": "lon", "northing": "lat", "x": "lon", "y": "lat"}
#: Column kinds a ``[set]`` constant may fill (never a place, a time, a key or a label).
CONSTANT_KINDS = ("category", "bool", "int", "days", "clock")


class RecipeError(ContractError):
    """A recipe (file or flags) is refused before any row is read. The message names the line."""


def refused_source(contract: Contract, source: str) -> str | None:
    """Return why a source column may not be read, whatever a recipe maps it to, or None."""
    norm = normalise_name(source)
    if any(norm == c.name for c in contract.columns):
        return None      # the contract's own columns (e.g. the generic_photos flag)
    return contract.refusal(norm)




def check_recipe(recipe, feed: str) -> Contract:
    """Return ``feed``'s contract after checking ``recipe`` (a ``Recipe``) against it.

    Raises
    ------
    RecipeError
        See :meth:`data_contracts.recipes.Recipe.check`.
    """
    def fail(key, message, fix):
        raise RecipeError(recipe.source, f"{recipe.where(*key)}: {message}", fix=fix)

    if recipe.feed is not None and recipe.feed not in FEEDS:
        fail(("feed",), f"{recipe.feed!r} is not a Lantern feed.",
             f"write feed = one of: {', '.join(FEEDS)}.")
    if recipe.feed is not None and recipe.feed != feed:
        fail(("feed",), f"this recipe is for the feed {recipe.feed!r}, not {feed!r}.",
             f"load it with `lantern ingest {recipe.feed} ...`, or use the recipe for {feed}.")
    contract = contract_for(feed)
    names = {c.name: c for c in contract.columns}
    targets = dict(names)
    if contract.geometry != "polygon":
        targets.update({t: names[COORDINATE_TARGETS[t]] for t in COORDINATE_TARGETS})
    listed = ", ".join(targets)
    seen: dict = {}
    for target, source in recipe.columns.items():
        key = ("columns", target)
        if target not in targets:
            fail(key, f"{target!r} is not a column of the feed {feed!r}.",
                 f"the recipe's left side is Lantern's column: one of {listed}.")
        why = refused_source(contract, source)
        if why:
            fail(key, f"the source column {source!r} is refused: {why}, and Lantern never "
                      f"stores it, whatever the recipe maps it to.",
                 "remove this line and the column from the extract.")
        if source in seen:
            fail(key, f"the source column {source!r} is already mapped to {seen[source]}.",
                 "map each source column once.")
        seen[source] = target
        if target in recipe.constants:
            fail(key, f"{target} is both mapped to a column and set to a constant "
                      f"({recipe.where('set', target)}).", "keep one of the two lines.")
    _check_pairs(recipe, fail)
    for column, mapping in recipe.values.items():
        _check_values(recipe, contract, column, mapping, fail)
    for column, value in recipe.constants.items():
        _check_constant(contract, column, value, fail)
    _check_settings(recipe, contract, fail)
    return contract


def _check_pairs(recipe, fail) -> None:
    pairs = [p for p in (("lon", "lat"), ("easting", "northing"), ("x", "y"))
             if p[0] in recipe.columns or p[1] in recipe.columns]
    for x, y in pairs:
        if (x in recipe.columns) != (y in recipe.columns):
            given = x if x in recipe.columns else y
            fail(("columns", given), f"{given} is mapped but {y if given == x else x} is not.",
                 "map both coordinates of the pair.")
    if len(pairs) > 1:
        fail(("columns", pairs[1][0]), f"the recipe maps two coordinate pairs "
                                       f"({'/'.join(pairs[0])} and {'/'.join(pairs[1])}).",
             "map one pair: lat/lon for degrees, easting/northing for grid metres.")


def _check_values(recipe, contract: Contract, column: str, mapping: dict, fail) -> None:
    col = next((c for c in contract.columns if c.name == column), None)
    if col is None or col.kind != "category":
        kinds = [c.name for c in contract.columns if c.kind == "category"]
        fail(("values", column), f"[values.{column}]: the feed {contract.feed!r} has no "
                                 f"category column {column!r}.",
             f"value maps are for: {', '.join(kinds)}.")
    allowed = {norm(a): a for a in col.allowed}
    for word, target in mapping.items():
        if norm(target) not in allowed:
            close = _close(target, col.allowed)
            fail(("values", column, word),
                 f"{word!r} is mapped to {target!r}, which is not a word Lantern has for "
                 f"{column}.", f"map it to one of: {', '.join(col.allowed)}{close}.")


def _close(word: str, allowed) -> str:
    import difflib

    match = difflib.get_close_matches(norm(word), list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _check_constant(contract: Contract, column: str, value: str, fail) -> None:
    key = ("set", column)
    col = next((c for c in contract.columns if c.name == column), None)
    if col is None:
        fail(key, f"{column!r} is not a column of the feed {contract.feed!r}.",
             f"set one of: {', '.join(c.name for c in contract.columns if c.kind in CONSTANT_KINDS)}.")
    if col.kind not in CONSTANT_KINDS:
        fail(key, f"{column} cannot be the same on every row (it is a {col.kind}).",
             "map it to a column in [columns] instead.")
    ok = {"category": lambda v: norm(v) in {norm(a) for a in col.allowed},
          "bool": lambda v: v.lower() in TRUE_WORDS | FALSE_WORDS,
          "int": lambda v: whole(v) > 0,
          "days": lambda v: days_mask(v) >= 0,
          "clock": lambda v: bool(CLOCK.match(v))}[col.kind]
    if not ok(value.strip()):
        hint = (f"one of: {', '.join(col.allowed)}{_close(value, col.allowed)}"
                if col.kind == "category" else f"a valid {col.kind}")
        fail(key, f"{value!r} is not a value {column} can take.", f"write {hint}.")


def _check_settings(recipe, contract: Contract, fail) -> None:
    if recipe.date_format is not None:
        fmt = recipe.date_format
        sample = dt.datetime(2025, 3, 1, 21, 30)
        try:
            ok = "%" in fmt and dt.datetime.strptime(sample.strftime(fmt), fmt) is not None
        except ValueError:
            ok = False
        if not ok or not re.search(r"%[dj]", fmt) and "%x" not in fmt:
            fail(("date_format",), f"{fmt!r} is not a date format with a day, month and year.",
                 'write it with strftime codes, e.g. "%d/%m/%Y %H:%M" for 01/03/2025 21:30.')
        if contract.time is None:
            fail(("date_format",), f"the feed {contract.feed!r} has no dates.",
                 "remove this line.")
    if recipe.crs is not None:
        from geo.crs import CRSError, crs_name

        try:
            crs_name(recipe.crs)
        except CRSError as exc:
            fail(("crs",), f"{exc}.", "correct the crs line.")
    if recipe.layer is not None and contract.geometry != "polygon":
        fail(("layer",), "layer is for boundary files (feed areas).", "remove this line.")
