"""What a format reader hands back: text plus how it was obtained.

Every reader in :mod:`pipeline.reading.formats` turns raw bytes into an
:class:`Extracted` or raises :class:`Unreadable` with a reason that names the
problem and the fix; :func:`pipeline.reading.document.read_document` turns
the latter into an ``unreadable`` document instead of letting it escape.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import MinshengError


class Unreadable(MinshengError):
    """The input cannot be turned into text; ``str(exc)`` is the reason."""


@dataclass(slots=True)
class Extracted:
    """Text extracted from one input.

    ``records`` is set by the JSONL/CSV readers: ``(record_id, start, end)``
    spans of ``text``, each record being a hard paragraph boundary;
    ``record_meta`` holds, parallel to it, each record's scalar fields other
    than the text field (its metadata: year, region, title ...).
    ``damaged`` lists ``(char_offset, byte_offset)`` of invalid bytes shown as
    U+FFFD in ``text`` (slightly damaged UTF-8, see :mod:`decode`).
    """

    text: str
    format: str
    encoding: str | None = None
    records: list[tuple[str, int, int]] | None = None
    warnings: list[str] = field(default_factory=list)
    damaged: list[tuple[int, int]] = field(default_factory=list)
    record_meta: list[dict[str, object]] | None = None
