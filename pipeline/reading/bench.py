"""``minsheng bench read``: how fast the reader turns a folder into paragraphs.

Writes 10,000 small synthetic documents (1,000 with ``quick``) into a
temporary folder -- mostly UTF-8 text, some GB18030 text, HTML and Markdown,
with titles, bylines, page-broken paragraphs and notes -- reads them with
:func:`read_corpus` in this one process (one core), and appends a Markdown
table row to ``output``. The texts are generated from a fixed vocabulary with
a fixed seed, so every run reads the same bytes. The target from issue 3:
10,000 files in under a minute.
"""
from __future__ import annotations

import os
import platform
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from .corpus import read_corpus

HEADER = (
    "| date (UTC) | files | MB | seconds | files/s | chars/s | paragraphs | statuses | python | platform | cpus |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|\n"
)
TITLE = "## minsheng bench read (issue 3: 10,000 small files < 60 s on one core)\n\n"

_WORDS = ["就业", "教育", "医疗", "养老", "住房", "社保", "收入", "托育", "交通", "食品安全", "生态",
          "群众", "服务", "政策", "推进", "完善", "加强", "保障", "提高", "城乡", "社区", "基层", "改革",
          "发展", "质量", "水平", "体系", "建设", "落实", "工作"]
_NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 12))]
    cut = rng.randint(1, len(words) - 1)
    return "".join(words[:cut]) + "，" + "".join(words[cut:]) + rng.choice("。。。！；")


def _document(rng: random.Random) -> str:
    parts = ["".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 6))),
             f"□记者 {rng.choice(_NAMES)}"]
    for _ in range(rng.randint(2, 6)):
        para = "".join(_sentence(rng) for _ in range(rng.randint(2, 8)))
        if rng.random() < 0.15:  # a page break mid-paragraph
            cut = rng.randint(5, len(para) - 5)
            if para[cut - 1] not in "。！；，" and para[cut] not in "。！；，":
                parts.extend([para[:cut], para[cut:]])
                continue
        parts.append(para)
    if rng.random() < 0.3:
        parts.append(f"（作者单位：{rng.choice(_WORDS)}研究院）")
    return "\n\n".join(parts) + "\n"


def write_corpus(folder: Path, n_files: int, seed: int = 0) -> int:
    """Write ``n_files`` synthetic documents under ``folder``; return total bytes."""
    rng = random.Random(seed)
    total = 0
    for i in range(n_files):
        text = _document(rng)
        kind = rng.random()
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        if kind < 0.80:
            path, data = sub / f"{i:05d}.txt", text.encode("utf-8")
        elif kind < 0.90:
            path, data = sub / f"{i:05d}.txt", text.encode("gb18030")
        elif kind < 0.95:
            body = "".join(f"<p>{p}</p>\n" for p in text.split("\n\n"))
            path = sub / f"{i:05d}.html"
            data = f"<html><head><script>x=1</script></head><body><nav>首页</nav>{body}</body></html>".encode()
        else:
            path, data = sub / f"{i:05d}.md", ("# " + text).encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def bench_read(quick: bool, output: Path) -> str:
    """Run the benchmark, append a row to ``output`` (Markdown), return header + row."""
    n_files = 1_000 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="minsheng-bench-read-") as tmp:
        folder = Path(tmp)
        total_bytes = write_corpus(folder, n_files)
        files = chars = paragraphs = 0
        statuses: dict[str, int] = {}
        t0 = time.perf_counter()
        for doc in read_corpus(folder):
            files += 1
            chars += len(doc.text)
            paragraphs += len(doc.paragraphs)
            statuses[doc.status.value] = statuses.get(doc.status.value, 0) + 1
        seconds = time.perf_counter() - t0
    row = (
        f"| {datetime.now(timezone.utc):%Y-%m-%d %H:%M} | {files} | {total_bytes / 1e6:.1f} | {seconds:.2f} "
        f"| {files / seconds:,.0f} | {chars / seconds:,.0f} | {paragraphs} "
        f"| {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))} "
        f"| {platform.python_implementation()} {platform.python_version()} "
        f"| {platform.system()} {platform.machine()} | {os.cpu_count()} |\n"
    )
    output = Path(output)
    existing = output.read_text(encoding="utf-8") if output.exists() else ""
    with output.open("a", encoding="utf-8") as fh:
        if HEADER not in existing:
            fh.write(("\n" if existing and not existing.endswith("\n\n") else "") + TITLE + HEADER)
        fh.write(row)
    return HEADER + row


if __name__ == "__main__":  # python -m pipeline.reading.bench [--quick] [output]
    args = [a for a in sys.argv[1:] if a != "--quick"]
    print(bench_read("--quick" in sys.argv, Path(args[0] if args else "BENCHMARKS.md")), end="")
