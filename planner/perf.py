"""Performance helpers shared by the loader and the coverage engine."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block that makes many long-lived objects.

    Building a 42,000-site scenario or its coverage structures makes hundreds of thousands of objects that all stay
    alive; the collector would rescan them repeatedly for nothing (measured: the first coverage build after a load
    went from 0.23–0.68 s to 0.20–0.33 s). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
