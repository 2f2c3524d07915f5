"""The Excel brief for officials: one workbook of the scenario's figures as of a year, from ``summary()``.

Sheets: 概览 (overview with the key figures against the 2025 / 2027 targets and a map picture), 区县, 园区 (数创港
first), 网络覆盖 (districts, priority zones, parks), 投资 (district × category × year, by funding source), 目标进度,
目标差距 (the gap to the targets of the brief's target year and its cost, :mod:`planner.analysis.gap`; left out
for a scenario without targets), and 方案对比 when a second scenario is given. Every number is the number of
``summary --json`` (``gap --json``) for the same scenario and year, written as a number (officials sum them), in
the unit the header names (万元, %, 个 …).

Text a user typed is written as text, never as a formula: openpyxl stores a string that starts with ``=`` as a
formula, so every string goes through :func:`_text`, which fixes the cell's type to string and sets Excel's quote
prefix for anything that starts like a formula (``=``, ``+``, ``-``, ``@``); characters that XML cannot hold are
shown escaped. The workbook is built in memory and written in one atomic step: a failed export leaves no file.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
from pathlib import Path
from typing import Any

from planner.analysis.investment import investment_totals
from planner.analysis.summary import default_year, summary
from planner.domain import vocab
from planner.domain.scenario import Scenario
from planner.geo.basemap import districts
from planner.storage.atomic import atomic_write_bytes
from planner.textsafe import printable

SHEETS = ("概览", "区县", "园区", "网络覆盖", "投资", "目标进度", "目标差距")
COMPARE_SHEET = "方案对比"
SYNTHETIC_NOTE = "注：站点位置为生成的示意数据，非真实基站位置；覆盖率据此计算，仅供规划示意。"

WAN = "#,##0.0"  # 万元
YI = '#,##0.00" 亿元"'
PCT = '0.0"%"'  # summary's percentages are 0–100
SHARE = "0%"
COUNT = "#,##0"

_FORMULA_START = ("=", "+", "-", "@")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(cell, value: Any) -> None:
    """Write ``value`` as text: never a formula, XML-safe, control characters shown escaped."""
    text = printable(value) if _XML_ILLEGAL.search(str(value)) else str(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True


def _width(value: Any) -> int:
    """Display width of a value: a Chinese character counts as two."""
    text = str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


class _Sheet:
    """One worksheet being filled: a title row, a header row, typed rows; widths, filter and freeze at the end."""

    def __init__(self, wb, title: str, heading: str, header: list[str], *, first: bool = False):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws = wb.active if first else wb.create_sheet()
        self.ws.title = title
        self.header = header
        self.widths = [_width(h) + 2 for h in header]
        self.ws.append([])
        _text(self.ws.cell(1, 1), heading)
        self.ws.cell(1, 1).font = Font(bold=True, size=13)
        self.header_row = 2
        for j, h in enumerate(header, start=1):
            c = self.ws.cell(self.header_row, j)
            _text(c, h)
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor="2B5D8A")
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.row = self.header_row

    def add(self, values: list[Any], formats: list[str | None] | None = None) -> int:
        """Append one row (strings as text, numbers as numbers with ``formats``); returns its row number."""
        self.row += 1
        for j, v in enumerate(values, start=1):
            c = self.ws.cell(self.row, j)
            if v is None:
                c.value = None
            elif isinstance(v, bool):
                _text(c, "是" if v else "否")
            elif isinstance(v, int | float):
                c.value = v
                if formats and j <= len(formats) and formats[j - 1]:
                    c.number_format = formats[j - 1]
            else:
                _text(c, v)
            shown = f"{v:,.1f}" if isinstance(v, float) else v
            if j <= len(self.widths):
                self.widths[j - 1] = max(self.widths[j - 1], min(_width(shown) + 2, 60))
        return self.row

    def finish(self, *, filter_: bool = True) -> None:
        from openpyxl.utils import get_column_letter

        for j, w in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(j)].width = max(8, w)
        last = get_column_letter(len(self.header))
        self.ws.freeze_panes = self.ws.cell(self.header_row + 1, 1)
        if filter_ and self.row > self.header_row:
            self.ws.auto_filter.ref = f"A{self.header_row}:{last}{self.row}"
        self.ws.print_title_rows = f"{self.header_row}:{self.header_row}"


def _page_setup(ws, scenario_name: str, when: str) -> None:
    """A4 landscape, fitted to the page width, with the scenario and date in the header and page numbers below."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    # Header/footer codes start with "&": a name is escaped so that an "&" in it is text, not a code.
    name = printable(scenario_name).replace("&", "&&")
    ws.oddHeader.left.text = name
    ws.oddHeader.right.text = when
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"


