"""The normalised copy of a paragraph that NLP steps analyse.

The original text stays in ``Paragraph.text``; this copy only folds variants
that confuse tokenisers and models without changing meaning:

* full-width ASCII letters and digits (ＡＢＣ１２３) → half-width (ABC123);
  Chinese punctuation (，。：) is kept, segmenters are trained on it;
* ideographic space U+3000, no-break spaces and other Unicode spaces → ' ',
  runs of spaces → one;
* zero-width characters (U+200B-U+200D, U+2060, U+FEFF) removed.

Traditional → simplified conversion happens before this, in the caller.
"""
from __future__ import annotations

import re

_TABLE: dict[int, int | str | None] = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_TABLE.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})
_TABLE.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})
_TABLE.update({cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)})
_SPACES = re.compile(r"\s+")


def analysis_text(text: str) -> str:
    """Return the analysis copy of ``text`` (see module docstring)."""
    return _SPACES.sub(" ", text.translate(_TABLE)).strip()
