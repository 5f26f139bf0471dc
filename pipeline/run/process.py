"""The per-partition function every engine runs: documents in, paragraph rows out.

A *task* is a plain dict describing a slice of one readable document (ids, its
key for resume, and its paragraphs' ids, kinds and analysis texts), so it
pickles small and means the same on a laptop and on a Dask worker.
:func:`process_partition` runs the spaCy pipeline over each task's paragraphs
and returns one result dict per task.  The pipeline is loaded once per process
from its spec (``[nlp] model`` and ``[domains] model``: ``"default"`` or
directory paths) and cached, so models reach workers by path and never travel
with a task.

Determinism: each task is processed as its own ``nlp.pipe`` batches of a
fixed size with BLAS limited to one thread, so results do not depend on the
engine, the number of workers or which worker got the task; scores are
the classifier's (rounded to 6 decimals), label sets in its order.  A failing paragraph is recorded with ``status
"error"`` and its reason; it never fails the document or the run.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any, Iterable

#: Bump when the content of a result row changes: invalidates resume state.
ROW_FORMAT = 2

_NLP_CACHE: dict[str, Any] = {}
_FINGERPRINTS: dict[int, str] = {}
_WARNINGS: list[str] = []


def _domains_arg(domains: str) -> bool | str:
    """``[domains] model`` as :func:`pipeline.load` takes it."""
    return {"default": True, "none": False}.get(domains, domains)


def cache_key(model: str, domains: str = "default") -> str:
    """Key of a loaded pipeline in this process's cache."""
    return f"{model}\0{domains}"


def load_nlp(model: str, domains: str = "default") -> Any:
    """Load (once per process) the spaCy pipeline *model* with domain model *domains*.

    *model* ``"default"`` is :func:`pipeline.load`'s shipped pipeline, anything
    else a saved pipeline directory; *domains* is ``"default"`` (the shipped
    domain model), ``"none"`` (no domain component) or a model directory.
    """
    key = cache_key(model, domains)
    nlp = _NLP_CACHE.get(key)
    if nlp is not None:
        return nlp
    from ..nlp.loading import load

    # A model that fails its checks is an error (ModelError, one line), never a
    # silent fallback to a smaller pipeline that would write different rows.
    nlp = load(None if model == "default" else model, domains=_domains_arg(domains))
    _NLP_CACHE[key] = nlp
    return nlp


def load_warnings() -> list[str]:
    """Problems noticed while loading pipelines in this process (none today: a model that
    cannot be loaded stops the run)."""
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
    dm = domain_model(nlp)  # a component without to_bytes: hash its artifact record
    if dm is not None:
        digest.update(json.dumps(getattr(dm, "meta_", None) or repr(dm), sort_keys=True,
                                 default=str).encode("utf-8"))
    _FINGERPRINTS[id(nlp)] = digest.hexdigest()
    return _FINGERPRINTS[id(nlp)]


def _has_ext(doc: Any, name: str) -> bool:
    return type(doc).has_extension(name)


def domain_model(nlp: Any) -> Any:
    """The scikit-learn domain model inside the pipeline's ``livelihood_domains``, if any."""
    if "livelihood_domains" not in getattr(nlp, "pipe_names", ()):
        return None
    return getattr(nlp.get_pipe("livelihood_domains"), "classifier", None)


def dominant_topics(nlp: Any, docs: list[Any]) -> list[dict[str, str] | None]:
    """Each doc's heaviest topic per topic model, as the domain component set it."""
    return [d._.domain_topic if _has_ext(d, "domain_topic") else None for d in docs]


def _row(para: dict[str, Any], doc: Any, topic: dict[str, str] | None = None) -> dict[str, Any]:
    cats = {k: float(v) for k, v in sorted(doc.cats.items())}  # as the classifier rounded them
    domain = doc._.domain if _has_ext(doc, "domain") else None
    domains = list(doc._.domains) if _has_ext(doc, "domains") and doc._.domains else []
    if domain is None and cats:
        domain = max(cats, key=lambda k: (cats[k], k))
    if domain and not domains:
        domains = [domain]
    row = {
        "para_id": para["id"], "kind": para["kind"], "status": "ok", "reason": None,
        "domain": domain, "domains": domains, "cats": cats,
        "domain_status": doc._.domain_status if _has_ext(doc, "domain_status") else None,
        "tokens": [t.text for t in doc], "tags": [t.tag_ for t in doc],
    }
    if topic is not None:
        row["topic"] = topic
    return row


def _error_row(para: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    return {"para_id": para["id"], "kind": para["kind"], "status": "error",
            "reason": f"{type(exc).__name__}: {exc}"[:500], "domain": None, "domains": [],
            "cats": {}, "tokens": [], "tags": []}


def _process_task(nlp: Any, task: dict[str, Any], batch_size: int) -> dict[str, Any]:
    paras = task["paragraphs"]
    rows: list[dict[str, Any]] = []
    for start in range(0, len(paras), batch_size):
        chunk = paras[start:start + batch_size]
        try:
            docs = list(nlp.pipe([p["analysis_text"] for p in chunk]))
            topics = dominant_topics(nlp, docs)
            rows.extend(_row(p, d, t) for p, d, t in zip(chunk, docs, topics))
        except Exception:  # find the paragraph(s) at fault, keep the others
            for p in chunk:
                try:
                    doc = nlp(p["analysis_text"])
                    rows.append(_row(p, doc, dominant_topics(nlp, [doc])[0]))
                except Exception as exc:  # noqa: BLE001 - recorded per paragraph
                    rows.append(_error_row(p, exc))
    return {"doc_id": task["doc_id"], "part_id": task["part_id"], "key": task["key"], "rows": rows}


def error_results(tasks: Iterable[dict[str, Any]], exc: BaseException) -> list[dict[str, Any]]:
    """Results for documents whose whole partition failed: every paragraph an error row."""
    return [{"doc_id": t["doc_id"], "part_id": t["part_id"], "key": t["key"], "seconds": 0.0,
             "pid": None, "transient": True,
             "rows": [_error_row(p, exc) for p in t["paragraphs"]]} for t in tasks]


def warm(model: str, domains: str = "default") -> str:
    """Load the pipeline in this process now (worker initializer / ``client.run``).

    Returns its fingerprint so the driver can check every worker loaded the
    same model it did.
    """
    return model_fingerprint(load_nlp(model, domains))


def process_partition(tasks: Iterable[dict[str, Any]], model: str, batch_size: int = 64,
                      domains: str = "default") -> list[dict[str, Any]]:
    """Process tasks; one result ``{doc_id, part_id, key, rows, seconds, pid}`` per task."""
    from threadpoolctl import threadpool_limits

    nlp = load_nlp(model, domains)
    out = []
    with threadpool_limits(limits=1):
        for task in tasks:
            t0 = time.perf_counter()
            try:
                result = _process_task(nlp, task, batch_size)
            except Exception as exc:  # noqa: BLE001 - never lose a whole partition
                result = {"doc_id": task["doc_id"], "part_id": task["part_id"], "key": task["key"],
                          "rows": [_error_row(p, exc) for p in task["paragraphs"]]}
            result["seconds"] = round(time.perf_counter() - t0, 6)
            result["pid"] = os.getpid()
            out.append(result)
    return out
