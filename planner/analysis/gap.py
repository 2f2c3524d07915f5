"""Target gap (目标差距): what stands between a scenario and the official targets of a year, and what closing it costs.

For each target of the year (``scenario.targets``, seeded from shared/domain.md "Official targets") the value is
the scenario's own as of that year (:func:`planner.analysis.targets.target_progress`: the map's indicators, and
the planner's reported values for the others), the gap is ``target − value`` (nothing when reached), and a costed
way to close it is worked out where the target is something one builds:

* ``sck_parks`` — the missing 数创港 feature parks × a park's cost: the catalogue's ``sck_park`` entry if the
  scenario has one, else the median capex of the scenario's own 数创港 feature parks that carry one (a derived
  figure, marked as such; shared/domain.md gives no unit cost for a park).
* ``5g_sites`` — the missing sites × the catalogue's ``5g_macro_site`` (20–30 万元, domain.md).
* ``5g_sites_per_10k`` — the sites that would bring the city to the figure (gap × population / 10,000) × the same
  unit cost; when the same year has a ``5g_sites`` target too, the total counts the larger of the two (one site
  serves both).
* ``computing_pflops`` — the missing PFLOPS × the catalogue's ``computing_per_pflops`` (≈630 万元, domain.md).
* ``priority_zone_coverage`` ("双万兆": F5G and 5G-A both) — for each priority zone, its 5G-A gap closed by running
  the gap-fill siting (:mod:`planner.analysis.siting`, 3.5 GHz 5G-A macro sites to 100 % of the zone) at the
  catalogue's ``5g_a_site`` cost, and its F5G gap by the area still outside F5G coverage × ``f5g_per_km2``. Both
  unit costs are assumptions in the bundled catalogue (no verified figure in domain.md) and the rows say so.

The others — data enterprises, data products, circulation platforms, trading volume, datasets, flagship scenarios —
are not built assets with a unit cost: they are listed with their value (the map's, or the planner's reported
value, :mod:`planner.domain.indicators`) and gap, marked "not costed", with why — reached or not.
The total is the sum of the costed rows (the two 5G site rows counted once, as above).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planner.domain.scenario import Scenario

#: The profile the priority zones' 5G-A gap is closed with (the issue's 3.5 GHz 5G-A macro sites).
ZONE_PROFILE = "5g_a:3500"
#: Why a kind of target is not costed.
NOT_COSTED = {
    "data_enterprises": "企业入驻取决于招商，无单位成本 / firms are attracted, not built: no unit cost",
    "data_products": "非空间指标，取决于市场主体，无单位成本 / not a built asset: no unit cost",
    "circulation_platforms": "非空间指标，平台建设投资差异大，无单位成本 / no unit cost for a data platform",
    "trading_volume": "交易额由市场形成，不能按单价建设 / a market outcome, not something one builds",
    "datasets": "非空间指标，无单位成本 / not a built asset: no unit cost",
    "flagship_scenarios": "非空间指标，无单位成本 / not a built asset: no unit cost",
}
OTHER_NOT_COSTED = "无测算规则 / no costing rule for this indicator"
#: The targets with a costing rule; every other one is listed with its value and gap, "not costed".
COSTED = ("sck_parks", "5g_sites", "5g_sites_per_10k", "computing_pflops", "priority_zone_coverage")


@dataclass
class ZoneGap:
    """One priority zone's "双万兆" gap and what closes it."""

    zone_id: str
    name: str
    area_km2: float
    coverage_5ga_pct: float
    coverage_f5g_pct: float
    coverage_dual_pct: float
    sites: int = 0
    sites_capex_wan: float = 0.0
    reached_5ga: bool = True
    reachable_5ga_pct: float = 100.0
    f5g_km2: float = 0.0
    f5g_capex_wan: float = 0.0
    proposal: Any = field(default=None, repr=False, compare=False)  # the siting Proposal, for a preview

    @property
    def capex_wan(self) -> float:
        """What closing this zone's gap costs, in 万元."""
        return self.sites_capex_wan + self.f5g_capex_wan

    def as_dict(self) -> dict[str, Any]:
        """The zone's gap as plain data."""
        return {
            "zone": self.zone_id,
            "name": self.name,
            "area_km2": round(self.area_km2, 3),
            "coverage_5ga_pct": round(self.coverage_5ga_pct, 3),
            "coverage_f5g_pct": round(self.coverage_f5g_pct, 3),
            "coverage_dual_pct": round(self.coverage_dual_pct, 3),
            "sites_5ga": self.sites,
            "sites_capex_wan": round(self.sites_capex_wan, 2),
            "reached_5ga": self.reached_5ga,
            "reachable_5ga_pct": round(self.reachable_5ga_pct, 3),
            "f5g_km2": round(self.f5g_km2, 3),
            "f5g_capex_wan": round(self.f5g_capex_wan, 2),
            "capex_wan": round(self.capex_wan, 2),
        }


