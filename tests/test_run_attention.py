"""A run keeps metadata in every output and writes attention.csv; `minsheng attention` on it."""
from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.run.manifest import summary_line
from pipeline.run.runner import run_from_config
from test_run_support import DEFAULT_CFG, make_corpus, overrides


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    corpus = make_corpus(tmp_path_factory.mktemp("attention-corpus"))
    return run_from_config(DEFAULT_CFG, overrides(corpus, tmp_path_factory.mktemp("attention-out")))


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


def test_metadata_in_every_output(result):
    meta = {r["file"]: r for r in _csv(Path(__file__).resolve().parents[1] / "corpus/docs/metadata.csv")}
    docs = _csv(result.output_dir / "documents.csv")
    for d in docs:
        file = d["doc_id"].split("/")[0]
        if file in meta:
            assert d["meta_year"] == meta[file]["year"] and d["meta_region"] == meta[file]["region"]
    briefs = [d for d in docs if d["doc_id"].startswith("news_briefs.jsonl/")]
    assert len(briefs) == 5 and all(d["meta_title"] for d in briefs)  # record fields kept
    rows = _jsonl(result.output_dir / "paragraphs.jsonl")
    assert all(r["meta"]["year"] == int(meta[r["doc_id"].split("/")[0]]["year"])
               for r in rows if r["doc_id"].split("/")[0] in meta)
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(result.output_dir / "paragraphs.parquet")
    assert str(table.schema.field("cat_employment").type) == "double"
    assert str(table.schema.field("meta_year").type) == "int64"
    assert "cats" not in table.column_names and "meta" not in table.column_names
    cats = table.column("cat_housing").to_pylist()
    assert cats == [r["cats"].get("housing") for r in rows]


def test_attention_csv_matches_paragraphs_by_hand(result):
    rows = _jsonl(result.output_dir / "paragraphs.jsonl")
    table = _csv(result.output_dir / "attention.csv")
    assert {t["by"] for t in table} == {"doc_id", "year", "region", "source_type"}
    body = [r for r in rows if r["kind"] == "body" and r["status"] == "ok" and r["domain"]]
    by_year: dict[int, Counter] = defaultdict(Counter)
    for r in body:
        by_year[r["meta"]["year"]][r["domain"]] += 1
    got = {(int(t["year"]), t["domain"]): t for t in table
           if t["by"] == "year" and t["measure"] == "primary" and t["scope"] == "all"}
    for year, counts in by_year.items():
        n = sum(counts.values())
        for d in ("employment", "health", "other"):
            t = got[(year, d)]
            assert t["value"] == f"{counts[d] / n:.4f}" and int(t["paragraphs"]) == n
            assert float(t["lo"]) <= float(t["value"]) <= float(t["hi"])
    docs = {d["doc_id"]: d for d in _csv(result.output_dir / "documents.csv")}
    for t in table:
        if t["by"] == "doc_id" and t["measure"] == "primary" and t["scope"] == "all":
            assert t["value"] == docs[t["doc_id"]][f"share_{t['domain']}"]
    chars = [t for t in table if t["by"] == "doc_id" and t["measure"] == "chars"]
    assert chars and {t["scope"] for t in chars} == {"all", "livelihood"}


def test_summary_line_and_python_api(result):
    line = summary_line(result.manifest)
    assert line.startswith("minsheng run: 21 documents") and "chars/s" in line
    import pipeline

    frame = pipeline.attention(result.output_dir, by=["region"], n_boot=50)
    assert list(frame.columns)[:3] == ["region", "scope", "domain"]
    assert set(frame["measure"]) == {"primary", "chars", "expected", "coverage"}
    assert (frame["lo"] <= frame["value"] + 1e-12).all()


def test_attention_command_is_deterministic(result, tmp_path, capsys):
    out = tmp_path / "a.csv"
    argv = [str(result.output_dir), "--by", "region", "--measure", "coverage", "--no-adjusted",
            "--output", str(out)]
    assert main(["attention", *argv]) == 0
    first = out.read_bytes()
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split()[:2] == ["region", "paragraphs"] and "[" in printed
    assert main(["attention", *argv]) == 0
    assert out.read_bytes() == first
    assert main(["attention", str(result.output_dir), "--by", "province"]) == 2
    assert "no document" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse refuses an unknown measure
        main(["attention", str(result.output_dir), "--measure", "nonsense"])


def test_adjusted_share_from_labeled_data(result, shared_dir, tmp_path, capsys):
    run_dir = tmp_path / "run"
    import shutil

    shutil.copytree(result.output_dir, run_dir)
    assert main(["attention", str(run_dir), "--by", "year", "--measure", "adjusted"]) == 0
    err = capsys.readouterr().err
    assert "livelihood_dev.jsonl" in err
    block = json.loads((run_dir / "confusion.json").read_text("utf-8"))
    assert len(block["ids"]) == len(block["matrix"]) == 18
    table = _csv(run_dir / "attention.csv")
    adj = [t for t in table if t["by"] == "year" and t["measure"] == "adjusted" and t["scope"] == "all"]
    for year in {t["year"] for t in adj}:
        assert abs(sum(float(t["value"]) for t in adj if t["year"] == year) - 1) < 1e-3


def test_a_confusion_shipped_in_the_model_meta_gives_adjusted_shares_in_every_run(tmp_path):
    """The interface for the domain model: ``"confusion": {ids, matrix, source}`` in meta.json."""
    import shutil

    import numpy as np

    from pipeline.domains import default_model_dir

    model = tmp_path / "domains"
    shutil.copytree(default_model_dir(), model)
    meta = json.loads((model / "meta.json").read_text("utf-8"))
    ids = meta["taxonomy"]["ids"]
    matrix = np.eye(len(ids))
    emp, housing = ids.index("employment"), ids.index("housing")
    matrix[emp, emp] = matrix[emp, housing] = 0.5  # half of employment is called housing
    meta["confusion"] = {"ids": ids, "matrix": matrix.tolist(), "source": "test: employment as housing"}
    (model / "meta.json").write_text(json.dumps(meta), "utf-8")
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "2024_甲.txt").write_text("加强高校毕业生就业服务，扩大就业岗位。\n\n推进老旧小区改造。", "utf-8")
    result = run_from_config(DEFAULT_CFG, overrides(corpus, tmp_path / "o", **{
        "domains.model": str(model), "corpus.filename_fields": '["year", "region"]',
        "output.group_by": "year"}))
    table = _csv(result.output_dir / "attention.csv")
    adj = [t for t in table if t["measure"] == "adjusted" and t["scope"] == "all"]
    assert adj and adj[0]["year"] == "2024"
    raw = {t["domain"]: float(t["value"]) for t in table if t["measure"] == "primary" and t["scope"] == "all"}
    got = {t["domain"]: float(t["value"]) for t in adj}
    assert raw["employment"] == raw["housing"] == 0.5  # one paragraph each
    assert got["employment"] > 0.99 and got["housing"] < 0.01  # the error undone
