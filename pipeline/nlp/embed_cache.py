"""Word embeddings of the tagger's tok2vec computed once per distinct word, not per token.

spaCy's ``MultiHashEmbed`` turns each token's lexeme features (NORM, PREFIX,
SUFFIX, LENGTH) into a vector: four hash-embedding lookups, concatenated, a
Maxout layer and a LayerNorm. None of it looks at the context, so a word has
the same vector wherever it occurs; report text repeats words a lot (a batch
of 64 report paragraphs has ~4,600 tokens but ~1,500 distinct feature rows).
At inference the embedding of every distinct feature row is computed once
and kept; the contextual encoder after it still runs on every token.

The vectors are the ones the layer computes for the whole batch, bit for bit:
each output row of its matrix product, its maxout and its LayerNorm depends on
that row alone (tested end to end against the plain layer). Training
(``is_train``) always takes the plain path. The cache only grows to
:data:`MAX_ROWS` rows, then starts afresh. Installed on a loaded pipeline by
:func:`install` (``zh_minsheng``'s ``from_disk`` does it); nothing about it
is saved, so saved pipelines are unchanged.
"""
from __future__ import annotations

import threading
from functools import partial

import numpy as np

MAX_ROWS = 200_000  # ~51 MB of float32 vectors of width 64
_LAYOUT = ("extract_features", "list2ragged", "with_array", "with_array", "ragged2list")


class EmbedCache:
    """Feature row (bytes of its uint64 attribute ids) -> row of a growing vector table."""

    def __init__(self) -> None:
        self.index: dict[bytes, int] = {}
        self.vectors: np.ndarray | None = None
        self._lock = threading.Lock()  # a pipeline shared by threads grows one table at a time

    def __getstate__(self) -> dict:
        return {"index": {}, "vectors": None}  # a copy (pickle, spawn) starts empty

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def clear(self) -> None:
        self.index.clear()
        self.vectors = None

    def rows(self, feats: np.ndarray, compute) -> np.ndarray:
        """Vectors for the rows of *feats* (``(n, k)`` uint64); *compute* embeds new rows."""
        if not len(feats):
            return compute(feats)
        with self._lock:
            return self._rows(feats, compute)

    def _rows(self, feats: np.ndarray, compute) -> np.ndarray:
        keys = np.ascontiguousarray(feats).view(np.dtype((np.void, feats.dtype.itemsize * feats.shape[1])))
        unique, inverse = np.unique(keys.ravel(), return_inverse=True)
        if len(self.index) + len(unique) > MAX_ROWS:
            self.clear()
        raw, size = unique.tobytes(), unique.itemsize
        names = [raw[i * size:(i + 1) * size] for i in range(len(unique))]
        found = [self.index.get(key) for key in names]
        missing = [i for i, row in enumerate(found) if row is None]
        if missing:
            new = compute(np.ascontiguousarray(unique[missing]).view(feats.dtype).reshape(len(missing), -1))
            start = 0 if self.vectors is None else len(self.index)
            self._append(new, start)
            for offset, i in enumerate(missing):
                found[i] = start + offset
                self.index[names[i]] = start + offset
        return self.vectors[np.asarray(found, dtype=np.int64)[inverse.ravel()]]

    def _append(self, new: np.ndarray, start: int) -> None:
        need = start + len(new)
        if self.vectors is None:
            self.vectors = np.empty((max(need, 4096), new.shape[1]), dtype=new.dtype)
        elif need > len(self.vectors):
            grown = np.empty((max(need, 2 * len(self.vectors)), new.shape[1]), dtype=new.dtype)
            grown[:start] = self.vectors[:start]
            self.vectors = grown
        self.vectors[start:need] = new


def _cached_forward(model, docs, is_train: bool, *, plain, cache: EmbedCache):
    if is_train:
        return plain(model, docs, is_train)
    extract, _, concat, maxout, _ = model.layers
    feats = extract.predict(docs)  # one (n_tokens, 4) uint64 array per Doc
    lengths = [len(f) for f in feats]
    stacked = np.concatenate(feats) if feats else np.zeros((0, 4), dtype=np.uint64)

    def compute(rows: np.ndarray) -> np.ndarray:
        return maxout.layers[0].predict(concat.layers[0].predict(rows))

    vectors = cache.rows(stacked, compute)
    out = np.split(vectors, np.cumsum(lengths)[:-1]) if lengths else []

    def backprop(_):  # inference only: never called
        raise RuntimeError("the embedding cache is for inference; train with is_train=True")

    return out, backprop


def install(nlp) -> list[str]:
    """Put the cache on every tok2vec component whose embedding layer is spaCy's
    ``MultiHashEmbed`` (the layout above); returns the names of those it changed."""
    done = []
    for name, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is None or proc.__class__.__name__ != "Tok2Vec" or not model.layers:
            continue
        embed = model.layers[0]
        names = tuple(layer.name.split("(")[0] for layer in embed.layers)
        if names != _LAYOUT or isinstance(embed._func, partial):
            continue
        embed._func = partial(_cached_forward, plain=embed._func, cache=EmbedCache())
        done.append(name)
    return done
