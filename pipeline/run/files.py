"""Atomic file writes: a reader never sees a half-written output.

Everything a run writes goes to a temporary file in the same directory, is
flushed and fsync'ed, and is then renamed over the target with ``os.replace``
(atomic on POSIX and Windows).  A run killed at any moment leaves either the old
file or the new one, plus at most a stray ``.tmp-*`` file that the next run
ignores.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Permissions of written files: what open() would give (mkstemp alone gives 0600).
FILE_MODE = 0o666 & ~_umask()


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write *data* to *path* atomically (temp file + fsync + os.replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write UTF-8 *text* atomically, with ``\\n`` line endings on every platform."""
    return atomic_write_bytes(path, text.encode("utf-8"))
