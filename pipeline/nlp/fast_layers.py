"""Inference forwards for thinc's ``Maxout`` and ``LayerNorm``: the same numbers, fewer passes.

The tagger's tok2vec spends almost half its time outside its matrix products:

* thinc's ``ops.maxout`` finds the best piece *and* records which piece won (for
  the backward pass) in one Cython loop that is slower than the product before it;
  at inference only the best value is wanted, and ``np.maximum`` piece by piece gives
  it (a maximum is exact: the same float whichever way it is found).
* ``LayerNorm`` takes the mean twice (once for ``mu``, once inside ``X.var``)
  and subtracts it twice; here it is taken and subtracted once, with numpy's own
  reductions in numpy's own order, so ``mu``, ``var`` and the normalised rows
  are the floats thinc computes (tested end to end, tensors and tags compared
  bit for bit with the plain layers).

Training (``is_train``) always takes thinc's own forward.  Installed on a loaded
pipeline by :func:`install`, as :mod:`pipeline.nlp.embed_cache` is; nothing is
saved, so saved pipelines are unchanged.
"""
from __future__ import annotations

from functools import partial

import numpy as np

_EPS = 1e-08  # thinc.layers.layernorm._get_moments


def _no_backprop(_):
    raise RuntimeError("this forward is for inference; train with is_train=True")


def _maxout_forward(model, X, is_train: bool, *, plain):
    if is_train:
        return plain(model, X, is_train)
    nO, nP, nI = model.get_dim("nO"), model.get_dim("nP"), model.get_dim("nI")
    W = model.ops.reshape2f(model.get_param("W"), nO * nP, nI)
    Y = model.ops.gemm(X, W, trans2=True)
    Y += model.ops.reshape1f(model.get_param("b"), nO * nP)
    Z = Y.reshape((Y.shape[0], nO, nP))
    if nP == 1:
        return Z[:, :, 0].copy(), _no_backprop
    best = np.maximum(Z[:, :, 0], Z[:, :, 1])  # piece by piece: numpy's max over a 3-wide axis is slow
    for piece in range(2, nP):
        np.maximum(best, Z[:, :, piece], out=best)
    return best, _no_backprop


def _layernorm_forward(model, X, is_train: bool, *, plain):
    if is_train or X.ndim != 2 or X.dtype != np.float32:
        return plain(model, X, is_train)
    n = X.shape[1]
    mu = np.add.reduce(X, axis=1, keepdims=True)
    mu = np.true_divide(mu, n, out=mu)  # X.mean(axis=1, keepdims=True)
    centred = X - mu
    var = np.add.reduce(centred * centred, axis=1, keepdims=True)
    var = np.true_divide(var, n, out=var) + _EPS  # X.var(axis=1, keepdims=True) + 1e-08
    centred *= var ** (-1.0 / 2.0)
    Y = centred * model.get_param("G")
    Y += model.get_param("b")
    return Y, _no_backprop


_FORWARDS = {"maxout": _maxout_forward, "layernorm": _layernorm_forward}


def install(nlp) -> int:
    """Give every Maxout and LayerNorm layer of the pipeline's tok2vec components the
    inference forward above; returns how many layers it changed."""
    done = 0
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is None or proc.__class__.__name__ != "Tok2Vec":
            continue
        for node in model.walk():
            fast = _FORWARDS.get(node.name)
            if fast is None or isinstance(node._func, partial):
                continue
            node._func = partial(fast, plain=node._func)
            done += 1
    return done
