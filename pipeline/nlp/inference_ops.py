"""The tagger's matrix products through numpy's BLAS at inference.

thinc's ``NumpyOps`` multiplies with blis; numpy's OpenBLAS is faster at the
shapes the tok2vec encoder and the tagger have (a batch's tokens x 240 times
240 x 160: 1.5x on an AVX-512 Xeon, 8 % of the narrow tok2vec's time).
``NumpyOps(use_blis=False)`` is thinc's own switch for that: every other op
(maxout, seq2col, layer norm) stays the same, and the products differ from
blis's in the last bits only (float32 rounding; PD1998 tag accuracy is
measured with this installed).  Installed on a loaded pipeline by
:func:`install` (``zh_minsheng``'s ``from_disk``); nothing is saved, and
training (``spacy train``) builds its models with thinc's default ops.
"""
from __future__ import annotations

from thinc.backends.numpy_ops import NumpyOps

_OPS = NumpyOps(use_blis=False)
#: Components whose thinc models get the numpy products.
COMPONENTS = ("tok2vec", "tagger")


def install(nlp) -> list[str]:
    """Give the thinc models of the tok2vec and tagger components numpy matrix products;
    returns the names of the components changed."""
    done = []
    for name, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if name not in COMPONENTS or model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps:
                node.ops = _OPS
        done.append(name)
    return done
