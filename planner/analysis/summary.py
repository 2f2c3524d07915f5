"""The scenario's figures per district, per zone, per park and citywide, "as of" a year.

Every figure can be asked as of year Y: only features whose ``open_year`` ≤ Y count (line items: ``year`` ≤ Y).
:func:`summary` returns plain JSON-ready data; the CLI prints it, the app and the reports read the same data.
What each figure means, and what area coverage can and cannot tell: docs/indicators.md.

Areas: ``area_km2`` is the official land area (shared/domain.md) for the districts and for the city (their sum,
≈9,816 km²), so that the rows add up; ``polygon_area_km2`` is the area of the boundary polygons (they include
reclaimed land and tidal flats, 10,357.9 km² for the city), the area coverage percentages are shares of.
``sites_per_10k`` is open sites per 10,000 people of the 2020 census (national 2025 target: 26). What no district
holds — sites at sea, citywide investment items — is in ``other``, so that district rows plus ``other`` make the
city.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from planner.analysis.site_table import KINDS, site_table
from planner.domain.scenario import Scenario
from planner.domain.vocab import SCK_PARK_KINDS
from planner.geo.basemap import districts

PCT_DECIMALS = 3
PER_10K_DECIMALS = 2


def default_year(scenario: Scenario) -> int:
    """The year figures refer to when none is asked for: the scenario's horizon year."""
    return scenario.horizon_year


def site_districts(scenario: Scenario) -> dict[str, str]:
    """Adcode of the district each site is in ('' at sea), keyed by site id."""
    table = site_table(scenario)
    return dict(zip(table.ids, table.district.tolist(), strict=True))


def _pct(v: float | None) -> float | None:
    return None if v is None else round(float(v), PCT_DECIMALS)


def _region(fig) -> dict[str, Any]:
    out = {
        "coverage_5g_pct": _pct(fig.coverage_5g_pct),
        "coverage_5ga_pct": _pct(fig.coverage_5ga_pct),
        "coverage_f5g_pct": _pct(fig.coverage_f5g_pct),
    }
    if fig.coverage_dual_pct is not None:
        out["coverage_dual_pct"] = _pct(fig.coverage_dual_pct)
    return out


def target_row(t) -> dict[str, Any]:
    """One target's progress (a TargetProgress) as plain data: ``summary --json``'s and ``report --json``'s."""
    return {
        "key": t.key,
        "label": t.label_zh,
        "label_en": t.label_en,
        "year": t.year,
        "target": t.target,
        "unit": t.unit,
        "value": None if t.value is None else round(t.value, 3),
        "share": None if t.share is None else round(t.share, 4),
        "source": t.source,
        "note": t.note,
    }


