"""A hostile folder: one record per file, a reason for every non-ok status,
and no exception escaping ``read_corpus``."""
from __future__ import annotations

import os
import random

import pytest

from pipeline.reading import DocumentStatus, read_corpus
from pipeline.reading.paragraphs import clean, strip_ws


def blank_pdf() -> bytes:
    """A one-page PDF with no text layer (what a scan looks like to a text reader)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _hostile(folder) -> dict[str, DocumentStatus]:
    rng = random.Random(7)
    expected = {}

    def put(name: str, data: bytes, status: DocumentStatus) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expected[name] = status

    put("empty.txt", b"", DocumentStatus.EMPTY)
    put("only_space.txt", "  \n\u3000\u3000\n\x00\x00\r\n".encode(), DocumentStatus.EMPTY)
    put("binary.txt", bytes(rng.randrange(256) for _ in range(4096)), DocumentStatus.UNREADABLE)
    put("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(200), DocumentStatus.UNREADABLE)
    put("long_line.txt", ("民生就业教育医疗养老住房" * 60_000)[:666_666].encode(), DocumentStatus.OK)  # 2 MB
    put("nul_bytes.txt", "就业\x00稳定。\x00\x00\n\n教育\x00公平。".encode(), DocumentStatus.OK)
    put("latin.txt", b"Plain English only. Nothing Chinese here.\n\nSecond paragraph.", DocumentStatus.OK)
    put("emoji.txt", "😀😃😄\n\n🎉🎉".encode(), DocumentStatus.OK)
    put("scan.pdf", blank_pdf(), DocumentStatus.UNREADABLE)
    put("broken.pdf", b"%PDF-1.4\n garbage", DocumentStatus.UNREADABLE)
    put("bad_bom.txt", b"\xff\xfe\x00", DocumentStatus.UNREADABLE)  # UTF-16 BOM, odd tail
    put("not_docx.docx", b"this is not a zip", DocumentStatus.UNREADABLE)
    put("undecodable.txt", b"\x81\x30" * 3 + b"\xff\xfe\xfd" * 40 + b"\x80", DocumentStatus.UNREADABLE)
    put("unknown.xyz", b"some text", DocumentStatus.UNREADABLE)
    put("sub/dir/ok.md", "# 标题\n\n正文。".encode(), DocumentStatus.OK)
    put("table.csv", b"id,other\n1,2\n", DocumentStatus.UNREADABLE)  # no 'text' column
    put(".hidden.txt", b"skipped", DocumentStatus.OK)
    del expected[".hidden.txt"]
    return expected


def test_hostile_folder(tmp_path) -> None:
    expected = _hostile(tmp_path)
    docs = list(read_corpus(tmp_path))  # must not raise
    assert [d.id for d in docs] == sorted(expected)  # one record per file, sorted, hidden skipped
    for doc in docs:
        assert doc.status is expected[doc.id], (doc.id, doc.status, doc.reason)
        if doc.status is DocumentStatus.OK:
            assert doc.reason is None and doc.paragraphs
            assert strip_ws("".join(p.text for p in doc.paragraphs)) == strip_ws(clean(doc.text))
        else:
            assert doc.reason and len(doc.reason) > 10 and not doc.paragraphs, doc.id
        assert len(doc.sha256) == 64
    by_id = {d.id: d for d in docs}
    assert "no text layer" in by_id["scan.pdf"].reason
    assert "PNG" in by_id["image.txt"].reason
    assert "unsupported file type '.xyz'" in by_id["unknown.xyz"].reason
    assert [p.text for p in by_id["nul_bytes.txt"].paragraphs] == ["就业稳定。", "教育公平。"]
    assert {p.kind for p in by_id["emoji.txt"].paragraphs} == {"other"}
    long_doc = by_id["long_line.txt"]
    assert len(long_doc.paragraphs) == 1 and len(long_doc.paragraphs[0].text) == 666_666
    hidden = list(read_corpus(tmp_path, include_hidden=True))
    assert ".hidden.txt" in {d.id for d in hidden}


def test_unreadable_file_permissions(tmp_path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("文本。", encoding="utf-8")
    os.chmod(path, 0)
    try:
        docs = list(read_corpus(tmp_path))
        if os.geteuid() != 0:  # root can read anything
            assert docs[0].status is DocumentStatus.UNREADABLE and "cannot open" in docs[0].reason
        else:
            assert docs[0].status is DocumentStatus.OK
    finally:
        os.chmod(path, 0o644)


def test_corpus_ids_stable_and_glob(tmp_path) -> None:
    for name in ("b/2.txt", "a.txt", "b/10.txt", "c.html"):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("<p>内容。</p>" if name.endswith("html") else "内容。", encoding="utf-8")
    ids = [d.id for d in read_corpus(tmp_path)]
    assert ids == ["a.txt", "b/10.txt", "b/2.txt", "c.html"]
    assert ids == [d.id for d in read_corpus(str(tmp_path))]
    assert [d.id for d in read_corpus(tmp_path, glob="**/*.txt")] == ["a.txt", "b/10.txt", "b/2.txt"]
    assert [d.id for d in read_corpus(tmp_path / "a.txt")] == ["a.txt"]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        list(read_corpus(tmp_path / "nope"))


def test_splitter_bug_becomes_a_status_not_an_exception(tmp_path, monkeypatch) -> None:
    import pipeline.reading.document as document

    def boom(blocks):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(document, "merge_blocks", boom)
    (tmp_path / "a.txt").write_text("正文。", encoding="utf-8")
    (doc,) = read_corpus(tmp_path)
    assert doc.status is DocumentStatus.UNREADABLE and "simulated bug" in doc.reason


@pytest.mark.shared
def test_shared_reports_read_cleanly(shared_dir) -> None:
    docs = list(read_corpus(shared_dir / "data" / "reports", glob="*.jsonl"))
    assert docs and all(d.status is DocumentStatus.OK for d in docs)
    for doc in docs:
        assert strip_ws("".join(p.text for p in doc.paragraphs)) == strip_ws(clean(doc.text))
        assert all(p.record_id for p in doc.paragraphs)
        assert sum(p.kind == "body" for p in doc.paragraphs) > 0.5 * len(doc.paragraphs)
