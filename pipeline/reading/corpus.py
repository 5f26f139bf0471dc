"""``read_corpus``: every file under a folder, one document each (or one per record).

Document ids are the file's path relative to the corpus root in POSIX form
(``2024/page-01.txt``), so the same folder always yields the same ids on any
machine. Files are visited in sorted order of that id (a file's records in
file order). Hidden files and
folders (name starting with '.') are skipped unless ``include_hidden=True``.
A file that cannot be read at all (permissions, vanished) still yields an
``unreadable`` document: one record per file, and the run goes on.

``unit="record"`` makes each record of a JSONL/JSON/CSV/TSV file its own
document (:mod:`pipeline.reading.units`); ``unit="file"`` (the default here,
so ids stay stable for callers of the reader) keeps one document per file.
Metadata (``Document.meta``) comes from record fields, ``metadata.csv`` in the
root and ``filename_fields`` (:mod:`pipeline.reading.metadata`).
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from ..errors import ConfigError, value_invalid_msg
from .document import MAX_BYTES, build_document
from .metadata import METADATA_FILE, filename_meta, meta_for, read_metadata
from .model import Document, DocumentStatus
from .units import UNITS, is_record_file, record_documents


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
    meta_path = base / metadata if metadata and base.is_dir() else None
    table = read_metadata(meta_path) if meta_path is not None and meta_path.is_file() else {}
    for doc_id, path in _files(base, glob, include_hidden):
        if meta_path is not None and doc_id == metadata:
            continue
        meta, warning = filename_meta(doc_id, list(filename_fields))
        meta.update(meta_for(doc_id, table))
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield Document(id=doc_id, source=str(path), format="unknown", encoding=None,
                           status=DocumentStatus.UNREADABLE,
                           reason=f"cannot open file: {exc.strerror or exc}; check permissions",
                           text="", paragraphs=(), sha256=hashlib.sha256(b"").hexdigest(), meta=meta)
            continue
        if unit == "record" and is_record_file(path.name):
            docs = record_documents(data, file_id=doc_id, source=str(path), name=path.name,
                                    prefix=base.is_dir(), text_field=text_field, id_field=id_field,
                                    max_bytes=max_bytes, meta=meta)
        else:
            doc = build_document(data, doc_id=doc_id, source=str(path), name=path.name,
                                 text_field=text_field, id_field=id_field, max_bytes=max_bytes)
            docs = [replace(doc, meta={**meta, **doc.meta})]
        for doc in docs:
            yield replace(doc, warnings=doc.warnings + (warning,)) if warning else doc
