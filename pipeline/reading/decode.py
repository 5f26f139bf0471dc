"""Bytes → text, recording which encoding was used.

Order, cheapest and surest first:

1. a byte-order mark (UTF-8, UTF-32 LE/BE, UTF-16 LE/BE) decides;
2. strict UTF-8 (most files today; pure ASCII is reported as ``utf-8``);
3. BOM-less UTF-16, recognised by NUL bytes in every other position;
4. Chinese first: if the bytes decode strictly as GB18030 and/or Big5 into
   mostly-CJK text, the decoding whose ideographs are most often *common*
   characters (GB2312 level 1; Big5 text compared after t2s) wins when that
   share is ≥ 60 % -- unless charset-normalizer finds another reading at
   least 0.1 less chaotic (Korean EUC-KR bytes also decode as common GB
   characters) -- ties going to GB18030. GB2312 and GBK are subsets of
   GB18030, so GB-family text is always decoded as GB18030 (never lossy).
   This comes before charset-normalizer because the detector guesses short
   Chinese files badly (two GBK characters such as 教育 come back as Big5);
5. otherwise charset-normalizer decides (Japanese, Korean, Cyrillic, Latin
   code pages ...), a GB-family guess again meaning GB18030.

Between 3 and 4, text that is UTF-8 but for a few damaged bytes (at least
three valid multi-byte characters per invalid sequence, and at most
:data:`MAX_DAMAGE` of them; GB18030 or Big5 bytes are almost never valid
multi-byte UTF-8) is decoded as UTF-8 with each invalid sequence shown as
U+FFFD: :func:`decode_with_damage` says where (byte and character offsets),
so the damaged paragraph can be named instead of losing the whole file.

Failure raises :class:`DecodeError` with the reason; callers turn it into an
``unreadable`` document.
"""
from __future__ import annotations

import codecs
from functools import lru_cache

from ..errors import MinshengError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it shares the prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn", "iso2022_cn"}
_BIG5_FAMILY = {"big5", "big5hkscs", "cp950"}


class DecodeError(MinshengError, ValueError):
    """The bytes are not text in any encoding we can recognise."""


def _cjk_ratio(text: str) -> float:
    """Share of non-space characters that are CJK ideographs or CJK punctuation."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    cjk = sum(1 for c in chars if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef")
    return cjk / len(chars)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Decode BOM-less UTF-16 when NULs sit in every other byte (ASCII-heavy)."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for zeros, enc in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros.count(0) >= 0.4 * len(zeros) and (even if zeros is odd else odd).count(0) == 0:
            return _try(data, enc)
    return None


#: Most invalid UTF-8 sequences a file may have and still be read as damaged UTF-8.
MAX_DAMAGE = 1000


def _damaged_utf8(data: bytes) -> tuple[str, list[tuple[int, int]]] | None:
    """UTF-8 with a few invalid sequences: ``(text, [(char_offset, byte_offset), ...])``."""
    bad: list[tuple[int, int]] = []

    def record(exc: UnicodeDecodeError):
        bad.append((exc.start, exc.end))
        if len(bad) > MAX_DAMAGE:
            raise exc
        return "\ufffd", exc.end

    codecs.register_error("minsheng-damage", record)
    try:
        text = data.decode("utf-8", "minsheng-damage")
    except UnicodeDecodeError:
        return None
    wide = sum(1 for c in text if not c.isascii()) - len(bad)  # valid multi-byte characters
    if not bad or len(bad) * 3 > wide:
        return None
    damage, chars, prev = [], 0, 0
    for start, end in bad:  # between damaged ranges the bytes are valid UTF-8
        chars += len(data[prev:start].decode("utf-8"))
        damage.append((chars, start))
        chars += 1
        prev = end
    return text, damage


def damage_warning(damaged: list[tuple[int, int]], where: str = "") -> str:
    """One line saying where invalid bytes were replaced (byte offsets, the first 10)."""
    offsets = ", ".join(str(b) for _, b in damaged[:10]) + (" ..." if len(damaged) > 10 else "")
    return (f"{len(damaged)} invalid UTF-8 byte sequence(s){where} at byte offset(s) {offsets}, "
            f"shown as U+FFFD; the rest of the file was read")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; the BOM, if any, is not part of ``text``.

    ``encoding`` is a Python codec name as detected: ``utf-8``, ``utf-8-sig``,
    ``utf-16``, ``utf-16-le``, ``utf-32``, ``gb18030``, ``big5``, ...
    """
    text, enc, _ = decode_with_damage(data)
    return text, enc


