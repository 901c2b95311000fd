"""Validate a feed file against its contract: refuse the file, or split rows into good and bad.

All checks are vectorised (pandas/numpy over whole columns), so a million rows take no Python
loop per row. Each bad value becomes a :class:`~data_contracts.errors.Problem`; a row with any
problem is quarantined. ``n_read == len(rows) + n_quarantined + n_excluded`` always holds.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from data_contracts.errors import ContractError, Problem
from data_contracts.feeds import Contract, contract_for, identifying_reason, normalise_name
from data_contracts.police_uk import CRIME_TYPE_TO_CONCERN, is_police_uk_header
from data_contracts.readers import read_raw
from geo.extent import UK_EXTENT, Extent

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", ""}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_EARLIEST = pd.Timestamp("1990-01-01")
MAX_VALUE_CHARS = 80


@dataclass
class ValidatedFeed:
    """The outcome of validating one file.

    Attributes
    ----------
    rows : pandas.DataFrame
        Good rows, typed: ``lat``/``lon`` floats, ``when`` datetime64 (or absent),
        ``has_time`` bool, canonical category strings, bools, ``days`` as a 7-bit mask,
        ``opens``/``closes`` minutes after midnight, ``row`` the 1-based source row.
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
    frame = raw.frame
    excluded: dict = {}
    if contract.feed == "community_concerns" and is_police_uk_header(frame.columns):
        frame, excluded = _from_police_uk(frame)
    frame, ignored = _match_columns(path, contract, frame, raw.geometry is not None)
    problems: list[Problem] = []
    n = len(frame)
    bad = np.zeros(n, dtype=bool)
    out = pd.DataFrame({"row": frame["__row"].to_numpy()}) if n else pd.DataFrame({"row": []})
    keep = frame["__keep"].to_numpy() if n else np.zeros(0, dtype=bool)

    def report(column: str, mask: np.ndarray, reason) -> None:
        nonlocal bad
        mask = mask & keep
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        values = frame[column].to_numpy()[idx] if column in frame else [""] * len(idx)
        rows = out["row"].to_numpy()[idx]
        for i, r, v in zip(idx, rows, values):
            text = reason(i) if callable(reason) else reason
            problems.append(Problem(str(path), int(r), column, _short(v), text))
        bad |= mask

    for col in contract.columns:
        if col.name not in frame:
            continue
        values = frame[col.name].astype(str).str.strip()
        _CHECKS[col.kind](col, values, out, report, extent=extent, today=today, path=path)

    if contract.geometry == "point":
        _check_extent(out, report, extent)
    elif contract.geometry == "point_or_cell":
        _check_point_or_cell(frame, out, report, extent)
    elif contract.geometry == "polygon":
        geoms = raw.geometry or []
        ok = np.array([g is not None and g.geom_type in ("Polygon", "MultiPolygon")
                       and g.is_valid and not g.is_empty for g in geoms], dtype=bool)
        report("geometry", ~ok, "geometry is not a valid Polygon or MultiPolygon")
        out["geometry"] = geoms
    good = keep & ~bad
    rows = out.loc[good].reset_index(drop=True)
    problems.sort(key=lambda p: (p.row, p.column))
    return ValidatedFeed(contract.feed, str(path), raw.file_format, raw.encoding,
                         n + sum(excluded.values()), rows, problems, excluded, ignored,
                         raw.geometry)


def _match_columns(path: Path, contract: Contract, frame: pd.DataFrame,
                   has_geometry: bool) -> tuple[pd.DataFrame, list]:
    """Rename columns to contract names; refuse identifying or missing columns."""
    rename, ignored = {}, []
    names = {c.name: c for c in contract.columns}
    alias_of = {a: c.name for c in contract.columns for a in c.aliases}
    for original in frame.columns:
        norm = normalise_name(original)
        target = norm if norm in names else alias_of.get(norm)
        if target is not None and target not in rename.values():
            rename[original] = target
            continue
        if original.startswith("__"):
            continue
        why = identifying_reason(norm)
        if why and norm not in contract.allowed_identifying:
            raise ContractError(
                path, f"column {original!r} is refused: {why}, and Lantern never stores it.",
                column=original, fix=f"remove the column {original!r} from the extract and "
                                     "load it again (no row was loaded).")
        ignored.append(original)
    frame = frame.rename(columns=rename)
    for col in contract.columns:
        if col.required and col.name not in frame.columns:
            also = f" (also accepted: {', '.join(col.aliases)})" if col.aliases else ""
            raise ContractError(
                path, f"required column {col.name!r}{also} is missing for feed "
                      f"{contract.feed!r}; the file has: {', '.join(map(str, frame.columns))}.",
                column=col.name, fix=f"add a {col.name!r} column (no row was loaded).")
    if contract.geometry == "point_or_cell":
        has_point = "lat" in frame and "lon" in frame
        if not has_point and "h3_cell" not in frame:
            raise ContractError(
                path, f"feed {contract.feed!r} needs either 'lat' and 'lon' or 'h3_cell' columns.",
                column="lat", fix="add point coordinates or H3 cell ids (no row was loaded).")
    if contract.geometry == "polygon" and not has_geometry:
        raise ContractError(path, f"feed {contract.feed!r} needs polygon geometry.",
                            column="geometry", fix="supply the areas as GeoJSON.")
    frame = frame.reset_index(drop=True)
    if "__row" not in frame:
        frame["__row"] = np.arange(1, len(frame) + 1)
    frame["__keep"] = True
    return frame, ignored