def _district_names() -> dict[str, str]:
    return {d.adcode: d.name_zh for d in districts()}


def _overview(wb, data: dict, when: str, map_png: bytes | None) -> None:
    from openpyxl.styles import Font, PatternFill

    sc, city, totals = data["scenario"], data["city"], data["totals"]
    sh = _Sheet(wb, "概览", f"{sc['name']} — 概览（{sc['year']} 年底）", ["项目", "数值", "单位"], first=True)
    sh.add(["情景", sc["name"], ""])
    sh.add(["情景编号", sc["id"], ""])
    sh.add(["统计年份", sc["year"], "年"], [None, "0"])
    sh.add(["规划期", f"{sc['base_year']}–{sc['horizon_year']}", ""])
    sh.add(["导出日期", when, ""])
    sh.add(["常住人口 (2020)", city["population"], "人"], [None, COUNT])
    sh.add(["土地面积", city["area_km2"], "km²"], [None, "#,##0.0"])
    sh.add(["站点", totals["sites"], "个"], [None, COUNT])
    sh.add(["其中 5G-A 站点", totals["sites_5ga"], "个"], [None, COUNT])
    sh.add(["每万人站点", city["sites_per_10k"], "个/万人"], [None, "0.00"])
    sh.add(["5G 覆盖率", city["coverage_5g_pct"], ""], [None, PCT])
    sh.add(["5G-A 覆盖率", city["coverage_5ga_pct"], ""], [None, PCT])
    sh.add(["F5G 覆盖率", city["coverage_f5g_pct"], ""], [None, PCT])
    sh.add(["园区", totals["parks"], "个"], [None, COUNT])
    sh.add(["数创港园区", totals["sck_parks"], "个"], [None, COUNT])
    sh.add(["累计投资", totals["investment_wan"], "万元"], [None, WAN])
    sh.add(["累计投资（亿元）", totals["investment_wan"] / 1e4, ""], [None, YI])
    if data.get("synthetic_sites"):
        r = sh.add([SYNTHETIC_NOTE])
        sh.ws.cell(r, 1).font = Font(color="B23B00", bold=True)
    # Key figures against the official targets (the full list is on 目标进度).
    sh.row += 1
    head = sh.add(["目标", "目标年份", "目标值", "当前值", "完成度", "单位"])
    for j in range(1, 7):
        sh.ws.cell(head, j).font = Font(bold=True)
    good, fair, bad = (PatternFill("solid", fgColor=c) for c in ("C6EFCE", "FFEB9C", "FFC7CE"))
    for t in data["targets"]:
        if t["value"] is None:
            continue
        r = sh.add(
            [t["label"], t["year"], t["target"], t["value"], t["share"], t["unit"]],
            [None, "0", "#,##0.##", "#,##0.##", SHARE, None],
        )
        if t["share"] is not None:  # a target of 0 has a value but no share
            sh.ws.cell(r, 5).fill = good if t["share"] >= 1 else fair if t["share"] >= 0.8 else bad
    sh.finish(filter_=False)
    sh.ws.column_dimensions["A"].width = 30
    if map_png:
        from openpyxl.drawing.image import Image

        img = Image(io.BytesIO(map_png))
        scale = 560 / img.width
        img.width, img.height = int(img.width * scale), int(img.height * scale)
        sh.ws.add_image(img, "H2")


def _districts(wb, data: dict) -> None:
    sh = _Sheet(wb, "区县", "区县指标", ["区县", "英文名", "行政区划代码", "一区一品", "人口 (2020)", "土地面积 km²",
                                          "站点", "每万人站点", "园区", "5G 覆盖 %", "5G-A 覆盖 %", "F5G 覆盖 %",
                                          "投资 万元"])  # fmt: skip
    fmts = [None, None, None, None, COUNT, "#,##0.0", COUNT, "0.00", COUNT, PCT, PCT, PCT, WAN]
    for d in data["districts"]:
        sh.add([d["name"], d["name_en"], d["adcode"], d["product"] or "", d["population"], d["area_km2"], d["sites"],
                d["sites_per_10k"], d["parks"], d["coverage_5g_pct"], d["coverage_5ga_pct"], d["coverage_f5g_pct"],
                d["investment_wan"]], fmts)  # fmt: skip
    c = data["city"]
    sh.add(["全市", "Ningbo", "", "", c["population"], c["area_km2"], c["sites"], c["sites_per_10k"],
            data["totals"]["parks"], c["coverage_5g_pct"], c["coverage_5ga_pct"], c["coverage_f5g_pct"],
            data["totals"]["investment_wan"]], fmts)  # fmt: skip
    sh.finish()


