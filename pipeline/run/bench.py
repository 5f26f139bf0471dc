"""``minsheng bench run``: throughput of the run engines on the national reports.

Runs the same config three ways on ``../shared/data/reports/cn_government_work_reports.jsonl``
(one JSONL file, one document per file, ~5,800 paragraphs): local with N=1,
local with N=2, and dask with a two-worker LocalCluster on loopback.  Records
paragraphs/s and chars/s of the processing phase (worker start-up and model
loading on workers measured separately, driver model loading excluded), the speed-up and
scaling efficiency against N=1, checks that the three runs' data outputs are
byte-identical, and appends a markdown table to BENCHMARKS.md.  Beside them, the
baseline a user would reach for: ``minsheng run`` N=1 against jieba.posseg over
the same paragraph texts (segmentation and tags only), alternated, the faster
of each system's rounds kept.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import MinshengError
from .engines import resolve_n_process
from .files import atomic_write_text
from .runner import run

REPORTS = "data/reports/cn_government_work_reports.jsonl"
QUICK_RECORDS = 6
DATA_OUTPUTS = ("paragraphs.jsonl", "documents.csv", "topics.csv")


def shared_dir() -> Path:
    """``$MINSHENG_SHARED`` or the ``shared`` folder next to the repository."""
    env = os.environ.get("MINSHENG_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared"


def _corpus(quick: bool, work: Path) -> Path:
    source = shared_dir() / REPORTS
    if not source.is_file():
        raise MinshengError(f"bench run needs {source} (the shared national reports), which is "
                            f"absent; set MINSHENG_SHARED to the shared folder. Skipped.")
    if not quick:
        return source
    lines = source.read_text("utf-8").splitlines()[:QUICK_RECORDS]
    target = work / "reports-quick.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _one(corpus: Path, output: Path, **run_cfg) -> dict:
    result = run(None, paths={"corpus": corpus, "output": output},
                 corpus={"options": {"text_field": "text", "id_field": "id"}},
                 run={"progress": "off", **run_cfg},
                 output={"report": False, "parquet": False})
    m = result.manifest
    failed = m["counts"]["paragraphs_by_status"].get("error", 0)
    return {"seconds": m["timings"]["process_s"], "startup": m["engine"]["startup_s"],
            "paragraphs": m["throughput"]["paragraphs"],
            "chars": m["throughput"]["characters"], "workers": m["engine"]["workers"],
            "bytes": {n: (output / n).read_bytes() for n in DATA_OUTPUTS},
            "warnings": m["warnings"] + ([f"{failed} paragraphs failed"] if failed else []),
            "model": m["model"]["pipeline"]}


def _jieba_posseg_rate(texts: list[str]) -> float:
    """chars/s of ``jieba.posseg.cut`` over *texts* (its dictionary loaded beforehand)."""
    try:
        import jieba
        import jieba.posseg as posseg
    except ImportError as exc:
        raise MinshengError("bench run compares with jieba.posseg, which is not installed: "
                            "pip install -e '.[bench]'") from exc
    jieba.setLogLevel(60)
    list(posseg.cut("预热词典"))
    start = time.perf_counter()
    for text in texts:
        list(posseg.cut(text))
    return sum(map(len, texts)) / max(time.perf_counter() - start, 1e-9)


def _against_jieba(corpus: Path, work: Path, rounds: int) -> dict:
    """``minsheng run`` N=1 and jieba.posseg on the run's own paragraph texts, alternated."""
    ours, theirs, texts = [], [], None
    for k in range(rounds):
        r = _one(corpus, work / f"vs-jieba-{k}", engine="local", n_process=1)
        if texts is None:
            texts = [json.loads(line)["text"] for line in
                     r["bytes"]["paragraphs.jsonl"].decode("utf-8").splitlines() if line.strip()]
        # both rates count the characters of the same paragraph texts
        ours.append(sum(map(len, texts)) / max(r["seconds"] - r["startup"], 1e-9))
        theirs.append(_jieba_posseg_rate(texts))
    return {"ours": max(ours), "jieba": max(theirs), "paragraphs": len(texts),
            "chars": sum(map(len, texts)), "rounds": rounds}


def bench_run(quick: bool = False, output: Path = Path("BENCHMARKS.md")) -> str:
    """Benchmark local N=1, local N=2 and dask (2 workers); append a table to *output*."""
    work = Path(tempfile.mkdtemp(prefix="minsheng-bench-"))
    try:
        corpus = _corpus(quick, work)
        load_before = os.getloadavg()
        rows = [("local", "N=1", _one(corpus, work / "n1", engine="local", n_process=1)),
                ("local", "N=2", _one(corpus, work / "n2", engine="local", n_process=2)),
                ("dask", "LocalCluster 2 workers",
                 _one(corpus, work / "dask", engine="dask", n_workers=2))]
        vs = _against_jieba(corpus, work, 1 if quick else 2)
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = rows[0][2]
    base_rate = base["paragraphs"] / max(base["seconds"] - base["startup"], 1e-9)
    identical = all(r[2]["bytes"] == base["bytes"] for r in rows[1:])
    lines = [
        f"### minsheng bench run ({'quick' if quick else 'full'}) — "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"Corpus: `{REPORTS}`{f' (first {QUICK_RECORDS} reports)' if quick else ''}, "
        f"{base['paragraphs']} paragraphs, {base['chars']} characters. "
        f"Pipeline: {', '.join(base['model']) or 'tokenizer only'}. "
        f"Machine: {platform.machine()}, {resolve_n_process(0)} usable cores, load average "
        f"{load_before[0]:.2f} before / {load_after[0]:.2f} after (cores shared with other jobs). "
        f"Outputs of the three runs byte-identical: **{'yes' if identical else 'NO'}**.",
        "",
        "Rates are over the processing phase minus worker start-up (spawning workers and "
        "loading the model in each, shown separately); `end-to-end` includes it.",
        "",
        "| engine | workers | paragraphs | chars | start-up s | processing s | paragraphs/s | "
        "chars/s | end-to-end paragraphs/s | speed-up | efficiency |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for engine, label, r in rows:
        busy = max(r["seconds"] - r["startup"], 1e-9)
        rate = r["paragraphs"] / busy
        speedup = rate / base_rate
        lines.append(f"| {engine} | {label} | {r['paragraphs']} | {r['chars']} | "
                     f"{r['startup']:.1f} | {busy:.1f} | {rate:.1f} | {r['chars'] / busy:.0f} | "
                     f"{r['paragraphs'] / r['seconds']:.1f} | {speedup:.2f} | "
                     f"{speedup / r['workers']:.2f} |")
    lines += ["", f"`minsheng run` N=1 against jieba.posseg (segmentation and tags only) on the "
                  f"same {vs['paragraphs']} paragraph texts ({vs['chars']} chars), alternated, "
                  f"faster of {vs['rounds']} rounds each: {vs['ours']:,.0f} vs {vs['jieba']:,.0f} "
                  f"chars/s, **{vs['ours'] / vs['jieba']:.2f}×**."]
    if base["warnings"]:
        lines += ["", "Notes: " + "; ".join(base["warnings"])]
    table = "\n".join(lines) + "\n"
    output = Path(output)
    previous = output.read_text("utf-8") if output.exists() else "# Benchmarks\n"
    atomic_write_text(output, previous.rstrip("\n") + "\n\n" + table)
    return table
