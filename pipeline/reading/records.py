"""JSONL / JSON / CSV / TSV dumps: one document per file, records as boundaries.

Decision (documented in the README of the reading step): a table file is
*one* document, like every other file, so ids stay ``{path}#p{n}`` and the
run engine's one-file-one-document resume logic holds. Each record's text
field becomes a stretch of ``Document.text`` (records separated by a blank
line), paragraphs never merge across records, and each paragraph carries the
record's id field in ``Paragraph.record_id`` (or ``r{n}``, the 0-based record
number, when the record has no id). Records without the text field are
skipped with a warning; a file where no record has it is ``unreadable`` and
the reason lists the fields that do exist.

Every other scalar field of a record (string, number, boolean; ``null`` and
empty CSV cells are left out) is kept as that record's metadata in
``Extracted.record_meta``; :mod:`pipeline.reading.units` turns each record
into its own document carrying it (``unit="record"``).
"""
from __future__ import annotations

import csv
import io
import json

from .decode import damage_warning, decode_with_damage
from .extracted import Extracted, Unreadable
from .metadata import scalar

csv.field_size_limit(1 << 30)


class _BadLine:
    """A JSON Lines line that is not JSON: kept so its record gets a reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _records_json(text: str, fmt: str) -> list[object]:
    if fmt == "json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Unreadable(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
        return obj if isinstance(obj, list) else [obj]
    records: list[object] = []
    # JSON Lines are separated by "\n" only: str.splitlines() would also cut at
    # U+2028 / U+0085 / form feeds, which JSON allows raw inside strings.
    for n, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:  # one broken line never loses the good ones
            records.append(_BadLine(f"line {n}: invalid JSON at column {exc.colno}: {exc.msg}"))
    if records and all(isinstance(r, _BadLine) for r in records):
        raise Unreadable(f"no line is valid JSON ({records[0].reason}); every line of a .jsonl "
                         "file must be one JSON object")
    return records


def _records_csv(text: str, fmt: str) -> list[object]:
    delimiter = "\t" if fmt == "tsv" else ","
    try:
        return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise Unreadable(f"malformed {fmt.upper()}: {exc}") from exc


def extract_records(data: bytes, fmt: str, *, text_field: str = "text", id_field: str = "id") -> Extracted:
    """Concatenate the ``text_field`` of every record; spans in ``records``."""
    try:
        text, encoding, damaged = decode_with_damage(data)
    except ValueError as exc:
        raise Unreadable(str(exc)) from exc
    records = _records_json(text, fmt) if fmt in ("json", "jsonl") else _records_csv(text, fmt)
    parts: list[str] = []
    spans: list[tuple[str, int, int]] = []
    metas: list[dict[str, object]] = []
    warnings: list[str] = [damage_warning(damaged)] if damaged else []
    fields_seen: set[str] = set()
    pos = 0
    for n, rec in enumerate(records):
        if isinstance(rec, _BadLine):
            warnings.append(f"record {n} skipped: {rec.reason}")
            continue
        if not isinstance(rec, dict):
            warnings.append(f"record {n} skipped: it is a {type(rec).__name__}, not an object")
            continue
        fields_seen.update(map(str, rec))
        value = rec.get(text_field)
        if not isinstance(value, str):
            what = "no field" if value is None else f"a {type(value).__name__}, not a string, in field"
            rid = rec.get(id_field)
            named = "" if rid is None else f" (id {str(rid)[:80]!r})"
            warnings.append(f"record {n}{named} skipped: it has {what} {text_field!r}")
            continue
        rid = rec.get(id_field)
        rid = f"r{n}" if rid is None or rid == "" else str(rid)
        if parts:
            parts.append("\n\n")
            pos += 2
        spans.append((rid, pos, pos + len(value)))
        metas.append(record_meta(rec, text_field, cells=fmt in ("csv", "tsv")))
        parts.append(value)
        pos += len(value)
    if records and not spans:
        raise Unreadable(
            f"no record has a string field {text_field!r}; fields present: "
            f"{sorted(fields_seen) or 'none'}; pass text_field=<one of them>"
        )
    if len(warnings) > 100:
        warnings = warnings[:100] + [f"... and {len(warnings) - 100} more"]
    return Extracted(text="".join(parts), format=fmt, encoding=encoding, records=spans, warnings=warnings,
                     record_meta=metas)


def record_meta(rec: dict, text_field: str, cells: bool = False) -> dict[str, object]:
    """The scalar fields of one record other than its text (its metadata).

    ``cells``: the values are CSV cells (strings), read as
    :func:`pipeline.reading.metadata.scalar` reads them (integers recognised).
    """
    return {k: scalar(v) if cells and isinstance(v, str) else v for k, v in rec.items()
            if isinstance(k, str) and k != text_field and isinstance(v, (str, int, float, bool))
            and v != ""}
