"""Investment totals in 万元: what the map's features cost plus the scenario's investment line items.

Two sources of cost, both counted in the year they open (features) or are booked (line items):

* **Features.** Every site, park and zone costs its own ``capex_wan`` when set (the per-item override); otherwise
  the scenario's unit-cost catalogue gives a default (``shared/domain.md``, "Unit costs"): a site its kind's unit
  cost, a computing centre its PFLOPS × ``computing_per_pflops``, an F5G zone its area × ``f5g_per_km2``. Other
  parks and zones without a ``capex_wan`` cost nothing. Features carry no funding source, so their cost is booked
  under ``unspecified`` (未指定).
* **Line items** (``scenario.investments``): non-spatial spending such as data platforms and application
  scenarios, each with its own district, category, year, amount and funding source.

Decision (docs/architecture.md): a feature is costed once, from the feature itself; line items are for what is not
on the map, so the two never double-count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from planner.analysis.site_table import KINDS, SiteTable, site_table
from planner.domain.scenario import Scenario

#: Catalogue key of the default unit cost of each site kind.
SITE_COST_KEYS = {"5g_macro": "5g_macro_site", "5g_small": "5g_small_cell", "5g_a": "5g_a_site"}
SITE_CATEGORIES = {"5g_macro": "5g", "5g_small": "5g", "5g_a": "5g_a"}
UNSPECIFIED_FUNDING = "unspecified"


@dataclass(frozen=True)
class CostLine:
    """One costed thing: a feature or a line item, in 万元."""

    source: str  # "sites", "parks", "zones" or "investments"
    id: str
    district: str  # adcode, or "" for citywide / at sea
    category: str
    year: int
    amount_wan: float
    funding: str


@dataclass
class InvestmentTotals:
    """Investment in 万元 as of ``year``, broken down every way a brief needs."""

    year: int
    total_wan: float = 0.0
    by_district: dict[str, float] = field(default_factory=dict)
    by_category: dict[str, float] = field(default_factory=dict)
    by_year: dict[int, float] = field(default_factory=dict)
    cumulative_by_year: dict[int, float] = field(default_factory=dict)
    by_funding: dict[str, float] = field(default_factory=dict)
    by_district_category_year: dict[tuple[str, str, int], float] = field(default_factory=dict)
    missing_unit_costs: list[str] = field(default_factory=list)


def cost_lines(scenario: Scenario, sites: SiteTable | None = None) -> tuple[list[CostLine], list[str]]:
    """Every cost line of the scenario (all years), and the catalogue keys that were needed but missing.

    Sites are costed as columns (:mod:`planner.analysis.site_table`) and come as one line per district, kind and
    year (``id`` says how many sites it holds): a province has hundreds of thousands of them. ``sites`` is the
    scenario's site table when the caller has one already.
    """
    from planner.geo.crs import area_km2

    cat = {k: c.amount_wan for k, c in scenario.catalogue.items()}
    missing: set[str] = set()

    def unit(key: str) -> float:
        if key not in cat:
            missing.add(key)
            return 0.0
        return cat[key]

    table = site_table(scenario) if sites is None else sites
    lines: list[CostLine] = []
    if len(table.ids):
        kinds_present = np.unique(table.kind)
        default = np.zeros(len(KINDS))
        for k in kinds_present:
            default[k] = unit(SITE_COST_KEYS[KINDS[k]])
        amount = np.where(np.isnan(table.capex_wan), default[table.kind], table.capex_wan)
        # One line per (district, kind, year), in that order: the groups are found by sorting one integer key.
        districts, d_index = np.unique(table.district.astype(str), return_inverse=True)
        years = table.open_year - table.open_year.min()
        span_y, span_k = int(years.max()) + 1, len(KINDS)
        key = (d_index.astype(np.int64) * span_k + table.kind) * span_y + years
        order = np.argsort(key, kind="stable")  # stable: each group's sites stay in site order
        key_sorted = key[order]
        starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
        # Each group summed over its sites in site order, as numpy sums any array (the same sums as before).
        sums = np.add.reduceat(amount[order], starts) if len(starts) else np.zeros(0)
        counts = np.diff(np.r_[starts, len(order)])
        first_year = int(table.open_year.min())
        for group, total, count in zip(key_sorted[starts].tolist(), sums.tolist(), counts.tolist(), strict=True):
            d, rest = divmod(group, span_k * span_y)
            k, y = divmod(rest, span_y)
            category = SITE_CATEGORIES[KINDS[k]]
            lines.append(
                CostLine(
                    "sites", f"{count} sites", str(districts[d]), category, first_year + y, total, UNSPECIFIED_FUNDING
                )
            )
    for p in scenario.parks.values():
        if p.capex_wan is not None:
            amount = p.capex_wan
        elif p.kind == "computing_centre" and p.computing_pflops:
            amount = p.computing_pflops * unit("computing_per_pflops")
        else:
            amount = 0.0
        category = "computing" if p.kind == "computing_centre" else "park"
        lines.append(CostLine("parks", p.id, p.district, category, p.open_year, amount, UNSPECIFIED_FUNDING))
    for z in scenario.zones.values():
        if z.capex_wan is not None:
            amount = z.capex_wan
        elif z.kind == "f5g":
            amount = area_km2(z.geometry) * unit("f5g_per_km2")
        else:
            amount = 0.0
        category = "f5g" if z.kind == "f5g" else "other"
        lines.append(CostLine("zones", z.id, _zone_district(z), category, z.open_year, amount, UNSPECIFIED_FUNDING))
    for i in scenario.investments.values():
        lines.append(CostLine("investments", i.id, i.district, i.category, i.year, i.amount_wan, i.funding))
    return lines, sorted(missing)


def _zone_district(zone) -> str:
    """The district holding most of a zone ('' when it spans none)."""
    return _district_of_geometry(zone.geometry)


@lru_cache(maxsize=4096)
def _district_of_geometry(geometry) -> str:
    # By geometry (immutable and hashable): a zone keeps its district until it is reshaped, so the figures a
    # window refreshes after every edit do not intersect 49 zones with 10 districts each time (~9 ms).
    from planner.geo.basemap import districts

    best, best_area = "", 0.0
    for d in districts():
        if not d.geometry.intersects(geometry):
            continue
        a = d.geometry.intersection(geometry).area
        if a > best_area:
            best, best_area = d.adcode, a
    return best


def totals(lines: list[CostLine], year: int, missing: list[str] | None = None) -> InvestmentTotals:
    """Sum ``lines`` with year ≤ ``year`` every way: district, category, year (and cumulative), funding."""
    out = InvestmentTotals(year, missing_unit_costs=list(missing or []))
    by_district: dict[str, float] = defaultdict(float)
    by_category: dict[str, float] = defaultdict(float)
    by_year: dict[int, float] = defaultdict(float)
    by_funding: dict[str, float] = defaultdict(float)
    cube: dict[tuple[str, str, int], float] = defaultdict(float)
    for ln in lines:
        if ln.year > year or not ln.amount_wan:
            continue
        out.total_wan += ln.amount_wan
        by_district[ln.district] += ln.amount_wan
        by_category[ln.category] += ln.amount_wan
        by_year[ln.year] += ln.amount_wan
        by_funding[ln.funding] += ln.amount_wan
        cube[(ln.district, ln.category, ln.year)] += ln.amount_wan
    out.by_district = dict(sorted(by_district.items()))
    out.by_category = dict(sorted(by_category.items()))
    out.by_year = dict(sorted(by_year.items()))
    running = 0.0
    for y, v in out.by_year.items():
        running += v
        out.cumulative_by_year[y] = running
    out.by_funding = dict(sorted(by_funding.items()))
    out.by_district_category_year = dict(sorted(cube.items()))
    return out


def investment_totals(scenario: Scenario, year: int, sites: SiteTable | None = None) -> InvestmentTotals:
    """Investment of ``scenario`` as of ``year`` (see the module docstring)."""
    lines, missing = cost_lines(scenario, sites)
    return totals(lines, year, missing)


def format_wan(amount_wan: float) -> str:
    """A 万元 amount as officials read it: 亿元 (1 亿 = 10,000 万) from 10,000 万元 up."""
    if abs(amount_wan) >= 10_000:
        return f"{amount_wan / 10_000:,.2f} 亿元"
    return f"{amount_wan:,.1f} 万元"
