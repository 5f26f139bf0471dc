"""The label-set model: which domains, besides the primary, a paragraph is about.

A label set is a multi-label decision: for each (paragraph, domain) pair, is
the domain part of the paragraph?  One binary logistic regression answers it
for every pair, reading the domain's own evidence — each topic model's
shares, seeded shares, strongest and second-strongest term, mean term
posterior, how many terms back it — and the primary decision's probability
for it (its value, log, rank-one flag and ratio to the primary's).  The
weights are shared by all domains, so a domain with a dozen labeled examples
borrows how evidence reads from the others; a per-domain intercept (one-hot
column) lets each domain keep its own base rate of being mentioned.

One threshold on the pair probability is then chosen on the training rows
for micro- plus macro-F1 of the sets; the primary is always in its set.
This replaces, when label sets are known, a single share threshold plus
per-domain anchor thresholds (:mod:`pipeline.domains.calibration`), which
cannot weigh "several terms" against "one strong term" against "a large
share" — measured in BENCHMARKS.md (label micro-F1 0.826 -> 0.86 in CV).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from ..errors import ConfigError, value_invalid_msg
from .calibration import set_f1
from .scorer import Evidence

#: Evidence read per member, in this order (see :class:`~pipeline.domains.scorer.Evidence`).
LABEL_EVIDENCE = ("seeded", "anchors", "shares", "mean", "support", "strong", "second")
THRESHOLDS = tuple(round(float(t), 3) for t in np.arange(0.1, 0.9, 0.025))


def label_features(members: Sequence[Evidence], P: np.ndarray,
                   extra: np.ndarray | None = None) -> np.ndarray:
    """(paragraph, domain, feature) array: members' evidence, the decision's P, *extra*
    (n, K) scores such as the supervised term layer's, a one-hot of the domain."""
    n, k = P.shape
    cols = [] if extra is None else [np.asarray(extra, dtype=np.float64)]
    for m in members:
        for kind in LABEL_EVIDENCE:
            value = getattr(m, kind)
            if value is None:
                raise ConfigError(f"Topic evidence lacks {kind!r}: the topic models were saved by an "
                                  f"older minsheng; retrain with `minsheng train domains`.")
            cols.append(value)
    top = P.max(axis=1, keepdims=True)
    cols += [P, np.log(P + 1e-6), (P >= top).astype(np.float64), P / np.where(top > 0, top, 1.0)]
    F = np.stack(cols, axis=2)
    onehot = np.broadcast_to(np.eye(k)[None], (n, k, k))
    return np.concatenate([F, onehot], axis=2)


class LabelSetModel(BaseEstimator):
    """Shared-weight logistic model of "domain d is in the paragraph's label set".

    Parameters
    ----------
    C : float, default=10.0
        Inverse L2 strength of the logistic regression (scikit-learn's ``C``).
    thresholds : tuple of float, default=THRESHOLDS
        Candidate thresholds on the pair probability; the first best on the
        training rows (micro- plus macro-F1) wins.

    Attributes
    ----------
    logistic_ : LogisticRegression
        Fitted on every (labeled paragraph, domain) pair.
    threshold_ : float
    n_features_in_ : int
        Features per pair.

    Examples
    --------
    >>> members = clf.topics_.member_evidence(terms)       # doctest: +SKIP
    >>> LabelSetModel().fit(members, P, Y).predict(members, P)  # doctest: +SKIP
    """

    def __init__(self, C: float = 10.0, thresholds: tuple = THRESHOLDS):
        self.C = C
        self.thresholds = thresholds

    def fit(self, members: Sequence[Evidence], P: np.ndarray, Y: np.ndarray,
            fallback: int | None = None, extra: np.ndarray | None = None) -> "LabelSetModel":
        """*members*: each topic model's evidence; *P*: decision probabilities; *Y*: (n, K)
        gold sets; *extra*: further (n, K) evidence (out-of-fold term scores).  (*fallback*
        is accepted for the interface and not needed.)"""
        if not (isinstance(self.C, (int, float)) and self.C > 0):
            raise ConfigError(value_invalid_msg("LabelSetModel C", self.C, "a number > 0"))
        Y = np.asarray(Y, dtype=bool)
        F = label_features(members, P, extra)
        n, k, f = F.shape
        if Y.all() or not Y.any():
            raise ConfigError("LabelSetModel needs label sets with both members and non-members; "
                              "give label lists with some domains left out.")
        self.logistic_ = LogisticRegression(C=float(self.C), max_iter=5000)
        self.logistic_.fit(F.reshape(n * k, f), Y.reshape(-1))
        self.n_features_in_ = f
        Q = self._pair_proba(F)
        primary = np.argmax(P, axis=1)
        best, self.threshold_ = -1.0, 0.5
        for t in self.thresholds:
            val = sum(set_f1(self._sets(Q, primary, t), Y))
            if val > best + 1e-12:
                best, self.threshold_ = val, float(t)
        return self

    def predict_proba(self, members: Sequence[Evidence], P: np.ndarray,
                      extra: np.ndarray | None = None) -> np.ndarray:
        """(n, K) probability that each domain is in each paragraph's label set."""
        check_is_fitted(self)
        return self._pair_proba(label_features(members, P, extra))

    def _pair_proba(self, F: np.ndarray) -> np.ndarray:
        n, k, f = F.shape
        return self.logistic_.predict_proba(F.reshape(n * k, f))[:, 1].reshape(n, k)

    @staticmethod
    def _sets(Q: np.ndarray, primary: np.ndarray, threshold: float) -> np.ndarray:
        Y = Q >= threshold
        Y[np.arange(len(Q)), primary] = True
        return Y

    def predict(self, members: Sequence[Evidence], P: np.ndarray,
                extra: np.ndarray | None = None) -> np.ndarray:
        """(n, K) boolean label sets; the argmax of *P* is always in."""
        return self._sets(self.predict_proba(members, P, extra), np.argmax(P, axis=1),
                          self.threshold_)
