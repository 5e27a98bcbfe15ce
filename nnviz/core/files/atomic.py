"""Saving a file so that a crash, a full disk or an exception never leaves it half-written.

The new content goes to a temporary file in the same folder (so the final rename stays on one
file system), is flushed to disk, and only then replaces the old file with :func:`os.replace`,
which is atomic on POSIX and Windows. If anything fails, the old file is untouched and the
temporary file is removed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at ``path`` with ``data``, all or nothing."""
    target = Path(path)
    fd, temp_path = _create_temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        _copy_mode(target, temp_path)
        os.replace(temp_path, target)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Replace the file at ``path`` with ``text`` encoded as UTF-8, all or nothing."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _create_temp_beside(target: Path) -> tuple[int, Path]:
    """Open a new, hidden temporary file next to ``target``.

    Created with mode 0o666 so the user's umask applies, as for any file they save
    (``tempfile.mkstemp`` would make it private to the owner).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp_path = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temp_path, flags, 0o666), temp_path
        except FileExistsError:
            continue


def _copy_mode(target: Path, temp_path: Path) -> None:
    """Keep the permissions of the file being replaced, if there is one."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return
    os.chmod(temp_path, mode)
