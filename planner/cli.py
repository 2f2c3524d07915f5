"""Command line: ``python main.py [FILE]`` opens the app; subcommands compute and export headless.

Subcommands::

    validate FILE                       check a scenario file; exit 0 when valid, 1 with one line per problem
    summary FILE [--year Y] [--json]    the scenario's figures per district, as a table or one JSON object
    compare A B [--year Y] [--json]     per-district deltas and the features added, removed and changed
    export FILE --geojson DIR           one WGS-84 GeoJSON file per layer (districts, parks, sites, zones)
    import FILE --sites SRC -o OUT      sites (parks, zones, investments) from CSV/XLSX/GeoJSON/GPKG/SHP, checked
    template --sites OUT.xlsx           a blank Excel template to fill in and import
    plan-sites FILE --region R --profile 5g_a:3500 [--target PCT|--max-sites N|--budget WAN] [-o OUT]
                                        propose the sites that cover a region (gap-fill siting)
    gap FILE [--year Y] [--json]        the gap to the official targets of a year, and what closing it costs
    report FILE [--set KEY@YEAR[@DISTRICT]=VALUE …] [--clear KEY@YEAR[@DISTRICT] …] [--source TEXT] [-o OUT]
                                        the planner's reported values of the targets the map cannot measure

Errors are reported as messages naming the file and the problem, never as a traceback (set
``PLANNER_DEBUG=1`` to see one when reporting a bug); a failed read or write says what went wrong in words
(planner/storage/oserrors.py). Text from files — names, ids, products, problem messages — is printed with its
control characters shown escaped, never interpreted by the terminal (planner/textsafe.py); ``--json`` writes them
as ``\\uXXXX`` escapes, so the JSON parses to the same values.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from planner.reports.export import EXPORTS, MAP_KINDS, export_all
from planner.textsafe import json_dumps, printable

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

DESCRIPTION = "宁波数字经济分区情景规划 — Ningbo District Scenario Planner"


def _year(text: str) -> int:
    """argparse type: a year the scenario model can speak of."""
    from planner.domain.checks import MAX_YEAR, MIN_YEAR

    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"{year} is not a year from {MIN_YEAR} to {MAX_YEAR}")
    return year


def _say(text: str, *, err: bool = False) -> None:
    """Print ``text`` (lines laid out by this module) with any control character left in it shown escaped."""
    print(printable(text, keep_newlines=True), file=sys.stderr if err else sys.stdout)


def _report(error, limit: int | None = None) -> str:
    """A ScenarioFileError's problems, one per line, each escaped whole (a newline in a value cannot split it)."""
    from planner.storage.problems import MAX_LISTED

    limit = MAX_LISTED if limit is None else limit
    lines = [printable(p) for p in error.problems[:limit]]
    if len(error.problems) > limit:
        lines.append(f"… and {len(error.problems) - limit} more problems in {printable(error.path)}")
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """argparse, with the arguments it quotes in an error message shown escaped."""

    def error(self, message: str):  # type: ignore[override]
        super().error(printable(message, keep_newlines=True))


