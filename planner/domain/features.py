"""The features of a scenario: parks, network sites, zones and investment line items.

Features are immutable value objects (frozen dataclasses). An edit never changes a feature in place: it replaces
it with a new one (``dataclasses.replace``), which is what makes undo exact and change events cheap to describe
(old object, new object). Coordinates are WGS-84 longitude/latitude.

Each kind has a ``validate_*`` function returning ``[(field, problem), ...]``; the file loader and the edit
commands both use them, so a value the loader would refuse can never be typed in either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from planner.domain import vocab

#: Years a scenario may speak of; anything else is a typo.
MIN_YEAR, MAX_YEAR = 1990, 2100
#: Ningbo's extent with a margin (WGS-84): a coordinate outside it is almost certainly a mistake
#: (swapped lon/lat, a projected coordinate, a point in another city).
NINGBO_BBOX = (120.8, 28.8, 122.6, 30.6)
#: Adcodes of the ten county-level districts (shared/domain.md, "Districts").
DISTRICT_ADCODES = (
    "330203",
    "330205",
    "330206",
    "330211",
    "330212",
    "330213",
    "330225",
    "330226",
    "330281",
    "330282",
)

Problems = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Park:
    """A digital-economy park: a 数创港 core or feature park, other park, feature town or computing centre."""

    id: str
    name: str
    kind: str
    geometry: Any  # shapely Point, Polygon or MultiPolygon (WGS-84)
    district: str  # adcode
    status: str = "planned"
    open_year: int = 2025
    area_ha: float | None = None
    capex_wan: float | None = None
    data_enterprises: int = 0
    computing_pflops: float | None = None
    focus: str = ""
    approximate: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Site:
    """A mobile network site (5G macro, small cell or 5G-A) at a WGS-84 point."""

    id: str
    kind: str
    operator: str
    band_mhz: int
    height_m: float
    environment: str
    lon: float
    lat: float
    open_year: int = 2025
    radius_m: float | None = None  # override of the propagation model's radius
    capex_wan: float | None = None  # None: the catalogue's unit cost applies
    source: str = "planner"


@dataclass(frozen=True, slots=True)
class Zone:
    """A polygon zone: an F5G coverage area, a "双万兆" priority zone or a functional area."""

    id: str
    name: str
    kind: str
    geometry: Any  # shapely Polygon or MultiPolygon (WGS-84)
    open_year: int = 2025
    capex_wan: float | None = None
    approximate: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class InvestmentItem:
    """One line of the investment plan, in 万元."""

    id: str
    project: str
    district: str  # adcode, or "" for a citywide item
    category: str
    year: int
    amount_wan: float
    funding: str


def _check_year(value: Any, field: str, problems: Problems) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append((field, f"must be a whole year, got {value!r}"))
    elif not MIN_YEAR <= value <= MAX_YEAR:
        problems.append((field, f"year {value} is outside {MIN_YEAR}–{MAX_YEAR}"))


def _check_number(
    value: Any, field: str, problems: Problems, *, optional: bool = False, positive: bool = False
) -> None:
    if value is None:
        if not optional:
            problems.append((field, "is missing"))
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append((field, f"must be a number, got {value!r}"))
    elif positive and value <= 0:
        problems.append((field, f"must be greater than 0, got {value}"))
    elif value < 0:
        problems.append((field, f"must not be negative, got {value}"))


def _check_key(value: Any, field: str, allowed: vocab.Vocabulary, problems: Problems) -> None:
    if value not in allowed:
        problems.append((field, f"{value!r} is not one of: {', '.join(allowed)}"))


def _check_text(value: Any, field: str, problems: Problems, *, required: bool = False) -> None:
    if not isinstance(value, str):
        problems.append((field, f"must be text, got {value!r}"))
    elif required and not value.strip():
        problems.append((field, "must not be empty"))


def _check_lonlat(lon: Any, lat: Any, problems: Problems, field: str = "geometry") -> None:
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lon, lat)):
        problems.append((field, f"coordinates must be numbers, got ({lon!r}, {lat!r})"))
        return
    x0, y0, x1, y1 = NINGBO_BBOX
    if not (x0 <= lon <= x1 and y0 <= lat <= y1):
        hint = " (longitude and latitude swapped?)" if x0 <= lat <= x1 and y0 <= lon <= y1 else ""
        problems.append((field, f"point ({lon}, {lat}) is outside Ningbo ({x0}–{x1}°E, {y0}–{y1}°N){hint}"))


def validate_geometry(geom: Any, allowed: tuple[str, ...], field: str = "geometry") -> Problems:
    """Check a shapely geometry: its type, that it is inside Ningbo and that polygons are valid."""
    import shapely

    problems: Problems = []
    if geom is None or getattr(geom, "geom_type", None) not in allowed:
        got = getattr(geom, "geom_type", type(geom).__name__)
        return [(field, f"must be {' or '.join(allowed)}, got {got}")]
    if geom.is_empty:
        return [(field, "is empty")]
    x0, y0, x1, y1 = geom.bounds
    bx0, by0, bx1, by1 = NINGBO_BBOX
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return [(field, "has coordinates that are not numbers")]
    if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
        problems.append(
            (
                field,
                f"extends outside Ningbo ({bx0}–{bx1}°E, {by0}–{by1}°N): bounds {x0:.4f}, {y0:.4f}, {x1:.4f}, {y1:.4f}",
            )
        )
    elif geom.geom_type != "Point" and not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        problems.append((field, f"polygon is not valid: {reason}"))
    return problems


def validate_park(p: Park) -> Problems:
    """Problems with a park's values, as ``[(field, message)]``."""
    problems: Problems = []
    _check_text(p.id, "id", problems, required=True)
    _check_text(p.name, "name", problems, required=True)
    _check_key(p.kind, "kind", vocab.PARK_KINDS, problems)
    _check_key(p.status, "status", vocab.PARK_STATUSES, problems)
    if p.district not in DISTRICT_ADCODES:
        problems.append(("district", f"{p.district!r} is not the adcode of a Ningbo district"))
    _check_year(p.open_year, "open_year", problems)
    _check_number(p.area_ha, "area_ha", problems, optional=True)
    _check_number(p.capex_wan, "capex_wan", problems, optional=True)
    if isinstance(p.data_enterprises, bool) or not isinstance(p.data_enterprises, int):
        problems.append(("data_enterprises", f"must be a whole number, got {p.data_enterprises!r}"))
    elif p.data_enterprises < 0:
        problems.append(("data_enterprises", f"must not be negative, got {p.data_enterprises}"))
    _check_number(p.computing_pflops, "computing_pflops", problems, optional=True)
    _check_text(p.focus, "focus", problems)
    _check_text(p.note, "note", problems)
    problems += validate_geometry(p.geometry, ("Point", "Polygon", "MultiPolygon"))
    return problems


