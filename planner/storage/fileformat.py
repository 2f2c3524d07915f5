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
      "targets": [ {…}, … ],
      "reported": [ {"indicator": "data_products", "year": 2025, "value": 1350, "adcode"?, "source"?, "note"?}, … ],
      "bookmarks": [ {"title": …, "year": 2027, "extent": [w, s, e, n], "layers": {"districts": "product", …}}, … ]
    }

"bookmarks" (the presenter's saved views, in order) and "reported" (the planner's figures of the targets the map
cannot measure, planner/domain/indicators.py) are each written only when there is one, so a file without any is
exactly what a planner before them wrote and read.

Coordinates are WGS-84 (RFC 7946). Chinese text is written as is (not ``\\u`` escaped). Each feature and each row
is written on one line, sorted by id, so that a moved site is a one-line diff and a 42,000-site file stays a few
megabytes. :func:`loads` validates everything and raises :class:`ScenarioFileError` listing every problem.
"""

from __future__ import annotations

import gc
import json
import math
import os
import stat
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, fields
from itertools import repeat
from pathlib import Path
from typing import Any

from planner.domain.bookmarks import BOOKMARK_FIELDS, Bookmark, validate_bookmark
from planner.domain.checks import (
    check_lonlat,
    position_problems,
    quote,
    text_problem,
)
from planner.domain.features import (
    InvestmentItem,
    Park,
    Site,
    Zone,
    validate_investment,
    validate_park,
    validate_product,
    validate_site,
    validate_zone,
)
from planner.domain.indicators import REPORTED_FIELDS, ReportedValue, validate_reported
from planner.domain.precision import COORD_DECIMALS, geometry_to_geojson
from planner.domain.scenario import (
    Scenario,
    Target,
    UnitCost,
    validate_scenario_info,
    validate_target,
    validate_unit_cost,
)
from planner.domain.vocab import ENVIRONMENTS, OPERATORS, SITE_KINDS, SITE_SOURCES
from planner.perf import paused_gc
from planner.storage.problems import Problem, ScenarioFileError
from planner.storage.site_batch import SITE_ALLOWED, read_site_batch

FORMAT_NAME = "ningbo-planner-scenario"
SCHEMA_VERSION = 1

_SCENARIO_FIELDS = ("id", "name", "description", "base_year", "horizon_year", "author", "modified", "notes")
_TOP_LEVEL = (
    "format",
    "schema_version",
    "scenario",
    "products",
    "layers",
    "investments",
    "catalogue",
    "targets",
    "reported",
    "bookmarks",
)


# --------------------------------------------------------------------------------------------------- writing
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
    parts.append(f'  "targets": {_rows(tgt, " " * 4)}' + ("," if scenario.bookmarks or scenario.reported else ""))
    if scenario.reported:  # sorted by indicator, year and district, one per line
        rows = [_line(reported_to_dict(rv)) for rv in sorted(scenario.reported.values(), key=_reported_order)]
        parts.append(f'  "reported": {_rows(rows, " " * 4)}' + ("," if scenario.bookmarks else ""))
    if scenario.bookmarks:  # in the presenter's order, one per line
        parts.append(f'  "bookmarks": {_rows([_line(bookmark_to_dict(b)) for b in scenario.bookmarks], " " * 4)}')
    parts.append("}")
    return "\n".join(parts) + "\n"


def reported_to_dict(rv: ReportedValue) -> dict:
    """A reported value as the file stores it: indicator, year and value, then adcode, source and note when set."""
    out: dict[str, Any] = {"indicator": rv.indicator, "year": rv.year, "value": rv.value}
    for k in ("adcode", "source", "note"):
        if getattr(rv, k):
            out[k] = getattr(rv, k)
    return out


def _reported_order(rv: ReportedValue) -> tuple:
    return rv.indicator, rv.year, rv.adcode


def bookmark_to_dict(b: Bookmark) -> dict:
    """A bookmark as the file stores it: the extent as a list, the visible layers as an object (layer → style)."""
    return {"title": b.title, "year": b.year, "extent": list(b.extent), "layers": dict(b.layers)}


# --------------------------------------------------------------------------------------------------- reading
class _Placed:
    """Sites waiting for the batch geography check, as columns: where each was read (a report's location, or the
    feature's number for a fast path), its id (None when it is refused anyway), lon, lat."""

    __slots__ = ("ids", "lat", "lon", "where")

    def __init__(self) -> None:
        self.where: list[str | int] = []
        self.ids: list[str | None] = []
        self.lon: list[float] = []
        self.lat: list[float] = []

    def append(self, where: str | int, fid: str | None, lon: float, lat: float) -> None:
        self.where.append(where)
        self.ids.append(fid)
        self.lon.append(lon)
        self.lat.append(lat)

    def extend(self, where: Iterable[int], ids: list[str], lon: list[float], lat: list[float]) -> None:
        self.where.extend(where)
        self.ids.extend(ids)
        self.lon.extend(lon)
        self.lat.extend(lat)


class _Reader:
    """Collects problems while building a scenario from parsed JSON."""

    def __init__(self, path: str, duplicates: dict[int, list[str]] | None = None):
        self.path = path
        self.problems: list[Problem] = []
        self.duplicates = duplicates or {}
        #: Members and in-string colons of the sites read by the fast path, or None when the parse noted duplicates
        #: itself (see :func:`_members_certified`).
        self.tally: list[int] | None = None
        self.placed_sites = _Placed()

    def check_duplicates(self, where: str, raw: Any) -> None:
        """Report keys given twice in the object ``raw`` (found while parsing)."""
        for key in self.duplicates.pop(id(raw), ()):
            self.problem(where, f"key {key!r} appears twice (only the last would count)")

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.path, where, message))

    # Properties ------------------------------------------------------------------------------------------
    def props(
        self, where: str, raw: Any, cls: type, skip: tuple[str, ...], required: tuple[str, ...]
    ) -> tuple[dict, set[str]] | None:
        """The known fields of ``raw`` and the names of the required ones that are missing, after reporting every
        unknown and missing field; None when ``raw`` is not an object at all.

        The caller goes on to validate the fields that are there, so that one look at the report shows every
        problem of the feature, not only the first kind.
        """
        if raw is None:
            self.problem(where, "has no 'properties' object")
            return None
        if not isinstance(raw, dict):
            self.problem(where, f"properties must be an object, got {type(raw).__name__}")
            return None
        self.check_duplicates(where, raw)
        allowed = [f.name for f in fields(cls) if f.name not in skip]
        for k in raw:
            if k not in allowed:
                self.problem(where, f"unknown field {quote(k)} (expected fields: {', '.join(allowed)})")
        missing = {k for k in required if k not in raw or raw[k] is None}
        for k in required:
            if k in missing:
                self.problem(where, f"required field {k!r} is missing")
        return {k: v for k, v in raw.items() if k in allowed and k not in missing}, missing

    def build(self, where: str, cls: type, values: dict, missing: set[str], validate: Callable) -> Any:
        """Make a ``cls`` from ``values`` (fields in ``missing`` get a placeholder) and report what ``validate``
        finds wrong with it, except about the fields already reported; None if anything was wrong."""
        names = {f.name for f in fields(cls)}
        obj = cls(**(values | {k: _PLACEHOLDER for k in missing if k in names}))
        problems = [(f, m) for f, m in validate(obj) if f not in missing]
        self.feature_problems(where, problems)
        return None if problems or missing else obj

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
        for where, row in self.rows(doc, name, cls, required, validate):
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

    def geometry(self, where: str, raw: Any, allowed: tuple[str, ...]) -> Any:
        """A shapely geometry from a GeoJSON geometry object, after checking its structure (RFC 7946) so that
        shapely never sees a string, a nested point or a NaN; None (with the problem reported) otherwise."""
        from shapely.geometry import shape

        problem = geojson_geometry_problem(raw, allowed)
        if problem:
            self.problem(f"{where}, field geometry", problem)
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a message names the problem; a library warning would not
                return shape(raw)
        except Exception as exc:  # shapely raises several types for malformed coordinates
            self.problem(f"{where}, field geometry", f"{raw['type']} cannot be read: {quote(str(exc), 120)}")
            return None

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
        features = fc["features"]
        if name != "sites":
            self.features(where, features, 0, len(features), out, build)
            return out
        for a in range(0, len(features), SITE_BATCH):
            self.site_run(where, features, a, min(a + SITE_BATCH, len(features)), out)
        return out

    def site_run(self, where: str, features: list, a: int, b: int, out: dict) -> None:
        """Read the site features ``features[a:b]``: as one batch when every one is plainly valid
        (:mod:`planner.storage.site_batch`), else in halves, down to the doubtful features themselves, which the
        full path reads and reports on. A run with one odd feature costs about twice the batch."""
        batch = read_site_batch(features[a:b], out) if not self.duplicates else None
        if batch is None:
            if b - a > 1:
                mid = (a + b) // 2
                self.site_run(where, features, a, mid, out)
                self.site_run(where, features, mid, b, out)
            else:
                self.features(where, features, a, b, out, self.site, tally=self.tally is not None)
            return
        features[a:b] = repeat(None, b - a)  # freed as read, as below
        out.update(zip(batch.ids, batch.sites, strict=True))
        self.placed_sites.extend(range(a + 1, b + 1), batch.ids, batch.lon, batch.lat)
        if self.tally is not None:
            self.tally[0] += batch.members
            self.tally[1] += batch.id_colons

    def features(
        self,
        where: str,
        features: list,
        start: int,
        stop: int,
        out: dict,
        build: Callable[[str, str, dict], Any],
        *,
        tally: bool = False,
    ) -> None:
        """Read ``features[start:stop]`` one by one into ``out``, reporting every problem of each; ``tally``: count
        their members for the duplicate-key proof (the layer's other features were counted before reading)."""
        for n in range(start + 1, stop + 1):
            # Each parsed feature is dropped from the document once read: the document of a 220,000-site file
            # holds ~300 MB of dicts, freed as the (much smaller) features are built rather than after.
            feat, features[n - 1] = features[n - 1], None
            if tally:
                _add_tally(self.tally, feat)
            fid = feat.get("id") if isinstance(feat, dict) else None
            fwhere = f"{where} feature {n}" + (f" (id {_show_id(fid)})" if fid is not None else "")
            if not isinstance(feat, dict) or feat.get("type") != "Feature":
                self.problem(fwhere, "is not a GeoJSON Feature")
                continue
            self.check_duplicates(fwhere, feat)
            for key in feat:
                if key not in _FEATURE_KEYS:
                    expected = ", ".join(_FEATURE_KEYS)
                    self.problem(fwhere, f"unknown field {quote(key)} of the feature (expected: {expected})")
            id_problem = text_problem(fid, required=True)
            if id_problem:
                self.problem(fwhere, f"feature needs a text 'id': the id {id_problem}")
                continue
            if fid in out:
                self.problem(fwhere, f"duplicate id {quote(fid)}")
                continue
            obj = build(fwhere, fid, feat)
            if obj is not None:
                out[fid] = obj

    def park(self, where: str, fid: str, feat: dict) -> Park | None:
        read = self.props(
            where, feat.get("properties"), Park, ("id", "geometry"), ("name", "kind", "district", "status", "open_year")
        )
        geom = self.geometry(where, feat.get("geometry"), ("Point", "Polygon", "MultiPolygon"))
        if read is None:
            return None
        values, missing = read
        return self.build(where, Park, {"id": fid, **values, "geometry": geom}, _missing(missing, geom), validate_park)

    def site(self, where: str, fid: str, feat: dict) -> Site | None:
        read = self.props(
            where,
            feat.get("properties"),
            Site,
            ("id", "lon", "lat"),
            ("kind", "operator", "band_mhz", "height_m", "environment", "open_year"),
        )
        problem = geojson_geometry_problem(feat.get("geometry"), ("Point",))
        if problem:
            self.problem(f"{where}, field geometry", problem)
            lon = lat = None
        else:
            lon, lat = feat["geometry"]["coordinates"][:2]
        site = None
        if read is not None:
            values, missing = read
            site = self.build(
                where,
                Site,
                {"id": fid, **values, "lon": lon, "lat": lat},
                missing | ({"geometry"} if problem else set()),
                _validate_site_without_position,
            )
        # The geography check runs whatever else is wrong with the site, so that one report lists everything.
        if not problem and check_lonlat(lon, lat, []):
            self.placed_sites.append(where, fid if site is not None else None, lon, lat)
        return site

    def zone(self, where: str, fid: str, feat: dict) -> Zone | None:
        read = self.props(where, feat.get("properties"), Zone, ("id", "geometry"), ("name", "kind", "open_year"))
        geom = self.geometry(where, feat.get("geometry"), ("Polygon", "MultiPolygon"))
        if read is None:
            return None
        values, missing = read
        return self.build(where, Zone, {"id": fid, **values, "geometry": geom}, _missing(missing, geom), validate_zone)

    def check_site_positions(self, sites: dict[str, Site]) -> None:
        """The geography check of every site in one vectorised pass (the same check an edit makes one by one)."""
        placed, self.placed_sites = self.placed_sites, _Placed()
        if not placed.ids:
            return
        found = position_problems(placed.lon, placed.lat)
        for i in (i for i, problem in enumerate(found) if problem):
            where, fid = placed.where[i], placed.ids[i]
            if type(where) is int:  # a site of a fast path, which notes only its number
                where = f"layers.sites feature {where} (id {fid})"
            self.problem(f"{where}, field geometry", found[i])
            if fid is not None:
                sites.pop(fid, None)

    # Tables ---------------------------------------------------------------------------------------------------
    def rows(
        self, doc: dict, name: str, cls: type, required: tuple[str, ...], validate: Callable[[Any], list]
    ) -> list[tuple[str, Any]]:
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
            where = f"{name} row {n}" + (f" ({_show_id(rid)})" if rid is not None else "")
            read = self.props(where, row, cls, (), required)
            if read is None:
                continue
            obj = self.build(where, cls, *read, validate)
            if obj is not None:
                out.append((where, obj))
        return out


