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

from data_contracts.timestamps import _np, parse_timestamps

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", ""}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_EARLIEST = np.datetime64("1990-01-01", "s")
_HEX_CELL = re.compile(r"[0-9a-fA-F]{15,16}")
#: Line breaks, tabs and other control characters, and bidirectional-text overrides: a label
#: holding them could break a CSV header line or show different text from what it holds.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_VALUE_CHARS = 80
RAGGED_REASON = "the row does not have one value per header column"


def _uniques(values) -> tuple[np.ndarray, list[str]]:
    """Return (codes, distinct stripped values): ``distinct[codes]`` is the stripped column.

    The column is dictionary-encoded in one pass over all its chunks (one dictionary, so
    Python sees each distinct value once even when there are 100,000 references), then values
    that differ only by surrounding spaces are merged.
    """
    if isinstance(values, pa.ChunkedArray):
        if values.nbytes > 2**30:        # past 32-bit string offsets once combined
            values = values.cast(pa.large_string())
        values = values.combine_chunks()
    enc = values.dictionary_encode()
    canon: dict = {}
    remap = np.array([canon.setdefault(str(u).strip(), len(canon))
                      for u in enc.dictionary.to_pylist()], dtype=np.int64)
    idx = enc.indices.to_numpy(zero_copy_only=False)
    codes = remap[idx] if len(remap) else idx.astype(np.int64)
    return codes, list(canon)


def _per_value(codes: np.ndarray, per_unique, dtype) -> np.ndarray:
    """Spread one value per distinct text back over the rows."""
    return np.asarray(per_unique, dtype=dtype)[codes] if len(per_unique) \
        else np.zeros(len(codes), dtype=dtype)


def _short(value) -> str:
    """A value for a report or message: at most 80 characters, control characters escaped
    (``\\n``), so it is one line and shows what the file holds."""
    text = "" if value is None else str(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS - 1] + "…"
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"


def _to_float(values) -> tuple[np.ndarray, np.ndarray]:
    """Return (numbers with NaN where unreadable, blank mask)."""
    is_blank = pc.equal(values, "")
    blank = _np(is_blank)
    try:  # fast path: every non-blank value is a plain number
        given = pc.if_else(is_blank, pa.scalar(None, pa.string()), values) if blank.any() \
            else values
        num = pc.cast(given, pa.float64())
        return num.to_numpy(zero_copy_only=False), blank
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        text = pd.Series(values.to_pylist(), dtype=object).str.strip()
        blank = (text == "").to_numpy()
        num = pd.to_numeric(text.where(~blank), errors="coerce")
        return num.to_numpy(dtype=float, na_value=np.nan), blank


def _coordinate(col, values, out, report, **_):
    limit = 90.0 if col.kind == "lat" else 180.0
    if pa.types.is_floating(values.type):
        # Converted from another CRS by data_contracts.coordinates, which has already
        # reported blank, unreadable and unconvertible source values.
        num = values.to_numpy(zero_copy_only=False).astype(np.float64)
    else:
        num, missing = _to_float(values)
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
    codes, uniq = _uniques(values)
    parsed = pd.to_datetime(pd.Series(uniq, dtype=object), format=fmt, errors="coerce")
    per = parsed.to_numpy(dtype="datetime64[s]")
    return per[codes] if len(uniq) else np.empty(0, "datetime64[s]"), \
        _per_value(codes, [u == "" for u in uniq], bool)


def _category(col, values, out, report, *, recipe=None, **_):
    codes, uniq = _uniques(values)
    lookup = {_norm(a): i for i, a in enumerate(col.allowed)}
    mapped = [recipe.value_for(col.name, u) if recipe is not None else None for u in uniq]
    index = [lookup.get(_norm(m if m is not None else u), -1) for u, m in zip(uniq, mapped)]
    blank = _per_value(codes, [u == "" for u in uniq], bool)
    unknown = _per_value(codes, [i < 0 and u != "" for i, u in zip(index, uniq)], bool)
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
    out[col.name] = pd.Categorical.from_codes(_per_value(codes, index, np.int64),
                                              categories=list(col.allowed))


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.lower())


def _bool(col, values, out, report, **_):
    codes, uniq = _uniques(values)
    low = [u.lower() for u in uniq]
    report(col.name, _per_value(codes, [v not in _TRUE and v not in _FALSE for v in low], bool),
           f"{col.name} is not true/false (use true, false, yes, no, 1 or 0)")
    out[col.name] = _per_value(codes, [v in _TRUE for v in low], bool)


def _whole(text: str) -> int:
    """Return text as a whole number 1..1,000,000, or 0 when it is not one."""
    try:
        value = float(text)
    except ValueError:
        return 0
    ok = np.isfinite(value) and value.is_integer() and 1 <= value <= 1_000_000
    return int(value) if ok else 0


