"""Value helpers shared by the readers and the checks of :mod:`data_contracts`: distinct
values of a text column, one result per distinct value spread back over the rows, numbers and
words read from text, and a value shown safely in a report.

Examples
--------
>>> import pyarrow as pa
>>> codes, distinct = uniques(pa.array(["a", " a", "b"]))
>>> codes.tolist(), distinct, per_value(codes, [1, 2], int).tolist()
([0, 0, 1], ['a', 'b'], [1, 1, 2])
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_contracts.timestamps import _np

#: Words read as true and as false (lower case; a blank is false).
TRUE_WORDS = {"true", "t", "yes", "y", "1", "1.0"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "0.0", ""}
#: A time of day, ``H:MM`` or ``HH:MM``.
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
#: The longest value a report or message shows.
MAX_VALUE_CHARS = 80
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Line breaks, tabs and other control characters, and bidirectional-text overrides: a label
#: holding them could break a CSV header line or show different text from what it holds.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def uniques(values) -> tuple[np.ndarray, list[str]]:
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


def per_value(codes: np.ndarray, per_unique, dtype) -> np.ndarray:
    """Spread one value per distinct text back over the rows."""
    return np.asarray(per_unique, dtype=dtype)[codes] if len(per_unique) \
        else np.zeros(len(codes), dtype=dtype)


def short(value) -> str:
    """A value for a report or message: at most 80 characters, control characters escaped
    (``\\n``), so it is one line and shows what the file holds."""
    text = "" if value is None else str(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS - 1] + "…"
    text = CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"


def to_float(values) -> tuple[np.ndarray, np.ndarray]:
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


def norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.lower())


def whole(text: str) -> int:
    """Return text as a whole number 1..1,000,000, or 0 when it is not one."""
    try:
        value = float(text)
    except ValueError:
        return 0
    ok = np.isfinite(value) and value.is_integer() and 1 <= value <= 1_000_000
    return int(value) if ok else 0


def days_mask(text: str) -> int:
    """Return a 7-bit mask (bit 0 = Monday) for a days text, or -1 if unreadable.

    Examples
    --------
    >>> days_mask("Mon-Fri"), days_mask("Sat-Mon"), days_mask("daily"), days_mask("Funday")
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


__all__ = ["CLOCK", "CONTROL", "FALSE_WORDS", "MAX_VALUE_CHARS", "TRUE_WORDS", "days_mask", "norm",
           "per_value", "short", "to_float", "uniques", "whole"]