def _parks(wb, data: dict, scenario: Scenario) -> None:
    names = _district_names()
    sh = _Sheet(wb, "园区", "园区（数创港在前）", ["编号", "名称", "类型", "状态", "区县", "建成年份", "数据企业",
                                                  "算力 PFLOPS", "5G 覆盖", "5G-A 覆盖", "最近站点 m",
                                                  "最近 5G-A 站点 m"])  # fmt: skip
    rows = sorted(
        data["parks"], key=lambda p: (p["kind"] not in vocab.SCK_PARK_KINDS, p["kind"] != "sck_core", p["id"])
    )
    for p in rows:
        park = scenario.parks.get(p["id"])
        sh.add([p["id"], p["name"], vocab.label(vocab.PARK_KINDS, p["kind"]),
                vocab.label(vocab.PARK_STATUSES, park.status) if park else "", names.get(p["district"], "市域/海上"),
                park.open_year if park else None, park.data_enterprises if park else None,
                park.computing_pflops if park else None, p.get("covered_5g"), p.get("covered_5ga"),
                p.get("nearest_site_m"), p.get("nearest_5ga_site_m")],
               [None] * 5 + ["0", COUNT, "#,##0.#", None, None, "#,##0", "#,##0"])  # fmt: skip
    sh.finish()


def _coverage(wb, data: dict) -> None:
    sh = _Sheet(wb, "网络覆盖", "网络覆盖（面积覆盖率）", ["类别", "名称", "面积 km²", "5G %", "5G-A %", "F5G %",
                                                          "双万兆 %"])  # fmt: skip
    fmts = [None, None, "#,##0.0", PCT, PCT, PCT, PCT]
    for d in data["districts"]:
        sh.add(["区县", d["name"], d["polygon_area_km2"], d["coverage_5g_pct"], d["coverage_5ga_pct"],
                d["coverage_f5g_pct"], None], fmts)  # fmt: skip
    c = data["city"]
    sh.add(["全市", c["name"], c["polygon_area_km2"], c["coverage_5g_pct"], c["coverage_5ga_pct"],
            c["coverage_f5g_pct"], None], fmts)  # fmt: skip
    for z in data["zones"]:
        sh.add([vocab.label(vocab.ZONE_KINDS, z["kind"]), z["name"], z["area_km2"], z["coverage_5g_pct"],
                z["coverage_5ga_pct"], z["coverage_f5g_pct"], z.get("coverage_dual_pct")], fmts)  # fmt: skip
    for p in data["parks"]:
        if "coverage_5g_pct" in p:  # polygon parks have area figures; point parks are on 园区
            sh.add(["园区", p["name"], p.get("area_km2"), p["coverage_5g_pct"], p["coverage_5ga_pct"],
                    p.get("coverage_f5g_pct"), None], fmts)  # fmt: skip
    sh.finish()
    _coverage_chart(sh, len(data["districts"]))


def _coverage_chart(sh: _Sheet, n: int) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "col"
    chart.title = "各区县网络覆盖率 (%)"
    chart.y_axis.title = "%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    first = sh.header_row
    chart.add_data(Reference(sh.ws, min_col=4, max_col=6, min_row=first, max_row=first + n), titles_from_data=True)
    chart.set_categories(Reference(sh.ws, min_col=2, min_row=first + 1, max_row=first + n))
    chart.width, chart.height = 22, 9
    sh.ws.add_chart(chart, "I3")


