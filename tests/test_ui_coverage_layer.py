"""The map's coverage layer: the engine's city grid as an image, uncovered land red, following every edit."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from planner.domain import commands as cmd
from planner.domain.features import Zone
from planner.ui.coverage_layer import COVERED_ALPHA, COVERED_COLOURS, UNCOVERED_ALPHA, UNCOVERED_COLOUR, premultiplied
from planner.ui.main_window import MainWindow
from planner.ui.map_canvas import to_scene
from tests.conftest import make_site, make_small_scenario


@pytest.fixture
def window(qtbot):
    w = MainWindow(make_small_scenario())
    qtbot.addWidget(w)
    return w


def _fresh_pixels(window, layer):
    """The image a coverage layer drawn from scratch on the same engine would hold."""
    from planner.ui.coverage_layer import CoverageLayerItem

    item = CoverageLayerItem()
    item.show_engine(window.session.engine, layer)
    return item._pixels


def test_the_coverage_layer_is_hidden_until_asked_and_then_builds_the_engine(window):
    assert not window.canvas.is_layer_visible("coverage") and not window.session.engine_ready
    window.layer_checkboxes["coverage"].setChecked(True)
    assert window.session.engine_ready and window.canvas.is_layer_visible("coverage")
    assert window.canvas.coverage_item._pixels is not None


@pytest.mark.parametrize("layer", ["5g", "5g_a", "f5g", "dual"])
def test_after_edits_the_image_equals_one_drawn_from_scratch(window, layer):
    s = window.session
    s.set_layer_visible("coverage", True)
    window.layer_panel.coverage_combo.setCurrentIndex(window.layer_panel.coverage_combo.findData(layer))
    assert s.layers["coverage"].style == layer
    s.push(cmd.add_features(s.scenario, [make_site(900, 121.60, 29.86, kind="5g_a", band_mhz=4900)]))
    s.push(cmd.move_feature(s.scenario, "sites", "site-000001", 0.01, 0.004))
    f5g = Zone("zone-000077", "F5G 小区", "f5g", box(121.54, 29.86, 121.58, 29.89), 2025)
    s.push(cmd.add_features(s.scenario, [f5g]))
    s.push(cmd.move_feature(s.scenario, "zones", f5g.id, 0.004, 0.0))
    s.push(cmd.move_feature(s.scenario, "zones", "zone-000001", 0.004, 0.0))
    s.undo()
    assert window.canvas.coverage_item._pixels.any()
    assert np.array_equal(window.canvas.coverage_item._pixels, _fresh_pixels(window, layer))


def test_a_new_site_in_an_uncovered_place_turns_its_cell_from_red_to_covered(window):
    s = window.session
    s.set_layer_visible("coverage", True)
    lon, lat = 121.40, 29.62  # 奉化区 countryside, far from the small scenario's sites
    p = to_scene(lon, lat)
    item = window.canvas.coverage_item
    assert item.pixel_at(p.x(), p.y()) == premultiplied(UNCOVERED_COLOUR, UNCOVERED_ALPHA)
    s.push(cmd.add_features(s.scenario, [make_site(901, lon, lat)]))
    assert item.pixel_at(p.x(), p.y()) == premultiplied(COVERED_COLOURS["5g"], COVERED_ALPHA)
    s.undo()
    assert item.pixel_at(p.x(), p.y()) == premultiplied(UNCOVERED_COLOUR, UNCOVERED_ALPHA)
    sea = to_scene(122.3, 29.3)
    assert item.pixel_at(sea.x(), sea.y()) in (0, None)  # the sea is not "uncovered land"


def test_the_year_redraws_the_layer(window):
    s = window.session
    s.set_layer_visible("coverage", True)
    s.set_year(2019)
    assert np.array_equal(window.canvas.coverage_item._pixels, _fresh_pixels(window, "5g"))


def test_districts_coloured_by_a_figure_with_its_classes_in_the_legend(window):
    from planner.analysis.choropleth import class_breaks, classify, district_values
    from planner.ui import style

    panel = window.layer_panel
    panel.district_combo.setCurrentIndex(panel.district_combo.findData("sites_per_km2"))
    s = window.session
    assert s.layers["districts"].style == "sites_per_km2"
    ch = window.canvas.choropleth
    values = district_values(s.summary(), "sites_per_km2")
    assert ch is not None and ch.values == values and ch.breaks == class_breaks(list(values.values()))
    adcode = max(values, key=values.get)  # the densest district gets the darkest class
    n = len(ch.breaks) - 1
    assert window.canvas.district_item(adcode).brush().color() == style.class_colour(
        classify(values[adcode], ch.breaks), n
    )
    assert "个/km²" in panel.district_classes.text() and panel.district_classes.text().count("■") == n
    panel.district_combo.setCurrentIndex(0)  # back to products
    assert window.canvas.choropleth is None and panel.district_classes.text() == ""


def test_the_layer_panel_orders_layers_and_sets_their_opacity(window):
    panel, canvas, s = window.layer_panel, window.canvas, window.session
    assert panel.order() == list(reversed(s.layer_order))  # top first, as GIS layer lists do
    panel._move("districts", +1)  # one place up: above the coverage layer
    assert s.layer_order.index("districts") == 1
    assert canvas.layer_item("districts").zValue() > canvas.layer_item("coverage").zValue()
    assert panel.order().index("districts") < panel.order().index("coverage")
    panel.opacity_sliders["zones"].setValue(40)
    assert s.layers["zones"].opacity == 0.4 and canvas.layer_item("zones").opacity() == 0.4
    s.set_layer_opacity("zones", 0.8)
    assert panel.opacity_sliders["zones"].value() == 80
