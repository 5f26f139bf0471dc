"""PseudoLabelLayer: a discriminative layer trained on seed evidence, no gold labels.

The seeded topics say, for every unlabeled paragraph, how much of its seeded
topic mass each domain has.  For each domain, the paragraphs with the highest
share of it (the same number per livelihood domain, ``other_factor`` times as
many for the fallback; a paragraph on two lists goes to the domain it has
more of) become pseudo-labels — ranked per domain, not by argmax, so a small
domain that rarely wins a paragraph still gets its examples — and a class-balanced logistic regression on TF-IDF learns
from them which *terms* separate the domains.  A generative share spreads over
every word of a paragraph; the discriminative layer weighs the informative
ones, so a message on 失业保险金 full of words the reports never use still
points to social_security.  Small domains get as many examples as large ones.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from .scorer import identity_analyzer


class PseudoLabelLayer(BaseEstimator):
    """Class-balanced logistic regression on pseudo-labels drawn by seed evidence.

    Parameters
    ----------
    per_class : int, default=300
        Most confident paragraphs kept per livelihood domain.
    other_factor : int, default=5
        The fallback domain keeps ``other_factor * per_class``.
    C : float, default=4.0
        Inverse regularisation of the logistic regression.
    random_state : int, default=0

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
    classifier_ : LogisticRegression
    n_classes_ : int
    pseudo_counts_ : ndarray, pseudo-labels per class
    """

    _parameter_constraints: dict = {"per_class": [int], "other_factor": [int], "C": [float]}

    def __init__(self, per_class: int = 300, other_factor: int = 5, C: float = 4.0,
                 random_state: int = 0):
        self.per_class = per_class
        self.other_factor = other_factor
        self.C = C
        self.random_state = random_state

    def fit(self, X: Sequence[Sequence[str]], y=None, *, seeded: np.ndarray, fallback: int,
            vocabulary: dict[str, int]) -> "PseudoLabelLayer":
        """Draw pseudo-labels from *seeded* shares of term lists *X*; fit the layer."""
        n_classes = seeded.shape[1]
        S = np.asarray(seeded, dtype=np.float64)
        has = np.flatnonzero([len(d) > 0 for d in X])
        label = np.full(len(X), -1)
        best = np.full(len(X), -1.0)
        for c in range(n_classes):
            n = self.per_class * (self.other_factor if c == fallback else 1)
            top = has[np.argsort(-S[has, c], kind="stable")][:n]
            take = top[S[top, c] > best[top]]
            label[take], best[take] = c, S[take, c]
        keep = list(np.flatnonzero(label >= 0))
        keep_idx = np.array(sorted(keep), dtype=np.int64)
        self.vectorizer_ = TfidfVectorizer(analyzer=identity_analyzer, lowercase=False,
                                           vocabulary=vocabulary, sublinear_tf=True,
                                           dtype=np.float64)
        D = self.vectorizer_.fit_transform([list(X[i]) for i in keep_idx])
        self.classifier_ = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced",
                                              random_state=self.random_state)
        self.classifier_.fit(D, label[keep_idx])
        self.n_classes_ = n_classes
        self.pseudo_counts_ = np.bincount(label[keep_idx], minlength=n_classes)
        return self

    def predict_proba(self, X: Sequence[Sequence[str]]) -> np.ndarray:
        """(paragraph x domain) probabilities; domains without pseudo-labels get 0."""
        check_is_fitted(self)
        Q = np.zeros((len(X), self.n_classes_))
        if len(X):
            Q[:, self.classifier_.classes_] = self.classifier_.predict_proba(
                self.vectorizer_.transform([list(d) for d in X]))
        return Q
