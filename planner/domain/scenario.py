"""The scenario: the single source of truth that every view, computation and export derives from.

A :class:`Scenario` holds metadata, the per-district 一区一品 products, four feature layers (parks, sites, zones,
investments), the unit-cost catalogue, the official targets and the planner's reported values of the targets the
map cannot measure (:mod:`planner.domain.indicators`). Every collection is a ``dict`` keyed by id. The
presenter's bookmarks (:mod:`planner.domain.bookmarks`) are one ordered tuple, changed as a whole.

All changes go through :meth:`Scenario.apply`, which takes a list of :class:`Change` (collection, key, old, new)
and notifies subscribers with the same list. Undo is applying the inverse list, so edit commands
(:mod:`planner.domain.commands`) are just labelled change lists, and listeners (the coverage engine, the map, the
tables) receive exactly what changed — old and new value — and can update incrementally.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from planner.domain.bookmarks import Bookmark
from planner.domain.checks import MAX_WAN, check_flag, check_number, check_text, check_year, quote
from planner.domain.features import InvestmentItem, Park, Site, Zone
from planner.domain.indicators import ReportedValue
from planner.events import Listeners

#: Feature layers and the id prefix of each.
LAYERS = {"parks": "park", "sites": "site", "zones": "zone", "investments": "inv"}
#: Collections that are dicts on the scenario, in the order they are stored.
COLLECTIONS = ("products", "parks", "sites", "zones", "investments", "catalogue", "targets", "reported")
#: Metadata fields a command may change (the "meta" pseudo-collection).
META_FIELDS = ("id", "name", "description", "base_year", "horizon_year", "author", "modified", "notes")
#: Whole-value fields of the scenario a "meta" change may set: the metadata, and the bookmarks (one tuple, so that
#: a reorder is one change and its undo exact).
VALUE_FIELDS = (*META_FIELDS, "bookmarks")
LAYER_TYPES = {"parks": Park, "sites": Site, "zones": Zone, "investments": InvestmentItem}

_MISSING = object()


@dataclass(frozen=True, slots=True)
class UnitCost:
    """A default unit cost in 万元 (shared/domain.md, "Unit costs"); ``assumption`` marks unverified figures."""

    key: str
    label_zh: str
    label_en: str
    unit: str  # what one unit is, e.g. "站" (site), "PFLOPS", "km²"
    amount_wan: float
    source: str = ""
    assumption: bool = False


@dataclass(frozen=True, slots=True)
class Target:
    """An official target: indicator ``key`` should reach ``value`` by the end of ``year``."""

    key: str
    label_zh: str
    label_en: str
    year: int
    value: float
    unit: str = ""
    source: str = ""

    @property
    def id(self) -> str:
        """Key of the target in the scenario's ``targets`` collection."""
        return f"{self.key}@{self.year}"


def validate_unit_cost(c: UnitCost) -> list[tuple[str, str]]:
    """Problems with a unit-cost entry, as ``[(field, message)]``."""
    problems: list[tuple[str, str]] = []
    check_text(c.key, "key", problems, required=True)
    check_text(c.label_zh, "label_zh", problems, required=True)
    check_text(c.label_en, "label_en", problems)
    check_text(c.unit, "unit", problems)
    check_number(c.amount_wan, "amount_wan", problems, maximum=MAX_WAN)
    check_text(c.source, "source", problems)
    check_flag(c.assumption, "assumption", problems)
    return problems


def validate_target(t: Target) -> list[tuple[str, str]]:
    """Problems with a target, as ``[(field, message)]``. Keys the map cannot measure are allowed (untracked)."""
    problems: list[tuple[str, str]] = []
    check_text(t.key, "key", problems, required=True)
    check_text(t.label_zh, "label_zh", problems, required=True)
    check_text(t.label_en, "label_en", problems)
    check_year(t.year, "year", problems)
    check_number(t.value, "value", problems, maximum=1e12)
    check_text(t.unit, "unit", problems)
    check_text(t.source, "source", problems)
    return problems


#: Metadata fields a scenario must have.
META_REQUIRED = ("id", "name", "base_year", "horizon_year")


