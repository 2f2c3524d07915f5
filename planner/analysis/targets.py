"""Progress against the official targets (``scenario.targets``, seeded from ``shared/domain.md``).

The indicators the map can measure are computed as of the earlier of the asked year and the target's year: a
2027 view shows whether the 2025 targets were met in 2025, and a 2025 view shows progress towards the 2027 ones.
The others (data products, trading volume …) are not spatial: they take the planner's reported values
(``scenario.reported``, :mod:`planner.domain.indicators`), and without one they have ``value = None`` ("not
tracked by the map, not reported").

* ``sck_parks`` — parks of a 数创港 kind (core or feature park) open by the year (seed 001: 3 in 2025, 10 in 2027).
* ``data_enterprises`` — data enterprises hosted by the parks open by the year (seed 001: 500 / 1,000).
* ``5g_sites`` — sites of every kind open by the year (seed 003: 40,000 in 2025).
* ``5g_sites_per_10k`` — the same sites per 10,000 people of the 2020 census, city-wide: every open site (those at
  sea too) / 9,404,283 (the ten districts' sum) × 10,000 (national 2025 target 26, MIIT "十四五" ICT plan;
  docs/indicators.md). Decision: the census population stays fixed whatever the year, so the figure moves only
  with the sites.
* ``computing_pflops`` — PFLOPS FP16 of the parks open by the year (seed 000: 2,000 by 2027).
* ``priority_zone_coverage`` — "双万兆" (F5G and 5G-A both) coverage of the priority zones, area-weighted
  over the zones, in percent (seed 000: 100 % by 2027). Decision: area-weighted rather than the weakest zone, so
  that progress shows before every zone is complete; the per-zone figures are in the zone table. The target
  speaks of *four* zones: when fewer are open by the year the note says how many were measured, and with none
  the value is None with a note saying so (not "not tracked").

Reported values (docs/indicators.md, "Reported values"): a target the map does not measure takes, as of the year,
the city-wide report if there is one, else the sum of the districts' reports; a stock (data products, platforms,
datasets, flagship scenarios) carries the latest earlier report forward, a flow (``trading_volume``) counts only
in its own year. ``data_enterprises`` is the parks' data enterprises plus the reported
``data_enterprises_outside_parks`` (carried forward the same way). The note says where the value came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.indicators import MAP_INDICATORS, OUTSIDE_PARKS, ReportedFigure, reported_figure
from planner.domain.scenario import Scenario
from planner.domain.vocab import SCK_PARK_KINDS

TRACKED = MAP_INDICATORS
#: How many priority zones the official target names (seed 000).
PRIORITY_ZONES_NAMED = 4
NOT_TRACKED = "不在图上统计 / not tracked by the map"
#: The note of a target neither the map nor a report gives a value.
NOT_REPORTED = f"{NOT_TRACKED}; 未填报 / not reported"


def city_population() -> int:
    """Ningbo's 2020 census population: the sum of the ten districts' (9,404,283)."""
    from planner.geo.basemap import districts

    return sum(d.population_2020 for d in districts())


def per_10k(count: float, population: float) -> float | None:
    """``count`` per 10,000 people (None without a population)."""
    return count / population * 10_000 if population else None


@dataclass(frozen=True)
class TargetProgress:
    """One target with the scenario's value as of the asked year; ``share`` = value / target (1.0 = reached)."""

    key: str
    label_zh: str
    label_en: str
    year: int
    target: float
    unit: str
    value: float | None
    share: float | None
    source: str
    note: str = ""


