"""Turning files into place records: each row either a record or a reason it cannot be one."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.importing import schools
from app.places.validation import PlaceRecord
from geo.text import fold

LIST_SEPARATOR = ";"
LIST_FIELDS = ("categories", "target_groups", "languages")
RECORD_FIELDS = frozenset(PlaceRecord.field_names())  # once, not per row of a 100,000-row file
# Fields taken as trimmed text; lists, coordinates and extra are converted on their own.
TEXT_FIELDS = RECORD_FIELDS - {"extra", "lon", "lat", *LIST_FIELDS}
FORMULA_START = frozenset("=+-@\t\r")


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (wrong format, broken JSON, …)."""


@dataclass
class Row:
    number: int  # as a person counts: the CSV header is row 1, the first feature is 1
    record: PlaceRecord | None
    error: str | None = None


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as German spreadsheet programs write it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = (value if isinstance(value, str) else str(value)).strip()
    return text or None


def _list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = _text(value)
    if not text:
        return []
    separator = LIST_SEPARATOR if LIST_SEPARATOR in text else "|" if "|" in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]


def _coordinate(value: object, what: str) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
    except ValueError:
        raise ValueError(f"{what} '{text[:30]}' is not a number") from None


def _extra(value: object) -> dict:
    """Attributes beyond the model: an object in GeoJSON, JSON text in a CSV cell."""
    if isinstance(value, dict):
        return value
    text = _text(value)
    if not text:
        return {}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError("extra must be a JSON object") from None
    if not isinstance(parsed, dict):
        raise ValueError("extra must be a JSON object")
    return parsed


def record_from_mapping(data: dict, default_source: str) -> PlaceRecord:
    """A row or feature in Lernorte's own export format (the columns of PlaceRecord)."""
    values: dict = {}
    for key, value in data.items():
        if key in TEXT_FIELDS:
            values[key] = _text(value)
        elif key in LIST_FIELDS:
            values[key] = _list(value)
    if values.get("wheelchair") is None:
        values.pop("wheelchair", None)
    values["name"] = values.get("name") or ""
    record = PlaceRecord(**values)
    record.lon = _coordinate(data.get("lon"), "longitude")
    record.lat = _coordinate(data.get("lat"), "latitude")
    record.extra = _extra(data.get("extra"))
    record.source = record.source or default_source
    # Without an id, name and address identify a row, so that importing the file again
    # updates instead of duplicating.
    record.source_id = (record.source_id or _text(data.get("id"))
                        or fold(f"{record.name}|{record.street or ''}|{record.postcode or ''}")[:100])
    return record


def _unquote_formula(value: str | None) -> str | None:
    """Undo the quote that our CSV export puts before formula-like text (see export.py)."""
    if value and value[0] == "'" and len(value) > 1 and value[1] in FORMULA_START:
        return value[1:]
    return value


def _csv_reader(text: str) -> csv.DictReader:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)


def _renamed(raw: dict, mapping: dict[str, str] | None) -> dict:
    """A row with its file columns renamed to fields (``mapping``: file column → field;
    columns mapped to nothing are dropped)."""
    if not mapping:
        return raw
    return {mapping[k]: v for k, v in raw.items() if mapping.get(k)}


def read_csv(text: str, default_source: str,
             mapping: dict[str, str] | None = None) -> Iterator[Row]:
    reader = _csv_reader(text)
    columns = reader.fieldnames or []
    if not columns:
        raise UnreadableFile("the CSV file has no header row")
    office = not mapping and schools.is_school_directory_csv(columns)
    if not office and "name" not in (mapping or {c: c for c in columns}).values():
        raise UnreadableFile("the CSV needs a 'name' column (or the statistical office's "
                             "'Name der Schule' and 'Schul-nummer')")
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            yield Row(number, None, f"has {len(columns) + len(raw[None])} cells, "
                                    f"the header has {len(columns)}")
            continue
        if not any((v or "").strip() for v in raw.values()):
            continue  # a blank line is not data
        for key, value in raw.items():
            if value and value[0] == "'":  # rare: only these can carry the export's quote
                raw[key] = _unquote_formula(value)
        try:
            record = (schools.record_from_csv_row(raw) if office
                      else record_from_mapping(_renamed(raw, mapping), default_source))
        except ValueError as exc:
            yield Row(number, None, str(exc))
            continue
        yield Row(number, record)


def _point(geometry: object) -> tuple[float | None, float | None]:
    if geometry is None:
        return None, None
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise ValueError(f"geometry must be a Point, not {kind}")
    coordinates = geometry.get("coordinates")
    if (not isinstance(coordinates, list) or len(coordinates) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool)
                       for c in coordinates[:2])):
        raise ValueError("a Point needs two numbers: [longitude, latitude]")
    return float(coordinates[0]), float(coordinates[1])


