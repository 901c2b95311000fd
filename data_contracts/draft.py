"""Draft a recipe from a partner's file: ``lantern recipe draft FEED PATH``.

The draft reads the file's header and the distinct values of its category-like columns, and
proposes a recipe: exact, alias and close (difflib) matches for the columns and the words, a
CRS and a date format when it can tell, and commented ``# TODO`` lines for what it cannot map.
A person checks it, fills the TODOs and keeps it beside the partner's files.

It never prints a value from a column whose name looks identifying (those columns are
refused at load anyway), and prints values only from columns with few distinct values
(category-like), never from free text, keys or coordinates.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np

from data_contracts.values import norm, to_float, uniques
from data_contracts.coordinates import COORDINATE_NAMES, PAIRS
from data_contracts.feeds import contract_for, identifying_reason, normalise_name
from data_contracts.readers import read_raw, read_source
from data_contracts.timestamps import parse_timestamps

#: Words partners use for Lantern's, by column (compared without case). The "alias" matches.
SYNONYMS: dict[str, dict[str, str]] = {
    "activity_type": {"soliciting": "observation", "loitering": "observation",
                      "sighting": "observation", "kerb crawler": "kerb_crawling",
                      "kerb crawling": "kerb_crawling", "kerb-crawling": "kerb_crawling",
                      "outreach contact": "outreach_sighting", "outreach": "outreach_sighting"},
    "service": {"sexual health": "health", "health check": "health",
                "drugs": "drugs_alcohol", "alcohol": "drugs_alcohol",
                "substance misuse": "drugs_alcohol", "accommodation": "housing",
                "rape crisis": "sexual_violence", "exiting": "exit_support",
                "ugly mugs": "num_signup", "num": "num_signup"},
    "source_agency": {"police": "police", "council": "council", "nhs": "health"},
    "concern_type": {"asb": "anti_social_behaviour", "needles": "litter_needles",
                     "litter": "litter_needles", "complaint": "complaint"},
    "area_type": {"lsoa": "lsoa", "ward": "ward", "msoa": "msoa", "beat": "beat"},
}
#: ONS-style code/name column prefixes (LSOA11CD, WD21NM, LAD23CD) and the area type.
_AREA_PREFIXES = (("lsoa", "lsoa"), ("msoa", "msoa"), ("wd", "ward"), ("ward", "ward"),
                  ("lad", "district"), ("beat", "beat"), ("neighbourhood", "neighbourhood"))
#: At most this many distinct values make a column category-like.
CATEGORY_LIKE = 40
#: Date formats tried when the dates are not ISO or UK dd/mm/yyyy.
DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y %H:%M",
                "%d.%m.%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y%m%d", "%d %b %Y", "%d %B %Y")


def draft_recipe(feed: str, path, *, sheet: str | None = None,
                 layer: str | None = None) -> str:
    """Return a draft recipe (TOML text) mapping the file at ``path`` onto ``feed``.

    Parameters
    ----------
    feed : str
        The feed the file is for.
    path : str or Path
        A partner file in any format Lantern reads.
    sheet, layer : str, optional
        The workbook sheet or GeoPackage layer to read.

    Returns
    -------
    str
        TOML that :func:`data_contracts.recipes.load_recipe` reads; what the draft could not
        decide is in ``# TODO`` comments.

    Raises
    ------
    ContractError
        The file is missing or unreadable.
    ValueError
        ``feed`` is unknown.
    """
    contract = contract_for(feed)
    path = Path(path)
    raw = read_raw(path, read_source(path), sheet=sheet, layer=layer)
    header = list(raw.table.column_names)
    refused = {h: identifying_reason(normalise_name(h)) for h in header}
    refused = {h: why for h, why in refused.items()
               if why and normalise_name(h) not in contract.allowed_identifying}
    usable = [h for h in header if h not in refused]
    lines = [f"# Draft recipe for {path.name} -> feed {feed}. Check every line; fill the TODOs.",
             f'feed = "{feed}"']
    lines += [f'sheet = "{sheet}"'] if sheet else []
    lines += [f'layer = "{layer}"'] if layer else []
    lines += [f"# {note}" for note in raw.notes]
    columns = _match_columns(contract, usable, raw)
    lines += _crs_lines(raw, columns)
    if contract.geometry == "polygon":
        return "\n".join(lines + _area_lines(usable, raw)) + "\n"
    lines += _date_lines(contract, columns, raw)
    lines += ["", "[columns]   # Lantern column = the column in the partner's file"]
    for target, (source, how) in columns.items():
        lines.append(f"{target} = {_q(source)}" + (f"   # {how}" if how != "exact" else ""))
    missing = [c for c in contract.columns if c.name not in columns
               and not (c.name in ("lat", "lon") and _has_pair(columns))]
    for col in missing:
        if col.required or col.kind == "category":
            lines.append(f'# {col.name} = "..."   # TODO: which column holds {col.name}? '
                         f"(or [set] it below){'' if col.required else ' (optional)'}")
    for col in contract.columns:
        if col.kind == "category" and col.name in columns:
            lines += _value_lines(col, columns[col.name][0], raw)
    unset = [c for c in missing if c.kind == "category" and c.required]
    if unset:
        lines += ["", "[set]   # the same value on every row"]
        lines += [f'# {c.name} = "{c.allowed[0]}"   # TODO: one of {", ".join(c.allowed)}'
                  for c in unset]
    for h, why in refused.items():
        lines.append(f"# the column {_q(h)} is refused ({why}): remove it from the extract; "
                     "its values are not shown")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """A TOML basic string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _has_pair(columns: dict) -> bool:
    return any(x in columns and y in columns for x, y in PAIRS)


