"""Match a file's columns to a feed's contract, through a recipe, refusing identifying ones.

The refusal rules (:data:`data_contracts.feeds.IDENTIFYING_PATTERNS`) apply to the *source*
column names, whatever a recipe maps them to: a recipe cannot let a name or a phone number in.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from data_contracts.values import MAX_VALUE_CHARS, short
from data_contracts.coordinates import COORDINATE_NAMES, PAIRS
from data_contracts.errors import ContractError
from data_contracts.feeds import Contract, normalise_name
from data_contracts.recipes import Recipe, refused_source


#: For boundary files, the flags that supply a missing column.
_AREA_FLAGS = {"name": "--name-field COLUMN (e.g. --name-field LSOA11NM)",
               "area_type": "--area-type TYPE (e.g. --area-type lsoa)"}


def match_columns(path: Path, contract: Contract, columns: dict, has_geometry: bool,
                  recipe: Recipe, n: int) -> tuple[dict, list]:
    """Rename columns to contract names (recipe first, then names and aliases).

    Returns
    -------
    (dict, list)
        Contract column (or coordinate pair member) -> values, including the recipe's
        constants; and the source columns left unread.

    Raises
    ------
    ContractError
        An identifying source column (whatever the recipe says), a required column missing,
        or no geometry for a feed that needs it.
    """
    renamed, ignored = {}, []
    names = {c.name: c for c in contract.columns}
    alias_of = {a: c.name for c in contract.columns for a in c.aliases}
    if contract.geometry != "polygon":
        alias_of.update({k: v for k, v in COORDINATE_NAMES.items() if k not in names})
    by_source = {source: target for target, source in recipe.columns.items()}
    claimed = set(recipe.columns) | set(recipe.constants)
    for original, values in columns.items():
        why = refused_source(contract, str(original))
        if why:
            _refuse(path, original, why, recipe, by_source.get(str(original).strip()))
        target = by_source.get(str(original).strip())
        if target is None:
            norm = normalise_name(original)
            target = norm if norm in names else alias_of.get(norm)
            if target in claimed:
                target = None      # the recipe reads this Lantern column from elsewhere
        if target is not None and target not in renamed:
            renamed[target] = values
            continue
        ignored.append(original)
    for target, value in recipe.constants.items():
        renamed[target] = pa.repeat(pa.scalar(value, pa.string()), n)
    _check_required(path, contract, renamed, columns, has_geometry)
    return renamed, ignored


def _refuse(path, original, why: str, recipe: Recipe, target: str | None) -> None:
    shown = _shown_name(original)
    via = (f" ({recipe.where('columns', target)} maps {target} to it; a recipe cannot let "
           f"an identifying column in)") if target else ""
    raise ContractError(
        path, f"column {shown} is refused: {why}, and Lantern never stores it{via}.",
        column=str(original), fix=f"remove the column {shown} from the extract and load it "
                                  "again (no row was loaded).")


def _check_required(path, contract: Contract, renamed: dict, columns: dict,
                    has_geometry: bool) -> None:
    has_pair = any(x in renamed and y in renamed for x, y in PAIRS)
    for col in contract.columns:
        if col.required and col.name not in renamed:
            if col.name in ("lat", "lon") and has_pair:
                continue
            also = f" (also accepted: {', '.join(col.aliases)})" if col.aliases else ""
            if col.name in ("lat", "lon"):
                also = also[:-1] + "; or easting and northing)" if also else \
                    " (or easting and northing)"
            flag = _AREA_FLAGS.get(col.name, f"--map {col.name}=COLUMN") \
                if contract.geometry == "polygon" else f"--map {col.name}=COLUMN"
            if col.kind == "category" and col.name not in _AREA_FLAGS:
                flag += f" (or --set {col.name}={col.allowed[0]} when every row has the same)"
            raise ContractError(
                path, f"required column {col.name!r}{also} is missing for feed "
                      f"{contract.feed!r}; the file has: {_shown_names(columns)}.",
                column=col.name, fix=f"add a {col.name!r} column (no row was loaded). A file "
                                     f"with its own column names loads with a recipe or "
                                     f"{flag}.")
    if contract.geometry == "point_or_cell" and not has_pair and "h3_cell" not in renamed:
        raise ContractError(
            path, f"feed {contract.feed!r} needs either 'lat' and 'lon' (or easting and "
                  f"northing) or 'h3_cell' columns.",
            column="lat", fix="add point coordinates or H3 cell ids (no row was loaded).")
    if contract.geometry == "point_cell_or_area" and not (
            has_pair or "h3_cell" in renamed or "area" in renamed):
        raise ContractError(
            path, f"feed {contract.feed!r} needs a place: 'area' (a loaded area's name), "
                  f"'h3_cell', or 'lat' and 'lon' (or easting and northing) columns.",
            column="area", fix="add one of those columns (no row was loaded).")
    if contract.geometry == "polygon" and not has_geometry:
        raise ContractError(path, f"feed {contract.feed!r} needs polygon geometry.",
                            column="geometry", fix="supply the areas as GeoJSON, GeoPackage "
                                                   "or a zipped Shapefile.")


def _shown_name(name) -> str:
    """A column name fit for a one-line message: quoted, control characters escaped, short."""
    return repr(short(name))


def _shown_names(names, limit: int = 30) -> str:
    """Column names for a message: plain when printable, at most ``limit`` of them."""
    names = list(names)
    shown = [str(n) if str(n).isprintable() and len(str(n)) <= MAX_VALUE_CHARS
             else _shown_name(n) for n in names[:limit]]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(shown) + more