def _investment(wb, data: dict, scenario: Scenario) -> None:
    from openpyxl.chart import BarChart, Reference

    year = data["scenario"]["year"]
    inv = investment_totals(scenario, year)
    names = _district_names()
    cats = list(vocab.INVESTMENT_CATEGORIES)
    sh = _Sheet(wb, "投资", f"投资（万元，截至 {year} 年底）", ["区县", "类别", "年份", "投资 万元"])
    lines = sorted(inv.by_district_category_year.items(), key=lambda kv: (kv[0][0] or "~", kv[0][1], kv[0][2]))
    for (adcode, cat, y), amount in lines:
        sh.add([names.get(adcode, "市域/海上"), vocab.label(vocab.INVESTMENT_CATEGORIES, cat), y, amount],
               [None, None, "0", WAN])  # fmt: skip
    sh.add(["合计", "", None, inv.total_wan], [None, None, None, WAN])
    sh.finish()
    # Beside it: by year × category (the chart's data), and by funding source.
    ws = sh.ws
    col = 7
    years = sorted(data["totals"]["investment_by_year"], key=int)
    _text(ws.cell(2, col), "年份")
    for j, cat in enumerate(cats, start=1):
        _text(ws.cell(2, col + j), vocab.label(vocab.INVESTMENT_CATEGORIES, cat))
    _text(ws.cell(2, col + len(cats) + 1), "合计")
    per = {}
    for (_a, cat, y), amount in inv.by_district_category_year.items():
        per[(int(y), cat)] = per.get((int(y), cat), 0.0) + amount
    for i, y in enumerate(years, start=3):
        ws.cell(i, col, int(y)).number_format = "0"
        for j, cat in enumerate(cats, start=1):
            ws.cell(i, col + j, per.get((int(y), cat), 0.0)).number_format = WAN
        ws.cell(i, col + len(cats) + 1, data["totals"]["investment_by_year"][y]).number_format = WAN
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = "各年度投资（按类别，万元）"
    chart.add_data(Reference(ws, min_col=col + 1, max_col=col + len(cats), min_row=2, max_row=2 + len(years)),
                   titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(ws, min_col=col, min_row=3, max_row=2 + len(years)))
    chart.width, chart.height = 22, 9
    ws.add_chart(chart, f"G{len(years) + 5}")
    top = len(years) + 26
    _text(ws.cell(top, col), "资金来源")
    _text(ws.cell(top, col + 1), "投资 万元")
    for i, (fund, amount) in enumerate(sorted(data["totals"]["investment_by_funding"].items()), start=top + 1):
        _text(ws.cell(i, col), "未注明" if fund == "unspecified" else vocab.label(vocab.FUNDING_SOURCES, fund))
        ws.cell(i, col + 1, amount).number_format = WAN
    from openpyxl.utils import get_column_letter

    for j in range(col, col + len(cats) + 2):
        ws.column_dimensions[get_column_letter(j)].width = 12


def _targets(wb, data: dict) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import PatternFill

    sh = _Sheet(wb, "目标进度", "目标进度", ["目标", "目标年份", "目标值", "当前值", "完成度", "单位", "来源",
                                            "说明"])  # fmt: skip
    good, fair, bad = (PatternFill("solid", fgColor=c) for c in ("C6EFCE", "FFEB9C", "FFC7CE"))
    tracked = []
    for t in data["targets"]:
        r = sh.add([t["label"], t["year"], t["target"], t["value"], t["share"], t["unit"], t["source"], t["note"]],
                   [None, "0", "#,##0.##", "#,##0.##", SHARE, None, None, None])  # fmt: skip
        if t["share"] is not None:
            sh.ws.cell(r, 5).fill = good if t["share"] >= 1 else fair if t["share"] >= 0.8 else bad
            tracked.append(r)
    sh.finish()
    if tracked:  # the chart's own small table: the tracked targets only (a chart cannot skip rows)
        ws = sh.ws
        col = 11
        _text(ws.cell(2, col), "目标")
        _text(ws.cell(2, col + 1), "完成度")
        for i, r in enumerate(tracked, start=3):
            _text(ws.cell(i, col), f"{ws.cell(r, 1).value}（{ws.cell(r, 2).value}）")
            ws.cell(i, col + 1, ws.cell(r, 5).value).number_format = SHARE
        chart = BarChart()
        chart.type = "bar"
        chart.title = "目标完成度"
        chart.add_data(Reference(ws, min_col=col + 1, min_row=2, max_row=2 + len(tracked)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=col, min_row=3, max_row=2 + len(tracked)))
        chart.legend = None
        chart.width, chart.height = 18, 10
        ws.add_chart(chart, "K" + str(len(tracked) + 5))


