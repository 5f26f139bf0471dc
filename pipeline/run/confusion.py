"""Where the confusion matrix for prior-adjusted shares comes from.

In order of preference:

1. the domain model itself: an attribute ``confusion_`` (a K x K numpy array,
   rows = true domain, columns = predicted, over the model's ``classes_``),
   optionally with ``confusion_source_`` (a sentence saying how it was made);
2. the domain model's ``meta.json``: ``{"confusion": {"ids": [...], "matrix":
   [[...]], "source": "..."}}`` (counts or row-normalised probabilities);
3. the labeled paragraphs in ``shared/data/labeled/livelihood_dev.jsonl``
   (``$MINSHENG_SHARED``), classified by the run's own pipeline: each labeled
   document is read as a run reads it, its body paragraphs are matched to the
   gold rows by text, classified exactly as :func:`pipeline.run.process.process_partition`
   does, and counted (with one pseudo-count on the diagonal per domain).

When none is available the adjusted measure is reported as unavailable, with
the reason. Source 3 is the shipped model's predictions on its labeled
documents: the topic model never saw them, but its calibration was chosen on
them, so that confusion is somewhat optimistic.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..domains import default_model_dir
from ..reading import read_document
from ..shares.adjust import confusion_from_predictions, normalise_confusion
from .process import domain_model, load_nlp, process_partition

LABELED = Path("data") / "labeled" / "livelihood_dev.jsonl"


@dataclass
class Confusion:
    """``matrix[t, j] = P(predicted j | true t)`` over ``ids``; ``source`` says how it was made."""

    ids: list[str]
    matrix: np.ndarray
    source: str
    pairs: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"ids": self.ids, "matrix": np.round(self.matrix, 6).tolist(), "source": self.source}


def shared_dir() -> Path:
    """``$MINSHENG_SHARED`` or the ``shared`` folder next to the repository."""
    env = os.environ.get("MINSHENG_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared"


def from_model(model: Any) -> Confusion | None:
    """Source 1: the domain model's own ``confusion_`` attribute."""
    matrix = getattr(model, "confusion_", None)
    if matrix is None:
        return None
    ids = [str(c) for c in getattr(model, "classes_", [])]
    source = getattr(model, "confusion_source_", "the domain model's confusion_ attribute")
    return Confusion(ids=ids, matrix=normalise_confusion(np.asarray(matrix)), source=str(source))


def from_meta(model_dir: Path | None) -> Confusion | None:
    """Source 2: ``confusion`` in the domain model's meta.json."""
    path = None if model_dir is None else Path(model_dir) / "meta.json"
    if path is None or not path.is_file():
        return None
    block = json.loads(path.read_text("utf-8")).get("confusion")
    if not block:
        return None
    return Confusion(ids=list(block["ids"]), matrix=normalise_confusion(np.asarray(block["matrix"])),
                     source=str(block.get("source", f"confusion in {path}")))


def labeled_documents(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The labeled paragraphs regrouped into documents ``{id, text}`` (texts joined by blank lines)."""
    docs: dict[str, list[str]] = {}
    for r in rows:
        docs.setdefault(str(r.get("doc", r["id"])), []).append(r["text"])
    return [{"id": d, "text": "\n\n".join(t)} for d, t in docs.items()]


def gold_body(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Labeled rows that the reader makes body paragraphs, with their analysis text.

    Each labeled document is read as a run reads a record; a paragraph whose
    text equals one gold row's text is matched to it (others are dropped).
    """
    gold = {}
    for r in rows:
        gold.setdefault((str(r.get("doc", r["id"])), r["text"].strip()), r)
    out = []
    for d in labeled_documents(rows):
        doc = read_document(d["text"], name=f"{d['id']}.txt", doc_id=d["id"])
        for p in doc.body():
            g = gold.get((d["id"], p.text.strip()))
            if g is not None:
                out.append({**g, "doc": d["id"], "analysis_text": p.analysis_text})
    return out


def predict(rows: Sequence[dict[str, Any]], model: str, domains: str) -> list[str]:
    """Primary domains of *rows* (``analysis_text``) from the run's pipeline, as a run computes them."""
    task = {"doc_id": "labeled", "part_id": "labeled@0", "key": "",
            "paragraphs": [{"id": f"l{i}", "kind": "body", "analysis_text": r["analysis_text"]}
                           for i, r in enumerate(rows)]}
    [result] = process_partition([task], model, domains=domains)
    return [r["domain"] or "" for r in result["rows"]]


def from_labeled(path: Path, ids: Sequence[str], model: str, domains: str) -> Confusion:
    """Source 3: the pipeline's predictions on labeled body paragraphs, counted."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    body = gold_body(rows)
    pred = predict(body, model, domains)
    gold = [r["primary"] for r in body]
    n_docs = len({r["doc"] for r in body})
    return Confusion(ids=list(ids), matrix=confusion_from_predictions(gold, pred, ids),
                     source=(f"predictions of the run's pipeline on {len(body)} labeled body paragraphs "
                             f"of {n_docs} documents in {path.name} (+1 diagonal pseudo-count per domain)"),
                     pairs=list(zip(gold, pred)))


def shipped_confusion(nlp: Any, domains: str) -> Confusion | None:
    """Sources 1-2 only (what the domain model ships): what every run uses, no labeled data."""
    if domains == "none":
        return None
    found = from_model(domain_model(nlp))
    return found or from_meta(default_model_dir() if domains == "default" else Path(domains))


def find_confusion(run_dir: Path, ids: Sequence[str], config: dict[str, Any]) -> tuple[Confusion | None, str]:
    """The confusion for a run (cached in ``run_dir/confusion.json``), or None and the reason."""
    cache = Path(run_dir) / "confusion.json"
    if cache.is_file():
        block = json.loads(cache.read_text("utf-8"))
        return Confusion(ids=block["ids"], matrix=np.asarray(block["matrix"]), source=block["source"]), ""
    spec, domains = config["nlp"]["model"], config["domains"]["model"]
    if domains == "none":
        return None, "the run has no domain model (domains.model = none)"
    found = shipped_confusion(load_nlp(spec, domains), domains)
    labeled = shared_dir() / LABELED
    if found is None and labeled.is_file():
        found = from_labeled(labeled, ids, spec, domains)
    if found is None:
        return None, (f"no confusion matrix: the domain model has no confusion_ and its meta.json no "
                      f"'confusion', and the labeled file {labeled} is absent (set MINSHENG_SHARED)")
    cache.write_text(json.dumps(found.to_json(), ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    return found, ""
