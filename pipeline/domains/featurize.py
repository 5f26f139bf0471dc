"""TermFeaturizer: raw text (or pre-tokenised terms) -> the analysis terms of the domain model.

The featurizer is the first step of :class:`~pipeline.domains.DomainClassifier`
and is saved inside its artifact, so a downstream user who loads the model
needs nothing else to classify raw text.  It owns every choice that turns text
into terms:

* ``analyzer``: which segmenter and tagger produce ``(words, tags)``; the
  default ``"minsheng"`` is the shipped spaCy pipeline (the same tokens and
  PKU tags ``pipeline.load()`` gives), resolved lazily through
  :data:`ANALYZERS` so this module never imports spaCy;
* ``pos_filter``: keep content words by PKU tag (else a stop-word and
  character-class filter);
* ``drop_names``: person and place names (``nr``, ``ns``) are not domain
  evidence (沛林, 河南 must not become topic terms);
* ``bigrams``: adjacent content words also joined (养老+保险 = 养老保险);
* ``phrases``: words that are one term however the segmenter splits them (the
  taxonomy's own terms: 最低/生活/保障 is 最低生活保障, 无/障碍 is 无障碍, 老年/食堂
  is 老年食堂), merged before the tag filter, which would drop a part;
* words are width-folded (ＡＢＣ１２３ → ABC123) as the reading step's analysis copy is.
* sentences and clauses: a mark (:data:`~pipeline.domains.terms.SENTENCE_END`, ``。``)
  stands between two sentences' terms, another (:data:`~pipeline.domains.terms.CLAUSE_END`,
  ``，``) between two clauses' (after ，、：); vectorisers leave them out, the ``lead``
  evidence reads the first sentence, the ``clauses`` evidence counts clauses.

Pre-tokenised input (a list of strings per paragraph) is taken as terms as
they are.  The spaCy component calls :meth:`TermFeaturizer.terms` on a Doc's
words and tags — the same function :meth:`transform` applies after analysing
raw text, so both paths give identical terms.
"""
from __future__ import annotations

from importlib import import_module
from itertools import compress
from typing import Any, Callable, Sequence

from sklearn.base import BaseEstimator, TransformerMixin, clone

from ..errors import ConfigError, value_invalid_msg
from ..reading.analysis import analysis_text
from .caching import DerivedCache
from .terms import is_content_word, join_terms, mark_of

#: PKU tags of person and place names (with pkuseg's finer variants).
NAME_TAGS = frozenset({"nr", "nrf", "nrg", "nrj", "ns"})

#: Analyzer names -> ``module:attribute`` of a zero-argument factory returning a
#: callable ``texts -> [(words, tags), ...]``.  Plugins add entries here.
#: Distinct (word, tag) pairs a featurizer remembers before it starts afresh.
MAX_TERM_TABLE = 500_000
_UNSEEN = object()

ANALYZERS: dict[str, str] = {"minsheng": "pipeline.nlp.analysis:shipped_analyzer"}

Analyzer = Callable[[Sequence[str]], list[tuple[list[str], list[str]]]]


def resolve_analyzer(name: str) -> Analyzer:
    """The analyzer registered under *name* (imported on first use)."""
    if name not in ANALYZERS:
        raise ConfigError(value_invalid_msg("TermFeaturizer analyzer", name, sorted(ANALYZERS)))
    module, attr = ANALYZERS[name].split(":")
    return getattr(import_module(module), attr)()