def _match_columns(contract, usable: list, raw) -> dict:
    """Lantern column -> (source column, how it was matched)."""
    found: dict = {}
    norms = {h: normalise_name(h) for h in usable}
    points = contract.geometry != "polygon"

    def take(target, h, how):
        found[target] = (h, how)
        norms.pop(h)

    for col in contract.columns:
        h = next((h for h, n in norms.items() if n == col.name or n in col.aliases), None)
        if h is not None:
            take(col.name, h, "exact" if norms[h] == col.name else "alias")
    for h, n in list(norms.items()):
        target = COORDINATE_NAMES.get(n)
        if points and target and target not in found:
            take(target, h, "exact")
    if points and not _has_pair(found):
        _coordinates_by_name(norms, take)
    for col in contract.columns:
        if col.name in found or col.kind in ("lat", "lon"):
            continue
        close = difflib.get_close_matches(col.name, list(norms.values()), n=1, cutoff=0.75)
        if close:
            take(col.name, next(h for h, n in norms.items() if n == close[0]),
                 "close match: check")
    for col in contract.columns:
        if col.name not in found and col.kind in ("category", "datetime"):
            h = (_by_values(col, list(norms), raw) if col.kind == "category"
                 else _dates_in(list(norms), raw))
            if h:
                take(col.name, h, f"its values look like {col.name}: check")
    return found


#: Name pieces that say which coordinate a column holds.
_COORDINATE_HINTS = (("lat", ("lat",)), ("lon", ("lon", "lng")),
                     ("easting", ("east", "_e", "_x")), ("northing", ("north", "_n", "_y")))


def _coordinates_by_name(norms: dict, take) -> None:
    """Find a coordinate pair whose names hint at it (``GRID_E``/``GRID_N``, ``Latitude_WGS``)."""
    hits: dict = {}
    for target, pieces in _COORDINATE_HINTS:
        for h, n in norms.items():
            if any(n.endswith(p) if p.startswith("_") else p in n for p in pieces):
                hits.setdefault(target, h)
    for x, y in (("lon", "lat"), ("easting", "northing")):
        if x in hits and y in hits and hits[x] != hits[y]:
            take(x, hits[x], "from its name: check")
            take(y, hits[y], "from its name: check")
            return


def _dates_in(candidates: list, raw) -> str | None:
    """The first column whose values are nearly all dates."""
    for h in candidates:
        sample = raw.table.column(h).slice(0, 500)
        ts, blank = parse_timestamps(sample)
        if (~blank).sum() and (~np.isnat(ts[~blank])).mean() > 0.9:
            return h
        if (~blank).sum() and _date_format(sample) is not None:
            return h
    return None


def _date_format(sample) -> str | None:
    """The first of :data:`DATE_FORMATS` that reads nearly all of ``sample``, or None."""
    import pandas as pd

    texts = pd.Series([v for v in sample.to_pylist() if v], dtype=object)
    if texts.empty:
        return None
    for fmt in DATE_FORMATS:
        if pd.to_datetime(texts, format=fmt, errors="coerce").notna().mean() > 0.9:
            return fmt
    return None