#: Widths of the 目标差距 sheet's method and note columns (characters; CJK counts two).
GAP_WIDTHS = {"G": 46, "I": 40}


def _round(v: float | None, digits: int) -> float | None:
    return None if v is None else round(v, digits)


def _gap(wb, report) -> None:
    """目标差距: each target of the year with its gap and cost, the priority zones' part, the total."""
    from openpyxl.styles import Alignment, Font, PatternFill

    header = ["目标", "目标值", "当前值", "差距", "单位", "补齐费用（万元）", "测算方法", "含假设单价", "说明"]
    sh = _Sheet(wb, "目标差距", f"目标差距与补齐测算（{report.year} 年目标）", header)
    good = PatternFill("solid", fgColor="C6EFCE")
    for r in report.rows:
        if r.cost_wan is None:
            cost, how = "不测算", r.reason
        else:
            cost, how = r.cost_wan, r.method
        note = r.note if r.counted else "；".join(filter(None, [r.note, "不重复计入合计"]))
        if r.cost_wan is not None:
            cost = round(cost, 1)  # stored as shown: 万元 to one decimal, figures to two
        row = sh.add([r.label_zh, r.target, _round(r.value, 2), _round(r.gap, 2), r.unit, cost, how,
                      r.assumption if r.cost_wan else None, note],
                     [None, "#,##0.##", "#,##0.##", "#,##0.##", None, WAN])  # fmt: skip
        for col in (7, 9):  # the method and the note wrap in their columns, not over the next ones
            sh.ws.cell(row, col).alignment = Alignment(wrap_text=True, vertical="top")
        # Rows as tall as their wrapped text: LibreOffice and Excel keep the default height for text written by a
        # program, and would cut it.
        lines = max(math.ceil(_width(str(v or "")) / width) for v, width in ((how, GAP_WIDTHS["G"] - 2),
                                                                            (note, GAP_WIDTHS["I"] - 2)))  # fmt: skip
        if lines > 1:
            sh.ws.row_dimensions[row].height = 15 * lines
        if r.reached:
            sh.ws.cell(row, 4).fill = good
    yi = f"{report.total_wan / 10_000:,.2f} 亿元"
    total = sh.add(["合计（已测算部分）", None, None, None, "万元", round(report.total_wan, 1), yi, report.assumption,
                    "非空间目标未计入"], [None, None, None, None, None, WAN])  # fmt: skip
    for j in range(1, 10):
        sh.ws.cell(total, j).font = Font(bold=True)
    if report.zones:
        sh.row += 1
        head = sh.add(["重点区域", "面积 km²", "5G-A 覆盖 %", "F5G 覆盖 %", "双万兆 %", "新增 5G-A 站点",
                       "5G-A 投资 万元", "F5G 待覆盖 km²", "F5G 投资 万元"])  # fmt: skip
        for j in range(1, 10):
            sh.ws.cell(head, j).font = Font(bold=True)
            if j > 1:  # over its figures, which are right-aligned (a left header in the wide method column read as
                # the header of the next column's figures)
                sh.ws.cell(head, j).alignment = Alignment(horizontal="right", wrap_text=True)
        for z in report.zones:
            sh.add([z.name, round(z.area_km2, 2), round(z.coverage_5ga_pct, 2), round(z.coverage_f5g_pct, 2),
                    round(z.coverage_dual_pct, 2), z.sites, round(z.sites_capex_wan, 1), round(z.f5g_km2, 2),
                    round(z.f5g_capex_wan, 1)],
                   [None, "#,##0.0", PCT, PCT, PCT, COUNT, WAN, "#,##0.0", WAN])  # fmt: skip
    for n in report.notes:
        sh.row += 1
        _text(sh.ws.cell(sh.row, 1), f"注：{n}")
    sh.finish(filter_=False)
    for col, width in GAP_WIDTHS.items():
        sh.ws.column_dimensions[col].width = width


