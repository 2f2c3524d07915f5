"""Command line: ``python main.py [FILE]`` opens the app; subcommands compute and export headless.

Subcommands::

    validate FILE                       check a scenario file; exit 0 when valid, 1 with one line per problem
    summary FILE [--year Y] [--json]    the scenario's figures per district, as a table or one JSON object
    compare A B [--year Y] [--json]     per-district deltas and the features added, removed and changed
    export FILE --geojson DIR           one WGS-84 GeoJSON file per layer (districts, parks, sites, zones)

Errors are reported as messages naming the file and the problem, never as a traceback (set
``PLANNER_DEBUG=1`` to see one when reporting a bug).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
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
    e = sub.add_parser("export", help="导出图层 / export layers")
    e.add_argument("file", help="scenario file (.json)")
    e.add_argument("--geojson", metavar="DIR", required=True, help="folder for one GeoJSON file per layer")
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
        print(exc.report(limit=10_000), file=sys.stderr)
        n = len(exc.problems)
        print(f"无效 / INVALID: {n} problem{'s' if n != 1 else ''} in {args.file}", file=sys.stderr)
        return EXIT_INVALID
    print(
        f"有效 / VALID: {args.file} — {scenario.name}: {len(scenario.parks)} parks, {len(scenario.sites)} sites, "
        f"{len(scenario.zones)} zones, {len(scenario.investments)} investment items"
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


def _number(v: float) -> str:
    """A count as a whole number, anything else with one decimal."""
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _pct(v) -> str:
    return "—" if v is None else f"{v:.2f}"


def _format_summary(data: dict) -> str:
    from planner.analysis.investment import format_wan

    sc = data["scenario"]
    lines = [f"{sc['name']}（截至 {sc['year']} 年底 / as of end-{sc['year']}）", ""]
    lines.append(
        f"{_ljust('区县', 6)} {'District':<10} {_rjust('人口 Pop.', 10)} {_rjust('面积km²', 7)} {_rjust('园区', 4)} "
        f"{_rjust('站点', 6)} {'5G%':>7} {'5G-A%':>7} {'F5G%':>7} {_rjust('投资 Investment', 14)}  一区一品 Product"
    )
    for d in data["districts"]:
        lines.append(
            f"{_ljust(d['name'], 6)} {d['name_en']:<10} {d['population']:>10,} {d['area_km2']:>7.1f} {d['parks']:>4} "
            f"{d['sites']:>6,} {_pct(d['coverage_5g_pct']):>7} {_pct(d['coverage_5ga_pct']):>7} "
            f"{_pct(d['coverage_f5g_pct']):>7} {format_wan(d['investment_wan']):>14}  "
            f"{d['product'] or '未分配 / unassigned'}"
        )
    c, t = data["city"], data["totals"]
    rest_wan = t["investment_wan"] - sum(d["investment_wan"] for d in data["districts"])
    if t["sites_at_sea"] or abs(rest_wan) >= 0.05:
        # What no district holds, so that the district rows add up to the city row.
        lines.append(
            f"{_ljust('其他', 6)} {'Other':<10} {'':>10} {'':>7} {'':>4} {t['sites_at_sea']:>6,} "
            f"{'':>7} {'':>7} {'':>7} {format_wan(rest_wan):>14}  海上站点、全市性投资 / sites at sea, citywide items"
        )
    lines.append(
        f"{_ljust('全市', 6)} {'City':<10} {'':>10} {c['area_km2']:>7.1f} {t['parks']:>4} {t['sites']:>6,} "
        f"{_pct(c['coverage_5g_pct']):>7} {_pct(c['coverage_5ga_pct']):>7} {_pct(c['coverage_f5g_pct']):>7} "
        f"{format_wan(t['investment_wan']):>14}"
    )
    if data["zones"]:
        lines += ["", f"  {_ljust('重点区域 Zones', 20)} {'5G%':>7} {'5G-A%':>7} {'F5G%':>7} {_rjust('双万兆%', 8)}"]
        for z in data["zones"]:
            lines.append(
                f"  {_ljust(z['name'], 20)} {_pct(z['coverage_5g_pct']):>7} {_pct(z['coverage_5ga_pct']):>7} "
                f"{_pct(z['coverage_f5g_pct']):>7} {_pct(z.get('coverage_dual_pct')):>8}"
            )
    lines += ["", "目标进度 Targets"]
    for tg in data["targets"]:
        value = "—" if tg["value"] is None else _number(tg["value"])
        share = "" if tg["share"] is None else f"  ({tg['share']:.0%})"
        note = f"  [{tg['note']}]" if tg.get("note") else ""
        lines.append(f"  {tg['year']} {tg['label']}: {value} / {_number(tg['target'])} {tg['unit']}{share}{note}")
    lines.append("")
    lines.append(
        f"合计 Total: {t['parks']} parks ({t['sck_parks']} 数创港), {t['sites']:,} sites, "
        f"{t['computing_pflops']:,.0f} PFLOPS, {t['data_enterprises']:,} data enterprises, "
        f"investment {format_wan(t['investment_wan'])}"
    )
    if t.get("missing_unit_costs"):
        lines.append(f"注：单价缺失 / missing unit costs: {', '.join(t['missing_unit_costs'])}")
    if data.get("synthetic_sites"):
        lines.append("注：站点为合成示意数据 / Note: sites are synthetic.")
    return "\n".join(lines)


def _format_compare(data: dict) -> str:
    a, b = data["a"], data["b"]
    lines = [f"比较 Compare（截至 {data['year']} 年底）: A = {a['name']}  →  B = {b['name']}", ""]
    lines.append(
        f"{_ljust('区县', 6)} {_rjust('园区Δ', 6)} {_rjust('站点Δ', 8)} {'5G% Δ':>8} {'5G-A% Δ':>8} {'F5G% Δ':>8} "
        f"{_rjust('投资Δ 万元', 14)}"
    )
    for d in data["districts"]:
        lines.append(
            f"{_ljust(d['name'], 6)} {d['parks']['delta']:>+6} {d['sites']['delta']:>+8,} "
            f"{d['coverage_5g_pct']['delta']:>+8.2f} {d['coverage_5ga_pct']['delta']:>+8.2f} "
            f"{d['coverage_f5g_pct']['delta']:>+8.2f} {d['investment_wan']['delta']:>+14,.1f}"
            + (
                f"  一区一品: {d['product']['a'] or '—'} → {d['product']['b'] or '—'}"
                if d["product"]["changed"]
                else ""
            )
        )
    city = data["city"]
    lines.append(
        f"{_ljust('全市', 6)} {data['totals']['parks']['delta']:>+6} {data['totals']['sites']['delta']:>+8,} "
        f"{city['coverage_5g_pct']['delta']:>+8.2f} {city['coverage_5ga_pct']['delta']:>+8.2f} "
        f"{city['coverage_f5g_pct']['delta']:>+8.2f} {data['totals']['investment_wan']['delta']:>+14,.1f}"
    )
    if data["zones"]:
        lines += [
            "",
            f"  {_ljust('重点区域 Zones', 20)} {'5G% Δ':>8} {'5G-A% Δ':>8} {'F5G% Δ':>8} {_rjust('双万兆% Δ', 10)}",
        ]
        for z in data["zones"]:
            d = [
                z[k]["delta"] for k in ("coverage_5g_pct", "coverage_5ga_pct", "coverage_f5g_pct", "coverage_dual_pct")
            ]
            lines.append(
                f"  {_ljust(z['name'], 20)} "
                + " ".join("—".rjust(8) if v is None else f"{v:>+8.2f}" for v in d[:3])
                + (" " + ("—".rjust(10) if d[3] is None else f"{d[3]:>+10.2f}"))
            )
    if data["targets"]:
        lines += ["", "目标 Targets (A → B)"]
        for tg in data["targets"]:
            a = "—" if tg["a"] is None else _number(tg["a"])
            lines.append(f"  {tg['year']} {tg['label']}: {a} → {_number(tg['b'])} / {_number(tg['target'])}")
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
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(_format_summary(data))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    """``compare A B [--year Y] [--json]``."""
    from planner.analysis.compare import compare

    data = compare(_load(args.a), _load(args.b), args.year)
    print(json.dumps(data, ensure_ascii=False) if args.json else _format_compare(data))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """``export FILE --geojson DIR``."""
    from planner.reports.geojson_export import export_geojson

    if not args.geojson.strip():
        raise ValueError("--geojson needs a folder to write into")
    scenario = _load(args.file)
    written = export_geojson(scenario, Path(args.geojson))
    for path, count in written:
        print(f"{path}: {count} features")
    return EXIT_OK


def cmd_open(args: argparse.Namespace) -> int:
    """Open the desktop application."""
    from planner.ui.app import run_app

    return run_app(args.file)


COMMANDS = {
    "validate": cmd_validate,
    "summary": cmd_summary,
    "compare": cmd_compare,
    "export": cmd_export,
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
        print(exc.report(), file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        # The reader went away (`| head`): say nothing more, like any Unix tool.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (OSError, ValueError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if os.environ.get("PLANNER_DEBUG"):
            raise
        print(
            f"内部错误 / internal error: {type(exc).__name__}: {exc}\n"
            "请报告此问题；设置 PLANNER_DEBUG=1 可查看详细信息 / please report this; set PLANNER_DEBUG=1 for details",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
