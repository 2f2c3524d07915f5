"""The attributes panel: what the selected feature or district is (the identify result)."""

from __future__ import annotations

import dataclasses
import html

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from planner.geo.basemap import districts
from planner.session import ScenarioEdited, ScenarioReplaced, SelectionChanged, Session
from planner.textsafe import printable
from planner.ui.binding import SessionLink
from planner.ui.i18n import tr

#: Field names as a planner reads them.
FIELD_NAMES = {
    "id": "编号 Id", "name": "名称 Name", "kind": "类型 Kind", "operator": "运营商 Operator",
    "band_mhz": "频段 Band (MHz)", "height_m": "挂高 Height (m)", "environment": "环境 Environment",
    "lon": "经度 Lon", "lat": "纬度 Lat", "open_year": "建成年份 Opens", "radius_m": "覆盖半径 Radius (m)",
    "capex_wan": "投资 Capex (万元)", "source": "来源 Source", "district": "区县 District", "status": "状态 Status",
    "area_ha": "面积 Area (ha)", "data_enterprises": "数据企业 Data enterprises",
    "computing_pflops": "算力 Computing (PFLOPS)", "focus": "方向 Focus", "approximate": "近似 Approximate",
    "note": "备注 Note", "geometry": "几何 Geometry",
}  # fmt: skip


def field_name(name: str) -> str:
    """A field's name in the interface language (the field's own name if it has none)."""
    label = FIELD_NAMES.get(name)
    if label is None:
        return name
    zh, en = label.split(" ", 1)
    return tr(zh, en)


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{round(value, 7):,}" if abs(value) >= 1000 else f"{round(value, 7)}"  # as the file stores it
    if hasattr(value, "geom_type"):
        return (
            f"{value.geom_type} ({len(getattr(value, 'exterior', value).coords)} 点 points)"
            if value.geom_type == "Polygon"
            else value.geom_type
        )
    return html.escape(printable(value))


class AttributesPanel(QWidget):
    """Shows the attributes of the first selected item, following the session."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._link = SessionLink(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(self.text.textFormat().RichText)
        layout.addWidget(self.text)
        layout.addStretch(1)
        self._link.attach(session, self._on_event)
        self.refresh()

    def _on_event(self, event: object) -> None:
        if isinstance(event, SelectionChanged | ScenarioEdited | ScenarioReplaced):
            self.refresh()

    def refresh(self) -> None:
        """Show the first selected item (or a hint when nothing is selected)."""
        sel = self.session.selection
        if not sel:
            hint = tr("选择地图上的要素以查看属性", "Select a feature on the map to see it")
            self.text.setText(f"<span style='color:#777'>{hint}</span>")
            return
        layer, key = sel[0]
        more = f"<p style='color:#777'>另有 {len(sel) - 1} 个已选 · and {len(sel) - 1} more</p>" if len(sel) > 1 else ""
        if layer == "districts":
            d = next((d for d in districts() if d.adcode == key), None)
            if d is None:
                return
            product = self.session.scenario.products.get(key) or "未分配 unassigned"
            rows = [
                ("区县 District", f"{d.name_zh} {d.name_en}"),
                ("代码 Adcode", d.adcode),
                ("人口 Population (2020)", f"{d.population_2020:,}"),
                ("面积 Land area", f"{d.land_area_km2:,.1f} km²"),
                ("一区一品 Product", html.escape(printable(product))),
            ]
        else:
            feature = self.session.scenario.layer(layer).get(key)
            if feature is None:
                return
            rows = [(field_name(f.name), _show(getattr(feature, f.name))) for f in dataclasses.fields(feature)]
        body = "".join(f"<tr><td style='color:#555;padding-right:8px'>{k}</td><td>{v}</td></tr>" for k, v in rows)
        self.text.setText(f"<table>{body}</table>{more}")