class TermFeaturizer(DerivedCache, TransformerMixin, BaseEstimator):
    """Turn paragraphs into analysis terms (content words and joined bigrams).

    Parameters
    ----------
    analyzer : str, default="minsheng"
        Name in :data:`ANALYZERS` of the segmenter + tagger used on raw text.
    pos_filter : bool, default=True
        Choose content words by PKU tag; ``False`` uses the untagged filter.
    drop_names : bool, default=True
        Leave out person and place names (tags in :data:`NAME_TAGS`).
    bigrams : bool, default=True
        Add each pair of adjacent content words joined without a space.
    phrases : sequence of str or None, default=None
        Terms that consecutive tokens spelling them out become (longest match, at
        most :data:`MAX_PHRASE_TOKENS` tokens), whatever their tags.  ``None``: a
        :class:`~pipeline.domains.DomainClassifier` fills in its taxonomy's terms
        (:func:`taxonomy_featurizer`); a featurizer used alone merges nothing.

    Examples
    --------
    >>> f = TermFeaturizer()
    >>> f.terms(["加快", "发展", "养老", "服务"], ["v", "v", "vn", "vn"])
    ['养老', '服务', '养老服务']
    >>> f.transform([["已经", "是", "词"]])   # pre-tokenised terms pass through
    [['已经', '是', '词']]
    """

    _parameter_constraints: dict = {"analyzer": [str], "pos_filter": ["boolean"],
                                    "drop_names": ["boolean"], "bigrams": ["boolean"],
                                    "phrases": ["array-like", None]}

    def __init__(self, analyzer: str = "minsheng", pos_filter: bool = True,
                 drop_names: bool = True, bigrams: bool = True, phrases=None):
        self.analyzer = analyzer
        self.pos_filter = pos_filter
        self.drop_names = drop_names
        self.bigrams = bigrams
        self.phrases = phrases

    def fit(self, X=None, y=None):
        """Stateless: check the parameters and return self."""
        self._validate_params()
        return self

    def terms(self, words: Sequence[str], tags: Sequence[str] | None) -> list[str]:
        """Terms of one paragraph from its words and PKU tags (what the component calls).

        Whether a token is a term, and its width-folded form, depend only on its word
        and tag; they are looked up in a per-instance table (a report batch repeats
        most of its words); consecutive tokens spelling a phrase become it
        (:class:`PhraseMatcher`), and terms are joined into bigrams by
        :func:`~pipeline.domains.terms.join_terms`."""
        if tags is not None and not any(tags):
            tags = None
        names, tagged = tags is not None and self.drop_names, tags is not None and self.pos_filter
        keys = zip(words, tags) if tags is not None else ((w, "") for w in words)
        return self._joined(keys, (names, tagged), lambda key: key)

    def terms_from_ids(self, orths: Sequence[int], tags: Sequence[int], strings) -> list[str]:
        """:meth:`terms` of tokens given as string ids (*strings* maps an id to its string,
        as a spaCy ``StringStore`` does; tag id 0 is no tag): the same terms, looked up
        by id pair (a Doc's arrays give the ids without building a string per token)."""
        tagged_doc = any(tags)
        names, tagged = tagged_doc and self.drop_names, tagged_doc and self.pos_filter
        keys = zip(orths, tags if tagged_doc else [0] * len(orths))
        return self._joined(keys, ("ids", names, tagged),
                            lambda key: (strings[key[0]], strings[key[1]] if key[1] else ""))

    def _joined(self, keys, mode: tuple, word_and_tag) -> list[str]:
        """Each token's term from the *mode* table (``_term_of`` of ``word_and_tag(key)`` the
        first time a key is seen), phrases merged, joined into bigrams by ``join_terms``."""
        matcher = self._phrase_matcher()
        names, tagged = mode[-2], mode[-1]
        if matcher is None:
            table = self._term_table(mode, matcher)
            get = table.get

            def term(key) -> str | None:
                found = get(key, _UNSEEN)
                if found is _UNSEEN:
                    found = table[key] = self._term_of(*word_and_tag(key), names, tagged)
                return found

            return join_terms(map(term, keys), self.bigrams)
        table = self._term_table(mode, matcher)  # entries: (term, folded word, may start)
        get = table.get

        def entry(key) -> tuple[str | None, str, bool]:
            found = get(key, _UNSEEN)
            if found is _UNSEEN:
                word, tag = word_and_tag(key)
                folded = analysis_text(word).strip()
                found = table[key] = (self._term_of(word, tag, names, tagged), folded,
                                      matcher.may_start(folded))
            return found

        entries = list(map(entry, keys))
        terms = [e[0] for e in entries]
        starts = list(compress(range(len(entries)), [e[2] for e in entries]))
        if starts:
            terms = matcher.merge(terms, [e[1] for e in entries], starts)
        return join_terms(terms, self.bigrams)

    def _phrase_matcher(self) -> "PhraseMatcher | None":
        if self.phrases is None or len(self.phrases) == 0:
            return None
        return self._derived("phrases", self.phrases, lambda: PhraseMatcher(self.phrases))

    @staticmethod
    def _term_of(word: str, tag: str, names: bool, tagged: bool) -> str | None:
        """One token's term (its width-folded word), or None when it is not one: names
        dropped when *names*, content words by tag when *tagged*
        (:func:`~pipeline.domains.terms.is_content_word`); a sentence-ending mark gives
        :data:`~pipeline.domains.terms.SENTENCE_END`, a clause-ending one (，、：)
        :data:`~pipeline.domains.terms.CLAUSE_END`."""
        if names and tag in NAME_TAGS:
            return None
        folded = analysis_text(word).strip()
        mark = mark_of(folded)
        if mark is not None:
            return mark
        return folded if is_content_word(folded, tag if tagged else "") else None

    def _term_table(self, mode: tuple, matcher: "PhraseMatcher | None") -> dict:
        """The token key -> term table for one way of calling :meth:`terms` or
        :meth:`terms_from_ids`, under the phrase *matcher* in use: a new matcher
        (``set_params(phrases=...)``) starts new tables and frees the old ones."""
        tables = self._derived("term_tables", matcher, dict)  # filled as words come
        if len(tables.get(mode, ())) > MAX_TERM_TABLE:
            tables[mode] = {}
        return tables.setdefault(mode, {})

    def transform(self, X) -> list[list[str]]:
        """Terms of each item: raw ``str`` is analysed, a list of strings is taken as terms."""
        items = list(X)
        out: list[Any] = [None] * len(items)
        raw = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                raw.append(i)
            elif item is None:
                out[i] = []
            elif isinstance(item, (list, tuple)) and all(isinstance(t, str) for t in item):
                out[i] = list(item)
            else:
                raise ConfigError(f"TermFeaturizer input {i} is a {type(item).__name__}; pass raw "
                                  f"text (str) or a list of term strings per paragraph.")
        texts = [items[i] for i in raw if items[i].strip()]
        analysed = iter(self._analyzer()(texts)) if texts else iter(())
        for i in raw:
            if items[i].strip():
                words, tags = next(analysed)
                out[i] = self.terms(words, tags)
            else:
                out[i] = []
        return out

    def _analyzer(self) -> Analyzer:
        # a loaded spaCy pipeline never goes into the pickle
        return self._derived("analyzer", self.analyzer, lambda: resolve_analyzer(self.analyzer))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


