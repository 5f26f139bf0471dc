"""Orchestration of the domain model for the CLI: train, bench, classify, evaluate.

This module joins the spaCy side (segmentation, via :mod:`pipeline.bridge`) and
the scikit-learn side (:mod:`pipeline.domains`).  Training reads a confection
config (``pipeline/configs/domains.cfg``), segments and caches the corpus under
``~/.cache/minsheng/domains``, fits the model, calibrates it on the labeled
file (whose documents are excluded from the training text), cross-validates
the calibration, and writes a verified artifact.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any, Callable

import srsly
from confection import Config

from .errors import ConfigError

LOG_NAME = "train-domains.log"


def _logger(path: Path | None) -> Callable[[str], None]:
    def log(msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        if path is not None:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
    return log


def load_config(path: Path, overrides: dict[str, str] | None = None) -> dict:
    """Read a domains config; override values are parsed as JSON when they parse."""
    if not Path(path).is_file():
        raise ConfigError(f"Domain config {str(path)!r} does not exist. Use "
                          f"pipeline/configs/domains.cfg or a copy of it.")
    parsed = {}
    for k, v in (overrides or {}).items():
        try:
            parsed[k] = srsly.json_loads(v)
        except ValueError:
            parsed[k] = v
    try:
        cfg = Config().from_disk(path, overrides=parsed, interpolate=True)
    except Exception as exc:  # confection raises several types for bad keys
        raise ConfigError(f"Cannot read domain config {path} with overrides {parsed}: {exc}") from exc
    return dict(cfg)


def read_labeled(path: Path) -> list[dict]:
    """Rows ``{id, doc, text, primary, labels}`` of a labeled JSONL file."""
    if not Path(path).is_file():
        raise ConfigError(f"Labeled file {str(path)!r} does not exist. Set paths.labeled "
                          f"(e.g. ../shared/data/labeled/livelihood_dev.jsonl).")
    rows = [json.loads(ln) for ln in open(path, encoding="utf-8") if ln.strip()]
    for i, r in enumerate(rows):
        if "text" not in r or "primary" not in r:
            raise ConfigError(f"{path} line {i + 1} lacks 'text' or 'primary'; gold rows look "
                              f"like {{id, text, primary, labels}}.")
        r.setdefault("labels", [r["primary"]])
    return rows


def build_training_terms(cfg: dict, exclude_docs: set[str], nlp, log) -> tuple[list[list[str]], dict]:
    """Term lists of every training paragraph and a description (with hash) of the corpus."""
    from . import assets
    from .bridge import segment_texts
    from .domains import corpus as dc
    from .domains.terms import terms_from_tagged

    paths, ccfg, tcfg = cfg["paths"], cfg["corpus"], cfg["tokenizer"]
    bigrams = bool(tcfg.get("bigrams", True))
    reports_dir = Path(paths.get("reports") or "")
    files = sorted(reports_dir.glob("*.jsonl")) if paths.get("reports") else []
    paras = dc.read_report_paragraphs(files, exclude_docs | set(ccfg.get("exclude_docs", [])))
    if paths.get("corpus"):
        paras += dc.read_text_dir(Path(paths["corpus"]))
    seg = dc.segment_cached(paras, lambda texts: segment_texts(nlp, texts), str(tcfg["source"]),
                            assets.cache_dir() / "domains", log=log)
    docs = [terms_from_tagged(w, t if any(t) else None, bigrams) for w, t in seg]
    h = hashlib.sha256(dc.corpus_hash(paras).encode())
    desc = {"report_files": [f.name for f in files], "excluded_docs": sorted(exclude_docs),
            "report_paragraphs": len(paras)}
    if ccfg.get("pd1998", True):
        from .nlp.pd1998 import read_split
        sents = read_split(assets.pd1998_path(), "train")
        limit = int(ccfg.get("pd1998_max", 0) or 0)
        sents = sents[:limit] if limit else sents
        docs += [terms_from_tagged(s.words, s.tags, bigrams) for s in sents]
        for s in sents:
            h.update(" ".join(s.words).encode())
        desc["pd1998_paragraphs"] = len(sents)
        desc["pd1998_split"] = "train"
    desc["sha256"] = h.hexdigest()
    desc["segmenter"] = str(tcfg["source"])
    return docs, desc


def _model_from_cfg(cfg: dict, taxonomy_path: str | None):
    from .domains import DomainModel, load_taxonomy

    params = dict(cfg["model"])
    return DomainModel(taxonomy=load_taxonomy(taxonomy_path or None), **params)


def labeled_terms(rows: list[dict], nlp, bigrams: bool) -> list[list[str]]:
    from .bridge import segment_texts
    from .domains.terms import terms_from_tagged

    seg = segment_texts(nlp, [r["text"] for r in rows])
    return [terms_from_tagged(w, t if any(t) else None, bigrams) for w, t in seg]


def train_domains(config_path: Path, overrides: dict[str, str], output: str | None) -> Path:
    """Train, calibrate, cross-validate and save a domain model; return its directory."""
    from .bridge import segmenter_nlp
    from .domains import save_domain_model
    from .domains.evaluation import cv_calibrated
    from .domains.metrics import headline, score

    cfg = load_config(config_path, overrides)
    out = Path(output or cfg["paths"]["output"])
    out.parent.mkdir(parents=True, exist_ok=True)
    from .assets import cache_dir
    (cache_dir() / "domains").mkdir(parents=True, exist_ok=True)
    log = _logger(cache_dir() / "domains" / LOG_NAME)
    t0 = time.time()
    rows = read_labeled(Path(cfg["paths"]["labeled"])) if cfg["paths"].get("labeled") else []
    exclude = {str(r.get("doc")) for r in rows if r.get("doc")} \
        if cfg["corpus"].get("exclude_labeled_docs", True) else set()
    nlp = segmenter_nlp(str(cfg["tokenizer"]["source"]))
    docs, desc = build_training_terms(cfg, exclude, nlp, log)
    log(f"training paragraphs: {len(docs)} ({desc})")
    model = _model_from_cfg(cfg, cfg["paths"].get("taxonomy"))
    model.fit(docs)
    log(f"fitted topics in {time.time() - t0:.0f}s")
    scores: dict[str, Any] = {}
    if rows:
        bigrams = bool(cfg["tokenizer"].get("bigrams", True))
        X = labeled_terms(rows, nlp, bigrams)
        gp, gl = [r["primary"] for r in rows], [r["labels"] for r in rows]
        cv = cv_calibrated(model, X, gp, gl, k=int(cfg["calibration"].get("folds", 5)))
        model.calibrate(X, gp, gl)
        pl = model.predict_labels(X)
        dev = score(gp, gl, [x[0] for x in pl], pl, list(model.classes_), model.taxonomy_.fallback)
        scores = {"labeled_file": Path(cfg["paths"]["labeled"]).name, "n": len(rows),
                  "dev": headline(dev), "cv5": headline(cv),
                  "note": "dev = calibration chosen on all labeled rows; cv5 = chosen on 4 folds, "
                          "scored on the 5th (topics never see labeled documents)"}
        log(f"dev {scores['dev']}  cv5 {scores['cv5']}")
    meta = {"name": "minsheng-domains", "corpus": desc, "config": cfg, "scores": scores,
            "calibration": model.calibration_, "train_command":
                f"minsheng train domains {config_path}"
                + "".join(f" --{k} {v}" for k, v in sorted(overrides.items()))}
    save_domain_model(model, out, meta)
    record_in_manifest(out)
    log(f"saved {out} in {time.time() - t0:.0f}s")
    return out


def record_in_manifest(model_dir: Path) -> bool:
    """Describe a model written into the models folder in ``models/MANIFEST``
    (files with sha256, data, command, scores); other folders keep only meta.json."""
    from . import models
    from .domains.artifact import read_meta

    if Path(model_dir).resolve().parent != models.models_dir().resolve():
        return False
    meta = read_meta(model_dir)
    c, sc = meta.get("corpus", {}), meta.get("scores", {})
    fields = {
        "description": "livelihood domain model (scikit-learn, joblib): seeded topic models + calibration",
        "data": f"{', '.join(c.get('report_files', []))} minus documents "
                f"{', '.join(c.get('excluded_docs', []))} ({c.get('report_paragraphs')} paragraphs, "
                f"segmenter {c.get('segmenter')}); People's Daily 1998-01 {c.get('pd1998_split')} split "
                f"({c.get('pd1998_paragraphs')} paragraphs); corpus sha256 {c.get('sha256')}",
        "command": str(meta.get("train_command")),
        "taxonomy_sha256": meta["taxonomy"]["sha256"],
        "calibration": f"{json.dumps(meta.get('calibration'), sort_keys=True)} "
                       f"(chosen on {sc.get('labeled_file')})",
        "trust": "joblib is pickle: load only artifacts from this repository or trained yourself",
    }
    scores = {f"{split}_{name}": value for split in ("dev", "cv5")
              for name, value in sorted((sc.get(split) or {}).items())}
    models.record(Path(model_dir).name, Path(model_dir), fields, scores)
    return True


def _read_jsonl_lines(path: Path) -> list[tuple[dict | None, str]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out.append((row if isinstance(row, dict) else None, "" if isinstance(row, dict) else "invalid_row"))
            except ValueError:
                out.append((None, "invalid_json"))
    return out


def classify_texts(texts: list[str], model, nlp=None) -> list[dict]:
    """Classify raw texts: empty or whitespace -> fallback with status 'empty'."""
    from .bridge import segment_texts, segmenter_nlp
    from .domains.terms import terms_from_tagged

    fb = model.taxonomy_.fallback
    empty = {"domain": fb, "domains": [fb], "status": "empty",
             "cats": {str(d): float(d == fb) for d in model.classes_}}
    idx = [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
    results = [dict(empty) for _ in texts]
    if idx:
        if nlp is None:  # segment as the model's training text was segmented
            corpus = (getattr(model, "meta_", None) or {}).get("corpus", {})
            nlp = segmenter_nlp(corpus.get("segmenter", "pkuseg_default"))
        seg = segment_texts(nlp, [texts[i] for i in idx])
        terms = [terms_from_tagged(w, t if any(t) else None, True) for w, t in seg]
        for i, res in zip(idx, model.classify(terms)):
            results[i] = res
    return results


def classify_jsonl(inp: Path, out: Path, model: str | None, text_field: str, id_field: str) -> dict:
    """``{id, text}`` JSONL in -> ``{id, domain, domains, cats, status}`` out, same order."""
    from collections import Counter

    from .domains import load_domain_model

    if not Path(inp).is_file():
        raise ConfigError(f"Input file {str(inp)!r} does not exist. Pass a JSONL file with one "
                          f"{{\"{id_field}\": ..., \"{text_field}\": ...}} object per line.")
    dm = load_domain_model(model)
    rows = _read_jsonl_lines(Path(inp))
    texts = [str((r or {}).get(text_field) or "") for r, _ in rows]
    results = classify_texts(texts, dm)
    counts: Counter = Counter()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for (row, bad), res in zip(rows, results):
            status = bad or res["status"]
            counts[status] += 1
            rec = {"id": (row or {}).get(id_field), "domain": res["domain"],
                   "domains": res["domains"], "cats": res["cats"], "status": status}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return dict(sorted(counts.items()))


def evaluate_domains(gold: Path, model: str | None) -> str:
    """Markdown report of a model on a gold JSONL (``{text, primary, labels}``)."""
    from .domains import load_domain_model
    from .domains.metrics import confusion, format_report, score

    dm = load_domain_model(model)
    rows = read_labeled(Path(gold))
    res = classify_texts([r["text"] for r in rows], dm)
    gp, gl = [r["primary"] for r in rows], [r["labels"] for r in rows]
    pp, pl = [r["domain"] for r in res], [r["domains"] for r in res]
    s = score(gp, gl, pp, pl, list(dm.classes_), dm.taxonomy_.fallback)
    meta_scores = (getattr(dm, "meta_", {}) or {}).get("scores", {})
    cv = meta_scores.get("cv5") if meta_scores.get("labeled_file") == Path(gold).name else None
    text = format_report(s, confusion(gp, pp), title=f"Domain evaluation: {Path(gold).name}", cv=cv)
    if cv:
        text += ("\nThe model's calibration was chosen on this file: the 5-fold CV column "
                 "(recorded at training) is the honest estimate.\n")
    return text


def bench_domains(quick: bool, output: Path) -> str:
    """Run every baseline and variant on the labeled set; append the table to *output*."""
    import platform

    from .bridge import segmenter_nlp
    from .domains import load_domain_model, load_taxonomy
    from .domains.artifact import default_model_dir
    from .domains.bench import format_table, run_variants

    cfg_path = Path(__file__).resolve().parent / "configs" / "domains.cfg"
    overrides = {"corpus.pd1998_max": "2000"} if quick else {}
    cfg = load_config(cfg_path, overrides)
    log = _logger(None)
    rows = read_labeled(Path(cfg["paths"]["labeled"]))
    if quick:
        rows = rows[::2]
    nlp = segmenter_nlp(str(cfg["tokenizer"]["source"]))
    exclude = {str(r.get("doc")) for r in read_labeled(Path(cfg["paths"]["labeled"]))}
    docs, desc = build_training_terms(cfg, exclude, nlp, log)
    if quick:
        docs = docs[::4]
    X = labeled_terms(rows, nlp, bool(cfg["tokenizer"].get("bigrams", True)))
    gp, gl = [r["primary"] for r in rows], [r["labels"] for r in rows]
    tax = load_taxonomy(cfg["paths"].get("taxonomy") or None)
    shipped = None
    if (default_model_dir() / "meta.json").exists():
        shipped = load_domain_model(default_model_dir())
    results = run_variants(tax, docs, X, gp, gl, dict(cfg["model"]), shipped, quick=quick)
    header = (f"### minsheng bench domains{' --quick' if quick else ''} "
              f"({len(rows)} labeled paragraphs, {len(docs)} training paragraphs, "
              f"{platform.machine()}, python {platform.python_version()})")
    table = format_table(results, header)
    with open(output, "a", encoding="utf-8") as fh:
        fh.write("\n" + table)
    return table


def split_voices(page: str, marker: str = "【基层声音】") -> list[dict]:
    """The interview sections after *marker*: ``{title, byline, body: [paragraphs]}``.

    A section is a title paragraph, a byline starting with □, then body
    paragraphs up to the next title (the paragraph before the next byline).
    """
    from .domains.corpus import split_paragraphs

    paras = split_paragraphs(page.split(marker, 1)[1] if marker in page else page)
    bylines = [i for i, p in enumerate(paras) if p.startswith("□")]
    voices = []
    for n, b in enumerate(bylines):
        end = bylines[n + 1] - 1 if n + 1 < len(bylines) else len(paras)
        voices.append({"title": paras[b - 1] if b > 0 else "", "byline": paras[b],
                       "body": paras[b + 1:end]})
    return voices


def aggregate_domain(results: list[dict], fallback: str) -> tuple[str, dict]:
    """Domain of a multi-paragraph section from its paragraphs' classifications.

    Candidates are the livelihood domains in some paragraph's label set (the
    domain has concrete content in the section); the section's domain is the
    candidate with the highest mean probability over the paragraphs, else the
    fallback.  At section level a clearly present livelihood domain outranks
    the framing and rhetoric that make individual paragraphs 'other'.
    """
    ids = list(results[0]["cats"]) if results else [fallback]
    mean = {d: sum(r["cats"][d] for r in results) / max(len(results), 1) for d in ids}
    present = {d for r in results for d in r["domains"] if d != fallback}
    if not present:
        return fallback, mean
    return max(sorted(present, key=ids.index), key=lambda d: mean[d]), mean


def voice_domains(page: str, model: str | None = None) -> list[dict]:
    """Domain of each 【基层声音】 voice (see :func:`aggregate_domain`)."""
    from .domains import load_domain_model

    dm = load_domain_model(model)
    out = []
    for v in split_voices(page):
        res = classify_texts(v["body"], dm)
        domain, mean = aggregate_domain(res, dm.taxonomy_.fallback)
        out.append({"title": v["title"], "domain": domain,
                    "paragraphs": [r["domain"] for r in res],
                    "cats": {d: round(p, 4) for d, p in mean.items()}})
    return out
