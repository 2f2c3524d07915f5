"""One computation at a time on a worker thread, for panels that work something out while the planner goes on.

The gap tab and the siting panel both run a second-long analysis on a *copy* of the scenario (the model is never
touched off the GUI thread). Starting a new run cancels the one still going: it stops at its next check of the
``cancelled`` callable it was given, and its result, if it finished before it saw the cancel, is recognised as an
old run's by its number and dropped by the panel.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from planner.textsafe import printable


class BackgroundRun(QObject):
    """Runs ``work(progress, cancelled)`` on one worker thread; signals carry the run's number."""

    progressed = Signal(int, float)  # run, fraction
    finished = Signal(int, object)  # run, result
    failed = Signal(int, str)  # run, message (a planning error's words, or a bug's, logged)
    cancelled = Signal(int)  # run

    def __init__(self, name: str, parent: QObject | None = None, *, expected: tuple[type, ...] = ()) -> None:
        """``expected``: exception types that are the planner's to read (a region too small …), not logged."""
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._cancel = threading.Event()
        self._expected = expected
        self.run_id = 0

    def start(self, work: Callable[[Callable[[float], None], Callable[[], bool]], Any]) -> int:
        """Cancel the run going and queue ``work``; returns the new run's number."""
        from planner.analysis.siting import Cancelled

        self._cancel.set()  # the previous run stops at its next check
        self._cancel = cancel = threading.Event()
        self.run_id += 1
        run = self.run_id

        def job() -> None:
            if cancel.is_set():
                self.cancelled.emit(run)
                return
            try:
                result = work(lambda f: self.progressed.emit(run, f), cancel.is_set)
            except Cancelled:
                self.cancelled.emit(run)
                return
            except self._expected as exc:
                self.failed.emit(run, printable(exc))
                return
            except Exception as exc:  # a bug: logged, and said in words by the panel
                logging.getLogger(__name__).exception("background run failed")
                self.failed.emit(run, printable(exc))
                return
            self.finished.emit(run, result)

        self._pool.submit(job)
        return run

    def stop(self) -> None:
        """Cancel the run going, if any."""
        self._cancel.set()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the queued runs are done (tests, closing); True if they were."""
        done = threading.Event()
        self._pool.submit(done.set)
        return done.wait(timeout)