def validate_scenario_info(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """Problems with scenario metadata (the file's ``scenario`` section), as ``[(field, message)]``.

    The file loader and :func:`planner.domain.commands.set_scenario_info` both use it, so the app can never save
    metadata that the loader would refuse. ``meta`` holds the fields present; a required one that is absent is a
    problem, unknown keys are the caller's to report.
    """
    problems: list[tuple[str, str]] = []
    for k in META_REQUIRED:
        if k not in meta:
            problems.append((k, "is required but missing"))
    for k in ("base_year", "horizon_year"):
        if k in meta:
            check_year(meta[k], k, problems)
    for k in ("id", "name", "description", "author", "modified", "notes"):
        if k in meta:
            check_text(meta[k], k, problems, required=k in ("id", "name"))
    modified = meta.get("modified")
    if isinstance(modified, str) and modified and not any(f == "modified" for f, _ in problems):
        try:
            datetime.fromisoformat(modified)
        except ValueError:
            problems.append(("modified", f"must be an ISO 8601 date and time, got {quote(modified)}"))
    by, hy = meta.get("base_year"), meta.get("horizon_year")
    years_ok = "base_year" in meta and "horizon_year" in meta
    years_ok = years_ok and not any(f in ("base_year", "horizon_year") for f, _ in problems)
    if years_ok and by > hy:
        problems.append(("base_year", f"base_year {by} is after horizon_year {hy}"))
    return problems


@dataclass(frozen=True, slots=True)
class Change:
    """One atomic change: ``collection[key]`` goes from ``old`` to ``new``.

    ``old`` is None for an insertion and ``new`` is None for a deletion. For ``collection == "meta"`` the key is a
    metadata field name, or ``"bookmarks"`` (old and new are then the whole tuple of bookmarks).
    """

    collection: str
    key: str
    old: Any
    new: Any

    def inverse(self) -> Change:
        """The change that undoes this one."""
        return Change(self.collection, self.key, self.new, self.old)


Listener = Callable[[list[Change]], None]


@dataclass(eq=True)
class Scenario:
    """A planning scenario for Ningbo's digital-economy build-out."""

    id: str = "scenario"
    name: str = "未命名情景"
    description: str = ""
    base_year: int = 2025
    horizon_year: int = 2027
    author: str = ""
    modified: str = ""
    notes: str = ""
    products: dict[str, str] = field(default_factory=dict)  # adcode -> 一区一品 product
    parks: dict[str, Park] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    zones: dict[str, Zone] = field(default_factory=dict)
    investments: dict[str, InvestmentItem] = field(default_factory=dict)
    catalogue: dict[str, UnitCost] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    #: The planner's figures of the indicators the map cannot measure (planner.domain.indicators), by key.
    reported: dict[str, ReportedValue] = field(default_factory=dict)
    bookmarks: tuple[Bookmark, ...] = ()  # the presenter's saved views, in the order they are shown
    _listeners: Listeners = field(default_factory=lambda: Listeners("a scenario"), compare=False, repr=False)
    _next_ids: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    # -- change machinery -------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(changes)`` after every applied change list."""
        self._listeners.subscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop notifying ``listener``."""
        self._listeners.unsubscribe(listener)

    def apply(self, changes: Iterable[Change]) -> list[Change]:
        """Apply ``changes`` in order, then notify subscribers once with the whole list.

        Each change must match the current state (its ``old`` is what is there now); a mismatch means a command
        was applied out of order and raises ``RuntimeError`` before anything is modified.
        """
        changes = list(changes)
        self._check_applicable(changes)
        for ch in changes:
            if ch.collection == "meta":
                setattr(self, ch.key, ch.new)
                continue
            coll = getattr(self, ch.collection)
            if ch.new is None:
                del coll[ch.key]
            else:
                coll[ch.key] = ch.new
        # A failing view must not leave the model changed but the undo stack unaware of it: the change stands,
        # the failure is logged, and the other listeners still hear of it (planner.events).
        self._listeners.emit(changes)
        return changes

    def _check_applicable(self, changes: list[Change]) -> None:
        # Simulate the list on a shadow of the touched keys so that a list which changes one key twice works.
        shadow: dict[tuple[str, str], Any] = {}
        for ch in changes:
            if ch.collection == "meta":
                if ch.key not in VALUE_FIELDS:
                    raise RuntimeError(f"unknown scenario field {ch.key!r}")
                current = shadow.get(("meta", ch.key), getattr(self, ch.key))
            elif ch.collection in COLLECTIONS:
                current = shadow.get((ch.collection, ch.key), _MISSING)
                if current is _MISSING:
                    current = getattr(self, ch.collection).get(ch.key)
            else:
                raise RuntimeError(f"unknown collection {ch.collection!r}")
            if current is not ch.old and current != ch.old:
                raise RuntimeError(f"change to {ch.collection}[{ch.key!r}] does not match the scenario's current state")
            shadow[(ch.collection, ch.key)] = ch.new

    # -- helpers ---------------------------------------------------------------------------------------
    def layer(self, name: str) -> dict[str, Any]:
        """The feature dict of layer ``name`` ('parks', 'sites', 'zones' or 'investments')."""
        if name not in LAYERS:
            raise KeyError(f"unknown layer {name!r}")
        return getattr(self, name)

    def new_id(self, layer: str) -> str:
        """A fresh, never-used id for a feature of ``layer``, such as ``site-042001``."""
        prefix = LAYERS[layer]
        n = self._next_ids.get(layer)
        if n is None:
            pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
            nums = [int(m.group(1)) for k in self.layer(layer) if (m := pattern.match(k))]
            n = max(nums, default=0) + 1
        while f"{prefix}-{n:06d}" in self.layer(layer):
            n += 1
        self._next_ids[layer] = n + 1
        return f"{prefix}-{n:06d}"

    def copy(self) -> Scenario:
        """A copy sharing the (immutable) features but with its own collections and no listeners."""
        kwargs = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
        for name in COLLECTIONS:
            kwargs[name] = dict(kwargs[name])
        return Scenario(**kwargs)
