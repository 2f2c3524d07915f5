"""Atomic saving: a planner's file is either the old version or the new one, never half of each.

The new content goes to a temporary file in the same folder (so the final rename stays on one file system),
is flushed and fsync'd, the previous version is kept as ``<name>.bak``, and the temporary file is renamed over
the target with :func:`os.replace`, which is atomic on POSIX and Windows.
"""

from __future__ import annotations

import os
import shutil
import tempfile
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


def atomic_write_bytes(path: str | Path, data: bytes, *, keep_backup: bool = True) -> None:
    """Write ``data`` to ``path`` atomically, keeping the previous version as ``<name>.bak``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
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
            bak_fd, bak_tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".bak.tmp", dir=folder)
            os.close(bak_fd)
            shutil.copy2(path, bak_tmp)
            os.replace(bak_tmp, backup_path(path))
        os.replace(tmp, path)
        _fsync_dir(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save(scenario: Scenario, path: str | Path, *, keep_backup: bool = True) -> None:
    """Save ``scenario`` to ``path`` in the scenario file format, atomically."""
    from planner.storage.fileformat import dumps

    atomic_write_bytes(path, dumps(scenario).encode("utf-8"), keep_backup=keep_backup)
