"""Split decoded text into blocks (candidate paragraphs) with exact offsets.

A *block* is one non-blank line of the text, further cut where a line holds
several paragraphs glued by the full-width indentation convention
(``…。　　下一段…``). Blocks never contain a line break; whether consecutive
blocks belong to one paragraph is decided later by
:mod:`pipeline.reading.repair`, which sees their kinds.

Nothing is rewritten in place: a block is a ``(start, end)`` span into the
decoded text, trimmed of surrounding whitespace, and its visible text is
``clean(text[start:end])`` -- the span with *control characters* removed.
Control characters are Unicode category ``Cc`` characters that are not
whitespace (NUL, BEL, ESC, DEL, C1 controls ...). Line breaks are every break
:meth:`str.splitlines` knows (``\\r\\n``, ``\\r``, ``\\n``, ``\\x0b``, ``\\x0c``,
``\\x1c``-``\\x1e``, ``\\x85``, U+2028, U+2029), so CRLF and old Mac files split
like Unix ones.

The reading invariant, tested on every format: for any decoded text ``t``,
``strip_ws("".join(block texts)) == strip_ws(clean(t))`` where ``strip_ws``
drops every character for which :meth:`str.isspace` is true.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: A paragraph glued to the previous one on the same line by full-width
#: indentation: sentence-final punctuation, then two or more U+3000.
_INLINE_INDENT = re.compile(r"(?<=[。！？!?…；”」』）)])[ \t]*\u3000{2,}")
_INDENT = re.compile(r"^(?:\u3000|[ \t]{2,}|\t)")


@lru_cache(maxsize=1)
def _control_table() -> dict[int, None]:
    """Translation table deleting non-whitespace Cc characters (65 of them)."""
    table: dict[int, None] = {}
    for cp in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        ch = chr(cp)
        if unicodedata.category(ch) == "Cc" and not ch.isspace():
            table[cp] = None
    return table


def clean(text: str) -> str:
    """Remove control characters (NUL, DEL, C1 ...), keep everything else."""
    return text.translate(_control_table())


def strip_ws(text: str) -> str:
    """Drop every whitespace character (ASCII, U+3000, NBSP, line breaks ...)."""
    return "".join(text.split())


@dataclass(frozen=True, slots=True)
class Block:
    """A candidate paragraph: one line (or an indented piece of one)."""

    start: int
    end: int
    text: str  # clean(decoded[start:end])
    indented: bool  # starts with an indentation convention (new paragraph)
    after_blank: bool  # a blank line (or start of text) precedes it
    record: int = 0  # index of the record (JSONL/CSV) or 0


def _trim(line: str, lo: int, hi: int) -> tuple[int, int]:
    """Shrink ``[lo, hi)`` past whitespace and control characters at both ends."""
    table = _control_table()
    while lo < hi and (line[lo].isspace() or ord(line[lo]) in table):
        lo += 1
    while hi > lo and (line[hi - 1].isspace() or ord(line[hi - 1]) in table):
        hi -= 1
    return lo, hi


def split_blocks(text: str, *, offset: int = 0, record: int = 0) -> list[Block]:
    """Return the blocks of ``text``; offsets are ``offset + index into text``."""
    blocks: list[Block] = []
    pos = 0
    blank_before = True
    n = len(text)
    while pos <= n:
        m = _LINE_BREAK.search(text, pos)
        line_end = m.start() if m else n
        nxt = m.end() if m else n + 1
        pieces = [pos]
        for im in _INLINE_INDENT.finditer(text, pos, line_end):
            pieces.append(im.start())
        pieces.append(line_end)
        produced = False
        for i in range(len(pieces) - 1):
            lo, hi = pieces[i], pieces[i + 1]
            indented = bool(_INDENT.match(clean(text[lo : min(hi, lo + 8)]))) or i > 0
            s, e = _trim(text, lo, hi)
            if s >= e:
                continue
            blocks.append(
                Block(
                    start=offset + s,
                    end=offset + e,
                    text=clean(text[s:e]),
                    indented=indented,
                    after_blank=blank_before and not produced,
                    record=record,
                )
            )
            produced = True
        blank_before = not produced
        pos = nxt
    return blocks
