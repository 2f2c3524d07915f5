"""Edit commands: every change to a scenario — from the map, a form, an import or the CLI — is one of these.

A :class:`Command` is a label plus the list of :class:`~planner.domain.scenario.Change` it makes; ``do`` applies
the list and ``undo`` applies its inverse in reverse order. The factory functions below (``add_features``,
``move_feature`` …) compute that list from the scenario's current state and validate the new values first, so a
command that would put an invalid value into the model is refused with a ``ValueError`` naming the field.

:class:`CommandStack` is the pure-Python undo stack (after glue's ``core/command.py``); the Qt UI wraps commands
in ``QUndoCommand`` so Edit ▸ Undo shows the same labels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.domain import vocab
from planner.domain.bookmarks import Bookmark, validate_bookmark, validate_bookmarks
from planner.domain.checks import position_problems
from planner.domain.features import Site, validate_feature, validate_product, validate_site
from planner.domain.indicators import ReportedValue, district_names, label, target_keys, validate_reported
from planner.domain.scenario import (
    LAYER_TYPES,
    LAYERS,
    META_FIELDS,
    Change,
    Scenario,
    UnitCost,
    validate_scenario_info,
    validate_unit_cost,
)
from planner.events import Listeners


@dataclass
class Command:
    """A labelled, undoable list of changes.

    ``merge_key`` lets successive edits of the same thing (dragging one site) collapse into one undo step:
    two commands with equal, non-None keys pushed one after the other are merged.
    """

    label: str
    changes: list[Change]
    merge_key: Any = None

    def do(self, scenario: Scenario) -> None:
        """Apply the command to ``scenario``."""
        scenario.apply(self.changes)

    def undo(self, scenario: Scenario) -> None:
        """Revert the command on ``scenario``."""
        scenario.apply([c.inverse() for c in reversed(self.changes)])

    def merged_with(self, later: Command) -> Command:
        """One command equivalent to this one followed by ``later``."""
        first: dict[tuple[str, str], Change] = {}
        order: list[tuple[str, str]] = []
        for ch in self.changes + later.changes:
            k = (ch.collection, ch.key)
            if k in first:
                first[k] = Change(ch.collection, ch.key, first[k].old, ch.new)
            else:
                first[k] = ch
                order.append(k)
        return Command(later.label, [first[k] for k in order], self.merge_key)


def _feature_label(feature: Any) -> str:
    return getattr(feature, "name", None) or getattr(feature, "project", None) or feature.id


def _require_valid(feature: Any, what: str) -> None:
    problems = validate_feature(feature)
    if problems:
        details = "; ".join(f"{f}: {m}" for f, m in problems)
        raise ValueError(f"{what} {feature.id}: {details}")


def _layer_of(feature: Any) -> str:
    for layer, cls in LAYER_TYPES.items():
        if isinstance(feature, cls):
            return layer
    raise TypeError(f"not a scenario feature: {feature!r}")


_LAYER_NAMES = {"parks": "园区", "sites": "站点", "zones": "区域", "investments": "投资项"}


def add_features(scenario: Scenario, features: Iterable[Any], label: str | None = None) -> Command:
    """Add one or many features (ids must be new). Used for 'add' on the map and for 'import many'."""
    features = list(features)
    if not features:
        raise ValueError("nothing to add")
    changes = []
    seen: set[str] = set()
    sites = []
    for f in features:
        layer = _layer_of(f)
        if f.id in scenario.layer(layer) or f.id in seen:
            raise ValueError(f"a feature with id {f.id!r} already exists in {layer}")
        seen.add(f.id)
        if isinstance(f, Site):
            sites.append(f)  # positions checked as one batch below: an import adds 100,000 at once
            problems = validate_site(f, locate=False)
            if problems:
                raise ValueError(f"cannot add {f.id}: " + "; ".join(f"{k}: {m}" for k, m in problems))
        else:
            _require_valid(f, "cannot add")
        changes.append(Change(layer, f.id, None, f))
    if sites:
        for s, problem in zip(sites, position_problems([s.lon for s in sites], [s.lat for s in sites]), strict=True):
            if problem:
                raise ValueError(f"cannot add {s.id}: geometry: {problem}")
    if label is None:
        if len(features) == 1:
            label = f"添加{_LAYER_NAMES[_layer_of(features[0])]} {_feature_label(features[0])}"
        else:
            label = f"导入 {len(features)} 个要素"
    return Command(label, changes)


def import_many(scenario: Scenario, features: Iterable[Any], source_name: str) -> Command:
    """Add everything read from one import (a file, a table) as a single undo step."""
    features = list(features)
    return add_features(scenario, features, f"导入 {source_name}（{len(features)} 个要素）")


def remove_features(scenario: Scenario, layer: str, ids: Iterable[str]) -> Command:
    """Delete features of ``layer`` by id."""
    coll = scenario.layer(layer)
    ids = list(dict.fromkeys(ids))
    missing = [i for i in ids if i not in coll]
    if missing:
        raise ValueError(f"no {layer} with id {', '.join(missing)}")
    if not ids:
        raise ValueError("nothing to remove")
    changes = [Change(layer, i, coll[i], None) for i in ids]
    if len(ids) == 1:
        label = f"删除{_LAYER_NAMES[layer]} {_feature_label(coll[ids[0]])}"
    else:
        label = f"删除 {len(ids)} 个{_LAYER_NAMES[layer]}"
    return Command(label, changes)


def set_attributes(
    scenario: Scenario, layer: str, fid: str, label: str | None = None, *, merge_key: Any = None, **values: Any
) -> Command:
    """Change attributes of one feature (any dataclass field but ``id``).

    ``merge_key``: successive commands with the same key fold into one undo step (a vertex dragged in steps)."""
    coll = scenario.layer(layer)
    if fid not in coll:
        raise ValueError(f"no {layer} with id {fid}")
    if "id" in values:
        raise ValueError("a feature's id cannot be changed")
    old = coll[fid]
    names = {f.name for f in dataclasses.fields(old)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"{layer} have no field {', '.join(unknown)}")
    new = dataclasses.replace(old, **values)
    _require_valid(new, "invalid value for")
    if label is None:
        names = "、".join(vocab.FIELD_LABELS.get(k, (k,))[0] for k in values)
        label = f"修改{_LAYER_NAMES[layer]} {_feature_label(old)}：{names}"
    return Command(label, [Change(layer, fid, old, new)], merge_key)


def move_feature(scenario: Scenario, layer: str, fid: str, dx: float, dy: float, *, gesture: Any = None) -> Command:
    """Translate a feature by (dx, dy) degrees; successive moves of one feature merge into one undo step.

    ``gesture`` names one drag on the map: the steps of a drag merge, two drags of the same feature do not."""
    coll = scenario.layer(layer)
    if fid not in coll:
        raise ValueError(f"no {layer} with id {fid}")
    old = coll[fid]
    if layer == "sites":
        values = {"lon": old.lon + dx, "lat": old.lat + dy}
    elif layer in ("parks", "zones"):
        import shapely

        values = {"geometry": shapely.transform(old.geometry, lambda c: c + np.array([dx, dy]))}
    else:
        raise ValueError(f"{layer} have no position to move")
    cmd = set_attributes(scenario, layer, fid, label=f"移动{_LAYER_NAMES[layer]} {_feature_label(old)}", **values)
    cmd.merge_key = ("move", layer, fid) if gesture is None else ("move", layer, fid, gesture)
    return cmd


def assign_product(scenario: Scenario, adcode: str, product: str | None) -> Command:
    """Assign (or, with an empty product, clear) a district's 一区一品 product (validated as the loader does)."""
    if isinstance(product, str):
        product = product.strip()
    problems = validate_product(adcode, product) if product else validate_product(adcode, "-")
    if problems:
        raise ValueError("; ".join(f"{f}: {m}" for f, m in problems))
    product = product or None
    old = scenario.products.get(adcode)
    if old == product:
        raise ValueError("the district already has that product")
    label = f"设置一区一品 {adcode}：{product}" if product else f"清除一区一品 {adcode}"
    return Command(label, [Change("products", adcode, old, product)])


