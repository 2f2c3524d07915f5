"""Reported values (指标填报): every official target gets a value — validation, commands, the file, target
progress (stock carried forward, flow not), district sums, the gap, the Excel brief and ``python main.py report``."""

from __future__ import annotations

import json
import math

import openpyxl
import pytest

from planner.analysis.compare import compare
from planner.analysis.gap import NOT_COSTED, target_gap
from planner.analysis.targets import target_progress
from planner.domain import commands as cmd
from planner.domain.features import DISTRICT_ADCODES
from planner.domain.indicators import (
    INDICATORS,
    ReportedValue,
    is_cumulative,
    parse_key,
    parse_value,
    reportable,
    resolve_district,
    validate_reported,
)
from planner.domain.scenario import COLLECTIONS, Target
from planner.geo.basemap import districts
from planner.storage.atomic import save
from planner.storage.fileformat import dumps, load, loads
from planner.storage.problems import ScenarioFileError
from tests.conftest import make_small_scenario, run_cli

YINZHOU, HAISHU = "330212", "330203"


def _targets():
    rows = [
        ("data_products", "累计数据产品", "Data products (cumulative)", 2025, 1200, "件"),
        ("data_products", "累计数据产品", "Data products (cumulative)", 2027, 2000, "件"),
        ("trading_volume", "数据交易额", "Data trading volume", 2025, 7.5, "亿元"),
        ("trading_volume", "数据交易额", "Data trading volume", 2027, 15, "亿元"),
        ("data_enterprises", "数据企业", "Data enterprises", 2025, 500, "家"),
        ("circulation_platforms", "行业数据流通平台", "Industry data circulation platforms", 2027, 10, "个"),
    ]
    return {f"{k}@{y}": Target(k, zh, en, y, v, u, "seed 001") for k, zh, en, y, v, u in rows}


@pytest.fixture
def scenario():
    s = make_small_scenario()
    s.targets.update(_targets())
    return s


def _report(s, *rvs):
    for rv in rvs:
        cmd.set_reported_value(s, rv).do(s)
    return s


def _progress(s, year):
    return {(t.key, t.year): t for t in target_progress(s, year)}


# -- the domain --------------------------------------------------------------------------------------------------
def test_which_indicators_are_reportable_and_which_carry_forward(scenario):
    assert reportable() == ["data_products", "circulation_platforms", "trading_volume", "datasets",
                            "flagship_scenarios", "data_enterprises_outside_parks"]  # fmt: skip
    # A target of the scenario's own that the map does not measure is reportable too; a map indicator never.
    assert reportable(["ai_models", "5g_sites", "data_products"])[-1] == "ai_models"
    assert "5g_sites" not in reportable(["5g_sites"])
    assert [k for k in INDICATORS if not is_cumulative(k)] == ["trading_volume"]
    assert is_cumulative("data_products") and is_cumulative("ai_models")
    assert set(DISTRICT_ADCODES) == {d.adcode for d in districts()}


def test_a_valid_report_and_its_key():
    rv = ReportedValue("data_products", 2025, 1350, "", "市数据局")
    assert validate_reported(rv) == [] and rv.key == "data_products@2025"
    assert ReportedValue("data_products", 2025, 700, YINZHOU).key == "data_products@2025@330212"
    assert validate_reported(ReportedValue("ai_models", 2027, 3), ["ai_models"]) == []


@pytest.mark.parametrize(
    ("rv", "field", "words"),
    [
        (ReportedValue("data_enterprises", 2025, 3), "indicator", "data_enterprises_outside_parks"),
        (ReportedValue("5g_sites", 2025, 3), "indicator", "measured on the map"),
        (ReportedValue("data_prodcts", 2025, 3), "indicator", "expected one of: data_products"),
        (ReportedValue("", 2025, 3), "indicator", "must not be empty"),
        (ReportedValue("data_products", 3025, 3), "year", "outside 1990–2100"),
        (ReportedValue("data_products", 2025, -1), "value", "must not be negative"),
        (ReportedValue("data_products", 2025, math.nan), "value", "must be a number"),
        (ReportedValue("data_products", 2025, True), "value", "must be a number"),
        (ReportedValue("data_products", 2025, 1e13), "value", "implausibly large"),
        (ReportedValue("data_products", 2025, 3, "330200"), "adcode", "ten districts"),
        (ReportedValue("data_products", 2025, 3, "", "\ud800"), "source", "UTF-8"),
        (ReportedValue("data_products", 2025, 3, "", "", 5), "note", "must be text"),
    ],
)
def test_a_report_the_planner_cannot_use_is_refused_naming_the_field(rv, field, words):
    problems = validate_reported(rv)
    assert [f for f, _m in problems] == [field] and words in problems[0][1]


