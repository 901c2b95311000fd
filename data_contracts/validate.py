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
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from data_contracts.blocks import BLOCK_BYTES, block_bytes_for, is_blocked, raw_blocks
from data_contracts.checks import _CHECKS, RAGGED_REASON
from data_contracts.values import per_value, short, uniques
from data_contracts.columns import match_columns
from data_contracts.coordinates import float_blank, locate_areas, locate_points
from data_contracts.errors import Problem
from data_contracts.feeds import Contract, contract_for
from data_contracts.identifiers import refuse_identifying_values
from data_contracts.police_uk import CRIME_TYPE_TO_CONCERN, is_police_uk_header
from data_contracts.readers import read_raw, read_source
from data_contracts.recipes import Recipe
from geo.extent import UK_EXTENT, Extent



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
    notes : list of str
        What the summary should say about how the file was read (the sheet, the coordinate
        system, x/y read as British National Grid, boundaries reprojected).
    crs : str or None
        The coordinate system the points were read in (None: the file has no points).
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
    notes: list = field(default_factory=list)
    crs: str | None = None

    @property
    def n_quarantined(self) -> int:
        """Number of rows with at least one problem."""
        return len({p.row for p in self.problems})

    @property
    def n_excluded(self) -> int:
        """Number of rows left out by a documented rule."""
        return int(sum(self.excluded.values()))