def validate_site(s: Site) -> Problems:
    """Problems with a site's values, as ``[(field, message)]``."""
    problems: Problems = []
    _check_text(s.id, "id", problems, required=True)
    _check_key(s.kind, "kind", vocab.SITE_KINDS, problems)
    _check_key(s.operator, "operator", vocab.OPERATORS, problems)
    _check_key(s.environment, "environment", vocab.ENVIRONMENTS, problems)
    _check_key(s.source, "source", vocab.SITE_SOURCES, problems)
    if isinstance(s.band_mhz, bool) or not isinstance(s.band_mhz, int) or not 400 <= s.band_mhz <= 6000:
        problems.append(("band_mhz", f"must be a whole number of MHz from 400 to 6000, got {s.band_mhz!r}"))
    _check_number(s.height_m, "height_m", problems, positive=True)
    if isinstance(s.height_m, int | float) and not isinstance(s.height_m, bool) and s.height_m > 300:
        problems.append(("height_m", f"antenna height {s.height_m} m is implausible (over 300 m)"))
    _check_number(s.radius_m, "radius_m", problems, optional=True, positive=True)
    _check_number(s.capex_wan, "capex_wan", problems, optional=True)
    _check_year(s.open_year, "open_year", problems)
    _check_lonlat(s.lon, s.lat, problems)
    if not problems:
        # Only a site with sound values can be asked for its radius; the model may still have no link budget.
        problem = _radius_problem(s.kind, s.band_mhz, s.height_m, s.environment, s.radius_m)
        if problem:
            problems.append(("height_m" if "h_bs_m" in problem else "band_mhz", problem))
    return problems


def _radius_problem(*values: Any) -> str | None:
    global _RADIUS_PROBLEM
    if _RADIUS_PROBLEM is None:  # imported on first use: planner.geo.site_radius imports this module
        from planner.geo.site_radius import radius_problem

        _RADIUS_PROBLEM = radius_problem
    return _RADIUS_PROBLEM(*values)


_RADIUS_PROBLEM = None


def validate_zone(z: Zone) -> Problems:
    """Problems with a zone's values, as ``[(field, message)]``."""
    problems: Problems = []
    _check_text(z.id, "id", problems, required=True)
    _check_text(z.name, "name", problems, required=True)
    _check_key(z.kind, "kind", vocab.ZONE_KINDS, problems)
    _check_year(z.open_year, "open_year", problems)
    _check_number(z.capex_wan, "capex_wan", problems, optional=True)
    _check_text(z.note, "note", problems)
    problems += validate_geometry(z.geometry, ("Polygon", "MultiPolygon"))
    return problems


def validate_investment(i: InvestmentItem) -> Problems:
    """Problems with an investment item's values, as ``[(field, message)]``."""
    problems: Problems = []
    _check_text(i.id, "id", problems, required=True)
    _check_text(i.project, "project", problems, required=True)
    if i.district != "" and i.district not in DISTRICT_ADCODES:
        problems.append(("district", f"{i.district!r} is not a Ningbo district adcode (or '' for citywide)"))
    _check_key(i.category, "category", vocab.INVESTMENT_CATEGORIES, problems)
    _check_key(i.funding, "funding", vocab.FUNDING_SOURCES, problems)
    _check_year(i.year, "year", problems)
    _check_number(i.amount_wan, "amount_wan", problems)
    return problems


VALIDATORS = {
    Park: validate_park,
    Site: validate_site,
    Zone: validate_zone,
    InvestmentItem: validate_investment,
}


def validate_feature(feature: Any) -> Problems:
    """Problems with any feature, dispatching on its type."""
    return VALIDATORS[type(feature)](feature)
