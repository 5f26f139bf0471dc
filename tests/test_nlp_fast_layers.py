"""Inference forwards of tok2vec's Maxout and LayerNorm: thinc's numbers, bit for bit."""
from __future__ import annotations

from contextlib import contextmanager
from functools import partial

import numpy as np
import pytest

import pipeline
from pipeline import assets
from pipeline.nlp import fast_layers, pd1998


@pytest.fixture(scope="module")
def nlp():
    return pipeline.load(domains=False)


def _texts():
    texts = ["".join(s.words) for s in pd1998.read_split(assets.pd1998_path(), "test")[:300]]
    return texts + ["", " ", "國務院2024年GDP增長5.2%", "Hello world", "😀中文😀", "。" * 50]


def _patched(nlp):
    return [node for node in nlp.get_pipe("tok2vec").model.walk()
            if node.name in ("maxout", "layernorm") and isinstance(node._func, partial)
            and node._func.func in (fast_layers._maxout_forward, fast_layers._layernorm_forward)]


@contextmanager
def _plain(nlp):
    nodes = _patched(nlp)
    saved = [node._func for node in nodes]
    for node in nodes:
        node._func = node._func.keywords["plain"]
    try:
        yield
    finally:
        for node, func in zip(nodes, saved):
            node._func = func


def test_installed_by_loading_and_only_once(nlp):
    nodes = _patched(nlp)
    assert {n.name for n in nodes} == {"maxout", "layernorm"} and len(nodes) >= 4
    assert fast_layers.install(nlp) == 0


@pytest.mark.parametrize("batch_size", [1, 64])
def test_tensors_and_tags_equal_thincs_own_layers(nlp, batch_size):
    texts = _texts()
    fast = [(d.tensor.tobytes(), [t.tag_ for t in d]) for d in nlp.pipe(texts, batch_size=batch_size)]
    with _plain(nlp):
        plain = [(d.tensor.tobytes(), [t.tag_ for t in d])
                 for d in nlp.pipe(texts, batch_size=batch_size)]
    assert fast == plain


def test_training_takes_thincs_forward_with_its_backprop(nlp):
    node = next(n for n in _patched(nlp) if n.name == "layernorm")
    width = node.get_dim("nI")
    X = np.random.default_rng(0).random((5, width), dtype=np.float32)
    Y, backprop = node(X, is_train=True)
    assert backprop(np.ones_like(Y)).shape == X.shape
    _, no_backprop = node(X, is_train=False)
    with pytest.raises(RuntimeError, match="is_train=True"):
        no_backprop(np.ones_like(Y))
