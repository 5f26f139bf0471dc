"""The tok2vec embedding cache: the vectors of the plain layer, bit for bit, in any batch."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

import pipeline
from pipeline import assets
from pipeline.nlp import embed_cache, pd1998


@pytest.fixture(scope="module")
def nlp():
    return pipeline.load(domains=False)


def _texts():
    texts = ["".join(s.words) for s in pd1998.read_split(assets.pd1998_path(), "test")[:400]]
    return texts + ["", " ", "國務院2024年GDP增長5.2%", "Hello world", "😀中文😀"]


def test_installed_by_loading_and_only_once(nlp):
    embed = nlp.get_pipe("tok2vec").model.layers[0]
    assert isinstance(embed._func, partial)
    assert embed_cache.install(nlp) == []


def test_cached_vectors_equal_the_plain_layer_in_any_batch(nlp, monkeypatch):
    embed = nlp.get_pipe("tok2vec").model.layers[0]
    plain = embed._func.keywords["plain"]
    docs = list(nlp.make_docs(_texts(), 64))
    expected = plain(embed, docs, False)[0]
    cache = embed._func.keywords["cache"]
    cache.clear()
    monkeypatch.setattr(embed_cache, "MAX_ROWS", 3000)  # forces restarts on the way
    got = []
    for size in (1, 7, 64, 130):
        for i in range(0, len(docs), size):
            got.append(embed.predict(docs[i:i + size]))
    flat = [a for batch in got for a in batch]
    assert len(flat) == 4 * len(docs)
    for k, vectors in enumerate(flat):
        assert vectors.dtype == expected[k % len(docs)].dtype
        assert np.array_equal(vectors, expected[k % len(docs)])
    assert len(cache.index) <= 3000


def test_pipeline_output_is_unchanged(nlp):
    texts = _texts()
    tok2vec = nlp.get_pipe("tok2vec")
    embed = tok2vec.model.layers[0]
    cached = [[t.tag_ for t in d] for d in nlp.pipe(texts, batch_size=32)]
    saved, embed._func = embed._func, embed._func.keywords["plain"]
    try:
        plain = [[t.tag_ for t in d] for d in nlp.pipe(texts, batch_size=32)]
    finally:
        embed._func = saved
    assert cached == plain


def test_threads_share_the_cache_safely_and_copies_start_empty(nlp):
    import pickle
    from concurrent.futures import ThreadPoolExecutor

    embed = nlp.get_pipe("tok2vec").model.layers[0]
    plain = embed._func.keywords["plain"]
    cache = embed._func.keywords["cache"]
    docs = list(nlp.make_docs(_texts(), 64))
    expected = plain(embed, docs, False)[0]
    cache.clear()
    chunks = [docs[i:i + 5] for i in range(0, len(docs), 5)]
    with ThreadPoolExecutor(4) as pool:
        got = [v for batch in pool.map(embed.predict, chunks) for v in batch]
    assert all(np.array_equal(a, b) for a, b in zip(got, expected)) and len(got) == len(expected)
    copy = pickle.loads(pickle.dumps(cache))
    assert copy.index == {} and copy.vectors is None and len(cache.index) > 0
