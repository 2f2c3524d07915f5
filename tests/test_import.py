"""Importing sites, parks, zones and investment items from the files others send (issue 9, "Import")."""

from __future__ import annotations

import csv
import json
import secrets
import zipfile

import numpy as np
import openpyxl
import pytest
import shapely

from planner.cli import main
from planner.geo.chinacrs import wgs84_to_bd09, wgs84_to_gcj02
from planner.geo.crs import to_metric
from planner.paths import BASELINE
from planner.storage import import_sources
from planner.storage.fileformat import load
from planner.storage.import_sources import SourceError, read_source
from planner.storage.import_templates import EXAMPLES, write_template
from planner.storage.importer import MappingError, apply_import, parse_band, read_import

#: Points known in WGS-84 (on land in 海曙, 北仑 and 余姚).
KNOWN = [(121.5505, 29.8735), (121.8440, 29.9000), (121.1540, 30.0380)]
SITE_HEAD = ["编号", "经度", "纬度", "运营商", "频段", "挂高（m）", "类型", "场景", "建成年份", "投资额（万元）"]


@pytest.fixture(scope="module")
def base():
    return load(BASELINE)


@pytest.fixture
def scenario(base):
    return base.copy()


def _site_rows(points, datum="wgs84"):
    rows = []
    for i, (lon, lat) in enumerate(points):
        if datum == "gcj02":
            lon, lat = wgs84_to_gcj02(lon, lat)
        elif datum == "bd09":
            lon, lat = wgs84_to_bd09(lon, lat)
        rows.append([f"T{i}", f"{lon:.8f}", f"{lat:.8f}", "中国移动", "3.5GHz", 30, "宏站", "城区", 2026, 35])
    return rows


