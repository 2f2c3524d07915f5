"""The one event API of the model, the engine and the session: :class:`Listeners`.

Every object that tells others about its changes — the scenario (its change lists), the command stack (its undo
state), the coverage engine (its figures and the cells an edit changed) and the session (everything a window
shows) — holds a :class:`Listeners` and offers ``subscribe(listener)`` / ``unsubscribe(listener)``.

A listener that raises does not stop the others, and does not undo what was announced: the change stands, the
failure is logged with the traceback, and the remaining listeners are still called (a failing view must never
leave the model changed but the undo stack, or another view, unaware of it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("planner.events")

Listener = Callable[..., Any]


class Listeners:
    """An ordered set of callbacks, called in subscription order with the arguments of :meth:`emit`."""

    __slots__ = ("_callbacks", "_what")

    def __init__(self, what: str = "event") -> None:
        self._callbacks: list[Listener] = []
        self._what = what

    def subscribe(self, listener: Listener) -> Listener:
        """Call ``listener`` on every emit (once, however often it is subscribed); returns it, for decorator use."""
        if listener not in self._callbacks:
            self._callbacks.append(listener)
        return listener

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener`` (nothing happens if it was not subscribed)."""
        if listener in self._callbacks:
            self._callbacks.remove(listener)

    def emit(self, *args: Any) -> None:
        """Call every listener with ``args``; one that raises is logged and the others are still called."""
        for listener in list(self._callbacks):
            try:
                listener(*args)
            except Exception:
                log.exception("a listener of %s failed", self._what)

    def __len__(self) -> int:
        return len(self._callbacks)

    def __contains__(self, listener: object) -> bool:
        return listener in self._callbacks
