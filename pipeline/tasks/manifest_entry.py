"""The ``models/MANIFEST`` entry of a domain model written into the models folder."""
from __future__ import annotations

import json
from pathlib import Path

from .. import models
from ..assets import sha256_file
from ..domains.artifact import read_meta


def record_in_manifest(model_dir: Path) -> bool:
    """Describe a model written into the models folder in ``models/MANIFEST``
    (files with sha256, data, command, scores); other folders keep only meta.json."""
    if Path(model_dir).resolve().parent != models.models_dir().resolve():
        return False
    meta = read_meta(model_dir)
    c, sc = meta.get("corpus", {}), meta.get("scores", {})
    fields = {
        "description": "livelihood DomainClassifier (scikit-learn, joblib): "
                       + str(meta.get("steps") or "featurizer, seeded NMF + LDA, conditional logit"),
        "data": f"{c.get('reports')} minus documents {', '.join(c.get('excluded_docs', []))} "
                f"({c.get('report_paragraphs')} paragraphs via read_corpus); People's Daily 1998-01 "
                f"train split ({c.get('pd1998_paragraphs')} sentences); corpus sha256 {c.get('sha256')}",
        "command": str(meta.get("train_command")),
        "taxonomy_sha256": meta["taxonomy"]["sha256"],
        "label_sets": f"{json.dumps(meta.get('label_sets', meta.get('calibration')), sort_keys=True)} "
                      f"(chosen on {sc.get('labeled_file')})",
        "trust": "joblib is pickle: load only artifacts from this repository or trained yourself",
    }
    # cv5 only: "dev" is in-sample (the term layer has seen those rows) and measures nothing
    scores = {f"{split}_{name}": value for split in ("cv5",)
              for name, value in sorted((sc.get(split) or {}).items())}
    for key in ("primary_accuracy", "primary_accuracy_adapted"):
        if key in sc.get("messages", {}):
            scores[f"messages_{key}"] = sc["messages"][key]
    models.record(Path(model_dir).name, Path(model_dir), fields, scores)
    return True


def link_shipped_pipeline(model_dir: Path) -> bool:
    """After retraining ``models/domains``: point ``models/nlp``'s ``livelihood_domains``
    at the new classifier (its ``source.json`` records the model's sha256) and
    re-record the nlp entry's digests."""
    if Path(model_dir).resolve() != (models.models_dir() / "domains").resolve():
        return False
    source = models.models_dir() / models.NLP_MODEL / "livelihood_domains" / "source.json"
    if not source.parent.is_dir():
        return False
    source.write_text(json.dumps({"model": "default", "sha256": sha256_file(Path(model_dir) / "model.joblib")},
                                 indent=2, sort_keys=True) + "\n", encoding="utf-8")
    models.refresh_digests(models.NLP_MODEL)
    return True
