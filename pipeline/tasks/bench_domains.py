"""``minsheng bench domains``: the shipped classifier beside its baselines, one run.

Every row is measured here, on the same featurised text (the shipped
pipeline's tokens and tags): report paragraphs (``livelihood_dev.jsonl``,
5-fold CV wherever gold labels fit anything) and citizen messages
(``messages_dev.jsonl``, never fitted on).  Baselines: keyword dictionary,
plain LDA + majority mapping, seeded NMF alone, seeded LDA alone, logistic
regression on TF-IDF trained on the dev labels, tomotopy LDA with seed-word
priors (a keyATM / seededlda user's tool), the classifier without its
pseudo-label layer added, the members' evidence averaged, and the previous
shipped model (numbers recorded in its MANIFEST entry; its code is gone).
Classifier rows follow the shipped protocol: the decision is cross-validated
over report paragraphs and strict messages together.  A per-domain table of cross-validated
primary recall follows.
"""
from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from ..domains import (PseudoLabelLayer, ThresholdLabels, TopicEnsemble, load_domain_model,
                       load_taxonomy)
from ..domains.baselines import KeywordDictionary, SeededTomotopyLDA, plain_lda_scores, tfidf_logistic
from ..domains.metrics import HEADLINE, acceptable_accuracy, score
from .domain_config import DEFAULT_CONFIG, load_config, read_labeled
from .train_domains import classifier_from_cfg, cross_validate, with_frozen_topics
from .training_text import pd1998_texts, report_paragraphs

#: CV and message numbers of the model shipped before DomainClassifier (its MANIFEST entry).
PREVIOUS = {"primary_accuracy": 0.8995, "livelihood_f1": 0.8543, "label_micro_f1": 0.8475,
            "label_macro_f1": 0.7515}


def _cv_labels(make, X, rows, k=5) -> list[list[str]]:
    pred: list[Any] = [None] * len(rows)
    for tr, te in KFold(n_splits=k, shuffle=True, random_state=0).split(np.arange(len(rows))):
        m = make().fit([X[i] for i in tr], [rows[i]["labels"] for i in tr])
        labs = m.predict_labels([X[i] for i in te]) if hasattr(m, "predict_labels") \
            else [[p] for p in m.predict([X[i] for i in te])]
        for i, lab in zip(te, labs):
            pred[i] = list(lab)
    return pred


def _msg_acc(pred, msgs) -> float:
    strict = [(p, m["primary_ok"]) for p, m in zip(pred, msgs) if m.get("strict", True)]
    return acceptable_accuracy([p for p, _ in strict], [ok for _, ok in strict])


def _min_recall(s: dict, n: int = 5) -> float:
    """Lowest cross-validated primary recall over domains with >= *n* gold primaries."""
    return min(v["recall"] for v in s["primary_recall"].values() if v["n"] >= n)


def _row(name, pred_labels, rows, ids, fb, msg_pred=None, msg_adapted=None, seconds=0.0, note=""):
    s = score([r["primary"] for r in rows], [r["labels"] for r in rows], [p[0] for p in pred_labels],
              pred_labels, ids, fb)
    rec = {d: v["recall"] for d, v in s["primary_recall"].items() if v["n"] >= 5}
    return {"name": name, "scores": {k: s[k] for k in HEADLINE}, "min_recall": _min_recall(s),
            "recall": rec, "msgs": msg_pred, "msgs_adapted": msg_adapted, "seconds": seconds,
            "note": note}


