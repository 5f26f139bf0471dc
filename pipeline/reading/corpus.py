"""``read_corpus``: every file under a folder, one document each (or one per record).

Document ids are the file's path relative to the corpus root in POSIX form
(``2024/page-01.txt``), so the same folder always yields the same ids on any
machine. Files are visited in sorted order of that id (a file's records in
file order). Hidden files and
folders (name starting with '.') are skipped unless ``include_hidden=True``.
A file that cannot be read at all (permissions, vanished) still yields an
``unreadable`` document: one record per file, and the run goes on.  So do
entries that are deliberately not opened: symbolic link loops, dangling
links, links to anything outside the corpus folder or to a folder, FIFOs,
sockets and device files.  Ids of file names that are not UTF-8 show the
bad bytes as ``\\xNN``.  A folder holding ``.minsheng-state`` is a run's
output folder and is never read.  The glob must be relative (an absolute
glob or one with ``..`` is a :class:`ConfigError`), and so must be a sane
``max_bytes``.

``unit="record"`` makes each record of a JSONL/JSON/CSV/TSV file its own
document (:mod:`pipeline.reading.units`); ``unit="file"`` (the default here,
so ids stay stable for callers of the reader) keeps one document per file.
Metadata (``Document.meta``) comes from record fields, ``metadata.csv`` in the
root and ``filename_fields`` (:mod:`pipeline.reading.metadata`).
"""
from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import ConfigError, value_invalid_msg
from .document import MAX_BYTES, build_document
from .metadata import METADATA_FILE, filename_meta, meta_for, read_metadata
from .model import Document, DocumentStatus
from .units import UNITS, is_record_file, record_documents

#: A folder holding this is a run's output folder: ``read_corpus`` never reads it.
RUN_MARKER = ".minsheng-state"


class _NotRead(Exception):
    """An entry that is listed but deliberately not opened (the message says why)."""


def display_name(path: str | os.PathLike) -> str:
    """*path* as text that can be written anywhere: bytes of a file name that are
    not UTF-8 (kept by Python as lone surrogates) are shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _check_glob(glob: str) -> None:
    parts = PurePosixPath(glob.replace("\\", "/")).parts
    if not glob or glob.startswith(("/", "~")) or ".." in parts or PureWindowsPath(glob).drive:
        raise ConfigError(value_invalid_msg("corpus glob", glob, "a pattern relative to the "
                                            "corpus folder, such as '**/*' or '2024/*.txt'")
                          + " Fix: point paths.corpus at the folder and keep the glob relative.")


def _special(path: Path, root: Path) -> str | None:
    """Why *path* (not a plain directory) is not read, or None for a regular file inside *root*."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        return "symbolic link loop; not followed"
    except OSError as exc:
        if path.is_symlink():
            return f"dangling symbolic link to {display_name(os.readlink(path))!r}; not followed"
        return f"cannot open file: {exc.strerror or exc}"
    if root != target and root not in target.parents:
        return (f"links to {display_name(target)!r}, outside the corpus folder; not followed "
                "(copy the file into the folder to read it)")
    mode = target.stat().st_mode
    if stat.S_ISDIR(mode):
        return "symbolic link to a folder; not followed (files are read where they are)"
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device file" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special")
        return f"not a regular file ({kind}); not read"
    return None


def _is_run_output(folder: Path) -> bool:
    """A folder a ``minsheng run`` writes into (its outputs are never inputs)."""
    return (folder / RUN_MARKER).is_dir()


def _files(root: Path, glob: str, include_hidden: bool) -> list[tuple[str, Path, str | None]]:
    """``(doc_id, path, why_not_read)`` of every entry matching *glob*, sorted by id."""
    if root.is_file():
        return [(display_name(root.name), root, None)]
    _check_glob(glob)
    real_root = root.resolve()
    found = []
    skip: list[Path] = []
    for path in root.glob(glob):
        rel = path.relative_to(root)
        if not include_hidden and any(part.startswith(".") for part in rel.parts):
            continue
        if any(s in path.parents for s in skip):
            continue
        if path.is_dir() and not path.is_symlink():
            if _is_run_output(path):
                skip.append(path)
            continue
        found.append((display_name(rel.as_posix()), path, _special(path, real_root)))
    if skip:
        found = [f for f in found if not any(s in f[1].parents for s in skip)]
    found.sort(key=lambda item: item[0])
    return found


def read_corpus(root: str | os.PathLike, glob: str = "**/*", *, text_field: str = "text",
                id_field: str = "id", include_hidden: bool = False,
                max_bytes: int = MAX_BYTES, unit: str = "file",
                filename_fields: Sequence[str] = (), metadata: str = METADATA_FILE,
                ) -> Iterator[Document]:
    """Yield one :class:`Document` per file (or per record) under ``root``, sorted by id.

    ``root`` may also be a single file. Raises ``FileNotFoundError`` only when
    ``root`` itself does not exist and ``ConfigError`` for a bad ``unit`` or an
    unusable ``metadata.csv``; problems with individual files become document
    statuses. ``metadata`` names the metadata file in the root (``""`` = none).
    """
    if unit not in UNITS:
        raise ConfigError(value_invalid_msg("unit", unit, UNITS) + ' Fix: unit="record" or "file".')
    base = Path(root)
    if not base.exists():
        raise FileNotFoundError(f"read_corpus: corpus root {str(base)!r} does not exist; "
                                "pass an existing folder or file")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ConfigError(value_invalid_msg("max_bytes", max_bytes, "a positive integer "
                                            "(bytes)") + f" Fix: e.g. max_bytes={MAX_BYTES}.")
    meta_path = base / metadata if metadata and base.is_dir() else None
    table = read_metadata(meta_path) if meta_path is not None and meta_path.is_file() else {}
    for doc_id, path, why in _files(base, glob, include_hidden):
        if meta_path is not None and doc_id == metadata:
            continue
        source = display_name(path)
        meta, warning = filename_meta(doc_id, list(filename_fields))
        meta.update(meta_for(doc_id, table))
        try:
            if why is not None:
                raise _NotRead(why)
            data = path.read_bytes()
        except (OSError, _NotRead) as exc:
            reason = str(exc) if isinstance(exc, _NotRead) else \
                f"cannot open file: {exc.strerror or exc}; check permissions"
            yield Document(id=doc_id, source=source, format="unknown", encoding=None,
                           status=DocumentStatus.UNREADABLE, reason=reason,
                           text="", paragraphs=(), sha256=hashlib.sha256(b"").hexdigest(), meta=meta)
            continue
        name = display_name(path.name)
        if unit == "record" and is_record_file(name):
            docs = record_documents(data, file_id=doc_id, source=source, name=name,
                                    prefix=base.is_dir(), text_field=text_field, id_field=id_field,
                                    max_bytes=max_bytes, meta=meta)
        else:
            doc = build_document(data, doc_id=doc_id, source=source, name=name,
                                 text_field=text_field, id_field=id_field, max_bytes=max_bytes)
            docs = [replace(doc, meta={**meta, **doc.meta})]
        for doc in docs:
            yield replace(doc, warnings=doc.warnings + (warning,)) if warning else doc
