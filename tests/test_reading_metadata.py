"""Metadata through the reader: record fields, metadata.csv, file names; unit record / file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import read_corpus
from pipeline.errors import ConfigError

REPORTS = [{"id": "gwr-2023", "year": 2023, "level": "national", "title": "报告甲", "extra": {"x": 1},
            "text": "各位代表：\n\n加强高校毕业生就业服务，扩大就业岗位。\n\n推进老旧小区改造，改善居住条件。"},
           {"id": "gwr-2024", "year": 2024, "level": "national", "title": "报告乙", "note": None,
            "text": "办好人民满意的教育，促进义务教育优质均衡发展。"}]


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_jsonl_records_are_documents_with_their_fields(tmp_path):
    path = _jsonl(tmp_path / "reports.jsonl", REPORTS)
    docs = list(read_corpus(path, unit="record"))  # root is the file: bare record ids
    assert [d.id for d in docs] == ["gwr-2023", "gwr-2024"]
    assert docs[0].meta == {"id": "gwr-2023", "year": 2023, "level": "national", "title": "报告甲"}
    assert "note" not in docs[1].meta  # null fields and nested objects are not metadata
    assert all(p.id.startswith(d.id + "#p") for d in docs for p in d.paragraphs)
    assert [p.text for p in docs[1].paragraphs] == [REPORTS[1]["text"]]
    assert docs[0].sha256 != docs[1].sha256 and all(d.ok for d in docs)


def test_unit_file_keeps_one_document_per_file(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    _jsonl(folder / "reports.jsonl", REPORTS)
    [doc] = list(read_corpus(folder, unit="file"))
    assert doc.id == "reports.jsonl" and doc.meta == {}
    assert {p.record_id for p in doc.paragraphs} == {"gwr-2023", "gwr-2024"}
    by_record = list(read_corpus(folder, unit="record"))
    assert [d.id for d in by_record] == ["reports.jsonl/gwr-2023", "reports.jsonl/gwr-2024"]
    assert sum(len(d.paragraphs) for d in by_record) == len(doc.paragraphs)


def test_csv_records_numbers_and_codes(tmp_path):
    (tmp_path / "m.csv").write_text("id,year,code,text\nm1,2024,007,托育服务排队太久。\nm1,2023,,看病难。\n",
                                    "utf-8")
    docs = list(read_corpus(tmp_path / "m.csv", unit="record"))
    assert [d.id for d in docs] == ["m1", "m1~2"]  # a repeated id stays unique
    assert docs[0].meta == {"id": "m1", "year": 2024, "code": "007"}  # no leading-zero int
    assert docs[1].meta == {"id": "m1", "year": 2023}  # empty cells are not metadata


def test_metadata_csv_and_file_names(tmp_path):
    (tmp_path / "2024_上海.txt").write_text("推进老旧小区改造。", "utf-8")
    (tmp_path / "2023_北京_二季度.txt").write_text("扩大就业。", "utf-8")
    (tmp_path / "notes.txt").write_text("加强养老服务。", "utf-8")
    (tmp_path / "metadata.csv").write_text("file,source,year\nnotes.txt,blog,2022\n"
                                           "2024_上海.txt,report,\n", "utf-8")
    docs = {d.id: d for d in read_corpus(tmp_path, filename_fields=["year", "region"])}
    assert "metadata.csv" not in docs  # the metadata file is not a document
    assert docs["2024_上海.txt"].meta == {"year": 2024, "region": "上海", "source": "report"}
    assert docs["2023_北京_二季度.txt"].meta == {"year": 2023, "region": "北京_二季度"}
    assert docs["notes.txt"].meta == {"year": 2022, "source": "blog"}  # metadata.csv beats the name
    assert any("filename_fields" in w for w in docs["notes.txt"].warnings)
    plain = {d.id: d for d in read_corpus(tmp_path, metadata="")}
    assert "metadata.csv" in plain and plain["notes.txt"].meta == {}


def test_record_fields_win_over_file_metadata(tmp_path):
    _jsonl(tmp_path / "r.jsonl", REPORTS)
    (tmp_path / "metadata.csv").write_text("file,year,region\nr.jsonl,1999,全国\n", "utf-8")
    docs = list(read_corpus(tmp_path, unit="record"))
    assert [(d.meta["year"], d.meta["region"]) for d in docs] == [(2023, "全国"), (2024, "全国")]


def test_bad_inputs_are_clear(tmp_path):
    (tmp_path / "metadata.csv").write_text("name,year\na.txt,2020\n", "utf-8")
    (tmp_path / "a.txt").write_text("文本。", "utf-8")
    with pytest.raises(ConfigError, match="no 'file' column"):
        list(read_corpus(tmp_path))
    with pytest.raises(ConfigError, match="unit"):
        list(read_corpus(tmp_path, unit="page"))
    (tmp_path / "metadata.csv").unlink()
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "notext.jsonl").write_text('{"body": "x"}\n', "utf-8")
    docs = {d.id: d for d in read_corpus(tmp_path, unit="record")}
    assert str(docs["empty.jsonl"].status) == "empty"
    assert str(docs["notext.jsonl"].status) == "unreadable" and "body" in docs["notext.jsonl"].reason
