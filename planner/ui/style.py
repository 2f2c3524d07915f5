"""Fonts, colours and labels shared by the window and the map.

The bundled Noto Sans CJK SC font is registered with Qt here, so Chinese renders as real glyphs on a machine
that has no Chinese fonts installed (a fresh Windows VM, a CI runner, a minimal Linux desktop).
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QColor, QFont, QFontDatabase

from planner import palette
from planner.domain import vocab
from planner.fonts import CJK_FAMILY, cjk_font_path

log = logging.getLogger(__name__)

APP_TITLE = "宁波数字经济分区情景规划 — Ningbo District Scenario Planner"
APP_NAME = "Ningbo District Scenario Planner"
ORG_NAME = "Ningbo Planner"
UNASSIGNED_PRODUCT = "未分配一区一品"  # on the map, where there is room for the full wording
UNASSIGNED_SHORT = "未分配"  # in the table

#: Layers of the map, bottom to top, with their bilingual names.
LAYER_NAMES: dict[str, tuple[str, str]] = {
    "districts": ("区县", "Districts"),
    "coverage": ("网络覆盖", "Coverage"),
    "zones": ("区域", "Zones"),
    "sites": ("站点", "Sites"),
    "parks": ("园区", "Parks"),
}

_registered_family: str | None = None
_registration_tried = False


def register_cjk_font() -> str | None:
    """Register the bundled CJK font with Qt once; return its family name, or None (with a warning) on failure.

    Needs a QGuiApplication. Failure is not fatal: Qt then falls back to whatever fonts the system has, which
    may show Chinese as boxes — hence the warning in the log rather than silence.
    """
    global _registered_family, _registration_tried
    if _registration_tried:
        return _registered_family
    _registration_tried = True
    try:
        path = cjk_font_path()
    except RuntimeError as exc:
        log.warning("Chinese font unavailable, Chinese text may not render: %s", exc)
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("Qt could not load the Chinese font %s; Chinese text may not render", path)
        return None
    # Prefer the documented family name if the file registers several (some builds add localised names).
    _registered_family = CJK_FAMILY if CJK_FAMILY in families else families[0]
    return _registered_family


def cjk_font(point_size: float | None = None, *, bold: bool = False) -> QFont:
    """A QFont in the bundled CJK family (or the default family if it could not be registered)."""
    family = register_cjk_font()
    font = QFont(family) if family else QFont()
    if point_size is not None:
        font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


# -- colours --------------------------------------------------------------------------------------------------
#: Soft blues and teals for districts that have a 一区一品 product; one per district so neighbours differ.
ASSIGNED_FILLS = (
    "#9ecae1", "#a1d5c8", "#b4c9e6", "#8cc4d6", "#c2dcef",
    "#a9c6e8", "#97d0c2", "#b7dbe9", "#99bde0", "#acd7dc",
)  # fmt: skip
#: Light warm greys for districts without a product, varied just enough to tell neighbours apart.
UNASSIGNED_FILLS = ("#e3e2de", "#eae9e5", "#dddcd7", "#e7e6e1", "#e0dfda")
DISTRICT_OUTLINE = QColor("#3c4650")
HIGHLIGHT = QColor("#e4572e")
SEA = QColor(palette.SEA)  # the map background reads as water: Ningbo is a coastal city

PARK_COLOURS = palette.PARK_COLOURS
SITE_COLOURS = {
    "5g_macro": "#263a5e",
    "5g_small": "#12817f",
    "5g_a": "#c2185b",
}
ZONE_COLOURS = {
    "f5g": "#2e9e5b",
    "priority": "#e8710a",
    "functional": "#7b5ea7",
}
FALLBACK_COLOUR = "#616161"


def district_fill(index: int, assigned: bool) -> QColor:
    """Fill colour of the ``index``-th district (adcode order), by whether it has a product."""
    palette = ASSIGNED_FILLS if assigned else UNASSIGNED_FILLS
    return QColor(palette[index % len(palette)])


#: Sequential colours of choropleth classes, light (low) to dark (high): ColorBrewer YlGnBu, 5 classes.
CHOROPLETH_RAMP = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")


def class_colour(index: int, classes: int) -> QColor:
    """Colour of class ``index`` of ``classes`` (spread over the ramp when there are fewer than five)."""
    if classes <= 1:
        return QColor(CHOROPLETH_RAMP[2])
    pos = round(index * (len(CHOROPLETH_RAMP) - 1) / (classes - 1))
    return QColor(CHOROPLETH_RAMP[pos])


def kind_colour(colours: dict[str, str], kind: str) -> QColor:
    """Colour of a feature kind, grey for kinds the palette does not know."""
    return QColor(colours.get(kind, FALLBACK_COLOUR))


def kind_label(vocabulary: vocab.Vocabulary, kind: str) -> str:
    """The label of a vocabulary key in the interface language, for legends and tooltips."""
    from planner.ui.i18n import tr

    zh, en = vocabulary.get(kind, (kind, kind))
    return tr(zh, en)


def unassigned_product() -> str:
    """What the map shows for a district without a product."""
    from planner.ui.i18n import tr

    return tr(UNASSIGNED_PRODUCT, "no product assigned")


def unassigned_short() -> str:
    """What the table shows for a district without a product."""
    from planner.ui.i18n import tr

    return tr(UNASSIGNED_SHORT, "unassigned")
