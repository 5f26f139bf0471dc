"""TopicEnsemble: several seeded topic scorers fitted alike, their evidence averaged.

Composition instead of a mode flag: the default ensemble is a seeded NMF
(support-constrained topics that stay close to their seeds; robust on new
genres) and a seeded LDA (sharper livelihood-vs-other on reports).  Each member
stays inspectable (:meth:`get_topic_info` has a ``model`` column).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from .scorer import Evidence, SeededTopicScorer
from .term_stats import TermPositions
from .taxonomy import Taxonomy
from .topics import SeededLDA, SeededNMF


def default_scorers(random_state: int = 0) -> list[tuple[str, SeededTopicScorer]]:
    """``[("nmf", ...), ("lda", ...)]``: the shipped pair of seeded topic scorers."""
    return [
        ("nmf", SeededTopicScorer(SeededNMF(n_free_topics=10, seed_strength=30.0, max_iter=100,
                                            random_state=random_state), weighting="tfidf")),
        ("lda", SeededTopicScorer(SeededLDA(n_free_topics=10, seed_strength=30.0, max_iter=30,
                                            random_state=random_state), weighting="counts",
                                  expand_seeds=0, topic_mass=False)),
    ]


class TopicEnsemble(BaseEstimator):
    """Average the :class:`~pipeline.domains.scorer.Evidence` of named topic scorers.

    Parameters
    ----------
    scorers : list of (str, SeededTopicScorer), default=None
        Named members (``None``: :func:`default_scorers`).

    Attributes
    ----------
    scorers_ : list of (str, fitted SeededTopicScorer)
    classes_ : ndarray of taxonomy ids
    """

    def __init__(self, scorers: Sequence[tuple[str, SeededTopicScorer]] | None = None):
        self.scorers = scorers

    def fit(self, X: Sequence[Sequence[str]], y=None, *, taxonomy: Taxonomy) -> "TopicEnsemble":
        members = self.scorers if self.scorers is not None else default_scorers()
        docs = [list(d) for d in X]
        self.scorers_ = [(name, clone(s).fit(docs, taxonomy=taxonomy)) for name, s in members]
        self.classes_ = self.scorers_[0][1].classes_
        return self

    def member_evidence(self, X: Sequence[Sequence[str]], matrices: Sequence | None = None
                        ) -> list[Evidence]:
        """Each member's :class:`Evidence`, in member order (*matrices*: each member's
        ``vectorizer_`` matrix of *X*, when the caller has counted them already)."""
        check_is_fitted(self)
        docs = [list(d) for d in X]
        if matrices is None:
            matrices = [None] * len(self.scorers_)
        positions = TermPositions(docs)
        return [s.evidence(docs, D, positions) for (_, s), D in zip(self.scorers_, matrices)]

    def vectorizers(self) -> list:
        """The members' fitted vectorisers, in member order."""
        check_is_fitted(self)
        return [s.vectorizer_ for _, s in self.scorers_]

    def evidence(self, X: Sequence[Sequence[str]]) -> Evidence:
        """The members' evidence averaged."""
        return Evidence.average(self.member_evidence(X))

    @property
    def vocabulary_(self) -> dict[str, int]:
        """The first member's vocabulary (all members share one vocabulary rule)."""
        return self.scorers_[0][1].vectorizer_.vocabulary_

    def get_feature_names_out(self) -> np.ndarray:
        check_is_fitted(self)
        return self.scorers_[0][1].vectorizer_.get_feature_names_out()

    def get_topic_info(self) -> pd.DataFrame:
        check_is_fitted(self)
        rows = [dict(row, model=name) for name, s in self.scorers_ for row in s.topic_info_]
        cols = ["model", "topic", "name", "domain", "seeded", "size", "top_terms", "npmi"]
        return pd.DataFrame(rows)[cols]

    def dominant_topics(self, X: Sequence[Sequence[str]]) -> list[dict[str, str] | None]:
        """Each paragraph's heaviest topic per member, ``{model: topic name}`` (None
        without terms)."""
        return self.topics_of(self.member_evidence(X))

    def topics_of(self, members: Sequence[Evidence]) -> list[dict[str, str] | None]:
        """``{model: topic name}`` per row from :meth:`member_evidence`'s output."""
        names = [name for name, _ in self.scorers_]
        per = [m.topics for m in members]
        return [None if per[0][i] is None else {n: t[i] for n, t in zip(names, per)}
                for i in range(len(per[0]))]