#: Members of a GeoJSON Feature the file may hold (RFC 7946; "bbox" is allowed and ignored).
_FEATURE_KEYS = ("type", "id", "properties", "geometry", "bbox")
#: Site features are read in runs of this many (see :mod:`planner.storage.site_batch`); a run with any feature
#: that is not plainly valid is read one feature at a time.
SITE_BATCH = 4096
# The fast path's member count relies on this: no key or vocabulary value of a plain site holds a colon.
assert not any(":" in t for t in (*SITE_ALLOWED, *SITE_KINDS, *OPERATORS, *ENVIRONMENTS, *SITE_SOURCES))


def _add_tally(tally: list[int], obj: Any, skip: Any = None) -> None:
    """Add the members (key-value pairs) of every object within ``obj``, and the colons in all its text (keys and
    values), to ``tally`` = [members, colons]; the list ``skip`` (by identity) is left out."""
    members = colons = 0
    stack = [obj]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        o = pop()
        t = type(o)
        if t is dict:
            members += len(o)
            for k, v in o.items():
                if ":" in k:
                    colons += k.count(":")
                push(v)
        elif t is list:
            if o is not skip:
                extend(o)
        elif t is str and ":" in o:
            colons += o.count(":")
    tally[0] += members
    tally[1] += colons


