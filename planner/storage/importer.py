"""Importing sites, parks, zones and investment items from the files bureaus and operators send.

``read_import`` reads a source (:mod:`planner.storage.import_sources`), maps its columns to a layer's fields
(:mod:`planner.storage.import_columns`), converts the coordinates to WGS-84 from the source's system (WGS-84,
GCJ-02, BD-09, CGCS2000, a projected EPSG code, or the CRS the file declares), and checks every row with the same
validation the scenario file uses. Nothing changes in the scenario: the result is an :class:`ImportReport` with
the features that passed and, for each rejected row, its row number and every reason. The planner accepts the
valid part — one command, :func:`planner.domain.commands.import_many` — or cancels.

Values are read leniently where the meaning is unambiguous (``1,234.5``, full-width digits, ``3.5GHz`` or ``n78``
for a band, ``中国移动`` or ``移动`` for an operator, ``海曙区`` or ``330203`` for a district) and refused otherwise,
with the value quoted.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from planner.domain import vocab
from planner.domain.checks import MAX_YEAR, MIN_YEAR, quote
from planner.domain.features import (
    DISTRICT_ADCODES,
    InvestmentItem,
    Park,
    Site,
    Zone,
    validate_investment,
    validate_park,
    validate_site,
    validate_zone,
)
from planner.domain.scenario import Scenario
from planner.storage.import_columns import LAYER_FIELDS, VALUE_SYNONYMS, FieldSpec, normalise, recognise, spec_of
from planner.storage.import_sources import SourceTable, read_source
from planner.textsafe import printable

#: The layers an import fills, with their names for people.
IMPORT_LAYERS = {
    "sites": "站点 sites",
    "parks": "园区 parks",
    "zones": "区域 zones",
    "investments": "投资项 investments",
}
#: The coordinate systems a source may be in (``--crs``), besides ``EPSG:<code>``.
CRS_CHOICES = {
    "wgs84": "WGS-84（GPS，国际标准）",
    "gcj02": "GCJ-02（高德、腾讯地图坐标）",
    "bd09": "BD-09（百度地图坐标）",
    "cgcs2000": "CGCS2000（国家2000大地坐标系，与 WGS-84 相差不足 1 米）",
}
#: The longest list of reasons kept per row, and how many rejected rows a text report lists in full.
REPORT_ROWS = 200


class MappingError(ValueError):
    """The columns cannot fill the layer: a required field has no column, or a mapped column does not exist.

    ``hint`` is the command line's advice (``--map COLUMN=FIELD``), part of the message; the app, which maps in
    its own table, shows :attr:`problem` with its own words instead."""

    def __init__(self, problem: str, hint: str = "") -> None:
        super().__init__(f"{problem} — {hint}" if hint else problem)
        self.problem, self.hint = problem, hint


@dataclass
class Rejection:
    """A row that was not imported, with every reason."""

    row: int
    reasons: list[str]
    id: str | None = None


@dataclass
class ImportReport:
    """What an import would add, and what it refuses."""

    source: Path
    layer: str
    total: int
    features: list[Any]
    rejected: list[Rejection]
    mapping: dict[str, str]
    crs: str
    row_word: str = "行 row"
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every row passed."""
        return not self.rejected

    def summary_line(self) -> str:
        """``sites.csv: 99,000 of 100,000 rows valid, 1,000 rejected``."""
        return (
            f"{printable(self.source.name)}: {len(self.features):,} / {self.total:,} 条有效 valid, "
            f"{len(self.rejected):,} 条被拒绝 rejected"
        )

    def text(self, limit: int = REPORT_ROWS) -> str:
        """The report as the CLI prints it and the app shows it."""
        lines = [self.summary_line()]
        lines += [f"  · {printable(n)}" for n in self.notes]
        word = self.row_word.split()[0]
        for r in self.rejected[:limit]:
            rid = f"（{printable(r.id)}）" if r.id else ""
            lines.append(f"  第 {r.row} {word} {self.row_word.split()[-1]} {r.row}{rid}: " + "; ".join(r.reasons))
        if len(self.rejected) > limit:
            lines.append(f"  … 另有 {len(self.rejected) - limit:,} 条 and {len(self.rejected) - limit:,} more")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (``import --json``)."""
        return {
            "source": str(self.source),
            "layer": self.layer,
            "rows": self.total,
            "valid": len(self.features),
            "rejected": [{"row": r.row, "id": r.id, "reasons": r.reasons} for r in self.rejected],
            "mapping": self.mapping,
            "crs": self.crs,
            "notes": self.notes,
        }


# ------------------------------------------------------------------------------------------------------ values
def _text(v: Any) -> str:
    return unicodedata.normalize("NFKC", str(v)).strip()


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def parse_number(v: Any) -> float:
    """A number from a cell: a number, or text such as ``1,234.5`` or full-width ``１２``; ValueError otherwise."""
    if isinstance(v, bool):
        raise ValueError("a true/false value is not a number")
    if isinstance(v, int | float):
        if not math.isfinite(v):
            raise ValueError("not a finite number")
        return float(v)
    s = _text(v).replace(",", "").replace(" ", "")
    try:
        x = float(s)
    except ValueError:
        raise ValueError("不是数字 not a number") from None
    if not math.isfinite(x):
        raise ValueError("not a finite number")
    return x


#: NR band numbers that sources use for the bands in Ningbo (3GPP TS 38.101-1), in MHz.
NR_BANDS = {"n1": 2100, "n3": 1800, "n8": 900, "n28": 700, "n41": 2600, "n77": 3500, "n78": 3500, "n79": 4900}


def parse_band(v: Any) -> int:
    """A band in MHz: ``3500``, ``3500MHz``, ``3.5GHz``, ``3.5G``, ``3.5`` (GHz), ``n78``; ValueError otherwise."""
    s = normalise(v) if not isinstance(v, int | float) or isinstance(v, bool) else None
    if s is not None:
        if s in NR_BANDS:
            return NR_BANDS[s]
        scale = 1.0
        for unit, k in (("ghz", 1000.0), ("mhz", 1.0), ("g", 1000.0), ("m", 1.0)):
            if s.endswith(unit):
                s, scale = s[: -len(unit)], k
                break
        x = parse_number(s) * scale
    else:
        x = parse_number(v)
    if 0 < x < 10:
        x *= 1000.0  # "3.5": GHz
    if abs(x - round(x)) > 1e-6:
        raise ValueError("not a whole number of MHz")
    return round(x)


def _year(v: Any) -> int:
    x = parse_number(v)
    if x != int(x):
        raise ValueError("不是整数年份 not a whole year")
    if not MIN_YEAR <= x <= MAX_YEAR:
        raise ValueError(f"年份超出 {MIN_YEAR}–{MAX_YEAR} / year {int(x)} is outside {MIN_YEAR}–{MAX_YEAR}")
    return int(x)


def _count(v: Any) -> int:
    x = parse_number(v)
    if x != int(x) or x < 0:
        raise ValueError("应为不小于 0 的整数 not a whole number ≥ 0")
    return int(x)


_FLAGS = {"1": True, "true": True, "yes": True, "y": True, "是": True, "√": True, "0": False, "false": False,
          "no": False, "n": False, "否": False, "": False}  # fmt: skip


def _flag(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = normalise(v)
    if s in _FLAGS:
        return _FLAGS[s]
    raise ValueError("not yes/no (是/否)")


def _value_table(v: vocab.Vocabulary) -> dict[str, str]:
    """Every accepted spelling of a vocabulary's values → its key."""
    from planner.storage.import_columns import vocabulary_name

    table = {}
    for key, (zh, en) in v.items():
        for name in (key, zh, en):
            table[normalise(name)] = key
    for name, key in VALUE_SYNONYMS.get(vocabulary_name(v), {}).items():
        table[normalise(name)] = key
    return table


