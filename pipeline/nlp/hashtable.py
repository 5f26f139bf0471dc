"""An open-addressing hash table of int64 keys, built and queried with numpy arrays.

The segmenter's feature lookup (:mod:`pipeline.nlp.features`) finds every
character pair and word pair of a batch in tables of up to 320,000 keys.
``np.searchsorted`` does that with about twenty dependent, cache-missing reads
per query; here a query costs one multiplicative hash and, at a load factor
of at most one half, about 1.5 reads (linear probing), all vectorised: each
probe round looks up every query still unresolved at once.
"""
from __future__ import annotations

import numpy as np

from ..kernels import compiled

EMPTY = -1  # no key; every stored key is >= 0
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: 2**64 / golden ratio, odd


class IntHashTable:
    """``key -> value`` for sorted, distinct, non-negative int64 keys; :meth:`get`
    answers a whole array.

    Linear probing without wrap-around: the slot array has a tail past the
    ``2**bits`` home slots, long enough for the last cluster and one empty slot,
    so a probe never leaves the array and always ends on a hit or an empty slot."""

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        keys = np.asarray(keys, dtype=np.int64)
        values = np.asarray(values, dtype=np.int64)
        if keys.shape != values.shape or keys.ndim != 1:
            raise ValueError(f"keys and values must be 1-d arrays of one length, got shapes "
                             f"{keys.shape} and {values.shape}")
        if keys.size and (keys[0] < 0 or not (keys[1:] > keys[:-1]).all()):
            raise ValueError("IntHashTable keys must be non-negative and strictly increasing "
                             "(as the segmenter's sorted feature tables are)")
        self._bits = max(int(2 * max(keys.size, 1) - 1).bit_length(), 4)  # >= twice the keys
        self._shift = np.uint64(64 - self._bits)
        home = self._slots(keys)
        order = np.argsort(home)  # any order within a home slot makes a valid table
        home, keys, values = home[order], keys[order], values[order]
        # inserted in home order, key i lands on max(home_i, slot_{i-1} + 1)
        rank = np.arange(keys.size)
        slots = rank + np.maximum.accumulate(home - rank) if keys.size else rank
        size = max(1 << self._bits, int(slots[-1]) + 1 if keys.size else 0) + 1  # + an empty slot
        self._keys = np.full(size, EMPTY, dtype=np.int64)
        self._values = np.zeros(size, dtype=np.int64)
        self._keys[slots], self._values[slots] = keys, values

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * _MULTIPLIER) >> self._shift).astype(np.int64)

    def get(self, query: np.ndarray, missing: int) -> np.ndarray:
        """The value of each key in *query* (any shape), *missing* where it is absent
        (the compiled probe loop where it was built, else :meth:`get_numpy`)."""
        if compiled is None:
            return self.get_numpy(query, missing)
        query = np.asarray(query, dtype=np.int64)
        flat = np.ascontiguousarray(query.ravel())
        out = np.empty(flat.shape, dtype=np.int64)
        compiled.hash_get(self._keys, self._values, int(self._shift), flat, int(missing), out)
        return out.reshape(query.shape)

    def get_numpy(self, query: np.ndarray, missing: int) -> np.ndarray:
        """:meth:`get` in numpy: every probe round looks up all unresolved queries at once."""
        query = np.asarray(query, dtype=np.int64)
        flat = query.ravel()
        out = np.full(flat.shape, missing, dtype=np.int64)
        todo = np.flatnonzero(flat >= 0)
        slots = self._slots(flat[todo])
        while todo.size:
            found = self._keys[slots]
            hit = found == flat[todo]
            out[todo[hit]] = self._values[slots[hit]]
            more = ~hit & (found != EMPTY)
            todo, slots = todo[more], slots[more] + 1
        return out.reshape(query.shape)
