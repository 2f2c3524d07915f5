"""Comparison of two scenarios: per-district deltas of every figure, and the features added, removed and changed.

Features are matched by id (ids are never reused, so the same id is the same feature). A feature whose values
differ is "changed", with the names of the fields that differ; of those, a site, park or zone whose position — a
site's point, a park's or zone's centroid — is more than :data:`MOVE_TOLERANCE_M` from where it was is also
"moved" (``moved_m`` gives the distance, measured in UTM 51N). A smaller shift, or a zone reshaped around the same
centroid, is a change of its coordinates, not a move. Like every figure, the feature changes are "as of" the
year: a feature that opens later (line item: is booked later) in both scenarios is not counted. 一区一品 products
carry no year.

Nothing here depends on Qt: the app's comparison dock (``planner/ui/compare_view.py``) shows :func:`compare` of
its two sessions, passing the summaries they already hold, so it shows what ``compare A B --json`` prints.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from planner.domain.scenario import LAYERS, Scenario

#: District figures compared (numeric fields of a summary's district rows).
DISTRICT_FIGURES = (
    "parks",
    "sites",
    "sites_per_10k",
    "coverage_5g_pct",
    "coverage_5ga_pct",
    "coverage_f5g_pct",
    "investment_wan",
)
#: City figures compared (the summary's "city" object).
CITY_FIGURES = ("sites_per_10k", "coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct")
#: What no district holds (the summary's "other" object: sites at sea, citywide investment items).
OTHER_FIGURES = ("parks", "sites", "investment_wan")
TOTAL_FIGURES = (
    "parks",
    "sck_parks",
    "sites",
    "sites_5ga",
    "zones",
    "computing_pflops",
    "data_enterprises",
    "investment_wan",
)
_POSITION_FIELDS = {"geometry", "lon", "lat"}
#: A feature counts as moved when its position shifted by more than this (metres); see the module docstring.
MOVE_TOLERANCE_M = 1.0

#: The figures compared: key → (中文, English, format), and the order they are listed in for the city, a
#: district, 其他 (what no district holds) and a zone — the comparison dock's and the brief's 方案对比 sheet's.
FIGURES: dict[str, tuple[str, str, str]] = {
    "sites": ("站点", "Sites", "{:,}"),
    "sites_5ga": ("5G-A 站点", "5G-A sites", "{:,}"),
    "sites_per_10k": ("每万人站点", "Sites per 10k people", "{:,.2f}"),
    "coverage_5g_pct": ("5G 覆盖 %", "5G coverage %", "{:.2f}"),
    "coverage_5ga_pct": ("5G-A 覆盖 %", "5G-A coverage %", "{:.2f}"),
    "coverage_f5g_pct": ("F5G 覆盖 %", "F5G coverage %", "{:.2f}"),
    "coverage_dual_pct": ("双万兆 %", "Dual-10-gigabit %", "{:.2f}"),
    "parks": ("园区", "Parks", "{:,}"),
    "sck_parks": ("数创港园区", "数创港 parks", "{:,}"),
    "zones": ("区域", "Zones", "{:,}"),
    "computing_pflops": ("算力 PFLOPS", "Computing (PFLOPS)", "{:,.1f}"),
    "data_enterprises": ("数据企业", "Data enterprises", "{:,}"),
    "investment_wan": ("投资 万元", "Investment (万元)", "{:,.0f}"),
}
CITY_ORDER = ("sites", "sites_5ga", "sites_per_10k", "coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct",
              "parks", "sck_parks", "zones", "computing_pflops", "data_enterprises", "investment_wan")  # fmt: skip
DISTRICT_ORDER = ("sites", "sites_per_10k", "coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct", "parks",
                  "investment_wan")  # fmt: skip
OTHER_ORDER = ("sites", "parks", "investment_wan")
ZONE_ORDER = ("coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct", "coverage_dual_pct")


def _delta(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return round(b - a, 6)


def _open_by(features: dict[str, Any], year: int | None, field: str = "open_year") -> dict[str, Any]:
    if year is None:
        return features
    return {k: f for k, f in features.items() if getattr(f, field) <= year}


def position(feature: Any) -> tuple[float, float] | None:
    """WGS-84 (lon, lat) of a feature: a site's point, a park's or zone's centroid; None for a line item."""
    if hasattr(feature, "lon"):
        return float(feature.lon), float(feature.lat)
    geom = getattr(feature, "geometry", None)
    if geom is None or geom.is_empty:
        return None
    c = geom if geom.geom_type == "Point" else geom.centroid
    return float(c.x), float(c.y)


def shifts_m(old: list[Any], new: list[Any]) -> list[float]:
    """How far (metres, in UTM 51N) each feature of ``new`` lies from the same feature in ``old``."""
    if not old:
        return []
    import numpy as np

    from planner.geo.crs import to_metric

    a = np.array([position(f) or (np.nan, np.nan) for f in old], float)
    b = np.array([position(f) or (np.nan, np.nan) for f in new], float)
    ax, ay = to_metric(a[:, 0], a[:, 1])
    bx, by = to_metric(b[:, 0], b[:, 1])
    return [0.0 if d != d else float(d) for d in np.hypot(bx - ax, by - ay)]  # no position: not moved


