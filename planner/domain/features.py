"""The features of a scenario: parks, network sites, zones and investment line items.

Features are immutable value objects (frozen dataclasses). An edit never changes a feature in place: it replaces
it with a new one (``dataclasses.replace``), which is what makes undo exact and change events cheap to describe
(old object, new object). Coordinates are WGS-84 longitude/latitude.

Each kind has a ``validate_*`` function returning ``[(field, problem), ...]``; the file loader and the edit
commands both use them, so a value the loader would refuse can never be typed in either.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

from planner.domain import vocab
from planner.domain.checks import (
    MAX_AREA_HA,
    MAX_HEIGHT_M,
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
    position_problems,
    quote,
    text_problem,
)
from planner.domain.precision import as_written

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


def sites_from_columns(*columns: list[Any]) -> list[Site]:
    """``[Site(*values) for values in zip(*columns)]`` (one column per field, in field order), ~2× faster.

    A file of 220,000 sites spends ~0.26 s in ``Site.__init__``, which sets each field through
    ``object.__setattr__`` (the class is frozen). This sets them column by column through the same slot
    descriptors, in loops that run in C; the objects are equal in every way (a test holds it). It is only valid
    while ``Site`` has no ``__post_init__`` and a slot per field, which the assertions below keep true.
    """
    n = len(columns[0])
    if len(columns) != len(_SITE_SLOTS) or any(len(c) != n for c in columns):
        raise ValueError("one column per Site field, all of one length")
    sites = list(map(object.__new__, repeat(Site, n)))
    for set_field, column in zip(_SITE_SLOTS, columns, strict=True):
        deque(map(set_field, sites, column), maxlen=0)
    return sites


_SITE_SLOTS = tuple(Site.__dict__[name].__set__ for name in Site.__dataclass_fields__)
assert not hasattr(Site, "__post_init__") and tuple(Site.__slots__) == tuple(Site.__dataclass_fields__)


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


#: How far a park may sit outside the district it names (metres): a marker drawn on a district boundary, or a
#: port park on reclaimed land just beyond the polygon, is still that district's park.
PARK_DISTRICT_TOLERANCE_M = 1_000.0


def validate_geometry(geom: Any, allowed: tuple[str, ...], field: str = "geometry") -> Problems:
    """Check a shapely geometry as it will be written to a file: its type, that it is inside Ningbo's box and that
    polygons are valid after the file's rounding of coordinates (:func:`planner.domain.precision.as_written`)."""
    import shapely

    problems: Problems = []
    if geom is None or getattr(geom, "geom_type", None) not in allowed:
        got = getattr(geom, "geom_type", type(geom).__name__)
        return [(field, f"must be {' or '.join(allowed)}, got {got}")]
    if geom.is_empty:
        return [(field, "is empty")]
    if not np.isfinite(shapely.get_coordinates(geom)).all():  # checked first: NaN would make shapely warn
        return [(field, "has coordinates that are not numbers")]
    x0, y0, x1, y1 = geom.bounds
    bx0, by0, bx1, by1 = NINGBO_BBOX
    if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
        problems.append(
            (
                field,
                f"extends outside Ningbo ({bx0}–{bx1}°E, {by0}–{by1}°N): bounds {x0:.4f}, {y0:.4f}, {x1:.4f}, {y1:.4f}",
            )
        )
    elif geom.geom_type != "Point":
        written = as_written(geom)
        if not written.is_valid:
            reason = shapely.is_valid_reason(written)
            if geom.is_valid:
                reason += (
                    " once its coordinates are rounded to 1e-7° (≈1 cm) as the file stores them: "
                    "widen the narrow part or remove the vertex there"
                )
            problems.append((field, f"polygon is not valid: {reason}"))
    return problems


def _district_problem(geom: Any, adcode: str) -> Problems:
    """A park must lie in, or within :data:`PARK_DISTRICT_TOLERANCE_M` of, the district it names."""
    from planner.geo.basemap import district_by_adcode
    from planner.geo.land import distance_to_district_m, neighbours, place_points

    off = distance_to_district_m(geom, adcode)
    if off <= PARK_DISTRICT_TOLERANCE_M:
        return []
    names = district_by_adcode()
    point = geom.representative_point()
    placed = place_points([point.x], [point.y])
    there, nb = placed.district[0], placed.neighbour[0]
    if there:
        where = f"; it lies in {names[there].name_zh} ({there})"
    elif nb >= 0:
        where = f"; it lies on the land of {neighbours()[nb].name_zh} ({neighbours()[nb].name_en})"
    else:
        where = "; it lies in no Ningbo district"
    return [
        (
            "district",
            f"the park lies {off / 1000:.1f} km outside {names[adcode].name_zh} ({adcode}), the district it names "
            f"(at most {PARK_DISTRICT_TOLERANCE_M / 1000:.1f} km is accepted){where}",
        )
    ]


def _zone_place_problem(geom: Any) -> Problems:
    """A zone must reach Ningbo's land or its waters, and not lie wholly on another city's land."""
    from planner.geo.land import OFFSHORE_MAX_M, distance_to_land_m, neighbour_containing

    nb = neighbour_containing(geom)
    if nb is not None:
        return [("geometry", f"lies wholly on the land of {nb.name_zh} ({nb.name_en}), not in Ningbo")]
    off = distance_to_land_m(geom)
    if off > OFFSHORE_MAX_M:
        return [
            (
                "geometry",
                f"lies {off / 1000:.1f} km off Ningbo's coast (at most {OFFSHORE_MAX_M / 1000:.1f} km is accepted)",
            )
        ]
    return []


