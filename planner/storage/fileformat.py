"""The scenario file: UTF-8 JSON a person can read and diff, with each layer a GeoJSON FeatureCollection.

See ``docs/file-format.md`` for the full description. In short::

    {
      "format": "ningbo-planner-scenario",
      "schema_version": 1,
      "scenario": {"id": …, "name": …, "base_year": 2025, "horizon_year": 2027, …},
      "products": {"330206": "港航数据 + 交通治理", …},
      "layers": {"parks": FeatureCollection, "sites": FeatureCollection, "zones": FeatureCollection},
      "investments": [ {…}, … ],
      "catalogue": [ {…}, … ],
      "targets": [ {…}, … ]
    }

Coordinates are WGS-84 (RFC 7946). Chinese text is written as is (not ``\\u`` escaped). Each feature and each row
is written on one line, sorted by id, so that a moved site is a one-line diff and a 42,000-site file stays a few
megabytes. :func:`loads` validates everything and raises :class:`ScenarioFileError` listing every problem.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

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
from planner.domain.scenario import Scenario, Target, UnitCost, validate_target, validate_unit_cost
from planner.perf import paused_gc
from planner.storage.problems import Problem, ScenarioFileError

FORMAT_NAME = "ningbo-planner-scenario"
SCHEMA_VERSION = 1
#: Decimal places of written coordinates: 1e-7° is about 1 cm.
COORD_DECIMALS = 7

_SCENARIO_FIELDS = ("id", "name", "description", "base_year", "horizon_year", "author", "modified", "notes")
_SCENARIO_REQUIRED = ("id", "name", "base_year", "horizon_year")
_TOP_LEVEL = ("format", "schema_version", "scenario", "products", "layers", "investments", "catalogue", "targets")


# --------------------------------------------------------------------------------------------------- writing
def _round_coords(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    return [_round_coords(c) for c in obj]


def geometry_to_geojson(geom: Any) -> dict:
    """GeoJSON geometry dict of a shapely geometry, coordinates rounded to ~1 cm."""
    from shapely.geometry import mapping

    m = mapping(geom)
    return {"type": m["type"], "coordinates": _round_coords(m["coordinates"])}


def _props(obj: Any, skip: tuple[str, ...]) -> dict:
    return {f.name: getattr(obj, f.name) for f in fields(obj) if f.name not in skip}


def shape_to_feature(obj: Park | Zone) -> dict:
    """GeoJSON Feature of a park or a zone (a feature with a shapely ``geometry``)."""
    return {
        "type": "Feature",
        "id": obj.id,
        "properties": _props(obj, ("id", "geometry")),
        "geometry": geometry_to_geojson(obj.geometry),
    }


def site_to_feature(s: Site) -> dict:
    """GeoJSON Feature of a site (its lon/lat become a Point)."""
    coords = [round(s.lon, COORD_DECIMALS), round(s.lat, COORD_DECIMALS)]
    return {
        "type": "Feature",
        "id": s.id,
        "properties": _props(s, ("id", "lon", "lat")),
        "geometry": {"type": "Point", "coordinates": coords},
    }


#: Feature writers by layer; parks and zones share one.
park_to_feature = zone_to_feature = shape_to_feature

_TO_FEATURE: dict[str, Callable[[Any], dict]] = {
    "parks": park_to_feature,
    "sites": site_to_feature,
    "zones": zone_to_feature,
}

LAYER_NOTES = {
    "sites": "站点为合成示意数据，非真实基站位置 / Sites are synthetic, not real base-station positions",
}


def _line(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def _rows(items: list[str], indent: str) -> str:
    if not items:
        return "[]"
    return "[\n" + ",\n".join(indent + i for i in items) + "\n" + indent[:-2] + "]"


def dumps(scenario: Scenario) -> str:
    """Serialise ``scenario`` to the file format (a str; write it UTF-8)."""
    meta = {k: getattr(scenario, k) for k in _SCENARIO_FIELDS}
    products = {k: scenario.products[k] for k in sorted(scenario.products)}
    parts = [
        "{",
        f'  "format": "{FORMAT_NAME}",',
        f'  "schema_version": {SCHEMA_VERSION},',
        f'  "scenario": {json.dumps(meta, ensure_ascii=False, indent=4)[:-1]}  }},',
        f'  "products": {json.dumps(products, ensure_ascii=False, indent=4)[:-1]}  }},',
        '  "layers": {',
    ]
    layer_parts = []
    for layer, to_feature in _TO_FEATURE.items():
        coll = scenario.layer(layer)
        feats = [_line(to_feature(coll[k])) for k in sorted(coll)]
        head = f'    "{layer}": {{"type": "FeatureCollection", "name": "{layer}", '
        if layer in LAYER_NOTES and any(getattr(f, "source", "") == "synthetic" for f in coll.values()):
            head += f'"note": {_line(LAYER_NOTES[layer])}, '
        layer_parts.append(head + f'"features": {_rows(feats, " " * 8)}}}')
    parts.append(",\n".join(layer_parts))
    parts.append("  },")
    invs = [_line(asdict(scenario.investments[k])) for k in sorted(scenario.investments)]
    cat = [_line(asdict(scenario.catalogue[k])) for k in sorted(scenario.catalogue)]
    tgt = [_line(asdict(t)) for t in sorted(scenario.targets.values(), key=lambda t: (t.year, t.key))]
    parts.append(f'  "investments": {_rows(invs, " " * 4)},')
    parts.append(f'  "catalogue": {_rows(cat, " " * 4)},')
    parts.append(f'  "targets": {_rows(tgt, " " * 4)}')
    parts.append("}")
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------------- reading
class _Reader:
    """Collects problems while building a scenario from parsed JSON."""

    def __init__(self, path: str, duplicates: dict[int, list[str]] | None = None):
        self.path = path
        self.problems: list[Problem] = []
        self.duplicates = duplicates or {}

    def check_duplicates(self, where: str, raw: Any) -> None:
        """Report keys given twice in the object ``raw`` (found while parsing)."""
        for key in self.duplicates.pop(id(raw), ()):
            self.problem(where, f"key {key!r} appears twice (only the last would count)")

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.path, where, message))

    # Properties ------------------------------------------------------------------------------------------
    def props(self, where: str, raw: Any, cls: type, skip: tuple[str, ...], required: tuple[str, ...]) -> dict | None:
        if not isinstance(raw, dict):
            self.problem(where, f"properties must be an object, got {type(raw).__name__}")
            return None
        self.check_duplicates(where, raw)
        allowed = [f.name for f in fields(cls) if f.name not in skip]
        unknown = [k for k in raw if k not in allowed]
        for k in unknown:
            self.problem(where, f"unknown field {k!r} (expected fields: {', '.join(allowed)})")
        missing = [k for k in required if k not in raw or raw[k] is None]
        for k in missing:
            self.problem(where, f"required field {k!r} is missing")
        if unknown or missing:
            return None
        return {k: v for k, v in raw.items()}

    def table(
        self,
        doc: dict,
        name: str,
        cls: type,
        required: tuple[str, ...],
        validate: Callable[[Any], list[tuple[str, str]]],
        key_of: Callable[[Any], str],
        duplicate: Callable[[Any], str],
    ) -> dict[str, Any]:
        """Read a table section into a dict keyed by ``key_of(row)``, validating each row first (an id that is
        not text would not even hash) and reporting duplicate keys."""
        out: dict[str, Any] = {}
        for where, row in self.rows(doc, name, cls, required):
            if not self.feature_problems(where, validate(row)):
                continue
            key = key_of(row)
            if key in out:
                self.problem(where, duplicate(row))
            else:
                out[key] = row
        return out

    def feature_problems(self, where: str, problems: list[tuple[str, str]]) -> bool:
        for field_name, message in problems:
            self.problem(f"{where}, field {field_name}", message)
        return not problems

    def geometry(self, where: str, raw: Any) -> Any:
        from shapely.geometry import shape

        if not isinstance(raw, dict) or "type" not in raw or "coordinates" not in raw:
            self.problem(where, "geometry must be a GeoJSON object with 'type' and 'coordinates'")
            return None
        try:
            geom = shape(raw)
        except Exception as exc:  # shapely raises several types for malformed coordinates
            self.problem(where, f"geometry of type {raw.get('type')!r} cannot be read: {exc}")
            return None
        return geom

    # Layers --------------------------------------------------------------------------------------------------
    def layer(self, doc: dict, name: str, build: Callable[[str, str, dict], Any]) -> dict:
        out: dict[str, Any] = {}
        layers = doc.get("layers")
        fc = layers.get(name) if isinstance(layers, dict) else None
        where = f"layers.{name}"
        if fc is None:
            self.problem(where, "layer is missing (an empty layer is a FeatureCollection with no features)")
            return out
        if (
            not isinstance(fc, dict)
            or fc.get("type") != "FeatureCollection"
            or not isinstance(fc.get("features"), list)
        ):
            self.problem(where, "must be a GeoJSON FeatureCollection with a 'features' list")
            return out
        for n, feat in enumerate(fc["features"], start=1):
            fid = feat.get("id") if isinstance(feat, dict) else None
            fwhere = f"{where} feature {n}" + (f" (id {fid})" if fid is not None else "")
            if not isinstance(feat, dict) or feat.get("type") != "Feature":
                self.problem(fwhere, "is not a GeoJSON Feature")
                continue
            self.check_duplicates(fwhere, feat)
            if not isinstance(fid, str) or not fid.strip():
                self.problem(fwhere, "feature needs a text 'id'")
                continue
            if fid in out:
                self.problem(fwhere, f"duplicate id {fid!r}")
                continue
            obj = build(fwhere, fid, feat)
            if obj is not None:
                out[fid] = obj
        return out

    def park(self, where: str, fid: str, feat: dict) -> Park | None:
        props = self.props(
            where, feat.get("properties"), Park, ("id", "geometry"), ("name", "kind", "district", "status", "open_year")
        )
        geom = self.geometry(where, feat.get("geometry"))
        if props is None or geom is None:
            return None
        try:
            park = Park(id=fid, geometry=geom, **props)
        except TypeError as exc:
            self.problem(where, str(exc))
            return None
        return park if self.feature_problems(where, validate_park(park)) else None

    def site(self, where: str, fid: str, feat: dict) -> Site | None:
        props = self.props(
            where,
            feat.get("properties"),
            Site,
            ("id", "lon", "lat"),
            ("kind", "operator", "band_mhz", "height_m", "environment", "open_year"),
        )
        g = feat.get("geometry")
        coords = g.get("coordinates") if isinstance(g, dict) and g.get("type") == "Point" else None
        if not (isinstance(coords, list) and len(coords) in (2, 3)):
            self.problem(where, "geometry must be a GeoJSON Point [longitude, latitude]")
            return None
        if props is None:
            return None
        site = Site(id=fid, lon=coords[0], lat=coords[1], **props)
        return site if self.feature_problems(where, validate_site(site)) else None

    def zone(self, where: str, fid: str, feat: dict) -> Zone | None:
        props = self.props(where, feat.get("properties"), Zone, ("id", "geometry"), ("name", "kind", "open_year"))
        geom = self.geometry(where, feat.get("geometry"))
        if props is None or geom is None:
            return None
        zone = Zone(id=fid, geometry=geom, **props)
        return zone if self.feature_problems(where, validate_zone(zone)) else None

    # Tables ---------------------------------------------------------------------------------------------------
    def rows(self, doc: dict, name: str, cls: type, required: tuple[str, ...]) -> list[Any]:
        raw = doc.get(name)
        if raw is None:
            self.problem(name, "section is missing (use [] for none)")
            return []
        if not isinstance(raw, list):
            self.problem(name, f"must be a list, got {type(raw).__name__}")
            return []
        out = []
        for n, row in enumerate(raw, start=1):
            rid = row.get("id", row.get("key")) if isinstance(row, dict) else None
            where = f"{name} row {n}" + (f" ({rid})" if rid is not None else "")
            props = self.props(where, row, cls, (), required)
            if props is None:
                continue
            try:
                out.append((where, cls(**props)))
            except TypeError as exc:
                self.problem(where, str(exc))
        return out


def _check_meta(r: _Reader, doc: dict) -> dict:
    meta = doc.get("scenario")
    if not isinstance(meta, dict):
        r.problem("scenario", "section is missing or not an object")
        return {}
    r.check_duplicates("scenario", meta)
    for k in meta:
        if k not in _SCENARIO_FIELDS:
            r.problem("scenario", f"unknown field {k!r} (expected: {', '.join(_SCENARIO_FIELDS)})")
    for k in _SCENARIO_REQUIRED:
        if k not in meta:
            r.problem("scenario", f"required field {k!r} is missing")
    for k in ("base_year", "horizon_year"):
        v = meta.get(k)
        if k in meta and (isinstance(v, bool) or not isinstance(v, int) or not 1990 <= v <= 2100):
            r.problem(f"scenario, field {k}", f"must be a year from 1990 to 2100, got {v!r}")
    for k in ("id", "name", "description", "author", "modified", "notes"):
        if k in meta and not isinstance(meta[k], str):
            r.problem(f"scenario, field {k}", f"must be text, got {meta[k]!r}")
    if isinstance(meta.get("name"), str) and not meta["name"].strip():
        r.problem("scenario, field name", "must not be empty")
    modified = meta.get("modified")
    if isinstance(modified, str) and modified:
        try:
            datetime.fromisoformat(modified)
        except ValueError:
            r.problem("scenario, field modified", f"must be an ISO 8601 date and time, got {modified!r}")
    by, hy = meta.get("base_year"), meta.get("horizon_year")
    if isinstance(by, int) and isinstance(hy, int) and by > hy:
        r.problem("scenario", f"base_year {by} is after horizon_year {hy}")
    return {k: v for k, v in meta.items() if k in _SCENARIO_FIELDS}


def _check_products(r: _Reader, doc: dict) -> dict[str, str]:
    raw = doc.get("products", {})
    if not isinstance(raw, dict):
        r.problem("products", "must be an object mapping district adcode to product")
        return {}
    out = {}
    for adcode, product in raw.items():
        if adcode not in DISTRICT_ADCODES:
            r.problem(f"products.{adcode}", f"{adcode!r} is not a Ningbo district adcode")
        elif not isinstance(product, str) or not product.strip():
            r.problem(f"products.{adcode}", "product must be non-empty text (leave the district out if unassigned)")
        else:
            out[adcode] = product
    return out


def loads(text: str, path: str | Path = "<text>") -> Scenario:
    """Parse and validate a scenario file's text; raise :class:`ScenarioFileError` listing every problem.

    A 42,000-site file makes a few hundred thousand long-lived objects. The cyclic garbage collector is paused
    while they are built (it would rescan them again and again, for nothing: they are all alive), and afterwards
    they are moved out of its generations with ``gc.freeze()``, so that later work — the coverage engine's first
    build — does not pay for rescanning them either (measured: first engine build 0.45–0.7 s → 0.2–0.3 s).
    """
    with paused_gc():
        scenario = _loads(text, path)
    gc.freeze()
    return scenario


def _parse_json(text: str, path: str) -> tuple[Any, dict[int, list[str]]]:
    """Parse JSON, noting keys that appear twice in one object (plain ``json`` would keep the last silently).

    Returns the document and ``{id(object): [duplicated keys]}``; the reader reports them where it meets the object.
    """
    duplicates: dict[int, list[str]] = {}

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            for k, _v in pairs:
                if k in seen:
                    duplicates.setdefault(id(obj), []).append(k)
                seen.add(k)
        return obj

    def fail(where: str, message: str) -> ScenarioFileError:
        return ScenarioFileError(path, [Problem(path, where, message)])

    if not text.strip():
        raise fail("", "file is empty")
    try:
        return json.loads(text, object_pairs_hook=pairs_hook), duplicates
    except json.JSONDecodeError as exc:
        raise fail(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise fail("", "not a scenario file: its JSON is nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise fail("", f"a value cannot be read ({str(exc).split(';')[0]})") from None


def _loads(text: str, path: str | Path) -> Scenario:
    path = str(path)
    try:
        return _read_document(text, path)
    except ScenarioFileError:
        raise
    except Exception as exc:  # the last line of defence: any surprise in a file is reported as a file problem
        message = f"cannot be read ({type(exc).__name__}: {exc})"
        raise ScenarioFileError(path, [Problem(path, "", message)]) from None


def _read_document(text: str, path: str) -> Scenario:
    doc, duplicates = _parse_json(text, path)
    if not isinstance(doc, dict):
        raise ScenarioFileError(path, [Problem(path, "", "not a scenario file (top level is not an object)")])
    fmt = doc.get("format")
    if fmt != FORMAT_NAME:
        raise ScenarioFileError(
            path,
            [Problem(path, "format", f"not a planner scenario file (format is {fmt!r}, expected {FORMAT_NAME!r})")],
        )
    version = doc.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ScenarioFileError(
            path, [Problem(path, "schema_version", f"must be a positive whole number, got {version!r}")]
        )
    if version > SCHEMA_VERSION:
        raise ScenarioFileError(
            path,
            [
                Problem(
                    path,
                    "schema_version",
                    f"the file uses schema version {version}, written by a newer version of "
                    f"the planner; this version reads up to {SCHEMA_VERSION}. Update the planner to open it.",
                )
            ],
        )

    r = _Reader(path, duplicates)
    r.check_duplicates("", doc)
    meta = _check_meta(r, doc)
    products = _check_products(r, doc)
    parks = r.layer(doc, "parks", r.park)
    sites = r.layer(doc, "sites", r.site)
    zones = r.layer(doc, "zones", r.zone)
    layers = doc.get("layers")
    if isinstance(layers, dict):
        for k in layers:
            if k not in ("parks", "sites", "zones"):
                r.problem(f"layers.{k}", "unknown layer (expected parks, sites, zones)")

    investments = r.table(
        doc,
        "investments",
        InvestmentItem,
        tuple(f.name for f in fields(InvestmentItem)),
        validate_investment,
        lambda i: i.id,
        lambda i: f"duplicate id {i.id!r}",
    )
    catalogue = r.table(
        doc,
        "catalogue",
        UnitCost,
        ("key", "label_zh", "label_en", "unit", "amount_wan"),
        validate_unit_cost,
        lambda c: c.key,
        lambda c: f"duplicate key {c.key!r}",
    )
    targets = r.table(
        doc,
        "targets",
        Target,
        ("key", "label_zh", "label_en", "year", "value"),
        validate_target,
        lambda t: t.id,
        lambda t: f"duplicate target {t.key!r} for {t.year}",
    )
    for key in doc:
        if key not in _TOP_LEVEL:
            r.problem(key, f"unknown section (expected: {', '.join(_TOP_LEVEL)})")
    if r.duplicates:  # in an object the checks above did not visit (a geometry, a layer's header …)
        keys = sorted({k for ks in r.duplicates.values() for k in ks})
        r.problem("", f"key(s) {', '.join(map(repr, keys))} appear twice in one object (only the last would count)")

    if r.problems:
        raise ScenarioFileError(path, r.problems)
    return Scenario(
        **meta,
        products=products,
        parks=parks,
        sites=sites,
        zones=zones,
        investments=investments,
        catalogue=catalogue,
        targets=targets,
    )


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file. Never modifies the file; raises :class:`ScenarioFileError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioFileError(path, [Problem(str(path), "", "file does not exist")]) from None
    except IsADirectoryError:
        raise ScenarioFileError(path, [Problem(str(path), "", "is a folder, not a scenario file")]) from None
    except OSError as exc:
        raise ScenarioFileError(path, [Problem(str(path), "", f"cannot be read: {exc.strerror}")]) from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ScenarioFileError(path, [Problem(str(path), "", "is UTF-16 text; save it as UTF-8")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(
            path,
            [Problem(str(path), f"line {_line_of(data, exc.start)}", "is not UTF-8 text (save it as UTF-8)")],
        ) from None
    return loads(text, path)


def _line_of(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1
