"""The command line, run as a user would: ``python main.py …`` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.paths import BASELINE, PLAN_2027, ROOT
from planner.storage import atomic
from tests.conftest import CLI_ENV, run_cli

ENV = CLI_ENV


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args)


def test_validate_bundled_files():
    for path in (BASELINE, PLAN_2027):
        r = run("validate", str(path))
        assert r.returncode == 0, r.stderr
        assert "VALID" in r.stdout and "sites" in r.stdout


def test_validate_reports_each_problem_and_exits_non_zero(small_scenario, tmp_path):
    path = tmp_path / "bad.json"
    atomic.save(small_scenario, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["layers"]["sites"]["features"][0]["properties"]["band_mhz"] = "3.5G"
    doc["layers"]["parks"]["features"][1]["properties"]["kind"] = "factory"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = run("validate", str(path))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert any("site-000001" in ln and "band_mhz" in ln for ln in lines)
    assert any("park-000002" in ln and "'factory'" in ln for ln in lines)
    assert "2 problems" in lines[-1]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("content", ["not json at all", "", '{"format": "x"}'])
def test_validate_never_shows_a_traceback(tmp_path, content):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    r = run("validate", str(path))
    assert r.returncode == 1 and "Traceback" not in r.stderr and str(path) in r.stderr


def test_validate_missing_file():
    r = run("validate", "no/such/file.json")
    assert r.returncode == 1 and "does not exist" in r.stderr


def test_summary_json_has_the_documented_fields():
    r = run("summary", str(BASELINE), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["scenario"]["name"] == "宁波 2025 年底现状基线" and data["scenario"]["year"] == 2025
    rows = data["districts"]
    assert len(rows) == 10
    for row in rows:
        assert {"adcode", "name", "area_km2", "population", "product", "parks", "sites"} <= set(row)
    by = {r["adcode"]: r for r in rows}
    assert by["330206"]["product"] == "港航数据 + 交通治理" and by["330203"]["product"] is None
    assert by["330203"]["population"] == 1041285 and by["330226"]["area_km2"] == 1843.0
    assert sum(r["sites"] for r in rows) == 42000


def test_summary_json_has_coverage_investment_zones_totals_and_targets(plan):
    data = json.loads(run("summary", str(PLAN_2027), "--json").stdout)
    for row in data["districts"]:
        for k in ("coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct", "investment_wan"):
            assert isinstance(row[k], float | int), k
        assert 0 <= row["coverage_5g_pct"] <= 100
    prio = [z for z in data["zones"] if z["kind"] == "priority"]
    assert len(prio) == 4 and all(z["coverage_dual_pct"] == 100.0 for z in prio)
    t = data["totals"]
    assert t["sck_parks"] == 10 and t["computing_pflops"] == 2000 and t["data_enterprises"] >= 1000
    assert t["investment_wan"] == pytest.approx(sum(t["investment_by_category"].values()), abs=1)
    assert t["investment_wan"] == pytest.approx(t["investment_cumulative_by_year"]["2027"], abs=1)
    # What no district holds: citywide line items, and the 5G-A sites placed offshore (35 万元 each).
    citywide = sum(i.amount_wan for i in plan.investments.values() if i.district == "")
    citywide += 35.0 * t["sites_at_sea"]
    assert t["investment_wan"] == pytest.approx(sum(r["investment_wan"] for r in data["districts"]) + citywide, abs=1)
    targets = {(x["key"], x["year"]): x for x in data["targets"]}
    assert targets[("computing_pflops", 2027)]["share"] == 1.0
    assert targets[("data_products", 2027)]["value"] is None
    assert {"key", "label", "year", "target", "value", "share"} <= set(targets[("sck_parks", 2025)])


def test_compare_reports_deltas_and_feature_changes():
    r = run("compare", str(BASELINE), str(PLAN_2027), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["year"] == 2027 and len(data["districts"]) == 10
    assert len(data["features"]["parks"]["added"]) == 9
    assert data["totals"]["sites"]["delta"] == len(data["features"]["sites"]["added"])
    text = run("compare", str(BASELINE), str(PLAN_2027))
    assert "慈溪市" in text.stdout and "parks: +9 added" in text.stdout


def test_summary_year_filter_counts_only_what_is_open(tmp_path):
    r2020 = json.loads(run("summary", str(BASELINE), "--json", "--year", "2020").stdout)
    total_2020 = sum(r["sites"] for r in r2020["districts"])
    assert total_2020 == 10852  # end-2020 count, seed 003
    plan_2027 = json.loads(run("summary", str(PLAN_2027), "--json").stdout)
    plan_2025 = json.loads(run("summary", str(PLAN_2027), "--json", "--year", "2025").stdout)
    assert sum(r["sites"] for r in plan_2025["districts"]) == 42000
    assert sum(r["parks"] for r in plan_2027["districts"]) > sum(r["parks"] for r in plan_2025["districts"])


def test_summary_table_is_chinese_first():
    r = run("summary", str(BASELINE))
    assert r.returncode == 0
    assert "海曙区" in r.stdout and "Haishu" in r.stdout and "合成示意数据" in r.stdout


def test_export_geojson_writes_one_file_per_layer(tmp_path):
    out = tmp_path / "gj"
    r = run("export", str(PLAN_2027), "--geojson", str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "districts.geojson",
        "parks.geojson",
        "sites.geojson",
        "zones.geojson",
    ]
    sites = json.loads((out / "sites.geojson").read_text(encoding="utf-8"))
    assert len(sites["features"]) > 42000
    for f in sites["features"][:500] + sites["features"][-50:]:
        p = f["properties"]
        assert p["radius_m"] > 50 and isinstance(p["open_year"], int)
        lon, lat = f["geometry"]["coordinates"]
        assert 120.8 < lon < 122.6 and 28.8 < lat < 30.6
    for name in ("parks", "zones"):
        doc = json.loads((out / f"{name}.geojson").read_text(encoding="utf-8"))
        assert doc["features"] and all(isinstance(f["properties"]["open_year"], int) for f in doc["features"])
    districts = json.loads((out / "districts.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["name"] for f in districts["features"]} >= {"海曙区", "慈溪市"}


def test_export_is_readable_by_geopandas(tmp_path):
    import geopandas as gpd

    out = tmp_path / "gj"
    assert run("export", str(BASELINE), "--geojson", str(out)).returncode == 0
    sites = gpd.read_file(out / "sites.geojson")
    assert len(sites) == 42000 and sites.crs.to_epsg() == 4326
    assert sites["radius_m"].between(50, 20000).all()


def test_radius_override_is_exported(small_scenario, tmp_path):
    from dataclasses import replace

    small_scenario.sites["site-000001"] = replace(small_scenario.sites["site-000001"], radius_m=321.0)
    path = tmp_path / "s.json"
    atomic.save(small_scenario, path)
    assert run("export", str(path), "--geojson", str(tmp_path / "o")).returncode == 0
    doc = json.loads((tmp_path / "o" / "sites.geojson").read_text(encoding="utf-8"))
    by = {f["id"]: f["properties"] for f in doc["features"]}
    assert by["site-000001"]["radius_m"] == 321.0 and by["site-000001"]["model_radius_m"] != 321.0


def test_unknown_command_is_a_usage_error():
    r = run("frobnicate")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_help_is_bilingual():
    r = run("--help")
    assert r.returncode == 0 and "宁波" in r.stdout and "validate" in r.stdout


def test_main_is_thin():
    text = Path(ROOT / "main.py").read_text(encoding="utf-8")
    assert "planner.cli" in text and len(text.splitlines()) < 20


@pytest.mark.parametrize("year", ["1800", "-5", "abc"])
def test_year_outside_what_a_scenario_speaks_of_is_a_usage_error(year):
    r = run("summary", str(BASELINE), "--year", year)
    assert r.returncode == 2 and "--year" in r.stderr and "Traceback" not in r.stderr


def test_a_closed_pipe_ends_quietly():
    p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "summary", str(BASELINE)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=ENV, cwd=ROOT)  # fmt: skip
    p.stdout.close()  # the reader goes away before the first line
    err = p.stderr.read().decode("utf-8")
    assert p.wait(timeout=120) == 0 and "Traceback" not in err and "Broken pipe" not in err


def test_export_refuses_a_file_as_destination_and_writes_nothing(tmp_path):
    dest = tmp_path / "not_a_folder.txt"
    dest.write_text("keep me", encoding="utf-8")
    r = run("export", str(BASELINE), "--geojson", str(dest))
    assert r.returncode == 2 and "is a file, not a folder" in r.stderr
    assert dest.read_text(encoding="utf-8") == "keep me"
    (tmp_path / "out" / "sites.geojson").mkdir(parents=True)
    r = run("export", str(BASELINE), "--geojson", str(tmp_path / "out"))
    assert r.returncode == 2 and "sites.geojson is a folder" in r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["sites.geojson"]


def test_compare_counts_only_features_open_by_the_year():
    data = json.loads(run("compare", str(BASELINE), str(PLAN_2027), "--year", "2025", "--json").stdout)
    assert all(not ch["added"] for layer, ch in data["features"].items() if layer != "products")
    assert data["totals"]["sites"]["delta"] == 0


def test_summary_text_rows_add_up_to_the_city(plan):
    text = run("summary", str(PLAN_2027)).stdout
    assert "其他" in text and "全市" in text


# -- the text tables, as a planner reads them ---------------------------------------------------------------
def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def char_at(line: str, col: int) -> str:
    """The character shown at terminal column ``col`` of ``line`` ('' past its end)."""
    at = 0
    for ch in line:
        w = display_width(ch)
        if at <= col < at + w:
            return ch
        at += w
    return ""


def cell(line: str, end: int) -> str:
    """The value of a right-aligned column that ends at terminal column ``end``."""
    out = []
    col = end - 1
    while col >= 0 and char_at(line, col) not in (" ", ""):
        ch = char_at(line, col)
        out.append(ch)
        col -= display_width(ch)
    return "".join(reversed(out))


def table(text: str, first: str, last: str) -> list[str]:
    """The lines of the table whose header starts with ``first``, down to the row starting with ``last``."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith(first))
    end = next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith(last))
    return lines[start : end + 1]