def _int(col, values, out, report, **_):
    codes, uniq = _uniques(values)
    nums = [_whole(u) if u else 1 for u in uniq]
    report(col.name, _per_value(codes, [k == 0 for k in nums], bool),
           f"{col.name} is not a whole number from 1 to 1,000,000")
    out[col.name] = _per_value(codes, [max(k, 1) for k in nums], np.int64)


def _key(col, values, out, report, **_):
    codes, uniq = _uniques(values)
    keys = [u for u in uniq if u]
    where = {u: i for i, u in enumerate(keys)}
    out[col.name] = pd.Categorical.from_codes(
        _per_value(codes, [where.get(u, -1) for u in uniq], np.int64), categories=keys)


def _clock(col, values, out, report, **_):
    codes, uniq = _uniques(values)
    parts = [_CLOCK.match(u) for u in uniq]
    report(col.name, _per_value(codes, [m is None for m in parts], bool),
           f"{col.name} is not a time of day HH:MM")
    out[col.name] = _per_value(codes, [int(m[1]) * 60 + int(m[2]) if m else 0 for m in parts],
                               np.int64)


def _days(col, values, out, report, **_):
    codes, uniq = _uniques(values)
    masks = _per_value(codes, [_days_mask(u) for u in uniq], np.int64)
    report(col.name, masks < 0,
           f"{col.name} is not a list of days (e.g. Mon-Fri, Mon,Wed,Sat or daily)")
    out[col.name] = np.maximum(masks, 0)


def _days_mask(text: str) -> int:
    """Return a 7-bit mask (bit 0 = Monday) for a days text, or -1 if unreadable.

    Examples
    --------
    >>> _days_mask("Mon-Fri"), _days_mask("Sat-Mon"), _days_mask("daily"), _days_mask("Funday")
    (31, 97, 127, -1)
    """
    text = text.strip().lower()
    if text in ("daily", "every day", "all", "mon-sun"):
        return 0b1111111
    mask = 0
    for part in re.split(r"[,;/ ]+", text):
        if not part:
            continue
        ends = part.split("-")
        try:
            idx = [_DAYS.index(e.strip()[:3]) for e in ends]
        except ValueError:
            return -1
        if len(idx) == 1:
            mask |= 1 << idx[0]
        elif len(idx) == 2:
            a, b = idx
            span = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
            for d in span:
                mask |= 1 << d
        else:
            return -1
    return mask if mask else -1


def _cell(col, values, out, report, **_):
    import h3

    codes, uniq = _uniques(values)
    # is_valid_cell raises OverflowError on long hex text: only 15-16 hex digits can be a cell.
    valid = [bool(_HEX_CELL.fullmatch(u)) and h3.is_valid_cell(u) for u in uniq]
    report(col.name, _per_value(codes, [bool(u) and not ok for u, ok in zip(uniq, valid)], bool),
           f"{col.name} is not a valid H3 cell id")
    out[col.name] = _per_value(codes, [h3.str_to_int(u) if ok else 0
                                       for u, ok in zip(uniq, valid)], np.uint64)
    out["__has_cell"] = _per_value(codes, valid, bool)


def _label(col, values, out, report, **_):
    codes, uniq = _uniques(values)
    report(col.name, _per_value(codes, [u == "" for u in uniq], bool), f"{col.name} is missing")
    report(col.name, _per_value(codes, [len(u) > MAX_VALUE_CHARS for u in uniq], bool),
           f"{col.name} is longer than {MAX_VALUE_CHARS} characters")
    report(col.name, _per_value(codes, [bool(_CONTROL.search(u)) for u in uniq], bool),
           f"{col.name} contains control or text-direction characters")
    out[col.name] = _per_value(codes, uniq, object)


def _place(col, values, out, report, **_):
    """An optional area name (blank = the row gives its place another way)."""
    codes, uniq = _uniques(values)
    report(col.name, _per_value(codes, [len(u) > MAX_VALUE_CHARS for u in uniq], bool),
           f"{col.name} is longer than {MAX_VALUE_CHARS} characters")
    report(col.name, _per_value(codes, [bool(_CONTROL.search(u)) for u in uniq], bool),
           f"{col.name} contains control or text-direction characters")
    out[col.name] = _per_value(codes, uniq, object)


_CHECKS = {
    "lat": _coordinate, "lon": _coordinate, "datetime": _datetime, "category": _category,
    "bool": _bool, "int": _int, "key": _key, "clock": _clock, "days": _days, "cell": _cell,
    "label": _label, "place": _place,
}