def _members_certified(tally: list[int], colon_budget: int) -> bool:
    """Whether the parsed document provably has as many members as its text: then no key appeared twice in one
    object, although it was parsed without noting duplicates (which costs a Python call per object, ~0.2 s for a
    220,000-site file).

    In JSON text every ``:`` is either a name separator (one per member written) or written inside a string. The
    colons of the parsed strings are those written inside strings plus those written as an escape (``\\u003a``),
    so: members written = colons in the text − colons in parsed strings + escaped colons ≤ ``colon_budget`` (the
    text's colons plus a bound on its escapes) − colons in parsed strings. Parsing keeps one member per key, so
    members written ≥ members parsed; when the bound equals the members parsed, none was dropped: no key appeared
    twice. When it is not proved (a duplicate, or an escape such as ``\\u0030``), the caller parses again, noting
    duplicates.
    """
    members, colons = tally
    return colon_budget - colons == members


#: Stands for a required field that is missing while the rest of a feature is validated.
_PLACEHOLDER = None


def _missing(missing: set[str], geom: Any) -> set[str]:
    return missing | {"geometry"} if geom is None else missing


def _validate_site_without_position(site: Site) -> list[tuple[str, str]]:
    return validate_site(site, locate=False)


def _show_id(fid: Any) -> str:
    """A feature's id as a message shows it: as is when it is short printable text, else quoted and shortened."""
    if isinstance(fid, str) and fid.isprintable() and len(fid) <= 60 and not text_problem(fid):
        return fid
    return quote(fid)