def assert_right_aligned(lines: list[str], labels: list[str]) -> dict[str, int]:
    """Every value of each right-aligned column ends in the terminal column where its header ends."""
    head, rows = lines[0], lines[1:]
    ends = {}
    for label in labels:
        assert label in head, f"no column {label!r} in {head!r}"
        end = display_width(head[: head.index(label) + len(label)])
        ends[label] = end
        for row in rows:
            if cell(row, end) == "" and char_at(row, end - 1) in (" ", ""):
                continue  # an empty cell (the 其他 row has no coverage)
            assert char_at(row, end - 1) not in (" ", ""), f"{label!r}: {row!r} ends before column {end}"
            assert char_at(row, end) in (" ", ""), f"{label!r}: {row!r} runs past column {end}"
    return ends


def test_summary_table_columns_line_up_by_display_width_and_add_up():
    text = run("summary", str(PLAN_2027)).stdout
    lines = table(text, "区县", "全市")
    ends = assert_right_aligned(
        lines, ["人口 Pop.", "陆地面积 km²", "园区", "站点", "站点/万人", "5G%", "5G-A%", "F5G%", "投资 万元"]
    )
    rows = {ln.split()[0]: ln for ln in lines[1:]}
    assert len(rows) == 12 and "其他" in rows  # ten districts, 其他, 全市

    def number(row: str, label: str) -> float:
        return float(cell(row, ends[label]).replace(",", "") or 0)

    districts = [r for name, r in rows.items() if name not in ("其他", "全市")]
    # One area: the official land area, in the district rows and in the city row (9,816, not the polygons' 10,358).
    assert number(rows["全市"], "陆地面积 km²") == pytest.approx(sum(number(r, "陆地面积 km²") for r in districts))
    assert number(rows["全市"], "陆地面积 km²") == pytest.approx(9816, abs=1)
    assert "10,357.9" in text  # the polygon area is named in the footnote, not mixed into the column
    # One unit, 万元 with thousands separators, and the rows add up to the city row.
    assert "亿元" not in "\n".join(lines)
    assert cell(rows["全市"], ends["投资 万元"]).count(",") == 2
    assert number(rows["全市"], "投资 万元") == sum(number(r, "投资 万元") for n, r in rows.items() if n != "全市")
    assert number(rows["全市"], "站点") == sum(number(r, "站点") for n, r in rows.items() if n != "全市")


