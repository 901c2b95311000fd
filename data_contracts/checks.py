"""Column checks: one function per column kind, each over a whole column at once.

Each check takes ``(col, values, out, report, **context)``: the contract's
:class:`~data_contracts.feeds.Column`, the column's text (a pyarrow string array), a dict to
put the typed values in, and ``report(column, mask, reason)`` to send the rows in ``mask`` to
quarantine. Low-cardinality columns (categories, flags, keys, days) are checked once per
distinct value, so a million rows take no Python loop per row.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_contracts.timestamps import parse_timestamps
from data_contracts.values import (CLOCK, CONTROL, FALSE_WORDS, MAX_VALUE_CHARS, TRUE_WORDS,
                                   days_mask, norm, per_value, to_float, uniques, whole)

_EARLIEST = np.datetime64("1990-01-01", "s")
_HEX_CELL = re.compile(r"[0-9a-fA-F]{15,16}")
RAGGED_REASON = "the row does not have one value per header column"


def _coordinate(col, values, out, report, **_):
    limit = 90.0 if col.kind == "lat" else 180.0
    if pa.types.is_floating(values.type):
        # Converted from another CRS by data_contracts.coordinates, which has already
        # reported blank, unreadable and unconvertible source values.
        num = values.to_numpy(zero_copy_only=False).astype(np.float64)
    else:
        num, missing = to_float(values)
        if col.required:
            report(col.name, missing, f"{col.name} is missing")
        report(col.name, ~missing & np.isnan(num), f"{col.name} is not a number")
    report(col.name, ~np.isnan(num) & ~np.isfinite(num), f"{col.name} is not finite")
    with np.errstate(invalid="ignore"):
        report(col.name, np.isfinite(num) & (np.abs(num) > limit),
               f"{col.name} is impossible (must be between -{limit:g} and {limit:g})")
    out[col.name] = num


def _datetime(col, values, out, report, *, today, recipe=None, **_):
    fmt = recipe.date_format if recipe is not None else None
    ts, blank = parse_timestamps(values) if not fmt else _formatted(values, fmt)
    failed = ~blank & np.isnat(ts)
    if col.required:
        report(col.name, blank, f"{col.name} is missing")
    report(col.name, failed,
           f"{col.name} is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)" if not fmt else
           f"{col.name} is not a date in the recipe's format {fmt} "
           f"({recipe.where('date_format')})")
    tomorrow = np.datetime64(today + dt.timedelta(days=1), "s")
    report(col.name, ~np.isnat(ts) & (ts >= tomorrow),
           f"{col.name} is in the future (after {today.isoformat()})")
    report(col.name, ~np.isnat(ts) & (ts < _EARLIEST),
           f"{col.name} is before {str(_EARLIEST)[:10]}, which is implausible")
    out["when"] = ts
    seconds = ts.astype(np.int64) % 86400
    out["has_time"] = (pc.utf8_length(values).to_numpy(zero_copy_only=False) > 10) \
        & (seconds != 0) & ~np.isnat(ts)


def _formatted(values, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse text with one strptime format (a recipe's ``date_format``), strictly."""
    codes, uniq = uniques(values)
    parsed = pd.to_datetime(pd.Series(uniq, dtype=object), format=fmt, errors="coerce")
    per = parsed.to_numpy(dtype="datetime64[s]")
    return per[codes] if len(uniq) else np.empty(0, "datetime64[s]"), \
        per_value(codes, [u == "" for u in uniq], bool)


def _category(col, values, out, report, *, recipe=None, **_):
    codes, uniq = uniques(values)
    lookup = {norm(a): i for i, a in enumerate(col.allowed)}
    mapped = [recipe.value_for(col.name, u) if recipe is not None else None for u in uniq]
    index = [lookup.get(norm(m if m is not None else u), -1) for u, m in zip(uniq, mapped)]
    blank = per_value(codes, [u == "" for u in uniq], bool)
    unknown = per_value(codes, [i < 0 and u != "" for i, u in zip(index, uniq)], bool)
    if col.required:
        report(col.name, blank, f"{col.name} is missing")
    if recipe is not None and not recipe.is_empty and recipe.source != "command-line flags":
        where = recipe.where("values", col.name)
        table = f"[values.{col.name}]"
        report(col.name, unknown, f"{col.name} is not one of: {', '.join(col.allowed)}, "
                                  f"and the recipe does not map it",
               lambda v: f"add the line \"{v}\" = \"{col.allowed[0]}\" (or another of those "
                         f"words) under {table} ({where})")
    else:
        report(col.name, unknown, f"{col.name} is not one of: {', '.join(col.allowed)}")
    out[col.name] = pd.Categorical.from_codes(per_value(codes, index, np.int64),
                                              categories=list(col.allowed))


