"""``unit="record"``: each record of a JSONL/JSON/CSV/TSV file is its own document.

A file of 50 reports ``{id, year, level, title, text}`` is 50 documents, not
one: each gets the record's text, its id and its metadata (every other scalar
field, see :func:`pipeline.reading.records.record_meta`), so per-document
outputs are per report and carry ``year``.

Ids: the record's id field (``r{n}`` when missing, ``~2``, ``~3`` ... appended
to a repeated id), prefixed by the file's id and ``/`` when the corpus is a
folder (``news_briefs.jsonl/brief-01``); when the corpus root *is* the file,
the bare record id (``cn-gwr-2024``). ``sha256`` of a record document is over
the canonical JSON of its id, metadata and text, so resume redoes exactly the
records that changed. Problems with the file as a whole (empty, unreadable, no
record with the text field) give one document with the file's id, as with
``unit="file"``; the file's warnings (records skipped) go on its first record.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any, Mapping

from .document import _paragraphs, build_document, make_storable
from .extracted import Extracted, Unreadable
from .formats import extract, format_for
from .model import Document, DocumentStatus

#: Formats whose files hold records.
RECORD_FORMATS = ("jsonl", "json", "csv", "tsv")
UNITS = ("record", "file")


def is_record_file(name: str) -> bool:
    """Whether ``unit="record"`` splits this file (by its extension)."""
    return format_for(name) in RECORD_FORMATS


def _unique(rid: str, seen: dict[str, int]) -> str:
    n = seen.get(rid, 0) + 1
    seen[rid] = n
    return rid if n == 1 else f"{rid}~{n}"


def record_documents(data: bytes, *, file_id: str, source: str, name: str, prefix: bool,
                     text_field: str = "text", id_field: str = "id",
                     max_bytes: int, meta: Mapping[str, Any] | None = None) -> list[Document]:
    """One document per record of a table file (see the module docstring).

    ``meta`` (from the file name / ``metadata.csv``) is the base every
    record's own fields are laid over.
    """
    base = dict(meta or {})

    def whole_file() -> list[Document]:
        doc = build_document(data, doc_id=file_id, source=source, name=name, text_field=text_field,
                             id_field=id_field, max_bytes=max_bytes)
        return [_with_meta(doc, base)]

    if not data or len(data) > max_bytes:
        return whole_file()
    try:
        ex = extract(data, name, text_field=text_field, id_field=id_field)
    except Unreadable:
        return whole_file()
    make_storable(ex)  # lone surrogates -> U+FFFD, as for a whole file
    if not ex.records or ex.record_meta is None:
        return whole_file()
    docs: list[Document] = []
    seen: dict[str, int] = {}
    for (rid, start, end), rmeta in zip(ex.records, ex.record_meta):
        rid = _unique(rid, seen)
        doc_id = f"{file_id}/{rid}" if prefix else rid
        text = ex.text[start:end]
        merged = {**base, **rmeta}
        sha = hashlib.sha256(json.dumps({"id": rid, "meta": merged, "text": text}, sort_keys=True,
                                        ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()
        sub = Extracted(text=text, format=ex.format, encoding=ex.encoding, records=[(rid, 0, len(text))])
        warnings = tuple(ex.warnings) if not docs else ()
        try:
            paragraphs, traditional = _paragraphs(sub, doc_id)
        except Exception as exc:  # noqa: BLE001 - a splitter bug sinks one record, not the file
            docs.append(Document(id=doc_id, source=source, format=ex.format, encoding=ex.encoding,
                                 status=DocumentStatus.UNREADABLE, sha256=sha, text=text,
                                 reason=f"paragraph splitting failed: {type(exc).__name__}: {exc}",
                                 paragraphs=(), warnings=warnings, meta=merged))
            continue
        status = DocumentStatus.OK if paragraphs else DocumentStatus.EMPTY
        docs.append(Document(id=doc_id, source=source, format=ex.format, encoding=ex.encoding,
                             status=status, sha256=sha, text=text, paragraphs=paragraphs,
                             reason=None if paragraphs else "record text has no visible characters",
                             is_traditional=traditional, warnings=warnings, meta=merged))
    return docs


def _with_meta(doc: Document, meta: Mapping[str, Any]) -> Document:
    if not meta:
        return doc
    return replace(doc, meta={**meta, **doc.meta})