def set_scenario_info(scenario: Scenario, **values: Any) -> Command:
    """Change scenario metadata (name, description, years, author, notes)."""
    unknown = sorted(set(values) - set(META_FIELDS))
    if unknown:
        raise ValueError(f"scenarios have no field {', '.join(unknown)}")
    if not values:
        raise ValueError("nothing to change")
    meta = {k: getattr(scenario, k) for k in META_FIELDS} | values
    # Empty optional text is how the file stores "not given"; the loader treats a missing key the same way.
    problems = validate_scenario_info(meta)
    if problems:
        raise ValueError("; ".join(f"{f}: {m}" for f, m in problems))
    changes = [Change("meta", k, getattr(scenario, k), v) for k, v in values.items()]
    return Command("修改情景信息：" + "、".join(values), changes)


def set_catalogue_entry(scenario: Scenario, entry: UnitCost) -> Command:
    """Add or replace a unit-cost entry of the scenario's catalogue (validated as the file loader does)."""
    problems = validate_unit_cost(entry)
    if problems:
        raise ValueError(f"unit cost {entry.key!r}: " + "; ".join(f"{f}: {m}" for f, m in problems))
    old = scenario.catalogue.get(entry.key)
    return Command(f"修改单价 {entry.label_zh}", [Change("catalogue", entry.key, old, entry)])


