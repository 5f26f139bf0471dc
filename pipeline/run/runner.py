"""A config-driven run: folder of documents -> paragraph rows -> outputs and report.

``run_from_config`` (the ``minsheng run`` command) and ``run`` (the Python API)
load and validate the config, read the corpus, send every paragraph of every
readable document through the spaCy pipeline on the chosen engine, store each
finished part at once (so ``--resume`` and kill -9 are safe), and assemble the
outputs in corpus order: ``paragraphs.jsonl`` (+ ``.parquet``),
``documents.csv``, ``topics.csv``, ``attention.csv``, ``report.html`` and
``run.json``, and prints a one-line summary (documents, paragraphs, statuses,
seconds, chars/s) on stderr.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from .. import __version__
from ..errors import ConfigError, MinshengError
from . import lock
from . import manifest as mf
from .config import load_config
from .confusion import shipped_confusion
from .engines import resolve_n_process, run_dask, run_local
from .outputs import (attention_tables, document_rows, domain_order, groupings, paragraph_rows,
                      topic_rows, write_attention_csv, write_documents_csv, write_paragraphs_jsonl,
                      write_paragraphs_parquet, write_topics_csv)
from .process import domain_model, load_nlp, load_warnings, model_fingerprint
from .state import PartStore, document_key, make_tasks

#: Test hook: after this many parts are stored the driver announces it on stderr
#: and sleeps, so a test can SIGKILL it at a known point.
PAUSE_ENV = "MINSHENG_TEST_PAUSE_AFTER"
PAUSE_MARKER = "minsheng-test: paused"
#: Test hook: pause (the same way) in the write phase, after paragraphs.jsonl is written.
PAUSE_WRITE_ENV = "MINSHENG_TEST_PAUSE_IN_WRITE"
#: What a run publishes; run.json (written last) holds their sha256 and a run_id over them.
OUTPUT_NAMES = ("paragraphs.jsonl", "paragraphs.parquet", "documents.csv", "topics.csv",
                "attention.csv", "report.html")


@dataclass
class RunResult:
    """Where a run wrote its outputs, and its manifest (the content of run.json)."""

    output_dir: Path
    report_path: Path | None
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def paths(self) -> dict[str, Path]:
        names = OUTPUT_NAMES + ("run.json",)
        return {n: self.output_dir / n for n in names if (self.output_dir / n).exists()}


def run_from_config(config_path: Path, overrides: Mapping[str, str] | None = None,
                    resume: bool = False) -> RunResult:
    """Run the config at *config_path* with dotted *overrides* (command-line strings)."""
    cfg = load_config(Path(config_path), overrides or {})
    return execute(cfg, resume=resume, source=str(config_path), overrides=dict(overrides or {}))


def run(config: str | Path | Mapping[str, Any] | None = None, *, resume: bool = False,
        **overrides: Any) -> RunResult:
    """Python API: ``run("my.cfg", paths={"output": "runs/x"})`` or ``run(cfg_dict)``.

    Overrides are sections as dicts (``run={"engine": "dask"}``) or dotted keys
    passed with ``**{"run.engine": "dask"}``.
    """
    cfg = load_config(config, overrides)
    source = str(config) if isinstance(config, (str, Path)) else "python"
    return execute(cfg, resume=resume, source=source, overrides=dict(overrides))


def _read_documents(cfg: Mapping[str, Any], run_errors: list[str]) -> list[Any]:
    from ..reading import read_corpus

    docs = []
    try:
        corpus = cfg["corpus"]
        for doc in read_corpus(Path(cfg["paths"]["corpus"]).expanduser(), corpus["glob"],
                               unit=corpus["unit"], filename_fields=corpus["filename_fields"],
                               metadata=corpus["metadata"], **corpus["options"]):
            docs.append(doc)
    except (ConfigError, TypeError) as exc:  # the call is wrong (glob, options): stop, say why
        raise ConfigError(f"Reading paths.corpus with corpus.glob={cfg['corpus']['glob']!r} and "
                          f"corpus.options={cfg['corpus']['options']!r} failed: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - keep what was read, record the failure
        run_errors.append(f"reading stopped after {len(docs)} documents: "
                          f"{type(exc).__name__}: {exc}")
    return docs


def _progress(cfg: Mapping[str, Any], total: int) -> Any:
    from tqdm import tqdm

    mode = cfg["run"]["progress"]
    disable = mode == "off" or (mode == "auto" and not sys.stderr.isatty())
    return tqdm(total=total, unit="para", desc="minsheng run", disable=disable, file=sys.stderr)


def _pause_hook(stored: int | None) -> None:
    """Announce and sleep after *stored* parts (PAUSE_ENV) or, with None, in the write
    phase (PAUSE_WRITE_ENV)."""
    after = os.environ.get(PAUSE_ENV) if stored is not None else os.environ.get(PAUSE_WRITE_ENV)
    if after and (stored is None or stored == int(after)):
        where = "in the write phase" if stored is None else f"after {stored} parts"
        print(f"{PAUSE_MARKER} {where}", file=sys.stderr, flush=True)
        time.sleep(3600)


def _topic_info(nlp: Any) -> Any:
    """The domain model's topic table (a DataFrame), when the pipeline has one."""
    getter = getattr(domain_model(nlp), "get_topic_info", None)
    return getter() if callable(getter) else None