@dataclass
class GapRow:
    """One target: its value, the gap, and the cost of closing it (``cost_wan`` None: not costed, see ``reason``)."""

    key: str
    label_zh: str
    label_en: str
    unit: str
    year: int
    target: float
    value: float | None
    gap: float | None  # target − value, 0 when reached, None when the value is unknown
    cost_wan: float | None = None
    method: str = ""  # how the cost is worked out
    assumption: bool = False  # a unit cost in it is an assumption (or derived)
    reason: str = ""  # why it is not costed
    note: str = ""  # the target progress's note (reported value, zones measured …)
    counted: bool = True  # False when another row's cost already covers it (the two 5G site rows)

    @property
    def reached(self) -> bool:
        """Whether the scenario meets the target."""
        return self.gap is not None and self.gap <= 0

    def as_dict(self) -> dict[str, Any]:
        """The row as plain data."""

        def r(v):
            return None if v is None else round(v, 3)

        return {
            "key": self.key,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "unit": self.unit,
            "year": self.year,
            "target": self.target,
            "value": r(self.value),
            "gap": r(self.gap),
            "reached": self.reached,
            "costed": self.cost_wan is not None,
            "cost_wan": None if self.cost_wan is None else round(self.cost_wan, 2),
            "counted_in_total": self.counted and self.cost_wan is not None,
            "method": self.method,
            "assumption": self.assumption,
            "reason": self.reason,
            "note": self.note,
        }


@dataclass
class GapReport:
    """The gap to every target of ``year``, with the total cost of closing the costed part."""

    scenario: str
    year: int
    rows: list[GapRow]
    zones: list[ZoneGap]
    notes: list[str] = field(default_factory=list)

    @property
    def total_wan(self) -> float:
        """The cost of closing every costed gap, in 万元 (each site counted once)."""
        return float(sum(r.cost_wan for r in self.rows if r.cost_wan is not None and r.counted))

    @property
    def assumption(self) -> bool:
        """Whether the total rests on a unit cost that is an assumption."""
        return any(r.assumption and r.counted and r.cost_wan for r in self.rows)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (``gap --json``)."""
        return {
            "scenario": self.scenario,
            "year": self.year,
            "targets": [r.as_dict() for r in self.rows],
            "priority_zones": [z.as_dict() for z in self.zones],
            "total_wan": round(self.total_wan, 2),
            "total_yi": round(self.total_wan / 10_000, 4),
            "total_includes_assumptions": self.assumption,
            "not_costed": [r.key for r in self.rows if r.cost_wan is None and not r.reached],
            "notes": self.notes,
        }


def target_years(scenario: Scenario) -> list[int]:
    """The years the scenario has official targets for, in order."""
    return sorted({t.year for t in scenario.targets.values()})


def default_gap_year(scenario: Scenario, year: int | None = None) -> int:
    """The target year a gap is worked out for: ``year`` if it has targets, else the first target year at or
    after it (the latest if none is); with no ``year``, the last target year up to the horizon."""
    years = target_years(scenario)
    if not years:
        raise ValueError("the scenario has no official targets")
    if year is None:
        upto = [y for y in years if y <= scenario.horizon_year]
        return upto[-1] if upto else years[0]
    later = [y for y in years if y >= year]
    return later[0] if later else years[-1]


def _unit(scenario: Scenario, key: str) -> tuple[float | None, bool, str]:
    """(amount 万元, is an assumption, label) of catalogue entry ``key``; amount None if the catalogue lacks it."""
    c = scenario.catalogue.get(key)
    if c is None:
        return None, False, key
    return float(c.amount_wan), bool(c.assumption), c.label_zh


def _park_unit(scenario: Scenario) -> tuple[float | None, bool, str]:
    """A 数创港 feature park's cost: the catalogue's ``sck_park``, else the median of the scenario's own."""
    amount, assumed, label = _unit(scenario, "sck_park")
    if amount is not None:
        return amount, assumed, f"目录单价 {label} / catalogue unit cost"
    own = [p.capex_wan for p in scenario.parks.values() if p.kind == "sck_branch" and p.capex_wan]
    if not own:
        return None, False, ""
    how = f"本情景 {len(own)} 个数创港特色园投资的中位数 / median of the scenario's {len(own)} feature parks' capex"
    return float(statistics.median(own)), True, how


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"


