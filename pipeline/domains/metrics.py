"""Evaluation of domain predictions against gold labels, and its markdown report.

Metrics (the acceptance criteria of issue 4):

* primary accuracy;
* livelihood-vs-other F1: binary, positive = primary is not the fallback id;
* label micro/macro F1 over the multi-label sets (all taxonomy ids, ``other``
  included; macro averages the ids that occur in the gold labels);
* a per-domain table and the confusion of primaries.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer


def score(gold_primary: Sequence[str], gold_labels: Sequence[Sequence[str]],
          pred_primary: Sequence[str], pred_labels: Sequence[Sequence[str]],
          ids: Sequence[str], fallback: str = "other") -> dict:
    """The four headline numbers plus per-domain precision/recall/F1/support."""
    mlb = MultiLabelBinarizer(classes=list(ids))
    Yg = mlb.fit_transform([list(x) for x in gold_labels])
    Yp = mlb.transform([list(x) for x in pred_labels])
    present = [i for i, d in enumerate(ids) if Yg[:, i].any()]
    bin_g = np.array([p != fallback for p in gold_primary])
    bin_p = np.array([p != fallback for p in pred_primary])
    p, r, f, s = precision_recall_fscore_support(Yg, Yp, zero_division=0)
    return {
        "primary_accuracy": float(accuracy_score(list(gold_primary), list(pred_primary))),
        "livelihood_f1": float(f1_score(bin_g, bin_p, zero_division=0)),
        "label_micro_f1": float(f1_score(Yg, Yp, average="micro", zero_division=0)),
        "label_macro_f1": float(f1_score(Yg[:, present], Yp[:, present], average="macro",
                                         zero_division=0)) if present else 0.0,
        "n": len(gold_primary),
        "per_domain": {d: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                           "support": int(s[i])} for i, d in enumerate(ids)},
        "primary_recall": primary_recall(gold_primary, pred_primary),
    }


def primary_recall(gold_primary: Sequence[str], pred_primary: Sequence[str]) -> dict:
    """Per gold primary domain: how many paragraphs have it (``n``) and the share of them
    whose predicted primary is it (``recall``)."""
    out = {}
    for d in sorted(set(gold_primary), key=list(gold_primary).index):
        hits = [p == d for g, p in zip(gold_primary, pred_primary) if g == d]
        out[d] = {"n": len(hits), "recall": float(np.mean(hits))}
    return out


def acceptable_accuracy(pred_primary: Sequence[str], acceptable: Sequence[Sequence[str]]) -> float:
    """Share of predictions that are among their row's acceptable primaries (``primary_ok``)."""
    return float(np.mean([p in ok for p, ok in zip(pred_primary, acceptable)]))


HEADLINE = ("primary_accuracy", "livelihood_f1", "label_micro_f1", "label_macro_f1")


def headline(scores: dict) -> dict:
    return {k: round(float(scores[k]), 4) for k in HEADLINE}


def confusion(gold_primary: Sequence[str], pred_primary: Sequence[str]) -> Counter:
    """Counts of (gold, predicted) primary pairs where they differ."""
    return Counter((g, p) for g, p in zip(gold_primary, pred_primary) if g != p)


def format_report(scores: dict, conf: Counter, title: str = "Domain evaluation",
                  cv: dict | None = None) -> str:
    """Markdown: headline numbers (and CV beside them), per-domain table, confusions."""
    lines = [f"## {title}", "", f"n = {scores['n']} paragraphs", "",
             "| metric | value |" + (" 5-fold CV |" if cv else ""),
             "|---|---|" + ("---|" if cv else "")]
    for k in HEADLINE:
        row = f"| {k} | {scores[k]:.3f} |"
        if cv:
            row += f" {cv[k]:.3f} |"
        lines.append(row)
    lines += ["", "| domain | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for d, m in scores["per_domain"].items():
        lines.append(f"| {d} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | {m['support']} |")
    lines += ["", "Most frequent primary confusions (gold -> predicted: count):", ""]
    for (g, p), n in conf.most_common(15):
        lines.append(f"- {g} -> {p}: {n}")
    return "\n".join(lines) + "\n"
