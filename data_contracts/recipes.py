"""Recipes: map a partner's file onto a feed once, and load it unedited every month.

A recipe is a small TOML file per source::

    feed = "on_street"
    crs = "EPSG:27700"                 # the coordinates' system (points)
    date_format = "%d/%m/%Y %H:%M"     # when dates are not ISO or UK dd/mm/yyyy
    sheet = "Contacts"                 # a workbook's sheet

    [columns]                          # Lantern column = the source file's column
    easting = "GRID_E"
    northing = "GRID_N"
    datetime = "Committed"
    activity_type = "Offence"

    [values.activity_type]             # the partner's word = Lantern's word
    "Soliciting" = "observation"
    "Kerb crawler" = "kerb_crawling"

    [set]                              # the same value on every row
    source_agency = "police"

For ``areas``: ``name_field = "LSOA11NM"``, ``area_type = "lsoa"`` and ``layer = "..."``.

A recipe is checked whole, against the feed's contract, before any row is read
(:func:`load_recipe`), and against the file's header before any row is validated
(:meth:`Recipe.check_header`). Every error names the recipe file and line. The same recipe
can be built from one-off command-line flags (:func:`recipe_from_flags`); errors then name
the flag.

A recipe can never let an identifying column in: the refusal rules apply to the *source*
column's name, whatever Lantern column the recipe maps it to.

Examples
--------
>>> r = parse_recipe('feed = "on_street"\\n[set]\\nsource_agency = "outreach"\\n', "r.toml")
>>> r.constants, r.where("set", "source_agency")
({'source_agency': 'outreach'}, 'r.toml line 3')
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from data_contracts.feeds import Contract
from data_contracts.recipe_checks import (CONSTANT_KINDS, COORDINATE_TARGETS, RecipeError,
                                          check_recipe, refused_source)

_TOP_KEYS = ("feed", "crs", "date_format", "sheet", "layer", "name_field", "area_type",
             "columns", "values", "set", "description")
_TABLES = ("columns", "values", "set")


@dataclass
class Recipe:
    """How one source's files map onto a feed.

    Attributes
    ----------
    source : str
        The recipe file's path, or ``"command-line flags"``.
    feed : str or None
        The feed it is for (None: any feed the command names).
    columns : dict
        Lantern column (or ``easting``/``northing``/``x``/``y``) -> source column.
    values : dict
        Lantern column -> {source value: Lantern value}.
    constants : dict
        Lantern column -> the value every row gets (``[set]``).
    date_format, crs, sheet, layer : str or None
        A strptime format for the dates; the points' CRS (areas: overrides the file's own);
        the workbook sheet; the GeoPackage layer.
    lines : dict
        ``(table, key)`` -> where it was written (``"r.toml line 7"``, ``"--map lat=Y"``).
    """

    source: str
    feed: str | None = None
    columns: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    constants: dict = field(default_factory=dict)
    date_format: str | None = None
    crs: str | None = None
    sheet: str | None = None
    layer: str | None = None
    lines: dict = field(default_factory=dict)

    def where(self, *key) -> str:
        """Return where ``key`` (e.g. ``("values", "activity_type")``) was written."""
        return self.lines.get(tuple(key), self.source)

    @property
    def is_empty(self) -> bool:
        """True when the recipe changes nothing."""
        return not (self.feed or self.columns or self.values or self.constants
                    or self.date_format or self.crs or self.sheet or self.layer)

    def merged(self, other: Recipe) -> Recipe:
        """Return this recipe with ``other``'s entries on top (flags over a recipe file)."""
        out = Recipe(f"{self.source} and {other.source}" if not self.is_empty else other.source,
                     other.feed or self.feed, {**self.columns, **other.columns},
                     {k: {**self.values.get(k, {}), **other.values.get(k, {})}
                      for k in {*self.values, *other.values}},
                     {**self.constants, **other.constants},
                     other.date_format or self.date_format, other.crs or self.crs,
                     other.sheet or self.sheet, other.layer or self.layer,
                     {**self.lines, **other.lines})
        for target in other.columns:      # a flag's --map replaces the file's [set]
            if target not in other.constants:
                out.constants.pop(target, None)
        return out

    def check(self, feed: str) -> Contract:
        """Check the recipe against ``feed``'s contract; return the contract.

        Raises
        ------
        RecipeError
            For a recipe written for another feed, a target outside the contract, a value
            mapped to a word Lantern does not have, an identifying source column, a bad
            constant, date format or CRS. The message names the recipe line and the fix.
        """
        return check_recipe(self, feed)

    def check_header(self, path, header) -> None:
        """Refuse a file that lacks a source column the recipe names.

        Raises
        ------
        RecipeError
            Naming the recipe line, the missing column and the columns the file has.
        """
        have = {str(h).strip() for h in header}
        for target, source in self.columns.items():
            if source not in have:
                raise RecipeError(
                    path, f"{self.where('columns', target)} maps {target} to the column "
                          f"{source!r}, which is not in this file; the file has: "
                          f"{', '.join(sorted(have)[:30])}.", column=source,
                    fix="correct the recipe line, or check that this is the right file.")

    def value_for(self, column: str, value: str) -> str | None:
        """Return the Lantern word the recipe maps ``value`` of ``column`` to, or None."""
        table = self._folded().get(column, {})
        return table.get(_fold(value))

    def _folded(self) -> dict:
        cache = getattr(self, "_fold_cache", None)
        if cache is None:
            cache = {col: {_fold(k): v for k, v in m.items()} for col, m in self.values.items()}
            object.__setattr__(self, "_fold_cache", cache)
        return cache


