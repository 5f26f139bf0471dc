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
* words are width-folded (ＡＢＣ１２３ → ABC123) as the reading step's analysis copy is.
* sentences: a mark (:data:`~pipeline.domains.terms.SENTENCE_END`, ``。``) stands between
  two sentences' terms; vectorisers leave it out, the ``lead`` evidence reads the
  first sentence.

Pre-tokenised input (a list of strings per paragraph) is taken as terms as
they are.  The spaCy component calls :meth:`TermFeaturizer.terms` on a Doc's
words and tags — the same function :meth:`transform` applies after analysing
raw text, so both paths give identical terms.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any, Callable, Sequence

from sklearn.base import BaseEstimator, TransformerMixin

from ..errors import ConfigError, value_invalid_msg
from ..reading.analysis import analysis_text
from .caching import DerivedCache
from .terms import SENTENCE_END, SENTENCE_PUNCT, is_content_word, join_terms

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

    Examples
    --------
    >>> f = TermFeaturizer()
    >>> f.terms(["加快", "发展", "养老", "服务"], ["v", "v", "vn", "vn"])
    ['养老', '服务', '养老服务']
    >>> f.transform([["已经", "是", "词"]])   # pre-tokenised terms pass through
    [['已经', '是', '词']]
    """

    _parameter_constraints: dict = {"analyzer": [str], "pos_filter": ["boolean"],
                                    "drop_names": ["boolean"], "bigrams": ["boolean"]}

    def __init__(self, analyzer: str = "minsheng", pos_filter: bool = True,
                 drop_names: bool = True, bigrams: bool = True):
        self.analyzer = analyzer
        self.pos_filter = pos_filter
        self.drop_names = drop_names
        self.bigrams = bigrams

    def fit(self, X=None, y=None):
        """Stateless: check the parameters and return self."""
        self._validate_params()
        return self

    def terms(self, words: Sequence[str], tags: Sequence[str] | None) -> list[str]:
        """Terms of one paragraph from its words and PKU tags (what the component calls).

        Whether a token is a term, and its width-folded form, depend only on its word
        and tag; they are looked up in a per-instance table (a report batch repeats
        most of its words), then joined into bigrams by
        :func:`~pipeline.domains.terms.join_terms`, as ``terms_from_tagged`` does."""
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
        first time a key is seen), joined into bigrams by ``join_terms``."""
        table = self._term_table(mode)
        get, names, tagged = table.get, mode[-2], mode[-1]

        def term(key) -> str | None:
            found = get(key, _UNSEEN)
            if found is _UNSEEN:
                found = table[key] = self._term_of(*word_and_tag(key), names, tagged)
            return found

        return join_terms(map(term, keys), self.bigrams)

    @staticmethod
    def _term_of(word: str, tag: str, names: bool, tagged: bool) -> str | None:
        """One token's term (its width-folded word), or None when it is not one: names
        dropped when *names*, content words by tag when *tagged*
        (:func:`~pipeline.domains.terms.is_content_word`); a sentence-ending mark gives
        :data:`~pipeline.domains.terms.SENTENCE_END`."""
        if names and tag in NAME_TAGS:
            return None
        folded = analysis_text(word).strip()
        if folded in SENTENCE_PUNCT:
            return SENTENCE_END
        return folded if is_content_word(folded, tag if tagged else "") else None

    def _term_table(self, mode: tuple) -> dict:
        """The token key -> term table for one way of calling :meth:`terms` or
        :meth:`terms_from_ids`."""
        tables = self._derived("term_tables", None, dict)  # rebuilt as words come
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
