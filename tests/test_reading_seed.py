"""Acceptance on the shared newspaper page: logical paragraphs, kinds, and the
same paragraphs from every encoding / container the page can be saved in.

The page's sentences are read from ../shared at run time (never copied here);
the derived files are written to tmp_path by the tests themselves.
"""
from __future__ import annotations

import html as html_lib
from collections import Counter
from pathlib import Path

import pytest

from pipeline.reading import DocumentStatus, read_corpus, read_document
from pipeline.reading.paragraphs import clean, strip_ws

pytestmark = pytest.mark.shared


def _lines(seed: Path) -> list[str]:
    return [line for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]


def _summary(doc) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in doc.paragraphs]


def test_seed_logical_paragraphs(seed_page: Path) -> None:
    doc = read_document(seed_page)
    assert doc.status is DocumentStatus.OK and doc.encoding == "utf-8"
    kinds = Counter(p.kind for p in doc.paragraphs)
    assert kinds == {"body": 18, "title": 5, "byline": 5, "note": 1, "section": 1}
    assert len(doc.paragraphs) == 30
    # exactly three paragraphs were re-joined, each from two fragments
    merged = [p for p in doc.paragraphs if p.merged_from > 1]
    assert [p.merged_from for p in merged] == [2, 2, 2]
    # the fragments joined at the right places: the page's own block boundaries
    blocks = _lines(seed_page)
    for p in merged:
        first, second = (doc.text[s:e] for s, e in p.spans)
        assert first in blocks and second in blocks
        assert blocks.index(second) == blocks.index(first) + 1
        assert p.text == first + second
        assert first[-1] not in "。！？”" and p.kind == "body"
    # titles, bylines and the section marker keep their page order around the bodies
    order = "".join({"title": "T", "byline": "B", "body": "b", "note": "N", "section": "S"}[p.kind]
                    for p in doc.paragraphs)
    assert order == "TB" + "b" * 6 + "NS" + "TBbbb" * 4


def test_seed_ids_offsets_and_invariant(seed_page: Path) -> None:
    doc = read_document(seed_page)
    assert [p.id for p in doc.paragraphs] == [f"{doc.id}#p{n}" for n in range(len(doc.paragraphs))]
    for p in doc.paragraphs:
        assert p.start == p.spans[0][0] and p.end == p.spans[-1][1]
        assert strip_ws(p.text) == strip_ws(clean("".join(doc.text[s:e] for s, e in p.spans)))
    assert strip_ws("".join(p.text for p in doc.paragraphs)) == strip_ws(clean(doc.text))
    again = read_document(seed_page)
    assert again == doc  # deterministic, ids included


def _write_variants(seed: Path, folder: Path) -> dict[str, Path]:
    text = seed.read_text(encoding="utf-8")
    out = {
        "gb18030": folder / "page_gb.txt",
        "utf16": folder / "page_utf16.txt",
        "utf8bom_crlf": folder / "page_bom_crlf.txt",
        "docx": folder / "page.docx",
        "html": folder / "page.html",
    }
    out["gb18030"].write_bytes(text.encode("gb18030"))
    out["utf16"].write_bytes(text.encode("utf-16"))  # with BOM
    out["utf8bom_crlf"].write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    import docx

    d = docx.Document()
    for line in _lines(seed):
        d.add_paragraph(line)
    d.save(out["docx"])
    body = "\n".join(f"<p>{html_lib.escape(line)}</p>" for line in _lines(seed))
    out["html"].write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>page</title>"
        "<style>p{margin:0}</style><script>var menu = '首页 新闻';</script></head><body>"
        "<nav><a href='/'>首页</a> <a href='/news'>新闻</a></nav><header>网站页头</header>"
        f"<div class='content'>\n{body}\n</div><footer>版权所有</footer></body></html>",
        encoding="utf-8",
    )
    return out


def test_seed_same_paragraphs_in_every_encoding_and_format(seed_page: Path, tmp_path: Path) -> None:
    reference = _summary(read_document(seed_page))
    variants = _write_variants(seed_page, tmp_path)
    expected_encoding = {"gb18030": "gb18030", "utf16": "utf-16-le", "utf8bom_crlf": "utf-8-sig"}
    for label, path in variants.items():
        doc = read_document(path)
        assert doc.status is DocumentStatus.OK, (label, doc.reason)
        assert _summary(doc) == reference, label
        if label in expected_encoding:
            assert doc.encoding == expected_encoding[label], label
        assert strip_ws("".join(p.text for p in doc.paragraphs)) == strip_ws(clean(doc.text)), label


def test_seed_variants_as_a_corpus(seed_page: Path, tmp_path: Path) -> None:
    _write_variants(seed_page, tmp_path)
    docs = list(read_corpus(tmp_path))
    assert [d.id for d in docs] == sorted(d.id for d in docs)
    assert {len(d.paragraphs) for d in docs} == {30}
    assert all(p.id.startswith(d.id + "#p") for d in docs for p in d.paragraphs)
