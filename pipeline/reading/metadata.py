"""Document metadata for plain files: a ``metadata.csv`` beside them, and file names.

As readtext / quanteda users know it:

* ``metadata.csv`` in the corpus root (the name is ``read_corpus(metadata=...)``)
  has a ``file`` column (a path relative to the root, POSIX form, or a bare
  file name) and one column per field; its row's non-empty cells become the
  matching document's ``meta``. The file itself is not read as a document.
* ``filename_fields=["year", "region"]`` parses ``2024_上海.txt`` into
  ``{"year": "2024", "region": "上海"}``: the file name without extension is
  split at ``_``; the last field takes whatever remains (``2024_上海_二季度``
  gives region ``上海_二季度``); a name with too few parts fills what it can
  and the document gets a warning.

Precedence (later wins): file-name fields, then ``metadata.csv``, then a
record's own fields (``unit="record"``). Values from names and CSV cells are
strings; integers without leading zeros are recognised (``"2024"`` ->
``2024``, ``"007"`` stays a string) so years sort and chart as numbers.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path, PurePosixPath
from typing import Any, Sequence

from ..errors import ConfigError
from .decode import decode_bytes

METADATA_FILE = "metadata.csv"
_INT = re.compile(r"-?(0|[1-9]\d{0,17})")  # no leading zeros: "007" stays a code


def scalar(text: str) -> Any:
    """A metadata cell: an ``int`` when it is a plain integer, else the stripped string."""
    text = text.strip()
    return int(text) if _INT.fullmatch(text) else text


def read_metadata(path: Path) -> dict[str, dict[str, Any]]:
    """``{file: {field: value}}`` from a metadata CSV; ConfigError when it is unusable."""
    try:
        text, _ = decode_bytes(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the corpus metadata file {str(path)!r}: {exc}. Fix: make it a "
                          "readable UTF-8 CSV with a 'file' column, or remove it.") from exc
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ConfigError(f"Corpus metadata file {str(path)!r} is malformed CSV: {exc}. Fix the "
                          "quoting, or remove the file.") from exc
    if rows and "file" not in rows[0]:
        raise ConfigError(f"Corpus metadata file {str(path)!r} has no 'file' column (columns: "
                          f"{', '.join(map(str, rows[0]))}). Fix: name the column holding the file "
                          "paths 'file'.")
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = (row.get("file") or "").strip()
        if key:
            out[PurePosixPath(key).as_posix()] = {
                str(k): scalar(v) for k, v in row.items()
                if isinstance(k, str) and k != "file" and isinstance(v, str) and v.strip()}
    return out


def filename_meta(name: str, fields: Sequence[str]) -> tuple[dict[str, Any], str | None]:
    """Fields parsed from a file name; and a warning when it has too few parts."""
    if not fields:
        return {}, None
    stem = PurePosixPath(name).name.rsplit(".", 1)[0] if "." in PurePosixPath(name).name \
        else PurePosixPath(name).name
    parts = stem.split("_", len(fields) - 1)
    meta = {f: scalar(v) for f, v in zip(fields, parts) if v.strip()}
    warning = None
    if len(parts) < len(fields):
        warning = (f"file name {name!r} has {len(parts)} '_'-separated part(s) for the "
                   f"{len(fields)} filename_fields {list(fields)}; missing: "
                   f"{', '.join(fields[len(parts):])}")
    return meta, warning


def meta_for(rel: str, metadata: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The metadata.csv row of a file: by relative path, else by bare file name."""
    row = metadata.get(rel)
    if row is None:
        row = metadata.get(PurePosixPath(rel).name, {})
    return dict(row)