#: The layers' names for the help texts.
_LAYER_ZH = {"sites": "站点", "parks": "园区", "zones": "区域", "investments": "投资项"}


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python main.py",
        description=f"{DESCRIPTION}\n不带子命令时打开桌面应用（默认加载 2025 基线）。"
        " / With no subcommand, opens the desktop app (on the bundled 2025 baseline).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    v = sub.add_parser("validate", help="校验情景文件 / check a scenario file")
    v.add_argument("file", help="scenario file (.json)")
    s = sub.add_parser("summary", help="情景指标 / the scenario's figures")
    s.add_argument("file", help="scenario file (.json)")
    s.add_argument("--year", type=_year, default=None, help="figures as of the end of this year (default: horizon)")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    c = sub.add_parser("compare", help="比较两个情景 / compare two scenarios")
    c.add_argument("a", help="scenario file A (the reference)")
    c.add_argument("b", help="scenario file B (compared with A)")
    c.add_argument("--year", type=_year, default=None, help="figures as of this year (default: the later horizon)")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    e = sub.add_parser("export", help="导出简报、网页地图、地图、图层 / export the brief, web map, maps, layers")
    e.add_argument("file", help="scenario file (.json)")
    e.add_argument("--year", type=_year, default=None, help="figures as of the end of this year (default: horizon)")
    e.add_argument("--compare", metavar="OTHER", default=None, help="a second scenario for the brief's 方案对比 sheet")
    e.add_argument("--xlsx", metavar="OUT.xlsx", help="the Excel brief")
    e.add_argument("--html", metavar="OUT.html", help="the self-contained web map (works offline)")
    e.add_argument("--png", metavar="OUT.png", help="a map picture (see --map, --page)")
    e.add_argument("--pdf", metavar="OUT.pdf", help="a map for print (see --map, --page)")
    e.add_argument("--map", default="product", help="which map for --png/--pdf: " + ", ".join(MAP_KINDS))
    e.add_argument("--page", choices=("a4", "16:9"), default="a4", help="page of --png/--pdf (default a4 landscape)")
    e.add_argument("--gpkg", metavar="OUT.gpkg", help="one GeoPackage with every layer and the coverage")
    e.add_argument("--geojson", metavar="DIR", help="folder for one GeoJSON file per layer")
    im = sub.add_parser("import", help="导入站点、园区、区域、投资项 / import sites, parks, zones, investment items")
    im.add_argument("file", help="导入到的情景文件 / scenario file (.json) to import into")
    what = im.add_mutually_exclusive_group(required=True)
    for layer in ("sites", "parks", "zones", "investments"):
        what.add_argument(
            f"--{layer}",
            metavar="SOURCE",
            help=f"{_LAYER_ZH[layer]} / {layer} from a CSV, XLSX, GeoJSON, GPKG or SHP file",
        )
    im.add_argument("--crs", default=None, help="源坐标系 / coordinates of the source: wgs84, gcj02 (高德/腾讯), "
                    "bd09 (百度), cgcs2000 or EPSG:n (default: what a GIS file declares, else wgs84)")  # fmt: skip
    im.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="从列 COLUMN 读字段 FIELD / read FIELD from COLUMN",
    )
    im.add_argument("--default", action="append", default=[], metavar="FIELD=VALUE",
                    help="默认值 / value of FIELD where no column gives one")  # fmt: skip
    im.add_argument("--sheet", default=None, help="XLSX 工作表 / sheet of an XLSX (default: the first data sheet)")
    im.add_argument("--layer", default=None, help="GeoPackage 图层 / layer of a GeoPackage (default: the first)")
    im.add_argument("-o", "--out", required=True, metavar="OUT.json", help="写出的情景文件 / scenario file to write")
    im.add_argument(
        "--accept-valid",
        action="store_true",
        help="有被拒行时仍写出有效行 / write the valid rows even when some are rejected",
    )
    im.add_argument("--json", action="store_true", help="以 JSON 输出报告 / print the report as one JSON object")
    ps = sub.add_parser("plan-sites", help="补盲选址 / propose sites that cover a region")
    ps.add_argument("file", help="scenario file (.json)")
    ps.add_argument("--region", required=True, metavar="NAME_OR_ID", help="a district, zone or polygon park")
    ps.add_argument("--profile", required=True, metavar="KIND[:BAND]", help="site profile, e.g. 5g_a:3500")
    ps.add_argument("--height", type=float, default=None, help="mast height in m (default 30; small cells 10)")
    ps.add_argument("--environment", default="urban", help="urban, suburban or rural (drives the radius)")
    goal = ps.add_mutually_exclusive_group()
    goal.add_argument("--target", type=float, metavar="PCT", help="coverage target in %% of the region (default 100)")
    goal.add_argument("--max-sites", type=int, metavar="N", help="at most N sites")
    goal.add_argument("--budget", type=float, metavar="WAN", help="at most this many 万元")
    ps.add_argument("--year", type=_year, default=None, help="sites open by the end of this year (default: horizon)")
    ps.add_argument("--candidates", metavar="FILE", help="candidate positions (CSV/XLSX/GeoJSON/GPKG with points)")
    ps.add_argument("--crs", default=None, help="coordinates of --candidates (as for import)")
    ps.add_argument("--json", action="store_true", help="print one JSON object")
    ps.add_argument("-o", "--out", metavar="OUT.json", help="write the scenario with the proposal applied")
    gp = sub.add_parser("gap", help="目标差距 / the gap to the official targets and its cost")
    gp.add_argument("file", help="scenario file (.json)")
    gp.add_argument("--year", type=_year, default=None, help="target year (default: the last up to the horizon)")
    gp.add_argument("--json", action="store_true", help="print one JSON object")
    rp = sub.add_parser("report", help="指标填报 / the reported values of the non-spatial targets")
    rp.add_argument("file", help="scenario file (.json)")
    rp.add_argument("--set", action="append", default=[], metavar="KEY@YEAR[@DISTRICT]=VALUE",
                    help="enter a value, e.g. data_products@2025=1350 or trading_volume@2025@鄞州=2.1")  # fmt: skip
    rp.add_argument("--clear", action="append", default=[], metavar="KEY@YEAR[@DISTRICT]", help="delete a value")
    rp.add_argument("--source", default=None, help="source of the values given with --set (e.g. 市数据局 2025 年报)")
    rp.add_argument("-o", "--out", metavar="OUT.json", help="scenario file to write (default: FILE, keeping FILE.bak)")
    rp.add_argument("--json", action="store_true", help="print one JSON object")
    t = sub.add_parser("template", help="空白 Excel 导入模板 / blank Excel import templates")
    for layer in ("sites", "parks", "zones", "investments"):
        t.add_argument(f"--{layer}", metavar="OUT.xlsx", help=f"template for {layer}")
    sh = sub.add_parser("screenshot", help="主窗口截图 / render the main window to a PNG (offscreen)")
    sh.add_argument("file", help="scenario file (.json)")
    sh.add_argument("out", help="PNG file to write")
    sh.add_argument("--size", type=_size, default=(1600, 1000), metavar="WxH", help="window size (default 1600x1000)")
    sh.add_argument("--lang", choices=("zh", "en"), default="zh", help="interface language (default zh)")
    sh.add_argument("--year", type=_year, default=None, help="show the scenario as of this year (default: horizon)")
    sh.add_argument(
        "--layer",
        choices=("coverage_5g", "coverage_5ga", "coverage_f5g", "coverage_dual"),
        default=None,
        help="show this coverage layer",
    )
    sh.add_argument(
        "--mode",
        choices=("window", "present"),
        default="window",
        help="window: the editor (default); present: presentation mode (演示模式: the map, large legend and labels)",
    )
    sh.add_argument(
        "--bookmark", default=None, metavar="NAME", help="show this bookmark (its title, or its number from 1) first"
    )
    o = sub.add_parser("open", help="打开桌面应用 / open the desktop app")
    o.add_argument("file", nargs="?", default=None, help="scenario file (default: bundled baseline)")
    return p


def _load(path: str):
    from planner.storage.fileformat import load

    return load(path)


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate FILE``."""
    from planner.storage.problems import ScenarioFileError

    try:
        scenario = _load(args.file)
    except ScenarioFileError as exc:
        _say(_report(exc, limit=10_000), err=True)
        n = len(exc.problems)
        _say(f"无效 / INVALID: {n} problem{'s' if n != 1 else ''} in {printable(args.file)}", err=True)
        return EXIT_INVALID
    _say(
        f"有效 / VALID: {printable(args.file)} — {printable(scenario.name)}: {len(scenario.parks)} parks, "
        f"{len(scenario.sites)} sites, {len(scenario.zones)} zones, {len(scenario.investments)} investment items"
    )
    return EXIT_OK


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _rjust(text: str, width: int) -> str:
    return " " * max(width - _width(text), 0) + text


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """The lines of a text table: ``align`` has one character per column, ``>`` right, ``<`` left, ``L`` left after
    a wider gap (free text). Each column is as wide as its widest cell or header, counted in terminal columns, so
    header and values line up whatever the data.
    """
    widths = [max(_width(c) for c in col) for col in zip(head, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, (c, w, a) in enumerate(zip(cells, widths, align, strict=True)):
            gap = "" if i == 0 else "  " if a == "L" else " "
            parts.append(gap + (_rjust(c, w) if a == ">" else _ljust(c, w)))
        return "".join(parts).rstrip()

    return [line(head), *(line(r) for r in rows)]


def _number(v: float) -> str:
    """A count as a whole number, anything else with one decimal."""
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _pct(v) -> str:
    return "—" if v is None else f"{v:.2f}"


def _wan(v: float) -> str:
    """万元, whole, with thousands separators (the column header states the unit)."""
    return f"{v:,.0f}"


def _whole_adding_up(parts: Sequence[float], total: float) -> list[int]:
    """``parts`` rounded to whole numbers that add up to ``total`` rounded (largest remainder).

    Each stays within 1 of its exact value, so a column of rounded 万元 adds up to its 全市 row, as a planner
    checking the table with a calculator expects.
    """
    import math

    if not parts:
        return []
    floors = [math.floor(v) for v in parts]
    left = round(total) - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: parts[i] - floors[i], reverse=left > 0)
    out = list(floors)
    for k in range(abs(left)):
        out[order[k % len(order)]] += 1 if left > 0 else -1
    return out


def _signed(v, fmt: str = "+.2f") -> str:
    return "—" if v is None else format(v, fmt)


#: Zone kinds shown in the zones table.
ZONE_KIND_LABELS = {"priority": "重点区域 priority", "functional": "功能区 functional"}
#: Footnotes under the district table: what the area and the per-10,000 figure are.
AREA_NOTE = (
    "陆地面积为官方陆地面积；覆盖率按区县边界多边形（含围垦和滩涂，全市 {poly:,.1f} km²）计算"
    " / land area is the official land area; coverage is a share of the boundary polygons"
    " (incl. reclaimed land and tidal flats, {poly:,.1f} km² citywide)"
)
PER_10K_NOTE = (
    "站点/万人：每万人5G基站数（2020年人口普查；国家2025年目标 26）"
    " / sites per 10,000 people (2020 census; national 2025 target 26)"
)


def _zone_kind(kind: str) -> str:
    return ZONE_KIND_LABELS.get(kind, printable(kind))


def _format_summary(data: dict) -> str:
    from planner.analysis.investment import format_wan

    sc = data["scenario"]
    lines = [f"{printable(sc['name'])}（截至 {sc['year']} 年底 / as of end-{sc['year']}）", ""]
    head = ["区县", "District", "人口 Pop.", "陆地面积 km²", "园区", "站点", "站点/万人", "5G%", "5G-A%", "F5G%",
            "投资 万元", "一区一品 Product"]  # fmt: skip
    c, t, o = data["city"], data["totals"], data.get("other", {})
    show_other = o.get("sites") or o.get("parks") or abs(o.get("investment_wan", 0.0)) >= 0.5
    inv = [d["investment_wan"] for d in data["districts"]] + ([o["investment_wan"]] if show_other else [])
    inv_shown = _whole_adding_up(inv, t["investment_wan"])
    rows = []
    for d, inv_wan in zip(data["districts"], inv_shown, strict=False):
        rows.append(
            [
                printable(d["name"]),
                printable(d["name_en"]),
                f"{d['population']:,}",
                f"{d['area_km2']:,.1f}",
                f"{d['parks']:,}",
                f"{d['sites']:,}",
                _pct(d.get("sites_per_10k")),
                _pct(d["coverage_5g_pct"]),
                _pct(d["coverage_5ga_pct"]),
                _pct(d["coverage_f5g_pct"]),
                _wan(inv_wan),
                printable(d["product"]) if d["product"] else "未分配 / unassigned",
            ]
        )
    if show_other:
        # What no district holds, so that the district rows add up to the city row.
        rows.append(["其他", "Other", "", "", f"{o['parks']:,}" if o["parks"] else "", f"{o['sites']:,}", "", "", "",
                     "", _wan(inv_shown[-1]), "海上站点、全市性投资 / sites at sea, citywide items"])  # fmt: skip
    rows.append(["全市", "City", f"{c['population']:,}", f"{c['area_km2']:,.1f}", f"{t['parks']:,}",
                 f"{t['sites']:,}", _pct(c.get("sites_per_10k")), _pct(c["coverage_5g_pct"]),
                 _pct(c["coverage_5ga_pct"]), _pct(c["coverage_f5g_pct"]), _wan(round(t["investment_wan"])),
                 ""])  # fmt: skip
    lines += _table(head, rows, "<<>>>>>>>>>L")
    lines += [f"注：{AREA_NOTE.format(poly=c['polygon_area_km2'])}", f"注：{PER_10K_NOTE}"]
    if data["zones"]:
        zrows = [
            [
                printable(z["name"]),
                _zone_kind(z["kind"]),
                _pct(z["coverage_5g_pct"]),
                _pct(z["coverage_5ga_pct"]),
                _pct(z["coverage_f5g_pct"]),
                _pct(z.get("coverage_dual_pct")),
            ]
            for z in data["zones"]
        ]
        table = _table(["区域 Zones", "类型 Kind", "5G%", "5G-A%", "F5G%", "双万兆%"], zrows, "<<>>>>")
        lines += ["", *("  " + ln for ln in table)]
    lines += ["", "目标进度 Targets"]
    for tg in data["targets"]:
        value = "—" if tg["value"] is None else _number(tg["value"])
        share = "" if tg["share"] is None else f"  ({tg['share']:.0%})"
        note = f"  [{printable(tg['note'])}]" if tg.get("note") else ""
        lines.append(
            f"  {tg['year']} {printable(tg['label'])}: {value} / {_number(tg['target'])} {printable(tg['unit'])}"
            f"{share}{note}"
        )
    lines.append("")
    lines.append(
        f"合计 Total: {t['parks']} parks ({t['sck_parks']} 数创港), {t['sites']:,} sites, "
        f"{t['computing_pflops']:,.0f} PFLOPS, {t['data_enterprises']:,} data enterprises, "
        f"investment {_wan(t['investment_wan'])} 万元"
        + (f" ({format_wan(t['investment_wan'])})" if abs(t["investment_wan"]) >= 10_000 else "")
    )
    if t.get("missing_unit_costs"):
        lines.append(f"注：单价缺失 / missing unit costs: {', '.join(printable(k) for k in t['missing_unit_costs'])}")
    if data.get("synthetic_sites"):
        lines.append("注：站点为合成示意数据 / Note: sites are synthetic.")
    return "\n".join(lines)


def _format_compare(data: dict) -> str:
    a, b = data["a"], data["b"]
    lines = [
        f"比较 Compare（截至 {data['year']} 年底）: A = {printable(a['name'])}  →  B = {printable(b['name'])}",
        "",
    ]
    head = ["区县", "District", "园区Δ", "站点Δ", "站点/万人Δ", "5G% Δ", "5G-A% Δ", "F5G% Δ", "投资Δ 万元",
            "一区一品 Product (A → B)"]  # fmt: skip
    other, city, totals = data.get("other"), data["city"], data["totals"]
    show_other = other and any(abs(other[k][x]) >= 0.5 for k in ("parks", "sites", "investment_wan") for x in "ab")
    inv = [d["investment_wan"]["delta"] for d in data["districts"]]
    inv_shown = _whole_adding_up(inv + ([other["investment_wan"]["delta"]] if show_other else []),
                                 totals["investment_wan"]["delta"])  # fmt: skip
    rows = []
    for d, inv_wan in zip(data["districts"], inv_shown, strict=False):
        product = ""
        if d["product"]["changed"]:
            product = f"{printable(d['product']['a'] or '—')} → {printable(d['product']['b'] or '—')}"
        rows.append(
            [
                printable(d["name"]),
                printable(d.get("name_en", "")),
                f"{d['parks']['delta']:+,}",
                f"{d['sites']['delta']:+,}",
                _signed(d.get("sites_per_10k", {}).get("delta")),
                _signed(d["coverage_5g_pct"]["delta"]),
                _signed(d["coverage_5ga_pct"]["delta"]),
                _signed(d["coverage_f5g_pct"]["delta"]),
                f"{inv_wan:+,}",
                product,
            ]
        )
    if show_other:
        # What no district holds (sites at sea, citywide items), so that the rows add up to the city row.
        rows.append(["其他", "Other", f"{other['parks']['delta']:+,}", f"{other['sites']['delta']:+,}", "", "", "",
                     "", f"{inv_shown[-1]:+,}",
                     "海上站点、全市性投资 / sites at sea, citywide items"])  # fmt: skip
    rows.append(["全市", "City", f"{totals['parks']['delta']:+,}", f"{totals['sites']['delta']:+,}",
                 _signed(city.get("sites_per_10k", {}).get("delta")), _signed(city["coverage_5g_pct"]["delta"]),
                 _signed(city["coverage_5ga_pct"]["delta"]), _signed(city["coverage_f5g_pct"]["delta"]),
                 f"{round(totals['investment_wan']['delta']):+,}", ""])  # fmt: skip
    lines += _table(head, rows, "<<>>>>>>>L")
    sp = city.get("sites_per_10k")
    if sp:
        lines.append(f"注：全市站点/万人 / city sites per 10,000 people: A {_pct(sp['a'])} → B {_pct(sp['b'])}")
        lines.append(f"注：{PER_10K_NOTE}")
    if data["zones"]:
        zrows = [
            [printable(z["name"]), _zone_kind(z.get("kind", ""))]
            + [
                _signed(z[k]["delta"])
                for k in ("coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct", "coverage_dual_pct")
            ]
            for z in data["zones"]
        ]
        table = _table(["区域 Zones", "类型 Kind", "5G% Δ", "5G-A% Δ", "F5G% Δ", "双万兆% Δ"], zrows, "<<>>>>")
        lines += ["", *("  " + ln for ln in table)]
    if data["targets"]:
        lines += ["", "目标 Targets (A → B)"]
        for tg in data["targets"]:
            a = "—" if tg["a"] is None else _number(tg["a"])
            lines.append(f"  {tg['year']} {printable(tg['label'])}: {a} → {_number(tg['b'])} / {_number(tg['target'])}")
    lines.append("")
    lines.append(f"要素变化 Features (截至 {data['year']} 年底 / open by end-{data['year']}):")
    for layer, ch in data["features"].items():
        if layer == "products":
            continue
        lines.append(
            f"{layer}: +{len(ch['added'])} added, -{len(ch['removed'])} removed, {len(ch['changed'])} changed "
            f"({len(ch['moved'])} moved)"
        )
    return "\n".join(lines)


def cmd_summary(args: argparse.Namespace) -> int:
    """``summary FILE [--year Y] [--json]``."""
    from planner.analysis.summary import summary

    scenario = _load(args.file)
    data = summary(scenario, args.year)
    _say(json_dumps(data) if args.json else _format_summary(data))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    """``compare A B [--year Y] [--json]``."""
    from planner.analysis.compare import compare
    from planner.storage.problems import ScenarioFileError

    # Both files are read before anything is reported, so that a user fixing them sees the problems of both.
    loaded, problems = [], []
    for path in (args.a, args.b):
        try:
            loaded.append(_load(path))
        except ScenarioFileError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioFileError(args.a if len(loaded) == 0 or problems[0].file == args.a else args.b, problems)
    data = compare(loaded[0], loaded[1], args.year)
    _say(json_dumps(data) if args.json else _format_compare(data))
    return EXIT_OK


def _export_targets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The outputs asked for, checked before anything is written: each needs an existing folder to go into."""
    targets = [(kind, Path(getattr(args, kind))) for kind, _ in EXPORTS if getattr(args, kind)]
    if not targets:
        raise ValueError("export needs at least one of --xlsx, --html, --png, --pdf, --gpkg, --geojson")
    if args.map not in MAP_KINDS:
        raise ValueError(f"unknown --map {args.map!r} (expected one of {', '.join(MAP_KINDS)})")
    for kind, path in targets:
        folder = path if kind == "geojson" else path.parent
        if kind != "geojson" and not folder.is_dir():
            raise ValueError(f"--{kind}: 文件夹不存在 / no such folder: {folder}")
    return targets


def cmd_export(args: argparse.Namespace) -> int:
    """``export FILE [--year Y] [--compare OTHER] [--xlsx|--html|--png|--pdf|--gpkg OUT …] [--geojson DIR]``."""
    from planner.reports.geojson_export import layer_notes
    from planner.storage.oserrors import describe

    targets = _export_targets(args)
    scenario = _load(args.file)
    other = _load(args.compare) if args.compare else None
    done: list[tuple[str, Path, str]] = []
    current = [""]  # the kind being written
    try:
        export_all(scenario, targets, year=args.year, other=other, map_kind=args.map, page=args.page, written=done,
                   progress=lambda _i, _n, kind: current.__setitem__(0, kind))  # fmt: skip
    except OSError as exc:
        where = exc.filename if exc.filename is not None else "?"
        nothing = "未导出任何文件，文件夹保持原样 / nothing was exported; the folder is as it was"
        one = "该文件未写出，已有文件保持原样 / that file was not written; an existing file is as it was"
        _say(
            f"错误 / error: 无法写入 / cannot write {printable(where)}: {printable(describe(exc))}\n"
            + (nothing if current[0] == "geojson" else one),
            err=True,
        )
        return EXIT_USAGE
    finally:
        for kind, path, detail in done:
            _say(f"{printable(path)}: {detail}" if detail else f"{dict(EXPORTS)[kind]}: {printable(path)}")
    if args.geojson:
        for layer, note in layer_notes(scenario).items():
            _say(f"注 / note ({layer}): {printable(note)}")
    return EXIT_OK


