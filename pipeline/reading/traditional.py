"""Traditional-Chinese detection and the simplified analysis copy.

Detection is a set lookup, fast enough for every file of a large corpus: a
character is *traditional-only* when OpenCC's t2s table maps it to something
else and it never appears as a simplified character itself (so 乾, 后, 干 …
which are also simplified forms, do not count). A text is traditional when at
least 2 such characters occur and they make up ≥ 10 % of its ideographs -- a
simplified document quoting one traditional name stays simplified.
Conversion uses OpenCC ``t2s`` (phrase-aware) and only runs on traditional
documents.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PIP = "pip install opencc-python-reimplemented==0.1.7"


def _opencc():
    try:
        import opencc
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ImportError(
            f"Reading traditional Chinese needs OpenCC, which is not installed. Install it with: {_PIP}"
        ) from exc
    return opencc


def _keys(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as fh:
        return {line.split("\t", 1)[0] for line in fh if "\t" in line}


@lru_cache(maxsize=1)
def traditional_only() -> frozenset[str]:
    """Characters that exist only as traditional forms (from OpenCC's tables)."""
    folder = Path(_opencc().__file__).parent / "dictionary"
    ts, st = folder / "TSCharacters.txt", folder / "STCharacters.txt"
    return frozenset(k for k in _keys(ts) - _keys(st) if len(k) == 1)


def is_traditional(text: str) -> bool:
    """True when ``text`` is written in traditional characters."""
    trad = traditional_only()
    hits = sum(1 for c in text if c in trad)
    if hits < 2:
        return False
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")
    return hits >= 0.1 * max(han, 1)


@lru_cache(maxsize=1)
def _char_table() -> dict[str, str]:
    folder = Path(_opencc().__file__).parent / "dictionary"
    table: dict[str, str] = {}
    with (folder / "TSCharacters.txt").open(encoding="utf-8") as fh:
        for line in fh:
            key, _, values = line.rstrip("\n").partition("\t")
            if len(key) == 1 and values:
                table[key] = values.split(" ")[0]
    return table


def char_to_simplified(char: str) -> str:
    """Character-level t2s (first OpenCC candidate); used to score Big5 decodings."""
    return _char_table().get(char, char)


@lru_cache(maxsize=1)
def _t2s():
    return _opencc().OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC t2s conversion of ``text``."""
    return _t2s().convert(text)
