"""Honest numbers: cross-validated calibration, and the baselines of the benchmark.

Every layer that looks at gold labels (the calibration grid, the topic-to-domain
"best mapping" of plain LDA) is evaluated by 5-fold cross-validation: choose on
four folds, predict the fifth, pool the predictions and score them once.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.model_selection import KFold

from .metrics import score
from .calibration import choose_calibration
from .model import DomainModel, identity_analyzer
from .taxonomy import Taxonomy, load_taxonomy
from .terms import as_term_lists


def folds(n: int, k: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed shuffled K folds over *n* rows."""
    return list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.arange(n)))


def cv_calibrated(model: DomainModel, X, primary: Sequence[str], labels: Sequence[Sequence[str]],
                  k: int = 5, anchors: bool = True) -> dict:
    """5-fold CV of the calibration step of a fitted DomainModel (topics stay fixed):
    every calibration number, anchor thresholds included, is re-chosen on each fold."""
    P, _, E = model._outputs(X, evidence=anchors)
    ids, fb = list(model.classes_), model.taxonomy_.fallback
    primary, labels = list(primary), [list(x) for x in labels]
    pred_p: list = [None] * len(primary)
    pred_l: list = [None] * len(primary)
    for tr, te in folds(len(primary), k):
        c = choose_calibration(ids, fb, P[tr], None if E is None else E[tr],
                               [primary[i] for i in tr], [labels[i] for i in tr])
        Pw = model._weighted(P[te], c["other_weight"])
        lab = model._labels_from_proba(Pw, c["label_threshold"], None if E is None else E[te],
                                       c.get("anchor_thresholds"))
        for j, i in enumerate(te):
            pred_l[i] = lab[j]
            pred_p[i] = lab[j][0]
    return score(primary, labels, pred_p, pred_l, ids, fb)


class KeywordDictionary(BaseEstimator):
    """Baseline: count seed-term hits per livelihood domain; no hit -> fallback."""

    def __init__(self, taxonomy=None):
        self.taxonomy = taxonomy

    def fit(self, X=None, y=None):
        tax = self.taxonomy if isinstance(self.taxonomy, Taxonomy) else load_taxonomy(self.taxonomy)
        self.taxonomy_ = tax
        self.classes_ = np.array(tax.ids, dtype=object)
        self.seed_sets_ = {d: sorted(tax[d].seeds) for d in tax.livelihood_ids}
        return self

    def predict_labels(self, X) -> list[list[str]]:
        out = []
        for terms in as_term_lists(X):
            bag = set(terms)
            hits = {d: sum(t in bag for t in seeds) for d, seeds in self.seed_sets_.items()}
            ranked = [d for d, n in sorted(hits.items(), key=lambda kv: -kv[1]) if n > 0]
            out.append(ranked or [self.taxonomy_.fallback])
        return out


def keyword_scores(taxonomy: Taxonomy, X, primary, labels) -> dict:
    kd = KeywordDictionary(taxonomy).fit()
    pl = kd.predict_labels(X)
    return score(primary, labels, [x[0] for x in pl], pl, taxonomy.ids, taxonomy.fallback)


def _map_topics(T: np.ndarray, primary: Sequence[str], fallback: str) -> list[str]:
    """Each topic -> the most frequent gold primary among rows where it dominates."""
    dom = np.argmax(T, axis=1)
    mapping = []
    for k in range(T.shape[1]):
        golds = [primary[i] for i in np.where(dom == k)[0]]
        if golds:
            vals, counts = np.unique(golds, return_counts=True)
            mapping.append(str(vals[np.argmax(counts)]))
        else:
            mapping.append(fallback)
    return mapping


def _lda_predict(T: np.ndarray, mapping: Sequence[str], threshold: float = 0.25):
    pred_p, pred_l = [], []
    for row in T:
        order = np.argsort(-row, kind="stable")
        labs = [mapping[order[0]]]
        for k in order[1:]:
            if row[k] >= threshold and mapping[k] not in labs:
                labs.append(mapping[k])
        pred_p.append(labs[0])
        pred_l.append(labs)
    return pred_p, pred_l


def plain_lda_scores(taxonomy: Taxonomy, train_docs, X, primary, labels,
                     n_topics: int = 30, seed: int = 0, max_iter: int = 15) -> tuple[dict, dict]:
    """Plain LDA on the training corpus, topics mapped by dev majority: (dev, 5-fold CV)."""
    vec = CountVectorizer(analyzer=identity_analyzer, min_df=3, max_df=0.5, max_features=40000)
    D = vec.fit_transform(as_term_lists(train_docs))
    lda = LatentDirichletAllocation(n_components=n_topics, learning_method="batch",
                                    max_iter=max_iter, random_state=seed).fit(D)
    T = lda.transform(vec.transform(as_term_lists(X)))
    primary, labels = list(primary), [list(x) for x in labels]
    ids, fb = taxonomy.ids, taxonomy.fallback
    p, l = _lda_predict(T, _map_topics(T, primary, fb))
    dev = score(primary, labels, p, l, ids, fb)
    cv_p: list = [None] * len(primary)
    cv_l: list = [None] * len(primary)
    for tr, te in folds(len(primary)):
        mapping = _map_topics(T[tr], [primary[i] for i in tr], fb)
        p, l = _lda_predict(T[te], mapping)
        for j, i in enumerate(te):
            cv_p[i], cv_l[i] = p[j], l[j]
    return dev, score(primary, labels, cv_p, cv_l, ids, fb)