def test_keys_and_values_as_typed():
    assert parse_key("data_products@2025") == ("data_products", 2025, "")
    assert parse_key("trading_volume@2025@鄞州") == ("trading_volume", 2025, YINZHOU)
    assert parse_key("datasets@2026@Haishu") == ("datasets", 2026, HAISHU)
    assert parse_key("datasets@2026@330282") == ("datasets", 2026, "330282")
    assert resolve_district("慈溪市") == "330282" and resolve_district("全市") == ""
    for bad in ("data_products", "data_products@twenty", "@2025", "a@2025@火星", "a@1@2@3"):
        with pytest.raises(ValueError):
            parse_key(bad)
    assert parse_value("1,350") == 1350 and isinstance(parse_value("1350"), int) and parse_value("7.5") == 7.5
    with pytest.raises(ValueError, match="not a number"):
        parse_value("many")


# -- commands ----------------------------------------------------------------------------------------------------
def test_setting_a_value_is_one_labelled_undoable_change(scenario):
    stack = cmd.CommandStack(scenario)
    stack.push(cmd.set_reported_value(scenario, ReportedValue("data_products", 2025, 1350)))
    assert stack.undo_label == "填报：累计数据产品 2025"
    assert scenario.reported["data_products@2025"].value == 1350
    # Replacing is one change from the old value to the new.
    command = cmd.set_reported_value(scenario, ReportedValue("data_products", 2025, 1400))
    assert len(command.changes) == 1 and command.changes[0].old.value == 1350
    stack.push(command)
    stack.undo()
    assert scenario.reported["data_products@2025"].value == 1350
    stack.undo()
    assert scenario.reported == {}
    stack.redo()
    assert scenario.reported["data_products@2025"].value == 1350


def test_a_districts_value_names_the_district_and_clearing_is_a_command(scenario):
    stack = cmd.CommandStack(scenario)
    stack.push(cmd.set_reported_value(scenario, ReportedValue("trading_volume", 2025, 2.1, YINZHOU)))
    assert stack.undo_label == "填报：数据交易额 2025 鄞州区"
    stack.push(cmd.clear_reported_value(scenario, "trading_volume@2025@330212"))
    assert stack.undo_label == "清除填报：数据交易额 2025 鄞州区" and scenario.reported == {}
    stack.undo()
    assert scenario.reported["trading_volume@2025@330212"].value == 2.1
    with pytest.raises(ValueError, match="no reported value"):
        cmd.clear_reported_value(scenario, "datasets@2025")
    with pytest.raises(ValueError, match="already has that value"):
        cmd.set_reported_value(scenario, ReportedValue("trading_volume", 2025, 2.1, YINZHOU))
    with pytest.raises(ValueError, match="value: must not be negative"):
        cmd.set_reported_value(scenario, ReportedValue("trading_volume", 2025, -2, YINZHOU))


def test_reported_is_a_collection_a_copy_does_not_share(scenario):
    assert "reported" in COLLECTIONS
    _report(scenario, ReportedValue("data_products", 2025, 1350))
    other = scenario.copy()
    assert other == scenario
    cmd.clear_reported_value(other, "data_products@2025").do(other)
    assert "data_products@2025" in scenario.reported and other != scenario


# -- the file ----------------------------------------------------------------------------------------------------
def test_reports_round_trip_and_a_file_without_any_has_no_section(scenario, tmp_path):
    assert '"reported"' not in dumps(scenario)  # what a planner before reported values wrote
    _report(scenario, ReportedValue("data_products", 2025, 700, YINZHOU, "鄞州区统计"),
            ReportedValue("data_products", 2025, 650, HAISHU), ReportedValue("trading_volume", 2025, 7.9, "", "", "估"))  # fmt: skip
    text = dumps(scenario)
    assert '{"indicator": "trading_volume", "year": 2025, "value": 7.9, "note": "估"}' in text
    again = loads(text)
    assert again.reported == scenario.reported and dumps(again) == text
    save(scenario, tmp_path / "a.json")
    assert load(tmp_path / "a.json") == scenario


def test_the_bundled_baseline_is_written_byte_for_byte(baseline):
    from planner.paths import BASELINE

    assert baseline.reported == {} and dumps(baseline) == BASELINE.read_text(encoding="utf-8")


def _doc_with(reported) -> str:
    doc = json.loads(dumps(make_small_scenario()))
    doc["reported"] = reported
    return json.dumps(doc, ensure_ascii=False)


