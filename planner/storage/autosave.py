"""Autosave and crash recovery: a recovery file beside the scenario, written while there are unsaved edits.

While a scenario has edits that are not saved, the app writes it (atomically, like a save) to a *recovery file*:
``.<name>.recovery.json`` beside the scenario file, or ``untitled.recovery.json`` in the planner's data folder
(:func:`planner.paths.user_data_dir`) for a scenario that has never been saved. A save or a clean close removes it,
so a recovery file that exists when a scenario is opened is what a crashed or killed session left: the app offers
to restore it. It is an ordinary scenario file, read with the same validation as any other.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from planner.domain.scenario import Scenario
from planner.paths import user_data_dir
from planner.storage.atomic import atomic_write_bytes

RECOVERY_SUFFIX = ".recovery.json"
#: Autosave after this many seconds with unsaved edits, or after this many edits, whichever comes first ...
AUTOSAVE_INTERVAL_S = 60.0
AUTOSAVE_AFTER_EDITS = 50
#: ... but only once the editing pauses this long (never in the middle of a drag).
AUTOSAVE_PAUSE_S = 1.5


def recovery_path(path: str | Path | None) -> Path:
    """Where the recovery file of the scenario file ``path`` (None: a scenario never saved) is kept."""
    if path is None:
        return user_data_dir() / f"untitled{RECOVERY_SUFFIX}"
    path = Path(path)
    return path.with_name(f".{path.name}{RECOVERY_SUFFIX}")


def write_recovery(scenario: Scenario, path: str | Path | None) -> Path:
    """Write ``scenario`` to the recovery file of ``path``, atomically; returns where."""
    from planner.storage.fileformat import dumps

    target = recovery_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, dumps(scenario).encode("utf-8"), keep_backup=False)
    return target


def pending_recovery(path: str | Path | None) -> Path | None:
    """The recovery file a session of ``path`` left, if there is one newer than the file itself."""
    target = recovery_path(path)
    try:
        saved = target.stat().st_mtime
    except OSError:
        return None
    if path is not None:
        try:
            if os.stat(path).st_mtime > saved:
                return None  # the file was saved after the recovery was written: nothing to recover
        except OSError:
            pass  # the scenario file is gone: its recovery is all there is
    return target


def discard_recovery(path: str | Path | None) -> None:
    """Remove the recovery file of ``path`` (after a save, a clean close, or a declined recovery)."""
    with contextlib.suppress(OSError):
        recovery_path(path).unlink()
