"""``read_corpus``: every file under a folder, one document each, sorted.

Document ids are the file's path relative to the corpus root in POSIX form
(``2024/page-01.txt``), so the same folder always yields the same ids on any
machine. Files are visited in sorted order of that id. Hidden files and
folders (name starting with '.') are skipped unless ``include_hidden=True``.
A file that cannot be read at all (permissions, vanished) still yields an
``unreadable`` document: one record per file, and the run goes on.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from .document import MAX_BYTES, build_document
from .model import Document, DocumentStatus


def _files(root: Path, glob: str, include_hidden: bool) -> list[tuple[str, Path]]:
    if root.is_file():
        return [(root.name, root)]
    found = []
    for path in root.glob(glob):
        rel = path.relative_to(root)
        if not include_hidden and any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file():
            found.append((rel.as_posix(), path))
    found.sort(key=lambda item: item[0])
    return found


def read_corpus(root: str | os.PathLike, glob: str = "**/*", *, text_field: str = "text",
                id_field: str = "id", include_hidden: bool = False,
                max_bytes: int = MAX_BYTES) -> Iterator[Document]:
    """Yield one :class:`Document` per file under ``root`` matching ``glob``, sorted by id.

    ``root`` may also be a single file. Raises ``FileNotFoundError`` only when
    ``root`` itself does not exist; problems with individual files become
    document statuses.
    """
    base = Path(root)
    if not base.exists():
        raise FileNotFoundError(f"read_corpus: corpus root {str(base)!r} does not exist; "
                                "pass an existing folder or file")
    for doc_id, path in _files(base, glob, include_hidden):
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield Document(id=doc_id, source=str(path), format="unknown", encoding=None,
                           status=DocumentStatus.UNREADABLE,
                           reason=f"cannot open file: {exc.strerror or exc}; check permissions",
                           text="", paragraphs=(), sha256=hashlib.sha256(b"").hexdigest())
            continue
        yield build_document(data, doc_id=doc_id, source=str(path), name=path.name,
                             text_field=text_field, id_field=id_field, max_bytes=max_bytes)