def read_geojson(text: str, default_source: str,
                 mapping: dict[str, str] | None = None) -> Iterator[Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise UnreadableFile("not a GeoJSON FeatureCollection")
    for number, feature in enumerate(data["features"], start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            yield Row(number, None, "not a GeoJSON Feature")
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            yield Row(number, None, "properties must be an object")
            continue
        try:
            lon, lat = _point(feature.get("geometry"))
            if not mapping and schools.is_jedeschule_geojson(properties):
                record = schools.record_from_geojson(properties, lon, lat)
            else:
                record = record_from_mapping({"id": feature.get("id"),
                                              **_renamed(properties, mapping)}, default_source)
                record.lon, record.lat = lon, lat
        except ValueError as exc:
            yield Row(number, None, str(exc))
            continue
        yield Row(number, record)


def read_file(path: Path) -> Iterator[Row]:
    """Rows of a CSV or GeoJSON file, chosen by its ending (or, failing that, its content)."""
    text = decode(path.read_bytes())
    source = f"file:{path.stem}"
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json") or (suffix not in (".csv", ".txt")
                                           and text.lstrip().startswith("{")):
        return read_geojson(text, source)
    return read_csv(text, source)


# A number format of only zeros ("00000", "00000000") is how a spreadsheet shows a code with
# its leading zeros while storing a number.
ZERO_PADDED_FORMAT = re.compile(r"0+")
# Codes typed into a numeric cell without such a format have lost their leading zero for good;
# their length tells: an AGS has 8 digits, a German postcode 5.
CODE_LENGTHS = {"ags": 8, "postcode": 5}


def _cell(value: object, number_format: str | None = None) -> str | None:
    """A spreadsheet cell as the text a CSV would hold (36037.0 → "36037", dates as ISO,
    6631009 formatted "00000000" → "06631009")."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
            and number_format and ZERO_PADDED_FORMAT.fullmatch(number_format):
        return str(value).zfill(len(number_format))
    return str(value)


def _restore_codes(values: dict) -> dict:
    """AGS and postcodes that a numeric cell cut short get their leading zeros back."""
    for field, length in CODE_LENGTHS.items():
        code = values.get(field)
        if isinstance(code, str) and code.isdigit() and length - 2 < len(code) < length:
            values[field] = code.zfill(length)
    return values


def _xlsx_rows(data: bytes) -> Iterator[list[str | None]]:
    import openpyxl  # here, not at the top: 0.15 s of every `lernorte` start, needed only here

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise UnreadableFile(f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        for cells in workbook.worksheets[0].iter_rows():
            yield [_cell(c.value, getattr(c, "number_format", None)) for c in cells]
    finally:
        workbook.close()


def read_xlsx(data: bytes, default_source: str,
              mapping: dict[str, str] | None = None) -> Iterator[Row]:
    """Rows of the first sheet of a workbook; the first row names the columns, as in a CSV."""
    rows = _xlsx_rows(data)
    columns = [c.strip() if c else "" for c in next(rows, [])]
    if "name" not in (mapping or {c: c for c in columns}).values():
        raise UnreadableFile("the first row of the sheet needs a 'name' column")
    for number, values in enumerate(rows, start=2):
        if not any((v or "").strip() for v in values):
            continue
        raw = {c: _unquote_formula(v) for c, v in zip(columns, values, strict=False) if c}
        try:
            record = record_from_mapping(_restore_codes(_renamed(raw, mapping)), default_source)
        except ValueError as exc:
            yield Row(number, None, str(exc))
            continue
        yield Row(number, record)


def upload_kind(data: bytes, filename: str) -> str:
    """"xlsx", "geojson" or "csv", by the file's ending or else its first bytes."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx" or (suffix not in (".csv", ".txt", ".json", ".geojson")
                             and data[:2] == b"PK"):
        return "xlsx"
    if suffix in (".geojson", ".json") or (suffix not in (".csv", ".txt")
                                           and data.lstrip()[:1] == b"{"):
        return "geojson"
    return "csv"


def upload_columns(data: bytes, filename: str) -> list[str]:
    """The file's own column (or GeoJSON property) names, for mapping them to fields."""
    kind = upload_kind(data, filename)
    if kind == "xlsx":
        return [c for c in next(_xlsx_rows(data), []) if c]
    text = decode(data)
    if kind == "csv":
        return [c for c in (_csv_reader(text).fieldnames or []) if c]
    try:
        features = json.loads(text).get("features") or []
    except (json.JSONDecodeError, AttributeError):
        raise UnreadableFile("not a GeoJSON FeatureCollection") from None
    keys: dict[str, None] = {}
    for feature in features[:500]:
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            keys.update(dict.fromkeys(feature["properties"]))
    return list(keys)


def read_upload(data: bytes, filename: str,
                mapping: dict[str, str] | None = None) -> Iterator[Row]:
    """Rows of an uploaded CSV (UTF-8 or Windows-1252, comma or semicolon), GeoJSON or XLSX."""
    source = f"file:{Path(filename).stem}"
    kind = upload_kind(data, filename)
    if kind == "xlsx":
        return read_xlsx(data, source, mapping)
    if kind == "geojson":
        return read_geojson(decode(data), source, mapping)
    return read_csv(decode(data), source, mapping)
