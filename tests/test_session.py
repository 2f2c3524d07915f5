"""The Qt-free session: one event API for everything a window shows, views current when they hear of an edit."""

from __future__ import annotations

import pytest

from planner.analysis.coverage import CoverageEngine
from planner.domain import commands as cmd
from planner.session import (
    MAP_LAYERS,
    FiguresUpdated,
    LayerChanged,
    ScenarioEdited,
    ScenarioReplaced,
    SelectionChanged,
    Session,
    StackChanged,
    YearChanged,
)
from tests.conftest import make_site, make_small_scenario


def _fresh(session: Session):
    return CoverageEngine(session.scenario, session.year, subscribe=False).figures()


def test_a_view_that_hears_of_an_edit_reads_current_figures():
    session = Session(make_small_scenario())
    session.build_engine()
    seen = []

    def view(event):
        if isinstance(event, ScenarioEdited):
            seen.append(session.figures() == _fresh(session))

    session.subscribe(view)
    session.push(cmd.add_features(session.scenario, [make_site(900, 121.56, 29.875, kind="5g_a", band_mhz=4900)]))
    session.undo()
    session.redo()
    assert seen == [True, True, True]


def test_events_of_an_edit_come_in_order_and_name_the_changes():
    session = Session(make_small_scenario())
    session.build_engine()
    events = []
    session.subscribe(events.append)
    session.push(cmd.move_feature(session.scenario, "sites", "site-000001", 0.001, 0.0))
    kinds = [type(e) for e in events]
    assert kinds == [ScenarioEdited, FiguresUpdated, StackChanged]
    assert events[0].changes[0].key == "site-000001" and len(events[1].delta.cells["5g"]) > 0
    assert events[2].undo_label.startswith("移动站点") and not events[2].clean
    session.mark_saved()
    assert events[-1] == StackChanged(events[2].undo_label, None, True)


def test_without_an_engine_edits_build_none():
    session = Session(make_small_scenario())
    events = []
    session.subscribe(events.append)
    session.push(cmd.assign_product(session.scenario, "330203", "软件"))
    assert not session.engine_ready and not any(isinstance(e, FiguresUpdated) for e in events)
    assert session.figures() == _fresh(session)  # built on first use


def test_deleting_a_selected_feature_drops_it_from_the_selection():
    session = Session(make_small_scenario())
    session.select([("sites", "site-000001"), ("districts", "330212")])
    events = []
    session.subscribe(events.append)
    session.push(cmd.remove_features(session.scenario, "sites", ["site-000001"]))
    assert session.selection == (("districts", "330212"),)
    assert SelectionChanged((("districts", "330212"),)) in events
    with pytest.raises(KeyError):
        session.select([("sites", "site-000001")])


def test_the_year_changes_the_figures_as_a_fresh_engine_computes_them():
    session = Session(make_small_scenario())
    session.build_engine()
    events = []
    session.subscribe(events.append)
    session.set_year(2024)
    assert events[0] == YearChanged(2024) and events[1].delta.everything
    assert session.figures() == _fresh(session)
    with pytest.raises(ValueError):
        session.set_year(1500)


def test_layer_state_lives_in_the_session():
    session = Session(make_small_scenario())
    events = []
    session.subscribe(events.append)
    assert session.layer_order == list(MAP_LAYERS)
    session.set_layer_visible("sites", False)
    session.set_layer_visible("sites", False)  # no change, no event
    session.set_layer_opacity("coverage", 0.5)
    session.set_layer_style("coverage", "dual")
    session.move_layer("parks", 0)
    assert [type(e) for e in events] == [LayerChanged] * 4
    assert not session.layers["sites"].visible and session.layers["coverage"].style == "dual"
    assert session.layer_order[0] == "parks"
    for bad in (lambda: session.set_layer_style("coverage", "6g"), lambda: session.set_layer_opacity("sites", 2)):
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(KeyError):
        session.set_layer_visible("roads", True)


def test_replacing_the_scenario_stops_following_the_old_one():
    first = make_small_scenario()
    session = Session(first)
    session.build_engine()
    events = []
    session.subscribe(events.append)
    second = make_small_scenario()
    session.replace(second, "plan.json")
    assert len(first._listeners) == 0 and len(second._listeners) == 1
    assert isinstance(events[0], ScenarioReplaced) and session.path.name == "plan.json"
    assert not session.engine_ready and session.stack.scenario is second
    cmd.CommandStack(first).push(cmd.assign_product(first, "330203", "软件"))  # an edit of the old scenario
    assert not any(isinstance(e, ScenarioEdited) for e in events)


def test_a_failing_view_does_not_stop_the_others(caplog):
    session = Session(make_small_scenario())
    heard = []
    session.subscribe(lambda e: 1 / 0)
    session.subscribe(heard.append)
    session.push(cmd.assign_product(session.scenario, "330203", "软件"))
    assert any(isinstance(e, ScenarioEdited) for e in heard) and "a listener of a session failed" in caplog.text
