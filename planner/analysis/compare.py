"""Comparison of two scenarios: per-district deltas of every figure, and the features added, removed and changed.

Features are matched by id (ids are never reused, so the same id is the same feature). A feature whose values
differ is "changed", with the names of the fields that differ; "moved" is reported separately for sites, parks
and zones whose geometry changed. Like every figure, the feature changes are "as of" the year: a feature that
opens later (line item: is booked later) in both scenarios is not counted. 一区一品 products carry no year.
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


def _delta(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return round(b - a, 6)


def _open_by(features: dict[str, Any], year: int | None) -> dict[str, Any]:
    if year is None:
        return features
    return {k: f for k, f in features.items() if getattr(f, "open_year", getattr(f, "year", 0)) <= year}


def feature_changes(a: Scenario, b: Scenario, year: int | None = None) -> dict[str, dict[str, Any]]:
    """Per layer: ids added in ``b``, removed from ``a``, and changed (id → changed field names), as of ``year``.

    A feature that exists in both but opens by ``year`` in only one of them counts as added or removed.
    """
    out: dict[str, dict[str, Any]] = {}
    for layer in LAYERS:
        fa, fb = _open_by(a.layer(layer), year), _open_by(b.layer(layer), year)
        added = sorted(set(fb) - set(fa))
        removed = sorted(set(fa) - set(fb))
        changed: dict[str, list[str]] = {}
        for fid in sorted(set(fa) & set(fb)):
            x, y = fa[fid], fb[fid]
            if x == y:
                continue
            changed[fid] = [f.name for f in dataclasses.fields(x) if getattr(x, f.name) != getattr(y, f.name)]
        moved = sorted(fid for fid, names in changed.items() if _POSITION_FIELDS & set(names))
        out[layer] = {"added": added, "removed": removed, "changed": changed, "moved": moved}
    products = {}
    for adcode in sorted(set(a.products) | set(b.products)):
        if a.products.get(adcode) != b.products.get(adcode):
            products[adcode] = {"from": a.products.get(adcode), "to": b.products.get(adcode)}
    out["products"] = products
    return out


def compare(a: Scenario, b: Scenario, year: int | None = None) -> dict[str, Any]:
    """Compare scenario ``b`` against ``a`` as of ``year`` (default: the later horizon year of the two)."""
    from planner.analysis.summary import summary

    year = max(a.horizon_year, b.horizon_year) if year is None else year
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
