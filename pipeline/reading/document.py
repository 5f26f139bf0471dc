"""``read_document``: one input → one :class:`Document`, never an exception for bad bytes.

Steps: get the bytes (path, bytes + name, or text + name) → pick a reader and
extract text (:mod:`formats`) → split into blocks (:mod:`paragraphs`) →
classify and repair page breaks (:mod:`repair`) → detect traditional Chinese
and build each paragraph's analysis copy (:mod:`traditional`, :mod:`analysis`).
Problems with the *input* become ``status`` + ``reason``; problems with the
*call* (a path that does not exist, bytes without a name, an unknown ``fmt``)
raise, because they are the caller's bug, not the data's.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from ..errors import ConfigError, value_invalid_msg
from .analysis import analysis_text
from .decode import damage_warning
from .extracted import Extracted, Unreadable
from .formats import EXTENSIONS, extract, format_for
from .model import Document, DocumentStatus, Paragraph
from .paragraphs import Block, split_blocks
from .repair import merge_blocks
from .traditional import is_traditional, to_simplified

#: Values accepted by ``fmt=``.
FORMATS = tuple(sorted(set(EXTENSIONS.values())))
#: Inputs larger than this are refused (reason says how to raise it).
MAX_BYTES = 256 * 1024 * 1024

Source = str | os.PathLike | bytes

_SURROGATE = re.compile("[\ud800-\udfff]")


def make_storable(ex: Extracted) -> None:
    """Replace lone surrogates (a JSON ``\\ud800`` escape, a ``str`` input) by U+FFFD,
    one character for one so offsets hold, and say so: nothing downstream can
    encode them."""
    found = [m.start() for m in _SURROGATE.finditer(ex.text)]
    if found:
        ex.text = _SURROGATE.sub("\ufffd", ex.text)
        ex.warnings.append(f"{len(found)} lone surrogate(s) at character offset(s) "
                           f"{', '.join(map(str, found[:10]))} replaced by U+FFFD")


def _load(source: Source, name: str | None) -> tuple[bytes, str, bool]:
    """Return ``(bytes, label, declared_text)``."""
    if isinstance(source, bytes):
        if not name:
            raise TypeError("read_document(bytes) needs name=... (e.g. 'page.txt') to know the format")
        return source, name, False
    if isinstance(source, str) and name is not None:
        return source.encode("utf-8", "surrogatepass"), name, True
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"read_document: no such file: {str(path)!r}; pass an existing path, "
                                "or text/bytes together with name='file.txt'")
    return path.read_bytes(), str(path), False


def _blocks(ex: Extracted) -> list[Block]:
    if ex.records is None:
        return split_blocks(ex.text)
    blocks: list[Block] = []
    for n, (_rid, start, end) in enumerate(ex.records):
        blocks.extend(split_blocks(ex.text[start:end], offset=start, record=n))
    return blocks


def build_document(data: bytes, *, doc_id: str, source: str, name: str, fmt: str | None = None,
                   text_field: str = "text", id_field: str = "id", max_bytes: int = MAX_BYTES,
                   declared_text: bool = False) -> Document:
    """Read ``data`` (already in memory) into a document; never raises for bad data.

    ``declared_text`` marks bytes that came from a ``str`` (UTF-8 encoded by
    us): binary sniffing is skipped for them.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(value_invalid_msg("fmt", fmt, FORMATS))
    sha = hashlib.sha256(data).hexdigest()
    guessed = fmt or format_for(name) or "unknown"

    def failed(status: DocumentStatus, reason: str, ex: Extracted | None = None) -> Document:
        return Document(id=doc_id, source=source, format=ex.format if ex else guessed,
                        encoding=ex.encoding if ex else None, status=status, reason=reason,
                        text=ex.text if ex else "", paragraphs=(), sha256=sha,
                        warnings=tuple(ex.warnings) if ex else ())

    if not data:
        return failed(DocumentStatus.EMPTY, "file is empty (0 bytes)")
    if len(data) > max_bytes:
        return failed(DocumentStatus.UNREADABLE, f"file is {len(data)} bytes, above the {max_bytes}-byte "
                      "limit; split it or pass max_bytes=<larger>")
    try:
        ex = extract(data, name, fmt=fmt, text_field=text_field, id_field=id_field, declared_text=declared_text)
    except Unreadable as exc:
        return failed(DocumentStatus.UNREADABLE, str(exc))
    except Exception as exc:  # a reader bug or a library choking: still one record per file
        return failed(DocumentStatus.UNREADABLE, f"reader failed: {type(exc).__name__}: {exc}")
    make_storable(ex)
    if ex.damaged:
        ex.warnings.append(damage_warning(ex.damaged))
    try:
        paragraphs, traditional = _paragraphs(ex, doc_id)
    except Exception as exc:  # a splitter bug must not stop a corpus run either
        return failed(DocumentStatus.UNREADABLE, f"paragraph splitting failed: {type(exc).__name__}: {exc}; "
                      "please report this file to the minsheng maintainers", ex)
    if not paragraphs:
        return failed(DocumentStatus.EMPTY, "no visible text (only whitespace or control characters)", ex)
    return Document(id=doc_id, source=source, format=ex.format, encoding=ex.encoding,
                    status=DocumentStatus.OK, reason=None, text=ex.text, paragraphs=paragraphs,
                    sha256=sha, is_traditional=traditional, warnings=tuple(ex.warnings))


def _paragraphs(ex: Extracted, doc_id: str) -> tuple[tuple[Paragraph, ...], bool]:
    """Split, classify, repair and number the paragraphs of extracted text."""
    units = merge_blocks(_blocks(ex))
    if not units:
        return (), False
    traditional = is_traditional(ex.text)
    record_ids = [r[0] for r in ex.records] if ex.records is not None else None
    paragraphs = []
    for n, unit in enumerate(units):
        text = unit.text
        first, last = unit.blocks[0], unit.blocks[-1]
        hits = [(c, b) for c, b in ex.damaged if first.start <= c < last.end]
        paragraphs.append(Paragraph(
            id=f"{doc_id}#p{n}", index=n, text=text,
            analysis_text=analysis_text(to_simplified(text) if traditional else text),
            kind=unit.kind, role=unit.role, start=first.start, end=last.end,
            spans=tuple((b.start, b.end) for b in unit.blocks),
            record_id=record_ids[first.record] if record_ids is not None else None,
            note=damage_warning(hits, " in this paragraph") if hits else None,
        ))
    return tuple(paragraphs), traditional


def read_document(source: Source, *, name: str | None = None, doc_id: str | None = None,
                  fmt: str | None = None, text_field: str = "text", id_field: str = "id",
                  max_bytes: int = MAX_BYTES) -> Document:
    """Read one file (path), ``bytes`` with ``name=``, or a ``str`` of text with ``name=``.

    ``name`` supplies the extension that selects the format (``fmt=`` forces
    one: txt, md, html, docx, pdf, jsonl, json, csv, tsv). ``doc_id`` defaults
    to the file name. For JSONL/CSV, ``text_field`` / ``id_field`` name the
    columns holding the text and the record id.
    """
    data, label, declared = _load(source, name)
    return build_document(data, doc_id=doc_id or Path(label).name, source=label, name=label, fmt=fmt,
                          text_field=text_field, id_field=id_field, max_bytes=max_bytes,
                          declared_text=declared)
