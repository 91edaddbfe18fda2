"""Write files so a crash or an error never leaves a damaged or partial file behind.

Every writer builds its output in memory and hands the bytes to ``write_atomically``: they
go to a temporary file in the target's folder, are flushed and synced to disk, and only
then replace the target by a rename. A full disk or any other write error is one
``VSMapperError`` naming the file, and the old file stays as it was.

The temporary file is hidden and named ``.<target>.<pid>.<random>.part``, shortened so it
never exceeds the 255-byte limit of a file name. One left behind by a writer that was
killed is removed by a later write to the same folder once its process is gone (and ten
minutes have passed) or it is a day old.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from pathlib import Path

from vsmapper.errors import VSMapperError

PART_SUFFIX = ".part"
MAX_NAME_BYTES = 255
"""The longest file name most file systems allow, in bytes."""
TARGET_PART_BYTES = 120
"""How much of the target's name the temporary name keeps; room for the pid and token."""
STALE_AFTER_SECONDS = 24 * 3600
ORPHAN_AFTER_SECONDS = 600
"""A temporary file whose writer's pid is not running here waits this long before it goes:
on a shared folder the pid may be of a writer on another computer, still at work."""
_PART_NAME = re.compile(r"^\..*\.(?P<pid>\d+)\.[0-9a-f]{8}\.part$", re.DOTALL)


def write_atomically(target: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``target`` with ``data`` in one step; any failure is one ``VSMapperError``."""
    target = Path(target)
    try:
        _replace(target, data)
    except OSError as error:
        raise save_error(target, error) from None


def save_error(target: str | os.PathLike[str], error: OSError) -> VSMapperError:
    """The one message for a file that could not be written."""
    return VSMapperError(f"{os.fspath(target)}: cannot be saved ({error.strerror or error})")


def temporary_name(target_name: str, pid: int | None = None) -> str:
    """The hidden name a new version of ``target_name`` is written under before the rename."""
    encoded = target_name.encode("utf-8", "surrogateescape")[:TARGET_PART_BYTES]
    stem = encoded.decode("utf-8", "ignore")  # a cut inside a character drops its bytes
    name = f".{stem}.{os.getpid() if pid is None else pid}.{os.urandom(4).hex()}{PART_SUFFIX}"
    assert len(name.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES
    return name


def _replace(target: Path, data: bytes) -> None:
    folder = target.parent
    remove_stale_parts(folder)
    temporary = folder / temporary_name(target.name)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        with contextlib.suppress(OSError):
            os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(folder)


_BINARY = getattr(os, "O_BINARY", 0)


def remove_stale_parts(folder: Path, now: float | None = None) -> list[Path]:
    """Remove our temporary files in ``folder`` whose writer is gone or that are a day old."""
    removed = []
    now = time.time() if now is None else now
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            found = _PART_NAME.match(entry.name)
            if not found or not entry.is_file(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                age = now - entry.stat(follow_symlinks=False).st_mtime
                orphaned = age > ORPHAN_AFTER_SECONDS and not _process_alive(int(found["pid"]))
                if orphaned or age > STALE_AFTER_SECONDS:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _process_alive(pid: int) -> bool:
    """Whether a process with this id runs here; when it cannot tell, assume it does."""
    if pid == os.getpid() or sys.platform == "win32":
        # On Windows os.kill would end the process; there only age tells a file stale.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
