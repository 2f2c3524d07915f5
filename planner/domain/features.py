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
from planner.domain.checks import (
    MAX_AREA_HA,
    MAX_PFLOPS,
    MAX_RADIUS_M,
    MAX_WAN,
    NINGBO_BBOX,
    Problems,
    check_count,
    check_flag,
    check_key,
    check_lonlat,
    check_number,
    check_text,
    check_year,
)

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
    check_text(p.id, "id", problems, required=True)
    check_text(p.name, "name", problems, required=True)
    check_key(p.kind, "kind", vocab.PARK_KINDS, problems)
    check_key(p.status, "status", vocab.PARK_STATUSES, problems)
    if p.district not in DISTRICT_ADCODES:
        problems.append(("district", f"{p.district!r} is not the adcode of a Ningbo district"))
    check_year(p.open_year, "open_year", problems)
    check_number(p.area_ha, "area_ha", problems, optional=True, maximum=MAX_AREA_HA)
    check_number(p.capex_wan, "capex_wan", problems, optional=True, maximum=MAX_WAN)
    check_count(p.data_enterprises, "data_enterprises", problems)
    check_number(p.computing_pflops, "computing_pflops", problems, optional=True, maximum=MAX_PFLOPS)
    check_text(p.focus, "focus", problems)
    check_text(p.note, "note", problems)
    check_flag(p.approximate, "approximate", problems)
    problems += validate_geometry(p.geometry, ("Point", "Polygon", "MultiPolygon"))
    return problems


def validate_site(s: Site) -> Problems:
    """Problems with a site's values, as ``[(field, message)]``."""
    problems: Problems = []
    check_text(s.id, "id", problems, required=True)
    check_key(s.kind, "kind", vocab.SITE_KINDS, problems)
    check_key(s.operator, "operator", vocab.OPERATORS, problems)
    check_key(s.environment, "environment", vocab.ENVIRONMENTS, problems)
    check_key(s.source, "source", vocab.SITE_SOURCES, problems)
    if isinstance(s.band_mhz, bool) or not isinstance(s.band_mhz, int) or not 400 <= s.band_mhz <= 6000:
        problems.append(("band_mhz", f"must be a whole number of MHz from 400 to 6000, got {s.band_mhz!r}"))
    check_number(s.height_m, "height_m", problems, positive=True)
    if isinstance(s.height_m, int | float) and not isinstance(s.height_m, bool) and s.height_m > 300:
        problems.append(("height_m", f"antenna height {s.height_m} m is implausible (over 300 m)"))
    check_number(s.radius_m, "radius_m", problems, optional=True, positive=True, maximum=MAX_RADIUS_M)
    check_number(s.capex_wan, "capex_wan", problems, optional=True, maximum=MAX_WAN)
    check_year(s.open_year, "open_year", problems)
    check_lonlat(s.lon, s.lat, problems)
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
    check_text(z.id, "id", problems, required=True)
    check_text(z.name, "name", problems, required=True)
    check_key(z.kind, "kind", vocab.ZONE_KINDS, problems)
    check_year(z.open_year, "open_year", problems)
    check_number(z.capex_wan, "capex_wan", problems, optional=True, maximum=MAX_WAN)
    check_text(z.note, "note", problems)
    check_flag(z.approximate, "approximate", problems)
    problems += validate_geometry(z.geometry, ("Polygon", "MultiPolygon"))
    return problems


def validate_investment(i: InvestmentItem) -> Problems:
    """Problems with an investment item's values, as ``[(field, message)]``."""
    problems: Problems = []
    check_text(i.id, "id", problems, required=True)
    check_text(i.project, "project", problems, required=True)
    if i.district != "" and i.district not in DISTRICT_ADCODES:
        problems.append(("district", f"{i.district!r} is not a Ningbo district adcode (or '' for citywide)"))
    check_key(i.category, "category", vocab.INVESTMENT_CATEGORIES, problems)
    check_key(i.funding, "funding", vocab.FUNDING_SOURCES, problems)
    check_year(i.year, "year", problems)
    check_number(i.amount_wan, "amount_wan", problems, maximum=MAX_WAN)
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