def _from_police_uk(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Map a police.uk street-level CSV onto the community_concerns contract."""
    frame = frame.rename(columns=lambda c: str(c).lstrip("\ufeff").strip())
    crime = frame["Crime type"].astype(str).str.strip()
    concern = crime.map(CRIME_TYPE_TO_CONCERN)
    in_scope = concern.notna().to_numpy()
    excluded = {f"police.uk crime type '{k}' is not a community concern": int(v)
                for k, v in crime[~in_scope].value_counts().items()}
    month = frame["Month"].astype(str).str.strip()
    out = pd.DataFrame({
        "__row": np.arange(1, len(frame) + 1)[in_scope],
        "lat": frame["Latitude"].astype(str).to_numpy()[in_scope],
        "lon": frame["Longitude"].astype(str).to_numpy()[in_scope],
        # police.uk gives only a month: place it mid-month (see data_contracts.police_uk).
        "datetime": np.where(month.str.fullmatch(r"\d{4}-\d{2}"), month + "-15",
                             month).astype(object)[in_scope],
        "concern_type": concern.to_numpy()[in_scope],
    })
    return out, excluded


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"


def _coordinate(col, values, out, report, **_):
    limit = 90.0 if col.kind == "lat" else 180.0
    num = pd.to_numeric(values.where(values != ""), errors="coerce").to_numpy(dtype=float)
    missing = (values == "").to_numpy()
    if col.required:
        report(col.name, missing, f"{col.name} is missing")
    report(col.name, ~missing & np.isnan(num), f"{col.name} is not a number")
    report(col.name, ~np.isnan(num) & ~np.isfinite(num), f"{col.name} is not finite")
    report(col.name, np.isfinite(num) & (np.abs(num) > limit),
           f"{col.name} is impossible (must be between -{limit:g} and {limit:g})")
    out[col.name] = num


def _datetime(col, values, out, report, *, today, **_):
    blank = (values == "").to_numpy()
    parsed = pd.to_datetime(values.where(~blank), errors="coerce", format="ISO8601", utc=True)
    retry = parsed.isna().to_numpy() & ~blank
    if retry.any():
        for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
            again = pd.to_datetime(values[retry], errors="coerce", format=fmt, utc=True)
            parsed.loc[retry] = again
            retry = parsed.isna().to_numpy() & ~blank
            if not retry.any():
                break
    parsed = parsed.dt.tz_convert("Europe/London").dt.tz_localize(None)
    if col.required:
        report(col.name, blank, f"{col.name} is missing")
    report(col.name, retry, f"{col.name} is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
    future = (parsed.dt.normalize() > pd.Timestamp(today)).to_numpy()
    report(col.name, future, f"{col.name} is in the future (after {today.isoformat()})")
    report(col.name, (parsed < _EARLIEST).to_numpy(),
           f"{col.name} is before {_EARLIEST.date()}, which is implausible")
    out["when"] = parsed.to_numpy()
    out["has_time"] = (values.str.len() > 10).to_numpy() & ~values.str.fullmatch(
        r"\d{4}-\d{2}-\d{2}[T ]00:00(:00)?").to_numpy(dtype=bool)


def _category(col, values, out, report, **_):
    norm = values.str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    lookup = {re.sub(r"[\s\-]+", "_", a.lower()): a for a in col.allowed}
    mapped = norm.map(lookup)
    blank = (values == "").to_numpy()
    if col.required:
        report(col.name, blank, f"{col.name} is missing")
    allowed = ", ".join(col.allowed)
    report(col.name, ~blank & mapped.isna().to_numpy(),
           f"{col.name} is not one of: {allowed}")
    out[col.name] = mapped.to_numpy(dtype=object)


def _bool(col, values, out, report, **_):
    low = values.str.lower()
    is_true = low.isin(_TRUE).to_numpy()
    report(col.name, ~is_true & ~low.isin(_FALSE).to_numpy(),
           f"{col.name} is not true/false (use true, false, yes, no, 1 or 0)")
    out[col.name] = is_true


def _int(col, values, out, report, **_):
    blank = (values == "").to_numpy()
    num = pd.to_numeric(values.where(~blank), errors="coerce").to_numpy(dtype=float)
    bad = ~blank & (np.isnan(num) | ~np.isfinite(num) | (num < 1) | (np.mod(num, 1) != 0)
                    | (num > 1_000_000))
    report(col.name, bad, f"{col.name} is not a whole number from 1 to 1,000,000")
    out[col.name] = np.where(blank | bad, 1, np.nan_to_num(num)).astype(np.int64)


def _key(col, values, out, report, **_):
    out[col.name] = values.where(values != "").to_numpy(dtype=object)


def _clock(col, values, out, report, **_):
    parts = values.str.extract(_CLOCK)
    ok = parts[0].notna().to_numpy()
    report(col.name, ~ok, f"{col.name} is not a time of day HH:MM")
    minutes = (pd.to_numeric(parts[0], errors="coerce").fillna(0) * 60
               + pd.to_numeric(parts[1], errors="coerce").fillna(0))
    out[col.name] = minutes.to_numpy(dtype=np.int64)


def _days(col, values, out, report, **_):
    masks = np.array([_days_mask(v) for v in values], dtype=np.int64)
    report(col.name, masks < 0,
           f"{col.name} is not a list of days (e.g. Mon-Fri, Mon,Wed,Sat or daily)")
    out[col.name] = np.maximum(masks, 0)


def _days_mask(text: str) -> int:
    """Return a 7-bit mask (bit 0 = Monday) for a days text, or -1 if unreadable."""
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

    blank = (values == "").to_numpy()
    valid = np.array([bool(v) and h3.is_valid_cell(v) for v in values], dtype=bool)
    report(col.name, ~blank & ~valid, f"{col.name} is not a valid H3 cell id")
    out[col.name] = np.array([h3.str_to_int(v) if ok else 0 for v, ok in zip(values, valid)],
                             dtype=np.uint64)
    out["__has_cell"] = valid


def _label(col, values, out, report, **_):
    report(col.name, (values == "").to_numpy(), f"{col.name} is missing")
    report(col.name, (values.str.len() > MAX_VALUE_CHARS).to_numpy(),
           f"{col.name} is longer than {MAX_VALUE_CHARS} characters")
    out[col.name] = values.to_numpy(dtype=object)


def _check_extent(out, report, extent: Extent, only=None) -> None:
    if "lat" not in out or "lon" not in out:
        return
    lat, lon = out["lat"].to_numpy(), out["lon"].to_numpy()
    finite = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    inside = ((lat >= extent.min_lat) & (lat <= extent.max_lat)
              & (lon >= extent.min_lon) & (lon <= extent.max_lon))
    mask = finite & ~inside
    if only is not None:
        mask &= only
    report("lat", mask, f"point is outside {extent.describe()}")


def _check_point_or_cell(frame, out, report, extent: Extent) -> None:
    n = len(out)
    has_cell = out["__has_cell"].to_numpy() if "__has_cell" in out else np.zeros(n, bool)
    if "lat" in out and "lon" in out:
        lat_blank = (frame["lat"].astype(str).str.strip() == "").to_numpy()
        lon_blank = (frame["lon"].astype(str).str.strip() == "").to_numpy()
        no_point = lat_blank & lon_blank
        report("lat", lat_blank ^ lon_blank, "lat and lon must be given together")
        _check_extent(out, report, extent, only=~no_point)
    else:
        no_point = np.ones(n, dtype=bool)
    report("h3_cell", no_point & ~has_cell, "row has neither lat/lon nor a valid h3_cell")
    out["__has_point"] = ~no_point


_CHECKS = {
    "lat": _coordinate, "lon": _coordinate, "datetime": _datetime, "category": _category,
    "bool": _bool, "int": _int, "key": _key, "clock": _clock, "days": _days, "cell": _cell,
    "label": _label,
}
