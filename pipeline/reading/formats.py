"""Pick a reader for an input from its name and its first bytes.

The extension chooses the format (:data:`EXTENSIONS`); known binary magic
numbers override it, so a PNG renamed ``.txt`` is reported as a PNG rather
than decoded into garbage. Unknown extensions are ``unreadable`` with the
list of supported ones -- renaming a plain-text file to ``.txt`` is the fix.

Plain text (``.txt``, ``.md``) is decoded by :mod:`pipeline.reading.decode`
and rejected as binary when at least 16 and more than 10 % of its characters are control or
replacement characters *and* they outnumber its letters and digits (a
handful of NULs in a text file is fine; they are removed later).
"""
from __future__ import annotations

from pathlib import PurePath

from .decode import DecodeError, decode_with_damage
from .extracted import Extracted, Unreadable

EXTENSIONS: dict[str, str] = {
    ".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".docx": "docx", ".pdf": "pdf",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"\x7fELF", "ELF executable"), (b"MZ", "Windows executable"), (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"), (b"7z\xbc\xaf", "7-Zip archive"), (b"Rar!", "RAR archive"),
    (b"\xd0\xcf\x11\xe0", "legacy MS Office (.doc/.xls) file"), (b"SQLite format 3", "SQLite database"),
    (b"PK\x03\x04", "zip"),
)


def format_for(name: str) -> str | None:
    """The format implied by a file name, or None when unknown."""
    return EXTENSIONS.get(PurePath(name).suffix.lower())


def sniff_binary(data: bytes) -> str | None:
    """Name of a known binary container the bytes start with, if any."""
    head = data[:16]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            if what == "zip" and b"word/" in data[:4096]:
                return "docx"
            return what
    return None


def extract_text(data: bytes, fmt: str, *, check_binary: bool = True) -> Extracted:
    """Decode a plain-text file, refusing bytes that are evidently binary.

    ``check_binary=False`` skips the control-character test, for input the
    caller handed over as ``str`` (declared text, however odd).
    """
    try:
        text, encoding, damaged = decode_with_damage(data)
    except DecodeError as exc:
        raise Unreadable(str(exc)) from exc
    if text and check_binary:
        head = text[:65536]
        bad = sum(1 for c in head if (c < " " and c not in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")
                  or c == "\ufffd" or "\x7f" <= c < "\xa0")
        if bad >= 16 and bad > 0.1 * len(head) and bad > sum(1 for c in head if c.isalnum()):
            raise Unreadable(
                f"looks binary: {bad} of the first {min(len(text), 65536)} characters are control or "
                f"replacement characters after decoding as {encoding}; if it is text, re-save it as UTF-8"
            )
    return Extracted(text=text, format=fmt, encoding=encoding, damaged=damaged)


def extract(data: bytes, name: str, *, fmt: str | None = None, text_field: str = "text",
            id_field: str = "id", declared_text: bool = False) -> Extracted:
    """Dispatch to the right reader; raises :class:`Unreadable` with the reason."""
    fmt = fmt or format_for(name)
    binary = None if declared_text else sniff_binary(data)
    if binary == "pdf":
        fmt = "pdf"
    elif binary == "docx" and fmt in (None, "docx"):
        fmt = "docx"
    elif binary is not None and not (binary == "zip" and fmt == "docx"):
        raise Unreadable(f"binary file ({binary}), not text; convert it to .txt, .docx, .html or .pdf first")
    if fmt is None:
        suffix = PurePath(name).suffix or "(none)"
        raise Unreadable(
            f"unsupported file type {suffix!r}; supported: {', '.join(sorted(EXTENSIONS))}; "
            "rename plain-text files to .txt"
        )
    if fmt in ("txt", "md"):
        return extract_text(data, fmt, check_binary=not declared_text)
    if fmt == "html":
        from .html import extract_html

        return extract_html(data)
    if fmt == "docx":
        from .office import extract_docx

        return extract_docx(data)
    if fmt == "pdf":
        from .office import extract_pdf

        return extract_pdf(data)
    if fmt in ("jsonl", "json", "csv", "tsv"):
        from .records import extract_records

        return extract_records(data, fmt, text_field=text_field, id_field=id_field)
    raise Unreadable(f"unknown format {fmt!r}; valid: {', '.join(sorted(set(EXTENSIONS.values())))}")
