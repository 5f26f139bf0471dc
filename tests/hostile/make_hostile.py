"""Build the hostile corpus folder of issue 13 (nothing of it is committed).

    python tests/hostile/make_hostile.py DIR

:func:`build` writes every hostile item into *folder* and returns what a run
must make of it: per entry (its document id) the expected status and the
good paragraphs that must appear exactly once.  The zip bomb is streamed
into its archive at build time (1 GB of zeros -> about 1 MB), never stored.
"""
from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass
class Expect:
    status: str
    good: list[str] = field(default_factory=list)
    reason_has: str = ""


def paragraphs(tag: str, n: int) -> list[str]:
    """*n* distinct Chinese paragraphs, each naming *tag* and its number."""
    topics = ["养老服务", "就业创业", "义务教育", "基本医疗", "住房保障", "社会救助"]
    return [f"第{i}段（{tag}）：加强{topics[i % len(topics)]}体系建设，让群众得到实惠。"
            for i in range(n)]


def _docx_with_body(body_xml: str) -> bytes:
    """A real .docx (made by python-docx) whose body is replaced by *body_xml*."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
                        f'<w:document xmlns:w="{W_NS}" '
                        f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                        f'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
                        f'xmlns:v="urn:schemas-microsoft-com:vml">'
                        f'<w:body>{body_xml}</w:body></w:document>').encode("utf-8")
            zf.writestr(info, data)
    return out.getvalue()


def _run(text: str) -> str:
    return f"<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r>"


def tricky_docx() -> tuple[bytes, list[str]]:
    """Tracked insertion, simple field, smart tag, text box, custom XML, a cell merged
    over three columns and an external entity; and the paragraphs they must give."""
    box = ('<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
           f'<w:p>{_run("文本框里的社区养老服务说明。")}</w:p></w:txbxContent></wps:txbx></w:drawing>'
           '</mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent>'
           f'<w:p>{_run("文本框里的社区养老服务说明。")}</w:p></w:txbxContent></v:textbox></w:pict>'
           '</mc:Fallback></mc:AlternateContent>')
    body = (
        f'<w:p>{_run("修订前的文字，")}<w:ins w:id="1" w:author="a"><w:r><w:t>修订插入的就业政策。</w:t></w:r></w:ins>'
        f'<w:del w:id="2" w:author="a"><w:r><w:delText>已删除的文字</w:delText></w:r></w:del></w:p>'
        f'<w:p>{_run("共有")}<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>12</w:t></w:r></w:fldSimple>'
        f'{_run("页医疗保障材料。")}</w:p>'
        f'<w:p><w:smartTag w:uri="urn:x" w:element="place">{_run("智能标记里的住房保障。")}</w:smartTag></w:p>'
        f'<w:p>{_run("锚点段落。")}<w:r>{box}</w:r></w:p>'
        f'<w:customXml w:element="policy"><w:p>{_run("自定义XML里的教育公平。")}</w:p></w:customXml>'
        '<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>'
        f'<w:tr><w:tc><w:tcPr><w:gridSpan w:val="3"/></w:tcPr><w:p>{_run("合并单元格的社会救助。")}</w:p></w:tc></w:tr>'
        f'<w:tr><w:tc><w:p>{_run("甲")}</w:p></w:tc><w:tc><w:p>{_run("乙")}</w:p></w:tc><w:tc><w:p>{_run("丙")}</w:p></w:tc></w:tr>'
        '</w:tbl>'
        f'<w:p><w:r><w:t>外部文件实体：[&xxe;]之后的文字也在。</w:t></w:r></w:p>'
    )
    good = ["修订前的文字，修订插入的就业政策。", "共有12页医疗保障材料。", "智能标记里的住房保障。",
            "锚点段落。", "文本框里的社区养老服务说明。", "自定义XML里的教育公平。",
            "合并单元格的社会救助。", "外部文件实体：[&xxe;]之后的文字也在。"]
    return _docx_with_body(body), good


def text_pdf(text: str = "Hello policy", bad_xref: bool = True) -> bytes:
    """A one-page PDF with a text layer; *bad_xref* points startxref 7 bytes off (pypdf
    repairs it and warns)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>", None,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    stream = f"BT /F1 12 Tf 20 200 Td ({text}) Tj ET".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        if body is None:
            out += f"{i} 0 obj\n<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream\nendobj\n"
        else:
            out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref + (7 if bad_xref else 0)}\n%%EOF\n".encode()
    return bytes(out)


