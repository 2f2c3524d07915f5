"""The editing session: everything one window shows, without Qt.

A :class:`Session` owns the scenario, its command stack, the coverage engine, the year, the selection and the
state of each map layer (visibility, order, opacity, style). Panels and the canvas bind to it and to its events —
one :class:`planner.events.Listeners`, through :meth:`Session.subscribe` — and never to each other: a layer
checkbox calls :meth:`Session.set_layer_visible` and the canvas hears :class:`LayerChanged`; a table row calls
:meth:`Session.select` and the canvas outlines what :class:`SelectionChanged` names.

Order of an edit: the command changes the scenario; the session (its only subscriber) brings the engine up to
date, drops deleted features from the selection, then announces :class:`ScenarioEdited` and
:class:`FiguresUpdated`. A view that reads figures on ``ScenarioEdited`` therefore reads current ones.

The engine is built on first use (:meth:`Session.figures`), or ahead of time by :meth:`Session.build_engine`,
which a window runs after its first paint so that the map shows before the figures are ready.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.domain.bookmarks import LAYER_STYLES as BOOKMARK_LAYER_STYLES
from planner.domain.commands import Command, CommandStack
from planner.domain.scenario import Change, Scenario
from planner.events import Listeners

if TYPE_CHECKING:  # the engine pulls numpy and the grids in: imported when first needed
    from planner.analysis.coverage import CoverageDelta, CoverageEngine, CoverageFigures

#: Map layers, bottom to top as drawn (the order of :attr:`Session.layer_order` at start).
MAP_LAYERS = ("districts", "coverage", "zones", "sites", "parks")
#: What each layer can be drawn by (its first style is the default). Districts: by 一区一品 product or as a
#: choropleth of a district figure; coverage: which network's coverage.
LAYER_STYLES = BOOKMARK_LAYER_STYLES  # one vocabulary, defined in the domain (bookmarks record it)
#: A selected item: (layer, id) — layer "districts" with an adcode, or a feature layer with a feature id.
Item = tuple[str, str]


@dataclass(frozen=True)
class LayerState:
    """How one map layer is shown."""

    name: str
    visible: bool = True
    opacity: float = 1.0
    style: str = ""


# ---------------------------------------------------------------------------------------------------- events
@dataclass(frozen=True)
class ScenarioReplaced:
    """Another scenario (a file opened, a new one) is now the session's; every view redraws."""

    scenario: Scenario
    path: Path | None


@dataclass(frozen=True)
class ScenarioEdited:
    """The scenario changed (an edit, an undo or a redo); ``changes`` says what, old and new values included."""

    changes: list[Change]


@dataclass(frozen=True)
class StackChanged:
    """The undo state changed: what Undo and Redo would do, and whether the scenario is as saved."""

    undo_label: str | None
    redo_label: str | None
    clean: bool


@dataclass(frozen=True)
class FiguresUpdated:
    """The engine's figures are current again; ``delta`` says which cells of the coverage layers changed."""

    year: int
    delta: CoverageDelta


@dataclass(frozen=True)
class YearChanged:
    """The map and every figure now show the scenario as of ``year``."""

    year: int


@dataclass(frozen=True)
class SelectionChanged:
    """The selected items changed."""

    selection: tuple[Item, ...]


@dataclass(frozen=True)
class LayerChanged:
    """A layer's visibility, opacity or style changed, or the layers' order (``state`` is then None)."""

    name: str
    state: LayerState | None


@dataclass(frozen=True)
class PathChanged:
    """The file the scenario belongs to changed (a save as), or it was saved (``clean`` in StackChanged)."""

    path: Path | None


Event = (
    ScenarioReplaced
    | ScenarioEdited
    | StackChanged
    | FiguresUpdated
    | YearChanged
    | SelectionChanged
    | LayerChanged
    | PathChanged
)


