"""Reading the files others send: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX, GeoJSON, GeoPackage, Shapefile.

Every reader returns a :class:`SourceTable` — column names, rows of raw values, a row number per row as the user
would find it (a CSV's line, a sheet's row, a layer's feature number), and, for vector files, a shapely geometry
per row and the CRS the file declares. Nothing is interpreted here: what a value means is decided by
:mod:`planner.storage.importer`.

These files are untrusted. Nothing in them is evaluated (a formula's cached value is read, never the formula), and
an XLSX is inspected as the zip it is before any XML parser sees it (python-calamine's, which never expands
entities either) (:func:`check_xlsx`): a member that inflates
too far (a zip bomb), a part that declares a DTD or entities (an XML bomb), or a shared-strings table past
:data:`MAX_SHARED_STRINGS_BYTES` is refused with a message, so memory stays bounded.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Largest source file read (bytes): a city's site list is a few MB; 100,000 rows of CSV ≈ 10 MB.
MAX_SOURCE_BYTES = 200 * 1024 * 1024
#: Largest total an XLSX may inflate to, and the largest inflation ratio of one member above 1 MB.
MAX_XLSX_INFLATED = 400 * 1024 * 1024
MAX_XLSX_RATIO = 200
#: Largest shared-strings part (the table every text cell of a workbook points into).
MAX_SHARED_STRINGS_BYTES = 100 * 1024 * 1024
#: Largest number of rows read from one source.
MAX_ROWS = 1_000_000

#: The formats by file suffix.
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".geojson": "vector",
    ".json": "vector",
    ".gpkg": "vector",
    ".shp": "vector",
    ".zip": "vector",
}


class SourceError(ValueError):
    """A source file that cannot be read at all; the message names the file and says why."""


@dataclass
class SourceTable:
    """What a source file holds, uninterpreted."""

    path: Path
    columns: list[str]
    rows: list[list[Any]]
    #: How the user finds each row in the source: "第 12 行 row 12" for a CSV line or sheet row, a feature number.
    row_numbers: list[int]
    row_word: str = "行 row"
    geometries: list[Any] | None = None
    #: The CRS the file declares (an authority code such as "EPSG:4326", or WKT), if any.
    crs: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def column(self, name: str) -> list[Any]:
        """The values of column ``name``."""
        i = self.columns.index(name)
        return [r[i] if i < len(r) else None for r in self.rows]


def read_source(path: str | Path, *, sheet: str | None = None, layer: str | None = None) -> SourceTable:
    """Read a CSV, XLSX, GeoJSON, GeoPackage or Shapefile; raises :class:`SourceError` with the reason."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise SourceError(f"{path.name}: 不支持的文件类型 unsupported file type {path.suffix!r} (known: {known})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"{path}: 无法读取 cannot read: {exc.strerror or exc}") from None
    if size > MAX_SOURCE_BYTES:
        limit = MAX_SOURCE_BYTES >> 20
        raise SourceError(f"{path.name}: 文件过大 too large ({size / 2**20:.0f} MB; at most {limit} MB)")
    if kind == "csv":
        return read_csv(path)
    if kind == "xlsx":
        return read_xlsx(path, sheet=sheet)
    return read_vector(path, layer=layer)


# ---------------------------------------------------------------------------------------------------------- CSV
#: Encodings tried in order: UTF-8 (a BOM is dropped), then GB18030, which contains GBK and GB2312 (what Chinese
#: Excel writes when it saves "CSV"). Every byte string decodes in GB18030's four-byte ranges only rarely by
#: accident, so a file that fails both is reported rather than guessed at.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """``data`` as text and the encoding that read it."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text" (UTF-16 with its BOM, tab-separated)
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise SourceError(f"{name}: 无法读取 UTF-16 文本 damaged UTF-16 text") from None
    for enc in CSV_ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "gb18030":
            return text, "GBK/GB18030"
        return text, "UTF-8 with BOM" if data[:3] == b"\xef\xbb\xbf" else "UTF-8"
    raise SourceError(f"{name}: 无法识别的文字编码 the text is neither UTF-8 nor GBK/GB18030")


