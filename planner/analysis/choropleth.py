"""District figures for a choropleth map: the value of a figure per district, and class breaks.

The values are the summary's (:func:`planner.analysis.summary.summary`), so a map coloured by a figure shows the
numbers the figures dock and ``summary --json`` give. Breaks are equal intervals on "nice" round numbers
(1, 2, 2.5 or 5 × 10ⁿ) spanning the values, which a legend can state plainly; five classes at most.
"""

from __future__ import annotations

import math
from typing import Any

#: The figures a district can be coloured by: key → (summary field or how it is derived, zh, en, unit).
FIGURES: dict[str, tuple[str, str, str]] = {
    "coverage_5g": ("5G 覆盖率", "5G coverage", "%"),
    "coverage_5ga": ("5G-A 覆盖率", "5G-A coverage", "%"),
    "coverage_f5g": ("F5G 覆盖率", "F5G coverage", "%"),
    "sites_per_km2": ("站点密度", "Sites per km²", "个/km²"),
    "investment": ("累计投资", "Investment to date", "亿元"),
}


def district_values(summary: dict[str, Any], figure: str) -> dict[str, float]:
    """Adcode → value of ``figure`` from a summary (official land areas for densities; investment in 亿元)."""
    out = {}
    for d in summary["districts"]:
        if figure == "coverage_5g":
            v = d["coverage_5g_pct"]
        elif figure == "coverage_5ga":
            v = d["coverage_5ga_pct"]
        elif figure == "coverage_f5g":
            v = d["coverage_f5g_pct"]
        elif figure == "sites_per_km2":
            v = d["sites"] / d["area_km2"] if d["area_km2"] else 0.0
        elif figure == "investment":
            v = d["investment_wan"] / 1e4
        else:
            raise KeyError(f"unknown district figure {figure!r} (expected one of {', '.join(FIGURES)})")
        out[d["adcode"]] = float(v)
    return out


def _nice(step: float) -> float:
    """The round step (1, 2, 2.5 or 5 × 10ⁿ) at or above ``step``."""
    if step <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(step))
    return next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= step * (1 - 1e-9))


def class_breaks(values: list[float], classes: int = 5) -> list[float]:
    """Edges of at most ``classes`` equal classes on round numbers covering ``values`` (low edge first)."""
    lo, hi = min(values), max(values)
    if math.isclose(lo, hi):
        return [lo, lo + (abs(lo) * 0.01 or 1.0)]
    step = _nice((hi - lo) / classes)
    start = math.floor(lo / step) * step
    edges = [start]
    while edges[-1] < hi - 1e-12:
        edges.append(edges[-1] + step)
    return [round(e, 10) for e in edges]


def classify(value: float, breaks: list[float]) -> int:
    """The class (0 … len(breaks) - 2) of a value; the top edge belongs to the last class."""
    for i in range(len(breaks) - 1):
        if value < breaks[i + 1]:
            return i
    return len(breaks) - 2