class Session:
    """One open scenario and what is shown of it (see the module docstring)."""

    def __init__(self, scenario: Scenario | None = None, path: str | Path | None = None, *, year: int | None = None):
        self.events = Listeners("a session")
        # The coverage layer starts hidden: the map opens on the 一区一品 districts, and the layer needs the engine.
        self.layers: dict[str, LayerState] = {
            n: LayerState(n, visible=n != "coverage", style=LAYER_STYLES[n][0]) for n in MAP_LAYERS
        }
        self.layer_order: list[str] = list(MAP_LAYERS)
        self._scenario: Scenario | None = None
        self._stack: CommandStack | None = None
        self._engine: CoverageEngine | None = None
        self._install(scenario if scenario is not None else Scenario(), path, year)

    # -- subscriptions ------------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[Event], Any]) -> None:
        """Call ``listener(event)`` for every event of the session."""
        self.events.subscribe(listener)

    def unsubscribe(self, listener: Callable[[Event], Any]) -> None:
        """Stop calling ``listener``."""
        self.events.unsubscribe(listener)

    # -- the scenario -------------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The scenario being edited (the single source of truth)."""
        assert self._scenario is not None
        return self._scenario

    @property
    def stack(self) -> CommandStack:
        """The scenario's undo stack: every edit goes through it (:meth:`push`)."""
        assert self._stack is not None
        return self._stack

    def replace(self, scenario: Scenario, path: str | Path | None = None, *, stack: CommandStack | None = None) -> None:
        """Edit ``scenario`` from now on (a file opened): a fresh undo stack, year, selection and engine."""
        self._uninstall()
        self._install(scenario, path, None, stack)
        self.events.emit(ScenarioReplaced(scenario, self.path))
        self.events.emit(YearChanged(self.year))
        self.events.emit(SelectionChanged(()))
        self._stack_changed()

    def _install(
        self, scenario: Scenario, path: str | Path | None, year: int | None, stack: CommandStack | None = None
    ):
        self._scenario = scenario
        self._stack = stack if stack is not None and stack.scenario is scenario else CommandStack(scenario)
        self.path = Path(path) if path is not None else None
        self.year = scenario.horizon_year if year is None else int(year)
        self.selection: tuple[Item, ...] = ()
        self._year_span: tuple[int, int] | None = None  # years another view asked the slider to offer
        self._engine = None
        self._version = 0  # counts the changes, for the summary's cache
        self._summary: tuple[tuple[int, int], dict[str, Any]] | None = None
        scenario.subscribe(self._on_changes)
        self._stack.subscribe(self._stack_changed)

    def _uninstall(self) -> None:
        if self._scenario is not None:
            self._scenario.unsubscribe(self._on_changes)
        if self._stack is not None:
            self._stack.unsubscribe(self._stack_changed)
        self._engine = None

    def close(self) -> None:
        """Stop following the scenario (the session's listeners hear nothing more)."""
        self._uninstall()

    # -- edits --------------------------------------------------------------------------------------------
    def push(self, command: Command) -> None:
        """Do ``command`` through the undo stack."""
        self.stack.push(command)

    def undo(self) -> Command | None:
        """Undo the last command (None if there is none)."""
        return self.stack.undo()

    def redo(self) -> Command | None:
        """Redo the last undone command (None if there is none)."""
        return self.stack.redo()

    def mark_saved(self, path: str | Path | None = None) -> None:
        """The scenario was written to ``path`` (or to :attr:`path`): the current state is the clean one."""
        if path is not None and Path(path) != self.path:
            self.path = Path(path)
            self.events.emit(PathChanged(self.path))
        self.stack.set_clean()

    def _on_changes(self, changes: list[Change]) -> None:
        self._version += 1
        delta = self._engine.apply_changes(changes) if self._engine is not None else None
        gone = {(ch.collection, ch.key) for ch in changes if ch.new is None}
        if gone and any(item in gone for item in self.selection):
            self._set_selection(tuple(item for item in self.selection if item not in gone))
        self.events.emit(ScenarioEdited(changes))
        if delta is not None:
            self.events.emit(FiguresUpdated(self.year, delta))

    def _stack_changed(self) -> None:
        st = self.stack
        self.events.emit(StackChanged(st.undo_label, st.redo_label, st.is_clean))

    # -- figures and the year -----------------------------------------------------------------------------
    @property
    def engine_ready(self) -> bool:
        """Whether the coverage engine has been built (figures are then instant)."""
        return self._engine is not None

    def build_engine(self) -> CoverageEngine:
        """Build the coverage engine now if it is not built yet (announces :class:`FiguresUpdated`)."""
        if self._engine is None:
            from planner.analysis.coverage import CoverageDelta, CoverageEngine

            # The session drives the engine itself (subscribe=False), so the figures are current before any
            # view hears of an edit.
            self._engine = CoverageEngine(self.scenario, self.year, subscribe=False)
            self.events.emit(FiguresUpdated(self.year, CoverageDelta(everything=True)))
        return self._engine

    @property
    def engine(self) -> CoverageEngine:
        """The coverage engine of the scenario as of :attr:`year` (built on first use)."""
        return self.build_engine()

    def figures(self) -> CoverageFigures:
        """Every coverage figure as of :attr:`year`."""
        return self.engine.figures()

    def summary(self) -> dict[str, Any]:
        """:func:`planner.analysis.summary.summary` of the scenario as of :attr:`year` (what ``summary --json``
        prints), computed once per state of the scenario and year however many views ask."""
        from planner.analysis.summary import summary

        key = (self._version, self.year)
        if self._summary is None or self._summary[0] != key:
            self._summary = (key, summary(self.scenario, self.year, engine=self.engine))
        return self._summary[1]

    def years(self) -> tuple[int, int]:
        """The span of years a year slider offers: the scenario's base year to its horizon, widened to the year
        shown and to the span another view asked for (:meth:`set_year_span` — a comparison with a scenario of a
        later horizon)."""
        s = self.scenario
        low, high = min(s.base_year, self.year), max(s.horizon_year, self.year)
        if self._year_span is not None:
            low, high = min(low, self._year_span[0]), max(high, self._year_span[1])
        return low, high

    def set_year_span(self, span: tuple[int, int] | None) -> None:
        """Offer the years of ``span`` too (None: only the scenario's own); the views hear a YearChanged."""
        span = (int(span[0]), int(span[1])) if span is not None else None
        if span != self._year_span:
            self._year_span = span
            self.events.emit(YearChanged(self.year))

    def set_year(self, year: int) -> None:
        """Show the scenario as of ``year`` (between the base year and the horizon, as the file allows)."""
        from planner.domain.checks import MAX_YEAR, MIN_YEAR

        year = int(year)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}, got {year}")
        if year == self.year:
            return
        self.year = year
        delta = self._engine.set_year(year) if self._engine is not None else None
        self.events.emit(YearChanged(year))
        if delta is not None:
            self.events.emit(FiguresUpdated(year, delta))

    # -- selection ----------------------------------------------------------------------------------------
    def select(self, items: Iterable[Item]) -> None:
        """Select ``items`` ((layer, id) pairs; an empty list clears), replacing the selection."""
        items = tuple(dict.fromkeys(items))
        for layer, key in items:
            if layer == "districts":
                continue
            if key not in self.scenario.layer(layer):
                raise KeyError(f"no {layer} with id {key!r}")
        if items != self.selection:
            self._set_selection(items)

    def _set_selection(self, items: tuple[Item, ...]) -> None:
        self.selection = items
        self.events.emit(SelectionChanged(items))

    # -- layers -------------------------------------------------------------------------------------------
    def set_layer_visible(self, name: str, visible: bool) -> None:
        """Show or hide a map layer."""
        self._set_layer(name, visible=bool(visible))

    def set_layer_opacity(self, name: str, opacity: float) -> None:
        """Set a layer's opacity (0 transparent … 1 opaque)."""
        opacity = float(opacity)
        if not 0.0 <= opacity <= 1.0:
            raise ValueError(f"opacity must be between 0 and 1, got {opacity}")
        self._set_layer(name, opacity=opacity)

    def set_layer_style(self, name: str, style: str) -> None:
        """Draw a layer another way (one of :data:`LAYER_STYLES` of the layer)."""
        if style not in LAYER_STYLES[self._layer(name).name]:
            raise ValueError(f"layer {name!r} has no style {style!r} (expected {', '.join(LAYER_STYLES[name])})")
        self._set_layer(name, style=style)

    def move_layer(self, name: str, position: int) -> None:
        """Put layer ``name`` at ``position`` of :attr:`layer_order` (0 = drawn first, at the bottom)."""
        self._layer(name)
        order = [n for n in self.layer_order if n != name]
        order.insert(max(0, min(int(position), len(order))), name)
        if order != self.layer_order:
            self.layer_order = order
            self.events.emit(LayerChanged(name, None))

    def _layer(self, name: str) -> LayerState:
        if name not in self.layers:
            raise KeyError(f"unknown map layer {name!r} (expected one of {', '.join(MAP_LAYERS)})")
        return self.layers[name]

    def _set_layer(self, name: str, **values: Any) -> None:
        old = self._layer(name)
        new = dataclasses.replace(old, **values)
        if new != old:
            self.layers[name] = new
            self.events.emit(LayerChanged(name, new))
