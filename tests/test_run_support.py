"""Helpers shared by the run/report tests (no tests here).

``make_corpus`` copies the bundled sample corpus and adds an empty file and an
unreadable one, so every run test sees all three document statuses.
"""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus" / "docs"
DEFAULT_CFG = REPO / "pipeline" / "configs" / "default.cfg"
DATA_OUTPUTS = ("paragraphs.jsonl", "documents.csv", "topics.csv", "attention.csv")


def make_corpus(root: Path) -> Path:
    """The sample corpus plus ``zz_empty.txt`` (empty) and ``zz_broken.docx`` (unreadable)."""
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "zz_empty.txt").write_bytes(b"")
    (corpus / "zz_broken.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    return corpus


def overrides(corpus: Path, output: Path, **extra: str) -> dict[str, str]:
    """Command-line style overrides for a quiet local run of *corpus* into *output*."""
    out = {"paths.corpus": str(corpus), "paths.output": str(output), "run.progress": "off",
           "run.n_process": "1", "run.partition_size": "16"}
    out.update(extra)
    return out


def read_outputs(output: Path) -> dict[str, bytes]:
    """The deterministic outputs' bytes, by file name (parquet too when written)."""
    names = DATA_OUTPUTS + (("paragraphs.parquet",) if (output / "paragraphs.parquet").exists() else ())
    return {name: (output / name).read_bytes() for name in names}