def test_every_problem_of_every_report_is_named_on_load():
    text = _doc_with([
        {"indicator": "data_products", "year": 2025, "value": -5, "unit": "件"},
        {"indicator": "trading_volume", "year": 2025},
        {"indicator": "5g_sites", "year": 2025, "value": 3, "adcode": "999999"},
        {"indicator": "datasets", "year": 2026, "value": 4},
        {"indicator": "datasets", "year": 2026, "value": 5},
        "data_products=1350",
    ])  # fmt: skip
    with pytest.raises(ScenarioFileError) as err:
        loads(text, "plan.json")
    messages = [str(p) for p in err.value.problems]
    expected = [
        "reported row 1 (data_products@2025): unknown field 'unit'",
        "reported row 1 (data_products@2025), field value: must not be negative, got -5",
        "reported row 2 (trading_volume@2025): required field 'value' is missing",
        "reported row 3 (5g_sites@2025@999999), field indicator: '5g_sites' is measured on the map",
        "reported row 3 (5g_sites@2025@999999), field adcode: '999999' is not the adcode",
        "reported row 5 (datasets@2026): duplicate: datasets@2026 is reported in row 4 already",
        "reported row 6: must be an object with the fields indicator, year, value",
    ]
    for part in expected:
        assert any(part in m for m in messages), (part, messages)
    assert len(messages) == len(expected)
    with pytest.raises(ScenarioFileError, match="must be a list of reported values"):
        loads(_doc_with({"data_products@2025": 1350}))


# -- target progress ---------------------------------------------------------------------------------------------
def test_a_target_without_a_report_is_not_tracked_and_not_reported(scenario):
    row = _progress(scenario, 2027)[("data_products", 2027)]
    assert row.value is None and row.share is None
    assert "not tracked" in row.note and "未填报 / not reported" in row.note


def test_a_stock_carries_forward_and_a_flow_does_not(scenario):
    _report(scenario, ReportedValue("data_products", 2024, 1000), ReportedValue("trading_volume", 2024, 7.9))
    p = _progress(scenario, 2027)
    assert p[("data_products", 2025)].value == 1000 and p[("data_products", 2025)].share == pytest.approx(1000 / 1200)
    assert p[("data_products", 2025)].note == "沿用 2024 年填报 / carried forward from 2024"
    assert p[("data_products", 2027)].value == 1000  # still the 2024 figure
    assert p[("trading_volume", 2025)].value is None and "not reported" in p[("trading_volume", 2025)].note
    _report(scenario, ReportedValue("data_products", 2025, 1350), ReportedValue("trading_volume", 2025, 8.2))
    p = _progress(scenario, 2027)
    assert (
        p[("data_products", 2025)].value == 1350 and p[("data_products", 2025)].note == "填报 2025 / reported for 2025"
    )
    assert p[("data_products", 2027)].value == 1350 and "carried forward from 2025" in p[("data_products", 2027)].note
    assert p[("trading_volume", 2025)].value == 8.2 and p[("trading_volume", 2025)].share == pytest.approx(8.2 / 7.5)
    assert p[("trading_volume", 2027)].value is None  # a year's turnover is not next year's
    # Asked as of 2025, the 2027 target shows the 2025 figure (a later report is not yet known).
    _report(scenario, ReportedValue("data_products", 2026, 1800))
    assert _progress(scenario, 2025)[("data_products", 2027)].value == 1350
    assert _progress(scenario, 2027)[("data_products", 2027)].value == 1800


def test_districts_add_up_unless_the_city_reports_its_total(scenario):
    _report(
        scenario, ReportedValue("data_products", 2025, 700, YINZHOU), ReportedValue("data_products", 2025, 650, HAISHU)
    )
    row = _progress(scenario, 2025)[("data_products", 2025)]
    assert row.value == 1350 and "按区县合计" in row.note and "sum of districts (2)" in row.note
    _report(scenario, ReportedValue("data_products", 2025, 1420))
    row = _progress(scenario, 2025)[("data_products", 2025)]
    assert row.value == 1420 and row.note == "填报 2025 / reported for 2025"


def test_data_enterprises_are_the_parks_plus_those_reported_outside_parks(scenario):
    in_parks = _progress(scenario, 2025)[("data_enterprises", 2025)].value
    assert in_parks == sum(p.data_enterprises for p in scenario.parks.values() if p.open_year <= 2025)
    _report(scenario, ReportedValue("data_enterprises_outside_parks", 2024, 380))
    row = _progress(scenario, 2025)[("data_enterprises", 2025)]
    assert row.value == in_parks + 380 and row.share == pytest.approx((in_parks + 380) / 500)
    assert f"园区 {in_parks:,.0f} 家 + 园区外 380 家" in row.note and "carried forward from 2024" in row.note


def test_a_custom_target_of_the_scenario_takes_its_report(scenario):
    scenario.targets["ai_models@2027"] = Target("ai_models", "行业大模型", "Industry models", 2027, 12, "个")
    _report(scenario, ReportedValue("ai_models", 2026, 9))
    assert _progress(scenario, 2027)[("ai_models", 2027)].value == 9


