"""run.json: everything needed to know what a run did and to redo it.

The resolved config, package and model versions with the model's sha256, every
input with its hash and status, counts, timings and per-item errors.  This is
the one output that holds time-dependent values (timestamps, seconds, rates);
the data outputs stay byte-identical between runs.
"""
from __future__ import annotations

import json
import platform
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping, Sequence

from .files import atomic_write_text

PACKAGES = ("minsheng", "spacy", "thinc", "spacy-pkuseg", "scikit-learn", "numpy", "confection",
            "dask", "distributed", "pandas", "pyarrow", "matplotlib")


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages a run's results depend on."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def model_info(nlp: Any, spec: str, domains: str, fingerprint: str) -> dict[str, Any]:
    meta = getattr(nlp, "meta", {}) or {}
    return {"spec": spec, "domains": domains, "sha256": fingerprint, "pipeline": list(getattr(nlp, "pipe_names", [])),
            "name": f"{meta.get('lang', '')}_{meta.get('name', '')}", "version": meta.get("version")}


def inputs(docs: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"id": d.id, "source": d.source, "sha256": d.sha256, "format": d.format,
             "encoding": d.encoding, "status": str(d.status), "reason": d.reason,
             "paragraphs": len(d.paragraphs)} for d in docs]


def counts(docs: Sequence[Any], prows: Sequence[Mapping[str, Any]], processed: int,
           reused: int) -> dict[str, Any]:
    return {
        "documents": len(docs),
        "documents_by_status": dict(sorted(Counter(str(d.status) for d in docs).items())),
        "paragraphs": len(prows),
        "paragraphs_by_status": dict(sorted(Counter(r["status"] for r in prows).items())),
        "body_paragraphs": sum(1 for r in prows if r["kind"] == "body"),
        "low_confidence": sum(1 for r in prows if r["low_confidence"] and r["kind"] == "body"),
        "characters": sum(len(r["text"]) for r in prows),
        "parts_processed": processed,
        "parts_reused": reused,
    }


def errors(docs: Sequence[Any], prows: Sequence[Mapping[str, Any]],
           run_errors: Sequence[str]) -> list[dict[str, Any]]:
    """Every problem, per item: unreadable/empty documents, what was skipped or repaired
    in readable ones (a broken JSONL line, invalid bytes), failed paragraphs, run-level."""
    out: list[dict[str, Any]] = [{"doc_id": d.id, "para_id": None, "status": str(d.status),
                                  "reason": d.reason} for d in docs if str(d.status) != "ok"]
    out += [{"doc_id": d.id, "para_id": None, "status": "warning", "reason": w}
            for d in docs if str(d.status) == "ok" for w in getattr(d, "warnings", ())]
    out += [{"doc_id": r["doc_id"], "para_id": r["para_id"], "status": r["status"],
             "reason": r["reason"]} for r in prows if r["status"] == "error"]
    out += [{"doc_id": None, "para_id": None, "status": "error", "reason": e} for e in run_errors]
    return out


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> Path:
    return atomic_write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2,
                                              sort_keys=True, default=str) + "\n")


def summary_line(manifest: Mapping[str, Any]) -> str:
    """One line for the console: documents, paragraphs, statuses, seconds, chars/s."""
    c = manifest.get("counts", {})
    t = manifest.get("throughput", {})
    docs = ", ".join(f"{k} {v}" for k, v in c.get("documents_by_status", {}).items())
    paras = ", ".join(f"{k} {v}" for k, v in c.get("paragraphs_by_status", {}).items())
    total = manifest.get("timings", {}).get("total_s")
    rate = t.get("chars_per_s")
    return (f"minsheng run: {c.get('documents')} documents ({docs}), {c.get('paragraphs')} paragraphs "
            f"({paras}), {total} s total, {t.get('characters')} characters processed at "
            f"{rate if rate is not None else 'n/a'} chars/s")
