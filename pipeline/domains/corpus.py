"""Training text for the domain model: paragraphs, their provenance, and a cache.

Sources (all optional, named in the config):

* report JSONL files (``{id, text}``, paragraphs separated by blank lines), with
  whole documents excluded by id — the labeled dev set's documents are always
  excluded so nothing is fitted on the paragraphs we evaluate on;
* People's Daily 1998 (already segmented and PKU-tagged; ``train`` split only);
* plain ``.txt`` / ``.jsonl`` files the team writes into ``corpus/``.

Segmentation is injected as a callable (the spaCy side lives in
``pipeline.bridge``), and segmented paragraphs are cached as JSONL keyed by a
hash of the inputs and the segmenter name, so reruns are fast and identical.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

Segmenter = Callable[[Sequence[str]], list[tuple[list[str], list[str]]]]


@dataclass(frozen=True)
class Paragraph:
    """One training paragraph: source document id, index, text."""

    doc: str
    index: int
    text: str


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, stripped, empty ones dropped."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return [p for p in parts if p]


def read_report_paragraphs(paths: Iterable[Path], exclude_docs: Iterable[str] = ()) -> list[Paragraph]:
    """Paragraphs of report JSONL files, skipping documents whose id is excluded."""
    skip = set(exclude_docs)
    out: list[Paragraph] = []
    for path in sorted(Path(p) for p in paths):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                row = json.loads(line)
                doc = str(row.get("id", path.stem))
                if doc in skip:
                    continue
                for i, para in enumerate(split_paragraphs(str(row.get("text", "")))):
                    out.append(Paragraph(doc, i, para))
    return out


def read_text_dir(folder: Path) -> list[Paragraph]:
    """Paragraphs of ``*.txt`` (blank-line separated) and ``*.jsonl`` (``text``) files."""
    out: list[Paragraph] = []
    folder = Path(folder)
    if not folder.is_dir():
        return out
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".txt":
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:  # not UTF-8: the reading layer's job, not ours
                continue
            for i, para in enumerate(split_paragraphs(text)):
                out.append(Paragraph(f"corpus/{path.name}", i, para))
        elif path.suffix == ".jsonl":
            out.extend(read_report_paragraphs([path]))
    return out


def corpus_hash(paragraphs: Sequence[Paragraph], extra: str = "") -> str:
    """sha256 over (doc, index, text) of every paragraph plus *extra* (e.g. segmenter id)."""
    h = hashlib.sha256(extra.encode("utf-8"))
    for p in paragraphs:
        h.update(f"{p.doc}\t{p.index}\t{p.text}\n".encode("utf-8"))
    return h.hexdigest()


def segment_cached(paragraphs: Sequence[Paragraph], segment: Segmenter, segmenter_id: str,
                   cache_root: Path, log: Callable[[str], None] = lambda s: None,
                   batch: int = 256) -> list[tuple[list[str], list[str]]]:
    """Segment paragraphs once; later calls with the same inputs read the cache."""
    key = corpus_hash(paragraphs, segmenter_id)[:20]
    cache = Path(cache_root) / f"segmented-{key}.jsonl"
    if cache.exists():
        out = []
        with open(cache, encoding="utf-8") as fh:
            for line in fh:
                words, tags = json.loads(line)
                out.append((words, tags))
        if len(out) == len(paragraphs):
            log(f"segmented corpus: cache hit {cache}")
            return out
    cache.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for start in range(0, len(paragraphs), batch):
        out.extend(segment([p.text for p in paragraphs[start:start + batch]]))
        log(f"segmented {min(start + batch, len(paragraphs))}/{len(paragraphs)} paragraphs")
    fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".seg-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        for words, tags in out:
            fh.write(json.dumps([words, tags], ensure_ascii=False) + "\n")
    os.replace(tmp, cache)
    return out
