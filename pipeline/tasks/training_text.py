"""Training text of the domain model, read through :func:`pipeline.read_corpus`.

Every paragraph the topic models learn from comes out of the same reading
step a run uses (decoding, normalisation, page-break repair, paragraph
split); the labeled documents are left out by record id so nothing is fitted
on the paragraphs the model is scored on.  People's Daily 1998 (train split)
adds news text as raw sentences, segmented like everything else.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

from .. import assets
from ..nlp.pd1998 import read_split
from ..reading import read_corpus


def report_paragraphs(folder: Path | None, exclude_docs: Iterable[str] = ()) -> list[dict]:
    """``{doc, text}`` of every paragraph under *folder*, minus excluded record ids."""
    if not folder:
        return []
    skip = set(exclude_docs)
    out = []
    for doc in read_corpus(folder):
        for p in doc.paragraphs:
            rid = p.record_id or doc.id
            if rid in skip or not p.analysis_text.strip():
                continue
            out.append({"doc": rid, "text": p.analysis_text})
    return out


def pd1998_texts(limit: int = 0) -> list[str]:
    """People's Daily 1998 train sentences as raw text (gold words joined)."""
    sents = read_split(assets.pd1998_path(), "train")
    sents = sents[:limit] if limit else sents
    return ["".join(s.words) for s in sents]


def corpus_hash(texts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()
