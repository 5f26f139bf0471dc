"""Long texts in bounded pieces; lone surrogates made storable.

A paragraph of a million characters is one text to the caller, but spaCy
holds a whole Doc's activations in memory at once (a 1,000,000-character
paragraph took 5.6 GB) and refuses texts above ``nlp.max_length`` (E088).
So a text longer than :data:`PIECE_CHARS` is cut into pieces at sentence
ends (or clause marks, or, with neither in reach, at the bound), every
piece goes through the per-token components (segmenter, tagger, entities
...), and the pieces are joined with ``Doc.from_docs`` into one Doc whose
text is exactly the original.  Components that judge the text as a whole
(:data:`WHOLE_DOC_FACTORIES`: the livelihood domains) then run once on the
joined Doc, so the result is for the paragraph as a whole.  Piece tensors
are dropped as soon as a piece is done (the joined Doc has no tensor), which
keeps memory bounded by one piece plus the tokens.

spaCy's string store cannot hold a lone surrogate (``"\\ud800"``, e.g. from a
JSON escape): :func:`storable` replaces each with U+FFFD, one character for
one, so character offsets stay those of the input.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

#: Texts longer than this (characters) are processed in pieces of at most this size.
PIECE_CHARS = 10_000
#: Components that must see the whole text at once: they run on the joined Doc.
WHOLE_DOC_FACTORIES = ("livelihood_domains",)

_SENTENCE_END = re.compile(r"[。！？!?；;\n…]+[”’」』）)]*")
_CLAUSE = re.compile(r"[，、,：:\s]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """*text* with every lone surrogate replaced by U+FFFD (same length)."""
    return _SURROGATE.sub("\ufffd", text)


def _cut(text: str, start: int, limit: int) -> int:
    """End of the piece starting at *start*: the last sentence end (else clause
    mark) in the second half of the window, else the bound itself."""
    end = start + limit
    if end >= len(text):
        return len(text)
    low = start + limit // 2
    for pattern in (_SENTENCE_END, _CLAUSE):
        last = None
        for m in pattern.finditer(text, low, end):
            last = m.end()
        if last is not None and last > start:
            return last
    return end


def split_text(text: str, limit: int = PIECE_CHARS) -> list[str]:
    """Consecutive pieces of at most *limit* characters; ``"".join(pieces) == text``."""
    if limit < 2:
        raise ValueError(f"split_text: limit must be at least 2, got {limit}")
    pieces, start = [], 0
    while start < len(text):
        end = _cut(text, start, limit)
        pieces.append(text[start:end])
        start = end
    return pieces


def whole_doc_components(nlp: Any, disable: Iterable[str] = ()) -> list[str]:
    """Names of the enabled components that must run on the joined Doc."""
    off = set(disable)
    return [name for name in nlp.pipe_names
            if name not in off and nlp.get_pipe_meta(name).factory in WHOLE_DOC_FACTORIES]


def process_long(nlp: Any, piece_pipe: Any, text: str, disable: Iterable[str] = (),
                 component_cfg: dict | None = None) -> Any:
    """One Doc for a long *text*: pieces through *piece_pipe* (spaCy's own
    ``Language.pipe`` with the whole-doc components disabled), joined, then the
    whole-doc components on the join."""
    from spacy.tokens import Doc

    whole = whole_doc_components(nlp, disable)
    docs = []
    for doc in piece_pipe(split_text(text), list(disable) + whole):
        doc.tensor = doc.tensor[:0]  # not needed after the piece's own components
        docs.append(doc)
    joined = Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor"])
    del docs
    cfg = component_cfg or {}
    for name in whole:
        joined = nlp.get_pipe(name)(joined, **cfg.get(name, {}))
    return joined


def pipe_with_long(texts: Iterable[Any], batch_size: int, short_pipe: Any,
                   long_call: Any) -> Iterator[Any]:
    """``nlp.pipe`` over *texts*, long strings through *long_call*, order kept.

    Short texts go to *short_pipe* in runs of *batch_size* (the same batches
    spaCy would make), so results for short texts do not change.
    """
    run: list[Any] = []
    for text in texts:
        if isinstance(text, str) and len(text) > PIECE_CHARS:
            if run:
                yield from short_pipe(run)
                run = []
            yield long_call(text)
            continue
        run.append(text)
        if len(run) >= batch_size:
            yield from short_pipe(run)
            run = []
    if run:
        yield from short_pipe(run)