def _district_table() -> dict[str, str]:
    from planner.geo.basemap import districts

    table = {}
    for d in districts():
        for name in (d.adcode, d.name_zh, d.name_zh.rstrip("区市县"), d.name_en, d.name_en.split()[0]):
            table[normalise(name)] = d.adcode
    return table


_CITYWIDE = {normalise(s) for s in ("", "全市", "市级", "citywide", "宁波市", "市本级")}


#: Number fields that must not be below 0 (a cost, an area), and those that must be above 0.
NON_NEGATIVE = frozenset({"capex_wan", "amount_wan", "area_ha", "computing_pflops", "height_m", "radius_m"})
POSITIVE = frozenset({"height_m", "radius_m"})


class _Parser:
    """Turns one column's raw cells into a field's values, remembering the spellings it has seen."""

    def __init__(self, spec: FieldSpec):
        self.spec = spec
        self.memo: dict[Any, tuple[Any, str | None]] = {}
        if spec.kind == "key":
            self.table = _value_table(spec.vocabulary)
        elif spec.kind == "district":
            self.table = _district_table()

    def __call__(self, v: Any) -> tuple[Any, str | None]:
        try:
            return self.memo[v]
        except (KeyError, TypeError):
            pass
        out = self._parse(v)
        try:
            if len(self.memo) < 100_000:
                self.memo[v] = out
        except TypeError:
            pass
        return out

    def _parse(self, v: Any) -> tuple[Any, str | None]:
        spec, kind = self.spec, self.spec.kind
        if kind == "district" and (_blank(v) or normalise(v) in _CITYWIDE) and spec.default == "":
            return "", None  # an investment item for the whole city
        if _blank(v):
            return None, None
        try:
            if kind == "number":
                x = parse_number(v)
                if spec.name in NON_NEGATIVE and (x < 0 or (x == 0 and spec.name in POSITIVE)):
                    return None, f"{quote(v)}: 不能为负数 must not be negative" + (" or 0" if x == 0 else "")
                return x, None
            if kind == "band":
                band = parse_band(v)
                if not 400 <= band <= 6000:
                    return None, f"{quote(v)}: 未知频段 unknown band ({band} MHz is outside 400–6000 MHz)"
                return band, None
            if kind == "year":
                return _year(v), None
            if kind == "count":
                return _count(v), None
            if kind == "flag":
                return _flag(v), None
            if kind == "key":
                key = self.table.get(normalise(v))
                if key is None:
                    allowed = "、".join(f"{k}（{zh}）" for k, (zh, _en) in spec.vocabulary.items())
                    return None, f"未知取值 unknown value {quote(v)}; one of {allowed}"
                return key, None
            if kind == "district":
                if isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer():
                    v = str(int(v))
                code = self.table.get(normalise(v))
                if code is None:
                    return (
                        None,
                        f"{quote(v)} 不是宁波的区县 is not a Ningbo district (a name such as 海曙区, or an adcode)",
                    )
                return code, None
            if kind == "geometry":
                return _wkt(v)
            return _text(v) if not isinstance(v, str) else v.strip(), None
        except ValueError as exc:
            # A whole number from Excel is shown as typed: 1850, not 1850.0.
            shown = int(v) if isinstance(v, float) and v.is_integer() else v
            return None, f"{quote(shown)}: {exc}"