def summary(scenario: Scenario, year: int | None = None, engine=None) -> dict[str, Any]:
    """Figures of ``scenario`` as of ``year`` (default: its horizon year), as plain JSON-ready data.

    ``engine`` is a live :class:`~planner.analysis.coverage.CoverageEngine` for the same scenario and year (the app
    passes its own); without one, a temporary engine is built.
    """
    from planner.analysis.coverage import CoverageEngine
    from planner.analysis.investment import investment_totals
    from planner.analysis.targets import per_10k, target_progress

    year = default_year(scenario) if year is None else year
    if engine is None or engine.year != year:
        engine = CoverageEngine(scenario, year, subscribe=False)
    cov = engine.figures()
    table = site_table(scenario)
    inv = investment_totals(scenario, year, table)
    sites_by = table.count_by_district(year)
    open_parks = [p for p in scenario.parks.values() if p.open_year <= year]
    parks_by = Counter(p.district for p in open_parks)

    def sites_per_10k(count: int, population: int) -> float | None:
        v = per_10k(count, population)
        return None if v is None else round(v, PER_10K_DECIMALS)

    rows = []
    for d in districts():
        rows.append(
            {
                "adcode": d.adcode,
                "name": d.name_zh,
                "name_en": d.name_en,
                "area_km2": d.land_area_km2,
                "polygon_area_km2": d.polygon_area_km2,
                "population": d.population_2020,
                "product": scenario.products.get(d.adcode),
                "parks": parks_by.get(d.adcode, 0),
                "sites": sites_by.get(d.adcode, 0),
                "sites_per_10k": sites_per_10k(sites_by.get(d.adcode, 0), d.population_2020),
                **_region(cov.districts[d.adcode]),
                "investment_wan": round(inv.by_district.get(d.adcode, 0.0), 1),
            }
        )
    adcodes = {d.adcode for d in districts()}
    city_population = sum(d.population_2020 for d in districts())
    total_sites = sum(sites_by.values())
    city = {
        "name": cov.city.name,
        "area_km2": round(sum(d.land_area_km2 for d in districts()), 1),
        "polygon_area_km2": round(cov.city.area_km2, 1),
        "population": city_population,
        "sites": total_sites,
        "sites_per_10k": sites_per_10k(total_sites, city_population),
        **_region(cov.city),
    }
    other = {
        "parks": sum(n for a, n in parks_by.items() if a not in adcodes),
        "sites": sum(n for a, n in sites_by.items() if a not in adcodes),
        "investment_wan": round(sum(v for a, v in inv.by_district.items() if a not in adcodes), 1),
    }
    zones = [
        {"id": zid, "name": z.name, "kind": scenario.zones[zid].kind, "area_km2": round(z.area_km2, 3), **_region(z)}
        for zid, z in sorted(cov.zones.items())
    ]
    parks = []
    for p in sorted(open_parks, key=lambda p: p.id):
        row: dict[str, Any] = {"id": p.id, "name": p.name, "kind": p.kind, "district": p.district}
        if p.id in cov.point_parks:
            pt = cov.point_parks[p.id]
            row.update(
                covered_5g=pt.covered_5g,
                covered_5ga=pt.covered_5ga,
                nearest_site_m=None if pt.nearest_site_m is None else round(pt.nearest_site_m, 1),
                nearest_5ga_site_m=None if pt.nearest_5ga_site_m is None else round(pt.nearest_5ga_site_m, 1),
            )
        elif p.id in cov.parks:
            row.update(area_km2=round(cov.parks[p.id].area_km2, 4), **_region(cov.parks[p.id]))
        parks.append(row)
    targets = [target_row(t) for t in target_progress(scenario, year, cov)]
    return {
        "scenario": {
            "id": scenario.id,
            "name": scenario.name,
            "year": year,
            "base_year": scenario.base_year,
            "horizon_year": scenario.horizon_year,
        },
        "districts": rows,
        "city": city,
        "other": other,
        "zones": zones,
        "parks": parks,
        "totals": {
            "parks": len(open_parks),
            "sck_parks": sum(1 for p in open_parks if p.kind in SCK_PARK_KINDS),
            "sites": total_sites,
            "sites_at_sea": sites_by.get("", 0),
            "sites_5ga": int(np.count_nonzero(table.open_by(year) & (table.kind == KINDS.index("5g_a")))),
            "zones": sum(1 for z in scenario.zones.values() if z.open_year <= year),
            "computing_pflops": sum(p.computing_pflops or 0.0 for p in open_parks),
            "data_enterprises": sum(p.data_enterprises for p in open_parks),
            "investment_wan": round(inv.total_wan, 1),
            "investment_by_category": {k: round(v, 1) for k, v in inv.by_category.items()},
            "investment_by_year": {str(k): round(v, 1) for k, v in inv.by_year.items()},
            "investment_cumulative_by_year": {str(k): round(v, 1) for k, v in inv.cumulative_by_year.items()},
            "investment_by_funding": {k: round(v, 1) for k, v in inv.by_funding.items()},
            "missing_unit_costs": inv.missing_unit_costs,
        },
        "targets": targets,
        "synthetic_sites": bool(table.synthetic.any()),
    }
