"""Blank Excel templates that officials fill in and import back (``python main.py template --sites OUT.xlsx``).

Each template has a data sheet whose headers name every field in Chinese and English (``经度 lon``: the importer
recognises either word), drop-down lists of the allowed values for the fields that have a vocabulary (kinds, bands,
operators, statuses, districts, funding sources), and a 说明 (help) sheet that explains each column — required or
not, its unit, its allowed values — with an example row. The example lives on the help sheet, not in the data
sheet, so a template filled in without deleting it imports nothing that was not typed. The lists sit on a hidden
sheet 列表, which the importer skips, as it skips 说明.
"""

from __future__ import annotations

import io
from pathlib import Path

from planner.storage.import_columns import LAYER_FIELDS, FieldSpec

#: Rows the drop-down lists and number formats cover.
TEMPLATE_ROWS = 5000
#: Bands offered in the drop-down (MHz; any other whole number is accepted too).
COMMON_BANDS = (700, 900, 1800, 2100, 2600, 3500, 4900)

#: An example row per layer (field → value), shown on the help sheet.
EXAMPLES: dict[str, dict[str, object]] = {
    "sites": {"id": "NB-000001", "lon": 121.5505, "lat": 29.8735, "kind": "5G宏站", "operator": "中国移动",
              "band_mhz": 3500, "height_m": 30, "environment": "城区", "open_year": 2026, "capex_wan": 35},
    "parks": {"id": "", "name": "示例数字产业园", "kind": "数字经济产业园", "district": "鄞州区", "status": "规划",
              "open_year": 2026, "area_ha": 50, "capex_wan": 20000, "data_enterprises": 30, "lon": 121.56,
              "lat": 29.82, "focus": "工业互联网"},
    "zones": {"name": "示例双万兆区域", "kind": "双万兆重点区域", "open_year": 2027,
              "geometry": "POLYGON ((121.50 29.85, 121.56 29.85, 121.56 29.89, 121.50 29.89, 121.50 29.85))"},
    "investments": {"project": "示例 5G-A 升级工程", "district": "北仑区", "category": "5G-A升级", "year": 2026,
                    "amount_wan": 1200, "funding": "社会资本"},
}  # fmt: skip

_KIND_WORDS = {
    "text": ("文字", "text"),
    "number": ("数字", "number"),
    "count": ("整数", "whole number"),
    "year": ("年份", "year"),
    "band": ("频段 MHz（如 3500，或 3.5GHz、n78）", "band in MHz (3500, or 3.5GHz, n78)"),
    "flag": ("是/否", "yes/no"),
    "district": ("区县名称或代码（如 鄞州区 / 330212）", "district name or adcode"),
    "key": ("从下拉列表选择", "one of the list"),
    "geometry": ("WKT 几何（如 POLYGON ((…))）", "WKT geometry"),
}
_UNITS = {"lon": "°E", "lat": "°N", "height_m": "m", "radius_m": "m", "capex_wan": "万元", "amount_wan": "万元",
          "area_ha": "公顷 ha", "computing_pflops": "PFLOPS"}  # fmt: skip


def header(spec: FieldSpec) -> str:
    """A column's header: ``经度 lon``."""
    return f"{spec.zh} {spec.name}"


def _columns(layer: str) -> list[FieldSpec]:
    return list(LAYER_FIELDS[layer])


def _allowed(spec: FieldSpec) -> list[str]:
    """The drop-down values of a field (Chinese labels, which the importer reads), or []."""
    if spec.kind == "key" and spec.vocabulary is not None:
        return [zh for zh, _en in spec.vocabulary.values()]
    if spec.kind == "district":
        from planner.geo.basemap import districts

        names = [d.name_zh for d in districts()]
        return ["全市", *names] if spec.default == "" else names
    if spec.kind == "band":
        return [str(b) for b in COMMON_BANDS]
    if spec.kind == "flag":
        return ["是", "否"]
    return []