def _comparison(wb, scenario: Scenario, other: Scenario, year: int) -> None:
    """The 方案对比 sheet: the comparison dock's rows — the city, each district (with its 一区一品 when it changed),
    其他 (what no district holds) when it holds any, each zone — then every feature added, removed, moved or
    changed (the numbers of ``compare --json``)."""
    from openpyxl.styles import Font

    from planner.analysis.compare import CITY_ORDER, DISTRICT_ORDER, FIGURES, OTHER_ORDER, ZONE_ORDER, compare

    data = compare(other, scenario, year)
    sh = _Sheet(wb, COMPARE_SHEET, f"方案对比：{data['b']['name']} 相对 {data['a']['name']}（{year} 年底）",
                ["范围", "指标", "对比方案", "本方案", "差值"])  # fmt: skip

    def add(where: str, values: dict, keys) -> None:
        for key in keys:
            v = values[key]
            fmt = PCT if key.endswith("_pct") else WAN if key.endswith("_wan") else "#,##0.##"
            sh.add([where, FIGURES[key][0], v["a"], v["b"], v["delta"]], [None, None, fmt, fmt, fmt])

    add("全市", {**data["city"], **data["totals"]}, CITY_ORDER)
    for d in data["districts"]:
        add(d["name"], d, DISTRICT_ORDER)
        if d["product"]["changed"]:
            sh.add([d["name"], "一区一品", d["product"]["a"] or "未分配", d["product"]["b"] or "未分配", "已修改"])
    if any(data["other"][k][x] for k in OTHER_ORDER for x in "ab"):
        add("其他（全市性/海上）", data["other"], OTHER_ORDER)
    for z in sorted(data["zones"], key=lambda z: z["kind"] != "priority"):
        add(f"区域：{z['name']}", z, ZONE_ORDER)
    sh.row += 1
    head = sh.add(["要素变化", "图层", "编号", "名称", "字段"])
    for j in range(1, 6):
        sh.ws.cell(head, j).font = Font(bold=True)
    layer_names = {"sites": "站点", "parks": "园区", "zones": "区域", "investments": "投资项"}
    listed = 0
    for change, word in (("added", "新增"), ("removed", "删除"), ("moved", "移动"), ("changed", "修改")):
        for layer, ch in data["features"].items():
            if layer == "products":
                continue
            ids = ch[change] if change != "changed" else [f for f in ch["changed"] if f not in ch["moved"]]
            for fid in ids:
                feature = scenario.layer(layer).get(fid) or other.layer(layer).get(fid)
                name = getattr(feature, "name", "") or ""
                fields = "、".join(ch["changed"].get(fid, []))
                sh.add([word, layer_names.get(layer, layer), fid, name, fields])
                listed += 1
    if not listed:
        sh.add(["（无）", "", "", "", "两方案的园区、站点、区域与投资项相同"])
    sh.finish(filter_=False)
    sh.ws.column_dimensions["A"].width = 26
    sh.ws.column_dimensions["C"].width = sh.ws.column_dimensions["D"].width = 18


def brief_bytes(
    scenario: Scenario,
    *,
    year: int | None = None,
    engine=None,
    other: Scenario | None = None,
    map_png: bytes | None = None,
    today: _dt.date | None = None,
    gap=None,
) -> bytes:
    """The brief as .xlsx bytes (see the module docstring); ``map_png`` is the overview's map picture; ``gap`` a
    :class:`~planner.analysis.gap.GapReport` already worked out (else it is, for the brief's target year)."""
    from openpyxl import Workbook

    from planner.analysis.gap import default_gap_year, target_gap, target_years

    year = default_year(scenario) if year is None else int(year)
    data = summary(scenario, year, engine)
    when = (today or _dt.date.today()).isoformat()
    wb = Workbook()
    _overview(wb, data, when, map_png)
    _districts(wb, data)
    _parks(wb, data, scenario)
    _coverage(wb, data)
    _investment(wb, data, scenario)
    _targets(wb, data)
    if gap is None and target_years(scenario):
        gap = target_gap(scenario, default_gap_year(scenario, year), engine=engine)
    if gap is not None:
        _gap(wb, gap)
    if other is not None:
        _comparison(wb, scenario, other, year)
    for ws in wb.worksheets:
        _page_setup(ws, scenario.name, when)
    wb.properties.title = printable(scenario.name)
    wb.properties.creator = "宁波区县情景规划 Ningbo District Scenario Planner"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_brief(scenario: Scenario, path: str | Path, **kwargs) -> Path:
    """Write the brief to ``path`` atomically (all or nothing); keyword arguments as :func:`brief_bytes`."""
    path = Path(path)
    atomic_write_bytes(path, brief_bytes(scenario, **kwargs), keep_backup=False)
    return path