def _cost_simple(row: GapRow, scenario: Scenario, population: float) -> None:
    """Cost ``row`` (not the zone coverage) in place."""
    gap = row.gap
    if row.key == "sck_parks":
        amount, assumed, how = _park_unit(scenario)
        if amount is None:
            row.reason = "目录无 sck_park 单价，亦无带投资额的特色园 / no unit cost: add 'sck_park' to the catalogue"
            return
        n = math.ceil(gap - 1e-9)
        row.cost_wan, row.assumption = n * amount, assumed
        row.method = f"{n} 个特色园 × {_fmt(amount)} 万元（{how}）"
    elif row.key in ("5g_sites", "5g_sites_per_10k", "computing_pflops"):
        key = "computing_per_pflops" if row.key == "computing_pflops" else "5g_macro_site"
        amount, assumed, label = _unit(scenario, key)
        if amount is None:
            row.reason = f"目录缺少 {key} 单价 / the catalogue has no '{key}'"
            return
        if row.key == "computing_pflops":
            row.cost_wan, row.assumption = gap * amount, assumed
            row.method = f"{_fmt(gap)} PFLOPS × {_fmt(amount)} 万元/PFLOPS（{label}）"
            return
        n = math.ceil(gap - 1e-9) if row.key == "5g_sites" else math.ceil(gap * population / 10_000 - 1e-9)
        row.cost_wan, row.assumption = n * amount, assumed
        row.method = f"{n:,} 个宏站 × {_fmt(amount)} 万元（{label}）"
    else:
        row.reason = NOT_COSTED.get(row.key, OTHER_NOT_COSTED)


def _zone_gaps(scenario: Scenario, year: int, figures, engine, tell, stop) -> list[ZoneGap]:
    from planner.analysis.siting import Region, parse_profile, plan_sites

    profile = parse_profile(ZONE_PROFILE)
    f5g_unit, _a, _l = _unit(scenario, "f5g_per_km2")
    prio = [(zid, z) for zid, z in figures.zones.items() if scenario.zones[zid].kind == "priority"]
    out = []
    for k, (zid, fig) in enumerate(prio):
        zone = scenario.zones[zid]
        g = ZoneGap(zid, zone.name, fig.area_km2, fig.coverage_5ga_pct, fig.coverage_f5g_pct,
                    fig.coverage_dual_pct if fig.coverage_dual_pct is not None else 0.0)  # fmt: skip
        if fig.coverage_5ga_pct < 100.0 - 1e-6:

            def part(f, k=k):
                tell((k + f) / max(1, len(prio)))

            p = plan_sites(scenario, Region("zone", zid, zone.name, zone.geometry), profile, year=year, engine=engine,
                           target_pct=100.0, progress=part, cancelled=stop)  # fmt: skip
            g.proposal, g.sites, g.sites_capex_wan = p, len(p.sites), p.capex_wan
            g.reached_5ga, g.reachable_5ga_pct = p.reached, p.reachable_pct
        g.f5g_km2 = max(0.0, fig.area_km2 * (1 - fig.coverage_f5g_pct / 100))
        g.f5g_capex_wan = g.f5g_km2 * (f5g_unit or 0.0)
        out.append(g)
        tell((k + 1) / max(1, len(prio)))
    return out


