"""Per-document results on disk: what makes ``--resume`` and kill -9 safe.

Every processed slice of a document (a *part*) is written, as soon as it is
done, to its own JSON file under ``OUTPUT/.minsheng-state/parts/`` (atomically), keyed by a hash of
the document's id, raw-input sha256, paragraph texts, the model fingerprint and
the settings that change a row.  The final outputs are always assembled from
these parts in corpus order, so a resumed run and an uninterrupted run write
the same bytes.  A part whose key no longer matches (changed input or model) is
ignored and recomputed.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from .files import atomic_write_bytes

STATE_DIR = ".minsheng-state"


def document_key(doc: Any, model_hash: str, settings: dict[str, Any]) -> str:
    """Hash of everything that determines a document's rows."""
    digest = hashlib.sha256()
    for part in (doc.id, doc.sha256, model_hash, json.dumps(settings, sort_keys=True)):
        digest.update(str(part).encode("utf-8", "surrogatepass") + b"\0")
    for p in doc.paragraphs:  # surrogatepass: a lone surrogate must never stop a run here
        digest.update(f"{p.id}\0{p.kind}\0{p.analysis_text}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def make_tasks(doc: Any, key: str, size: int) -> list[dict[str, Any]]:
    """Picklable slices of at most *size* paragraphs of one document, for workers.

    A long document (a JSONL file of 50 reports is one document) becomes many
    tasks, so it spreads over workers; each slice is stored as its own part.
    """
    paras = [{"id": p.id, "kind": p.kind, "analysis_text": p.analysis_text}
             for p in doc.paragraphs]
    return [{"doc_id": doc.id, "part_id": f"{doc.id}@{i}", "key": key,
             "paragraphs": paras[i:i + size]} for i in range(0, len(paras), max(1, size))]


class PartStore:
    """Finished documents' results, one atomic JSON file each."""

    def __init__(self, output_dir: Path) -> None:
        self.dir = Path(output_dir) / STATE_DIR / "parts"

    def _path(self, part_id: str) -> Path:
        name = hashlib.sha256(part_id.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        return self.dir / (name + ".json")

    def load(self, part_id: str, key: str) -> dict[str, Any] | None:
        """The stored result for *part_id* if it was made with *key*, else None."""
        path = self._path(part_id)
        try:
            result = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if result.get("key") != key or result.get("part_id") != part_id or result.get("transient"):
            return None
        return result

    def save(self, result: dict[str, Any]) -> None:
        data = json.dumps(result, ensure_ascii=True, sort_keys=True).encode("ascii")  # any str
        atomic_write_bytes(self._path(result["part_id"]), data)

    def clear(self) -> None:
        """Forget every stored result (a run without --resume starts fresh)."""
        if self.dir.is_dir():
            for path in self.dir.iterdir():
                path.unlink(missing_ok=True)

    def prune(self, keep_part_ids: Iterable[str]) -> int:
        """Delete parts no longer in the corpus (and stray temp files)."""
        keep = {self._path(d).name for d in keep_part_ids}
        removed = 0
        if self.dir.is_dir():
            for path in self.dir.iterdir():
                if path.name not in keep:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed
