"""DOCX and PDF: the two binary containers we read.

* DOCX -- body paragraphs, table cells (each merged cell once), text boxes
  and content controls in document order; a paragraph's text is every
  ``w:t`` in it (tracked insertions, simple fields, smart tags and custom
  XML included, deletions not); each Word paragraph becomes one block,
  separated by blank lines; manual line breaks stay line breaks. A .docx
  that would inflate past 256 MB, or 100x its size above 16 MB, is refused
  before python-docx opens it.
* PDF -- the text layer of every page (pypdf), pages joined by a line break
  so the page-break repair can re-join a paragraph cut by the page end.
  A PDF whose pages yield no text has *no text layer* (a scan): that is
  reported as ``unreadable`` with the OCR fix, never as an empty document.
"""
from __future__ import annotations

import io
import logging
import warnings
from contextlib import contextmanager
from typing import Iterator

from .extracted import Extracted, Unreadable


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
#: A .docx may inflate to at most this many bytes in all (a zip bomb is refused unread) ...
MAX_INFLATED = 256 * 1024 * 1024
#: ... and, above 16 MB inflated, to at most this many times its own size.
MAX_RATIO = 100
_INLINE = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}


def check_inflation(data: bytes) -> None:
    """Refuse a zip whose members would inflate beyond :data:`MAX_INFLATED` or
    :data:`MAX_RATIO` (declared sizes: ``zipfile`` never inflates a member past its
    declared size, it raises instead)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"not a valid .docx (Word 2007+) file: {type(exc).__name__}: {exc}; "
                         "old .doc files must be re-saved as .docx") from exc
    ratio = total / max(1, len(data))
    if total > MAX_INFLATED or (total > 16 * 1024 * 1024 and ratio > MAX_RATIO):
        raise Unreadable(f"refused: the .docx ({len(data)} bytes) would inflate to {total} bytes "
                         f"({ratio:.0f}x; limits {MAX_INFLATED} bytes and {MAX_RATIO}x above 16 MB), "
                         "a zip bomb or a document full of media; save the text as a smaller .docx")


def _paragraph_text(p, boxes: list) -> str:
    """All visible text of a ``w:p`` in document order: runs inside tracked insertions,
    simple fields, smart tags, custom XML and hyperlinks included; deleted text and
    field codes are not ``w:t`` and stay out; an unresolved entity stays as ``&name;``.
    Text boxes are collected into *boxes* (their own paragraphs), once (not their
    ``mc:Fallback`` copy)."""
    out: list[str] = []
    stack = [p]
    while stack:
        el = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == W + "t":
            out.append("".join(el.itertext()))
            continue
        if tag in _INLINE:
            out.append(_INLINE[tag])
            continue
        if tag == MC_FALLBACK:
            continue
        if tag == W + "txbxContent":
            boxes.append(el)
            continue
        stack.extend(reversed(list(el)))
    return "".join(out)


def _docx_blocks(body) -> list[str]:
    """Text blocks of a body (or cell, text box, content control) in document order."""
    texts: list[str] = []
    pending = [body]
    while pending:
        container = pending.pop(0)
        stack = list(reversed(list(container)))
        while stack:
            child = stack.pop()
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == W + "p":
                boxes: list = []
                texts.append(_paragraph_text(child, boxes))
                for box in boxes:  # text boxes right after their anchor paragraph
                    texts.extend(_docx_blocks(box))
            elif tag == W + "tbl":  # each w:tc once, however many grid columns it spans
                stack.extend(reversed([tc for tr in child.iterchildren(W + "tr")
                                       for tc in tr.iterchildren(W + "tc")]))
            elif tag in (W + "tc", W + "sdt", W + "sdtContent", W + "customXml", W + "ins",
                         W + "moveTo", W + "smartTag"):
                stack.extend(reversed(list(child)))
    return texts


def extract_docx(data: bytes) -> Extracted:
    """Paragraphs of a .docx (tables, text boxes, tracked insertions included, in order)."""
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise Unreadable("reading .docx needs python-docx; install it with: pip install python-docx") from exc
    check_inflation(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise Unreadable(
            f"not a valid .docx (Word 2007+) file: {type(exc).__name__}: {exc}; "
            "old .doc files must be re-saved as .docx"
        ) from exc
    texts = _docx_blocks(document.element.body)
    return Extracted(text="\n\n".join(t for t in texts if t.strip()), format="docx")


class _Collect(logging.Handler):
    """Keeps pypdf's log messages (they become the document's warnings)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _pypdf_messages() -> Iterator[list[str]]:
    """pypdf's warnings (log records and ``warnings.warn``) collected instead of printed
    on stderr without a file name; the caller attaches them to the document."""
    logger, handler = logging.getLogger("pypdf"), _Collect()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    messages: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
        messages.extend(str(w.message) for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        messages[:0] = handler.messages


def extract_pdf(data: bytes) -> Extracted:
    """The text layer of a PDF, page by page; pypdf's warnings become the document's."""
    try:
        with _pypdf_messages() as messages:
            ex = _extract_pdf(data)
    except Unreadable as exc:
        if not messages:
            raise
        raise Unreadable(f"{exc} (pypdf: {'; '.join(dict.fromkeys(messages[:5]))})") from exc
    ex.warnings.extend(f"pypdf: {m}" for m in dict.fromkeys(messages[:20]))
    return ex


def _extract_pdf(data: bytes) -> Extracted:
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise Unreadable("reading PDF needs pypdf; install it with: pip install pypdf") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("PDF is encrypted with a password; save an unencrypted copy and read that")
        pages = [(page.extract_text() or "") for page in reader.pages]
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable(f"PDF could not be parsed: {type(exc).__name__}: {exc}; re-export or repair the PDF") from exc
    if not pages:
        raise Unreadable("PDF has no pages")
    if not any(p.strip() for p in pages):
        raise Unreadable(
            f"PDF has no text layer: none of its {len(pages)} page(s) yields text (a scan or images); "
            "run OCR first, e.g. `ocrmypdf --language chi_sim in.pdf out.pdf`, then read out.pdf"
        )
    return Extracted(text="\n".join(p.strip("\n") for p in pages), format="pdf")
