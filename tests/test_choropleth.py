"""Choropleth classes: round equal intervals that cover every value, and values equal to the summary's."""

from __future__ import annotations

import pytest

from planner.analysis.choropleth import FIGURES, class_breaks, classify, district_values
from planner.analysis.summary import summary


def test_breaks_are_round_and_cover_the_values():
    b = class_breaks([3.2, 17.9, 44.0, 61.5])
    assert b == [0, 20, 40, 60, 80] and len(b) - 1 <= 5
    assert [classify(v, b) for v in (3.2, 17.9, 44.0, 61.5, 80)] == [0, 0, 2, 3, 3]
    assert class_breaks([99.3, 100.0]) == [99.2, 99.4, 99.6, 99.8, 100.0]  # saturated 5G still tells apart
    assert class_breaks([5.0, 5.0]) == [5.0, 5.05]


@pytest.mark.parametrize("figure", list(FIGURES))
def test_district_values_come_from_the_summary(small_scenario, figure):
    data = summary(small_scenario)
    values = district_values(data, figure)
    assert set(values) == {d["adcode"] for d in data["districts"]}
    d = data["districts"][0]
    expected = {"coverage_5g": d["coverage_5g_pct"], "coverage_5ga": d["coverage_5ga_pct"],
                "coverage_f5g": d["coverage_f5g_pct"], "sites_per_km2": d["sites"] / d["area_km2"],
                "investment": d["investment_wan"] / 1e4}[figure]  # fmt: skip
    assert values[d["adcode"]] == pytest.approx(expected)