def target_gap(
    scenario: Scenario,
    year: int | None = None,
    *,
    engine=None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> GapReport:
    """The gap to the targets of ``year`` (see :func:`default_gap_year`) and its cost (the module docstring).

    ``engine``: a CoverageEngine of that year to reuse; ``progress(fraction)`` and ``cancelled()`` as for
    :func:`planner.analysis.siting.plan_sites` (a cancelled run raises its ``Cancelled``).
    """
    from planner.analysis.coverage import CoverageEngine
    from planner.analysis.targets import city_population, target_progress

    tell = progress or (lambda _f: None)
    stop = cancelled or (lambda: False)
    year = default_gap_year(scenario, year)
    if engine is None or engine.year != year:
        engine = CoverageEngine(scenario, year, subscribe=False)
    figures = engine.figures()
    population = city_population()
    rows, zones, notes = [], [], []
    for t in target_progress(scenario, year, figures):
        if t.year != year:
            continue
        gap = None if t.value is None else max(0.0, t.target - t.value)
        rows.append(GapRow(t.key, t.label_zh, t.label_en, t.unit, t.year, t.target, t.value, gap, note=t.note))
    for row in rows:
        if row.gap is None:
            row.reason = NOT_COSTED.get(row.key, "") or "无数值 / no value"
            continue
        if row.key not in COSTED:  # a reported value gives the gap, never a cost (reached or not)
            row.reason = NOT_COSTED.get(row.key, OTHER_NOT_COSTED)
            continue
        if row.reached:
            row.cost_wan, row.method = 0.0, "已达成 / reached"
            continue
        if row.key == "priority_zone_coverage":
            zones = _zone_gaps(scenario, year, figures, engine, tell, stop)
            a_unit = scenario.catalogue.get("5g_a_site")
            f_unit = scenario.catalogue.get("f5g_per_km2")
            row.cost_wan = sum(z.capex_wan for z in zones)
            row.assumption = bool((a_unit and a_unit.assumption) or (f_unit and f_unit.assumption))
            n = sum(z.sites for z in zones)
            km2 = sum(z.f5g_km2 for z in zones)
            row.method = (f"{n} 个 5G-A 站点（补盲选址）+ F5G {km2:,.1f} km² × "
                          f"{_fmt(f_unit.amount_wan) if f_unit else '?'} 万元/km²")  # fmt: skip
            missing = [k for k, c in (("5g_a_site", a_unit), ("f5g_per_km2", f_unit)) if c is None]
            if missing:
                row.note = "; ".join(filter(None, [row.note, f"目录缺少 {', '.join(missing)}：按 0 计 / costed at 0"]))
            short = [z for z in zones if not z.reached_5ga]
            for z in short:
                notes.append(f"{z.name}: 5G-A 候选位置最多可达 {z.reachable_5ga_pct:.1f}% / at most "
                             f"{z.reachable_5ga_pct:.1f} % reachable from the candidate positions")  # fmt: skip
            continue
        _cost_simple(row, scenario, population)
    sites = {r.key: r for r in rows if r.key in ("5g_sites", "5g_sites_per_10k") and r.cost_wan}
    if len(sites) == 2:  # one site serves both: count the larger
        smaller = min(sites.values(), key=lambda r: r.cost_wan)
        smaller.counted = False
        smaller.note = "; ".join(filter(None, [smaller.note, "与另一项 5G 基站目标共用站点，合计按较大者计 / shares "
                                                             "its sites with the other 5G sites target"]))  # fmt: skip
    tell(1.0)
    return GapReport(scenario.name, year, rows, zones, notes)


def format_gap(report: GapReport) -> str:
    """The report as text for a terminal (``python main.py gap``)."""
    lines = [f"目标差距 / Target gap — {report.scenario}, {report.year}"]
    for r in report.rows:
        value = "—" if r.value is None else _fmt(r.value)
        gap = "—" if r.gap is None else ("已达成 reached" if r.reached else _fmt(r.gap))
        if r.cost_wan is None:
            cost = f"不测算 not costed: {r.reason}"
        else:
            cost = f"{r.cost_wan:,.1f} 万元" + ("（含假设单价）" if r.assumption else "")
            cost += "" if r.counted else "（不重复计入）"
            if r.method and not r.reached:
                cost += f" — {r.method}"
        lines.append(f"  {r.label_zh} ({r.unit}): {value} / {_fmt(r.target)}, 差距 gap {gap}; {cost}")
    for z in report.zones:
        lines.append(f"    {z.name}: 双万兆 {z.coverage_dual_pct:.1f}% (5G-A {z.coverage_5ga_pct:.1f}%, F5G "
                     f"{z.coverage_f5g_pct:.1f}%) → {z.sites} 个 5G-A 站点 {z.sites_capex_wan:,.0f} 万元 + F5G "
                     f"{z.f5g_km2:,.1f} km² {z.f5g_capex_wan:,.0f} 万元")  # fmt: skip
    total = f"合计 Total: {report.total_wan:,.1f} 万元 ({report.total_wan / 10_000:,.2f} 亿元)"
    lines.append(total + ("，含假设单价 / includes assumed unit costs" if report.assumption else ""))
    lines += [f"  注 note: {n}" for n in report.notes]
    return "\n".join(lines)


__all__ = ["GapReport", "GapRow", "ZoneGap", "default_gap_year", "format_gap", "target_gap", "target_years"]
