"""Attention measures as ratio estimators over body paragraphs.

Every measure of a group of paragraphs is ``sum(v) / sum(w)`` over its
paragraphs, with a per-paragraph vector ``v`` over the domains and a weight
``w``:

* ``primary``  -- ``v`` = one-hot of the primary domain, ``w`` = 1: the share of
  body paragraphs whose primary domain is *d* (``documents.csv``'s ``share_*``);
* ``chars``    -- ``v`` = characters x one-hot, ``w`` = characters: the share of
  body *characters* in paragraphs of primary *d* (long paragraphs weigh more);
* ``expected`` -- ``v`` = the paragraph's scores (``cats``), ``w`` = 1: the
  expected share, crediting second domains;
* ``coverage`` -- ``v`` = 1 for every domain in the label set (``domains``),
  ``w`` = 1: the share of paragraphs that touch *d* (does not sum to 1).

Scope ``all`` uses every classified body paragraph; scope ``livelihood`` only
those whose primary domain is not ``other``, with ``other`` dropped and scores
renormalised over the livelihood domains. Because everything is a ratio of
sums, one bootstrap draw of paragraph counts gives every measure at once
(:mod:`pipeline.shares.bootstrap`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

MEASURES = ("primary", "chars", "expected", "coverage")
#: Measures computed from ``primary`` by a confusion matrix (:mod:`pipeline.shares.adjust`).
DERIVED = ("adjusted",)
SCOPES = ("all", "livelihood")
OTHER = "other"


def is_classified_body(row: Mapping[str, Any]) -> bool:
    """The paragraphs attention is measured over: ok body paragraphs with a primary domain."""
    return row.get("kind") == "body" and row.get("status") == "ok" and bool(row.get("domain"))


@dataclass
class Matrices:
    """Per-paragraph numerators ``V`` (n x measures x K) and weights ``W`` (n x measures)."""

    domains: list[str]
    V: np.ndarray
    W: np.ndarray

    def estimate(self, counts: np.ndarray) -> np.ndarray:
        """Ratio estimates for paragraph multiplicities ``counts`` (r x n) -> (r x measures x K)."""
        num = np.einsum("rn,nmk->rmk", counts, self.V)
        den = counts @ self.W
        with np.errstate(invalid="ignore", divide="ignore"):
            return num / den[:, :, None]


def matrices(rows: Sequence[Mapping[str, Any]], domains: Sequence[str], scope: str,
             other: str = OTHER) -> tuple[Matrices, list[int]]:
    """The measure matrices of the rows in *scope*; and which rows they are (indices)."""
    keep_domains = [d for d in domains if scope == "all" or d != other]
    pos = {d: i for i, d in enumerate(keep_domains)}
    picked = [i for i, r in enumerate(rows) if is_classified_body(r)
              and (scope == "all" or r["domain"] != other) and r["domain"] in pos]
    n, k = len(picked), len(keep_domains)
    V = np.zeros((n, len(MEASURES), k))
    W = np.ones((n, len(MEASURES)))
    for j, i in enumerate(picked):
        r = rows[i]
        d = pos[r["domain"]]
        chars = float(len(r.get("text") or "")) or 1.0
        V[j, 0, d] = 1.0
        V[j, 1, d] = chars
        W[j, 1] = chars
        cats = r.get("cats") or {}
        scores = np.array([float(cats.get(x, 0.0)) for x in keep_domains])
        total = scores.sum()
        if total > 0:
            V[j, 2] = scores / total
        else:
            V[j, 2, d] = 1.0
        for x in r.get("domains") or [r["domain"]]:
            if x in pos:
                V[j, 3, pos[x]] = 1.0
    return Matrices(domains=keep_domains, V=V, W=W), picked
