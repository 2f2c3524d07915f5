"""What went wrong reading or writing a file, in words a planner understands (Chinese first, English second).

``[Errno 28] No space left on device`` tells a planner little; "磁盘已满 / the disk is full" tells them what to do.
:func:`describe` gives the words for an :class:`OSError`, :func:`describe_os_error` the whole message with the file
it concerns. An error with no words of its own falls back to the system's text (``strerror``) without the
``[Errno N]`` prefix.
"""

from __future__ import annotations

import errno

#: errno name → (中文, English). Names rather than numbers: the numbers differ between systems, and some names
#: (EDQUOT on Windows) do not exist everywhere.
_WORDS: dict[str, tuple[str, str]] = {
    "ENOSPC": ("磁盘已满", "the disk is full"),
    "EDQUOT": ("已超出磁盘配额", "the disk quota is used up"),
    "EFBIG": ("文件超过系统允许的大小", "the file is larger than the system allows"),
    "EACCES": ("没有权限", "permission denied"),
    "EPERM": ("不允许此操作", "the operation is not permitted"),
    "EROFS": ("文件系统为只读", "the file system is read-only"),
    "ENAMETOOLONG": ("文件名或路径过长", "the file name or path is too long"),
    "EIO": (
        "读写设备出错（磁盘可能已损坏或断开）",
        "the device failed to read or write (the disk may be failing or disconnected)",
    ),
    "ENOTDIR": ("路径中有一部分不是文件夹", "part of the path is not a folder"),
    "EEXIST": ("已存在同名文件或文件夹", "a file or folder of that name already exists"),
    "ENOENT": ("文件或文件夹不存在", "no such file or folder"),
    "EISDIR": ("这是一个文件夹，不是文件", "it is a folder, not a file"),
    "ENOTEMPTY": ("文件夹不是空的", "the folder is not empty"),
    "EBUSY": ("文件或设备正被占用", "the file or device is in use"),
    "ETXTBSY": ("文件正被占用", "the file is in use"),
    "EMFILE": ("打开的文件过多", "too many files are open"),
    "ENFILE": ("系统打开的文件过多", "too many files are open on the system"),
    "ELOOP": ("符号链接层数过多", "too many levels of symbolic links"),
    "EXDEV": ("不能跨磁盘移动", "cannot move across disks"),
    "ENXIO": ("设备不存在或未连接", "the device does not exist or is not connected"),
    "ENODEV": ("设备不存在", "no such device"),
    "ESTALE": ("网络文件句柄已失效", "the network file handle is stale"),
    "ETIMEDOUT": ("操作超时", "the operation timed out"),
    "EAGAIN": ("资源暂时不可用", "the resource is temporarily unavailable"),
    "EINTR": ("操作被中断", "the operation was interrupted"),
    "ENOMEM": ("内存不足", "out of memory"),
}
_BY_NUMBER: dict[int, tuple[str, str]] = {}
for _name, _words in _WORDS.items():
    _code = getattr(errno, _name, None)
    if _code is not None:
        _BY_NUMBER.setdefault(_code, _words)  # EAGAIN and EWOULDBLOCK share a number on Linux


def describe(exc: OSError) -> str:
    """What went wrong, in words: "磁盘已满 / the disk is full" (no errno, no file name)."""
    words = _BY_NUMBER.get(exc.errno) if isinstance(exc.errno, int) else None
    if words is not None:
        return f"{words[0]} / {words[1]}"
    if exc.strerror:
        return str(exc.strerror)
    # No errno and no strerror: an OSError raised with a message of its own.
    return " ".join(str(a) for a in exc.args) or type(exc).__name__


def describe_os_error(exc: OSError, path: object | None = None) -> str:
    """The whole message: the file concerned (``path``, else the error's own file names), then what went wrong."""
    names = [str(p) for p in ((path,) if path is not None else (exc.filename, exc.filename2)) if p is not None]
    where = " → ".join(names)
    what = describe(exc)
    return f"{where}: {what}" if where else what


__all__ = ["describe", "describe_os_error"]
