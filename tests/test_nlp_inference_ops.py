"""numpy matrix products for the tagger at inference: installed on load, same tags as blis."""
from __future__ import annotations

import numpy as np
import pytest
from thinc.backends.numpy_ops import NumpyOps

import pipeline
from pipeline import assets
from pipeline.nlp import inference_ops, pd1998


@pytest.fixture(scope="module")
def nlp():
    return pipeline.load(domains=False)


def test_installed_on_load_for_tok2vec_and_tagger(nlp):
    for name in inference_ops.COMPONENTS:
        ops = {node.ops.use_blis for node in nlp.get_pipe(name).model.walk()}
        assert ops == {False}, name


def test_tags_and_vectors_match_the_blis_products(nlp):
    """Switching the products back to blis moves the token vectors by float32 rounding
    only and leaves (almost) every tag as it was."""
    texts = ["".join(s.words) for s in pd1998.read_split(assets.pd1998_path(), "test")[:300]]
    texts.append("国务院2024年GDP增长5.2%，城镇新增就业1256万人。")
    numpy_docs = list(nlp.pipe(texts))
    blis = pipeline.load(domains=False)
    for name in inference_ops.COMPONENTS:
        for node in blis.get_pipe(name).model.walk():
            node.ops = NumpyOps(use_blis=True)
    blis_docs = list(blis.pipe(texts))
    tags = [(a.tag_, b.tag_) for x, y in zip(numpy_docs, blis_docs) for a, b in zip(x, y)]
    assert sum(a == b for a, b in tags) / len(tags) >= 0.999
    assert max(float(np.abs(x.tensor - y.tensor).max()) for x, y in zip(numpy_docs, blis_docs)) < 1e-3
