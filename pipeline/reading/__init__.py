"""Reading documents into paragraphs (issue 3).

``read_document(path | bytes | text, name=...)`` and ``read_corpus(folder)``
turn TXT/MD (any common encoding), HTML, DOCX, PDF with a text layer and
JSONL/JSON/CSV/TSV dumps into :class:`Document` objects whose paragraphs carry
exact offsets, a block kind, and an analysis copy (simplified, normalised).
Bad input never raises: it becomes ``status`` ``empty`` or ``unreadable`` with
a ``reason``.

Invariant (tested on every format): for every ``ok`` document ``d``::

    strip_ws("".join(p.text for p in d.paragraphs)) == strip_ws(clean(d.text))

where ``clean`` removes control characters and ``strip_ws`` all whitespace
(both in :mod:`pipeline.reading.paragraphs`): no character lost, none invented.
"""
from __future__ import annotations

from .corpus import read_corpus
from .document import read_document
from .model import KINDS, Document, DocumentStatus, Paragraph

__all__ = ["KINDS", "Document", "DocumentStatus", "Paragraph", "read_corpus", "read_document"]