#: GeoJSON geometry types and how deeply their coordinates nest (a position is depth 1).
_GEOJSON_DEPTH = {"Point": 1, "LineString": 2, "Polygon": 3, "MultiPoint": 2, "MultiLineString": 3, "MultiPolygon": 4}


def geojson_geometry_problem(raw: Any, allowed: tuple[str, ...]) -> str | None:
    """Why ``raw`` is not a GeoJSON geometry of one of the ``allowed`` types (RFC 7946), or None.

    Checks what shapely would accept or misread: the type, how deeply the coordinates nest, that every position
    holds two (or three) finite numbers — not strings, booleans or NaN — and that polygon rings have at least four
    positions and are closed.
    """
    if not isinstance(raw, dict) or "type" not in raw or "coordinates" not in raw:
        return "must be a GeoJSON geometry object with 'type' and 'coordinates'"
    kind = raw["type"]
    if kind not in allowed:
        what = f"GeoJSON {' or '.join(allowed)}"
        if allowed == ("Point",):
            what += " [longitude, latitude]"
        return f"must be a {what}, got type {quote(kind)}"
    problem = _coordinates_problem(raw["coordinates"], _GEOJSON_DEPTH[kind], kind)
    return f"{kind} {problem}" if problem else None


def _coordinates_problem(coords: Any, depth: int, kind: str) -> str | None:
    if depth == 1:
        if not isinstance(coords, list) or len(coords) not in (2, 3):
            return f"position must be [longitude, latitude], got {quote(coords, 40)}"
        for c in coords:
            if isinstance(c, bool) or not isinstance(c, int | float) or not _finite_number(c):
                return f"coordinate {quote(c, 40)} is not a finite number"
        return None
    if not isinstance(coords, list) or not coords:
        return f"coordinates must be a non-empty list nested {depth} deep, got {quote(coords, 40)}"
    ring = depth == 2 and kind in ("Polygon", "MultiPolygon")
    if ring and len(coords) < 4:
        return f"ring has {len(coords)} positions; a ring needs at least 4 (the last repeating the first)"
    for part in coords:
        problem = _coordinates_problem(part, depth - 1, kind)
        if problem:
            return problem
    if ring and coords[0] != coords[-1]:
        return "ring is not closed (its last position must repeat the first)"
    return None