def test_summary_zones_table_is_headed_zones_and_shows_each_kind():
    text = run("summary", str(PLAN_2027)).stdout
    lines = table(text, "区域 Zones", "宁波高新区")
    assert "重点区域 Zones" not in text and "类型 Kind" in lines[0]
    assert_right_aligned(lines, ["5G%", "5G-A%", "F5G%", "双万兆%"])
    kinds = {ln.split()[0]: ln.split()[1] for ln in lines[1:]}
    assert kinds["宁波高新区"] == "功能区" and kinds["前湾新区"] == "重点区域" and kinds["北仑临港产业带"] == "重点区域"


def test_compare_table_lines_up_shows_other_and_adds_up(tmp_path, small_scenario):
    from planner.domain.features import InvestmentItem

    b = small_scenario.copy()
    b.investments["inv-000009"] = InvestmentItem("inv-000009", "全市数据平台", "", "platform", 2026, 12_345.0, "fiscal")
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    atomic.save(small_scenario, pa)
    atomic.save(b, pb)
    text = run("compare", str(pa), str(pb)).stdout
    lines = table(text, "区县", "全市")
    ends = assert_right_aligned(lines, ["园区Δ", "站点Δ", "站点/万人Δ", "5G% Δ", "5G-A% Δ", "F5G% Δ", "投资Δ 万元"])
    rows = {ln.split()[0]: ln for ln in lines[1:]}
    # The citywide item is in no district: it shows in 其他, and the rows add up to the city row.
    assert cell(rows["其他"], ends["投资Δ 万元"]) == "+12,345"
    assert cell(rows["全市"], ends["投资Δ 万元"]) == "+12,345"
    data = json.loads(run("compare", str(pa), str(pb), "--json").stdout)
    assert data["other"]["investment_wan"] == {"a": 0.0, "b": 12_345.0, "delta": 12_345.0}


