"""The tabular outputs: paragraphs.jsonl/.parquet, documents.csv, topics.csv, attention.csv.

Rows are built from the documents (in corpus order) and the per-document
results, then written atomically.  Everything here is deterministic: keys are
sorted, scores are rounded when computed, shares use fixed ``%.4f``
formatting, and nothing time-dependent is written (timings go to run.json).
CSV text cells that a spreadsheet would run as a formula (starting with
``= + - @``, tab or CR) are written with a leading ``'``.
Every column of every file is documented in the README ("Outputs").
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..shares.table import COLUMNS, attention_rows
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
                "meta": dict(getattr(doc, "meta", {}) or {}),
                "kind": p.kind, "role": p.role,
                "text": p.text, "start": p.start, "end": p.end,
                "status": status, "reason": doc.reason if status != "ok" else p.note,
                "domain": None, "domains": [], "cats": {}, "domain_status": None,
                "score": None, "low_confidence": False,
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
                           domain_status=res.get("domain_status"),
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
    flat = parquet_rows(rows)
    table = pa.Table.from_pylist(flat)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    atomic_write_bytes(path, buf.getvalue())
    return None


def meta_fields(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every metadata field of the rows, in first-seen order."""
    seen: dict[str, None] = {}
    for r in rows:
        for k in r.get("meta") or {}:
            seen.setdefault(k, None)
    return list(seen)


def _column_type(values: Sequence[Any]) -> Any:
    """One parquet-safe python type for a metadata column: int, float, bool, else str."""
    kinds = {type(v) for v in values if v is not None}
    for t in (bool, int, float):
        if kinds and kinds <= ({t} if t is not float else {int, float}):
            return t
    return str


def parquet_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Flat rows for parquet: ``cats`` as ``cat_<domain>`` float columns, metadata as
    ``meta_<field>`` columns of one type each (strings when mixed), topic as text."""
    cats = list(dict.fromkeys(k for r in rows for k in (r.get("cats") or {})))
    fields = meta_fields(rows)
    types = {f: _column_type([(r.get("meta") or {}).get(f) for r in rows]) for f in fields}
    flat = []
    for r in rows:
        d = {k: v for k, v in sorted(r.items()) if k not in ("cats", "topic", "meta")}
        d["topic"] = None if r.get("topic") is None else json.dumps(r["topic"], sort_keys=True)
        for c in cats:
            v = (r.get("cats") or {}).get(c)
            d[f"cat_{c}"] = None if v is None else float(v)
        meta = r.get("meta") or {}
        for f in fields:
            v = meta.get(f)
            d[f"meta_{f}"] = None if v is None else types[f](v)
        flat.append(d)
    return flat


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
            "reason": doc.reason or "; ".join(getattr(doc, "warnings", ())),  # ok: skipped, repaired
            "sha256": doc.sha256, "paragraphs": len(rows),
            "body_paragraphs": sum(1 for r in rows if r["kind"] == "body"),
            "error_paragraphs": sum(1 for r in rows if r["status"] == "error"),
            "low_confidence": sum(1 for r in body if r["low_confidence"]),
            "primary_domain": primary,
        }
        for k, v in (getattr(doc, "meta", {}) or {}).items():
            row[f"meta_{k}"] = v
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
    metas = list(dict.fromkeys(k for r in rows for k in r if k.startswith("meta_")))
    header = ["doc_id", "source", "format", "encoding", "status", "reason", "sha256",
              "paragraphs", "body_paragraphs", "error_paragraphs", "low_confidence",
              "primary_domain"] + metas + [f"share_{d}" for d in domains]
    return _write_csv(path, header, rows)


TOPIC_HEADER = ["model", "topic", "name", "domain", "seeded", "top_terms", "npmi", "model_size",
                "corpus_size"]


def topic_rows(info: Any, prows: Sequence[Mapping[str, Any]], n_terms: int = 10
               ) -> list[dict[str, Any]]:
    """Rows for topics.csv from the domain model's topic table (a DataFrame or records).

    ``model_size`` counts training paragraphs whose heaviest topic it is;
    ``corpus_size`` counts this run's paragraphs whose ``topic`` (``{model:
    topic name}``, set by the domain component) names it.
    """
    if info is None:
        return []
    records = info.to_dict("records") if hasattr(info, "to_dict") else list(info)
    sizes = Counter((m, t) for r in prows if isinstance(r.get("topic"), Mapping)
                    for m, t in r["topic"].items())
    out = []
    for rec in records:
        terms = rec.get("top_terms", rec.get("terms", ""))
        if not isinstance(terms, str):
            terms = " ".join(str(t) for t in list(terms)[:n_terms])
        model = rec.get("model", "")
        out.append({"model": model, "topic": rec.get("topic", ""), "name": rec.get("name", ""),
                    "domain": rec.get("domain", ""), "seeded": rec.get("seeded", ""),
                    "top_terms": terms, "npmi": rec.get("npmi", ""),
                    "model_size": rec.get("size", ""),
                    "corpus_size": sizes.get((model, rec.get("name", "")), 0)})
    return out


def write_topics_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    return _write_csv(path, TOPIC_HEADER, rows)


#: Metadata fields grouped by automatically (``[output] group_by = []``), when present.
AUTO_GROUPS = ("year", "date", "region", "province", "level", "source_type", "source")
MAX_GROUPS = 200


def groupings(group_by: Sequence[str], docs: Sequence[Any]) -> list[list[str]]:
    """The groupings of a run: ``[group_by]`` when set, else each field of :data:`AUTO_GROUPS`
    that at least two documents have with 2 to :data:`MAX_GROUPS` distinct values."""
    if group_by:
        return [list(group_by)]
    out = []
    for f in AUTO_GROUPS:
        values = [d.meta[f] for d in docs if f in (getattr(d, "meta", None) or {})]
        if len(values) >= 2 and 2 <= len(set(map(str, values))) <= MAX_GROUPS:
            out.append([f])
    return out


def attention_tables(prows: Sequence[Mapping[str, Any]], domains: Sequence[str],
                     groupings: Sequence[Sequence[str]], *, n_boot: int,
                     confusion: Any = None, confusion_ids: Sequence[str] | None = None
                     ) -> list[dict[str, Any]]:
    """attention.csv rows: per document, then per grouping (each tagged ``by``)."""
    out: list[dict[str, Any]] = []
    fields = list(dict.fromkeys(f for g in groupings for f in g if f != "doc_id"))
    meta = {r["doc_id"]: r.get("meta") or {} for r in prows}
    for by in [["doc_id"], *[list(g) for g in groupings if list(g) != ["doc_id"]]]:
        for r in attention_rows(prows, by, domains=domains, n_boot=n_boot, confusion=confusion,
                                confusion_ids=confusion_ids):
            # a document's rows also carry its values of the grouping fields (its year ...)
            extra = {f: meta[r["doc_id"]].get(f) for f in fields} if by == ["doc_id"] else {}
            out.append({"by": "+".join(by), **r, **extra})
    return out


def write_attention_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    """The tidy attention table; shares as ``%.4f``, empty ``lo``/``hi`` when undefined."""
    fixed = set(COLUMNS) | {"by"}
    groups = list(dict.fromkeys(k for r in rows for k in r if k not in fixed))
    fmt = [{**r, **{k: SHARE_FORMAT.format(r[k]) for k in ("value", "lo", "hi")
                    if r.get(k) is not None}} for r in rows]
    return _write_csv(path, ["by", *groups, *COLUMNS], fmt)