def _finite_number(c: int | float) -> bool:
    try:
        return math.isfinite(c)
    except OverflowError:  # an integer too large for a float
        return False


def _check_meta(r: _Reader, doc: dict) -> dict:
    meta = doc.get("scenario")
    if not isinstance(meta, dict):
        r.problem("scenario", "section is missing or not an object")
        return {}
    r.check_duplicates("scenario", meta)
    for k in meta:
        if k not in _SCENARIO_FIELDS:
            r.problem("scenario", f"unknown field {quote(k)} (expected: {', '.join(_SCENARIO_FIELDS)})")
    known = {k: v for k, v in meta.items() if k in _SCENARIO_FIELDS}
    for field_name, message in validate_scenario_info(known):
        if message == "is required but missing":
            r.problem("scenario", f"required field {field_name!r} is missing")
        else:
            r.problem(f"scenario, field {field_name}", message)
    return known


def _check_products(r: _Reader, doc: dict) -> dict[str, str]:
    raw = doc.get("products", {})
    if not isinstance(raw, dict):
        r.problem("products", "must be an object mapping district adcode to product")
        return {}
    r.check_duplicates("products", raw)
    out = {}
    for adcode, product in raw.items():
        problems = validate_product(adcode, product)
        for _field, message in problems:
            r.problem(f"products.{_show_id(adcode)}", message)
        if not problems:
            out[adcode] = product
    return out


