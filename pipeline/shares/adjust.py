"""Prior-adjusted shares: adjusted classify-and-count (Forman 2008).

Counting paragraphs by predicted domain (classify-and-count) is biased
whenever the classifier's errors are not symmetric: if 10 % of ``other``
paragraphs are called ``employment`` and few employment paragraphs are missed,
a corpus that is mostly ``other`` shows employment inflated. With the
classifier's confusion ``C[t, j] = P(predicted j | true t)`` the observed
predicted shares are ``q = C.T @ p`` for the true shares ``p``; adjusted
classify-and-count solves that for ``p`` by least squares on the simplex
(non-negative, summing to one). Hopkins & King (2010, "ReadMe") argue the
same point for political text: proportions deserve their own estimator.

Interface (all numpy, over one list of domain ids):

* :func:`confusion_from_predictions` builds ``C`` from gold and predicted
  labels (rows: true; a pseudo-count on the diagonal keeps rare domains from
  having rows of one or two examples);
* :func:`adjusted_shares` takes observed shares (or counts) and ``C``.

A row of ``C`` that sums to zero (a domain never seen in the labeled data) is
taken as the identity row: that domain's predictions are trusted as they are.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.optimize import nnls

#: Weight of the sum-to-one row in the constrained least squares.
SUM_WEIGHT = 1e3


def confusion_from_predictions(gold: Sequence[str], pred: Sequence[str], ids: Sequence[str],
                               prior: float = 1.0) -> np.ndarray:
    """Row-normalised confusion ``P(pred | true)`` over *ids*, ``prior`` added to the diagonal."""
    pos = {d: i for i, d in enumerate(ids)}
    counts = np.zeros((len(ids), len(ids)))
    for g, p in zip(gold, pred):
        if g in pos and p in pos:
            counts[pos[g], pos[p]] += 1
    counts += prior * np.eye(len(ids))
    return normalise_confusion(counts)


def normalise_confusion(confusion: np.ndarray) -> np.ndarray:
    """Rows summing to one; all-zero rows become identity rows."""
    C = np.asarray(confusion, dtype=float).copy()
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"confusion matrix must be square (K x K over the domain ids), got shape "
                         f"{C.shape}; rows are true domains, columns predicted ones")
    if (C < 0).any():
        raise ValueError("confusion matrix has negative entries; pass counts or P(pred | true)")
    sums = C.sum(axis=1)
    empty = sums <= 0
    C[empty] = np.eye(len(C))[empty]
    return C / C.sum(axis=1, keepdims=True)


def adjusted_shares(observed: np.ndarray, confusion: np.ndarray) -> np.ndarray:
    """True-share estimate(s) from observed predicted shares: ``argmin ||C.T p - q||`` on the simplex.

    ``observed`` is a vector of K shares or counts, or an (r x K) array of
    them (one per bootstrap replicate); rows that are all zero or undefined
    give NaN.
    """
    C = normalise_confusion(confusion)
    q = np.atleast_2d(np.asarray(observed, dtype=float))
    A = np.vstack([C.T, SUM_WEIGHT * np.ones(len(C))])
    out = np.full(q.shape, np.nan)
    for i, row in enumerate(q):
        total = row.sum()
        if not np.isfinite(total) or total <= 0:
            continue
        p, _ = nnls(A, np.concatenate([row / total, [SUM_WEIGHT]]))
        out[i] = p / p.sum() if p.sum() > 0 else np.nan
    return out if np.ndim(observed) > 1 else out[0]
