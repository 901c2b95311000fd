"""Parse a column of date/time text into UK local ``datetime64[s]``, strictly and column-wide.

Three passes, each on the values the previous one left unparsed:

1. :func:`fixed_iso` — the shapes exports nearly always use (``YYYY-MM-DD``,
   ``YYYY-MM-DDTHH:MM``, ``YYYY-MM-DD HH:MM`` and the same with ``:SS``), read straight from the
   Arrow text buffer as digits with numpy: no string objects, no per-value Python.
2. Arrow ``strptime`` over :data:`FAST_FORMATS` (single-digit months and days, ``DD/MM/YYYY``).
   Arrow rolls an impossible day over (2025-02-30 -> 2025-03-02), so those are re-read by
   pandas, which is strict.
3. pandas' general ISO 8601 parser for the rest; values with a UTC offset (``Z``, ``+01:00``)
   are converted to UK local time. Times without an offset are kept as written.

Every pass is strict: 2025-02-29 and 24:00 are not dates, whichever pass reads them.

Examples
--------
>>> import pyarrow as pa
>>> ts, blank = parse_timestamps(pa.array(["2025-03-02T21:30", "", "2025-02-29", "1/3/2025"]))
>>> [str(t) for t in ts], blank.tolist()
(['2025-03-02T21:30:00', 'NaT', 'NaT', '2025-03-01T00:00:00'], [False, True, False, False])
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Formats tried (in order, each on the rows still unparsed) before the general ISO parser.
FAST_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S")
_OFFSET = r"(?:[zZ]|[+-]\d\d:?\d\d)$"
#: Where the day of the month sits in the fast formats (by their first directive).
_DAY_TEXT = {"%Y": r"^\s*\d{4}-\d{1,2}-(?P<day>\d{1,2})", "%d": r"^\s*(?P<day>\d{1,2})/"}
_NAT = np.datetime64("NaT", "s")
#: Days in each month of a common year (index 0 unused).
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
#: Widths read by :func:`fixed_iso`, and where their digits sit.
_DIGITS = {10: (0, 1, 2, 3, 5, 6, 8, 9),
           16: (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15),
           19: (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)}


def parse_timestamps(values) -> tuple[np.ndarray, np.ndarray]:
    """Return (``datetime64[s]``, NaT where blank or unreadable; blank mask) for text values.

    Parameters
    ----------
    values : pyarrow string Array or ChunkedArray (blanks as ``""``, never null)
    """
    n = len(values)
    ts, ok = fixed_iso(values)
    blank = _np(pc.equal(values, ""))
    pending = np.flatnonzero(~ok & ~blank)
    for fmt in FAST_FORMATS:
        if not len(pending):
            break
        sub = values if len(pending) == n else values.take(pa.array(pending))
        got, good = _strptime_strict(sub, fmt)
        ts[pending[good]] = got[good]
        pending = pending[~good]
    if len(pending):
        parsed, empty = _parse_general(values.take(pa.array(pending)).to_pylist())
        ts[pending] = parsed
        blank[pending[empty]] = True
    return ts, blank


def fixed_iso(values) -> tuple[np.ndarray, np.ndarray]:
    """Read ``YYYY-MM-DD[(T| )HH:MM[:SS]]`` values from the Arrow buffers, strictly.

    Returns (``datetime64[s]``, read mask); values of any other shape (or impossible dates and
    times) are NaT and not read, for the later passes to judge.

    Examples
    --------
    >>> ts, ok = fixed_iso(pa.array(["2024-02-29 23:59:59", "2023-02-29", "2025-3-1"]))
    >>> str(ts[0]), ok.tolist()
    ('2024-02-29T23:59:59', [True, False, False])
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    parts = [_fixed_iso_chunk(c) for c in chunks]
    if not parts:
        return np.zeros(0, dtype="datetime64[s]"), np.zeros(0, dtype=bool)
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