def _write_csv(path, head, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(rows)
    return path


def _error_m(lon, lat, lon2, lat2) -> float:
    x, y = to_metric([lon, lon2], [lat, lat2])
    return float(np.hypot(x[0] - x[1], y[0] - y[1]))


# ------------------------------------------------------------------------------------------------ formats
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_chinese_excel_writes(tmp_path, scenario, encoding):
    path = _write_csv(tmp_path / "sites.csv", SITE_HEAD, _site_rows(KNOWN), encoding)
    report = read_import(path, "sites", scenario)
    assert report.ok and len(report.features) == 3
    site = report.features[0]
    assert (site.kind, site.operator, site.band_mhz, site.environment, site.source) == (
        "5g_macro", "cmcc", 3500, "urban", "imported")  # fmt: skip
    assert (site.height_m, site.open_year, site.capex_wan) == (30.0, 2026, 35.0)
    assert ("GBK" in report.text()) == encoding.startswith("gb")


def test_xlsx_reads_values_never_formulas(tmp_path, scenario):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(SITE_HEAD)
    for row in _site_rows(KNOWN):
        ws.append(row)
    ws["J2"] = "=1+1"  # a formula: its cached value (none, written by openpyxl) is read, never evaluated
    wb.save(tmp_path / "s.xlsx")
    report = read_import(tmp_path / "s.xlsx", "sites", scenario)
    assert len(report.features) == 3
    assert report.features[0].capex_wan is None  # no cached value: an empty cell, not 2 and not "=1+1"


def _frame(geoms, crs, **columns):
    import geopandas as gpd

    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp"])
def test_gis_files_with_their_declared_crs(tmp_path, scenario, suffix):
    # A projected CRS (CGCS2000 / 3-degree Gauss-Kruger CM 120°E… no: UTM 51N, EPSG:32651), as a bureau's file.
    import pyproj

    t = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32651", always_xy=True)
    pts = [shapely.Point(*t.transform(lon, lat)) for lon, lat in KNOWN]
    df = _frame(pts, "EPSG:32651", 名称=["甲", "乙", "丙"], 类型=["宏站"] * 3, 运营商=["电信"] * 3,
                频段=[3500] * 3, 挂高=[25.0] * 3)  # fmt: skip
    path = tmp_path / f"sites{suffix}"
    df.to_file(path)
    report = read_import(path, "sites", scenario)
    assert report.ok, report.text()
    assert report.crs == "EPSG:32651"
    for site, (lon, lat) in zip(report.features, KNOWN, strict=True):
        assert _error_m(site.lon, site.lat, lon, lat) < 0.01
        assert site.operator == "ctcc"


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_a_point_known_in_wgs84_lands_within_a_metre_after_a_chinese_datum_import(tmp_path, scenario, datum):
    path = _write_csv(tmp_path / "s.csv", SITE_HEAD, _site_rows(KNOWN, datum))
    report = read_import(path, "sites", scenario, crs=datum)
    assert report.ok
    for site, (lon, lat) in zip(report.features, KNOWN, strict=True):
        assert _error_m(site.lon, site.lat, lon, lat) < 1.0
    # Read as WGS-84 by mistake, the same file is hundreds of metres off: the option matters.
    wrong = read_import(path, "sites", scenario)
    assert _error_m(wrong.features[0].lon, wrong.features[0].lat, *KNOWN[0]) > 300


def test_a_gcj02_file_declared_as_wgs84_is_read_as_asked(tmp_path, scenario):
    pts = [shapely.Point(*wgs84_to_gcj02(lon, lat)) for lon, lat in KNOWN]
    df = _frame(pts, "EPSG:4326", kind=["5g_a"] * 3, operator=["cmcc"] * 3, band_mhz=[4900] * 3,
                height_m=[30.0] * 3)  # fmt: skip
    df.to_file(tmp_path / "amap.geojson")
    report = read_import(tmp_path / "amap.geojson", "sites", scenario, crs="gcj02")
    assert all(_error_m(s.lon, s.lat, *p) < 1.0 for s, p in zip(report.features, KNOWN, strict=True))


def test_a_bureaus_zone_file_in_geopackage(tmp_path, scenario):
    square = shapely.box(121.50, 29.85, 121.56, 29.89)
    bowtie = shapely.Polygon([(121.5, 29.8), (121.6, 29.9), (121.6, 29.8), (121.5, 29.9)])
    df = _frame([square, bowtie], "EPSG:4490", 区域名称=["东部新城", "交叉"], 区域类型=["双万兆", "功能区"])
    df.to_file(tmp_path / "zones.gpkg", layer="重点区域")
    report = read_import(tmp_path / "zones.gpkg", "zones", scenario)
    assert [z.name for z in report.features] == ["东部新城"]
    assert report.features[0].kind == "priority"
    assert report.rejected[0].row == 2 and "Self-intersection" in " ".join(report.rejected[0].reasons)
    assert report.crs == "cgcs2000"


# ------------------------------------------------------------------------------------------------ rejections
def test_every_rejection_reason_is_reported_with_its_row(tmp_path, scenario):
    existing = next(iter(scenario.sites))
    good = _site_rows(KNOWN)[0]
    cases = {
        "missing coordinates": [*good[:1], "", "", *good[3:]],
        "unparseable coordinates": [good[0], "121°33'", good[2], *good[3:]],
        "outside Ningbo": [good[0], "116.40", "39.90", *good[3:]],
        "swapped": [good[0], good[2], good[1], *good[3:]],
        "on a neighbour's land": [good[0], "121.00", "29.30", *good[3:]],  # 绍兴/台州 side
        "unknown kind": [*good[:6], "卫星站", *good[7:]],
        "unknown band": [*good[:4], "9GHz", *good[5:]],
        "negative cost": [*good[:9], "-10"],
        "non-numeric cost": [*good[:9], "三十"],
        "year out of range": [*good[:8], "1850", good[9]],
        "duplicate id in file": good,
        "id already in the scenario": [existing, *good[1:]],
        "unknown operator": [*good[:3], "中国铁路", *good[4:]],
    }
    rows = [good] + [[f"R{i}" if j == 0 and name not in ("duplicate id in file", "id already in the scenario")
                      else v for j, v in enumerate(r)] for i, (name, r) in enumerate(cases.items())]  # fmt: skip
    path = _write_csv(tmp_path / "bad.csv", SITE_HEAD, rows)
    report = read_import(path, "sites", scenario)
    assert len(report.features) == 1 and len(report.rejected) == len(cases)
    by_row = {r.row: " ".join(r.reasons) for r in report.rejected}
    expect = {
        "missing coordinates": "no coordinates",
        "unparseable coordinates": "not a number",
        "outside Ningbo": "outside Ningbo",
        "swapped": "swapped",
        "on a neighbour's land": "on the land of",
        "unknown kind": "unknown value '卫星站'",
        "unknown band": "unknown band",
        "negative cost": "must not be negative",
        "non-numeric cost": "'三十': 不是数字 not a number",
        "year out of range": "outside 1990–2100",
        "duplicate id in file": "duplicate of row 2",
        "id already in the scenario": "already exists in the scenario",
        "unknown operator": "unknown value '中国铁路'",
    }
    for i, name in enumerate(cases):
        assert expect[name] in by_row[i + 3], (name, by_row[i + 3])  # header is line 1, the good row line 2
    text = report.text()
    assert "第 3 行" in text and "row 3" in text


def test_every_problem_of_a_row_is_listed(tmp_path, scenario):
    path = _write_csv(
        tmp_path / "s.csv", SITE_HEAD, [["A", "x", "29.8", "?", "3.5G", "-1", "宏站", "城区", "3000", ""]]
    )
    reasons = " ".join(read_import(path, "sites", scenario).rejected[0].reasons)
    for part in ("lon", "operator", "height_m", "open_year"):
        assert part in reasons


def test_a_missing_required_column_is_named_before_any_row(tmp_path, scenario):
    path = _write_csv(tmp_path / "s.csv", ["经度", "纬度", "类型"], [["121.5", "29.8", "宏站"]])
    with pytest.raises(MappingError, match=r"operator（运营商）.*band_mhz.*height_m"):
        read_import(path, "sites", scenario)
    # ...which a default or a mapping supplies.
    report = read_import(path, "sites", scenario, defaults={"operator": "移动", "band_mhz": "2.6G", "height_m": "30"})
    assert report.ok and report.features[0].band_mhz == 2600


def test_the_report_says_which_defaults_the_rows_took_and_which_columns_were_left_out(tmp_path, scenario):
    path = _write_csv(tmp_path / "s.csv", ["名称", "经度", "纬度", "类型"], [["甲站", "121.5505", "29.8735", "宏站"],
                                                                          ["乙站", "121.8440", "29.9000", "宏站"]])  # fmt: skip
    report = read_import(path, "sites", scenario, defaults={"operator": "移动", "band_mhz": "2.6G", "height_m": "30"})
    text = report.text()
    assert "默认值 defaults used:" in text
    assert "operator（运营商）= cmcc ×2" in text and "environment（场景）= urban ×2" in text
    assert f"open_year（建成年份）= {scenario.base_year} ×2" in text
    assert "未导入的列 columns not imported (no such field of sites): 名称" in text  # the names are not lost silently


def test_an_excel_whole_number_is_shown_as_typed_in_a_rejection(tmp_path, scenario):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(SITE_HEAD)
    row = _site_rows(KNOWN[:1])[0]
    row[8] = 1850.0  # Excel stores every number as a float
    ws.append(row)
    wb.save(tmp_path / "s.xlsx")
    (rejection,) = read_import(tmp_path / "s.xlsx", "sites", scenario).rejected
    assert rejection.reasons == ["open_year（建成年份）: 1850: 年份超出 1990–2100 / year 1850 is outside 1990–2100"]


def test_a_mapping_names_the_column_of_a_field(tmp_path, scenario):
    rows = [[r[1], r[2], "CMCC", "n78", "30", "macro"] for r in _site_rows(KNOWN)]
    path = _write_csv(tmp_path / "s.csv", ["X坐标", "Y坐标", "运营单位", "NR频段", "天线挂高", "站型"], rows)
    with pytest.raises(MappingError):
        read_import(path, "sites", scenario)
    report = read_import(path, "sites", scenario, mapping={"lon": "X坐标", "lat": "Y坐标", "band_mhz": "NR频段"})
    assert report.ok and report.features[0].band_mhz == 3500
    with pytest.raises(MappingError, match="no column 'Z'"):
        read_import(path, "sites", scenario, mapping={"lon": "Z"})


@pytest.mark.parametrize(("text", "mhz"), [("3500", 3500), ("3.5GHz", 3500), ("3.5G", 3500), ("2.6", 2600),
                                           ("n78", 3500), ("700M", 700), (4900, 4900), ("４９００", 4900)])  # fmt: skip
def test_band_spellings(text, mhz):
    assert parse_band(text) == mhz


def test_parks_located_in_their_district_and_investments_by_district_name(tmp_path, scenario):
    rows = [
        ["示例园", "数字经济产业园", "", "121.5505", "29.8735"],
        ["远园", "其他园区", "海曙区", "121.8440", "29.9000"],
    ]
    path = _write_csv(tmp_path / "p.csv", ["名称", "类型", "区县", "经度", "纬度"], rows)
    report = read_import(path, "parks", scenario)
    assert report.features[0].district == "330203"  # located: 海曙区
    assert "outside 海曙区" in " ".join(report.rejected[0].reasons)  # named 海曙区, lies in 北仑区
    rows = [
        ["平台", "全市", "数据平台", "2026", "1,200", "财政"],
        ["光网", "北仑", "F5G光网", "2027", "800", "社会资本"],
    ]
    path = _write_csv(tmp_path / "i.csv", ["项目名称", "区县", "类别", "年份", "金额（万元）", "资金来源"], rows)
    items = read_import(path, "investments", scenario).features
    assert [(i.district, i.category, i.amount_wan, i.funding) for i in items] == [
        ("", "platform", 1200.0, "fiscal"), ("330206", "f5g", 800.0, "private")]  # fmt: skip


# ------------------------------------------------------------------------------------------------ the command
def test_an_accepted_import_is_one_undoable_command(tmp_path, scenario):
    path = _write_csv(tmp_path / "s.csv", SITE_HEAD, _site_rows(KNOWN))
    before = dict(scenario.sites)
    report = read_import(path, "sites", scenario)
    assert scenario.sites == before  # checking changes nothing
    command = apply_import(scenario, report)
    assert command.label == "导入 s.csv（3 个要素）"
    command.do(scenario)
    assert len(scenario.sites) == len(before) + 3
    command.undo(scenario)
    assert scenario.sites == before


# ------------------------------------------------------------------------------------------------ untrusted
def _xlsx_with(tmp_path, name, member, data):
    path = tmp_path / name
    base = tmp_path / "base.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["a"])
    wb.save(base)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != member:
                dst.writestr(item, src.read(item))
        dst.writestr(member, data)
    return path


def test_an_xml_bomb_is_refused_before_parsing(tmp_path):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')  # fmt: skip
    path = _xlsx_with(tmp_path, "bomb.xlsx", "xl/sharedStrings.xml", bomb)
    with pytest.raises(SourceError, match="DTD or entities"):
        read_source(path)


def test_a_zip_bomb_and_a_huge_shared_strings_table_are_refused(tmp_path, monkeypatch):
    path = _xlsx_with(tmp_path, "zip.xlsx", "xl/worksheets/sheet2.xml", b"\0" * (8 * 2**20))
    with pytest.raises(SourceError, match="zip bomb"):
        read_source(path)  # 8 MB of zeros inflates ~1000×
    monkeypatch.setattr(import_sources, "MAX_SHARED_STRINGS_BYTES", 2**20)
    strings = b"<sst><si><t>" + secrets.token_hex(2**20).encode() + b"</t></si></sst>"  # 2 MB that do not compress
    path = _xlsx_with(tmp_path, "sst.xlsx", "xl/sharedStrings.xml", strings)
    with pytest.raises(SourceError, match="shared-strings table"):
        read_source(path)


def test_a_file_that_is_not_what_it_says(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    with pytest.raises(SourceError, match="not a valid XLSX"):
        read_source(tmp_path / "x.xlsx")
    (tmp_path / "x.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(SourceError, match="not a text file"):
        read_source(tmp_path / "x.csv")
    (tmp_path / "x.doc").write_bytes(b"")
    with pytest.raises(SourceError, match="unsupported file type"):
        read_source(tmp_path / "x.doc")


# ------------------------------------------------------------------------------------------------ templates
@pytest.mark.parametrize("layer", ["sites", "parks", "zones", "investments"])
def test_templates_filled_in_import_back(tmp_path, scenario, layer):
    path = write_template(layer, tmp_path / f"{layer}.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["数据 data", "列表", "说明"] and wb["列表"].sheet_state == "hidden"
    ws = wb.worksheets[0]
    heads = [c.value for c in ws[1]]
    assert "编号 id" in heads and ws.data_validations.dataValidation  # drop-down lists
    # ...that Excel enforces, with a message and a prompt (both off unless the file says so).
    assert all(dv.showErrorMessage and dv.showInputMessage and dv.error for dv in ws.data_validations.dataValidation)
    for sheet in (ws, wb["说明"]):  # printed landscape, one page wide, the header on every page
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
    assert read_import(path, layer, scenario).total == 0  # blank: nothing (the example is on the help sheet)
    for c, h in enumerate(heads, start=1):
        ws.cell(row=2, column=c, value=EXAMPLES[layer].get(h.split()[-1]))
    wb.save(path)
    report = read_import(path, layer, scenario)
    assert report.ok and len(report.features) == 1, report.text()


# ------------------------------------------------------------------------------------------------ CLI
def test_cli_import_refuses_with_the_report_unless_accept_valid(tmp_path, capsys):
    rows = [*_site_rows(KNOWN), ["BAD", "x", "29.8", "移动", "3500", "30", "宏站", "城区", "2026", ""]]
    src = _write_csv(tmp_path / "运营商站点.csv", SITE_HEAD, rows, "gbk")
    out = tmp_path / "out.json"
    assert main(["import", str(BASELINE), "--sites", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "第 5 行" in err and "BAD" in err and "not written" in err and not out.exists()
    assert main(["import", str(BASELINE), "--sites", str(src), "-o", str(out), "--accept-valid"]) == 0
    assert len(load(out).sites) == len(load(BASELINE).sites) + 3
    capsys.readouterr()
    assert main(["import", str(BASELINE), "--sites", str(src), "-o", str(out), "--json", "--accept-valid"]) == 0
    data = json.loads(capsys.readouterr().out.splitlines()[0])
    assert data["valid"] == 3 and data["rejected"][0]["row"] == 5


def test_cli_import_with_crs_map_and_template(tmp_path, capsys):
    rows = [[r[1], r[2], "电信", "3500", "25", "5G宏站"] for r in _site_rows(KNOWN, "gcj02")]
    src = _write_csv(tmp_path / "s.csv", ["X", "Y", "运营商", "频段", "挂高", "类型"], rows)
    out = tmp_path / "out.json"
    args = ["import", str(BASELINE), "--sites", str(src), "--map", "X=lon", "--map", "Y=lat", "--crs", "gcj02"]
    assert main([*args, "-o", str(out)]) == 0
    added = [s for s in load(out).sites.values() if s.source == "imported"]
    assert all(_error_m(s.lon, s.lat, *p) < 1.0 for s, p in zip(added, KNOWN, strict=True))
    assert main(["import", str(BASELINE), "--sites", str(src), "-o", str(out), "--crs", "mars"]) == 2
    assert "unknown coordinate system" in capsys.readouterr().err
    assert main(["template", "--sites", str(tmp_path / "t.xlsx")]) == 0 and (tmp_path / "t.xlsx").exists()


def test_a_gbk_shapefile_without_cpg_reads_its_chinese(tmp_path, scenario):
    df = _frame([shapely.box(121.50, 29.85, 121.56, 29.89)], "EPSG:4326", 名称=["东部新城"], 类型=["双万兆"])
    df.to_file(tmp_path / "z.shp", encoding="gbk")
    (tmp_path / "z.cpg").unlink()  # as many Chinese shapefiles come: no code page file
    report = read_import(tmp_path / "z.shp", "zones", scenario)
    assert report.ok and report.features[0].name == "东部新城" and report.features[0].kind == "priority"
    assert any("GBK" in n for n in report.notes)