def _pairs(items: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for item in items:
        left, sep, right = item.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ValueError(f"{what} expects NAME=VALUE, got {item!r}")
        out.append((left.strip(), right.strip()))
    return out


def cmd_import(args: argparse.Namespace) -> int:
    """``import FILE --sites|--parks|--zones|--investments SOURCE [--crs] [--map COLUMN=FIELD] -o OUT.json``."""
    from planner.storage.atomic import save
    from planner.storage.import_sources import SourceError
    from planner.storage.importer import MappingError, apply_import, read_import

    layer, source = next((k, getattr(args, k)) for k in ("sites", "parks", "zones", "investments") if getattr(args, k))
    mapping = {fld: column for column, fld in _pairs(args.map, "--map")}
    defaults = dict(_pairs(args.default, "--default"))
    out = Path(args.out)
    if not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise ValueError(f"-o: 文件夹不存在 / no such folder: {out.parent}")
    scenario = _load(args.file)
    try:
        report = read_import(source, layer, scenario, crs=args.crs, mapping=mapping, defaults=defaults,
                             sheet=args.sheet, source_layer=args.layer)  # fmt: skip
    except (SourceError, MappingError) as exc:
        _say(f"错误 / error: {printable(exc)}", err=True)
        return EXIT_INVALID
    _say(json_dumps(report.as_dict()) if args.json else report.text(), err=report.ok is False and not args.json)
    if report.rejected and not args.accept_valid:
        _say(f"未写出 / not written: {printable(out)} — fix the rows above or give --accept-valid", err=True)
        return EXIT_INVALID
    command = apply_import(scenario, report)
    if command is None:
        _say("没有可导入的行 / no valid rows: nothing written", err=True)
        return EXIT_INVALID
    command.do(scenario)
    save(scenario, out)
    _say(f"{printable(command.label)} → {printable(out)}")
    return EXIT_OK


def _format_proposal(p) -> str:
    lines = [
        f"补盲选址 / gap-fill: {printable(p.region.name)} — {p.profile.label()} (r = {p.radius_m:.0f} m), {p.year}, "
        f"{p.goal}",
        f"覆盖 / coverage: {p.coverage_before_pct:.2f} % → {p.coverage_after_pct:.2f} % with {len(p.sites)} sites, "
        f"{p.capex_wan:,.0f} 万元" + ("（单价为假设 unit cost is an assumption）" if p.unit_cost_assumed else ""),
    ]
    if not p.reached:
        lines.append(f"未达到目标 / target not reached: at most {p.reachable_pct:.2f} % with these candidates")
    lines.append(f"{'#':>4}  {'lon':>11}  {'lat':>10}  {'gain %':>7}  {'coverage %':>10}  万元")
    for k, s in enumerate(p.sites, start=1):
        lines.append(f"{k:>4}  {s.lon:11.6f}  {s.lat:10.6f}  {s.gain_pct:7.3f}  {p.curve[k]:10.2f}  {s.capex_wan:g}")
    lines += [f"注 / note: {printable(n)}" for n in p.notes]
    return "\n".join(lines)


def cmd_plan_sites(args: argparse.Namespace) -> int:
    """``plan-sites FILE --region R --profile KIND[:BAND] [--target PCT|--max-sites N|--budget WAN] [-o OUT]``."""
    from planner.analysis.siting import PlanningError, apply_proposal, parse_profile, plan_sites, resolve_region
    from planner.storage.atomic import save
    from planner.storage.importer import read_candidate_points

    scenario = _load(args.file)
    try:
        region = resolve_region(scenario, args.region)
        profile = parse_profile(args.profile, height_m=args.height, environment=args.environment)
        candidates = read_candidate_points(args.candidates, args.crs) if args.candidates else None
        proposal = plan_sites(scenario, region, profile, year=args.year, target_pct=args.target,
                              max_sites=args.max_sites, budget_wan=args.budget, candidates=candidates)  # fmt: skip
    except PlanningError as exc:
        _say(f"错误 / error: {printable(exc)}", err=True)
        return EXIT_INVALID
    _say(json_dumps(proposal.as_dict()) if args.json else _format_proposal(proposal))
    if not proposal.reached:
        _say(f"未达到目标 / the target cannot be reached: at most {proposal.reachable_pct:.2f} %", err=True)
        return EXIT_INVALID
    if args.out:
        if not proposal.sites:
            _say("无需新站点 / no new site is needed: nothing written", err=True)
            return EXIT_OK
        command = apply_proposal(scenario, proposal)
        command.do(scenario)
        save(scenario, args.out)
        _say(f"{printable(command.label)} → {printable(args.out)}", err=args.json)
    return EXIT_OK


def cmd_gap(args: argparse.Namespace) -> int:
    """``gap FILE [--year Y] [--json]``."""
    from planner.analysis.gap import format_gap, target_gap, target_years

    scenario = _load(args.file)
    if not target_years(scenario):
        _say("错误 / error: 情景没有官方目标 / the scenario has no official targets", err=True)
        return EXIT_INVALID
    report = target_gap(scenario, args.year)
    if args.year is not None and report.year != args.year:
        _say(f"{args.year} 年无目标，按 {report.year} 年目标计 / no targets for {args.year}: "
             f"those of {report.year}", err=True)  # fmt: skip
    _say(json_dumps(report.as_dict()) if args.json else format_gap(report))
    return EXIT_OK


def _reported_commands(scenario, args: argparse.Namespace) -> tuple[list, list[str]]:
    """Apply the ``--clear`` then the ``--set`` items of ``report`` to ``scenario`` in order; (the commands done, a
    message for every item refused). Each item is checked against the state the items before it left."""
    import dataclasses

    from planner.domain import commands as cmd
    from planner.domain.indicators import ReportedValue, make_key, parse_key, parse_value

    done, problems = [], []
    items = [("--clear", item) for item in args.clear] + [("--set", item) for item in args.set]
    for option, item in items:
        try:
            if option == "--clear":
                command = cmd.clear_reported_value(scenario, make_key(*parse_key(item)))
            else:
                key, sep, value = item.rpartition("=")
                if not sep or not key.strip() or not value.strip():
                    raise ValueError("应为 / expected KEY@YEAR[@DISTRICT]=VALUE, e.g. data_products@2025=1350")
                indicator, year, adcode = parse_key(key)
                old = scenario.reported.get(make_key(indicator, year, adcode))
                rv = ReportedValue(indicator, year, parse_value(value), adcode)
                if old is not None:  # a new value keeps the note, and the source unless one is given
                    rv = dataclasses.replace(old, value=rv.value)
                if args.source is not None:
                    rv = dataclasses.replace(rv, source=args.source)
                command = cmd.set_reported_value(scenario, rv)
        except ValueError as exc:
            problems.append(f"{option} {item}: {exc}")
            continue
        command.do(scenario)
        done.append(command)
    return done, problems


def _reported_data(scenario) -> dict:
    """The reported values and the targets they feed (each valued as of its own year), as plain data."""
    from planner.analysis.summary import target_row
    from planner.analysis.targets import TRACKED, target_progress
    from planner.domain.indicators import district_names, is_cumulative, label

    names = district_names()
    rows = []
    for rv in sorted(scenario.reported.values(), key=lambda rv: (rv.indicator, rv.year, rv.adcode)):
        zh, en, unit = label(rv.indicator, scenario.targets.values())
        rows.append({"key": rv.key, "indicator": rv.indicator, "label": zh, "label_en": en, "year": rv.year,
                     "adcode": rv.adcode, "district": names[rv.adcode][0] if rv.adcode else "全市",
                     "value": rv.value, "unit": unit, "cumulative": is_cumulative(rv.indicator),
                     "source": rv.source, "note": rv.note})  # fmt: skip
    fed = scenario.copy()  # only the targets reports feed: no coverage engine is built for the map's own
    fed.targets = {k: t for k, t in scenario.targets.items() if t.key not in TRACKED or t.key == "data_enterprises"}
    year = max((t.year for t in fed.targets.values()), default=scenario.horizon_year)
    targets = [target_row(t) for t in target_progress(fed, year)]
    return {"scenario": scenario.name, "reported": rows, "targets": targets}


def _format_reported(data: dict) -> str:
    lines = [f"指标填报 / Reported values — {printable(data['scenario'])}"]
    if data["reported"]:
        head = ["指标 Indicator", "年份 Year", "区县 District", "数值 Value", "单位 Unit", "来源 Source"]
        rows = [[f"{printable(r['label'])} ({printable(r['indicator'])})", str(r["year"]), printable(r["district"]),
                 _number(r["value"]), printable(r["unit"]), printable(r["source"])]
                for r in data["reported"]]  # fmt: skip
        lines += ["  " + ln for ln in _table(head, rows, "<><><L")]
    else:
        lines.append("  无填报值 / no reported values")
    lines += ["", "目标 Targets"]
    for t in data["targets"]:
        value = "—" if t["value"] is None else _number(t["value"])
        share = "" if t["share"] is None else f"  ({t['share']:.0%})"
        note = f"  [{printable(t['note'])}]" if t["note"] else ""
        lines.append(f"  {t['year']} {printable(t['label'])}: {value} / {_number(t['target'])} {printable(t['unit'])}"
                     f"{share}{note}")  # fmt: skip
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> int:
    """``report FILE [--set KEY@YEAR[@DISTRICT]=VALUE …] [--clear KEY@YEAR[@DISTRICT] …] [--source T] [-o OUT]``."""
    from planner.storage.atomic import save

    changing = bool(args.set or args.clear)
    if not changing and (args.out or args.source is not None):
        raise ValueError("-o 与 --source 需配合 --set 或 --clear / -o and --source go with --set or --clear")
    out = Path(args.out or args.file)
    if changing and not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise ValueError(f"-o: 文件夹不存在 / no such folder: {out.parent}")
    scenario = _load(args.file)
    done, problems = _reported_commands(scenario, args) if changing else ([], [])
    if problems:
        for p in problems:
            _say(f"错误 / error: {printable(p)}", err=True)
        _say(f"未写出 / not written: {printable(out)} — {len(problems)} 项有误 / {len(problems)} refused", err=True)
        return EXIT_INVALID
    if done:
        save(scenario, out)
    data = _reported_data(scenario)
    _say(json_dumps(data) if args.json else _format_reported(data))
    for command in done:
        _say(f"{printable(command.label)} → {printable(out)}", err=args.json)
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    """``template --sites OUT.xlsx [--parks …] [--zones …] [--investments …]``."""
    from planner.storage.import_templates import write_template

    asked = [(k, Path(getattr(args, k))) for k in ("sites", "parks", "zones", "investments") if getattr(args, k)]
    if not asked:
        raise ValueError("template needs at least one of --sites, --parks, --zones, --investments")
    for layer, path in asked:
        write_template(layer, path)
        _say(f"{layer}: {printable(path)}")
    return EXIT_OK


def cmd_screenshot(args: argparse.Namespace) -> int:
    """Render the main window offscreen to a PNG."""
    from planner.ui.screenshot import screenshot

    out = screenshot(
        args.file,
        args.out,
        size=args.size,
        lang=args.lang,
        year=args.year,
        layer=args.layer,
        mode=args.mode,
        bookmark=args.bookmark,
    )
    _say(f"{printable(out)}: {args.size[0]}×{args.size[1]}")
    return EXIT_OK


def _size(text: str) -> tuple[int, int]:
    """A window size ``WxH`` (at least 640x400, at most 7680x4320)."""
    try:
        w, h = (int(v) for v in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1600x1000, got {text!r}") from None
    if not (640 <= w <= 7680 and 400 <= h <= 4320):
        raise argparse.ArgumentTypeError(f"size must be between 640x400 and 7680x4320, got {w}x{h}")
    return w, h


def cmd_open(args: argparse.Namespace) -> int:
    """Open the desktop application."""
    from planner.ui.app import run_app

    return run_app(args.file)


COMMANDS = {
    "validate": cmd_validate,
    "summary": cmd_summary,
    "compare": cmd_compare,
    "export": cmd_export,
    "import": cmd_import,
    "template": cmd_template,
    "plan-sites": cmd_plan_sites,
    "gap": cmd_gap,
    "report": cmd_report,
    "screenshot": cmd_screenshot,
    "open": cmd_open,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    from planner.storage.problems import ScenarioFileError

    argv = list(sys.argv[1:] if argv is None else argv)
    # `python main.py some_file.json` opens that file in the app (which explains a missing or broken file).
    looks_like_file = argv and (argv[0].lower().endswith((".json", ".geojson")) or os.sep in argv[0])
    if argv and argv[0] not in COMMANDS and (looks_like_file or Path(argv[0]).exists()):
        argv = ["open", *argv]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message
        return int(exc.code or 0) and EXIT_USAGE
    command = args.command or "open"
    if command == "open" and not hasattr(args, "file"):
        args.file = None
    try:
        return COMMANDS[command](args)
    except ScenarioFileError as exc:
        _say(_report(exc), err=True)
        return EXIT_INVALID
    except BrokenPipeError:
        # The reader went away (`| head`): say nothing more, like any Unix tool.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        from planner.storage.oserrors import describe_os_error

        _say(f"错误 / error: {printable(describe_os_error(exc))}", err=True)
        return EXIT_USAGE
    except ValueError as exc:
        _say(f"错误 / error: {printable(exc)}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if os.environ.get("PLANNER_DEBUG"):
            raise
        _say(
            f"内部错误 / internal error: {type(exc).__name__}: {printable(exc)}\n"
            "请报告此问题；设置 PLANNER_DEBUG=1 可查看详细信息 / please report this; set PLANNER_DEBUG=1 for details",
            err=True,
        )
        return EXIT_INTERNAL