# -- reported values ---------------------------------------------------------------------------------------------
def _reported_label(scenario: Scenario, rv: ReportedValue) -> str:
    """The label's subject: "累计数据产品 2025", or for a district's figure "累计数据产品 2025 鄞州区"."""
    text = f"{label(rv.indicator, scenario.targets.values())[0]} {rv.year}"
    if rv.adcode:
        text += f" {district_names().get(rv.adcode, (rv.adcode,))[0]}"
    return text


def set_reported_value(scenario: Scenario, rv: ReportedValue) -> Command:
    """Enter (or replace) the planner's figure of a non-spatial indicator for a year (validated as the loader
    does): one change of the ``reported`` collection, labelled "填报：累计数据产品 2025"."""
    problems = validate_reported(rv, target_keys(scenario))
    if problems:
        raise ValueError(f"填报 / report {rv.indicator}@{rv.year}: " + "; ".join(f"{f}: {m}" for f, m in problems))
    old = scenario.reported.get(rv.key)
    if old == rv:
        raise ValueError("该填报值未改变 / the report already has that value")
    return Command(f"填报：{_reported_label(scenario, rv)}", [Change("reported", rv.key, old, rv)])


def clear_reported_value(scenario: Scenario, key: str) -> Command:
    """Delete the report ``key`` (``indicator@year`` or ``indicator@year@adcode``), labelled "清除填报：…"."""
    old = scenario.reported.get(key)
    if old is None:
        raise ValueError(f"没有该填报 / no reported value {key!r}")
    return Command(f"清除填报：{_reported_label(scenario, old)}", [Change("reported", key, old, None)])


# -- bookmarks ---------------------------------------------------------------------------------------------------
def _bookmarks_command(scenario: Scenario, label: str, new: list[Bookmark], changed: int | None = None) -> Command:
    """Replace the scenario's bookmarks by ``new`` (validated as the loader does) as one change; ``changed`` is the
    index of the bookmark added or edited, which a message names."""
    if changed is not None:
        b = new[changed]
        problems = validate_bookmark(b)
        others = [i for i, o in enumerate(new) if i != changed and o.title == b.title]
        if others:
            problems.append(("title", f"{b.title!r} is the title of bookmark {others[0] + 1} already"))
        if problems:
            raise ValueError(f"bookmark {b.title!r}: " + "; ".join(f"{f}: {m}" for f, m in problems))
    problems = validate_bookmarks(new)
    if problems:
        i, field_name, message = problems[0]
        raise ValueError(f"bookmark {i + 1} ({new[i].title!r}), {field_name}: {message}")
    return Command(label, [Change("meta", "bookmarks", scenario.bookmarks, tuple(new))])


def _bookmark_at(scenario: Scenario, index: int) -> Bookmark:
    if not 0 <= index < len(scenario.bookmarks):
        raise ValueError(f"no bookmark {index + 1} (the scenario has {len(scenario.bookmarks)})")
    return scenario.bookmarks[index]


def add_bookmark(scenario: Scenario, bookmark: Bookmark, index: int | None = None) -> Command:
    """Add a saved view at ``index`` (default: after the last)."""
    new = list(scenario.bookmarks)
    index = len(new) if index is None else max(0, min(index, len(new)))
    new.insert(index, bookmark)
    return _bookmarks_command(scenario, f"添加书签 {bookmark.title}", new, index)


def rename_bookmark(scenario: Scenario, index: int, title: str) -> Command:
    """Give bookmark ``index`` (from 0) another title."""
    old = _bookmark_at(scenario, index)
    title = title.strip() if isinstance(title, str) else title
    if title == old.title:
        raise ValueError("the bookmark already has that title")
    new = list(scenario.bookmarks)
    new[index] = dataclasses.replace(old, title=title)
    return _bookmarks_command(scenario, f"重命名书签 {old.title} → {title}", new, index)


def update_bookmark(scenario: Scenario, index: int, bookmark: Bookmark) -> Command:
    """Record another view (extent, layers, year) in bookmark ``index``; its title is kept."""
    old = _bookmark_at(scenario, index)
    bookmark = dataclasses.replace(bookmark, title=old.title)
    if bookmark == old:
        raise ValueError("the bookmark already shows this view")
    new = list(scenario.bookmarks)
    new[index] = bookmark
    return _bookmarks_command(scenario, f"更新书签 {old.title}", new, index)