def _fold(text: str) -> str:
    """Compare partner words without case or surrounding/doubled spaces."""
    return re.sub(r"\s+", " ", str(text).strip()).casefold()


def load_recipe(path) -> Recipe:
    """Read a recipe file.

    Returns
    -------
    Recipe

    Raises
    ------
    RecipeError
        The file is missing, is not TOML (the message gives the line), or has a key Lantern
        does not know.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RecipeError(path, "the recipe file does not exist.",
                          fix="check the --recipe path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecipeError(path, f"the recipe cannot be read ({exc}).",
                          fix="save it as UTF-8 text.") from None
    return parse_recipe(text, str(path))


def parse_recipe(text: str, source: str) -> Recipe:
    """Return the recipe written in ``text`` (``source`` names it in messages).

    Raises
    ------
    RecipeError
        Invalid TOML, a key Lantern does not know, or a value of the wrong type.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"line (\d+)", str(exc))
        where = f"{Path(source).name} line {at.group(1)}: " if at else ""
        raise RecipeError(source, f"{where}this is not valid TOML ({exc}).",
                          fix="correct that line (text values need double quotes).") from None
    # Lines are named by the file's name alone: quarantine reasons (which are stored) quote
    # them, and a folder path can hold a person's user name.
    name = Path(source).name
    lines = {k: f"{name} line {n}" for k, n in _key_lines(text).items()}
    recipe = Recipe(source, lines=lines)

    def fail(key, message, fix):
        raise RecipeError(source, f"{lines.get(key, source)}: {message}", fix=fix)

    for key, value in doc.items():
        if key not in _TOP_KEYS:
            fail((key,), f"{key!r} is not a recipe setting.",
                 f"use only: {', '.join(_TOP_KEYS)}.")
        if key in _TABLES:
            if not isinstance(value, dict):
                fail((key,), f"{key} must be a table ([{key}]).", f"write it as [{key}].")
            continue
        if not isinstance(value, str) or not value.strip():
            fail((key,), f"{key} must be text in double quotes.", f'write {key} = "...".')
    recipe.feed = doc.get("feed")
    for key in ("crs", "date_format", "sheet", "layer"):
        setattr(recipe, key, doc.get(key))
    for table in ("columns", "set"):
        for target, value in doc.get(table, {}).items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            if isinstance(value, int):
                value = str(value)
            if not isinstance(value, str):
                fail((table, target), f"{target} must be text in double quotes.",
                     f'write {target} = "...".')
            (recipe.columns if table == "columns" else recipe.constants)[target] = value
    for column, mapping in doc.get("values", {}).items():
        if not isinstance(mapping, dict):
            fail(("values", column), f"values.{column} must be a table of words.",
                 f'write [values.{column}] and then lines like "Their word" = "lantern_word".')
        for word, target in mapping.items():
            if not isinstance(target, str):
                fail(("values", column, word), f"the word {word!r} must map to text.",
                     f'write "{word}" = "lantern_word".')
        recipe.values[column] = dict(mapping)
    _areas_shorthand(recipe, doc)
    return recipe


def _areas_shorthand(recipe: Recipe, doc: dict) -> None:
    """``name_field`` and ``area_type`` are areas' shorthand for a column and a constant."""
    if "name_field" in doc:
        recipe.columns["name"] = doc["name_field"]
        recipe.lines[("columns", "name")] = recipe.where("name_field")
    if "area_type" in doc:
        recipe.constants["area_type"] = doc["area_type"]
        recipe.lines[("set", "area_type")] = recipe.where("area_type")