def _wkt(v: Any) -> tuple[Any, str | None]:
    import shapely

    try:
        return shapely.from_wkt(str(v)), None
    except Exception:  # shapely's GEOSException for text that is no WKT
        return None, f"{quote(v, 40)} is not a WKT geometry"


# ---------------------------------------------------------------------------------------------------- the CRS
def parse_crs(text: str | None) -> str | None:
    """A source CRS as given (``wgs84``, ``gcj02``, ``bd09``, ``cgcs2000`` or ``EPSG:<code>``), normalised."""
    if text is None or not str(text).strip():
        return None
    s = str(text).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {"gps": "wgs84", "epsg4326": "wgs84", "4326": "wgs84", "epsg4490": "cgcs2000", "4490": "cgcs2000",
               "gcj": "gcj02", "amap": "gcj02", "gaode": "gcj02", "高德": "gcj02", "baidu": "bd09",
               "百度": "bd09"}  # fmt: skip
    s = aliases.get(s, s)
    if s in CRS_CHOICES:
        return s
    if s.startswith("epsg:") and s[5:].isdigit():
        import pyproj

        try:
            pyproj.CRS.from_epsg(int(s[5:]))
        except pyproj.exceptions.CRSError:
            raise ValueError(f"unknown coordinate system EPSG:{s[5:]}") from None
        return f"EPSG:{int(s[5:])}"
    raise ValueError(f"unknown coordinate system {text!r}: one of wgs84, gcj02, bd09, cgcs2000 or EPSG:<code>")