def _distinct(raw, column: str) -> list[str] | None:
    """Distinct non-blank values of a category-like column, else None."""
    _, uniq = uniques(raw.table.column(column))
    uniq = [u for u in uniq if u]
    return uniq if 0 < len(uniq) <= CATEGORY_LIKE else None


def _word_for(col, value: str) -> tuple[str | None, str]:
    """Lantern's word for a partner's value, and how it was found."""
    allowed = {norm(a): a for a in col.allowed}
    if norm(value) in allowed:
        return allowed[norm(value)], "exact"
    alias = SYNONYMS.get(col.name, {}).get(value.strip().casefold())
    if alias in col.allowed:
        return alias, "alias"
    close = difflib.get_close_matches(norm(value), list(allowed), n=1, cutoff=0.7)
    return (allowed[close[0]], "close match: check") if close else (None, "")


def _by_values(col, candidates: list, raw) -> str | None:
    best, score = None, 0
    for h in candidates:
        values = _distinct(raw, h)
        if values:
            hits = sum(_word_for(col, v)[0] is not None for v in values)
            if hits > score:
                best, score = h, hits
    return best


def _value_lines(col, source: str, raw) -> list[str]:
    values = _distinct(raw, source)
    if values is None:
        return ["", f"# [values.{col.name}]: {_q(source)} has too many distinct values to "
                    f"list; map its words as \"Their word\" = \"one of {', '.join(col.allowed)}\""]
    out = []
    for value in sorted(values):
        word, how = _word_for(col, value)
        if how == "exact":
            continue
        if word:
            out.append(f"{_q(value)} = {_q(word)}" + ("" if how == "alias" else f"   # {how}"))
        else:
            out.append(f"# {_q(value)} = \"\"   # TODO: one of {', '.join(col.allowed)}")
    if not out:
        return []
    return ["", f"[values.{col.name}]   # the partner's word = Lantern's word", *out]


def _crs_lines(raw, columns: dict) -> list[str]:
    if raw.crs:
        return [f"# the file declares its coordinate system ({raw.crs}); Lantern reprojects it"]
    pair = next(((x, y) for x, y in PAIRS if x in columns and y in columns), None)
    if pair is None or pair == ("lon", "lat"):
        return []
    from geo.crs import BNG, looks_like_grid_metres

    x, _ = to_float(raw.table.column(columns[pair[0]][0]))
    y, _ = to_float(raw.table.column(columns[pair[1]][0]))
    if looks_like_grid_metres(x, y) > 0.5:
        return [f'crs = "{BNG}"   # the coordinates are grid metres (British National Grid)']
    return ['# crs = "EPSG:NNNN"   # TODO: the coordinates\' system, if not degrees']


def _date_lines(contract, columns: dict, raw) -> list[str]:
    if contract.time is None or contract.time not in columns:
        return []
    sample = raw.table.column(columns[contract.time][0]).slice(0, 2000)
    ts, blank = parse_timestamps(sample)
    if (~blank).sum() == 0 or np.isnat(ts[~blank]).mean() < 0.5:
        return []
    fmt = _date_format(sample)
    if fmt:
        return [f'date_format = "{fmt}"   # how the dates are written: check']
    return ['# date_format = "%d/%m/%Y %H:%M"   # TODO: how the dates are written '
            "(strftime codes)"]


def _area_lines(usable: list, raw) -> list[str]:
    norms = {h: normalise_name(h) for h in usable}
    name = next((h for h, n in norms.items() if n == "name"), None) \
        or next((h for h, n in norms.items() if n.endswith("nm") or "name" in n), None)
    lines = [f"name_field = {_q(name)}   # the column holding each area's public name"
             if name else '# name_field = "..."   # TODO: the column holding each area\'s name']
    kind = next((kind for n in norms.values() for prefix, kind in _AREA_PREFIXES
                 if n.startswith(prefix)), None)
    if "area_type" in norms.values():
        lines.append("# the file has an area_type column: it is read as it is")
    elif kind:
        lines.append(f'area_type = "{kind}"   # from the column names: check')
    else:
        lines.append('# area_type = "ward"   # TODO: force, ward, neighbourhood, beat, lsoa, '
                     "msoa or district")
    return lines
