"""Hostile input to the reader (issue 13): one record per entry, nothing good lost,
every problem named with where it is."""
from __future__ import annotations

import io
import json
import os
import resource
import zipfile

import pytest

from hostile.make_hostile import build, text_pdf, tricky_docx, write_zip_bomb
from pipeline.errors import ConfigError
from pipeline.reading import DocumentStatus, read_corpus, read_document


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    expect = build(folder, long_chars=30_000)
    return folder, expect, {d.id: d for d in read_corpus(folder)}


def test_one_record_per_entry_with_reasons(hostile):
    folder, expect, docs = hostile
    assert sorted(docs) == sorted(expect)
    for doc_id, exp in expect.items():
        doc = docs[doc_id]
        assert str(doc.status) == exp.status, (doc_id, doc.reason)
        said = " ".join([doc.reason or ""] + list(doc.warnings) + [p.note or "" for p in doc.paragraphs])
        assert exp.reason_has in said, (doc_id, said)
        texts = [p.text for p in doc.paragraphs]
        for good in exp.good:
            assert texts.count(good) == 1, (doc_id, good, texts[:30])


def test_broken_jsonl_line_keeps_the_good_records(hostile):
    doc = hostile[2]["one_broken_line.jsonl"]
    assert [p.record_id for p in doc.paragraphs] == [f"r{i}" for i in range(6)]
    assert any("line 4: invalid JSON" in w for w in doc.warnings)
    assert any("'number'" in w and "int, not a string" in w for w in doc.warnings)


def test_one_invalid_byte_marks_its_paragraph_only(hostile):
    doc = hostile[2]["one_bad_byte.txt"]
    assert len(doc.paragraphs) == 24
    noted = [p for p in doc.paragraphs if p.note]
    assert [p.index for p in noted] == [10] and "\ufffd" in noted[0].text
    assert "byte offset(s)" in noted[0].note


def test_gb18030_is_still_gb18030_not_damaged_utf8():
    doc = read_document("第一段就业。\n\n教育公平，医疗保障。".encode("gb18030"), name="g.txt")
    assert doc.encoding == "gb18030" and not doc.warnings


def test_file_name_that_is_not_utf8_gets_a_printable_id(hostile):
    doc = hostile[2]["bad-\\xff-name.txt"]
    doc.id.encode("utf-8")  # storable anywhere
    assert doc.source.endswith("bad-\\xff-name.txt")


def test_lone_surrogate_becomes_replacement_character():
    doc = read_document(b'{"text": "\\ud800\\u517b\\u8001"}\n', name="s.jsonl")
    assert doc.paragraphs[0].text == "\ufffd养老"
    doc.paragraphs[0].text.encode("utf-8")


def test_docx_keeps_insertions_fields_boxes_and_merged_cells_once():
    data, good = tricky_docx()
    doc = read_document(data, name="t.docx")
    texts = [p.text for p in doc.paragraphs]
    for text in good:
        assert texts.count(text) == 1, (text, texts)
    assert not any("已删除" in t for t in texts)
    assert texts[-4:-1] == ["甲", "乙", "丙"]


def test_zip_bomb_docx_is_refused_without_inflating(tmp_path):
    path = tmp_path / "bomb.docx"
    write_zip_bomb(path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    doc = read_document(path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert doc.status is DocumentStatus.UNREADABLE and "inflate" in doc.reason
    assert grown_mb < 200


def test_deep_html_is_read_without_editing_the_tree(monkeypatch):
    """20,000 nested elements (65 s before: insert_after per block tag is quadratic in depth)."""
    from bs4 import Tag

    def refuse(*args, **kwargs):
        raise AssertionError("the HTML reader must not edit the tree per element")

    monkeypatch.setattr(Tag, "insert_after", refuse)
    monkeypatch.setattr(Tag, "insert_before", refuse)
    html = "<body>" + "<div><p>" * 10_000 + "深层正文。" + "</p></div>" * 10_000 + "<p>后面一段。</p></body>"
    doc = read_document(html.encode(), name="deep.html")
    assert [p.text for p in doc.paragraphs] == ["深层正文。", "后面一段。"]
    pre = read_document("<pre>第一行\n第二行</pre><p>正文<br>换行</p>".encode(), name="p.html")
    assert pre.text == "第一行\n第二行\n\n正文\n换行"


def test_special_files_and_links_get_a_row_and_are_never_opened(hostile):
    docs = hostile[2]
    for name in ("loop.txt", "dangling.txt", "outside.txt", "fifo.txt", "device.txt"):
        assert docs[name].status is DocumentStatus.UNREADABLE and docs[name].reason


def test_link_inside_the_folder_is_read(tmp_path):
    (tmp_path / "a.txt").write_text("养老。", encoding="utf-8")
    os.symlink("a.txt", tmp_path / "b.txt")
    assert [(d.id, str(d.status)) for d in read_corpus(tmp_path)] == [("a.txt", "ok"), ("b.txt", "ok")]


@pytest.mark.parametrize("kwargs", [{"glob": "/etc/*"}, {"glob": "../*"}, {"max_bytes": "abc"},
                                    {"max_bytes": 0}])
def test_bad_reader_call_is_a_config_error(tmp_path, kwargs):
    (tmp_path / "a.txt").write_text("养老。", encoding="utf-8")
    with pytest.raises(ConfigError):
        list(read_corpus(tmp_path, **kwargs))


def test_run_output_folder_inside_the_corpus_is_not_read(tmp_path):
    (tmp_path / "a.txt").write_text("养老。", encoding="utf-8")
    out = tmp_path / "runs" / "x"
    (out / ".minsheng-state").mkdir(parents=True)
    (out / "paragraphs.jsonl").write_text(json.dumps({"text": "输出"}), encoding="utf-8")
    assert [d.id for d in read_corpus(tmp_path)] == ["a.txt"]


def test_inflation_limit_counts_declared_sizes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b" " * (20 << 20))
    doc = read_document(buf.getvalue(), name="x.docx")
    assert doc.status is DocumentStatus.UNREADABLE and "x;" in doc.reason


def test_broken_line_with_one_document_per_record(hostile):
    folder = hostile[0]
    docs = list(read_corpus(folder, glob="one_broken_line.jsonl", unit="record"))
    assert [d.id for d in docs] == [f"one_broken_line.jsonl/r{i}" for i in range(6)]
    assert any("line 4: invalid JSON" in w for w in docs[0].warnings)
    sur = list(read_corpus(folder, glob="surrogate.jsonl", unit="record"))
    assert sur[0].paragraphs[0].text == "孤立代理项\ufffd之后的养老服务。"


def test_pypdf_warnings_become_the_documents_not_stderr(capfd):
    doc = read_document(text_pdf("Pension services"), name="x.pdf")
    assert doc.status is DocumentStatus.OK and doc.paragraphs[0].text == "Pension services"
    assert any(w.startswith("pypdf: incorrect startxref") for w in doc.warnings)
    assert "startxref" not in capfd.readouterr().err
