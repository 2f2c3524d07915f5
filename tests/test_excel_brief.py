"""The Excel brief: the numbers of ``summary --json``, text that never runs, and pages a spreadsheet prints."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from shapely.geometry import Point

from planner.analysis.summary import summary
from planner.domain import commands as cmd
from planner.domain.features import Park
from planner.fonts import cjk_font_path
from planner.geo.basemap import district_at
from planner.reports.excel_brief import COMPARE_SHEET, SHEETS, write_brief
from tests.conftest import make_small_scenario

HOSTILE = ['=HYPERLINK("http://x","点我")', "+1+1", "@SUM(A1)", "-2+3", "=1+1"]


@pytest.fixture(scope="module")
def scenario():
    s = make_small_scenario()
    parks = []
    for i, name in enumerate(HOSTILE):
        pt = Point(121.55 + 0.01 * i, 29.87)
        parks.append(Park(f"park-{900 + i:06d}", name, "digital_park", pt, district_at(pt.x, pt.y), "planned", 2025))
    cmd.add_features(s, parks).do(s)
    return s


@pytest.fixture(scope="module")
def brief(scenario, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("brief") / "简报.xlsx"
    return write_brief(scenario, path, year=scenario.horizon_year, other=make_small_scenario())


def _rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(values_only=True)]


def test_the_brief_has_every_sheet_with_frozen_headers_filters_and_a4_landscape(brief):
    wb = openpyxl.load_workbook(brief)
    assert wb.sheetnames == [*SHEETS, COMPARE_SHEET]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A3", ws.title
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == "$2:$2"
        assert ws.oddHeader.left.text
    assert wb["区县"].auto_filter.ref.startswith("A2:")
    assert len(wb["网络覆盖"]._charts) == 1 and len(wb["投资"]._charts) == 1 and len(wb["目标进度"]._charts) == 1


def test_district_figures_are_the_summary_s_numbers_as_numbers(brief, scenario):
    data = summary(scenario, scenario.horizon_year)
    ws = openpyxl.load_workbook(brief)["区县"]
    head = [c.value for c in ws[2]]
    by_name = {r[0]: dict(zip(head, r, strict=False)) for r in _rows(ws)[2:]}
    for d in data["districts"]:
        row = by_name[d["name"]]
        assert row["站点"] == d["sites"] and row["5G 覆盖 %"] == d["coverage_5g_pct"]
        assert row["5G-A 覆盖 %"] == d["coverage_5ga_pct"] and row["F5G 覆盖 %"] == d["coverage_f5g_pct"]
        assert row["投资 万元"] == d["investment_wan"] and isinstance(row["投资 万元"], int | float)
    city = by_name["全市"]
    assert city["投资 万元"] == data["totals"]["investment_wan"] and city["站点"] == data["city"]["sites"]
    cell = next(c for c in ws[3] if c.column == head.index("投资 万元") + 1)
    assert cell.data_type == "n" and cell.number_format == "#,##0.0"


def test_investment_sheet_adds_up_to_the_summary_total(brief, scenario):
    data = summary(scenario, scenario.horizon_year)
    rows = _rows(openpyxl.load_workbook(brief)["投资"])[2:]
    lines = [r for r in rows if r[0] not in (None, "合计")]
    total = next(r for r in rows if r[0] == "合计")
    assert total[3] == data["totals"]["investment_wan"]
    assert sum(r[3] for r in lines) == pytest.approx(data["totals"]["investment_wan"])


def test_targets_show_value_target_and_share(brief, scenario):
    data = summary(scenario, scenario.horizon_year)
    rows = _rows(openpyxl.load_workbook(brief)["目标进度"])[2:]
    for t, r in zip(data["targets"], rows, strict=False):
        assert (r[0], r[1], r[2], r[3], r[4]) == (t["label"], t["year"], t["target"], t["value"], t["share"])


def test_text_a_user_typed_is_never_a_formula(brief):
    wb = openpyxl.load_workbook(brief)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value in HOSTILE]
    assert {c.value for c in cells} == set(HOSTILE)
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_a_brief_that_cannot_be_written_leaves_nothing_and_keeps_an_old_file(scenario, tmp_path):
    with pytest.raises(OSError):
        write_brief(scenario, tmp_path / "missing" / "b.xlsx")
    assert not (tmp_path / "missing").exists()
    old = tmp_path / "b.xlsx"
    old.write_bytes(b"old brief")
    import planner.reports.excel_brief as eb

    def broken(*a, **k):
        raise RuntimeError("simulated failure while building the workbook")

    real = eb._targets
    eb._targets = broken
    try:
        with pytest.raises(RuntimeError):
            write_brief(scenario, old)
    finally:
        eb._targets = real
    assert old.read_bytes() == b"old brief" and sorted(p.name for p in tmp_path.iterdir()) == ["b.xlsx"]


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed on CI (.ci/run installs libreoffice-calc)")
        pytest.skip("LibreOffice is not installed")
    return exe


def test_libreoffice_prints_the_brief_with_its_chinese_sheet_titles(brief, tmp_path):
    # A workbook cannot carry fonts: the spreadsheet supplies them. LibreOffice is given the bundled CJK font (as
    # a Chinese office machine has one), through a home of its own.
    home = tmp_path / "home"
    (home / ".fonts").mkdir(parents=True)
    shutil.copy(cjk_font_path(), home / ".fonts")
    env = {**os.environ, "HOME": str(home)}
    run = subprocess.run(
        [_soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(brief)],
        env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    pdf = tmp_path / (brief.stem + ".pdf")
    assert run.returncode == 0 and pdf.exists(), run.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for title in ("概览", "区县指标", "园区（数创港在前）", "网络覆盖", "目标进度", "目标差距与补齐测算", "方案对比"):
        assert title in text, title
    assert "=HYPERLINK" in text  # shown as the text it is
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in fonts


def test_the_comparison_sheet_has_the_city_the_districts_the_zones_and_every_feature_changed(brief, scenario):
    from planner.analysis.compare import compare

    data = compare(make_small_scenario(), scenario, scenario.horizon_year)
    rows = _rows(openpyxl.load_workbook(brief)[COMPARE_SHEET])
    by = {(r[0], r[1]): r for r in rows if r[0]}
    city = by[("全市", "站点")]
    assert city[2:] == (data["totals"]["sites"]["a"], data["totals"]["sites"]["b"], data["totals"]["sites"]["delta"])
    assert by[("全市", "园区")][4] == data["totals"]["parks"]["delta"] > 0
    assert ("海曙区", "5G 覆盖 %") in by
    zone = data["zones"][0]
    assert by[(f"区域：{zone['name']}", "双万兆 %")][3] == zone["coverage_dual_pct"]["b"]
    added = [r for r in rows if r[0] == "新增" and r[1] == "园区"]
    assert sorted(r[2] for r in added) == sorted(data["features"]["parks"]["added"]) and added[0][3]  # with names
