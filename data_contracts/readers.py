"""Read CSV, Parquet and GeoJSON files into string columns, refusing unreadable files whole."""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_contracts.errors import ContractError

SUPPORTED = (".csv", ".parquet", ".geojson", ".json")
_MAX_FIELD = 10_000


@dataclass
class RawTable:
    """A file's rows as strings (``frame``), with geometry pulled out of GeoJSON features.

    ``geometry`` holds shapely geometries for GeoJSON polygon feeds (None otherwise);
    ``encoding`` says how the bytes were decoded.
    """

    frame: pd.DataFrame
    file_format: str
    encoding: str = "utf-8"
    geometry: list | None = None


def read_raw(path: Path, data: bytes) -> RawTable:
    """Return the rows of ``path`` (already read as ``data``) with every value as a string.

    Raises
    ------
    ContractError
        For an unsupported extension, an empty or truncated file, or bytes that cannot be read.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ContractError(path, f"files ending {suffix or '(no extension)'} are not read.",
                            fix="supply CSV (.csv), Parquet (.parquet) or GeoJSON (.geojson).")
    if not data.strip():
        raise ContractError(path, "the file is empty.", fix="export the feed again.")
    if suffix == ".csv":
        return _read_csv(path, data)
    if suffix == ".parquet":
        return _read_parquet(path, data)
    return _read_geojson(path, data)


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ContractError(path, f"the file is not valid UTF-16 ({exc.reason}).",
                                fix="save it as UTF-8 CSV.") from None
    if b"\x00" in data:
        raise ContractError(path, "the file contains NUL bytes, so it is not a text CSV.",
                            fix="save it as UTF-8 CSV.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Spreadsheet exports in the UK are often Windows-1252; its decoding never fails.
        return data.decode("cp1252", errors="replace"), "cp1252"


def _read_csv(path: Path, data: bytes) -> RawTable:
    text, encoding = _decode(path, data)
    csv.field_size_limit(1_000_000_000)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ContractError(path, "the file has no header row.", fix="export the feed again.")
    except csv.Error as exc:
        raise ContractError(path, f"the header row cannot be read as CSV ({exc}).",
                            fix="export the feed again as CSV.") from None
    header = [h.strip() for h in header]
    if not any(header):
        raise ContractError(path, "the header row is empty.", fix="export the feed again.")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ContractError(path, f"column {dupes[0]!r} appears more than once.",
                            column=dupes[0], fix="give every column a unique name.")
    frame = _fast_csv(text, header)
    if frame is None:
        frame = _slow_csv(path, reader, header)
    return RawTable(frame, "csv", encoding)


def _fast_csv(text: str, header: list[str]) -> pd.DataFrame | None:
    """Parse with pyarrow (multithreaded); None when the file needs the careful reader."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1,
                                           block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    return table.to_pandas()


def _slow_csv(path: Path, reader, header: list[str]) -> pd.DataFrame:
    """Row by row, so ragged or truncated rows still get a row number in the report."""
    rows = []
    width = len(header)
    try:
        for row in reader:
            if len(row) < width:
                row = row + [None] * (width - len(row))  # marked missing; validation reports it
            elif len(row) > width:
                row = row[:width - 1] + [",".join(row[width - 1:])]
            rows.append(row)
    except csv.Error as exc:
        raise ContractError(path, f"CSV cannot be read past data row {len(rows)} ({exc}).",
                            fix="the file looks truncated or has an unclosed quote; export "
                                "it again.") from None
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return frame.fillna("").astype(str)


def _read_parquet(path: Path, data: bytes) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise ContractError(path, f"the file is not a readable Parquet file ({exc}).",
                            fix="export the feed again.") from None
    columns = {}
    for name, col in zip(table.column_names, table.columns):
        if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
            raise ContractError(path, f"column {name!r} holds binary data.", column=name,
                                fix="export text, numbers or dates only.")
        values = col.to_pylist()
        columns[name] = ["" if v is None or (isinstance(v, float) and math.isnan(v))
                         else _scalar_text(v) for v in values]
    frame = pd.DataFrame(columns, dtype=object) if columns else pd.DataFrame()
    return RawTable(frame.astype(str), "parquet")


def _scalar_text(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _read_geojson(path: Path, data: bytes) -> RawTable:
    from shapely.geometry import shape

    text, encoding = _decode(path, data)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractError(path, f"the file is not valid JSON (line {exc.lineno}: {exc.msg}).",
                            fix="export the feed again as GeoJSON.") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        raise ContractError(path, "GeoJSON must be a FeatureCollection with a features list.",
                            fix="export the layer as a GeoJSON FeatureCollection.")
    records, geoms = [], []
    for feature in doc["features"]:
        props = feature.get("properties") if isinstance(feature, dict) else None
        record = {k: _scalar_text(v) if v is not None else "" for k, v in (props or {}).items()}
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        shp = None
        if isinstance(geom, dict):
            try:
                shp = shape(geom)
            except Exception:
                shp = None
        if shp is not None and shp.geom_type == "Point":
            record.setdefault("lat", repr(shp.y))
            record.setdefault("lon", repr(shp.x))
        records.append(record)
        geoms.append(shp)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    return RawTable(frame.fillna("").astype(str), "geojson", encoding, geoms)