def decode_with_damage(data: bytes) -> tuple[str, str, list[tuple[int, int]]]:
    """:func:`decode_bytes`, plus the ``(char_offset, byte_offset)`` of every invalid
    sequence shown as U+FFFD when the bytes are slightly damaged UTF-8 (else ``[]``)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = _try(data, enc)
            if text is None:
                raise DecodeError(
                    f"file starts with a {enc} byte-order mark but is not valid {enc}; "
                    "re-save it in one encoding (UTF-8 recommended)"
                )
            if enc in ("utf-16", "utf-32"):
                enc += "-le" if data[:2] == b"\xff\xfe" else "-be"
            return text, enc, []
    text = _try(data, "utf-8")
    if text is not None:
        return text, "utf-8", []
    text = _utf16_without_bom(data)
    if text is not None:
        return text, "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", []
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged[0], "utf-8", damaged[1]
    text, enc = _detect(data)
    try:
        enc = codecs.lookup(enc).name  # 'utf_16_le' -> 'utf-16-le', one spelling per codec
    except LookupError:
        pass
    return text, enc, []


@lru_cache(maxsize=1)
def _gb_level1() -> frozenset[str]:
    """The 3,755 GB2312 level-1 characters: ~99.7 % of running modern Chinese text."""
    chars = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


_COMMON_PUNCT = frozenset("。，、；：？！“”‘’（）《》〈〉【】—…·「」『』％０１２３４５６７８９\u3000")


def _common_rate(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters that are common Chinese characters.

    Common = GB2312 level-1 ideographs (Big5 text compared after t2s) and
    everyday CJK punctuation. Correctly decoded Chinese scores near 1; the
    same bytes decoded with the wrong Chinese codec give a scatter of rare
    ideographs and box-drawing symbols.
    """
    wide = [c for c in text if not c.isascii() and not c.isspace()]
    if not wide:
        return 0.0
    if encoding == "big5":
        from .traditional import char_to_simplified

        wide = [char_to_simplified(c) for c in wide]
    common = _gb_level1()
    return sum(1 for c in wide if c in common or c in _COMMON_PUNCT) / len(wide)


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    scored = []
    for enc in ("gb18030", "big5"):
        text = _try(data, enc)
        if text is not None and _cjk_ratio(text) >= 0.3:
            # ties go to GB18030 (True > False), the superset of GB2312/GBK
            scored.append((_common_rate(text, enc), enc == "gb18030", text, enc))
    best_cjk = max(scored) if scored else None
    results = from_bytes(data)
    best = results.best()
    guess = best.encoding.lower() if best is not None else None
    if best_cjk is not None and best_cjk[0] >= 0.6:
        # Keep the Chinese reading unless the detector found a clearly less
        # chaotic one (Korean EUC-KR bytes are valid, 'common' GB18030).
        chaos = {m.encoding.lower(): m.chaos for m in results}
        own = chaos.get(best_cjk[3], 1.0)
        if best is None or guess in _GB_FAMILY | _BIG5_FAMILY or own - best.chaos < 0.1:
            return best_cjk[2], best_cjk[3]
        return str(best), guess
    by_enc = {enc: text for _, _, text, enc in scored}
    if guess in _BIG5_FAMILY and "big5" in by_enc:
        return by_enc["big5"], "big5"
    if guess in _GB_FAMILY and "gb18030" in by_enc:
        return by_enc["gb18030"], "gb18030"
    if best is not None:
        return str(best), guess or "unknown"
    if best_cjk is not None:
        return best_cjk[2], best_cjk[3]
    raise DecodeError(
        "bytes are not valid UTF-8, UTF-16, GB18030 or Big5 and charset-normalizer found no "
        "plausible encoding; re-save the file as UTF-8"
    )