def indicator_values(scenario: Scenario, year: int, coverage=None) -> dict[str, float]:
    """The tracked indicators as of ``year``; ``coverage`` (CoverageFigures) is needed for the zone coverage."""
    parks = [p for p in scenario.parks.values() if p.open_year <= year]
    values = {
        "sck_parks": float(sum(1 for p in parks if p.kind in SCK_PARK_KINDS)),
        "data_enterprises": float(sum(p.data_enterprises for p in parks)),
        "5g_sites": float(sum(1 for s in scenario.sites.values() if s.open_year <= year)),
        "computing_pflops": float(sum(p.computing_pflops or 0.0 for p in parks)),
    }
    values["5g_sites_per_10k"] = per_10k(values["5g_sites"], city_population())
    if coverage is not None:
        prio = [z for zid, z in coverage.zones.items() if scenario.zones[zid].kind == "priority"]
        area = sum(z.area_km2 for z in prio)
        values["priority_zones_measured"] = float(len(prio))
        if area > 0:
            values["priority_zone_coverage"] = sum(z.coverage_dual_pct * z.area_km2 for z in prio) / area
    return values


def reported_note(figure: ReportedFigure, year: int) -> str:
    """Where a reported value as of ``year`` came from: "填报 2025 / reported for 2025", "沿用 2024 年填报 / carried
    forward from 2024", with "按区县合计 / sum of districts" when the districts' entries were summed."""
    if figure.year == year:
        parts = [f"填报 {year} / reported for {year}"]
    else:
        parts = [f"沿用 {figure.year} 年填报 / carried forward from {figure.year}"]
    if figure.districts:
        parts.append(f"按区县合计（{figure.districts} 个区县）/ sum of districts ({figure.districts})")
    return "; ".join(parts)


def _note(key: str, values: dict[str, float], year: int) -> str:
    if key not in TRACKED:
        return NOT_TRACKED
    if key == "priority_zone_coverage":
        n = int(values.get("priority_zones_measured", 0))
        if n == 0:
            return f"{year} 年底无重点区域 / no priority zone open by {year}"
        if n != PRIORITY_ZONES_NAMED:
            return f"按 {n} 个重点区域计 / measured over {n} priority zones, the target names {PRIORITY_ZONES_NAMED}"
    return ""


def target_progress(scenario: Scenario, year: int, coverage=None) -> list[TargetProgress]:
    """Every target of the scenario, ordered by year then key, each valued as of min(``year``, target year).

    ``coverage`` is the CoverageFigures of ``year``; for an earlier target year the zone coverage is computed
    with a temporary engine.
    """
    values_by_year: dict[int, dict[str, float]] = {}

    def values_at(y: int) -> dict[str, float]:
        if y not in values_by_year:
            cov = coverage if coverage is not None and coverage.year == y else None
            if cov is None and any(
                t.key == "priority_zone_coverage" and min(t.year, year) == y for t in scenario.targets.values()
            ):
                from planner.analysis.coverage import CoverageEngine

                cov = CoverageEngine(scenario, y, subscribe=False).figures()
            values_by_year[y] = indicator_values(scenario, y, cov)
        return values_by_year[y]

    out = []
    for t in sorted(scenario.targets.values(), key=lambda t: (t.year, t.key)):
        as_of = min(year, t.year)
        values = values_at(as_of)
        value = values.get(t.key)
        note = _note(t.key, values, as_of)
        if t.key not in TRACKED:
            figure = reported_figure(scenario.reported, t.key, as_of)
            value = None if figure is None else figure.value
            note = NOT_REPORTED if figure is None else reported_note(figure, as_of)
        elif t.key == "data_enterprises":
            figure = reported_figure(scenario.reported, OUTSIDE_PARKS, as_of)
            if figure is not None and value is not None:
                split = (f"园区 {value:,.0f} 家 + 园区外 {figure.value:,.0f} 家 / {value:,.0f} in parks + "
                         f"{figure.value:,.0f} outside parks")  # fmt: skip
                note = "; ".join(filter(None, [note, split, reported_note(figure, as_of)]))
                value += figure.value
        share = value / t.value if value is not None and t.value else None
        out.append(TargetProgress(t.key, t.label_zh, t.label_en, t.year, t.value, t.unit, value, share, t.source, note))
    return out
