"""Formats and encodings: each reader on files the test writes itself."""
from __future__ import annotations

import io
import json

import pytest

from pipeline.reading import DocumentStatus, read_document
from pipeline.reading.decode import decode_bytes

SAMPLE = "推进就业优先政策\n\n城乡居民收入稳步增长，养老保险覆盖面继续扩大。\n\n（五）加强基本医疗保障\n"
TRAD = "醫療衛生體系持續完善，養老服務網絡覆蓋城鄉。\n\n學校教育質量穩步提升，讓每個孩子都能享有公平而有質量的教育。\n"


def minimal_pdf(lines: list[str] | None) -> bytes:
    """A one-page PDF; with ``lines`` a Helvetica text layer, else an empty page."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    if lines:
        ops = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({t}) Tj T*" for t in lines) + " ET"
        objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    "/Resources << /Font << /F1 5 0 R >> >> >>")
        objs.append(f"<< /Length {len(ops)} >>\nstream\n{ops}\nendstream")
        objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    else:
        objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
    ("gb2312", "gb18030"), ("utf-16", "utf-16-le"), ("utf-16-be", None), ("utf-16-le", None),
])
def test_encodings_detected_and_decoded(encoding: str, expected: str | None) -> None:
    data = SAMPLE.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    text, detected = decode_bytes(data)
    assert text == SAMPLE
    if expected:
        assert detected == expected
    doc = read_document(data, name="x.txt")
    assert [p.kind for p in doc.paragraphs] == ["title", "body", "heading"]


def test_big5_traditional_detected_and_simplified_copy() -> None:
    doc = read_document(TRAD.encode("big5"), name="trad.txt")
    assert doc.status is DocumentStatus.OK and doc.encoding == "big5"
    assert doc.is_traditional
    first = doc.paragraphs[0]
    assert first.text.startswith("醫療衛生")  # original kept
    assert first.analysis_text.startswith("医疗卫生")  # simplified copy for analysis
    simplified = read_document(SAMPLE, name="s.txt")
    assert not simplified.is_traditional
    assert [p.analysis_text for p in simplified.paragraphs] == [p.text for p in simplified.paragraphs]


def test_analysis_text_folds_width_variants_only() -> None:
    doc = read_document("２０２４年，ＧＤＰ增长５．２％。\u3000注意\u200b全角。", name="w.txt")
    p = doc.paragraphs[0]
    assert p.text.startswith("２０２４年")
    assert p.analysis_text == "2024年，GDP增长5．2％。 注意全角。"


def test_crlf_control_chars_and_offsets() -> None:
    raw = "标题\r\n\r\n第一段有\x00控制\x07字符。\r\n\u3000\u3000第二段缩进。\u3000\u3000第三段同行。"
    doc = read_document(raw, name="c.txt")
    assert [p.text for p in doc.paragraphs] == ["标题", "第一段有控制字符。", "第二段缩进。", "第三段同行。"]
    p = doc.paragraphs[1]
    assert doc.text[p.start:p.end] == "第一段有\x00控制\x07字符。"


def test_indented_line_starts_new_paragraph_even_without_final_punctuation() -> None:
    text = "这一段写到最后没有句号而且相当长，足够长地描述了城乡居民的就业和收入情况以及下一步安排\n\u3000\u3000新的一段从缩进开始。"
    doc = read_document(text, name="i.txt")
    assert len(doc.paragraphs) == 2


def test_heading_never_merged_into_body() -> None:
    text = ("这是正文的一部分，描述了许多内容，而且相当长，足够长，但是作者忘了写句号，继续写一些字使它更长一些\n\n"
            "二、推进教育公平\n\n正文继续。")
    doc = read_document(text, name="h.txt")
    assert [p.kind for p in doc.paragraphs] == ["body", "heading", "body"]


def test_title_fragment_starting_with_particle_is_merged() -> None:
    text = "在各项工作中要始终把群众放在心上，这是关系到千家万户日常生活\n\n的大事\n\n三、下一步安排"
    doc = read_document(text, name="f.txt")
    assert doc.paragraphs[0].text.endswith("日常生活的大事") and doc.paragraphs[0].merged_from == 2
    assert [p.kind for p in doc.paragraphs] == ["body", "heading"]


def test_html_main_text_without_scripts_or_menus() -> None:
    page = """<html><head><title>t</title><script>alert('x')</script><style>p{}</style></head>
    <body><nav>首页 | 新闻 | 关于</nav><header>网站标题</header>
    <article><h1>推进养老服务</h1><p>各地加快建设社区养老
    服务站点，<b>覆盖</b>城乡。</p><p>第二段<br>换行。</p><!-- 注释 --></article>
    <aside>广告</aside><footer>版权</footer></body></html>"""
    doc = read_document(page.encode("gb18030"), name="p.htm")
    assert doc.format == "html" and doc.status is DocumentStatus.OK
    texts = [p.text for p in doc.paragraphs]
    assert texts == ["推进养老服务", "各地加快建设社区养老服务站点，覆盖城乡。", "第二段", "换行。"]
    assert not any(w in doc.text for w in ("首页", "alert", "广告", "版权", "注释", "网站标题"))


def test_docx_paragraphs_and_tables_in_order(tmp_path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("文件标题")
    d.add_paragraph("第一段，介绍就业情况。")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "表格左格。"
    table.cell(0, 1).text = "表格右格。"
    d.add_paragraph("")
    d.add_paragraph("最后一段。")
    path = tmp_path / "r.docx"
    d.save(path)
    doc = read_document(path)
    assert doc.format == "docx" and doc.encoding is None
    assert [p.text for p in doc.paragraphs] == ["文件标题", "第一段，介绍就业情况。", "表格左格。", "表格右格。", "最后一段。"]


def test_pdf_with_and_without_text_layer(tmp_path) -> None:
    with_text = read_document(minimal_pdf(["Employment rose this year.", "Pensions were raised."]), name="a.pdf")
    assert with_text.status is DocumentStatus.OK, with_text.reason
    assert "Employment rose this year." in [p.text for p in with_text.paragraphs]
    scan = read_document(minimal_pdf(None), name="scan.pdf")
    assert scan.status is DocumentStatus.UNREADABLE and "no text layer" in scan.reason and "OCR" in scan.reason
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    blank = read_document(buf.getvalue(), name="blank.pdf")
    assert blank.status is DocumentStatus.UNREADABLE and "no text layer" in blank.reason


def test_jsonl_and_csv_fields() -> None:
    rows = [{"key": "a1", "body": "第一条记录。\n\n第二段"}, {"key": "b2", "body": "另一条记录，没有句号"},
            {"key": "c3"}]
    jl = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    doc = read_document(jl, name="r.jsonl", text_field="body", id_field="key")
    assert doc.status is DocumentStatus.OK
    assert [(p.record_id, p.text) for p in doc.paragraphs] == [
        ("a1", "第一条记录。"), ("a1", "第二段"), ("b2", "另一条记录，没有句号")]
    assert any("record 2" in w for w in doc.warnings)
    missing = read_document(jl, name="r.jsonl")  # default text_field='text'
    assert missing.status is DocumentStatus.UNREADABLE
    assert "'text'" in missing.reason and "body" in missing.reason and "text_field" in missing.reason
    csv_doc = read_document("编号,正文\n1,就业稳定。\n2,\"教育，\n公平。\"\n".encode("gb18030"), name="t.csv",
                            text_field="正文", id_field="编号")
    assert [(p.record_id, p.text) for p in csv_doc.paragraphs] == [("1", "就业稳定。"), ("2", "教育，公平。")]
    bad = read_document('{"text": "ok"}\n{broken\n', name="bad.jsonl")  # the good line is kept
    assert bad.status is DocumentStatus.OK and [p.text for p in bad.paragraphs] == ["ok"]
    assert any("line 2" in w and "invalid JSON" in w for w in bad.warnings)
    worse = read_document('{broken\n', name="bad.jsonl")
    assert worse.status is DocumentStatus.UNREADABLE and "line 1" in worse.reason


def test_input_forms_and_call_errors(tmp_path) -> None:
    path = tmp_path / "n.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    by_path = read_document(path)
    by_str_path = read_document(str(path))
    by_bytes = read_document(path.read_bytes(), name="n.txt")
    by_text = read_document(SAMPLE, name="n.txt")
    assert by_path.id == by_bytes.id == by_text.id == "n.txt"
    assert by_path.paragraphs == by_str_path.paragraphs == by_bytes.paragraphs == by_text.paragraphs
    assert by_path.sha256 == by_bytes.sha256 == by_text.sha256
    assert read_document(SAMPLE, name="n.txt", doc_id="custom").paragraphs[0].id == "custom#p0"
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_document(tmp_path / "missing.txt")
    with pytest.raises(TypeError, match="name="):
        read_document(b"abc")
    d = by_path.to_dict()
    assert d["status"] == "ok" and d["paragraphs"][0]["id"] == "n.txt#p0" and json.dumps(d, ensure_ascii=False)


@pytest.mark.parametrize("text", ["教育", "民生", "就业稳定。", "民生实事清单", "推进托育服务 普惠发展"])
@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "gb2312"])
def test_short_gb_text_prefers_gb18030(text: str, encoding: str) -> None:
    """charset-normalizer alone calls these Big5 or CP949; the GB preference fixes it."""
    assert decode_bytes(text.encode(encoding)) == (text, "gb18030")


@pytest.mark.parametrize("text", ["教育", "民生", "就業穩定。", "政府工作報告", "醫療保障體系建設取得新進展。"])
def test_short_big5_text_stays_big5(text: str) -> None:
    assert decode_bytes(text.encode("big5")) == (text, "big5")


@pytest.mark.parametrize("text,encoding", [
    ("こんにちは、世界。日本語のテキストです。", "shift_jis"),
    ("안녕하세요 세계. 한국어 텍스트입니다.", "euc_kr"),
    ("Привет, мир. Это русский текст.", "cp1251"),
])
def test_other_encodings_left_to_charset_normalizer(text: str, encoding: str) -> None:
    decoded, detected = decode_bytes(text.encode(encoding))
    assert decoded == text and detected not in ("gb18030", "big5")


def test_forced_format_and_invalid_format() -> None:
    doc = read_document(b"<p>\xe6\xad\xa3\xe6\x96\x87\xe3\x80\x82</p>", name="page.dat", fmt="html")
    assert doc.format == "html" and [p.text for p in doc.paragraphs] == ["正文。"]
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match="fmt.*'docx'"):
        read_document(b"x", name="a.txt", fmt="doc")
