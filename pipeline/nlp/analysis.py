"""The words and PKU tags the domain model sees, from the shipped spaCy pipeline.

:func:`doc_tokens` is the one definition of "a Doc's tokens" for the domain
model: the ``livelihood_domains`` component and the raw-text analyzer of
:class:`pipeline.domains.TermFeaturizer` both call it, so a paragraph gets the
same terms whether it comes through ``pipeline.load()``, ``minsheng run`` or
``DomainClassifier.predict(["raw text"])``.
"""
from __future__ import annotations

from typing import Sequence

from spacy.attrs import IDX, LENGTH, ORTH, SPACY, TAG
from spacy.tokens import Doc

from .loading import load
from .normalize import script_view, traditional_only

_SHIPPED: "PipelineAnalyzer | None" = None


def doc_tokens(doc: Doc) -> tuple[list[str], list[str]]:
    """``(words, tags)`` of a Doc: every token's word in simplified characters (the
    conversion ``read_corpus`` makes, so traditional text gets the simplified text's
    terms; :func:`pipeline.nlp.normalize.script_words`) and its PKU tag.

    Read from the Doc's arrays (offset, length, tag) rather than Token objects:
    the same words and tags, at a fraction of the cost per token.  Text without
    any traditional-only character is its own simplified view, so its words are
    the tokens' strings as they are."""
    strings = doc.vocab.strings
    rows = doc.to_array([ORTH, TAG]).tolist()
    words = [strings[o] for o, _ in rows]
    tags = [strings[h] if h else "" for _, h in rows]
    if traditional_only().isdisjoint("".join(words)):
        return words, tags
    rows = doc.to_array([IDX, LENGTH, ORTH, SPACY]).tolist()
    text = "".join(strings[o] + " " if sp else strings[o] for _, _, o, sp in rows)  # == doc.text
    view = script_view(text)
    return [view[i:i + n] for i, n, _, _ in rows], tags


#: orth id -> (has a traditional-only character, is whitespace only); bounded
_WORD_FLAGS: dict[int, tuple[bool, bool]] = {}
_MAX_WORD_FLAGS = 500_000


def doc_ids(doc: Doc) -> tuple[list[int], list[int], bool] | None:
    """``(orth ids, tag ids, blank)`` of a Doc's tokens when its words are the tokens' own
    strings (no traditional-only character, see :func:`doc_tokens`), else None; *blank*:
    the Doc is only whitespace.  Reads the arrays and one flag pair per distinct word
    (``doc.text`` would build a Token object per token)."""
    rows = doc.to_array([ORTH, TAG])
    orths = rows[:, 0].tolist()
    flags, strings, trad = _WORD_FLAGS, doc.vocab.strings, traditional_only()
    if len(flags) > _MAX_WORD_FLAGS:
        flags.clear()
    blank = True
    for orth in set(orths):
        found = flags.get(orth)
        if found is None:
            word = strings[orth]
            found = flags[orth] = (not trad.isdisjoint(word), not word.strip())
        if found[0]:
            return None
        blank = blank and found[1]
    return orths, rows[:, 1].tolist(), blank


class PipelineAnalyzer:
    """Callable ``texts -> [(words, tags)]`` over a spaCy pipeline without its domain step."""

    def __init__(self, nlp=None, batch_size: int = 64):
        self._nlp = nlp
        self.batch_size = batch_size

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = load(domains=False)
        return self._nlp

    def __call__(self, texts: Sequence[str]) -> list[tuple[list[str], list[str]]]:
        return [doc_tokens(d) for d in self.nlp.pipe(list(texts), batch_size=self.batch_size)]


def shipped_analyzer() -> PipelineAnalyzer:
    """The process-wide analyzer over the shipped pipeline (loaded on first use)."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = PipelineAnalyzer()
    return _SHIPPED
