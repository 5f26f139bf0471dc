"""``minsheng bench domains``: every baseline and variant on the labeled set, one table.

Rows: keyword dictionary (seed terms of the taxonomy), plain LDA + best
(dev-majority) mapping, seeded NMF and seeded LDA (topic shares only, then the
same topics with term-anchor labels), seeded NMF + self-training, the
dev-supervised layer, the shipped model and its no-anchor ablation.  Every row that looks at gold labels reports 5-fold CV
beside the dev number.  Inputs are term lists (segmentation happens in
``pipeline.domain_tasks``), so this module stays free of spaCy.
"""
from __future__ import annotations

import time
from typing import Any, Sequence

from .evaluation import cv_calibrated, keyword_scores, plain_lda_scores
from .metrics import HEADLINE, headline, score
from .model import DomainModel
from .supervised import attach, cv_supervised
from .taxonomy import Taxonomy


def _fit_variant(taxonomy: Taxonomy, params: dict, train_docs, X, gp, gl, anchors: bool = False):
    t0 = time.time()
    model = DomainModel(taxonomy=taxonomy, **params).fit(train_docs)
    cv = cv_calibrated(model, X, gp, gl, anchors=anchors)
    model.calibrate(X, gp, gl, anchors=anchors)
    pl = model.predict_labels(X)
    dev = score(gp, gl, [x[0] for x in pl], pl, taxonomy.ids, taxonomy.fallback)
    return dev, cv, time.time() - t0, model


def run_variants(taxonomy: Taxonomy, train_docs: Sequence, X: Sequence, gp: Sequence[str],
                 gl: Sequence[Sequence[str]], base_params: dict, shipped: Any | None,
                 quick: bool = False) -> list[dict]:
    """Scores of every row of the benchmark (dicts with name, dev, cv, seconds, note)."""
    rows = []
    t0 = time.time()
    kd = keyword_scores(taxonomy, X, gp, gl)
    rows.append({"name": "keyword dictionary (taxonomy seeds)", "dev": headline(kd), "cv": None,
                 "seconds": time.time() - t0, "note": "no training"})
    t0 = time.time()
    dev, cv = plain_lda_scores(taxonomy, train_docs, X, gp, gl, n_topics=30,
                               max_iter=5 if quick else 15)
    rows.append({"name": "plain LDA (30 topics) + best mapping", "dev": headline(dev),
                 "cv": headline(cv), "seconds": time.time() - t0,
                 "note": "mapping = dev-majority primary per topic"})
    base = dict(base_params)
    if quick:
        base["max_iter"] = min(int(base.get("max_iter", 200)), 30)
    variants = [("seeded NMF", {**base, "topic_model": "nmf", "self_training": False}),
                ("seeded LDA", {**base, "topic_model": "lda", "self_training": False}),
                ("seeded NMF + self-training", {**base, "topic_model": "nmf", "self_training": True})]
    for name, params in variants:
        dev, cv, secs, model = _fit_variant(taxonomy, params, train_docs, X, gp, gl)
        rows.append({"name": name, "dev": headline(dev), "cv": headline(cv), "seconds": secs,
                     "note": "topic shares only; calibration (2 scalars) tuned on dev"})
        if name in ("seeded NMF", "seeded LDA"):  # the same topics, labels with term anchors
            t0 = time.time()
            cv = cv_calibrated(model, X, gp, gl, anchors=True)
            pl = clone_calibrated(model, X, gp, gl, anchors=True).predict_labels(X)
            dev = score(gp, gl, [x[0] for x in pl], pl, taxonomy.ids, taxonomy.fallback)
            rows.append({"name": f"{name} + term anchors", "dev": headline(dev),
                         "cv": headline(cv), "seconds": time.time() - t0,
                         "note": "anchor thresholds per domain tuned on dev"})
        if name == "seeded NMF":
            t0 = time.time()
            sup = attach(model, X, gp, gl, C=10.0, mix=0.5)
            pl = sup.predict_labels(X)
            dev = score(gp, gl, [x[0] for x in pl], pl, taxonomy.ids, taxonomy.fallback)
            cv = cv_supervised(sup, X, gp, gl, C=10.0, mix=0.5)
            rows.append({"name": "seeded NMF + LR on topic features (dev-supervised)",
                         "dev": headline(dev), "cv": headline(cv), "seconds": time.time() - t0,
                         "note": "supervised on dev labels: CV is the headline"})
    if shipped is not None:
        t0 = time.time()
        pl = shipped.predict_labels(X)
        dev = score(gp, gl, [x[0] for x in pl], pl, list(shipped.classes_), shipped.taxonomy_.fallback)
        has_anchors = bool(shipped.calibration_.get("anchor_thresholds"))
        cv = cv_calibrated(shipped, X, gp, gl, anchors=has_anchors)
        rows.append({"name": "shipped model (models/domains)", "dev": headline(dev),
                     "cv": headline(cv), "seconds": time.time() - t0,
                     "note": "as committed" + ("; term anchors per domain" if has_anchors else "")})
        if has_anchors:  # ablation: the same topics with shares-only calibration
            t0 = time.time()
            ablated = clone_calibrated(shipped, X, gp, gl, anchors=False)
            pl = ablated.predict_labels(X)
            dev = score(gp, gl, [x[0] for x in pl], pl, list(shipped.classes_),
                        shipped.taxonomy_.fallback)
            cv = cv_calibrated(shipped, X, gp, gl, anchors=False)
            rows.append({"name": "shipped topics, no term anchors (ablation)", "dev": headline(dev),
                         "cv": headline(cv), "seconds": time.time() - t0,
                         "note": "calibration (2 scalars) tuned on dev"})
    return rows


def clone_calibrated(model: DomainModel, X, gp, gl, anchors: bool) -> DomainModel:
    """A shallow copy of a fitted model recalibrated with or without term anchors
    (the model itself keeps its calibration)."""
    import copy

    other = copy.copy(model)
    other.calibrate(X, gp, gl, anchors=anchors)
    return other


def format_table(rows: list[dict], header: str) -> str:
    """Markdown table: dev and 5-fold CV for each of the four headline metrics."""
    short = {"primary_accuracy": "primary acc", "livelihood_f1": "livelihood F1",
             "label_micro_f1": "label micro-F1", "label_macro_f1": "label macro-F1"}
    cols = " | ".join(f"{short[k]} dev / CV" for k in HEADLINE)
    lines = [header, "", f"| variant | {cols} | seconds | note |",
             "|---|" + "---|" * len(HEADLINE) + "---|---|"]
    for r in rows:
        cells = []
        for k in HEADLINE:
            cv = f"{r['cv'][k]:.3f}" if r["cv"] else "—"
            cells.append(f"{r['dev'][k]:.3f} / {cv}")
        lines.append(f"| {r['name']} | " + " | ".join(cells) + f" | {r['seconds']:.0f} | {r['note']} |")
    return "\n".join(lines) + "\n"