def _check_reported(r: _Reader, doc: dict, target_keys: list[str]) -> dict[str, ReportedValue]:
    """The optional ``reported`` list (absent in files from before reported values): every problem of every entry,
    each named by its number and key (``reported row 2 (data_products@2025)``) and the field, and an indicator
    reported twice for one year and district."""
    raw = doc.get("reported", [])
    if not isinstance(raw, list):
        r.problem("reported", f"must be a list of reported values, got {type(raw).__name__}")
        return {}
    out: dict[str, ReportedValue] = {}
    first: dict[str, int] = {}
    for n, row in enumerate(raw, start=1):
        where = f"reported row {n}"
        if not isinstance(row, dict):
            r.problem(where, f"must be an object with the fields {', '.join(REPORTED_FIELDS)}, got {quote(row)}")
            continue
        ind, year, adcode = row.get("indicator"), row.get("year"), row.get("adcode", "")
        if isinstance(ind, str) and ind.strip() and type(year) is int and isinstance(adcode, str):
            key = ReportedValue(ind, year, 0.0, adcode).key
            where += f" ({_show_id(key)})"
        else:
            key = None
        read = r.props(where, row, ReportedValue, (), ("indicator", "year", "value"))
        if read is None:
            continue
        values, missing = read
        if key is not None and key in first:  # reported whatever else is wrong with either entry
            r.problem(where, f"duplicate: {_show_id(key)} is reported in row {first[key]} already")
            continue
        if key is not None:
            first[key] = n
        rv = r.build(where, ReportedValue, values, missing, lambda v: validate_reported(v, target_keys))
        if rv is not None:
            out[rv.key] = rv
    return out


def _check_bookmarks(r: _Reader, doc: dict) -> tuple[Bookmark, ...]:
    """The optional ``bookmarks`` list (absent in files from before bookmarks): every problem of every bookmark,
    each named by its number and title, and titles given twice."""
    raw = doc.get("bookmarks", [])
    if not isinstance(raw, list):
        r.problem("bookmarks", f"must be a list of bookmarks, got {type(raw).__name__}")
        return ()
    out: list[Bookmark] = []
    titles: dict[str, int] = {}
    for n, row in enumerate(raw, start=1):
        title = row.get("title") if isinstance(row, dict) else None
        shown = _show_id(title) if isinstance(title, str) and title.strip() else quote(title)
        where = f"bookmarks row {n}" + (f" ({shown})" if title is not None else "")
        if not isinstance(row, dict):
            r.problem(where, f"must be an object with the fields {', '.join(BOOKMARK_FIELDS)}, got {quote(row)}")
            continue
        read = r.props(where, row, Bookmark, (), BOOKMARK_FIELDS)
        if read is None:
            continue
        values, missing = read
        if isinstance(values.get("extent"), list):
            values["extent"] = tuple(values["extent"])
        layers = values.get("layers")
        if isinstance(layers, dict):
            r.check_duplicates(f"{where}, field layers", layers)
            values["layers"] = tuple(layers.items())
        elif "layers" in values:
            example = '{"districts": "product", "parks": "kind"}'
            r.problem(f"{where}, field layers", f"must be an object mapping each visible layer to its style, such as "
                                                f"{example}, got {quote(layers)}")  # fmt: skip
            missing = missing | {"layers"}
            del values["layers"]
        if isinstance(title, str) and title in titles:  # reported whatever else is wrong with either bookmark
            r.problem(f"{where}, field title", f"{quote(title)} is the title of bookmark {titles[title]} already")
        elif isinstance(title, str):
            titles[title] = n
        bookmark = r.build(where, Bookmark, values, missing, validate_bookmark)
        if bookmark is not None and titles.get(bookmark.title) == n:
            out.append(bookmark)
    return tuple(out)