def test_compare_text_of_the_bundled_plan_adds_up_in_wan():
    text = run("compare", str(BASELINE), str(PLAN_2027)).stdout
    lines = table(text, "区县", "全市")
    ends = assert_right_aligned(lines, ["站点Δ", "投资Δ 万元"])
    rows = {ln.split()[0]: ln for ln in lines[1:]}

    def number(row: str, label: str) -> int:
        return int(cell(row, ends[label]).replace(",", "").replace("+", "") or 0)

    for label in ("站点Δ", "投资Δ 万元"):
        assert number(rows["全市"], label) == sum(number(r, label) for n, r in rows.items() if n != "全市")
    assert number(rows["全市"], "投资Δ 万元") > 1_260_000


def test_screenshot_renders_the_window_to_a_png(tmp_path):
    import struct

    from planner.storage.atomic import save
    from tests.conftest import make_small_scenario

    src = tmp_path / "small.json"
    save(make_small_scenario(), src, keep_backup=False)
    out = tmp_path / "shot.png"
    r = run_cli("screenshot", str(src), str(out), "--size", "1200x800", "--lang", "en", "--year", "2026",
                "--layer", "coverage_dual")  # fmt: skip
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1200, 800)
    bad = run_cli("screenshot", str(src), str(tmp_path / "x.png"), "--size", "12x8")
    assert bad.returncode == 2 and "size must be between" in bad.stderr and not (tmp_path / "x.png").exists()
    missing = run_cli("screenshot", str(tmp_path / "nope.json"), str(tmp_path / "y.png"))
    assert missing.returncode == 1 and not (tmp_path / "y.png").exists()


def test_a_screenshot_leaves_the_planners_settings_alone(tmp_path):
    import os

    from planner.storage.atomic import save
    from tests.conftest import CLI_ENV, make_small_scenario

    src = tmp_path / "small.json"
    save(make_small_scenario(), src, keep_backup=False)
    config = tmp_path / "config"
    r = run_cli("screenshot", str(src), str(tmp_path / "s.png"), env={**CLI_ENV, "XDG_CONFIG_HOME": str(config)})
    assert r.returncode == 0, r.stderr
    written = [p for p in config.rglob("*") if p.is_file()] if config.exists() else []
    assert not [p for p in written if "window" in p.read_text(errors="ignore")], written
    del os


def test_compare_counts_a_feature_as_moved_only_beyond_the_tolerance(tmp_path, small_scenario):
    """A site moved by 30 cm is changed, one moved by ~1 km is moved (with its distance); the app's comparison
    dock shows the same ``compare`` (tests/test_ui_compare.py)."""
    from dataclasses import replace

    from planner.analysis.compare import MOVE_TOLERANCE_M, compare

    b = small_scenario.copy()
    s1, s2 = b.sites["site-000001"], b.sites["site-000002"]
    b.sites[s1.id] = replace(s1, lon=s1.lon + 0.01)
    b.sites[s2.id] = replace(s2, lon=s2.lon + 0.000003)
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    atomic.save(small_scenario, pa)
    atomic.save(b, pb)
    data = json.loads(run("compare", str(pa), str(pb), "--json").stdout)
    sites = data["features"]["sites"]
    assert sorted(sites["changed"]) == ["site-000001", "site-000002"]
    assert sites["moved"] == ["site-000001"] and 950 < sites["moved_m"]["site-000001"] < 980
    assert MOVE_TOLERANCE_M == 1.0
    assert data["features"] == compare(small_scenario, b)["features"]
    assert "sites: +0 added, -0 removed, 2 changed (1 moved)" in run("compare", str(pa), str(pb)).stdout