def read_feed(feed: str, path, *, extent: Extent | None = None, data: bytes | None = None,
              today: dt.date | None = None, recipe: Recipe | None = None) -> ValidatedFeed:
    """Read and validate one file of ``feed``.

    Parameters
    ----------
    feed : str
        One of :data:`data_contracts.FEEDS`.
    path : str or Path
        A file in one of the formats :data:`data_contracts.readers.FORMATS_READ` names.
    extent : Extent, optional
        The force area; points outside it are quarantined (and a file whose points mostly
        are is refused). Default: the UK.
    data : bytes, optional
        The file's bytes if already read (so the caller hashes what was validated).
    today : date, optional
        Dates after this are quarantined as in the future. Default: today (UTC).
    recipe : Recipe, optional
        How the source maps onto the feed (:mod:`data_contracts.recipes`). It is checked
        against the contract before the file is read.

    Returns
    -------
    ValidatedFeed

    Raises
    ------
    ContractError
        The whole file is refused: missing or unreadable, a bad recipe (naming its line), a
        required column missing, an identifying column present, or coordinates that mostly
        land outside the force area (naming the likely cause). Nothing from it may be written.

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
    contract, recipe, path = _prepare(feed, path, recipe)
    if data is None:
        data = read_source(path)
    raw = read_raw(path, data, sheet=recipe.sheet, layer=recipe.layer,
                   keep=_columns_to_read(contract, recipe))
    return _validate(contract, path, raw, recipe, extent=extent or UK_EXTENT,
                     today=today or _today())


def iter_feed(feed: str, path, *, extent: Extent | None = None, today: dt.date | None = None,
              recipe: Recipe | None = None, block_bytes: int = BLOCK_BYTES, hasher=None
              ) -> Iterator[ValidatedFeed]:
    """Read and validate one file of ``feed`` a block of records at a time.

    Each block is validated as :func:`read_feed` validates a file, with the file's own row
    numbers (:mod:`data_contracts.blocks`). A file read whole gives one block. What the first
    block decides for the file stays decided: the coordinate system it was read in (so an
    ``x``/``y`` file is never read as grid metres in one block and degrees in another), and
    the notes on how the file was read (later blocks carry none). ``hasher`` is fed the
    file's bytes as they are read (:func:`data_contracts.blocks.raw_blocks`).

    Raises
    ------
    ContractError
        As :func:`read_feed`, from whichever block shows the fault: the caller must treat
        the file as refused even when earlier blocks were good.
    NotPlain
        A large CSV must be read whole (not UTF-8, NUL bytes, lone CR line ends): call
        :func:`read_feed` instead.
    """
    contract, recipe, path = _prepare(feed, path, recipe)
    extent, today = extent or UK_EXTENT, today or _today()
    crs = None
    for i, raw in enumerate(raw_blocks(path, block_bytes=block_bytes, hasher=hasher,
                                       keep=_columns_to_read(contract, recipe))):
        checked = _validate(contract, path, raw, recipe, extent=extent, today=today, crs=crs)
        if i:
            checked.notes = []
        crs = crs or checked.crs
        yield checked


def block_plan(feed: str, path, *, recipe: Recipe | None = None,
               block_bytes: int = BLOCK_BYTES) -> int | None:
    """How ``path`` is read as ``feed``, decided once before it is read: the size of the
    blocks it is read in (:func:`iter_feed`), or None when it is read whole
    (:func:`read_feed`).

    A block holds about ``block_bytes`` of the columns that are read
    (:func:`data_contracts.blocks.block_bytes_for`: a police.uk download, 4 of 12 columns
    read, has blocks three times larger); a CSV or Parquet file larger than twice that is read
    in blocks (:func:`data_contracts.blocks.is_blocked`), any other file whole.
    """
    contract, recipe, path = _prepare(feed, path, recipe)
    size = block_bytes_for(path, block_bytes, _columns_to_read(contract, recipe))
    return size if is_blocked(path, size) else None


def _prepare(feed: str, path, recipe: Recipe | None) -> tuple[Contract, Recipe, Path]:
    contract = contract_for(feed)
    recipe = recipe or Recipe("no recipe")
    if not recipe.is_empty:
        recipe.check(feed)
    return contract, recipe, Path(path)


def _columns_to_read(contract: Contract, recipe: Recipe):
    """The columns a file needs read, given its header (None: all of them).

    A police.uk download loaded as community concerns needs only Month, Longitude, Latitude
    and Crime type; its other eight columns (two of them long text) are never looked at.
    """
    if contract.feed != "community_concerns" or recipe.columns:
        return None
    return lambda header: POLICE_UK_READ if is_police_uk_header(header) else None


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def _validate(contract: Contract, path: Path, raw, recipe: Recipe, *, extent: Extent,
              today: dt.date, crs: str | None = None) -> ValidatedFeed:
    """Validate one file's (or one block's) records; ``crs`` pins the coordinate system."""
    columns = {name: raw.table.column(name) for name in raw.table.column_names}
    rows = raw.rows
    excluded: dict = {}
    recipe.check_header(path, columns)
    if contract.feed == "community_concerns" and not recipe.columns \
            and is_police_uk_header(raw.header or list(columns)):
        columns, rows, excluded = _from_police_uk(columns, rows)
    if contract.refuse_value_shapes:
        refuse_identifying_values(path, columns, rows)
    n = len(rows)
    columns, ignored = match_columns(path, contract, columns, raw.geometry is not None,
                                     recipe, n)
    problems: list[Problem] = []
    bad = np.zeros(n, dtype=bool)
    out: dict = {"row": rows}
    notes = list(raw.notes)

    def report(column: str, mask, reason, detail=None) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        values = (columns[column].take(pa.array(idx)).to_pylist() if column in columns
                  else [""] * len(idx))
        source = recipe.columns.get(column)   # the report names the partner's own column
        where = f"in the file's column {short(source)!r}" if source else ""
        for i, v in zip(idx, values):
            text = reason(i) if callable(reason) else reason
            shown = short(v)
            problems.append(Problem(str(path), int(rows[i]), column, shown, text,
                                    detail(shown) if detail else where))
        np.logical_or(bad, mask, out=bad)

    if raw.ragged:
        fields = np.array([raw.ragged.get(int(r), 0) for r in rows], dtype=np.int64)
        ragged = fields > 0
        if ragged.any():
            idx = np.flatnonzero(ragged)
            problems.extend(Problem(str(path), int(rows[i]), "(row)", f"{fields[i]} fields",
                                    RAGGED_REASON) for i in idx)
            bad |= ragged
    geoms, placed = raw.geometry, None
    if contract.geometry == "polygon":
        geoms, more = locate_areas(path, geoms or [], crs=recipe.crs,
                                   crs_origin=recipe.where("crs"), declared=raw.crs)
        notes.extend(more)
    else:
        placed = locate_points(path, columns, report, crs=crs or recipe.crs,
                               crs_origin=recipe.where("crs"), declared=raw.crs, extent=extent,
                               required=contract.geometry == "point")
        notes.extend(placed.notes if placed else [])
    for found, calls in _run_checks(contract, columns, n, extent=extent, today=today,
                                    recipe=recipe):
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
                         geoms, notes, placed.crs if placed else None)


#: Rows from which the column checks run in parallel threads (pyarrow and numpy release the
#: GIL); below it a thread pool costs more than it saves.
PARALLEL_ROWS = 200_000


def _run_checks(contract: Contract, columns: dict, n: int, *, extent, today, recipe) -> list:
    """Run every present column's check; return (values, report calls) per column, in order.

    Each check writes its typed values to its own dict and records its ``report`` calls, so
    checks can run on both cores at once; the caller applies the reports in contract order,
    so the outcome does not depend on which thread finished first.
    """
    def check(col):
        found, calls = {}, []
        _CHECKS[col.kind](col, columns[col.name], found,
                          lambda *args: calls.append(args), extent=extent, today=today,
                          recipe=recipe)
        return found, calls

    todo = [col for col in contract.columns if col.name in columns]
    if n < PARALLEL_ROWS or len(todo) < 2:
        return [check(col) for col in todo]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(check, todo))


#: The columns of a police.uk download that are read (see :func:`_from_police_uk`).
POLICE_UK_READ = frozenset({"Month", "Longitude", "Latitude", "Crime type"})


def _from_police_uk(columns: dict, rows: np.ndarray) -> tuple[dict, np.ndarray, dict]:
    """Map a police.uk street-level CSV onto the community_concerns contract.

    Only Month, Longitude, Latitude and Crime type are read; the other columns are dropped here.
    """
    columns = {str(k).lstrip("\ufeff").strip(): v for k, v in columns.items()}
    codes, crimes = uniques(columns["Crime type"])
    concern = [CRIME_TYPE_TO_CONCERN.get(c) for c in crimes]
    in_scope = per_value(codes, [c is not None for c in concern], bool)
    counts = np.bincount(codes[~in_scope], minlength=len(crimes)) if len(crimes) else []
    excluded = {f"police.uk crime type '{crimes[i]}' is not a community concern": int(k)
                for i, k in enumerate(counts) if k}
    keep = pa.array(in_scope)
    mcodes, months = uniques(columns["Month"])
    # police.uk gives only a month: place it mid-month (see data_contracts.police_uk).
    mid = [m + "-15" if re.fullmatch(r"\d{4}-\d{2}", m) else m for m in months]
    out = {
        "lat": columns["Latitude"].filter(keep),
        "lon": columns["Longitude"].filter(keep),
        # each kept row's text taken from the distinct values by code, in Arrow (no Python
        # string per row)
        "datetime": pa.array(mid, type=pa.string()).take(pa.array(mcodes[in_scope])),
        "concern_type": pa.array(concern, type=pa.string()).take(pa.array(codes[in_scope])),
    }
    return out, rows[in_scope], excluded


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
    lat_blank = float_blank(columns["lat"])
    lon_blank = float_blank(columns["lon"])
    no_point = lat_blank & lon_blank
    report("lat", lat_blank ^ lon_blank, "lat and lon must be given together")
    _check_extent(out, report, extent, only=~no_point)
    return no_point


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