def loads(text: str, path: str | Path = "<text>") -> Scenario:
    """Parse and validate a scenario file's text; raise :class:`ScenarioFileError` listing every problem.

    A 42,000-site file makes a few hundred thousand long-lived objects. The cyclic garbage collector is paused
    while they are built (it would rescan them again and again, for nothing: they are all alive), and afterwards
    they are moved out of its generations with ``gc.freeze()``, so that later work — the coverage engine's first
    build — does not pay for rescanning them either (measured: first engine build 0.45–0.7 s → 0.2–0.3 s).
    """
    return _load_text([text], path, lambda: text)


def _load_text(holder: list[str], path: str | Path, reread: Callable[[], str], colons: int | None = None) -> Scenario:
    """:func:`loads` of the one text in ``holder``, which is emptied: once parsed, the text (up to hundreds of MB
    for a province) is freed before the features are built, which lowers the peak memory of a load. ``reread``
    gives the text again, for the rare file that must be parsed a second time (see :func:`_members_certified`)."""
    with paused_gc():
        scenario = _loads(holder, path, reread, colons)
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
        cut = " (the file may be cut short)" if exc.pos >= len(text) - 1 or exc.msg.startswith("Unterminated") else ""
        raise fail(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}{cut}") from None
    except RecursionError:
        raise fail("", "not a scenario file: its JSON is nested too deeply to read") from None
    except ValueError:  # an integer of more than 4,300 digits, which Python refuses to convert
        duplicates.clear()
    try:  # again, keeping such integers as a marker the validators refuse with the feature and field named
        return json.loads(text, object_pairs_hook=pairs_hook, parse_int=_parse_int), duplicates
    except ValueError as exc:
        raise fail("", f"a value cannot be read ({str(exc).split(';')[0]})") from None


class HugeInteger:
    """An integer in a file with too many digits to be a number (Python converts at most 4,300)."""

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"a {self.digits:,}-digit number"


def _parse_int(text: str) -> int | HugeInteger:
    return int(text) if len(text) <= 4000 else HugeInteger(len(text.lstrip("-")))


def _loads(holder: list[str], path: str | Path, reread: Callable[[], str], colons: int | None) -> Scenario:
    path = str(path)
    try:
        text = holder.pop()
        fast = _parse_plain(text)
        if fast is None:
            return _read_document(_parse_json(text, path), path)
        # No duplicate-noting hook: members are counted while reading and checked against the text's colons.
        colon_budget = _colon_budget(text) if colons is None else colons
        del text  # freed before the features are built; read again in the rare case it is needed
        doc = fast
        del fast
        tally = [0, 0]
        layers = doc.get("layers") if type(doc) is dict else None
        sites = layers.get("sites") if type(layers) is dict else None
        features = sites.get("features") if type(sites) is dict else None
        _add_tally(tally, doc, skip=features if type(features) is list else None)
        try:
            scenario = _read_document((doc, {}), path, tally)
            problems = None
        except ScenarioFileError as exc:
            scenario, problems = None, exc
        if _members_certified(tally, colon_budget):
            if problems is not None:
                raise problems
            return scenario
        del doc, scenario, problems
        return _read_document(_parse_json(reread(), path), path)
    except ScenarioFileError:
        raise
    except Exception as exc:  # the last line of defence: any surprise in a file is reported as a file problem
        message = f"cannot be read ({type(exc).__name__}: {exc})"
        raise ScenarioFileError(path, [Problem(path, "", message)]) from None


