"""Page-break repair: join fragments of one paragraph split by a line break.

Newspaper layouts and PDF text layers break paragraphs wherever a column or
page ends, often mid-word ("…让群众生活更加美" / "好，服务更加便捷…"). A block B is
joined onto the paragraph A before it when all of these hold:

* A and B come from the same record (JSONL/CSV records never merge);
* A is a ``body`` block -- or a short comma-bearing ``heading`` line that B
  follows without a blank line (a hard-wrapped narrow column) or that B
  continues with a particle -- and A does not end with sentence-final punctuation,
  a colon or a closing quote/bracket (see :data:`kinds.TERMINAL`);
* B does not start a new paragraph by convention: it is not indented
  (　　 / two spaces) and does not open with a numbering or bullet marker;
* exception to the punctuation rule: in a text (or record) that marks
  paragraph starts by indentation (≥ 3 indented blocks, ≥ 10 % of all), an
  unindented ``body`` block on the very next line continues the body
  paragraph before it even after a full stop -- the layout of hard-wrapped
  TXT/PDF exports (a blank line still ends the paragraph);
* B is ``body`` -- or a short ``title``-shaped (or comma-bearing
  ``unnumbered`` heading-shaped) fragment that either follows
  A without a blank line (a hard-wrapped line) or cannot start a sentence
  because it opens with a particle, a punctuation mark or a lowercase Latin
  letter (的 了 着 们 ， 。 …), e.g. the tail "的头等大事" of a sentence.

So numbered/Markdown headings, labels, bylines, notes, section markers and
salutations are never merged into body text, and body text is never merged
into a title or heading: only lines whose shape is *ambiguous* (a short line
without a full stop) join an unfinished paragraph, and only on positive
evidence (no blank line before them, or a start no sentence can have).
"""
from __future__ import annotations

from dataclasses import dataclass

from .kinds import classify, ends_terminal, starts_new_item
from .paragraphs import Block

#: Characters that cannot open a sentence: a block starting with one of them
#: continues the previous block.
CONTINUATION_START = frozenset("的地得了着过们吗呢吧啊之等者，。、；：！？）」』”’%％")


@dataclass(slots=True)
class Unit:
    """A paragraph under construction: one or more blocks and its kind."""

    blocks: list[Block]
    kind: str
    role: str

    @property
    def text(self) -> str:
        return join_fragments([b.text for b in self.blocks])


def join_fragments(texts: list[str]) -> str:
    """Join fragment texts; a space only between two Latin letters/digits."""
    out = texts[0]
    for t in texts[1:]:
        if out and t and out[-1].isascii() and out[-1].isalnum() and t[0].isascii() and t[0].isalnum():
            out += " "
        out += t
    return out


def _continues(prev: Unit, block: Block, kind: str, role: str, indent_mode: bool) -> bool:
    last = prev.blocks[-1]
    if last.record != block.record or block.indented or starts_new_item(block.text):
        return False
    # A short comma-bearing line is a heading when a blank line follows it,
    # but one line of a hard-wrapped narrow column when the text goes on
    # directly, or when what follows cannot start a sentence (的…).
    wrapped_line = prev.role == "unnumbered" and len(prev.blocks) == 1 and (
        not block.after_blank or _continuation_start(block.text))
    if prev.kind != "body" and not wrapped_line:
        return False
    if ends_terminal(last.text):
        # Where paragraphs open with an indent, an unindented prose line is
        # the rest of the previous paragraph even after a full stop.
        return indent_mode and not block.after_blank and kind == "body" and prev.kind == "body"
    if kind == "body":
        return True
    short_line = kind == "title" or role == "unnumbered"
    return short_line and (not block.after_blank or _continuation_start(block.text))


def _continuation_start(text: str) -> bool:
    """A particle/punctuation (的 了 ， …) or a lowercase Latin letter cannot open a paragraph."""
    return text[0] in CONTINUATION_START or ("a" <= text[0] <= "z")


def uses_indentation(blocks: list[Block]) -> bool:
    """True when the text marks paragraph starts by indenting (≥ 3 and ≥ 10 % of blocks)."""
    indented = sum(1 for b in blocks if b.indented)
    return indented >= 3 and indented >= 0.1 * len(blocks)


def merge_blocks(blocks: list[Block]) -> list[Unit]:
    """Classify blocks and join page-broken fragments, keeping order."""
    by_record: dict[int, list[Block]] = {}
    for block in blocks:
        by_record.setdefault(block.record, []).append(block)
    indent_mode = {record: uses_indentation(group) for record, group in by_record.items()}
    units: list[Unit] = []
    for block in blocks:
        kind, role = classify(block.text)
        if units and _continues(units[-1], block, kind, role, indent_mode[block.record]):
            unit = units[-1]
            unit.blocks.append(block)
            unit.kind, unit.role = "body", ("body" if unit.role == "unnumbered" else unit.role)
            continue
        units.append(Unit([block], kind, role))
    return units