def validate_park(p: Park) -> Problems:
    """Problems with a park's values, as ``[(field, message)]``."""
    problems: Problems = []
    check_text(p.id, "id", problems, required=True)
    check_text(p.name, "name", problems, required=True)
    check_key(p.kind, "kind", vocab.PARK_KINDS, problems)
    check_key(p.status, "status", vocab.PARK_STATUSES, problems)
    district_ok = isinstance(p.district, str) and p.district in DISTRICT_ADCODES
    if not isinstance(p.district, str):
        problems.append(
            ("district", f'must be a district\'s adcode as text (such as "330212"), got {quote(p.district)}')
        )
    elif not district_ok:
        problems.append(("district", f"{quote(p.district)} is not the adcode of a Ningbo district"))
    check_year(p.open_year, "open_year", problems)
    check_number(p.area_ha, "area_ha", problems, optional=True, maximum=MAX_AREA_HA)
    check_number(p.capex_wan, "capex_wan", problems, optional=True, maximum=MAX_WAN)
    check_count(p.data_enterprises, "data_enterprises", problems)
    check_number(p.computing_pflops, "computing_pflops", problems, optional=True, maximum=MAX_PFLOPS)
    check_text(p.focus, "focus", problems)
    check_text(p.note, "note", problems)
    check_flag(p.approximate, "approximate", problems)
    geometry_problems = validate_geometry(p.geometry, ("Point", "Polygon", "MultiPolygon"))
    problems += geometry_problems
    if district_ok and not geometry_problems:
        problems += _district_problem(p.geometry, p.district)
    return problems


def validate_site(s: Site, *, locate: bool = True) -> Problems:
    """Problems with a site's values, as ``[(field, message)]``.

    ``locate=False`` leaves out the geography check (:func:`~planner.domain.checks.position_problems`), for a
    caller that checks a whole batch of sites at once — the file loader — with the same function.
    """
    problems: Problems = []
    check_text(s.id, "id", problems, required=True)
    check_key(s.kind, "kind", vocab.SITE_KINDS, problems)
    check_key(s.operator, "operator", vocab.OPERATORS, problems)
    check_key(s.environment, "environment", vocab.ENVIRONMENTS, problems)
    check_key(s.source, "source", vocab.SITE_SOURCES, problems)
    if isinstance(s.band_mhz, bool) or not isinstance(s.band_mhz, int) or not 400 <= s.band_mhz <= 6000:
        problems.append(("band_mhz", f"must be a whole number of MHz from 400 to 6000, got {quote(s.band_mhz)}"))
    check_number(s.height_m, "height_m", problems, positive=True, maximum=MAX_HEIGHT_M)
    check_number(s.radius_m, "radius_m", problems, optional=True, positive=True, maximum=MAX_RADIUS_M)
    check_number(s.capex_wan, "capex_wan", problems, optional=True, maximum=MAX_WAN)
    check_year(s.open_year, "open_year", problems)
    if check_lonlat(s.lon, s.lat, problems) and locate:
        position = position_problems([s.lon], [s.lat])[0]
        if position:
            problems.append(("geometry", position))
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
    geometry_problems = validate_geometry(z.geometry, ("Polygon", "MultiPolygon"))
    problems += geometry_problems or _zone_place_problem(z.geometry)
    return problems


def validate_investment(i: InvestmentItem) -> Problems:
    """Problems with an investment item's values, as ``[(field, message)]``."""
    problems: Problems = []
    check_text(i.id, "id", problems, required=True)
    check_text(i.project, "project", problems, required=True)
    if not isinstance(i.district, str) or (i.district != "" and i.district not in DISTRICT_ADCODES):
        problems.append(("district", f"{quote(i.district)} is not a Ningbo district adcode (or '' for citywide)"))
    check_key(i.category, "category", vocab.INVESTMENT_CATEGORIES, problems)
    check_key(i.funding, "funding", vocab.FUNDING_SOURCES, problems)
    check_year(i.year, "year", problems)
    check_number(i.amount_wan, "amount_wan", problems, maximum=MAX_WAN)
    return problems


def validate_product(adcode: Any, product: Any) -> Problems:
    """Problems with a 一区一品 assignment (district adcode → product text), as ``[(field, message)]``.

    The file loader and :func:`planner.domain.commands.assign_product` both use it.
    """
    if not isinstance(adcode, str) or adcode not in DISTRICT_ADCODES:
        return [("district", f"{quote(adcode)} is not a Ningbo district adcode")]
    problem = text_problem(product, required=True)
    if problem == "must not be empty" or not isinstance(product, str):
        return [("product", "product must be non-empty text (leave the district out if unassigned)")]
    if problem:
        return [("product", f"product {problem}")]
    return []


VALIDATORS = {
    Park: validate_park,
    Site: validate_site,
    Zone: validate_zone,
    InvestmentItem: validate_investment,
}


def validate_feature(feature: Any) -> Problems:
    """Problems with any feature, dispatching on its type."""
    return VALIDATORS[type(feature)](feature)