def _parse_plain(text: str) -> Any:
    """The parsed JSON, or None when it cannot be parsed plainly (then :func:`_parse_json` reports why)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _read_document(parsed: tuple[Any, dict[int, list[str]]], path: str, tally: list[int] | None = None) -> Scenario:
    """Build and validate the scenario of a parsed document; ``tally`` (see :func:`_members_certified`) is given
    when the parse did not note duplicate keys, and receives the members of the sites read by the fast path."""
    doc, duplicates = parsed
    if not isinstance(doc, dict):
        raise ScenarioFileError(path, [Problem(path, "", "not a scenario file (top level is not an object)")])
    fmt = doc.get("format")
    if fmt != FORMAT_NAME:
        raise ScenarioFileError(
            path,
            [
                Problem(
                    path,
                    "format",
                    f"not a planner scenario file (format is {quote(fmt)}, expected {FORMAT_NAME!r})"
                    if "format" in doc
                    else f"not a planner scenario file (it has no 'format' field; expected {FORMAT_NAME!r})",
                )
            ],
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
    r.tally = tally
    r.check_duplicates("", doc)
    meta = _check_meta(r, doc)
    products = _check_products(r, doc)
    parks = r.layer(doc, "parks", r.park)
    sites = r.layer(doc, "sites", r.site)
    r.check_site_positions(sites)
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
    reported = _check_reported(r, doc, [t.key for t in targets.values()])
    bookmarks = _check_bookmarks(r, doc)
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
        reported=reported,
        bookmarks=bookmarks,
    )


#: The largest scenario file the planner reads: 256 MiB holds about 800,000 sites (a 220,000-site province is
#: 70 MB). Anything larger is refused before it is read, rather than read until memory runs out.
MAX_FILE_BYTES = 256 * 1024 * 1024


def read_file_bytes(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; :class:`ScenarioFileError` for anything else.

    A pipe (FIFO) would block a read forever and a device such as ``/dev/zero`` never ends, so the file is opened
    without blocking, checked with ``fstat`` on the open descriptor (no race with a file swapped in between), and
    read no further than the limit.
    """
    path = Path(path)

    def fail(message: str) -> ScenarioFileError:
        return ScenarioFileError(path, [Problem(str(path), "", message)])

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise fail("file does not exist") from None
    except IsADirectoryError:
        raise fail("is a folder, not a scenario file") from None
    except PermissionError:
        raise fail("cannot be read: permission denied") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise fail("is a folder, not a scenario file")
        if not stat.S_ISREG(st.st_mode):
            raise fail("is not a regular file (a pipe, a device or a socket): save the scenario as a file first")
        if st.st_size > limit:
            raise fail(f"is {_size(st.st_size)}; the planner reads files of up to {_size(limit)}")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise fail(f"cannot be read: {exc.strerror}") from None
    if len(data) > limit:  # it grew while being read
        raise fail(f"is larger than {_size(limit)}, the most the planner reads")
    return data


def _size(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file. Never modifies the file; raises :class:`ScenarioFileError`."""
    path = Path(path)
    text, colons = _read_text(path)
    return _load_text([text], path, lambda: _read_text(path)[0], colons)


def _read_text(path: Path) -> tuple[str, int]:
    """The text of a scenario file, refused with a message when it is not UTF-8, and its :func:`_colon_budget`
    (counted in the bytes: a UTF-8 byte 0x3A is always a colon, and bytes count ~3x faster than text)."""
    data = read_file_bytes(path)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ScenarioFileError(path, [Problem(str(path), "", "is UTF-16 text; save it as UTF-8")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(
            path,
            [Problem(str(path), f"line {_line_of(data, exc.start)}", "is not UTF-8 text (save it as UTF-8)")],
        ) from None
    return text, _colon_budget(data)


def _colon_budget(text: str | bytes) -> int:
    """The colons of a JSON text plus a bound on the colons written as an escape (``\\u003a``), for
    :func:`_members_certified`."""
    # One count of the escapes of U+0030-U+003F: an upper bound on the escaped colons (see the proof), and one
    # search of the text instead of two.
    if isinstance(text, bytes):
        return text.count(b":") + text.count(b"\\u003")
    return text.count(":") + text.count("\\u003")


def _line_of(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1
