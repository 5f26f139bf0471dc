"""``minsheng classify`` and ``minsheng evaluate domains``: the DomainClassifier on files.

Both call the classifier on raw text — its featurizer analyses it with the
shipped pipeline, exactly as the ``livelihood_domains`` component sees a Doc —
so a paragraph gets the same ``domain``, ``domains`` and ``cats`` here as in
``pipeline.load()`` and ``minsheng run``.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..domains import load_domain_model
from ..domains.metrics import confusion, format_report, score
from ..errors import ConfigError
from .domain_config import read_labeled


def _read_jsonl_lines(path: Path) -> list[tuple[dict | None, str]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out.append((row if isinstance(row, dict) else None,
                            "" if isinstance(row, dict) else "invalid_row"))
            except ValueError:
                out.append((None, "invalid_json"))
    return out


def classify_jsonl(inp: Path, out: Path, model: str | None, text_field: str, id_field: str,
                   adapt_priors: bool = False) -> dict:
    """``{id, text}`` JSONL in -> ``{id, domain, domains, cats, status}`` out, same order.

    With *adapt_priors* the livelihood-vs-other prior is first re-estimated on
    the file's own texts (EM, no labels): for inputs such as citizen messages
    whose share of non-livelihood text is far from the reports'.
    """
    if not Path(inp).is_file():
        raise ConfigError(f"Input file {str(inp)!r} does not exist. Pass a JSONL file with one "
                          f"{{\"{id_field}\": ..., \"{text_field}\": ...}} object per line.")
    clf = load_domain_model(model)
    rows = _read_jsonl_lines(Path(inp))
    texts = [(r or {}).get(text_field) for r, _ in rows]
    good = [i for i, t in enumerate(texts) if isinstance(t, str)]
    if adapt_priors and good:
        clf.adapt_priors([texts[i] for i in good])
    results = dict(zip(good, clf.classify([texts[i] for i in good]))) if good else {}
    counts: Counter = Counter()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for i, (row, bad) in enumerate(rows):
            res = results.get(i)
            status = bad or (res["status"] if res else "invalid_text")
            counts[status] += 1
            rec = {"id": (row or {}).get(id_field), "status": status,
                   "domain": res["domain"] if res else None,
                   "domains": res["domains"] if res else [], "cats": res["cats"] if res else {}}
            if status == "invalid_text":
                rec["reason"] = f"field {text_field!r} is missing or not a string"
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return dict(sorted(counts.items()))


def evaluate_domains(gold: Path, model: str | None, adapt_priors: bool = False) -> str:
    """Markdown report of a model on a gold JSONL (``{text, primary, labels}``)."""
    clf = load_domain_model(model)
    rows = [r for r in read_labeled(Path(gold)) if "primary" in r]
    if not rows:
        raise ConfigError(f"{gold} has no rows with 'primary'; evaluate needs {{text, primary, labels}}.")
    texts = [r["text"] for r in rows]
    if adapt_priors:
        clf.adapt_priors(texts)
    res = clf.classify(texts)
    gp, gl = [r["primary"] for r in rows], [r["labels"] for r in rows]
    pp, pl = [r["domain"] for r in res], [r["domains"] for r in res]
    s = score(gp, gl, pp, pl, list(clf.classes_), clf.taxonomy_.fallback)
    meta_scores = (getattr(clf, "meta_", {}) or {}).get("scores", {})
    cv = meta_scores.get("cv5") if meta_scores.get("labeled_file") == Path(gold).name else None
    text = format_report(s, confusion(gp, pp), title=f"Domain evaluation: {Path(gold).name}", cv=cv)
    if cv:
        text += ("\nThe model's decision was fitted on this file: the 5-fold CV column "
                 "(recorded at training) is the honest estimate.\n")
    return text
