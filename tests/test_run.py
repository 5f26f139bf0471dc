"""The local engine end to end: every paragraph once, statuses kept, outputs deterministic."""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from pipeline import read_corpus
from pipeline.run import process
from pipeline.run.runner import run, run_from_config
from test_run_support import DEFAULT_CFG, make_corpus, overrides, read_outputs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("run-corpus"))


@pytest.fixture(scope="module")
def first(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("run-out") / "a"
    return run_from_config(DEFAULT_CFG, overrides(corpus, out), resume=False)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_all_outputs_written(first):
    for name in ("paragraphs.jsonl", "paragraphs.parquet", "documents.csv", "topics.csv",
                 "attention.csv", "report.html", "run.json"):
        assert (first.output_dir / name).is_file(), name
    assert first.report_path == first.output_dir / "report.html"
    assert not list(first.output_dir.glob(".tmp-*")), "temporary files left behind"


def test_every_input_paragraph_once(first, corpus):
    expected = Counter(p.id for d in read_corpus(corpus, unit="record") for p in d.paragraphs)
    rows = _jsonl(first.output_dir / "paragraphs.jsonl")
    got = Counter(r["para_id"] for r in rows)
    assert got == expected
    assert all(v == 1 for v in got.values())
    texts = {p.id: p.text for d in read_corpus(corpus, unit="record") for p in d.paragraphs}
    for r in rows:
        assert r["text"] == texts[r["para_id"]]
        assert r["para_id"].startswith(r["doc_id"] + "#p")
        assert set(r) >= {"doc_id", "para_id", "kind", "text", "start", "end", "status",
                          "domain", "domains", "cats"}
        assert "tokens" not in r  # off by default


def test_parquet_matches_jsonl(first):
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(first.output_dir / "paragraphs.parquet")
    rows = _jsonl(first.output_dir / "paragraphs.jsonl")
    assert table.num_rows == len(rows)
    assert table.column("para_id").to_pylist() == [r["para_id"] for r in rows]


def test_empty_and_unreadable_documents_recorded(first):
    with open(first.output_dir / "documents.csv", encoding="utf-8", newline="") as fh:
        docs = {r["doc_id"]: r for r in csv.DictReader(fh)}
    assert docs["zz_empty.txt"]["status"] == "empty"
    assert docs["zz_broken.docx"]["status"] == "unreadable"
    assert docs["zz_broken.docx"]["reason"]
    assert docs["newspaper_page.txt"]["status"] == "ok"
    assert int(docs["county_work_report.txt"]["body_paragraphs"]) > 5
    manifest = json.loads((first.output_dir / "run.json").read_text("utf-8"))
    statuses = {i["id"]: i["status"] for i in manifest["inputs"]}
    assert statuses["zz_empty.txt"] == "empty" and statuses["zz_broken.docx"] == "unreadable"
    errors = {(e["doc_id"], e["status"]) for e in manifest["errors"]}
    assert ("zz_empty.txt", "empty") in errors and ("zz_broken.docx", "unreadable") in errors
    # unit = "record": the 8 citizen messages and 5 news briefs are documents of their own
    assert manifest["counts"]["documents_by_status"] == {"empty": 1, "ok": 19, "unreadable": 1}


def test_documents_shares_are_fixed_format(first):
    with open(first.output_dir / "documents.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    share_cols = [c for c in rows[0] if c.startswith("share_")]
    assert "share_employment" in share_cols and "share_other" in share_cols
    for r in rows:
        values = [r[c] for c in share_cols]
        if r["status"] != "ok" or not int(r["body_paragraphs"]) or not r["primary_domain"]:
            continue
        assert all(len(v.split(".")[1]) == 4 for v in values)
        assert abs(sum(float(v) for v in values) - 1.0) < 1e-3


def test_manifest_has_config_versions_hashes_timings(first, corpus):
    m = json.loads((first.output_dir / "run.json").read_text("utf-8"))
    assert m["config"]["paths"]["corpus"] == str(corpus)
    assert m["config"]["run"]["engine"] == "local"
    assert m["versions"]["spacy"] and m["versions"]["python"]
    assert len(m["model"]["sha256"]) == 64
    by_id = {i["id"]: i for i in m["inputs"]}
    import hashlib

    raw = (corpus / "newspaper_page.txt").read_bytes()
    assert by_id["newspaper_page.txt"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert m["timings"]["total_s"] > 0
    assert m["counts"]["paragraphs"] == sum(i["paragraphs"] for i in m["inputs"])


def test_rerun_is_byte_identical(first, corpus, tmp_path):
    second = run_from_config(DEFAULT_CFG, overrides(corpus, tmp_path / "b"), resume=False)
    assert read_outputs(second.output_dir) == read_outputs(first.output_dir)


def test_python_api_with_section_overrides_and_tokens(corpus, tmp_path):
    result = run(DEFAULT_CFG, paths={"corpus": corpus, "output": tmp_path / "t"},
                 run={"progress": "off", "n_process": 1}, domains={"model": "none"},
                 output={"tokens": True, "report": False, "parquet": False})
    rows = _jsonl(result.output_dir / "paragraphs.jsonl")
    ok = [r for r in rows if r["status"] == "ok"]
    assert ok and all(len(r["tokens"]) == len(r["tags"]) > 0 for r in ok)
    assert "".join(ok[0]["tokens"]).replace(" ", "") != ""
    assert not (result.output_dir / "report.html").exists()
    assert result.manifest["model"]["domains"] == "none"
    assert "livelihood_domains" not in result.manifest["model"]["pipeline"]


def test_failing_paragraph_is_recorded_not_fatal(monkeypatch):
    class Boom:
        """A pipeline that fails on one text, as a broken component would."""

        def __init__(self, nlp):
            self.nlp = nlp

        def pipe(self, texts):
            texts = list(texts)
            if any("BOOM" in t for t in texts):
                raise RuntimeError("component exploded")
            return self.nlp.pipe(texts)

        def __call__(self, text):
            if "BOOM" in text:
                raise RuntimeError("component exploded")
            return self.nlp(text)

    import spacy

    monkeypatch.setitem(process._NLP_CACHE, process.cache_key("boom"), Boom(spacy.blank("zh")))  # char segmenter
    task = {"doc_id": "d", "part_id": "d@0", "key": "k", "paragraphs": [
        {"id": "d#p0", "kind": "body", "analysis_text": "推进老旧小区改造。"},
        {"id": "d#p1", "kind": "body", "analysis_text": "BOOM 这一段会失败。"},
        {"id": "d#p2", "kind": "body", "analysis_text": "加强高校毕业生就业服务。"}]}
    [result] = process.process_partition([task], "boom", batch_size=8)
    status = [r["status"] for r in result["rows"]]
    assert status == ["ok", "error", "ok"]
    assert "component exploded" in result["rows"][1]["reason"]


@pytest.mark.slow
def test_local_two_processes_equal_one(first, corpus, tmp_path):
    two = run_from_config(DEFAULT_CFG, overrides(corpus, tmp_path / "n2", **{"run.n_process": "2"}))
    assert two.manifest["engine"]["workers"] == 2
    assert read_outputs(two.output_dir) == read_outputs(first.output_dir)


def test_pipeline_run_is_callable_even_after_the_subpackage_is_imported(corpus, tmp_path):
    import pipeline
    import pipeline.run.runner  # noqa: F401  binds the package as pipeline.run

    result = pipeline.run(None, paths={"corpus": corpus, "output": tmp_path / "api"},
                          run={"progress": "off", "n_process": 1},
                          output={"report": False, "parquet": False})
    assert (result.output_dir / "paragraphs.jsonl").is_file()


def test_topics_table_counts_this_corpus():
    import pandas as pd

    from pipeline.run.outputs import TOPIC_HEADER, topic_rows

    info = pd.DataFrame([{"model": "nmf", "topic": 0, "name": "employment", "domain": "employment",
                          "size": 383, "top_terms": "就业 岗位"},
                         {"model": "lda", "topic": 0, "name": "employment", "domain": "employment",
                          "size": 200, "top_terms": "就业"},
                         {"model": "nmf", "topic": 1, "name": "free_0", "domain": "other", "size": 9,
                          "top_terms": ["改革", "开放"]}])
    prows = [{"topic": {"nmf": "employment", "lda": "employment"}},
             {"topic": {"nmf": "employment", "lda": "free_3"}}, {"topic": None}, {}]
    rows = topic_rows(info, prows)
    assert [list(r) for r in rows] == [TOPIC_HEADER] * 3
    assert [r["corpus_size"] for r in rows] == [2, 1, 0]
    assert [r["model"] for r in rows] == ["nmf", "lda", "nmf"]
    assert rows[2]["top_terms"] == "改革 开放" and rows[0]["model_size"] == 383
    assert topic_rows(None, []) == []


def test_partitions_split_long_and_group_short_documents():
    from pipeline.run.engines import partitions
    from pipeline.run.state import make_tasks

    class Doc:
        def __init__(self, doc_id, n):
            self.id = doc_id
            self.paragraphs = [type("P", (), {"id": f"{doc_id}#p{i}", "kind": "body",
                                              "analysis_text": "文"})() for i in range(n)]

    tasks = make_tasks(Doc("long", 10), "k", 4) + make_tasks(Doc("a", 1), "k", 4) \
        + make_tasks(Doc("b", 2), "k", 4)
    assert [len(t["paragraphs"]) for t in tasks] == [4, 4, 2, 1, 2]
    assert [t["part_id"] for t in tasks[:3]] == ["long@0", "long@4", "long@8"]
    parts = partitions(tasks, 4)
    assert [[t["part_id"] for t in p] for p in parts] == [["long@0"], ["long@4"],
                                                           ["long@8", "a@0"], ["b@0"]]
    assert [t for p in parts for t in p] == tasks


def test_domain_status_says_when_other_is_a_default(tmp_path):
    """A body paragraph with no content word the classifier knows is ``other`` by default,
    not by evidence: its row says ``domain_status = no_terms``, as classify does."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("今年我市将大力发展养老服务，建设社区养老服务中心，提高老年人生活质量。\n\n"
                                  "哈哈哈，嗯嗯，啊啊啊。\n", encoding="utf-8")
    res = run_from_config(DEFAULT_CFG, overrides(corpus, tmp_path / "out"), resume=False)
    rows = {r["text"]: r for r in _jsonl(res.output_dir / "paragraphs.jsonl") if r["kind"] == "body"}
    assert len(rows) == 2
    liv = next(r for t, r in rows.items() if t.startswith("今年"))
    bare = next(r for t, r in rows.items() if t.startswith("哈"))
    assert (liv["status"], liv["domain_status"]) == ("ok", "ok")
    assert (bare["status"], bare["domain_status"], bare["domain"]) == ("ok", "no_terms", "other")