def declared_crs(crs_text: str | None) -> str | None:
    """The CRS a GIS file declares, as :func:`parse_crs` names it (None: not declared)."""
    if not crs_text:
        return None
    import pyproj

    try:
        crs = pyproj.CRS.from_user_input(crs_text)
    except pyproj.exceptions.CRSError:
        return None
    code = crs.to_epsg()
    if code in (4326, None) and crs.is_geographic and "WGS" in crs.name.upper():
        return "wgs84"
    if code == 4490 or (crs.is_geographic and "2000" in crs.name):
        return "cgcs2000"
    if code is not None:
        return f"EPSG:{code}"
    return crs.to_wkt()


def converter(crs: str):
    """``f(lon_or_x, lat_or_y) -> (lon, lat)`` WGS-84 arrays for a source in ``crs``."""
    if crs in ("wgs84", "cgcs2000"):
        # CGCS2000 and WGS-84 (G1762) agree to a few centimetres: no datum shift is applied (nor does PROJ).
        return lambda x, y: (np.asarray(x, float), np.asarray(y, float))
    if crs in ("gcj02", "bd09"):
        from planner.geo.chinacrs import to_wgs84

        def shift(x, y):
            lon, lat = to_wgs84(np.asarray(x, float), np.asarray(y, float), crs)
            return np.asarray(lon, float), np.asarray(lat, float)

        return shift
    import pyproj

    t = pyproj.Transformer.from_crs(pyproj.CRS.from_user_input(crs), "EPSG:4326", always_xy=True)
    return lambda x, y: tuple(np.asarray(a, float) for a in t.transform(np.asarray(x, float), np.asarray(y, float)))


# ------------------------------------------------------------------------------------------------------ import
def read_import(
    path: str | Path,
    layer: str,
    scenario: Scenario,
    *,
    crs: str | None = None,
    mapping: dict[str, str] | None = None,
    defaults: dict[str, Any] | None = None,
    sheet: str | None = None,
    source_layer: str | None = None,
) -> ImportReport:
    """Read and check ``path`` as ``layer`` features for ``scenario`` (which is not changed).

    ``mapping``: ``{field: column}`` taking precedence over recognised names. ``defaults``: ``{field: value}`` for
    fields no column fills. Raises :class:`~planner.storage.import_sources.SourceError` for a file that cannot be
    read and :class:`MappingError` when the columns cannot fill the layer.
    """
    table = read_source(path, sheet=sheet, layer=source_layer)
    return check_table(table, layer, scenario, crs=crs, mapping=mapping, defaults=defaults)