def feature_changes(a: Scenario, b: Scenario, year: int | None = None) -> dict[str, dict[str, Any]]:
    """Per layer: ids added in ``b``, removed from ``a``, and changed (id → changed field names), as of ``year``.

    A feature that exists in both but opens by ``year`` in only one of them counts as added or removed.
    """
    out: dict[str, dict[str, Any]] = {}
    for layer in LAYERS:
        field = "year" if layer == "investments" else "open_year"  # a line item is booked in a year
        fa, fb = _open_by(a.layer(layer), year, field), _open_by(b.layer(layer), year, field)
        added = sorted(set(fb) - set(fa))
        removed = sorted(set(fa) - set(fb))
        changed: dict[str, list[str]] = {}
        for fid in sorted(set(fa) & set(fb)):
            x, y = fa[fid], fb[fid]
            if x is y or x == y:  # a copy of a scenario shares its (immutable) features
                continue
            changed[fid] = [f.name for f in dataclasses.fields(x) if getattr(x, f.name) != getattr(y, f.name)]
        shifted = [fid for fid, names in changed.items() if _POSITION_FIELDS & set(names)]
        shifts = shifts_m([fa[fid] for fid in shifted], [fb[fid] for fid in shifted])
        moved_m = {fid: round(d, 1) for fid, d in zip(shifted, shifts, strict=True) if d > MOVE_TOLERANCE_M}
        out[layer] = {"added": added, "removed": removed, "changed": changed, "moved": sorted(moved_m),
                      "moved_m": dict(sorted(moved_m.items()))}  # fmt: skip
    products = {}
    for adcode in sorted(set(a.products) | set(b.products)):
        if a.products.get(adcode) != b.products.get(adcode):
            products[adcode] = {"from": a.products.get(adcode), "to": b.products.get(adcode)}
    out["products"] = products
    return out


def compare(
    a: Scenario, b: Scenario, year: int | None = None, *, summaries: tuple[dict, dict] | None = None
) -> dict[str, Any]:
    """Compare scenario ``b`` against ``a`` as of ``year`` (default: the later horizon year of the two).

    ``summaries`` are :func:`planner.analysis.summary.summary` of ``a`` and ``b`` as of ``year`` when the caller
    has them already (the app's sessions keep theirs); without them they are computed.
    """
    from planner.analysis.summary import summary

    year = max(a.horizon_year, b.horizon_year) if year is None else year
    if summaries is not None:
        sa, sb = summaries
        if sa["scenario"]["year"] != year or sb["scenario"]["year"] != year:
            raise ValueError(f"the summaries are not as of {year}")
    else:
        sa, sb = summary(a, year), summary(b, year)
    districts = []
    for ra, rb in zip(sa["districts"], sb["districts"], strict=True):
        row: dict[str, Any] = {"adcode": ra["adcode"], "name": ra["name"], "name_en": ra["name_en"]}
        for k in DISTRICT_FIGURES:
            row[k] = {"a": ra[k], "b": rb[k], "delta": _delta(ra[k], rb[k])}
        row["product"] = {"a": ra["product"], "b": rb["product"], "changed": ra["product"] != rb["product"]}
        districts.append(row)
    zones_a = {z["id"]: z for z in sa["zones"]}
    zones = []
    for zb in sb["zones"]:
        za = zones_a.get(zb["id"], {})
        zones.append(
            {
                "id": zb["id"],
                "name": zb["name"],
                "kind": zb["kind"],
                **{
                    k: {"a": za.get(k), "b": zb.get(k), "delta": _delta(za.get(k), zb.get(k))}
                    for k in ("coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct", "coverage_dual_pct")
                },
            }
        )
    city = {
        k: {"a": sa["city"][k], "b": sb["city"][k], "delta": _delta(sa["city"][k], sb["city"][k])} for k in CITY_FIGURES
    }
    other = {
        k: {"a": sa["other"][k], "b": sb["other"][k], "delta": _delta(sa["other"][k], sb["other"][k])}
        for k in OTHER_FIGURES
    }
    totals = {
        k: {"a": sa["totals"][k], "b": sb["totals"][k], "delta": _delta(sa["totals"][k], sb["totals"][k])}
        for k in TOTAL_FIGURES
    }
    targets_a = {(t["key"], t["year"]): t for t in sa["targets"]}
    targets = [
        {
            "key": t["key"],
            "label": t["label"],
            "year": t["year"],
            "target": t["target"],
            "a": targets_a[(t["key"], t["year"])]["value"] if (t["key"], t["year"]) in targets_a else None,
            "b": t["value"],
        }
        for t in sb["targets"]
        if t["value"] is not None
    ]
    return {
        "year": year,
        "a": sa["scenario"],
        "b": sb["scenario"],
        "districts": districts,
        "city": city,
        "other": other,
        "zones": zones,
        "totals": totals,
        "targets": targets,
        "features": feature_changes(a, b, year),
    }
