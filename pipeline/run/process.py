"""The per-partition function every engine runs: documents in, paragraph rows out.

A *task* is a plain dict describing a slice of one readable document (ids, its
key for resume, and its paragraphs' ids, kinds and analysis texts), so it pickles small
and means the same on a laptop and on a Dask worker.  :func:`process_partition`
runs the spaCy pipeline over each document's paragraphs and returns one result
dict per document.  The pipeline is loaded once per process from its *spec*
(``"default"`` or a directory path) and cached, so models reach workers by path
and never travel with a task.

Determinism: each task is processed as its own ``nlp.pipe`` batches of a
fixed size with BLAS limited to one thread, so results do not depend on the
engine, the number of workers or which worker got the task; scores are
rounded to 4 decimals.  A failing paragraph is recorded with ``status
"error"`` and its reason; it never fails the document or the run.
"""
from __future__ import annotations

import hashlib
import os
import time
from typing import Any, Iterable

#: Bump when the content of a result row changes: invalidates resume state.
ROW_FORMAT = 1
SCORE_DIGITS = 4

_NLP_CACHE: dict[str, Any] = {}
_FINGERPRINTS: dict[int, str] = {}
_WARNINGS: list[str] = []


def _fallback_nlp(reason: str) -> Any:
    """pkuseg segmentation (+ the domain component when its model exists).

    Used only while the shipped pipeline is not provisioned; every use is
    recorded in run.json's warnings and shown in the report.
    """
    from ..bridge import add_to_pipeline, pkuseg_nlp
    from ..errors import ModelError

    nlp = pkuseg_nlp()
    try:
        add_to_pipeline(nlp)
        what = "pkuseg segmentation + the shipped domain model (no tagger)"
    except (ModelError, OSError) as exc:
        what = f"pkuseg segmentation only, no domains ({' '.join(str(exc).split())[:200]})"
    _WARNINGS.append(f"nlp.model 'default' is not available ({reason}); used {what}")
    return nlp


def load_nlp(model: str) -> Any:
    """Load (once per process) the spaCy pipeline named by *model*.

    ``"default"`` is :func:`pipeline.load`; anything else is a saved pipeline
    directory, also read with :func:`pipeline.load` (manifest checks apply
    only to the shipped model).
    """
    nlp = _NLP_CACHE.get(model)
    if nlp is not None:
        return nlp
    from ..errors import ModelError
    from ..nlp.loading import load

    if model == "default":
        try:
            nlp = load()
        except ModelError as exc:
            nlp = _fallback_nlp(" ".join(str(exc).split())[:200])
    else:
        nlp = load(model)
    _NLP_CACHE[model] = nlp
    return nlp


def load_warnings() -> list[str]:
    """Problems noticed while loading pipelines in this process."""
    return list(_WARNINGS)


def model_fingerprint(nlp: Any) -> str:
    """sha256 identifying the pipeline's weights and settings (resume key part).

    Computed once per pipeline object in a process (serialising takes seconds).
    """
    cached = _FINGERPRINTS.get(id(nlp))
    if cached is not None:
        return cached
    digest = hashlib.sha256(f"row-format={ROW_FORMAT}\n".encode())
    try:
        digest.update(nlp.to_bytes())
    except Exception:  # a component without serialisation: fall back to config + meta
        digest.update(str(nlp.config).encode("utf-8"))
        digest.update(repr(sorted(nlp.meta.items())).encode("utf-8"))
    _FINGERPRINTS[id(nlp)] = digest.hexdigest()
    return _FINGERPRINTS[id(nlp)]


def _has_ext(doc: Any, name: str) -> bool:
    return type(doc).has_extension(name)


def _row(para: dict[str, Any], doc: Any) -> dict[str, Any]:
    cats = {k: round(float(v), SCORE_DIGITS) for k, v in sorted(doc.cats.items())}
    domain = doc._.domain if _has_ext(doc, "domain") else None
    domains = list(doc._.domains) if _has_ext(doc, "domains") and doc._.domains else []
    if domain is None and cats:
        domain = max(cats, key=lambda k: (cats[k], k))
    if domain and not domains:
        domains = [domain]
    row = {
        "para_id": para["id"], "kind": para["kind"], "status": "ok", "reason": None,
        "domain": domain, "domains": sorted(domains), "cats": cats,
        "tokens": [t.text for t in doc], "tags": [t.tag_ for t in doc],
    }
    if _has_ext(doc, "topic"):
        row["topic"] = doc._.topic
    return row


def _error_row(para: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    return {"para_id": para["id"], "kind": para["kind"], "status": "error",
            "reason": f"{type(exc).__name__}: {exc}"[:500], "domain": None, "domains": [],
            "cats": {}, "tokens": [], "tags": []}


def _process_document(nlp: Any, task: dict[str, Any], batch_size: int) -> dict[str, Any]:
    paras = task["paragraphs"]
    rows: list[dict[str, Any]] = []
    for start in range(0, len(paras), batch_size):
        chunk = paras[start:start + batch_size]
        try:
            docs = list(nlp.pipe([p["analysis_text"] for p in chunk]))
            rows.extend(_row(p, d) for p, d in zip(chunk, docs))
        except Exception:  # find the paragraph(s) at fault, keep the others
            for p in chunk:
                try:
                    rows.append(_row(p, nlp(p["analysis_text"])))
                except Exception as exc:  # noqa: BLE001 - recorded per paragraph
                    rows.append(_error_row(p, exc))
    return {"doc_id": task["doc_id"], "part_id": task["part_id"], "key": task["key"], "rows": rows}


def error_results(tasks: Iterable[dict[str, Any]], exc: BaseException) -> list[dict[str, Any]]:
    """Results for documents whose whole partition failed: every paragraph an error row."""
    return [{"doc_id": t["doc_id"], "part_id": t["part_id"], "key": t["key"], "seconds": 0.0,
             "pid": None, "transient": True,
             "rows": [_error_row(p, exc) for p in t["paragraphs"]]} for t in tasks]


def warm(model: str) -> None:
    """Load the pipeline in this process now (worker initializer / ``client.run``)."""
    load_nlp(model)


def process_partition(tasks: Iterable[dict[str, Any]], model: str, batch_size: int = 64
                      ) -> list[dict[str, Any]]:
    """Process tasks; one result ``{doc_id, part_id, key, rows, seconds, pid}`` per task."""
    from threadpoolctl import threadpool_limits

    nlp = load_nlp(model)
    out = []
    with threadpool_limits(limits=1):
        for task in tasks:
            t0 = time.perf_counter()
            try:
                result = _process_document(nlp, task, batch_size)
            except Exception as exc:  # noqa: BLE001 - never lose a whole partition
                result = {"doc_id": task["doc_id"], "part_id": task["part_id"], "key": task["key"],
                          "rows": [_error_row(p, exc) for p in task["paragraphs"]]}
            result["seconds"] = round(time.perf_counter() - t0, 6)
            result["pid"] = os.getpid()
            out.append(result)
    return out
