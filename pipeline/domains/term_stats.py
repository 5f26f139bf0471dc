"""Per-paragraph statistics over a topic model's P(domain | term), all rows at once.

:class:`TermPositions` flattens a batch of term lists once (each term's row, word
position and clause); :func:`term_stats`, :func:`first_named` and
:func:`clause_support` (both on :func:`known_rows`) turn P(domain | term) into the
evidence kinds of :class:`~pipeline.domains.scorer.SeededTopicScorer` that depend on
which terms a paragraph has and where, not on its topic mixture.
"""
from __future__ import annotations

from itertools import repeat
from typing import Callable, Sequence

import numpy as np

from .terms import MARKS, SENTENCE_END

#: P(domain | term) at or above which a term counts as ``strong`` evidence for its domain
#: (``support`` and ``clauses`` count terms at or above a half).
STRONG = 0.8
#: P(domain | term) at or above which a term backs its domain (``support``, ``clauses``).
BACKS = 0.5


class TermPositions:
    """A batch's terms flattened, with each term's row, word position and clause:
    unigrams count 0, 1, 2… per row; a bigram (the two last words joined, as
    :func:`~pipeline.domains.terms.join_terms` writes it after them) starts where its
    first word does, so 人才公寓 names housing where 人才 names education; sentence
    and clause marks get position -1 and start a new clause (clause ids run over the
    whole batch).  Computed once per batch for every topic member."""

    def __init__(self, X: Sequence[Sequence[str]]):
        terms: list[str] = []
        position: list[int] = []
        clause: list[int] = []
        lengths = []
        c = -1
        for doc in X:
            c += 1
            w2 = w1 = None  # the last two words of this clause and their positions
            p2 = p1 = n = 0
            after_word = False  # join_terms writes a bigram right after its second word
            for t in doc:
                if t in MARKS:
                    position.append(-1)
                    c += 1
                    w2 = w1 = None
                    after_word = False
                elif after_word and w2 is not None and t == w2 + w1:
                    position.append(p2)
                    after_word = False
                else:
                    position.append(n)
                    w2, p2, w1, p1 = w1, p1, t, n
                    n += 1
                    after_word = True
                clause.append(c)
            terms.extend(doc)
            lengths.append(len(doc))
        self.terms = terms
        self.position = np.asarray(position, dtype=np.float64)
        self.clause = np.asarray(clause, dtype=np.int64)
        self.owner = np.repeat(np.arange(len(lengths)), np.asarray(lengths, dtype=np.int64))

    def columns(self, get: Callable[[str, int], int]) -> np.ndarray:
        """Each term's vocabulary column (*get*: a vocabulary's ``get``), -1 if unknown."""
        return np.fromiter(map(get, self.terms, repeat(-1)), dtype=np.int64, count=len(self.terms))


def known_rows(at: TermPositions, cols: np.ndarray, post: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Which of *at*'s terms are words of the vocabulary (*cols*: their columns; marks and
    unknown terms left out), and those terms' rows of *post* (P(domain | term)): what
    :func:`first_named` and :func:`clause_support` read, gathered once per batch."""
    known = (cols >= 0) & (at.position >= 0)
    return known, post[cols[known]]


def first_named(at: TermPositions, known: np.ndarray, P: np.ndarray, n_rows: int,
                threshold: float, decay: float) -> np.ndarray:
    """``exp(-p / decay)`` per row and domain, p the word position of the row's first term
    with P(domain | term) >= *threshold*; 0 where no term is that strong (*known*, *P*:
    :func:`known_rows`)."""
    out = np.zeros((n_rows, P.shape[1]))
    if not known.any():
        return out
    owner = at.owner[known]
    where = np.where(P >= threshold, at.position[known, None], np.inf)
    rows, starts = np.unique(owner, return_index=True)  # owner is sorted
    earliest = np.minimum.reduceat(where, starts, axis=0)
    out[rows] = np.exp(-earliest / float(decay))  # exp(-inf) = 0: never named
    return out


def clause_support(at: TermPositions, known: np.ndarray, P: np.ndarray, n_rows: int) -> np.ndarray:
    """Per row and domain, how many of the row's clauses have a term with P(domain | term)
    >= :data:`BACKS` (a list item per domain counts once, a word repeated in one clause
    once, the same word in five clauses five times; *known*, *P*: :func:`known_rows`)."""
    out = np.zeros((n_rows, P.shape[1]))
    if not known.any():
        return out
    _, starts = np.unique(at.clause[known], return_index=True)  # clause ids are sorted
    named = np.logical_or.reduceat(P >= BACKS, starts, axis=0).astype(np.float64)
    rows, first = np.unique(at.owner[known][starts], return_index=True)  # so are their rows
    out[rows] = np.add.reduceat(named, first, axis=0)
    return out


def term_stats(D, post: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per row of *D* (CSR, rows: paragraphs) over its distinct terms' rows of *post*
    (P(domain | term)): the max, the mean, how many are >= :data:`BACKS` and >=
    :data:`STRONG`, and the second largest (0 with fewer than two terms; the max again
    when two terms share it), each (paragraph x domain), all rows at once."""
    n, K = D.shape[0], post.shape[1]
    counts = np.diff(D.indptr)
    P = post[D.indices]
    out = [np.zeros((n, K)) for _ in range(5)]
    rows = np.flatnonzero(counts)
    if not len(rows):
        return tuple(out)
    E, A, S05, S08, E2 = out
    starts = D.indptr[rows]
    E[rows] = np.maximum.reduceat(P, starts, axis=0)
    A[rows] = np.add.reduceat(P, starts, axis=0) / counts[rows, None]
    S05[rows] = np.add.reduceat((P >= BACKS).astype(np.float64), starts, axis=0)
    S08[rows] = np.add.reduceat((P >= STRONG).astype(np.float64), starts, axis=0)
    owner = np.repeat(np.arange(n), counts)
    at_max = P == E[owner]
    ties = np.add.reduceat(at_max.astype(np.int64), starts, axis=0)
    below = np.maximum.reduceat(np.where(at_max, -np.inf, P), starts, axis=0)
    second = np.where(ties >= 2, E[rows], below)
    second[counts[rows] < 2] = 0.0
    E2[rows] = second
    return E, A, S05, S08, E2


def lead_columns(X: Sequence[Sequence[str]], get: Callable[[str, int], int], n: int) -> np.ndarray:
    """(rows x *n*) vocabulary columns of each row's first *n* terms within its first
    sentence (clause marks skipped), -1 for unknown terms and padding."""
    cols = np.full((len(X), n), -1, dtype=np.int64)
    for i, doc in enumerate(X):
        found = []
        for t in doc:
            if t == SENTENCE_END or len(found) == n:
                break
            if t not in MARKS:
                found.append(get(t, -1))
        cols[i, :len(found)] = found
    return cols