#: The most tokens one phrase may span.
MAX_PHRASE_TOKENS = 6


class PhraseMatcher:
    """Longest-match merging of consecutive tokens that spell out one of *phrases*."""

    def __init__(self, phrases: Sequence[str]):
        self.phrases = frozenset(analysis_text(p).strip() for p in phrases if len(p) > 1)
        self.prefixes = frozenset(p[:k] for p in self.phrases for k in range(1, len(p)))

    def may_start(self, word: str) -> bool:
        """Whether a phrase may begin at a token whose folded text is *word*."""
        return word in self.prefixes or word in self.phrases

    def merge(self, terms: list[str | None], words: list[str],
              starts: Sequence[int] | None = None) -> list[str | None]:
        """*terms* with each matched run of tokens (by their width-folded *words*; one
        token that is a phrase included, whatever its tag) replaced by its phrase;
        unmatched tokens keep their term (or None).  *starts*: the positions where a
        phrase may begin (:meth:`may_start`; default all)."""
        prefixes, phrases = self.prefixes, self.phrases
        out: list[str | None] = []
        n, done = len(words), 0  # terms[done:] not yet copied
        for i in (range(n) if starts is None else starts):
            if i < done:
                continue
            text = words[i]
            match, end = (text, i) if text in phrases else (None, i)
            if text in prefixes:
                for j in range(i + 1, min(n, i + MAX_PHRASE_TOKENS)):
                    text += words[j]
                    if text in phrases:
                        match, end = text, j
                    if text not in prefixes:
                        break
            if match is not None:
                out.extend(terms[done:i])
                out.append(match)
                done = end + 1
        out.extend(terms[done:])
        return out


def taxonomy_featurizer(featurizer: TermFeaturizer | None, taxonomy) -> TermFeaturizer:
    """A fitted copy of *featurizer* (default: ``TermFeaturizer()``) whose ``phrases``, when
    ``None``, are *taxonomy*'s terms (seeds and everyday words of every domain): what
    :class:`~pipeline.domains.DomainClassifier` trains and classifies with."""
    f = clone(featurizer) if featurizer is not None else TermFeaturizer()
    if f.phrases is None:
        f.set_params(phrases=tuple(sorted({t for d in taxonomy.domains for t in d.seeds})))
    return f.fit()
