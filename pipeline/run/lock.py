"""One run per output folder, and outputs a reader can check belong together.

:func:`hold` takes an exclusive, non-blocking ``flock`` on
``OUTPUT/.minsheng-state/lock`` for the whole run: a second ``minsheng run``
into a folder held by a live run stops at once with a one-line
:class:`RunLockedError` naming the folder.  The kernel drops the lock when the
holding process dies (even by ``kill -9``), so there is no stale lock to clean
up.  Forked pool workers inherit the descriptor; :func:`release_inherited`
closes their copy so only the driver holds the lock.

Publishing: :func:`unpublish` removes ``run.json`` (and the outputs) before
the first output is written, and ``run.json`` is written last with the sha256 of every output
and a ``run_id`` over them (:func:`output_digests`), so a folder without
``run.json``, or whose files do not match it (:func:`check_outputs`), is an
interrupted run, never a silent mix of two.
"""
from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from ..assets import sha256_file
from ..errors import MinshengError
from .state import STATE_DIR

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, runs are not guarded
    fcntl = None

LOCK_NAME = "lock"
MANIFEST_NAME = "run.json"
_HELD: list[int] = []


class RunLockedError(MinshengError):
    """Another live run writes into the same output folder."""


@contextmanager
def hold(output_dir: Path) -> Iterator[Path]:
    """Hold the output folder's lock for the duration of the block."""
    state = Path(output_dir) / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    path = state / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.lseek(fd, 0, os.SEEK_SET)
                other = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
                raise RunLockedError(
                    f"Output folder {str(output_dir)!r} is in use by another minsheng run "
                    f"(pid {other}). Fix: wait for it to finish, or pass a different "
                    f"--paths.output.") from None
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))  # named by a run that finds it held
        _HELD.append(fd)
        yield path
    finally:
        if fd in _HELD:
            _HELD.remove(fd)
        os.close(fd)


def release_inherited() -> None:
    """In a forked worker: close the inherited lock descriptor (the driver keeps the lock)."""
    while _HELD:
        try:
            os.close(_HELD.pop())
        except OSError:
            pass


def unpublish(output_dir: Path, names: Sequence[str]) -> None:
    """Remove ``run.json`` and the outputs *names* before new ones are written: until
    ``run.json`` is back the folder is visibly incomplete, and no file of an earlier
    run (a parquet this run does not write) is left to pass as this run's."""
    for name in (MANIFEST_NAME, *names):
        (Path(output_dir) / name).unlink(missing_ok=True)


def output_digests(output_dir: Path, names: Sequence[str]) -> dict[str, str]:
    """sha256 of each existing output file, by name."""
    out = Path(output_dir)
    return {n: sha256_file(out / n) for n in names if (out / n).is_file()}


def run_id(digests: dict[str, str]) -> str:
    """One id for a set of outputs: sha256 over their names and digests."""
    return hashlib.sha256(json.dumps(digests, sort_keys=True).encode("ascii")).hexdigest()


def check_outputs(output_dir: str | os.PathLike) -> str:
    """The run id when every output listed in ``run.json`` matches it; else
    :class:`MinshengError` naming the first file that does not."""
    out = Path(output_dir)
    try:
        manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MinshengError(f"{out / MANIFEST_NAME} is missing or unreadable ({exc}): the run "
                            f"into {str(out)!r} did not finish. Fix: rerun it (--resume reuses "
                            f"finished parts).") from None
    listed = manifest.get("outputs", {})
    for name, expected in sorted(listed.items()):
        path = out / name
        actual = sha256_file(path) if path.is_file() else "missing"
        if actual != expected:
            raise MinshengError(f"{path} does not belong to the run in {out / MANIFEST_NAME} "
                                f"(sha256 {actual}, run.json says {expected}). Fix: rerun into "
                                f"{str(out)!r}.")
    if manifest.get("run_id") != run_id(listed):
        raise MinshengError(f"run_id in {out / MANIFEST_NAME} does not match its outputs. "
                            f"Fix: rerun into {str(out)!r}.")
    return manifest["run_id"]