def template_bytes(layer: str) -> bytes:
    """The template workbook for ``layer`` as XLSX bytes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if layer not in LAYER_FIELDS:
        raise ValueError(f"unknown layer {layer!r}: one of {', '.join(LAYER_FIELDS)}")
    specs = _columns(layer)
    wb = Workbook()
    ws = wb.active
    ws.title = "数据 data"
    lists = wb.create_sheet("列表")
    lists.sheet_state = "hidden"
    help_ws = wb.create_sheet("说明")
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FCE4D6")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    example = EXAMPLES[layer]
    list_col = 0
    for c, spec in enumerate(specs, start=1):
        cell = ws.cell(row=1, column=c, value=header(spec))
        cell.font = bold
        cell.fill = required_fill if spec.required else optional_fill
        cell.alignment = Alignment(horizontal="center")
        zh_kind, en_kind = _KIND_WORDS[spec.kind]
        need = "必填 required" if spec.required else "选填 optional"
        cell.comment = Comment(f"{need}；{zh_kind} / {en_kind}" + (f"；例 e.g. {example[spec.name]}"
                               if spec.name in example and example[spec.name] != "" else ""), "planner")  # fmt: skip
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = max(12, 2 * len(spec.zh) + len(spec.name) + 4)
        allowed = _allowed(spec)
        if allowed:
            list_col += 1
            lc = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=spec.name)
            for r, value in enumerate(allowed, start=2):
                lists.cell(row=r, column=list_col, value=value)
            # showErrorMessage / showInputMessage default to off in the file format: without them Excel takes any
            # value without a word, and never shows the prompt.
            dv = DataValidation(type="list", formula1=f"=列表!${lc}$2:${lc}${len(allowed) + 1}", allow_blank=True,
                                showErrorMessage=True, showInputMessage=True)  # fmt: skip
            if spec.kind == "band":
                dv.errorStyle = "warning"  # other bands are fine; the list only offers the usual ones
                dv.error = "不是常用频段，仍可保留 Not one of the usual bands: keep it if it is right"
            else:
                dv.error = "请从列表中选择 Choose a value from the list"
            dv.errorTitle = spec.zh
            dv.promptTitle = spec.zh
            dv.prompt = f"{spec.zh} {spec.name}：从列表中选择 choose from the list"
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        if spec.kind in ("number", "year", "count", "band") and spec.name not in ("lon", "lat"):
            fmt = "0" if spec.kind in ("year", "count", "band") else "#,##0.##"
            for r in range(2, 202):  # formats where typing starts; Excel carries them down as rows are added
                ws.cell(row=r, column=c).number_format = fmt
        elif spec.name in ("lon", "lat"):
            for r in range(2, 202):
                ws.cell(row=r, column=c).number_format = "0.0000000"
    ws.freeze_panes = "A2"
    _print_setup(ws, title_rows="1:1")
    # The help sheet: one row per column, then the example.
    help_ws.append(["列 column", "必填 required", "类型 type", "单位 unit", "可选值 allowed values", "说明 note"])
    for cell in help_ws[1]:
        cell.font = bold
    for spec in specs:
        zh_kind, en_kind = _KIND_WORDS[spec.kind]
        default = spec.default if spec.default not in (None, "", "base_year") else ""
        if spec.default == "base_year":
            default = "情景基准年 the scenario's base year"
        help_ws.append([
            header(spec),
            "是 yes" if spec.required else "否 no",
            f"{zh_kind} / {en_kind}",
            _UNITS.get(spec.name, ""),
            "、".join(_allowed(spec))[:250],
            f"空白时取 blank means: {default}" if default != "" else "",
        ])  # fmt: skip
    help_ws.append([])
    help_ws.append(["示例行 example row (在“数据”表中填写 fill in the data sheet)"])
    help_ws.cell(row=help_ws.max_row, column=1).font = bold
    for spec in specs:  # one line per column, as the table above: a row across would be cut at the page edge
        help_ws.append([header(spec), "", "", "", example.get(spec.name, "")])
    help_ws.append([])
    help_ws.append(["坐标默认为 WGS-84；高德/腾讯坐标为 GCJ-02，百度坐标为 BD-09，导入时请选择坐标系。"])
    help_ws.append(["Coordinates are WGS-84 unless you choose GCJ-02 (AMap, Tencent) or BD-09 (Baidu) on import."])
    for col, width in zip("ABCDEF", (26, 12, 30, 10, 60, 44), strict=True):
        help_ws.column_dimensions[col].width = width
    for row in help_ws.iter_rows(min_row=2, max_row=len(specs) + 1, max_col=6):  # the field rows; the notes run on
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _print_setup(help_ws, title_rows="1:1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _print_setup(ws, *, title_rows: str) -> None:
    """Landscape A4, as wide as one page (as many pages down as it takes), the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows


def write_template(layer: str, path: str | Path) -> Path:
    """Write the template for ``layer`` to ``path`` (atomically)."""
    from planner.storage.atomic import atomic_write_bytes

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"{path.name}: a template is written as .xlsx")
    atomic_write_bytes(path, template_bytes(layer), keep_backup=False)
    return path


__all__ = ["EXAMPLES", "header", "template_bytes", "write_template"]
