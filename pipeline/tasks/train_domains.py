"""``minsheng train domains``: fit, cross-validate and save the DomainClassifier.

1. Training text through ``pipeline.read_corpus`` (labeled documents left out)
   and People's Daily 1998 train sentences; every text is featurised once by
   the classifier's own :class:`TermFeaturizer` — the shipped pipeline's
   tokens and tags, exactly as at inference.
2. ``DomainClassifier.fit(unlabeled + labeled, [None, ...] + targets)``:
   topics and the pseudo-label layer learn from the unlabeled rows, the
   decision and the label thresholds from the labeled ones.
3. Honest numbers: 5-fold CV of the steps that see labels (topics frozen via
   ``FrozenEstimator``) over every labeled row — report paragraphs and, with
   ``[fit] messages = true``, the strict citizen messages too — giving report
   metrics, per-domain primary recall, the cross-validated confusion (for
   prior-adjusted shares) and message accuracy with the learned prior and
   with the prior adapted by EM on each held-out fold's messages.
"""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold

from ..domains import DomainClassifier, load_taxonomy, save_domain_model
from ..domains.classifier import DEFAULT_EVIDENCE
from ..domains.decision import ConditionalLogit
from ..domains.ensemble import TopicEnsemble, default_scorers
from ..domains.featurize import TermFeaturizer, taxonomy_featurizer
from ..domains.metrics import acceptable_accuracy, headline, score
from ..domains.pseudo import PseudoLabelLayer
from ..domains.term_layer import SupervisedTermLayer
from ..errors import ConfigError
from .domain_config import check_labels, load_config, read_labeled
from .manifest_entry import link_shipped_pipeline, record_in_manifest
from .training_text import corpus_hash, pd1998_texts, report_paragraphs


def _logger() -> Callable[[str], None]:
    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)
    return log


def _step_names(clf: DomainClassifier) -> list[str]:
    """The fitted steps, in order, for MANIFEST and meta.json."""
    names = ["featurizer", " + ".join(f"seeded {n.upper()}" for n, _ in clf.topics_.scorers_)]
    if clf.pseudo_labels_ is not None:
        names.append("pseudo-label layer")
    if getattr(clf, "term_layer_", None) is not None:
        names.append("supervised term layer")
    names.append("conditional logit")
    names.append("label-set model" if clf.label_model_ is not None else "label thresholds")
    return names


def _label_rule(clf: DomainClassifier) -> dict:
    """How label sets are made: the label-set model's threshold, or the share/anchor thresholds."""
    lm = clf.label_model_
    if lm is None:
        return {"rule": "thresholds", **clf.calibration_}
    rule = {"rule": type(lm).__name__}
    rule.update({k: v for k, v in (("threshold", getattr(lm, "threshold_", None)),
                                   ("C", getattr(lm, "C", None))) if v is not None})
    if hasattr(lm, "label_threshold_"):
        rule.update(label_threshold=lm.label_threshold_)
    return rule


def classifier_from_cfg(cfg: dict, taxonomy) -> DomainClassifier:
    """An unfitted DomainClassifier with the config's steps and parameters."""
    f, t, p, d, w = (dict(cfg.get(k, {}))
                     for k in ("featurizer", "topics", "pseudo", "decision", "terms"))
    evidence = tuple(d.pop("evidence", DEFAULT_EVIDENCE))
    per_member = bool(d.pop("per_member", True))
    known_topics = {"random_state", "min_df", "max_df", "max_features", "n_free_topics", "seed_strength"}
    if set(t) - known_topics:
        raise ConfigError(f"Unknown key(s) {sorted(set(t) - known_topics)} in [topics]; known: "
                          f"{sorted(known_topics)}.")
    scorers = default_scorers(int(t.get("random_state", 0)))
    for _, s in scorers:
        s.set_params(min_df=t.get("min_df", 3), max_df=t.get("max_df", 0.5),
                     max_features=t.get("max_features", 40000))
        s.topic_model.set_params(n_free_topics=int(t.get("n_free_topics", 10)),
                                 seed_strength=float(t.get("seed_strength", 30.0)))
    steps = {}
    for section, cls, params in (("featurizer", TermFeaturizer, f), ("pseudo", PseudoLabelLayer, p),
                                 ("terms", SupervisedTermLayer, w), ("decision", ConditionalLogit, d)):
        try:
            steps[section] = cls(**params)
        except TypeError as exc:
            raise ConfigError(f"[{section}] has a key {cls.__name__} does not take ({exc}); known: "
                              f"{sorted(cls().get_params())}.") from exc
    return DomainClassifier(
        taxonomy=taxonomy, featurizer=steps["featurizer"], topics=TopicEnsemble(scorers),
        pseudo_labels=steps["pseudo"], term_layer=steps["terms"], decision=steps["decision"],
        evidence=evidence,
        per_member=per_member)


