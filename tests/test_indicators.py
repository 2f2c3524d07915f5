"""5G sites per 10,000 people (national 2025 target 26) in the summary, the comparison and the targets."""

from __future__ import annotations

import json

import pytest

from planner.analysis.compare import compare
from planner.analysis.summary import summary
from planner.analysis.targets import target_progress
from planner.cli import main
from planner.domain.scenario import Target
from planner.geo.basemap import districts
from planner.storage import atomic
from tests.conftest import make_site, make_small_scenario

CITY_POPULATION = 9_404_283  # 2020 census, the ten districts' sum (domain.md)
HAISHU, YINZHOU, FENGHUA = "330203", "330212", "330213"


def per_10k_scenario():
    """The small scenario plus 97 sites in 海曙 and 3 at sea, 2 of them opening only in 2027."""
    s = make_small_scenario()
    # site-1 (121.55, 29.87) is in 海曙, site-2 in 鄞州, site-3 (2026) in 奉化.
    s.sites.update({f"site-{i:06d}": make_site(i, 121.50 + i / 10_000, 29.86) for i in range(10, 107)})
    # At sea east of 象山, within Ningbo's waters (no district holds them).
    s.sites.update({f"site-{i:06d}": make_site(i, 122.05, 29.35 + i / 10_000, open_year=2027) for i in (200, 201)})
    s.sites["site-000202"] = make_site(202, 122.0, 29.45)
    s.targets["5g_sites_per_10k@2025"] = Target(
        "5g_sites_per_10k", "每万人5G基站数", "5G sites per 10,000 people", 2025, 26, "个/万人", "MIIT"
    )
    return s


def test_population_adds_up_to_the_city():
    assert sum(d.population_2020 for d in districts()) == CITY_POPULATION


def test_summary_gives_sites_per_10k_per_district_and_for_the_city():
    s = per_10k_scenario()
    data = summary(s, 2027)
    by = {d["adcode"]: d for d in data["districts"]}
    assert by[HAISHU]["sites"] == 98
    assert by[HAISHU]["sites_per_10k"] == pytest.approx(98 / 1_041_285 * 10_000, abs=0.005)  # 0.94
    assert by[YINZHOU]["sites_per_10k"] == pytest.approx(1 / 1_609_555 * 10_000, abs=0.005)
    assert by["330282"]["sites_per_10k"] == 0
    # City-wide: every open site, the three at sea too.
    assert data["totals"]["sites"] == 103 and data["other"]["sites"] == 3
    assert data["city"]["population"] == CITY_POPULATION
    assert data["city"]["sites_per_10k"] == pytest.approx(103 / CITY_POPULATION * 10_000, abs=0.005)  # 0.11
    # As of 2025, the 奉化 site (2026) and two at sea (2027) are not open yet.
    early = summary(s, 2025)
    assert {d["adcode"]: d["sites_per_10k"] for d in early["districts"]}[FENGHUA] == 0
    assert early["city"]["sites_per_10k"] == pytest.approx(100 / CITY_POPULATION * 10_000, abs=0.005)


def test_target_tracks_the_city_wide_sites_per_10k():
    s = per_10k_scenario()
    row = {(t.key, t.year): t for t in target_progress(s, 2027)}[("5g_sites_per_10k", 2025)]
    # Valued as of 2025 (the target's year): 100 sites open then.
    assert row.value == pytest.approx(100 / CITY_POPULATION * 10_000)
    assert row.share == pytest.approx(row.value / 26)
    assert row.note == ""  # tracked by the map, not "not tracked"


def test_the_national_target_is_met_at_26_per_10k():
    s = make_small_scenario()
    s.sites = {}
    needed = -(-26 * CITY_POPULATION // 10_000)  # 24,452 sites
    s.sites = {f"site-{i:06d}": make_site(i, 121.55, 29.87) for i in range(1, needed + 1)}
    s.targets = {"t": Target("5g_sites_per_10k", "每万人5G基站数", "per 10k", 2025, 26, "个/万人")}
    row = target_progress(s, 2025)[0]
    assert row.value == pytest.approx(26.0, abs=0.001) and row.share >= 1.0


def test_compare_gives_the_per_10k_deltas():
    a = per_10k_scenario()
    b = a.copy()
    b.sites.update({f"site-{i:06d}": make_site(i, 121.50 + i / 100_000, 29.861) for i in range(300, 400)})
    data = compare(a, b, 2027)
    haishu = {d["adcode"]: d for d in data["districts"]}[HAISHU]["sites_per_10k"]
    assert haishu["delta"] == pytest.approx(100 / 1_041_285 * 10_000, abs=0.01)  # +0.96
    assert data["city"]["sites_per_10k"]["delta"] == pytest.approx(100 / CITY_POPULATION * 10_000, abs=0.01)
    assert data["other"]["sites"] == {"a": 3, "b": 3, "delta": 0}


def test_summary_and_compare_text_show_the_per_10k_column(tmp_path, capsys):
    path = tmp_path / "s.json"
    atomic.save(per_10k_scenario(), path)
    assert main(["summary", str(path)]) == 0
    text = capsys.readouterr().out
    head = next(ln for ln in text.splitlines() if ln.startswith("区县"))
    assert "站点/万人" in head
    haishu = next(ln for ln in text.splitlines() if ln.startswith("海曙区"))
    assert " 0.94 " in haishu
    city = next(ln for ln in text.splitlines() if ln.startswith("全市"))
    assert " 0.11 " in city and "9,404,283" in city
    assert "每万人5G基站数: 0.1 / 26" in text
    assert main(["compare", str(path), str(path)]) == 0
    text = capsys.readouterr().out
    assert "站点/万人Δ" in text and "A 0.11 → B 0.11" in text
    assert main(["summary", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["city"]["sites_per_10k"] == pytest.approx(0.11, abs=0.005)
