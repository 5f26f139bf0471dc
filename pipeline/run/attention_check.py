"""How good are the attention numbers? Share error against gold, interval coverage by simulation.

``python -m pipeline.run.attention_check [--workdir DIR]`` (needs ``../shared``):

1. **Share error.** The documents of ``livelihood_dev.jsonl`` (its paragraphs
   regrouped by ``doc``) go through a real ``run``; each run paragraph is
   matched to its gold row by text. Per document, over the matched body
   paragraphs, the total-variation distance ``½ Σ|share − gold share|`` of the
   share vectors (18 domains) for the raw primary share, the expected share
   (mean of ``cats``) and the adjusted share. The adjusted share of a document
   uses a confusion built from the *other* documents only (leave one document
   out), so no document is adjusted with its own labels.
2. **Coverage.** Simulated documents with known shares: how often the 95 %
   bootstrap interval of the primary share contains the true share, for one
   document of n paragraphs and for groups of several heterogeneous documents
   (clustered bootstrap).
"""
from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..shares.adjust import adjusted_shares, confusion_from_predictions
from ..shares.table import attention_rows
from .confusion import LABELED, labeled_documents, shared_dir
from .runner import run


def _tv(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * float(np.abs(a - b).sum())


def _vector(labels: Sequence[str], ids: Sequence[str]) -> np.ndarray:
    c = Counter(labels)
    return np.array([c[d] for d in ids], dtype=float) / max(1, len(labels))


def share_error(labeled: Path, workdir: Path) -> dict[str, Any]:
    """Per-document TV distance to gold of raw, expected and adjusted shares (see module doc)."""
    gold_rows = [json.loads(x) for x in labeled.read_text("utf-8").splitlines() if x.strip()]
    corpus = workdir / "labeled_docs.jsonl"
    corpus.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n"
                              for d in labeled_documents(gold_rows)), "utf-8")
    result = run(None, paths={"corpus": corpus, "output": workdir / "run"},
                 run={"progress": "off"}, output={"report": False, "parquet": False})
    ids = result.manifest["domains"]
    gold = {(str(r["doc"]), r["text"].strip()): r["primary"] for r in gold_rows}
    rows = [json.loads(x) for x in (result.output_dir / "paragraphs.jsonl").read_text("utf-8").splitlines()]
    matched: dict[str, list[tuple[str, str, dict]]] = {}
    for r in rows:
        g = gold.get((r["doc_id"], r["text"].strip()))
        if g is not None and r["kind"] == "body" and r["status"] == "ok" and r["domain"]:
            matched.setdefault(r["doc_id"], []).append((g, r["domain"], r["cats"]))
    per_doc = {}
    for doc, items in matched.items():
        others = [(g, p) for d, its in matched.items() if d != doc for g, p, _ in its]
        C = confusion_from_predictions([g for g, _ in others], [p for _, p in others], ids)
        gold_v = _vector([g for g, _, _ in items], ids)
        raw = _vector([p for _, p, _ in items], ids)
        expected = np.mean([[c.get(d, 0.0) for d in ids] for _, _, c in items], axis=0)
        adjusted = adjusted_shares(raw, C)
        per_doc[doc] = {"paragraphs": len(items), "raw": _tv(raw, gold_v),
                        "expected": _tv(expected, gold_v), "adjusted": _tv(adjusted, gold_v),
                        "gold_other": float(gold_v[ids.index("other")]),
                        "raw_other": float(raw[ids.index("other")]),
                        "adjusted_other": float(adjusted[ids.index("other")])}
    mean = {k: float(np.mean([v[k] for v in per_doc.values()])) for k in ("raw", "expected", "adjusted")}
    return {"documents": per_doc, "mean_tv": mean,
            "matched_paragraphs": sum(len(v) for v in matched.values()), "gold_rows": len(gold_rows)}


def _rows(doc: str, labels: Sequence[str]) -> list[dict[str, Any]]:
    return [{"doc_id": doc, "kind": "body", "status": "ok", "domain": d, "domains": [d],
             "cats": {d: 1.0}, "text": "字", "meta": {}} for d in labels]


def coverage(p: Sequence[float], n: int, docs: int = 1, sims: int = 200, n_boot: int = 200,
             concentration: float = 50.0, seed: int = 0) -> dict[str, float]:
    """Share of simulations whose 95 % interval holds the true share (all domains; shares ≥ 5 %).

    With several documents, each document's shares are drawn from a Dirichlet
    around *p* (``concentration`` = how alike documents are), so the group's
    true share is *p* and documents differ as real reports of a year do.
    """
    ids = [f"d{i}" for i in range(len(p))]
    rng = np.random.default_rng(seed)
    p = np.asarray(p, dtype=float)
    hit_all = hit_big = n_all = n_big = 0
    for s in range(sims):
        rows: list[dict[str, Any]] = []
        for k in range(docs):
            q = p if docs == 1 else rng.dirichlet(p * concentration)
            rows += _rows(f"s{s}-{k}", [ids[i] for i in rng.choice(len(p), size=n, p=q)])
        table = attention_rows(rows, [], domains=ids, scopes=["all"], n_boot=n_boot, seed=s)
        for r in table:
            if r["measure"] != "primary":
                continue
            truth = p[ids.index(r["domain"])]
            hit = r["lo"] <= truth <= r["hi"]
            hit_all, n_all = hit_all + hit, n_all + 1
            if truth >= 0.05:
                hit_big, n_big = hit_big + hit, n_big + 1
    return {"n": n, "docs": docs, "sims": sims, "coverage": hit_all / n_all,
            "coverage_shares_ge_5pct": hit_big / n_big}


#: A share vector like a work report's: mostly other, a long tail of domains.
PROFILE = (0.55, 0.10, 0.08, 0.06, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02, 0.02)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--sims", type=int, default=200)
    args = parser.parse_args(argv)
    labeled = shared_dir() / LABELED
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        report: dict[str, Any] = {"share_error": share_error(labeled, work) if labeled.is_file()
                                  else f"skipped: {labeled} is absent"}
    report["coverage"] = [coverage(PROFILE, n, docs, sims=args.sims)
                          for n, docs in ((50, 1), (150, 1), (400, 1), (100, 5), (100, 10))]
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
