"""Keep Qt objects subscribed to the model without the model keeping them alive (or calling them when dead).

The scenario and the command stack are plain Python objects that outlive any one window. A bound method put in
their listener lists would keep a closed window's Python wrapper alive and, once Qt had deleted the C++ object,
raise ``RuntimeError: Internal C++ object already deleted`` on the next edit. So listeners are registered as
weak callbacks, and :class:`ModelLink` removes them explicitly when the owner is destroyed or swaps scenarios.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from planner.domain.commands import CommandStack
from planner.domain.scenario import Scenario


def weak_callback(method: Callable[..., Any]) -> Callable[..., None]:
    """A function calling the bound ``method`` while its Qt owner exists, and doing nothing afterwards."""
    ref = weakref.WeakMethod(method)  # type: ignore[arg-type]

    def call(*args: Any) -> None:
        bound = ref()
        if bound is not None and shiboken6.isValid(bound.__self__):
            bound(*args)

    return call


class ModelLink:
    """The subscriptions of one Qt object to a scenario (change events) and a command stack (undo state).

    ``attach`` replaces any previous subscriptions; ``detach`` removes them. The owner's ``destroyed`` signal
    detaches automatically, through a closure that does not reference the (by then dead) owner.
    """

    def __init__(self, owner: QObject) -> None:
        self._scenario: Scenario | None = None
        self._scenario_listener: Callable[..., None] | None = None
        self._stack: CommandStack | None = None
        self._stack_listener: Callable[..., None] | None = None
        owner.destroyed.connect(lambda *_: self.detach())

    def attach_scenario(self, scenario: Scenario | None, method: Callable[..., Any]) -> None:
        """Subscribe ``method`` (a bound method of the owner) to ``scenario``'s change lists."""
        self.detach_scenario()
        if scenario is not None:
            self._scenario, self._scenario_listener = scenario, weak_callback(method)
            scenario.subscribe(self._scenario_listener)

    def attach_stack(self, stack: CommandStack | None, method: Callable[..., Any]) -> None:
        """Subscribe ``method`` (a bound method of the owner) to ``stack``'s state changes."""
        self.detach_stack()
        if stack is not None:
            self._stack, self._stack_listener = stack, weak_callback(method)
            stack.subscribe(self._stack_listener)

    def detach_scenario(self) -> None:
        """Stop listening to the scenario."""
        if self._scenario is not None and self._scenario_listener is not None:
            self._scenario.unsubscribe(self._scenario_listener)
        self._scenario = self._scenario_listener = None

    def detach_stack(self) -> None:
        """Stop listening to the command stack."""
        if self._stack is not None and self._stack_listener is not None:
            self._stack.unsubscribe(self._stack_listener)
        self._stack = self._stack_listener = None

    def detach(self) -> None:
        """Remove every subscription."""
        self.detach_scenario()
        self.detach_stack()
