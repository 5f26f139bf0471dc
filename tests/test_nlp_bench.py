"""Pieces of ``bench nlp``'s report-paragraph section (the timings themselves are not asserted)."""
from __future__ import annotations

import pytest

import pipeline
from pipeline.nlp import bench_reports


def test_report_paragraphs_are_real_paragraphs_in_order(shared_dir):
    texts = bench_reports.report_paragraphs(shared_dir, 5_000)
    assert 5_000 <= sum(map(len, texts)) < 5_000 + max(map(len, texts))
    assert all(len(t) >= bench_reports.MIN_CHARS and t == t.strip() for t in texts)
    assert texts == bench_reports.report_paragraphs(shared_dir, 5_000)
    spread = bench_reports.report_paragraphs(shared_dir, 50_000, spread=True)
    assert 25_000 < sum(map(len, spread)) < 100_000
    assert spread[0] == texts[0] and not set(spread[1:]) <= set(texts)  # all years, not the first ones


def test_keyword_baseline_and_alternation():
    pytest.importorskip("jieba")
    classify = bench_reports.keyword_baseline()
    assert classify("") == classify("今天天气很好")  # no seed word: the fallback
    calls = []
    speeds = bench_reports.alternated({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                                      1000, rounds=2)
    assert calls == ["a", "b", "a", "b"] and set(speeds) == {"a", "b"}


def test_traditional_agreement_counts_paragraphs():
    found = bench_reports.traditional_agreement(pipeline.load())
    assert found["paragraphs"] >= 4
    assert found["tags"] == found["entities"] == found["paragraphs"]


def test_by_script_splits_the_1950s_reports_from_the_rest(shared_dir):
    spread = bench_reports.report_paragraphs(shared_dir, 300_000, spread=True)
    parts = bench_reports.by_script(spread)
    assert sorted(parts["traditional"] + parts["simplified"]) == sorted(spread)
    assert parts["traditional"] and parts["simplified"]
    assert "國" in "".join(parts["traditional"]) and "國" not in "".join(parts["simplified"])


def test_script_rows_name_both_scripts_and_shares():
    pytest.importorskip("jieba")
    rows = bench_reports.script_rows(pipeline.load(domains=False), ["國務院關於加強養老服務體系建設", "国务院关于加强养老服务"], 1)
    assert len(rows) == 2 and "traditional paragraphs (1," in rows[0] and "simplified" in rows[1]
    shares = [int(r.rsplit(", ", 1)[1].rstrip("% |")) for r in rows]
    assert 98 <= sum(shares) <= 102