def write_zip_bomb(path: Path, inflated: int = 1 << 30) -> None:
    """A .docx whose document.xml inflates to *inflated* bytes, streamed (about 1 MB on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(inflated // len(block)):
                fh.write(block)


def build(folder: Path, *, long_chars: int = 1_000_000, bomb: bool = True) -> dict[str, Expect]:
    """Write the hostile items into *folder*; return the expectation per document id."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    expect: dict[str, Expect] = {}

    good = paragraphs("完好", 24)
    (folder / "good.txt").write_text("\n\n".join(good), encoding="utf-8")
    expect["good.txt"] = Expect("ok", good)

    damaged = paragraphs("坏字节", 24)
    raw = "\n\n".join(damaged).encode("utf-8")
    cut = raw.index(damaged[10].encode("utf-8")) + 3  # after its first character
    (folder / "one_bad_byte.txt").write_bytes(raw[:cut] + b"\xff" + raw[cut:])
    expect["one_bad_byte.txt"] = Expect(
        "ok", damaged[:10] + damaged[11:], reason_has=f"byte offset(s) {cut}")

    records = [{"id": f"r{i}", "text": t} for i, t in enumerate(paragraphs("记录", 6))]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(3, '{"id": "broken", "text": "没有结尾')
    lines.append(json.dumps({"id": "number", "text": 12345}))
    (folder / "one_broken_line.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expect["one_broken_line.jsonl"] = Expect("ok", [r["text"] for r in records],
                                             reason_has="line 4: invalid JSON")

    (folder / "surrogate.jsonl").write_text(
        '{"id": "s1", "text": "孤立代理项\\ud800之后的养老服务。"}\n', encoding="utf-8")
    expect["surrogate.jsonl"] = Expect("ok", ["孤立代理项\ufffd之后的养老服务。"], "lone surrogate")

    name = os.path.join(os.fsencode(folder), b"bad-\xff-name.txt")
    with open(name, "wb") as fh:
        fh.write("文件名不是UTF-8的就业段落。".encode("utf-8"))
    expect["bad-\\xff-name.txt"] = Expect("ok", ["文件名不是UTF-8的就业段落。"])

    formula = '=HYPERLINK("https:example.com","x").txt'
    (folder / formula).write_text("公式文件名里的教育段落。", encoding="utf-8")
    expect[formula] = Expect("ok", ["公式文件名里的教育段落。"])

    data, docx_good = tricky_docx()
    (folder / "tricky.docx").write_bytes(data)
    expect["tricky.docx"] = Expect("ok", docx_good)

    if bomb:
        write_zip_bomb(folder / "bomb.docx")
        expect["bomb.docx"] = Expect("unreadable", reason_has="inflate")

    (folder / "bad_xref.pdf").write_bytes(text_pdf("Pension services for elderly residents"))
    expect["bad_xref.pdf"] = Expect("ok", ["Pension services for elderly residents"], "pypdf: incorrect startxref")

    deep = "深层嵌套网页里的住房段落。"
    (folder / "deep.html").write_text("<html><body>" + "<div>" * 20_000 + deep + "</div>" * 20_000
                                      + "</body></html>", encoding="utf-8")
    expect["deep.html"] = Expect("ok", [deep])

    unit = "加强养老服务体系建设，完善社区居家养老服务网络。推进医疗卫生体制改革，提高基本医疗保障水平。"
    long_text = (unit * (long_chars // len(unit) + 1))[:long_chars]
    (folder / "long_paragraph.txt").write_text(long_text, encoding="utf-8")
    expect["long_paragraph.txt"] = Expect("ok", [long_text])

    (folder / "empty.jsonl").write_bytes(b"")
    expect["empty.jsonl"] = Expect("empty", reason_has="empty")

    os.symlink("loop.txt", folder / "loop.txt")
    expect["loop.txt"] = Expect("unreadable", reason_has="loop")
    os.symlink("nowhere.txt", folder / "dangling.txt")
    expect["dangling.txt"] = Expect("unreadable", reason_has="dangling")
    os.symlink("/etc/hostname", folder / "outside.txt")
    expect["outside.txt"] = Expect("unreadable", reason_has="outside the corpus folder")
    os.mkfifo(folder / "fifo.txt")
    expect["fifo.txt"] = Expect("unreadable", reason_has="FIFO")
    os.symlink("/dev/null", folder / "device.txt")  # a device, reached through a link
    expect["device.txt"] = Expect("unreadable", reason_has="outside the corpus folder")
    return expect


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
    for doc_id, exp in sorted(build(target).items()):
        print(f"{exp.status:10} {doc_id}")