_TABLE_LINE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_KEY_LINE = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_\-]+)\s*=')


def _key_lines(text: str) -> dict:
    """Return ``(table..., key)`` -> 1-based line number for each key written in ``text``.

    A small scanner (tomllib gives no positions): it knows ``[table]`` headers and
    ``key = value`` lines with bare or quoted keys, which is all a recipe uses.
    """
    found: dict = {}
    table: tuple = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_LINE.match(line)
        if header and not line.lstrip().startswith("[["):
            table = tuple(_unquote(p) for p in _split_dotted(header.group(1)))
            found.setdefault(table, number)
            continue
        key = _KEY_LINE.match(line)
        if key:
            found.setdefault((*table, _unquote(key.group(1))), number)
    return found


def _split_dotted(text: str) -> list[str]:
    return [p.strip() for p in re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^.]+', text)]


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        inner = text[1:-1]
        return inner.encode().decode("unicode_escape") if text[0] == '"' else inner
    return text


def recipe_from_flags(*, maps=(), sets=(), crs=None, sheet=None, layer=None, name_field=None,
                      area_type=None, date_format=None) -> Recipe:
    """Return the recipe that one-off command-line flags describe.

    Parameters
    ----------
    maps : list of str
        ``--map lantern=source`` flags (e.g. ``datetime=Date of contact``).
    sets : list of str
        ``--set column=value`` flags (e.g. ``source_agency=outreach``).
    crs, sheet, layer, name_field, area_type, date_format : str, optional
        ``--crs``, ``--sheet``, ``--layer``, ``--name-field``, ``--area-type``,
        ``--date-format``.

    Returns
    -------
    Recipe
        Its ``lines`` name the flag each entry came from.

    Raises
    ------
    RecipeError
        A ``--map`` or ``--set`` without ``=``, or with an empty side.

    Examples
    --------
    >>> r = recipe_from_flags(maps=["datetime=Date of contact"], sets=["source_agency=outreach"])
    >>> r.columns, r.constants, r.where("columns", "datetime")
    ({'datetime': 'Date of contact'}, {'source_agency': 'outreach'}, '--map datetime=Date of contact')
    """
    recipe = Recipe("command-line flags", crs=crs, sheet=sheet, layer=layer,
                    date_format=date_format)
    for flag, items, table in (("--map", maps, recipe.columns), ("--set", sets, recipe.constants)):
        for item in items or ():
            target, sep, value = str(item).partition("=")
            target, value = target.strip(), value.strip()
            if not sep or not target or not value:
                what = "lantern=source" if flag == "--map" else "column=value"
                raise RecipeError(f"{flag} {item}", f"is not of the form {flag} {what}.",
                                  fix=f"write e.g. {flag} "
                                      f"{'datetime=Date' if flag == '--map' else 'source_agency=outreach'}.")
            table[target] = value
            recipe.lines[("columns" if flag == "--map" else "set", target)] = f"{flag} {item}"
    if name_field:
        recipe.columns["name"] = name_field
        recipe.lines[("columns", "name")] = f"--name-field {name_field}"
    if area_type:
        recipe.constants["area_type"] = area_type
        recipe.lines[("set", "area_type")] = f"--area-type {area_type}"
    for key, flag in (("crs", "--crs"), ("date_format", "--date-format")):
        if getattr(recipe, key):
            recipe.lines[(key,)] = f"{flag} {getattr(recipe, key)}"
    return recipe


def build_recipe(path=None, **flags) -> Recipe | None:
    """Return the recipe a command names: a recipe file, one-off flags over it, or None.

    Parameters
    ----------
    path : str or Path, optional
        ``--recipe`` (a TOML file).
    **flags
        :func:`recipe_from_flags`'s keywords (``maps``, ``sets``, ``crs``, ``sheet``,
        ``layer``, ``name_field``, ``area_type``, ``date_format``); None or empty = not given.

    Returns
    -------
    Recipe or None
        None when neither a file nor a flag was given.

    Raises
    ------
    RecipeError
        See :func:`load_recipe` and :func:`recipe_from_flags`.
    """
    given = recipe_from_flags(**flags)
    if path is None:
        return None if given.is_empty else given
    base = load_recipe(path)
    return base if given.is_empty else base.merged(given)


__all__ = ["COORDINATE_TARGETS", "CONSTANT_KINDS", "Recipe",
           "RecipeError", "build_recipe", "load_recipe", "parse_recipe", "recipe_from_flags", "refused_source"]