def move_bookmark(scenario: Scenario, index: int, to: int) -> Command:
    """Move bookmark ``index`` to position ``to`` (both from 0) of the list."""
    b = _bookmark_at(scenario, index)
    new = list(scenario.bookmarks)
    del new[index]
    to = max(0, min(int(to), len(new)))
    if to == index:
        raise ValueError("the bookmark is already there")
    new.insert(to, b)
    return _bookmarks_command(scenario, f"移动书签 {b.title}（第 {index + 1} → {to + 1} 个）", new)


def remove_bookmark(scenario: Scenario, index: int) -> Command:
    """Delete bookmark ``index`` (from 0)."""
    b = _bookmark_at(scenario, index)
    new = list(scenario.bookmarks)
    del new[index]
    return _bookmarks_command(scenario, f"删除书签 {b.title}", new)


def macro(label: str, commands: Iterable[Command]) -> Command:
    """Group several commands into one undo step (QGIS's beginEditCommand/endEditCommand)."""
    changes: list[Change] = []
    for c in commands:
        changes += c.changes
    return Command(label, changes)


@dataclass
class CommandStack:
    """Undo/redo stack of :class:`Command` for one scenario.

    Listeners (:meth:`subscribe`) are called with no argument after every push, undo, redo and change of the clean
    mark (to refresh Undo/Redo menu labels and the unsaved-changes mark). ``clean_index`` marks the state that was
    last saved.
    """

    scenario: Scenario
    done: list[Command] = field(default_factory=list)
    undone: list[Command] = field(default_factory=list)
    clean_index: int | None = 0
    listeners: Listeners = field(default_factory=lambda: Listeners("a command stack"), repr=False)

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every change of the stack's state."""
        self.listeners.subscribe(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        """Stop calling ``listener``."""
        self.listeners.unsubscribe(listener)

    def push(self, command: Command) -> None:
        """Do ``command`` and put it on the stack (merging with the top one where their merge keys match)."""
        command.do(self.scenario)
        if self.clean_index is not None and self.clean_index > len(self.done):
            self.clean_index = None  # the saved state was in the redo branch this push discards
        top = self.done[-1] if self.done else None
        if (
            top is not None
            and command.merge_key is not None
            and command.merge_key == top.merge_key
            and self.clean_index != len(self.done)  # never fold an edit into the saved state
        ):
            self.done[-1] = top.merged_with(command)
        else:
            self.done.append(command)
        self.undone.clear()
        self._notify()

    def undo(self) -> Command | None:
        """Undo the last command; returns it, or None if there is nothing to undo."""
        if not self.done:
            return None
        cmd = self.done.pop()
        cmd.undo(self.scenario)
        self.undone.append(cmd)
        self._notify()
        return cmd

    def redo(self) -> Command | None:
        """Redo the last undone command; returns it, or None if there is nothing to redo."""
        if not self.undone:
            return None
        cmd = self.undone.pop()
        cmd.do(self.scenario)
        self.done.append(cmd)
        self._notify()
        return cmd

    @property
    def undo_label(self) -> str | None:
        """Label of the command Undo would revert."""
        return self.done[-1].label if self.done else None

    @property
    def redo_label(self) -> str | None:
        """Label of the command Redo would re-apply."""
        return self.undone[-1].label if self.undone else None

    def set_clean(self, index: int | None = None) -> None:
        """Mark the current state as saved — or the state after the first ``index`` commands, when a background
        save wrote that state while the planner went on editing."""
        self.clean_index = len(self.done) if index is None else index
        self._notify()

    def set_dirty(self) -> None:
        """Mark that no state of this stack is the saved one (a recovered scenario, not yet saved)."""
        self.clean_index = None
        self._notify()

    @property
    def is_clean(self) -> bool:
        """True when the scenario is as it was last saved."""
        return self.clean_index == len(self.done)

    def _notify(self) -> None:
        self.listeners.emit()


__all__ = [
    "LAYERS",
    "Command",
    "CommandStack",
    "add_bookmark",
    "add_features",
    "assign_product",
    "clear_reported_value",
    "import_many",
    "macro",
    "move_bookmark",
    "move_feature",
    "remove_bookmark",
    "remove_features",
    "rename_bookmark",
    "set_attributes",
    "set_catalogue_entry",
    "set_reported_value",
    "set_scenario_info",
    "update_bookmark",
]
