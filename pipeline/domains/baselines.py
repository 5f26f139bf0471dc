"""Baselines of ``minsheng bench domains`` (scikit-learn and tomotopy; no spaCy).

* :class:`KeywordDictionary`: seed-term hits per domain;
* :func:`plain_lda_scores`: unseeded LDA, topics mapped to domains by the
  majority gold primary (5-fold CV of the mapping);
* :func:`tfidf_logistic`: logistic regression on TF-IDF fitted on gold labels;
* :class:`SeededTomotopyLDA`: tomotopy's LDA with seed-word priors
  (``set_word_prior``), what a keyATM / seededlda user reaches for in Python.

Every baseline that looks at gold labels is cross-validated: fit on four
folds, predict the fifth, pool the predictions and score them once.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.model_selection import KFold

from ..errors import missing_dependency_msg
from .metrics import score
from .scorer import identity_analyzer
from .taxonomy import Taxonomy, load_taxonomy
from .terms import as_term_lists


def folds(n: int, k: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed shuffled K folds over *n* rows."""
    return list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.arange(n)))


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


def tfidf_logistic(C: float = 10.0):
    """TF-IDF + class-balanced logistic regression on term lists (a supervised baseline)."""
    return make_pipeline(TfidfVectorizer(analyzer=identity_analyzer, lowercase=False, sublinear_tf=True),
                         LogisticRegression(C=C, max_iter=3000, class_weight="balanced"))


class SeededTomotopyLDA(BaseEstimator):
    """tomotopy LDA with the taxonomy's seeds as word priors (``set_word_prior``).

    One topic per seed group plus ``n_free_topics``; each seed word's prior puts
    ``seed_prior`` on its topic and ``eta`` elsewhere.  A paragraph's primary is
    the domain of its heaviest topic (free topics count as the fallback).
    Needs ``pip install 'minsheng[bench]'`` (tomotopy).
    """

    def __init__(self, taxonomy=None, n_free_topics: int = 10, seed_prior: float = 1.0,
                 eta: float = 0.01, iterations: int = 200, seed: int = 0):
        self.taxonomy = taxonomy
        self.n_free_topics = n_free_topics
        self.seed_prior = seed_prior
        self.eta = eta
        self.iterations = iterations
        self.seed = seed

    def fit(self, X, y=None):
        try:
            import tomotopy as tp
        except ImportError as exc:
            raise ImportError(missing_dependency_msg("tomotopy", "bench")) from exc
        tax = self.taxonomy if isinstance(self.taxonomy, Taxonomy) else load_taxonomy(self.taxonomy)
        topics = tax.seed_topics()
        k = len(topics) + self.n_free_topics
        model = tp.LDAModel(k=k, eta=self.eta, seed=self.seed, min_cf=3)
        for j, (_, _, terms) in enumerate(topics):
            for w in terms:
                prior = [self.eta] * k
                prior[j] = self.seed_prior
                model.set_word_prior(w, prior)
        for doc in as_term_lists(X):
            if doc:
                model.add_doc(doc)
        model.train(self.iterations, workers=1)
        self.model_ = model
        self.taxonomy_ = tax
        self.classes_ = np.array(tax.ids, dtype=object)
        self.topic_domain_ = [d for _, d, _ in topics] + [tax.fallback] * self.n_free_topics
        return self

    def predict(self, X) -> np.ndarray:
        out = []
        for doc in as_term_lists(X):
            words = [w for w in doc if self.model_.vocabs.__contains__(w)] if doc else []
            if not words:
                out.append(self.taxonomy_.fallback)
                continue
            d = self.model_.make_doc(words)
            dist, _ = self.model_.infer(d, iter=50, workers=1)
            out.append(self.topic_domain_[int(np.argmax(dist))])
        return np.array(out, dtype=object)
