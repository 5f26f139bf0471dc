"""The compiled segmenter kernels compute what their numpy reference computes, bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

import pipeline
from pipeline import assets
from pipeline import kernels
from pipeline.nlp import features, hashtable, pd1998


@pytest.fixture(scope="module")
def crf():
    return pipeline.load(domains=False).tokenizer.segmenter.crf


def _texts():
    texts = ["".join(s.words) for s in pd1998.read_split(assets.pd1998_path(), "test")[:600]]
    return texts + ["", "a", "2024年GDP增长5.2%", "國務院關於加強養老服務", "😀中文😀", "。" * 40,
                    "养老服务" * 300]


def test_kernels_are_built_here():
    """This install compiled them (make install: Cython and a C compiler are there); a
    build that failed would otherwise only show as a slower segmenter."""
    assert kernels.AVAILABLE, "pipeline/_kernels.pyx was not compiled: pip install -e . again"


@pytest.mark.skipif(not kernels.AVAILABLE, reason="compiled kernels not built")
def test_compiled_features_and_scores_equal_numpy(crf, monkeypatch):
    texts = _texts()
    joined = [crf.join(texts[i:i + 50]) for i in range(0, len(texts), 50)] + texts[-8:]
    got = [(crf.feature_columns(t), crf._block_scores(t)) for t in joined]
    monkeypatch.setattr(features, "compiled", None)
    monkeypatch.setattr(hashtable, "compiled", None)
    for text, (cols, scores) in zip(joined, got):
        want = crf.feature_columns(text)
        assert np.array_equal(cols, want)
        assert np.array_equal(scores, crf._block_scores_numpy(want.T))


@pytest.mark.skipif(not kernels.AVAILABLE, reason="compiled kernels not built")
def test_compiled_hash_lookup_equals_numpy():
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 10**12, 50_000))
    table = hashtable.IntHashTable(keys, np.arange(len(keys)) * 3)
    query = np.concatenate([keys[::7], rng.integers(-10, 10**12, 20_000), [-1, 0, keys[-1] + 1]])
    assert np.array_equal(table.get(query.reshape(-1, 1), -9), table.get_numpy(query.reshape(-1, 1), -9))
    empty = hashtable.IntHashTable(np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert np.array_equal(empty.get(query, 5), np.full(len(query), 5))


def test_pipeline_without_kernels_gives_the_same_docs(tmp_path):
    """MINSHENG_KERNELS=0 runs the numpy code, as an install without a compiler does: the
    same tokens, tags, entities and domains, and the same scores to 1e-9 (the LDA's
    E-step adds its dot products in another order)."""
    import json
    import subprocess
    import sys

    texts = _texts()[:200] + ["今年我市将大力发展养老服务，新建社区食堂20个。"]
    (tmp_path / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    script = (
        "import json, sys, pipeline\n"
        "from pipeline import kernels\n"
        "texts = json.load(open(sys.argv[1], encoding='utf-8'))\n"
        "nlp = pipeline.load()\n"
        "out = [[[t.text for t in d], [t.tag_ for t in d], [(e.text, e.label_) for e in d.ents],\n"
        "        d._.domain, d._.domains, d.cats] for d in nlp.pipe(texts)]\n"
        "print(json.dumps({'available': kernels.AVAILABLE, 'docs': out}, ensure_ascii=False))\n")
    runs = {}
    for flag in ("1", "0"):
        env = {**__import__("os").environ, "MINSHENG_KERNELS": flag}
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "texts.json")],
                              capture_output=True, text=True, env=env, check=True)
        runs[flag] = json.loads(done.stdout.strip().splitlines()[-1])
    assert runs["1"]["available"] and not runs["0"]["available"]
    for fast, plain in zip(runs["1"]["docs"], runs["0"]["docs"]):
        assert fast[:5] == plain[:5]
        assert fast[5].keys() == plain[5].keys()
        assert all(abs(fast[5][k] - plain[5][k]) <= 1e-9 for k in fast[5])
    assert len(runs["1"]["docs"]) == len(texts)
