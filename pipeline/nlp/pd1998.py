"""People's Daily January 1998 (PKU tags): reading and the fixed train/dev/test split.

The split is fixed for everyone: of the non-empty lines, the last 1,948 are
test, the 1,948 before them dev, and the rest train. Nothing is ever trained
on test.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, NamedTuple

SPLIT_SIZE = 1948
SPLITS = ("train", "dev", "test")


class TaggedSentence(NamedTuple):
    words: list[str]
    tags: list[str]


def parse_line(line: str) -> TaggedSentence:
    """Parse ``迈向/v  充满/v ...`` into words and PKU tags."""
    words, tags = [], []
    for item in line.split():
        word, sep, tag = item.rpartition("/")
        if not sep or not word:
            word, tag = item, "x"
        words.append(word)
        tags.append(tag)
    return TaggedSentence(words, tags)


def read_split(path: Path, split: str) -> list[TaggedSentence]:
    """Return the sentences of one split (``train``, ``dev`` or ``test``)."""
    if split not in SPLITS:
        from ..errors import value_invalid_msg

        raise ValueError(value_invalid_msg("split", split, SPLITS))
    lines = [ln.strip() for ln in Path(path).read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    bounds = {
        "train": (0, len(lines) - 2 * SPLIT_SIZE),
        "dev": (len(lines) - 2 * SPLIT_SIZE, len(lines) - SPLIT_SIZE),
        "test": (len(lines) - SPLIT_SIZE, len(lines)),
    }
    start, end = bounds[split]
    return [parse_line(ln) for ln in lines[start:end]]


def iter_words_lines(sentences: list[TaggedSentence]) -> Iterator[str]:
    """Yield space-joined words, the format pkuseg trains and scores on."""
    for sent in sentences:
        yield " ".join(sent.words)
