"""An ``AttributeRuler`` that applies single-token ORTH/TAG rules by dictionary lookup.

spaCy's AttributeRuler runs every pattern through the Matcher at every token;
with a tag map plus a few hundred word exceptions that costs more than the
tagger itself. Patterns of exactly one token that test only ORTH and/or TAG
(all of ours) are applied here through a dict keyed by (word, tag); any other
pattern still goes through the Matcher. Precedence is the AttributeRuler's:
later patterns win. Patterns, serialisation and scoring are inherited.

The rules a token gets depend only on its (word, tag), so their combined
attributes are resolved once per distinct pair and, when they set only POS
and TAG (all of ours), written for the whole Doc with one ``Doc.from_array``
instead of token by token.
"""
from __future__ import annotations

from typing import Dict, Iterable, Iterator

import numpy as np

from spacy.attrs import ORTH, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.pipeline.attributeruler import attribute_ruler_score
from spacy.tokens import Doc
from spacy.tokens._retokenize import normalize_token_attrs, set_token_attrs
from spacy.util import minibatch

LOOKUP_KEYS = {"ORTH", "TAG"}
ARRAY_ATTRS = {TAG, POS}  # resolved attributes written through Doc.from_array
MAX_RESOLVED = 500_000  # distinct (word, tag) pairs kept; then the cache starts again


def _lookup_key(patterns: Iterable, index: int) -> list[tuple[str | None, str | None]] | None:
    """(orth, tag) keys when every pattern is one plain ORTH/TAG token, else None."""
    keys = []
    for pattern in patterns:
        if len(pattern) != 1 or index not in (0, -1):
            return None
        token = pattern[0]
        if not token or set(token) - LOOKUP_KEYS or not all(isinstance(v, str) for v in token.values()):
            return None
        keys.append((token.get("ORTH"), token.get("TAG")))
    return keys


