"""SeededTopicScorer: one seeded topic model turned into per-domain evidence.

A scorer owns a vocabulary (corpus terms passing ``min_df``/``max_df`` plus
every seed term), a term weighting (TF-IDF for NMF, counts for LDA) and one
seeded topic model (:class:`SeededNMF` or :class:`SeededLDA`, any estimator
with ``seeds``/``fit_transform``/``transform``/``components_``).  Each seed group
of the taxonomy is one topic; free topics absorb what no seed describes.  For
each paragraph it gives these kinds of evidence (:class:`Evidence`):

* ``shares``: each domain's share of the paragraph's topic mass, free topics
  counted towards the fallback domain;
* ``seeded``: the same over seeded topics only (free topics neutral), so text
  whose colloquial words land in free topics is judged by what it is about;
* ``anchors``: the strongest single-term evidence, max over the paragraph's
  terms of P(domain | term) under the topic-word weights (one line on 残疾人 in
  a paragraph on jobs);
* ``mean``: the mean of P(domain | term) over the paragraph's terms, every
  known term one vote whatever its weight in the topics;
* ``support``, ``strong``, ``second``: how many distinct terms back a domain
  (``log1p`` of the count with P(domain | term) >= 0.5, and >= 0.8) and the
  second-strongest term: a domain named by several terms is part of the
  paragraph, one named by a single word in passing may not be.  The label-set
  model reads them; the decision may (``support``).
* ``clauses``: how many clauses (ended by ，、： or a sentence end) have a term
  with P(domain | term) >= 0.5, ``log1p``.  A list item is one clause, so a
  domain that every item of a list names (推进智慧X、法治X、文化X…) outweighs one
  that a closing slogan names with three words; ``support`` counts distinct terms
  and would have it the other way round.
* ``lead``: ``mean`` over the paragraph's first ``lead_terms`` terms only.  A
  report paragraph states its subject first (推进社会治理共建共治共享。…) and a
  list paragraph's primary is its first domain (the taxonomy's boundary rule),
  while the rest may be about something else or be rhetoric.
* ``first``: how early the paragraph first names the domain, by a term with
  P(domain | term) >= ``first_at``: ``exp(-position / first_decay)``, the position
  counted in words, 0 when no term names it.  The taxonomy's rule for list
  paragraphs (the primary is the first domain) read over the whole paragraph:
  打造共建共治共享社会治理格局。…社会治安… names social governance before
  public safety, though public safety then gets more words.
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from .caching import DerivedCache
from .coherence import npmi_coherence
from .support import grow_seed_support
from .taxonomy import Taxonomy
from .term_stats import (TermPositions, clause_support, first_named, known_rows,
                         lead_columns, term_stats)
from .terms import without_marks
from .topics import SeededNMF


def identity_analyzer(doc):
    """Analyzer for pre-extracted term lists (module level so models pickle); the
    featurizer's sentence and clause marks (:data:`~pipeline.domains.terms.MARKS`) are not
    terms."""
    return without_marks(doc)


def vocabulary_with(docs: Sequence[Sequence[str]], always, **limits) -> list[str]:
    """The terms of *docs* within the ``CountVectorizer`` *limits* (``min_df``, ``max_df``,
    ``max_features``), plus every term of *always* (the taxonomy's seeds), sorted."""
    counted = CountVectorizer(analyzer=identity_analyzer, lowercase=False, **limits).fit(docs)
    return sorted(set(counted.vocabulary_) | set(always))


@dataclass
class Evidence:
    """Per-paragraph, per-domain evidence (rows: paragraphs, columns: taxonomy ids)."""

    shares: np.ndarray
    seeded: np.ndarray
    anchors: np.ndarray
    mean: np.ndarray
    has_terms: np.ndarray
    #: each row's heaviest topic (its name; None without terms), from the same transform
    topics: list | None = None
    support: np.ndarray | None = None
    strong: np.ndarray | None = None
    second: np.ndarray | None = None
    lead: np.ndarray | None = None
    first: np.ndarray | None = None
    clauses: np.ndarray | None = None

    def take(self, rows: Sequence[int]) -> "Evidence":
        """The evidence of *rows* only."""
        pick = (lambda v: None if v is None else v[rows])
        return Evidence(self.shares[rows], self.seeded[rows], self.anchors[rows], self.mean[rows],
                        self.has_terms[rows],
                        None if self.topics is None else [self.topics[i] for i in rows],
                        support=pick(self.support), strong=pick(self.strong),
                        second=pick(self.second), lead=pick(self.lead),
                        first=pick(self.first), clauses=pick(self.clauses))

    @staticmethod
    def average(parts: Sequence["Evidence"]) -> "Evidence":
        def mean(k):
            values = [getattr(p, k) for p in parts]
            return None if any(v is None for v in values) else np.mean(values, axis=0)
        return Evidence(*(mean(k) for k in ("shares", "seeded", "anchors", "mean")),
                        np.logical_or.reduce([p.has_terms for p in parts]),
                        support=mean("support"), strong=mean("strong"), second=mean("second"),
                        lead=mean("lead"), first=mean("first"), clauses=mean("clauses"))


class SeededTopicScorer(DerivedCache, BaseEstimator):
    """A seeded topic model over analysis terms, read as livelihood-domain evidence.

    Parameters
    ----------
    topic_model : estimator, default=None
        An unfitted seeded topic model; its ``seeds`` are set from the taxonomy
        at fit.  ``None`` means ``SeededNMF(n_free_topics=10, seed_strength=30)``.
    weighting : {"tfidf", "counts"}, default="tfidf"
        Term weights the topic model sees (NMF: tfidf; LDA: counts).
    seed_docs : int, default=3
        Times each seed group is added as a pseudo-paragraph, so every seed
        co-occurs with its group.
    min_df, max_df, max_features :
        Vocabulary limits (seed terms are always in the vocabulary).
    expand_seeds : int, default=200
        For models with a ``seed_support`` parameter (NMF): terms that co-occur
        most exclusively with a seed group may carry its topic's weight.
    expand_min_precision : float, default=0.5
    topic_mass : bool, default=True
        Weigh each topic's document weight by its total term weight (NMF, whose
        weights have no common scale).  Not for LDA, whose document weights are
        already proportions: multiplying them by corpus mass counts a topic's
        prevalence twice and pushes small domains under.
    lead_terms : int, default=12
        How many of a paragraph's first terms (words and bigrams, in text order)
        the ``lead`` evidence reads.
    first_decay : float, default=10.0
        Scale, in words, of the ``first`` evidence's decay with position.
    first_at : float, default=0.7
        P(domain | term) from which a term names its domain for ``first``.  Below
        what the LDA gives a word known only from the taxonomy (its seed
        pseudo-paragraph: about 0.76 with the shipped 28 topics), so that a bare
        everyday word (残疾证, 独居老人) still names its domain.

    Attributes
    ----------
    vectorizer_, topic_model_, topic_names_, topic_domain_, classes_, topic_info_
    """

    _parameter_constraints: dict = {
        "topic_model": [HasMethods(["fit_transform", "transform"]), None],
        "weighting": [StrOptions({"tfidf", "counts"})],
        "seed_docs": [Interval(Integral, 0, None, closed="left")],
        "min_df": [Interval(Integral, 1, None, closed="left"), Interval(RealNotInt, 0, 1, closed="both")],
        "max_df": [Interval(Integral, 1, None, closed="left"), Interval(RealNotInt, 0, 1, closed="both")],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "expand_seeds": [Interval(Integral, 0, None, closed="left")],
        "expand_min_precision": [Interval(Real, 0, 1, closed="both")],
        "topic_mass": ["boolean"],
        "lead_terms": [Interval(Integral, 1, None, closed="left")],
        "first_decay": [Interval(Real, 0, None, closed="neither")],
        "first_at": [Interval(Real, 0, 1, closed="right")]}

    def __init__(self, topic_model=None, weighting: str = "tfidf", seed_docs: int = 3,
                 min_df: int | float = 3, max_df: int | float = 0.5,
                 max_features: int | None = 40000, expand_seeds: int = 200,
                 expand_min_precision: float = 0.5, topic_mass: bool = True, lead_terms: int = 12,
                 first_decay: float = 10.0, first_at: float = 0.7):
        self.topic_model = topic_model
        self.weighting = weighting
        self.seed_docs = seed_docs
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.expand_seeds = expand_seeds
        self.expand_min_precision = expand_min_precision
        self.topic_mass = topic_mass
        self.lead_terms = lead_terms
        self.first_decay = first_decay
        self.first_at = first_at

    def fit(self, X: Sequence[Sequence[str]], y=None, *, taxonomy: Taxonomy) -> "SeededTopicScorer":
        """Fit vocabulary and seeded topics on term lists *X* for *taxonomy*."""
        self._validate_params()  # e.g. first_decay=0 would give NaN evidence
        docs = [list(d) for d in X]
        topics = taxonomy.seed_topics()
        vocabulary = vocabulary_with(docs, {t for _, _, terms in topics for t in terms},
                                     min_df=self.min_df, max_df=self.max_df,
                                     max_features=self.max_features)
        pseudo = [doc for doc in taxonomy.seed_documents() for _ in range(self.seed_docs)]
        if self.weighting == "tfidf":
            vec = TfidfVectorizer(analyzer=identity_analyzer, vocabulary=vocabulary,
                                  lowercase=False, dtype=np.float64, sublinear_tf=True)
        else:
            vec = CountVectorizer(analyzer=identity_analyzer, vocabulary=vocabulary,
                                  lowercase=False, dtype=np.float64)
        D_all = vec.fit_transform(docs + pseudo)
        vocab = vec.vocabulary_
        seeds = [[vocab[t] for t in terms if t in vocab] for _, _, terms in topics]
        tm = clone(self.topic_model) if self.topic_model is not None \
            else SeededNMF(n_free_topics=10, seed_strength=30.0, max_iter=100)
        params = {"seeds": seeds}
        if "seed_support" in tm.get_params() and self.expand_seeds:
            params["seed_support"] = grow_seed_support(D_all, seeds, self.expand_seeds,
                                                       self.expand_min_precision)
        if "seed_rows" in tm.get_params():
            params["seed_rows"] = [(len(docs) + j, topic) for j, topic in enumerate(
                t for t in taxonomy.seed_document_topics() for _ in range(self.seed_docs))]
        tm.set_params(**params)
        W = tm.fit_transform(D_all)[:len(docs)]
        n_free = tm.get_params()["n_free_topics"]
        self.vectorizer_ = vec
        self.topic_model_ = tm
        self.classes_ = np.array(taxonomy.ids, dtype=object)
        self.fallback_ = taxonomy.fallback
        self.topic_names_ = [n for n, _, _ in topics] + [f"free_{i}" for i in range(n_free)]
        self.topic_domain_ = [d for _, d, _ in topics] + [taxonomy.fallback] * n_free
        self.topic_seeded_ = np.array([True] * len(topics) + [False] * n_free)
        self.seed_coverage_ = {name: (len(s), len(terms)) for (name, _, terms), s in zip(topics, seeds)}
        self._build_topic_info(D_all[:len(docs)], W)
        return self

    # ---------------------------------------------------------------- evidence
    def _topic_domain_matrix(self, seeded_only: bool = False) -> np.ndarray:
        ids = list(self.classes_)
        M = np.zeros((len(self.topic_domain_), len(ids)))
        for k, d in enumerate(self.topic_domain_):
            if self.topic_seeded_[k] or not seeded_only:
                M[k, ids.index(d)] = 1.0
        return M

    def _shares(self, W: np.ndarray, M: np.ndarray) -> np.ndarray:
        S = W @ M
        total = S.sum(axis=1, keepdims=True)
        fb = np.zeros(M.shape[1])
        fb[list(self.classes_).index(self.fallback_)] = 1.0
        return np.where(total > 0, S / np.where(total > 0, total, 1.0), fb)

    def term_domain_posterior(self) -> np.ndarray:
        """(term x domain) P(domain | term) under the topic-word weights (computed once per
        loaded model; the cache is not pickled)."""
        def build() -> np.ndarray:
            S = self.topic_model_.components_.T @ self._topic_domain_matrix()
            total = S.sum(axis=1, keepdims=True)
            return S / np.where(total > 0, total, 1.0)

        return self._derived("posterior", self.topic_model_, build)

    def evidence(self, X: Sequence[Sequence[str]], D=None,
                 positions: TermPositions | None = None) -> Evidence:
        """:class:`Evidence` for term lists *X* (one vectorisation; *D*: ``vectorizer_``'s
        matrix of *X* when the caller has it, :class:`~pipeline.domains.counting.TermCounter`;
        *positions*: :class:`TermPositions` of *X*, shared by the members)."""
        check_is_fitted(self)
        D = (self.vectorizer_.transform([list(d) for d in X]) if D is None else D).tocsr()
        has_terms = np.asarray(D.sum(axis=1)).ravel() > 0
        W = self.topic_model_.transform(D)
        topics = [self.topic_names_[int(k)] if h else None
                  for k, h in zip(np.argmax(W, axis=1), has_terms)]
        if self.topic_mass:
            W = W * self.topic_model_.components_.sum(axis=1)
        shares = self._shares(W, self._topic_domain_matrix())
        seeded = self._shares(W, self._topic_domain_matrix(seeded_only=True))
        post = self.term_domain_posterior()
        E, A, S05, S08, E2 = term_stats(D, post)
        at = positions if positions is not None else TermPositions(X)
        known, P = known_rows(at, at.columns(self.vectorizer_.vocabulary_.get), post)
        lead = self._lead(X, post)
        first = first_named(at, known, P, len(X), self.first_at, self.first_decay)
        clauses = clause_support(at, known, P, len(X))
        fb = list(self.classes_).index(self.fallback_)
        for M in (shares, seeded):
            M[~has_terms] = 0.0
            M[~has_terms, fb] = 1.0
        return Evidence(shares, seeded, E, A, has_terms, topics,
                        support=np.log1p(S05), strong=np.log1p(S08), second=E2, lead=lead,
                        first=first, clauses=np.log1p(clauses))

    def _lead(self, X: Sequence[Sequence[str]], post: np.ndarray) -> np.ndarray:
        """Mean P(domain | term) over the distinct known terms among each row's first
        ``lead_terms`` terms, within its first sentence (zeros for a row without any)."""
        n = self.lead_terms
        out = np.zeros((len(X), post.shape[1]))
        if not len(X):
            return out
        cols = lead_columns(X, self.vectorizer_.vocabulary_.get, n)
        # distinct columns in ascending order, unknown terms (-1) and repeats masked out:
        # each row's sum then adds its terms in the order post[sorted cols].mean() does
        cols.sort(axis=1)
        keep = cols >= 0
        keep[:, 1:] &= cols[:, 1:] != cols[:, :-1]
        for j in range(n):
            out += post[cols[:, j]] * keep[:, j, None]
        found = keep.sum(axis=1)
        rows = found > 0
        out[rows] /= found[rows, None]
        return out

    # -------------------------------------------------------------- inspection
    def _build_topic_info(self, D, W) -> None:
        names = self.vectorizer_.get_feature_names_out()
        H = self.topic_model_.components_
        B = (D > 0).astype(np.float64).tocsc()
        dominant = np.argmax(W, axis=1)
        has_terms = np.asarray(D.sum(axis=1)).ravel() > 0
        rows = []
        for k in range(H.shape[0]):
            top = np.argsort(-H[k], kind="stable")[:10]
            rows.append({"topic": k, "name": self.topic_names_[k], "domain": self.topic_domain_[k],
                         "seeded": bool(self.topic_seeded_[k]),
                         "size": int(np.sum((dominant == k) & has_terms)),
                         "top_terms": " ".join(str(names[i]) for i in top),
                         "npmi": round(npmi_coherence(B, top), 4)})
        self.topic_info_ = rows

    def dominant_topic(self, X: Sequence[Sequence[str]]) -> list[str | None]:
        """Name of each paragraph's heaviest topic (None without terms)."""
        return self.evidence(X).topics
