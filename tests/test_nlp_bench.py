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