class LookupAttributeRuler(AttributeRuler):
    """Drop-in AttributeRuler with a dictionary fast path for single-token rules."""

    def __init__(self, vocab, name: str = "attribute_ruler", **kwargs):
        super().__init__(vocab, name, **kwargs)
        self._lookup: Dict[tuple, list[int]] = {}
        self._lookup_patterns: Dict[int, list] = {}
        self._forget_resolved()

    def _forget_resolved(self) -> None:
        """Start the resolved (word, tag) table afresh (rules changed, or it grew too big)."""
        self._resolved: Dict[tuple[int, int], int] = {}  # (orth, tag) -> row of _table
        self._table: tuple[np.ndarray, np.ndarray] | None = None  # (new TAG/POS, keep own)
        self._others: Dict[int, dict] = {}  # row -> attrs beyond TAG/POS (token by token)
        self._has_others = np.zeros(0, dtype=bool)

    def clear(self) -> None:
        super().clear()
        self._lookup: Dict[tuple, list[int]] = {}
        self._lookup_patterns: Dict[int, list] = {}
        self._forget_resolved()

    def add(self, patterns, attrs: Dict, index: int = 0) -> None:
        keys = _lookup_key(patterns, index)
        if keys is None:
            super().add(patterns, attrs, index)
            return
        self._forget_resolved()
        rule_id = len(self.attrs)
        # keep the Matcher's rule numbering intact: register the id with no pattern
        self._attrs_unnormed.append(attrs)
        self.attrs.append(normalize_token_attrs(self.vocab, attrs))
        self.indices.append(index)
        self._lookup_patterns[rule_id] = [list(p) for p in patterns]
        for key in keys:
            self._lookup.setdefault(key, []).append(rule_id)

    @property
    def patterns(self):
        out = []
        for i in range(len(self.attrs)):
            found = self._lookup_patterns.get(i)
            if found is None:
                found = self.matcher.get(str(i))[1]
            out.append({"patterns": found, "attrs": self._attrs_unnormed[i], "index": self.indices[i]})
        return out

    def _resolve(self, orth: int, tag: int) -> dict:
        """The attributes every lookup rule for (word, tag) sets, applied in rule order."""
        strings = self.vocab.strings
        text, tag_ = strings[orth], strings[tag] if tag else ""
        merged: dict = {}
        for rule_id in sorted(rule for key in ((None, tag_), (text, None), (text, tag_))
                              for rule in self._lookup.get(key, ())):
            merged.update(self.attrs[rule_id])
        return merged

    def __call__(self, doc: Doc) -> Doc:
        if len(self.matcher):  # rules through the Matcher interleave by rule id: token by token
            return self._by_token(doc)
        error_handler = self.get_error_handler()
        try:
            return self._apply([doc])[0]
        except Exception as e:  # same contract as AttributeRuler
            return error_handler(self.name, self, [doc], e)

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """:meth:`__call__` on each Doc, a batch at a time (one lookup pass and one array
        rewrite for the batch's tokens); a batch that fails goes to the error handler,
        as spaCy's batch components do."""
        if len(self.matcher):
            yield from (self(doc) for doc in stream)
            return
        error_handler = self.get_error_handler()
        for batch in minibatch(stream, size=batch_size):
            try:
                yield from self._apply(batch)
            except Exception as e:
                error_handler(self.name, self, batch, e)

    def _apply(self, docs: list[Doc]) -> list[Doc]:
        """Write the lookup rules' TAG/POS of every token of *docs*: each distinct (word, tag)
        is resolved once into a row of :attr:`_table` (new TAG, new POS, or keep the
        token's own), and the batch's arrays are rewritten together."""
        arrays = [doc.to_array([ORTH, TAG, POS]) for doc in docs]
        sizes = [len(a) for a in arrays]
        if not sum(sizes):
            return docs
        rows = np.concatenate(arrays)
        if len(self._resolved) > MAX_RESOLVED:
            self._forget_resolved()
        index = self._resolved
        get = index.get
        found = [get(key, -1) for key in zip(rows[:, 0].tolist(), rows[:, 1].tolist())]
        if -1 in found:
            found = self._resolve_missing(rows, found)
        at = np.asarray(found, dtype=np.int64)
        new, keep = self._table
        values = np.where(keep[at], rows[:, 1:], new[at])
        start = 0
        for doc, size in zip(docs, sizes):
            if size:
                doc.from_array([TAG, POS], values[start:start + size])
                for i in np.flatnonzero(self._has_others[at[start:start + size]]).tolist() \
                        if self._others else ():
                    set_token_attrs(doc[i], self._others[int(at[start + i])])
            start += size
        return docs

    def _resolve_missing(self, rows: np.ndarray, found: list[int]) -> list[int]:
        """Resolve the (word, tag) pairs not seen before and grow :attr:`_table` with them."""
        index, fresh = self._resolved, []
        for i in [i for i, f in enumerate(found) if f == -1]:
            key = (int(rows[i, 0]), int(rows[i, 1]))
            slot = index.get(key)
            if slot is None:
                slot = index[key] = len(index)
                fresh.append(self._resolve(*key))
            found[i] = slot
        new = np.zeros((len(fresh), 2), dtype=np.uint64)
        keep = np.ones((len(fresh), 2), dtype=bool)
        first = len(index) - len(fresh)
        for j, attrs in enumerate(fresh):
            for col, attr in ((0, TAG), (1, POS)):
                if attr in attrs:
                    new[j, col], keep[j, col] = attrs[attr], False
            if attrs.keys() - ARRAY_ATTRS:
                self._others[first + j] = attrs
        if self._table is None:
            self._table = (new, keep)
        else:
            self._table = (np.concatenate([self._table[0], new]), np.concatenate([self._table[1], keep]))
        self._has_others = np.zeros(len(index), dtype=bool)
        self._has_others[list(self._others)] = True
        return found

    def _by_token(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            lookup = self._lookup
            hits: list[tuple[int, int]] = []
            for token in doc:
                text, tag = token.text, token.tag_
                for key in ((None, tag), (text, None), (text, tag)):
                    for rule_id in lookup.get(key, ()):
                        hits.append((rule_id, token.i))
            if len(self.matcher):
                for rule_id, _, start, end in self.match(doc):
                    hits.append((rule_id, doc[start:end][self.indices[rule_id]].i))
            hits.sort()
            for rule_id, i in hits:
                set_token_attrs(doc[i], self.attrs[rule_id])
            return doc
        except Exception as e:  # same contract as AttributeRuler
            return error_handler(self.name, self, [doc], e)


@Language.factory("lookup_attribute_ruler", assigns=["token.pos", "token.tag"],
                  default_config={"validate": False,
                                  "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}})
def make_lookup_attribute_ruler(nlp: Language, name: str, validate: bool,
                                scorer=attribute_ruler_score) -> LookupAttributeRuler:
    """Factory: ``nlp.add_pipe("lookup_attribute_ruler", name="attribute_ruler")``."""
    return LookupAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)
