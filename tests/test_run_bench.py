"""``minsheng bench run --quick`` writes a table with all three engines (needs ../shared)."""
from __future__ import annotations

import pytest

from pipeline.run import bench


@pytest.mark.shared
@pytest.mark.slow
def test_quick_bench_appends_a_table(shared_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("MINSHENG_SHARED", str(shared_dir))
    monkeypatch.setattr(bench, "QUICK_RECORDS", 1)  # one report: keep the test light
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\nearlier rows stay\n", encoding="utf-8")
    table = bench.bench_run(quick=True, output=out)
    text = out.read_text("utf-8")
    assert "earlier rows stay" in text and table in text
    assert "| local | N=1 |" in table and "| local | N=2 |" in table and "| dask |" in table
    assert "byte-identical: **yes**" in table
    assert "against jieba.posseg" in table and "chars/s, **" in table
