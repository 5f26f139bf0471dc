"""The reading invariant, on hypothesis-generated text and on every format.

For every ``ok`` document ``d``::

    strip_ws("".join(p.text for p in d.paragraphs)) == strip_ws(clean(d.text))

``clean`` removes control characters (Cc that are not whitespace), ``strip_ws``
removes every whitespace character. Each paragraph also reproduces its own
spans: ``strip_ws(p.text) == strip_ws(clean(concat(d.text[s:e] for spans)))``.
"""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.reading import DocumentStatus, read_document
from pipeline.reading.paragraphs import clean, split_blocks, strip_ws

PIECES = [
    "\n", "\n\n", "\r\n", "\r", "\u3000\u3000", "\u3000", " ", "  ", "\t", "\x00", "\x07", "\x7f", "\x85",
    "\u2028", "\x0c", "。", "，", "！", "？", "：", "；", "、", "“", "”", "（", "）", "【", "】", "□", "◎", "——",
    "一、", "（五）", "作者单位：", "记者", "各位代表：", "的", "民生", "教育", "就业", "医疗", "养老",
    "發展", "經濟", "ｆｕｌｌ１２", "abc", "Hello world.", "12", "😀", "\ufeff", "\u200b",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=60).map("".join)


def check_invariant(doc) -> None:
    assert doc.status is not DocumentStatus.UNREADABLE, doc.reason
    joined = strip_ws("".join(p.text for p in doc.paragraphs))
    assert joined == strip_ws(clean(doc.text))
    for n, p in enumerate(doc.paragraphs):
        assert p.id == f"{doc.id}#p{n}" and p.index == n
        assert 0 <= p.start < p.end <= len(doc.text)
        assert list(p.spans) == sorted(p.spans)
        assert strip_ws(p.text) == strip_ws(clean("".join(doc.text[s:e] for s, e in p.spans)))
        assert p.text == p.text.strip() and p.text  # trimmed, never empty
    if doc.status is DocumentStatus.EMPTY:
        assert not strip_ws(clean(doc.text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_invariant_on_generated_text(text: str) -> None:
    doc = read_document(text, name="gen.txt")
    if text:
        check_invariant(doc)
    assert read_document(text, name="gen.txt") == doc  # deterministic


@settings(max_examples=200, deadline=None)
@given(texts)
def test_blocks_never_contain_line_breaks(text: str) -> None:
    for b in split_blocks(text):
        assert b.text == clean(text[b.start : b.end])
        assert not any(c in b.text for c in "\n\r\u2028\u2029\x85")


@settings(max_examples=100, deadline=None)
@given(st.lists(texts, min_size=1, max_size=5))
def test_invariant_on_generated_jsonl(records: list[str]) -> None:
    data = "\n".join(json.dumps({"id": f"k{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(records))
    doc = read_document(data, name="gen.jsonl")
    check_invariant(doc)
    # paragraphs never straddle records and carry their record id
    for p in doc.paragraphs:
        assert p.record_id is not None and p.record_id.startswith("k")


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, min_size=1, max_size=4))
def test_invariant_on_generated_html(chunks: list[str]) -> None:
    import html

    page = "<html><body>" + "".join(f"<p>{html.escape(c)}</p>" for c in chunks) + "</body></html>"
    doc = read_document(page, name="gen.html")
    if doc.status is not DocumentStatus.EMPTY:
        check_invariant(doc)


def test_invariant_on_every_format(tmp_path) -> None:
    """The same small text read from each supported container keeps every character."""
    import docx

    broken = "这是一段被版面分页打断的较长正文，前半段讲城乡居民的就业、教育、医疗和养老，后半段没有结"
    paras = ["标题一行", "正文第一段，讲就业和\x00教育。", broken, "束在这里。", "Hello world."]
    made = {}
    made["a.txt"] = "\n\n".join(paras).encode("gb18030")
    made["b.md"] = ("# " + "\n\n".join(paras)).encode("utf-16")
    made["c.html"] = ("<html><body>" + "".join(f"<p>{p}</p>" for p in paras) + "</body></html>").encode("utf-8")
    d = docx.Document()
    for p in paras:
        d.add_paragraph(p.replace("\x00", ""))
    d.save(tmp_path / "d.docx")
    made["e.jsonl"] = "\n".join(json.dumps({"id": i, "text": p}, ensure_ascii=False)
                                for i, p in enumerate(paras)).encode("utf-8")
    made["f.csv"] = ("id,text\n" + "\n".join(f'{i},"{p}"' for i, p in enumerate(paras))).encode("utf-8-sig")
    from test_reading_formats import minimal_pdf  # tests/ is on sys.path (pytest rootdir, prepend mode)

    made["g.pdf"] = minimal_pdf(["Employment rose this year in most regions, and wages", "grew with it.",
                                 "Pensions were raised."])
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    for path in sorted(tmp_path.iterdir()):
        doc = read_document(path)
        assert doc.status is DocumentStatus.OK, (path.name, doc.reason)
        check_invariant(doc)
        texts = [p.text for p in doc.paragraphs]
        if path.suffix == ".pdf":
            assert texts == ["Employment rose this year in most regions, and wages grew with it.",
                             "Pensions were raised."]
        elif path.suffix not in (".jsonl", ".csv"):  # records are hard boundaries
            assert broken + "束在这里。" in texts, path.name