def with_frozen_topics(clf: DomainClassifier) -> DomainClassifier:
    """A copy whose topics and pseudo-label layer are fixed (only label-fitted steps refit)."""
    return DomainClassifier(taxonomy=clf.taxonomy_, featurizer=clf.featurizer_,
                            topics=FrozenEstimator(clf.topics_),
                            pseudo_labels=None if clf.pseudo_labels_ is None
                            else FrozenEstimator(clf.pseudo_labels_),
                            term_layer=clf.term_layer, decision=clf.decision,
                            label_model=clf.label_model,
                            evidence=clf.evidence,
                            per_member=clf.per_member,
                            label_threshold=clf.label_threshold,
                            anchor_threshold=clf.anchor_threshold)


def cross_validate(clf: DomainClassifier, X: list, rows: list[dict], k: int = 5) -> dict:
    """Pooled out-of-fold predictions of the label-fitted steps over every labeled row.

    Report rows (with ``primary``) give the headline metrics, per-domain
    primary recall and the confusion; message rows (with ``primary_ok``) give
    primary accuracy, also with the prior adapted by EM on each held-out
    fold's messages (no labels used).
    """
    ids = list(clf.classes_)
    fb = clf.taxonomy_.fallback
    labeled = [i for i, r in enumerate(rows) if r["target"] is not None]
    pred: dict[int, list[str]] = {}
    adapted: dict[int, str] = {}
    for tr, te in KFold(n_splits=k, shuffle=True, random_state=0).split(np.arange(len(labeled))):
        tr_i, te_i = [labeled[j] for j in tr], [labeled[j] for j in te]
        m = with_frozen_topics(clf).fit([X[i] for i in tr_i], [rows[i]["target"] for i in tr_i])
        for i, labs in zip(te_i, m.predict_labels([X[i] for i in te_i])):
            pred[i] = labs
        msg = [i for i in te_i if "primary_ok" in rows[i]]
        if msg:
            a = copy.deepcopy(m).adapt_priors([X[i] for i in msg])
            adapted.update(zip(msg, a.predict([X[i] for i in msg])))
    out: dict[str, Any] = {}
    rep = [i for i in labeled if "primary" in rows[i]]
    if rep:
        gp = [rows[i]["primary"] for i in rep]
        s = score(gp, [rows[i]["labels"] for i in rep], [pred[i][0] for i in rep],
                  [pred[i] for i in rep], ids, fb)
        recall = {d: {"n": v["n"], "recall": round(v["recall"], 4)}
                  for d, v in sorted(s["primary_recall"].items(), key=lambda kv: ids.index(kv[0]))}
        confusion = np.zeros((len(ids), len(ids)), dtype=int)
        for i in rep:
            confusion[ids.index(rows[i]["primary"]), ids.index(pred[i][0])] += 1
        out.update(headline=headline(s), primary_recall=recall,
                   confusion={"ids": ids, "counts": confusion.tolist(),
                              "note": "rows: gold primary, columns: cross-validated predicted primary"})
    msg = [i for i in labeled if "primary_ok" in rows[i]]
    if msg:
        ok = [rows[i]["primary_ok"] for i in msg]
        out["messages"] = {
            "n_strict": len(msg),
            "primary_accuracy": round(acceptable_accuracy([pred[i][0] for i in msg], ok), 4),
            "primary_accuracy_adapted": round(acceptable_accuracy([adapted[i] for i in msg], ok), 4)}
    return out


def message_scores(clf: DomainClassifier, X: list, rows: list[dict]) -> dict:
    """Primary accuracy on strict message rows, learned prior and EM-adapted prior."""
    strict = [i for i, r in enumerate(rows) if r.get("strict", True)]
    ok = [rows[i]["primary_ok"] for i in strict]
    plain, adapted = clf.predict(X), copy.deepcopy(clf).adapt_priors(X).predict(X)
    return {"n": len(rows), "n_strict": len(strict),
            "primary_accuracy": round(acceptable_accuracy([plain[i] for i in strict], ok), 4),
            "primary_accuracy_adapted": round(acceptable_accuracy([adapted[i] for i in strict], ok), 4)}


