"""Analysis terms from segmented words: content words in, function words out.

This is the spaCy-free half of the bridge: it sees only ``(word, tag)`` pairs.
With PKU tags (pkuseg / People's Daily), content words are kept by tag; when
tags are absent (a segmenter without a tagger) a stop-word list plus a
character-class filter approximates the same choice.  Optional bigrams join
adjacent content words without a separator, so the bigram 养老+保险 and the
word 养老保险 become the same term (segmenters disagree on such compounds).
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

#: PKU tags kept as content words: nouns, verbs, verbal/adjectival nouns,
#: adjectives, idioms (i), fixed expressions (l), abbreviations (j), place/org names.
CONTENT_TAGS = frozenset({"n", "nr", "ns", "nt", "nz", "nx", "ng", "v", "vn", "vd", "vg", "a",
                          "an", "ad", "ag", "i", "l", "j", "s", "b"})
#: Tag prefixes dropped: punctuation, numbers, quantifiers, pronouns, prepositions,
#: particles, conjunctions, adverbs, interjections, onomatopoeia, time, locality.
DROP_TAGS = frozenset({"w", "m", "q", "r", "p", "u", "c", "d", "e", "o", "y", "t", "f", "x",
                       "h", "k", "mq", "tg", "rg", "dg", "Rg", "Mg", "Tg", "Dg", "Yg"})

STOP_WORDS = frozenset("""
的 了 和 与 及 以及 或 或者 在 是 为 对 把 被 将 从 向 于 由 以 按照 根据 通过 关于 等 等等 之 其
这 那 这些 那些 这个 那个 这样 那样 这种 各 各类 各项 各种 每 一个 一些 一批 一项 我们 你们 他们 她们 它们
我 你 他 她 它 自己 大家 要 也 都 还 又 就 才 更 最 很 更加 进一步 不断 继续 已经 正在 曾经 仍 仍然 并 并且
而 而且 但 但是 因此 所以 如果 虽然 同时 此外 其中 其他 有关 相关 方面 情况 方面 加强 推进
推动 实施 加快 坚持 完善 提升 促进 实现 进行 开展 做好 抓好 深化 健全 强化 支持 落实 全面 积极
切实 着力 努力 大力 重点 主要 重要 今年 去年 明年 五年 过去 当前 今后 目前 年来 以来
一年 多年 左右 以上 以下 以内 超过 达到 提出 作为 成为 取得 明显 显著 有效 不少 良好
新 好 大 多 少 高 低 上 下 中 内 外 前 后 说 看 有 没有 无 不 没 会 能 可 可以 应 应当 必须 需要 让 使 给
""".split())

#: Marks a sentence end inside a paragraph's terms: the featurizer puts it between two
#: sentences (after 。！？；), every vectoriser leaves it out, and the ``lead`` evidence reads
#: the terms before the first one (a report paragraph states its subject in its first sentence).
SENTENCE_END = "。"
#: Words that end a sentence (full and half width).
SENTENCE_PUNCT = frozenset("。！？；!?;")
#: Marks a clause end inside a sentence (after ，、：): the ``clauses`` evidence counts the
#: clauses that name a domain; like :data:`SENTENCE_END`, no vectoriser counts it.
CLAUSE_END = "，"
#: Words that end a clause but not a sentence (full and half width).
CLAUSE_PUNCT = frozenset("，、：,:")
#: Both marks.
MARKS = frozenset({SENTENCE_END, CLAUSE_END})

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DIGIT = re.compile(r"[0-9０-９]")
_NON_CONTENT = re.compile(r"^[\W\d_０-９Ａ-Ｚａ-ｚ一二三四五六七八九十百千万亿两几第%％.·]+$")


def is_content_word(word: str, tag: str = "") -> bool:
    """Whether *word* (with PKU *tag*, or ``""`` when untagged) is a content word."""
    if not word or word in STOP_WORDS or not _HAN.search(word) or _DIGIT.search(word):
        return False
    if tag:
        if tag in CONTENT_TAGS:
            return len(word) > 1
        if tag in DROP_TAGS or tag[:1] in {"w", "m", "q", "r", "p", "u", "c", "d", "e", "o", "y"}:
            return False
        return len(word) > 1
    # Untagged fallback: a character-class filter standing in for the tagger.
    if _NON_CONTENT.match(word):
        return False
    return len(word) > 1


def terms_from_tagged(words: Sequence[str], tags: Sequence[str] | None = None,
                      bigrams: bool = True) -> list[str]:
    """Content-word terms of one paragraph, plus joined bigrams of adjacent content words,
    with sentence and clause marks where punctuation ends one."""
    if tags is None or len(tags) != len(words):
        tags = [""] * len(words)
    stripped = ((word.strip(), tag) for word, tag in zip(words, tags))
    return join_terms((mark_of(w) or (w if is_content_word(w, t) else None) for w, t in stripped),
                      bigrams)


def mark_of(word: str) -> str | None:
    """:data:`SENTENCE_END` or :data:`CLAUSE_END` for a word that ends a sentence or a
    clause, else None."""
    if word in SENTENCE_PUNCT:
        return SENTENCE_END
    return CLAUSE_END if word in CLAUSE_PUNCT else None


def join_terms(tokens: Iterable[str | None], bigrams: bool = True) -> list[str]:
    """Each token's term (None: the token is not one) in order, and with *bigrams* each
    pair of adjacent terms joined without a space (a non-term breaks the pair).
    Mark tokens (:data:`SENTENCE_END`, :data:`CLAUSE_END`) are kept between two clauses'
    terms, never first, last or twice in a row (a sentence end outranks a clause end)."""
    out: list[str] = []
    prev: str | None = None
    for term in tokens:
        if term is None or term in MARKS:
            if term is not None and out:
                if out[-1] not in MARKS:
                    out.append(term)
                elif term == SENTENCE_END:
                    out[-1] = term
            prev = None
            continue
        out.append(term)
        if bigrams and prev is not None:
            out.append(prev + term)
        prev = term
    if out and out[-1] in MARKS:
        out.pop()
    return out


def without_marks(terms: Sequence[str]) -> list[str]:
    """*terms* without sentence and clause marks (what every vectoriser counts)."""
    return [t for t in terms if t not in MARKS]


def as_term_lists(docs: Iterable[Sequence[str] | str]) -> list[list[str]]:
    """Accept lists of terms or space-joined term strings; return lists of terms (sentence
    and clause marks left out)."""
    out = []
    for d in docs:
        if isinstance(d, str):
            out.append(without_marks(d.split()))
        elif d is None:
            out.append([])
        else:
            out.append(without_marks([str(t) for t in d]))
    return out
