"""Atomic saving: a planner's file is either the old version or the new one, never half of each.

The new content goes to a temporary file in the same folder (so the final rename stays on one file system),
is flushed and fsync'd, the previous version is kept as ``<name>.bak``, and the temporary file is renamed over
the target with :func:`os.replace`, which is atomic on POSIX and Windows.

A process killed between writing and renaming leaves its temporary files behind. Their names carry the saving
process's id — ``.<name>.<pid>.<random>.tmp`` and ``….bak.tmp``; a GeoPackage export's ``….tmp.gpkg`` with its
SQLite side files — so the next save of that file (or opening it in
the app) removes the ones whose process is gone (:func:`remove_stale_temporaries`), and never a temporary that
a live save in another process is still writing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from planner.domain.scenario import Scenario


def backup_path(path: str | Path) -> Path:
    """Where the previous version of ``path`` is kept."""
    path = Path(path)
    return path.with_name(path.name + ".bak")


def _fsync_dir(folder: Path) -> None:
    # Make the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: A temporary of an unknown process (no id in its name, or on a system where a process cannot be asked after) is
#: stale once it is this old: no save takes an hour.
STALE_AFTER_S = 3600.0
#: The files SQLite keeps beside a database while it writes (a GeoPackage is one).
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}."


def _process_gone(pid: int) -> bool:
    if os.name != "posix":
        return False  # os.kill would terminate the process on Windows; the age rule applies there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists but belongs to someone else
        return False
    return False


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Remove temporary files that an interrupted save of ``path`` left beside it; returns what was removed.

    Only names this module (and the GeoPackage export) makes are touched: ``.<name>.<pid>.<random>.tmp`` /
    ``.bak.tmp`` / ``.tmp.gpkg`` (and its SQLite side files) of a process that no
    longer runs, and, of any process, ones older than :data:`STALE_AFTER_S`. Errors are ignored: cleaning up is a
    courtesy and must never make a save fail.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    sides = "|".join(re.escape(s) for s in SQLITE_SIDE_FILES)
    pattern = re.compile(
        rf"^\.{re.escape(path.name)}\.(?:(\d+)\.)?[A-Za-z0-9_]+(?:\.bak)?\.tmp(?:\.gpkg(?:{sides})?)?$"
    )
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = pattern.match(entry.name)
        if not m or not entry.is_file(follow_symlinks=False):
            continue
        pid = int(m.group(1)) if m.group(1) else None
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
            if old or (pid is not None and pid != os.getpid() and _process_gone(pid)):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def atomic_write_bytes(path: str | Path, data: bytes, *, keep_backup: bool = True) -> None:
    """Write ``data`` to ``path`` atomically, keeping the previous version as ``<name>.bak``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(path)
    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            # Keep the user's permissions on the new file.
            shutil.copymode(path, tmp)
        else:
            # mkstemp creates 0600; a new file gets the usual permissions (0666 less the umask).
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if path.exists() and keep_backup:
            bak_fd, bak_tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".bak.tmp", dir=folder)
            os.close(bak_fd)
            try:
                shutil.copy2(path, bak_tmp)
                os.replace(bak_tmp, backup_path(path))
            except BaseException:
                Path(bak_tmp).unlink(missing_ok=True)
                raise
        os.replace(tmp, path)
        _fsync_dir(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save(scenario: Scenario, path: str | Path, *, keep_backup: bool = True) -> None:
    """Save ``scenario`` to ``path`` in the scenario file format, atomically."""
    from planner.storage.fileformat import dumps

    atomic_write_bytes(path, dumps(scenario).encode("utf-8"), keep_backup=keep_backup)
