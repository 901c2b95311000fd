"""Refuse a file whose *values* look like identifiers, whatever its columns are called.

A monitoring team's extract of online adverts can carry what leads straight back to an advert
and the person in it - a web address, a phone number, an e-mail address, a social-media handle,
an image file or the advert's own words - under any column name ("contact", "info", "ref").
Column names are checked by :meth:`data_contracts.feeds.Contract.refusal`; this module checks
the values of every column of a feed whose contract sets ``refuse_value_shapes``, before
anything else is read, and refuses the whole file at the first value of such a shape. The
message names the file, the column, the row and the kind of identifier, never the value.

Examples
--------
>>> [identifier_shape(v) for v in ("https://example.org/ad/1", "07700 900123",
...                                 "someone@example.org", "@handle_01", "54.512345",
...                                 "2025-03-01", "Ashcombe Ward (synthetic)")]
['a web address', 'a phone number', 'an e-mail address', 'a social-media handle', None, None, None]
"""
from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data_contracts.errors import ContractError

_URL = re.compile(r"(?i)(https?://|www\.|\b[a-z0-9-]+\.(com|co\.uk|org\.uk|uk|net|org|io|me|"
                  r"xxx|info|biz|eu)(/|\b))")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")
_HANDLE = re.compile(r"(^|\s)@[A-Za-z0-9_.]{2,}")
_PHONE_CHARS = re.compile(r"^[\d\s()+\-./]{10,}$")
_PHONE = re.compile(r"^(\+?44|0044|0)\d{9,10}$|^\+\d{10,14}$")
_IMAGE = re.compile(r"(?i)(\.(jpe?g|png|gif|webp|heic|bmp|tiff?)$|^data:image/)")
#: Values with at least this many words and characters read as free text (an advert's words).
TEXT_WORDS, TEXT_CHARS = 8, 60
#: Distinct values checked per column at most (the first ones met); beyond this the column is
#: a free-for-all that the contract would refuse by name or ignore.
MAX_DISTINCT = 200_000


def identifier_shape(value: str) -> str | None:
    """Return what kind of identifier ``value`` looks like, or None.

    Parameters
    ----------
    value : str
        One value of a file, as text.

    Returns
    -------
    str or None
        ``'a web address'``, ``'an e-mail address'``, ``'a social-media handle'``,
        ``'a phone number'``, ``'an image'`` or ``'advert text'``; None for anything else
        (numbers with a decimal point, dates, names of places).
    """
    text = str(value).strip()
    if not text:
        return None
    if _EMAIL.search(text):
        return "an e-mail address"
    if _URL.search(text):
        return "a web address"
    if _HANDLE.search(text):
        return "a social-media handle"
    if _IMAGE.search(text):
        return "an image"
    if _PHONE_CHARS.match(text) and not _is_decimal(text):
        digits = re.sub(r"[\s()\-./]", "", text)
        if _PHONE.match(digits):
            return "a phone number"
    if len(text) >= TEXT_CHARS and len(text.split()) >= TEXT_WORDS:
        return "advert text"
    return None


def _is_decimal(text: str) -> bool:
    """True for a plain number with a decimal point (a coordinate), never a phone number."""
    try:
        float(text)
    except ValueError:
        return False
    return "." in text


def refuse_identifying_values(path, columns: dict, rows) -> None:
    """Refuse the file if any value of any column looks like an identifier.

    Parameters
    ----------
    path : str or Path
        The file, for the message.
    columns : dict
        Column name -> pyarrow array of the file's values as text.
    rows : array of int
        The 1-based source row of each value.

    Raises
    ------
    ContractError
        Naming the column, the row and the kind of identifier (never the value itself).
    """
    for name, values in columns.items():
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            continue
        distinct = pc.unique(values)
        if len(distinct) > MAX_DISTINCT:
            distinct = distinct.slice(0, MAX_DISTINCT)
        for value in distinct.to_pylist():
            kind = identifier_shape(value) if value is not None else None
            if kind is None:
                continue
            where = np.flatnonzero(pc.equal(values, value).to_numpy(zero_copy_only=False))
            row = int(np.asarray(rows)[where[0]]) if len(where) else 0
            shown = repr(str(name)[:80])
            raise ContractError(
                path, f"column {shown} holds {kind} (first at row {row}); Lantern never "
                      f"stores what leads back to an advert or the person in it.",
                column=str(name), fix=f"remove {kind.split(' ', 1)[1]}s from the extract "
                                      f"(or the column {shown}) and load it again "
                                      f"(no row was loaded).")
