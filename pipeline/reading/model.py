"""The records the reading step produces: :class:`Document` and :class:`Paragraph`.

Both are plain frozen dataclasses so they are cheap to build (the corpus reader
makes thousands per second), hashable, and trivially serialisable with
:meth:`to_dict` for the run engine's JSONL outputs.

Offsets: ``Paragraph.start`` / ``end`` index into ``Document.text`` -- the
decoded text of a plain-text file (BOM removed, nothing else changed) or the
text extracted from an HTML/DOCX/PDF/JSONL/CSV container. A merged paragraph
(see :mod:`pipeline.reading.repair`) spans from the start of its first fragment
to the end of its last; ``spans`` lists every fragment.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class DocumentStatus(str, Enum):
    """Outcome of reading one input.

    * ``ok`` -- decoded and split; ``paragraphs`` may still be only ``other``
      blocks (e.g. an emoji-only file), but nothing went wrong;
    * ``empty`` -- the input holds no visible text (0 bytes, only whitespace or
      control characters, a PDF page with a text layer but no words ...);
    * ``unreadable`` -- the bytes could not be turned into text; ``reason``
      says why and what to do.
    """

    OK = "ok"
    EMPTY = "empty"
    UNREADABLE = "unreadable"

    def __str__(self) -> str:  # so f"{status}" prints 'ok', not 'DocumentStatus.OK'
        return self.value


#: Block kinds, coarse. ``section`` is a bracketed section marker such as
#: 【代表风采】; salutations (各位代表：) are ``other`` with role ``salutation``.
KINDS = ("title", "byline", "heading", "section", "note", "body", "other")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One logical paragraph of a document.

    ``id`` is ``f"{doc_id}#p{n}"`` with ``n`` counting from 0, so
    ``doc.paragraphs[n].id.endswith(f"#p{n}")``.
    ``text`` is the original text (control characters removed, fragments of a
    page-broken paragraph joined); ``analysis_text`` is the copy the NLP steps
    should use (traditional → simplified, full-width letters/digits →
    half-width, ideographic/no-break spaces → ' ', zero-width characters
    dropped). ``kind`` is one of :data:`KINDS`; ``role`` is a finer label
    (``subtitle``, ``numbered``, ``salutation``, ``dateline`` ...).
    ``note`` says what is wrong with an otherwise readable paragraph (invalid
    bytes shown as U+FFFD, with their byte offsets), else None.
    """

    id: str
    index: int
    text: str
    analysis_text: str
    kind: str
    role: str
    start: int
    end: int
    spans: tuple[tuple[int, int], ...]
    record_id: str | None = None
    note: str | None = None

    @property
    def merged_from(self) -> int:
        """How many source blocks were joined into this paragraph (1 = none)."""
        return len(self.spans)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["spans"] = [list(s) for s in self.spans]
        d["merged_from"] = self.merged_from
        return d


@dataclass(frozen=True, slots=True)
class Document:
    """One input file (or in-memory input) read into paragraphs.

    ``sha256`` is over the raw input bytes (the run engine keys resume on it).
    ``encoding`` is the detected text encoding (``None`` for binary containers
    such as DOCX/PDF). ``format`` is one of ``txt``, ``md``, ``html``,
    ``docx``, ``pdf``, ``jsonl``, ``json``, ``csv``, ``tsv`` or ``unknown``.
    ``warnings`` lists non-fatal problems (records without the text field ...).
    ``meta`` holds the document's metadata: scalar fields of its record
    (JSONL/CSV with ``unit="record"``), its row of the corpus's
    ``metadata.csv`` and fields parsed from its file name (see
    :func:`pipeline.reading.read_corpus`); keys are field names.
    """

    id: str
    source: str
    format: str
    encoding: str | None
    status: DocumentStatus
    reason: str | None
    text: str
    paragraphs: tuple[Paragraph, ...]
    sha256: str
    is_traditional: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    @property
    def ok(self) -> bool:
        return self.status is DocumentStatus.OK

    def body(self) -> list[Paragraph]:
        """The paragraphs later steps classify into livelihood domains."""
        return [p for p in self.paragraphs if p.kind == "body"]

    def to_dict(self, *, with_text: bool = False) -> dict[str, Any]:
        """A JSON-ready dict; the (possibly large) decoded text only on request."""
        d: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "format": self.format,
            "encoding": self.encoding,
            "status": self.status.value,
            "reason": self.reason,
            "sha256": self.sha256,
            "is_traditional": self.is_traditional,
            "warnings": list(self.warnings),
            "meta": dict(self.meta),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }
        if with_text:
            d["text"] = self.text
        return d
