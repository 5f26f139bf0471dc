"""Seeded topic models as scikit-learn estimators (numeric document-term input).

* :class:`SeededNMF` — NMF whose first topics start from seed words: the seed
  columns of their rows in ``H`` get a large initial weight (``init="custom"``),
  everything else a small one; free topics start from a seeded random draw.
  The multiplicative-update solver moves slowly away from the start, so seeded
  topics stay recognisable while still absorbing the words that co-occur with
  their seeds in the corpus.
* :class:`SeededLDA` — LatentDirichletAllocation whose variational topic-word
  parameters (``lambda``) start with extra mass on each seeded topic's seeds
  (a seed-weighted prior), plus optional boosting of seed-term counts.

Both follow ``sklearn.decomposition``: ``__init__`` only stores parameters,
fitted state ends in ``_``, ``transform`` checks fitted-ness first.  Seeds are
sequences of column indices, or of feature names resolved against
``feature_names`` (or ``feature_names_in_`` when fitted on a DataFrame).
``predict`` returns the dominant topic, ``predict_proba`` the normalised
topic weights.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.decomposition import NMF, LatentDirichletAllocation
from sklearn.decomposition._lda import _dirichlet_expectation_2d
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, check_non_negative, validate_data

from ..errors import value_invalid_msg
from ..kernels import compiled


def resolve_seeds(seeds: Sequence[Sequence[int | str]] | None, n_features: int,
                  names: Sequence[str] | None) -> list[np.ndarray]:
    """Turn seed terms (indices or names) into sorted, unique column-index arrays.

    Names absent from the vocabulary are skipped (a seed list written for one
    corpus must still work on another); indices out of range are an error.
    """
    if seeds is None:
        return []
    lookup = {str(n): i for i, n in enumerate(names)} if names is not None else None
    out = []
    for k, group in enumerate(seeds):
        cols = []
        for term in group:
            if isinstance(term, (int, np.integer)):
                if not 0 <= int(term) < n_features:
                    raise ValueError(value_invalid_msg(
                        f"seeds[{k}] column index", int(term),
                        f"integers in [0, {n_features}) (X has n_features = {n_features})"))
                cols.append(int(term))
            else:
                if lookup is None:
                    raise ValueError(f"Seed term {term!r} in seeds[{k}] is a name but the "
                                     f"estimator has no feature names: pass feature_names=... "
                                     f"or fit on a DataFrame, or give column indices.")
                if str(term) in lookup:
                    cols.append(lookup[str(term)])
        out.append(np.array(sorted(set(cols)), dtype=np.int64))
    return out


class _SeededTopicBase(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Shared validation, seed resolution and predict/predict_proba."""

    def _validate(self, X, reset: bool):
        X = validate_data(self, X, accept_sparse=("csr", "csc"),
                          dtype=[np.float64, np.float32], reset=reset)
        check_non_negative(X, f"{type(self).__name__} (X)")
        return X

    def _check_params(self) -> None:
        if not isinstance(self.n_free_topics, (int, np.integer)) or self.n_free_topics < 0:
            raise ValueError(value_invalid_msg("n_free_topics", self.n_free_topics,
                                               "an integer >= 0"))
        n_seeded = 0 if self.seeds is None else len(self.seeds)
        if n_seeded + self.n_free_topics < 1:
            raise ValueError("SeededNMF/SeededLDA need at least one topic: give seeds or "
                             "n_free_topics >= 1.")
        if self.seed_strength <= 0:
            raise ValueError(value_invalid_msg("seed_strength", self.seed_strength, "a number > 0"))

    def _seed_columns(self, n_features: int) -> list[np.ndarray]:
        names = self.feature_names
        if names is None:
            names = getattr(self, "feature_names_in_", None)
        return resolve_seeds(self.seeds, n_features, names)

    @property
    def _n_features_out(self) -> int:
        return self.components_.shape[0]

    def predict_proba(self, X) -> np.ndarray:
        """Topic weights of each row, normalised to sum to 1 (uniform for empty rows)."""
        W = self.transform(X)
        total = W.sum(axis=1, keepdims=True)
        uniform = np.full_like(W, 1.0 / W.shape[1])
        return np.where(total > 0, W / np.where(total > 0, total, 1.0), uniform)

    def predict(self, X) -> np.ndarray:
        """Index of the dominant topic of each row."""
        return np.argmax(self.predict_proba(X), axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags


class SeededNMF(_SeededTopicBase):
    """Non-negative matrix factorisation with seed words in ``H`` (``init="custom"``).

    Parameters
    ----------
    seeds : list of lists of int or str, default=None
        One list per seeded topic; topics ``0..len(seeds)-1`` are seeded.
    n_free_topics : int, default=5
        Extra unseeded topics for emergent themes.
    seed_strength : float, default=10.0
        Initial ``H`` weight of a seed word relative to a non-seed word of a seeded topic.
    seed_support : list of lists of int or str, default=None
        Optional vocabulary each seeded topic may use (seeds always included).
        ``H`` starts at zero outside it, and multiplicative updates keep zeros at
        zero, so a seeded topic cannot drift to unrelated words.
    seed_rows : sequence of (int, int), default=None
        ``(row, topic)`` pairs: rows of ``X`` that are seed pseudo-documents and the
        seeded topic each states.  Their weights start, and stay, zero outside
        that topic, so the taxonomy's words (an everyday word that only its
        pseudo-document contains) are explained by their own topic, never taken
        by a free one.
    feature_names : sequence of str, default=None
        Column names used to resolve seed words given as strings.
    max_iter, tol, alpha_W, alpha_H, l1_ratio :
        Passed to :class:`sklearn.decomposition.NMF` (solver ``"mu"``, Frobenius loss).
    transform_iter : int, default=100
        Multiplicative updates of ``W`` in :meth:`transform` (fixed count, so each
        row's weights are independent of the batch).
    random_state : int, default=0
        Seeds the initial free topics (fixed for byte-identical refits).
    """

    def __init__(self, seeds=None, n_free_topics: int = 5, seed_strength: float = 10.0,
                 seed_support=None, seed_rows=None, feature_names=None, max_iter: int = 200,
                 tol: float = 1e-4, alpha_W: float = 0.0, alpha_H="same",
                 l1_ratio: float = 0.0, transform_iter: int = 100, random_state=0):
        self.seeds = seeds
        self.n_free_topics = n_free_topics
        self.seed_strength = seed_strength
        self.seed_support = seed_support
        self.seed_rows = seed_rows
        self.feature_names = feature_names
        self.max_iter = max_iter
        self.tol = tol
        self.alpha_W = alpha_W
        self.alpha_H = alpha_H
        self.l1_ratio = l1_ratio
        self.transform_iter = transform_iter
        self.random_state = random_state

    def _nmf(self, n_components: int) -> NMF:
        return NMF(n_components=n_components, init="custom", solver="mu", beta_loss="frobenius",
                   max_iter=self.max_iter, tol=self.tol, alpha_W=self.alpha_W,
                   alpha_H=self.alpha_H, l1_ratio=self.l1_ratio, random_state=self.random_state)

    def _initial_H(self, X, seed_cols: list[np.ndarray]) -> np.ndarray:
        n_features = X.shape[1]
        k = len(seed_cols) + self.n_free_topics
        mean = float(X.mean()) if X.shape[0] * n_features else 0.0
        scale = np.sqrt(max(mean, 1e-12) / k)
        rng = check_random_state(self.random_state)
        H = np.full((k, n_features), scale * 0.1, dtype=np.float64)
        if self.seed_support is not None:
            if len(self.seed_support) != len(seed_cols):
                raise ValueError(value_invalid_msg("len(seed_support)", len(self.seed_support),
                                                   f"len(seeds) = {len(seed_cols)}"))
            names = self.feature_names if self.feature_names is not None else \
                getattr(self, "feature_names_in_", None)
            support = resolve_seeds(self.seed_support, n_features, names)
            for i, cols in enumerate(support):
                H[i] = 0.0
                H[i, cols] = scale * 0.1
        for i, cols in enumerate(seed_cols):
            H[i, cols] = scale * 0.1 * self.seed_strength
        if self.n_free_topics:
            H[len(seed_cols):] = scale * rng.uniform(0.05, 1.0, (self.n_free_topics, n_features))
        return H

    def _solve_W(self, X, H: np.ndarray, n_iter: int) -> np.ndarray:
        """Multiplicative updates of W with H fixed, row by row independent.

        A fixed number of iterations from a fixed start makes each row's weights
        depend only on that row (batch-invariant, reproducible).
        """
        XHt = np.asarray(X @ H.T)
        HHt = H @ H.T
        W = np.full((X.shape[0], H.shape[0]), self.w_start_, dtype=np.float64)
        eps = np.finfo(np.float64).eps
        for _ in range(n_iter):
            W *= XHt / np.maximum(W @ HHt, eps)
        return W

    def fit(self, X, y=None):
        """Fit ``H`` from the seeded start (Frobenius loss, multiplicative updates)."""
        self._check_params()
        X = self._validate(X, reset=True)
        seed_cols = self._seed_columns(X.shape[1])
        H0 = self._initial_H(X, seed_cols)
        k = H0.shape[0]
        mean = float(X.mean()) if X.shape[0] * X.shape[1] else 0.0
        self.w_start_ = float(np.sqrt(max(mean, 1e-12) / k))
        # W starts as the projection of X on the seeded H0 (H held fixed).
        W_init = np.maximum(self._solve_W(X, H0, 30), 1e-6).astype(X.dtype)
        for row, topic in (self.seed_rows or ()):
            if not (0 <= int(row) < X.shape[0] and 0 <= int(topic) < len(seed_cols)):
                raise ValueError(value_invalid_msg(
                    "seed_rows pair", (row, topic),
                    f"(row in [0, {X.shape[0]}), seeded topic in [0, {len(seed_cols)}))"))
            keep = W_init[row, topic]
            W_init[row] = 0.0  # multiplicative updates keep zeros at zero
            W_init[row, topic] = keep
        model = self._nmf(k)
        model.fit_transform(X, W=W_init, H=H0.astype(X.dtype).copy())
        self.components_ = model.components_.astype(np.float64)
        self.n_components_ = k
        self.n_iter_ = model.n_iter_
        self.reconstruction_err_ = float(model.reconstruction_err_)
        self.seed_columns_ = seed_cols
        self.topic_seeded_ = np.array([True] * len(seed_cols) + [False] * self.n_free_topics)
        return self

    def fit_transform(self, X, y=None) -> np.ndarray:
        """Fit, then return ``transform(X)`` (the same weights new rows would get)."""
        return self.fit(X, y).transform(X)

    def transform(self, X) -> np.ndarray:
        """Document-topic weights of new rows with the fitted ``H`` held fixed."""
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        return self._solve_W(X, self.components_, self.transform_iter)


class _SeedPriorLDA(LatentDirichletAllocation):
    """LDA whose initial topic-word parameters carry extra mass on seed words."""

    _seed_rows: list = []
    _seed_mass: float = 0.0

    def _init_latent_vars(self, n_features, dtype=np.float64):
        super()._init_latent_vars(n_features, dtype=dtype)
        for k, cols in enumerate(self._seed_rows):
            if len(cols):
                self.components_[k, cols] += self._seed_mass
        self.exp_dirichlet_component_ = np.exp(_dirichlet_expectation_2d(self.components_))


class SeededLDA(_SeededTopicBase):
    """Latent Dirichlet allocation with seed-weighted topic-word priors.

    The first ``len(seeds)`` topics start with ``seed_strength`` pseudo-counts per
    document-thousand on their seed words; ``seed_boost`` multiplies the counts of
    seed terms in ``X`` during fitting (seed-boosted term weights).  Input is a
    count matrix.
    """

    def __init__(self, seeds=None, n_free_topics: int = 5, seed_strength: float = 10.0,
                 seed_boost: float = 1.0, feature_names=None, max_iter: int = 20,
                 doc_topic_prior=None, topic_word_prior=None, random_state=0):
        self.seeds = seeds
        self.n_free_topics = n_free_topics
        self.seed_strength = seed_strength
        self.seed_boost = seed_boost
        self.feature_names = feature_names
        self.max_iter = max_iter
        self.doc_topic_prior = doc_topic_prior
        self.topic_word_prior = topic_word_prior
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit the seeded LDA on a count matrix."""
        self._check_params()
        X = self._validate(X, reset=True)
        seed_cols = self._seed_columns(X.shape[1])
        k = len(seed_cols) + self.n_free_topics
        lda = _SeedPriorLDA(n_components=k, learning_method="batch", max_iter=self.max_iter,
                            doc_topic_prior=self.doc_topic_prior,
                            topic_word_prior=self.topic_word_prior,
                            random_state=self.random_state)
        lda._seed_rows = seed_cols
        lda._seed_mass = self.seed_strength * max(1.0, X.shape[0] / 1000.0)
        Xb = X
        if self.seed_boost != 1.0 and seed_cols:
            boost = np.ones(X.shape[1])
            boost[np.unique(np.concatenate(seed_cols))] = self.seed_boost
            Xb = X @ sp.diags(boost) if sp.issparse(X) else X * boost
        lda.fit(Xb)
        self.components_ = lda.components_
        self.n_components_ = k
        self.n_iter_ = lda.n_iter_
        self.seed_columns_ = seed_cols
        self.topic_seeded_ = np.array([True] * len(seed_cols) + [False] * self.n_free_topics)
        self._model = lda
        return self

    def transform(self, X) -> np.ndarray:
        """Normalised document-topic distributions of new rows: scikit-learn's E-step from
        a uniform start, row by row (the compiled loop of :mod:`pipeline._kernels`
        where it was built: one C loop per batch instead of numpy calls per row)."""
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        model = self._model
        if compiled is None:
            return model.transform(X)
        X = model._check_non_neg_array(X, reset_n_features=False, whom="SeededLDA.transform")
        X = sp.csr_matrix(X, dtype=np.float64)
        X.sort_indices()
        doc_topic = np.empty((X.shape[0], model.components_.shape[0]))
        nnz_max = int(np.diff(X.indptr).max()) if X.shape[0] else 0
        compiled.lda_doc_topics(X.indptr.astype(np.int32), X.indices.astype(np.int32),
                                np.ascontiguousarray(X.data),
                                np.ascontiguousarray(model.exp_dirichlet_component_, dtype=np.float64),
                                float(model.doc_topic_prior_), int(model.max_doc_update_iter),
                                float(model.mean_change_tol), doc_topic,
                                np.empty(3 * doc_topic.shape[1] + nnz_max * (doc_topic.shape[1] + 1)))
        doc_topic /= doc_topic.sum(axis=1)[:, np.newaxis]
        return doc_topic
