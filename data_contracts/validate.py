"""Validate a feed file against its contract: refuse the file, or split rows into good and bad.

All checks run over whole columns (pyarrow compute and numpy; low-cardinality columns —
categories, flags, keys, days — are checked once per distinct value), so a million rows take
no Python loop per row. Each bad value becomes a :class:`~data_contracts.errors.Problem`; a row
with any problem is quarantined. ``n_read == len(rows) + n_quarantined + n_excluded`` always
holds.

Times without a UTC offset are local (UK) wall-clock times and are kept as written; times with
an offset (``Z``, ``+01:00``) are converted to UK local time.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_contracts.errors import ContractError, Problem
from data_contracts.feeds import Contract, contract_for, normalise_name
from data_contracts.identifiers import refuse_identifying_values
from data_contracts.police_uk import CRIME_TYPE_TO_CONCERN, is_police_uk_header
from data_contracts.readers import read_raw
from data_contracts.timestamps import _np, parse_timestamps
from geo.extent import UK_EXTENT, Extent

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


@dataclass
class ValidatedFeed:
    """The outcome of validating one file.

    Attributes
    ----------
    rows : pandas.DataFrame
        Good rows, typed: ``lat``/``lon`` floats, ``when`` datetime64 (UK local time; absent
        for feeds without times), ``has_time`` bool, categories as ``pandas.Categorical`` of
        the canonical values, bools, ``days`` as a 7-bit mask, ``opens``/``closes`` minutes
        after midnight, keys as ``Categorical`` (blank = missing), ``row`` the 1-based source
        row.
    problems : list of Problem
        One per bad value; the rows they name are not in ``rows``.
    excluded : dict
        Rows left out by a documented rule (police.uk crime types), by reason -> count.
    """

    feed: str
    path: str
    file_format: str
    encoding: str
    n_read: int
    rows: pd.DataFrame
    problems: list = field(default_factory=list)
    excluded: dict = field(default_factory=dict)
    ignored_columns: list = field(default_factory=list)
    geometry: list | None = None

    @property
    def n_quarantined(self) -> int:
        """Number of rows with at least one problem."""
        return len({p.row for p in self.problems})

    @property
    def n_excluded(self) -> int:
        """Number of rows left out by a documented rule."""
        return int(sum(self.excluded.values()))


def read_feed(feed: str, path, *, extent: Extent | None = None, data: bytes | None = None,
              today: dt.date | None = None) -> ValidatedFeed:
    """Read and validate one file of ``feed``.

    Parameters
    ----------
    feed : str
        One of :data:`data_contracts.FEEDS`.
    path : str or Path
        A ``.csv``, ``.parquet`` or ``.geojson`` file.
    extent : Extent, optional
        The force area; points outside it are quarantined. Default: the UK.
    data : bytes, optional
        The file's bytes if already read (so the caller hashes what was validated).
    today : date, optional
        Dates after this are quarantined as in the future. Default: today (UTC).

    Returns
    -------
    ValidatedFeed

    Raises
    ------
    ContractError
        The whole file is refused: unreadable, a required column missing, or an identifying
        column present. Nothing from it may be written.

    Examples
    --------
    >>> import datetime as dt
    >>> text = (b"lat,lon,datetime,activity_type,source_agency\\n"
    ...         b"54.5,1.0,2025-03-01T21:30,observation,police\\n"
    ...         b"95,1.0,2025-03-01T21:30,observation,police\\n")
    >>> v = read_feed("on_street", "x.csv", data=text, today=dt.date(2026, 1, 1))
    >>> len(v.rows), v.problems[0].row, v.problems[0].reason
    (1, 2, 'lat is impossible (must be between -90 and 90)')
    """
    contract = contract_for(feed)
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ContractError(path, f"cannot be read ({exc.strerror}).",
                                fix="check the path and permissions.") from None
    raw = read_raw(path, data)
    extent = extent or UK_EXTENT
    today = today or dt.datetime.now(dt.timezone.utc).date()
    columns = {name: raw.table.column(name) for name in raw.table.column_names}
    rows = raw.rows
    excluded: dict = {}
    if contract.feed == "community_concerns" and is_police_uk_header(list(columns)):
        columns, rows, excluded = _from_police_uk(columns, rows)
    if contract.refuse_value_shapes:
        refuse_identifying_values(path, columns, rows)
    columns, ignored = _match_columns(path, contract, columns, raw.geometry is not None)
    n = len(rows)
    problems: list[Problem] = []
    bad = np.zeros(n, dtype=bool)
    out: dict = {"row": rows}

    def report(column: str, mask, reason) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        values = (columns[column].take(pa.array(idx)).to_pylist() if column in columns
                  else [""] * len(idx))
        for i, v in zip(idx, values):
            text = reason(i) if callable(reason) else reason
            problems.append(Problem(str(path), int(rows[i]), column, _short(v), text))
        np.logical_or(bad, mask, out=bad)

    if raw.ragged:
        fields = np.array([raw.ragged.get(int(r), 0) for r in rows], dtype=np.int64)
        ragged = fields > 0
        if ragged.any():
            idx = np.flatnonzero(ragged)
            problems.extend(Problem(str(path), int(rows[i]), "(row)", f"{fields[i]} fields",
                                    RAGGED_REASON) for i in idx)
            bad |= ragged
    for found, calls in _run_checks(contract, columns, n, extent=extent, today=today):
        out.update(found)
        for args in calls:
            report(*args)
    if contract.geometry == "point":
        _check_extent(out, report, extent)
    elif contract.geometry == "point_or_cell":
        _check_point_or_cell(columns, out, report, extent)
    elif contract.geometry == "point_cell_or_area":
        _check_place(columns, out, report, extent)
    elif contract.geometry == "polygon":
        geoms = raw.geometry or []
        ok = np.array([g is not None and g.geom_type in ("Polygon", "MultiPolygon")
                       and g.is_valid and not g.is_empty for g in geoms], dtype=bool)
        report("geometry", ~ok, "geometry is not a valid Polygon or MultiPolygon")
        out["geometry"] = pd.Series(geoms, dtype=object)
    frame = pd.DataFrame(out)
    if bad.any():
        frame = frame.loc[~bad].reset_index(drop=True)
    problems.sort(key=lambda p: (p.row, p.column))
    return ValidatedFeed(contract.feed, str(path), raw.file_format, raw.encoding,
                         n + sum(excluded.values()), frame, problems, excluded, ignored,
                         raw.geometry)


#: Rows from which the column checks run in parallel threads (pyarrow and numpy release the
#: GIL); below it a thread pool costs more than it saves.
PARALLEL_ROWS = 200_000


def _run_checks(contract: Contract, columns: dict, n: int, *, extent, today) -> list:
    """Run every present column's check; return (values, report calls) per column, in order.

    Each check writes its typed values to its own dict and records its ``report`` calls, so
    checks can run on both cores at once; the caller applies the reports in contract order,
    so the outcome does not depend on which thread finished first.
    """
    def check(col):
        found, calls = {}, []
        _CHECKS[col.kind](col, columns[col.name], found,
                          lambda *args: calls.append(args), extent=extent, today=today)
        return found, calls

    todo = [col for col in contract.columns if col.name in columns]
    if n < PARALLEL_ROWS or len(todo) < 2:
        return [check(col) for col in todo]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(check, todo))


def _match_columns(path: Path, contract: Contract, columns: dict,
                   has_geometry: bool) -> tuple[dict, list]:
    """Rename columns to contract names; refuse identifying or missing columns."""
    renamed, ignored = {}, []
    names = {c.name: c for c in contract.columns}
    alias_of = {a: c.name for c in contract.columns for a in c.aliases}
    for original, values in columns.items():
        norm = normalise_name(original)
        target = norm if norm in names else alias_of.get(norm)
        if target is not None and target not in renamed:
            renamed[target] = values
            continue
        why = contract.refusal(norm)
        if why:
            shown = _shown_name(original)
            raise ContractError(
                path, f"column {shown} is refused: {why}, and Lantern never stores it.",
                column=original, fix=f"remove the column {shown} from the extract and "
                                     "load it again (no row was loaded).")
        ignored.append(original)
    for col in contract.columns:
        if col.required and col.name not in renamed:
            also = f" (also accepted: {', '.join(col.aliases)})" if col.aliases else ""
            raise ContractError(
                path, f"required column {col.name!r}{also} is missing for feed "
                      f"{contract.feed!r}; the file has: {_shown_names(columns)}.",
                column=col.name, fix=f"add a {col.name!r} column (no row was loaded).")
    if contract.geometry == "point_or_cell":
        if not ("lat" in renamed and "lon" in renamed) and "h3_cell" not in renamed:
            raise ContractError(
                path, f"feed {contract.feed!r} needs either 'lat' and 'lon' or 'h3_cell' columns.",
                column="lat", fix="add point coordinates or H3 cell ids (no row was loaded).")
    if contract.geometry == "point_cell_or_area" and not (
            ("lat" in renamed and "lon" in renamed) or "h3_cell" in renamed or "area" in renamed):
        raise ContractError(
            path, f"feed {contract.feed!r} needs a place: 'area' (a loaded area's name), "
                  f"'h3_cell', or 'lat' and 'lon' columns.",
            column="area", fix="add one of those columns (no row was loaded).")
    if contract.geometry == "polygon" and not has_geometry:
        raise ContractError(path, f"feed {contract.feed!r} needs polygon geometry.",
                            column="geometry", fix="supply the areas as GeoJSON.")
    return renamed, ignored


def _shown_name(name) -> str:
    """A column name fit for a one-line message: quoted, control characters escaped, short."""
    return repr(_short(name))


def _shown_names(names, limit: int = 30) -> str:
    """Column names for a message: plain when printable, at most ``limit`` of them."""
    names = list(names)
    shown = [str(n) if str(n).isprintable() and len(str(n)) <= MAX_VALUE_CHARS
             else _shown_name(n) for n in names[:limit]]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(shown) + more


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


def _from_police_uk(columns: dict, rows: np.ndarray) -> tuple[dict, np.ndarray, dict]:
    """Map a police.uk street-level CSV onto the community_concerns contract.

    Only Month, Longitude, Latitude and Crime type are read; the other columns are dropped here.
    """
    columns = {str(k).lstrip("\ufeff").strip(): v for k, v in columns.items()}
    codes, crimes = _uniques(columns["Crime type"])
    concern = [CRIME_TYPE_TO_CONCERN.get(c) for c in crimes]
    in_scope = _per_value(codes, [c is not None for c in concern], bool)
    counts = np.bincount(codes[~in_scope], minlength=len(crimes)) if len(crimes) else []
    excluded = {f"police.uk crime type '{crimes[i]}' is not a community concern": int(k)
                for i, k in enumerate(counts) if k}
    keep = pa.array(in_scope)
    mcodes, months = _uniques(columns["Month"])
    # police.uk gives only a month: place it mid-month (see data_contracts.police_uk).
    mid = [m + "-15" if re.fullmatch(r"\d{4}-\d{2}", m) else m for m in months]
    out = {
        "lat": columns["Latitude"].filter(keep),
        "lon": columns["Longitude"].filter(keep),
        "datetime": pa.array(_per_value(mcodes, mid, object)[in_scope], type=pa.string()),
        "concern_type": pa.array(_per_value(codes, concern, object)[in_scope],
                                 type=pa.string()),
    }
    return out, rows[in_scope], excluded


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
        if blank.any():
            values = pc.if_else(is_blank, pa.scalar(None, pa.string()), values)
        num = pc.cast(values, pa.float64())
        return num.to_numpy(zero_copy_only=False), blank
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        text = pd.Series(values.to_pylist(), dtype=object).str.strip()
        blank = (text == "").to_numpy()
        num = pd.to_numeric(text.where(~blank), errors="coerce")
        return num.to_numpy(dtype=float, na_value=np.nan), blank


def _coordinate(col, values, out, report, **_):
    limit = 90.0 if col.kind == "lat" else 180.0
    num, missing = _to_float(values)
    if col.required:
        report(col.name, missing, f"{col.name} is missing")
    report(col.name, ~missing & np.isnan(num), f"{col.name} is not a number")
    report(col.name, ~np.isnan(num) & ~np.isfinite(num), f"{col.name} is not finite")
    with np.errstate(invalid="ignore"):
        report(col.name, np.isfinite(num) & (np.abs(num) > limit),
               f"{col.name} is impossible (must be between -{limit:g} and {limit:g})")
    out[col.name] = num


def _datetime(col, values, out, report, *, today, **_):
    ts, blank = parse_timestamps(values)
    failed = ~blank & np.isnat(ts)
    if col.required:
        report(col.name, blank, f"{col.name} is missing")
    report(col.name, failed, f"{col.name} is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
    tomorrow = np.datetime64(today + dt.timedelta(days=1), "s")
    report(col.name, ~np.isnat(ts) & (ts >= tomorrow),
           f"{col.name} is in the future (after {today.isoformat()})")
    report(col.name, ~np.isnat(ts) & (ts < _EARLIEST),
           f"{col.name} is before {str(_EARLIEST)[:10]}, which is implausible")
    out["when"] = ts
    seconds = ts.astype(np.int64) % 86400
    out["has_time"] = (pc.utf8_length(values).to_numpy(zero_copy_only=False) > 10) \
        & (seconds != 0) & ~np.isnat(ts)


def _category(col, values, out, report, **_):
    codes, uniq = _uniques(values)
    lookup = {_norm(a): i for i, a in enumerate(col.allowed)}
    index = [lookup.get(_norm(u), -1) for u in uniq]
    blank = _per_value(codes, [u == "" for u in uniq], bool)
    unknown = _per_value(codes, [i < 0 and u != "" for i, u in zip(index, uniq)], bool)
    if col.required:
        report(col.name, blank, f"{col.name} is missing")
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


def _check_extent(out, report, extent: Extent, only=None) -> None:
    if "lat" not in out or "lon" not in out:
        return
    lat, lon = out["lat"], out["lon"]
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        inside = ((lat >= extent.min_lat) & (lat <= extent.max_lat)
                  & (lon >= extent.min_lon) & (lon <= extent.max_lon))
    mask = finite & ~inside
    if only is not None:
        mask &= only
    report("lat", mask, f"point is outside {extent.describe()}")


def _check_point_or_cell(columns, out, report, extent: Extent) -> None:
    n = len(out["row"])
    has_cell = out.get("__has_cell", np.zeros(n, dtype=bool))
    no_point = _optional_points(columns, out, report, extent)
    report("h3_cell", no_point & ~has_cell, "row has neither lat/lon nor a valid h3_cell")
    out["__has_point"] = ~no_point


def _optional_points(columns, out, report, extent: Extent) -> np.ndarray:
    """Check optional lat/lon (both or neither, inside the extent); return rows with none."""
    if "lat" not in out or "lon" not in out:
        return np.ones(len(out["row"]), dtype=bool)
    lat_blank = _np(pc.equal(pc.utf8_trim_whitespace(columns["lat"]), ""))
    lon_blank = _np(pc.equal(pc.utf8_trim_whitespace(columns["lon"]), ""))
    no_point = lat_blank & lon_blank
    report("lat", lat_blank ^ lon_blank, "lat and lon must be given together")
    _check_extent(out, report, extent, only=~no_point)
    return no_point


def _place(col, values, out, report, **_):
    """An optional area name (blank = the row gives its place another way)."""
    codes, uniq = _uniques(values)
    report(col.name, _per_value(codes, [len(u) > MAX_VALUE_CHARS for u in uniq], bool),
           f"{col.name} is longer than {MAX_VALUE_CHARS} characters")
    report(col.name, _per_value(codes, [bool(_CONTROL.search(u)) for u in uniq], bool),
           f"{col.name} contains control or text-direction characters")
    out[col.name] = _per_value(codes, uniq, object)


def _check_place(columns, out, report, extent: Extent) -> None:
    """A row's place: a point, else an H3 cell, else an area name (checked at ingest)."""
    n = len(out["row"])
    has_area = np.asarray([bool(a) for a in out["area"]], dtype=bool) if "area" in out \
        else np.zeros(n, dtype=bool)
    has_cell = out.get("__has_cell", np.zeros(n, dtype=bool))
    no_point = _optional_points(columns, out, report, extent)
    report("area", no_point & ~has_cell & ~has_area,
           "row has no place: give an area name, an h3_cell, or lat and lon")
    out["__has_point"] = ~no_point


_CHECKS = {
    "lat": _coordinate, "lon": _coordinate, "datetime": _datetime, "category": _category,
    "bool": _bool, "int": _int, "key": _key, "clock": _clock, "days": _days, "cell": _cell,
    "label": _label, "place": _place,
}
