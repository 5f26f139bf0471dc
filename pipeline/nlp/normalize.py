"""What the models read: width- and script-folded copies of the text, one character for one.

People's Daily 1998, on which the segmenter and tagger were trained, writes
digits, Latin letters and ASCII punctuation full-width (１９９８, ＧＤＰ, ％) and
uses simplified characters only. Modern text writes ``1998``, ``GDP``, ``5%``;
some of it is traditional (``國務院``). Every model here reads a *folded* copy
instead of the text itself:

* :func:`fold` maps half-width ASCII to full-width and every character that is
  traditional-only (OpenCC's tables, :mod:`pipeline.reading.traditional`) to
  its simplified form. It is one character for one and the identity on
  simplified full-width text, so PD1998 reads exactly as before.
* :func:`segmenter_view` is what the segmenter reads: for a text that
  :func:`pipeline.reading.traditional.is_traditional` calls traditional it is
  the same OpenCC ``t2s`` conversion ``read_corpus`` makes (phrase-aware; the
  character-level fold where OpenCC would change the length), then folded.
* The tagger's lexeme features (NORM, PREFIX, SUFFIX; see
  :mod:`pipeline.nlp.language`) are computed from the fold of each word, so
  ``1998`` gets the features ``１９９８`` had in training: no retraining, and
  ``token.text`` and character offsets stay the original characters.
"""
from __future__ import annotations

from functools import lru_cache

from spacy.lang.norm_exceptions import BASE_NORMS

from ..reading.traditional import char_to_simplified, is_traditional, to_simplified, traditional_only

# Half-width printable ASCII (U+0021..U+007E) -> full-width forms (U+FF01..U+FF5E).
TO_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}
TO_HALF_WIDTH = {full: half for half, full in TO_FULL_WIDTH.items()}


def to_full_width(text: str) -> str:
    """Map half-width ASCII to full-width, one character for one character."""
    return text.translate(TO_FULL_WIDTH)


def to_half_width(text: str) -> str:
    """Map full-width ASCII forms (U+FF01..U+FF5E) to half-width: how modern text writes
    PD1998's ``１９９８`` and ``ＧＤＰ`` (used to measure the models on such text)."""
    return text.translate(TO_HALF_WIDTH)


@lru_cache(maxsize=1)
def _simplify_table() -> dict[int, str]:
    """Traditional-only character -> its first simplified candidate, when that is one character."""
    table = {}
    for char in traditional_only():
        simple = char_to_simplified(char)
        if len(simple) == 1 and simple != char:
            table[ord(char)] = simple
    return table


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str | int]:
    return {**_simplify_table(), **TO_FULL_WIDTH}


def simplify_chars(text: str) -> str:
    """Traditional-only characters to simplified, one for one (the width kept)."""
    return text.translate(_simplify_table())


def fold(text: str) -> str:
    """Half-width ASCII to full-width and traditional-only characters to simplified,
    one character for one; the identity on PD1998-style text."""
    return text.translate(_fold_table())


def looks_traditional(text: str) -> bool:
    """``is_traditional`` with a quick exit for text without any traditional-only character."""
    return not traditional_only().isdisjoint(text) and is_traditional(text)


def script_view(text: str) -> str:
    """*text* in simplified characters, same length: OpenCC ``t2s`` (as ``read_corpus``)
    for traditional text, else (or where OpenCC would change the length) the
    character-level :func:`simplify_chars`."""
    if looks_traditional(text):
        converted = to_simplified(text)
        if len(converted) == len(text):
            return simplify_chars(converted)
    return simplify_chars(text)


def segmenter_view(text: str) -> str:
    """The same-length copy of *text* that the segmenter reads: :func:`script_view`,
    then half-width ASCII made full-width."""
    return to_full_width(script_view(text))


def norm(string: str) -> str:
    """NORM lexeme attribute: spaCy's default NORM (its base norm table, else lower case)
    of the folded word, so ``5%`` and ``５％`` share one norm."""
    folded = fold(string)
    return BASE_NORMS.get(folded, folded.lower())


def prefix(string: str) -> str:
    """PREFIX lexeme attribute: the folded word's first character."""
    return fold(string[:1])


def suffix(string: str) -> str:
    """SUFFIX lexeme attribute: the folded word's last character (Chinese words are short,
    so spaCy's three-character suffix would be the word itself)."""
    return fold(string[-1:])


def script_words(doc) -> list[str]:
    """The Doc's words in simplified characters, cut from :func:`script_view` of its text
    (the conversion ``read_corpus`` makes), widths as written: what a consumer of
    words, e.g. the domain model, should read for traditional input."""
    view = script_view(doc.text)
    return [view[token.idx:token.idx + len(token.text)] for token in doc]