# -- the gap, the brief, compare ---------------------------------------------------------------------------------
def test_gap_rows_get_the_reported_value_and_gap_but_stay_not_costed(scenario):
    _report(scenario, ReportedValue("data_products", 2025, 1350), ReportedValue("trading_volume", 2025, 6.0))
    rows = {r.key: r for r in target_gap(scenario, 2025).rows}
    tv = rows["trading_volume"]
    assert tv.value == 6.0 and tv.gap == pytest.approx(1.5) and not tv.reached
    assert (
        tv.cost_wan is None and tv.reason == NOT_COSTED["trading_volume"] and tv.note == "填报 2025 / reported for 2025"
    )
    dp = rows["data_products"]
    assert dp.value == 1350 and dp.gap == 0 and dp.reached
    assert dp.cost_wan is None and dp.reason == NOT_COSTED["data_products"]  # reached, still not costed
    d = target_gap(scenario, 2025).as_dict()
    assert "trading_volume" in d["not_costed"] and "data_products" not in d["not_costed"]


def test_the_brief_target_sheet_shows_a_reported_value(scenario, tmp_path):
    from planner.reports.excel_brief import write_brief

    _report(
        scenario, ReportedValue("data_products", 2025, 700, YINZHOU), ReportedValue("data_products", 2025, 650, HAISHU)
    )
    path = write_brief(scenario, tmp_path / "brief.xlsx", year=2027)
    rows = [r for r in openpyxl.load_workbook(path)["目标进度"].iter_rows(values_only=True)][2:]
    row = next(r for r in rows if r[0] == "累计数据产品" and r[1] == 2025)
    assert row[2] == 1200 and row[3] == 1350 and row[4] == pytest.approx(1.125) and "按区县合计" in row[7]
    untracked = next(r for r in rows if r[0] == "数据交易额" and r[1] == 2025)
    assert untracked[3] is None and "未填报" in untracked[7]


def test_compare_shows_a_reported_target_of_both_scenarios(scenario):
    a = scenario.copy()
    b = _report(scenario.copy(), ReportedValue("data_products", 2025, 1350))
    targets = {(t["key"], t["year"]): t for t in compare(a, b, 2025)["targets"]}
    assert targets[("data_products", 2025)]["a"] is None and targets[("data_products", 2025)]["b"] == 1350


# -- the command line --------------------------------------------------------------------------------------------
def test_report_sets_clears_and_prints(scenario, tmp_path):
    src, out = tmp_path / "a.json", tmp_path / "b.json"
    save(scenario, src)
    r = run_cli("report", str(src), "--set", "data_products@2025@鄞州=700", "--set", "data_products@2025@海曙=650",
                "--set", "trading_volume@2025=8.2", "--source", "市数据局", "-o", str(out))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "填报：累计数据产品 2025 鄞州区" in r.stdout and "2025 累计数据产品: 1,350 / 1,200 件" in r.stdout
    written = load(out)
    assert written.reported["data_products@2025@330212"].value == 700
    assert written.reported["trading_volume@2025"].source == "市数据局"
    assert load(src).reported == {}  # the source file is untouched
    r = run_cli("report", str(out), "--clear", "trading_volume@2025", "--json")  # in place, keeping a .bak
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [x["key"] for x in data["reported"]] == ["data_products@2025@330203", "data_products@2025@330212"]
    feeds = {(t["key"], t["year"]): t for t in data["targets"]}
    assert feeds[("data_products", 2025)]["value"] == 1350 and feeds[("trading_volume", 2025)]["value"] is None
    assert "trading_volume@2025" not in load(out).reported and (tmp_path / "b.json.bak").exists()
    r = run_cli("summary", str(out), "--year", "2025")
    assert r.returncode == 0 and "累计数据产品: 1,350 / 1,200 件  (112%)" in r.stdout


def test_report_refuses_bad_keys_and_writes_nothing(scenario, tmp_path):
    src = tmp_path / "a.json"
    save(scenario, src)
    before = src.read_bytes()
    r = run_cli("report", str(src), "--set", "data_products@2025=1350", "--set", "data_enterprises@2025=3",
                "--set", "data_products@2025@火星=1", "--clear", "datasets@2025", "--set", "datasets@2025=lots")  # fmt: skip
    assert r.returncode == 1
    for part in ("data_enterprises_outside_parks", "not one of Ningbo's districts", "no reported value 'datasets@2025'",
                 "not a number", "未写出 / not written", "4 项有误 / 4 refused"):  # fmt: skip
        assert part in r.stderr, (part, r.stderr)
    assert src.read_bytes() == before and "Traceback" not in r.stderr
    r = run_cli("report", str(src))
    assert r.returncode == 0 and "无填报值 / no reported values" in r.stdout and "not reported" in r.stdout