def _bool(col, values, out, report, **_):
    codes, uniq = uniques(values)
    low = [u.lower() for u in uniq]
    report(col.name, per_value(codes, [v not in TRUE_WORDS and v not in FALSE_WORDS
                                       for v in low], bool),
           f"{col.name} is not true/false (use true, false, yes, no, 1 or 0)")
    out[col.name] = per_value(codes, [v in TRUE_WORDS for v in low], bool)


def _int(col, values, out, report, **_):
    codes, uniq = uniques(values)
    nums = [whole(u) if u else 1 for u in uniq]
    report(col.name, per_value(codes, [k == 0 for k in nums], bool),
           f"{col.name} is not a whole number from 1 to 1,000,000")
    out[col.name] = per_value(codes, [max(k, 1) for k in nums], np.int64)


def _key(col, values, out, report, **_):
    codes, uniq = uniques(values)
    keys = [u for u in uniq if u]
    where = {u: i for i, u in enumerate(keys)}
    out[col.name] = pd.Categorical.from_codes(
        per_value(codes, [where.get(u, -1) for u in uniq], np.int64), categories=keys)


def _clock(col, values, out, report, **_):
    codes, uniq = uniques(values)
    parts = [CLOCK.match(u) for u in uniq]
    report(col.name, per_value(codes, [m is None for m in parts], bool),
           f"{col.name} is not a time of day HH:MM")
    out[col.name] = per_value(codes, [int(m[1]) * 60 + int(m[2]) if m else 0 for m in parts],
                               np.int64)


def _days(col, values, out, report, **_):
    codes, uniq = uniques(values)
    masks = per_value(codes, [days_mask(u) for u in uniq], np.int64)
    report(col.name, masks < 0,
           f"{col.name} is not a list of days (e.g. Mon-Fri, Mon,Wed,Sat or daily)")
    out[col.name] = np.maximum(masks, 0)


def _cell(col, values, out, report, **_):
    import h3

    codes, uniq = uniques(values)
    # is_valid_cell raises OverflowError on long hex text: only 15-16 hex digits can be a cell.
    valid = [bool(_HEX_CELL.fullmatch(u)) and h3.is_valid_cell(u) for u in uniq]
    report(col.name, per_value(codes, [bool(u) and not ok for u, ok in zip(uniq, valid)], bool),
           f"{col.name} is not a valid H3 cell id")
    out[col.name] = per_value(codes, [h3.str_to_int(u) if ok else 0
                                       for u, ok in zip(uniq, valid)], np.uint64)
    out["__has_cell"] = per_value(codes, valid, bool)


def _label(col, values, out, report, **_):
    codes, uniq = uniques(values)
    report(col.name, per_value(codes, [u == "" for u in uniq], bool), f"{col.name} is missing")
    report(col.name, per_value(codes, [len(u) > MAX_VALUE_CHARS for u in uniq], bool),
           f"{col.name} is longer than {MAX_VALUE_CHARS} characters")
    report(col.name, per_value(codes, [bool(CONTROL.search(u)) for u in uniq], bool),
           f"{col.name} contains control or text-direction characters")
    out[col.name] = per_value(codes, uniq, object)


def _place(col, values, out, report, **_):
    """An optional area name (blank = the row gives its place another way)."""
    codes, uniq = uniques(values)
    report(col.name, per_value(codes, [len(u) > MAX_VALUE_CHARS for u in uniq], bool),
           f"{col.name} is longer than {MAX_VALUE_CHARS} characters")
    report(col.name, per_value(codes, [bool(CONTROL.search(u)) for u in uniq], bool),
           f"{col.name} contains control or text-direction characters")
    out[col.name] = per_value(codes, uniq, object)


_CHECKS = {
    "lat": _coordinate, "lon": _coordinate, "datetime": _datetime, "category": _category,
    "bool": _bool, "int": _int, "key": _key, "clock": _clock, "days": _days, "cell": _cell,
    "label": _label, "place": _place,
}
