"""minsheng: paragraph-level livelihood (民生) domains for Chinese policy and news text.

Public entry points (imported lazily so ``import pipeline`` stays cheap):

* ``load()`` -> a spaCy ``Language``: pkuseg segmentation, PKU tags, UPOS, entities,
  and livelihood domain scores in ``doc.cats``;
* ``read_document()`` / ``read_corpus()`` -> documents split into paragraphs;
* ``DomainClassifier`` / ``load_domain_model()`` -> the scikit-learn domain classifier on raw
  text (``predict``, ``predict_proba``, ``predict_labels``, ``adapt_priors``);
* ``run()`` -> a config-driven run from a folder to outputs and a report;
* ``attention(run_dir_or_rows, by=["year"])`` -> the tidy attention table (a DataFrame).
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load": "pipeline.nlp.loading",
    "read_document": "pipeline.reading",
    "read_corpus": "pipeline.reading",
    "Document": "pipeline.reading",
    "Paragraph": "pipeline.reading",
    "load_domain_model": "pipeline.domains",
    "DomainClassifier": "pipeline.domains",
    "TermFeaturizer": "pipeline.domains",
    "run": "pipeline.run.runner",
    "attention": "pipeline.shares.table",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    return getattr(import_module(module), name)