def resolve_mapping(table: SourceTable, layer: str, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """``{field: column}``: the recognised columns with ``mapping`` on top (checked against the table)."""
    if layer not in IMPORT_LAYERS:
        raise MappingError(f"unknown layer {layer!r}: one of {', '.join(IMPORT_LAYERS)}")
    found = recognise(table.columns, layer)
    for fld, column in (mapping or {}).items():
        spec_of(layer, fld)  # KeyError for a field the layer lacks
        if column not in table.columns:
            raise MappingError(
                f"{printable(table.path.name)}: 没有列 no column {column!r} (columns: "
                f"{', '.join(printable(c) for c in table.columns)})"
            )
        found = {f: c for f, c in found.items() if c != column}
        found[fld] = column
    return found


def check_table(
    table: SourceTable,
    layer: str,
    scenario: Scenario,
    *,
    crs: str | None = None,
    mapping: dict[str, str] | None = None,
    defaults: dict[str, Any] | None = None,
) -> ImportReport:
    """Check a source table already read (the app reads once, then maps and checks as the planner adjusts)."""
    try:
        columns = resolve_mapping(table, layer, mapping)
    except KeyError as exc:
        raise MappingError(str(exc.args[0])) from None
    defaults = dict(defaults or {})
    has_geometry = table.geometries is not None
    given = parse_crs(crs)
    declared = declared_crs(table.crs) if has_geometry else None
    notes = list(table.notes)
    if table.encoding:
        notes.append(f"文字编码 encoding: {table.encoding}")
    if given is None:
        given = declared or "wgs84"
    elif declared not in (None, given, "wgs84", "cgcs2000"):
        notes.append(f"the file declares {declared}; it was read as {given}, as asked")
    notes.append(f"坐标系 coordinates read as {given}")

    specs = {s.name: s for s in LAYER_FIELDS[layer]}
    missing = []
    for name, spec in specs.items():
        if name in ("lon", "lat", "geometry") and (has_geometry or layer in ("parks", "zones")):
            continue
        if name not in columns and spec.required and name not in defaults:
            missing.append(f"{name}（{spec.zh}）")
    if layer == "parks" and not has_geometry and "geometry" not in columns and not {"lon", "lat"} <= columns.keys():
        missing.append("lon/lat（经度/纬度）or geometry（几何）")
    if layer == "zones" and not has_geometry and "geometry" not in columns:
        missing.append("geometry（几何, WKT）")
    if missing:
        raise MappingError(
            f"{printable(table.path.name)}: 缺少必填列 no column for {', '.join(missing)}; columns: "
            f"{', '.join(printable(c) for c in table.columns) or '(none)'}",
            "map one with --map COLUMN=FIELD or give a default",
        )
    n = len(table.rows)
    filled: list[str] = []  # the defaults the rows took, said in the notes
    values: dict[str, list[Any]] = {}
    errors: list[list[str]] = [[] for _ in range(n)]
    index = {c: i for i, c in enumerate(table.columns)}
    for name, spec in specs.items():
        parser = _Parser(spec)
        if name in columns:
            i = index[columns[name]]
            raw = [r[i] if i < len(r) else None for r in table.rows]
            out = list(map(parser, raw))
            col = [v for v, _e in out]
            for row, (_v, e) in enumerate(out):
                if e is not None:
                    errors[row].append(f"{name}（{spec.zh}）: {e}")
        else:
            col = [None] * n
        default = defaults.get(name, spec.default)
        if default == "base_year":
            default = scenario.base_year
        elif name in defaults:
            default, e = parser(default)
            if e is not None:
                raise MappingError(f"default for {name}: {e}")
        used = 0
        for row in range(n):
            if col[row] is None:
                reported = errors[row] and errors[row][-1].startswith(f"{name}（")
                if default is None and spec.required and name not in ("lon", "lat") and not reported:
                    errors[row].append(f"{name}（{spec.zh}）: 缺少 missing")
                col[row] = default
                used += default is not None and not reported
        values[name] = col
        if used and name != "id":
            filled.append(f"{name}（{spec.zh}）= {printable(default)} ×{used:,}")
    if filled:
        notes.append("默认值 defaults used: " + "; ".join(filled))
    unused = [printable(c) for c in table.columns if c not in columns.values()]
    if unused:
        notes.append(f"未导入的列 columns not imported (no such field of {layer}): {', '.join(unused)}")
    geoms = _geometries(table, layer, values, given, errors)
    features = _build(layer, scenario, values, geoms, errors, table)
    rejected = [Rejection(table.row_numbers[i], errors[i], _show(values["id"][i])) for i in range(n) if errors[i]]
    return ImportReport(
        table.path,
        layer,
        n,
        [f for f in features if f is not None],
        rejected,
        columns,
        given,
        table.row_word,
        notes,
    )


def _show(v: Any) -> str | None:
    return None if v is None else str(v)


def _geometries(table: SourceTable, layer: str, values: dict, crs: str, errors: list[list[str]]) -> list[Any]:
    """Each row's geometry in WGS-84 (a Point for lon/lat), or None with the reason in ``errors``."""
    import shapely

    n = len(table.rows)
    convert = converter(crs)
    out: list[Any] = [None] * n
    if table.geometries is not None:
        src = table.geometries
        label = "geometry（几何）"
    elif values.get("geometry") is not None and any(g is not None for g in values["geometry"]):
        src = values["geometry"]
        label = "geometry（几何）"
    else:
        src = None
    if src is not None:
        for i, g in enumerate(src):
            if g is None or g.is_empty:
                if layer != "parks" or values.get("lon", [None] * n)[i] is None:
                    errors[i].append(f"{label}: 缺少几何 no geometry")
                continue
            if layer == "sites" and g.geom_type != "Point":
                errors[i].append(f"{label}: a site is a Point, got {g.geom_type}")
                continue
            if layer == "zones" and g.geom_type not in ("Polygon", "MultiPolygon"):
                errors[i].append(f"{label}: a zone is a Polygon or MultiPolygon, got {g.geom_type}")
                continue
            out[i] = shapely.transform(shapely.force_2d(g), lambda c: np.column_stack(convert(c[:, 0], c[:, 1])))
        if layer != "parks":
            return out
    if layer in ("sites", "parks") and "lon" in values:
        lon, lat = values["lon"], values["lat"]
        idx = [i for i in range(n) if out[i] is None and lon[i] is not None and lat[i] is not None]
        if idx:
            raw_x = np.asarray([lon[i] for i in idx], float)
            if crs in CRS_CHOICES and np.median(np.abs(raw_x)) > 360:
                hint = "coordinates look projected (metres): give the coordinate system, e.g. --crs EPSG:4549"
                for i in idx:
                    errors[i].append(f"lon/lat（经度/纬度）: {hint}")
                idx = []
            x, y = convert([lon[i] for i in idx], [lat[i] for i in idx])
            for k, i in enumerate(idx):
                out[i] = (float(x[k]), float(y[k])) if layer == "sites" else shapely.Point(float(x[k]), float(y[k]))
        for i in range(n):
            if out[i] is None and not any(e.startswith(("lon", "lat", "geometry")) for e in errors[i]):
                errors[i].append("lon/lat（经度/纬度）: 缺少坐标 no coordinates")
    return out


def _build(layer: str, scenario: Scenario, values: dict, geoms: list, errors: list[list[str]], table) -> list[Any]:
    """The features of rows without errors, checked by the domain's validation; duplicates refused."""
    n = len(geoms)
    ids = values["id"]
    existing = scenario.layer(layer)
    first: dict[str, int] = {}
    for i, fid in enumerate(ids):
        if fid is None:
            continue
        fid = str(fid)
        if fid in existing:
            errors[i].append(f"id（编号）: {quote(fid)} 已存在 already exists in the scenario")
        elif fid in first:
            errors[i].append(f"id（编号）: {quote(fid)} 重复 duplicate of {table.row_word.split()[-1]} {first[fid]}")
        else:
            first[fid] = table.row_numbers[i]
    out: list[Any] = [None] * n
    fresh = scenario.copy()  # new ids are taken from a copy: a cancelled import uses up none of the scenario's
    taken = set(first)
    validate = {"sites": _site_problems, "parks": validate_park, "zones": validate_zone,
                "investments": validate_investment}[layer]  # fmt: skip
    for i in range(n):
        if errors[i]:
            continue
        fid = ids[i]
        if fid is None:
            fid = fresh.new_id(layer)
            while fid in taken:
                fid = fresh.new_id(layer)
        v = {k: col[i] for k, col in values.items()}
        v["id"] = str(fid)
        feature = _make(layer, v, geoms[i])
        if feature is None:
            continue
        problems = validate(feature)
        if problems:
            errors[i] += [f"{f}: {m}" for f, m in problems]
            continue
        out[i] = feature
    if layer == "sites":
        from planner.domain.checks import position_problems

        idx = [i for i in range(n) if out[i] is not None]
        if idx:
            where = position_problems([out[i].lon for i in idx], [out[i].lat for i in idx])
            for i, problem in zip(idx, where, strict=True):
                if problem:
                    errors[i].append(f"geometry: {problem}")
                    out[i] = None
    return out


def _site_problems(s: Site):
    return validate_site(s, locate=False)  # the positions are checked as one batch afterwards


def _make(layer: str, v: dict, geom: Any) -> Any:
    if layer == "sites":
        lon, lat = (geom.x, geom.y) if hasattr(geom, "x") else geom
        return Site(v["id"], v["kind"], v["operator"], v["band_mhz"], v["height_m"], v["environment"], lon, lat,
                    v["open_year"], v["radius_m"], v["capex_wan"], "imported")  # fmt: skip
    if layer == "parks":
        district = v["district"]
        if district is None:
            from planner.geo.land import district_of_points

            point = geom.representative_point()
            district = str(district_of_points([point.x], [point.y])[0])
            if district not in DISTRICT_ADCODES:
                district = ""  # validate_park names the problem
        return Park(v["id"], v["name"], v["kind"], geom, district, v["status"], v["open_year"], v["area_ha"],
                    v["capex_wan"], v["data_enterprises"], v["computing_pflops"], v["focus"], v["approximate"],
                    v["note"])  # fmt: skip
    if layer == "zones":
        return Zone(v["id"], v["name"], v["kind"], geom, v["open_year"], v["capex_wan"], v["approximate"], v["note"])
    return InvestmentItem(v["id"], v["project"], v["district"], v["category"], v["year"], v["amount_wan"],
                          v["funding"])  # fmt: skip


def read_candidate_points(path: str, crs: str | None) -> list[tuple[float, float]]:
    """WGS-84 (lon, lat) positions from a file of points — a GIS file's point geometries (in its declared CRS unless
    ``crs`` says otherwise), or a table's lon/lat (经度/纬度) columns in ``crs`` (default WGS-84) — for gap-fill
    siting's candidate positions. Rows without numbers are skipped; ValueError when there is no position at all."""
    table = read_source(path)
    if table.geometries is not None:
        pts = [(g.x, g.y) for g in table.geometries if g is not None and g.geom_type == "Point"]
        system = parse_crs(crs) or declared_crs(table.crs) or "wgs84"
    else:
        found = recognise(table.columns, "sites")
        if not {"lon", "lat"} <= found.keys():
            raise ValueError(f"{printable(path)}: no lon/lat (经度/纬度) columns for the candidate positions")
        pts = []
        for lon, lat in zip(table.column(found["lon"]), table.column(found["lat"]), strict=True):
            try:
                pts.append((parse_number(lon), parse_number(lat)))
            except (ValueError, TypeError):
                continue
        system = parse_crs(crs) or "wgs84"
    if not pts:
        raise ValueError(f"{printable(path)}: no candidate positions")
    x, y = converter(system)([p[0] for p in pts], [p[1] for p in pts])
    return list(zip(x.tolist(), y.tolist(), strict=True))


def apply_import(scenario: Scenario, report: ImportReport):
    """The command that adds ``report``'s valid features to ``scenario`` as one undo step (labelled with the
    source's name and the count), or None when nothing is valid."""
    from planner.domain.commands import import_many

    if not report.features:
        return None
    return import_many(scenario, report.features, report.source.name)


__all__ = [
    "CRS_CHOICES",
    "IMPORT_LAYERS",
    "ImportReport",
    "MappingError",
    "Rejection",
    "apply_import",
    "check_table",
    "converter",
    "parse_band",
    "parse_crs",
    "parse_number",
    "read_import",
    "resolve_mapping",
]
