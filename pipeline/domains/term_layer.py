"""SupervisedTermLayer: which words the labeled paragraphs tie to each domain.

The seeded topic models know the taxonomy's words and what co-occurs with them
in the unlabeled corpus; they do not know how the people who labeled the
paragraphs drew the boundaries (政务服务 for citizens is social_governance,
for companies it is not; a citizen's 社保卡 is social_security).  This layer
learns that from the labels: per domain, a class-balanced logistic regression
on the paragraph's TF-IDF terms, trained on "the domain is in this row's label
set" (or, for a row with only acceptable primaries, "is acceptable").  Each
domain's seed list joins the training rows as one short pseudo-paragraph
labeled with that domain, weighted like ``seed_weight`` labeled rows, and every
seed term is in the layer's vocabulary: a domain that the labels rarely mention
(民政 is in no labeled paragraph) still starts from its own words, instead of
from its label base rate alone.  A seed row is a negative row for every other
domain, so the heavier rows also teach each domain's words against the others'
(民政 against 幸福感).

Its per-domain score is one more kind of evidence (``"terms"``) for the
primary decision and the label-set model.  Those are fitted on *out-of-fold*
scores (:meth:`SupervisedTermLayer.fit_oof`): a layer scoring the rows it was
trained on would look perfect and be trusted too much.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .caching import DerivedCache
from .scorer import identity_analyzer, vocabulary_with
from .taxonomy import Taxonomy


class SupervisedTermLayer(DerivedCache, BaseEstimator):
    """Per-domain logistic regression on TF-IDF terms, from label sets and seed lists.

    Parameters
    ----------
    C : float, default=1.0
        Inverse L2 strength of each domain's logistic regression.
    min_df : int, default=2
        A term must occur in this many training rows (seed terms are always in).
    seed_rows : bool, default=True
        Add each domain's seed list as a pseudo-paragraph labeled with the domain, and
        its terms to the vocabulary whatever ``min_df`` says.
    seed_weight : float, default=30.0
        Sample weight of each seed pseudo-paragraph (a labeled row weighs 1).  The
        class-balanced regressions of domains with a handful of labeled rows learn
        their words mostly from it; 1 leaves them to their label base rate.
    folds : int, default=5
        Folds of :meth:`fit_oof`'s out-of-fold scores.
    random_state : int, default=1

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
    models_ : list
        Per taxonomy column a fitted ``LogisticRegression``, or a float (the constant
        score of a domain that is always or never in the training sets).
    n_classes_ : int

    Examples
    --------
    >>> layer = SupervisedTermLayer().fit(terms, Y, taxonomy=tax)   # doctest: +SKIP
    >>> layer.decision_function(terms).shape                         # doctest: +SKIP
    (n_paragraphs, n_domains)
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "seed_rows": ["boolean"],
        "seed_weight": [Interval(Real, 0, None, closed="neither")],
        "folds": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"]}

    def __init__(self, C: float = 1.0, min_df: int = 2, seed_rows: bool = True,
                 seed_weight: float = 30.0, folds: int = 5, random_state: int = 1):
        self.C = C
        self.min_df = min_df
        self.seed_rows = seed_rows
        self.seed_weight = seed_weight
        self.folds = folds
        self.random_state = random_state

    def fit(self, X: Sequence[Sequence[str]], Y: np.ndarray, *,
            taxonomy: Taxonomy) -> "SupervisedTermLayer":
        """*X*: term lists; *Y*: (n, K) booleans, column k = "domain k is in the row's set"."""
        self._validate_params()
        Y = np.asarray(Y, dtype=bool)
        docs = [list(d) for d in X]
        n_labeled = len(docs)
        seeds = []
        if self.seed_rows:
            seeds = [(list(d.seeds), taxonomy.ids.index(d.id)) for d in taxonomy.domains
                     if d.id != taxonomy.fallback and d.seeds]
            docs += [terms for terms, _ in seeds]
            Y = np.vstack([Y, np.eye(Y.shape[1], dtype=bool)[[k for _, k in seeds]]])
        vocabulary = vocabulary_with(docs, {t for terms, _ in seeds for t in terms},
                                     min_df=min(self.min_df, max(len(docs), 1)))
        self.vectorizer_ = TfidfVectorizer(analyzer=identity_analyzer, lowercase=False,
                                           vocabulary=vocabulary, sublinear_tf=True,
                                           dtype=np.float64)
        M = self.vectorizer_.fit_transform(docs)
        weight = np.ones(len(docs))
        weight[n_labeled:] = float(self.seed_weight)
        self.models_ = []
        for k in range(Y.shape[1]):
            y = Y[:, k]
            if y.all() or not y.any():
                self.models_.append(10.0 if y.all() else -10.0)
                continue
            model = LogisticRegression(C=float(self.C), max_iter=3000, class_weight="balanced")
            self.models_.append(model.fit(M, y, sample_weight=weight))
        self.n_classes_ = Y.shape[1]
        return self

    def decision_function(self, X: Sequence[Sequence[str]], M=None) -> np.ndarray:
        """(paragraph x domain) log-odds that the domain is in the paragraph's set
        (*M*: ``vectorizer_``'s matrix of *X*, when the caller has it)."""
        check_is_fitted(self)
        out = np.zeros((len(X), self.n_classes_))
        if not len(X):
            return out
        if M is None:
            M = self.vectorizer_.transform([list(d) for d in X])
        coef, intercept, fixed = self._stacked()
        out[:] = M @ coef.T + intercept  # every domain's regression in one product
        for k, value in fixed:
            out[:, k] = value
        return out

    def _stacked(self) -> tuple[np.ndarray, np.ndarray, list[tuple[int, float]]]:
        """The per-domain regressions as one (domain x term) matrix and intercepts, plus
        the constant scores of domains every (or no) row had; built once per fitted
        layer, not pickled."""
        def build() -> tuple[np.ndarray, np.ndarray, list[tuple[int, float]]]:
            n_terms = len(self.vectorizer_.vocabulary_)
            coef, intercept = np.zeros((self.n_classes_, n_terms)), np.zeros(self.n_classes_)
            fixed = []
            for k, m in enumerate(self.models_):
                if isinstance(m, float):
                    fixed.append((k, m))
                else:
                    coef[k], intercept[k] = m.coef_[0], m.intercept_[0]
            return coef, intercept, fixed

        return self._derived("stacked", self.models_, build)

    def fit_oof(self, X: Sequence[Sequence[str]], Y: np.ndarray, *,
                taxonomy: Taxonomy) -> tuple["SupervisedTermLayer", np.ndarray]:
        """Fit on all rows and return, beside the fitted layer, each row's score from a
        layer fitted without the row's fold (what a downstream step may train on)."""
        Y = np.asarray(Y, dtype=bool)
        oof = np.zeros(Y.shape, dtype=np.float64)
        k = min(int(self.folds), len(X))
        if k >= 2:
            for tr, te in KFold(k, shuffle=True, random_state=self.random_state).split(np.arange(len(X))):
                part = clone(self).fit([X[i] for i in tr], Y[tr], taxonomy=taxonomy)
                oof[te] = part.decision_function([X[i] for i in te])
        self.fit(X, Y, taxonomy=taxonomy)
        if k < 2:
            oof = self.decision_function(X)
        return self, oof
