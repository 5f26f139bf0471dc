"""The tabular outputs: paragraphs.jsonl/.parquet, documents.csv, topics.csv.

Rows are built from the documents (in corpus order) and the per-document
results, then written atomically.  Everything here is deterministic: keys are
sorted, scores are rounded when computed, shares use fixed ``%.4f``
formatting, and nothing time-dependent is written (timings go to run.json).
CSV text cells that a spreadsheet would run as a formula (starting with
``= + - @``, tab or CR) are written with a leading ``'``.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .files import atomic_write_bytes, atomic_write_text

SHARE_FORMAT = "{:.4f}"


def paragraph_rows(docs: Sequence[Any], results: Mapping[str, dict[str, Any]], *,
                   low_confidence: float, tokens: bool) -> list[dict[str, Any]]:
    """One row per paragraph of every document, in corpus order."""
    out: list[dict[str, Any]] = []
    for doc in docs:
        status = str(doc.status)
        by_id = {r["para_id"]: r for r in results.get(doc.id, {}).get("rows", [])}
        for p in doc.paragraphs:
            row: dict[str, Any] = {
                "doc_id": doc.id, "para_id": p.id, "record_id": p.record_id,
                "kind": p.kind, "role": p.role,
                "text": p.text, "start": p.start, "end": p.end,
                "status": status, "reason": doc.reason if status != "ok" else p.note,
                "domain": None, "domains": [], "cats": {}, "score": None,
                "low_confidence": False,
            }
            res = by_id.get(p.id)
            if status == "ok" and res is None:
                row.update(status="error", reason="not processed (no result for this paragraph)")
            elif res is not None:
                cats = res["cats"]
                score = cats.get(res["domain"]) if res["domain"] else None
                row.update(status=res["status"], reason=res["reason"] or p.note,
                           domain=res["domain"],
                           domains=res["domains"], cats=cats, score=score,
                           low_confidence=score is not None and score < low_confidence)
                if "topic" in res:
                    row["topic"] = res["topic"]
            if tokens:
                row["tokens"] = res["tokens"] if res else []
                row["tags"] = res["tags"] if res else []
            out.append(row)
    return out


def _json_line(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def write_paragraphs_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    return atomic_write_text(path, "".join(_json_line(r) + "\n" for r in rows))


def write_paragraphs_parquet(path: Path, rows: Sequence[Mapping[str, Any]]) -> str | None:
    """Write the parquet copy; return a note instead when pyarrow is missing."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return "paragraphs.parquet skipped: pyarrow is not installed (pip install pyarrow)"
    flat = []
    for r in rows:
        d = {k: v for k, v in sorted(r.items()) if k not in ("cats", "topic")}
        d["cats"] = json.dumps(r["cats"], sort_keys=True)
        d["topic"] = None if r.get("topic") is None else str(r["topic"])
        flat.append(d)
    table = pa.Table.from_pylist(flat)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    atomic_write_bytes(path, buf.getvalue())
    return None


def domain_order(known: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Taxonomy ids in taxonomy order, then any other id seen in *rows*, sorted."""
    seen = {r["domain"] for r in rows if r.get("domain")}
    return list(known) + sorted(seen - set(known))


def document_rows(docs: Sequence[Any], prows: Sequence[Mapping[str, Any]],
                  domains: Sequence[str]) -> list[dict[str, Any]]:
    """Per document: counts, status, and each domain's share of its body paragraphs."""
    by_doc: dict[str, list[Mapping[str, Any]]] = {}
    for r in prows:
        by_doc.setdefault(r["doc_id"], []).append(r)
    out = []
    for doc in docs:
        rows = by_doc.get(doc.id, [])
        body = [r for r in rows if r["kind"] == "body" and r["status"] == "ok" and r["domain"]]
        counts = Counter(r["domain"] for r in body)
        primary = max(domains, key=lambda d: (counts[d], -domains.index(d))) if counts else ""
        row: dict[str, Any] = {
            "doc_id": doc.id, "source": doc.source, "format": doc.format,
            "encoding": doc.encoding or "", "status": str(doc.status),
            "reason": doc.reason or "; ".join(doc.warnings),  # ok: what was skipped or repaired
            "sha256": doc.sha256, "paragraphs": len(rows),
            "body_paragraphs": sum(1 for r in rows if r["kind"] == "body"),
            "error_paragraphs": sum(1 for r in rows if r["status"] == "error"),
            "low_confidence": sum(1 for r in body if r["low_confidence"]),
            "primary_domain": primary,
        }
        for d in domains:
            row[f"share_{d}"] = SHARE_FORMAT.format(counts[d] / len(body)) if body else ""
        out.append(row)
    return out


#: A text cell starting with one of these is a formula to a spreadsheet (=HYPERLINK(...)).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV cell: None -> "", text that a spreadsheet would run as a formula -> "'" + text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Path:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: cell(r.get(k)) for k in header})
    return atomic_write_text(path, buf.getvalue())


def write_documents_csv(path: Path, rows: Sequence[Mapping[str, Any]],
                        domains: Sequence[str]) -> Path:
    header = ["doc_id", "source", "format", "encoding", "status", "reason", "sha256",
              "paragraphs", "body_paragraphs", "error_paragraphs", "low_confidence",
              "primary_domain"] + [f"share_{d}" for d in domains]
    return _write_csv(path, header, rows)


TOPIC_HEADER = ["topic", "name", "domain", "top_terms", "model_size", "corpus_size"]


def topic_rows(info: Any, prows: Sequence[Mapping[str, Any]], n_terms: int = 10
               ) -> list[dict[str, Any]]:
    """Rows for topics.csv from the domain model's topic table (a DataFrame or records).

    ``corpus_size`` counts this corpus's paragraphs assigned to the topic when
    the pipeline reports a per-paragraph topic; otherwise it is left empty.
    """
    if info is None:
        return []
    records = info.to_dict("records") if hasattr(info, "to_dict") else list(info)
    have_topics = any("topic" in r for r in prows)
    sizes = Counter(str(r.get("topic")) for r in prows if r.get("topic") is not None)
    out = []
    for rec in records:
        terms = rec.get("top_terms", rec.get("terms", ""))
        if not isinstance(terms, str):
            terms = " ".join(str(t) for t in list(terms)[:n_terms])
        topic = rec.get("topic", rec.get("name", ""))
        out.append({"topic": topic, "name": rec.get("name", ""), "domain": rec.get("domain", ""),
                    "top_terms": terms,
                    "model_size": rec.get("size", ""),
                    "corpus_size": sizes.get(str(topic), 0) if have_topics else ""})
    return out


def write_topics_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    return _write_csv(path, TOPIC_HEADER, rows)