def read_csv(path: Path) -> SourceTable:
    """A CSV (comma, semicolon or tab separated) in UTF-8, UTF-8 with BOM or GBK/GB18030."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: 无法读取 cannot read: {exc.strerror or exc}") from None
    if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise SourceError(f"{path.name}: 不是文本文件 not a text file (UTF-16 or binary?); save it as CSV UTF-8")
    text, encoding = decode_text(data, path.name)
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "|"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    numbers: list[int] = []
    try:
        header = next(reader, None)
        if header is None:
            raise SourceError(f"{path.name}: 文件为空 the file is empty")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines, as a spreadsheet leaves them
            if len(rows) >= MAX_ROWS:
                raise SourceError(f"{path.name}: 行数过多 more than {MAX_ROWS:,} rows")
            rows.append(row)
            numbers.append(reader.line_num)
    except csv.Error as exc:
        raise SourceError(f"{path.name}: 第 {reader.line_num} 行无法解析 line {reader.line_num}: {exc}") from None
    columns = [c.strip() for c in header]
    return SourceTable(path, columns, rows, numbers, encoding=encoding)


# --------------------------------------------------------------------------------------------------------- XLSX
def check_xlsx(path: Path) -> None:
    """Refuse an XLSX that would exhaust memory or declares entities, before any XML parser reads it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"{path.name}: 不是有效的 XLSX 文件 not a valid XLSX (zip) file: {exc}") from None
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        if total > MAX_XLSX_INFLATED:
            raise SourceError(
                f"{path.name}: 解压后过大 inflates to {total / 2**20:.0f} MB (at most {MAX_XLSX_INFLATED >> 20} MB): "
                "refused as a possible zip bomb"
            )
        for m in members:
            if m.file_size > 2**20 and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1):
                raise SourceError(
                    f"{path.name}: {m.filename} 压缩比异常 inflates {m.file_size // max(m.compress_size, 1)}× "
                    "(refused as a possible zip bomb)"
                )
            if m.filename.lower().endswith("sharedstrings.xml") and m.file_size > MAX_SHARED_STRINGS_BYTES:
                raise SourceError(
                    f"{path.name}: 共享字符串表过大 shared-strings table of {m.file_size / 2**20:.0f} MB "
                    f"(at most {MAX_SHARED_STRINGS_BYTES >> 20} MB)"
                )
            if m.filename.lower().endswith((".xml", ".rels")):
                with archive.open(m) as fh:
                    head = fh.read(64 * 1024)
                if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                    raise SourceError(
                        f"{path.name}: {m.filename} 含有 DTD/实体声明 declares a DTD or entities "
                        "(refused: an XLSX never needs them, and they can expand without bound)"
                    )


def read_xlsx(path: Path, *, sheet: str | None = None) -> SourceTable:
    """The first data sheet (or ``sheet``) of an XLSX: cached values only, never a formula.

    Read with python-calamine (Rust; 100,000 rows × 10 columns in ~1 s, where openpyxl's read-only reader takes
    ~15 s), after :func:`check_xlsx` has looked at the zip. A formula's cached value is what is read; a cell
    whose formula was never calculated reads as empty.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    check_xlsx(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise SourceError(f"{path.name}: 无法读取工作簿 cannot read the workbook: {exc}") from None
    try:
        names = list(wb.sheet_names)
        if sheet is not None and sheet not in names:
            raise SourceError(f"{path.name}: 没有工作表 no sheet {sheet!r} (sheets: {', '.join(names)})")
        if not names:
            raise SourceError(f"{path.name}: 没有工作表 the workbook has no sheets")
        title = sheet if sheet is not None else _data_sheet(names)
        try:
            ws = wb.get_sheet_by_name(title)
            first_row = ws.start[0] if ws.start else 0
            cells = ws.iter_rows()
        except (CalamineError, ValueError) as exc:
            raise SourceError(f"{path.name}: 无法读取工作表 cannot read sheet {title!r}: {exc}") from None
        rows: list[list[Any]] = []
        numbers: list[int] = []
        header: list[Any] | None = None
        for number, row in enumerate(cells, start=first_row + 1):
            if not any(v not in (None, "") for v in row):
                continue
            if header is None:
                header = list(row)
                continue
            if len(rows) >= MAX_ROWS:
                raise SourceError(f"{path.name}: 行数过多 more than {MAX_ROWS:,} rows")
            rows.append([None if v == "" else v for v in row])
            numbers.append(number)
        if header is None:
            raise SourceError(f"{path.name}: 工作表 {title} 为空 the sheet is empty")
        columns = ["" if c is None else str(c).strip() for c in header]
        while columns and not columns[-1]:
            columns.pop()
        return SourceTable(path, columns, rows, numbers, sheet=title)
    finally:
        wb.close()


def _data_sheet(names: list[str]) -> str:
    """The sheet to read: the first that is not a template's help or lists sheet."""
    for name in names:
        if name not in ("说明", "列表", "README", "lists"):
            return name
    return names[0]


# ------------------------------------------------------------------------------------------------------- vector
def read_vector(path: Path, *, layer: str | None = None) -> SourceTable:
    """A GeoJSON, GeoPackage or Shapefile layer: its attribute table, its geometries and the CRS it declares."""
    import pyogrio

    source = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        layers = [str(name) for name, _kind in pyogrio.list_layers(source)]
    except Exception as exc:  # pyogrio's DataSourceError and GDAL's errors
        raise SourceError(f"{path.name}: 无法读取 cannot read as a GIS file: {_gdal_message(exc)}") from None
    if not layers:
        raise SourceError(f"{path.name}: 没有图层 no layers")
    if layer is not None and layer not in layers:
        raise SourceError(f"{path.name}: 没有图层 no layer {layer!r} (layers: {', '.join(layers)})")
    chosen = layer if layer is not None else layers[0]
    try:
        meta, _index, geometry, fields = pyogrio.raw.read(source, layer=chosen, encoding=None)
    except Exception as exc:
        raise SourceError(f"{path.name}: 无法读取图层 cannot read layer {chosen!r}: {_gdal_message(exc)}") from None
    import shapely

    n = len(geometry) if geometry is not None else (len(fields[0]) if fields else 0)
    if n > MAX_ROWS:
        raise SourceError(f"{path.name}: 要素过多 more than {MAX_ROWS:,} features")
    columns = [str(c) for c in meta["fields"]]
    values = [list(map(_plain, col)) for col in fields]
    notes = []
    if str(meta.get("encoding", "")).upper() in ("ISO-8859-1", "LATIN1") and not path.with_suffix(".cpg").exists():
        # A Shapefile with no .cpg: GDAL falls back to Latin-1, which maps bytes one to one, so the DBF's bytes can
        # be recovered and read as what Chinese GIS software writes: UTF-8, else GBK/GB18030.
        columns, values, encoding = _redecode(columns, values)
        if encoding:
            notes.append(f"Shapefile 无 .cpg 编码文件 has no .cpg: its text was read as {encoding}")
    rows = [list(r) for r in zip(*values, strict=True)] if values else [[] for _ in range(n)]
    geoms = list(shapely.from_wkb(geometry)) if geometry is not None else None
    table = SourceTable(path, columns, rows, list(range(1, n + 1)), row_word="要素 feature", geometries=geoms)
    table.crs = meta.get("crs")
    table.notes += notes
    if len(layers) > 1:
        table.notes.append(f"读取图层 read layer {chosen!r} of {len(layers)}: {', '.join(layers)}")
    return table


def _redecode(columns: list[str], values: list[list[Any]]) -> tuple[list[str], list[list[Any]], str | None]:
    """Texts GDAL read as Latin-1, read again as UTF-8 or else GB18030; unchanged when all are ASCII."""
    texts = [c for c in columns] + [v for col in values for v in col if isinstance(v, str)]
    if all(t.isascii() for t in texts):
        return columns, values, None
    for encoding, label in (("utf-8", "UTF-8"), ("gb18030", "GBK/GB18030")):
        try:
            for t in texts:
                t.encode("latin-1").decode(encoding)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue

        def fix(v: Any, enc: str = encoding) -> Any:
            return v.encode("latin-1").decode(enc) if isinstance(v, str) else v

        return [fix(c) for c in columns], [[fix(v) for v in col] for col in values], label
    return columns, values, None


def _plain(value: Any) -> Any:
    """A numpy scalar as a Python value (NaN as None: a missing value in a GIS table)."""
    if value is None:
        return None
    item = getattr(value, "item", None)
    if item is not None:
        value = item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _gdal_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


__all__ = ["FORMATS", "SourceError", "SourceTable", "check_xlsx", "read_csv", "read_source", "read_vector", "read_xlsx"]
