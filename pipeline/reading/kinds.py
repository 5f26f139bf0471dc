"""Block kinds: title, byline, heading, section, note, body, other.

Rules are about the *shape* of a block -- its length, punctuation and leading
markers -- not about any particular page, so they carry over to newspaper
pages, government work reports and notices we have never seen:

* ``section``  -- a short bracketed marker standing alone: 【代表风采】, 〖观察〗;
* ``note``     -- author/source/editor notes: (作者单位：…), 注：…, 责任编辑：…,
  and short fully-parenthesised lines;
* ``byline``   -- a short line opened by a byline glyph (◎ □ ■ ● …) or by
  记者/通讯员/作者/文/图 … with no sentence punctuation;
* ``heading``  -- numbered headings (一、… （五）… 第三章 … 1. …) that are short
  and at most one sentence; labels ending in a colon (主要做法：); short
  unnumbered lines with a comma but no full stop and no final punctuation
  (三年来，社区服务网络日益完善, role ``unnumbered``); Markdown ``# headings``;
* ``title``    -- a short line (≤ 40 visible characters) without sentence
  punctuation (。，；), including ——subtitles (role ``subtitle``);
* ``other``    -- no letters or digits at all (emoji, rules, page numbers), and
  salutations (各位代表：, role ``salutation``);
* ``body``     -- everything else: prose.

:func:`classify` returns ``(kind, role)``; ``role`` refines the kind
(``numbered``, ``bullet``, ``subtitle``, ``salutation``, ``label`` …).
"""
from __future__ import annotations

import re

#: Characters that may end a complete paragraph: sentence-final punctuation,
#: colons (a paragraph introducing a list) and closing quotes/brackets.
TERMINAL = frozenset("。！？!?…；;：:.．”’」』）)》】〕]")
_SENTENCE = re.compile(r"[。，；,;！？!?]")
_CLAUSE = re.compile(r"[。，；,;]")
_FULL_STOP = re.compile(r"[。；;！？!?]")

_SECTION = re.compile(r"^[【〖［\[][^【】〖〗\[\]［］]{1,24}[】〗］\]]$")
_NOTE = re.compile(
    r"^[(（\[【]?\s*(?:作者单位|作者系|作者为|作者简介|作者是|注[：:]|注释|附注|说明[：:]|资料来源|数据来源"
    r"|来源[：:]|稿件来源|责任编辑|责编|编辑[：:]|校对|审校|审核|监制|美编|原标题|图片来源|供图|摄影"
    r"|本文系|本文为|本文来源|转载自|摘自)"
)
_PARENTHETICAL = re.compile(r"^[(（][^()（）]{1,60}[)）]$")
_BYLINE_GLYPH = re.compile(r"^[□■◎○●◇◆△▲☆★▽▼◉⊙▪▫◈]\s*\S")
_BYLINE_WORD = re.compile(
    r"^(?:本报|本刊|本台|新华社|中新社|人民日报)?(?:见习|特约|首席|实习)?"
    r"(?:记者|通讯员|评论员|撰稿人?|撰文|作者|执笔)[\s：:／/|｜]*\S"
    r"|^(?:文|图|文图|文／图|文/图|图／文|图/文)\s*[／/|｜：:]\s*\S"
)
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十百零〇]{1,4}[、．.]"
    r"|[（(][一二三四五六七八九十百零〇]{1,4}[)）]"
    r"|第[一二三四五六七八九十百零〇\d]{1,4}[章节部分篇条编卷]"
    r"|\d{1,2}[、．](?!\d)|\d{1,2}\.(?!\d)"
    r"|[（(]\d{1,2}[)）]|[①-⑳⑴-⒇❶-❿])"
)
_BULLET = re.compile(r"^(?:[●•·▪◆◇■□▲△★☆◎○>※]|——|--|-\s|\*\s)")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S")
_SUBTITLE = re.compile(r"^(?:——|--|—)\s*\S")
_SALUTATION_WORDS = re.compile(r"代表|同志|朋友|女士|先生|们|各位|尊敬|亲爱")


def visible_len(text: str) -> int:
    """Number of non-whitespace characters."""
    return len(text) - sum(1 for c in text if c.isspace())


def ends_terminal(text: str) -> bool:
    """True when the block ends like a complete paragraph (。！？：” …)."""
    t = text.rstrip()
    return bool(t) and t[-1] in TERMINAL


def starts_new_item(text: str) -> bool:
    """True when the block opens with a numbering or bullet marker."""
    return bool(_NUMBERED.match(text) or _BULLET.match(text))


def classify(text: str) -> tuple[str, str]:
    """Return ``(kind, role)`` for one block of cleaned text."""
    t = text.strip()
    n = visible_len(t)
    if not any(c.isalnum() for c in t):
        return "other", "symbols"
    if not any(c.isalpha() for c in t) and n <= 40:
        return "other", "number"  # page numbers, dates as digits, figures
    if _MARKDOWN_HEADING.match(t) and n <= 80:
        return "heading", "markdown"
    if n <= 26 and _SECTION.match(t):
        return "section", "section"
    if n <= 200 and _NOTE.match(t):
        return "note", "note"
    has_clause = bool(_CLAUSE.search(t))
    if n <= 26 and not has_clause and (_BYLINE_GLYPH.match(t) or _BYLINE_WORD.match(t)):
        return "byline", "byline"
    if _PARENTHETICAL.match(t) and n <= 62:
        return "note", "parenthetical"
    if _NUMBERED.match(t):
        if n <= 50 and not _FULL_STOP.search(t[:-1]) and t[-1] not in "，、,":
            return "heading", "numbered"
        return "body", "numbered"
    if n <= 20 and t[-1] in "：:！!" and not _SENTENCE.search(t[:-1]) and _SALUTATION_WORDS.search(t):
        return "other", "salutation"
    if n <= 24 and t[-1] in "：:" and not _SENTENCE.search(t[:-1]):
        return "heading", "label"
    if _SUBTITLE.match(t) and n <= 60 and not has_clause:
        return "title", "subtitle"
    if _BULLET.match(t):
        return "body", "bullet"
    if n <= 40 and not has_clause and t[-1] not in "：:." and not t[0].islower():
        return "title", "title"
    if n <= 40 and has_clause and not _FULL_STOP.search(t) and t[-1] not in TERMINAL and t[-1] not in "，、,":
        return "heading", "unnumbered"  # 三年来，社区服务网络日益完善
    return "body", "body"