def _known_domains(nlp: Any) -> list[str]:
    """The domain ids in the model's order (the shipped taxonomy without a model)."""
    classes = getattr(domain_model(nlp), "classes_", None)
    if classes is not None:
        return [str(c) for c in classes]
    from ..domains.taxonomy import load_taxonomy

    return load_taxonomy().ids


def _plan(docs: list[Any], store: PartStore, fingerprint: str, settings: dict[str, Any],
          size: int, resume: bool) -> tuple[list[str], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """All part ids in corpus order, the parts reusable from disk, and the tasks still to do."""
    part_ids: list[str] = []
    done: dict[str, dict[str, Any]] = {}
    pending: list[dict[str, Any]] = []
    for doc in docs:
        if str(doc.status) != "ok":
            continue
        key = document_key(doc, fingerprint, settings)
        for task in make_tasks(doc, key, size):
            part_ids.append(task["part_id"])
            cached = store.load(task["part_id"], key) if resume else None
            if cached is not None:
                done[task["part_id"]] = cached
            else:
                pending.append(task)
    return part_ids, done, pending


def _run_engine(cfg: Mapping[str, Any], pending: list[dict[str, Any]], on_result: Any,
                fingerprint: str) -> dict[str, Any]:
    args = dict(model=cfg["nlp"]["model"], domains=cfg["domains"]["model"],
                batch_size=cfg["nlp"]["batch_size"],
                partition_size=cfg["run"]["partition_size"], on_result=on_result)
    if cfg["run"]["engine"] == "dask":
        return run_dask(pending, scheduler=cfg["run"]["scheduler"],
                        n_workers=cfg["run"]["n_workers"], fingerprint=fingerprint, **args)
    return run_local(pending, n_process=cfg["run"]["n_process"], **args)


def _write_tables(out: Path, cfg: Mapping[str, Any], nlp: Any, docs: list[Any],
                  prows: list[dict[str, Any]], domains: list[str], info: Any,
                  notes: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Write paragraphs.jsonl/.parquet, documents.csv, topics.csv and attention.csv;
    return the document rows and the attention rows."""
    write_paragraphs_jsonl(out / "paragraphs.jsonl", prows)
    _pause_hook(None)
    if cfg["output"]["parquet"]:
        note = write_paragraphs_parquet(out / "paragraphs.parquet", prows)
        if note:
            notes.append(note)
    drows = document_rows(docs, prows, domains)
    write_documents_csv(out / "documents.csv", drows, domains)
    if info is None:
        notes.append("the pipeline exposes no topic table: topics.csv has a header only")
    write_topics_csv(out / "topics.csv", topic_rows(info, prows))
    shipped = shipped_confusion(nlp, cfg["domains"]["model"])  # adjusted shares when the model has one
    arows = attention_tables(prows, domains, groupings(cfg["output"]["group_by"], docs),
                             n_boot=cfg["output"]["bootstrap"],
                             confusion=None if shipped is None else shipped.matrix,
                             confusion_ids=None if shipped is None else shipped.ids)
    write_attention_csv(out / "attention.csv", arows)
    return drows, arows


def _output_dir(cfg: Mapping[str, Any]) -> Path:
    out = Path(cfg["paths"]["output"]).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / ".minsheng-state").mkdir(exist_ok=True)
    except OSError as exc:
        raise MinshengError(f"Cannot create the output folder paths.output={str(out)!r}: "
                            f"{exc.strerror or exc}. Fix: pass --paths.output DIR in a place "
                            f"you can write.") from None
    return out


def execute(cfg: dict[str, Any], *, resume: bool = False, source: str = "python",
            overrides: Mapping[str, Any] | None = None) -> RunResult:
    """Run a resolved config (see :func:`pipeline.run.config.load_config`) while holding
    the output folder's lock (:mod:`pipeline.run.lock`)."""
    out = _output_dir(cfg)
    with lock.hold(out):
        return _execute(cfg, out, resume=resume, source=source, overrides=overrides)


def _inside_corpus(cfg: Mapping[str, Any], out: Path) -> list[str]:
    corpus = Path(cfg["paths"]["corpus"]).expanduser().resolve()
    if corpus in out.resolve().parents:
        return [f"the output folder {str(out)!r} is inside the corpus folder; it is never read "
                f"as input (it holds .minsheng-state)"]
    return []


def _execute(cfg: dict[str, Any], out: Path, *, resume: bool, source: str,
             overrides: Mapping[str, Any] | None) -> RunResult:
    started = datetime.now(timezone.utc)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    run_errors: list[str] = []

    model = cfg["nlp"]["model"]
    nlp = load_nlp(model, cfg["domains"]["model"])
    fingerprint = model_fingerprint(nlp)
    timings["load_model_s"] = time.perf_counter() - t0

    t = time.perf_counter()
    docs = _read_documents(cfg, run_errors)
    timings["read_s"] = time.perf_counter() - t

    size = cfg["run"]["partition_size"]
    settings = {"batch_size": cfg["nlp"]["batch_size"], "partition_size": size}
    store = PartStore(out)
    if not resume:
        store.clear()
    part_ids, results, pending = _plan(docs, store, fingerprint, settings, size, resume)
    reused = len(results)

    bar = _progress(cfg, sum(len(t["paragraphs"]) for t in pending))
    stored = 0

    def on_result(result: dict[str, Any]) -> None:
        nonlocal stored
        store.save(result)
        results[result["part_id"]] = result
        stored += 1
        bar.update(len(result["rows"]))
        _pause_hook(stored)

    t = time.perf_counter()
    try:
        engine = _run_engine(cfg, pending, on_result, fingerprint)
    finally:
        bar.close()
    timings["process_s"] = time.perf_counter() - t
    store.prune(part_ids)

    t = time.perf_counter()
    by_doc: dict[str, dict[str, Any]] = {}
    for part_id in part_ids:  # corpus order, slices in order
        res = results.get(part_id)
        if res is not None:
            by_doc.setdefault(res["doc_id"], {"rows": []})["rows"].extend(res["rows"])
    prows = paragraph_rows(docs, by_doc, low_confidence=cfg["domains"]["low_confidence"],
                           tokens=cfg["output"]["tokens"])
    domains = domain_order(_known_domains(nlp), prows)
    notes = list(load_warnings()) + ([engine["note"]] if engine.get("note") else []) \
        + _inside_corpus(cfg, out)
    for note in notes:
        print(f"minsheng: warning: {note}", file=sys.stderr)
    info = _topic_info(nlp)
    lock.unpublish(out, OUTPUT_NAMES)  # until run.json is back, the folder is visibly incomplete
    drows, arows = _write_tables(out, cfg, nlp, docs, prows, domains, info, notes)
    timings["write_s"] = time.perf_counter() - t

    n_chars = sum(len(p["analysis_text"]) for task in pending for p in task["paragraphs"])
    n_paras = sum(len(task["paragraphs"]) for task in pending)
    proc = timings["process_s"]
    manifest: dict[str, Any] = {
        "minsheng": __version__,
        "started_at": started.isoformat(timespec="seconds"),
        "config_source": source,
        "overrides": {k: str(v) for k, v in (overrides or {}).items()},
        "resume": resume,
        "config": cfg,
        "versions": mf.package_versions(),
        "model": mf.model_info(nlp, model, cfg["domains"]["model"], fingerprint),
        "engine": {**engine, "n_process": resolve_n_process(cfg["run"]["n_process"])
                   if cfg["run"]["engine"] == "local" else None},
        "inputs": mf.inputs(docs),
        "counts": mf.counts(docs, prows, processed=len(pending), reused=reused),
        "domains": domains,
        "errors": mf.errors(docs, prows, run_errors),
        "warnings": notes,
        "throughput": {"paragraphs": n_paras, "characters": n_chars,
                       "paragraphs_per_s": round(n_paras / proc, 2) if proc > 0 else None,
                       "chars_per_s": round(n_chars / proc, 1) if proc > 0 else None},
    }
    failed = [r for r in prows if r["status"] == "error"]
    if failed:
        print(f"minsheng: warning: {len(failed)} of {len(prows)} paragraphs failed (first: "
              f"{failed[0]['para_id']}: {failed[0]['reason']}); see errors in run.json",
              file=sys.stderr)
    report_path = None
    if cfg["output"]["report"]:
        from .report import write_report

        t = time.perf_counter()
        tokens = {r["para_id"]: (r["tokens"], r["tags"])
                  for res in by_doc.values() for r in res["rows"]}
        report_path = write_report(out / "report.html", manifest=manifest, docs=docs,
                                   prows=prows, drows=drows, domains=domains, topics=info,
                                   tokens=tokens, attention=arows,
                                   groups=groupings(cfg["output"]["group_by"], docs),
                                   featurizer=getattr(domain_model(nlp), "featurizer_", None))
        timings["report_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t0
    manifest["timings"] = {k: round(v, 3) for k, v in timings.items()}
    manifest["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    manifest["outputs"] = lock.output_digests(out, OUTPUT_NAMES)
    manifest["run_id"] = lock.run_id(manifest["outputs"])
    mf.write_manifest(out / "run.json", manifest)  # last: it publishes the outputs above
    print(mf.summary_line(manifest), file=sys.stderr)
    return RunResult(output_dir=out, report_path=report_path, manifest=manifest)
