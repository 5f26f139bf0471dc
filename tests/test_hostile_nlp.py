"""Hostile text for pipeline.load(): lone surrogates and a million-character paragraph."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pipeline
from pipeline.nlp import pieces

REPO = Path(__file__).resolve().parents[1]
SENTENCES = "加强养老服务体系建设，完善社区居家养老服务网络。推进医疗卫生体制改革，提高基本医疗保障水平。"


@pytest.fixture(scope="module")
def nlp():
    return pipeline.load()


def test_lone_surrogates_are_processed_not_raised(nlp):
    doc = nlp("\ud800")
    assert doc.text == "\ufffd" and doc._.domain
    doc = nlp("养老\udcff服务")
    assert len(doc.text) == 5 and "".join(t.text for t in doc) == "养老\ufffd服务"
    assert [d.text for d in nlp.pipe(["就业\ud800", "教育"])] == ["就业\ufffd", "教育"]


def test_split_text_cuts_at_sentence_ends_within_the_bound():
    text = (SENTENCES * 2000)[:70_001]
    parts = pieces.split_text(text, 1000)
    assert "".join(parts) == text
    assert max(map(len, parts)) <= 1000
    assert all(p.endswith("。") for p in parts[:-1])
    nopunct = "养" * 2501
    assert [len(p) for p in pieces.split_text(nopunct, 1000)] == [1000, 1000, 501]


def test_long_text_in_pieces_equals_the_whole(nlp, monkeypatch):
    text = (SENTENCES * 700)[:30_001]
    doc = nlp(text)
    assert doc.text == text
    monkeypatch.setattr(pieces, "PIECE_CHARS", 10**7)  # the same text in one piece
    whole = nlp(text)
    assert [t.text for t in doc] == [t.text for t in whole]
    assert doc._.domain == whole._.domain and doc._.domains == whole._.domains
    assert [d.text for d in nlp.pipe(["教育", text, "就业"], batch_size=2)] == ["教育", text, "就业"]


@pytest.mark.slow
def test_million_character_paragraph_bounded_memory():
    """1,000,001 characters (E088 and 5.6 GB before): one Doc, domains set, < 1.5 GB peak."""
    script = textwrap.dedent(f"""
        import pipeline
        nlp = pipeline.load()
        text = ({SENTENCES!r} * 25000)[:1_000_001]
        doc = nlp(text)
        assert doc.text == text and doc._.domain and doc.cats, (doc._.domain, len(doc))
        # VmHWM is this process's own peak; ru_maxrss after exec can carry the parent's
        print(next(int(line.split()[1]) for line in open("/proc/self/status")
                   if line.startswith("VmHWM:")))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=REPO, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    peak_mb = int(proc.stdout.split()[-1]) / 1024
    assert peak_mb < 1500, f"peak RSS {peak_mb:.0f} MB"
