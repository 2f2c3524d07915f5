"""The scenario's figures per district and citywide, "as of" a year.

Every figure can be asked as of year Y: only features whose ``open_year`` ≤ Y count. This module holds the
counting figures of the foundation (parks and sites per district); coverage and investment figures join them
in :mod:`planner.analysis` as the engine grows.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from planner.analysis.locate import district_of_points
from planner.domain.scenario import Scenario
from planner.geo.basemap import districts


def default_year(scenario: Scenario) -> int:
    """The year figures refer to when none is asked for: the scenario's horizon year."""
    return scenario.horizon_year


def site_districts(scenario: Scenario) -> dict[str, str]:
    """Adcode of the district each site is in ('' at sea), keyed by site id."""
    ids = list(scenario.sites)
    if not ids:
        return {}
    lon = np.fromiter((scenario.sites[i].lon for i in ids), float, len(ids))
    lat = np.fromiter((scenario.sites[i].lat for i in ids), float, len(ids))
    return dict(zip(ids, district_of_points(lon, lat), strict=True))


def summary(scenario: Scenario, year: int | None = None) -> dict[str, Any]:
    """Figures of ``scenario`` as of ``year`` (default: its horizon year), as plain JSON-ready data."""
    year = default_year(scenario) if year is None else year
    where = site_districts(scenario)
    sites_by = Counter(where[s.id] for s in scenario.sites.values() if s.open_year <= year)
    parks_by = Counter(p.district for p in scenario.parks.values() if p.open_year <= year)
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
            }
        )
    return {
        "scenario": {
            "id": scenario.id,
            "name": scenario.name,
            "year": year,
            "base_year": scenario.base_year,
            "horizon_year": scenario.horizon_year,
        },
        "districts": rows,
        "totals": {
            "parks": sum(parks_by.values()),
            "sites": sum(sites_by.values()),
            "sites_at_sea": sites_by.get("", 0),
            "zones": sum(1 for z in scenario.zones.values() if z.open_year <= year),
        },
        "synthetic_sites": any(s.source == "synthetic" for s in scenario.sites.values()),
    }