def _fixed_iso_chunk(chunk) -> tuple[np.ndarray, np.ndarray]:
    n = len(chunk)
    ts = np.full(n, _NAT)
    ok = np.zeros(n, dtype=bool)
    if n == 0 or chunk.null_count:
        return ts, ok
    if pa.types.is_large_string(chunk.type):
        width_type = np.int64
    elif pa.types.is_string(chunk.type):
        width_type = np.int32
    else:
        return ts, ok
    _, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=width_type)[chunk.offset:chunk.offset + n + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None \
        else np.zeros(0, dtype=np.uint8)
    lengths = np.diff(offsets)
    for width, places in _DIGITS.items():
        rows = np.flatnonzero(lengths == width)
        if not len(rows):
            continue
        if len(rows) == n:                     # every value this wide: a zero-copy view
            text = data[offsets[0]:offsets[-1]].reshape(n, width)
        else:
            text = data[offsets[rows][:, None] + np.arange(width)]
        got, good = _read_digits(text, places)
        ts[rows[good]] = got[good]
        ok[rows[good]] = True
    return ts, ok


def _read_digits(text: np.ndarray, places: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Date/time from an (n, width) byte matrix; (NaT, False) where it is not a real one."""
    width = text.shape[1]
    digits = text[:, list(places)].astype(np.int32) - 48
    good = ((digits >= 0) & (digits <= 9)).all(axis=1)
    good &= (text[:, 4] == 45) & (text[:, 7] == 45)                       # "-" "-"
    if width > 10:
        good &= ((text[:, 10] == 84) | (text[:, 10] == 32)) & (text[:, 13] == 58)  # T/" " ":"
    if width > 16:
        good &= text[:, 16] == 58
    pair = digits[:, 4::2] * 10 + digits[:, 5::2]       # month, day, hour, minute, second
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month, day = pair[:, 0], pair[:, 1]
    good &= (month >= 1) & (month <= 12) & (day >= 1)
    seconds = np.zeros(len(text), dtype=np.int64)
    for col, limit, scale in ((2, 24, 3600), (3, 60, 60), (4, 60, 1)):
        if pair.shape[1] > col:
            good &= pair[:, col] < limit
            seconds += pair[:, col].astype(np.int64) * scale
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    good &= day <= _MONTH_DAYS[np.where(good, month, 0)] + (leap & (month == 2))
    when = (_days_from_civil(year, month, day) * 86_400 + seconds).astype("datetime64[s]")
    return np.where(good, when, _NAT), good


def _days_from_civil(year, month, day) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm), int64.

    >>> _days_from_civil(np.array([1970, 2000, 2024]), np.array([1, 3, 2]), np.array([1, 1, 29]))
    array([    0, 11017, 19782])
    """
    year = np.asarray(year, dtype=np.int64) - (np.asarray(month) <= 2)
    month, day = np.asarray(month, dtype=np.int64), np.asarray(day, dtype=np.int64)
    era = np.floor_divide(year, 400)
    yoe = year - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    return era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468


def _strptime_strict(sub, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """Arrow ``strptime`` with rolled-over days re-read strictly by pandas."""
    parsed = pc.strptime(sub, format=fmt, unit="s", error_is_null=True)
    got = parsed.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    ok = ~np.isnat(got)
    # A parsed day 1-3 whose text says day 29-31 was rolled over: pandas re-reads it.
    rolled = np.flatnonzero(_np(pc.less_equal(pc.day(parsed), 3)))
    if len(rolled):
        texts = sub.take(pa.array(rolled))
        day = pc.struct_field(pc.extract_regex(texts, _DAY_TEXT[fmt[:2]]), [0])
        late = _np(pc.greater_equal(pc.cast(day, pa.int8()), 29))
        rolled, texts = rolled[late], texts.filter(pa.array(late))
    if len(rolled):
        strict = pd.to_datetime(pd.Series(texts.to_pylist()), format=fmt, errors="coerce")
        got[rolled] = strict.to_numpy(dtype="datetime64[s]")
        ok[rolled] = strict.notna().to_numpy()
    return got, ok


def _parse_general(texts: list) -> tuple[np.ndarray, np.ndarray]:
    """Parse the few values the fast formats did not: any ISO 8601, with or without offset."""
    s = pd.Series(texts, dtype=object).str.strip()
    empty = (s == "").to_numpy()
    aware = (s.str.contains(_OFFSET, regex=True) & (s.str.len() > 10)).to_numpy(dtype=bool)
    result = np.full(len(s), _NAT)
    naive = ~aware & ~empty
    if naive.any():
        got = pd.to_datetime(s[naive], format="ISO8601", errors="coerce")
        result[naive] = got.to_numpy(dtype="datetime64[s]")
    if aware.any():
        got = pd.to_datetime(s[aware], format="ISO8601", errors="coerce", utc=True)
        local = got.dt.tz_convert("Europe/London").dt.tz_localize(None)
        result[aware] = local.to_numpy(dtype="datetime64[s]")
    return result, empty


def _np(mask) -> np.ndarray:
    """A boolean Arrow array (nulls = False) as numpy."""
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)