def run_bench(quick: bool = False) -> tuple[list[dict], dict]:
    cfg = load_config(DEFAULT_CONFIG)
    tax = load_taxonomy(cfg["paths"].get("taxonomy") or None)
    ids, fb = tax.ids, tax.fallback
    rows = read_labeled(Path(cfg["paths"]["labeled"]))
    msgs = read_labeled(Path(cfg["paths"]["messages"]))
    exclude = {r["doc"] for r in rows}
    texts = [p["text"] for p in report_paragraphs(Path(cfg["paths"]["reports"]), exclude)]
    texts += pd1998_texts(2000 if quick else 0)
    if quick:
        texts, rows = texts[::4], rows[::2]
    shipped = load_domain_model()
    fz = shipped.featurizer_
    X_unl, X, Xm = fz.transform(texts), fz.transform([r["text"] for r in rows]), \
        fz.transform([m["text"] for m in msgs])
    out: list[dict] = []

    t = time.time()
    kd = KeywordDictionary(tax).fit()
    out.append(_row("keyword dictionary (seed hits)", kd.predict_labels(X), rows, ids, fb,
                    _msg_acc([p[0] for p in kd.predict_labels(Xm)], msgs), None, time.time() - t,
                    "no fitting"))
    t = time.time()
    _, cv = plain_lda_scores(tax, X_unl, X, [r["primary"] for r in rows], [r["labels"] for r in rows])
    out.append({"name": "plain LDA (30 topics) + majority mapping", "scores": {k: cv[k] for k in HEADLINE},
                "min_recall": _min_recall(cv),
                "recall": {}, "msgs": None, "msgs_adapted": None, "seconds": time.time() - t,
                "note": "mapping chosen on 4 folds"})
    t = time.time()
    lr = tfidf_logistic()
    pred = _cv_labels(lambda: _LabelSetWrapper(tfidf_logistic()), X, rows)
    lr.fit(X, [r["primary"] for r in rows])
    out.append(_row("logistic regression on TF-IDF (dev labels)", pred, rows, ids, fb,
                    _msg_acc(lr.predict(Xm), msgs), None, time.time() - t, "supervised, CV"))
    t = time.time()
    try:
        tt = SeededTomotopyLDA(tax).fit(X_unl)
        pred = [[p] for p in tt.predict(X)]
        out.append(_row("tomotopy LDA + seed word priors", pred, rows, ids, fb,
                        _msg_acc(tt.predict(Xm), msgs), None, time.time() - t, "no gold labels"))
    except ImportError as exc:
        out.append({"name": "tomotopy LDA + seed word priors", "skipped": str(exc)})
    labeled = rows + [m for m in msgs if m["target"] is not None]
    X_lab = X + [x for x, m in zip(Xm, msgs) if m["target"] is not None]
    for name, members in (("seeded NMF alone", ["nmf"]), ("seeded LDA alone", ["lda"])):
        t = time.time()
        clf = classifier_from_cfg(cfg, tax)
        clf.set_params(topics=TopicEnsemble([(n, s) for n, s in clf.topics.scorers if n in members]))
        out.append(_cv_row(f"{name} + decision", clf.fit(X_unl), X_lab, labeled,
                           t, "topics fitted here"))
    t = time.time()
    averaged = with_frozen_topics(shipped).set_params(per_member=False).fit(X_unl)
    out.append(_cv_row("shipped, members' evidence averaged", averaged, X_lab, labeled, t,
                       "per_member = false"))
    t = time.time()
    pseudo = with_frozen_topics(shipped).set_params(
        evidence=tuple(shipped.evidence) + ("pseudo",), pseudo_labels=PseudoLabelLayer()).fit(X_unl)
    out.append(_cv_row("shipped + pseudo-label layer", pseudo, X_lab, labeled, t,
                       "pseudo-labels from the unlabeled text"))
    t = time.time()
    thresholds = with_frozen_topics(shipped).set_params(label_model=ThresholdLabels()).fit(X_unl)
    out.append(_cv_row("shipped, label sets by share/anchor thresholds", thresholds, X_lab,
                       labeled, t, "the v2.0 label rule instead of the label-set model"))
    t = time.time()
    out.append(_cv_row("**DomainClassifier (shipped)**", shipped, X_lab, labeled, t,
                       "as trained"))
    out.append({"name": "previous shipped model (recorded CV)", "scores": PREVIOUS, "min_recall": None,
                "recall": {}, "msgs": None, "msgs_adapted": None, "seconds": 0.0,
                "note": "MANIFEST before v2; elderly_care/disability/social_assistance never primary"})
    info = {"labeled": len(rows), "messages": sum(m.get("strict", True) for m in msgs),
            "training": len(texts)}
    return out, info


class _LabelSetWrapper:
    """Fit a primary-only classifier on label-set targets (first = primary)."""

    def __init__(self, est):
        self.est = est

    def fit(self, X, y):
        self.est.fit(X, [t[0] if isinstance(t, list) else t for t in y])
        return self

    def predict(self, X):
        return self.est.predict(X)


def _cv_row(name, clf, X_lab, labeled, t0, note):
    """*clf* fitted (its topics are kept). The shipped protocol: the decision refitted on 4 folds of report paragraphs and strict
    messages together, scored on the 5th (topics fixed)."""
    cv = cross_validate(clf, X_lab, labeled)
    rec = {d: v["recall"] for d, v in cv["primary_recall"].items() if v["n"] >= 5}
    return {"name": name, "scores": cv["headline"], "min_recall": min(rec.values()), "recall": rec,
            "msgs": cv["messages"]["primary_accuracy"],
            "msgs_adapted": cv["messages"]["primary_accuracy_adapted"],
            "seconds": time.time() - t0, "note": note + "; CV over reports + messages"}


def format_tables(rows: list[dict], info: dict, header: str) -> str:
    short = {"primary_accuracy": "primary", "livelihood_f1": "livelihood F1",
             "label_micro_f1": "label micro-F1", "label_macro_f1": "label macro-F1"}
    lines = [header, "", f"Report paragraphs: {info['labeled']} (5-fold CV where labels fit "
             f"anything); messages: {info['messages']} strict rows (fitted on only by the "
             f"classifier rows, then in the same 5-fold CV); "
             f"{info['training']} unlabeled training paragraphs.", "",
             "| variant | " + " | ".join(short[k] for k in HEADLINE)
             + " | min primary recall (≥5 dev) | messages | messages, EM prior | seconds | note |",
             "|---|" + "---|" * (len(HEADLINE) + 5)]
    fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    for r in rows:
        if "skipped" in r:
            lines.append(f"| {r['name']} | skipped: {r['skipped']} |")
            continue
        lines.append(f"| {r['name']} | " + " | ".join(f"{r['scores'][k]:.3f}" for k in HEADLINE)
                     + f" | {'—' if r['min_recall'] is None else format(r['min_recall'], '.2f')} | {fmt(r['msgs'])} | {fmt(r['msgs_adapted'])} | "
                       f"{r['seconds']:.0f} | {r['note']} |")
    shipped = next(r for r in rows if "shipped" in r["name"] and "DomainClassifier" in r["name"])
    lines += ["", "Cross-validated primary recall of the shipped classifier, domains with ≥ 5 dev "
              "primaries:", "", "| domain | recall |", "|---|---|"]
    lines += [f"| {d} | {v:.2f} |" for d, v in shipped["recall"].items()]
    return "\n".join(lines) + "\n"


def bench_domains(quick: bool, output: Path) -> str:
    """Run every baseline and the shipped classifier; append the tables to *output*."""
    t = time.time()
    rows, info = run_bench(quick)
    header = (f"## bench domains — {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC"
              f"{' (quick)' if quick else ''} ({platform.machine()}, python "
              f"{platform.python_version()}, {time.time() - t:.0f} s)")
    table = format_tables(rows, info, header)
    with open(output, "a", encoding="utf-8") as fh:
        fh.write("\n" + table)
    return table
