"""Keep Qt objects subscribed to the session without the session keeping them alive (or calling them when dead).

The session (:mod:`planner.session`) is a plain Python object that can outlive any one window. A bound method
put in its listeners would keep a closed window's Python wrapper alive and, once Qt had deleted the C++ object,
raise ``RuntimeError: Internal C++ object already deleted`` on the next edit. So listeners are registered as weak
callbacks, and :class:`SessionLink` removes them explicitly when the owner is destroyed.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from planner.session import Session


def weak_callback(method: Callable[..., Any]) -> Callable[..., None]:
    """A function calling the bound ``method`` while its Qt owner exists, and doing nothing afterwards."""
    ref = weakref.WeakMethod(method)  # type: ignore[arg-type]

    def call(*args: Any) -> None:
        bound = ref()
        if bound is not None and shiboken6.isValid(bound.__self__):
            bound(*args)

    return call


class SessionLink:
    """The subscription of one Qt object to a session's events.

    ``attach`` replaces any previous subscription; ``detach`` removes it. The owner's ``destroyed`` signal
    detaches automatically, through a closure that does not reference the (by then dead) owner.
    """

    def __init__(self, owner: QObject) -> None:
        self._session: Session | None = None
        self._listener: Callable[..., None] | None = None
        owner.destroyed.connect(lambda *_: self.detach())

    def attach(self, session: Session | None, method: Callable[..., Any]) -> None:
        """Subscribe ``method`` (a bound method of the owner) to ``session``'s events."""
        self.detach()
        if session is not None:
            self._session, self._listener = session, weak_callback(method)
            session.subscribe(self._listener)

    def detach(self) -> None:
        """Stop listening."""
        if self._session is not None and self._listener is not None:
            self._session.unsubscribe(self._listener)
        self._session = self._listener = None
