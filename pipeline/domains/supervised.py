"""Optional supervised layer on gold labels, on top of the seeded topic model.

A multinomial logistic regression on topic features (the domain shares and
the per-topic term mass of the seeded topic model) predicts the primary domain from labeled paragraphs; its probabilities are
mixed with the topic shares (the topic model stays the core: it supplies the
features, the multi-label shares and the fallback for unseen vocabulary).

Because it is fitted on the labeled file, its dev numbers are optimistic by
construction: :func:`cv_supervised` refits it (and re-chooses the
calibration, on inner out-of-fold predictions) inside each of 5 outer folds,
and that CV number is the headline for this variant.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from .metrics import score
from .calibration import choose_calibration
from .model import DomainModel
from .terms import as_term_lists


def features(model: DomainModel, X) -> np.ndarray:
    """Topic features: domain shares and per-topic share of term mass (rows sum to 1 each)."""
    D = model.vectorizer_.transform(as_term_lists(X))
    W = model.topic_model_.transform(D)
    S = model._topic_shares(W)
    M = W * model.topic_model_.components_.sum(axis=1)
    tot = M.sum(axis=1, keepdims=True)
    M = np.where(tot > 0, M / np.where(tot > 0, tot, 1.0), 0.0)
    return np.hstack([S, M])


def fit_layer(model: DomainModel, F, primary: Sequence[str], C: float) -> LogisticRegression:
    ids = list(model.classes_)
    y = np.array([ids.index(p) for p in primary])
    return LogisticRegression(C=C, max_iter=3000, class_weight="balanced",
                              random_state=model.random_state).fit(F, y)


def layer_proba(model: DomainModel, clf: LogisticRegression, F) -> np.ndarray:
    Q = np.zeros((F.shape[0], len(model.classes_)))
    Q[:, clf.classes_] = clf.predict_proba(F)
    return Q


def _mix(P: np.ndarray, Q: np.ndarray, mix: float) -> np.ndarray:
    return (1 - mix) * P + mix * Q


def _oof_proba(model, F, P, primary, idx, C, mix, k=5):
    """Out-of-fold mixed probabilities for rows *idx* (for choosing calibration)."""
    out = np.zeros((len(idx), P.shape[1]))
    for tr, te in KFold(n_splits=k, shuffle=True, random_state=1).split(idx):
        clf = fit_layer(model, F[idx[tr]], [primary[i] for i in idx[tr]], C)
        out[te] = _mix(P[idx[te]], layer_proba(model, clf, F[idx[te]]), mix)
    return out


def attach(model: DomainModel, X, primary: Sequence[str], labels: Sequence[Sequence[str]],
           C: float = 4.0, mix: float = 0.5) -> DomainModel:
    """Fit the layer on all labeled rows, choose calibration out-of-fold, attach to *model*."""
    primary, labels = list(primary), [list(x) for x in labels]
    F = features(model, X)
    P = model.raw_proba(X)[0]
    idx = np.arange(len(primary))
    oof = _oof_proba(model, F, P, primary, idx, C, mix)
    c = choose_calibration(list(model.classes_), model.taxonomy_.fallback, oof, None,
                           primary, labels)
    model.supervised_ = fit_layer(model, F, primary, C)
    model.supervised_mix_ = float(mix)
    model.calibration_ = c
    return model


def cv_supervised(model: DomainModel, X, primary: Sequence[str], labels: Sequence[Sequence[str]],
                  C: float = 4.0, mix: float = 0.5, k: int = 5) -> dict:
    """Outer 5-fold CV of the supervised layer and its calibration."""
    primary, labels = list(primary), [list(x) for x in labels]
    F = features(model, X)
    saved = getattr(model, "supervised_", None)
    model.supervised_ = None
    P = model.raw_proba(X)[0]
    model.supervised_ = saved
    pred_p: list = [None] * len(primary)
    pred_l: list = [None] * len(primary)
    for tr, te in KFold(n_splits=k, shuffle=True, random_state=0).split(np.arange(len(primary))):
        oof = _oof_proba(model, F, P, primary, tr, C, mix)
        c = choose_calibration(list(model.classes_), model.taxonomy_.fallback, oof, None,
                               [primary[i] for i in tr], [labels[i] for i in tr])
        clf = fit_layer(model, F[tr], [primary[i] for i in tr], C)
        Pw = model._weighted(_mix(P[te], layer_proba(model, clf, F[te]), mix), c["other_weight"])
        lab = model._labels_from_proba(Pw, c["label_threshold"])
        for j, i in enumerate(te):
            pred_l[i], pred_p[i] = lab[j], lab[j][0]
    return score(primary, labels, pred_p, pred_l, list(model.classes_), model.taxonomy_.fallback)
