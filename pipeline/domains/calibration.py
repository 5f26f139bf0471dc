"""Calibration: from topic-model outputs to a primary domain and a label set.

Three kinds of numbers are chosen on labeled paragraphs and saved with a model:

* ``other_weight``: a multiplier on the fallback domain's share before the
  argmax (how readily a paragraph is called non-livelihood);
* ``label_threshold``: every domain whose calibrated share reaches it joins the
  label set (domains that carry much of the paragraph);
* ``anchor_thresholds``, one per domain: the domain joins the label set when
  the paragraph contains a term the topic model ties to that domain with at
  least this posterior (the ``anchors`` evidence of :mod:`pipeline.domains.scorer`).  This catches
  domains with concrete content in one clause of a long paragraph (a line on
  残疾人 in a paragraph on jobs), which a paragraph-level share dilutes.

The search is a deterministic grid (first best wins) on the sum of the four
headline metrics, vectorised so it can run inside every cross-validation fold.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .scorer import Evidence

#: A threshold no probability reaches: "this rule is off".
OFF = 1.01
OTHER_WEIGHTS = tuple(round(float(x), 3) for x in np.geomspace(0.05, 20.0, 27))
LABEL_THRESHOLDS = (0.01, 0.02, 0.03, 0.04) + tuple(
    round(float(x), 3) for x in np.arange(0.05, 0.51, 0.025)) + (OFF,)
ANCHOR_THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, OFF)


def weighted(P: np.ndarray, fallback: int, other_weight: float) -> np.ndarray:
    """Rows of *P* with the fallback column scaled by *other_weight*, renormalised."""
    P = np.array(P, dtype=np.float64, copy=True)
    P[:, fallback] *= other_weight
    return P / P.sum(axis=1, keepdims=True)


def label_matrix(Pw: np.ndarray, E: np.ndarray | None, threshold: float,
                 anchors: np.ndarray | None) -> np.ndarray:
    """Boolean (paragraph x domain) label sets: the argmax, shares >= threshold, anchors."""
    Y = Pw >= threshold
    Y[np.arange(len(Pw)), np.argmax(Pw, axis=1)] = True
    if E is not None and anchors is not None:
        Y |= E >= anchors[None, :]
    return Y


def anchor_vector(anchors: dict | None, ids: Sequence[str], fallback: str) -> np.ndarray:
    """Per-domain anchor thresholds in column order (missing ids and the fallback: off)."""
    anchors = anchors or {}
    return np.array([OFF if d == fallback else float(anchors.get(d, OFF)) for d in ids])


def _f1(tp, n_pred, n_gold):
    denom = n_pred + n_gold
    return np.where(denom > 0, 2.0 * tp / np.where(denom > 0, denom, 1), 0.0)


def set_f1(Yp: np.ndarray, Yg: np.ndarray) -> tuple[float, float]:
    """Label-set micro-F1 and macro-F1 (over domains present in the gold sets) of boolean
    (paragraph x domain) matrices, as :func:`pipeline.domains.metrics.score` counts them."""
    tp = (Yp & Yg).sum(axis=0)
    micro = float(_f1(tp.sum(), Yp.sum(), Yg.sum()))
    present = Yg.any(axis=0)
    per = _f1(tp, Yp.sum(axis=0), Yg.sum(axis=0))
    return micro, (float(per[present].mean()) if present.any() else 0.0)


class _Scorer:
    """The four headline metrics of :func:`pipeline.domains.metrics.score`, vectorised."""

    def __init__(self, ids: Sequence[str], fallback: str, primary: Sequence[str],
                 labels: Sequence[Sequence[str]]):
        index = {d: i for i, d in enumerate(ids)}
        self.fb = index[fallback]
        self.gold_primary = np.array([index.get(p, -1) for p in primary])
        self.Yg = np.zeros((len(primary), len(ids)), dtype=bool)
        for i, labs in enumerate(labels):
            for d in labs:
                if d in index:
                    self.Yg[i, index[d]] = True
        self.gold_liv = self.gold_primary != self.fb

    def __call__(self, pred_primary: np.ndarray, Yp: np.ndarray) -> float:
        acc = float(np.mean(pred_primary == self.gold_primary))
        liv = pred_primary != self.fb
        liv_f1 = float(_f1(np.sum(liv & self.gold_liv), liv.sum(), self.gold_liv.sum()))
        micro, macro = set_f1(Yp, self.Yg)
        return acc + liv_f1 + micro + macro


def choose_calibration(ids: Sequence[str], fallback: str, P: np.ndarray, E: np.ndarray | None,
                       primary: Sequence[str], labels: Sequence[Sequence[str]],
                       other_weights: Sequence[float] = OTHER_WEIGHTS,
                       thresholds: Sequence[float] = LABEL_THRESHOLDS,
                       anchor_grid: Sequence[float] = ANCHOR_THRESHOLDS,
                       per_domain_anchors: bool = True) -> dict:
    """Choose ``other_weight``, ``label_threshold`` and ``anchor_thresholds`` on labeled rows.

    First a joint grid over the fallback weight, the share threshold and one
    anchor threshold for all domains; then, when *per_domain_anchors*, two
    passes of coordinate ascent give each domain its own anchor threshold.
    Without anchor evidence (*E* is None) only the first two are chosen.
    """
    ids = list(ids)
    fb = ids.index(fallback)
    scorer = _Scorer(ids, fallback, primary, labels)
    grid = list(anchor_grid) if E is not None else [OFF]
    best_val, best = -1.0, (1.0, 0.2, OFF)
    for w in other_weights:
        Pw = weighted(P, fb, w)
        pred = np.argmax(Pw, axis=1)
        for t in thresholds:
            for a in grid:
                anchors = np.full(len(ids), a)
                anchors[fb] = OFF
                val = scorer(pred, label_matrix(Pw, E, t, anchors))
                if val > best_val + 1e-12:
                    best_val, best = val, (float(w), float(t), float(a))
    w, t, a = best
    anchors = np.full(len(ids), a)
    anchors[fb] = OFF
    if E is not None and per_domain_anchors:
        Pw = weighted(P, fb, w)
        pred = np.argmax(Pw, axis=1)
        for _ in range(2):
            for j in range(len(ids)):
                if j == fb:
                    continue
                col_best, col_val = anchors[j], -1.0
                for cand in anchor_grid:
                    anchors[j] = cand
                    val = scorer(pred, label_matrix(Pw, E, t, anchors))
                    if val > col_val + 1e-12:
                        col_val, col_best = val, cand
                anchors[j] = col_best
    cal = {"other_weight": w, "label_threshold": t}
    if E is not None:
        cal["anchor_thresholds"] = {d: float(anchors[j]) for j, d in enumerate(ids) if j != fb}
    return cal


class ThresholdLabels(BaseEstimator):
    """Label sets from one share threshold and per-domain anchor thresholds.

    The label-model interface of :class:`~pipeline.domains.labels.LabelSetModel`
    (``fit(members, P, Y, fallback)``, ``predict(members, P)``) over
    :func:`choose_calibration`: a baseline and the rule of minsheng 0.2's models.

    Attributes
    ----------
    label_threshold_ : float
    anchors_ : ndarray (K,)
        Per-domain anchor thresholds in column order (:data:`OFF` for the fallback).
    """

    def fit(self, members, P: np.ndarray, Y: np.ndarray, fallback: int = 0,
            extra: np.ndarray | None = None) -> "ThresholdLabels":
        """Choose the thresholds on label sets *Y* (*extra* evidence is not read)."""
        Y = np.asarray(Y, dtype=bool)
        ids = [str(k) for k in range(P.shape[1])]
        anchors = Evidence.average(members).anchors
        labels = [[ids[k] for k in np.where(row)[0]] for row in Y]
        chosen = choose_calibration(ids, ids[fallback], P, anchors, [ids[k] for k in P.argmax(1)],
                                    labels, other_weights=(1.0,))
        self.label_threshold_ = chosen["label_threshold"]
        self.anchors_ = anchor_vector(chosen["anchor_thresholds"], ids, ids[fallback])
        return self

    def predict(self, members, P: np.ndarray, extra: np.ndarray | None = None) -> np.ndarray:
        check_is_fitted(self)
        return label_matrix(P, Evidence.average(members).anchors, self.label_threshold_, self.anchors_)
