"""DomainModel: terms -> seeded topics -> calibrated livelihood-domain probabilities.

The estimator takes analysis terms (lists of strings, or space-joined strings;
see :mod:`pipeline.domains.terms` and :mod:`pipeline.bridge`) and never sees
spaCy objects.  Layers:

1. TF-IDF (NMF) or counts (LDA) over unigram and joined-bigram terms;
2. a seeded topic model (:class:`SeededNMF` or :class:`SeededLDA`): one topic per
   seed group of the taxonomy (``other`` has several) plus free topics, which
   are kept and described but count towards the fallback domain;
3. optional self-training: a logistic regression fitted on the training
   paragraphs the topic model labels confidently (pseudo-labels; no gold labels),
   mixed with the topic shares;
4. calibration: a weight on the fallback domain, a label threshold and
   per-domain anchor thresholds on term evidence, chosen on labeled data with
   :meth:`calibrate` and saved with the model (:mod:`pipeline.domains.calibration`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from ..errors import ConfigError, value_invalid_msg
from . import calibration as cal
from .taxonomy import Taxonomy, load_taxonomy
from .terms import as_term_lists
from .topics import SeededLDA, SeededNMF

TOPIC_MODELS = ("nmf", "lda", "nmf+lda")


def identity_analyzer(doc):
    """Analyzer for pre-extracted term lists (module level so models pickle)."""
    return doc


def npmi_coherence(B, cols: Sequence[int]) -> float:
    """Mean NPMI of all pairs of *cols* over the binary doc-term matrix *B* (csc)."""
    cols = list(cols)
    if len(cols) < 2:
        return float("nan")
    n = B.shape[0]
    sub = B[:, cols].astype(np.float64)
    co = (sub.T @ sub).toarray()
    df = np.diag(co)
    vals = []
    for i in range(len(cols)):
        for j in range(i + 1, len(cols)):
            if co[i, j] == 0 or df[i] == 0 or df[j] == 0:
                vals.append(-1.0)
                continue
            pij, pi, pj = co[i, j] / n, df[i] / n, df[j] / n
            vals.append(1.0 if pij >= 1.0 else float(np.log(pij / (pi * pj)) / -np.log(pij)))
    return float(np.mean(vals))


def grow_seed_support(D, seeds: Sequence[Sequence[int]], n_terms: int,
                      min_precision: float, min_count: int = 5) -> list[list[int]]:
    """Grow each seed group by the corpus terms that co-occur with it most exclusively.

    A term's precision for a group is the share of the paragraphs containing it
    that also contain one of the group's seeds; the *n_terms* terms with the
    highest precision (at least *min_precision*, in >= *min_count* paragraphs
    with a seed) join the group's support.  Seeds are always kept; another group's
    seeds never join (养老保险 stays with social_security, not elderly_care).
    """
    B = (D > 0).astype(np.float64).tocsr()
    df = np.asarray(B.sum(axis=0)).ravel()
    out = []
    all_seeds = [set(int(c) for c in cols) for cols in seeds]
    for k, cols in enumerate(seeds):
        foreign = set().union(*(s for j, s in enumerate(all_seeds) if j != k)) - all_seeds[k]
        if not len(cols):
            out.append([])
            continue
        hit = np.asarray(B[:, cols].sum(axis=1)).ravel() > 0
        co = np.asarray(B[hit].sum(axis=0)).ravel()
        prec = np.where(df > 0, co / np.maximum(df, 1), 0.0)
        ok = np.array([c for c in np.where((prec >= min_precision) & (co >= min_count))[0]
                       if int(c) not in foreign], dtype=np.int64)
        ranked = ok[np.lexsort((ok, -co[ok], -prec[ok]))][:n_terms]
        out.append(sorted(set(int(c) for c in cols) | set(int(c) for c in ranked)))
    return out


class DomainModel(BaseEstimator):
    """Seeded topic model + calibration that classifies paragraphs into taxonomy domains."""

    def __init__(self, taxonomy=None, topic_model: str = "nmf", n_free_topics: int = 10,
                 seed_strength: float = 10.0, expand_seeds: int = 200,
                 expand_min_precision: float = 0.5, seed_docs: int = 3, min_df: int = 3, max_df: float = 0.5,
                 max_features: int | None = 40000, max_iter: int = 200,
                 self_training: bool = False, self_training_quantile: float = 0.5,
                 self_training_mix: float = 0.5, C: float = 4.0,
                 other_weight: float = 1.0, label_threshold: float = 0.2, topic_mass: bool = True,
                 random_state: int = 0):
        self.taxonomy = taxonomy
        self.topic_model = topic_model
        self.n_free_topics = n_free_topics
        self.seed_strength = seed_strength
        self.expand_seeds = expand_seeds
        self.expand_min_precision = expand_min_precision
        self.seed_docs = seed_docs
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.max_iter = max_iter
        self.self_training = self_training
        self.self_training_quantile = self_training_quantile
        self.self_training_mix = self_training_mix
        self.C = C
        self.other_weight = other_weight
        self.label_threshold = label_threshold
        self.topic_mass = topic_mass
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def _taxonomy(self) -> Taxonomy:
        if isinstance(self.taxonomy, Taxonomy):
            return self.taxonomy
        return load_taxonomy(self.taxonomy)

    def fit(self, X, y=None):
        """Fit vectorizer, seeded topics and (optionally) the self-training layer on terms."""
        if self.topic_model not in TOPIC_MODELS:
            raise ConfigError(value_invalid_msg("topic_model", self.topic_model, TOPIC_MODELS))
        docs = as_term_lists(X)
        tax = self._taxonomy()
        self.taxonomy_ = tax
        self.classes_ = np.array(tax.ids, dtype=object)
        self.members_ = None
        if self.topic_model == "nmf+lda":
            return self._fit_ensemble(docs)
        topics = tax.seed_topics()
        seed_terms = sorted({t for _, _, terms in topics for t in terms})
        # Vocabulary: corpus terms passing min_df/max_df, plus every seed term (seeds
        # name recent policy words an older corpus may lack).  Each seed group is
        # also added `seed_docs` times as a pseudo-paragraph, so every seed co-occurs
        # with its group and the topic model can tie it to its topic.
        counter = CountVectorizer(analyzer=identity_analyzer, lowercase=False, min_df=self.min_df,
                                  max_df=self.max_df, max_features=self.max_features)
        counter.fit(docs)
        vocabulary = sorted(set(counter.vocabulary_) | set(seed_terms))
        pseudo = [doc for doc in tax.seed_documents() for _ in range(self.seed_docs)]
        vec_cls = TfidfVectorizer if self.topic_model == "nmf" else CountVectorizer
        kw = {"sublinear_tf": True} if self.topic_model == "nmf" else {}
        vec = vec_cls(analyzer=identity_analyzer, vocabulary=vocabulary, lowercase=False,
                      dtype=np.float64, **kw)
        D_all = vec.fit_transform(docs + pseudo)
        D = D_all[:len(docs)]
        self.vectorizer_ = vec
        vocab = vec.vocabulary_
        seeds = [[vocab[t] for t in terms if t in vocab] for _, _, terms in topics]
        self.seed_coverage_ = {name: (len(s), len(terms))
                               for (name, _, terms), s in zip(topics, seeds)}
        common = dict(seeds=seeds, n_free_topics=self.n_free_topics,
                      seed_strength=self.seed_strength, random_state=self.random_state)
        if self.topic_model == "nmf":
            support = grow_seed_support(D_all, seeds, self.expand_seeds, self.expand_min_precision) \
                if self.expand_seeds else None
            self.seed_support_size_ = [len(s) for s in support] if support else None
            tm = SeededNMF(max_iter=self.max_iter, seed_support=support, **common)
        else:
            tm = SeededLDA(max_iter=min(self.max_iter, 30), **common)
        W = tm.fit_transform(D_all)[:len(docs)]
        self.topic_model_ = tm
        self.topic_names_ = [n for n, _, _ in topics] + [f"free_{i}" for i in range(self.n_free_topics)]
        self.topic_domain_ = [d for _, d, _ in topics] + [tax.fallback] * self.n_free_topics
        self._build_topic_info(D, W)
        self.calibration_ = {"other_weight": float(self.other_weight),
                             "label_threshold": float(self.label_threshold)}
        self.classifier_ = None
        self.supervised_ = None
        if self.self_training:
            self._fit_self_training(D, W)
        return self

    def _fit_ensemble(self, docs):
        """Seeded NMF and seeded LDA fitted alike; their domain shares are averaged.

        NMF's support-constrained topics stay close to their seeds (robust on new
        genres, good label sets); LDA's topics separate livelihood from other
        more sharply (primary, livelihood-vs-other).  Both stay inspectable.
        """
        self.members_ = [clone(self).set_params(topic_model=m).fit(docs) for m in ("nmf", "lda")]
        self.vectorizer_ = self.members_[0].vectorizer_
        self.topic_info_ = [dict(row, model=m.topic_model) for m in self.members_
                            for row in m.topic_info_]
        self.calibration_ = {"other_weight": float(self.other_weight),
                             "label_threshold": float(self.label_threshold)}
        self.classifier_ = None
        self.supervised_ = None
        return self

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
                         "seeded": bool(self.topic_model_.topic_seeded_[k]),
                         "size": int(np.sum((dominant == k) & has_terms)),
                         "top_terms": " ".join(str(names[i]) for i in top),
                         "npmi": round(npmi_coherence(B, top), 4)})
        self.topic_info_ = rows

    def _fit_self_training(self, D, W) -> None:
        """Pseudo-label confident training paragraphs; fit a logistic regression on them."""
        P = self._topic_shares(W)
        P = self._weighted(P, self.calibration_["other_weight"])
        primary = np.argmax(P, axis=1)
        conf = P[np.arange(len(P)), primary]
        keep = np.zeros(len(P), dtype=bool)
        for c in np.unique(primary):
            idx = np.where((primary == c) & (W.sum(axis=1) > 0))[0]
            if len(idx) < 5:
                continue
            cut = np.quantile(conf[idx], self.self_training_quantile)
            keep[idx[conf[idx] >= cut]] = True
        if len(np.unique(primary[keep])) < 2:
            return
        clf = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state)
        clf.fit(D[keep], primary[keep])
        self.classifier_ = clf
        self.n_pseudo_labeled_ = int(keep.sum())

    # ---------------------------------------------------------------- inference
    def _topic_domain_matrix(self) -> np.ndarray:
        """(topic x domain) one-hot: the domain each topic counts towards."""
        ids = list(self.classes_)
        M = np.zeros((len(self.topic_domain_), len(ids)))
        for k, d in enumerate(self.topic_domain_):
            M[k, ids.index(d)] = 1.0
        return M

    def _topic_shares(self, W: np.ndarray) -> np.ndarray:
        """Per-domain share of each row's topic weight (rows sum to 1; empty -> fallback)."""
        ids = list(self.classes_)
        M = self._topic_domain_matrix()
        if self.topic_mass:
            W = W * self.topic_model_.components_.sum(axis=1)  # weight x topic size = term mass
        S = W @ M
        total = S.sum(axis=1, keepdims=True)
        fb = np.zeros(len(ids))
        fb[ids.index(self.taxonomy_.fallback)] = 1.0
        return np.where(total > 0, S / np.where(total > 0, total, 1.0), fb)

    def _weighted(self, P: np.ndarray, other_weight: float) -> np.ndarray:
        return cal.weighted(P, list(self.classes_).index(self.taxonomy_.fallback), other_weight)

    def _term_domain_posterior(self) -> np.ndarray:
        """(term x domain) P(domain | term) under the topic-word weights of this model."""
        S = self.topic_model_.components_.T @ self._topic_domain_matrix()
        total = S.sum(axis=1, keepdims=True)
        return S / np.where(total > 0, total, 1.0)

    def anchor_evidence(self, X) -> np.ndarray:
        """Per paragraph and domain, the strongest single-term evidence: the highest
        P(domain | term) over the paragraph's in-vocabulary terms (0 without terms).

        A paragraph on jobs with one line on 残疾人 has a small disability share
        but a term the topics give almost wholly to disability; the anchor
        thresholds of the calibration turn such evidence into labels.
        """
        check_is_fitted(self)
        if getattr(self, "members_", None):
            return np.mean([m.anchor_evidence(X) for m in self.members_], axis=0)
        return self._evidence_from_counts(self.vectorizer_.transform(as_term_lists(X)))

    def _evidence_from_counts(self, D) -> np.ndarray:
        D = D.tocsr()
        post = self._term_domain_posterior()
        E = np.zeros((D.shape[0], post.shape[1]))
        for i in range(D.shape[0]):
            cols = D.indices[D.indptr[i]:D.indptr[i + 1]]
            if len(cols):
                E[i] = post[cols].max(axis=0)
        return E

    def raw_proba(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated domain probabilities and a mask of rows with in-vocabulary terms."""
        P, has_terms, _ = self._outputs(X, evidence=False)
        return P, has_terms

    def _outputs(self, X, evidence: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """:meth:`raw_proba` and, when *evidence*, :meth:`anchor_evidence`, from one
        vectorisation of *X* per topic model."""
        check_is_fitted(self)
        if getattr(self, "members_", None):
            parts = [m._outputs(X, evidence) for m in self.members_]
            P = np.mean([p for p, _, _ in parts], axis=0)
            has_terms = np.logical_or.reduce([h for _, h, _ in parts])
            E = np.mean([e for _, _, e in parts], axis=0) if evidence else None
            return P, has_terms, E
        D = self.vectorizer_.transform(as_term_lists(X))
        has_terms = np.asarray(D.sum(axis=1)).ravel() > 0
        P = self._topic_shares(self.topic_model_.transform(D))
        if self.classifier_ is not None:
            Q = np.zeros_like(P)
            Q[:, self.classifier_.classes_] = self.classifier_.predict_proba(D)
            P = (1 - self.self_training_mix) * P + self.self_training_mix * Q
        sup = getattr(self, "supervised_", None)
        if sup is not None:  # optional layer fitted on gold labels (pipeline.domains.supervised)
            from .supervised import features, layer_proba
            F = features(self, X)
            P = (1 - self.supervised_mix_) * P + self.supervised_mix_ * layer_proba(self, sup, F)
        fb = list(self.classes_).index(self.taxonomy_.fallback)
        P[~has_terms] = 0.0
        P[~has_terms, fb] = 1.0
        return P, has_terms, self._evidence_from_counts(D) if evidence else None

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated per-domain probabilities, columns in ``classes_`` (taxonomy) order."""
        P, _ = self.raw_proba(X)
        return self._weighted(P, self.calibration_["other_weight"])

    def predict(self, X) -> np.ndarray:
        """Primary domain id of each paragraph."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def _labels_from_proba(self, P: np.ndarray, threshold: float, E: np.ndarray | None = None,
                           anchors: dict | None = None) -> list[list[str]]:
        """Label sets, primary first, then the other domains in order of probability."""
        ids = list(self.classes_)
        A = cal.anchor_vector(anchors, ids, self.taxonomy_.fallback) if anchors else None
        Y = cal.label_matrix(P, E, threshold, A)
        out = []
        for row, yes in zip(P, Y):
            order = np.argsort(-row, kind="stable")
            out.append([str(ids[i]) for i in order if yes[i]])
        return out

    def _calibrated(self, X) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
        anchors = self.calibration_.get("anchor_thresholds")
        P, has_terms, E = self._outputs(X, evidence=bool(anchors))
        P = self._weighted(P, self.calibration_["other_weight"])
        return P, has_terms, self._labels_from_proba(P, self.calibration_["label_threshold"],
                                                     E, anchors)

    def predict_labels(self, X) -> list[list[str]]:
        """Label set of each paragraph: the primary, every domain whose probability
        reaches the label threshold, and every domain with anchor evidence."""
        return self._calibrated(X)[2]

    def classify(self, X) -> list[dict]:
        """``{domain, domains, cats, status}`` per paragraph; no terms -> fallback, 'no_terms'."""
        P, has_terms, labels = self._calibrated(X)
        out = []
        for row, labs, ok in zip(P, labels, has_terms):
            out.append({"domain": labs[0], "domains": labs,
                        "cats": {str(d): round(float(v), 6) for d, v in zip(self.classes_, row)},
                        "status": "ok" if ok else "no_terms"})
        return out

    # -------------------------------------------------------------- calibration
    def calibrate(self, X, primary: Sequence[str], labels: Sequence[Sequence[str]],
                  anchors: bool = True) -> dict:
        """Choose the fallback weight, the label threshold and (when *anchors*) the
        per-domain anchor thresholds that maximise the sum of the four headline
        metrics on labeled data; store them in ``calibration_``."""
        P, _, E = self._outputs(X, evidence=anchors)
        self.calibration_ = cal.choose_calibration(list(self.classes_), self.taxonomy_.fallback,
                                                   P, E, primary, labels)
        return dict(self.calibration_)

    # --------------------------------------------------------------- inspection
    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The vocabulary (unigram and joined-bigram terms) the topics are built on."""
        check_is_fitted(self)
        return self.vectorizer_.get_feature_names_out()

    def get_topic_info(self) -> pd.DataFrame:
        """One row per topic: topic, name, domain, seeded, size, top_terms, npmi."""
        check_is_fitted(self)
        return pd.DataFrame(self.topic_info_)

    def top_paragraphs(self, X, texts: Sequence[str], n: int = 5) -> pd.DataFrame:
        """The *n* paragraphs with the highest probability for each domain."""
        P = self.predict_proba(X)
        rows = []
        for j, d in enumerate(self.classes_):
            for rank, i in enumerate(np.argsort(-P[:, j], kind="stable")[:n]):
                rows.append({"domain": str(d), "rank": rank + 1, "probability": float(P[i, j]),
                             "text": texts[i]})
        return pd.DataFrame(rows)