def train_domains(config_path: Path, overrides: dict[str, str], output: str | None) -> Path:
    """Train, cross-validate and save a domain classifier; return its directory."""
    log = _logger()
    t0 = time.time()
    cfg = load_config(config_path, overrides)
    paths, ccfg = cfg["paths"], cfg["corpus"]
    out = Path(output or paths["output"])
    taxonomy = load_taxonomy(paths.get("taxonomy") or None)
    rows = read_labeled(Path(paths["labeled"])) if paths.get("labeled") else []
    check_labels(rows, taxonomy.ids, Path(paths.get("labeled") or ""))
    exclude = {str(r["doc"]) for r in rows if r.get("doc")} if ccfg.get("exclude_labeled_docs", True) else set()
    exclude |= set(ccfg.get("exclude_docs", []))
    paras = report_paragraphs(Path(paths["reports"]) if paths.get("reports") else None, exclude)
    if paths.get("corpus"):
        paras += report_paragraphs(Path(paths["corpus"]))
    texts = [p["text"] for p in paras]
    n_reports = len(texts)
    if ccfg.get("pd1998", True):
        texts += pd1998_texts(int(ccfg.get("pd1998_max", 0) or 0))
    if not texts:
        raise ConfigError("No training text: set paths.reports (a folder of documents) or "
                          "corpus.pd1998 = true.")
    msgs = []
    if paths.get("messages"):
        if Path(paths["messages"]).is_file():
            msgs = read_labeled(Path(paths["messages"]))
            check_labels(msgs, taxonomy.ids, Path(paths["messages"]))
        else:
            log(f"paths.messages {paths['messages']!r} does not exist: fitting and scoring on "
                f"paths.labeled only (pass --paths.messages FILE to add a second genre)")
    fit_msgs = bool(cfg.get("fit", {}).get("messages", True))
    labeled = rows + ([m for m in msgs if m["target"] is not None] if fit_msgs else [])
    clf = classifier_from_cfg(cfg, taxonomy)
    featurizer = taxonomy_featurizer(clf.featurizer, taxonomy)  # what clf.fit will use
    log(f"featurising {len(texts)} training paragraphs and {len(labeled)} labeled ones")
    X_unl = featurizer.transform(texts)
    X_lab = featurizer.transform([r["text"] for r in labeled])
    clf.fit(X_unl + X_lab, [None] * len(X_unl) + [r["target"] for r in labeled])
    log(f"fitted in {time.time() - t0:.0f}s")
    scores: dict[str, Any] = {}
    if labeled:
        cv = cross_validate(clf, X_lab, labeled, k=int(cfg["evaluation"].get("folds", 5)))
        scores["labeled_file"] = Path(paths["labeled"]).name if rows else None
        if "headline" in cv:
            rep = [(x, r) for x, r in zip(X_lab, labeled) if "primary" in r]
            pl = clf.predict_labels([x for x, _ in rep])
            dev = score([r["primary"] for _, r in rep], [r["labels"] for _, r in rep],
                        [p[0] for p in pl], pl, list(clf.classes_), taxonomy.fallback)
            scores.update(n=len(rep), dev=headline(dev), cv5=cv["headline"],
                          cv5_primary_recall=cv["primary_recall"], cv5_confusion=cv["confusion"])
        if "messages" in cv:
            scores["messages"] = dict(cv["messages"], file=Path(paths["messages"]).name, cv5=True)
        scores["note"] = ("dev = decision fitted on all labeled rows; cv5 = fitted on 4 folds of the "
                          "labeled rows (reports and messages alike), scored on the 5th; topics "
                          "never see labeled documents")
        log(f"scores {json.dumps({k: v for k, v in scores.items() if k != 'cv5_confusion'})}")
    if msgs and not fit_msgs:
        scores["messages"] = dict(message_scores(clf, featurizer.transform([m["text"] for m in msgs]),
                                                 msgs), file=Path(paths["messages"]).name, cv5=False)
    desc = {"report_paragraphs": n_reports, "pd1998_paragraphs": len(texts) - n_reports,
            "excluded_docs": sorted(exclude), "reports": str(paths.get("reports") or ""),
            "sha256": corpus_hash(texts)}
    meta = {"name": "minsheng-domains", "corpus": desc, "config": cfg, "scores": scores,
            "confusion": None if "cv5_confusion" not in scores else {
                "ids": scores["cv5_confusion"]["ids"], "matrix": scores["cv5_confusion"]["counts"],
                "source": f"5-fold cross-validated primaries on {scores.get('labeled_file')} "
                          f"(rows: gold, columns: predicted)"},
            "steps": ", ".join(_step_names(clf)),
            "label_sets": _label_rule(clf), "prior": clf.prior_,
            "train_command": f"minsheng train domains {config_path}"
                             + "".join(f" --{k} {v}" for k, v in sorted(overrides.items()))}
    save_domain_model(clf, out, meta)
    record_in_manifest(out)
    link_shipped_pipeline(out)
    log(f"saved {out} in {time.time() - t0:.0f}s")
    return out
